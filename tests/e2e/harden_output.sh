#!/usr/bin/env bash
# tests/e2e/harden_output.sh - what plot, report and query write, and where:
# an output that is the database (or its -wal/-shm/-journal), a symbolic
# link or a device is refused and left as it was; gnuplot runs without a
# shell; stored text cannot drive the terminal; long --experiment names
# are never cut; an absurd stored step count cannot exhaust memory;
# another user's read-only database can be queried; and the figures stay
# readable (many configurations, many lines, integer epochs, a linear
# range test's bounds).
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1

if ! command -v sqlite3 >/dev/null; then
	ok "sqlite3 shell absent: checks skipped"
	finish
fi

cp "$REPO/tests/data/blobs_sweep.yaml" exp.yaml
"$LRSWEEP" run exp.yaml --db base.db -q >/dev/null 2>&1 || { nok "setup run" "failed"; finish; }
# state FILE: its type, device numbers, link target and bytes, on one line
state() {
	{ stat -c '%F %t:%T' "$1"; [ -L "$1" ] && readlink "$1"; [ -f "$1" ] && sha256sum <"$1"; } 2>&1 | tr '\n' ' '
}

# refused NAME NEEDLE FILE ARGS...: lrsweep ARGS exits 2 with one line on
# stderr matching NEEDLE, and FILE (what -o names) is unchanged: same
# type, same bytes (for a link: same target, and the target's bytes).
# (A time limit: opening a FIFO to write would wait for a reader.)
refused() {
	local name=$1 needle=$2 file=$3 before after
	shift 3
	before=$(state "$file")
	timeout -k 5 60 "$LRSWEEP" "$@" >"$OUT" 2>"$ERR"
	RC=$?
	after=$(state "$file")
	if [ "$RC" -eq 2 ] && [ "$(wc -l <"$ERR")" -eq 1 ] && grep -q -- "$needle" "$ERR" && [ "$before" = "$after" ]
	then ok "$name"
	else nok "$name" "rc=$RC stderr=$(head -c 300 "$ERR") before=[$before] after=[$after]"; fi
}

# ------------------------------------------------------------ 1. the database as output

# a database whose name ends in .svg: plot's own extension rule lets it through
cp base.db r.svg
refused "plot -o the database itself" "is the database" r.svg plot r.svg curves -o r.svg
if [ "$(sqlite3 r.svg 'pragma integrity_check')" = ok ]; then ok "the database is intact"; else nok "db intact" "$(head -c 16 r.svg)"; fi
cp base.db r2.svg
ln r2.svg same.png
refused "plot -o a hard link of the database" "is the database" r2.svg plot r2.svg curves -o same.png
cp base.db w.db
sqlite3 w.db 'select count(*) from trials' >/dev/null
touch w.db-wal w.db-shm   # (as a run leaves them)
for side in wal shm journal; do
	[ -e "w.db-$side" ] || : >"w.db-$side"
	refused "report -o the database's -$side" "is the database's -$side file" "w.db-$side" report w.db -o "w.db-$side"
	[ -s "w.db-$side" ] || rm -f "w.db-$side"
done
# not there yet: the name SQLite would use beside it, in the same directory
rm -f w.db-journal
run report w.db -o "$T/./w.db-journal"
if [ "$RC" -eq 2 ] && grep -q "is the database's -journal file" "$ERR" && [ ! -e w.db-journal ]
then ok "report -o the database's journal, not there yet"; else nok "journal by name" "rc=$RC $(cat "$ERR")"; fi
run range-test exp.yaml --db rt.svg --plot rt.svg
if [ "$RC" -eq 2 ] && grep -q "is the database" "$ERR" && [ ! -s rt.svg ] && ! grep -q "range test:" "$ERR"
then ok "range-test --plot the database: refused before the test runs"; else nok "range-test --plot db" "rc=$RC $(tail -1 "$ERR")"; fi
run range-test exp.yaml --db rt2.svg
run range-test exp.yaml --db rt2.svg --plot rt2.svg
if [ "$RC" -eq 2 ] && grep -q "is the database" "$ERR" && [ "$(sqlite3 rt2.svg 'select count(*) from experiments')" = 1 ] &&
   [ "$(sqlite3 rt2.svg 'pragma integrity_check')" = ok ]
