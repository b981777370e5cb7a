#!/usr/bin/env bash
# tests/e2e/layers.sh - layer stacks (model.layers, SPEC §13) end to end:
# the shape table of data, train -v and run --dry-run checked layer by
# layer against PyTorch's own shapes and parameter counts; the shipped CNN
# experiments dry-run; a stack that does not fit refused before anything
# is stored; stacks of linear, relu and tanh layers trained on synthetic
# data through the range test and trials (and one that equals the hidden:
# shorthand trains bit for bit as it does); stacks with conv, pooling,
# dropout and batchnorm trained on tiny 1x8x8 idx images, whatever the
# thread count alike, and under MPI as in one process. (The bad stacks,
# each at its line:column, are in tests/data/bad_experiments/layers-*.)
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1

q() { sqlite3 "$1" "$2"; }
HAVE_TORCH=0
"$PY" -c "import torch" 2>/dev/null && HAVE_TORCH=1
command -v sqlite3 >/dev/null || { nok "sqlite3" "not installed"; finish; }

# ------------------------------------------------------------ the data

# 1x8x8 idx images of three classes, a bright bar on faint noise: class 0
# a row, class 1 a column, class 2 a diagonal, at a random place.
"$PY" - <<'EOF'
import random, struct
def write(prefix, n, seed):
    rnd = random.Random(seed)
    imgs, labels = bytearray(), bytearray()
    for i in range(n):
        c = i % 3
        px = [rnd.randrange(0, 40) for _ in range(64)]
        k = rnd.randrange(1, 7)
        for j in range(8):
            r, col = (k, j) if c == 0 else (j, k) if c == 1 else (j, j)
            px[8 * r + col] = 200 + rnd.randrange(0, 56)
        imgs += bytes(px)
        labels.append(c)
    open(prefix + "-images.idx3", "wb").write(struct.pack(">IIII", 0x803, n, 8, 8) + bytes(imgs))
    open(prefix + "-labels.idx1", "wb").write(struct.pack(">II", 0x801, n) + bytes(labels))
write("train", 600, 1)
write("test", 150, 2)
EOF
IMAGES="  train: {format: idx, images: train-images.idx3, labels: train-labels.idx1}
  test: {format: idx, images: test-images.idx3, labels: test-labels.idx1}"
SPIRALS="  train: {format: synthetic, kind: spirals, samples: 600, classes: 3, noise: 0.1}
  test: {format: synthetic, kind: spirals, samples: 300, classes: 3, noise: 0.1}"

# exp NAME DATA MODEL [MORE]: an experiment file NAME.yaml
exp() {
	printf 'name: %s\nseed: 5\ndata:\n%s\n  validation: 0.2\nmodel:\n%s\noptimizer: {type: sgd, momentum: 0.9}\nbatch_size: 32\n%s\n' \
		"$1" "$2" "$3" "${4:-}" >"$1.yaml"
}

# ------------------------------------------------------------ the shape table

# torch_rows INPUT LAYERS-JSON: "i [shape] params" for each layer, from
# PyTorch's own modules run on one sample.
torch_rows() {
	"$PY" - "$1" "$2" <<'EOF'
import json, sys, torch
from torch import nn
shape, layers = json.loads(sys.argv[1]), json.loads(sys.argv[2])
x = torch.zeros([2] + shape)
for i, L in enumerate(layers, 1):
    t = L["type"]
    if t == "linear":
        x = x.flatten(1)
        m = nn.Linear(x.shape[1], L["size"])
    elif t == "conv":
        m = nn.Conv2d(x.shape[1], L["size"], L["kernel"], L.get("stride", 1), L.get("padding", 0))
    elif t in ("maxpool", "avgpool"):
        cls = nn.MaxPool2d if t == "maxpool" else nn.AvgPool2d
        m = cls(L["size"], L.get("stride", L["size"]), L.get("padding", 0), ceil_mode=L.get("ceil", False))
    elif t == "batchnorm":
        m = nn.BatchNorm2d(x.shape[1]) if x.dim() == 4 else nn.BatchNorm1d(x.shape[1])
    elif t == "dropout":
        m = nn.Dropout(0.5)
    else:
        m = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}[t]()
    x = m(x)
    print(i, "[" + ", ".join(str(d) for d in x.shape[1:]) + "]", sum(p.numel() for p in m.parameters()))
EOF
}

