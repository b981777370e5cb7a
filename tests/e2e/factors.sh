#!/usr/bin/env bash
# tests/e2e/factors.sh - a random search seen by factor: `query compare
# --by KEY` against sqlite3's GROUP BY of the same database (and scipy's
# t interval and Welch test), its formats and errors; `plot search` (the
# objective per trial with the running best, a panel per searched key);
# and the report's by-schedule table and search figure.
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1

if ! command -v sqlite3 >/dev/null; then
	ok "sqlite3 shell absent: search checks skipped"
	finish
fi
have_py=0
[ -x "$PY" ] && "$PY" -c 'import scipy' 2>/dev/null && have_py=1

# random search over weight decay and batch size, three schedule entries:
# every configuration is unique, so only a grouping tells schedules apart
cat >exp.yaml <<'EOF'
name: s
seed: 11
data:
  train: {format: synthetic, kind: spirals, samples: 900, classes: 3, noise: 0.2}
  test: {format: synthetic, kind: spirals, samples: 300, classes: 3, noise: 0.2}
  validation: 0.2
  normalize: standardize
model: {hidden: [16], activation: relu}
optimizer: {type: sgd, momentum: 0.9}
batch_size: 32
range_test: {bounds: {min_lr: 0.01, max_lr: 0.1}}
trials:
  epochs: 2
  seeds: [1, 2]
  schedules:
    - type: constant
    - type: one_cycle
    - {type: triangular, step_size: {grid: ["1 epochs", "2 epochs"]}}
  space:
    optimizer.weight_decay: {log_uniform: [1.0e-5, 1.0e-2]}
    batch_size: {choice: [16, 32, 64]}
  search: {strategy: random, samples: 3}
EOF
DB=$T/s.db
"$LRSWEEP" run exp.yaml --db "$DB" -q >/dev/null 2>&1 || { nok "setup run" "failed"; finish; }
EXP=$(sqlite3 "$DB" "select max(id) from experiments")
sq() { sqlite3 -separator , "$DB" "$1"; }
# near A B: two CSV texts equal, numbers to 1e-9 (SQL's sd formula rounds otherwise)
near() {
	awk -F, -v a="$1" -v b="$2" 'BEGIN {
		na = split(a, ra, "\n"); nb = split(b, rb, "\n"); if (na != nb || na == 0) exit 1
		for (i = 1; i <= na; i++) {
			nf = split(ra[i], fa, ","); if (split(rb[i], fb, ",") != nf) exit 1
			for (k = 1; k <= nf; k++)
				if (fa[k] != fb[k] && !(fa[k] + 0 == fa[k] && (fa[k] - fb[k]) ^ 2 < 1e-18)) exit 1
		}
	}'
}
# group_sql EXPR: per value of EXPR over the completed trials, best first:
# value, n, configurations, mean, sd, mean test accuracy
group_sql() {
	sq "select $1, count(*), count(distinct schedule || params || hyper), avg(best_val_accuracy),
	        sqrt((sum(best_val_accuracy * best_val_accuracy) - count(*) * avg(best_val_accuracy) * avg(best_val_accuracy)) / (count(*) - 1)),
	        avg(test_accuracy)
	    from trials where experiment_id = $EXP and status = 'completed' ${2:-}
	    group by $1 order by avg(best_val_accuracy) desc"
}
# the same columns of compare --by's CSV, sorted as the SQL's rows are
# (groups of equal means may come in either order there)
cut_csv() { tail -n +2 "$OUT" | cut -d, -f"$1" | sort; }
srt() { sort <<<"$1"; }

run query "$DB" compare --by schedule --format csv
want=$(group_sql schedule)
if [ "$RC" -eq 0 ] && [ "$(wc -l <<<"$want")" = 3 ] && near "$(cut_csv 2-6,8)" "$(srt "$want")"; then
	ok "compare --by schedule: n, configurations, mean, sd, test accuracy = SQL GROUP BY schedule"
