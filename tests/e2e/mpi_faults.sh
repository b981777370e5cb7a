#!/usr/bin/env bash
# tests/e2e/mpi_faults.sh - lrsweep-mpi in the hands of a careless cluster
# user: a worker rank whose data is missing (another working directory)
# or different ends every rank with one line naming the rank and the
# file, exit status 2, nothing stored; a worker rank signalled (SIGTERM)
# mid-sweep or mid-range-test, and mpirun given Ctrl-C, stop the run with
# everything finished stored, the running trials marked interrupted and
# the experiment interrupted, and --resume (plain lrsweep or lrsweep-mpi)
# finishes it to what an uninterrupted run stores; an external trainer's
# range-test repeats each log under their own name, and a trainer hanging
# on one rank fails its trial only. Every mpirun is bounded by timeout.
# Skipped when mpirun, lrsweep-mpi or sqlite3 is missing.
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
mpi_setup "MPI fault checks"
q() { sqlite3 "$1" "$2" 2>/dev/null; }
# the lines of stderr that are lrsweep's (not Open MPI's banners)
ours() { grep '^lrsweep' "$1"; }

METRICS="select trial_key, schedule, params, hyper, seed, status, epochs_done, iterations, best_val_accuracy,
	best_epoch, final_val_accuracy, final_val_loss, final_train_loss, test_accuracy from trials order by trial_key"
CURVES="select t.trial_key, e.epoch, e.iteration, e.lr, e.train_loss, e.train_accuracy, e.val_loss, e.val_accuracy
	from epochs e join trials t on t.id = e.trial_id order by 1, 2"
POINTS="select r.group_key, r.repeat, r.seed, r.stopped_at, p.iteration, p.lr, p.loss, p.smoothed_loss, p.accuracy
	from range_points p join range_tests r on r.id = p.range_test_id order by 1, 2, 5"
BOUNDS="select group_key, rule, min_lr, max_lr, chosen from bounds order by 1, 2"
# same_as A B: A's stored results are B's, A is completed and sound
same_as() {
	cmp -s <(q "$1" "$METRICS") <(q "$2" "$METRICS") && cmp -s <(q "$1" "$CURVES") <(q "$2" "$CURVES") &&
	cmp -s <(q "$1" "$POINTS") <(q "$2" "$POINTS") && cmp -s <(q "$1" "$BOUNDS") <(q "$2" "$BOUNDS") &&
	[ "$(q "$1" "select group_concat(status) from experiments")" = completed ] &&
	[ "$(q "$1" "pragma integrity_check")" = ok ]
}

# --- a worker rank without the data, or with other data ------------------
/usr/bin/python3 - <<'P'
import random
random.seed(1)
with open('d.csv', 'w') as f:
    f.write('a,b,label\n')
    for i in range(300):
        c = i % 3
        f.write(f"{random.gauss(c, 0.5):.4f},{random.gauss(-c, 0.5):.4f},{c}\n")
P
mkdir -p elsewhere other
cp d.csv other/d.csv
echo "9.5,9.5,2" >>other/d.csv
cat >csv.yaml <<'YAML'
name: csv
data:
  train: {format: csv, path: d.csv, label: last}
  validation: 0.2
model: {hidden: [8]}
batch_size: 32
range_test: {bounds: {min_lr: 0.01, max_lr: 0.1}}
trials: {epochs: 1}
YAML
# rank 1 runs in another directory, where d.csv (relative) is not
printf -- '-np 1 %s run %s/csv.yaml --db %s/miss.db\n-np 1 env -C %s/elsewhere %s run %s/csv.yaml --db %s/miss.db\n' \
	"$T/lrsweep-mpi" "$T" "$T" "$T" "$T/lrsweep-mpi" "$T" "$T" >miss.app
timeout 60 mpirun --oversubscribe --app miss.app >"$OUT" 2>"$ERR"
RC=$?
if [ $RC -eq 2 ] && [ "$(ours "$ERR" | wc -l)" = 1 ] &&
   ours "$ERR" | grep -q "rank 1 (host [^)]*): $T/csv.yaml:3:30: d.csv: cannot open (No such file or directory)" &&
   [ ! -e miss.db ]; then
	ok "a worker rank that cannot open the data: exit 2, one line naming the rank and the file, nothing stored"
