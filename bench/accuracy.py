#!/usr/bin/python3
"""accuracy.py - test accuracy of lrsweep against PyTorch on the same runs.

The MLP: experiments/fashion_mnist.yaml at a constant learning rate of 0.05
for 5 epochs: MLP 784-256-10 (ReLU, He-normal weights, zero biases), SGD
with momentum 0.9, batch 128, 10% of the training images held out for
validation, pixels scaled to [0,1], reshuffled every epoch.

The conv nets, each with PyTorch's default initialisation on both sides:

  - LeNet-5 (experiments/fashion_cnn.yaml): SGD momentum 0.9, batch 128,
    a constant rate of 0.02, 6 epochs on the 60,000 training images
    (54,000 after the validation split);
  - the CLR paper's network (experiments/fashion_mnist_clr_cnn.yaml): SGD
    momentum 0.9, batch 100, triangular2 between 0.016 and 0.07 (the bounds
    the linear range test of that experiment picked) with cycles
    of 2 epochs (PyTorch's CyclicLR, mode triangular2, momentum not
    cycled), 4 epochs on the first 20,000 training images (data.limit;
    18,000 after the validation split), so that it runs in a few minutes.

PyTorch runs the same recipe on its own (its own initial weights and
shuffles from the same seed numbers: the comparison is of outcomes, not of
bits). For the conv nets, each seed also draws lrsweep's validation split
(the experiment's seed: set to it), as each seed draws PyTorch's: neither
side's runs share one split. Test accuracy on the 10,000 test images: mean
and standard deviation over the seeds, the difference of the means, its
standard error and Welch's 95% interval, and what that interval says of
the aim of 0.5 point (met, missed, or not resolved by these seeds: a
run's test accuracy varies with its seed, by about a point on the CLR
paper's net, so three seeds a side give a standard error of the
difference near 0.75 point). Before training, the parameter count of
lrsweep's layer stack (run --dry-run) must equal the PyTorch model's, or
the script stops with exit status 1.

Paired (lenet-paired, clr-paired): PyTorch trains instead on lrsweep's own
draws for each seed -- its validation split, initial weights and batch
order, reproduced by tests/torch_run_check.py -- so that the two runs of a
seed differ only in their arithmetic (float32 rounding, then chaos). The
mean of the per-seed differences then measures the engines alone, with
a far smaller standard error than the outcomes of independent draws.

Usage: accuracy.py [path/to/lrsweep] [all|mlp|cnn|lenet|clr|lenet-paired|clr-paired] [SEEDS]
  (default: all, seeds 1,2,3; cnn is both conv nets, lenet and clr one
  each; SEEDS a comma-separated list, e.g. 1,2,3,4,5,6)
"""
import gzip
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile

LRSWEEP = sys.argv[1] if len(sys.argv) > 1 else "bin/lrsweep"
EXP = "experiments/fashion_mnist.yaml"
DATA = "/usr/share/datasets/fashion-mnist"
SEEDS = [int(s) for s in sys.argv[3].split(",")] if len(sys.argv) > 3 else [1, 2, 3]
LR, EPOCHS, BATCH = 0.05, 5, 128


def lrsweep_run(seed):
    with tempfile.TemporaryDirectory() as tmp:   # the run's database: not kept
        out = subprocess.run([LRSWEEP, "-q", "train", EXP, "--lr", str(LR), "--epochs", str(EPOCHS),
                              "--seed", str(seed), "--db", os.path.join(tmp, "train.db")],
                             check=True, capture_output=True, text=True).stdout
    return float(re.search(r"test_accuracy (\S+)", out).group(1))


def load(kind):
    import numpy as np
    with gzip.open(os.path.join(DATA, f"{kind}-images-idx3-ubyte.gz")) as f:
        x = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 784)
    with gzip.open(os.path.join(DATA, f"{kind}-labels-idx1-ubyte.gz")) as f:
        y = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
    return x.astype(np.float32) / 255.0, y.astype(np.int64)