else
	nok "by schedule" "rc=$RC got $(cut_csv 2-6,8 | tr '\n' ' ') want $(tr '\n' ' ' <<<"$want") $(cat "$ERR")"
fi
if [ "$(tail -n +2 "$OUT" | cut -d, -f5 | tr '\n' ' ')" = "$(tail -n +2 "$OUT" | cut -d, -f5 | sort -gr | tr '\n' ' ')" ] &&
   [ "$(tail -n +2 "$OUT" | cut -d, -f1 | tr '\n' ' ')" = "1 2 3 " ]
then ok "compare --by schedule: ranked best first"; else nok "rank" "$(cat "$OUT")"; fi
# each schedule holds several configurations: the grouping aggregated over them
if [ "$(cut_csv 4 | sort -n | head -1)" -ge 3 ]; then ok "compare --by schedule: over every configuration of a schedule"
else nok "configurations" "$(cut_csv 4 | tr '\n' ' ')"; fi
if [ $have_py = 1 ]; then
	sq "select schedule, best_val_accuracy from trials where experiment_id = $EXP and status = 'completed'" >raw
	if "$PY" - "$OUT" raw <<'PYEOF'
import csv, sys
from scipy import stats
rows = list(csv.DictReader(open(sys.argv[1])))
vals = {}
for line in open(sys.argv[2]):
    k, v = line.strip().split(",")
    vals.setdefault(k, []).append(float(v))
best = vals[rows[0]["schedule"]]
for r in rows:
    v = vals[r["schedule"]]
    half = stats.t.ppf(0.975, len(v) - 1) * stats.tstd(v) / len(v) ** 0.5
    assert abs(float(r["ci95_best_val_accuracy"]) - half) < 1e-9, (r, half)
    if r["rank"] != "1":
        p = stats.ttest_ind(best, v, equal_var=False).pvalue
        assert abs(float(r["p_vs_best"]) - p) < 1e-6, (r, p)
        assert r["same_as_best"] == ("1" if p >= 0.05 else "0")
PYEOF
	then ok "compare --by schedule: 95% interval and Welch's p = scipy's"
	else nok "by schedule stats" "$(cat "$OUT")"; fi
fi

run query "$DB" compare --by batch_size --format csv
want=$(group_sql "json_extract(hyper, '\$.batch_size')")
if [ "$RC" -eq 0 ] && near "$(cut_csv 2-6,8)" "$(srt "$want")"; then ok "compare --by batch_size = SQL GROUP BY json_extract(hyper)"
else nok "by batch_size" "rc=$RC got $(cut_csv 2-6,8 | tr '\n' ' ') want $(tr '\n' ' ' <<<"$want")"; fi
run query "$DB" compare --by optimizer.weight_decay --format csv
if [ "$RC" -eq 0 ] && [ "$(cut_csv 2 | sort -u | wc -l)" = "$(sq "select count(distinct json_extract(hyper, '\$.optimizer.weight_decay')) from trials")" ]
then ok "compare --by optimizer.weight_decay: one row per drawn value"; else nok "by weight_decay" "rc=$RC $(cat "$ERR")"; fi

# two factors: comma-separated or repeated, the combinations
run query "$DB" compare --by schedule,batch_size --format csv
cp "$OUT" two.csv
want=$(group_sql "schedule, json_extract(hyper, '\$.batch_size')")
if [ "$RC" -eq 0 ] && near "$(cut_csv 2-7,9)" "$(srt "$want")"; then ok "compare --by schedule,batch_size = SQL GROUP BY both"
else nok "two keys" "rc=$RC got $(cut_csv 2-7,9 | tr '\n' ' ') want $(tr '\n' ' ' <<<"$want")"; fi
run query "$DB" compare --by schedule --by batch_size --format csv
if [ "$RC" -eq 0 ] && cmp -s "$OUT" two.csv; then ok "--by repeated = comma-separated"; else nok "repeated --by" "rc=$RC"; fi

