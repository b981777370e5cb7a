#!/usr/bin/env bash
# tests/e2e/careless_user.sh - files and flags that are not what the
# commands expect, as a careless user gives them:
#   - a data file that is a FIFO (csv, npy, idx labels): refused as not a
#     regular file, at once, not a hang waiting for a writer;
#   - a database (--db, or the file query/report/plot read) that is a FIFO
#     or a device: refused as not a regular file, exit 2, left as it is;
#   - an experiment file that is a directory: the reason said;
#   - --seed beyond the range the experiment file's seed: takes: the range
#     said, as for seed:;
#   - a database that a file-size limit stops at its creation: the error
#     names the database, not the temporary file made beside it;
#   - SIGINT, SIGTERM, SIGHUP while report, plot, schedule --plot or
#     range-test --plot write their file: exit 130, one line, the output
#     as it was, no temporary file left; range-test stopped before it
#     stores: exit 130 (not 143), said.
# Every case runs under `timeout`: status 124 means it hung.
#   LRSWEEP=bin/lrsweep tests/e2e/careless_user.sh        (what `make e2e` runs)
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1

# trun ARGS...: lrsweep ARGS under a 20 s limit; as `run` (lib.sh) does
trun() {
	timeout 20 "$LRSWEEP" "$@" >"$OUT" 2>"$ERR"
	RC=$?
}

# refused NAME RC NEEDLE ARGS...: lrsweep ARGS exits RC (not 124: no
# hang), nothing on stdout, one line on stderr containing NEEDLE.
refused() {
	local name=$1 rc=$2 needle=$3
	shift 3
	trun "$@"
	if [ "$RC" -eq "$rc" ] && [ ! -s "$OUT" ] && [ "$(wc -l <"$ERR")" -eq 1 ] && grep -qF -- "$needle" "$ERR"; then
		ok "$name"
	else
		nok "$name" "rc=$RC stdout=$(wc -c <"$OUT")B stderr=$(head -c 300 "$ERR")"
	fi
}

# exp FILE TRAIN-SOURCE: an experiment whose training data is that source
exp() {
	printf 'name: careless\nseed: 1\ndata:\n  train: %s\n  validation: 0\nmodel: {hidden: []}\n' "$2" >"$1"
}

# ------------------------------------------------------------ data files
printf '1,2,0\n3,4,1\n5,6,0\n7,8,1\n' >ok.csv
$PY - <<'EOF' || nok "numpy" "cannot write the .npy files"
import numpy as np
np.save('x.npy', np.arange(8, dtype='<f4').reshape(4, 2))
np.save('y.npy', np.array([0, 1, 0, 1], dtype='<i8'))
with open('images.idx3', 'wb') as f:
    f.write(bytes([0, 0, 8, 3, 0, 0, 0, 4, 0, 0, 0, 2, 0, 0, 0, 2]) + bytes(range(16)))
EOF
mkfifo fifo
exp csv.yaml "{format: csv, path: $T/fifo}"
refused "a csv file that is a FIFO" 2 "csv.yaml:4:30: $T/fifo: not a regular file" data csv.yaml
exp npyx.yaml "{format: npy, features: $T/fifo, labels: $T/y.npy}"
refused "npy features that are a FIFO" 2 "$T/fifo: not a regular file" data npyx.yaml
exp npyy.yaml "{format: npy, features: $T/x.npy, labels: $T/fifo}"
refused "npy labels that are a FIFO" 2 "$T/fifo: not a regular file" data npyy.yaml
exp idxy.yaml "{format: idx, images: $T/images.idx3, labels: $T/fifo}"
refused "idx labels that are a FIFO" 2 "$T/fifo: not a regular file" data idxy.yaml
# a single class is named by the labels' file, not the features' or images'
"$PY" -c "import numpy as np; np.save('y0.npy', np.array([0, 0, 0, 0], dtype='<i8'))"
exp one.yaml "{format: npy, features: $T/x.npy, labels: $T/y0.npy}"
refused "npy labels of one class: the labels file named" 2 "$T/y0.npy: every label is 0" data one.yaml
# the images too: the memory check reads their header before the loader
exp idxx.yaml "{format: idx, images: $T/fifo, labels: $REPO/tests/data/bad/ok.idx1}"
refused "idx images that are a FIFO" 2 "$T/fifo: not a regular file" data idxx.yaml
refused "run on a csv FIFO" 2 "$T/fifo: not a regular file" run csv.yaml --db fifo-run.db --min-lr 0.01 --max-lr 0.1
[ ! -e fifo-run.db ] && ok "run on a csv FIFO: no database made" || nok "run on a csv FIFO: no database made" "fifo-run.db exists"
# the same files as regular files load (the cases above fail for the FIFO)
exp good.yaml "{format: npy, features: $T/x.npy, labels: $T/y.npy}"
trun data good.yaml
[ "$RC" -eq 0 ] && ok "the npy files load" || nok "the npy files load" "rc=$RC $(head -c 300 "$ERR")"
gzip -c ok.csv >ok.csv.gz
exp gz.yaml "{format: csv, path: $T/ok.csv.gz}"
trun data gz.yaml
[ "$RC" -eq 0 ] && grep -q "^train  *4 " "$OUT" && ok "a gzip csv still loads" || nok "a gzip csv still loads" "rc=$RC $(head -c 300 "$ERR")"

