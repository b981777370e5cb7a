#!/usr/bin/python3
"""Cross-check lrsweep's layer stacks (net.h) against PyTorch.

The companion of tests/torch_nn_check.py (whose file format, optimizers
and helpers this script shares), for every layer type: conv, maxpool,
avgpool, relu/tanh/sigmoid, dropout, batchnorm (1d and 2d), linear, with
odd shapes -- stride 2, padding 0/1/2, ceil-mode pooling, 1x1 and 7x7
kernels, batch 1, non-square inputs -- and the CLR paper's network and
LeNet-5. For each configuration it builds the torch.nn.Sequential model
(nn.Flatten before the first linear layer after a map; BatchNorm2d on
maps, BatchNorm1d on features), draws its default initial parameters and
random batches, and runs

    nn_replay DIR

which trains lrsweep's net on the same batches from the same parameters.
Then it trains the PyTorch model (model.train(), torch.optim, lr set per
step) and compares, every one of them within float32 rounding (the order
of sums in sgemm against oneDNN's convolutions, double against float
accumulators):

  - the first step's softmax output:  |a - b| <= 1e-5 * |b| + 1e-6
  - the first step's gradients:       |a - b| <= 1e-4 * max|b| + 1e-6 * G
    (per parameter tensor: a gradient is a sum of many products, its
    rounding is relative to the tensor's scale, not each entry's; G, the
    largest gradient of all, for a bias right before batchnorm, whose exact
    gradient is zero and whose computed one is the rounding of terms of
    the net's scale)
  - every step's loss:                |a - b| <= 1e-5 * |b| + 1e-6
  - the parameters after STEPS steps: |a - b| <= 1e-4 * |b| + 1e-4 * max|b|
    per parameter tensor, plus, for Adam, 1% of one step (lr): Adam divides
    each gradient by its own running size, so a weight whose gradient is
    small against its tensor's takes that gradient's rounding into its
    step (measured: up to 0.4% of lr on the CLR net and LeNet-5)
  - batchnorm's running mean and variance after STEPS steps, and the
    softmax output in evaluation mode (model.eval()) on the first batch:
    |a - b| <= 1e-4 * |b| + 1e-6

A relu input within 1e-6 of its layer's largest from zero, anywhere in
PyTorch's run, is a kink that rounding alone can move a whole gradient
across (the gradients then differ by more than rounding, and Adam's
sign-like steps carry that into every later step): such batches are drawn
again before the comparison, deterministically.

Each structure runs twice: SGD with momentum 0.9 and Adam. Dropout with
p > 0 draws its masks from another stream than PyTorch's: those
configurations train with p = 0 (dropout is then exactly the identity in
both), or compare only evaluation mode at learning rate 0, where dropout
is the identity and the parameters stay the initial ones.

Usage:
    /usr/bin/python3 tests/torch_net_check.py path/to/nn_replay [-k SUBSTR]

Prints one line per configuration and `N passed, M failed`; exits 0 iff
nothing failed. Skips (exit 0) when PyTorch is not importable.
"""

import array
import copy
import os
import subprocess
import sys
import tempfile

import torch_nn_check as base   # exits 0 (skipped) when torch is missing

torch = base.torch
F = base.F
STEPS = base.STEPS
OUT_RTOL, OUT_ATOL = 1e-5, 1e-6
GRAD_TOL, GRAD_FLOOR = 1e-4, 1e-6
ADAM_STEP_TOL = 0.01
LOSS_RTOL, LOSS_ATOL = 1e-5, 1e-6
PARAM_RTOL, PARAM_SCALE_TOL = 1e-4, 1e-4
STAT_RTOL, STAT_ATOL = 1e-4, 1e-6
KINK_MARGIN, KINK_REDRAWS = 1e-6, 20   # see run_one


def conv(n, kernel, stride=1, padding=0):
    return ("conv", n, {"kernel": kernel, "stride": stride, "padding": padding})


def pool(kind, kernel, stride=None, padding=0, ceil=False):
    kw = {"padding": padding, "ceil": int(ceil)}
    if stride is not None:
        kw["stride"] = stride
    return (kind, kernel, kw)