# table_rows FILE: the same rows from lrsweep's table in FILE
table_rows() {
	awk '/^ +# +layer +output shape/ { on = 1; next } /^total parameters/ { on = 0 }
	     on && /^ +[0-9]+  / { n = $1; sub(/^ +[0-9]+  +[^ ]+ +/, ""); p = $NF; sub(/ +[0-9,]+$/, ""); gsub(/,/, "", p)
		print n, $0, p }' "$1"
}

# same_as_torch NAME FILE INPUT LAYERS-JSON: the table in FILE is PyTorch's
same_as_torch() {
	if [ "$HAVE_TORCH" = 0 ]; then
		echo "skip - $1: PyTorch (/usr/bin/python3 -c 'import torch') is not installed"
		return
	fi
	torch_rows "$3" "$4" >torch.txt 2>torch.err
	table_rows "$2" >ours.txt
	if [ -s torch.txt ] && cmp -s torch.txt ours.txt; then
		ok "$1: each layer's output shape and parameters as PyTorch's"
	else
		nok "$1" "torch vs lrsweep: $(diff torch.txt ours.txt | head -6 | tr '\n' '|') $(head -c 300 torch.err)"
	fi
}

ODD='[{"type": "conv", "size": 4, "kernel": 3, "padding": 1}, {"type": "batchnorm"}, {"type": "relu"},
      {"type": "maxpool", "size": 3, "stride": 2, "ceil": true}, {"type": "conv", "size": 6, "kernel": 1, "stride": 2},
      {"type": "sigmoid"}, {"type": "avgpool", "size": 2, "padding": 1}, {"type": "dropout"},
      {"type": "linear", "size": 12}, {"type": "batchnorm"}, {"type": "tanh"}, {"type": "linear", "size": 3}]'
exp odd "$IMAGES" "  layers:
    - {conv: 4, kernel: 3, padding: 1}
    - batchnorm
    - relu
    - {maxpool: 3, stride: 2, ceil: true}
    - {conv: 6, kernel: 1, stride: 2}
    - sigmoid
    - {avgpool: 2, padding: 1}
    - dropout
    - {linear: 12}
    - batchnorm
    - tanh
    - {linear: 3}"
run data odd.yaml
if [ "$RC" -eq 0 ] && grep -q '^model: 12 layers, PyTorch.s default initialisation, 3 classes$' "$OUT" &&
   grep -q '^ *input  *\[1, 8, 8\] ' "$OUT" && [ "$(table_rows "$OUT" | wc -l)" -eq 12 ] &&
   grep -q '^total parameters ' "$OUT"; then
	ok "data: the shape table of an idx-image stack, input [1, 8, 8] from the images"
else
	nok "data: the shape table" "rc=$RC $(tail -c 600 "$OUT" | tr '\n' '|') $(head -c 300 "$ERR")"
fi
same_as_torch "data: every layer type, odd strides, ceil, 1x1 kernel" "$OUT" '[1, 8, 8]' "$ODD"

# the shipped CNN experiments: loaded, planned, their tables PyTorch's
LENET='[{"type": "conv", "size": 6, "kernel": 5, "padding": 2}, {"type": "relu"}, {"type": "maxpool", "size": 2},
        {"type": "conv", "size": 16, "kernel": 5}, {"type": "relu"}, {"type": "maxpool", "size": 2},
        {"type": "linear", "size": 120}, {"type": "relu"}, {"type": "linear", "size": 84}, {"type": "relu"},
        {"type": "linear", "size": 10}]'
CLRNET='[{"type": "conv", "size": 32, "kernel": 5, "padding": 2}, {"type": "maxpool", "size": 3, "stride": 2, "ceil": true},
         {"type": "relu"}, {"type": "conv", "size": 32, "kernel": 5, "padding": 2}, {"type": "relu"},
         {"type": "avgpool", "size": 3, "stride": 2, "ceil": true}, {"type": "conv", "size": 64, "kernel": 5, "padding": 2},
         {"type": "relu"}, {"type": "avgpool", "size": 3, "stride": 2, "ceil": true}, {"type": "linear", "size": 10}]'
if [ ! -e /usr/share/dataset-fashion-mnist ] && ! dpkg -L dataset-fashion-mnist >/dev/null 2>&1; then
	echo "skip - the shipped CNN experiments: dataset-fashion-mnist is not installed"
