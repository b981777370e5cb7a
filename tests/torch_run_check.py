#!/usr/bin/python3
"""Cross-check whole `lrsweep train` runs against PyTorch, bit for bit in
their inputs.

tests/torch_net_check.py checks the layers and optimizers: 20 steps from
the same weights on the same batches. This script checks what surrounds
them in a real run: the data (the first `limit` images, the validation
split drawn with the experiment's seed, scaling to [0, 1]), the initial
weights (PyTorch's default distributions, drawn from the run's seed), the
epoch loop (a reshuffle every epoch, the last partial batch kept, the mean
loss over a batch), the schedule over the run's iterations (the rate of
each update, counted as PyTorch's scheduler counts its steps) and the
evaluation of the validation and test sets.

For each configuration it runs `lrsweep train` on a small Fashion-MNIST
experiment, then trains the PyTorch model on exactly that run: it
reproduces lrsweep's random streams in Python (xoshiro256** seeded by
splitmix64, include/lrsweep/rng.h; the split's Fisher-Yates in
src/data/dataset.c; the weights' and the shuffles' streams of
src/train/train.c) to get the same split, the same initial weights and
the same batch order, and takes its rates from PyTorch's own scheduler
(CyclicLR, or a constant rate). Then it compares, from the run's database,
every epoch's

  - rate of its last update:          |a - b| <= 1e-9 * |b|
  - training and validation loss:     |a - b| <= 1e-4 * |b|
  - training and validation accuracy: within 2 samples
  - and the test accuracy at the end: within 2 samples

(the runs differ only in float32 rounding -- sgemm against oneDNN's
convolutions -- which grows from step to step but stays far below these
over a few dozen updates; a wrong split, initial weight, batch order, rate
or partial batch moves the first epoch's loss by percent). A change to
lrsweep's random streams must be made here too.

Usage:
    /usr/bin/python3 tests/torch_run_check.py path/to/lrsweep

Prints one line per configuration and `N passed, M failed`; exits 0 iff
nothing failed. Skips (exit 0) when PyTorch is not importable or the
Fashion-MNIST files (Debian's dataset-fashion-mnist) are missing.
"""

import gzip
import math
import os
import sqlite3
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import torch
except ImportError:
    print("torch_run_check: SKIPPED (PyTorch not importable from /usr/bin/python3)")
    sys.exit(0)

DATA = "/usr/share/datasets/fashion-mnist"
LR_RTOL, LOSS_RTOL, SAMPLES = 1e-9, 1e-4, 2
MASK = (1 << 64) - 1

# --- lrsweep's random streams ----------------------------------------------


def mix(x):
    """splitmix64's finaliser (lrs_rng_mix)."""
    x = (x + 0x9e3779b97f4a7c15) & MASK
    x = ((x ^ (x >> 30)) * 0xbf58476d1ce4e5b9) & MASK
    x = ((x ^ (x >> 27)) * 0x94d049bb133111eb) & MASK
    return x ^ (x >> 31)


class Rng:
    """xoshiro256** as lrs_rng_seed/next/uniform give it."""

    def __init__(self, seed):
        self.s = []
        for _ in range(4):
            seed = (seed + 0x9e3779b97f4a7c15) & MASK
            self.s.append(mix(seed))

    def next(self):
        s = self.s
        rotl = lambda x, k: ((x << k) | (x >> (64 - k))) & MASK
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def uniform(self):
        return (self.next() >> 11) * 2.0 ** -53

    def below(self, bound):
        """A uniform integer in [0, bound) by rejection (dataset.c)."""
        limit = MASK - MASK % bound
        while True:
            v = self.next()
            if v < limit:
                return v % bound


# --- the data ----------------------------------------------------------------


def load(kind, limit=0):
    with gzip.open(os.path.join(DATA, f"{kind}-images-idx3-ubyte.gz")) as f:
        x = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 784)
    with gzip.open(os.path.join(DATA, f"{kind}-labels-idx1-ubyte.gz")) as f:
        y = np.frombuffer(f.read(), dtype=np.uint8, offset=8).astype(np.int64)
    return (x[:limit].copy(), y[:limit].copy()) if limit else (x.copy(), y.copy())


def split(x, y, seed, validation):
    """The rows shuffled in place with the experiment's seed; the first
    round(validation * n) are the validation split. (train, val)."""
    rng = Rng(seed)
    for i in range(len(y) - 1, 0, -1):
        j = rng.below(i + 1)
        if j != i:
            x[[i, j]] = x[[j, i]]
            y[[i, j]] = y[[j, i]]
    n_val = round(validation * len(y))
    return (x[n_val:], y[n_val:]), (x[:n_val], y[:n_val])


