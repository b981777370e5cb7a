#!/usr/bin/env bash
# tests/e2e/pipeline.sh - `lrsweep run` on synthetic data: the plan of a
# dry run, a whole run (range test, trials, leaderboard, every row stored),
# the same results on 1 and 2 threads, Ctrl-C then --resume giving what an
# uninterrupted run gives, readers during a run, a changed file refused on
# resume, given bounds skipping the test, and bad flags and trials sections
# (exit 2, file:line:column).
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1

cat >exp.yaml <<'EOF'
name: pipe
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
    - type: triangular
      step_size: {grid: ["1 epochs", "2 epochs"]}
    - type: one_cycle
  space:
    batch_size: {grid: [32, 64]}
EOF
# every stored number of every trial, by key
METRICS="select trial_key, schedule, params, hyper, seed, status, epochs_done, iterations, best_val_accuracy,
	best_epoch, final_val_accuracy, final_val_loss, final_train_loss, test_accuracy from trials order by trial_key"
CURVES="select t.trial_key, e.epoch, e.iteration, e.lr, e.momentum, e.train_loss, e.train_accuracy, e.val_loss,
	e.val_accuracy from epochs e join trials t on t.id = e.trial_id order by 1, 2"
have_sqlite=0
command -v sqlite3 >/dev/null && have_sqlite=1

run run exp.yaml --dry-run --db "$T/dry.db"
if [ "$RC" -eq 0 ] && grep -q '^plan: 16 trials (8 configurations x 2 seeds), 6 epochs each' "$OUT" &&
   grep -q 'triangular step_size=2 epochs, batch_size=64' "$OUT" && [ ! -e "$T/dry.db" ]; then
	ok "--dry-run prints the plan and stores nothing"
else
	nok "--dry-run" "rc=$RC $(head -c 300 "$OUT") $(head -c 300 "$ERR")"
fi

run run exp.yaml --db "$T/a.db" --threads 2
if [ "$RC" -eq 0 ] && grep -q '^leaderboard' "$OUT" && grep -q '^16 trials run: 16 completed' "$OUT"; then
	ok "run: range test, 16 trials, leaderboard"
else
	nok "run" "rc=$RC $(tail -c 400 "$OUT") $(tail -c 400 "$ERR")"
fi
if command -v script >/dev/null; then
	script -qec "$LRSWEEP run exp.yaml --db $T/tty.db --min-lr 0.001 --max-lr 0.1" /dev/null >"$T/tty" 2>&1
	if grep -q $'\rtrials \[[#.]*\] .* [0-9]*/16 done, [0-9]* running' "$T/tty" && ! grep -q 'trial 1/16 done' "$T/tty"
	then ok "live view on a terminal: bar, trials done and running"
	else nok "live view" "$(head -c 300 "$T/tty" | cat -A)"; fi
