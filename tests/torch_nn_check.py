#!/usr/bin/python3
"""Cross-check lrsweep's model and optimizers against PyTorch.

For every configuration below this script builds a PyTorch MLP (nn.Linear
layers and the activation, F.cross_entropy with mean reduction), draws
random initial weights (PyTorch's default nn.Linear init, so biases are not
zero) and random batches, and writes them to a directory in the format of
tests/tools/nn_replay.c: `config`, `params.f32` (per layer W (out, in)
row-major, then b), `x.f32`, `y.i32`.  It runs

    nn_replay DIR

which trains lrsweep's model on the same batches with the same per-step
learning rates (and cycled momentum / beta1 where the configuration has one),
then trains the PyTorch model with torch.optim (zero_grad, loss.backward(),
setting group['lr'] -- and group['momentum'] or group['betas'][0] -- before
each step, as a scheduler does) and compares:

  - every step's loss:        |a - b| <= 1e-5 * |b| + 1e-6
  - every final parameter:    |a - b| <= RTOL * |b| + ATOL
    with RTOL = 1e-4, ATOL = 1e-6 after STEPS = 20 steps.

Both sides compute in float32; they differ by rounding only (the order of
sgemm's sums, fused multiply-adds in PyTorch's vector kernels), which is
what the tolerance absorbs.

Usage:
    /usr/bin/python3 tests/torch_nn_check.py path/to/nn_replay [-k SUBSTR]

Prints one line per configuration (the largest absolute and relative
parameter differences; failures marked FAIL), then `N passed, M failed`;
exits 0 iff nothing failed.  Skips (exit 0) when PyTorch is not importable.
"""

import array
import math
import os
import subprocess
import sys
import tempfile

STEPS = 20
RTOL, ATOL = 1e-4, 1e-6           # final parameters
LOSS_RTOL, LOSS_ATOL = 1e-5, 1e-6  # per-step losses
TIMEOUT = 60                       # seconds per replay run

try:
    import torch
    import torch.nn.functional as F
except Exception as e:  # pragma: no cover - depends on the machine
    print(f"torch_nn_check: SKIPPED (torch not importable: {e.__class__.__name__}: {e})")
    sys.exit(0)


def cfg(name, layers, act, opt, lr, **kw):
    """One configuration: layer sizes, activation, optimizer name and its
    keyword arguments, and lr: a float or a function of the step."""
    return {"name": name, "layers": layers, "act": act, "opt": opt, "lr": lr,
            "batch": kw.pop("batch", 16), "cycle": kw.pop("cycle", None),
            "seed": kw.pop("seed", 0), "kw": kw}


def ramp(lo, hi):
    """A learning rate rising linearly from lo to hi over the run."""
    return lambda s: lo + (hi - lo) * s / (STEPS - 1)


def tri(lo, hi):
    """A triangle lo -> hi -> lo over the run (for cycled momentum)."""
    return lambda s: hi - (hi - lo) * (1 - abs(2 * s / (STEPS - 1) - 1))


