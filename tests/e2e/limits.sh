#!/usr/bin/env bash
# tests/e2e/limits.sh - sizes a careless or hostile experiment file asks
# for: refused at once, at their line:column, with the numbers (exit 2),
# or run as PyTorch would run them:
#   - a plan of more trials than lrsweep's limit (a params grid of 10^10
#     points, the space's grids times seeds, random or tpe samples times
#     seeds, a grid's draws, repeats): its size and factors said, in well
#     under a second, before anything is built (it took 55 s and 3 GB to
#     end in "out of memory");
#   - long lists within the limit: a grid of 99,000 values and a seeds
#     list with a repeat at the end load in a moment (minutes before), a
#     trainer's params grid of 99,000 values plans in seconds;
#   - batch_size far above the data: one batch of all the samples, as a
#     DataLoader makes it (it was refused as needing terabytes);
#   - a range test of 400,000 updates is read by the rules in linear time;
#   - a range test of 10^6 epochs stopped by SIGTERM ends at once;
#   - values already refused stay refused: epochs 10^9, step_size "1e30
#     epochs", total_steps 1e30, --threads 10^6, a seeds list of 10^6.
# Every case runs under `timeout`: status 124 means it hung.
#   LRSWEEP=bin/lrsweep tests/e2e/limits.sh        (what `make e2e` runs)
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1

# trun SECONDS ARGS...: lrsweep ARGS under a limit; as `run` (lib.sh) does
trun() {
	local limit=$1
	shift
	timeout "$limit" "$LRSWEEP" "$@" >"$OUT" 2>"$ERR"
	RC=$?
}

# refused NAME NEEDLE ARGS...: lrsweep ARGS exits 2 within 10 s, nothing
# on stdout, one line on stderr containing NEEDLE.
refused() {
	local name=$1 needle=$2
	shift 2
	trun 10 "$@"
	if [ "$RC" -eq 2 ] && [ ! -s "$OUT" ] && [ "$(wc -l <"$ERR")" -eq 1 ] && grep -qF -- "$needle" "$ERR"; then
		ok "$name"
	else
		nok "$name" "rc=$RC stdout=$(wc -c <"$OUT")B stderr=$(head -c 400 "$ERR")"
	fi
}

# values N: "1, 2, ..., N"
values() { seq -s, 1 "$1" | sed 's/,/, /g'; }

DATA='data: {train: {format: synthetic, kind: blobs, samples: 300, classes: 3}}'
LIMIT="more than lrsweep's limit of 1,000,000"

# ------------------------------------------------------------ plans too large
{
	printf 'name: grid\ntrainer: {command: [/bin/true]}\nparams:\n'
	for k in a b c d e f g h i j; do printf '  %s: {grid: [1,2,3,4,5,6,7,8,9,10]}\n' $k; done
	printf 'trials:\n  epochs: 1\n  schedules:\n    - {type: constant, lr: 0.01}\n'
} >grid.yaml
refused "a params grid of 10^10 points" \
	"grid.yaml:4:6: the plan has 10,000,000,000 trials (10 params.a x 10 params.b x 10 params.c x 10 params.d x 10 params.e x 10 params.f x 10 params.g x 10 params.h x 10 params.i x 10 params.j x 1 schedule x 1 seed), $LIMIT; give fewer values, or search: {strategy: random, samples: N}" \
	run grid.yaml --dry-run

printf 'name: space\n%s\noptimizer: {type: adam}\ntrials:\n  seeds: [%s]\n  space:\n    optimizer.weight_decay: {grid: [%s]}\n    batch_size: {grid: [16, 32]}\n' \
	"$DATA" "$(values 1300)" "$(values 400)" >space.yaml
refused "the built-in model's space grids times seeds" \
	"space.yaml:5:10: the plan has 1,040,000 trials (400 optimizer.weight_decay x 2 batch_size x 1 schedule x 1,300 seeds), $LIMIT; give fewer seeds" \
	run space.yaml --dry-run --min-lr 0.01 --max-lr 0.1

printf 'name: rnd\n%s\ntrials:\n  repeats: 1000\n  search: {strategy: random, samples: 1000000}\n  schedules:\n    - {type: constant, lr: {log_uniform: [0.001, 0.1]}}\n' \
	"$DATA" >random.yaml
refused "random samples times repeats" \
	"random.yaml:5:39: the plan has 1,000,000,000 trials (1,000,000 samples x 1 schedule x 1,000 seeds), $LIMIT; give fewer samples" \
	run random.yaml --dry-run --min-lr 0.01 --max-lr 0.1
sed 's/strategy: random/strategy: tpe/' random.yaml >tpe.yaml
refused "tpe proposals times repeats" \
	"tpe.yaml:5:36: the plan has 1,000,000,000 trials (1,000,000 proposals x 1,000 seeds), $LIMIT; give fewer samples" \
	run tpe.yaml --dry-run --min-lr 0.01 --max-lr 0.1