# ------------------------------------------------------------ databases
# a FIFO given as the database: SQLite waited forever to open it (query,
# report, plot) or failed with "disk I/O error" (run, exit 1)
exp syn.yaml "{format: synthetic, kind: blobs, samples: 60}"
sed -i 's/validation: 0$/validation: 0.2/' syn.yaml
mkfifo fifo.db
for args in "run syn.yaml -q --db fifo.db --min-lr 0.01 --max-lr 0.1" "train syn.yaml -q --db fifo.db --lr 0.1 --epochs 1" \
	    "query fifo.db trials" "report fifo.db -o r.html" "plot fifo.db curves -o p.svg"; do
	# shellcheck disable=SC2086 # the words of a command
	refused "${args%% *} onto a FIFO database" 2 "fifo.db: not a regular file, so not a database" $args
done
# a path through a file (exp.yaml/x.db): bad input as a missing directory
# is, not a runtime failure (exit 1, "Not a directory")
refused "run --db through a file" 2 "syn.yaml/x.db: not a database path (Not a directory)" \
	run syn.yaml -q --db syn.yaml/x.db --min-lr 0.01 --max-lr 0.1
refused "query through a file" 2 "syn.yaml/x.db: not a database path (Not a directory)" query syn.yaml/x.db trials
[ -p fifo.db ] && ok "the FIFO is left as it was" || nok "the FIFO is left as it was" "$(ls -l fifo.db)"
refused "run onto a device as the database" 2 "/dev/null: not a regular file" run syn.yaml -q --db /dev/null --min-lr 0.01 --max-lr 0.1
[ -c /dev/null ] && ok "/dev/null is left a device" || nok "/dev/null is left a device" "$(ls -l /dev/null)"
# a regular database still works
trun run syn.yaml --db ok.db --min-lr 0.01 --max-lr 0.1 -q
[ "$RC" -eq 0 ] && ok "a regular database is written" || nok "a regular database is written" "rc=$RC $(head -c 300 "$ERR")"

# ------------------------------------------------------------ seeds
# --seed said "must be an integer >= 0" of 18446744073709551615, and took
# seeds seed: refuses; trials.seeds read 2^53 + 1 as 2^53, another seed
for s in 18446744073709551615 9007199254740992 -1; do
	refused "--seed $s: the range said" 2 "--seed must be an integer in [0, 9007199254740991], got '$s'" \
		train syn.yaml --db seeds.db --lr 0.1 --epochs 1 --seed "$s"
done
sed 's/^seed: 1$/seed: 9007199254740992/' syn.yaml >seed.yaml
refused "seed: 2^53 is refused as --seed is" 2 "seed.yaml:2:7: 'seed' must be a whole number in [0, 9007199254740991]" \
	data seed.yaml
printf 'trials:\n  seeds: [1, 9007199254740993]\n' | cat syn.yaml - >seeds.yaml
refused "trials.seeds 2^53 + 1 is refused, not read as 2^53" 2 \
	"seeds.yaml:8:14: seeds must be whole numbers in [0, 9007199254740991], got 9007199254740993" \
	run seeds.yaml --dry-run --min-lr 0.01 --max-lr 0.1
