#!/usr/bin/env bash
# tests/e2e/external.sh - external trainers (SPEC §12): `lrsweep run` driving
# the tests' stub trainers over the protocol. The C stub (the C client)
# trains a toy model through a range test that diverges and stops, and
# trials; a plain-Python trainer (the Python client, no torch) logs the
# rates it applied, which must equal `lrsweep schedule`'s to the last digit
# for a cyclical, a warm-restart and a reduce_on_plateau schedule; and each
# fault (a crash, an exit without done, no hello, silence, garbage, a step
# never sent, megabytes on stdout, a grandchild ignoring SIGTERM) is stored
# as a failed trial with its error while the other trials complete, with
# no process left behind; ASHA prunes through the protocol; Ctrl-C and a
# SIGKILL of lrsweep itself are resumed to what an uninterrupted run stores;
# under mpirun the ranks' programs store what a single process stores.
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
command -v sqlite3 >/dev/null || { ok "skipped: no sqlite3"; finish; }
q() { sqlite3 "$1" "$2"; }

STUB=$T/stub_trainer
if ! cc -std=c11 -O2 -o "$STUB" "$REPO/tests/clients/stub_trainer.c" -lm 2>"$T/cc.log"; then
	nok "build the stub trainer" "$(head -c 400 "$T/cc.log")"
	finish
fi
# processes of this test still alive (the stubs, their grandchildren)
left() { pgrep -f "$T/" | grep -v "^$$\$" | wc -l; }

# $1 = the command list, $2 = extra top-level YAML, $3 = range_test or bounds
exp() {
	cat <<EOF
name: ext
seed: 3
trainer:
  command: $1
  startup_timeout: 3 s
  timeout: 3 s
  grace: 2 s
params: {scale: 1}
optimizer: {type: sgd, momentum: 0.9}
batch_size: 10
$3
trials:
  epochs: 3
  seeds: [1, 2]
  schedules:
$2
EOF
}

# --- the whole pipeline on the C stub's toy model ---------------------------
exp "[$STUB]" "    - {type: triangular, step_size: \"1 epochs\"}
    - {type: one_cycle}" "range_test: {mode: exponential, start_lr: 1.0e-4, end_lr: 10, iterations: 200, eval_every: 10, repeats: 2}" >whole.yaml
run run whole.yaml --db "$T/whole.db" --threads 2
if [ "$RC" -eq 0 ] && [ "$(q whole.db "select count(*), sum(stopped_at is not null) from range_tests")" = "2|2" ] &&
   [ "$(q whole.db "select count(*) from bounds where chosen = 1 and max_lr > 0")" = 1 ] &&
   [ "$(q whole.db "select count(*), sum(status = 'completed'), sum(epochs_done = 3), sum(test_accuracy is not null) from trials")" = "4|4|4|4" ] &&
   [ "$(q whole.db "select count(*) from epochs")" = 12 ] && [ "$(left)" = 0 ]; then
	ok "run on the C stub: a range test stopped at divergence (2 repeats), bounds, 4 trials of 3 epochs, nothing left running"
else
	nok "whole run" "rc=$RC $(q whole.db 'select repeat, stopped_at from range_tests; select status, error from trials' | tr '\n' ' ') $(tail -c 400 "$ERR")"
fi
# the range test's evaluations: every 10 steps and at the stop, none between
pts=$(q whole.db "select count(*), sum(accuracy is not null), sum(accuracy is not null and iteration % 10 != 0) from range_points where range_test_id = 1")
stop=$(q whole.db "select stopped_at from range_tests where repeat = 0")
if [ "${pts%%|*}" = $((stop + 1)) ] && [ "$(echo "$pts" | cut -d'|' -f2)" -ge 3 ]; then
	ok "range test: one point per step up to the stop ($pts), evaluations on the eval_every steps"
else
	nok "range points" "$pts stop=$stop"