def scaler(train_x):
    """normalize: scale -- (x - min) * b, b = 1 / (max - min) in float32,
    stepped down until max maps to 1 at most (dataset.c)."""
    lo, hi = np.float32(train_x.min()), np.float32(train_x.max())
    b = np.float32(1.0 / (float(hi) - float(lo)))
    while np.float32(hi - lo) * b > np.float32(1):
        b = np.nextafter(b, np.float32(0))
    return lambda x: torch.from_numpy(((x.astype(np.float32) - lo) * b).reshape(-1, 1, 28, 28))


# --- the runs ----------------------------------------------------------------

NETS = {
    "clr-net": ("""
    - {conv: 32, kernel: 5, padding: 2}
    - {maxpool: 3, stride: 2, ceil: true}
    - relu
    - {conv: 32, kernel: 5, padding: 2}
    - relu
    - {avgpool: 3, stride: 2, ceil: true}
    - {conv: 64, kernel: 5, padding: 2}
    - relu
    - {avgpool: 3, stride: 2, ceil: true}
    - {linear: 10}""", lambda nn: nn.Sequential(
        nn.Conv2d(1, 32, 5, padding=2), nn.MaxPool2d(3, 2, ceil_mode=True), nn.ReLU(),
        nn.Conv2d(32, 32, 5, padding=2), nn.ReLU(), nn.AvgPool2d(3, 2, ceil_mode=True),
        nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.AvgPool2d(3, 2, ceil_mode=True),
        nn.Flatten(), nn.Linear(576, 10))),
    "lenet5": ("""
    - {conv: 6, kernel: 5, padding: 2}
    - relu
    - {maxpool: 2}
    - {conv: 16, kernel: 5}
    - relu
    - {maxpool: 2}
    - {linear: 120}
    - relu
    - {linear: 84}
    - relu
    - {linear: 10}""", lambda nn: nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
        nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10))),
}

# name, net, images (limit), batch, epochs, experiment seed (the split),
# run seed (weights, shuffles), schedule: ("constant", lr) or
# ("triangular2", base_lr, max_lr, step_size in steps). Neither training
# split is a multiple of its batch: the last batch of every epoch is partial.
CONFIGS = [
    ("clr-net triangular2, 495 samples, batch 50", "clr-net", 550, 50, 3, 5, 7,
     ("triangular2", 0.02, 0.1, 5)),
    ("lenet5 constant, 432 samples, batch 32", "lenet5", 480, 32, 3, 11, 3, ("constant", 0.1)),
]


def experiment(tmp, net, limit, batch, seed):
    path = os.path.join(tmp, "run.yaml")
    with open(path, "w") as f:
        f.write(f"""name: torch-run-check
seed: {seed}
data:
  source: fashion-mnist
  limit: {limit}
  validation: 0.1
  normalize: scale
model:
  input: [1, 28, 28]
  layers:{NETS[net][0]}
optimizer:
  type: sgd
  momentum: 0.9
batch_size: {batch}
""")
    return path


def lrsweep_run(lrsweep, tmp, c):
    """The run's epochs (lr, train loss, train acc, val loss, val acc) and
    its test accuracy, from its database."""
    name, net, limit, batch, epochs, exp_seed, seed, sched = c
    path, db = experiment(tmp, net, limit, batch, exp_seed), os.path.join(tmp, "run.db")
    args = ["--lr", repr(sched[1])] if sched[0] == "constant" else \
        ["--schedule", "triangular2", "--base_lr", repr(sched[1]), "--max_lr", repr(sched[2]),
         "--step_size", str(sched[3])]
    subprocess.run([lrsweep, "-q", "train", path, *args, "--epochs", str(epochs), "--seed", str(seed),
                    "--db", db], check=True, capture_output=True, text=True)
    con = sqlite3.connect(db)
    rows = con.execute("SELECT lr, train_loss, train_accuracy, val_loss, val_accuracy FROM epochs "
                       "ORDER BY epoch").fetchall()
    test = con.execute("SELECT test_accuracy FROM trials").fetchone()[0]
    con.close()
    return rows, test


def init_weights(model, seed):
    """PyTorch's default distributions, U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    for weight then bias, layer by layer, from the run's weight stream."""
    rng = Rng(mix(seed ^ 0x696e6974))   # "init"
    with torch.no_grad():
        for m in model:
            if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
                bound = 1.0 / math.sqrt(m.weight[0].numel())
                for p in (m.weight, m.bias):
                    u = np.array([rng.uniform() for _ in range(p.numel())])
                    p.copy_(torch.from_numpy((bound * (2.0 * u - 1.0)).astype(np.float32)).reshape(p.shape))