trun train syn.yaml -q --db seeds-ok.db --lr 0.1 --epochs 1 --seed 9007199254740991
[ "$RC" -eq 0 ] && [ "$(sqlite3 seeds-ok.db "SELECT seed FROM trials")" = 9007199254740991 ] &&
	ok "--seed 2^53 - 1 runs and is stored as given" || nok "--seed 2^53 - 1 runs" "rc=$RC $(head -c 300 "$ERR")"

# ------------------------------------------------------------ the experiment file
mkdir exp.d
refused "an experiment file that is a directory: the reason said" 2 \
	"exp.d: cannot read the experiment file (Is a directory)" data exp.d

# ------------------------------------------------------------ a file-size limit
# too small for the new database's schema: the error names the database,
# not the file made beside it (DB.new-XXXXXXXXXXXX), and leaves nothing
(ulimit -f 40 && exec "$LRSWEEP" run syn.yaml -q --db small.db --min-lr 0.01 --max-lr 0.1) >"$OUT" 2>"$ERR"
RC=$?
if [ "$RC" -eq 1 ] && [ "$(wc -l <"$ERR")" -eq 1 ] && grep -q "^lrsweep run: small.db: .*disk full" "$ERR" &&
   ! grep -q "small.db.new-" "$ERR" && [ -z "$(ls small.db* 2>/dev/null)" ]; then
	ok "ulimit -f at the database's creation: named as given, nothing left"
else
	nok "ulimit -f at the database's creation" "rc=$RC $(head -c 300 "$ERR") $(ls small.db* 2>/dev/null)"
fi

# ------------------------------------------------------------ Ctrl-C while writing a file
# report and plot died by the signal, leaving the output's temporary file
# (.NAME.tmp-XXXXXX.EXT) beside it and the report's /tmp/lrsweep-report-*
# directory. Now: exit 130, one line, the output as it was, nothing left.
# A gnuplot that takes its time gives the signal a moment to land in.
if command -v gnuplot >/dev/null 2>&1; then
	printf '#!/bin/sh\nsleep 3\nexec %s "$@"\n' "$(command -v gnuplot)" >slow-gnuplot
	chmod +x slow-gnuplot
	# the report's private directories of plots (always under /tmp)
	report_dirs() { find /tmp -maxdepth 1 -name 'lrsweep-report-*' 2>/dev/null | sort; }
	# left_dirs BEFORE: a directory not in BEFORE that stays for 2 s (one
	# of another lrsweep running meanwhile goes with its report)
	left_dirs() {
		local new
		new=$(report_dirs | comm -13 <(echo "$1") -)
		[ -n "$new" ] || return 1
		sleep 2
		[ -n "$(report_dirs | comm -12 <(echo "$new") -)" ]
	}
	# stop SIG OUTPUT ARGS...: lrsweep ARGS, sent SIG after 1 s (with
	# SIGINT and SIGHUP not ignored, as a shell's background job and
	# nohup have them)
	stop() {
		local sig=$1 out=$2 before dirs
		shift 2
		echo "old $out" >"$out"
		before=$(ls -a)
		dirs=$(report_dirs)
		LRSWEEP_GNUPLOT=$T/slow-gnuplot env --default-signal=INT,HUP "$LRSWEEP" "$@" >"$OUT" 2>"$ERR" &
		local pid=$!
		sleep 1
		kill -"$sig" "$pid"
		wait "$pid"
		RC=$?
		sleep 3   # gnuplot, orphaned, ends
		if [ "$RC" -eq 130 ] && [ "$(wc -l <"$ERR")" -eq 1 ] && grep -q "interrupted; ${SAID:-nothing written}" "$ERR" &&
		   [ "$(cat "$out")" = "old $out" ] && [ "$(ls -a)" = "$before" ] && ! left_dirs "$dirs"; then
			ok "SIG$sig during ${1}: exit 130, $out as it was, no temporary file left"
		else
			nok "SIG$sig during $1" "rc=$RC $(head -c 200 "$ERR") files: $(ls -a | tr '\n' ' ')"
		fi
	}
	stop INT sig.svg plot ok.db curves -o sig.svg
	stop TERM sig.svg plot ok.db curves -o sig.svg
	stop INT sig.html report ok.db -o sig.html
	stop HUP sig.html report ok.db -o sig.html
	stop TERM sched.svg schedule one_cycle --steps 100 --max-lr 1 --plot sched.svg
	# range-test stores the test, then draws: a signal while it draws
	# keeps what is stored and leaves no plot file
	"$LRSWEEP" range-test syn.yaml -q --db rt.db --iterations 20 >/dev/null 2>&1   # the database's files
	SAID="the range test is stored, the plot is not drawn" \
		stop INT rt.svg range-test syn.yaml -q --db rt.db --plot rt.svg --iterations 20
	n=$(sqlite3 rt.db "SELECT count(*) FROM range_tests")
	[ "$n" = 2 ] && ok "range-test stopped while drawing: the test is stored" || nok "range-test stored" "$n range tests"
