#!/usr/bin/env bash
# tests/e2e/mpi_repro.sh - the same experiment and seed store bitwise the
# same results whatever runs them: lrsweep run --threads 1 and 2,
# lrsweep-mpi on 2 and 3 ranks (and 2 ranks of 2 threads). Three
# experiments: a grid sweep fed by range tests with repeats (one per batch
# size), a random search fed by one, and a strategy tpe search (rounds:
# docs/search.md). Every column of every table is compared, except when
# and where things ran (times, trials.worker, the host, the command line,
# log paths). Skipped when mpirun, lrsweep-mpi or sqlite3 is missing.
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
mpi_setup "MPI reproducibility checks"

# what may differ between runs of one experiment: when, where, by whom
SKIP=" created_at started_at finished_at wall_seconds worker host command log "
# dump DB: every table, every other column, in a fixed order
dump() {
	local t cols
	for t in $(sqlite3 "$1" "select name from sqlite_master where type = 'table' order by name"); do
		cols=$(sqlite3 "$1" "select name from pragma_table_info('$t')" | while read -r c; do
			case $SKIP in *" $c "*) ;; *) printf '%s\n' "$c" ;; esac; done | paste -sd, -)
		echo "== $t"
		sqlite3 "$1" "select $cols from $t order by $cols"
	done
}

cat >grid.yaml <<'YAML'
name: grid
seed: 7
data:
  train: {format: synthetic, kind: spirals, samples: 600, classes: 3, noise: 0.2}
  test: {format: synthetic, kind: spirals, samples: 150, classes: 3, noise: 0.2}
  validation: 0.2
model: {hidden: [16], activation: relu}
optimizer: {type: sgd, momentum: 0.9}
batch_size: 32
range_test: {mode: exponential, start_lr: 1.0e-4, end_lr: 10, epochs: 4, repeats: 3}
trials:
  epochs: 3
  seeds: [1, 2]
  schedules:
    - type: constant
    - {type: triangular, step_size: {grid: ["1 epochs", "2 epochs"]}}
  space:
    batch_size: {grid: [32, 64]}
YAML
cat >random.yaml <<'YAML'
name: random
seed: 9
data:
  train: {format: synthetic, kind: spirals, samples: 600, classes: 3, noise: 0.2}
  validation: 0.2
model: {hidden: [16], activation: relu}
optimizer: {type: sgd, momentum: 0.9}
batch_size: 32
range_test: {mode: exponential, start_lr: 1.0e-4, end_lr: 10, epochs: 4, repeats: 2}
trials:
  epochs: 3
  seeds: [1, 2]
  schedules:
    - {type: triangular, step_size: {choice: ["1 epochs", "2 epochs"]}}
  space:
    optimizer.momentum: {uniform: [0.8, 0.95]}
    optimizer.weight_decay: {log_uniform: [1.0e-5, 1.0e-2]}
  search: {strategy: random, samples: 5}
YAML
cat >tpe.yaml <<'YAML'
name: tpe
seed: 11
data:
  train: {format: synthetic, kind: spirals, samples: 600, classes: 3, noise: 0.2}
  validation: 0.2
model: {hidden: [16], activation: relu}
optimizer: {type: sgd, momentum: 0.9}
batch_size: 32
range_test: {bounds: {min_lr: 0.01, max_lr: 0.3}}
trials:
  epochs: 3
  seeds: [1, 2]
  schedules:
    - {type: constant, lr: {log_uniform: [0.003, 1.0]}}
    - {type: triangular, step_size: {choice: ["1 epochs", "2 epochs"]}}
  space:
    optimizer.weight_decay: {log_uniform: [1.0e-5, 1.0e-2]}
  search: {strategy: tpe, samples: 9, startup: 3, batch: 2}
YAML

for exp in grid random tpe; do
	"$LRSWEEP" run $exp.yaml --db "$T/$exp-t1.db" --threads 1 -q >/dev/null 2>"$ERR" ||
		{ nok "$exp: lrsweep run --threads 1" "$(tail -c 300 "$ERR")"; continue; }
	dump "$exp-t1.db" >"$exp-t1.txt"
	n=$(sqlite3 "$exp-t1.db" "select count(*) from trials where status = 'completed'")
	p=$(sqlite3 "$exp-t1.db" "select count(*) from range_points")
	for how in "t2" "np2" "np3" "np2t2"; do
		case $how in
		t2) "$LRSWEEP" run $exp.yaml --db "$T/$exp-$how.db" --threads 2 -q >/dev/null 2>"$ERR" ;;
		np2t2) timeout 120 mpirun --oversubscribe -np 2 "$T/lrsweep-mpi" run $exp.yaml --db "$T/$exp-$how.db" \
			--threads 2 -q >/dev/null 2>"$ERR" ;;
		*) timeout 120 mpirun --oversubscribe -np "${how#np}" "$T/lrsweep-mpi" run $exp.yaml \
			--db "$T/$exp-$how.db" -q >/dev/null 2>"$ERR" ;;
		esac
		RC=$?
		dump "$exp-$how.db" >"$exp-$how.txt"
		if [ $RC -eq 0 ] && [ "$n" -ge 10 ] && cmp -s "$exp-t1.txt" "$exp-$how.txt"; then
			ok "$exp ($n trials, $p range-test points): $how stores bitwise what --threads 1 stores"
		else
			nok "$exp $how" "rc=$RC $(diff "$exp-t1.txt" "$exp-$how.txt" | head -4) $(tail -c 200 "$ERR")"
		fi
	done
done
# the comparison sees a difference: one stored number changed
sqlite3 grid-np3.db "update epochs set val_loss = val_loss * (1 + 1e-15) where rowid = 7"
dump grid-np3.db >changed.txt
if ! cmp -s grid-t1.txt changed.txt; then
	ok "the dump tells a number off by one part in 10^15"
else
	nok "the dump" "a changed val_loss went unseen"
fi
finish
