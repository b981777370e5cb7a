#!/usr/bin/env bash
# bench/bench_range.sh - what a range test costs beyond the training it does:
# Fashion-MNIST, MLP 784-256-10, SGD momentum 0.9, batch 128, 1688 updates
# (4 epochs, the experiment's range test), accuracy on 2000 validation
# samples every 25 updates. Three runs alternate five times in one process
# (bench_train range): plain training; the same training with the same
# evaluations; the range test. Medians. The target: the range test costs at
# most 5 % more than training plus its evaluations.
#
#   bench/bench_range.sh build/release/bench/bench_train
set -eu
BENCH=${1:?usage: bench_range.sh BENCH_TRAIN}
read -r plain evals range < <("$BENCH" range 256 128 1688)
awk -v p="$plain" -v e="$evals" -v r="$range" 'BEGIN {
	printf "\nrange test overhead, Fashion-MNIST 784-256-10, batch 128, 1688 updates, median of 5\n\n"
	printf "%-36s %8s %8s\n", "run", "seconds", "vs plain"
	printf "%-36s %8.3f %7.1f%%\n", "plain training", p, 0
	printf "%-36s %8.3f %7.1f%%\n", "training + 68 evaluations (2000)", e, 100 * (e / p - 1)
	printf "%-36s %8.3f %7.1f%%\n", "range test", r, 100 * (r / p - 1)
	printf "\nrange test vs training + the same evaluations: %+.1f%% (target <= +5%%): %s\n",
	       100 * (r / e - 1), r <= 1.05 * e ? "met" : "NOT MET"
}'
