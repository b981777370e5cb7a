#!/usr/bin/env bash
# tests/e2e/train.sh - end-to-end tests of experiment files, `lrsweep data`
# and `lrsweep train`: a real run on synthetic data, determinism, and every
# kind of bad experiment file (exit 2, one `file:line:column: message` line
# per problem, nothing on stdout).
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
QUICK=$REPO/experiments/quick_synthetic.yaml

# ------------------------------------------------------------ a real run
run train "$QUICK" --lr 0.1 --epochs 5
if [ "$RC" -eq 0 ] && [ "$(wc -l <"$OUT")" -eq 8 ] && grep -q '^test_accuracy' "$OUT" &&
   tail -1 "$OUT" | grep -q '^stored in results/quick-synthetic.db (experiment 1, trial 1)$'; then
	ok "train quick_synthetic: header, 5 epoch lines, test accuracy, where it is stored"
else
	nok "train quick_synthetic" "rc=$RC, $(wc -l <"$OUT") lines: $(head -c 300 "$ERR")"
fi
acc=$(awk '/^test_accuracy/ { print $2 }' "$OUT")
if awk -v a="${acc:-0}" 'BEGIN { exit !(a > 0.9) }'; then
	ok "spirals learned (test accuracy $acc > 0.9)"
else
	nok "spirals learned" "test accuracy $acc"
fi
cut -c1-60 "$OUT" | grep -v '^test\|^stored' >"$T/run1"
run train "$QUICK" --lr 0.1 --epochs 5
cut -c1-60 "$OUT" | grep -v '^test\|^stored' >"$T/run2"
if cmp -s "$T/run1" "$T/run2"; then ok "same seed, same numbers"; else nok "determinism" "$(diff "$T/run1" "$T/run2" | head -4)"; fi
run train "$QUICK" --lr 0.1 --epochs 5 --seed 99
cut -c1-60 "$OUT" | grep -v '^test\|^stored' >"$T/run3"
if ! cmp -s "$T/run1" "$T/run3"; then ok "another seed, other numbers"; else nok "seed" "--seed 99 changed nothing"; fi

run train "$QUICK" --schedule one_cycle --max_lr 0.2 --epochs 3
if [ "$RC" -eq 0 ] && [ "$(wc -l <"$OUT")" -eq 6 ]; then ok "train with one_cycle"; else nok "train one_cycle" "rc=$RC $(head -c 300 "$ERR")"; fi
run train "$QUICK" --schedule sgdr --min-lr 0.01 --max-lr 0.2 --cycle_length 1 --epochs 3
if [ "$RC" -eq 0 ]; then ok "train with sgdr and @min/@max defaults"; else nok "train sgdr" "rc=$RC $(head -c 300 "$ERR")"; fi
run train "$QUICK" --schedule reduce_on_plateau --lr 0.1 --patience 0 --epochs 3
if [ "$RC" -eq 0 ]; then ok "train with reduce_on_plateau"; else nok "train reduce_on_plateau" "rc=$RC $(head -c 300 "$ERR")"; fi
run train "$QUICK" --lr 1e12 --epochs 2
if [ "$RC" -eq 0 ] && grep -q '^diverged at step' "$OUT"; then ok "divergence reported"; else nok "divergence" "rc=$RC $(cat "$OUT" | tail -2)"; fi

# ------------------------------------------------------ the run stored
# the runs above went to the default results/quick-synthetic.db: one
# experiment of one trial each, with every epoch and the printed numbers
DB=results/quick-synthetic.db
q() { sqlite3 -batch "$DB" "$@"; }
if [ "$(q 'select count(*) from experiments')" -eq 7 ] && [ "$(q "select count(*) from experiments where command = 'train'")" -eq 7 ] &&
   [ "$(q "select count(*) from experiments where status = 'completed'")" = "$(q 'select count(*) from experiments')" ] &&
   [ "$(q 'select count(*) from trials group by experiment_id' | sort -u)" = 1 ]; then
	ok "train --db (default): one completed experiment of one trial per run"
else
	nok "train stores" "$(q 'select id, status from experiments' | tr '\n' ' ')"