# with --schedule: that type's trials alone; a schedule parameter as a key
run query "$DB" compare --by schedule.step_size --schedule triangular --format csv
want=$(group_sql "json_extract(params, '\$.step_size')" "and schedule = 'triangular'")
if [ "$RC" -eq 0 ] && [ "$(wc -l <<<"$want")" = 2 ] && near "$(cut_csv 2-6,8)" "$(srt "$want")"; then
	ok "compare --by schedule.step_size --schedule triangular = SQL"
else
	nok "schedule parameter" "rc=$RC got $(cut_csv 2-6,8 | tr '\n' ' ') want $(tr '\n' ' ' <<<"$want") $(cat "$ERR")"
fi

# JSON keyed by the key, values typed; the table names the keys
run query "$DB" compare --by schedule,batch_size --format json
if [ "$RC" -eq 0 ] && [ $have_py = 1 ] && "$PY" -c 'import json,sys
d = json.load(open(sys.argv[1]))
assert all(isinstance(r["schedule"], str) and isinstance(r["batch_size"], int) and r["configurations"] >= 1 for r in d)' "$OUT"
then ok "compare --by --format json: the keys typed (a string, a number)"
elif [ $have_py = 0 ] && [ "$RC" -eq 0 ]; then ok "compare --by json runs"
else nok "by json" "rc=$RC $(head -c 300 "$OUT")"; fi
run query "$DB" compare --by schedule
if [ "$RC" -eq 0 ] && head -1 "$OUT" | grep -q '^rank  schedule .* n  configurations  best_val_accuracy (95% CI)' &&
   grep -q '^   1  ' "$OUT" && grep -q 'each counted once' "$OUT"
then ok "compare --by: a table with the key's column"; else nok "by table" "$(head -3 "$OUT")"; fi

# errors: one line, exit 2
bad_usage "compare --by an unknown key: named, with the known ones" "unknown key 'optimiser.type' for --by; the trials have: schedule, optimizer.type" \
	query "$DB" compare --by optimiser.type
bad_usage "--by outside compare" "--by is for compare" query "$DB" trials --by schedule
bad_usage "--by an empty key" "an empty key" query "$DB" compare --by schedule,

# plot search: every format, and the figure's numbers as gnuplot got them
for f in search.png search.svg; do
	run plot "$DB" search -o "$T/$f"
	if [ "$RC" -eq 0 ] && [ -s "$T/$f" ]; then ok "plot search: ${f#*.}"; else nok "plot search $f" "rc=$RC $(cat "$ERR")"; fi
done
run plot "$DB" search --terminal
if [ "$RC" -eq 0 ] && grep -q 'best_val_accuracy per trial' "$OUT" && grep -q 'batch_size' "$OUT"
then ok "plot search: terminal"; else nok "search terminal" "rc=$RC $(cat "$ERR")"; fi
GP=$(command -v gnuplot || true)
if [ -n "$GP" ] && [ $have_py = 1 ]; then
	printf '#!/bin/sh\ntee "%s/script.gp" | "%s"\n' "$T" "$GP" >gp-tee
	chmod +x gp-tee
	LRSWEEP_GNUPLOT=$T/gp-tee run plot "$DB" search -o "$T/tee.svg"
	# trial number (plan order), schedule, objective, and each searched key
	sq "select (select count(*) from trials u where u.experiment_id = t.experiment_id and u.id <= t.id), schedule,
	        best_val_accuracy, json_extract(hyper, '\$.optimizer.weight_decay'), json_extract(hyper, '\$.batch_size'),
	        json_extract(params, '\$.step_size')
	    from trials t where experiment_id = $EXP and status = 'completed'" >rows
	if [ "$RC" -eq 0 ] && "$PY" - script.gp rows <<'PYEOF'
import re, sys
text = open(sys.argv[1]).read()
blocks = {m.group(1): [tuple(float(v) for v in l.split()) for l in m.group(2).splitlines()]
          for m in re.finditer(r"^\$d(\d+_\d+) << EOD\n(.*?)^EOD$", text, re.M | re.S)}