then ok "range-test --plot an existing database: refused, the database intact"; else nok "range-test --plot existing db" "rc=$RC $(tail -1 "$ERR")"; fi

# ------------------------------------------------------------ 2. symbolic links

echo "keep me" >target.svg
ln -s target.svg link.svg
refused "plot -o a symbolic link" "symbolic link" link.svg plot base.db curves -o link.svg
[ "$(cat target.svg)" = "keep me" ] && ok "the link's target is untouched" || nok "link target" "$(head -c 40 target.svg)"
echo "keep me" >target.html
ln -s target.html link.html
refused "report -o a symbolic link" "symbolic link" link.html report base.db -o link.html
[ "$(cat target.html)" = "keep me" ] && ok "the link's target is untouched (report)" || nok "link target" "$(head -c 40 target.html)"
ln -s nowhere.svg dangling.svg
refused "plot -o a dangling link" "symbolic link" dangling.svg plot base.db curves -o dangling.svg
[ ! -e nowhere.svg ] && ok "a dangling link's target is not created" || nok "dangling" "nowhere.svg made"
cp base.db victim.db
ln -s victim.db dblink.svg
refused "plot -o a link to the database" "symbolic link" victim.db plot victim.db curves -o dblink.svg

# an existing regular output is replaced whole, keeping its permissions
echo old >perm.svg
chmod 640 perm.svg
run plot base.db curves -o perm.svg
if [ "$RC" -eq 0 ] && grep -q '<svg' perm.svg && [ "$(stat -c %a perm.svg)" = 640 ] && ! ls -a | grep -q '\.tmp-'
then ok "a regular output is replaced, its mode kept, no temporary file left"
else nok "replace" "rc=$RC mode=$(stat -c %a perm.svg) $(ls -a | tr '\n' ' ')"; fi
# a failing gnuplot leaves the old file as it was
echo old >keep.png
LRSWEEP_GNUPLOT=/bin/false run plot base.db curves -o keep.png
if [ "$RC" -eq 1 ] && [ "$(cat keep.png)" = old ] && ! ls -a | grep -q '\.tmp-'
then ok "gnuplot failing: the old output stays, no temporary file left"; else nok "failing gnuplot" "rc=$RC $(head -c 20 keep.png)"; fi

# ------------------------------------------------------------ 3. devices and other files

if mknod dev c 1 3 2>/dev/null && mknod dev.svg c 1 3; then   # /dev/null's device, our own nodes
	refused "report -o a device" "device" dev report base.db -o dev
	refused "plot -o a device" "device" dev.svg plot base.db curves -o dev.svg
	[ -c dev ] && [ -c dev.svg ] && ok "the device nodes are still there" || nok "device" "$(stat -c %F dev dev.svg)"
else
	ok "device: skipped (mknod not allowed here)"
fi
mkfifo fifo.html
refused "report -o a FIFO" "FIFO" fifo.html report base.db -o fifo.html
mkdir dir.svg
refused "plot -o a directory" "directory" dir.svg plot base.db curves -o dir.svg

# ------------------------------------------------------------ 15. gnuplot without a shell

