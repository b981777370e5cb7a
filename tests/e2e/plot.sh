#!/usr/bin/env bash
# tests/e2e/plot.sh - `lrsweep plot` on a database made by a real (small)
# run: every subject as PNG, SVG and on the terminal, and the errors.
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1

cat >exp.yaml <<'YAML'
name: p
seed: 5
data:
  train: {format: synthetic, kind: spirals, samples: 1500, classes: 3, noise: 0.2}
  validation: 0.2
  normalize: standardize
model: {hidden: [32], activation: relu}
optimizer: {type: sgd, momentum: 0.9}
batch_size: 32
range_test: {mode: exponential, start_lr: 1.0e-4, end_lr: 10, epochs: 6, repeats: 2}
trials:
  epochs: 5
  seeds: [1, 2]
  schedules:
    - type: constant
    - {type: triangular, step_size: "1 epochs"}
    - {type: reduce_on_plateau, patience: 1}
YAML
DB=$T/p.db
"$LRSWEEP" run exp.yaml --db "$DB" -q >/dev/null 2>&1 || { nok "setup run" "failed"; finish; }
for w in range-test curves schedules compare; do
	run plot "$DB" "$w" -o "$T/$w.png"
	if [ "$RC" -eq 0 ] && head -c 4 "$T/$w.png" | grep -q PNG; then ok "plot $w: PNG"; else nok "$w png" "rc=$RC $(cat "$ERR")"; fi
	run plot "$DB" "$w" -o "$T/$w.svg"
	if [ "$RC" -eq 0 ] && grep -q '<svg' "$T/$w.svg"; then ok "plot $w: SVG"; else nok "$w svg" "rc=$RC $(cat "$ERR")"; fi
	run plot "$DB" "$w" --terminal
	if [ "$RC" -eq 0 ] && [ "$(wc -l <"$OUT")" -gt 10 ]; then ok "plot $w: terminal"; else nok "$w terminal" "rc=$RC $(cat "$ERR")"; fi
done
# the legends name what differs, not every resolved parameter
if grep -q '>constant<' "$T/curves.svg" && grep -q '>triangular<' "$T/curves.svg" && ! grep -q 'total_iters' "$T/curves.svg"
then ok "legends: short configuration names"; else nok "legends" "$(grep -o '>[a-z_]*[^<]*<' "$T/curves.svg" | head -8 | tr '\n' ' ')"; fi
run plot "$DB" curves --per-trial -o "$T/pt.svg"
if [ "$RC" -eq 0 ] && grep -q 'seed 2' "$T/pt.svg"; then ok "curves --per-trial: one line per trial"; else nok "per-trial" "rc=$RC"; fi
# the range-test plot from the database is the one the range-test command draws
"$LRSWEEP" range-test exp.yaml --db "$T/rt.db" -q --plot "$T/direct.svg" >/dev/null 2>&1
run plot "$T/rt.db" range-test -o "$T/fromdb.svg"
if [ "$RC" -eq 0 ] && cmp -s "$T/direct.svg" "$T/fromdb.svg"; then ok "range-test plot from the database = the command's"
else nok "range-test from db" "rc=$RC differs"; fi

# while a run writes: every figure of the file as it grows (a model wide
# enough that the run lasts seconds, not the tens of milliseconds the small
# one takes, so the loop sees it write)
sed -e 's/samples: 1500/samples: 12000/' -e 's/seeds: \[1, 2\]/seeds: [1, 2, 3, 4, 5, 6]/' \
    -e 's/hidden: \[32\]/hidden: [256, 256]/' exp.yaml >long.yaml
"$LRSWEEP" run long.yaml --db "$T/live.db" --min-lr 0.005 --max-lr 0.05 -q >/dev/null 2>&1 &
pid=$!
fails=0 n=0
: >"$T/perr"
while kill -0 $pid 2>/dev/null && [ $n -lt 60 ]; do
	if sqlite3 "$T/live.db" "select 1 from epochs limit 1" 2>/dev/null | grep -q 1; then
		for w in curves schedules compare; do
			if ! "$LRSWEEP" plot "$T/live.db" $w -o "$T/live.svg" -q 2>"$T/perr1" &&
			   ! grep -q "no completed trial\|no lrsweep data yet\|no trial with a validation curve\|has run yet" "$T/perr1"; then
				fails=$((fails + 1))
				cat "$T/perr1" >>"$T/perr"   # keep every failure's message
			fi
			n=$((n + 1))
		done
	fi
	sleep 0.05
done
wait $pid
if [ $fails -eq 0 ] && [ $n -gt 0 ]; then ok "plots while a run writes ($n plots)"; else nok "live plots" "$fails of $n: $(cat "$T/perr")"; fi

"$LRSWEEP" run exp.yaml --db "$T/given.db" --min-lr 0.01 --max-lr 0.1 -q >/dev/null 2>&1
bad_usage "no range test" "no range test" plot "$T/given.db" range-test -o "$T/x.png"
bad_usage "unknown plot" "unknown plot 'curve'" plot "$DB" curve -o "$T/x.png"
bad_usage "no output" "-o F.png" plot "$DB" curves
bad_usage "bad extension" "must end in .png or .svg" plot "$DB" curves -o "$T/x.jpg"
bad_usage "missing database" "no such database" plot "$T/nope.db" curves -o "$T/x.png"
bad_usage "unknown experiment" "no experiment 'zz'" plot "$DB" curves -o "$T/x.png" --experiment zz
finish