printf 'name: draws\n%s\ntrials:\n  search: {strategy: grid, samples: 10000}\n  space:\n    optimizer.momentum: {uniform: [0.5, 0.9]}\n    batch_size: {grid: [%s]}\n' \
	"$DATA" "$(values 200)" >draws.yaml
refused "a grid's draws" \
	"draws.yaml:4:37: the plan has 2,000,000 trials (200 batch_size x 10,000 samples x 1 schedule x 1 seed), $LIMIT; give fewer samples" \
	run draws.yaml --dry-run --min-lr 0.01 --max-lr 0.1

printf 'name: reps\n%s\ntrials:\n  repeats: 100000\n  schedules:\n    - {type: one_cycle}\n    - {type: constant, lr: {grid: [%s]}}\n' \
	"$DATA" "$(values 10)" >repeats.yaml
refused "repeats: 100000 of eleven schedule settings" \
	"repeats.yaml:4:12: the plan has 1,100,000 trials (11 schedule settings (of 2 schedules and their grids) x 100,000 seeds), $LIMIT; give fewer seeds" \
	run repeats.yaml --dry-run --min-lr 0.01 --max-lr 0.1
# one schedule alone is a plan of 100,000 trials: it is planned
sed '/lr: {grid/d' repeats.yaml >repeats-ok.yaml
trun 60 run repeats-ok.yaml --dry-run --min-lr 0.01 --max-lr 0.1
[ "$RC" -eq 0 ] && grep -q "^plan: 100000 trials" "$OUT" && ok "a plan of 100,000 trials is planned" ||
	nok "a plan of 100,000 trials is planned" "rc=$RC $(head -c 300 "$ERR") $(head -1 "$OUT")"

# ------------------------------------------------------------ long lists
printf 'name: long\n%s\ntrials:\n  schedules:\n    - {type: step, step_size: {grid: [%s, 0x7]}}\n' "$DATA" "$(values 99000)" >longgrid.yaml
col=$(($(head -5 longgrid.yaml | tail -1 | wc -c) - 6))
refused "a grid of 99,000 values repeating one at its end" \
	"longgrid.yaml:5:$col: 'step_size': the grid lists '7' twice ('7' at 5:57, '0x7' here)" \
	run longgrid.yaml --dry-run --min-lr 0.01 --max-lr 0.1
printf 'name: long\n%s\ntrials:\n  seeds: [%s, 5]\n' "$DATA" "$(values 99000)" >longseeds.yaml
col=$(($(head -4 longseeds.yaml | tail -1 | wc -c) - 2))
refused "a seeds list of 99,000 repeating one at its end" "longseeds.yaml:4:$col: seed 5 is listed twice" \
	run longseeds.yaml --dry-run --min-lr 0.01 --max-lr 0.1
# a params grid of 99,000: planned in seconds, then the program is asked
# for its steps per epoch (/bin/true says nothing)
printf 'name: long\ntrainer: {command: [/bin/true]}\nparams:\n  a: {grid: [%s]}\n' "$(values 99000)" >longparams.yaml
trun 10 run longparams.yaml --dry-run
[ "$RC" -eq 1 ] && grep -q "closed the channel before hello" "$ERR" &&
	ok "a params grid of 99,000 values is planned in seconds" ||
	nok "a params grid of 99,000 values is planned in seconds" "rc=$RC $(head -c 300 "$ERR")"

# ------------------------------------------------------------ batch_size above the data
# 270 training samples: one batch of them all, as a DataLoader makes it;
# the memory check asked for 10^7 rows of a 100,000-wide layer
printf 'name: batch\nseed: 1\n%s\nmodel: {hidden: [100000]}\nbatch_size: 10000000\ntrials: {epochs: 1}\n' "$DATA" >batch.yaml
trun 60 run batch.yaml -q --db batch.db --min-lr 0.01 --max-lr 0.1
big=$RC
[ "$RC" -eq 0 ] && ok "batch_size 10^7 on 270 samples trains, one batch an epoch" ||
	nok "batch_size 10^7 on 270 samples trains" "rc=$RC $(head -c 300 "$ERR")"
sed 's/batch_size: 10000000/batch_size: 270/' batch.yaml >batch-n.yaml
trun 60 run batch-n.yaml -q --db batch.db --min-lr 0.01 --max-lr 0.1
q="SELECT final_train_loss || ' ' || final_val_accuracy FROM trials ORDER BY id"
if command -v sqlite3 >/dev/null; then
	[ "$big" -eq 0 ] && [ "$RC" -eq 0 ] && [ "$(sqlite3 batch.db "$q" | wc -l)" -eq 2 ] &&
		[ "$(sqlite3 batch.db "$q" | sort -u | wc -l)" -eq 1 ] &&
		ok "batch_size 10^7 trains as batch_size 270 does, to the bit" ||
		nok "batch_size 10^7 as 270" "rc=$RC $(sqlite3 batch.db "$q" | tr '\n' ' ')"
