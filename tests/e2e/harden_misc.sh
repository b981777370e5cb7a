#!/usr/bin/env bash
# tests/e2e/harden_misc.sh - hardening of the plan, the thread count, the
# range test's early checks and the build:
#   - a 300,000-trial random search plans (--dry-run) in seconds, the same
#     trials in the same order as a smaller one;
#   - --threads and trials.threads are capped as one (range-test, run,
#     train), never a crash or a failed thread start;
#   - range-test refuses a database or a plot it cannot write before it
#     trains anything;
#   - `make` names missing packages in one line, `make mpi` installs Open
#     MPI (checked with stand-ins for dpkg-query and apt-get; nothing is
#     installed) and names a missing mpicc, `make install` installs the
#     binaries, the man page, the docs and the clients.
#
#   LRSWEEP=bin/lrsweep tests/e2e/harden_misc.sh        (what `make e2e` runs)
set -u

. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1

first() { head -n 1 "$1" | cut -c 1-200; }
nlines() { awk 'END { print NR }' "$1"; }

# fails_early NAME RC NEEDLE ARGS...: lrsweep ARGS exits RC within 20 s,
# with nothing on stdout and one line on stderr containing NEEDLE.
fails_early() {
	local name=$1 want=$2 needle=$3
	shift 3
	timeout 20 "$LRSWEEP" "$@" >"$OUT" 2>"$ERR"
	RC=$?
	if [ "$RC" -ne "$want" ]; then
		nok "$name" "exit status $RC, want $want (124: still training after 20 s; stderr: $(first "$ERR"))"
	elif [ -s "$OUT" ]; then
		nok "$name" "wrote to stdout (it trained first?): $(first "$OUT")"
	elif [ "$(nlines "$ERR")" -ne 1 ] || ! grep -qF -- "$needle" "$ERR"; then
		nok "$name" "want one line with '$needle' on stderr, got $(nlines "$ERR"): $(first "$ERR")"
	else
		ok "$name"
	fi
}

# ------------------------------------------------------------ the plan

# one schedule, one drawn axis: every sample is one trial
plan_exp() {
	cat <<YAML
name: big-random
seed: 3
data:
  train: {format: synthetic, kind: blobs, samples: 300, classes: 3}
  validation: 0.2
model: {hidden: [8], activation: relu}
optimizer: {type: sgd, momentum: 0.9}
batch_size: 32
range_test: {bounds: {min_lr: 0.01, max_lr: 0.1}}
trials:
  epochs: 2
  seeds: [1]
  schedules:
    - type: constant
  space:
    optimizer.weight_decay: {log_uniform: [1.0e-5, 1.0e-3]}
    batch_size: {choice: [16, 32]}
  search: {strategy: random, samples: $1}
YAML
}
plan_exp 300000 >big.yaml
plan_exp 2000 >small.yaml

# the duplicate check was quadratic: 300k trials took many minutes
timeout 60 "$LRSWEEP" run big.yaml --dry-run >big.txt 2>"$ERR"
RC=$?
if [ "$RC" -ne 0 ]; then
	nok "a 300k-trial plan within 60 s" "exit status $RC (124: timed out; stderr: $(first "$ERR"))"
elif [ "$(nlines big.txt)" -ne 300003 ]; then
	nok "a 300k-trial plan within 60 s" "$(nlines big.txt) lines, want 3 + 300000"
else
	ok "a 300k-trial plan within 60 s"
fi
# sample j is drawn from its own stream: the first 2000 trials of the big
# plan are the small plan's, keys and all
run run small.yaml --dry-run
if [ "$RC" -eq 0 ] && cmp -s <(tail -n +3 "$OUT") <(sed -n 3,2003p big.txt); then
	ok "the big plan begins with the small one's trials, same keys, same order"
else
	nok "the big plan begins with the small one's trials, same keys, same order" \
	    "rc=$RC; first difference: $(diff <(tail -n +3 "$OUT") <(sed -n 3,2003p big.txt) | sed -n 2p)"
fi
rm -f big.txt

# ------------------------------------------------------------ threads

cp "$REPO/tests/data/blobs_sweep.yaml" blobs.yaml
fails_early "range-test --threads 100000 is a usage error" 2 "--threads must be an integer in [0, 4096]" \
	range-test blobs.yaml --db r.db --threads 100000
fails_early "range-test --threads 40000 is a usage error" 2 "--threads must be an integer in [0, 4096]" \
	range-test blobs.yaml --db r.db --threads 40000
