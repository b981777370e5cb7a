#!/usr/bin/env bash
# tests/e2e/perl_trainer.sh - tests/clients/perl_trainer.pl, a Perl trainer
# written from docs/trainers.md alone (JSON::PP on descriptor 3, autoflush,
# losses in batches, Adam with one_cycle's cycled beta1), through the whole
# pipeline on iris: the probe, an exponential range test, 12 trials (3
# schedules x 2 params x 2 seeds) under ASHA, query and report; Perl's NaN
# (printed NaN) a divergence at its step; Ctrl-C and the resume command
# that lrsweep names giving what an uninterrupted run gives. Skipped
# without perl's JSON::PP or sqlite3.
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
perl -MJSON::PP -e 1 2>/dev/null || { ok "skipped: no perl with JSON::PP"; finish; }
command -v sqlite3 >/dev/null || { ok "skipped: no sqlite3"; finish; }
q() { sqlite3 "$1" "$2"; }
left() { pgrep -f "perl_trainer[.]pl" | wc -l; }

# exp NAME EPOCHS [ENV]: the experiment file
exp() {
	cat <<YAML
name: $1
seed: 3
trainer:
  command: [perl, $REPO/tests/clients/perl_trainer.pl]
  timeout: 30 s
  ${3:+env: {$3\}}
params: {hidden: {grid: [0, 16]}}
optimizer: {type: adam, betas: [0.9, 0.999]}
batch_size: 16
range_test: {mode: exponential, start_lr: 1.0e-4, end_lr: 10, epochs: 10, eval_every: 7}
trials:
  epochs: $2
  seeds: [1, 2]
  schedules:
    - {type: one_cycle}
    - {type: cosine_annealing}
    - {type: exp_range, step_size: "1 epochs", gamma: 0.99}
  pruning: {type: asha, grace_epochs: 2, reduction_factor: 2}
YAML
}
exp perl-iris 8 >iris.yaml
run run iris.yaml --db "$T/p.db" --threads 2
# 70 steps (7 an epoch), evaluated at 0, 7, ..., 63 and the last, 69
if [ "$RC" -eq 0 ] && grep -q "^bounds (combined)" "$OUT" &&
   [ "$(q p.db "select count(*) || ' ' || count(accuracy) from range_points")" = "70 11" ] &&
   [ "$(q p.db "select count(*) from trials where status in ('completed', 'pruned')")" = 12 ] &&
   [ "$(q p.db "select count(*) from trials where status = 'pruned'")" -gt 0 ]; then
	ok "perl trainer: range test (70 points, 11 evaluations), bounds, 12 trials under ASHA"
else
	nok "perl trainer" "rc=$RC $(tail -c 400 "$ERR")"
fi
low=$(q p.db "select count(*) from trials where status = 'completed' and not test_accuracy > 0.8")
[ "$low" = 0 ] && ok "every completed trial learned (test accuracy > 0.8)" || nok "accuracy" "$low trials at or below 0.8"
run query "$T/p.db" compare
[ "$RC" -eq 0 ] && grep -q "params.hidden=16" "$OUT" && ok "query compare" || nok "query compare" "rc=$RC $(head -c 300 "$ERR")"
run report "$T/p.db" -o "$T/p.html"
[ "$RC" -eq 0 ] && grep -q "perl-iris" "$T/p.html" && ok "report" || nok "report" "rc=$RC $(cat "$ERR")"

# Perl's NaN (JSON::PP writes NaN) at step 9 of every trial: diverged there
exp perl-nan 4 "NAN_AT: '9'" | sed 's/^range_test: .*/range_test: {bounds: {min_lr: 0.001, max_lr: 0.01}}/' >nan.yaml
run run nan.yaml --db "$T/n.db" --threads 2
r=$(q n.db "select group_concat(distinct status || ' ' || diverged_at || ' ' || epochs_done) from trials")
[ "$RC" -eq 0 ] && [ "$r" = "diverged 9 1" ] && ok "Perl's NaN: every trial diverged at step 9, its first epoch kept" ||
	nok "NaN" "rc=$RC $r $(tail -c 300 "$ERR")"

# Ctrl-C, then the command the message names
exp perl-long 40 >long.yaml
"$LRSWEEP" run long.yaml --db "$T/int.db" --threads 2 >/dev/null 2>"$T/int.err" &
pid=$!
for i in $(seq 1 200); do
	[ "$(q int.db "select count(*) from trials where status != 'pending'" 2>/dev/null)" -ge 3 ] 2>/dev/null && break
	sleep 0.05
done
kill -INT $pid
wait $pid
rc=$?
hint=$(sed -n "s/.*'lrsweep run \\(--resume .*\\)' goes on\$/\\1/p" "$T/int.err")
if [ $rc = 130 ] && [ "$hint" = "--resume long.yaml --db $T/int.db" ] && [ "$(left)" = 0 ]; then
	ok "Ctrl-C: exit 130, no program left, the resume command named"
else
	nok "Ctrl-C" "rc=$rc left=$(left) $(tail -c 300 "$T/int.err")"
fi
eval "run run $hint --threads 2"
run2=$RC
run run long.yaml --db "$T/whole.db" --threads 2
M="select trial_key, status, best_val_accuracy, final_val_loss, epochs_done, test_accuracy from trials order by 1"
if [ "$run2" -eq 0 ] && [ "$RC" -eq 0 ] && [ "$(q int.db "$M")" = "$(q whole.db "$M")" ]; then
	ok "interrupted + resumed = uninterrupted, trial by trial"
else
	nok "resume" "rc=$run2/$RC $(diff <(q int.db "$M") <(q whole.db "$M") | head -4)"
fi
finish
