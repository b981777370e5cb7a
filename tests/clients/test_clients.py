"""test_clients.py - the protocol clients against a fake lrsweep.

    python3 tests/clients/test_clients.py STUB_TRAINER_BINARY [PYTHON...]

Every scenario runs with the C stub trainer (on clients/c/lrsweep_client.h)
and with tests/clients/stub_trainer.py (on clients/python/lrsweep_client.py)
under each PYTHON given (default: this interpreter); then the C stub's
faults, one by one.  Prints "ok - NAME" or "not ok - NAME: why" per check
and "N passed, M failed"; exits 1 on any failure.
"""

import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from fake_lrsweep import Policy, Program, config, cycled, drive, plain

HERE = os.path.dirname(os.path.abspath(__file__))
PASS = [0, 0]


def check(name, cond, why=""):
    if cond:
        PASS[0] += 1
        print("ok - %s" % name)
    else:
        PASS[1] += 1
        print("not ok - %s: %s" % (name, why))


class Run(object):
    """One program under the fake lrsweep, in its own scratch directory."""

    def __init__(self, argv, cfg, policy=None, env=None, extra=(), timeout=5.0):
        self.dir = tempfile.mkdtemp(prefix="lrsweep-clients.")
        self.prog = Program(list(argv) + list(extra), self.dir, cfg, env)
        self.t = drive(self.prog, cfg, policy or Policy(), timeout) if policy is not False else None
        self.out = self.prog.stdout()
        self.err = self.prog.stderr()

    def why(self):
        t = self.t
        return "status=%r errors=%r stdout=%r stderr=%r" % (
            t.status if t else None, t.errors[:3] if t else None, self.out[-300:], self.err[-600:])

    def cleanup(self):
        if self.prog.alive():
            self.prog.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def echo(step, schedule):
    lr, m = schedule(step)
    return lr * 1000 + (m or 0.0)


# ---- scenarios: each takes a trainer's label and argv -----------------------

def trial(label, argv, schedule, optimizer="sgd"):
    """3 epochs of 10 steps, acked: rates, batches, epochs, done."""
    name = "%s: trial, %s, %s" % (label, optimizer, "momentum cycled" if schedule is cycled else "no momentum")
    r = Run(argv, config(optimizer={"type": optimizer, "momentum": 0.9}), Policy(schedule))
    t = r.t
    check(name + ": hello", t.hello == {"op": "hello", "protocol": 1, "steps_per_epoch": 10}, repr(t.hello))
    check(name + ": the config reached the program",
          "config mode=trial key=k-trial seed=7 epochs=3 width=64" in r.out, r.why())
    want = [echo(s, schedule) for s in range(30)]
    check(name + ": 30 losses in order, each from its step's rate",
          t.losses == want and not t.errors, "%r %s" % (t.losses[:5], r.why()))
    check(name + ": losses batched, 16 at most", max(t.batches or [0]) > 1 and max(t.batches) <= 16,
          repr(t.batches))
    order = [e for e in t.events if e[0] != "loss"]
    check(name + ": epochs 1-3 after their last step, then done",
          order == [("epoch", 1), ("epoch", 2), ("epoch", 3), ("done",)] and
          all(t.events.index(("epoch", e)) == t.events.index(("loss", 10 * e - 1)) + 1 for e in (1, 2, 3)),
          repr(order))
    ep = t.epochs[0] if t.epochs else {}
    check(name + ": epoch fields", ep.get("val_loss") == 1 and ep.get("val_accuracy") == 0.25 and
          abs(ep.get("train_loss", 0) - sum(want[:10]) / 10) < 1e-9 and "train_accuracy" in ep, repr(ep))
    check(name + ": done with test metrics",
          t.done == {"op": "done", "test_loss": 7, "test_accuracy": 0.75}, repr(t.done))
    check(name + ": exits 0, nothing after done", t.status == 0 and t.eof, r.why())
    r.cleanup()


def window(label, argv):
    """300 steps: the 64-step window moves with the flushed losses."""
    name = "%s: 2 epochs of 150 steps through the 64-step window" % label
    r = Run(argv, config(epochs=2), Policy(plain, total=300), extra=["--steps-per-epoch", "150"])
    t = r.t
    check(name, t.status == 0 and not t.errors and len(t.losses) == 300 and
          t.losses == [echo(s, plain) for s in range(300)] and len(t.epochs) == 2 and t.done, r.why())
    r.cleanup()


