#!/usr/bin/python3
"""bench_schedule.py - lrsweep against PyTorch on the same work: the
learning rate (and momentum) of every step of a long schedule.

lrsweep: `lrsweep schedule TYPE --steps N --format csv > /dev/null` (process
start, building the schedule, evaluating and printing every step).
PyTorch: constructing the scheduler on an SGD optimizer and calling
scheduler.step() N times, reading the rate after each call (no printing).

Each side runs REPEATS times, interleaved, and the medians are reported with
their ratio. Usage: bench_schedule.py [path/to/lrsweep] [steps] [repeats]
"""
import os
import statistics
import subprocess
import sys
import time
import warnings

LRSWEEP = sys.argv[1] if len(sys.argv) > 1 else "bin/lrsweep"
STEPS = int(sys.argv[2]) if len(sys.argv) > 2 else 200000
REPEATS = int(sys.argv[3]) if len(sys.argv) > 3 else 5

CASES = [
    ("step", ["--lr", "0.1", "--step_size", "1000", "--gamma", "0.5"],
     lambda opt, S: S.StepLR(opt, step_size=1000, gamma=0.5)),
    ("cosine_annealing", ["--lr", "0.1", "--T_max", "5000"],
     lambda opt, S: S.CosineAnnealingLR(opt, T_max=5000)),
    ("cosine_annealing_warm_restarts", ["--lr", "0.1", "--T_0", "1000", "--T_mult", "2"],
     lambda opt, S: S.CosineAnnealingWarmRestarts(opt, T_0=1000, T_mult=2)),
    ("one_cycle", ["--max_lr", "0.1"],
     lambda opt, S: S.OneCycleLR(opt, max_lr=0.1, total_steps=STEPS)),
    ("cyclic", ["--base_lr", "0.01", "--max_lr", "0.1", "--step_size_up", "500"],
     lambda opt, S: S.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=500)),
]


def time_lrsweep(name, args):
    cmd = [LRSWEEP, "schedule", name, "--steps", str(STEPS), "--format", "csv"] + args
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def time_torch(make):
    import torch
    S = torch.optim.lr_scheduler
    t = time.perf_counter()
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=0.1, momentum=0.9)
    sched = make(opt, S)
    lrs = [0.0] * STEPS
    for i in range(STEPS):
        lrs[i] = opt.param_groups[0]["lr"]
        if i + 1 < STEPS:
            opt.step()
            sched.step()
    return time.perf_counter() - t


def main():
    try:
        import torch  # noqa: F401
    except ImportError:
        print("bench_schedule: SKIPPED (PyTorch not importable from /usr/bin/python3)")
        return 0
    warnings.simplefilter("ignore")
    torch_threads = os.environ.get("OMP_NUM_THREADS", "default")
    print(f"schedule evaluation, {STEPS} steps, median of {REPEATS} runs each "
          f"(torch {torch.__version__}, OMP_NUM_THREADS={torch_threads})")
    print(f"{'schedule':32} {'lrsweep s':>10} {'PyTorch s':>10} {'speed-up':>9}")
    for name, args, make in CASES:
        a, b = [], []
        for _ in range(REPEATS):
            a.append(time_lrsweep(name, args))
            b.append(time_torch(make))
        ma, mb = statistics.median(a), statistics.median(b)
        print(f"{name:32} {ma:10.4f} {mb:10.4f} {mb / ma:8.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