else
	nok "worker without data" "rc=$RC $(ours "$ERR" | head -c 400) db: $(ls miss.db* 2>&1)"
fi
# rank 2 reads a d.csv with one more row
printf -- '-np 2 %s run %s/csv.yaml --db %s/diff.db\n-np 1 env -C %s/other %s run %s/csv.yaml --db %s/diff.db\n' \
	"$T/lrsweep-mpi" "$T" "$T" "$T" "$T/lrsweep-mpi" "$T" "$T" >diff.app
timeout 60 mpirun --oversubscribe --app diff.app >"$OUT" 2>"$ERR"
RC=$?
if [ $RC -eq 2 ] && [ "$(ours "$ERR" | wc -l)" = 1 ] &&
   ours "$ERR" | grep -q "rank 2 (host [^)]*) loaded other data than rank 0 (host [^)]*) from d.csv of $T/csv.yaml" &&
   [ ! -e diff.db ]; then
	ok "a worker rank whose data file differs: exit 2, one line naming the rank and the file, nothing stored"
else
	nok "worker with other data" "rc=$RC $(ours "$ERR" | head -c 400) db: $(ls diff.db* 2>&1)"
fi

# --- signals -------------------------------------------------------------
cat >sweep.yaml <<'YAML'
name: faults
seed: 5
data:
  train: {format: synthetic, kind: spirals, samples: 12000, classes: 3, noise: 0.2}
  test: {format: synthetic, kind: spirals, samples: 300, classes: 3, noise: 0.2}
  validation: 0.2
model: {hidden: [256, 256], activation: relu}
optimizer: {type: sgd, momentum: 0.9}
batch_size: 32
range_test: {bounds: {min_lr: 0.002, max_lr: 0.02}}
trials:
  epochs: 6
  seeds: [1, 2, 3, 4, 5, 6, 7, 8]
  schedules:
    - type: constant
    - {type: triangular, step_size: "2 epochs"}
YAML
# the range test long enough to be stopped midway, the trials short
sed -e 's/^range_test: .*/range_test: {mode: linear, start_lr: 1.0e-4, end_lr: 0.05, epochs: 12, repeats: 2}/' \
    -e 's/epochs: 6/epochs: 1/' sweep.yaml >range.yaml
"$LRSWEEP" run sweep.yaml --db "$T/sweep_whole.db" -q >/dev/null 2>&1
"$LRSWEEP" run range.yaml --db "$T/range_whole.db" -q >/dev/null 2>&1

# rank_pid DB N: the pid of rank N of the job writing DB
rank_pid() {
	local p
	for p in $(pgrep -x lrsweep-mpi); do
		tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q -- "$1" &&
			tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$2" && echo "$p"
	done
}
mpirun_pid() {
	local p
	for p in $(pgrep -x mpirun); do tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q -- "$1" && echo "$p"; done
}
# start YAML DB: a 3-rank job in the background ($JOB its pid)
start() {
	timeout 120 mpirun --oversubscribe -np 3 "$T/lrsweep-mpi" run "$1" --db "$T/$2" -q >/dev/null 2>"$T/$2.err" &
	JOB=$!
}
# wait_for DB SQL: until SQL on DB answers nonzero (or the job ended)
wait_for() {
	for _ in $(seq 1 1200); do
		[ "$(q "$T/$1" "$2")" -ge 1 ] 2>/dev/null && return 0
		kill -0 $JOB 2>/dev/null || return 1
		sleep 0.02
	done
	return 1
}
INTERRUPTED="select (select group_concat(status) from experiments) || ' ' ||
	(select count(*) from trials where status = 'interrupted') || ' ' ||
	(select count(*) from trials where status = 'running')"

# a worker rank gets SIGTERM mid-sweep (scancel of its node, a kill)
start sweep.yaml term.db
wait_for term.db "select count(*) from trials where status = 'completed'"
kill -TERM "$(rank_pid term.db 1)" 2>/dev/null
wait $JOB
RC=$?
state=$(q term.db "$INTERRUPTED")
kept=$(q term.db "select count(*) from trials where status = 'completed'")
"$LRSWEEP" run sweep.yaml --db "$T/term.db" --resume -q >/dev/null 2>"$ERR"
R2=$?
read -r st_exp st_int st_run <<<"$state"
if [ $RC -eq 130 ] && [ "$st_exp" = interrupted ] && [ "${st_int:-0}" -ge 1 ] && [ "$st_run" = 0 ] && [ "$kept" -ge 1 ] &&
   [ $R2 -eq 0 ] && same_as term.db sweep_whole.db; then
	ok "SIGTERM to a worker rank mid-sweep: exit 130, $kept trials kept, the running one interrupted; lrsweep run --resume finishes it as an uninterrupted run"