def range_test(label, argv):
    """eval_every 7 over 30 steps: evaluations after 0, 7, 14, 21, 28, 29."""
    name = "%s: range test" % label
    r = Run(argv, config(mode="range-test", epochs=0, max_steps=30, eval_every=7), Policy(cycled))
    t = r.t
    check(name + ": config", "config mode=range-test key=k-range-test" in r.out, r.why())
    check(name + ": evaluations after steps 0, 7, 14, 21, 28, 29",
          sorted(t.evals) == [0, 7, 14, 21, 28, 29] and not t.errors, "%r %s" % (sorted(t.evals), r.why()))
    check(name + ": each evaluation right after its step's loss",
          all(t.events.index(("eval", s)) > t.events.index(("loss", s)) and
              (s == 29 or t.events.index(("eval", s)) < t.events.index(("loss", s + 1)))
              for s in t.evals), repr(t.events))
    check(name + ": evaluation values", all(v == (s, 0.5) for s, v in t.evals.items()), repr(t.evals))
    check(name + ": 30 losses, stop done, exit 0, no done message",
          len(t.losses) == 30 and t.status == 0 and t.done is None and "stop: done" in r.out, r.why())
    r.cleanup()


def prune(label, argv):
    name = "%s: prune at epoch 2" % label
    r = Run(argv, config(), Policy(cycled, prune_epoch=2))
    t = r.t
    check(name + ": Pruned, exit 0", t.status == 0 and "pruned at epoch 2" in r.out, r.why())
    check(name + ": nothing after the prune",
          len(t.losses) == 20 and len(t.epochs) == 2 and t.done is None and not t.errors and t.eof, r.why())
    r.cleanup()


def stop(label, argv):
    name = "%s: stop mid-epoch, waiting for a rate" % label
    # Rates only up to step 15: the program flushes its losses and waits,
    # and the stop sent after step 14's loss ends the wait.
    r = Run(argv, config(), Policy(cycled, stop_after=14, lr_limit=16))
    t = r.t
    check(name + ": Stop raised, exit 0, no done",
          t.status == 0 and "stop: interrupted" in r.out and t.done is None and t.seconds < 3, r.why())
    check(name + ": nothing after the stop", len(t.losses) == 16 and len(t.epochs) == 1 and
          not t.errors, "%d losses %s" % (len(t.losses), r.why()))
    r.cleanup()

    name = "%s: stop queued behind the rates" % label
    r = Run(argv, config(), Policy(cycled, stop_first=True))
    t = r.t
    check(name + ": Stop raised at a later call, exit 0, no done",
          t.status == 0 and "stop: interrupted" in r.out and t.done is None and len(t.losses) < 30 and
          not t.errors, r.why())
    r.cleanup()


def hang_up(label, argv):
    for where, policy in (("waiting for a rate", Policy(cycled, lr_limit=5, hang_up_after=4)),
                          ("waiting for an epoch's answer", Policy(cycled, hang_up_epoch=1)),
                          ("mid-epoch", Policy(cycled, hang_up_after=3))):
        name = "%s: lrsweep hangs up %s" % (label, where)
        r = Run(argv, config(), policy)
        t = r.t
        check(name + ": exits nonzero at once",
              t.status not in (None, 0) and t.seconds < 3 and "closed" in r.err, r.why())
        r.cleanup()


def nan_loss(label, argv):
    name = "%s: NaN loss" % label
    r = Run(argv, config(), Policy(cycled, stop_on_nan=True), extra=["--nan-at", "3"])
    t = r.t
    raw = [line for line in r.prog.lines if line.startswith(b'{"op":"loss"')]
    check(name + ": sent as NaN", len(t.losses) > 3 and isinstance(t.losses[3], float) and
          math.isnan(t.losses[3]) and any(b"NaN" in line for line in raw) and
          not any(b"null" in line for line in raw), "%r %r" % (t.losses[:5], raw))
    check(name + ": stop diverged, exit 0", t.status == 0 and "stop: diverged" in r.out, r.why())
    r.cleanup()


