#!/usr/bin/env bash
# clr_results.sh - results/fashion_mnist_clr.md from the database that
# experiments/fashion_mnist_clr.yaml writes: the CLR paper's Table 1 for
# Fashion-MNIST (policy, iterations, test accuracy over seeds, iterations to
# reach the best fixed rate's final validation accuracy) and the plots, all
# made by lrsweep query and lrsweep plot.
#
#   bin/lrsweep run experiments/fashion_mnist_clr.yaml     (writes the database)
#   scripts/clr_results.sh [results/fashion-mnist-clr.db] [bin/lrsweep]
set -eu
DB=${1:-results/fashion-mnist-clr.db}
LRSWEEP=${2:-bin/lrsweep}
OUT=${OUT:-results/fashion_mnist_clr.md}
IMG=${IMG:-docs/clr}
mkdir -p "$IMG" "$(dirname "$OUT")"

q() { "$LRSWEEP" query "$DB" "$@"; }
# the target: the final validation accuracy (mean over seeds) of the best
# fixed rate, the fixed rate ranked first by best validation accuracy
read -r TARGET FIXED < <(q sql "SELECT avg(final_val_accuracy), printf('lr %.4g', json_extract(params, '$.lr')) FROM trials
	WHERE status = 'completed' AND schedule = 'constant' AND experiment_id = (SELECT max(id) FROM experiments)
	GROUP BY params ORDER BY avg(best_val_accuracy) DESC LIMIT 1" --format csv | tail -1 | tr ',' ' ')
q compare --target-accuracy "$TARGET" --format csv >"$IMG/compare.csv"
"$LRSWEEP" -q plot "$DB" range-test -o "$IMG/range-test.png"
"$LRSWEEP" -q plot "$DB" curves -o "$IMG/curves.png"
"$LRSWEEP" -q plot "$DB" compare -o "$IMG/compare.png"
"$LRSWEEP" -q plot "$DB" schedules -o "$IMG/schedules.png"

{
	echo "# The CLR paper's Table 1, on Fashion-MNIST"
	echo
	echo "Made by \`scripts/clr_results.sh\` from the database of"
	echo "\`lrsweep run experiments/fashion_mnist_clr.yaml\` ($(q sql "SELECT created_at FROM experiments ORDER BY id DESC LIMIT 1" --format csv | tail -1), lrsweep $("$LRSWEEP" --version | cut -d' ' -f2))."
	echo
	echo "## Bounds (the paper's linear range test, accuracy rule)"
	echo
	echo '```'
	q range-test | sed -n '1,8p'
	echo '```'
	echo
	echo "![range test]($(realpath --relative-to="$(dirname "$OUT")" "$IMG")/range-test.png)"
	echo
	echo "## Table 1"
	echo
	printf 'Target: %.4f, the final validation accuracy (mean over seeds) of the best fixed rate (%s).\n' "$TARGET" "$FIXED"
	echo "Iterations to the target: the mean over the seeds that reached it, at the end of an epoch."
	echo
	echo "| rank | policy | parameters | seeds | iterations | test accuracy (mean ± sd) | best val acc (mean) | iterations to target |"
	echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
	iters=$(q sql "SELECT max(iterations) FROM trials WHERE experiment_id = (SELECT max(id) FROM experiments)" --format csv | tail -1)
	# names from the table (columns apart by two or more blanks), numbers from
	# the CSV (its quoted JSON fields, which hold commas, blanked first)
	paste -d'|' <(q compare --target-accuracy "$TARGET" | awk -F'  +' 'NR > 1 && NF > 3 && $2 ~ /^[0-9]+$/ { print $3 }') \
	            <(tail -n +2 "$IMG/compare.csv" | sed -E 's/"([^"]|"")*"/-/g') |
	awk -F'|' -v iters="$iters" '{
		split($2, f, ",")   # rank,schedule,params,hyper,n,mean_val,std_val,ci_val,mean_test,std_test,ci_test,iter,reached,p,same
		pol = $1; sub(/ .*/, "", pol); par = $1; sub(/^[^ ]* ?/, "", par)
		printf "| %s | %s | %s | %s | %s | %.2f %% ± %.2f | %.2f %% | %s |\n", f[1], pol, par == "" ? "-" : par, f[5],
		       iters, 100 * f[9], 100 * f[10], 100 * f[6],
		       f[12] == "" ? "not reached" : sprintf("%.0f (%s of %s seeds)", f[12], f[13], f[5])
	}'
	echo
	echo "![validation accuracy per epoch]($(realpath --relative-to="$(dirname "$OUT")" "$IMG")/curves.png)"
	echo
	echo "![configurations compared]($(realpath --relative-to="$(dirname "$OUT")" "$IMG")/compare.png)"
	echo
	echo "![learning rates]($(realpath --relative-to="$(dirname "$OUT")" "$IMG")/schedules.png)"
	echo
	echo "## Reproduce"
	echo
	echo '```sh'
	echo "bin/lrsweep run experiments/fashion_mnist_clr.yaml --db $DB"
	echo "scripts/clr_results.sh $DB"
	echo "bin/lrsweep query $DB compare --target-accuracy $TARGET"
	echo '```'
} >"$OUT"
echo "wrote $OUT and $IMG/*.png"