def torch_split(torch, X, Y, seed):
    """Seeds torch; the samples left after holding 10% out for validation."""
    torch.manual_seed(seed)
    perm = torch.randperm(X.shape[0])
    n_val = round(0.1 * X.shape[0])
    return X[perm[n_val:]], Y[perm[n_val:]]


def torch_train(torch, model, opt, X, Y, epochs, batch, lrs=None):
    """SGD over X, Y reshuffled every epoch; lrs, if any, steps after each update."""
    lossf = torch.nn.CrossEntropyLoss()
    for _ in range(epochs):
        order = torch.randperm(X.shape[0])
        for i in range(0, X.shape[0], batch):
            idx = order[i:i + batch]
            loss = lossf(model(X[idx]), Y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            if lrs:
                lrs.step()


def torch_run(torch, train, test, seed):
    X, Y = torch_split(torch, torch.from_numpy(train[0]), torch.from_numpy(train[1]), seed)
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
    for m in model:
        if isinstance(m, torch.nn.Linear):
            torch.nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            torch.nn.init.zeros_(m.bias)
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=0.9)
    torch_train(torch, model, opt, X, Y, EPOCHS, BATCH)
    with torch.no_grad():
        pred = model(torch.from_numpy(test[0])).argmax(1)
    return (pred == torch.from_numpy(test[1])).float().mean().item()


def mlp(torch, train, test):
    a = [lrsweep_run(s) for s in SEEDS]
    b = [torch_run(torch, train, test, s) for s in SEEDS]
    print(f"Fashion-MNIST, MLP 784-256-10, SGD momentum 0.9, lr {LR}, batch {BATCH}, {EPOCHS} epochs, "
          f"seeds {SEEDS}")
    report(a, b)


AIM = 0.5   # percentage points


def t_quantile(df):
    """Student's t 97.5% quantile for df degrees of freedom (the normal's
    without SciPy)."""
    try:
        from scipy.stats import t
    except ImportError:
        return 1.96
    return float(t.ppf(0.975, df))


def difference(a, b):
    """The difference of the means in points, its standard error and
    Welch-Satterthwaite degrees of freedom."""
    va, vb = statistics.variance(a) / len(a), statistics.variance(b) / len(b)
    diff, se = 100 * (statistics.mean(a) - statistics.mean(b)), 100 * math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1)) if va + vb > 0 else math.inf
    return diff, se, df


def report(a, b):
    print(f"  lrsweep test accuracy: {statistics.mean(a):.4f} +- {statistics.stdev(a):.4f}  {a}")
    print(f"  PyTorch test accuracy: {statistics.mean(b):.4f} +- {statistics.stdev(b):.4f}  "
          f"{[round(v, 4) for v in b]}")
    diff, se, df = difference(a, b)
    print(f"  difference: {diff:+.2f} percentage points, standard error {se:.2f} "
          f"({interval(diff, se, df, 'Welch', f'{len(a)} + {len(b)} seeds')})", flush=True)


def interval(diff, se, df, how, seeds):
    """The 95% interval of a difference and what it says of the aim."""
    lo, hi = diff - t_quantile(df) * se, diff + t_quantile(df) * se
    verdict = f"within {AIM} point" if -AIM <= lo and hi <= AIM else \
        f"more than {AIM} point apart" if lo > AIM or hi < -AIM else \
        f"not resolved at {AIM} point by {seeds}"
    return f"95% interval {lo:+.2f} .. {hi:+.2f}, {how}, {df:.1f} df: {verdict}"


