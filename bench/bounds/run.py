#!/usr/bin/python3
"""run.py - the bound-quality benchmark (make bounds-bench).

For every problem in bench/bounds/problems/ (an experiment file without its
range_test: section, so the pipeline's defaults apply):

  1. ground truth: constant rates on a half-decade grid over 6 decades
     (1e-5 .. 10), 3 seeds; the grid's best is the rate with the best mean
     final validation accuracy;
  2. `lrsweep range-test` with the defaults, which stores every rule's bounds
     (and marks the default rule's as chosen);
  3. for every rule that picked: a triangular run between its bounds
     (step_size = a quarter of the epochs, fractional if need be: two whole
     cycles, ending at min_lr) and one_cycle
     with max_lr = its max_lr, the same epochs and seeds.

A rule's regret on a problem is the grid's best mean final validation
accuracy minus the mean final validation accuracy of its run (in points;
negative when the schedule beats every constant rate). A trial that diverged
counts at chance accuracy (1/classes). Problems named in heldout.txt are
reported apart from the others, and so are those of heldout-first.txt,
heldout-second.txt, heldout-third.txt, heldout-fourth.txt,
heldout-fifth.txt, heldout-sixth.txt, heldout-seventh.txt,
heldout-eighth.txt, heldout-ninth.txt, heldout-tenth.txt,
heldout-eleventh.txt, heldout-twelfth.txt, heldout-thirteenth.txt,
heldout-fourteenth.txt, heldout-fifteenth.txt and heldout-sixteenth.txt
(the earlier held-out sets: seen since, tuning problems now). Problems run in the order of their numbers.

Trial results are cached in results/bounds-bench/cache.json by (problem,
schedule, seed, lrsweep --version): changing a rule re-runs the range tests
and only the trials whose bounds moved. --fresh empties the cache (do so
after changing the training engine).

usage: bench/bounds/run.py LRSWEEP [--fresh] [--tuning] [--only ID,ID] [--out F.md]

--tuning leaves the held-out problems out (while a rule is being changed:
they must not be looked at then).
"""
import hashlib
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
WORK = os.path.join(TOP, "results", "bounds-bench")
GRID = [10 ** (k / 2) for k in range(-10, 3)]          # 1e-5 .. 10, 13 rates
SEEDS = [1, 2, 3]
RULES = ["combined", "accuracy", "loss-steepest", "loss-valley", "loss-min10"]


def sh(args, **kw):
    r = subprocess.run(args, capture_output=True, text=True, **kw)
    if r.returncode not in (0,):
        raise RuntimeError("%s: exit %d\n%s" % (" ".join(args), r.returncode, r.stderr[-2000:]))
    return r.stdout


def problem_text(path):
    with open(path) as f:
        text = f.read()
    name = os.path.basename(path)[:-5]
    data = os.path.join(WORK, "data")
    return name, "name: bb-%s\nseed: 42\n" % name + text.replace("{data}", data)


def epochs_of(text):
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("epochs:"):
            return int(s.split(":")[1])
    raise RuntimeError("no trials.epochs")