fi
# the logs: one per run, beside the database
n=$(ls whole-logs/*.log 2>/dev/null | wc -l)
# the steps-per-epoch launch is told to stop once it said hello
if [ "$n" = 7 ] && grep -q '^stop: done$' whole-logs/probe-batch-10-*.log && [ -e whole-logs/range-1-0.log ] && [ -e whole-logs/range-1-1.log ] &&
   [ -e "whole-logs/$(q whole.db 'select trial_key from trials limit 1').log" ]; then
	ok "a log per run in whole-logs/ beside the database: the probe (stopped after hello), 2 range repeats, 4 trials"
else
	nok "logs" "$n: $(ls whole-logs 2>&1)"
fi
# each trial names its log
if [ "$(q whole.db "select count(*) from trials where log = '$T/whole-logs/' || trial_key || '.log'")" = 4 ]; then
	ok "trials.log names each trial's log file"
else
	nok "trials.log" "$(q whole.db 'select trial_key, log from trials')"
fi
# the same experiment and seeds give the same results (the stub is deterministic)
run run whole.yaml --db "$T/again.db" --threads 1
M="select trial_key, params, status, best_val_accuracy, final_val_loss, test_accuracy from trials order by 1"
P="select r.repeat, p.iteration, p.lr, p.loss, p.accuracy from range_points p join range_tests r on r.id = p.range_test_id order by 1, 2"
if [ "$RC" -eq 0 ] && [ "$(q whole.db "$M")" = "$(q again.db "$M")" ] && [ "$(q whole.db "$P")" = "$(q again.db "$P")" ]; then
	ok "2 threads and 1 thread store the same range test and trials"
else
	nok "repeatable" "rc=$RC"
fi

# --- no range given: the probe runs through the program, with evaluations ----
# (200 updates at momentum 0.9, 2,000 at 0.99, an evaluation every twentieth)
for m in 0.9:200:10 0.99:2000:100; do
	mom=${m%%:*} rest=${m#*:}
	exp "[$STUB]" "    - {type: constant, lr: \"@max\"}" "" |
		sed "s/^optimizer: {type: sgd, momentum: 0.9}/optimizer: {type: sgd, momentum: $mom}/" >probe.yaml
	rm -rf probe.db* probe-logs
	run run probe.yaml --db "$T/probe.db"
	if [ "$RC" -eq 0 ] && grep -q "^lrsweep: probe (exponential 1e-07 -> 10, ${rest%%:*} updates): the linear test runs" "$ERR" &&
	   grep -q "\"max_steps\": ${rest%%:*}, \"eval_every\": ${rest#*:}," probe-logs/range-1.json &&
	   [ "$(q probe.db "select count(*) from trials where status = 'completed'")" = 2 ]; then
		ok "momentum $mom, no range: the program runs the probe (${rest%%:*} updates, evaluating every ${rest#*:}), then the test and trials"
	else
		nok "probe through the program (momentum $mom)" "rc=$RC $(head -c 300 probe-logs/range-1.json 2>&1) $(tail -c 300 "$ERR")"
	fi
done

# --- params: searched like the space; each program gets its resolved values --
exp "[$STUB]" "    - {type: constant, lr: \"@max\"}" \
	"range_test: {mode: exponential, start_lr: 1.0e-4, end_lr: 10, iterations: 100, eval_every: 10}" |
	sed 's/^params: {scale: 1}/params: {scale: {grid: [1, 4]}, label: toy}/' >params.yaml
run run params.yaml --db "$T/params.db"
hy=$(q params.db "select json_extract(hyper, '$.params.scale') || json_extract(hyper, '$.params.label') from trials order by id" | tr '\n' ' ')
if [ "$RC" -eq 0 ] && [ "$hy" = "1toy 1toy 4toy 4toy " ] && grep -q '"params": {"scale": 1, "label": "toy"}' params-logs/range-1-0.json &&
   grep -q '^ *[0-9]  *constant; params.scale=4 ' "$OUT" &&
   [ "$(q params.db "select count(distinct best_val_accuracy) from trials")" -ge 2 ]; then
	ok "params: {scale: {grid: [1, 4]}}: two configurations x 2 seeds, each program given its value, the range test the first's"
else
	nok "params search" "rc=$RC hyper=$hy $(cat params-logs/range-1-0.json 2>&1 | head -c 300) $(tail -c 300 "$ERR")"
fi

# --- ASHA through the protocol; Ctrl-C; SIGKILL of lrsweep, then --resume --
exp "[$STUB, --step-ms, \"15\"]" "    - {type: constant, lr: {grid: [0.0001, 0.001, \"@max\", 1.0]}}
  pruning: {type: asha}" "range_test: {bounds: {min_lr: 0.001, max_lr: 0.01}}" >asha.yaml
sed -i 's/  seeds: \[1, 2\]/  seeds: [1, 2, 3]/; s/  epochs: 3/  epochs: 4/' asha.yaml
run run asha.yaml --db "$T/asha.db" --threads 2
pruned=$(q asha.db "select count(*) from trials where status = 'pruned'")
if [ "$RC" -eq 0 ] && [ "$pruned" -ge 1 ] && [ "$(q asha.db "select count(*) from trials where status = 'completed'")" = $((12 - pruned)) ] &&
   grep -l "pruned at epoch" asha-logs/*.log >/dev/null && [ "$(left)" = 0 ]; then
	ok "ASHA through the protocol: $pruned trials pruned (their programs told prune and gone), the rest complete"
else
	nok "asha" "rc=$RC $(q asha.db 'select status, count(*) from trials group by 1' | tr '\n' ' ')"
fi
# running: once a trial has finished and others run (at most 10 s)
running() { for i in $(seq 1 100); do
	[ "$(q "$1" "select count(*) from trials where status != 'pending'" 2>/dev/null)" -ge 3 ] 2>/dev/null && return
	sleep 0.1; done; }
"$LRSWEEP" run asha.yaml --db "$T/int.db" --threads 2 >/dev/null 2>"$T/int.err" &
pid=$!
running int.db
kill -INT $pid
wait $pid
rc=$?
# each interrupted trial's line says how far it got (it said "best val nan
# (epoch 0)" of one stopped in its first epoch)
if grep -q 'done (interrupted): .*: stopped \(before its first epoch ended\|after epoch [1-9][0-9]*\), ' "$T/int.err" &&
   ! grep 'done (interrupted)' "$T/int.err" | grep -v ': stopped \(before its first epoch ended\|after epoch [1-9][0-9]*\), ' |
     grep -q . && ! grep -q 'best val nan' "$T/int.err"; then
	ok "Ctrl-C: an interrupted trial's line says how far it got"
else
	nok "interrupted trial lines" "$(grep 'done (' "$T/int.err")"
fi
st=$(q int.db "select count(*) from trials where status = 'running'")
if [ $rc = 130 ] && [ "$st" = 0 ] && [ "$(q int.db "select count(*) from trials where status = 'pending'")" -gt 0 ] && [ "$(q int.db "select status from experiments")" = interrupted ] && [ "$(left)" = 0 ]; then
	ok "Ctrl-C: exit 130, the programs stopped, the experiment interrupted, nothing left running"
else
	nok "Ctrl-C" "rc=$rc running=$st left=$(left)"
fi
run run asha.yaml --db "$T/int.db" --threads 2 --resume
M2="select trial_key, status, best_val_accuracy, final_val_loss, epochs_done from trials order by 1"
if [ "$RC" -eq 0 ] && [ "$(q int.db "$M2")" = "$(q asha.db "$M2")" ]; then
	ok "--resume after Ctrl-C stores what the uninterrupted run stored"
else
	nok "resume after Ctrl-C" "rc=$RC $(diff <(q int.db "$M2") <(q asha.db "$M2") | head -3)"
fi
"$LRSWEEP" run asha.yaml --db "$T/kill.db" --threads 2 >/dev/null 2>&1 &
pid=$!
running kill.db
{ kill -KILL $pid; wait $pid; } 2>/dev/null
for i in $(seq 1 40); do [ "$(left)" = 0 ] && break; sleep 0.25; done
gone=$(left)
run run asha.yaml --db "$T/kill.db" --threads 2 --resume
if [ "$gone" = 0 ] && [ "$RC" -eq 0 ] && [ "$(q kill.db "$M2")" = "$(q asha.db "$M2")" ]; then
	ok "SIGKILL of lrsweep: its programs exit on their own (channel closed), --resume completes the same sweep"
else
	nok "SIGKILL" "left=$gone rc=$RC $(diff <(q kill.db "$M2") <(q asha.db "$M2") | head -3)"
fi

# a program that ignores prune: killed after trainer.grace, its trial failed
# with the reason; the others go on
sed "s|command: \[$STUB, --step-ms, \"15\"\]|command: [$STUB, --step-ms, \"15\", --fault, ignore-prune]|" asha.yaml >ignore.yaml
run run ignore.yaml --db "$T/ignore.db" --threads 2
if [ "$RC" -eq 0 ] && [ "$(q ignore.db "select count(*) from trials where status = 'failed' and error like '%did not exit within 2 s of prune%'")" -ge 1 ] &&
   [ "$(q ignore.db "select count(*) from trials where status = 'completed'")" -ge 1 ] && [ "$(left)" = 0 ]; then
	ok "a program ignoring prune: killed after trainer.grace, its trial failed saying so, the rest complete"
else
	nok "ignore-prune" "rc=$RC $(q ignore.db 'select status, error from trials' | head -3) left=$(left)"
fi

# --- under MPI: each worker rank launches its programs; the same results -----
MPI=${LRSWEEP_MPI:-}
case $MPI in /*|"") ;; *) MPI=$PWD/$MPI ;; esac
if [ -n "$MPI" ] && [ -x "$REPO/$LRSWEEP_MPI" ] && command -v mpirun >/dev/null; then
	cp "$REPO/$LRSWEEP_MPI" "$T/lrsweep-mpi"
	# the program reports whether it sees any of MPI's variables
	exp "[/bin/sh, -c, 'echo \"mpi variables: \$(env | grep -c -E \"^(OMPI|PMIX|PMI)_\")\"; exec $STUB']" \
		"    - {type: triangular, step_size: \"1 epochs\"}
    - {type: one_cycle}" "range_test: {mode: exponential, start_lr: 1.0e-4, end_lr: 10, iterations: 200, eval_every: 10, repeats: 2}" >mpi.yaml
	OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 timeout 300 mpirun --oversubscribe -np 3 \
		"$T/lrsweep-mpi" run mpi.yaml --db "$T/mpi.db" >"$OUT" 2>"$ERR"
	RC=$?
	run run mpi.yaml --db "$T/single.db"
	if [ "$RC" -eq 0 ] && [ "$(q mpi.db "$M")" = "$(q single.db "$M")" ] && [ "$(q mpi.db "$P")" = "$(q single.db "$P")" ] &&
	   [ "$(q mpi.db "select count(*) from trials where status = 'completed'")" = 4 ] &&
	   [ "$(cat mpi-logs/*.log | grep -c '^mpi variables: 0$')" -ge 7 ] && ! grep -q '^mpi variables: [1-9]' mpi-logs/*.log &&
	   [ "$(left)" = 0 ]; then
		ok "mpirun -np 3: the ranks' programs (MPI's variables scrubbed) store what a single process stores"
	else
		nok "mpi" "rc=$RC $(tail -c 300 "$ERR") $(grep -h '^mpi variables' mpi-logs/*.log | sort | uniq -c | tr '\n' ' ')"
	fi
else
	ok "skipped under MPI: no mpirun or lrsweep-mpi"
fi

# --- the rates a Python trainer applied equal lrsweep schedule's -----------
cat >rates.py <<EOF
import sys
sys.path.insert(0, "$REPO/clients/python")
import lrsweep_client

# logs "step lr momentum" of every step it takes; val_loss per epoch from
# params.metrics (what reduce_on_plateau watches)
with lrsweep_client.connect(steps_per_epoch=4) as s:
    metrics = [float(x) for x in str(s.params.get("metrics", "1,1,1")).split(",")]
    step = 0
    for epoch in range(1, s.config["epochs"] + 1):
        for i in range(4):
            lr, m = s.lr(), s.momentum()
            print(step, repr(lr), repr(m) if m is not None else "-")
            s.loss(1.0 / (step + 1))
            step += 1
        s.epoch_end(0.5, 0.5, metrics[epoch - 1], 0.5)
    s.done(0.5, 0.5)
EOF
cat >rates.yaml <<EOF
name: rates
seed: 1
trainer: {command: [/usr/bin/python3, $T/rates.py], grace: 2 s}
params: {metrics: "0.9,0.9,0.8"}
batch_size: 32
range_test: {bounds: {min_lr: 0.001, max_lr: 0.1}}
trials:
  epochs: 3
  schedules:
    - {type: one_cycle}
    - {type: triangular2, step_size: "1 epochs"}
    - {type: cosine_annealing_warm_restarts, T_0: "1 epochs", T_mult: 2}
    - {type: reduce_on_plateau, lr: "@max", patience: 0, factor: 0.5}
EOF
run run rates.yaml --db "$T/rates.db"
same=0
if [ "$RC" -eq 0 ]; then
	for k in $(q rates.db "select trial_key || ':' || schedule from trials"); do
		key=${k%%:*} type=${k#*:}
		case $type in
		one_cycle) args=(one_cycle --max-lr 0.1) ;;
		triangular2) args=(triangular2 --step_size "1 epochs" --min-lr 0.001 --max-lr 0.1) ;;
		cosine_annealing_warm_restarts) args=(cosine_annealing_warm_restarts --T_0 "1 epochs" --T_mult 2 --min-lr 0.001 --max-lr 0.1) ;;
		reduce_on_plateau) args=(reduce_on_plateau --lr 0.1 --patience 0 --factor 0.5 --metrics 0.9,0.9,0.8) ;;
		esac
		"$LRSWEEP" schedule "${args[@]}" --steps 12 --steps-per-epoch 4 --format csv >"want.$type" 2>&1
		if /usr/bin/python3 - "want.$type" "rates-logs/$key.log" <<'EOF'
import sys
want = [l.strip().split(",") for l in open(sys.argv[1])][1:]
got = [l.split() for l in open(sys.argv[2]) if l[:1].isdigit()]
assert len(want) == len(got) == 12, (len(want), len(got))
for w, g in zip(want, got):
    assert int(w[0]) == int(g[0]) and float(w[1]) == float(g[1]), (w, g)
    if len(w) > 2:
        assert float(w[2]) == float(g[2]), (w, g)
    else:
        assert g[2] == "-", (w, g)
EOF
		then same=$((same + 1)); else echo "# $type: $(head -3 "want.$type") / $(head -3 "rates-logs/$key.log")"; fi
	done
fi
if [ "$same" = 4 ]; then
	ok "the Python client's per-step rates (and momentum) equal lrsweep schedule's, bit for bit: one_cycle, triangular2, SGDR, reduce_on_plateau"
else
	nok "rates" "rc=$RC $same of 4 $(tail -c 300 "$ERR")"
fi

# --- faults: seed 2's program misbehaves, seed 1's completes ----------------
# $1 = fault, $2 = what the stored error must contain
fault() {
	local name=$1 want=$2 db=$T/fault-$1.db
	exp "[/bin/sh, -c, 'if [ \"\$0\" = 2 ]; then exec $STUB --fault $name --fault-at 12; else exec $STUB; fi', \"{seed}\"]" \
		"    - {type: constant, lr: 0.01}" "range_test: {bounds: {min_lr: 0.001, max_lr: 0.1}}" >"fault-$name.yaml"
	run run "fault-$name.yaml" --db "$db" --threads 2
	local got
	got=$(q "$db" "select seed, status, error from trials order by seed")
	if [ "$(q "$db" "select seed || status from trials order by seed" | tr '\n' ' ')" = "1completed 2failed " ] &&
	   q "$db" "select error from trials where seed = 2" | grep -q -- "$want" && [ "$(left)" = 0 ] &&
	   [ "$(q "$db" "select status from experiments")" = completed ]; then
		ok "fault $name: stored as failed ('$want'), the other trial completed, nothing left running"
	else
		nok "fault $name" "rc=$RC left=$(left) $got $(tail -c 200 "$ERR")"
	fi
}
fault no-hello "sent no hello within 3 s (trainer.startup_timeout)"
fault crash "ended before done, after 10 of 30 steps and 1 of 3 epochs (killed by signal 6"
fault exit-early "ended before done, after 12 of 30 steps and 1 of 3 epochs (exit status 0)"
# the failed trial keeps what it reached, as a diverged one does: its 12
# steps, its epoch's numbers, its time; query trials shows the steps
got=$(q fault-exit-early.db "select iterations, epochs_done, best_epoch, best_val_accuracy = (select val_accuracy from epochs
	where trial_id = t.id and epoch = 1), final_val_loss is not null, wall_seconds > 0, test_accuracy is null from trials t where seed = 2")
"$LRSWEEP" query fault-exit-early.db trials --status failed >qf.out 2>&1
if [ "$got" = "12|1|1|1|1|1|1" ] && head -n 1 qf.out | grep -q "  epochs_done  iterations  best_val_accuracy " &&
   grep -q "  failed  *1  *12  *0\.[0-9]* *1 " qf.out; then
	ok "a failed trial stores the 12 steps and the epoch it reached (not 0, not NULL); query trials shows them"
else
	nok "failed trial's reach" "$got $(cat qf.out)"
fi
fault hang "was silent for 3 s"
fault garbage "wrote a malformed message"
fault bad-step "sent the loss of step"
fault out-of-order "sent the loss of step 0, expected step 1[0-9]"
fault long-line "wrote a line of more than 1048576 bytes"
# a grandchild that ignores SIGTERM and keeps the channel open (as a data
# loader's worker would): the trial is fine, the grandchild ends with it
exp "[$STUB, --fault, grandchild]" "    - {type: constant, lr: 0.01}" \
	"range_test: {bounds: {min_lr: 0.001, max_lr: 0.1}}" >grandchild.yaml
run run grandchild.yaml --db "$T/grandchild.db"
if [ "$RC" -eq 0 ] && [ "$(q grandchild.db "select count(*) from trials where status = 'completed'")" = 2 ] &&
   grep -q "forked grandchild" grandchild-logs/*.log && [ "$(left)" = 0 ]; then
	ok "a grandchild ignoring SIGTERM: the trials complete, the grandchild is killed with its group"
else
	nok "grandchild" "rc=$RC left=$(left) $(q grandchild.db 'select status, error from trials')"
fi
# megabytes on stdout go to the log, not the channel
exp "[$STUB, --fault, flood-stdout, --flood-bytes, 4000000]" "    - {type: constant, lr: 0.01}" \
	"range_test: {bounds: {min_lr: 0.001, max_lr: 0.1}}" >flood.yaml
run run flood.yaml --db "$T/flood.db"
size=$(cat flood-logs/*.log | wc -c)
if [ "$RC" -eq 0 ] && [ "$(q flood.db "select count(*) from trials where status = 'completed'")" = 2 ] && [ "$size" -gt 8000000 ]; then
	ok "4 MB printed to stdout by each program: in its log ($size bytes), the trials complete"
else
	nok "flood" "rc=$RC size=$size $(q flood.db 'select status, error from trials')"
fi
# no hello: the first launch (the probe) already fails; nothing trains
exp "[$STUB, --fault, no-hello]" "    - {type: constant}" "range_test: {bounds: {min_lr: 0.001, max_lr: 0.1}}" >nohello.yaml
run run nohello.yaml --db "$T/nohello.db"
if [ "$RC" -ne 0 ] && grep -q "^lrsweep run: nohello.yaml: the trainer sent no hello within 3 s (trainer.startup_timeout)" "$ERR" && grep -q "nohello-logs/probe-batch-10-[0-9]*.log" "$ERR" &&
   [ "$(left)" = 0 ]; then
	ok "no hello within trainer.startup_timeout: the run stops before training, naming the log"
else
	nok "no hello" "rc=$RC $(cat "$ERR")"
fi
# the program fails in the range test (the probe, a launch in trial mode,
# went fine): the run's error line names the experiment file, as the
# probe's does, for the range test given and for the one whose range the
# program's own probe sets
for rt in "range_test: {mode: exponential, start_lr: 1.0e-4, end_lr: 10, iterations: 100, eval_every: 10}" ""; do
	exp "[/bin/sh, -c, 'if [ \"\$0\" = range-test ]; then exec $STUB --fault crash --fault-at 5; else exec $STUB; fi', \"{mode}\"]" \
		"    - {type: constant, lr: \"@max\"}" "$rt" >rtcrash.yaml
	rm -rf rtcrash.db* rtcrash-logs
	run run rtcrash.yaml --db "$T/rtcrash.db"
	if [ "$RC" -eq 1 ] && tail -n 1 "$ERR" | grep -q "^lrsweep run: rtcrash.yaml: the trainer ended after [0-9]* of [0-9]* steps, before lrsweep's stop: .*(killed by signal 6.*); log $T/rtcrash-logs/range-1" &&
	   [ "$(grep -c "the trainer" "$ERR")" = 1 ] && [ "$(q rtcrash.db "select status from experiments")" = failed ] && [ "$(left)" = 0 ]; then
		ok "a program crashing in the range test${rt:+ given}${rt:- its probe sets}: one error line naming rtcrash.yaml, as a probe fault's does"
	else
		nok "range test crash${rt:+ given}" "rc=$RC $(cat "$ERR")"
	fi
done
# a command that does not exist
exp "[$T/no-such-program]" "    - {type: constant}" "range_test: {bounds: {min_lr: 0.001, max_lr: 0.1}}" >missing.yaml
run run missing.yaml --db "$T/missing.db"
if [ "$RC" -ne 0 ] && grep -q "cannot start $T/no-such-program" "$ERR"; then
	ok "a missing program: one error naming it"
else
	nok "missing program" "rc=$RC $(cat "$ERR")"
fi
# the trainer: section checked at file:line:column
printf 'name: x\ntrainer: {command: python3 train.py}\n' >bad1.yaml
bad_usage "trainer.command not a list: exit 2 at file:line:column" "^lrsweep run: bad1.yaml:2:20: 'command' must be a list" run bad1.yaml --dry-run
printf 'name: x\ntrainer: {command: [a], timeout: soon}\n' >bad2.yaml
bad_usage "a bad duration: exit 2 at file:line:column" "^lrsweep run: bad2.yaml:2:[0-9]*: 'timeout' must be a positive duration" run bad2.yaml --dry-run
printf 'name: x\ntrainer: {command: [a]}\nmodel: {hidden: [8]}\n' >bad3.yaml
bad_usage "model: beside trainer: refused" "^lrsweep run: bad3.yaml:3:1: 'model' is for the built-in model" run bad3.yaml --dry-run
# the commands for the built-in model refuse a trainer: experiment, naming run
bad_usage "range-test of a trainer: experiment: exit 2, use run" "^lrsweep range-test: whole.yaml: its trainer: program trains, and .lrsweep run. drives it" \
	range-test whole.yaml --db "$T/rt.db"
bad_usage "train of a trainer: experiment: exit 2" "^lrsweep train: whole.yaml: its trainer: program trains" \
	train whole.yaml --schedule constant --lr 0.01 --db "$T/tr.db"
bad_usage "data of a trainer: experiment: exit 2" "^lrsweep data: whole.yaml: its trainer: program trains" data whole.yaml
[ "$(left)" = 0 ] && ok "no stub process left at the end" || nok "processes left" "$(pgrep -af "$T/")"
finish
