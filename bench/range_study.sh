#!/usr/bin/env bash
# bench/range_study.sh - what the range test's bounds are worth on
# Fashion-MNIST (experiments/fashion_mnist.yaml: MLP 784-256-10, SGD
# momentum 0.9, batch 128; linear 1e-4 -> 1 over 4 epochs, 2 repeats).
#
#   1. The range test, timed, with its plot (docs/fashion-mnist-range.png).
#   2. Value: a 10-epoch triangular run between the `accuracy` rule's bounds
#      (step size 2 epochs) against constant rates on a grid of 6 values
#      spanning two decades around the picked max_lr (max_lr x 10^-1 ...
#      10^1 in steps of 10^0.4); 3 seeds each; test accuracy. The bounds are
#      good when the triangular run is within 0.5 percentage point of the
#      best constant rate. Also the triangular run stopped at the end of a
#      cycle (8 epochs) against the best constant rate at 8 epochs.
#   3. Stability: the accuracy rule's max_lr over 5 seeds of the test, with
#      repeats 1, 2 and 3 (max/min over the seeds), and the spread of the
#      per-repeat picks stored with repeats 3.
#
# Writes the report to stdout and results/range-study.txt. Takes about
# two minutes on 2 cores (runs two trainings at a time).
#
#   make range-study            (or: bench/range_study.sh [bin/lrsweep])
#   SEEDS="1 2 3 4 5 6" OUT=/tmp/r.txt bench/range_study.sh   (more seeds)
set -eu
LRSWEEP=${1:-bin/lrsweep}
EXP=experiments/fashion_mnist.yaml
PLOT=${PLOT:-docs/fashion-mnist-range.png}
OUT=${OUT:-results/range-study.txt}
SEEDS=${SEEDS:-1 2 3}   # training seeds of section 2 (the check: 3)
JOBS=${JOBS:-2}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$(dirname "$OUT")"
exec > >(tee "$OUT")

echo "lrsweep range study: $EXP ($(date -u +%Y-%m-%d), $(nproc) cores, $("$LRSWEEP" --version))"
echo
echo "== 1. lrsweep range-test $EXP --plot $PLOT"
start=$(date +%s.%N)
"$LRSWEEP" -q range-test "$EXP" --db "$T/rt.db" --plot "$PLOT"
end=$(date +%s.%N)
awk -v a="$start" -v b="$end" 'BEGIN { printf "wall time of the command (data load, 2 repeats, store, plot): %.1f s\n", b - a }'
read -r MIN MAX < <(sqlite3 -separator ' ' "$T/rt.db" \
	"select min_lr, max_lr from bounds where rule = 'accuracy' and min_lr is not null")
if [ -z "${MAX:-}" ]; then
	echo "the accuracy rule picked no bounds: nothing to compare"
	exit 1
fi
echo
echo "== 2. the bounds' worth: triangular $MIN .. $MAX (step 2 epochs) vs constant rates, 10 epochs, seeds $SEEDS"

# One line per training job: label, epochs, seed, lrsweep train flags.
jobs=$T/jobs
: >"$jobs"
GRID=$(awk -v m="$MAX" 'BEGIN { for (k = 0; k < 6; k++) printf "%.4g ", m * 10 ^ (-1 + 0.4 * k) }')
for s in $SEEDS; do
	for g in $GRID; do
		echo "constant_$g 10 $s --lr $g" >>"$jobs"
	done
	echo "triangular 10 $s --schedule triangular --base_lr $MIN --max_lr $MAX --step_size \"2 epochs\"" >>"$jobs"
	echo "triangular 8 $s --schedule triangular --base_lr $MIN --max_lr $MAX --step_size \"2 epochs\"" >>"$jobs"
