#!/usr/bin/env bash
# tests/e2e/resume_changes.sh - `run --resume` after the experiment or its
# data changed. A sweep is stopped by Ctrl-C; each edit of the file (other
# epochs, schedules, data path, seed) and a data file rewritten in place
# under an unchanged file must be refused with one line saying what
# changed, exit 2, the database untouched, and so must --min-lr/--max-lr
# other than those the stored trials were planned with (or none); the
# unchanged file then resumes to the end, keeping what was stored before.
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
command -v sqlite3 >/dev/null || { ok "skipped: no sqlite3"; finish; }

# 3000 points of two classes, the label a function of the features
csv() {
	/usr/bin/python3 -c "
import random, sys
random.seed(int(sys.argv[1]))
print('a,b,label')
for i in range(3000):
    x, y = random.random(), random.random()
    print(f'{x},{y},{int(x + y > 1) if sys.argv[1] == \"1\" else int(x > y)}')" "$1"
}
csv 1 >d.csv
cp d.csv same.csv
cat >exp.yaml <<EOF
name: res
seed: 7
data:
  train: {format: csv, path: d.csv, label: last}
  validation: 0.2
model: {hidden: [128, 128]}
optimizer: {type: sgd, momentum: 0.9}
batch_size: 32
range_test: {bounds: {min_lr: 0.01, max_lr: 0.1}}
trials:
  epochs: 40
  threads: 1
  seeds: [1, 2, 3, 4]
  schedules: [{type: constant}, {type: one_cycle}]
EOF
cp exp.yaml exp.orig

# interrupted ARGS...: `run exp.yaml --db r.db ARGS` stopped by Ctrl-C once
# its first trial is stored; its status in $RC
interrupted() {
	local pid
	"$LRSWEEP" run exp.yaml --db "$T/r.db" -q "$@" >"$OUT" 2>"$ERR" &
	pid=$!
	for _ in $(seq 600); do
		[ "$(sqlite3 r.db "select count(*) from trials where status = 'completed'" 2>/dev/null)" -ge 1 ] 2>/dev/null && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -INT "$pid" 2>/dev/null
	wait "$pid"
	RC=$?
}
interrupted
done_before=$(sqlite3 r.db "select count(*) from trials where status = 'completed'")
if [ "$RC" -eq 130 ] && [ "$done_before" -ge 1 ] && [ "$done_before" -lt 8 ]; then
	ok "the sweep stopped by Ctrl-C with $done_before of 8 trials completed"
else
	nok "interrupted sweep" "rc=$RC completed=$done_before $(head -c 300 "$ERR")"
fi
dump() { sqlite3 r.db .dump | grep -v '^INSERT INTO sqlite_sequence'; }
dump >before.sql

# refused NAME NEEDLE: `run --resume` exits 2 with one line matching NEEDLE
# and leaves the database as it was
refused() {
	local name=$1 needle=$2
	shift 2
	run run exp.yaml --db "$T/r.db" --resume -q "$@"
	if [ "$RC" -eq 2 ] && [ "$(wc -l <"$ERR")" -eq 1 ] && grep -q -- "$needle" "$ERR" && [ ! -s "$OUT" ] &&
	   dump | cmp -s - before.sql; then
		ok "$name"
	else
		nok "$name" "rc=$RC $(head -c 400 "$ERR") $(dump | cmp - before.sql 2>&1)"
	fi
	cp exp.orig exp.yaml
}
sed 's/  epochs: 40/  epochs: 20/' exp.orig >exp.yaml
refused "other epochs: refused, naming the line" "cannot resume.*line 11 was '  epochs: 40', is now '  epochs: 20'"
sed 's/{type: one_cycle}/{type: cosine_annealing}/' exp.orig >exp.yaml
refused "other schedules: refused, naming the line" "cannot resume.*line 14 was '.*one_cycle}\]', is now '.*cosine_annealing}\]'"
sed 's/path: d.csv/path: same.csv/' exp.orig >exp.yaml
refused "another data path (the same bytes): refused, naming the line" "cannot resume.*line 4 was"
sed 's/^seed: 7/seed: 8/' exp.orig >exp.yaml
refused "another seed: refused, naming the line" "cannot resume.*line 2 was 'seed: 7', is now 'seed: 8'"

# the file unchanged, the data file rewritten with other labels
cp d.csv d.keep
csv 2 >d.csv
refused "the data file rewritten under an unchanged experiment: refused" "cannot resume.*its data changed since"
cp d.keep d.csv

# bounds from the command line are not in the file: others, or none,
# would plan other trials beside the stored ones
refused "--min-lr/--max-lr other than the bounds the trials were planned with: refused" \
	"cannot resume.*8 of its 8 stored trials .* are not in the plan the bounds 0.001 .. 0.5 make" --min-lr 0.001 --max-lr 0.5

# the file and data as they were: the sweep goes on to the end, the
# trials completed before kept as they were
sqlite3 r.db "select id, trial_key, best_val_accuracy, finished_at from trials where status = 'completed'" >kept.txt
run run exp.yaml --db "$T/r.db" --resume -q
if [ "$RC" -eq 0 ] && [ "$(sqlite3 r.db "select count(*) from trials where status = 'completed'")" = 8 ] &&
   [ "$(sqlite3 r.db "select count(*) from experiments")" = 1 ] &&
   [ "$(sqlite3 r.db "select id, trial_key, best_val_accuracy, finished_at from trials where id in
	(select id from trials order by id limit $(wc -l <kept.txt)) and status = 'completed'")" = "$(cat kept.txt)" ]; then
	ok "the unchanged file resumes: 8 trials completed in one experiment, the $done_before stored before untouched"
else
	nok "resume" "rc=$RC $(head -c 300 "$ERR") $(sqlite3 r.db 'select status, count(*) from trials group by 1' | tr '\n' ' ')"
fi

# a sweep whose bounds came from --min-lr/--max-lr alone, stopped, then
# resumed without them: refused (it would run a range test and plan other
# trials); with them: it goes on
sed '/^range_test:/d' exp.orig >exp.yaml
cp exp.yaml exp.orig
mv r.db r1.db
rm -f r.db-wal r.db-shm r.db-lock
interrupted --min-lr 0.01 --max-lr 0.1
dump >before.sql
refused "bounds given by flags, resumed without them: refused" "its trials were planned with bounds given by --min-lr and --max-lr"
run run exp.yaml --db "$T/r.db" --resume -q --min-lr 0.01 --max-lr 0.1
if [ "$RC" -eq 0 ] && [ "$(sqlite3 r.db "select count(*), sum(status = 'completed') from trials")" = "8|8" ]; then
	ok "the same flags again: the sweep goes on to its 8 trials"
else
	nok "resume with the same flags" "rc=$RC $(head -c 300 "$ERR") $(sqlite3 r.db 'select status, count(*) from trials group by 1' | tr '\n' ' ')"
fi
finish