def report_paired(a, b):
    """The per-seed differences of runs on the same draws."""
    d = [100 * (x - y) for x, y in zip(a, b)]
    diff, se = statistics.mean(d), statistics.stdev(d) / math.sqrt(len(d))
    print(f"  lrsweep test accuracy:             {statistics.mean(a):.4f} +- {statistics.stdev(a):.4f}  {a}")
    print(f"  PyTorch on lrsweep's draws:        {statistics.mean(b):.4f} +- {statistics.stdev(b):.4f}  "
          f"{[round(v, 4) for v in b]}")
    print(f"  per-seed difference: {diff:+.2f} percentage points, sd {statistics.stdev(d):.2f}, standard error "
          f"{se:.2f} ({interval(diff, se, len(d) - 1, 'paired t', f'{len(d)} seeds')})", flush=True)


def torch_paired(label, limit, batch, epochs, sched, steps, seed):
    """PyTorch's test accuracy trained on lrsweep's draws for seed (the
    experiment's seed and the run's both seed)."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "tests"))
    import torch_run_check as same
    net = "lenet5" if label == "LeNet-5" else "clr-net"
    rates = sched if sched[0] == "constant" else (*sched[:3], sched[3] * steps)
    return same.torch_run((label, net, limit, batch, epochs, seed, seed, rates))[1]


# --- the conv nets --------------------------------------------------------

# (label, experiment, training images used (0 = all), batch, epochs, schedule)
# where schedule is ("constant", lr) or ("triangular2", base_lr, max_lr,
# step_size in epochs)
CNNS = [
    ("LeNet-5", "experiments/fashion_cnn.yaml", 0, 128, 6, ("constant", 0.02)),
    ("CLR paper's net", "experiments/fashion_mnist_clr_cnn.yaml", 20000, 100, 4,
     ("triangular2", 0.016, 0.07, 1)),
]


def torch_cnn(torch, exp):
    """The PyTorch twin of the experiment's model.layers."""
    nn = torch.nn
    if exp.endswith("fashion_cnn.yaml"):
        return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                             nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                             nn.Linear(84, 10))
    return nn.Sequential(nn.Conv2d(1, 32, 5, padding=2), nn.MaxPool2d(3, 2, ceil_mode=True), nn.ReLU(),
                         nn.Conv2d(32, 32, 5, padding=2), nn.ReLU(), nn.AvgPool2d(3, 2, ceil_mode=True),
                         nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.AvgPool2d(3, 2, ceil_mode=True),
                         nn.Flatten(), nn.Linear(576, 10))


def experiment_copy(exp, limit, seed, tmp):
    """The experiment file in tmp, its seed (which draws the validation
    split) set to seed, and data.limit set when limit > 0."""
    with open(exp) as f:
        text = f.read()
    text, n = re.subn(r"^seed: \d+$", "seed: %d" % seed, text, count=1, flags=re.M)
    if limit:
        text = text.replace("\ndata:\n", "\ndata:\n  limit: %d\n" % limit, 1)
    if n != 1 or (limit and "limit: %d" % limit not in text):
        sys.exit(f"accuracy: {exp}: no seed: line or no data: section")
    path = os.path.join(tmp, "seed%d-%s" % (seed, os.path.basename(exp)))
    with open(path, "w") as f:
        f.write(text)
    return path


def lrsweep_params(exp):
    """The parameter count lrsweep's shape table gives for the experiment."""
    out = subprocess.run([LRSWEEP, "run", exp, "--dry-run", "--db", exp + ".db"],
                         check=True, capture_output=True, text=True).stdout
    return int(re.search(r"total parameters ([\d,]+)", out).group(1).replace(",", ""))


def schedule_args(sched, steps_per_epoch):
    if sched[0] == "constant":
        return ["--lr", str(sched[1])]
    return ["--schedule", "triangular2", "--base_lr", str(sched[1]), "--max_lr", str(sched[2]),
            "--step_size", str(sched[3] * steps_per_epoch)]