else
	for x in "fashion_cnn 6 $LENET" "fashion_mnist_clr_cnn 18 $CLRNET"; do
		set -- $x
		name=$1 trials=$2
		shift 2
		run run "$REPO/experiments/$name.yaml" --dry-run --db "$T/$name.db"
		if [ "$RC" -eq 0 ] && grep -q "^plan: $trials trials " "$OUT" && grep -q '^ *input  *\[1, 28, 28\] ' "$OUT" &&
		   [ ! -e "$T/$name.db" ]; then
			ok "$name.yaml: run --dry-run shows the shape table and plans $trials trials, stores nothing"
		else
			nok "$name.yaml --dry-run" "rc=$RC $(head -c 400 "$OUT") $(head -c 300 "$ERR")"
		fi
		same_as_torch "$name.yaml" "$OUT" '[1, 28, 28]' "$*"
	done
fi

# a stack that does not fit is refused by run before the database exists
exp misfit "$IMAGES" "  layers: [{conv: 4, kernel: 9}, {linear: 3}]"
run run misfit.yaml --db "$T/misfit.db"
if [ "$RC" -eq 2 ] && grep -q "misfit.yaml:8:12: conv: kernel 9 is larger than the 8x8 input" "$ERR" &&
   [ "$(wc -l <"$ERR")" -eq 1 ] && [ ! -e "$T/misfit.db" ]; then
	ok "run: a kernel larger than the map, at its line:column, exit 2, nothing stored"
else
	nok "run: a misfit stack" "rc=$RC $(head -c 300 "$ERR")"
fi

