#!/usr/bin/env bash
# tests/e2e/pytorch_example.sh - the PyTorch example (examples/pytorch/
# fashion_mnist.py) driven by `lrsweep run` on the first 6,000 Fashion-MNIST
# training images: a linear range test (2 repeats) and two one_cycle trials
# (seeds 1, 2). Checked: every step's rate and momentum the script applied
# (its "lr STEP VALUE MOMENTUM" lines) equal `lrsweep schedule`'s for the
# trial's resolved parameters bit for bit, and the range test's equal the
# stored curve's; and its bounds and accuracies agree with the built-in
# MLP's on the same configuration (the same images, split, model, optimizer
# and test; 8 range-test repeats and 8 seeds, as it costs seconds):
#
# - a bound (min_lr, max_lr of the chosen rule) agrees when the PyTorch one
#   lies in [b / s - d, b * s + d] around the built-in one b, where s is the
#   larger of the two sides' per-repeat spreads (the stored ratio of the
#   largest to the smallest pick over the repeats) and d is the rate between
#   two evaluations of the test (the accuracy rule can only pick rates that
#   were evaluated);
# - an accuracy (best validation, test) agrees when the two means differ by
#   at most 3 standard errors of their difference: 3 * sp * sqrt(1/8 + 1/2),
#   sp the seeds' standard deviation pooled over both sides (a two-sample
#   test at about three sigma: a false alarm about once in a few hundred).
#
# Skipped when /usr/bin/python3 cannot import torch.
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
command -v sqlite3 >/dev/null || { ok "skipped: no sqlite3"; finish; }
if ! "$PY" -c "import torch, numpy" 2>/dev/null; then
	ok "skipped: /usr/bin/python3 cannot import torch and numpy (Debian: python3-torch)"
	finish
fi
DATA=/usr/share/datasets/fashion-mnist
if [ ! -r "$DATA/train-images-idx3-ubyte.gz" ]; then
	ok "skipped: no Fashion-MNIST in $DATA (Debian: dataset-fashion-mnist)"
	finish
fi
q() { sqlite3 "$1" "$2"; }

LIMIT=6000
RANGE="{mode: linear, start_lr: 1.0e-4, end_lr: 0.5, epochs: 4, eval_every: 4, eval_samples: 600"
common() {
	cat <<EOF
seed: 7
optimizer: {type: sgd, momentum: 0.9}
batch_size: 128
trials:
  epochs: 3
  seeds: $1
  schedules:
    - {type: one_cycle}
EOF
}
{
	echo "name: torch-mlp"
	echo "trainer: {command: [$PY, $REPO/examples/pytorch/fashion_mnist.py], startup_timeout: 120 s, timeout: 120 s, grace: 2 s}"
	echo "params: {model: mlp, hidden: [256], activation: relu, init: he, train_limit: $LIMIT, split_seed: 7, threads: 1}"
	echo "range_test: $RANGE, repeats: 2, pick: accuracy}"
	common "[1, 2]"
} >torch.yaml
{
	echo "name: builtin-mlp"
	echo "data: {source: fashion-mnist, limit: $LIMIT, validation: 0.1, normalize: scale}"
	echo "model: {hidden: [256], activation: relu, init: he}"
	echo "range_test: $RANGE, repeats: 8, pick: accuracy}"
	common "[1, 2, 3, 4, 5, 6, 7, 8]"
} >builtin.yaml

start=$(date +%s)
run run torch.yaml --db "$T/torch.db" --threads 2
secs=$(($(date +%s) - start))
if [ "$RC" -eq 0 ] && [ "$(q torch.db "select count(*), sum(status = 'completed'), sum(epochs_done = 3), sum(test_accuracy is not null) from trials")" = "2|2|2|2" ] &&
   [ "$(q torch.db "select count(*) from range_tests")" = 2 ] && [ "$(q torch.db "select count(*) from bounds where chosen = 1")" = 1 ]; then
	ok "lrsweep run drives the PyTorch MLP: a range test of 2 repeats, bounds, 2 one_cycle trials of 3 epochs (${secs} s)"
else
	nok "PyTorch run" "rc=$RC $(q torch.db 'select status, error from trials' | tr '\n' ' ') $(tail -c 600 "$ERR")"
	finish
fi