def layer(kind, **kw):
    return (kind, None, kw)


def linear(n):
    return ("linear", n, {})


CLR = [conv(32, 5, padding=2), pool("maxpool", 3, 2, ceil=True), layer("relu"),
       conv(32, 5, padding=2), layer("relu"), pool("avgpool", 3, 2, ceil=True),
       conv(64, 5, padding=2), layer("relu"), pool("avgpool", 3, 2, ceil=True), linear(10)]
LENET = [conv(6, 5, padding=2), layer("relu"), pool("maxpool", 2), conv(16, 5), layer("relu"),
         pool("maxpool", 2), linear(120), layer("relu"), linear(84), layer("relu"), linear(10)]

# name, input (C, H, W), classes, layers, batch
STRUCTURES = [
    ("conv5-p2-relu-maxpool", (1, 12, 12), 5,
     [conv(4, 5, padding=2), layer("relu"), pool("maxpool", 2), linear(5)], 8),
    # one input channel, stride 1: the direct kernels on AVX-512 CPUs,
    # forward and weight gradient (k 3 and 7, rows of 26); the second conv
    # of the first stack needs its input gradient: by im2col
    ("one-channel-conv3-then-conv7-p3", (1, 18, 26), 3,
     [conv(1, 3, padding=1), conv(4, 7, padding=3), layer("relu"), linear(3)], 3),
    ("one-channel-conv7-p3", (1, 18, 26), 3,
     [conv(5, 7, padding=3), layer("relu"), linear(3)], 3),
    # several input channels, stride 1, output rows of at most 16: the
    # multi-channel direct kernels on AVX-512 CPUs (forward, weight
    # gradient, and the input gradient where the input is no larger than
    # the output); kernels 3, 5 and 7, padding 0 to 3, rows of 7 to 16,
    # channel counts that leave partial groups of output channels and taps
    ("multi-channel-conv3-5-7-rows-14-and-7-batch1", (3, 14, 14), 3,
     [conv(4, 3, padding=1), layer("relu"), conv(9, 5, padding=2), pool("maxpool", 2),
      conv(10, 7, padding=3), layer("relu"), linear(3)], 1),
    ("multi-channel-p0-p1-p2-rows-16-to-10", (2, 18, 18), 3,
     [conv(5, 3), layer("relu"), conv(6, 3, padding=1), conv(4, 5), layer("relu"),
      conv(3, 7, padding=2), linear(3)], 3),
    ("multi-channel-nonsquare-rows-13", (3, 9, 13), 3,
     [conv(5, 3, padding=1), layer("relu"), conv(7, 5, padding=2), layer("relu"), linear(3)], 4),
    ("conv3-s2-p1-tanh-avgpool-ceil", (2, 11, 9), 4,
     [conv(5, 3, stride=2, padding=1), layer("tanh"), pool("avgpool", 3, 2, ceil=True),
      linear(4)], 6),
    ("conv1x1-on-nchw-then-on-maps-sigmoid", (3, 5, 7), 3,
     [conv(4, 1), layer("sigmoid"), conv(6, 3, padding=1), conv(5, 1), layer("relu"),
      linear(3)], 5),
    ("conv7-p0-batch1-nonsquare", (2, 9, 13), 3,
     [conv(3, 7), layer("relu"), conv(4, 2, stride=2, padding=2), linear(3)], 1),
    ("maxpool-p1-ceil-avgpool-p1-ceil", (2, 9, 7), 4,
     [conv(3, 3, padding=1), pool("maxpool", 3, 2, padding=1, ceil=True), layer("relu"),
      pool("avgpool", 3, 2, padding=1, ceil=True), linear(4)], 7),
    ("pools-first-p2-stride1", (3, 8, 10), 3,
     [pool("avgpool", 4, 1, padding=2), pool("maxpool", 5, 2, padding=2), conv(2, 3),
      linear(3)], 4),
    ("batchnorm2d-batchnorm1d", (2, 8, 8), 4,
     [conv(6, 3, padding=1), layer("relu"), layer("batchnorm"), pool("maxpool", 2),
      linear(16), layer("tanh"), layer("batchnorm", momentum=0.3), linear(4)], 8),
    ("batchnorm-first", (3, 4, 5), 3,
     [layer("batchnorm", eps=1e-3), conv(4, 3), layer("relu"), linear(7), layer("relu"),
      layer("batchnorm"), linear(3)], 16),
    # a bias right before batchnorm has an exact gradient of zero: its
    # computed one is rounding, which Adam would scale up to whole steps
    ("conv-batchnorm-linear-batchnorm", (2, 7, 6), 3,
     [conv(5, 3, stride=2, padding=1), layer("batchnorm"), layer("relu"), linear(6),
      layer("batchnorm"), layer("sigmoid"), linear(3)], 5, ("sgd",)),
    ("dropout-p0-train", (2, 6, 6), 3,
     [conv(4, 3), layer("dropout", p=0.0), layer("relu"), linear(8), layer("relu"),
      layer("dropout", p=0.0), linear(3)], 5),
    ("clr-net", (1, 28, 28), 10, CLR, 4),
    ("lenet5", (1, 28, 28), 10, LENET, 4),
]