else
	nok "worker SIGTERM mid-sweep" "rc=$RC state='$state' kept=$kept resume=$R2 $(ours "$T/term.db.err" | tail -2)"
fi

# rank 0 alone gets SIGTERM or SIGINT mid-sweep (a scheduler or a user
# killing that one process): it tells the worker ranks to stop, their
# running trials come back interrupted (without that, the workers trained
# them to the end and they were stored completed), every rank ends, and
# --resume under lrsweep-mpi or plain lrsweep finishes it
# rank0_stop SIGNAL DB WHO RESUME...: the run of sweep.yaml into DB, rank 0
# sent SIGNAL after a trial completed, then WHO's RESUME... --db DB --resume
rank0_stop() {
	local sig=$1 db=$2 who=$3
	shift 3
	start sweep.yaml "$db"
	wait_for "$db" "select count(*) from trials where status = 'completed'"
	kill "-$sig" "$(rank_pid "$db" 0)" 2>/dev/null
	wait $JOB
	RC=$?
	left="$(rank_pid "$db" 0)$(rank_pid "$db" 1)$(rank_pid "$db" 2)"
	state=$(q "$db" "$INTERRUPTED")
	kept=$(q "$db" "select count(*) from trials where status = 'completed'")
	"$@" run sweep.yaml --db "$T/$db" --resume -q >/dev/null 2>"$ERR"
	R2=$?
	read -r st_exp st_int st_run <<<"$state"
	if [ $RC -eq 130 ] && [ -z "$left" ] && [ "$st_exp" = interrupted ] && [ "${st_int:-0}" -ge 1 ] &&
	   [ "$st_run" = 0 ] && [ $R2 -eq 0 ] && same_as "$db" sweep_whole.db; then
		ok "SIG$sig to rank 0 alone mid-sweep: exit 130, no rank left, $kept trials kept, the workers' running ones ($st_int) interrupted; $who --resume finishes it as an uninterrupted run"
	else
		nok "rank 0 SIG$sig mid-sweep" "rc=$RC left='$left' state='$state' kept=$kept resume=$R2 $(ours "$T/$db.err" | tail -2) $(ours "$ERR" | tail -2)"
	fi
}
rank0_stop TERM r0term.db lrsweep-mpi timeout 120 mpirun --oversubscribe -np 3 "$T/lrsweep-mpi"
rank0_stop INT r0int.db "lrsweep run" "$LRSWEEP"

# Ctrl-C to mpirun mid-sweep, then --resume under MPI. mpirun takes up to 2 s
# to pass the signal on (Open MPI 4.1.4): 16 trials of about 0.5 s on two
# workers outlast that; with 8 the sweep often ended first (2 in 6 runs)
start sweep.yaml int.db
wait_for int.db "select count(*) from trials where status = 'completed'"
kill -INT "$(mpirun_pid int.db)" 2>/dev/null
wait $JOB
RC=$?
state=$(q int.db "$INTERRUPTED")
timeout 120 mpirun --oversubscribe -np 3 "$T/lrsweep-mpi" run sweep.yaml --db "$T/int.db" --resume -q >/dev/null 2>"$ERR"
R2=$?
# mpirun itself exits 1 after Ctrl-C whatever the ranks return (Open MPI's
# policy, docs/mpi.md): what tells the user is the stored status, and rank
# 0's line that it stopped
if [ "${state%% *}" = interrupted ] && [ "${state##* }" = 0 ] &&
   ours "$T/int.db.err" | grep -q "^lrsweep-mpi run: interrupted: [0-9]* trials\{0,1\} finished and stored" &&
   [ $R2 -eq 0 ] && same_as int.db sweep_whole.db; then
	ok "Ctrl-C to mpirun mid-sweep (mpirun exit $RC): the experiment stored interrupted, no trial left running, rank 0 says so; lrsweep-mpi --resume finishes it as an uninterrupted run"
else
	nok "mpirun SIGINT mid-sweep" "rc=$RC state='$state' resume=$R2 $(ours "$T/int.db.err" | tail -2) $(ours "$ERR" | tail -2)"