panels = text.split("\nreset\n")
def points(p):   # every point of panel p, and its titled plot command
    names = re.findall(r"\$d(%d_\d+) using 1:2 with points" % p, panels[p])
    return sorted(pt for n in names for pt in blocks[n])
titles = [re.search(r"^set title '(.*)'$", panel, re.M).group(1) for panel in panels]
assert titles == ["best_val_accuracy per trial", "schedule", "optimizer.weight_decay (log scale)", "batch_size",
                  "schedule.step_size"], titles
rows = [l.rstrip("\n").split(",") for l in open(sys.argv[2])]
acc = lambda r: float(r[2])
def same(a, b):   # the shell prints 15 digits, the figure every one
    a, b = sorted(a), sorted(b)
    return len(a) == len(b) and all(abs(u - v) <= 1e-12 * max(1, abs(u)) for p, q in zip(a, b) for u, v in zip(p, q))
# history: each completed trial at its number, and the best so far as steps
assert same(points(0), [(float(r[0]), acc(r)) for r in rows]), (points(0), rows)
best = [b for b in re.findall(r"\$d(0_\d+) using 1:2 with steps", panels[0])]
run, hi = [], -1
for r in sorted(rows, key=lambda r: int(r[0])):
    hi = max(hi, acc(r)); run.append((float(r[0]), hi))
assert len(best) == 1 and same(blocks[best[0]], run), (best, run)
# a scatter per key: value against accuracy; log x for the log-uniform key
assert "set logscale x" in panels[2] and "set logscale x" not in panels[3]
assert same(points(2), [(float(r[3]), acc(r)) for r in rows])
assert same(points(3), [(float(r[4]), acc(r)) for r in rows])
assert same(points(4), [(float(r[5]), acc(r)) for r in rows if r[5]])   # triangular's alone
# the schedule by name: x = its place among the names
names = re.search(r"set xtics \((.*)\)", panels[1]).group(1)
order = [n for n in re.findall(r"'([^']*)' \d+", names)]
assert sorted(order) == sorted({r[1] for r in rows}), order
assert same(points(1), [(float(order.index(r[1]) + 1), acc(r)) for r in rows])
PYEOF
	then ok "plot search: history, best so far and every key's scatter = the trials in SQL"
	else nok "search data" "rc=$RC $(cat "$ERR")"; fi
	# a loss as the objective: the best so far is the lowest
	LRSWEEP_GNUPLOT=$T/gp-tee run plot "$DB" search --metric final_val_loss -o "$T/loss.svg"
	sq "select final_val_loss from trials where experiment_id = $EXP and status = 'completed' order by id" >loss
	if [ "$RC" -eq 0 ] && "$PY" - script.gp loss <<'PYEOF'
import re, sys
text = open(sys.argv[1]).read()
name = re.search(r"\$d(0_\d+) using 1:2 with steps", text).group(1)
block = re.search(r"^\$d%s << EOD\n(.*?)^EOD$" % name, text, re.M | re.S).group(1)
got = [float(l.split()[1]) for l in block.splitlines()]
want, lo = [], float("inf")
for v in open(sys.argv[2]):
    lo = min(lo, float(v)); want.append(lo)
assert len(got) == len(want) and all(abs(a - b) <= 1e-12 for a, b in zip(got, want)), (got, want)
assert "set title 'final_val_loss per trial'" in text
PYEOF
	then ok "plot search --metric final_val_loss: the best so far is the running minimum"
	else nok "search loss" "rc=$RC $(cat "$ERR")"; fi
fi
sed -e '/space:/,/search:/d' -e '/one_cycle/d' -e '/triangular/d' exp.yaml >plain.yaml
"$LRSWEEP" run plain.yaml --db "$T/plain.db" -q >/dev/null 2>&1 || nok "plain run" "failed"
bad_usage "plot search of an experiment that searched nothing: exit 2, one line" "searched nothing" \
	plot "$T/plain.db" search -o "$T/none.svg"

