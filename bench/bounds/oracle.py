#!/usr/bin/python3
"""oracle.py - what the benchmark's targets ask of any rule.

A rule gives one max_lr per problem (and min_lr = max_lr / 10 for the
triangular run). Its regret can be no lower than that of the best max_lr
for the problem: the *oracle*. This script reads the regret curves that
surface.py measured on the seen problems (results/bounds-bench/
surface.json: triangular and one_cycle at every quarter-decade max_lr from
a third of the lowest rule's max_lr, or of the best constant rate, to three
times the highest) and the rules' measured regrets (last.json, run.py),
and says:

  1. per problem, the oracle's regret: each schedule at its own best
     max_lr on the grid, and one max_lr for both (the one whose worse
     schedule is best), with the share of problems over 1 point, the worst
     target;
  2. the regret read off the curves at max_lr = the grid's best constant
     rate (and 1.5x it): what knowing it would be worth;
  3. the standard error of one problem's regret from the seeds alone;
  4. how often a set of 13 problems (a held-out set's size) drawn at
     random from them meets each target (mean <= 0.3, worst <= 1.0
     points), for the oracle and for each rule's measured regrets on the
     same problems (DRAWS draws, fixed seed).

The oracle is optimistic: the lowest of about ten noisy means sits below
the true lowest, so the real floor is, if anything, higher. Only problems
with a measured curve count (surface.py skips those where no rule picked).
A rule with no pick on a drawn problem is left out of that draw's mean and
worst, as run.py does.

usage: bench/bounds/oracle.py [--out F.md]
"""
import json
import math
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = os.path.join(os.path.dirname(os.path.dirname(HERE)), "results", "bounds-bench")
RULES = ["combined", "accuracy", "loss-steepest", "loss-valley", "loss-min10"]
SET_SIZE = 13
DRAWS = 20000


def read_curve(curve, lr, k):
    """Regret of schedule k (1 triangular, 2 one_cycle) at max_lr lr, or
    None off the measured span."""
    xs = [math.log10(c[0]) for c in curve]
    x = math.log10(lr)
    if x <= xs[0]:
        return curve[0][k] if xs[0] - x < 0.13 else None
    if x >= xs[-1]:
        return curve[-1][k] if x - xs[-1] < 0.13 else None
    for j in range(len(xs) - 1):
        if xs[j] <= x <= xs[j + 1]:
            t = (x - xs[j]) / (xs[j + 1] - xs[j])
            return curve[j][k] * (1 - t) + curve[j + 1][k] * t
    return None


def oracle(curve):
    """(triangular alone, one_cycle alone, (triangular, one_cycle) at one
    max_lr): the lowest regrets a rule picking on this grid could get."""
    tri = min(c[1] for c in curve)
    one = min(c[2] for c in curve)
    both = min(curve, key=lambda c: (max(c[1], c[2]), c[1] + c[2]))
    return tri, one, (both[1], both[2])


def seed_se(accs):
    """The standard error of a regret from 3 seeds' accuracies: the run's
    mean and the grid's best each with the seeds' variance, in points."""
    m = sum(accs) / len(accs)
    var = sum((100 * (a - m)) ** 2 for a in accs) / (len(accs) - 1)
    return (2 * var / len(accs)) ** 0.5


def chance(per, draws, rng):
    """The share of random SET_SIZE-problem sets whose mean and worst meet
    the targets: (mean <= 0.3, worst <= 1.0, both) for each schedule, and
    the share that meets all four."""
    names = sorted(per)
    hits = [[0, 0, 0], [0, 0, 0]]
    every = 0
    for _ in range(draws):
        pick = [per[n] for n in rng.sample(names, SET_SIZE) if per[n] is not None]
        met = 0
        for k in (0, 1):
            if not pick:
                continue
            m = sum(p[k] for p in pick) / len(pick)
            w = max(p[k] for p in pick)
            hits[k][0] += m <= 0.3
            hits[k][1] += w <= 1.0
            hits[k][2] += m <= 0.3 and w <= 1.0
            met += m <= 0.3 and w <= 1.0
        every += met == 2
    return [[h / draws for h in row] for row in hits], every / draws


def read_both(curve, lr):
    return read_curve(curve, lr, 1), read_curve(curve, lr, 2)


