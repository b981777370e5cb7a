#!/usr/bin/python3
"""fashion_mnist.py - a PyTorch trainer for lrsweep: Fashion-MNIST with the
built-in MLP's recipe or the CLR paper's CIFAR-10 network, driven over
lrsweep's protocol (an experiment's trainer: section, docs/trainers.md).

Started by lrsweep (LRSWEEP_FD set), it takes everything from the run's
config: the optimizer, the batch size, the seed, the epochs or the range
test's steps, and these params (defaults in brackets):

  model        mlp | clr_cnn [mlp]
  hidden       the MLP's hidden widths [[256]]
  activation   relu | tanh | sigmoid [relu]
  init         he | xavier (the MLP; clr_cnn keeps PyTorch's own) [he]
  data         the directory of the four idx .gz files
               [/usr/share/datasets/fashion-mnist]
  train_limit  use only the first N training images, 0 = all [0]
  validation   the fraction held out [0.1]
  split_seed   the seed of the validation split: the experiment's seed:
               gives the built-in model's split, image for image [0]
  threads      torch.set_num_threads [1]
  test         evaluate the test images at the end (done) [true]

Run by hand (no LRSWEEP_FD) it trains at a constant rate from --lr, the
same loop without lrsweep: the overhead benchmark's baseline.

    /usr/bin/python3 fashion_mnist.py --lr 0.05 --epochs 2

What it prints to stdout (lrsweep puts it in the run's log):

  lr STEP VALUE [MOMENTUM]   the rate (and the cycled momentum) the optimizer
                             held for step STEP, as applied; repr() of the
                             float, so it reads back bit for bit
  epoch E train_loss X train_accuracy X val_loss X val_accuracy X seconds S
                             S: the epoch's wall time, steps and evaluation
                             and (driven) its exchange with lrsweep
  test_loss X test_accuracy X

The data follow lrsweep's loader (src/data/): the first train_limit
images, shuffled by the Fisher-Yates of lrsweep's xoshiro256** seeded with
split_seed, the first round(validation * n) of them held out; pixels scaled
by the training split's minimum and maximum (x / 255). The MLP is the
built-in one: Linear layers with He-normal (or Xavier-uniform) weights and
zero biases; each epoch reshuffles; the last batch may be short.
"""

import argparse
import gzip
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "clients", "python"))
import lrsweep_client  # noqa: E402  (found through the path above)

DATA = "/usr/share/datasets/fashion-mnist"
EVAL_BATCH = 1000
M64 = (1 << 64) - 1


# ---------------------------------------------------------------- the data

class _Xoshiro(object):
    """lrsweep's generator (src/common/rng.c): xoshiro256** seeded by
    splitmix64, so the validation split is the built-in model's."""

    def __init__(self, seed):
        self.s = []
        for _ in range(4):
            seed = (seed + 0x9e3779b97f4a7c15) & M64
            self.s.append(_mix(seed))

    def next(self):
        s0, s1, s2, s3 = self.s
        result = (_rotl((s1 * 5) & M64, 7) * 9) & M64
        t = (s1 << 17) & M64
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = _rotl(s3, 45)
        self.s = [s0, s1, s2, s3]
        return result

    def below(self, bound):
        """A uniform integer in [0, bound), as the loader draws it."""
        limit = M64 - M64 % bound
        while True:
            v = self.next()
            if v < limit:
                return v % bound


def _mix(x):
    x = (x + 0x9e3779b97f4a7c15) & M64
    x = ((x ^ (x >> 30)) * 0xbf58476d1ce4e5b9) & M64
    x = ((x ^ (x >> 27)) * 0x94d049bb133111eb) & M64
    return x ^ (x >> 31)


def _rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & M64


def _idx(path, offset):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def load_data(directory, limit, validation, split_seed):
    """(train, val, test) as (float32 tensor (n, 784), int64 labels) pairs,
    split and scaled as lrsweep's loader does."""
    x = _idx(os.path.join(directory, "train-images-idx3-ubyte.gz"), 16).reshape(-1, 784)
    y = _idx(os.path.join(directory, "train-labels-idx1-ubyte.gz"), 8)
    if limit:
        x, y = x[:limit], y[:limit]
    n = len(y)
    n_val = int(math.floor(validation * n + 0.5))
    order = np.arange(n)
    if n_val > 0:   # Fisher-Yates from the last row down, as the loader does
        rng = _Xoshiro(split_seed)
        for i in range(n - 1, 0, -1):
            j = rng.below(i + 1)
            order[i], order[j] = order[j], order[i]
    x, y = x[order], y[order]
    lo, hi = np.float32(x[n_val:].min()), np.float32(x[n_val:].max())
    b = np.float32(1.0 / (float(hi) - float(lo))) if hi > lo else np.float32(1.0)
    while hi > lo and (hi - lo) * b > np.float32(1.0):
        b = np.nextafter(b, np.float32(0.0))

    def norm(a):
        return torch.from_numpy((a.astype(np.float32) - lo) * b)

    def labels(a):
        return torch.from_numpy(a.astype(np.int64))

    tx = _idx(os.path.join(directory, "t10k-images-idx3-ubyte.gz"), 16).reshape(-1, 784)
    ty = _idx(os.path.join(directory, "t10k-labels-idx1-ubyte.gz"), 8)
    return ((norm(x[n_val:]), labels(y[n_val:])), (norm(x[:n_val]), labels(y[:n_val])),
            (norm(tx), labels(ty)))