# a quote in gnuplot's path must not run anything: a directory named
# x';touch PWNED;' holding gnuplot, given by $LRSWEEP_GNUPLOT and by PATH
GP=$(command -v gnuplot)
evil="$T/x';touch PWNED;'"
mkdir "$evil" && ln -s "$GP" "$evil/gnuplot"
rm -f PWNED
LRSWEEP_GNUPLOT="$evil/gnuplot" run plot base.db curves -o q1.svg
if [ "$RC" -eq 0 ] && grep -q '<svg' q1.svg && [ ! -e PWNED ]; then ok "\$LRSWEEP_GNUPLOT with a quote: runs gnuplot, no shell"
else nok "quote in LRSWEEP_GNUPLOT" "rc=$RC PWNED=$([ -e PWNED ] && echo made) $(cat "$ERR")"; fi
rm -f PWNED
PATH="$evil:$PATH" run plot base.db curves -o q2.svg
if [ "$RC" -eq 0 ] && grep -q '<svg' q2.svg && [ ! -e PWNED ]; then ok "PATH with a quote: runs gnuplot, no shell"
else nok "quote in PATH" "rc=$RC PWNED=$([ -e PWNED ] && echo made) $(cat "$ERR")"; fi
# a gnuplot that stops reading: an error, not a death by SIGPIPE
LRSWEEP_GNUPLOT=/bin/true run schedule cyclic --steps 200000 --min-lr 0.1 --max-lr 1 --terminal
if [ "$RC" -eq 1 ] && [ "$(wc -l <"$ERR")" -eq 1 ] && grep -q gnuplot "$ERR"; then ok "gnuplot exiting early: exit 1, one line"
else nok "gnuplot exits early" "rc=$RC $(cat "$ERR")"; fi
# the plot module alone runs gnuplot, and not through popen or a shell
if ! grep -rln 'gnuplot' "$REPO"/src --include=*.c | grep -v '^'"$REPO"'/src/plot/' | xargs -r grep -l 'popen\|posix_spawn\|exec[lv]' | grep -q . &&
   ! grep -q 'popen\|system *(' "$REPO/src/plot/plot.c"
then ok "only src/plot starts gnuplot, without popen"; else nok "gnuplot users" "$(grep -rln 'popen' "$REPO"/src)"; fi

# ------------------------------------------------------------ 14. control characters

ESC=$(printf '\033')
cp base.db esc.db
sqlite3 esc.db "update experiments set name = 'x' || char(27) || ']0;PWNED' || char(7) || char(27) || '[2J' || char(155) || 'y' || char(10) || 'z';
	update trials set params = '{\"lr\": \"' || char(27) || '[2J\"}', error = 'bad' || char(27) || 'c' || char(13) where id = 1"
run query esc.db experiments
if [ "$RC" -eq 0 ] && ! grep -q "$ESC" "$OUT" && ! LC_ALL=C grep -q "$(printf '\302\233')" "$OUT" &&
   grep -qF 'x\x1b]0;PWNED\x07\x1b[2J\u009by\nz' "$OUT" && [ "$(wc -l <"$OUT")" -eq 2 ]
then ok "table: control characters of a name escaped, one line per row"
else nok "escaped table" "rc=$RC $(od -c "$OUT" | head -5)"; fi
run query esc.db trials --status completed
if [ "$RC" -eq 0 ] && ! grep -q "$ESC" "$OUT" && grep -qF 'lr=\x1b[2J' "$OUT"; then ok "table: control characters in parameters escaped"
else nok "escaped params" "rc=$RC $(od -c "$OUT" | grep 033 | head -3)"; fi
run query esc.db sql "select error from trials where id = 1"
if [ "$RC" -eq 0 ] && ! grep -q "$ESC" "$OUT" && grep -qF 'bad\x1bc\r' "$OUT"; then ok "table: the last column escaped too"
else nok "escaped last column" "rc=$RC $(od -c "$OUT" | head -3)"; fi
for what in experiments trials; do
	run query esc.db $what --format json
	if [ "$RC" -eq 0 ] && ! grep -q "$ESC" "$OUT" && $PY -c 'import json, sys; json.load(open(sys.argv[1]))' "$OUT" 2>/dev/null
	then ok "json ($what): valid, control characters escaped"; else nok "json $what" "rc=$RC $(head -c 300 "$OUT")"; fi
done
run query esc.db experiments --format json
if $PY -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(d[0]["name"] != "x\x1b]0;PWNED\x07\x1b[2J\x9by\nz")' "$OUT"
then ok "json: the name round-trips exactly"; else nok "json name" "$(head -c 300 "$OUT")"; fi
run query esc.db trials --format csv
if [ "$RC" -eq 0 ] && $PY -c 'import csv, sys; rows = list(csv.reader(open(sys.argv[1], newline=""))); sys.exit(not any("\x1b[2J" in c for r in rows for c in r))' "$OUT"
then ok "csv: valid, the stored text kept as data"; else nok "csv" "rc=$RC"; fi
run plot esc.db curves --terminal
if [ "$RC" -eq 0 ] && ! grep -q "$ESC" "$OUT"; then ok "plot --terminal: the title's control characters escaped"
else nok "terminal plot" "rc=$RC $(od -c "$OUT" | grep 033 | head -3)"; fi
run plot esc.db curves -o esc.svg
if [ "$RC" -eq 0 ] && $PY -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' esc.svg 2>/dev/null
then ok "plot SVG: well-formed XML despite the name"; else nok "svg xml" "rc=$RC $(cat "$ERR")"; fi
run query esc.db trials --experiment "$(printf 'a\033[2Jb')"
if [ "$RC" -eq 2 ] && ! grep -q "$ESC" "$ERR" && grep -qF 'a\x1b[2Jb' "$ERR"; then ok "error messages: control characters escaped"
else nok "escaped message" "rc=$RC $(od -c "$ERR" | head -3)"; fi