def evaluate(model, x, y):
    with torch.no_grad():
        out = torch.cat([model(x[i:i + 1000]) for i in range(0, len(y), 1000)])
    return torch.nn.functional.cross_entropy(out, y).item(), (out.argmax(1) == y).double().mean().item()


def torch_run(c):
    """The same run in PyTorch: the same rows as lrsweep's epochs, and the
    test accuracy."""
    name, net, limit, batch, epochs, exp_seed, seed, sched = c
    (xt, yt), (xv, yv) = split(*load("train", limit), exp_seed, 0.1)
    scale = scaler(xt)
    X, Y, Xv, Yv = scale(xt), torch.from_numpy(yt), scale(xv), torch.from_numpy(yv)
    xs, ys = load("t10k")
    model = NETS[net][1](torch.nn)
    init_weights(model, seed)
    opt = torch.optim.SGD(model.parameters(), lr=sched[1], momentum=0.9)
    lrs = torch.optim.lr_scheduler.CyclicLR(opt, base_lr=sched[1], max_lr=sched[2], step_size_up=sched[3],
                                            mode="triangular2", cycle_momentum=False) \
        if sched[0] == "triangular2" else None
    shuffles, order, rows = Rng(mix(seed ^ 0x73687566)), list(range(len(Y))), []   # "shuf"
    for _ in range(epochs):
        for i in range(len(order) - 1, 0, -1):
            j = int(shuffles.uniform() * (i + 1))
            order[i], order[j] = order[j], order[i]
        model.train()
        loss_sum, correct = 0.0, 0
        for start in range(0, len(order), batch):
            idx = torch.tensor(order[start:start + batch])
            out = model(X[idx])
            loss = torch.nn.functional.cross_entropy(out, Y[idx])
            loss_sum += loss.item() * len(idx)
            correct += (out.argmax(1) == Y[idx]).sum().item()
            lr = opt.param_groups[0]["lr"]
            opt.zero_grad()
            loss.backward()
            opt.step()
            if lrs:
                lrs.step()
        model.eval()
        rows.append((lr, loss_sum / len(Y), correct / len(Y), *evaluate(model, Xv, Yv)))
    return rows, evaluate(model, scale(xs), torch.from_numpy(ys))[1]


def compare(a, b, n_train, n_val, n_test):
    """The problems of lrsweep's run a against PyTorch's b."""
    (rows_a, test_a), (rows_b, test_b) = a, b
    problems = []
    if len(rows_a) != len(rows_b):
        return [f"{len(rows_a)} epochs, expected {len(rows_b)}"]
    for e, (ra, rb) in enumerate(zip(rows_a, rows_b), 1):
        for what, x, y, tol in (("lr", ra[0], rb[0], LR_RTOL * abs(rb[0])),
                                ("train loss", ra[1], rb[1], LOSS_RTOL * abs(rb[1])),
                                ("train accuracy", ra[2], rb[2], SAMPLES / n_train),
                                ("val loss", ra[3], rb[3], LOSS_RTOL * abs(rb[3])),
                                ("val accuracy", ra[4], rb[4], SAMPLES / n_val)):
            if not abs(x - y) <= tol + 1e-12:
                problems.append(f"epoch {e} {what}: lrsweep {x:.9g}, PyTorch {y:.9g}")
    if not abs(test_a - test_b) <= SAMPLES / n_test + 1e-12:
        problems.append(f"test accuracy: lrsweep {test_a:.6g}, PyTorch {test_b:.6g}")
    return problems


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().split("\n\n")[-2], file=sys.stderr)
        return 2
    if not os.path.exists(os.path.join(DATA, "t10k-labels-idx1-ubyte.gz")):
        print(f"torch_run_check: SKIPPED (no Fashion-MNIST files in {DATA})")
        return 0
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    failed = 0
    for c in CONFIGS:
        n_train = c[2] - round(0.1 * c[2])
        with tempfile.TemporaryDirectory() as tmp:
            a = lrsweep_run(argv[1], tmp, c)
        b = torch_run(c)
        problems = compare(a, b, n_train, c[2] - n_train, 10000)
        worst = max(abs(x - y) / abs(y) for ra, rb in zip(a[0], b[0]) for x, y in ((ra[1], rb[1]), (ra[3], rb[3])))
        print(f"{'FAIL' if problems else 'ok  '} {c[0]}: {len(b[0])} epochs, largest loss difference "
              f"{worst:.2e} relative, test accuracy {a[1]:.4f} / {b[1]:.4f}")
        for p in problems:
            print("     " + p)
        failed += bool(problems)
    print(f"{len(CONFIGS) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