fails_early "range-test --threads -1 is a usage error" 2 "--threads must be an integer in [0, 4096]" \
	range-test blobs.yaml --db r.db --threads -1
fails_early "run --threads 4097: the same rule" 2 "--threads must be an integer in [0, 4096]" \
	run blobs.yaml --db r.db --threads 4097
fails_early "train takes no --threads" 2 "unknown option '--threads'" \
	train blobs.yaml --db r.db --lr 0.1 --threads 8
sed 's/^  epochs: 2$/  epochs: 2\n  threads: 5000/' blobs.yaml >threads.yaml
fails_early "trials.threads 5000 is an input error at its place" 2 "threads.yaml:15:12: 'threads' must be" \
	run threads.yaml --db r.db --dry-run
timeout 60 "$LRSWEEP" range-test blobs.yaml --db r.db --threads 4096 -q >"$OUT" 2>"$ERR"
RC=$?
if [ "$RC" -eq 0 ] && grep -q '^stored in r.db' "$OUT" && [ ! -s "$ERR" ]; then
	ok "range-test --threads 4096 (the cap) runs"
else
	nok "range-test --threads 4096 (the cap) runs" "rc=$RC stderr: $(first "$ERR")"
fi
rm -f r.db*

# ------------------------------------------------------------ range-test checks first

# a test that trains for minutes: the checks must come before it
cat >heavy.yaml <<'YAML'
name: heavy
seed: 1
data:
  train: {format: synthetic, kind: spirals, samples: 2000, classes: 3}
model: {hidden: [128, 128], activation: relu}
optimizer: {type: sgd, momentum: 0.9}
batch_size: 64
range_test: {mode: exponential, start_lr: 1.0e-5, end_lr: 1.0e-3, iterations: 1000000, repeats: 1, eval_every: 1000, stop_factor: 1000}
YAML
fails_early "range-test --db in a missing directory fails before training" 2 "/missing/dir/x.db" \
	range-test heavy.yaml --db /missing/dir/x.db
fails_early "range-test --plot in a missing directory fails before training" 2 "$T/nodir/r.png: cannot write the plot" \
	range-test heavy.yaml --db h.db --plot "$T/nodir/r.png"
fails_early "range-test --plot F.pdf fails before training" 2 "r.pdf: plot file must end in .png or .svg" \
	range-test heavy.yaml --db h.db --plot r.pdf
LRSWEEP_GNUPLOT=$T/no-gnuplot timeout 20 "$LRSWEEP" range-test heavy.yaml --db h.db --terminal >"$OUT" 2>"$ERR"
RC=$?
if [ "$RC" -eq 1 ] && [ ! -s "$OUT" ] && grep -q "gnuplot not found" "$ERR" && [ "$(nlines "$ERR")" -eq 1 ]; then
	ok "range-test --terminal without gnuplot fails before training"
else
	nok "range-test --terminal without gnuplot fails before training" "rc=$RC stdout: $(first "$OUT") stderr: $(first "$ERR")"
fi
if [ -e h.db ]; then
	nok "a refused plot leaves no database behind" "h.db exists"
else
	ok "a refused plot leaves no database behind"
fi
# an existing plot is not touched by the check; the test still draws it
if command -v gnuplot >/dev/null || [ -n "${LRSWEEP_GNUPLOT:-}" ]; then
	echo old >r.svg
	run range-test blobs.yaml --db r.db --plot r.svg -q
	if [ "$RC" -eq 0 ] && grep -q '<svg' r.svg; then
		ok "range-test --plot over an existing file draws it"
	else
		nok "range-test --plot over an existing file draws it" "rc=$RC stderr: $(first "$ERR")"
	fi
else
	ok "gnuplot absent: plot drawing skipped"
fi

# ------------------------------------------------------------ the build

# mk [VAR=VALUE...] make ARGS...: make run in the repository with these
# variables in its environment, without the outer make's flags; nothing is
# built into the repository (BUILD and BIN in $T)
mk() { (cd "$REPO" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "$@") >"$OUT" 2>"$ERR"; RC=$?; }
MK="make --no-print-directory BUILD=$T/b BIN=$T/b/lrsweep"