# ------------------------------------------------------------ 16. long --experiment names

L=$(printf 'a%.0s' $(seq 296))
cp base.db long.db
"$LRSWEEP" run exp.yaml --db long.db -q >/dev/null 2>&1
sqlite3 long.db "update experiments set name = '$L' where id = 1; update experiments set name = '${L}b' where id = 2"
run query long.db trials --experiment "${L}c"
if [ "$RC" -eq 2 ] && grep -q "no experiment" "$ERR" && grep -q "(297 characters)" "$ERR"
then ok "a long name of no experiment: not found (not cut to another's)"; else nok "long name, none" "rc=$RC $(head -c 200 "$OUT") $(head -c 200 "$ERR")"; fi
run query long.db trials --experiment "${L}b" --format csv
if [ "$RC" -eq 0 ] && [ "$(cut -d, -f1 "$OUT" | tail -n +2 | sort -n | head -1)" -ge 5 ]
then ok "a long name: its own experiment's trials"; else nok "long name, trials" "rc=$RC $(head -3 "$OUT")"; fi
run query long.db experiments --experiment "${L}b" --format csv
if [ "$RC" -eq 0 ] && [ "$(tail -n +2 "$OUT" | cut -d, -f1)" = 2 ]; then ok "query experiments --experiment: a long name whole"
else nok "long name, experiments" "rc=$RC $(cat "$ERR")"; fi
LL=$(printf 'b%.0s' $(seq 5000))
sqlite3 long.db "update experiments set name = '$LL' where id = 2"
run plot long.db schedules --experiment "$LL" -o long.svg
if [ "$RC" -eq 0 ] && grep -q '<svg' long.svg; then ok "plot --experiment: a 5000-character name"; else nok "plot long name" "rc=$RC $(head -c 200 "$ERR")"; fi
run plot long.db schedules --experiment "${LL}x" -o long.svg
if [ "$RC" -eq 2 ] && grep -q "no experiment" "$ERR"; then ok "plot --experiment: one more character, no experiment"; else nok "plot long name x" "rc=$RC"; fi

# ------------------------------------------------------------ 13. absurd stored step counts

# a doctored trials.iterations: the schedules figure (plot, report) must
# stay within bounded memory and time. An AddressSanitizer build cannot
# run under an address-space limit at all (faults.sh): skipped there.
cp base.db big.db
sqlite3 big.db "update trials set iterations = 500000000; update trials set iterations = 9000000000000000000 where id = 2"
LIMIT_KB=1048576
if ( ulimit -v $LIMIT_KB; "$LRSWEEP" --version >/dev/null 2>&1 ); then
	t0=$(date +%s)
	( ulimit -v $LIMIT_KB; "$LRSWEEP" plot big.db schedules -o big.png >"$OUT" 2>"$ERR" )
	RC=$?
	if [ "$RC" -eq 0 ] && head -c 4 big.png | grep -q PNG && [ $(($(date +%s) - t0)) -lt 30 ]
	then ok "plot schedules, 5e8 and 9e18 steps stored: drawn under ulimit -v 1 GiB"
	else nok "huge step count: plot" "rc=$RC $(cat "$ERR")"; fi
	( ulimit -v $LIMIT_KB; "$LRSWEEP" report big.db -o big.html >"$OUT" 2>"$ERR" )
	RC=$?
	if [ "$RC" -eq 0 ] && grep -q 'id="schedules"' big.html; then ok "report, 5e8 steps stored: written under ulimit -v 1 GiB"
	else nok "huge step count: report" "rc=$RC $(cat "$ERR")"; fi
