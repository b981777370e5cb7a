"""fake_lrsweep.py - lrsweep's side of the external-trainer protocol, faked in
Python for the client tests (standard library only).

Program starts a training program as lrsweep does - one end of a socketpair
on its file descriptor 3, the LRSWEEP_* environment, a params file, a new
process group, stdout and stderr to files - and reads and writes the
channel's JSON lines.  drive() plays a whole run by a Policy: it answers
hello with the config, keeps the program's lr window 64 steps ahead of the
last loss received (never past a step awaiting its evaluation), asks for
evaluations, answers epochs, and stops, prunes or hangs up where the policy
says; it returns a Transcript of what the program sent, with every breach
of the protocol it saw.
"""

import json
import math
import os
import select
import signal
import socket
import subprocess
import time

WINDOW = 64


class Program(object):
    """A training program started as lrsweep starts it."""

    def __init__(self, argv, scratch, config, env=None):
        parent, child = socket.socketpair()
        params_file = os.path.join(scratch, "params.json")
        with open(params_file, "w") as f:
            json.dump(dict((k, v) for k, v in config.items() if k != "op"), f)
        environ = dict((k, v) for k, v in os.environ.items() if not k.startswith("LRSWEEP_"))
        environ.update({"LRSWEEP_FD": "3", "LRSWEEP_PROTOCOL": "1",
                        "LRSWEEP_MODE": config.get("mode", "trial"),
                        "LRSWEEP_TRIAL_KEY": config.get("trial_key", ""),
                        "LRSWEEP_PARAMS_FILE": params_file})
        environ.update(env or {})
        self.out_path = os.path.join(scratch, "stdout")
        self.err_path = os.path.join(scratch, "stderr")
        cfd = child.fileno()

        def channel_on_fd3():
            # Python's own descriptors are close-on-exec, and dup2 clears
            # the flag on the copy: fd 3 is the only one the program gets.
            if cfd == 3:
                os.set_inheritable(3, True)
            else:
                os.dup2(cfd, 3)

        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=environ,
                close_fds=False, start_new_session=True, preexec_fn=channel_on_fd3)
        child.close()
        self.sock = parent
        self.buf = b""
        self.lines = []          # every line received, raw
        self.eof = False

    def recv(self, timeout=5.0):
        """The next message (a dict; {"op": "<malformed>"} for a line that
        is not a JSON object), None at EOF; raises TimeoutError."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no message from the program in %.1f s" % timeout)
            ready, _, _ = select.select([self.sock], [], [], left)
            if not ready:
                continue
            try:
                chunk = self.sock.recv(1 << 16)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                self.eof = True
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        self.lines.append(line)
        try:
            msg = json.loads(line.decode("utf-8"))
        except ValueError:
            return {"op": "<malformed>"}
        return msg if isinstance(msg, dict) else {"op": "<malformed>"}

    def quiet(self, seconds):
        """True when the program sends nothing (not even EOF) for seconds."""
        if b"\n" in self.buf:
            return False
        ready, _, _ = select.select([self.sock], [], [], seconds)
        return not ready

    def send(self, obj):
        try:
            self.sock.sendall((json.dumps(obj) + "\n").encode("utf-8"))
        except OSError:
            pass

    def hang_up(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def wait(self, timeout=5.0):
        """The exit status (negative: the signal), or None after killing a
        program still running at the timeout."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def alive(self):
        return self.proc.poll() is None

    def kill(self):
        """SIGKILL to the whole process group, then reaps the program."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except OSError:
            pass
        self.proc.wait()

    def stdout(self):
        with open(self.out_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stderr(self):
        with open(self.err_path, "rb") as f:
            return f.read().decode("utf-8", "replace")


def config(mode="trial", epochs=3, max_steps=0, eval_every=0, **extra):
    """A config message as lrsweep would send it."""
    c = {"op": "config", "mode": mode, "params": {"width": 64, "dropout": 0.2},
         "optimizer": {"type": "sgd", "momentum": 0.9}, "batch_size": 32, "seed": 7,
         "epochs": epochs, "max_steps": max_steps, "eval_every": eval_every,
         "eval_samples": 100, "trial_key": "k-" + mode}
    c.update(extra)
    return c


def cycled(step):
    """A schedule that cycles momentum: (lr, momentum)."""
    return (0.001 * (step + 1), 0.95 - 0.001 * step)


def plain(step):
    """A schedule that does not: (lr, None)."""
    return (0.1 / (step + 1), None)


class Policy(object):
    """How the fake lrsweep behaves in one run."""

    def __init__(self, schedule=cycled, total=None, prune_epoch=None, stop_after=None,
                 stop_reason="interrupted", hang_up_after=None, hang_up_epoch=None,
                 lr_limit=None, stop_on_nan=False, stop_first=False):
        self.schedule = schedule          # step -> (lr, momentum or None)
        self.total = total                # steps of the run (default from config)
        self.prune_epoch = prune_epoch    # answer this epoch with prune
        self.stop_after = stop_after      # send stop after this step's loss
        self.stop_reason = stop_reason
        self.hang_up_after = hang_up_after  # close the channel after this loss
        self.hang_up_epoch = hang_up_epoch  # close it instead of answering this epoch
        self.lr_limit = lr_limit          # send no lr for this step or later
        self.stop_on_nan = stop_on_nan    # a NaN or infinite loss: stop "diverged"
        self.stop_first = stop_first      # stop right after the config and rates


class Transcript(object):
    """What the program sent, in order, and what was wrong with it."""

    def __init__(self):
        self.hello = None
        self.events = []        # ("loss", step), ("eval", step), ("epoch", e), ("done",)
        self.losses = []        # values, by step
        self.batches = []       # steps per loss message
        self.evals = {}         # step -> (val_loss, val_accuracy)
        self.epochs = []        # the epoch messages
        self.done = None
        self.errors = []        # protocol breaches
        self.eof = False        # the program closed the channel
        self.status = None      # its exit status
        self.seconds = 0.0      # from hang-up (or the end) to its exit


def _due(c, s):
    k = c.get("eval_every", 0)
    m = c.get("max_steps", 0)
    return k > 0 and (s % k == 0 or (m > 0 and s == m - 1))


def drive(prog, cfg, policy, timeout=5.0):
    """Plays lrsweep's side of a whole run; returns the Transcript."""
    t = Transcript()
    range_test = cfg["mode"] == "range-test"
    total = policy.total or cfg.get("max_steps") or cfg["epochs"] * 10
    sent = 0                    # lr messages sent: steps 0..sent-1
    stopped = False
    hung_up = False

    def pump():
        nonlocal sent
        limit = min(total, len(t.losses) + WINDOW)
        if policy.lr_limit is not None:
            limit = min(limit, policy.lr_limit)
        while sent < limit:
            if range_test and sent > 0 and _due(cfg, sent - 1) and sent - 1 not in t.evals:
                return          # no lr past a step awaiting its evaluation
            lr, m = policy.schedule(sent)
            msg = {"op": "lr", "step": sent, "lr": lr}
            if m is not None:
                msg["momentum"] = m
            prog.send(msg)
            sent += 1

    def stop(reason):
        nonlocal stopped
        if not stopped:
            prog.send({"op": "stop", "reason": reason})
            stopped = True

    def on_loss(s, x):
        nonlocal hung_up
        if s != len(t.losses):
            t.errors.append("loss for step %r, expected step %d" % (s, len(t.losses)))
            return
        if s >= sent:
            t.errors.append("loss for step %d, whose lr was never sent" % s)
        t.losses.append(x)
        t.events.append(("loss", s))
        if policy.stop_on_nan and (math.isnan(x) or math.isinf(x)):
            stop("diverged")
        if policy.stop_after == s:
            stop(policy.stop_reason)
        if policy.hang_up_after == s:
            prog.hang_up()
            hung_up = True
        elif range_test and _due(cfg, s) and not stopped:
            prog.send({"op": "eval", "step": s})

    try:
        t.hello = prog.recv(timeout)
        if not t.hello or t.hello.get("op") != "hello":
            t.errors.append("first message is not hello: %r" % (t.hello,))
            raise EOFError
        prog.send(cfg)
        pump()
        if policy.stop_first:
            stop(policy.stop_reason)
        while not hung_up:
            msg = prog.recv(timeout)
            if msg is None:
                t.eof = True
                break
            op = msg.get("op")
            if op == "loss" and "steps" in msg:
                t.batches.append(len(msg["steps"]))
                if len(msg["steps"]) != len(msg.get("losses", ())):
                    t.errors.append("loss batch: steps and losses differ in length")
                for s, x in zip(msg["steps"], msg.get("losses", ())):
                    on_loss(s, x)
            elif op == "loss":
                t.batches.append(1)
                on_loss(msg.get("step"), msg.get("loss"))
            elif op == "eval":
                s = msg.get("step")
                if not range_test or not _due(cfg, s) or s != len(t.losses) - 1:
                    t.errors.append("eval for step %r after %d losses" % (s, len(t.losses)))
                t.evals[s] = (msg.get("val_loss"), msg.get("val_accuracy"))
                t.events.append(("eval", s))
            elif op == "epoch":
                e = msg.get("epoch")
                if range_test:
                    t.errors.append("an epoch message in a range test")
                elif e != len(t.epochs) + 1:
                    t.errors.append("epoch %r, expected %d" % (e, len(t.epochs) + 1))
                t.epochs.append(msg)
                t.events.append(("epoch", e))
                if policy.hang_up_epoch == e:
                    prog.hang_up()
                    hung_up = True
                elif policy.prune_epoch == e:
                    prog.send({"op": "prune", "epoch": e})
                else:
                    prog.send({"op": "ack", "epoch": e})
            elif op == "done":
                t.done = msg
                t.events.append(("done",))
                try:            # the last message: what remains is the exit
                    t.eof = prog.recv(1.0) is None
                    if not t.eof:
                        t.errors.append("a message after done: %r" % prog.lines[-1][:200])
                except TimeoutError:
                    pass        # something else holds the channel open
                break
            else:
                t.errors.append("unexpected message %r" % prog.lines[-1][:200])
            if range_test and len(t.losses) == total and \
                    all(s in t.evals for s in range(total) if _due(cfg, s)):
                stop("done")
            if not stopped and not hung_up:
                pump()
    except TimeoutError as e:
        t.errors.append(str(e))
    except EOFError:
        pass
    start = time.monotonic()
    prog.hang_up()
    t.status = prog.wait(timeout)
    t.seconds = time.monotonic() - start
    if t.status is None:
        t.errors.append("the program was still running %.0f s after the end" % timeout)
    return t
