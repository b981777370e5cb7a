#!/usr/bin/python3
"""optuna_trials.py - lrsweep's TPE against Optuna's TPE on lrsweep trials
(make search-bench).

On problems of the bound benchmark, four searches of the same space with the
same budget - TRIALS trials of one seed each - REPEATS times, with the seed
1..REPEATS:

  random         lrsweep's random search (run.py's)
  tpe            lrsweep's TPE as run.py runs it: 10 at random, rounds of 4
  tpe-b1         lrsweep's TPE one proposal at a time, as Optuna's study runs
  Optuna TPE     an Optuna study (TPESampler(seed=SEED), its defaults; the
                 installed Optuna, 3.1 on Debian 12) whose objective is one
                 lrsweep trial

The space is run.py's (SCHEDULES, SPACE), asked of Optuna define-by-run as
lrsweep's TPE sees it: the schedule entry a category, each entry's own
parameters conditional on it, the space's keys shared. Each Optuna trial
writes an experiment file with the suggested values fixed - the problem's
data, model and optimizer, the experiment seed SEED (so the same validation
split as lrsweep's search of that repeat), trial seed 1, run.py's fixed
bounds (no range test) - runs `lrsweep run` on it and reads the trial back
with `lrsweep query ... sql`. The objective is what lrsweep's TPE ranks a
trial by: a completed trial's best validation accuracy; a diverged trial
scores 0, below every completed one, as lrsweep ranks it. A search's score
is the best best_val_accuracy of its completed trials, as run.py scores it.

Before any of that is trusted, every lrsweep TPE search's best trial is run
again through the Optuna objective's path: its trial key and accuracy must
come back bitwise the same (the two sides train the same function), or the
script stops with exit status 1.

Writes the section "TPE against Optuna's TPE on lrsweep trials" of
results/search-bench.md (replacing that section, keeping the rest), the
per-repeat scores to results/search-bench/optuna-trials.csv, and prints the
table.

usage: bench/search/optuna_trials.py LRSWEEP [--trials N] [--repeats R] [--only ID,ID] [--out F.md]
"""
import csv
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402  (the space, the experiment files, lrsweep's searches)

# the cheap problems of run.py's (1-30 s per 200 trials)
PROBLEMS = ["07-xor-deep-adamw", "08-tab-mixed20-adamw", "11-breast-cancer-adam", "13-digits-nesterov"]
HEADING = "# TPE against Optuna's TPE on lrsweep trials"
STRATEGIES = ("random", "tpe", "tpe-b1")


def suggest_one(trial, name, dist):
    """Optuna's suggestion for one of run.py's distributions."""
    kind, low, high = dist
    if kind == "log_uniform":
        return trial.suggest_float(name, low, high, log=True)
    if kind == "uniform":
        return trial.suggest_float(name, low, high)
    if kind == "int_uniform":
        return trial.suggest_int(name, low, high)
    raise ValueError("no Optuna suggestion for %s" % kind)


def suggest(trial):
    """A point of run.py's space: (schedule entry, its parameters, the space's keys)."""
    entries = dict(run.SCHEDULES)
    names = [name for name, _ in run.SCHEDULES]
    entry = trial.suggest_categorical("schedule", names) if len(names) > 1 else names[0]
    params = {k: suggest_one(trial, entry + "." + k, d) for k, d in entries[entry].items()}
    space = {k: suggest_one(trial, k, d) for k, d in run.SPACE.items()}
    return entry, params, space


class Objective:
    """One Optuna search on `problem` with seed `seed`: each call of train()
    is one lrsweep trial, a new experiment in the search's database."""

    def __init__(self, lrsweep, problem, seed, label="optuna"):
        self.lrsweep, self.problem, self.seed, self.n = lrsweep, problem, seed, 0
        self.stem = run.search_path(problem, label, seed)
        for ext in (".db", ".db-wal", ".db-shm"):
            if os.path.exists(self.stem + ext):
                os.remove(self.stem + ext)

    def train(self, entry, params, space):
        """Runs one trial with these values fixed; returns its trials row
        (status, best_val_accuracy, trial_key)."""
        self.n += 1
        name = "so-%s-%d-%d" % (self.problem, self.seed, self.n)
        with open(self.stem + ".yaml", "w") as f:
            f.write(run.problem_yaml(self.problem, name, self.seed) + run.trials_yaml([(entry, params)], space))
        db = self.stem + ".db"
        run.sh([self.lrsweep, "run", self.stem + ".yaml", "--db", db, "--threads", "1", "-q"])
        rows = json.loads(run.sh([self.lrsweep, "query", db, "sql",
                                  "SELECT status, best_val_accuracy, trial_key FROM trials WHERE experiment_id = "
                                  "(SELECT max(id) FROM experiments)", "--format", "json"]))
        if len(rows) != 1:
            raise RuntimeError("%s: experiment %s has %d trials, not 1" % (db, name, len(rows)))
        return rows[0]

    def __call__(self, trial):
        row = self.train(*suggest(trial))
        trial.set_user_attr("status", row["status"])
        if row["status"] == "completed":
            return row["best_val_accuracy"]
        if row["status"] == "diverged":
            return 0.0
        raise RuntimeError("%s: trial %d %s" % (self.stem, self.n, row["status"]))


def optuna_best(lrsweep, problem, seed, trials):
    """Optuna's search: (best best_val_accuracy of its completed trials, completed trials)."""
    import optuna
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(Objective(lrsweep, problem, seed), n_trials=trials)
    done = [t.value for t in study.trials if t.user_attrs.get("status") == "completed"]
    return (max(done) if done else None), len(done)


def dotted(mapping, key):
    """mapping["a"]["b"] for key "a.b"."""
    for part in key.split("."):
        mapping = mapping[part]
    return mapping


def replay_best(lrsweep, problem, strategy, seed):
    """Runs the best trial of lrsweep's search again through the Optuna
    objective's path; returns None if its key and accuracy come back the
    same, else what differs."""
    db = run.search_path(problem, strategy, seed) + ".db"
    best = json.loads(run.sh([lrsweep, "query", db, "sql",
                              "SELECT schedule, params, hyper, trial_key, best_val_accuracy FROM trials "
                              "WHERE status = 'completed' ORDER BY best_val_accuracy DESC, id LIMIT 1",
                              "--format", "json"]))[0]
    params, hyper = json.loads(best["params"]), json.loads(best["hyper"])
    entry = best["schedule"]
    fixed = {k: params[k] for k in dict(run.SCHEDULES)[entry]}
    space = {k: dotted(hyper, k) for k in run.SPACE}
    row = Objective(lrsweep, problem, seed, strategy + "-replay").train(entry, fixed, space)
    if row["trial_key"] == best["trial_key"] and row["best_val_accuracy"] == best["best_val_accuracy"]:
        return None
    return "%s %s: key %s accuracy %r, replayed key %s accuracy %r" % (
        db, entry, best["trial_key"], best["best_val_accuracy"], row["trial_key"], row["best_val_accuracy"])


def mean_sd(v):
    return "%.2f ± %.2f" % (statistics.mean(v), run.sd(v))


def verdict(ours, theirs):
    """Whether lrsweep's mean is the same as Optuna's, higher, within Optuna's
    spread over the repeats (its mean minus its sd), or below that. Accuracies
    are counts over the validation set, so means and sds can be equal exactly:
    1e-9 points of rounding count as equal."""
    m, o, eps = statistics.mean(ours), statistics.mean(theirs), 1e-9
    if abs(m - o) <= eps:
        return "same"
    return "better" if m > o else ("within sd" if m >= o - run.sd(theirs) - eps else "**below sd**")


def compare(lrsweep, problem, repeats, trials):
    """Every search of one problem; returns (table row, per-repeat rows, tpe's verdict)."""
    t0 = time.time()
    res = {s: [run.best_found(lrsweep, problem, s, seed, trials) for seed in range(1, repeats + 1)]
           for s in STRATEGIES}
    for s in ("tpe", "tpe-b1"):
        for seed in range(1, repeats + 1):
            diff = replay_best(lrsweep, problem, s, seed)
            if diff:
                sys.exit("optuna_trials.py: the Optuna objective does not train lrsweep's trial: " + diff)
    t_ours = time.time() - t0
    t0 = time.time()
    res["optuna"] = [optuna_best(lrsweep, problem, seed, trials) for seed in range(1, repeats + 1)]
    t_theirs = time.time() - t0
    pct = {s: [100 * b for b, _ in v] for s, v in res.items()}
    t, o = pct["tpe"], pct["optuna"]
    row = "| %s | %s | %s | %s | %s | %+.2f | %s / %s | %d / %d | %s | %.0f / %.0f s |" % (
        problem, mean_sd(pct["random"]), mean_sd(t), mean_sd(pct["tpe-b1"]), mean_sd(o),
        statistics.mean(t) - statistics.mean(o), verdict(t, o), verdict(pct["tpe-b1"], o),
        sum(a > b for a, b in zip(t, o)), sum(a < b for a, b in zip(t, o)),
        " / ".join(str(sum(n for _, n in res[s])) for s in STRATEGIES + ("optuna",)), t_ours, t_theirs)
    per_repeat = [[problem, seed] + [pct[s][seed - 1] for s in STRATEGIES + ("optuna",)]
                  for seed in range(1, repeats + 1)]
    return row, per_repeat, verdict(t, o)


def write_section(path, section):
    """Replaces the section under HEADING in `path` (to the next top-level
    heading or the end) with `section`, or appends it."""
    text = open(path).read() if os.path.exists(path) else ""
    lines = text.split("\n")
    if HEADING in lines:
        a = lines.index(HEADING)
        b = next((i for i in range(a + 1, len(lines)) if lines[i].startswith("# ")), len(lines))
        lines = lines[:a] + lines[b:]
    text = "\n".join(lines).rstrip("\n")
    with open(path, "w") as f:
        f.write((text + "\n\n" if text else "") + section)


def main():
    lrsweep, trials, repeats, only, out = run.setup(__doc__)
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    version = run.sh([lrsweep, "--version"]).strip()
    rows, per_repeat, verdicts = [], [], []
    t_all = time.time()
    for problem in only or PROBLEMS:
        row, reps, v = compare(lrsweep, problem, repeats, trials)
        rows.append(row)
        per_repeat += reps
        verdicts.append(v)
        print(row, flush=True)
    with open(os.path.join(run.WORK, "optuna-trials.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["problem", "seed"] + list(STRATEGIES) + ["optuna"])
        w.writerows(per_repeat)
    section = [HEADING, "",
               "`make search-bench` (bench/search/optuna_trials.py) with %s and Optuna %s, %.0f s on this "
               "machine." % (version, optuna.__version__, time.time() - t_all),
               "Each search: %d trials (one seed each) of the same space, repeated %d times with seeds 1..%d;"
               % (trials, repeats, repeats),
               "Optuna's objective is one lrsweep trial with the suggested values; the score is the best",
               "validation accuracy found (%), mean ± sd over the repeats. tpe: lrsweep's TPE in rounds of 4;",
               "tpe b1: one proposal at a time, as Optuna's study. Bar: lrsweep's mean at least Optuna's mean",
               "minus Optuna's sd.", "",
               "| problem | random | lrsweep tpe | lrsweep tpe b1 | Optuna TPE | tpe - Optuna "
               "| bar (tpe / tpe b1) | repeats tpe better / worse than Optuna "
               "| completed trials (random / tpe / tpe b1 / Optuna) | time (lrsweep's three searches and replays / Optuna) |",
               "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"] + rows + [
               "", "lrsweep's TPE (rounds of 4) against Optuna's mean: %s of %d problems."
               % (", ".join("%s on %d" % (v.strip("*"), verdicts.count(v))
                            for v in ("better", "same", "within sd", "**below sd**")), len(rows))]
    write_section(out, "\n".join(section) + "\n")
    print(section[-1])
    print("wrote %s" % out)


if __name__ == "__main__":
    main()
