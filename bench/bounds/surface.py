#!/usr/bin/python3
"""surface.py - regret as a function of max_lr on the tuning problems.

For each problem of the last `run.py` run (results/bounds-bench/last.json)
that is not held out: triangular(max_lr / 10, max_lr) and one_cycle(max_lr)
on a quarter-decade grid of max_lr from a third of the lowest rule's max_lr
(or of the best constant rate, if lower) to three times the highest (or
the best constant rate), the same epochs and seeds as run.py (and its
trial cache). Prints each problem's regrets and writes them to
results/bounds-bench/surface.json: a rule's regret at any max_lr can then
be read (interpolated) without training, which is how a change to a rule is
looked at before the benchmark runs it. Held-out problems are never
measured here.

With --below RULE --scales S,S,... the max_lr measured are RULE's max_lr
(in last.json) divided by each S instead, and --optim TYPE,TYPE keeps only
the problems whose optimizer.type is one of those: how a correction of one
rule for one family of optimizers is looked at before it is made.

usage: bench/bounds/surface.py LRSWEEP [--only ID,ID] [--below RULE --scales S,S] [--optim T,T]
"""
import json
import math
import os
import re
import sys

import run as R


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    lrsweep = os.path.abspath(args[0])
    opt = lambda k: args[args.index(k) + 1] if k in args else None
    only = set(opt("--only").split(",")) if opt("--only") else None
    below = opt("--below")
    scales = [float(x) for x in opt("--scales").split(",")] if opt("--scales") else None
    optims = set(opt("--optim").split(",")) if opt("--optim") else None
    heldout = R.read_list("heldout.txt")
    rows = json.load(open(os.path.join(R.WORK, "last.json")))
    version = R.sh([lrsweep, "--version"]).strip()
    cache = R.Cache(os.path.join(R.WORK, "cache.json"), version, False)
    out_path = os.path.join(R.WORK, "surface-below-%s.json" % below if below else "surface.json")
    out = json.load(open(out_path)) if os.path.exists(out_path) else {}
    for r in rows:
        name = r["name"]
        if name in heldout or (only and name not in only):
            continue
        _, text = R.problem_text(os.path.join(R.HERE, "problems", name + ".yaml"))
        kind = re.search(r"optimizer:.*?type:\s*(\w+)", text, re.S).group(1)
        if optims and kind not in optims:
            continue
        maxes = [b["max"] for b in r["bounds"].values() if b["ok"]]
        if not maxes:                   # no rule picked: nothing to read
            continue
        if below:
            if not r["bounds"].get(below, {}).get("ok"):
                continue
            grid = [r["bounds"][below]["max"] / sc for sc in scales]
        else:
            lo = math.floor(4 * math.log10(min(maxes + [r["best_lr"]]) / 3))
            hi = math.ceil(4 * math.log10(max(maxes + [r["best_lr"]]) * 3))
            grid = [10 ** (k / 4) for k in range(lo, hi + 1)]
        specs = [s for m in grid for s in (("triangular", m / 10, m), ("one_cycle", m, m))]
        res = R.run_trials(lrsweep, name, text, specs, cache)
        out[name] = [(m, 100 * (r["best"] - R.mean(res[("triangular", m / 10, m)])),
                      100 * (r["best"] - R.mean(res[("one_cycle", m, m)]))) for m in grid]
        print(name, " ".join("%.3g:%+.2f/%+.2f" % t for t in out[name]), flush=True)
        with open(out_path, "w") as f:
            json.dump(out, f)


if __name__ == "__main__":
    main()