# evaluation mode only, at learning rate 0: dropout p > 0 is the identity
EVAL_ONLY = [
    ("dropout-p0.5-eval", (2, 6, 6), 3,
     [conv(4, 3), layer("relu"), layer("dropout", p=0.5), linear(8), layer("tanh"),
      layer("dropout", p=0.3), linear(3)], 5),
]


def configs():
    out = []
    for name, shape, classes, layers, batch, *only in STRUCTURES:
        for opt, lr, kw in (("sgd", 0.05, {"momentum": 0.9}), ("adam", 1e-3, {})):
            if only and opt not in only[0]:
                continue
            out.append({"name": f"{name}-{opt}", "shape": shape, "classes": classes,
                        "net": layers, "batch": batch, "opt": opt, "lr": lr, "kw": kw,
                        "eval_only": False})
    for name, shape, classes, layers, batch in EVAL_ONLY:
        out.append({"name": name, "shape": shape, "classes": classes, "net": layers,
                    "batch": batch, "opt": "sgd", "lr": 0.0, "kw": {}, "eval_only": True})
    return out


def build_model(c):
    mods, is_map, (ch, h, w) = [], True, c["shape"]
    width = ch
    for kind, n, kw in c["net"]:
        if kind == "conv":
            mods.append(torch.nn.Conv2d(width, n, kw["kernel"], kw["stride"], kw["padding"]))
            width = n
        elif kind in ("maxpool", "avgpool"):
            cls = torch.nn.MaxPool2d if kind == "maxpool" else torch.nn.AvgPool2d
            mods.append(cls(n, kw.get("stride", n), kw["padding"], ceil_mode=bool(kw["ceil"])))
        elif kind == "linear":
            if is_map:
                mods.append(torch.nn.Flatten())
                with torch.no_grad():
                    width = mods_out_features(mods, c["shape"])
                is_map = False
            mods.append(torch.nn.Linear(width, n))
            width = n
        elif kind in base.ACTS:
            mods.append(base.ACTS[kind]())
        elif kind == "dropout":
            mods.append(torch.nn.Dropout(kw["p"]))
        elif kind == "batchnorm":
            cls = torch.nn.BatchNorm2d if is_map else torch.nn.BatchNorm1d
            mods.append(cls(width, eps=kw.get("eps", 1e-5), momentum=kw.get("momentum", 0.1)))
    return torch.nn.Sequential(*mods)


def mods_out_features(mods, shape):
    """The features the layers so far give one sample (nn.Flatten last)."""
    return torch.nn.Sequential(*mods).eval()(torch.zeros(1, *shape)).shape[1]