# --------------------------------------------------------------- the models

ACTIVATIONS = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid}


def mlp(hidden, activation, init):
    """The built-in MLP (SPEC §7): Linear layers with the activation between
    them, He-normal (std sqrt(2 / fan_in)) or Xavier-uniform weights on
    every layer, zero biases; the loss applies the softmax."""
    layers, width = [], 784
    for h in hidden:
        layers += [torch.nn.Linear(width, h), ACTIVATIONS[activation]()]
        width = h
    layers.append(torch.nn.Linear(width, 10))
    for m in layers:
        if isinstance(m, torch.nn.Linear):
            if init == "he":
                torch.nn.init.normal_(m.weight, 0.0, math.sqrt(2.0 / m.in_features))
            else:
                torch.nn.init.xavier_uniform_(m.weight)
            torch.nn.init.zeros_(m.bias)
    return torch.nn.Sequential(*layers)


def clr_cnn():
    """The CLR paper's CIFAR-10 network for 1x28x28 (SPEC §13's layer list),
    PyTorch's own initialisation: 28 -> 14 -> 7 -> 3 under the pools."""
    return torch.nn.Sequential(
        torch.nn.Unflatten(1, (1, 28, 28)),
        torch.nn.Conv2d(1, 32, 5, padding=2),
        torch.nn.MaxPool2d(3, stride=2, ceil_mode=True),
        torch.nn.ReLU(),
        torch.nn.Conv2d(32, 32, 5, padding=2),
        torch.nn.ReLU(),
        torch.nn.AvgPool2d(3, stride=2, ceil_mode=True),
        torch.nn.Conv2d(32, 64, 5, padding=2),
        torch.nn.ReLU(),
        torch.nn.AvgPool2d(3, stride=2, ceil_mode=True),
        torch.nn.Flatten(),
        torch.nn.Linear(64 * 3 * 3, 10))


def build_model(p):
    kind = p.get("model", "mlp")
    if kind == "mlp":
        act = p.get("activation", "relu")
        return mlp(list(p.get("hidden", [256])), act, p.get("init", "he" if act == "relu" else "xavier"))
    if kind == "clr_cnn":
        return clr_cnn()
    raise SystemExit("fashion_mnist.py: params.model must be mlp or clr_cnn, not %r" % kind)


def build_optimizer(model, o):
    """The optimizer of the config (PyTorch's own: lrsweep's match it); the
    rate is set every step."""
    kind = o.get("type", "sgd")
    wd = float(o.get("weight_decay", 0.0))
    if kind == "sgd":
        return torch.optim.SGD(model.parameters(), lr=0.0, momentum=float(o.get("momentum", 0.0)),
                               nesterov=bool(o.get("nesterov", False)), weight_decay=wd)
    betas = tuple(float(v) for v in o.get("betas", [0.9, 0.999]))
    cls = torch.optim.Adam if kind == "adam" else torch.optim.AdamW
    return cls(model.parameters(), lr=0.0, betas=betas, eps=float(o.get("eps", 1e-8)), weight_decay=wd)


def evaluate(model, data, limit=0):
    """(mean loss, accuracy) on the first `limit` samples of data (0: all)."""
    x, y = data
    n = min(limit, len(y)) if limit else len(y)
    total, correct = 0.0, 0
    was = model.training
    model.eval()
    with torch.no_grad():
        for i in range(0, n, EVAL_BATCH):
            out = model(x[i:min(n, i + EVAL_BATCH)])
            yb = y[i:min(n, i + EVAL_BATCH)]
            total += F.cross_entropy(out, yb, reduction="sum").item()
            correct += (out.argmax(1) == yb).sum().item()
    model.train(was)
    return total / n, correct / n


# ------------------------------------------------------------ the two drivers