# the report: a by-schedule table = compare --by schedule, and the search figure
run report "$DB" -o "$T/r.html"
run query "$DB" compare --by schedule --format csv
want=$(tail -n +2 "$OUT" | cut -d, -f1-4 | tr '\n' ' ')
got=$(sed -n '/<h3>By schedule<\/h3>/,/<\/table>/p' "$T/r.html" | grep '^<tr><td' |
	sed -e 's/<\/td><td[^>]*>/,/g' -e 's/<[^>]*>//g' | cut -d, -f1-4 | tr '\n' ' ')
if [ -n "$got" ] && [ "$got" = "$want" ]; then ok "report: the by-schedule table = compare --by schedule"
else nok "report by schedule" "got '$got' want '$want'"; fi
if grep -q '<section id="search">' "$T/r.html" && sed -n '/<section id="search">/,/<\/section>/p' "$T/r.html" | grep -q '<svg'
then ok "report: the search figure"; else nok "report search" "$(grep -c svg "$T/r.html")"; fi
# report --help lists what the page holds: every section heading of this report, and its by-schedule part
help=$("$LRSWEEP" report --help | tr '\n' ' ' | tr -s ' ' | tr '[:upper:]' '[:lower:]')
unlisted=
while IFS= read -r h; do
	printf '%s\n' "$help" | grep -qF -- "$(printf '%s' "$h" | tr '[:upper:]' '[:lower:]' | sed 's/^lr //')" ||
		unlisted="$unlisted '$h'"
done < <(grep -oE '<h2>[^<]+' "$T/r.html" | sed 's/<h2>//')
printf '%s\n' "$help" | grep -qF "by schedule type" || unlisted="$unlisted 'By schedule'"
if [ -z "$unlisted" ] && grep -q '<h2>' "$T/r.html"; then ok "report --help names every section of the report"
else nok "report --help names every section" "not in the help:$unlisted"; fi
run report "$T/plain.db" -o "$T/plain.html"
if [ "$RC" -eq 0 ] && ! grep -q 'By schedule\|id="search"' "$T/plain.html"
then ok "report of a plain run: no by-schedule table, no search"; else nok "plain report" "rc=$RC"; fi

# an external trainer's params: as keys, and as panels of the search
if cc -std=c11 -O2 -o stub "$REPO/tests/clients/stub_trainer.c" -lm 2>cc.log; then
	cat >ext.yaml <<EOF
name: ext
seed: 3
trainer: {command: [$T/stub], startup_timeout: 3 s, timeout: 3 s}
params: {scale: {grid: [1, 4]}, label: toy}
optimizer: {type: sgd, momentum: 0.9}
batch_size: 10
range_test: {bounds: {min_lr: 0.01, max_lr: 0.1}}
trials:
  epochs: 2
  seeds: [1, 2]
  schedules: [{type: constant}, {type: one_cycle}]
EOF
	"$LRSWEEP" run ext.yaml --db "$T/ext.db" -q >/dev/null 2>&1 || nok "external run" "failed"
	DB=$T/ext.db EXP=1
	run query "$T/ext.db" compare --by params.scale --format csv
	want=$(group_sql "json_extract(hyper, '\$.params.scale')")
	if [ "$RC" -eq 0 ] && [ "$(wc -l <<<"$want")" = 2 ] && near "$(cut_csv 2-6,8)" "$(srt "$want")"; then
		ok "compare --by params.scale (an external trainer's) = SQL"
	else
		nok "by params" "rc=$RC got $(cut_csv 2-6,8 | tr '\n' ' ') want $(tr '\n' ' ' <<<"$want") $(cat "$ERR")"
	fi
	run plot "$T/ext.db" search --terminal
	if [ "$RC" -eq 0 ] && grep -q 'params.scale' "$OUT" && ! grep -q 'params.label' "$OUT"
	then ok "plot search: a panel for the searched params: key alone"; else nok "search params" "rc=$RC $(cat "$ERR")"; fi
else
	nok "build the stub trainer" "$(head -c 300 cc.log)"
fi

finish
