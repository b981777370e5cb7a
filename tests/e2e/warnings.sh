#!/usr/bin/env bash
# tests/e2e/warnings.sh - two silent traps of `run` and `range-test` made
# loud: range-test settings given next to bounds (which skip the test) are
# named as unused, at the file's line:column or by their flags; and a run
# whose best trial does no better than always answering the validation
# split's majority class warns, still exiting 0. A file without bounds, and
# a problem the model learns, stay quiet.
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1

# blobs in a second; $1 = the range_test: section's lines (indented two)
exp() {
	cat <<EOF
name: warn
seed: 3
data:
  train: {format: synthetic, kind: blobs, samples: 300, classes: 3}
  validation: 0.2
model: {hidden: [8], activation: relu}
optimizer: {type: sgd, momentum: 0.9}
batch_size: 32
range_test:
$1
trials:
  epochs: 2
  seeds: [1]
EOF
}
has() { grep -c -- "$1" "$ERR"; }

# ----------------------------------------------------- settings next to bounds

exp "  bounds: {min_lr: 0.01, max_lr: 0.1}
  repeats: 3
  start_lr: 0.001" >keys.yaml
run run keys.yaml --db keys.db
want="lrsweep run: warning: keys.yaml:11:3: range_test.bounds is given, so no range test runs: repeats, start_lr are not used"
if [ "$RC" -eq 0 ] && [ "$(grep -cxF -- "$want" "$ERR")" -eq 1 ] && [ "$(has warning)" -eq 1 ]; then
	ok "range_test.bounds with repeats and start_lr: one warning naming both, at the first one's line:column"
else
	nok "file keys next to bounds" "rc=$RC $(head -c 400 "$ERR")"
fi

run run keys.yaml --db keys2.db --pick loss-valley
if [ "$RC" -eq 0 ] && [ "$(has "keys.yaml:11:3: range_test.bounds is given, so no range test runs: repeats, start_lr, --pick are not used")" -eq 1 ]; then
	ok "--pick next to range_test.bounds is named too"
else
	nok "--pick and file keys" "rc=$RC $(head -c 400 "$ERR")"
fi

exp "  repeats: 2
  epochs: 1" >plain.yaml
run run plain.yaml --db pick.db --min-lr 0.01 --max-lr 0.1 --pick accuracy
want="lrsweep run: warning: --min-lr/--max-lr are given, so no range test runs: --pick is not used"
if [ "$RC" -eq 0 ] && [ "$(grep -cxF -- "$want" "$ERR")" -eq 1 ] && ! grep -q "plain.yaml:" "$ERR"; then
	ok "--pick next to --min-lr/--max-lr: named by its flag"
else
	nok "--pick next to flags" "rc=$RC $(head -c 400 "$ERR")"
fi

run run plain.yaml --db flags.db --min-lr 0.01 --max-lr 0.1
if [ "$RC" -eq 0 ] && ! grep -q "no range test runs" "$ERR"; then
	ok "--min-lr/--max-lr alone: the file's range_test: settings serve runs without them, no warning"
else
	nok "flags alone" "rc=$RC $(head -c 400 "$ERR")"
fi

exp "  bounds: {min_lr: 0.01, max_lr: 0.1}" >only.yaml
run run only.yaml --db only.db
if [ "$RC" -eq 0 ] && ! grep -q "no range test runs" "$ERR"; then
	ok "range_test.bounds alone: no warning"
else
	nok "bounds alone" "rc=$RC $(head -c 400 "$ERR")"
fi

run run plain.yaml --db plain.db --pick accuracy
if [ "$RC" -eq 0 ] && ! grep -q "no range test runs\|not used" "$ERR" &&
   [ "$(sqlite3 plain.db "select count(*) from range_tests")" -eq 2 ]; then
	ok "a file without bounds: the range test runs, no warning"
else
	nok "no bounds" "rc=$RC $(head -c 400 "$ERR")"
fi

run run keys.yaml --db dry.db --dry-run
if [ "$RC" -eq 0 ] && [ "$(has "range_test.bounds is given, so no range test runs: repeats, start_lr are not used")" -eq 1 ]; then
	ok "--dry-run warns too"
else
	nok "dry run" "rc=$RC $(head -c 400 "$ERR")"
fi

run run keys.yaml --db quiet.db -q
if [ "$RC" -eq 0 ] && [ ! -s "$ERR" ]; then ok "-q: no warning"; else nok "quiet" "$(head -c 300 "$ERR")"; fi