done
one() {  # label epochs seed flags...
	local label=$1 epochs=$2 seed=$3
	shift 3
	acc=$("$LRSWEEP" -q train "$EXP" "$@" --epochs "$epochs" --seed "$seed" --db "$T/train-$label-$epochs-$seed.db" |
		awk '$1 == "test_accuracy" { print $2 }')
	echo "$label $epochs $seed ${acc:-nan}"
}
export -f one
export LRSWEEP EXP T
xargs -P "$JOBS" -L 1 bash -c 'one "$@"' _ <"$jobs" >"$T/acc"
# the best constant rate at 10 epochs, again at 8 epochs
best=$(awk '$2 == 10 && $1 ~ /^constant/ { s[$1] += $4; n[$1]++ }
	END { for (k in s) if (s[k] / n[k] > b) { b = s[k] / n[k]; best = k }; print best }' "$T/acc")
for s in $SEEDS; do
	echo "$best 8 $s --lr ${best#constant_}"
done | xargs -P "$JOBS" -L 1 bash -c 'one "$@"' _ >>"$T/acc"

sort -k3,3n "$T/acc" | awk -v seeds="$SEEDS" -v best="$best" -v grid="$GRID" '
	{ k = $1 " " $2; acc[k] = acc[k] sprintf(" %6.2f", 100 * $4); s[k] += 100 * $4; ss[k] += 1e4 * $4 * $4; n[k]++ }
	END {
		m = split(grid, g, " ")
		for (i = 1; i <= m; i++) order[i] = "constant_" g[i] " 10"
		order[++m] = "triangular 10"; order[++m] = best " 8"; order[++m] = "triangular 8"
		printf "\n%-24s %6s %22s %8s %6s\n", "run", "epochs", "test accuracy % (" seeds ")", "mean", "sd"
		for (i = 1; i <= m; i++) {
			k = order[i]; split(k, f, " "); mean = s[k] / n[k]
			sd = n[k] > 1 ? sqrt((ss[k] - n[k] * mean * mean) / (n[k] - 1)) : 0
			label = f[1]; sub(/_/, " lr ", label)
			printf "%-24s %6d %22s %8.2f %6.2f\n", label, f[2], acc[k], mean, sd
			mean_of[k] = mean
		}
		gap10 = mean_of["triangular 10"] - mean_of[best " 10"]
		gap8 = mean_of["triangular 8"] - mean_of[best " 8"]
		sub(/_/, " lr ", best)
		printf "\ntriangular (10 epochs) - best %s: %+.2f pp (good within -0.5): %s\n", best, gap10,
		       (gap10 >= -0.5 ? "met" : "NOT MET")
		printf "triangular (8 epochs, 2 whole cycles) - %s at 8 epochs: %+.2f pp\n", best, gap8
	}'

echo
echo "== 3. stability: the accuracy rule's max_lr over seeds 1..5"
printf "\n%-8s %s\n" "repeats" "max_lr for seeds 1 2 3 4 5, then max/min"
for R in 1 2 3; do
	line=""
	for s in 1 2 3 4 5; do
		"$LRSWEEP" -q range-test "$EXP" --db "$T/st.db" --seed "$s" --repeats "$R" >/dev/null
		v=$(sqlite3 "$T/st.db" "select coalesce(max_lr, 'none') from bounds where rule = 'accuracy'
			and experiment_id = (select max(id) from experiments)")
		line="$line $v"
		if [ "$R" = 3 ]; then
			sqlite3 -separator ' ' "$T/st.db" "select min_lr_spread, max_lr_spread from bounds
				where rule = 'accuracy' and experiment_id = (select max(id) from experiments)" >>"$T/spread"
		fi
	done
	echo "$R $line" | awk '{ lo = 1e300; hi = 0; out = ""
		for (i = 2; i <= NF; i++) { out = out sprintf(" %.4g", $i); if ($i + 0 > 0) { lo = $i < lo ? $i : lo; hi = $i > hi ? $i : hi } }
		printf "%-8s %s   %.2fx\n", $1, out, hi / lo }'
done
awk '{ printf "%s%.2fx", (NR > 1 ? " " : ""), $2 } END { print "" }' "$T/spread" |
	sed 's/^/\nrepeats 3: spread of the per-repeat max_lr (max\/min) stored for seeds 1..5: /'