mk PKG_CONFIG_LIBDIR=/nonexistent PKG_CONFIG_PATH=/nonexistent $MK "$T/b/lrsweep"
line=$(grep "missing Debian packages" "$ERR" || true)
if [ "$RC" -eq 0 ] || [ "$(printf '%s' "$line" | awk 'END { print NR }')" -ne 1 ]; then
	nok "make without the libraries names them in one line" "rc=$RC stderr: $(first "$ERR")"
elif ! for p in libyaml-dev zlib1g-dev libsqlite3-dev libopenblas-dev "apt-get install"; do
	     printf '%s' "$line" | grep -qF "$p" || exit 1; done; then
	nok "make without the libraries names them in one line" "line: $line"
elif grep -q "error:" "$ERR" || [ -n "$(find "$T/b" -name '*.o' 2>/dev/null)" ]; then
	nok "make without the libraries names them in one line" "it compiled: $(grep -m1 error: "$ERR")"
else
	ok "make without the libraries names them in one line"
fi

# stand-ins: dpkg-query that knows no Open MPI, apt-get that records its
# call (and installs nothing)
mkdir -p fake
cat >fake/dpkg-query <<SH
#!/bin/sh
for a; do case \$a in libopenmpi-dev|openmpi-bin) exit 1 ;; esac; done
PATH=$PATH exec dpkg-query "\$@"
SH
cat >fake/apt-get <<SH
#!/bin/sh
echo "\$*" >>"$T/apt-get.log"
exit \${FAKE_APT_RC:-0}
SH
chmod +x fake/dpkg-query fake/apt-get

if ! command -v dpkg-query >/dev/null; then
	ok "no dpkg-query: make mpi's package checks skipped"
else
	mk LRSWEEP_DEPS_DRY=1 PATH="$T/fake:$PATH" $MK mpi MPICC=/nonexistent
	if [ "$RC" -ne 0 ] && grep -q "missing Debian packages:.*libopenmpi-dev openmpi-bin" "$ERR" && [ ! -e apt-get.log ] &&
	   [ -z "$(find "$T/b" -name '*.o' 2>/dev/null)" ]; then
		ok "make mpi, LRSWEEP_DEPS_DRY=1: names Open MPI, installs nothing, builds nothing"
	else
		nok "make mpi, LRSWEEP_DEPS_DRY=1: names Open MPI, installs nothing, builds nothing" \
		    "rc=$RC apt-get: $(cat apt-get.log 2>/dev/null) stderr: $(first "$ERR")"
	fi
	if [ "$(id -u)" -ne 0 ]; then
		ok "not root: make mpi's install skipped"
	else
		rm -f apt-get.log
		mk PATH="$T/fake:$PATH" $MK mpi MPICC=/nonexistent
		if grep -q "install .*libopenmpi-dev openmpi-bin" apt-get.log 2>/dev/null; then
			ok "make mpi installs Open MPI (apt-get install libopenmpi-dev openmpi-bin)"
		else
			nok "make mpi installs Open MPI (apt-get install libopenmpi-dev openmpi-bin)" \
			    "apt-get: $(cat apt-get.log 2>/dev/null) stderr: $(first "$ERR")"
		fi
	fi
	mk LRSWEEP_DEPS_DRY=1 $MK mpi MPICC=/nonexistent
	if [ "$RC" -ne 0 ] && grep -q "libopenmpi-dev" "$ERR" && ! grep -q "No such file" "$ERR" &&
	   [ -z "$(find "$T/b" -name '*.o' 2>/dev/null)" ]; then
		ok "make mpi without mpicc says where it comes from, builds nothing"
	else
		nok "make mpi without mpicc says where it comes from, builds nothing" "rc=$RC stderr: $(first "$ERR")"
	fi
fi

# make install, of the binary under test (-o: taken as it is, not rebuilt)
mk make --no-print-directory install DESTDIR="$T/inst" PREFIX=/usr BIN="$T/lrsweep" -o "$T/lrsweep"
( cd "$T/inst" && find . -type f | sort ) >installed.txt
want="./usr/bin/lrsweep ./usr/share/man/man1/lrsweep.1 ./usr/share/doc/lrsweep/README.md
      ./usr/share/doc/lrsweep/docs/schema.md ./usr/share/doc/lrsweep/docs/run.md"
for f in "$REPO"/clients/python/*.py; do
	[ -e "$f" ] && want="$want ./usr/share/lrsweep/clients/python/${f##*/}"
done
missing=""
for f in $want; do grep -qxF "$f" installed.txt || missing="$missing $f"; done
if [ "$RC" -ne 0 ]; then
	nok "make install DESTDIR PREFIX=/usr" "rc=$RC stderr: $(first "$ERR")"