def outside(label, argv):
    name = "%s: started without lrsweep" % label
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith("LRSWEEP_"))
    p = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=10)
    err = p.stderr.decode("utf-8", "replace")
    check(name + ": a clear error", p.returncode != 0 and "LRSWEEP_FD is not set" in err and
          "lrsweep" in err, "rc=%d %r" % (p.returncode, err[-300:]))


def tensor(label, argv):
    name = "%s: 0-d tensor losses (.item())" % label
    r = Run(argv, config(epochs=1), Policy(cycled), extra=["--tensor"])
    check(name, r.t.status == 0 and r.t.losses == [echo(s, cycled) for s in range(10)], r.why())
    r.cleanup()


def adam_betas(label, argv):
    trial(label, argv, cycled, optimizer="adam")


def with_torch(label, argv):
    """apply() and loss() on a real torch optimizer and tensors, when the
    interpreter has torch."""
    if subprocess.run([argv[0], "-c", "import torch"], stdout=subprocess.DEVNULL,
                      stderr=subprocess.DEVNULL).returncode != 0:
        print("# %s: no torch, apply() on a real torch optimizer not tried" % label)
        return
    for optimizer in ("sgd", "adam"):
        name = "%s: a real torch %s optimizer, tensor losses" % (label, optimizer)
        r = Run(argv, config(epochs=1, optimizer={"type": optimizer}), Policy(cycled), extra=["--torch"])
        check(name, r.t.status == 0 and not r.t.errors and
              r.t.losses == [echo(s, cycled) for s in range(10)], r.why())
        r.cleanup()


# ---- the C stub's faults ------------------------------------------------------

def fault(stub, name, policy=None, cfg=None, extra=(), timeout=5.0):
    return Run([stub, "--echo", "--fault", name] + list(extra), cfg or config(), policy, timeout=timeout)


