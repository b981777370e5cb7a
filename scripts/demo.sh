#!/bin/sh
# demo.sh - the main job of this version of lrsweep: print and plot a few
# learning-rate schedules for a run of 20 epochs of 100 steps, with the
# bounds a range test might have picked (min 0.01, max 0.2), then train with
# one of them on synthetic data and on Fashion-MNIST. Plots go to results/.
# Later versions run the whole pipeline here.
set -eu
LRSWEEP=${LRSWEEP:-bin/lrsweep}
OUT=${OUT:-results}
mkdir -p "$OUT"
common="--steps 2000 --steps-per-epoch 100 --min-lr 0.01 --max-lr 0.2"

show() {
	name=$1; shift
	echo "== $name: lrsweep schedule $*"
	"$LRSWEEP" schedule "$@" $common --format table | awk 'NR == 1 || (NR - 2) % 250 == 0'
	"$LRSWEEP" -q schedule "$@" $common --plot "$OUT/demo-$name.png"
	"$LRSWEEP" -q schedule "$@" $common --plot "$OUT/demo-$name.svg"
	echo
}

show triangular2 triangular2 --step_size "2 epochs"
show exp_range exp_range --step_size "2 epochs" --gamma 0.9995 --window hann
show one_cycle one_cycle
show sgdr sgdr --cycle_length 2 --mult_factor 2 --lr_decay 0.8
show warmup_cosine sequential --schedules '[{type: linear, start_factor: 0.05, total_iters: "1 epochs"}, {type: cosine_annealing}]' --milestones "1 epochs"
show cosine_decay_restarts cosine_decay_restarts --first_decay_steps "2 epochs" --t_mul 2 --m_mul 0.9

echo "== one_cycle on the terminal"
"$LRSWEEP" schedule one_cycle $common --terminal
echo "plots written to $OUT/demo-*.png and $OUT/demo-*.svg"
echo

echo "== lrsweep data experiments/quick_synthetic.yaml"
"$LRSWEEP" data experiments/quick_synthetic.yaml
echo
echo "== lrsweep train experiments/quick_synthetic.yaml --schedule one_cycle --max_lr 0.2 --epochs 10"
"$LRSWEEP" train experiments/quick_synthetic.yaml --schedule one_cycle --max_lr 0.2 --epochs 10
echo
echo "== lrsweep train experiments/fashion_mnist.yaml --schedule one_cycle --max_lr 0.1 --epochs 3"
"$LRSWEEP" train experiments/fashion_mnist.yaml --schedule one_cycle --max_lr 0.1 --epochs 3