elif [ -n "$missing" ]; then
	nok "make install DESTDIR PREFIX=/usr" "not installed:$missing (installed: $(tr '\n' ' ' <installed.txt | cut -c 1-300))"
elif grep -q lrsweep-mpi installed.txt; then
	nok "make install DESTDIR PREFIX=/usr" "installed an lrsweep-mpi that was never built"
elif ! cmp -s "$T/inst/usr/bin/lrsweep" "$T/lrsweep" || [ ! -x "$T/inst/usr/bin/lrsweep" ]; then
	nok "make install DESTDIR PREFIX=/usr" "usr/bin/lrsweep is not the binary"
else
	ok "make install DESTDIR PREFIX=/usr: $(awk 'END { print NR }' installed.txt) files"
fi
# with lrsweep-mpi built (a stand-in when this machine has none), it goes too
if [ -n "${LRSWEEP_MPI:-}" ] && [ -x "$REPO/${LRSWEEP_MPI#"$REPO"/}" ]; then
	cp "$REPO/${LRSWEEP_MPI#"$REPO"/}" "$T/lrsweep-mpi"
else
	cp "$T/lrsweep" "$T/lrsweep-mpi"
fi
mk make --no-print-directory install DESTDIR="$T/inst2" PREFIX=/usr BIN="$T/lrsweep" -o "$T/lrsweep" \
	-o "$T/lrsweep-mpi"
if [ "$RC" -eq 0 ] && cmp -s "$T/inst2/usr/bin/lrsweep-mpi" "$T/lrsweep-mpi"; then
	ok "make install takes lrsweep-mpi when it is built"
else
	nok "make install takes lrsweep-mpi when it is built" "rc=$RC stderr: $(first "$ERR")"
fi

# the man page: renders cleanly, carries the version, names every flag of
# every command's usage
MAN=$T/inst/usr/share/man/man1/lrsweep.1
if [ ! -f "$MAN" ]; then
	nok "man page" "not installed"
else
	if command -v groff >/dev/null; then
		groff -man -Tutf8 -ww -z "$MAN" 2>"$ERR"
		if [ -s "$ERR" ]; then nok "groff renders the man page without warnings" "$(first "$ERR")"
		else ok "groff renders the man page without warnings"; fi
	fi
	if command -v man >/dev/null; then
		MANWIDTH=80 man -l "$MAN" >"$OUT" 2>"$ERR"
		if [ $? -eq 0 ] && grep -q "^NAME" "$OUT" && grep -q "range-test" "$OUT"; then
			ok "man -l renders the man page"
		else
			nok "man -l renders the man page" "$(first "$ERR")"
		fi
	fi
	command -v groff >/dev/null || command -v man >/dev/null || ok "neither man nor groff: rendering skipped"
	version=$("$LRSWEEP" --version | awk '{ print $2 }')
	if grep -q "^\.TH LRSWEEP 1 .*\"lrsweep $version\"" "$MAN"; then
		ok "the man page's version is lrsweep --version's ($version)"
	else
		nok "the man page's version is lrsweep --version's ($version)" "$(grep '^\.TH' "$MAN")"
	fi
	sed 's/\\-/-/g; s/\\f[BIRP]//g' "$MAN" >man.txt
	absent=""
	for c in run range-test train schedule query plot report data; do
		"$LRSWEEP" "$c" --help | awk 'NR > 1 && /^$/ { exit } { print }' | grep -oE -- '--[a-z][a-z0-9-]*' |
			sort -u >flags.txt
		# the command's own synopsis: from ".B lrsweep CMD" to the next .br or section
		awk -v c="$c" '$0 == ".B lrsweep " c { on = 1; next } on && /^\.(br|SH|PP)/ { exit } on' \
			man.txt >synopsis.txt
		[ -s synopsis.txt ] || absent="$absent $c(no synopsis)"
		while read -r f; do
			grep -qE -- "${f}([^a-z0-9-]|\$)" synopsis.txt || absent="$absent $c:$f"
		done <flags.txt
		grep -qE "^\.B (lrsweep )?$c\$" man.txt || absent="$absent $c"
	done
	if [ -n "$absent" ]; then
		nok "the man page's synopsis of every command names every flag of its usage" "missing:$absent"
	else
		ok "the man page's synopsis of every command names every flag of its usage"
	fi
fi

finish
