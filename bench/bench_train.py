#!/usr/bin/python3
"""bench_train.py - training throughput, lrsweep against PyTorch 1.13.

The same work on both sides: Fashion-MNIST (60,000 training images, scaled
to [0,1], preloaded in memory as float32), the same model (softmax regression
or an MLP with ReLU), SGD with momentum 0.9 at lr 0.05, the same batch size,
one thread each (OpenBLAS with one thread; torch.set_num_threads(1)). Each
configuration runs REPEATS times per side, alternately, and the medians are
compared. lrsweep's time covers its training steps (gather, forward,
backward, update) and excludes loading; PyTorch's covers the same loop over
preloaded tensors (index, forward, loss, zero_grad, backward, step).

Also measured: the sgemm rate of the step's matrix products (bench_train
sgemm), right after each lrsweep run, against which that run's training
FLOP rate is compared; the table gives the median of those shares.

OpenBLAS picks its kernel when it loads. Version 0.3.21 (Debian 12) does not
know some recent CPUs and falls back to its generic "Prescott" kernel, at
about a third of the speed; PyTorch's Linear layers go through the same
OpenBLAS. lrsweep chooses the SkylakeX kernel itself on AVX-512 CPUs when
OPENBLAS_CORETYPE is unset; PyTorch does not. So on such a CPU the table is
measured twice: as installed (PyTorch with whatever kernel OpenBLAS picks),
and with OPENBLAS_CORETYPE=SkylakeX for both sides, kernel for kernel.

Usage: bench_train.py BENCH_BINARY [REPEATS]
"""
import gzip
import os
import statistics
import subprocess
import sys
import time

BENCH = sys.argv[1] if len(sys.argv) > 1 else "build/release/bench/bench_train"
REPEATS = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2].isdigit() else 5
DATA = "/usr/share/datasets/fashion-mnist"

CONFIGS = [  # (label, hidden, batch, steps)
    ("softmax regression", [], 32, 6000),
    ("MLP 784-256-10", [256], 32, 3000),
    ("MLP 784-256-10", [256], 128, 1500),
    ("MLP 784-512-256-10", [512, 256], 256, 400),
]


def load_images():
    import numpy as np
    with gzip.open(os.path.join(DATA, "train-images-idx3-ubyte.gz")) as f:
        x = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 784)
    with gzip.open(os.path.join(DATA, "train-labels-idx1-ubyte.gz")) as f:
        y = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
    return x.astype(np.float32) / 255.0, y.astype(np.int64)


def torch_rate(torch, X, Y, hidden, batch, steps):
    torch.manual_seed(1)
    layers, width = [], 784
    for h in hidden:
        layers += [torch.nn.Linear(width, h), torch.nn.ReLU()]
        width = h
    layers.append(torch.nn.Linear(width, 10))
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    lossf = torch.nn.CrossEntropyLoss()
    n = X.shape[0]
    perm = torch.randperm(n)
    t_first = None
    for step in range(steps + 1):
        start = (step * batch) % (n - batch)
        idx = perm[start:start + batch]
        xb, yb = X[idx], Y[idx]
        loss = lossf(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step == 0:
            t_first = time.perf_counter()
    return steps * batch / (time.perf_counter() - t_first)


def lrsweep(mode, hidden, batch, n):
    h = ",".join(map(str, hidden)) or "-"
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    out = subprocess.run([BENCH, mode, h, str(batch), str(n)], check=True,
                         capture_output=True, text=True, env=env).stdout.split()
    return [float(v) for v in out]


def main():
    try:
        import torch  # noqa: F401
    except ImportError:
        print("bench_train: SKIPPED (PyTorch not importable from /usr/bin/python3)")
        return 0
    if "--one" in sys.argv:
        return one_table()
    envs = [dict(os.environ)]
    with open("/proc/cpuinfo") as f:
        avx512 = "avx512f" in f.read()
    if avx512 and "OPENBLAS_CORETYPE" not in os.environ:
        envs.append(dict(os.environ, OPENBLAS_CORETYPE="SkylakeX"))
    for env in envs:
        subprocess.run([sys.executable, __file__, BENCH, str(REPEATS), "--one"], env=env, check=True)
    return 0


def one_table():
    import torch
    torch.set_num_threads(1)
    info = subprocess.run([BENCH, "info"], capture_output=True, text=True).stdout.strip()
    x, y = load_images()
    X, Y = torch.from_numpy(x), torch.from_numpy(y)
    print(f"\ntraining throughput, one thread each, median of {REPEATS} alternating runs\n"
          f"  torch {torch.__version__}; lrsweep BLAS: {info}; "
          f"OPENBLAS_CORETYPE for PyTorch: {os.environ.get('OPENBLAS_CORETYPE', '(unset)')}")
    print(f"{'model':20} {'batch':>5} {'lrsweep/s':>10} {'torch/s':>10} {'ratio':>6}"
          f" {'step GF/s':>9} {'sgemm GF/s':>10} {'of sgemm':>8}")
    for label, hidden, batch, steps in CONFIGS:
        a, b, gemm, share = [], [], [], []
        for _ in range(REPEATS):
            # the sgemm rate right after each training run, so that each
            # share compares two rates measured side by side
            a.append(lrsweep("train", hidden, batch, steps)[0])
            rate, flops = lrsweep("sgemm", hidden, batch, 200)
            gemm.append(rate)
            share.append(a[-1] / batch * flops / 1e9 / rate)
            b.append(torch_rate(torch, X, Y, hidden, batch, steps))
        ma, mb = statistics.median(a), statistics.median(b)
        step_gf = ma / batch * flops / 1e9
        print(f"{label:20} {batch:5d} {ma:10.0f} {mb:10.0f} {ma / mb:5.2f}x"
              f" {step_gf:9.1f} {statistics.median(gemm):10.1f} {statistics.median(share):7.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
