"""lrsweep_client - let lrsweep drive your training program.

lrsweep (an experiment with a ``trainer:`` section) starts your program with one
end of a socket on file descriptor 3 (``$LRSWEEP_FD``).  Over it lrsweep hands the
program its configuration and the learning rate of every step, and the program
reports its losses, its evaluations and its epochs.  lrsweep computes the
schedules, picks the bounds, prunes and stores; the program only trains.

    import lrsweep_client

    with lrsweep_client.connect(steps_per_epoch=len(loader)) as s:
        model = build(width=s.params["width"])
        opt = torch.optim.SGD(model.parameters(), lr=0.0)
        for epoch in range(s.epochs):
            for x, y in loader:
                s.apply(opt)                  # the rate (and momentum) of this step
                loss = train_step(model, opt, x, y)
                s.loss(loss)                  # a float or a 0-d tensor
                if s.eval_due():              # range tests evaluate every few steps
                    s.eval(*evaluate(model))
            s.epoch_end(tl, ta, vl, va)       # raises Pruned when lrsweep prunes
        s.done(test_loss, test_accuracy)

Leaving the ``with`` block by ``Stop`` (lrsweep ended the run: the range test is
over, the trial diverged, the user interrupted) or by ``Pruned`` is the normal
way out: the exception is swallowed and the program goes on after the block, to
exit with status 0.  ``Stop("closed")`` - lrsweep itself went away - is not
swallowed, so the program exits with an error instead of training for no one.

The step cursor: a step starts with ``lr()``, ``momentum()`` or ``apply()``
(any of them, as often as you like: they refer to the same step) and ends with
``loss()``.  ``eval_due()`` and ``eval()`` refer to the step whose loss was
reported last.

Standard library only, Python 3.7 or newer, no torch import (``apply`` is
duck-typed).  One session per process; not thread-safe.  The protocol is
described in lrsweep's docs/trainers.md.
"""

import json
import math
import os
import select

__all__ = ["connect", "Session", "Stop", "Pruned", "LrsweepError", "PROTOCOL"]

PROTOCOL = 1
MAX_LINE = 1 << 20          # the longest message line either side may send
LOSS_BATCH = 16             # losses sent in one message at most
LR_AHEAD = 1024             # an lr further ahead than this is a protocol error
_READ_CHUNK = 1 << 16


class LrsweepError(Exception):
    """Misuse of the client, a program not started by lrsweep, or a message
    that breaks the protocol."""


class Stop(Exception):
    """lrsweep ended the run: ``reason`` is "done" (a range test reached its
    end), "diverged", "interrupted", or "closed" when the channel closed
    without a word (lrsweep died).  Exit soon after, with status 0 (or
    nonzero for "closed"); no ``done()`` is needed."""

    def __init__(self, reason):
        Exception.__init__(self, reason)
        self.reason = reason

    def __str__(self):
        if self.reason == "closed":
            return "closed: the channel to lrsweep closed (lrsweep stopped)"
        return "stopped by lrsweep: " + str(self.reason)


class Pruned(Exception):
    """lrsweep pruned the trial at the end of epoch ``epoch``: exit soon
    after, with status 0; no ``done()`` is needed."""

    def __init__(self, epoch):
        Exception.__init__(self, epoch)
        self.epoch = epoch

    def __str__(self):
        return "pruned by lrsweep after epoch %d" % self.epoch


def _number(value, what):
    """A float from a float, an int, a 0-d tensor or array (anything with
    ``.item()``); NaN and infinities pass through."""
    if hasattr(value, "item"):
        value = value.item()
    try:
        return float(value)
    except (TypeError, ValueError):
        raise LrsweepError("%s must be a number, not %r" % (what, value))


def _int_field(msg, key):
    """msg[key] as an int, or a protocol error naming the field."""
    v = msg.get(key)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v != v or \
            v in (math.inf, -math.inf) or int(v) != v:
        raise LrsweepError("message %r: %r must be an integer" % (msg.get("op"), key))
    return int(v)


def _num_field(msg, key):
    """msg[key] as a float (NaN, Infinity allowed), or a protocol error."""
    v = msg.get(key)
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise LrsweepError("message %r: %r must be a number" % (msg.get("op"), key))
    return float(v)