def chance_table(cands):
    """The lines of a table of chance() for each (label, per-problem
    regrets) in cands, with its heading (draws from a fixed seed)."""
    rng = random.Random(1)
    lines = ["", "The share of %d random sets of %d of these problems that meet each target" % (DRAWS, SET_SIZE),
             "(mean <= 0.3 / worst <= 1.0 / both), per schedule, and all four at once:", "",
             "| | triangular | one_cycle | all four |", "| --- | --- | --- | --- |"]
    for label, per in cands:
        c, every = chance(per, DRAWS, rng)
        lines.append("| %s | %s | %s | %.0f%% |" % (label, *("%.0f%% / %.0f%% / %.0f%%" % tuple(100 * v for v in c[k])
                                                          for k in (0, 1)), 100 * every))
    return lines


def emit(lines, out_md):
    """Prints the lines, and writes them to out_md when given."""
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if out_md:
        with open(out_md, "w") as f:
            f.write(text)


def main():
    args = sys.argv[1:]
    out_md = args[args.index("--out") + 1] if "--out" in args else None
    surface = json.load(open(os.path.join(WORK, "surface.json")))
    last = {r["name"]: r for r in json.load(open(os.path.join(WORK, "last.json")))}
    names = sorted(n for n in surface if n in last)
    rows = {n: oracle(surface[n]) for n in names}
    n = len(names)
    lines = ["# What the targets ask of any rule (bench/bounds/oracle.py)", "",
             "On the %d seen problems with a regret curve (surface.py). The oracle picks, per" % n,
             "problem, the best max_lr on a quarter-decade grid; `one max_lr` is one value for both",
             "schedules, as a rule gives. Regret in points.", "",
             "| | triangular mean | worst | > 1 point | one_cycle mean | worst | > 1 point |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    def row(label, tri, one):
        lines.append("| %s | %.2f | %.2f | %d (%.1f%%) | %.2f | %.2f | %d (%.1f%%) |" % (
            label, sum(tri) / len(tri), max(tri), sum(t > 1 for t in tri), 100 * sum(t > 1 for t in tri) / len(tri),
            sum(one) / len(one), max(one), sum(t > 1 for t in one), 100 * sum(t > 1 for t in one) / len(one)))
    row("oracle, each schedule its own max_lr", [rows[x][0] for x in names], [rows[x][1] for x in names])
    row("oracle, one max_lr", [rows[x][2][0] for x in names], [rows[x][2][1] for x in names])
    for f in (1, 1.5):
        read = [(read_both(surface[x], f * last[x]["best_lr"])) for x in names]
        read = [r for r in read if None not in r]
        row("max_lr = %gx the grid's best constant rate (read off the curves, %d)" % (f, len(read)),
            [r[0] for r in read], [r[1] for r in read])
    for rule in RULES:
        have = [x for x in names if rule in last[x]["regret"]]
        row("%s (measured, %d picked)" % (rule, len(have)), [last[x]["regret"][rule][0] for x in have],
            [last[x]["regret"][rule][1] for x in have])
    cands = [("oracle, one max_lr", {x: rows[x][2] for x in names})]
    cands += [(rule, {x: last[x]["regret"].get(rule) for x in names}) for rule in RULES]
    lines += chance_table(cands)
    se = sorted(seed_se(last[x]["seeds"]["default"][k]) for x in names if "default" in last[x]["seeds"]
                for k in (0, 1))
    lines += ["", "The seeds alone: the standard error of one problem's regret (the default's 3 seeds, the",
              "grid's best taken as noisy alike) is %.2f point at the median, %.2f at the 90th percentile," % (
                  se[len(se) // 2], se[int(0.9 * len(se))]),
              "%.2f at most: the worst of 13 problems is partly the noise." % se[-1]]
    worst = sorted(names, key=lambda x: -max(rows[x][2]))[:8]
    lines += ["", "The problems where even one best max_lr leaves more than 1 point (triangular, one_cycle):", ""]
    lines += ["- %s: %+.2f, %+.2f" % (x, *rows[x][2]) for x in worst if max(rows[x][2]) > 1]
    emit(lines, out_md)


if __name__ == "__main__":
    main()