fi
n=$(grep -c '^lrsweep run: trial [0-9]*/16 done' "$ERR")
if [ "$n" = 16 ]; then ok "one line per finished trial when piped"; else nok "trial lines" "$n of 16"; fi
if [ $have_sqlite = 1 ]; then
	got=$(sqlite3 "$T/a.db" "select count(*), sum(status = 'completed'), sum(test_accuracy is not null) from trials;
		select count(*) from epochs; select count(*) from range_tests; select count(*) from bounds where chosen = 1;
		select status from experiments; pragma integrity_check" | tr '\n' ' ')
	# batch_size varies: one range test (2 repeats) and one chosen bound per batch size
	if [ "$got" = "16|16|16 96 4 2 completed ok " ]; then ok "stored: trials, epochs, range tests and bounds per batch-size group"
	else nok "stored" "$got"; fi
	# who ran each trial: this host and one of the 2 threads
	host=$(hostname)
	bad=$(sqlite3 "$T/a.db" "select count(*) from trials where worker is null or
		worker not in ('$host/thread 0', '$host/thread 1')")
	if [ "$bad" = 0 ]; then ok "trials.worker: $host/thread 0 or 1 on every trial"
	else nok "worker" "$bad trials: $(sqlite3 "$T/a.db" "select distinct quote(worker) from trials" | head -3)"; fi
	run run exp.yaml --db "$T/b.db" --threads 1 -q
	if [ "$RC" -eq 0 ] && cmp -s <(sqlite3 "$T/a.db" "$METRICS") <(sqlite3 "$T/b.db" "$METRICS") &&
	   cmp -s <(sqlite3 "$T/a.db" "$CURVES") <(sqlite3 "$T/b.db" "$CURVES"); then
		ok "1 and 2 threads store identical results"
	else
		nok "threads" "rc=$RC $(diff <(sqlite3 "$T/a.db" "$METRICS") <(sqlite3 "$T/b.db" "$METRICS") | head -4)"
	fi
else
	ok "sqlite3 shell absent: database checks skipped"
fi

# A run long enough to interrupt: 40 trials of a bigger problem.
sed -e 's/samples: 1200/samples: 12000/' -e 's/seeds: \[1, 2\]/seeds: [1, 2, 3, 4, 5]/' \
    -e 's/hidden: \[32\]/hidden: [128, 128]/' -e 's/  epochs: 6/  epochs: 8/' exp.yaml >long.yaml
"$LRSWEEP" run long.yaml --db "$T/long.db" --min-lr 0.005 --max-lr 0.05 -q >/dev/null 2>"$T/long.err" &
pid=$!
reads=0 read_fail=0 done_trials=0
# read while it writes, and interrupt once the first trials are stored
while kill -0 $pid 2>/dev/null && [ $reads -lt 200 ]; do
	if [ $have_sqlite = 1 ] && [ -e "$T/long.db" ]; then
		if done_trials=$(sqlite3 "$T/long.db" "select count(*) from trials where status = 'completed'" 2>/dev/null)
		then reads=$((reads + 1)); else read_fail=$((read_fail + 1)); fi
		[ "${done_trials:-0}" -ge 2 ] && break
	elif [ $have_sqlite = 0 ]; then
		sleep 1
		break
	fi
	sleep 0.02
done
kill -INT $pid 2>/dev/null
wait $pid
rc=$?
if [ $rc -eq 130 ]; then ok "Ctrl-C: exit 130"; else nok "Ctrl-C" "exit $rc (the run may have ended first)"; fi
if [ $have_sqlite = 1 ]; then
	if [ $read_fail -eq 0 ] && [ $reads -gt 0 ]; then ok "readers during a run ($reads reads)"
	else nok "readers" "$read_fail of $reads failed"; fi
	st=$(sqlite3 "$T/long.db" "select status from experiments")
	left=$(sqlite3 "$T/long.db" "select count(*) from trials where status in ('pending', 'interrupted')")
	if [ "$st" = interrupted ] && [ "$left" -gt 0 ]; then ok "interrupted run stored as such ($left trials left)"
	else nok "interrupted" "status $st, $left left"; fi
fi
# the command that the interruption's message names resumes the run: with
# its --db and its --min-lr/--max-lr, which --resume requires (it named
# the experiment file alone: a new experiment in results/, or exit 2)
hint=$(sed -n "s/.*'lrsweep run \(--resume .*\)' goes on\$/\1/p" "$T/long.err")
if [ "$hint" = "--resume long.yaml --db $T/long.db --min-lr 0.005 --max-lr 0.05" ]; then
	ok "Ctrl-C: the message names the command that resumes the run"
else
	nok "resume command" "$(cat "$T/long.err")"
fi
eval "run run $hint"
if [ "$RC" -eq 0 ] && grep -q 'resuming experiment 1' "$ERR" && grep -q 'kept from before' "$OUT"; then
	ok "--resume finishes the run"
else
	nok "--resume" "rc=$RC $(tail -c 300 "$ERR")"
fi
if [ $have_sqlite = 1 ]; then
	run run long.yaml --db "$T/whole.db" --min-lr 0.005 --max-lr 0.05 -q
	if cmp -s <(sqlite3 "$T/long.db" "$METRICS") <(sqlite3 "$T/whole.db" "$METRICS") &&
	   cmp -s <(sqlite3 "$T/long.db" "$CURVES") <(sqlite3 "$T/whole.db" "$CURVES") &&
	   [ "$(sqlite3 "$T/long.db" "select count(*) from experiments; select status from experiments;
	        select count(*) from range_tests; pragma integrity_check" | tr '\n' ' ')" = "1 completed 0 ok " ]; then
		ok "interrupted + resumed = uninterrupted, trial by trial (bounds given: no range test)"
	else
		nok "resume results" "$(diff <(sqlite3 "$T/long.db" "$METRICS") <(sqlite3 "$T/whole.db" "$METRICS") | head -4)"
	fi
fi
# Crash test: SIGKILL at 20 random instants (range test included), resuming
# each time; then the results must equal an uninterrupted run's, no
# completed trial may have run twice, and the file must be intact.
if [ $have_sqlite = 1 ]; then
	rm -f "$T/crash.db"
	twice=0
	RANDOM=42
	for k in $(seq 1 20); do
		"$LRSWEEP" run long.yaml --db "$T/crash.db" --resume -q >/dev/null 2>&1 &
		pid=$!
		sleep "$(awk -v r=$RANDOM 'BEGIN { printf "%.2f", 0.05 + 1.2 * r / 32768 }')"
		kill -KILL $pid 2>/dev/null
		wait $pid 2>/dev/null
		# what was completed must stay exactly as it was
		if [ -e "$T/crash.snap" ] && [ -n "$(sqlite3 "$T/crash.db" "select trial_key, finished_at from trials
			where status = 'completed'" 2>/dev/null | sort | comm -23 "$T/crash.snap" -)" ]; then
			twice=$((twice + 1))
		fi
		sqlite3 "$T/crash.db" "select trial_key, finished_at from trials where status = 'completed'" 2>/dev/null |
			sort >"$T/crash.snap"
	done
	run run long.yaml --db "$T/crash.db" --resume -q
	run run long.yaml --db "$T/whole2.db" -q
	if [ "$RC" -eq 0 ] && [ $twice -eq 0 ] &&
	   cmp -s <(sqlite3 "$T/crash.db" "$METRICS") <(sqlite3 "$T/whole2.db" "$METRICS") &&
	   cmp -s <(sqlite3 "$T/crash.db" "$CURVES") <(sqlite3 "$T/whole2.db" "$CURVES") &&
	   [ "$(sqlite3 "$T/crash.db" "select count(*) from experiments; select status from experiments;
	        select count(*) from range_tests; pragma integrity_check" | tr '\n' ' ')" = "1 completed 4 ok " ]; then  # 2 batch-size groups x 2 repeats
		ok "20 SIGKILLs + resumes = one uninterrupted run; no completed trial ran twice; integrity ok"
	else
		nok "crash test" "twice=$twice $(diff <(sqlite3 "$T/crash.db" "$METRICS") <(sqlite3 "$T/whole2.db" "$METRICS") | head -4)"
	fi
fi

sed 's/  epochs: 8/  epochs: 9/' long.yaml >long2.yaml && cp long2.yaml long.yaml
run run long.yaml --db "$T/long.db" --min-lr 0.005 --max-lr 0.05 --resume
if [ "$RC" -eq 2 ] && grep -q "file changed since (line 12 was '  epochs: 8', is now '  epochs: 9')" "$ERR"; then
	ok "--resume refuses a changed file, saying what changed"
else
	nok "changed file" "rc=$RC $(cat "$ERR")"
fi

# Pruning: six constant rates, three of them far too low to learn in 9
# epochs. ASHA (grace 1, eta 3: rungs after epochs 1 and 3) must stop
# those at the first rung, keep their curves, finish the best, and decide
# the same on 1 and 2 threads; so must the median rule.
cat >asha.yaml <<'EOF'
name: asha
seed: 7
data:
  train: {format: synthetic, kind: spirals, samples: 3000, classes: 3, noise: 0.2}
  validation: 0.2
  normalize: standardize
model: {hidden: [64, 64], activation: relu}
optimizer: {type: sgd, momentum: 0.9}
batch_size: 64
trials:
  epochs: 9
  schedules:
    - type: constant
      lr: {grid: [0.05, 0.1, 1.0e-5, 0.02, 1.0e-6, 3.0e-5]}
  pruning: {type: asha, grace_epochs: 1, reduction_factor: 3}
EOF
run run asha.yaml --db "$T/asha2.db" --min-lr 0.001 --max-lr 0.1 --threads 2
if [ "$RC" -eq 0 ] && grep -q '^pruning saved [0-9]* of 54 epochs' "$OUT"; then ok "asha run reports the epochs it saved"
else nok "asha run" "rc=$RC $(tail -c 300 "$OUT") $(tail -c 300 "$ERR")"; fi
if [ $have_sqlite = 1 ]; then
	got=$(sqlite3 "$T/asha2.db" "select group_concat(s, ' ') from (select status || ':' || epochs_done ||
		':' || (select count(*) from epochs where trial_id = t.id) as s from trials t
		where params like '%e-0%' order by id)")
	best=$(sqlite3 "$T/asha2.db" "select status || ':' || epochs_done from trials
		where best_val_accuracy = (select max(best_val_accuracy) from trials)")
	if [ "$got" = "pruned:1:1 pruned:1:1 pruned:1:1" ] && [ "$best" = "completed:9" ]; then
		ok "asha: the hopeless rates pruned at rung 1 with their curves, the best finished"
	else
		nok "asha decisions" "low rates: $got; best: $best"
	fi
	run run asha.yaml --db "$T/asha1.db" --min-lr 0.001 --max-lr 0.1 --threads 1 -q
	if cmp -s <(sqlite3 "$T/asha1.db" "$METRICS") <(sqlite3 "$T/asha2.db" "$METRICS"); then
		ok "asha decides the same on 1 and 2 threads"
	else
		nok "asha threads" "$(diff <(sqlite3 "$T/asha1.db" "$METRICS") <(sqlite3 "$T/asha2.db" "$METRICS") | head -4)"
	fi
	sed 's/pruning: .*/pruning: {type: median, grace_epochs: 2}/' asha.yaml >median.yaml
	run run median.yaml --db "$T/med1.db" --min-lr 0.001 --max-lr 0.1 --threads 1 -q
	run run median.yaml --db "$T/med2.db" --min-lr 0.001 --max-lr 0.1 --threads 2 -q
	pruned=$(sqlite3 "$T/med2.db" "select count(*) from trials where status = 'pruned' and epochs_done >= 2")
	if [ "$RC" -eq 0 ] && [ "$pruned" -ge 1 ] &&
	   cmp -s <(sqlite3 "$T/med1.db" "$METRICS") <(sqlite3 "$T/med2.db" "$METRICS"); then
		ok "median: prunes after grace, the same on 1 and 2 threads ($pruned pruned)"
	else
		nok "median" "rc=$RC pruned=$pruned"
	fi
fi

cat >bad.yaml <<'EOF'
name: bad
data: {train: {format: synthetic, kind: blobs, samples: 100}}
trials:
  schedules:
    - type: triangulr
    - {type: step, gamma: 0.5}
EOF
run run bad.yaml --dry-run
if [ "$RC" -eq 2 ] && grep -q "bad.yaml:5:13: unknown schedule type 'triangulr' (did you mean 'triangular'?)" "$ERR"; then
	ok "bad schedule type: exit 2 at file:line:column"
else
	nok "bad type" "rc=$RC $(cat "$ERR")"
fi
sed -i 's/triangulr/triangular/' bad.yaml
run run bad.yaml --dry-run
if [ "$RC" -eq 2 ] && grep -q "bad.yaml:6:7: step: missing parameter 'step_size'" "$ERR"; then
	ok "bad schedule parameters: exit 2 before anything runs"
else
	nok "bad params" "rc=$RC $(cat "$ERR")"
fi
bad_usage "--threads below 0" "--threads" run exp.yaml --threads -1
bad_usage "only one bound" "both --min-lr and --max-lr" run exp.yaml --min-lr 0.1
bad_usage "bounds reversed" "--min-lr must be below --max-lr" run exp.yaml --min-lr 0.1 --max-lr 0.01
bad_usage "resume and dry run" "either --resume or --dry-run" run exp.yaml --resume --dry-run
bad_usage "unknown flag" "--frob" run exp.yaml --frob
bad_usage "no experiment" "experiment file" run
# experiments/race_synthetic.yaml races one_cycle and triangular at a third
# of the picked bounds, at them and at three times them (both bounds of a
# triangular run scaled together): what each trial trained with, over the
# chosen bounds.
run run "$REPO/experiments/race_synthetic.yaml" --db "$T/race.db" -q
if [ "$RC" -ne 0 ]; then
	nok "race_synthetic.yaml" "rc=$RC $(head -c 400 "$ERR")"
elif command -v sqlite3 >/dev/null; then
	got=$(sqlite3 "$T/race.db" "select distinct printf('%s %.6g %.6g', t.schedule,
		json_extract(t.params, '$.max_lr') / b.max_lr, coalesce(json_extract(t.params, '$.base_lr') / b.min_lr, 0))
		from trials t join bounds b on b.experiment_id = t.experiment_id and b.chosen = 1 order by 1" | tr '\n' ,)
	want="one_cycle 0.333333 0,one_cycle 1 0,one_cycle 3 0,triangular 0.333333 0.333333,triangular 1 1,triangular 3 3,"
	if [ "$got" = "$want" ] && [ "$(sqlite3 "$T/race.db" "select count(*) from trials where status = 'completed'")" = 12 ]; then
		ok "race_synthetic.yaml: 12 trials at @max/3, @max, @max*3 of the picked bounds"
	else
		nok "race_synthetic.yaml" "$got"
	fi
fi
finish
