#!/usr/bin/env bash
# tests/e2e/search.sh - a random search seen by factor: `query compare
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

finish