# mpi_same NAME YAML DB: lrsweep-mpi on 2 ranks stores the epochs of DB
MPI=${LRSWEEP_MPI:-}
case $MPI in /*) ;; ?*) MPI=$REPO/$MPI ;; esac
mpi_same() {
	if [ -z "$MPI" ] || [ ! -x "$MPI" ] || ! command -v mpirun >/dev/null; then
		echo "skip - $1: mpirun or lrsweep-mpi absent"
		return
	fi
	[ -x "$T/lrsweep-mpi" ] || cp "$MPI" "$T/lrsweep-mpi"
	rm -f "$T/mpi.db"
	OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" timeout 300 mpirun --oversubscribe -np 2 "$T/lrsweep-mpi" run "$2" --db "$T/mpi.db" -q >/dev/null 2>"$ERR"
	if [ -n "$(q "$3" "$EPOCHS_SQL")" ] && [ "$(q "$3" "$EPOCHS_SQL")" = "$(q mpi.db "$EPOCHS_SQL" 2>/dev/null)" ]; then
		ok "$1"
	else
		nok "$1" "$(head -c 300 "$ERR")"
	fi
}
CNN_MPI="MPI (2 ranks): the conv stack's epochs as in one process, bit for bit"

# ------------------------------------------------------------ linear, relu, tanh

# the hidden: shorthand and the same MLP written as layers train alike
exp mlp "$SPIRALS" "  hidden: [24]
  activation: relu"
exp stack "$SPIRALS" "  init: he
  layers: [{linear: 24}, relu, {linear: 3}]"
run train mlp.yaml --lr 0.05 --epochs 3 --db mlp.db
cut -c1-70 "$OUT" | grep -v '^stored' >mlp.txt
run train stack.yaml --lr 0.05 --epochs 3 --db stack.db
cut -c1-70 "$OUT" | grep -v '^stored' >stack.txt
if [ "$RC" -eq 0 ] && [ "$(wc -l <stack.txt)" -eq 5 ] && cmp -s mlp.txt stack.txt; then
	ok "train: layers [linear 24, relu, linear 3] with init: he trains as hidden: [24] does, number for number"
else
	nok "layers as the shorthand" "rc=$RC $(diff mlp.txt stack.txt | head -4 | tr '\n' '|') $(head -c 200 "$ERR")"
fi

run -v train stack.yaml --lr 0.05 --epochs 1 --db stack.db
if [ "$RC" -eq 0 ] && [ "$(sed -n 1p "$OUT")" = "model: 3 layers, He initialisation, 3 classes" ] &&
   grep -q '^ *1  linear24  *\[24\]  *72$' "$OUT" && grep -q '^epoch ' "$OUT"; then
	ok "train -v: the shape table before the epochs"
else
	nok "train -v" "rc=$RC $(head -c 400 "$OUT")"
fi

TRIALS="range_test: {iterations: 60, eval_every: 10, repeats: 2, end_lr: 1.0}
trials:
  epochs: 4
  seeds: [1, 2]
  schedules: [{type: constant}, {type: one_cycle}]"
exp flat "$SPIRALS" "  layers: [{linear: 32}, tanh, {linear: 32}, relu, {linear: 3}]" "$TRIALS"
run run flat.yaml --db "$T/flat1.db" --threads 1
HYPER=$(q flat1.db "select distinct json_extract(hyper, '$.model') from trials")
if [ "$RC" -eq 0 ] && [ "$(q flat1.db "select count(*) from trials where status = 'completed'")" = 4 ] &&
   [ "$(q flat1.db "select count(*) from range_points")" -gt 50 ] &&
   [ "$(q flat1.db "select count(*) from bounds where chosen = 1")" = 1 ] &&
   [ "$HYPER" = '{"input":[2,1,1],"layers":"linear32 tanh linear32 relu linear3","init":"torch"}' ]; then
	ok "run: range test, bounds and 4 trials of a linear/tanh/relu stack, stored with the stack's description"
else
	nok "run a flat stack" "rc=$RC hyper=$HYPER $(tail -c 300 "$ERR")"
fi
best=$(q flat1.db "select max(test_accuracy) from trials")
if awk -v a="${best:-0}" 'BEGIN { exit !(a > 0.5) }'; then
	ok "the stack learned the spirals (best test accuracy $best; chance 0.33)"
else
	nok "the stack learned" "best test accuracy $best"
fi
EPOCHS_SQL="select t.trial_key, e.epoch, hex(e.train_loss), hex(e.val_loss), hex(e.val_accuracy) from epochs e
            join trials t on t.id = e.trial_id order by 1, 2"
run run flat.yaml --db "$T/flat2.db" --threads 2
if [ "$RC" -eq 0 ] && [ "$(q flat1.db "$EPOCHS_SQL")" = "$(q flat2.db "$EPOCHS_SQL")" ]; then
	ok "run on 2 threads stores the same epochs, bit for bit, as on 1"
else
	nok "threads" "rc=$RC"
fi
mpi_same "MPI (2 ranks): the flat stack's epochs as in one process, bit for bit" flat.yaml flat1.db
run range-test flat.yaml --db "$T/flat3.db" --iterations 40
if [ "$RC" -eq 0 ] && grep -q '^bounds (combined): min_lr ' "$OUT" &&
   [ "$(q flat3.db "select count(*) from range_points")" = 80 ]; then
	ok "range-test on a layers: stack: two repeats of 40 points stored, bounds picked"
else
	nok "range-test" "rc=$RC $(head -c 300 "$ERR")"
fi

# ------------------------------------------------------------ conv, pooling, dropout, batchnorm

CNN="  layers:
    - {conv: 4, kernel: 3, padding: 1}
    - batchnorm
    - relu
    - {maxpool: 2}
    - {conv: 8, kernel: 3, stride: 2, padding: 1}
    - relu
    - {avgpool: 2, ceil: true}
    - {dropout: 0.2}
    - {linear: 3}"
exp cnn "$IMAGES" "$CNN" "$TRIALS"
run data cnn.yaml
if grep -q '^not trainable by this build' "$OUT"; then
	why=$(grep '^not trainable by this build' "$OUT")
	for c in "train: a conv/batchnorm/pool/dropout stack learns the bars" \
	         "run: range test and trials of that stack" "run: the same on 1 and 2 threads" \
	         "$CNN_MPI"; do
		echo "skip - $c: $why"
	done
	finish
fi
run train cnn.yaml --lr 0.05 --epochs 4 --db cnn.db
acc=$(awk '/^test_accuracy/ { print $2 }' "$OUT")
if [ "$RC" -eq 0 ] && awk -v a="${acc:-0}" 'BEGIN { exit !(a > 0.6) }'; then
	ok "train: a conv/batchnorm/pool/dropout stack learns the bars (test accuracy $acc; chance 0.33)"
else
	nok "train a cnn" "rc=$RC accuracy $acc $(head -c 300 "$ERR")"
fi
run run cnn.yaml --db "$T/cnn1.db" --threads 1
if [ "$RC" -eq 0 ] && [ "$(q cnn1.db "select count(*) from trials where status = 'completed'")" = 4 ] &&
   [ "$(q cnn1.db "select count(*) from bounds where chosen = 1")" = 1 ]; then
	ok "run: range test and trials of that stack"
else
	nok "run a cnn" "rc=$RC $(tail -c 300 "$ERR")"
fi
run run cnn.yaml --db "$T/cnn2.db" --threads 2
if [ "$RC" -eq 0 ] && [ -n "$(q cnn1.db "$EPOCHS_SQL")" ] && [ "$(q cnn1.db "$EPOCHS_SQL")" = "$(q cnn2.db "$EPOCHS_SQL")" ]; then
	ok "run: the same on 1 and 2 threads, bit for bit"
else
	nok "cnn threads" "rc=$RC"
fi
mpi_same "$CNN_MPI" cnn.yaml cnn1.db
finish