def write_config(path, c):
    lines = ["input " + " ".join(str(v) for v in c["shape"]), f"classes {c['classes']}"]
    for kind, n, kw in c["net"]:
        words = ["layer", kind] + ([str(n)] if n is not None else [])
        words += [f"{k} {v!r}" for k, v in kw.items()]
        lines.append(" ".join(words))
    lines += [f"optimizer {c['opt']}", f"batch {c['batch']}", f"steps {STEPS}"]
    if "momentum" in c["kw"]:
        lines.append(f"momentum {c['kw']['momentum']!r}")
    lines.append("lr " + " ".join(repr(float(c["lr"])) for _ in range(STEPS)))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def close(a, b, rtol, atol):
    """The first index where a and b differ beyond rtol*|b| + atol, or None."""
    if len(a) != len(b):
        return -1
    for i, (x, y) in enumerate(zip(a, b)):
        if not abs(x - y) <= rtol * abs(y) + atol:
            return i
    return None


def per_tensor(a, b, model, rtol, scale_tol, floor):
    """Compares flat a against the flat tensors b, each tensor with
    |a - b| <= rtol*|b| + scale_tol*max|b| + floor; the first failure or
    None."""
    if len(a) != len(b):
        return f"{len(a)} values, torch has {len(b)}"
    at = 0
    for name, p in model.named_parameters():
        n = p.numel()
        scale = max(abs(v) for v in b[at:at + n])
        bad = close(a[at:at + n], b[at:at + n], rtol, scale_tol * scale + floor)
        if bad is not None:
            return f"{name}[{bad}]: lrsweep {a[at + bad]!r} torch {b[at + bad]!r}"
        at += n
    return None


def replay(replay_bin, c, model, x, y):
    """Runs nn_replay; returns its outputs as lists, or raises."""
    with tempfile.TemporaryDirectory(prefix="net_check_") as d:
        write_config(os.path.join(d, "config"), c)
        base.write_floats(os.path.join(d, "params.f32"), base.flat_params(model))
        base.write_floats(os.path.join(d, "x.f32"), x.reshape(-1).tolist())
        with open(os.path.join(d, "y.i32"), "wb") as f:
            f.write(array.array("i", y.reshape(-1).tolist()).tobytes())
        r = subprocess.run([replay_bin, d], capture_output=True, text=True,
                           timeout=base.TIMEOUT)
        if r.returncode != 0:
            raise RuntimeError(f"nn_replay exited {r.returncode}: {r.stderr.strip()}")
        with open(os.path.join(d, "losses.txt")) as f:
            losses = [float(line) for line in f]
        out = {k: base.read_floats(os.path.join(d, k + ".f32"))
               for k in ("probs0", "grads0", "final", "running", "eval")}
        out["losses"] = losses
        return out


def torch_run(c, model, x, y):
    """Trains the PyTorch model as nn_replay trains lrsweep's."""
    opt = torch.optim.SGD(model.parameters(), lr=c["lr"], **c["kw"]) if c["opt"] == "sgd" \
        else torch.optim.Adam(model.parameters(), lr=c["lr"], **c["kw"])
    out = {"losses": []}
    model.train()
    for s in range(STEPS):
        opt.zero_grad()
        logits = model(x[s])
        loss = F.cross_entropy(logits, y[s].long())
        loss.backward()
        if s == 0:
            out["probs0"] = torch.softmax(logits, 1).detach().reshape(-1).tolist()
            out["grads0"] = [v for p in model.parameters() for v in p.grad.reshape(-1).tolist()]
        opt.step()
        out["losses"].append(loss.item())
    out["final"] = base.flat_params(model)
    out["running"] = []
    for m in model.modules():
        if isinstance(m, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)):
            out["running"] += m.running_mean.tolist() + m.running_var.tolist()
    model.eval()
    with torch.no_grad():
        out["eval"] = torch.softmax(model(x[0]), 1).reshape(-1).tolist()
    return out


