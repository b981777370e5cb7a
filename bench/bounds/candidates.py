#!/usr/bin/python3
"""candidates.py - candidate bounds, read from the range tests of the last
run.py run, scored on every problem of it with run.py's regret.

Each candidate maps a problem's stored picks (results/bounds-bench/last.json:
every rule's min_lr and max_lr) to bounds: the default rule's max_lr with
another min_lr (the CLR paper's max/3..4, or lower), a lower point of the
flat region (max_lr / 2 or / 3), or other combinations of the readings
(accuracy, loss-steepest, the loss minimum). For each problem where it
picks: a triangular run between its bounds and one_cycle with its max_lr,
the same epochs, seeds and trial cache as run.py; a candidate that keeps
the default's max_lr reuses its one_cycle runs. Prints per candidate the
mean and worst regret over the problems, both schedules, and the mean
difference to the default with its standard error from the seeds alone
and over problems. Every problem is used, held out or not: run this only
when the held-out set has been seen.

The conv problems (--rebuild ID,ID) run the default's and the candidates'
trials again with the lrsweep given, under their own cache tag (their grid
stays the cached one): their cached trials may come from a build whose conv
kernels round differently, and the comparison with the default is then
made on one build.

usage: bench/bounds/candidates.py LRSWEEP [--rebuild ID,ID] [--only NAME,NAME]
"""
import json
import math
import os
import sys

import run as R


def picks(r, rule):
    b = r["bounds"].get(rule)
    return (b["min"], b["max"]) if b and b["ok"] else None


def geo(xs):
    xs = [x for x in xs if x]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


def readings(r):
    """The three readings combined averages: accuracy's max_lr,
    loss-steepest's max_lr, the loss minimum's rate (loss-min10's max x 10)."""
    a, s, m = (picks(r, k) for k in ("accuracy", "loss-steepest", "loss-min10"))
    return (a[1] if a else None, s[1] if s else None, 10 * m[1] if m else None)


def scaled(max_div, min_div):
    def f(r):
        c = picks(r, "combined")
        return None if not c else (c[1] / max_div / min_div, c[1] / max_div)
    return f


def from_readings(weights, backoff, min_div):
    """max_lr = geometric mean of the readings given a weight (accuracy,
    steepest, minimum / backoff)."""
    def f(r):
        a, s, m = readings(r)
        vals = [v for v, w in zip((a, s, m / backoff if m else None), weights) if w and v]
        x = geo(vals)
        return None if x is None else (x / min_div, x)
    return f


CANDIDATES = [
    ("default (combined)", scaled(1, 10)),
    ("min = max/4", scaled(1, 4)),
    ("min = max/30", scaled(1, 30)),
    ("min = max/100", scaled(1, 100)),
    ("max/2, min = max/10", scaled(2, 10)),
    ("max/3, min = max/10", scaled(3, 10)),
    ("accuracy+steepest", from_readings((1, 1, 0), 3, 10)),
    ("minimum/10 alone", from_readings((0, 0, 1), 10, 10)),
]


def score(lrsweep, r, cands, cache, runs):
    _, text = R.problem_text(os.path.join(R.HERE, "problems", r["name"] + ".yaml"))
    bounds = {name: f(r) for name, f in cands}
    specs = [s for b in bounds.values() if b for s in (("triangular", b[0], b[1]), ("one_cycle", b[1], b[1]))]
    grid = R.run_trials(lrsweep, r["name"], text, [("constant", g, g) for g in R.GRID], cache)
    best = max(R.mean(v) for v in grid.values())
    res = R.run_trials(lrsweep, r["name"], text, specs, runs)
    out = {}
    for name, b in bounds.items():
        if b:
            out[name] = (res[("triangular", b[0], b[1])], res[("one_cycle", b[1], b[1])], b)
    return best, out


def report(rows):
    base = "default (combined)"
    print("\n%-22s %5s  %-15s %-15s  %-26s %-26s" % (
        "candidate", "n", "tri mean/worst", "1cyc mean/worst", "tri - default (SE s/p)", "1cyc - default (SE s/p)"))
    print("(regret minus the default's: negative = better; SE from the seeds / over problems)")
    for name, _ in CANDIDATES:
        sub = [(best, out) for best, out in rows.values() if name in out and base in out]
        if not sub:
            continue
        line = "%-22s %5d " % (name, len(sub))
        diffs = []
        for k in (0, 1):
            reg = [100 * (best - R.mean(out[name][k])) for best, out in sub]
            line += " %6.2f / %5.2f  " % (R.mean(reg), max(reg))
            # candidate's regret minus the default's, per seed (negative = better)
            per = [[100 * (b - a) for a, b in zip(out[name][k], out[base][k])] for _, out in sub]
            d = [R.mean(p) for p in per]
            m = R.mean(d)
            se_s = sum(sum((x - R.mean(p)) ** 2 for x in p) / (len(p) - 1) / len(p) for p in per) ** 0.5 / len(d)
            se_p = (sum((x - m) ** 2 for x in d) / (len(d) - 1) / len(d)) ** 0.5
            diffs.append("%+6.2f (%.2f/%.2f)" % (m, se_s, se_p))
        print(line + " %-26s %-26s" % tuple(diffs))


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    lrsweep = os.path.abspath(args[0])
    opt = lambda k: args[args.index(k) + 1].split(",") if k in args else []
    rebuild, only = set(opt("--rebuild")), set(opt("--only"))
    version = R.sh([lrsweep, "--version"]).strip()
    cache = R.Cache(os.path.join(R.WORK, "cache.json"), version, False)
    conv = R.Cache(os.path.join(R.WORK, "cache.json"), version + " rebuilt", False)
    rows = {}
    for r in json.load(open(os.path.join(R.WORK, "last.json"))):
        if only and r["name"] not in only:
            continue
        conv.d = cache.d
        best, out = score(lrsweep, r, CANDIDATES, cache, conv if r["name"] in rebuild else cache)
        if not out:
            continue
        rows[r["name"]] = (best, out)
        print("%-34s %s" % (r["name"], " ".join(
            "%+.2f/%+.2f" % (100 * (best - R.mean(v[0])), 100 * (best - R.mean(v[1]))) for v in out.values())),
            flush=True)
    report(rows)
    with open(os.path.join(R.WORK, "candidates.json"), "w") as f:
        json.dump({n: [b, {k: list(v) for k, v in o.items()}] for n, (b, o) in rows.items()}, f)


if __name__ == "__main__":
    main()