fi
run train "$QUICK" --lr 0.1 --epochs 4 --seed 7 --db "$T/t.db"
acc=$(awk '/^test_accuracy/ { print $2 }' "$OUT")
row=$(sqlite3 -batch "$T/t.db" "select status, epochs_done, iterations, printf('%.4f', test_accuracy), best_epoch > 0,
	seed, schedule, json_extract(params, '$.lr'), json_extract(hyper, '$.batch_size') from trials")
epochs=$(sqlite3 -batch "$T/t.db" "select group_concat(printf('%d:%.4f', epoch, val_accuracy), ' ') from epochs")
printed=$(awk 'NR > 1 && $1 ~ /^[0-9]+$/ { printf "%s%d:%s", (n++ ? " " : ""), $1, $6 }' "$OUT")
if [ "$RC" -eq 0 ] && [ "$row" = "completed|4|152|$acc|1|7|constant|0.1|64" ] && [ "$epochs" = "$printed" ] &&
   [ "$(sqlite3 "$T/t.db" 'pragma integrity_check')" = ok ]; then
	ok "train --db F: the trial's result and every epoch as printed"
else
	nok "train --db F" "rc=$RC row=$row epochs=$epochs printed=$printed"
fi
run query "$T/t.db" best --format json
if [ "$RC" -eq 0 ] && grep -q '"schedule": "constant"' "$OUT"; then ok "query reads a train run"; else nok "query train run" "$(head -c 300 "$OUT$ERR")"; fi
run train "$QUICK" --lr 1e12 --epochs 2 --db "$T/d.db"
if [ "$RC" -eq 0 ] && [ "$(sqlite3 -batch "$T/d.db" 'select status, diverged_at >= 0, test_accuracy is null from trials')" = "diverged|1|1" ]; then
	ok "a diverged train run is stored as diverged, with its step"
else
	nok "diverged stored" "$(sqlite3 -batch "$T/d.db" 'select status, diverged_at from trials')"
fi
# run --resume continues the latest sweep of the name, not a train run or
# a range test that came after it
cp "$REPO/tests/data/blobs_sweep.yaml" sweep.yaml
"$LRSWEEP" -q run sweep.yaml --db "$T/s.db" >/dev/null 2>&1
"$LRSWEEP" -q train sweep.yaml --lr 0.1 --db "$T/s.db" >/dev/null 2>&1
"$LRSWEEP" -q range-test sweep.yaml --db "$T/s.db" >/dev/null 2>&1
run run sweep.yaml --db "$T/s.db" --resume
cmds=$(sqlite3 -batch "$T/s.db" "select group_concat(command, ',') from (select command from experiments order by id)")
if [ "$RC" -eq 0 ] && grep -q 'resuming experiment 1 ' "$ERR" && [ "$cmds" = "run,train,range-test" ] &&
   [ "$(sqlite3 -batch "$T/s.db" 'select count(*) from trials where experiment_id = 1')" = 4 ]; then
	ok "run --resume skips the train run and range test made after the sweep"
else
	nok "resume after train" "rc=$RC commands=$cmds $(grep -m1 'experiment' "$ERR")"
fi
printf 'not a database, nowhere near one\n' >"$T/bad.db"
bad_usage "train --db into a file that is not a database: refused before training" "bad.db" \
	train "$QUICK" --lr 0.1 --epochs 2 --db "$T/bad.db"

run data "$QUICK"
if [ "$RC" -eq 0 ] && grep -q '^train  *2400 ' "$OUT" && grep -q '^validation  *600 ' "$OUT" && grep -q '^test  *1000 ' "$OUT"; then
	ok "data: split sizes"
else
	nok "data" "rc=$RC $(head -c 400 "$OUT") $(head -c 300 "$ERR")"
fi

# ------------------------------------------------------ bad invocations
bad_usage "train without file" "experiment file" train --lr 0.1
bad_usage "train without rate" "learning rate" train "$QUICK"
bad_usage "train missing file" "nope.yaml" train nope.yaml --lr 0.1
bad_usage "train bad schedule" "bogus" train "$QUICK" --schedule bogus
bad_usage "train bad schedule param" "gama" train "$QUICK" --schedule step --step_size 3 --gama 0.5
bad_usage "train bad epochs" "--epochs" train "$QUICK" --lr 0.1 --epochs 0
bad_usage "train unknown option" "--frob" train "$QUICK" --lr 0.1 --frob 1
bad_usage "data missing file" "nope.yaml" data nope.yaml

bad_usage "--lr twice" "given twice" train "$QUICK" --lr 0.1 --lr 2
bad_usage "sequential milestone past the end" "not before the end" schedule sequential --steps 50 --max-lr 0.1 \
	--schedules '[{type: linear}, {type: cosine_annealing}]' --milestones 100
run train "$QUICK" --lr 0.1 --schedule step --step_size 3 --epochs 1
if [ "$RC" -eq 0 ]; then ok "--lr before --schedule is the schedule's lr"; else nok "--lr before --schedule" "$(cat "$ERR")"; fi
run train "$QUICK" --lr 1e30 --epochs 2
if grep -q "no test evaluation" "$OUT" && ! grep -q "no test data" "$OUT"; then ok "a diverged run says so, not 'no test data'"; else nok "diverged message" "$(tail -2 "$OUT")"; fi
run schedule exponential --steps 4 --lr 0.1 --gamma 1e300 --format json
if [ "$RC" -eq 0 ] && $PY -c 'import json,sys; json.load(sys.stdin)' <"$OUT"; then ok "json stays json past float range"; else nok "json inf" "$(cat "$OUT")"; fi
printf 'name: x\ndata:\n  train: {format: synthetic, kind: blobs, samples: 2000}\noptimizer: {type: adam}\n' >"$T/adam.yaml"
bad_usage "adam beta1 cycled to 1" "beta1" train "$T/adam.yaml" --schedule one_cycle --max_lr 0.01 --max_momentum 1 --epochs 2
printf 'name: x\ndata:\n  train: {format: synthetic, kind: blobs, samples: 100}\n  validation: 0.999\n' >"$T/val.yaml"
bad_usage "data problem names the experiment" "val.yaml: data: " data "$T/val.yaml"
printf 'name: x\ndata:\n  train: {format: csv, path: /dev/zero}\n' >"$T/zero.yaml"
bad_usage "csv from a device" "not a regular file" data "$T/zero.yaml"
$PY -c "import sys; n=60000; open(sys.argv[1],'w').write('name: x\ndata: '+'['*n+']'*n+'\n')" "$T/deep.yaml"
bad_usage "deep nesting" "deep.yaml:2:.*nested more than 64" data "$T/deep.yaml"

# ------------------------------------------------ bad experiment files
# bad_exp NAME LINE:COL NEEDLE YAML: each must fail with that position.
bad_exp() {
	local name=$1 pos=$2 needle=$3 yaml=$4
	printf '%s\n' "$yaml" >"$T/bad.yaml"
	run data "$T/bad.yaml"
	if [ "$RC" -eq 2 ] && [ ! -s "$OUT" ] && grep -q -- "bad.yaml:$pos: " "$ERR" && grep -q -- "$needle" "$ERR"; then
		ok "bad experiment: $name"
	else
		nok "bad experiment: $name" "rc=$RC stderr=$(head -c 300 "$ERR")"
	fi
}
SYN="  train: {format: synthetic, kind: blobs, samples: 100}"
bad_exp "unknown top key" "2:1" "did you mean 'seed'" "name: x
sede: 1
data:
$SYN"
bad_exp "unknown data key" "4:3" "did you mean 'validation'" "name: x
data:
$SYN
  validaton: 0.2"
bad_exp "missing name" "1:1" "missing 'name'" "data:
$SYN"
bad_exp "bad name" "1:7" "'name' must be" "name: a/b
data:
$SYN"
bad_exp "syntax error" "4:6" "YAML syntax error" "name: x
data:
  train: {format: synthetic, kind: blobs
model: 1"
bad_exp "validation out of range" "4:15" "'validation' must be in" "name: x
data:
$SYN
  validation: 1.5"
bad_exp "bad format" "3:19" "'format' must be one of" "name: x
data:
  train: {format: parquet, path: a}"
bad_exp "format needs keys" "3:10" "needs 'images'" "name: x
data:
  train: {format: idx}"
bad_exp "hidden not a list" "5:11" "'hidden' must be a list" "name: x
data:
$SYN
model:
  hidden: 256"
bad_exp "bad activation" "5:15" "relu|tanh|sigmoid" "name: x
data:
$SYN
model:
  activation: gelu"
bad_exp "bad optimizer" "5:9" "sgd|adam|adamw" "name: x
data:
$SYN
optimizer:
  type: rmsprop"
bad_exp "betas with sgd" "5:3" "'betas' is for adam" "name: x
data:
$SYN
optimizer:
  betas: [0.9, 0.99]"
bad_exp "bad batch size" "4:13" "'batch_size' must be" "name: x
data:
$SYN
batch_size: 0"
bad_exp "negative momentum" "5:13" "'momentum' must be in" "name: x
data:
$SYN
optimizer:
  momentum: -0.5"
bad_exp "not a mapping" "1:1" "must be a mapping" "- a
- b"
bad_exp "duplicate key" "2:1" "duplicate key" "name: x
name: y"
bad_exp "trials.epochs not a count" "5:11" "'epochs' must be a whole number" "name: x
data:
$SYN
trials:
  epochs: 2.5"
bad_exp "xor has two classes" "3:50" "'classes' must be 2 for xor" "name: x
data:
  train: {format: synthetic, kind: xor, classes: 3}"

bad_exp "range_test unknown key" "5:3" "did you mean 'stop_factor'" "name: x
data:
$SYN
range_test:
  stop_factr: 3"
bad_exp "range_test pick rule" "5:9" "accuracy|loss-steepest" "name: x
data:
$SYN
range_test:
  pick: loss-vally"
bad_exp "range_test bounds order" "5:33" "'max_lr' (0.1) must be above" "name: x
data:
$SYN
range_test:
  bounds: {min_lr: 0.2, max_lr: 0.1}"
bad_exp "range_test epochs and iterations" "6:3" "either 'epochs' or 'iterations'" "name: x
data:
$SYN
range_test:
  epochs: 2
  iterations: 100"

# every problem is reported, one line each
printf 'name: x\nsede: 1\ndata:\n%s\n  validation: 2\nbatch_size: -1\n' "$SYN" >"$T/many.yaml"
run data "$T/many.yaml"
if [ "$RC" -eq 2 ] && [ "$(wc -l <"$ERR")" -eq 3 ]; then ok "all problems reported"; else nok "all problems" "rc=$RC $(cat "$ERR")"; fi
if [ "$(cut -d: -f3 "$ERR" | tr '\n' ' ')" = "2 5 6 " ]; then ok "problems in file order"; else nok "file order" "$(cat "$ERR")"; fi

finish
