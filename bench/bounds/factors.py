#!/usr/bin/python3
"""factors.py - the default rule's regret with its max_lr divided by a
factor for Adam and AdamW only, on every problem of the last run.py run
that is not held out.

For each problem in results/bounds-bench/last.json whose optimizer is adam
or adamw and whose default rule (combined) picked: triangular(m/10, m) and
one_cycle(m) with m = combined's max_lr / K for each K, the same epochs,
seeds and trial cache as run.py. SGD problems keep their regret. Prints
each problem's regrets, then the mean and worst over all problems per K:
how a constant correction for adaptive optimizers was judged (and
dropped: docs/range-test.md). Held-out problems are never measured.

With --all the factor applies to every problem, whatever its optimizer
(K below 1 raises max_lr): how a constant correction for all was judged.

usage: bench/bounds/factors.py LRSWEEP [K,K,...] [--all]   (default 1,1.5,2,3,4)
"""
import json
import os
import re
import sys

import run as R


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    every = "--all" in sys.argv
    args = [a for a in sys.argv[1:] if a != "--all"]
    lrsweep = os.path.abspath(args[0])
    ks = [float(k) for k in (args[1] if len(args) > 1 else "1,1.5,2,3,4").split(",")]
    heldout = R.read_list("heldout.txt")
    cache = R.Cache(os.path.join(R.WORK, "cache.json"), R.sh([lrsweep, "--version"]).strip(), False)
    rows = {}
    for r in json.load(open(os.path.join(R.WORK, "last.json"))):
        name = r["name"]
        if name in heldout or "default" not in r["regret"] or not r["bounds"]["combined"]["ok"]:
            continue
        _, text = R.problem_text(os.path.join(R.HERE, "problems", name + ".yaml"))
        kind = re.search(r"optimizer:.*?type:\s*(\w+)", text, re.S).group(1)
        if kind == "sgd" and not every:
            rows[name] = {k: tuple(r["regret"]["default"]) for k in ks}
            continue
        x = r["bounds"]["combined"]["max"]
        specs = {k: (("triangular", (x / k) / 10, x / k), ("one_cycle", x / k, x / k)) for k in ks}
        res = R.run_trials(lrsweep, name, text, [s for k in ks for s in specs[k]], cache)
        rows[name] = {k: tuple(100 * (r["best"] - R.mean(res[s])) for s in specs[k]) for k in ks}
        print("%-32s %s" % (name, " ".join("K%g %+.2f/%+.2f" % ((k,) + rows[name][k]) for k in ks)), flush=True)
    for k in ks:
        tri = [rows[n][k][0] for n in rows]
        one = [rows[n][k][1] for n in rows]
        print("K=%-4g %d problems: triangular mean %.2f worst %.2f, one_cycle mean %.2f worst %.2f" % (
            k, len(rows), R.mean(tri), max(tri), R.mean(one), max(one)))


if __name__ == "__main__":
    main()