else
	ok "SIGINT while writing a file: skipped (no gnuplot)"
fi

# range-test died silently by SIGTERM (exit 143); it stores the test at its
# end, so a signal before it stores nothing, says so and exits 130
env --default-signal=INT "$LRSWEEP" range-test syn.yaml --db long.db --iterations 100000000 >"$OUT" 2>"$ERR" &
pid=$!
for _ in $(seq 100); do grep -q "range test:" "$ERR" && break; sleep 0.1; done
kill -TERM "$pid"
wait "$pid"
RC=$?
if [ "$RC" -eq 130 ] && grep -q "^lrsweep range-test: interrupted before anything was stored$" "$ERR" &&
   [ "$(sqlite3 long.db "SELECT count(*) FROM experiments" 2>&1)" = 0 ]; then
	ok "SIGTERM during range-test: exit 130, said, nothing stored"
else
	nok "SIGTERM during range-test" "rc=$RC $(tail -c 300 "$ERR")"
fi

# ------------------------------------------------------------ query sql
# a statement that fails as it runs is the user's, as a syntax error is:
# exit 2, not 1 (a runtime failure of the file or the machine)
for q in "SELECT json('x')" "SELECT abs(-9223372036854775807 - 1)" "SELECT load_extension('/x')" \
	 "SELECT randomblob(2000000000)" "SELEC 1"; do
	refused "query sql: $q: exit 2" 2 "ok.db: query: " query ok.db sql "$q"
done

# ------------------------------------------------------------ too few samples to validate
# the default validation fraction (0.1) of 3 samples rounds to none: the
# range test said "(data.validation > 0)" of a file that never set it
printf 'name: few\ndata:\n  train: {format: synthetic, kind: blobs, samples: 3}\n' >few.yaml
refused "3 samples: the validation split holds none, said with the count" 2 \
	"it holds none of the 3 samples (validation x samples rounds to 0)" run few.yaml -q --db few.db

# ------------------------------------------------------------ stdout full
# run writes its tables as it goes: the failed write's errno was gone by
# the end, and the error read "writing output: Success"
if [ -w /dev/full ]; then
	"$LRSWEEP" run syn.yaml -q --db full.db --min-lr 0.01 --max-lr 0.1 >/dev/full 2>"$ERR"
	RC=$?
	if [ "$RC" -eq 1 ] && [ "$(wc -l <"$ERR")" -eq 1 ] && grep -q "^lrsweep: writing output" "$ERR" &&
	   ! grep -q "Success" "$ERR" && [ "$(sqlite3 full.db "SELECT status FROM experiments")" = completed ]; then
		ok "run into a full stdout: exit 1, one line that says why, the run stored"
	else
		nok "run into a full stdout" "rc=$RC $(head -c 300 "$ERR")"
	fi
else
	ok "run into a full stdout: skipped (no /dev/full)"
fi

# ------------------------------------------------------------ hexadecimal in a csv
# strtod read 0x10 as 16 and a label 0x1 as 1; NumPy and pandas read such
# a field as text (an id, most often)
printf 'a,b,label\n0x10,2,0\n3,4,1\n5,6,0\n' >hex.csv
exp hex.yaml "{format: csv, path: $T/hex.csv}"
refused "a hexadecimal feature is not a number" 2 "hex.csv: row 2, column 1 ('a'): '0x10' is not a number" data hex.yaml
printf 'a,b,label\n1,2,0x1\n3,4,0x2\n5,6,0x1\n' >hexl.csv
exp hexl.yaml "{format: csv, path: $T/hexl.csv}"
trun data hexl.yaml
[ "$RC" -eq 0 ] && grep -q "^labels: 2 names" "$OUT" && ok "hexadecimal labels are names" || nok "hexadecimal labels are names" "rc=$RC $(head -c 300 "$ERR") $(grep labels: "$OUT")"

finish