CONFIGS = [
    # softmax regression
    cfg("softmax-sgd", [20, 5], "relu", "sgd", 0.1),
    cfg("softmax-adam", [20, 5], "relu", "adam", 1e-2),
    # one hidden layer, each activation
    cfg("relu-sgd-momentum", [20, 32, 5], "relu", "sgd", 0.05, momentum=0.9),
    cfg("tanh-sgd-nesterov-wd", [20, 32, 5], "tanh", "sgd", 0.05, momentum=0.9,
        nesterov=True, weight_decay=1e-3),
    cfg("sigmoid-sgd-wd", [20, 32, 5], "sigmoid", "sgd", 0.5, weight_decay=1e-2),
    cfg("relu-adam", [20, 32, 5], "relu", "adam", 1e-3),
    cfg("tanh-adam-wd", [20, 32, 5], "tanh", "adam", 1e-3, weight_decay=1e-2),
    cfg("sigmoid-adamw", [20, 32, 5], "sigmoid", "adamw", 1e-3, weight_decay=0.01),
    # two hidden layers, odd sizes (no block of 16 anywhere), varying lr
    cfg("relu2-sgd-momentum-odd", [13, 17, 9, 7], "relu", "sgd", ramp(0.01, 0.1),
        momentum=0.9, batch=9),
    cfg("tanh2-sgd-nesterov-wd", [20, 24, 16, 5], "tanh", "sgd", ramp(0.01, 0.1),
        momentum=0.8, nesterov=True, weight_decay=5e-4),
    cfg("sigmoid2-adam", [20, 24, 16, 5], "sigmoid", "adam", ramp(1e-3, 1e-2),
        betas=(0.8, 0.99), eps=1e-6),
    cfg("relu2-adamw-odd", [13, 17, 9, 7], "relu", "adamw", ramp(1e-3, 5e-3),
        weight_decay=0.05, batch=9),
    # cycled momentum / beta1, as OneCycleLR and CyclicLR set them
    cfg("relu-sgd-cycle", [20, 32, 5], "relu", "sgd", ramp(0.01, 0.1), momentum=0.9,
        cycle=tri(0.85, 0.95)),
    cfg("tanh-sgd-nesterov-cycle", [20, 32, 5], "tanh", "sgd", 0.05, momentum=0.9,
        nesterov=True, cycle=tri(0.8, 0.95)),
    # momentum 0 at some steps: PyTorch creates the buffer (a copy of d_p)
    # at step 2 only, skips it at steps 7-8, then goes on with it
    cfg("relu-sgd-momentum-off-on", [20, 32, 5], "relu", "sgd", 0.05, momentum=0.9,
        cycle=lambda s: 0.0 if s in (0, 1, 7, 8) else 0.9),
    cfg("relu-adam-cycle", [20, 32, 5], "relu", "adam", 1e-3, cycle=tri(0.85, 0.95)),
    cfg("sigmoid-adamw-cycle", [20, 32, 5], "sigmoid", "adamw", 1e-3, weight_decay=0.01,
        cycle=tri(0.85, 0.95)),
    # an MNIST-sized layer
    cfg("relu-784-sgd-momentum", [784, 64, 10], "relu", "sgd", 0.05, momentum=0.9,
        batch=32),
    cfg("relu-784-adamw", [784, 64, 10], "relu", "adamw", 1e-3, weight_decay=0.01,
        batch=32),
]

ACTS = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid}


def lr_at(c, s):
    return c["lr"](s) if callable(c["lr"]) else c["lr"]


def build_model(c):
    layers = c["layers"]
    mods = []
    for i in range(len(layers) - 1):
        mods.append(torch.nn.Linear(layers[i], layers[i + 1]))
        if i + 2 < len(layers):
            mods.append(ACTS[c["act"]]())
    return torch.nn.Sequential(*mods)


def build_optimizer(c, params):
    kw = dict(c["kw"])
    lr = lr_at(c, 0)
    if c["opt"] == "sgd":
        return torch.optim.SGD(params, lr=lr, **kw)
    if c["opt"] == "adam":
        return torch.optim.Adam(params, lr=lr, **kw)
    return torch.optim.AdamW(params, lr=lr, **kw)


def write_floats(path, values):
    with open(path, "wb") as f:
        f.write(array.array("f", values).tobytes())


def read_floats(path):
    a = array.array("f")
    with open(path, "rb") as f:
        a.frombytes(f.read())
    return list(a)


def write_config(path, c):
    kw = c["kw"]
    lines = ["layers " + " ".join(str(n) for n in c["layers"]),
             "activation " + c["act"],
             "optimizer " + c["opt"],
             f"batch {c['batch']}",
             f"steps {STEPS}"]
    if "momentum" in kw:
        lines.append(f"momentum {kw['momentum']!r}")
    if kw.get("nesterov"):
        lines.append("nesterov 1")
    if "weight_decay" in kw:
        lines.append(f"weight_decay {kw['weight_decay']!r}")
    if "betas" in kw:
        lines.append(f"betas {kw['betas'][0]!r} {kw['betas'][1]!r}")
    if "eps" in kw:
        lines.append(f"eps {kw['eps']!r}")
    lines.append("lr " + " ".join(repr(float(lr_at(c, s))) for s in range(STEPS)))
    if c["cycle"]:
        lines.append("cycle " + " ".join(repr(float(c["cycle"](s))) for s in range(STEPS)))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def flat_params(model):
    out = []
    for p in model.parameters():   # per Linear: weight (out, in), then bias
        out.extend(p.detach().reshape(-1).tolist())
    return out