fi

# a worker rank gets SIGTERM mid-range-test: the test cut short is not kept
start range.yaml rterm.db
wait_for rterm.db "select count(*) from experiments"
sleep 0.3
kill -TERM "$(rank_pid rterm.db 2)" 2>/dev/null
wait $JOB
RC=$?
state=$(q rterm.db "select (select group_concat(status) from experiments) || ' ' || (select count(*) from range_tests)")
"$LRSWEEP" run range.yaml --db "$T/rterm.db" --resume -q >/dev/null 2>"$ERR"
R2=$?
if [ $RC -eq 130 ] && [ "$state" = "interrupted 0" ] && [ $R2 -eq 0 ] && same_as rterm.db range_whole.db; then
	ok "SIGTERM to a worker rank mid-range-test: exit 130, experiment interrupted, nothing of the test kept; --resume runs it as an uninterrupted run"
else
	nok "worker SIGTERM mid-range-test" "rc=$RC state='$state' resume=$R2 $(ours "$T/rterm.db.err" | tail -2)"
fi

# --- external trainers ---------------------------------------------------
STUB=$T/stub_trainer
if cc -std=c11 -O2 -o "$STUB" "$REPO/tests/clients/stub_trainer.c" -lm 2>"$T/cc.log"; then
	cat >ext.yaml <<EOF
name: ext
seed: 3
trainer:
  command: [$STUB]
  startup_timeout: 5 s
  timeout: 2 s
  grace: 1 s
params: {scale: 1}
optimizer: {type: sgd, momentum: 0.9}
batch_size: 10
range_test: {mode: exponential, start_lr: 1.0e-4, end_lr: 10, iterations: 200, eval_every: 10, repeats: 2}
trials:
  epochs: 3
  seeds: [1, 2, 3, 4]
  schedules:
    - {type: triangular, step_size: "1 epochs"}
EOF
	timeout 120 mpirun --oversubscribe -np 3 "$T/lrsweep-mpi" run ext.yaml --db "$T/ext.db" -q >/dev/null 2>"$ERR"
	RC=$?
	if [ $RC -eq 0 ] && grep -qx 'config mode=range-test key=range-1-0 .*' <(head -1 ext-logs/range-1-0.log) &&
	   grep -qx 'config mode=range-test key=range-1-1 .*' <(head -1 ext-logs/range-1-1.log); then
		ok "an external trainer's range-test repeats on the ranks: each under its own name and log (range-1-0, range-1-1)"
	else
		nok "external repeats' logs" "rc=$RC $(ls ext-logs | tr '\n' ' ') $(head -qn1 ext-logs/range-1*.log 2>&1 | head -c 300)"
	fi
	# the program hangs on rank 2 only: its trial fails, the others complete
	sed 's/^range_test: .*/range_test: {bounds: {min_lr: 0.001, max_lr: 0.01}}/' ext.yaml >hang.yaml
	printf -- '-np 2 %s run %s/hang.yaml --db %s/hang.db\n-np 1 -x STUB_FAULT=hang -x STUB_FAULT_AT=5 %s run %s/hang.yaml --db %s/hang.db\n' \
		"$T/lrsweep-mpi" "$T" "$T" "$T/lrsweep-mpi" "$T" "$T" >hang.app
	timeout 120 mpirun --oversubscribe --app hang.app >/dev/null 2>"$ERR"
	RC=$?
	st=$(q hang.db "select sum(status = 'completed'), sum(status = 'failed'), count(*) from trials")
	if [ $RC -eq 0 ] && [ "${st%%|*}" -ge 1 ] && [ "$(echo "$st" | cut -d'|' -f2)" -ge 1 ] && [ "${st##*|}" = 4 ] &&
	   [ "$(q hang.db "select count(*) from trials where status = 'failed' and error not like '%trainer.timeout%'")" = 0 ] &&
	   [ -z "$(pgrep -f "$STUB")" ]; then
		ok "a trainer hanging on one rank: its trials fail on trainer.timeout ($st), the others complete, no program left"
	else
		nok "trainer hanging on one rank" "rc=$RC st=$st $(ours "$ERR" | tail -2)"
	fi
else
	nok "build the stub trainer" "$(head -c 300 "$T/cc.log")"
fi
finish
