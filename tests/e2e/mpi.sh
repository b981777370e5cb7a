#!/usr/bin/env bash
# tests/e2e/mpi.sh - lrsweep-mpi across 3 ranks (oversubscribed on a small
# machine): the database holds exactly the trials, with exactly the
# metrics and curves, of the same experiment run by lrsweep run; a job
# killed midway finishes with --resume, nothing lost, nothing run twice; a
# bad file ends every rank. Skipped when mpirun or lrsweep-mpi is missing.
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
mpi_setup "MPI checks"
mpi() { timeout 300 mpirun --oversubscribe -np 3 "$T/lrsweep-mpi" "$@"; }

cat >exp.yaml <<'YAML'
name: mpi
seed: 7
data:
  train: {format: synthetic, kind: spirals, samples: 1200, classes: 3, noise: 0.2}
  test: {format: synthetic, kind: spirals, samples: 300, classes: 3, noise: 0.2}
  validation: 0.2
model: {hidden: [32], activation: relu}
optimizer: {type: sgd, momentum: 0.9}
batch_size: 32
range_test: {mode: exponential, start_lr: 1.0e-4, end_lr: 10, epochs: 8, repeats: 2}
trials:
  epochs: 6
  seeds: [1, 2]
  schedules:
    - type: constant
    - {type: triangular, step_size: {grid: ["1 epochs", "2 epochs"]}}
    - type: one_cycle
  space:
    batch_size: {grid: [32, 64]}
YAML
METRICS="select id, trial_key, schedule, params, hyper, seed, status, epochs_done, iterations, best_val_accuracy,
	best_epoch, final_val_accuracy, final_val_loss, final_train_loss, test_accuracy from trials order by id"
CURVES="select trial_id, epoch, iteration, lr, momentum, train_loss, train_accuracy, val_loss, val_accuracy
	from epochs order by 1, 2"
# the plan varies batch_size: one range test per batch size (group)
BOUNDS="select group_key, rule, min_lr, max_lr, min_lr_spread, max_lr_spread, chosen, note from bounds order by 1, 2"
POINTS="select r.group_key, r.repeat, r.seed, r.stopped_at, p.iteration, p.lr, p.loss, p.smoothed_loss, p.accuracy
	from range_points p join range_tests r on r.id = p.range_test_id order by 1, 2, 5"

mpi run exp.yaml --db "$T/m.db" >"$OUT" 2>"$ERR"
RC=$?
"$LRSWEEP" run exp.yaml --db "$T/s.db" -q >/dev/null 2>&1
if [ $RC -eq 0 ] && cmp -s <(sqlite3 "$T/m.db" "$METRICS") <(sqlite3 "$T/s.db" "$METRICS") &&
   cmp -s <(sqlite3 "$T/m.db" "$CURVES") <(sqlite3 "$T/s.db" "$CURVES") &&
   cmp -s <(sqlite3 "$T/m.db" "$BOUNDS") <(sqlite3 "$T/s.db" "$BOUNDS") &&
   cmp -s <(sqlite3 "$T/m.db" "$POINTS") <(sqlite3 "$T/s.db" "$POINTS") &&
   [ "$(sqlite3 "$T/m.db" "select count(*) from trials")" = 16 ]; then
	ok "3 ranks (range-test repeats and trials on the workers) store exactly what lrsweep run stores"
else
	nok "mpi run" "rc=$RC $(tail -c 300 "$ERR") $(diff <(sqlite3 "$T/m.db" "$METRICS") <(sqlite3 "$T/s.db" "$METRICS") | head -3)"
fi
if grep -q '^leaderboard' "$OUT"; then ok "rank 0 prints the leaderboard"; else nok "leaderboard" "$(head -c 200 "$OUT")"; fi
if grep -q '^lrsweep-mpi run: 16 trials .*; 16 to run on the MPI worker ranks$' "$ERR"; then
	ok "the plan line says the trials run on the worker ranks"
else
	nok "plan line" "$(grep 'to run on' "$ERR")"
fi

# killed midway (SIGKILL to the whole job), then --resume under MPI
sed -e 's/samples: 1200/samples: 12000/' -e 's/hidden: \[32\]/hidden: [128, 128]/' \
    -e 's/seeds: \[1, 2\]/seeds: [1, 2, 3]/' exp.yaml >long.yaml
