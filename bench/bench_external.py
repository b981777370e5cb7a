#!/usr/bin/python3
"""bench_external.py - what driving a PyTorch program costs it.

1. Per-epoch time of examples/pytorch/fashion_mnist.py (the MLP
   784-256-10, SGD with momentum 0.9, batch 128, one torch thread, all
   54,000 training images) at a constant rate of 0.05: run by hand (no
   lrsweep: the script's standalone mode) and driven by `lrsweep run` (a
   trial of the same rate, seed and split: the same computation, checked
   by the epochs' losses being equal). An epoch's time is what the script
   prints: its 422 steps, its validation pass, and, driven, its exchange
   with lrsweep (the rates, the losses, the epoch and its ack). Runs
   alternate, RUNS of each, EPOCHS epochs a run, the first epoch of each
   run left out (warm-up); medians. Target: driven at most 2 % slower.

2. The protocol's round trip (bench/external_probe.py, a program that
   trains nothing): a range test with eval_every 1, where lrsweep sends
   step s+1's rate only after step s's evaluation, so each step is one
   message each way; timed in the program from sending the loss and the
   evaluation to holding the next rate. And the client's own cost of a
   step when lrsweep keeps the rates 64 steps ahead (a trial):
   apply() + loss().

Usage: bench_external.py [path/to/lrsweep]
"""
import glob
import os
import re
import statistics
import subprocess
import sys
import tempfile

LRSWEEP = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "bin/lrsweep")
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(REPO, "examples", "pytorch", "fashion_mnist.py")
PROBE = os.path.join(REPO, "bench", "external_probe.py")
PY = "/usr/bin/python3"
RUNS, EPOCHS, LR, SEED = 6, 6, 0.05, 1
EPOCH_RE = re.compile(r"^epoch (\d+) train_loss (\S+) .* seconds (\S+)$", re.M)

DRIVEN = """name: bench-external
seed: %(seed)d
trainer: {command: [%(py)s, %(script)s], grace: 2 s}
params: {model: mlp, split_seed: %(seed)d, threads: 1}
optimizer: {type: sgd, momentum: 0.9}
batch_size: 128
range_test: {bounds: {min_lr: 0.01, max_lr: 0.1}}
trials: {epochs: %(epochs)d, seeds: [%(seed)d], schedules: [{type: constant, lr: %(lr)r}]}
"""

PROBES = """name: bench-protocol
trainer: {command: [%(py)s, %(probe)s], grace: 2 s}
optimizer: {type: sgd, momentum: 0.9}
batch_size: 128
range_test: {mode: linear, start_lr: 1.0e-4, end_lr: 1.0, iterations: 20000, eval_every: 1, eval_samples: 1}
trials: {epochs: 20, schedules: [{type: constant, lr: 0.1}]}
"""


def epochs_of(text):
    """[(train_loss, seconds)] of the epochs the script printed."""
    return [(m.group(2), float(m.group(3))) for m in EPOCH_RE.finditer(text)]


def standalone():
    out = subprocess.run([PY, SCRIPT, "--lr", repr(LR), "--epochs", str(EPOCHS), "--seed", str(SEED)],
                         check=True, capture_output=True, text=True).stdout
    return epochs_of(out)


def trial_log(db):
    """The text of the one trial's log beside db (not the probe's)."""
    logs = [p for p in glob.glob(db[:-3] + "-logs/*.log") if not os.path.basename(p).startswith("probe-")]
    assert len(logs) == 1, logs
    with open(logs[0]) as f:
        return f.read()


def driven(tmp, i):
    db = os.path.join(tmp, "driven%d.db" % i)
    subprocess.run([LRSWEEP, "-q", "run", os.path.join(tmp, "driven.yaml"), "--db", db, "--threads", "1"],
                   check=True, capture_output=True)
    return epochs_of(trial_log(db))


def measure_epochs(tmp):
    with open(os.path.join(tmp, "driven.yaml"), "w") as f:
        f.write(DRIVEN % {"seed": SEED, "py": PY, "script": SCRIPT, "epochs": EPOCHS, "lr": LR})
    times = {"standalone": [], "driven": []}
    losses = {}
    for i in range(RUNS):
        order = ("standalone", "driven") if i % 2 == 0 else ("driven", "standalone")
        for kind in order:
            ep = standalone() if kind == "standalone" else driven(tmp, i)
            assert len(ep) == EPOCHS, (kind, ep)
            times[kind] += [s for _, s in ep[1:]]
            losses.setdefault(kind, [l for l, _ in ep])
    return times, losses["standalone"] == losses["driven"]


def measure_protocol(tmp):
    with open(os.path.join(tmp, "probe.yaml"), "w") as f:
        f.write(PROBES % {"py": PY, "probe": PROBE})
    db = os.path.join(tmp, "probe.db")
    # the flat curve gives no bounds: the run ends after the range test
    subprocess.run([LRSWEEP, "-q", "run", os.path.join(tmp, "probe.yaml"), "--db", db], capture_output=True)
    subprocess.run([LRSWEEP, "-q", "run", os.path.join(tmp, "probe.yaml"), "--db", db,
                    "--min-lr", "0.01", "--max-lr", "0.1"], check=True, capture_output=True)
    found = {}
    for p in glob.glob(db[:-3] + "-logs/*.log"):
        with open(p) as f:
            for m in re.finditer(r"^(rtt_us|step_us) (\S+) (\S+) (\d+) (\S+)$", f.read(), re.M):
                found[m.group(1)] = (float(m.group(2)), float(m.group(3)), int(m.group(4)), float(m.group(5)))
    return found


def main():
    try:
        subprocess.run([PY, "-c", "import torch, numpy"], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        print("bench_external: SKIPPED (PyTorch not importable from /usr/bin/python3)")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        times, same = measure_epochs(tmp)
        proto = measure_protocol(tmp)
    a, b = statistics.median(times["standalone"]), statistics.median(times["driven"])
    print("\nexamples/pytorch/fashion_mnist.py, MLP 784-256-10, batch 128, 1 thread, 422 steps an epoch:")
    print("medians of %d epochs each (%d alternating runs of %d epochs, the first left out)\n"
          % (len(times["driven"]), RUNS, EPOCHS))
    print("%-26s %10s %10s %10s" % ("", "median s", "min s", "max s"))
    for kind in ("standalone", "driven"):
        t = times[kind]
        print("%-26s %10.4f %10.4f %10.4f" % (kind if kind == "standalone" else "driven by lrsweep",
                                              statistics.median(t), min(t), max(t)))
    ratio = b / a
    print("\ndriven / standalone: %.4f (%+.2f %% per epoch; target <= +2 %%): %s"
          % (ratio, 100 * (ratio - 1), "met" if ratio <= 1.02 else "NOT MET"))
    print("the same training both ways (equal epoch losses): %s" % ("yes" if same else "NO"))
    if "rtt_us" in proto:
        m, p90, n, _ = proto["rtt_us"]
        print("\nprotocol round trip (loss + eval sent, next lr received; range test, eval_every 1): "
              "median %.1f us, p90 %.1f us over %d steps" % (m, p90, n))
    if "step_us" in proto:
        m, p90, n, mean = proto["step_us"]
        print("client's cost of a step, rates 64 ahead (apply() + loss()): median %.2f us, p90 %.2f us, "
              "mean %.2f us over %d steps (%.2f ms of an epoch's 422 steps)" % (m, p90, mean, n, mean * 422 / 1e3))
    return 0


if __name__ == "__main__":
    sys.exit(main())
