#!/bin/sh
# demo.sh - the main job: the whole pipeline on Fashion-MNIST
# (experiments/fashion_quick.yaml): the CLR paper's range test picks the
# learning-rate bounds, five schedules race for 4 epochs over two seeds on
# every core, everything goes to results/fashion-quick.db, and the
# leaderboard closes the run. About a minute on 2 cores. Before it, a
# glimpse of the schedules with plots in results/.
set -eu
LRSWEEP=${LRSWEEP:-bin/lrsweep}
OUT=${OUT:-results}
mkdir -p "$OUT"
common="--steps 2000 --steps-per-epoch 100 --min-lr 0.01 --max-lr 0.2"

show() {
	name=$1; shift
	"$LRSWEEP" -q schedule "$@" $common --plot "$OUT/demo-$name.png"
}

echo "== schedules, plotted to $OUT/demo-*.png"
show triangular2 triangular2 --step_size "2 epochs"
show one_cycle one_cycle
show sgdr sgdr --cycle_length 2 --mult_factor 2 --lr_decay 0.8
show warmup_cosine sequential --schedules '[{type: linear, start_factor: 0.05, total_iters: "1 epochs"}, {type: cosine_annealing}]' --milestones "1 epochs"
echo "== one_cycle on the terminal"
"$LRSWEEP" schedule one_cycle $common --terminal
echo

echo "== lrsweep run experiments/fashion_quick.yaml --dry-run"
"$LRSWEEP" run experiments/fashion_quick.yaml --dry-run
echo
echo "== lrsweep run experiments/fashion_quick.yaml"
"$LRSWEEP" run experiments/fashion_quick.yaml --db "$OUT/fashion-quick.db"
echo
echo "== the same database from the sqlite3 shell"
if command -v sqlite3 >/dev/null; then
	sqlite3 -header -column "$OUT/fashion-quick.db" \
		"SELECT trial_id, schedule, seed, printf('%.4f', best_val_accuracy) AS best_val,
		        printf('%.4f', test_accuracy) AS test
		 FROM leaderboard WHERE experiment_id = (SELECT max(id) FROM experiments) AND rank <= 5"
fi