def lrsweep_cnn(exp, sched, steps, epochs, seed, tmp):
    db = os.path.join(tmp, "train-%d.db" % seed)
    out = subprocess.run([LRSWEEP, "-q", "train", exp, *schedule_args(sched, steps), "--epochs", str(epochs),
                          "--seed", str(seed), "--db", db], check=True, capture_output=True, text=True).stdout
    return float(re.search(r"test_accuracy (\S+)", out).group(1))


def torch_cnn_run(torch, exp, data, sched, batch, epochs, seed):
    (X, Y), (Xt, Yt) = data
    X, Y = torch_split(torch, X, Y, seed)
    model = torch_cnn(torch, exp)
    opt = torch.optim.SGD(model.parameters(), lr=sched[1], momentum=0.9)
    steps = (X.shape[0] + batch - 1) // batch
    lrs = None
    if sched[0] == "triangular2":
        lrs = torch.optim.lr_scheduler.CyclicLR(opt, base_lr=sched[1], max_lr=sched[2],
                                                step_size_up=sched[3] * steps, mode="triangular2",
                                                cycle_momentum=False)
    model.train()
    torch_train(torch, model, opt, X, Y, epochs, batch, lrs)
    model.eval()
    with torch.no_grad():
        pred = torch.cat([model(Xt[i:i + 1000]).argmax(1) for i in range(0, Xt.shape[0], 1000)])
    return (pred == Yt).float().mean().item()


def cnn(torch, train, test, which):
    images = lambda d: torch.from_numpy(d[0].reshape(-1, 1, 28, 28))
    for label, exp, limit, batch, epochs, sched in CNNS:
        if which.startswith("lenet") and label != "LeNet-5" or which.startswith("clr") and label == "LeNet-5":
            continue
        n = limit or train[0].shape[0]
        data = ((images(train)[:n], torch.from_numpy(train[1])[:n]),
                (images(test), torch.from_numpy(test[1])))
        with tempfile.TemporaryDirectory() as tmp:   # the runs' databases: not kept
            paths = [experiment_copy(exp, limit, s, tmp) for s in SEEDS]
            theirs = sum(p.numel() for p in torch_cnn(torch, exp).parameters())
            ours = lrsweep_params(paths[0])
            if ours != theirs:
                print(f"accuracy: {label}: lrsweep's model has {ours} parameters, PyTorch's {theirs}")
                return 1
            steps = (n - round(0.1 * n) + batch - 1) // batch
            a = [lrsweep_cnn(path, sched, steps, epochs, s, tmp) for path, s in zip(paths, SEEDS)]
        if which.endswith("-paired"):
            b = [torch_paired(label, limit, batch, epochs, sched, steps, s) for s in SEEDS]
        else:
            b = [torch_cnn_run(torch, exp, data, sched, batch, epochs, s) for s in SEEDS]
        what = "lr %g" % sched[1] if sched[0] == "constant" else \
            "triangular2 %g .. %g, step_size %d epoch(s)" % sched[1:]
        print(f"Fashion-MNIST ({n} training images, 10% held out), {label} ({theirs} parameters), "
              f"SGD momentum 0.9, {what}, batch {batch}, {epochs} epochs, seeds {SEEDS}")
        report_paired(a, b) if which.endswith("-paired") else report(a, b)
    return 0


def main():
    try:
        import torch
    except ImportError:
        print("accuracy: SKIPPED (PyTorch not importable from /usr/bin/python3)")
        return 0
    torch.set_num_threads(1)
    train, test = load("train"), load("t10k")
    which = sys.argv[2] if len(sys.argv) > 2 else "all"
    if which not in ("all", "mlp", "cnn", "lenet", "clr", "lenet-paired", "clr-paired") or len(SEEDS) < 2:
        print(__doc__.strip().split("\n\n")[-1], file=sys.stderr)
        return 2
    if which in ("all", "mlp"):
        mlp(torch, train, test)
    if which != "mlp":
        return cnn(torch, train, test, which)
    return 0


if __name__ == "__main__":
    sys.exit(main())