def step_epochs(epochs):
    """A triangular run's step size: a quarter of the epochs (fractional when
    they are not a multiple of 4), so that the run is two whole cycles and
    ends at min_lr, as the CLR paper stops training."""
    return "%d" % (epochs // 4) if epochs % 4 == 0 else "%.17g" % (epochs / 4)


def sched_yaml(spec, epochs):
    kind, a, b = spec
    if kind == "constant":
        return "{type: constant, lr: %.17g}" % a
    if kind == "triangular":
        return "{type: triangular, base_lr: %.17g, max_lr: %.17g, step_size: \"%s epochs\"}" % (
            a, b, step_epochs(epochs))
    return "{type: one_cycle, max_lr: %.17g}" % b


def spec_matches(spec, schedule, params):
    kind, a, b = spec
    close = lambda x, y: abs(x - y) <= 1e-9 * abs(y)
    if schedule != kind:
        return False
    if kind == "constant":
        return close(params["lr"], a)
    if kind == "triangular":
        return close(params["base_lr"], a) and close(params["max_lr"], b)
    return close(params["max_lr"], b)


class Cache:
    def __init__(self, path, tag, fresh):
        self.path, self.tag = path, tag
        self.ran = self.hit = 0
        self.d = {}
        if os.path.exists(path) and not fresh:
            with open(path) as f:
                self.d = json.load(f)

    def key(self, text, spec, seed):
        # The data directory's path is left out, so that a cache copied from
        # another checkout still answers.
        text = text.replace(os.path.join(WORK, "data"), "{data}")
        s = "%s|%s|%s|%d|%s" % (self.tag, text, spec[0], seed, "%.17g,%.17g" % (spec[1], spec[2]))
        # Triangular runs once had a whole number of epochs per step (ending
        # mid-cycle when the epochs are not a multiple of 4): those keys
        # named no step, and only the runs whose step changed get a new one.
        epochs = epochs_of(text)
        if spec[0] == "triangular" and epochs % 4:
            s += "|step %s epochs" % step_epochs(epochs)
        return hashlib.sha256(s.encode()).hexdigest()

    def save(self):
        with open(self.path + ".tmp", "w") as f:
            json.dump(self.d, f)
        os.replace(self.path + ".tmp", self.path)


def fresh_files(stem, text):
    """Writes WORK/work/STEM.yaml and removes any database STEM.db left
    from an earlier run: returns both paths."""
    path = os.path.join(WORK, "work", stem + ".yaml")
    db = os.path.join(WORK, "work", stem + ".db")
    with open(path, "w") as f:
        f.write(text)
    for ext in ("", "-wal", "-shm"):
        if os.path.exists(db + ext):
            os.remove(db + ext)
    return path, db


def run_trials(lrsweep, name, text, specs, cache):
    """Runs every (spec, seed) not in the cache as one `lrsweep run`."""
    epochs = epochs_of(text)
    todo = [s for s in specs if any(cache.key(text, s, z) not in cache.d for z in SEEDS)]
    todo = list(dict.fromkeys(todo))
    cache.ran += len(todo) * len(SEEDS)
    cache.hit += (len(set(specs)) - len(todo)) * len(SEEDS)
    if todo:
        exp = text.rstrip("\n") + "\n  seeds: %s\n  schedules:\n" % json.dumps(SEEDS)
        exp += "".join("    - %s\n" % sched_yaml(s, epochs) for s in todo)
        path, db = fresh_files(name + "-trials", exp)
        sh([lrsweep, "run", path, "--db", db, "--min-lr", "1e-9", "--max-lr", "1e9", "-q"])
        rows = json.loads(sh([lrsweep, "query", db, "sql",
                              "SELECT t.schedule, t.params, t.seed, t.status, t.final_val_accuracy, e.classes "
                              "FROM trials t JOIN experiments e ON e.id = t.experiment_id",
                              "--format", "json"]))
        for r in rows:
            params = json.loads(r["params"])
            acc = r["final_val_accuracy"]
            if r["status"] != "completed" or acc is None:
                acc = 1.0 / r["classes"]
            for s in todo:
                if spec_matches(s, r["schedule"], params):
                    cache.d[cache.key(text, s, r["seed"])] = acc
        cache.save()
    return {s: [cache.d[cache.key(text, s, z)] for z in SEEDS] for s in specs}


def mean(xs):
    return sum(xs) / len(xs)


def range_bounds(lrsweep, name, text):
    path, db = fresh_files(name + "-range", text)
    t0 = time.time()
    sh([lrsweep, "range-test", path, "--db", db, "-q"])
    secs = time.time() - t0
    out = json.loads(sh([lrsweep, "query", db, "range-test", "--format", "json"]))
    bounds = {}
    for b in out["bounds"]:
        ok = b["min_lr"] is not None and b["max_lr"] is not None
        bounds[b["rule"]] = {"min": b["min_lr"], "max": b["max_lr"], "chosen": b["chosen"],
                             "note": b.get("note") or "", "ok": ok}
    return bounds, secs


def problem_order(fn):
    """Sorts problem files by their number (99 before 100), then name."""
    head = fn.split("-", 1)[0]
    return (int(head) if head.isdigit() else 0, fn)


def read_list(fn):
    with open(os.path.join(HERE, fn)) as f:
        return {l.strip() for l in f if l.strip() and not l.startswith("#")}


# The earlier held-out sets, each a group of tuning problems reported apart.
SEEN = [("first", "heldout-first.txt", "formerly held out"),
        ("second", "heldout-second.txt", "formerly held out, second set"),
        ("third", "heldout-third.txt", "formerly held out, third set"),
        ("fourth", "heldout-fourth.txt", "formerly held out, fourth set"),
        ("fifth", "heldout-fifth.txt", "formerly held out, fifth set"),
        ("sixth", "heldout-sixth.txt", "formerly held out, sixth set"),
        ("seventh", "heldout-seventh.txt", "formerly held out, seventh set"),
        ("eighth", "heldout-eighth.txt", "formerly held out, eighth set"),
        ("ninth", "heldout-ninth.txt", "formerly held out, ninth set"),
        ("tenth", "heldout-tenth.txt", "formerly held out, tenth set"),
        ("eleventh", "heldout-eleventh.txt", "formerly held out, eleventh set"),
        ("twelfth", "heldout-twelfth.txt", "formerly held out, twelfth set"),
        ("thirteenth", "heldout-thirteenth.txt", "formerly held out, thirteenth set"),
        ("fourteenth", "heldout-fourteenth.txt", "formerly held out, fourteenth set"),
        ("fifteenth", "heldout-fifteenth.txt", "formerly held out, fifteenth set"),
        ("sixteenth", "heldout-sixteenth.txt", "formerly held out, sixteenth set")]


def group_of(name, heldout, seen):
    if name in heldout:
        return "heldout"
    return next((g for g, _, _ in SEEN if name in seen[g]), "tuning")


def fmt(x):
    return "-" if x is None else "%+.2f" % x


def summary(rows, rules, title):
    out = ["### %s (%d problems)" % (title, len(rows)), "",
           "| rule | picked | triangular mean | triangular worst | one_cycle mean | one_cycle worst |",
           "| --- | --- | --- | --- | --- | --- |"]
    for rule in rules:
        tri = [r["regret"][rule][0] for r in rows if rule in r["regret"]]
        one = [r["regret"][rule][1] for r in rows if rule in r["regret"]]
        if not tri:
            out.append("| %s | 0/%d | - | - | - | - |" % (rule, len(rows)))
            continue
        out.append("| %s | %d/%d | %.2f | %.2f | %.2f | %.2f |" % (
            rule, len(tri), len(rows), sum(tri) / len(tri), max(tri), sum(one) / len(one), max(one)))
    return out + [""]


def differences(rows, title):
    """The default's mean regret minus each fastai rule's, on the problems
    where both picked, with two standard errors: over problems (the spread of
    the per-problem differences / sqrt(problems): what another set of
    problems might show) and from the seeds alone (each problem's difference
    is a mean over the same seeds of paired runs)."""
    out = ["Default minus each fastai rule, %s: mean regret difference in points (negative = the" % title,
           "default better), standard error over problems / from the seeds alone:", "",
           "| rule | problems | triangular | one_cycle |", "| --- | --- | --- | --- |"]
    for rule in ("loss-steepest", "loss-valley", "loss-min10"):
        both = [r for r in rows if "default" in r["seeds"] and rule in r["seeds"]]
        cells = []
        for k in (0, 1):
            per = [[100 * (b - a) for a, b in zip(r["seeds"]["default"][k], r["seeds"][rule][k])] for r in both]
            if len(per) < 2:
                cells.append("-")
                continue
            d = [mean(p) for p in per]
            m = mean(d)
            se_p = (sum((x - m) ** 2 for x in d) / (len(d) - 1) / len(d)) ** 0.5
            var_s = [sum((x - mean(p)) ** 2 for x in p) / (len(p) - 1) / len(p) for p in per]
            se_s = sum(var_s) ** 0.5 / len(d)
            cells.append("%+.2f (SE %.2f / %.2f)" % (m, se_p, se_s))
        out.append("| %s | %d | %s | %s |" % (rule, len(both), cells[0], cells[1]))
    return out + [""]


def targets(rows):
    """The issue's targets for the default rule, checked on the held-out
    problems: mean regret <= 0.3 and worst <= 1.0 points for triangular and
    one_cycle, and a lower mean regret than each fastai rule on the problems
    where both picked. Each line says met or NOT met."""
    out = ["### The targets, on the held-out problems", ""]
    for k, sched in ((0, "triangular"), (1, "one_cycle")):
        reg = [r["regret"]["default"][k] for r in rows if "default" in r["regret"]]
        if not reg:
            out.append("- %s: the default rule picked on none of them: NOT met" % sched)
            continue
        m, w = mean(reg), max(reg)
        out.append("- %s: mean %.2f <= 0.3: %s; worst %.2f <= 1.0: %s (%d of %d picked)" % (
            sched, m, "met" if m <= 0.3 else "NOT met", w, "met" if w <= 1.0 else "NOT met", len(reg), len(rows)))
        for rule in ("loss-steepest", "loss-valley", "loss-min10"):
            both = [r for r in rows if "default" in r["regret"] and rule in r["regret"]]
            if not both:
                continue
            d, f = mean([r["regret"]["default"][k] for r in both]), mean([r["regret"][rule][k] for r in both])
            out.append("  - lower than %s's mean (%.2f against %.2f on %d problems): %s" % (
                rule, d, f, len(both), "met" if d < f else "NOT met"))
    return out + [""]


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    lrsweep = os.path.abspath(args[0])
    fresh = "--fresh" in args
    tuning = "--tuning" in args
    only = None
    out_md = os.path.join(TOP, "results", "bounds-bench.md")
    for i, a in enumerate(args):
        if a == "--only":
            only = set(args[i + 1].split(","))
        if a == "--out":
            out_md = args[i + 1]
    os.makedirs(os.path.join(WORK, "work"), exist_ok=True)
    subprocess.run(["/usr/bin/python3", os.path.join(HERE, "make_data.py"), os.path.join(WORK, "data")], check=True)
    heldout = read_list("heldout.txt")
    seen = {g: read_list(fn) for g, fn, _ in SEEN}
    version = sh([lrsweep, "--version"]).strip()
    cache = Cache(os.path.join(WORK, "cache.json"), version, fresh)

    rows = []
    t_all = time.time()
    for fn in sorted(os.listdir(os.path.join(HERE, "problems")), key=problem_order):
        if not fn.endswith(".yaml"):
            continue
        name, text = problem_text(os.path.join(HERE, "problems", fn))
        if (only and name not in only) or (tuning and name in heldout):
            continue
        t0 = time.time()
        epochs = epochs_of(text)
        grid = {k: mean(v) for k, v in run_trials(lrsweep, name, text, [("constant", r, r) for r in GRID], cache).items()}
        best_spec = max(grid, key=lambda s: grid[s])
        best = grid[best_spec]
        bounds, range_secs = range_bounds(lrsweep, name, text)
        specs = []
        for rule in RULES:
            b = bounds.get(rule)
            if b and b["ok"]:
                specs += [("triangular", b["min"], b["max"]), ("one_cycle", b["max"], b["max"])]
        res = run_trials(lrsweep, name, text, specs, cache) if specs else {}
        regret, seeds = {}, {}
        for rule in RULES:
            b = bounds.get(rule)
            if b and b["ok"]:
                seeds[rule] = (res[("triangular", b["min"], b["max"])], res[("one_cycle", b["max"], b["max"])])
                regret[rule] = tuple(100 * (best - mean(v)) for v in seeds[rule])
        chosen = [r for r in RULES if bounds.get(r, {}).get("chosen")]
        # `default` scores what `lrsweep run` would use: the chosen rule, or
        # the fallback the pipeline marked chosen in its place. A chosen
        # rule without a pick while another rule picked would mean the
        # benchmark scores less than run uses: refuse to report that.
        if chosen and not bounds[chosen[0]]["ok"] and any(b["ok"] for b in bounds.values()):
            raise RuntimeError("%s: the chosen rule %s has no pick but another rule has" % (name, chosen[0]))
        if chosen and chosen[0] in regret:
            regret["default"] = regret[chosen[0]]
            seeds["default"] = seeds[chosen[0]]
        rows.append({"name": name, "group": group_of(name, heldout, seen), "best_lr": best_spec[1], "best": best,
                     "grid": grid, "bounds": bounds, "regret": regret, "seeds": seeds,
                     "chosen": chosen[0] if chosen else None, "secs": time.time() - t0,
                     "range_secs": range_secs, "epochs": epochs})
        r = rows[-1]
        print("%-32s best %.3g (%.2f%%)  default %s: %s" % (
            name, r["best_lr"], 100 * best, r["chosen"],
            " ".join("%s=%s/%s" % (k, fmt(v[0]), fmt(v[1])) for k, v in regret.items())), flush=True)
    total = time.time() - t_all
    write_md(out_md, rows, total, version, cache)
    with open(os.path.join(WORK, "last.json"), "w") as f:
        json.dump([dict(r, grid={"%.17g" % k[1]: v for k, v in r["grid"].items()}) for r in rows], f)


def write_md(path, rows, total, version, cache):
    rules = ["default"] + RULES
    lines = ["# Bound-quality benchmark", "",
             "`make bounds-bench` (bench/bounds/run.py) with %s; %.0f s on this machine: %d range tests," % (
                 version, total, len(rows)),
             "%d trials run, %d taken from results/bounds-bench/cache.json." % (cache.ran, cache.hit),
             "Regret = the grid's best mean final validation accuracy (constant rates 1e-5 .. 10, half",
             "a decade apart, 3 seeds) minus that of a triangular run between the rule's bounds (two",
             "cycles) / of one_cycle with max_lr = the rule's max_lr, same epochs and seeds; in points,",
             "negative = better than every constant rate. `default` is the rule the pipeline chose",
             "(the fallback that stood in, when the default rule could not pick: what `run` uses).",
             "Held out: the problems of bench/bounds/heldout.txt, fixed before they were first run",
             "and never used to change a rule. The earlier held-out sets (heldout-first.txt,",
             "-second.txt, -third.txt, -fourth.txt, -fifth.txt, -sixth.txt, -seventh.txt,",
             "-eighth.txt, -ninth.txt, -tenth.txt, -eleventh.txt, -twelfth.txt, -thirteenth.txt,",
             "-fourteenth.txt, -fifteenth.txt, -sixteenth.txt) have been seen: they are tuning",
             "problems since, reported apart.", ""]
    groups = [("tuning", "Tuning problems")] + [(g, "Tuning problems, " + t) for g, _, t in SEEN]
    for group, title in groups + [("heldout", "Held-out problems")]:
        sub = [r for r in rows if r["group"] == group]
        if sub:
            lines += summary(sub, rules, title)
    tune = [r for r in rows if r["group"] != "heldout"]
    held = [r for r in rows if r["group"] == "heldout"]
    if held:
        lines += targets(held)
    if len({r["group"] for r in tune}) > 1:
        lines += summary(tune, rules, "All tuning problems")
    for sub, title in ((tune, "tuning problems"), (held, "held-out problems")):
        if sub:
            lines += differences(sub, title)
    lines += ["## Per problem", "",
              "| problem | epochs | best constant | best acc | rule | min_lr | max_lr | regret tri | regret 1cycle |",
              "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        first = True
        for rule in RULES:
            b = r["bounds"].get(rule, {"ok": False, "note": "missing"})
            tags = dict([("heldout", "held out")] + [(g, t) for g, _, t in SEEN])
            tag = (" (%s)" % tags[r["group"]]) if r["group"] in tags else ""
            name = ("%s%s" % (r["name"], tag)) if first else ""
            head = "| %s | %s | %s | %s |" % (name, r["epochs"] if first else "",
                                            ("%.3g" % r["best_lr"]) if first else "",
                                            ("%.2f" % (100 * r["best"])) if first else "")
            mark = rule + (" *" if rule == r["chosen"] else "")
            if b["ok"]:
                g = r["regret"][rule]
                lines.append("%s %s | %.3g | %.3g | %s | %s |" % (head, mark, b["min"], b["max"], fmt(g[0]), fmt(g[1])))
            else:
                lines.append("%s %s | - | - | no pick | no pick |" % (head, mark))
            first = False
    lines += ["", "Grid (mean final validation accuracy, %, per constant rate):", "",
              "| problem | " + " | ".join("%.3g" % g for g in GRID) + " |",
              "| --- |" + " --- |" * len(GRID)]
    for r in rows:
        lines.append("| %s | " % r["name"] + " | ".join("%.1f" % (100 * r["grid"][("constant", g, g)]) for g in GRID) + " |")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote %s (%.0f s)" % (path, total))


if __name__ == "__main__":
    main()
