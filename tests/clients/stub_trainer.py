"""stub_trainer.py - a training program for the client tests, on the Python
client (clients/python/lrsweep_client.py).

It trains nothing: like stub_trainer.c with --echo, it reports values the
tests can predict, so that they check what went through the client:

  loss of step s      lr * 1000 + momentum (0 when the schedule does not
                      cycle it), read back from a fake optimizer's
                      param_groups after Session.apply(), so apply() is
                      checked too (SGD groups take "momentum", Adam groups
                      betas[0], as config.optimizer.type says)
  eval after step s   val_loss s, val_accuracy 0.5
  epoch e             train_loss mean of its losses, val_loss e, accuracies
                      exp(-train_loss) and 0.25
  done                test_loss 7, test_accuracy 0.75

  stub_trainer.py [--steps-per-epoch N] [--nan-at STEP] [--tensor] [--torch]

--tensor passes losses as 0-d tensor-like objects (with .item()); --torch
uses a real torch optimizer (SGD or Adam, taking a step on one weight each
step) and reports 0-d torch tensors. Exit
status: 0 when done, stopped or pruned (the with block swallows those), 1
when lrsweep went away or the protocol failed.
"""

import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "clients", "python"))
import lrsweep_client  # noqa: E402


class FakeOptimizer(object):
    """What apply() touches of a torch optimizer: param_groups."""

    def __init__(self, kind):
        if kind in ("adam", "adamw"):
            self.param_groups = [{"lr": 0.0, "betas": (0.5, 0.999)} for _ in range(2)]
        else:
            self.param_groups = [{"lr": 0.0, "momentum": 0.5} for _ in range(2)]


class Scalar(object):
    """A 0-d tensor stand-in."""

    def __init__(self, x):
        self.x = x

    def item(self):
        return self.x


def torch_optimizer(kind):
    """A real torch optimizer over one weight, with momentum/beta1 0.5."""
    import torch
    w = torch.zeros(1, requires_grad=True)
    if kind in ("adam", "adamw"):
        return torch.optim.Adam([w], lr=0.0, betas=(0.5, 0.999))
    return torch.optim.SGD([w], lr=0.0, momentum=0.5)


def option(argv, name, default):
    return int(argv[argv.index(name) + 1]) if name in argv else default


def step_loss(s, opt):
    """The echo loss of one step, read back from opt after apply()."""
    s.apply(opt)
    g = opt.param_groups[-1]
    m = g["momentum"] if "momentum" in g else g["betas"][0]
    if s.momentum() is None:
        if m != 0.5:
            raise SystemExit("apply() changed a momentum the schedule does not cycle")
        m = 0.0
    if any(h["lr"] != g["lr"] for h in opt.param_groups):
        raise SystemExit("apply() left a param_group behind")
    if hasattr(opt, "step"):
        w = g["params"][0]
        w.grad = w.detach().clone() + 1.0
        opt.step()
    return g["lr"] * 1000 + m


def main(argv):
    spe = option(argv, "--steps-per-epoch", 10)
    nan_at = option(argv, "--nan-at", -1)
    wrap = Scalar if "--tensor" in argv else float
    if "--torch" in argv:
        import torch
        def wrap(x):
            return torch.tensor(x, dtype=torch.float64)   # exact, for the echo
    with lrsweep_client.connect(spe) as s:
        print("config mode=%s key=%s seed=%s epochs=%d width=%s" % (
            s.mode, s.trial_key, s.seed, s.epochs, s.params.get("width")))
        kind = s.optimizer.get("type", "sgd")
        opt = torch_optimizer(kind) if "--torch" in argv else FakeOptimizer(kind)
        epoch = 0
        trial = s.mode == "trial"
        while not trial or epoch < max(s.epochs, 1):   # a range test: until Stop
            losses = []
            while len(losses) < spe and (not trial or s.max_steps == 0 or s.step < s.max_steps):
                x = step_loss(s, opt)   # its rate first, as a real loop gets it
                if s.step == nan_at:
                    x = float("nan")
                s.loss(wrap(x))
                losses.append(x)
                if s.eval_due():
                    s.eval(s.step - 1, 0.5)
            epoch += 1
            tl = sum(losses) / len(losses)
            s.epoch_end(tl, math.exp(-tl), epoch, 0.25)
            print("epoch %d: train_loss %.6g" % (epoch, tl))
            if trial and s.max_steps and s.step >= s.max_steps:
                break
        s.done(7.0, 0.75)
        return 0
    print("stop: %s" % s.stop_reason if s.stop_reason else "pruned at epoch %d" % s.epoch)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