else
	ok "huge step counts: skipped (this build cannot start under ulimit -v: a sanitizer build)"
fi
# the same in any build: the rates drawn are at most a few thousand points
run plot big.db schedules -o big.svg
if [ "$RC" -eq 0 ] && [ "$(grep -c '' big.svg)" -lt 20000 ]; then ok "plot schedules: a bounded number of points"
else nok "huge step count: points" "rc=$RC $(wc -l <big.svg) lines"; fi
# a doctored range_points.iteration below 0 is not an index
cp base.db neg.db
sqlite3 neg.db "update range_points set iteration = -100000000 where iteration = 3"
run plot neg.db range-test -o neg.svg
if [ "$RC" -eq 0 ] || [ "$RC" -eq 2 ]; then ok "a negative stored iteration: no crash (exit $RC)"; else nok "negative iteration" "rc=$RC"; fi

# ------------------------------------------------------------ 17. another user's read-only database

# A database of root's in a directory of mode 755 (file 644), read by
# another user (nobody): SQLite cannot create its -shm file there. With no
# -wal (or an empty one) the file is opened immutable; with a -wal holding
# commits the one line says what to do. As root, permissions do not apply,
# so the reader is nobody (runuser or setpriv); a non-root run makes the
# directory read-only instead.
if [ "$(id -u)" = 0 ] && command -v runuser >/dev/null; then
	as_other() { runuser -u nobody -- "$@"; }
