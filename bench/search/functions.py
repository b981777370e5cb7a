#!/usr/bin/python3
"""functions.py - lrsweep's TPE sampler against Optuna's on known functions.

Runs bench/search/functions (lrsweep's sampler, linked from the library; no
training) and Optuna's TPESampler with its defaults (seed = repeat) on the
same functions - a shifted 6-D quadratic on [-5, 5]^6 (minimum 0) and Branin
(minimum 0.397887) - with the same budget, and random search as a baseline,
then prints a Markdown table: mean, standard deviation, median, best and
worst of the best value found per search (lower is better).

usage: bench/search/functions.py FUNCTIONS_BIN [--trials N] [--repeats R]
"""
import csv
import io
import math
import statistics
import subprocess
import sys
import time

SHIFT = [1.0, -2.0, 0.5, 3.0, -1.5, 2.5]


def quadratic(x):
    return sum((a - s) ** 2 for a, s in zip(x, SHIFT))


def branin(x):
    a, b, c, r, s, t = 1, 5.1 / (4 * math.pi ** 2), 5 / math.pi, 6, 10, 1 / (8 * math.pi)
    return a * (x[1] - b * x[0] ** 2 + c * x[0] - r) ** 2 + s * (1 - t) * math.cos(x[0]) + s


PROBLEMS = {
    "quadratic6": (quadratic, [(-5, 5)] * 6),
    "branin": (branin, [(-5, 10), (0, 15)]),
}


def optuna_best(name, trials, seed):
    import optuna
    f, box = PROBLEMS[name]

    def objective(trial):
        return f([trial.suggest_float("x%d" % i, lo, hi) for i, (lo, hi) in enumerate(box)])

    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(objective, n_trials=trials)
    return study.best_value


def lrsweep_best(binary, trials, repeats, extra):
    out = subprocess.run([binary, "--trials", str(trials), "--repeats", str(repeats)] + extra,
                         capture_output=True, text=True, check=True).stdout
    best = {}
    for r in csv.DictReader(io.StringIO(out)):
        best.setdefault(r["function"], []).append(float(r["best"]))
    return best


def row(label, v):
    return "| %s | %.4g | %.4g | %.4g | %.4g | %.4g |" % (
        label, statistics.mean(v), statistics.stdev(v), statistics.median(v), min(v), max(v))


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    binary, trials, repeats = args[0], 100, 20
    for i, a in enumerate(args):
        if a == "--trials":
            trials = int(args[i + 1])
        if a == "--repeats":
            repeats = int(args[i + 1])
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    t0 = time.time()
    ours = lrsweep_best(binary, trials, repeats, [])
    t_ours = time.time() - t0
    ours4 = lrsweep_best(binary, trials, repeats, ["--batch", "4"])
    rand = lrsweep_best(binary, trials, repeats, ["--random"])
    t0 = time.time()
    theirs = {name: [optuna_best(name, trials, seed) for seed in range(repeats)] for name in PROBLEMS}
    t_theirs = time.time() - t0
    print("%d trials per search, %d searches (seeds 0..%d) per sampler; Optuna %s; "
          "lrsweep %.1f s, Optuna %.1f s for all of them\n" % (trials, repeats, repeats - 1, optuna.__version__,
                                                              t_ours, t_theirs))
    for name in PROBLEMS:
        print("%s: best value found (lower is better)\n" % name)
        print("| sampler | mean | sd | median | best | worst |")
        print("| --- | --- | --- | --- | --- | --- |")
        print(row("lrsweep tpe (batch 1)", ours[name]))
        print(row("lrsweep tpe (batch 4)", ours4[name]))
        print(row("Optuna TPESampler", theirs[name]))
        print(row("random", rand[name]))
        print()


if __name__ == "__main__":
    main()