class Session(object):
    """One program's conversation with lrsweep; made by ``connect()``.

    Attributes (read-only by convention):
      config          the whole config message (a dict, without "op")
      params          config["params"]: the run's resolved free-form parameters
      mode            "trial" or "range-test"
      optimizer       config["optimizer"] (a dict: "type", "momentum", ...)
      batch_size, seed, epochs, max_steps (0: none), eval_every (0: none),
      eval_samples, trial_key
      steps_per_epoch the value given to connect()
      step            the step the next lr()/loss() is about (losses so far)
      epoch           epochs ended so far
      pruned          True once lrsweep pruned the trial
      stop_reason     why lrsweep stopped the run (see Stop), or None
    """

    def __init__(self, fd, steps_per_epoch):
        self._fd = fd
        self._rbuf = b""
        self._closed = False      # the channel reached EOF
        self._stop = None         # the reason of a stop received, not yet raised
        self._answers = {}        # epoch -> "ack" | "prune"
        self._lrs = {}            # step -> (lr, momentum or None)
        self._asked = set()       # steps lrsweep asked to evaluate, not yet answered
        self._losses = []         # (step, value) not yet sent
        self._evaluated = -1      # the last step whose eval was sent
        self.steps_per_epoch = steps_per_epoch
        self.step = 0
        self.epoch = 0
        self.pruned = False
        self.config = None

    # ---- the channel ---------------------------------------------------

    def _send(self, obj):
        """Writes one message; a closed channel raises Stop("closed")."""
        data = (json.dumps(obj, separators=(",", ":")) + "\n").encode("utf-8")
        if len(data) > MAX_LINE:
            raise LrsweepError("message %r is longer than 1 MiB" % obj.get("op"))
        view = memoryview(data)
        while view:
            try:
                n = os.write(self._fd, view)
            except InterruptedError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                self._closed = True
                raise Stop("closed")
            view = view[n:]

    def _fill(self, block):
        """Reads what the channel holds (waiting for something if block) and
        handles every whole line; returns False when nothing was there."""
        if not block:
            ready, _, _ = select.select([self._fd], [], [], 0)
            if not ready:
                return False
        try:
            chunk = os.read(self._fd, _READ_CHUNK)
        except InterruptedError:
            return True
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            self._closed = True
            return True
        self._rbuf += chunk
        while True:
            nl = self._rbuf.find(b"\n")
            if nl < 0:
                break
            line, self._rbuf = self._rbuf[:nl], self._rbuf[nl + 1:]
            if line.strip():
                self._handle(line)
        if len(self._rbuf) > MAX_LINE:
            raise LrsweepError("a message from lrsweep is longer than 1 MiB")
        return True

    def _poll(self):
        """Takes every message already waiting, without blocking."""
        while not self._closed and self._fill(False):
            pass

    def _wait(self, cond):
        """Reads until cond() holds; raises Stop for a stop or a closed
        channel met on the way.  Losses are flushed first, so lrsweep's
        window can always move."""
        while not cond():
            self._raise_stop()
            self._flush()
            self._fill(True)

    def _raise_stop(self):
        if self._stop is not None:
            raise Stop(self._stop)
        if self._closed:
            raise Stop("closed")

    def _handle(self, line):
        """Files one message from lrsweep where the calls will find it."""
        try:
            msg = json.loads(line.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as e:
            raise LrsweepError("malformed message from lrsweep: %s" % e)
        if not isinstance(msg, dict) or not isinstance(msg.get("op"), str):
            raise LrsweepError("message from lrsweep without an \"op\": %.80r" % line)
        op = msg["op"]
        if op == "config":
            del msg["op"]
            self.config = msg
        elif op == "lr":
            s = _int_field(msg, "step")
            if s < self.step or s >= self.step + LR_AHEAD:
                raise LrsweepError("lr for step %d while at step %d" % (s, self.step))
            m = _num_field(msg, "momentum") if "momentum" in msg else None
            self._lrs[s] = (_num_field(msg, "lr"), m)
        elif op == "eval":
            s = _int_field(msg, "step")
            if s > self._evaluated:
                self._asked.add(s)
        elif op in ("ack", "prune"):
            self._answers[_int_field(msg, "epoch")] = op
        elif op == "stop":
            if self._stop is None:
                self._stop = str(msg.get("reason", "done"))
        else:
            raise LrsweepError("unknown message from lrsweep: %r" % op)

    def _flush(self):
        """Sends the buffered losses, batched."""
        if not self._losses:
            return
        losses, self._losses = self._losses, []
        if len(losses) == 1:
            self._send({"op": "loss", "step": losses[0][0], "loss": losses[0][1]})
        else:
            self._send({"op": "loss", "steps": [s for s, _ in losses],
                        "losses": [x for _, x in losses]})

    # ---- steps ---------------------------------------------------------

    def _current(self):
        """(lr, momentum) of the current step, waiting for lrsweep to send it."""
        self._poll()
        self._raise_stop()
        if self.eval_every > 0 and self.step > 0 and self._due(self.step - 1) \
                and self._evaluated < self.step - 1:
            raise LrsweepError("step %d needs an evaluation (eval_due() was true): "
                               "call eval() before the next step" % (self.step - 1))
        self._wait(lambda: self.step in self._lrs)
        return self._lrs[self.step]

    def lr(self):
        """The learning rate of the current step (the one whose loss comes
        next), waiting for lrsweep to send it.  Raises Stop."""
        return self._current()[0]

    def momentum(self):
        """The momentum of the current step when the schedule cycles it
        (for adam/adamw: beta1), else None.  Raises Stop."""
        return self._current()[1]

    def apply(self, optimizer):
        """Sets the current step's rate on every param_group of optimizer
        (a torch optimizer, or any object with a param_groups list of
        dicts), and its momentum when the schedule cycles it: "momentum"
        where the group has one (SGD), else betas[0] (Adam, AdamW).
        Returns the rate.  Raises Stop."""
        lr, m = self._current()
        for group in optimizer.param_groups:
            group["lr"] = lr
            if m is None:
                continue
            if "momentum" in group:
                group["momentum"] = m
            elif "betas" in group:
                group["betas"] = (m,) + tuple(group["betas"][1:])
        return lr

    def loss(self, value):
        """Reports the current step's training loss (a float or a 0-d tensor;
        NaN and infinities allowed: they mean divergence) and moves on to
        the next step.  Raises Stop."""
        x = _number(value, "loss")
        self._poll()
        self._raise_stop()
        if self.step not in self._lrs:
            raise LrsweepError("loss() for step %d before its rate: call lr() or "
                               "apply() first" % self.step)
        del self._lrs[self.step]
        self._losses.append((self.step, x))
        self.step += 1
        if len(self._losses) >= LOSS_BATCH:
            self._flush()

    def _due(self, s):
        k = self.eval_every
        return k > 0 and (s % k == 0 or (self.max_steps > 0 and s == self.max_steps - 1))

    def eval_due(self):
        """True when the step just reported (by loss()) is to be evaluated:
        every eval_every steps and the last step of a range test (computed
        here from the config), or when lrsweep asked for it.  Raises Stop."""
        self._poll()
        self._raise_stop()
        s = self.step - 1
        return s >= 0 and self._evaluated < s and (self._due(s) or s in self._asked)

    def eval(self, val_loss, val_accuracy):
        """Reports the evaluation of the model as it is after the step just
        reported (validation loss and accuracy in [0, 1])."""
        if self.step == 0:
            raise LrsweepError("eval() before the first loss()")
        s = self.step - 1
        self._flush()
        self._send({"op": "eval", "step": s, "val_loss": _number(val_loss, "val_loss"),
                    "val_accuracy": _number(val_accuracy, "val_accuracy")})
        self._evaluated = s
        self._asked = set(a for a in self._asked if a > s)

    def epoch_end(self, train_loss, train_accuracy, val_loss, val_accuracy):
        """Reports the epoch just ended and waits for lrsweep's answer.
        Raises Pruned when lrsweep prunes the trial here, Stop when it
        stops the run.  In a range test, whose curve is made of steps, it
        sends nothing and only looks for a stop."""
        if self.mode == "range-test":
            self._poll()
            self._raise_stop()
            self.epoch += 1
            return
        msg = {"op": "epoch", "epoch": self.epoch + 1,
               "train_loss": _number(train_loss, "train_loss"),
               "train_accuracy": _number(train_accuracy, "train_accuracy"),
               "val_loss": _number(val_loss, "val_loss"),
               "val_accuracy": _number(val_accuracy, "val_accuracy")}
        self._poll()
        self._raise_stop()
        self._flush()
        self._send(msg)
        self.epoch += 1
        e = self.epoch
        self._wait(lambda: e in self._answers)
        if self._answers.pop(e) == "prune":
            self.pruned = True
            raise Pruned(e)

    def done(self, test_loss=None, test_accuracy=None):
        """Reports the end of training (test metrics optional) and closes the
        channel.  After a stop it only closes."""
        msg = {"op": "done"}
        if test_loss is not None:
            msg["test_loss"] = _number(test_loss, "test_loss")
        if test_accuracy is not None:
            msg["test_accuracy"] = _number(test_accuracy, "test_accuracy")
        if self._fd >= 0 and self._stop is None and not self._closed:
            self._flush()
            self._send(msg)
        self.close()

    def close(self):
        """Closes the channel (sending buffered losses when it can); lrsweep
        then sees the program's end.  Safe to call twice."""
        if self._fd < 0:
            return
        try:
            if not self._closed:
                self._flush()
        except (Stop, OSError):
            pass
        finally:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self):
        return self

    def __exit__(self, kind, value, tb):
        self.close()
        if isinstance(value, Pruned):
            return True
        return isinstance(value, Stop) and value.reason != "closed"

    # ---- config fields -------------------------------------------------

    @property
    def stop_reason(self):
        if self._stop is not None:
            return self._stop
        return "closed" if self._closed else None

    def _field(self, key, default):
        v = self.config.get(key, default)
        return default if v is None else v

    @property
    def params(self):
        return self._field("params", {})

    @property
    def mode(self):
        return self._field("mode", "trial")

    @property
    def optimizer(self):
        return self._field("optimizer", {})

    @property
    def batch_size(self):
        return int(self._field("batch_size", 0))

    @property
    def seed(self):
        return int(self._field("seed", 0))

    @property
    def epochs(self):
        return int(self._field("epochs", 0))

    @property
    def max_steps(self):
        return int(self._field("max_steps", 0))

    @property
    def eval_every(self):
        return int(self._field("eval_every", 0))

    @property
    def eval_samples(self):
        return int(self._field("eval_samples", 0))

    @property
    def trial_key(self):
        return self._field("trial_key", os.environ.get("LRSWEEP_TRIAL_KEY", ""))


