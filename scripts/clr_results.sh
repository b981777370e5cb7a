#!/usr/bin/env bash
# clr_results.sh - results/<experiment>.md from the database that
# experiments/fashion_mnist_clr*.yaml writes: the CLR paper's Table 1 for
# Fashion-MNIST (policy, iterations, test accuracy over seeds, iterations to
# reach the best fixed rate's final validation accuracy) and the plots, all
# made by lrsweep query and lrsweep plot.
#
#   bin/lrsweep run experiments/fashion_mnist_clr.yaml     (writes the database)
#   scripts/clr_results.sh [results/fashion-mnist-clr.db] [bin/lrsweep]
#
# The experiment's name in the database (fashion-mnist-clr-quick, say)
# gives the file it came from (experiments/fashion_mnist_clr_quick.yaml),
# the page (results/fashion_mnist_clr_quick.md) and the plots
# (docs/fashion_mnist_clr_quick/); OUT and IMG override the last two.
set -eu
DB=${1:-results/fashion-mnist-clr.db}
LRSWEEP=${2:-bin/lrsweep}
NAME=$("$LRSWEEP" query "$DB" sql "SELECT name FROM experiments ORDER BY id DESC LIMIT 1" --format csv | tail -1)
BASE=$(echo "$NAME" | tr - _)
EXP=experiments/$BASE.yaml
OUT=${OUT:-results/$BASE.md}
IMG=${IMG:-docs/$BASE}
mkdir -p "$IMG" "$(dirname "$OUT")"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

q() { "$LRSWEEP" query "$DB" "$@"; }
# the target: the final validation accuracy (mean over seeds) of the best
# fixed rate, the fixed rate ranked first by best validation accuracy
read -r TARGET FIXED < <(q sql "SELECT avg(final_val_accuracy), printf('lr %.4g', json_extract(params, '$.lr')) FROM trials
	WHERE status = 'completed' AND schedule = 'constant' AND experiment_id = (SELECT max(id) FROM experiments)
	GROUP BY params ORDER BY avg(best_val_accuracy) DESC LIMIT 1" --format csv | tail -1 | tr ',' ' ')
q compare --target-accuracy "$TARGET" --format csv >"$T/compare.csv"
"$LRSWEEP" -q plot "$DB" range-test -o "$IMG/range-test.png"
"$LRSWEEP" -q plot "$DB" curves -o "$IMG/curves.png"
"$LRSWEEP" -q plot "$DB" compare -o "$IMG/compare.png"
"$LRSWEEP" -q plot "$DB" schedules -o "$IMG/schedules.png"

{
	echo "# The CLR paper's Table 1, on Fashion-MNIST"
	echo
	echo "Made by \`scripts/clr_results.sh\` from the database of"
	echo "\`lrsweep run $EXP\` ($(q sql "SELECT created_at FROM experiments ORDER BY id DESC LIMIT 1" --format csv | tail -1), lrsweep $("$LRSWEEP" --version | cut -d' ' -f2))."
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
	            <(tail -n +2 "$T/compare.csv" | sed -E 's/"([^"]|"")*"/-/g') |
	awk -F'|' -v iters="$iters" '{
		split($2, f, ",")   # rank,schedule,params,hyper,n,mean_val,std_val,ci_val,mean_test,std_test,ci_test,iter,reached,p,same
		pol = $1; sub(/ .*/, "", pol); par = $1; sub(/^[^ ]* ?/, "", par)
		printf "| %s | %s | %s | %s | %s | %.2f %% ± %.2f | %.2f %% | %s |\n", f[1], pol, par == "" ? "-" : par, f[5],
		       iters, 100 * f[9], 100 * f[10], 100 * f[6],
		       f[12] == "" ? "not reached" : sprintf("%.0f (%s of %s seeds)", f[12], f[13], f[5])
	}'
	echo
	echo "## The paper's claims, on this data"
	echo
	echo "Computed from the table above by this script (the paper's figures: CIFAR-10, Table 1 of arXiv 1506.01186)."
	echo
	paste -d'|' <(q compare --target-accuracy "$TARGET" | awk -F'  +' 'NR > 1 && NF > 3 && $2 ~ /^[0-9]+$/ { print $3 }') \
	            <(tail -n +2 "$T/compare.csv" | sed -E 's/"([^"]|"")*"/-/g') |
	awk -F'|' -v fixed="$FIXED" -v iters="$iters" '{
		split($2, f, ","); pol = $1; sub(/ .*/, "", pol)
		if (pol == "constant" && !have_fixed) { have_fixed = 1; ft = f[9]; fs = f[10]; fi = f[12] }
		if (!(pol in test)) { test[pol] = f[9]; sd[pol] = f[10]; it[pol] = f[12] }
		if (f[9] > best_t) { best_t = f[9]; best_p = pol }
		n++; rowpol[n] = pol; rowtest[n] = f[9]
	} END {
		for (k = 1; k <= n; k++)
			if (rowpol[k] != "constant") { others++; beat += rowtest[k] > ft }
		early = "**The claim does not hold on this data**: the fixed rate reaches its own final accuracy early, and no policy gets there several times sooner."
		late = "**The claim does not hold on this data**: the fixed rate reaches its own final accuracy only in its last epoch, and triangular2 no sooner."
		printf "- **triangular2 reaches the fixed rate sooner** (paper: 25,000 iterations instead of 70,000, 2.8x fewer): "
		if (it["triangular2"] == "" || fi == "")   # a mean over no seed: nothing to divide
			printf "here %s did not reach the target in any seed. **The claim does not hold on this data.**\n",
			       it["triangular2"] == "" ? "triangular2" : "the best fixed rate itself"
		else
			printf "here the first epoch at or above the target came at %.0f iterations for triangular2 against %.0f for the best fixed rate (%s) itself: %.2fx. %s\n",
			       it["triangular2"], fi, fixed,
			       fi / it["triangular2"], (fi / it["triangular2"] >= 1.5 ? "The claim holds." : fi >= iters ? late : early)
		printf "- **triangular2 ends at least as accurate** (paper: 81.4%% = the fixed rate): %.2f%% ± %.2f test accuracy against %.2f%% ± %.2f (%+.2f points). %s\n",
		       100 * test["triangular2"], 100 * sd["triangular2"], 100 * ft, 100 * fs, 100 * (test["triangular2"] - ft),
		       (test["triangular2"] >= ft - fs ? "Holds." : "Does not hold.")
		printf "- **exp_range ends more accurate** (paper: 82.2%% against 81.4%%): %.2f%% ± %.2f against %.2f%% (%+.2f points). %s\n",
		       100 * test["exp_range"], 100 * sd["exp_range"], 100 * ft, 100 * (test["exp_range"] - ft),
		       (test["exp_range"] > ft + sd["exp_range"] ? "Holds." : "Within the spread over seeds.")
		printf "- **Beyond the paper**: %d of the %d other policies end above the best fixed rate in test accuracy; the best is %s (%.2f%%).\n",
		       beat, others, best_p, 100 * best_t
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
	echo "bin/lrsweep run $EXP --db $DB"
	echo "scripts/clr_results.sh $DB"
	echo "bin/lrsweep query $DB compare --target-accuracy $TARGET"
	echo '```'
} >"$OUT"
echo "wrote $OUT and $IMG/*.png"