elif [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	as_other() { setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; }
elif [ "$(id -u)" != 0 ]; then
	as_other() { "$@"; }
else
	as_other=""
fi
if type as_other >/dev/null 2>&1; then
	RO=$(mktemp -d "${TMPDIR:-/tmp}/lrsweep-ro.XXXXXX")
	trap 'chmod -R u+w "$RO" 2>/dev/null; rm -rf "$T" "$RO"' EXIT
	mkdir "$RO/bin" "$RO/db" "$RO/wal" "$RO/walc"
	cp "$LRSWEEP" "$RO/bin/lrsweep"
	cp base.db "$RO/db/r.db"
	cp base.db "$RO/wal/r.db" && : >"$RO/wal/r.db-wal"
	# a -wal with a commit not yet in the file: copied while the writer has it open
	cp base.db walc.db
	$PY - walc.db "$RO/walc/r.db" <<'PYEOF'
import shutil, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute('pragma wal_autocheckpoint = 0')
c.execute("update experiments set host = 'later'")
c.commit()
shutil.copy(sys.argv[1], sys.argv[2])
shutil.copy(sys.argv[1] + '-wal', sys.argv[2] + '-wal')
PYEOF
	chmod 755 "$RO" "$RO"/*
	chmod 644 "$RO"/*/r.db*
	[ "$(id -u)" = 0 ] || chmod 555 "$RO"/db "$RO"/wal "$RO"/walc
	as_other "$RO/bin/lrsweep" query "$RO/db/r.db" experiments --format csv >"$OUT" 2>"$ERR"
	RC=$?
	if [ "$RC" -eq 0 ] && grep -q '^1,blobs-sweep,' "$OUT" && [ ! -e "$RO/db/r.db-shm" ]
	then ok "query of another user's read-only database (no -wal): read"; else nok "read-only db" "rc=$RC $(cat "$ERR")"; fi
	as_other "$RO/bin/lrsweep" query "$RO/wal/r.db" trials --format csv >"$OUT" 2>"$ERR"
	RC=$?
	if [ "$RC" -eq 0 ] && [ "$(grep -c completed "$OUT")" -eq 4 ]
	then ok "query of another user's read-only database (an empty -wal): read"; else nok "read-only db, empty wal" "rc=$RC $(cat "$ERR")"; fi
	as_other "$RO/bin/lrsweep" plot "$RO/db/r.db" curves --terminal >"$OUT" 2>"$ERR"
	RC=$?
	if [ "$RC" -eq 0 ] && [ "$(wc -l <"$OUT")" -gt 10 ]; then ok "plot of another user's read-only database"
	else nok "read-only db plot" "rc=$RC $(cat "$ERR")"; fi
	as_other "$RO/bin/lrsweep" query "$RO/walc/r.db" experiments >"$OUT" 2>"$ERR"
	RC=$?
	if [ "$RC" -eq 1 ] && [ "$(wc -l <"$ERR")" -eq 1 ] && grep -q "r.db: cannot be read in place.*query a copy" "$ERR"
	then ok "a -wal with commits, unreadable in place: one line saying what to do"
	else nok "read-only db with wal" "rc=$RC $(cat "$ERR")"; fi
	if [ "$(sqlite3 "$RO/db/r.db" 'pragma integrity_check')" = ok ] && cmp -s base.db "$RO/db/r.db"
	then ok "the read-only database is unchanged"; else nok "read-only db changed" ""; fi
else
	ok "another user's database: skipped (root without runuser or setpriv)"
fi

# ------------------------------------------------------------ 19. an output's directory
# A file the user names (-o, --plot, --db) in a directory that does not
# exist, under a path part that is a file, or (as another user, or
# chmod 555 when not root) in a directory not writable: the user's input,
# so every command exits 2 with one line naming the path, before any work
# (no database made by range-test, nothing trained).
: >afile
mkdir -p rodir
[ "$(id -u)" = 0 ] || chmod 555 rodir
# dir_refused LABEL DIR [PREFIX...]: each command writing into DIR refused
dir_refused() {
	local label=$1 d=$2 c n
	shift 2
	for c in "report base.db -o $d/x.html" "plot base.db range-test -o $d/x.svg" \
		"plot base.db curves -o $d/x.png" "plot base.db schedules -o $d/x.svg" \
		"plot base.db compare -o $d/x.svg" "plot base.db search -o $d/x.svg" \
		"schedule one_cycle --steps 10 --max-lr 0.1 --plot $d/x.svg" \
		"range-test exp.yaml --db rt.db --plot $d/x.svg" "run exp.yaml --db $d/x.db" \
		"train exp.yaml --db $d/x.db --lr 0.1"; do
		# shellcheck disable=SC2086
		"$@" $c >"$OUT" 2>"$ERR"
		RC=$?
		n=$(set -- $c; echo "$1${2:+ $2}" | sed 's/ base.db//; s/ exp.yaml//; s/ one_cycle//')
		if [ "$RC" -eq 2 ] && [ "$(wc -l <"$ERR")" -eq 1 ] && grep -qF "$d/x." "$ERR" && [ ! -e rt.db ] &&
		   [ ! -s "$OUT" ]
		then ok "$label: $n exits 2, one line naming the path"
		else nok "$label: $n" "rc=$RC $(head -c 300 "$ERR") $(ls rt.db 2>/dev/null)"; fi
	done
}
dir_refused "a missing directory" "$T/no/such" "$LRSWEEP"
dir_refused "a file as a directory" afile "$LRSWEEP"
if type as_other >/dev/null 2>&1; then
	chmod 755 "$T"
	chmod 644 base.db exp.yaml
	dir_refused "a read-only directory" rodir as_other "$RO/bin/lrsweep"
else
	ok "a read-only directory: skipped (root without runuser or setpriv)"
fi

# ------------------------------------------------------------ 18. readable figures

# svg_check MODE FILE [ARGS]: facts about a plot gnuplot drew (its SVG), for the
# cases below; exit 0 when it holds.
#   styles N     at least N lines; the first N lines each have their own colour, and all
#                their (colour, dash) styles differ
#   whole_x      every numeric x tic label is a whole number
#   marks F G    the bound marks sit at least F of the plot's width from
#                its left edge and at least G apart
svg_check() {
	$PY - "$@" <<'PYEOF'
import re, sys
mode, path, args = sys.argv[1], sys.argv[2], sys.argv[3:]
svg = open(path).read()
if mode == 'styles':
    n = int(args[0])
    styles = []
    for chunk in svg.split('<g id="gnuplot_plot_')[1:]:
        m = re.search(r"<path stroke='(rgb\([^)]*\))'( stroke-dasharray='([^']*)')?", chunk)
        if m:
            styles.append((m.group(1), m.group(3) or 'solid'))
    colours = {c for c, d in styles[:10]}
    print(len(styles), 'lines;', len(colours), 'colours in the first 10;', len(set(styles)), 'styles')
    sys.exit(not (len(styles) >= n and len(colours) == min(n, 10) and len(set(styles)) == len(styles)))
if mode == 'whole_x':
    labels = re.findall(r'text-anchor="middle">\s*<text>\s*([-0-9.e+]+)\s*</text>', svg)
    print('x tics:', labels)
    sys.exit(not labels or any(float(v) != int(float(v)) for v in labels))
if mode == 'marks':
    grid = [float(x) for x in re.search(r"class=\"gridline\"\s+d='M([0-9.]+),[0-9.]+ L([0-9.]+),", svg).groups()]
    left, right = min(grid), max(grid)
    m = re.search(r"<path stroke='rgb\( 68,  68,  68\)'[^>]*d='([^']*)'", svg)
    xs = sorted(float(x) for x in re.findall(r'M([0-9.]+),', m.group(1)))
    f = [(x - left) / (right - left) for x in xs]
    print('marks at', ['%.3f' % v for v in f], 'of the width')
    sys.exit(not (len(f) == 2 and f[0] >= float(args[0]) and f[1] - f[0] >= float(args[1])))
PYEOF
}

# twelve configurations whose names are long: compare draws them all
cat >twelve.yaml <<'YAML'
name: twelve
seed: 5
data:
  train: {format: synthetic, kind: blobs, samples: 300, classes: 3}
  validation: 0.2
model: {hidden: [8], activation: relu}
optimizer: {type: sgd, momentum: 0.9}
batch_size: 32
trials:
  epochs: 3
  seeds: [1]
  schedules:
    - type: constant
      lr: {grid: ["@max", "@max/2", "@max/4"]}
    - type: triangular
      step_size: {grid: ["1 epochs", "2 epochs"]}
    - type: one_cycle
  space:
    optimizer.weight_decay: {grid: [0.0001, 0.001]}
YAML
"$LRSWEEP" run twelve.yaml --db twelve.db --min-lr 0.01 --max-lr 0.1 -q >/dev/null 2>&1
for ext in png svg; do
	run plot twelve.db compare -o "cmp12.$ext"
	if [ "$RC" -eq 0 ] && [ -s "cmp12.$ext" ]; then ok "compare, 12 configurations with long names: $ext"
	else nok "compare 12 $ext" "rc=$RC $(cat "$ERR")"; fi
done
if grep -q '>constant lr=0.1; optimizer.weight_decay=0.0001<' cmp12.svg
then ok "compare: the names whole, without a stray dot"; else nok "compare names" "$(grep -o '<text>[a-z_]* [^<]*<' cmp12.svg | head -3)"; fi
# per trial: 12 lines, each its own style, no colour twice among the first 10
run plot twelve.db curves --per-trial -o pt12.svg
if [ "$RC" -eq 0 ] && svg_check styles pt12.svg 12 >"$T/why"; then ok "curves --per-trial: 12 lines, 12 styles ($(cat "$T/why"))"
else nok "line styles" "rc=$RC $(cat "$T/why")"; fi
# three epochs: tics at whole epochs only
run plot twelve.db curves -o c3.svg
if [ "$RC" -eq 0 ] && svg_check whole_x c3.svg >"$T/why"; then ok "curves: tics at whole epochs ($(cat "$T/why"))"
else nok "epoch tics" "rc=$RC $(cat "$T/why")"; fi
# a linear test from 1e-4 to 1 with bounds at 0.015 and 0.032 (made from a
# stored test): both bounds readable, not squeezed into the first 3 %
cp base.db lin.db
sqlite3 lin.db "update range_tests set mode = 'linear', start_lr = 1e-4, end_lr = 1;
	update range_points set lr = 1e-4 + iteration * (1 - 1e-4) / ((select max(iteration) from range_points) * 1.0);
	update bounds set min_lr = 0.0149, max_lr = 0.0324 where chosen = 1"
run plot lin.db range-test -o lin.svg
if [ "$RC" -eq 0 ] && svg_check marks lin.svg 0.1 0.04 >"$T/why"; then ok "linear range test: bounds readable ($(cat "$T/why"))"
else nok "linear range-test bounds" "rc=$RC $(cat "$T/why") $(cat "$ERR")"; fi

finish
