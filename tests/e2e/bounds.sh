#!/usr/bin/env bash
# tests/e2e/bounds.sh - where the bounds come from, on synthetic data in
# seconds: the probe that sets a linear test's range when none is given,
# the fallback when the rule asked for cannot pick (stored note, warning,
# the trials get the stand-in's bounds), `run --pick`, the error when no
# rule can pick, the warning when the repeats' picks spread over 2x, and
# combined's scaling for trials longer or shorter than the test.
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1

# blobs in a second; $1 = seed, $2 = the range_test: mapping's contents
exp() {
	cat <<EOF
name: bounds-$1
seed: $1
data:
  train: {format: synthetic, kind: blobs, samples: ${3:-300}, classes: 3}
  validation: 0.2
model: {hidden: [8], activation: relu}
optimizer: {type: sgd, momentum: 0.9}
batch_size: ${4:-32}
range_test: {$2}
trials:
  epochs: ${5:-2}
  seeds: [1]
  schedules:
    - type: constant
EOF
}
q() { sqlite3 "$1" "$2"; }

# ---------------------------------------------------------------- the probe

exp 5 "repeats: 1" >probe.yaml
run range-test probe.yaml --db probe.db
range=$(q probe.db "select start_lr || ' ' || end_lr || ' ' || iterations from range_tests")
set -- $range
if [ "$RC" = 0 ] && grep -q "^lrsweep: probe (exponential 1e-07 -> 10, 200 updates)" "$ERR" &&
   awk -v s="$1" -v e="$2" 'BEGIN { exit !(e > s && e != 1 && s != 0.0001) }' && [ "$3" -ge 500 ]; then
	ok "no range given: a probe sets the linear test's range ($1 .. $2, $3 iterations)"
else
	nok "probe" "rc=$RC range=$range $(head -c 300 "$ERR")"
fi
if grep -q "^range test: linear $1 -> $2 over $3 iterations" "$OUT" 2>/dev/null ||
   grep -q "^range test: linear .* over $3 iterations" "$OUT"; then
	ok "the summary shows the probed range"
else
	nok "probed range in the summary" "$(head -3 "$OUT")"
fi
exp 5 "repeats: 1, start_lr: 0.001, end_lr: 0.5" >given.yaml
run range-test given.yaml --db given.db
if [ "$RC" = 0 ] && ! grep -q probe "$ERR" &&
   [ "$(q given.db "select start_lr || ' ' || end_lr from range_tests")" = "0.001 0.5" ]; then
	ok "a range given: no probe, the range as given"
else
	nok "range given" "rc=$RC $(q given.db "select start_lr, end_lr from range_tests") $(head -c 200 "$ERR")"
fi
run range-test probe.yaml --db given2.db --mode exponential
if [ "$RC" = 0 ] && ! grep -q probe "$ERR"; then ok "an exponential test: no probe"; else nok "exponential" "$(head -c 200 "$ERR")"; fi

# ---------------------------------------------------------------- fallback

# one accuracy evaluation: the accuracy rule cannot pick
exp 5 "repeats: 2, eval_every: 1000" >fallback.yaml
run run fallback.yaml --db fb.db --pick accuracy
chosen=$(q fb.db "select rule from bounds where chosen = 1")
note=$(q fb.db "select note from bounds where chosen = 1")
if [ "$RC" = 0 ] && [ "$chosen" = combined ] &&
   [ "$(q fb.db "select count(*) from bounds where rule = 'accuracy' and min_lr is null")" = 1 ] &&
   case "$note" in "chosen because accuracy could not pick (only 1 accuracy evaluation"*) true ;; *) false ;; esac; then
	ok "accuracy cannot pick: combined stands in, its note says why"
else
	nok "fallback" "rc=$RC chosen=$chosen note=$note $(head -c 300 "$ERR")"
fi
if grep -q "^lrsweep: warning: combined: chosen because accuracy could not pick" "$ERR" &&
   grep -q "^bounds (combined, in place of accuracy): " "$OUT"; then
	ok "the stand-in is announced on stderr and in the summary"
else
	nok "fallback shown" "$(grep -i warning "$ERR" | head -3)"
fi
max=$(q fb.db "select max_lr from bounds where chosen = 1")
lr=$(q fb.db "select json_extract(params, '$.lr') from trials")
if awk -v a="$max" -v b="$lr" 'BEGIN { exit !(a > 0 && (a - b) * (a - b) < 1e-24) }'; then
	ok "the trials run with the stand-in's bounds (lr = @max = $lr)"
else
	nok "trials' bounds" "max_lr $max, trial lr $lr"
fi

# ---------------------------------------------------------------- --pick