def run_one(replay, c):
    """Returns (ok, message)."""
    torch.manual_seed(c["seed"] + 1000 * len(c["name"]))
    model = build_model(c)
    B, n_in, n_out = c["batch"], c["layers"][0], c["layers"][-1]
    x = torch.randn(STEPS, B, n_in)
    y = torch.randint(0, n_out, (STEPS, B), dtype=torch.int32)

    with tempfile.TemporaryDirectory(prefix="nn_check_") as d:
        write_config(os.path.join(d, "config"), c)
        write_floats(os.path.join(d, "params.f32"), flat_params(model))
        write_floats(os.path.join(d, "x.f32"), x.reshape(-1).tolist())
        with open(os.path.join(d, "y.i32"), "wb") as f:
            f.write(array.array("i", y.reshape(-1).tolist()).tobytes())
        r = subprocess.run([replay, d], capture_output=True, text=True, timeout=TIMEOUT)
        if r.returncode != 0:
            return False, f"nn_replay exited {r.returncode}: {r.stderr.strip()}"
        with open(os.path.join(d, "losses.txt")) as f:
            c_losses = [float(line) for line in f]
        c_final = read_floats(os.path.join(d, "final.f32"))

    opt = build_optimizer(c, model.parameters())
    t_losses = []
    for s in range(STEPS):
        for g in opt.param_groups:
            g["lr"] = lr_at(c, s)
            if c["cycle"]:
                m = c["cycle"](s)
                if c["opt"] == "sgd":
                    g["momentum"] = m
                else:
                    g["betas"] = (m, g["betas"][1])
        opt.zero_grad()
        loss = F.cross_entropy(model(x[s]), y[s].long())
        loss.backward()
        opt.step()
        t_losses.append(loss.item())
    t_final = flat_params(model)

    problems = []
    if len(c_losses) != STEPS:
        problems.append(f"{len(c_losses)} losses, expected {STEPS}")
    for s, (a, b) in enumerate(zip(c_losses, t_losses)):
        if not abs(a - b) <= LOSS_RTOL * abs(b) + LOSS_ATOL:
            problems.append(f"loss step {s}: lrsweep {a!r} torch {b!r}")
            break
    if len(c_final) != len(t_final):
        return False, f"{len(c_final)} parameters, torch has {len(t_final)}"
    max_abs = max_rel = 0.0
    worst = None
    for i, (a, b) in enumerate(zip(c_final, t_final)):
        diff = abs(a - b)
        max_abs = max(max_abs, diff)
        if b != 0:
            max_rel = max(max_rel, diff / abs(b))
        if not diff <= RTOL * abs(b) + ATOL and worst is None:
            worst = f"param {i}: lrsweep {a!r} torch {b!r}"
    if worst:
        problems.append(worst)
    loss_rel = max(abs(a - b) / max(abs(b), 1e-30) for a, b in zip(c_losses, t_losses))
    msg = (f"{len(t_final)} params, max |diff| {max_abs:.2e}, max rel {max_rel:.2e}; "
           f"losses max rel {loss_rel:.2e} (first {t_losses[0]:.4f}, last {t_losses[-1]:.4f})")
    if problems:
        return False, msg + "; " + "; ".join(problems)
    return True, msg


def main(argv):
    args = argv[1:]
    only = None
    if "-k" in args:
        i = args.index("-k")
        only = args[i + 1]
        del args[i:i + 2]
    if len(args) != 1:
        print("usage: torch_nn_check.py path/to/nn_replay [-k SUBSTR]", file=sys.stderr)
        return 2
    replay = args[0]
    if not os.access(replay, os.X_OK):
        print(f"torch_nn_check: {replay}: not an executable", file=sys.stderr)
        return 2
    torch.set_num_threads(1)
    passed = failed = 0
    for c in CONFIGS:
        if only and only not in c["name"]:
            continue
        try:
            ok, msg = run_one(replay, c)
        except Exception as e:  # a crash in one configuration fails only it
            ok, msg = False, f"{e.__class__.__name__}: {e}"
        print(f"{'ok  ' if ok else 'FAIL'} {c['name']}: {msg}")
        passed += ok
        failed += not ok
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
