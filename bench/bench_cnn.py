#!/usr/bin/python3
"""bench_cnn.py - conv-net training throughput, lrsweep against PyTorch 1.13.

The same work on both sides, one thread each (OpenBLAS with one thread;
torch.set_num_threads(1)): Fashion-MNIST's 60,000 training images scaled
to [0, 1] and held in memory, SGD with momentum 0.9 at lr 0.01, PyTorch's
default initialisation, on

  - the CLR paper's CIFAR-10 network adapted to 1x28x28 (SPEC §13) at
    batch 100, and
  - LeNet-5 (conv 6 k5 p2, relu, maxpool 2, conv 16 k5, relu, maxpool 2,
    linear 120, relu, linear 84, relu, linear 10) at batch 128.

Each configuration runs REPEATS times per side, alternately, so that both
see the same machine; the table gives the medians of samples/s and their
ratio. A step is, for lrsweep, gather, forward, backward, SGD step
(bench_net.c); for PyTorch, index, forward, loss, zero_grad, backward,
step. The first step of each run is not timed.

Also measured, right after each lrsweep run: the machine's single-core
sgemm rate (a 1024^3 sgemm, bench_net sgemm), and the share of it that the
run's training step reaches: samples/s x the FLOPs of one sample's products
(forward, weight and input gradients, none for the first layer's input) /
the sgemm rate.

OpenBLAS picks its kernel when it loads. On a CPU with AVX-512, lrsweep
chooses the SkylakeX kernel itself when OPENBLAS_CORETYPE is unset; this
benchmark sets OPENBLAS_CORETYPE=SkylakeX for both sides on such a CPU when
the environment names no kernel or another one, so that both run on the
same BLAS kernel (PyTorch's linear layers use OpenBLAS; its convolutions
use oneDNN's own kernels whatever OpenBLAS does).

Usage: bench_cnn.py BENCH_NET_BINARY [REPEATS]
"""
import gzip
import os
import statistics
import subprocess
import sys
import time

BENCH = sys.argv[1] if len(sys.argv) > 1 else "build/release/bench/bench_net"
REPEATS = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2].isdigit() else 5
DATA = "/usr/share/datasets/fashion-mnist"
CONFIGS = [  # (label, net, batch, steps)
    ("CLR paper's net", "clr", 100, 40),
    ("LeNet-5", "lenet", 128, 300),
]


def load_images():
    import numpy as np
    with gzip.open(os.path.join(DATA, "train-images-idx3-ubyte.gz")) as f:
        x = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 1, 28, 28)
    with gzip.open(os.path.join(DATA, "train-labels-idx1-ubyte.gz")) as f:
        y = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
    return x.astype(np.float32) / 255.0, y.astype(np.int64)


def torch_model(torch, net):
    nn = torch.nn
    if net == "clr":
        return nn.Sequential(
            nn.Conv2d(1, 32, 5, padding=2), nn.MaxPool2d(3, 2, ceil_mode=True), nn.ReLU(),
            nn.Conv2d(32, 32, 5, padding=2), nn.ReLU(), nn.AvgPool2d(3, 2, ceil_mode=True),
            nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.AvgPool2d(3, 2, ceil_mode=True),
            nn.Flatten(), nn.Linear(576, 10))
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def torch_rate(torch, X, Y, net, batch, steps):
    torch.manual_seed(1)
    model = torch_model(torch, net)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    lossf = torch.nn.CrossEntropyLoss()
    n = X.shape[0]
    perm = torch.randperm(n)
    t_first = None
    for step in range(steps + 1):
        start = (step * batch) % (n - batch)
        idx = perm[start:start + batch]
        loss = lossf(model(X[idx]), Y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step == 0:
            t_first = time.perf_counter()
    return steps * batch / (time.perf_counter() - t_first)


def lrsweep(*args):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    out = subprocess.run([BENCH, *map(str, args)], check=True, capture_output=True,
                         text=True, env=env).stdout
    return float(out.split()[0])


def main():
    try:
        import torch
    except ImportError:
        print("bench_cnn: SKIPPED (PyTorch not importable from /usr/bin/python3)")
        return 0
    with open("/proc/cpuinfo") as f:
        avx512 = "avx512f" in f.read()
    if avx512 and os.environ.get("OPENBLAS_CORETYPE") != "SkylakeX":
        # before torch loads OpenBLAS: both sides on the same kernel
        os.environ["OPENBLAS_CORETYPE"] = "SkylakeX"
        os.execv(sys.executable, [sys.executable, *sys.argv])
    torch.set_num_threads(1)
    info = subprocess.run([BENCH, "info"], capture_output=True, text=True).stdout.strip()
    x, y = load_images()
    X, Y = torch.from_numpy(x), torch.from_numpy(y)
    print(f"\nconv-net training throughput, one thread each, median of {REPEATS} alternating runs\n"
          f"  torch {torch.__version__}; lrsweep BLAS: {info}; "
          f"OPENBLAS_CORETYPE: {os.environ.get('OPENBLAS_CORETYPE', '(unset)')}")
    print(f"{'model':16} {'batch':>5} {'lrsweep/s':>10} {'torch/s':>10} {'ratio':>6}"
          f" {'step GF/s':>9} {'sgemm GF/s':>10} {'of sgemm':>8}")
    for label, net, batch, steps in CONFIGS:
        flops = lrsweep("flops", net)
        a, b, gemm, share = [], [], [], []
        for _ in range(REPEATS):
            a.append(lrsweep("train", net, batch, steps))
            gemm.append(lrsweep("sgemm"))
            share.append(a[-1] * flops / 1e9 / gemm[-1])
            b.append(torch_rate(torch, X, Y, net, batch, steps))
        ma, mb = statistics.median(a), statistics.median(b)
        print(f"{label:16} {batch:5d} {ma:10.0f} {mb:10.0f} {ma / mb:5.2f}x"
              f" {ma * flops / 1e9:9.1f} {statistics.median(gemm):10.1f}"
              f" {statistics.median(share):7.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