# range-test runs the test it is asked for; the bounds are what it leaves
run range-test keys.yaml --db rt.db
want="lrsweep range-test: warning: keys.yaml:10:3: range_test.bounds is not used: range-test runs the test it is asked for (lrsweep run takes the bounds and skips the test)"
if [ "$RC" -eq 0 ] && [ "$(grep -cxF -- "$want" "$ERR")" -eq 1 ] &&
   [ "$(sqlite3 rt.db "select count(*) || ' ' || min(start_lr) from range_tests")" = "3 0.001" ]; then
	ok "range-test with range_test.bounds: the test runs with the file's settings, the bounds are named unused"
else
	nok "range-test and bounds" "rc=$RC $(sqlite3 rt.db "select count(*), min(start_lr) from range_tests") $(head -c 400 "$ERR")"
fi
run range-test plain.yaml --db rt2.db
if [ "$RC" -eq 0 ] && ! grep -q "not used" "$ERR"; then
	ok "range-test without bounds: no warning"
else
	nok "range-test without bounds" "rc=$RC $(head -c 400 "$ERR")"
fi

# ------------------------------------------------------- the majority class

# 400 rows of 4 random features; labels drawn apart from them, 65 % class
# "no": nothing to learn but the majority. $1 = seed, $2 = 1 to keep the
# labels random, 0 to make them follow the first feature.
csv() {
	/usr/bin/python3 - "$1" "$2" <<'PY'
import random, sys
r = random.Random(int(sys.argv[1]))
print("a,b,c,d,label")
for _ in range(400):
    x = [r.gauss(0, 1) for _ in range(4)]
    if sys.argv[2] == "1":
        y = "no" if r.random() < 0.65 else "yes"
    else:
        y = "no" if x[0] < 0.4 else "yes"
    print(",".join("%.4f" % v for v in x) + "," + y)
PY
}
csv 7 1 >shuffled.csv
csv 7 0 >learnable.csv
for f in shuffled learnable; do
	cat >$f.yaml <<EOF
name: $f
seed: 2
data:
  train: {format: csv, path: $f.csv, label: label}
  validation: 0.25
model: {hidden: [16], activation: relu}
optimizer: {type: sgd, momentum: 0.9}
batch_size: 32
range_test: {epochs: 2}
trials:
  epochs: 4
  seeds: [1, 2]
  schedules:
    - type: one_cycle
    - type: constant
EOF
done

run run shuffled.yaml --db shuffled.db
line=$(grep "no trial beat always predicting the majority class" "$ERR")
if [ "$RC" -eq 0 ] && [ "$(printf '%s\n' "$line" | grep -c .)" -eq 1 ] &&
   printf '%s\n' "$line" | grep -q '^lrsweep run: warning: no trial beat always predicting the majority class (class 0 "no", 0\.[0-9][0-9] of the validation samples): the model learned nothing from the features -- check the labels and features (lrsweep data shuffled.yaml)$'; then
	ok "labels drawn apart from the features: the majority-class warning, exit 0"
else
	nok "shuffled labels" "rc=$RC $(head -c 600 "$ERR")"
fi
# the share it names is the validation split's, as `lrsweep data` counts it
run data shuffled.yaml
counts=$(awk '$1 == "0" && $2 == "no" { n0 = $4 } $1 == "1" && $2 == "yes" { n1 = $4 } END { printf "%.2f", n0 / (n0 + n1) }' "$OUT")
if printf '%s\n' "$line" | grep -qF "$counts of the validation samples"; then
	ok "the share named is the validation split's majority share ($counts)"
else
	nok "share" "data says $counts; warning: $line"
fi
best=$(sqlite3 shuffled.db "select max(final_val_accuracy) from trials where status = 'completed'")
if awk -v b="$best" -v s="$counts" 'BEGIN { exit !(b <= s + 1.0 / 100 + 0.005) }'; then
	ok "the best final validation accuracy ($best) is indeed within a sample of the share ($counts)"
else
	nok "best vs share" "best $best share $counts"
fi

run run learnable.yaml --db learnable.db
best=$(sqlite3 learnable.db "select max(final_val_accuracy) from trials where status = 'completed'")
if [ "$RC" -eq 0 ] && ! grep -q "majority class" "$ERR"; then
	ok "labels that follow a feature: no warning (best final validation accuracy $best)"
else
	nok "learnable" "rc=$RC $(head -c 400 "$ERR")"
fi

run run shuffled.yaml --db shuffled.db --resume -q
if [ "$RC" -eq 0 ] && ! grep -q "majority class" "$ERR"; then ok "-q: no majority warning"; else nok "quiet majority" "$(head -c 300 "$ERR")"; fi

finish