def faults(stub):
    r = fault(stub, "no-hello", policy=False)
    check("fault no-hello: no message, still running",
          r.prog.quiet(1.0) and r.prog.alive(), "stderr=%r" % r.prog.stderr())
    r.cleanup()

    r = fault(stub, "crash")
    check("fault crash: killed by SIGABRT mid-epoch", r.t.status == -signal.SIGABRT and
          len(r.t.losses) <= 5 and not r.t.epochs, r.why())
    r.cleanup()

    r = fault(stub, "exit-early")
    check("fault exit-early: exit 0, no done", r.t.status == 0 and r.t.done is None and
          not r.t.epochs and r.t.eof, r.why())
    r.cleanup()

    r = fault(stub, "hang", policy=False)
    msgs = [r.prog.recv(2.0)]
    r.prog.send(config())
    for s in range(30):
        r.prog.send({"op": "lr", "step": s, "lr": 0.1})
    while r.prog.alive() and not r.prog.quiet(1.0):
        msgs.append(r.prog.recv(1.0))
    late = [m for m in msgs if not m or m.get("op") != "hello" and m.get("step", 0) >= 5]
    check("fault hang: silent from step 5 on, still running",
          msgs[0] and msgs[0].get("op") == "hello" and not late and r.prog.alive(), repr(msgs))
    r.cleanup()

    r = fault(stub, "garbage")
    check("fault garbage: a line that is not JSON",
          any(l == b"this is not JSON {{{" for l in r.prog.lines) and
          "unexpected message" in " ".join(r.t.errors), r.why())
    r.cleanup()

    r = fault(stub, "bad-step")
    check("fault bad-step: a loss for a step never sent",
          any("expected step" in e for e in r.t.errors), r.why())
    r.cleanup()

    r = fault(stub, "out-of-order", extra=["--fault-at", "6"])
    check("fault out-of-order: step 0 again", any("step 0, expected step 6" in e for e in r.t.errors), r.why())
    r.cleanup()

    r = fault(stub, "long-line")
    check("fault long-line: a line over 1 MiB", any(len(l) > (1 << 20) for l in r.prog.lines), r.why())
    r.cleanup()

    r = fault(stub, "flood-stdout", extra=["--flood-bytes", str(4 << 20)])
    check("fault flood-stdout: megabytes on stdout, then a normal run",
          len(r.out) >= 4 << 20 and r.t.status == 0 and r.t.done and not r.t.errors,
          "stdout %d bytes, %s" % (len(r.out), r.t.errors[:3]))
    r.cleanup()

    r = fault(stub, "grandchild")
    pgid = r.prog.proc.pid
    os.killpg(pgid, signal.SIGTERM) if r.t.status == 0 else None
    time.sleep(0.3)
    try:
        os.killpg(pgid, 0)
        left = True
    except OSError:
        left = False
    check("fault grandchild: a normal run, then a process in the group outlives SIGTERM",
          r.t.status == 0 and r.t.done and left and "grandchild" in r.err, r.why())
    r.cleanup()
    try:
        os.killpg(pgid, signal.SIGKILL)
    except OSError:
        pass

    r = fault(stub, "ignore-prune", Policy(cycled, prune_epoch=1), timeout=1.0)
    check("fault ignore-prune: still running after the prune",
          r.t.status is None and "ignoring prune" in r.err, r.why())
    r.cleanup()

    r = fault(stub, "ignore-stop", Policy(cycled, stop_after=4), timeout=1.0)
    check("fault ignore-stop: still running after the stop",
          r.t.status is None and "ignoring stop" in r.err, r.why())
    r.cleanup()

    r = fault(stub, "ignore-term", policy=False)
    time.sleep(0.3)
    os.killpg(r.prog.proc.pid, signal.SIGTERM)
    time.sleep(0.3)
    check("fault ignore-term: SIGTERM does not end it", r.prog.alive(), r.prog.stderr())
    r.cleanup()

    env_run = Run([stub, "--echo"], config(), Policy(cycled), env={"STUB_FAULT": "crash", "STUB_FAULT_AT": "12"})
    check("faults from the environment: STUB_FAULT=crash STUB_FAULT_AT=12",
          env_run.t.status == -signal.SIGABRT and len(env_run.t.epochs) == 1, env_run.why())
    env_run.cleanup()

    p = subprocess.run([stub, "--fault", "no-such-fault"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    check("an unknown fault is a usage error", p.returncode == 2 and b"no-such-fault" in p.stderr,
          repr(p.stderr))


def toy_model(stub):
    """The C stub without --echo: a range test's curve, the same every run."""
    def ramp(s):
        return (1e-4 * 1e5 ** (s / 99.0), None)
    cfg = config(mode="range-test", epochs=0, max_steps=100, eval_every=10)
    runs = [Run([stub], cfg, Policy(ramp)) for _ in range(2)]
    t = runs[0].t
    ok = t.status == 0 and len(t.losses) == 100 and not t.errors
    best = min(range(100), key=lambda s: t.losses[s]) if ok else 0
    check("toy model: the loss falls, bottoms out below the stability limit, then blows up",
          ok and 0.01 < ramp(best)[0] < 0.6 and t.losses[0] > 2 * t.losses[best] and
          t.losses[-1] > 1e3 * t.losses[best] and t.evals[60][1] > t.evals[0][1] > t.evals[90][1],
          "best step %d %s" % (best, runs[0].why()))
    check("toy model: the same config gives the same curve", t.losses == runs[1].t.losses, runs[1].why())
    for r in runs:
        r.cleanup()


def main(argv):
    stub = os.path.abspath(argv[0])
    pythons = argv[1:] or [sys.executable]
    trainers = [("C", [stub, "--echo"])]
    for py in pythons:
        trainers.append(("Python %s" % os.path.basename(py), [py, os.path.join(HERE, "stub_trainer.py")]))
    for label, cmd in trainers:
        trial(label, cmd, cycled)
        trial(label, cmd, plain)
        adam_betas(label, cmd)
        window(label, cmd)
        range_test(label, cmd)
        prune(label, cmd)
        stop(label, cmd)
        hang_up(label, cmd)
        nan_loss(label, cmd)
        outside(label, cmd)
        if label != "C":
            tensor(label, cmd)
            with_torch(label, cmd)
    toy_model(stub)
    faults(stub)
    print("%d passed, %d failed" % tuple(PASS))
    return 1 if PASS[1] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
