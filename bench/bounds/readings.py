#!/usr/bin/python3
"""readings.py - how far each reading of the range test lies from the best
constant rate, on every problem of the last run.py run.

For each problem of results/bounds-bench/last.json, from its linear range
test (results/bounds-bench/work/NAME-range.db; the loss rules' span skips
the first tenth of the test): the rate of the smoothed loss's minimum; the
first rate where the smoothed loss has made 95%, 90%, 80% and 50% of its
fall from the span's start to that minimum (the flat region's low end,
`flat0.05` .. `flat0.5`); where the accuracy peaks and where it first comes
within a point of its peak; the test's end; and the default rule's max_lr.
The target is the geometric mean of the grid's rates within half a point of
its best mean accuracy. Prints, per reading, the mean and the standard
deviation over problems of log10(reading / target) (a constant factor is
free; the deviation is what no constant can correct), then the best
geometric means of two or three readings. Trains nothing.

usage: bench/bounds/readings.py
"""
import itertools
import json
import math
import os
import sqlite3
import statistics as st

import run as R

L = math.log10


def curve(name):
    db = sqlite3.connect(os.path.join(R.WORK, "work", name + "-range.db"))
    tests = db.execute("SELECT id, end_lr FROM range_tests WHERE mode = 'linear' ORDER BY id").fetchall()
    if not tests:
        return None, None
    pts = db.execute("SELECT lr, smoothed_loss, accuracy FROM range_points WHERE range_test_id = ? "
                     "ORDER BY iteration", (tests[0][0],)).fetchall()
    return [p for p in pts if p[1] is not None and math.isfinite(p[1])], tests[0][1]


def read(r):
    pts, end = curve(r["name"])
    if not pts:
        return None
    lr, sm = [p[0] for p in pts], [p[1] for p in pts]
    skip = len(pts) // 10
    i0 = min(range(skip, len(pts)), key=lambda i: sm[i])
    rd = {"min": lr[i0], "end": end}
    for x in (0.05, 0.1, 0.2, 0.5):
        level = sm[i0] + x * (sm[skip] - sm[i0])
        rd["flat%g" % x] = next(lr[i] for i in range(skip, i0 + 1) if sm[i] <= level)
    acc = [(p[0], p[2]) for p in pts if p[2] is not None]
    if acc:
        top = max(a for _, a in acc)
        rd["accpeak"] = next(l for l, a in acc if a == top)
        rd["acc99"] = next(l for l, a in acc if a >= top - 0.01)
    grid = {float(k): v for k, v in r["grid"].items()}
    near = [k for k, v in grid.items() if v >= max(grid.values()) - 0.005]
    rd["target"] = 10 ** st.mean(L(k) for k in near)
    if r["bounds"]["combined"]["ok"]:
        rd["combined"] = r["bounds"]["combined"]["max"]
    return rd


def main():
    rows = [rd for rd in map(read, json.load(open(os.path.join(R.WORK, "last.json")))) if rd]
    keys = ["combined", "min", "end", "flat0.05", "flat0.1", "flat0.2", "flat0.5", "accpeak", "acc99"]
    res = []
    for n in (1, 2, 3):
        for ks in itertools.combinations(keys, n):
            e = [st.mean(L(v[k]) for k in ks) - L(v["target"]) for v in rows if all(v.get(k) for k in ks)]
            res.append((st.pstdev(e), ks, st.mean(e), max(abs(x - st.mean(e)) for x in e), len(e)))
    print("%-30s %4s %8s %6s %8s" % ("reading (log10 of it / target)", "n", "mean", "sd", "max |dev|"))
    for sd, ks, m, worst, n in res[:len(keys)]:
        print("%-30s %4d %8.2f %6.2f %8.2f" % (ks[0], n, m, sd, worst))
    print("best geometric means of two or three readings:")
    for sd, ks, m, worst, n in sorted(res[len(keys):])[:5]:
        print("%-30s %4d %8.2f %6.2f %8.2f" % ("+".join(ks), n, m, sd, worst))


if __name__ == "__main__":
    main()
