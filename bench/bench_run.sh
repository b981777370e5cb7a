#!/usr/bin/env bash
# bench/bench_run.sh - lrsweep run's parallel speed-up and its time in
# SQLite: 8 Fashion-MNIST trials (4 schedules x 2 seeds, MLP 784-256-10,
# batch 128, 2 epochs, bounds given so no range test) with --threads 1 and
# --threads 2, alternating, 3 times each; medians of the trials' wall time
# (run -v reports it, the data load excluded) and of the share spent in
# SQLite. Targets: 2 threads at least 1.8x faster than 1; SQLite under 2 %.
#
#   bench/bench_run.sh [bin/lrsweep]
set -eu
LRSWEEP=${1:-bin/lrsweep}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cat >"$T/bench.yaml" <<'YAML'
name: bench-run
seed: 1
data: {source: fashion-mnist, validation: 0.1}
model: {hidden: [256]}
optimizer: {type: sgd, momentum: 0.9}
batch_size: 128
trials:
  epochs: 2
  seeds: [1, 2]
  schedules:
    - type: constant
    - type: triangular
      step_size: "1 epochs"
    - type: one_cycle
    - type: cosine_annealing
YAML
one() {  # threads -> "seconds sqlite_percent"
	"$LRSWEEP" run "$T/bench.yaml" --db "$T/b.db" --min-lr 0.01 --max-lr 0.05 --threads "$1" -v 2>&1 >/dev/null |
		sed -n 's/.*trials took \([0-9.]*\) s; [0-9.]* s of it in SQLite (\([0-9.]*\)%).*/\1 \2/p'
}
for rep in 1 2 3; do
	echo "1 $(one 1)" >>"$T/t"
	echo "2 $(one 2)" >>"$T/t"
done
awk '
	function median(a, n,   i, j, x) {
		for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j > 0 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	{ n[$1]++; s[$1, n[$1]] = $2; q[$1, n[$1]] = $3 }
	END {
		for (k = 1; k <= 2; k++) {
			for (i = 1; i <= n[k]; i++) { a[i] = s[k, i]; b[i] = q[k, i] }
			sec[k] = median(a, n[k]); sql[k] = median(b, n[k])
		}
		printf "\nlrsweep run: 8 Fashion-MNIST trials (2 epochs each), medians of 3 alternating runs\n\n"
		printf "%-10s %10s %12s\n", "threads", "seconds", "in SQLite"
		for (k = 1; k <= 2; k++) printf "%-10d %10.2f %11.2f%%\n", k, sec[k], sql[k]
		printf "\nspeed-up on 2 threads: %.2fx (target >= 1.8x): %s\n", sec[1] / sec[2], (sec[1] / sec[2] >= 1.8 ? "met" : "NOT MET")
		printf "time in SQLite: %.2f%% / %.2f%% (target < 2%%): %s\n", sql[1], sql[2],
		       (sql[1] < 2 && sql[2] < 2) ? "met" : "NOT MET"
	}' "$T/t"