run run fallback.yaml --db pick.db --pick loss-min10
max=$(q pick.db "select max_lr from bounds where rule = 'loss-min10'")
lr=$(q pick.db "select json_extract(params, '$.lr') from trials")
if [ "$RC" = 0 ] && [ "$(q pick.db "select rule from bounds where chosen = 1")" = loss-min10 ] &&
   awk -v a="$max" -v b="$lr" 'BEGIN { exit !(a > 0 && (a - b) * (a - b) < 1e-24) }'; then
	ok "run --pick loss-min10: its bounds are chosen and feed the trials"
else
	nok "run --pick" "rc=$RC $(q pick.db "select rule, chosen from bounds") lr=$lr"
fi
bad_usage "run --pick unknown" "did you mean 'loss-valley'" run fallback.yaml --pick loss-valey
[ -e "$T/results" ] && nok "bad --pick" "created results/" || ok "bad --pick stores nothing"

# ---------------------------------------------------------------- horizon

# one curve (40 updates, 8 an epoch), trials of 5 and 20 epochs: combined's
# bounds for 160 updates are (160 / 40)^-1/4 = 0.7071 times those for 40,
# the other rules' the same; `run` reads the trials' length as range-test does
for e in 5 20; do
	exp 5 "repeats: 1, start_lr: 0.001, end_lr: 0.5, iterations: 40, eval_every: 4" 300 32 $e >h$e.yaml
	run range-test h$e.yaml --db h$e.db
	[ "$RC" = 0 ] || nok "horizon range-test $e" "rc=$RC $(head -c 300 "$ERR")"
done
c5=$(q h5.db "select max_lr from bounds where rule = 'combined'")
c20=$(q h20.db "select max_lr from bounds where rule = 'combined'")
n5=$(q h5.db "select coalesce(note, '') from bounds where rule = 'combined'")
n20=$(q h20.db "select note from bounds where rule = 'combined'")
same=$(q h5.db "attach 'h20.db' as b; select count(*) from bounds a join b.bounds o using (rule)
                where a.rule <> 'combined' and a.max_lr is o.max_lr")
if awk -v a="$c5" -v b="$c20" 'BEGIN { r = b / a; exit !(a > 0 && r > 0.70710 && r < 0.70711) }' &&
   case "$n5" in *scaled*) false ;; *) true ;; esac && [ "$same" = 4 ] &&
   case "$n20" in "$n5; scaled x0.71 for trials 4x the test's length" | "scaled x0.71 for"*) true ;; *) false ;; esac; then
	ok "combined scales for trials 4x the test's length (x0.71, noted); the other rules do not"
else
	nok "horizon" "combined $c5 -> $c20 note '$n5' -> '$n20', same $same"
fi
run run h20.yaml --db hrun.db
lr=$(q hrun.db "select json_extract(params, '$.lr') from trials")
if [ "$RC" = 0 ] && [ "$(q hrun.db "select max_lr from bounds where chosen = 1")" = "$c20" ] &&
   awk -v a="$c20" -v b="$lr" 'BEGIN { exit !(a > 0 && (a - b) * (a - b) < 1e-24) }'; then
	ok "run scales as range-test does, and its trials run at the scaled @max"
else
	nok "horizon in run" "rc=$RC $(q hrun.db "select rule, max_lr from bounds where chosen = 1") lr=$lr c20=$c20"
fi

# ---------------------------------------------------------------- no rule

# eight updates at rates too small to move the loss: no rule can pick
exp 5 "repeats: 1, start_lr: 1.0e-9, end_lr: 2.0e-9, iterations: 8, eval_every: 4" >none.yaml
run run none.yaml --db none.db
if [ "$RC" = 1 ] && grep -q "no rule could pick bounds" "$ERR" && grep -q "eval_every" "$ERR" &&
   grep -q "range_test.epochs or iterations" "$ERR" && grep -q "start_lr 1e-09, end_lr 2e-09" "$ERR" &&
   [ "$(q none.db "select count(*) from trials")" = 0 ] &&
   [ "$(q none.db "select status from experiments")" = failed ]; then
	ok "no rule can pick: exit 1, the message names the settings to change, no trial runs"
else
	nok "no rule" "rc=$RC $(tail -c 400 "$ERR")"
fi

# ---------------------------------------------------------------- spread

# 120 blobs, batch 8, three repeats: seed 2's picks spread 7.5x, seed 4's 1.04x
exp 2 "repeats: 3, eval_every: 10" 120 8 >spread.yaml
run range-test spread.yaml --db spread.db
note=$(q spread.db "select note from bounds where chosen = 1")
if [ "$RC" = 0 ] && grep -q "^lrsweep: warning: combined: the repeats' picks spread [0-9.]*x: more repeats" "$ERR" &&
   case "$note" in *"the repeats' picks spread "*"x: more repeats (range_test.repeats) would narrow it"*) true ;; *) false ;; esac; then
	ok "repeats spread over 2x: a warning, and the note stored"