# --- the rates the script applied are lrsweep's, bit for bit --------------
same=0
for key in $(q torch.db "select trial_key from trials order by seed"); do
	# every resolved parameter as a flag of `lrsweep schedule`
	mapfile -t args < <(q torch.db "select params from trials where trial_key = '$key'" | "$PY" -c '
import json, sys
for k, v in json.load(sys.stdin).items():
    print("--" + k)
    print(json.dumps(v) if not isinstance(v, str) else v)')
	steps=$(q torch.db "select iterations from trials where trial_key = '$key'")
	"$LRSWEEP" schedule one_cycle "${args[@]}" --steps "$steps" --steps-per-epoch 43 --format csv >"want.$key" 2>&1
	if "$PY" - "want.$key" "torch-logs/$key.log" <<'EOF'
import sys
want = [l.strip().split(",") for l in open(sys.argv[1])][1:]
got = [l.split()[1:] for l in open(sys.argv[2]) if l.startswith("lr ")]
assert len(want) == len(got) == 129, (len(want), len(got))
for w, g in zip(want, got):
    assert len(w) == 3 and len(g) == 3, (w, g)
    assert [int(w[0]), float(w[1]), float(w[2])] == [int(g[0]), float(g[1]), float(g[2])], (w, g)
EOF
	then same=$((same + 1)); else echo "# $key: $(head -3 "want.$key" | tr '\n' ' ') / $(grep -m3 '^lr ' "torch-logs/$key.log" | tr '\n' ' ')"; fi
done
if [ "$same" = 2 ]; then
	ok "every step's rate and momentum the PyTorch script applied equal lrsweep schedule's, bit for bit (2 trials of 129 steps)"
else
	nok "trial rates" "$same of 2 trials"
fi
# (read with Python's sqlite3: the shell prints 15 digits, its printf 16)
if "$PY" - torch.db torch-logs/range-1-0.log <<'EOF'
import sqlite3, sys
want = sqlite3.connect(sys.argv[1]).execute(
    "select p.iteration, p.lr from range_points p join range_tests r on r.id = p.range_test_id"
    " where r.repeat = 0 order by 1").fetchall()
got = [l.split()[1:] for l in open(sys.argv[2]) if l.startswith("lr ")]
assert len(want) == len(got) == 172, (len(want), len(got))
for w, g in zip(want, got):
    assert (w[0], w[1]) == (int(g[0]), float(g[1])), (w, g)
EOF
then
	ok "the range test's rates the script applied equal the stored curve's (172 steps)"
else
	nok "range-test rates" "$(grep -m2 '^lr ' torch-logs/range-1-0.log | tr '\n' ' ')"
fi

# --- bounds and accuracy agree with the built-in MLP's ---------------------
run run builtin.yaml --db "$T/builtin.db" --threads 2
if [ "$RC" -ne 0 ]; then
	nok "built-in run" "rc=$RC $(tail -c 400 "$ERR")"
	finish
fi
B="select min_lr, max_lr, coalesce(min_lr_spread, 1), coalesce(max_lr_spread, 1) from bounds where chosen = 1"
# the rate between two evaluations: the largest gap between evaluated points
D="select max(b.lr - a.lr) from range_points a join range_points b on b.range_test_id = a.range_test_id
   and b.iteration = (select min(iteration) from range_points c where c.range_test_id = a.range_test_id
   and c.iteration > a.iteration and c.accuracy is not null)
   where a.accuracy is not null and a.range_test_id = 1"
A="select best_val_accuracy, test_accuracy from trials where status = 'completed'"
verdict=$("$PY" - "$(q torch.db "$B")" "$(q builtin.db "$B")" "$(q builtin.db "$D")" \
	"$(q torch.db "$A" | tr '\n' ' ')" "$(q builtin.db "$A" | tr '\n' ' ')" <<'EOF'
import math, statistics, sys
t, b = [float(v) for v in sys.argv[1].split("|")], [float(v) for v in sys.argv[2].split("|")]
d = float(sys.argv[3])
fails = []
for name, i in (("min_lr", 0), ("max_lr", 1)):
    s = max(t[2 + i], b[2 + i])
    lo, hi = b[i] / s - d, b[i] * s + d
    ok = lo <= t[i] <= hi
    print("%s: PyTorch %.4g, built-in %.4g, agreement within [%.4g, %.4g] (spread %.2fx, one evaluation %.4g): %s"
          % (name, t[i], b[i], lo, hi, s, d, "yes" if ok else "NO"))
    fails += [] if ok else [name]
rows = lambda text: [[float(x) for x in r.split("|")] for r in text.split()]
tr, br = rows(sys.argv[4]), rows(sys.argv[5])
for name, j in (("best val accuracy", 0), ("test accuracy", 1)):
    x, y = [r[j] for r in tr], [r[j] for r in br]
    pooled = math.sqrt(((len(x) - 1) * statistics.variance(x) + (len(y) - 1) * statistics.variance(y))
                       / (len(x) + len(y) - 2))
    tol = 3 * pooled * math.sqrt(1 / len(x) + 1 / len(y))
    diff = statistics.mean(x) - statistics.mean(y)
    ok = abs(diff) <= tol
    print("%s: PyTorch %.4f +- %.4f (n=%d), built-in %.4f +- %.4f (n=%d), difference %+.4f, tolerance %.4f: %s"
          % (name, statistics.mean(x), statistics.stdev(x), len(x), statistics.mean(y), statistics.stdev(y),
             len(y), diff, tol, "yes" if ok else "NO"))
    fails += [] if ok else [name]
print("FAILED " + ", ".join(fails) if fails else "AGREE")
EOF
)
echo "$verdict" | sed 's/^/# /'
if [ "$(echo "$verdict" | tail -1)" = AGREE ]; then
	ok "the PyTorch MLP's bounds and accuracies agree with the built-in MLP's within the seeds' spread"
else
	nok "agreement with the built-in MLP" "$(echo "$verdict" | tail -1)"
fi
finish
