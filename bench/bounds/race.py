#!/usr/bin/python3
"""race.py - what racing max_lr around the picked bounds buys.

A sweep can race a schedule at a few scales of the picked bound instead of
trusting it alone:

    schedules:
      - {type: one_cycle, max_lr: {grid: ["@max/3", "@max", "@max*3"]}}

For every problem of the last `run.py` run (results/bounds-bench/
last.json) that is not held out and where the default rule picked, this
runs the triangular run and one_cycle at the default rule's bounds
(min_lr and max_lr) times each of SCALES, the same epochs and
seeds as run.py (and its trial cache), and takes the race's winner: the
scale with the best mean final validation accuracy, as a user reading the
sweep's leaderboard would. Its regret is measured as run.py measures a
rule's. Prints, per schedule, the mean and worst regret and the number of
problems over 1 point, for the bound alone and for the race, and how often
a random set of 13 of these problems (a held-out set's size) meets the
targets (oracle.py's draws), and writes the table to --out if given.

usage: bench/bounds/race.py LRSWEEP [--out F.md] [--only ID,ID]
"""
import json
import os
import sys

import oracle as O
import run as R

SCALES = [1 / 3, 1, 3]


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    lrsweep = os.path.abspath(args[0])
    out_md = args[args.index("--out") + 1] if "--out" in args else None
    only = set(args[args.index("--only") + 1].split(",")) if "--only" in args else None
    heldout = R.read_list("heldout.txt")
    rows = json.load(open(os.path.join(R.WORK, "last.json")))
    version = R.sh([lrsweep, "--version"]).strip()
    cache = R.Cache(os.path.join(R.WORK, "cache.json"), version, False)
    alone, race = {}, {}
    for r in rows:
        name, b = r["name"], r["bounds"].get(r.get("chosen") or "combined", {})
        if name in heldout or (only and name not in only) or not b.get("ok") or "default" not in r["regret"]:
            continue
        _, text = R.problem_text(os.path.join(R.HERE, "problems", name + ".yaml"))
        tri = [("triangular", b["min"] * s, b["max"] * s) for s in SCALES]
        one = [("one_cycle", b["max"] * s, b["max"] * s) for s in SCALES]
        res = R.run_trials(lrsweep, name, text, tri + one, cache)
        won = [100 * (r["best"] - max(R.mean(res[x]) for x in specs)) for specs in (tri, one)]
        alone[name] = tuple(r["regret"]["default"])
        race[name] = tuple(won)
        print("%s alone %+.2f/%+.2f race %+.2f/%+.2f" % (name, *alone[name], *race[name]), flush=True)
    n = len(race)
    lines = ["# Racing max_lr around the default rule's bound (bench/bounds/race.py)", "",
             "On the %d seen problems where the default rule picked: the triangular run and" % n,
             "one_cycle at the picked max_lr alone, and the best of a race at max_lr x %s" % ", ".join(
                 "%.3g" % s for s in SCALES),
             "(the same epochs and seeds; the winner by mean final validation accuracy). Regret in points.", "",
             "| | triangular mean | worst | > 1 point | one_cycle mean | worst | > 1 point |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for label, per in (("the bound alone", alone), ("the race", race)):
        tri, one = [per[x][0] for x in per], [per[x][1] for x in per]
        lines.append("| %s | %.2f | %.2f | %d | %.2f | %.2f | %d |" % (
            label, R.mean(tri), max(tri), sum(t > 1 for t in tri), R.mean(one), max(one), sum(t > 1 for t in one)))
    lines += O.chance_table([("the bound alone", alone), ("the race", race)])
    O.emit(lines, out_md)


if __name__ == "__main__":
    main()