mpirun --oversubscribe -np 3 "$T/lrsweep-mpi" run long.yaml --db "$T/k.db" -q >/dev/null 2>&1 &
pid=$!
done_trials=0
for _ in $(seq 1 600); do
	done_trials=$(sqlite3 "$T/k.db" "select count(*) from trials where status = 'completed'" 2>/dev/null || echo 0)
	[ "${done_trials:-0}" -ge 3 ] && break
	kill -0 $pid 2>/dev/null || break
	sleep 0.05
done
kill -KILL $pid 2>/dev/null
pkill -KILL -f "$T/lrsweep-mpi" 2>/dev/null
wait $pid 2>/dev/null
sqlite3 "$T/k.db" "select trial_key, finished_at from trials where status = 'completed'" | sort >"$T/before"
left=$(sqlite3 "$T/k.db" "select count(*) from trials where status != 'completed'")
mpi run long.yaml --db "$T/k.db" --resume -q >/dev/null 2>"$ERR"
RC=$?
"$LRSWEEP" run long.yaml --db "$T/whole.db" -q >/dev/null 2>&1
twice=$(sqlite3 "$T/k.db" "select trial_key, finished_at from trials where status = 'completed'" | sort |
	comm -23 "$T/before" - | wc -l)
if [ $RC -eq 0 ] && [ "$left" -gt 0 ] && [ "$twice" -eq 0 ] &&
   cmp -s <(sqlite3 "$T/k.db" "$METRICS") <(sqlite3 "$T/whole.db" "$METRICS") &&
   cmp -s <(sqlite3 "$T/k.db" "$CURVES") <(sqlite3 "$T/whole.db" "$CURVES") &&
   [ "$(sqlite3 "$T/k.db" "pragma integrity_check")" = ok ]; then
	ok "killed after $done_trials trials, --resume finishes it: nothing lost, nothing run twice"
else
	nok "kill + resume" "rc=$RC left=$left twice=$twice $(tail -c 300 "$ERR")"
fi

# a bad file: exit 2 from rank 0, every rank goes home
printf 'name: bad\ndata: {train: {format: synthetic, kind: blobs, samples: 100}}\ntrials: {schedules: [{type: stepp}]}\n' >bad.yaml
mpi run bad.yaml --db "$T/b.db" >"$OUT" 2>"$ERR"
RC=$?
if [ $RC -eq 2 ] && grep -q "^lrsweep-mpi run: bad.yaml:3:29: unknown schedule type 'stepp'" "$ERR"; then
	ok "a bad file: exit 2 with file:line:column, named by the program run (lrsweep-mpi run:), no rank left waiting"
else
	nok "bad file" "rc=$RC $(cat "$ERR")"
fi
# no range given: rank 0 probes, the other ranks run the repeats over the
# range it broadcast
sed 's/^range_test: .*/range_test: {repeats: 2}/; s/epochs: 6/epochs: 2/' exp.yaml >auto.yaml
mpi run auto.yaml --db "$T/a.db" --pick loss-steepest >"$OUT" 2>"$ERR"
RC=$?
"$LRSWEEP" run auto.yaml --db "$T/as.db" --pick loss-steepest -q >/dev/null 2>&1
if [ $RC -eq 0 ] && grep -q "^lrsweep-mpi: probe" "$ERR" &&
   cmp -s <(sqlite3 "$T/a.db" "$POINTS") <(sqlite3 "$T/as.db" "$POINTS") &&
   cmp -s <(sqlite3 "$T/a.db" "$BOUNDS") <(sqlite3 "$T/as.db" "$BOUNDS") &&
   cmp -s <(sqlite3 "$T/a.db" "$METRICS") <(sqlite3 "$T/as.db" "$METRICS") &&
   [ "$(sqlite3 "$T/a.db" "select distinct rule from bounds where chosen = 1")" = loss-steepest ]; then
	ok "a probed range and --pick: the ranks store what lrsweep run stores"
else
	nok "mpi probe" "rc=$RC $(tail -c 300 "$ERR")"