fi

# ------------------------------------------------------------ refused already, and still
printf 'name: h\n%s\ntrials: {epochs: 1000000000}\n' "$DATA" >epochs.yaml
refused "epochs: 10^9" "epochs.yaml:3:18: 'epochs' must be a whole number in [1, 1000000], got '1000000000'" \
	run epochs.yaml --dry-run --min-lr 0.01 --max-lr 0.1
printf 'name: h\n%s\ntrials:\n  schedules:\n    - {type: step, step_size: "1e30 epochs"}\n    - {type: one_cycle, total_steps: 1e30}\n' \
	"$DATA" >steps.yaml
trun 10 run steps.yaml --dry-run --min-lr 0.01 --max-lr 0.1
[ "$RC" -eq 2 ] && grep -qF "steps.yaml:5:31: step: parameter 'step_size' must be at most 1e15 steps (no run is longer), got '1e30 epochs'" "$ERR" &&
	grep -qF "steps.yaml:6:38: one_cycle: parameter 'total_steps' must be at most 1e15 steps" "$ERR" &&
	ok "step counts of 1e30" || nok "step counts of 1e30" "rc=$RC $(head -c 400 "$ERR")"
printf 'name: h\n%s\n' "$DATA" >plain.yaml
refused "--threads 10^6" "--threads must be an integer in [0, 4096], got '1000000'" \
	run plain.yaml --dry-run --threads 1000000
printf 'name: h\n%s\ntrials:\n  seeds: [%s]\n' "$DATA" "$(values 1000000)" >seeds.yaml
refused "a seeds list of 10^6" "seeds.yaml:4:" run seeds.yaml --dry-run --min-lr 0.01 --max-lr 0.1
grep -qF "document expands to more than 100000 nodes" "$ERR" && ok "  ... as too many nodes" ||
	nok "a seeds list of 10^6 as too many nodes" "$(head -c 300 "$ERR")"

# ------------------------------------------------------------ a long range test stopped
# A range test of 400,000 updates that ends by itself (rates too low to
# blow up) is read whole by the rules in about a second (11 s in all, 25 s
# under AddressSanitizer here; the old code took 117 s): loss-steepest
# fitted a fresh window of +-18,000 points at each of its 360,000 points,
# minutes with every rule that reads it (the quadratic scan blows the limit).
printf 'name: g\ndata: {train: {format: synthetic, kind: spirals, samples: 600, classes: 3}, validation: 0.2}\nmodel: {hidden: [16]}\n%s\n' \
	'trials: {epochs: 1, schedules: [{type: constant}]}' >longread.yaml
trun 60 range-test longread.yaml --db longread.db --mode exponential --start-lr 0.0001 --end-lr 0.001 --iterations 400000
if [ "$RC" -eq 0 ] && grep -qE '^loss-steepest +[0-9]' "$OUT" && grep -qF 'over 400000 iterations' "$OUT"; then
	ok "a range test of 400,000 points is read in linear time"
else
	nok "a range test of 400,000 points is read in linear time" "rc=$RC $(tail -c 300 "$ERR") $(grep -F loss-steepest "$OUT")"
fi

# SIGTERM cuts a range test of 10^6 epochs short: the run ends at once
# ("interrupted before the trials started"), not after the rules have read
# the long partial curve it throws away (loss-steepest's windows were
# quadratic in its length: 65 s after a SIGTERM 4 s in). Rates too low to
# blow up: a test that ends by itself before the signal is read whole.
printf 'name: h\ndata: {train: {format: synthetic, kind: spirals, samples: 600, classes: 3}, validation: 0.2}\nmodel: {hidden: [16]}\n%s\n%s\n' \
	'range_test: {epochs: 1000000, start_lr: 0.0001, end_lr: 0.001}' 'trials: {epochs: 1, schedules: [{type: constant}]}' >longtest.yaml
"$LRSWEEP" run longtest.yaml --db longtest.db >"$OUT" 2>"$ERR" &
pid=$!
sleep 5
kill -TERM "$pid" 2>/dev/null
waited=0
while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 150 ]; do
	sleep 0.1
	waited=$((waited + 1))
done
if kill -0 "$pid" 2>/dev/null; then
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	nok "SIGTERM ends a long range test" "still running 15 s after SIGTERM"
else
	wait "$pid"
	RC=$?
	[ "$RC" -ne 0 ] && grep -qF "interrupted before the trials started" "$ERR" &&
		ok "SIGTERM ends a long range test" || nok "SIGTERM ends a long range test" "rc=$RC $(tail -c 300 "$ERR")"
fi

finish
