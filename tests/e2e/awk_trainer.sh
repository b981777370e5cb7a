#!/usr/bin/env bash
# tests/e2e/awk_trainer.sh - tests/clients/awk_trainer.sh, a trainer in
# bash (read -u and printf on descriptor 3) with an awk coprocess for the
# arithmetic, written from docs/trainers.md alone, through the whole
# pipeline on wine: the probe, a linear range test, 12 trials (triangular2,
# reduce_on_plateau, cosine_decay x 2 params x 2 seeds), query and report;
# awk's inf a divergence at its step. Skipped without awk or sqlite3.
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
command -v awk >/dev/null || { ok "skipped: no awk"; finish; }
command -v sqlite3 >/dev/null || { ok "skipped: no sqlite3"; finish; }
q() { sqlite3 "$1" "$2"; }

cat >wine.yaml <<YAML
name: awk-wine
seed: 7
trainer:
  command: [bash, $REPO/tests/clients/awk_trainer.sh]
  timeout: 30 s
params: {l2: {grid: [0, 0.01]}}
optimizer: {type: sgd, momentum: 0.9}
batch_size: 16
range_test: {mode: linear, start_lr: 1.0e-3, end_lr: 2, epochs: 6, eval_every: 8}
trials:
  epochs: 6
  seeds: [1, 2]
  schedules:
    - {type: triangular2, step_size: "1 epochs"}
    - {type: reduce_on_plateau, patience: 1}
    - {type: cosine_decay}
YAML
run run wine.yaml --db "$T/w.db" --threads 2
# 48 steps (8 an epoch), evaluated at 0, 8, ..., 40 and the last, 47
if [ "$RC" -eq 0 ] && grep -q "^bounds (combined)" "$OUT" &&
   [ "$(q w.db "select count(*) || ' ' || count(accuracy) from range_points")" = "48 7" ] &&
   [ "$(q w.db "select count(*) from trials where status = 'completed' and epochs_done = 6")" = 12 ]; then
	ok "bash+awk trainer: range test (48 points, 7 evaluations), bounds, 12 trials of 6 epochs"
else
	nok "bash+awk trainer" "rc=$RC $(tail -c 400 "$ERR")"
fi
low=$(q w.db "select count(*) from trials where not test_accuracy > 0.8")
[ "$low" = 0 ] && ok "every trial learned (test accuracy > 0.8)" || nok "accuracy" "$low trials at or below 0.8"
run query "$T/w.db" best
[ "$RC" -eq 0 ] && grep -q "l2" "$OUT" && ok "query best" || nok "query best" "rc=$RC $(head -c 300 "$ERR")"
run report "$T/w.db" -o "$T/w.html"
[ "$RC" -eq 0 ] && grep -q "awk-wine" "$T/w.html" && ok "report" || nok "report" "rc=$RC $(cat "$ERR")"

# awk's inf (printf of -log(0)) at step 11: a range test stops there
sed -e 's/name: awk-wine/name: awk-inf/' -e 's/^  timeout: 30 s/  timeout: 30 s\n  env: {INF_AT: "11"}/' wine.yaml >inf.yaml
run run inf.yaml --db "$T/i.db"
r=$(q i.db "select quote(stopped_at) || ' ' || (select count(*) from range_points) from range_tests")
[ "$r" = "11 11" ] && ok "awk's inf: the range test stopped at step 11" || nok "inf" "rc=$RC $r $(tail -c 300 "$ERR")"
sleep 0.2
left=$(pgrep -f "clients/awk_trainer[.]sh" | wc -l)
[ "$left" = 0 ] && ok "no trainer left" || nok "processes" "$(pgrep -af awk_trainer)"
finish