fi
# strategy tpe: rounds of proposals; 3 ranks store exactly the trials that
# lrsweep run stores on one thread
cat >tpe.yaml <<'YAML'
name: mpi-tpe
seed: 11
data:
  train: {format: synthetic, kind: spirals, samples: 600, classes: 3, noise: 0.2}
  validation: 0.2
model: {hidden: [16], activation: relu}
optimizer: {type: sgd, momentum: 0.9}
batch_size: 32
range_test: {bounds: {min_lr: 0.01, max_lr: 0.3}}
trials:
  epochs: 3
  seeds: [1, 2]
  schedules:
    - {type: constant, lr: {log_uniform: [0.003, 1.0]}}
    - {type: triangular, step_size: {choice: ["1 epochs", "2 epochs"]}}
  space:
    optimizer.weight_decay: {log_uniform: [1.0e-5, 1.0e-2]}
  search: {strategy: tpe, samples: 9, startup: 3, batch: 2}
YAML
mpi run tpe.yaml --db "$T/tm.db" >"$OUT" 2>"$ERR"
RC=$?
"$LRSWEEP" run tpe.yaml --db "$T/ts.db" --threads 1 -q >/dev/null 2>&1
if [ $RC -eq 0 ] && cmp -s <(sqlite3 "$T/tm.db" "$METRICS") <(sqlite3 "$T/ts.db" "$METRICS") &&
   cmp -s <(sqlite3 "$T/tm.db" "$CURVES") <(sqlite3 "$T/ts.db" "$CURVES") &&
   [ "$(sqlite3 "$T/tm.db" "select count(*) from trials")" = 18 ]; then
	ok "strategy tpe: -np 3 stores the trials, metrics and curves lrsweep run --threads 1 stores"
else
	nok "mpi tpe" "rc=$RC $(tail -c 300 "$ERR")"
fi
# proposals the schedule refuses: stored failed on the ranks as on one thread
sed 's/    - {type: triangular, step_size: {choice: \["1 epochs", "2 epochs"\]}}/    - {type: triangular, base_lr: {log_uniform: [1.0e-3, 10.0]}, max_lr: 0.1, step_size: 20}/;
	s/samples: 9, startup: 3, batch: 2/samples: 9, startup: 5, batch: 2/' tpe.yaml >tref.yaml
F="select id, trial_key, params, seed, status, epochs_done, best_val_accuracy, error from trials order by id"
mpi run tref.yaml --db "$T/trm.db" >"$OUT" 2>"$ERR"
RC=$?
"$LRSWEEP" run tref.yaml --db "$T/trs.db" --threads 1 -q >/dev/null 2>&1
nf=$(sqlite3 "$T/trm.db" "select count(*) from trials where status = 'failed' and error like 'tref.yaml:15:%'")
if [ $RC -eq 0 ] && [ "$nf" -gt 0 ] && cmp -s <(sqlite3 "$T/trm.db" "$F") <(sqlite3 "$T/trs.db" "$F"); then
	ok "strategy tpe, refused proposals: -np 3 stores the $nf failed trials and the others as one thread does"
else
	nok "mpi tpe refused" "rc=$RC failed=$nf $(tail -c 300 "$ERR")"
fi
# who ran each trial: a worker rank's host, rank and thread
host=$(hostname)
bad=$(sqlite3 "$T/tm.db" "select count(*) from trials where worker is null or
	worker not glob '$host/rank [12]/thread [0-9]*'")
if [ "$bad" = 0 ] && [ "$(sqlite3 "$T/tm.db" "select count(distinct worker) from trials")" -ge 1 ]; then
	ok "trials.worker: $host/rank R/thread T of the worker rank that trained it"
else
	nok "mpi worker" "$bad trials: $(sqlite3 "$T/tm.db" "select distinct quote(worker) from trials" | head -3)"
fi
sed 's/    - type: one_cycle/    - type: one_cycle\n  pruning: {type: asha}/' exp.yaml >prune.yaml
mpi run prune.yaml --db "$T/p.db" >"$OUT" 2>"$ERR"
if [ $? -eq 2 ] && grep -q "pruning is not available in MPI runs" "$ERR"; then ok "pruning refused under MPI, before any training"
else nok "pruning" "$(cat "$ERR")"; fi
finish
