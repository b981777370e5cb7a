#!/usr/bin/python3
"""variant.py - a change to the range test's settings, read without training.

Runs `lrsweep range-test` on every seen problem that has a regret curve
(results/bounds-bench/surface.json, from surface.py) with YAML appended to
its experiment file (e.g. `range_test: {repeats: 3}`), takes the default
rule's max_lr, and reads the triangular and one_cycle regret there off the
problem's curve (linear in log10 max_lr between the measured quarter
decades; the nearest end within an eighth of a decade outside them). It
prints the mean, worst and paired difference (with its standard error over
problems) against the picks of the last run.py run, read the same way, and
the root mean square of log10(new max_lr / old). Held-out problems have no
curve and are never run. Only the range tests run (seconds per problem).

usage: bench/bounds/variant.py LRSWEEP 'YAML' [--only ID,ID]
  e.g. bench/bounds/variant.py bin/lrsweep 'range_test: {repeats: 3}'
"""
import json
import math
import os
import sys

import oracle as O
import run as R


def se(d):
    m = R.mean(d)
    return (sum((x - m) ** 2 for x in d) / (len(d) - 1) / len(d)) ** 0.5 if len(d) > 1 else float("nan")


def new_max(lrsweep, name, text):
    path, db = R.fresh_files(name + "-variant", text)
    R.sh([lrsweep, "range-test", path, "--db", db, "-q"])
    out = json.loads(R.sh([lrsweep, "query", db, "range-test", "--format", "json"]))
    return next((b["max_lr"] for b in out["bounds"] if b["chosen"]), None)


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    lrsweep, extra = os.path.abspath(args[0]), args[1]
    only = set(args[args.index("--only") + 1].split(",")) if "--only" in args else None
    surface = json.load(open(os.path.join(R.WORK, "surface.json")))
    last = {r["name"]: r for r in json.load(open(os.path.join(R.WORK, "last.json")))}
    heldout = R.read_list("heldout.txt")
    old, new, moved = [], [], []
    for name in sorted(surface, key=lambda n: R.problem_order(n + ".yaml")):
        b = last.get(name, {}).get("bounds", {}).get("combined", {})
        if name in heldout or (only and name not in only) or not b.get("ok"):
            continue
        _, text = R.problem_text(os.path.join(R.HERE, "problems", name + ".yaml"))
        m = new_max(lrsweep, name, text.rstrip("\n") + "\n" + extra + "\n")
        if m is None:
            print("%s: no pick" % name, flush=True)
            continue
        a = [O.read_curve(surface[name], b["max"], k) for k in (1, 2)]
        c = [O.read_curve(surface[name], m, k) for k in (1, 2)]
        if None in a or None in c:
            print("%s: max_lr %.4g off the curve" % (name, m), flush=True)
            continue
        old.append(a)
        new.append(c)
        moved.append(math.log10(m / b["max"]))
        print("%s: max_lr %.4g -> %.4g, %+.2f/%+.2f -> %+.2f/%+.2f" % (name, b["max"], m, *a, *c), flush=True)
    n = len(old)
    if not n:
        sys.exit("no problem read")
    for k, sched in ((0, "triangular"), (1, "one_cycle")):
        o, w = [x[k] for x in old], [x[k] for x in new]
        d = [y - x for x, y in zip(o, w)]
        print("%s on %d problems: mean %.2f -> %.2f, worst %.2f -> %.2f, difference %+.2f (SE %.2f)" % (
            sched, n, R.mean(o), R.mean(w), max(o), max(w), R.mean(d), se(d)))
    print("max_lr moved %.3f decade (root mean square)" % (sum(x * x for x in moved) / n) ** 0.5)


if __name__ == "__main__":
    main()