class Standalone(object):
    """The Session's calls the loop makes, without lrsweep: a constant rate,
    a fixed number of epochs, nothing sent anywhere."""

    mode = "trial"

    def __init__(self, args):
        self.params = {"model": args.model, "train_limit": args.train_limit, "threads": args.threads,
                       "split_seed": args.seed, "data": args.data}
        self.optimizer = {"type": "sgd", "momentum": args.momentum, "weight_decay": args.weight_decay}
        self.batch_size, self.seed, self.epochs = args.batch_size, args.seed, args.epochs
        self.max_steps = self.eval_every = self.eval_samples = 0
        self.rate = args.lr
        self.step = 0

    def apply(self, opt):
        for g in opt.param_groups:
            g["lr"] = self.rate
        return self.rate

    def momentum(self):
        return None

    def loss(self, value):
        self.step += 1

    def eval_due(self):
        return False

    def eval(self, val_loss, val_accuracy):
        pass

    def epoch_end(self, *metrics):
        pass

    def done(self, test_loss=None, test_accuracy=None):
        pass


def train(s, p, data):
    """The training loop both modes share: a range test runs until lrsweep
    stops it (lrsweep_client.Stop), a trial for s.epochs epochs."""
    train_set, val_set, test_set = data
    torch.manual_seed(s.seed)
    model = build_model(p)
    opt = build_optimizer(model, s.optimizer)
    shuffles = torch.Generator().manual_seed(s.seed)
    cycled = "momentum" if "momentum" in opt.param_groups[0] else "betas"
    x, y = train_set
    n, B = len(y), s.batch_size
    epochs = s.epochs if s.mode == "trial" else sys.maxsize
    g = opt.param_groups[0]
    out = sys.stdout
    cycles = None   # whether the schedule cycles momentum: known at step 0
    epoch = 0
    while epoch < epochs:
        t0 = time.perf_counter()
        order = torch.randperm(n, generator=shuffles)
        loss_sum, correct = 0.0, 0
        for i in range(0, n, B):
            idx = order[i:i + B]
            s.apply(opt)
            if cycles is None:
                cycles = s.momentum() is not None
            if cycles:   # what the optimizer holds for this step
                m = g["momentum"] if cycled == "momentum" else g["betas"][0]
                out.write("lr %d %r %r\n" % (s.step, g["lr"], m))
            else:
                out.write("lr %d %r\n" % (s.step, g["lr"]))
            logits = model(x[idx])
            loss = F.cross_entropy(logits, y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            value = loss.item()
            s.loss(value)
            loss_sum += value * len(idx)
            correct += (logits.argmax(1) == y[idx]).sum().item()
            if s.eval_due():
                s.eval(*evaluate(model, val_set, s.eval_samples))
        epoch += 1
        if s.mode == "range-test":   # its curve is its steps: no epoch metrics
            s.epoch_end(None, None, None, None)
            continue
        vl, va = evaluate(model, val_set)
        s.epoch_end(loss_sum / n, correct / n, vl, va)
        out.write("epoch %d train_loss %.6g train_accuracy %.4f val_loss %.6g val_accuracy %.4f "
                  "seconds %.4f\n" % (epoch, loss_sum / n, correct / n, vl, va, time.perf_counter() - t0))
        out.flush()
    if p.get("test", True):
        tl, ta = evaluate(model, test_set)
        out.write("test_loss %.6g test_accuracy %.4f\n" % (tl, ta))
        s.done(tl, ta)
    else:
        s.done()


def main():
    ap = argparse.ArgumentParser(description="Fashion-MNIST in PyTorch, driven by lrsweep "
                                 "(LRSWEEP_FD) or at a constant rate on its own.")
    ap.add_argument("--lr", type=float, default=0.05, help="the constant rate, run by hand")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--momentum", type=float, default=0.9)
    ap.add_argument("--weight-decay", type=float, default=0.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--model", default="mlp", choices=["mlp", "clr_cnn"])
    ap.add_argument("--train-limit", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--data", default=DATA)
    args = ap.parse_args()

    driven = "LRSWEEP_FD" in os.environ
    if driven:
        # what hello needs (steps per epoch) depends on the data, which
        # depend on params: read them from the params file lrsweep wrote
        import json
        with open(os.environ["LRSWEEP_PARAMS_FILE"]) as f:
            cfg = json.load(f)
        p, B = cfg.get("params") or {}, int(cfg["batch_size"])
    else:
        s = Standalone(args)
        p, B = s.params, s.batch_size
    torch.set_num_threads(int(p.get("threads", 1)))
    data = load_data(p.get("data", DATA), int(p.get("train_limit", 0)), float(p.get("validation", 0.1)),
                     int(p.get("split_seed", 0)))
    steps_per_epoch = (len(data[0][1]) + B - 1) // B
    if not driven:
        train(s, p, data)
        return 0
    with lrsweep_client.connect(steps_per_epoch=steps_per_epoch) as s:
        train(s, s.params, data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
