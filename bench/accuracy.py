#!/usr/bin/python3
"""accuracy.py - test accuracy of lrsweep against PyTorch on the same run.

experiments/fashion_mnist.yaml at a constant learning rate of 0.05 for 5
epochs: MLP 784-256-10 (ReLU, He-normal weights, zero biases), SGD with
momentum 0.9, batch 128, 10% of the training images held out for
validation, pixels scaled to [0,1], reshuffled every epoch. PyTorch runs the
same recipe on its own (its own initial weights and shuffles from the same
seed numbers: the comparison is of outcomes, not of bits). Mean and std of
the test accuracy over seeds 1, 2, 3.

Usage: accuracy.py [path/to/lrsweep]
"""
import gzip
import os
import re
import statistics
import subprocess
import sys
import tempfile

LRSWEEP = sys.argv[1] if len(sys.argv) > 1 else "bin/lrsweep"
EXP = "experiments/fashion_mnist.yaml"
DATA = "/usr/share/datasets/fashion-mnist"
SEEDS = [1, 2, 3]
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


def torch_run(torch, train, test, seed):
    torch.manual_seed(seed)
    X, Y = torch.from_numpy(train[0]), torch.from_numpy(train[1])
    perm = torch.randperm(X.shape[0])
    n_val = round(0.1 * X.shape[0])
    X, Y = X[perm[n_val:]], Y[perm[n_val:]]
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
    for m in model:
        if isinstance(m, torch.nn.Linear):
            torch.nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            torch.nn.init.zeros_(m.bias)
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=0.9)
    lossf = torch.nn.CrossEntropyLoss()
    for _ in range(EPOCHS):
        order = torch.randperm(X.shape[0])
        for i in range(0, X.shape[0], BATCH):
            idx = order[i:i + BATCH]
            loss = lossf(model(X[idx]), Y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    with torch.no_grad():
        pred = model(torch.from_numpy(test[0])).argmax(1)
    return (pred == torch.from_numpy(test[1])).float().mean().item()


def main():
    try:
        import torch
    except ImportError:
        print("accuracy: SKIPPED (PyTorch not importable from /usr/bin/python3)")
        return 0
    torch.set_num_threads(1)
    train, test = load("train"), load("t10k")
    a = [lrsweep_run(s) for s in SEEDS]
    b = [torch_run(torch, train, test, s) for s in SEEDS]
    print(f"Fashion-MNIST, MLP 784-256-10, SGD momentum 0.9, lr {LR}, batch {BATCH}, {EPOCHS} epochs, "
          f"seeds {SEEDS}")
    print(f"  lrsweep test accuracy: {statistics.mean(a):.4f} +- {statistics.stdev(a):.4f}  {a}")
    print(f"  PyTorch test accuracy: {statistics.mean(b):.4f} +- {statistics.stdev(b):.4f}  "
          f"{[round(v, 4) for v in b]}")
    diff = 100 * (statistics.mean(a) - statistics.mean(b))
    print(f"  difference: {diff:+.2f} percentage points")
    return 0


if __name__ == "__main__":
    sys.exit(main())