else
	nok "spread warning" "rc=$RC note=$note $(grep spread "$OUT" "$ERR" | head -3)"
fi
exp 4 "repeats: 3, eval_every: 10" 120 8 >tight.yaml
run range-test tight.yaml --db tight.db
spread=$(q tight.db "select max(min_lr_spread, max_lr_spread) from bounds where chosen = 1")
if [ "$RC" = 0 ] && ! grep -q "spread" "$ERR" && awk -v s="$spread" 'BEGIN { exit !(s < 2) }'; then
	ok "repeats within 2x ($spread): no warning"
else
	nok "no spread warning" "rc=$RC spread=$spread $(grep spread "$ERR")"
fi

# ---------------------------------------------------------------- cycled momentum

# one_cycle cycles SGD's momentum 0.95 -> 0.85 -> 0.95 (PyTorch's default):
# with momentum 0.99 in the range test, its steps at the peak rate are 15x
# smaller (lr / (1 - momentum)); plain SGD's 6.67x larger; 0.9's 1.5x: fine
cycled() {
	exp 5 "repeats: 1" | sed -e "s/momentum: 0.9}/momentum: $1}/" -e "s/- type: constant/- {type: one_cycle$2}/" >cyc.yaml
	run run cyc.yaml --db cyc.db --dry-run
}
cycled 0.99 ""
if [ "$RC" = 0 ] && grep -q "^lrsweep run: warning: cyc.yaml: one_cycle cycles momentum between 0.85 and 0.95 (cycle_momentum), lowest where its rate peaks" "$ERR" &&
   grep -q "steps there are 15x smaller than those the test reads" "$ERR" &&
   grep -q "base_momentum and max_momentum near 0.99, or cycle_momentum: false" "$ERR"; then
	ok "one_cycle with momentum 0.99: a warning that its steps are 15x smaller than the test's"
else
	nok "cycled momentum warning" "rc=$RC $(head -c 400 "$ERR")"
fi
cycled 0 ""
if [ "$RC" = 0 ] && grep -q "steps there are 6.67x larger than those the test reads" "$ERR"; then
	ok "one_cycle with plain SGD: 6.67x larger"
else
	nok "cycled momentum, plain SGD" "rc=$RC $(head -c 400 "$ERR")"
fi
for case in "0.9|" "0.99|, cycle_momentum: false" "0.99|, base_momentum: 0.985, max_momentum: 0.99"; do
	cycled "${case%%|*}" "${case#*|}"
	if [ "$RC" = 0 ] && ! grep -q "cycles momentum" "$ERR"; then
		ok "no momentum warning: momentum ${case%%|*}${case#*|}"
	else
		nok "no momentum warning (${case%%|*}${case#*|})" "rc=$RC $(head -c 300 "$ERR")"
	fi
done

# two cycling schedules off: the warning quotes the farthest (one_cycle
# down to 0.5: 50x; cyclic's 0.8: 20x), whichever comes first
exp 5 "repeats: 1" | sed -e "s/momentum: 0.9}/momentum: 0.99}/" \
	-e "s/- type: constant/- {type: cyclic, step_size_up: 10}\n    - {type: one_cycle, base_momentum: 0.5}/" >cyc.yaml
run run cyc.yaml --db cyc3.db --dry-run
if [ "$RC" = 0 ] && grep -q "one_cycle cycles momentum between 0.5 and 0.95 (cycle_momentum)" "$ERR" &&
   grep -q "50x smaller than those the test reads" "$ERR" && grep -q "(2 of the plan's 2 configurations; the farthest off: " "$ERR"; then
	ok "two schedules off: the warning quotes the farthest (one_cycle, 50x), counts both"
else
	nok "cycled momentum, farthest" "rc=$RC $(head -c 500 "$ERR")"
fi

# the range test's momentum is the group's (momentum is no grouping key):
# trials varying it share the experiment's, which one_cycle replaces
for case in "0.9|0" "0.99|2"; do
	exp 5 "repeats: 1" | sed -e "s/momentum: 0.9}/momentum: ${case%%|*}}/" -e "s/- type: constant/- {type: one_cycle}/" >cyc.yaml
	printf '  space:\n    optimizer.momentum: {grid: [0.9, 0.99]}\n' >>cyc.yaml
	run run cyc.yaml --db cyc2.db --dry-run
	want=${case#*|}
	if [ "$RC" = 0 ] && { { [ "$want" = 0 ] && ! grep -q "cycles momentum" "$ERR"; } ||
	   grep -q "with optimizer.momentum 0.99: .*15x smaller.*(2 of the plan's 2 configurations" "$ERR"; }; then
		ok "momentum varied by the space, the test's ${case%%|*}: $want configurations warned about"
	else
		nok "cycled momentum, space (${case%%|*})" "rc=$RC $(head -c 400 "$ERR")"
	fi
done

finish
