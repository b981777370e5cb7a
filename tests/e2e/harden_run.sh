#!/usr/bin/env bash
# tests/e2e/harden_run.sh - `lrsweep run` (and train) against what an
# adversarial user does to it:
#   4. two processes on one experiment: `run --resume` while the first run
#      is live is refused (exit 1, naming the holder's pid), and the first
#      run completes untouched;
#   5. a file whose index no longer matches its table (quick_check passes,
#      integrity_check does not) is refused and never written to;
#   6. links planted at the names a run creates (the database, the file
#      made beside it, the lock file) are never written through;
#  11. SIGINT/SIGTERM/SIGHUP at every phase (data load, range test, storing
#      the bounds, trials; train mid-run) end with the experiment stored as
#      interrupted and exit 130, and --resume completes it; SIGPIPE (output
#      into `| head`) does not kill a run: it finishes quietly, everything
#      stored, exit 0; `ulimit -f` is a full disk (exit 1), not SIGXFSZ;
#   7. lrsweep-mpi ranks given different experiment files refuse (exit 2)
#      before anything is stored (skipped without mpirun or lrsweep-mpi).
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1

if ! command -v sqlite3 >/dev/null; then
	ok "sqlite3 shell absent: checks skipped"
	finish
fi

q() { sqlite3 "$@" 2>/dev/null; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# wait_for DB SQL MIN [PID]: polls (up to 60 s) until SQL on DB gives a
# number >= MIN; gives up early when process PID has ended. 0 once it does.
wait_for() {
	local db=$1 sql=$2 min=$3 pid=${4:-} v
	for _ in $(seq 1 1200); do
		v=$(q "$db" "$sql")
		[ "${v:-0}" -ge "$min" ] 2>/dev/null && return 0
		[ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null && return 1
		sleep 0.05
	done
	return 1
}

# A run that takes some seconds: a 10000-step range test (2 repeats) on a
# 128x128 MLP, then 4 trials of 25 epochs.
cat >slow.yaml <<'EOF'
name: slow
seed: 3
data:
  train: {format: synthetic, kind: spirals, samples: 6000, classes: 3, noise: 0.2}
  validation: 0.2
model: {hidden: [128, 128], activation: relu}
optimizer: {type: sgd, momentum: 0.9}
batch_size: 32
range_test: {mode: exponential, start_lr: 1.0e-4, end_lr: 1.0, iterations: 10000, repeats: 2, eval_every: 20,
             stop_factor: 1000, pick: loss-steepest}
trials:
  epochs: 25
  seeds: [1, 2]
  schedules:
    - type: constant
    - type: one_cycle
EOF
# the same with a short range test (one repeat, about a second)
sed -e 's/iterations: 10000, repeats: 2/iterations: 3000, repeats: 1/' -e 's/^name: slow/name: quick/' \
	slow.yaml >quick.yaml
METRICS="select trial_key, schedule, params, hyper, seed, status, epochs_done, iterations, best_val_accuracy,
	best_epoch, final_val_accuracy, final_val_loss, final_train_loss from trials order by trial_key"
CURVES="select t.trial_key, e.epoch, e.iteration, e.lr, e.train_loss, e.train_accuracy, e.val_loss,
	e.val_accuracy from epochs e join trials t on t.id = e.trial_id order by 1, 2"
POINTS="select r.repeat, r.seed, p.iteration, p.lr, p.loss, p.smoothed_loss, p.accuracy
	from range_points p join range_tests r on r.id = p.range_test_id order by 1, 3"
BOUNDS="select rule, min_lr, max_lr, chosen from bounds order by rule"
# same DB REF: every stored number of DB equals REF's, and integrity holds
same() {
	[ "$(q "$1" 'pragma integrity_check')" = ok ] &&
	cmp -s <(q "$1" "$METRICS") <(q "$2" "$METRICS") && cmp -s <(q "$1" "$CURVES") <(q "$2" "$CURVES") &&
	cmp -s <(q "$1" "$POINTS") <(q "$2" "$POINTS") && cmp -s <(q "$1" "$BOUNDS") <(q "$2" "$BOUNDS")
}

"$LRSWEEP" run slow.yaml --db ref.db -q >/dev/null 2>&1 || nok "reference run" "slow.yaml failed"
"$LRSWEEP" run quick.yaml --db qref.db -q >/dev/null 2>&1 || nok "reference run" "quick.yaml failed"
"$LRSWEEP" run slow.yaml --db bref.db --min-lr 0.005 --max-lr 0.05 -q >/dev/null 2>&1 ||
	nok "reference run" "slow.yaml with bounds failed"

# ------------------------------------------------ 4. one writer per experiment

"$LRSWEEP" run slow.yaml --db two.db --threads 1 -q >first.out 2>first.err &
first=$!
refusals=0 detail=""
# resume_refused PHASE: a --resume now is refused at once, naming the pid
resume_refused() {
	local t0=$(now)
	run run slow.yaml --db two.db --resume -q
	if [ "$RC" -eq 1 ] && [ "$(wc -l <"$ERR")" -eq 1 ] && [ ! -s "$OUT" ] &&
	   grep -q "two.db: experiment 1 is being written by another lrsweep process (pid $first)" "$ERR"; then
		refusals=$((refusals + 1))
		ok "4. --resume during the $1 of a live run: refused in $(elapsed "$t0") s: $(cut -c 1-160 "$ERR")"
	else
		nok "4. --resume during the $1" "rc=$RC $(head -c 300 "$ERR")"
	fi
}
if wait_for two.db "select count(*) from experiments" 1 $first &&
   [ "$(q two.db 'select count(*) from range_tests')" = 0 ]; then
	resume_refused "range test"
else
	nok "4. first run" "did not reach its range test: $(cat first.err)"
fi
if wait_for two.db "select count(*) from trials where status != 'pending'" 1 $first; then
	resume_refused "trials"
else
	nok "4. first run" "did not reach its trials: $(cat first.err)"
fi
wait $first
RC=$?
if [ $RC -eq 0 ] && [ "$(q two.db "select count(*) || status from experiments")" = 1completed ] &&
   [ "$(q two.db 'select count(*) from range_tests')" = 2 ] &&
   [ "$(q two.db "select count(*) from trials where status = 'completed'")" = 4 ] && same two.db ref.db; then
	ok "4. the first run completed untouched: 1 experiment, 2 range tests, 4 trials, as a run alone stores"
else
	nok "4. first run" "rc=$RC $(q two.db 'select id, status from experiments') range_tests=$(q two.db \
		'select count(*) from range_tests') $(q two.db 'select status, count(*) from trials group by 1' | tr '\n' ' ')"
fi
run run slow.yaml --db two.db --resume -q
if [ "$RC" -eq 0 ] && grep -q '4 kept from before' "$OUT"; then ok "4. once it ended, --resume goes on (the claim died with it)"
else nok "4. resume after" "rc=$RC $(head -c 300 "$ERR")"; fi

# ------------------------------------------------ 5. an index that lies

cp "$REPO/tests/data/blobs_sweep.yaml" exp.yaml
"$LRSWEEP" run exp.yaml --db base.db -q >/dev/null 2>&1 || nok "setup" "blobs run failed"
cp base.db idx.db
# the index keeps its (experiment_id, status) entries; the schema now says
# (experiment_id, seed): every row "missing from index", pages all sound
sqlite3 idx.db "PRAGMA writable_schema = ON; UPDATE sqlite_master SET sql = replace(sql, '(experiment_id, status)',
	'(experiment_id, seed)') WHERE name = 'trials_by_status';"
cp idx.db idx.orig
if [ "$(q idx.db 'pragma quick_check')" = ok ] && [ "$(q idx.db 'pragma integrity_check')" != ok ]; then
	for args in "run exp.yaml --db idx.db --resume -q" "run exp.yaml --db idx.db --min-lr 0.01 --max-lr 0.1 -q" \
	            "train exp.yaml --lr 0.1 --epochs 1 --db idx.db -q"; do
		# shellcheck disable=SC2086
		run $args
		if [ "$RC" -eq 2 ] && [ "$(wc -l <"$ERR")" -eq 1 ] && grep -q 'idx.db: the database file is corrupt' "$ERR"
		then ok "5. index/table mismatch refused: lrsweep ${args%% *}: $(cut -c 1-150 "$ERR")"
		else nok "5. index/table mismatch: $args" "rc=$RC $(head -c 300 "$ERR")"; fi
	done
	if cmp -s idx.db idx.orig && [ ! -s idx.db-wal ]; then ok "5. the damaged file was not written to"
	else nok "5. damaged file" "written to: $(cmp idx.db idx.orig)"; fi
else
	nok "5. setup" "the doctored index: quick_check $(q idx.db 'pragma quick_check')"
fi

# ------------------------------------------------ 6. planted links

mkdir shared && cd shared || exit 1
# the file made beside a new database was DB.new-PID: plant a link there
# (sh execs lrsweep, which keeps the shell's pid)
sh -c 'ln -s "$PWD/victim" new.db.new-$$; exec "$1" run ../exp.yaml --db new.db -q' sh "$LRSWEEP" >/dev/null 2>"$ERR"
RC=$?
if [ $RC -eq 0 ] && [ ! -e victim ] && [ -f new.db ] && [ ! -L new.db ] &&
   [ "$(q new.db "select status from experiments")" = completed ] &&
   [ -z "$(find . -name 'new.db.new-*' ! -type l)" ]; then
	ok "6. a link planted at the file made beside the database: not followed, nothing left beside"
else
	nok "6. planted link beside" "rc=$RC victim=$([ -e victim ] && echo written) $(ls -l | tr '\n' ' ')"
fi
ln -s "$PWD/victim2" dangling.db
run run ../exp.yaml --db dangling.db -q
if [ "$RC" -eq 2 ] && [ ! -e victim2 ] && grep -q 'dangling.db: a symbolic link to a missing file' "$ERR"; then
	ok "6. a link to nothing at the database's path: refused, its target not created"
else
	nok "6. dangling link" "rc=$RC victim2=$([ -e victim2 ] && echo created) $(head -c 200 "$ERR")"
fi
ln -s "$PWD/victim3" lk.db-lock
run run ../exp.yaml --db lk.db -q
if [ "$RC" -eq 1 ] && [ ! -e victim3 ] && grep -q 'lk.db: cannot open the lock file' "$ERR"; then
	ok "6. a link at the lock file: refused, not followed"
else
	nok "6. lock file link" "rc=$RC victim3=$([ -e victim3 ] && echo created) $(head -c 200 "$ERR")"
fi
cd "$T" || exit 1

# ------------------------------------------------ 11. signals at every phase

# interrupted NAME DB RC EXPECT_TRIALS: the run ended with exit 130, the
# experiment stored as interrupted, no trial left running
interrupted() {
	local name=$1 db=$2 rc=$3
	if [ "$rc" -eq 130 ] && [ "$(q "$db" 'select status from experiments')" = interrupted ] &&
	   [ "$(q "$db" "select count(*) from trials where status = 'running'")" = 0 ] &&
	   grep -q 'interrupted' "$ERR"; then
		ok "11. $name: exit 130, experiment interrupted: $(grep interrupted "$ERR" | tail -1 | cut -c 1-120)"
	else
		nok "11. $name" "rc=$rc status=$(q "$db" 'select status from experiments') running=$(q "$db" \
			"select count(*) from trials where status = 'running'") $(tail -c 300 "$ERR")"
	fi
}
# resumed NAME DB REF ARGS...: --resume completes DB as REF was stored
resumed() {
	local name=$1 db=$2 ref=$3
	shift 3
	run run "$@" --db "$db" --resume -q
	if [ "$RC" -eq 0 ] && [ "$(q "$db" 'select status from experiments')" = completed ] && same "$db" "$ref"; then
		ok "11. $name: --resume completes it as an uninterrupted run"
	else
		nok "11. $name: resume" "rc=$RC $(head -c 300 "$ERR")"
	fi
}

# data load: 6,000,000 samples take a second or two to make
cat >load.yaml <<'EOF'
name: load
data:
  train: {format: synthetic, kind: spirals, samples: 6000000, classes: 3, noise: 0.2}
trials: {epochs: 1}
EOF
for sig in TERM HUP INT; do
	"$LRSWEEP" run load.yaml --db load.db --min-lr 0.01 --max-lr 0.1 >"$OUT" 2>"$ERR" &
	pid=$!
	sleep 0.5
	kill -$sig $pid
	wait $pid
	RC=$?
	if [ $RC -eq 130 ] && grep -q 'interrupted before anything was stored' "$ERR" && [ ! -e load.db ]; then
		ok "11. SIG$sig while the data loads: exit 130 at once, nothing stored"
	else
		nok "11. SIG$sig during data load" "rc=$RC $(head -c 200 "$ERR") $(ls load.db* 2>/dev/null)"
	fi
done

# the range test
"$LRSWEEP" run slow.yaml --db rt.db >"$OUT" 2>"$ERR" &
pid=$!
wait_for rt.db "select count(*) from experiments" 1 $pid
sleep 0.3
kill -TERM $pid
t0=$(now)
wait $pid
RC=$?
interrupted "SIGTERM during the range test (stopped in $(elapsed "$t0") s)" rt.db $RC
if [ "$(q rt.db 'select count(*) from range_tests') $(q rt.db 'select count(*) from trials')" = "0 0" ]; then
	ok "11. the range test cut short is not kept"
else
	nok "11. range test cut short" "$(q rt.db 'select count(*) from range_tests') range tests stored"
fi
resumed "range test" rt.db ref.db slow.yaml

# storing the bounds: another writer holds the database while the test
# ends; the signal comes as the run waits to store it
"$LRSWEEP" run quick.yaml --db bd.db >"$OUT" 2>"$ERR" &
pid=$!
wait_for bd.db "select count(*) from experiments" 1 $pid
rm -f locked
sqlite3 bd.db "BEGIN IMMEDIATE; UPDATE experiments SET host = host;" ".shell touch $T/locked; sleep 4" "ROLLBACK;" \
	>/dev/null 2>&1 &
holder=$!
for _ in $(seq 1 100); do [ -e locked ] && break; sleep 0.05; done
sleep 3
kill -HUP $pid
wait $pid
RC=$?
wait $holder
phase="while storing the range test"
[ "$(q bd.db 'select count(*) from range_tests')" = 0 ] && phase="during the range test (a slow machine)"
interrupted "SIGHUP $phase" bd.db $RC
if [ "$(q bd.db 'select count(*) from trials')" = 0 ] &&
   [ "$(q bd.db 'select count(*) from range_tests')" = "$(q bd.db 'select count(*) from bounds where chosen')" ]; then
	ok "11. $phase: range test and bounds stored together or not at all, no trial started"
else
	nok "11. bounds phase" "trials=$(q bd.db 'select count(*) from trials') $(q bd.db "$BOUNDS" | tr '\n' ' ')"
fi
resumed "storing the bounds" bd.db qref.db quick.yaml

# the trials
"$LRSWEEP" run slow.yaml --db tr.db --min-lr 0.005 --max-lr 0.05 --threads 1 >"$OUT" 2>"$ERR" &
pid=$!
wait_for tr.db "select count(*) from trials where status != 'pending'" 2 $pid
kill -HUP $pid
wait $pid
RC=$?
interrupted "SIGHUP during the trials" tr.db $RC
resumed "trials" tr.db bref.db slow.yaml --min-lr 0.005 --max-lr 0.05

# under nohup a hang-up is not a stop
( trap '' HUP; exec "$LRSWEEP" run quick.yaml --db nohup.db --min-lr 0.005 --max-lr 0.05 -q >"$OUT" 2>"$ERR" ) &
pid=$!
wait_for nohup.db "select count(*) from trials where status != 'pending'" 1 $pid
kill -HUP $pid
wait $pid
RC=$?
if [ $RC -eq 0 ] && [ "$(q nohup.db 'select status from experiments')" = completed ]; then
	ok "11. SIGHUP ignored by the caller (nohup): the run goes on to its end"
else
	nok "11. nohup" "rc=$RC $(q nohup.db 'select status from experiments') $(head -c 200 "$ERR")"
fi

# train, mid-run (OUT emptied first: the loop below must not count the
# lines of the run before, left there until the child opens OUT)
: >"$OUT"
"$LRSWEEP" train slow.yaml --lr 0.05 --epochs 500 --db train.db >"$OUT" 2>"$ERR" &
pid=$!
for _ in $(seq 1 600); do [ "$(wc -l <"$OUT")" -ge 4 ] && break; kill -0 $pid 2>/dev/null || break; sleep 0.05; done
kill -TERM $pid
wait $pid
RC=$?
done_epochs=$(q train.db "select epochs_done from trials")
if [ $RC -eq 130 ] && [ "$(q train.db 'select status from experiments')" = interrupted ] &&
   [ "$(q train.db 'select status from trials')" = interrupted ] && [ "${done_epochs:-0}" -ge 3 ] &&
   [ "$(q train.db 'select count(*) from epochs')" = "$done_epochs" ]; then
	ok "11. SIGTERM during train: exit 130, the $done_epochs epochs done stored, trial and experiment interrupted"
else
	nok "11. SIGTERM during train" "rc=$RC $(q train.db 'select status, epochs_done from trials') $(tail -c 200 "$ERR")"
fi

# SIGPIPE: the reader of the output goes away
"$LRSWEEP" run slow.yaml --db pipe.db --min-lr 0.005 --max-lr 0.05 2>&1 | head -2 >/dev/null
RC=${PIPESTATUS[0]}
if [ "$RC" -eq 0 ] && [ "$(q pipe.db 'select status from experiments')" = completed ] && same pipe.db bref.db; then
	ok "11. run 2>&1 | head -2: the run finishes quietly, everything stored, exit 0"
else
	nok "11. run | head" "rc=$RC $(q pipe.db 'select status from experiments') $(q pipe.db \
		'select status, count(*) from trials group by 1' | tr '\n' ' ')"
fi
"$LRSWEEP" train slow.yaml --lr 0.05 --epochs 30 --db tpipe.db 2>"$ERR" | head -3 >/dev/null
RC=${PIPESTATUS[0]}
if [ "$RC" -eq 0 ] && [ "$(q tpipe.db 'select status from experiments')" = completed ] &&
   [ "$(q tpipe.db 'select status, epochs_done from trials')" = "completed|30" ] &&
   [ "$(q tpipe.db 'select count(*) from epochs')" = 30 ]; then
	ok "11. train | head -3: the run finishes quietly, 30 epochs stored, exit 0"
else
	nok "11. train | head" "rc=$RC $(q tpipe.db 'select status, epochs_done from trials')"
fi

# a file-size limit, without the caller ignoring SIGXFSZ
ROWS="select * from experiments where id = 1; select * from trials where experiment_id = 1 order by id;
	select e.* from epochs e join trials t on t.id = e.trial_id where t.experiment_id = 1 order by 1, 2"
sed -e 's/  epochs: 2$/  epochs: 300/' -e 's/seeds: \[1, 2\]/seeds: [1, 2, 3, 4]/' exp.yaml >big.yaml
cp base.db fsize.db
q base.db "$ROWS" >before.rows
kb=$(( $(stat -c %s fsize.db) / 1024 + 48 ))
( ulimit -f $kb; exec "$LRSWEEP" run big.yaml --db fsize.db --min-lr 0.01 --max-lr 0.1 -q >"$OUT" 2>"$ERR" )
RC=$?
if [ $RC -eq 1 ] && [ "$(wc -l <"$ERR")" -eq 1 ] && grep -q 'fsize.db: .*disk full' "$ERR" &&
   [ "$(q fsize.db 'pragma integrity_check')" = ok ] && q fsize.db "$ROWS" | cmp -s - before.rows; then
	ok "11. ulimit -f $kb: exit 1 '$(cut -c 1-100 "$ERR")', the rows stored before intact"
else
	nok "11. ulimit -f" "rc=$RC $(head -c 300 "$ERR")"
fi

# ------------------------------------------------ 7. MPI ranks on one experiment

MPI=${LRSWEEP_MPI:-}
case $MPI in /*) ;; ?*) MPI=$REPO/$MPI ;; esac
if [ -z "$MPI" ] || [ ! -x "$MPI" ] || ! command -v mpirun >/dev/null; then
	ok "7. mpirun or lrsweep-mpi absent: MPI checks skipped"
	finish
fi
cp "$MPI" "$T/lrsweep-mpi"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
sed 's/^seed: 5/seed: 6/' exp.yaml >other.yaml
timeout 300 mpirun --oversubscribe -np 1 "$T/lrsweep-mpi" run exp.yaml --db "$T/m.db" -q : \
	-np 2 "$T/lrsweep-mpi" run other.yaml --db "$T/m.db" -q >"$OUT" 2>"$ERR"
RC=$?
if [ $RC -eq 2 ] && grep -q 'rank 1 (and 1 other rank) runs another experiment: other.yaml (sha256 [0-9a-f]*...) where rank 0 runs exp.yaml' "$ERR" &&
   [ "$(q "$T/m.db" 'select count(*) from trials')" = "" ]; then
	ok "7. ranks with another experiment file: exit 2 before anything is stored: $(grep -o 'rank 1.*sha256 [0-9a-f]*' "$ERR")"
else
	nok "7. MPI mismatch" "rc=$RC $(head -c 400 "$ERR")"
fi
timeout 300 mpirun --oversubscribe -np 2 "$T/lrsweep-mpi" run exp.yaml --db "$T/m.db" -q : \
	-np 1 "$T/lrsweep-mpi" run missing.yaml --db "$T/m.db" -q >"$OUT" 2>"$ERR"
RC=$?
if [ $RC -eq 2 ] && grep -q 'rank 2 cannot read its experiment file missing.yaml (No such file or directory)' "$ERR"; then
	ok "7. a rank that cannot read its experiment file: exit 2"
else
	nok "7. MPI unreadable" "rc=$RC $(head -c 400 "$ERR")"
fi
finish
