#!/usr/bin/python3
"""shortrace.py - what a race of the picked scale, run before the trials,
would buy.

race.py measures racing max_lr x 1/3, 1, 3 inside the sweep: the winner is
read on the very runs whose regret is scored (the best of three noisy
means, an optimistic reading). This asks what the range test itself could
add: after the pick, train SCHED at max_lr x each of SCALES with one seed
of its own (RACE_SEED, not one of the benchmark's), for the trials' epochs
("full") or a quarter of them ("quarter", at least one), take the scale
whose final validation accuracy is best (ties to x1), and score that scale
with the benchmark's own runs (3 seeds, full length, race.py's trials). The
race is judged on one of triangular, one_cycle, or the sum of both.

For every problem of the last run.py run (results/bounds-bench/last.json)
that is not held out and where the default rule picked. Prints, per
variant, the mean and worst regret and the problems over 1 point for each
schedule, and how often a random set of 13 of these problems meets the
targets (oracle.py's draws); --out F.md writes the same.

usage: bench/bounds/shortrace.py LRSWEEP [--out F.md]
"""
import json
import os
import re
import sys

import oracle as O
import run as R

SCALES = [1 / 3, 1, 3]
RACE_SEED = 777


def with_epochs(text, epochs):
    """The problem's text with trials.epochs set to EPOCHS (its only epochs key)."""
    return re.sub(r"(\n\s*epochs:\s*)\d+", lambda m: m.group(1) + str(epochs), text, count=1)


def measure(lrsweep):
    heldout = R.read_list("heldout.txt")
    rows = json.load(open(os.path.join(R.WORK, "last.json")))
    version = R.sh([lrsweep, "--version"]).strip()
    cache = R.Cache(os.path.join(R.WORK, "cache.json"), version, False)
    seeds, out = R.SEEDS, {}
    for r in rows:
        name, b = r["name"], r["bounds"].get(r.get("chosen") or "combined", {})
        if name in heldout or not b.get("ok") or "default" not in r["regret"]:
            continue
        _, text = R.problem_text(os.path.join(R.HERE, "problems", name + ".yaml"))
        epochs = R.epochs_of(text)
        tri = [("triangular", b["min"] * s, b["max"] * s) for s in SCALES]
        one = [("one_cycle", b["max"] * s, b["max"] * s) for s in SCALES]
        R.SEEDS = seeds
        full = R.run_trials(lrsweep, name, text, tri + one, cache)
        races = {}
        R.SEEDS = [RACE_SEED]
        for length, h in (("full", epochs), ("quarter", max(1, round(epochs / 4)))):
            res = R.run_trials(lrsweep, name, with_epochs(text, h), tri + one, cache)
            races[length] = {"tri": [res[s][0] for s in tri], "one": [res[s][0] for s in one]}
        R.SEEDS = seeds
        out[name] = {"regret_tri": [100 * (r["best"] - R.mean(full[s])) for s in tri],
                     "regret_one": [100 * (r["best"] - R.mean(full[s])) for s in one],
                     "races": races, "default": r["regret"]["default"]}
        print(name, flush=True)
    return out


def winner(accs):
    """The index of the best accuracy; ties go to x1, then to the lower scale."""
    m = max(accs)
    return 1 if accs[1] == m else accs.index(m)


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    out_md = args[args.index("--out") + 1] if "--out" in args else None
    d = measure(os.path.abspath(args[0]))
    variants = [("the pick alone (the default rule)", lambda v: tuple(v["default"]))]
    for length in ("full", "quarter"):
        for on, label in (("one", "one_cycle"), ("tri", "triangular"), ("both", "both")):
            def f(v, length=length, on=on):
                r = v["races"][length]
                accs = r[on] if on != "both" else [a + b for a, b in zip(r["one"], r["tri"])]
                k = winner(accs)
                return v["regret_tri"][k], v["regret_one"][k]
            variants.append(("a race on %s, %s length, seed %d" % (label, length, RACE_SEED), f))
    variants.append(("race.py's reading: the best of the scored runs themselves",
                     lambda v: (min(v["regret_tri"]), min(v["regret_one"]))))
    lines = ["# A race of the picked scale before the trials (bench/bounds/shortrace.py)", "",
             "On the %d seen problems where the default rule picked: max_lr x %s raced with one seed" % (
                 len(d), ", ".join("%.3g" % s for s in SCALES)),
             "of its own (%d) for the trials' epochs or a quarter of them; the winner's regret read" % RACE_SEED,
             "on the benchmark's runs (3 seeds, full length). Regret in points.", "",
             "| | triangular mean | worst | > 1 point | one_cycle mean | worst | > 1 point |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    per_variant = []
    for label, f in variants:
        per = {n: f(v) for n, v in d.items()}
        tri, one = [p[0] for p in per.values()], [p[1] for p in per.values()]
        lines.append("| %s | %.2f | %.2f | %d | %.2f | %.2f | %d |" % (
            label, R.mean(tri), max(tri), sum(t > 1 for t in tri), R.mean(one), max(one), sum(t > 1 for t in one)))
        per_variant.append((label, per))
    lines += O.chance_table(per_variant)
    O.emit(lines, out_md)


if __name__ == "__main__":
    main()
