#!/usr/bin/env bash
# bench/bench_mpi.sh - lrsweep-mpi's scaling on this machine: the 8-trial
# Fashion-MNIST sweep of bench_run.sh (2 epochs each, bounds given) run by
# lrsweep run on 1 thread, and by lrsweep-mpi with 1, 2 and 4 worker ranks
# (-np 2, 3, 5: rank 0 only hands out trials and stores them; beyond 2
# worker ranks this 2-core machine is oversubscribed). Reported: the
# sweep's wall time as rank 0 measures it (run -v: from its first trial
# handed out to the last stored, so workers still loading their data count),
# the whole command's wall time, and rank 0's time in SQLite. Medians of 3.
#
#   bench/bench_mpi.sh [bin/lrsweep] [bin/lrsweep-mpi]
set -eu
LRSWEEP=${1:-bin/lrsweep}
MPI=${2:-bin/lrsweep-mpi}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
sed -n '/^name: bench-run/,/^YAML$/p' bench/bench_run.sh | sed '$d' >"$T/bench.yaml"
one() {  # label command... -> "label sweep_s total_s sql_s"
	local label=$1 s e line
	shift
	rm -f "$T/b.db"*
	s=$(date +%s%N)
	line=$("$@" run "$T/bench.yaml" --db "$T/b.db" --min-lr 0.01 --max-lr 0.05 --threads 1 -v 2>&1 >/dev/null |
		sed -n 's/.*trials took \([0-9.]*\) s; \([0-9.]*\) s of it in SQLite.*/\1 \2/p')
	e=$(date +%s%N)
	echo "$label ${line% *} $(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.2f", (b - a) / 1e9 }') ${line#* }"
}
for rep in ${REPS:-1 2 3}; do
	one "run-1-thread" "$LRSWEEP"
	one "mpi-1-worker" mpirun --oversubscribe -np 2 "$MPI"
	one "mpi-2-workers" mpirun --oversubscribe -np 3 "$MPI"
	one "mpi-4-workers" mpirun --oversubscribe -np 5 "$MPI"
done >"$T/t"
awk '
	function median(a, n,   i, j, x) {
		for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j > 0 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	{ k = $1; if (!(k in n)) order[++m] = k; n[k]++; sw[k, n[k]] = $2; tot[k, n[k]] = $3; sq[k, n[k]] = $4 }
	END {
		printf "\nlrsweep-mpi on 8 Fashion-MNIST trials (2 epochs each), 2 cores, medians of 3\n\n"
		printf "%-15s %10s %10s %10s %12s\n", "run", "sweep s", "total s", "speed-up", "SQLite s"
		for (i = 1; i <= m; i++) {
			k = order[i]
			for (j = 1; j <= n[k]; j++) { a[j] = sw[k, j]; b[j] = tot[k, j]; c[j] = sq[k, j] }
			s[k] = median(a, n[k]); t[k] = median(b, n[k]); q[k] = median(c, n[k])
			printf "%-15s %10.2f %10.2f %9.2fx %12.4f\n", k, s[k], t[k], s["run-1-thread"] / s[k], q[k]
		}
		printf "\ndistribution overhead (1 worker rank vs lrsweep run, both 1 training thread): %+.1f%% of the sweep\n",
		       100 * (s["mpi-1-worker"] / s["run-1-thread"] - 1)
	}' "$T/t"