def _channel_fd():
    """The protocol channel's descriptor from the environment, or a clear
    error for a program started some other way."""
    text = os.environ.get("LRSWEEP_FD")
    if text is None:
        raise LrsweepError(
            "LRSWEEP_FD is not set: this program expects to be started by lrsweep "
            "(an experiment's trainer: section); see lrsweep's docs/trainers.md")
    try:
        fd = int(text)
        os.fstat(fd)
    except (ValueError, OSError):
        raise LrsweepError("LRSWEEP_FD=%r is not an open file descriptor" % text)
    proto = os.environ.get("LRSWEEP_PROTOCOL", str(PROTOCOL))
    if proto != str(PROTOCOL):
        raise LrsweepError("lrsweep speaks protocol %s; this client speaks %d"
                           % (proto, PROTOCOL))
    return fd


def connect(steps_per_epoch):
    """Says hello to lrsweep (steps_per_epoch: how many steps one epoch of
    this program takes) and returns the Session holding its config.
    Raises LrsweepError outside lrsweep, Stop if lrsweep stops first."""
    steps_per_epoch = int(steps_per_epoch)
    if steps_per_epoch < 1:
        raise LrsweepError("steps_per_epoch must be at least 1, not %d" % steps_per_epoch)
    fd = _channel_fd()
    os.set_inheritable(fd, False)   # programs this one runs do not hold the channel
    s = Session(fd, steps_per_epoch)
    try:
        s._send({"op": "hello", "protocol": PROTOCOL, "steps_per_epoch": steps_per_epoch})
        s._wait(lambda: s.config is not None)
    except BaseException:
        s.close()
        raise
    return s