def compare(c, model, a, b):
    """The problems found, as strings."""
    problems = []
    checks = [("eval", a["eval"], b["eval"], STAT_RTOL, STAT_ATOL)]
    if not c["eval_only"]:
        checks += [("probs0", a["probs0"], b["probs0"], OUT_RTOL, OUT_ATOL),
                   ("loss", a["losses"], b["losses"], LOSS_RTOL, LOSS_ATOL),
                   ("running", a["running"], b["running"], STAT_RTOL, STAT_ATOL)]
        g = max(abs(v) for v in b["grads0"])
        step = ADAM_STEP_TOL * c["lr"] if c["opt"] == "adam" else 0.0
        for what, (av, bv, rtol, stol, floor) in {
                "grads0": (a["grads0"], b["grads0"], 0.0, GRAD_TOL, GRAD_FLOOR * g),
                "final": (a["final"], b["final"], PARAM_RTOL, PARAM_SCALE_TOL, step)}.items():
            bad = per_tensor(av, bv, model, rtol, stol, floor)
            if bad:
                problems.append(f"{what} {bad}")
    for what, av, bv, rtol, atol in checks:
        bad = close(av, bv, rtol, atol)
        if bad is not None:
            problems.append(f"{what} [{bad}]: lrsweep {av[bad] if bad >= 0 else len(av)!r} "
                            f"torch {bv[bad] if bad >= 0 else len(bv)!r}")
    return problems


def max_rel(a, b):
    return max((abs(x - y) / max(abs(y), 1e-30) for x, y in zip(a, b)), default=0.0)


def relu_margin(c, model, x, y):
    """The smallest |v| / max|v| of the inputs of the model's relu layers
    over PyTorch's whole run on x, y: how near a relu's kink training
    comes (on a copy of the model)."""
    margin = [1.0]
    model = copy.deepcopy(model)

    def hook(_, inp):
        v = inp[0].detach().abs()
        margin[0] = min(margin[0], (v.min() / v.max().clamp(min=1e-30)).item())
    for m in model.modules():
        if isinstance(m, torch.nn.ReLU):
            m.register_forward_pre_hook(hook)
    torch_run(c, model, x, y)
    return margin[0]


def run_one(replay_bin, c):
    torch.manual_seed(1000 + len(c["name"]))
    model = build_model(c)
    # A relu input within rounding of zero makes the gradient depend on
    # the rounding (the kink decides whether a whole gradient passes), and
    # Adam's sign-like steps carry that into every later step: batches
    # that come that near a kink are drawn again, the same way each run.
    # (the farthest of KINK_REDRAWS draws when none is KINK_MARGIN away).
    best = None
    for _ in range(KINK_REDRAWS):
        x = torch.randn(STEPS, c["batch"], *c["shape"])
        y = torch.randint(0, c["classes"], (STEPS, c["batch"]), dtype=torch.int32)
        margin = relu_margin(c, model, x, y)
        if best is None or margin > best[0]:
            best = (margin, x, y)
        if margin >= KINK_MARGIN:
            break
    x, y = best[1], best[2]
    a = replay(replay_bin, c, model, x, y)
    b = torch_run(c, model, x, y)
    problems = compare(c, model, a, b)
    msg = (f"{len(b['final'])} params; max rel: probs0 {max_rel(a['probs0'], b['probs0']):.1e}"
           f" loss {max_rel(a['losses'], b['losses']):.1e} eval {max_rel(a['eval'], b['eval']):.1e}")
    return not problems, msg + ("; " + "; ".join(problems) if problems else "")


def main(argv):
    args = argv[1:]
    only = None
    if "-k" in args:
        i = args.index("-k")
        only = args[i + 1]
        del args[i:i + 2]
    if len(args) != 1 or not os.access(args[0], os.X_OK):
        print("usage: torch_net_check.py path/to/nn_replay [-k SUBSTR]", file=sys.stderr)
        return 2
    torch.set_num_threads(1)
    passed = failed = 0
    for c in configs():
        if only and only not in c["name"]:
            continue
        try:
            ok, msg = run_one(args[0], c)
        except Exception as e:  # a crash in one configuration fails only it
            ok, msg = False, f"{e.__class__.__name__}: {e}"
        print(f"{'ok  ' if ok else 'FAIL'} {c['name']}: {msg}")
        passed += ok
        failed += not ok
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
