#!/usr/bin/env bash
# tests/e2e/query.sh - `lrsweep query` on a database made by a real (small)
# run: every subject's numbers checked against direct SQL on the same file,
# the formats, the filters, the errors (exit 2, one line), and queries
# while a run writes.
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1

if ! command -v sqlite3 >/dev/null; then
	ok "sqlite3 shell absent: query checks skipped"
	finish
fi
have_py=0
[ -x "$PY" ] && have_py=1

cat >exp.yaml <<'EOF'
name: q
seed: 3
data:
  train: {format: synthetic, kind: spirals, samples: 1500, classes: 3, noise: 0.2}
  test: {format: synthetic, kind: spirals, samples: 300, classes: 3, noise: 0.2}
  validation: 0.2
  normalize: standardize
model: {hidden: [32], activation: relu}
optimizer: {type: sgd, momentum: 0.9}
batch_size: 32
range_test: {mode: exponential, start_lr: 1.0e-4, end_lr: 10, epochs: 6, repeats: 2}
trials:
  epochs: 5
  seeds: [1, 2, 3]
  schedules:
    - type: constant
    - type: one_cycle
    - {type: constant, lr: "@max/20"}
EOF
DB=$T/q.db
"$LRSWEEP" run exp.yaml --db "$DB" -q >/dev/null 2>&1 || { nok "setup run" "failed"; finish; }
EXP=$(sqlite3 "$DB" "select max(id) from experiments")
sq() { sqlite3 -separator , "$DB" "$1"; }
# same_rows A B: two CSV texts equal, numbers compared to 1e-12 (the shell
# prints 15 significant digits, lrsweep the shortest exact text)
same_rows() {
	awk -F, -v a="$1" -v b="$2" 'BEGIN {
		na = split(a, ra, "\n"); nb = split(b, rb, "\n"); if (na != nb) exit 1
		for (i = 1; i <= na; i++) {
			nf = split(ra[i], fa, ","); if (split(rb[i], fb, ",") != nf) exit 1
			for (k = 1; k <= nf; k++)
				if (fa[k] != fb[k] && !(fa[k] + 0 == fa[k] && (fa[k] - fb[k]) ^ 2 < 1e-24)) exit 1
		}
	}'
}

# experiments
run query "$DB" experiments --format csv
want="$EXP,q,run,completed,$(sq "select count(*), sum(status = 'completed') from trials"),$(sq "select max(best_val_accuracy) from trials")"
if [ "$RC" -eq 0 ] && same_rows "$(sed -n 2p "$OUT" | cut -d, -f1-6,11)" "$want"; then
	ok "experiments: counts and best accuracy match SQL"
else
	nok "experiments" "rc=$RC got '$(sed -n 2p "$OUT")' want '$want...'"
fi

# trials: every trial, filters, top
run query "$DB" trials --format csv
if [ "$RC" -eq 0 ] && [ "$(($(wc -l <"$OUT") - 1))" = "$(sq "select count(*) from trials")" ] &&
   [ "$(tail -n +2 "$OUT" | cut -d, -f1 | tr '\n' ' ')" = "$(sq "select id from trials order by id" | tr '\n' ' ')" ]; then
	ok "trials: one row per trial, in id order"
else
	nok "trials" "rc=$RC $(head -c 200 "$OUT")"
fi
run query "$DB" trials --schedule one_cycle --format csv
if [ "$(tail -n +2 "$OUT" | cut -d, -f1 | tr '\n' ' ')" = "$(sq "select id from trials where schedule = 'one_cycle' order by id" | tr '\n' ' ')" ]
then ok "trials --schedule"; else nok "--schedule" "$(cat "$OUT")"; fi
run query "$DB" trials --top 2 --format csv
if [ "$(tail -n +2 "$OUT" | cut -d, -f1 | tr '\n' ' ')" = "$(sq "select id from trials order by best_val_accuracy desc, id limit 2" | tr '\n' ' ')" ]
then ok "trials --top: best first by the metric"; else nok "--top" "$(cat "$OUT")"; fi
run query "$DB" trials --sort wall_seconds:desc --format csv
if [ "$(tail -n +2 "$OUT" | cut -d, -f1 | tr '\n' ' ')" = "$(sq "select id from trials order by wall_seconds desc, id" | tr '\n' ' ')" ]
then ok "trials --sort COLUMN:desc"; else nok "--sort" "$(cat "$OUT")"; fi
run query "$DB" trials --status diverged --format csv
if [ "$RC" -eq 0 ] && [ "$(wc -l <"$OUT")" = 1 ]; then ok "trials --status: header only when none"; else nok "--status" "$(cat "$OUT")"; fi

# best
want=$(sq "select id, best_val_accuracy, test_accuracy from trials where status = 'completed'
	order by best_val_accuracy desc, final_val_loss asc, id limit 1")
run query "$DB" best --format csv
got=$(tail -n +2 "$OUT" | awk -F, '{ print $1 }')
if [ "$RC" -eq 0 ] && [ "$got" = "${want%%,*}" ]; then ok "best: the trial SQL ranks first"; else nok "best" "got $got want $want"; fi
if [ $have_py = 1 ]; then
	run query "$DB" best --format json
	if "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); w=sys.argv[2].split(",")
assert isinstance(d, dict) and d["id"] == int(w[0]) and abs(d["best_val_accuracy"] - float(w[1])) < 1e-12, d
assert abs(d["test_accuracy"] - float(w[2])) < 1e-12 and isinstance(d["params"], dict)
assert isinstance(d["trial_key"], str) and "/thread " in d["worker"]' "$OUT" "$want"
	then ok "best --format json: one object, typed, params as an object"; else nok "best json" "$(head -c 300 "$OUT")"; fi
fi

# compare: n, mean, sd, 95 % interval against SQL and a t table
run query "$DB" compare --format csv
if [ "$RC" -eq 0 ] && [ $have_py = 1 ]; then
	sq "select schedule, params, best_val_accuracy, test_accuracy from trials where status = 'completed'" >"$T/raw"
	if "$PY" - "$OUT" "$T/raw" <<'PYEOF'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
raw = {}
for line in open(sys.argv[2]):
    sched, rest = line.split(",", 1)
    params, val, test = rest.rsplit(",", 2)
    raw.setdefault((sched, params), []).append((float(val), float(test)))
assert len(rows) == len(raw) == 3, (len(rows), len(raw))
t975_2 = 4.302652729911275            # Student's t, df 2
means = []
for r in rows:
    v = raw[(r["schedule"], r["params"])]
    vals, tests = [x[0] for x in v], [x[1] for x in v]
    assert int(r["n"]) == len(vals) == 3
    assert abs(float(r["mean_best_val_accuracy"]) - statistics.mean(vals)) < 1e-12
    assert abs(float(r["std_best_val_accuracy"]) - statistics.stdev(vals)) < 1e-12
    assert abs(float(r["ci95_best_val_accuracy"]) - t975_2 * statistics.stdev(vals) / 3 ** 0.5) < 1e-9
    assert abs(float(r["mean_test_accuracy"]) - statistics.mean(tests)) < 1e-12
    means.append(float(r["mean_best_val_accuracy"]))
assert means == sorted(means, reverse=True), means
assert [r["rank"] for r in rows] == ["1", "2", "3"] and rows[0]["same_as_best"] == "1"
PYEOF
	then ok "compare: n, mean, sd and 95% interval match SQL and the t table; ranked"
	else nok "compare" "$(cat "$OUT")"; fi
else
	[ "$RC" -eq 0 ] && ok "compare runs (python3 absent: numbers not checked)" || nok "compare" "rc=$RC"
fi
run query "$DB" compare --target-accuracy 0.5 --format csv
if [ "$RC" -eq 0 ] && head -1 "$OUT" | grep -q 'mean_iterations_to_target,reached_target'; then
	ok "compare --target-accuracy adds the iterations to the target"
else
	nok "target" "$(head -2 "$OUT")"
fi
run query "$DB" compare
if [ "$RC" -eq 0 ] && grep -q '^   1  .*best$' "$OUT" && grep -q "Welch" "$OUT"; then ok "compare as a table"; else nok "compare table" "$(cat "$OUT")"; fi

# curve, range-test, sql
id=$(sq "select min(id) from trials")
run query "$DB" curve "$id" --format csv
if [ "$RC" -eq 0 ] && same_rows "$(tail -n +2 "$OUT" | cut -d, -f1,2,8)" \
     "$(sq "select epoch, iteration, val_accuracy from epochs where trial_id = $id order by epoch")"; then
	ok "curve: the trial's epochs"
else
	nok "curve" "$(head -3 "$OUT")"
fi
run query "$DB" range-test --format csv
if [ "$RC" -eq 0 ] && [ "$(sed -n 2p "$OUT" | cut -d, -f1,6)" = "$(sq "select rule, chosen from bounds where chosen = 1")" ] &&
   grep -c '^[0-9]*,[01],exponential' "$OUT" | grep -q '^2$'; then
	ok "range-test: bounds (chosen first) and both repeats"
else
	nok "range-test" "$(cat "$OUT")"
fi
if [ $have_py = 1 ]; then
	run query "$DB" range-test --format json
	notes=$(sq "select rule || '=' || coalesce(note, '') from bounds order by rule")
	if "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["bounds"]) == 5 and len(d["range_tests"]) == 2
got = "\n".join(sorted(b["rule"] + "=" + (b["note"] or "") for b in d["bounds"]))
assert got == sys.argv[2], (got, sys.argv[2])' "$OUT" "$notes"
	then ok "range-test --format json"; else nok "range-test json" "$(head -c 300 "$OUT")"; fi
fi
run query "$DB" sql "SELECT schedule, count(*) AS n FROM trials GROUP BY schedule ORDER BY schedule" --format csv
if [ "$RC" -eq 0 ] && [ "$(tail -n +2 "$OUT")" = "$(sq "SELECT schedule, count(*) FROM trials GROUP BY schedule ORDER BY schedule")" ]
then ok "sql: any read-only statement"; else nok "sql" "$(cat "$OUT")"; fi
run query "$DB" trials --experiment q --format csv
n1=$(wc -l <"$OUT")
run query "$DB" trials --experiment "$EXP" --format csv
if [ "$n1" = "$(wc -l <"$OUT")" ]; then ok "--experiment by name and by id"; else nok "--experiment" "$n1 vs $(wc -l <"$OUT")"; fi

# errors: one line, exit 2
bad_usage "missing database" "no such database file" query "$T/nope.db" trials
printf 'not a database at all, just text that is long enough to look like something\n' >"$T/text.db"
bad_usage "not SQLite" "not an SQLite database" query "$T/text.db" trials
sqlite3 "$T/other.db" "create table x (a)"
bad_usage "not lrsweep" "not an lrsweep database" query "$T/other.db" trials
# the schema this lrsweep writes, which older files are upgraded to
CUR=$(sq 'pragma user_version')
# back to schema version 4 (before the data digest and the probe's columns), then 3 (before
# the range-test groups): range_tests and trials lose their group columns,
# bounds its group in the primary key
V4_SQL="alter table experiments drop column data_sha256; alter table range_tests drop column probe_iterations; alter table range_tests drop column probe_note;"
V3_SQL="$V4_SQL drop index range_tests_by_experiment; alter table range_tests drop column group_key;
	create index range_tests_by_experiment on range_tests (experiment_id, repeat);
	alter table trials drop column bounds_group; alter table trials drop column log;
	create table bounds_v3 (experiment_id integer not null references experiments (id) on delete cascade,
	  rule text not null, min_lr real, max_lr real, min_lr_spread real, max_lr_spread real,
	  chosen integer not null default 0 check (chosen in (0, 1)), note text, primary key (experiment_id, rule));
	insert into bounds_v3 select experiment_id, rule, min_lr, max_lr, min_lr_spread, max_lr_spread, chosen, note from bounds;
	drop table bounds; alter table bounds_v3 rename to bounds;
	create unique index bounds_one_chosen on bounds (experiment_id) where chosen = 1;"
# a file of schema version 2 (before bounds.note): a query upgrades it
# first (saying so), then reads it as it was
cp "$DB" "$T/v2.db" && sqlite3 "$T/v2.db" "$V3_SQL alter table bounds drop column note; pragma user_version = 2"
run query "$DB" trials --format csv
cp "$OUT" "$T/trials.want"
run query "$T/v2.db" trials --format csv
if [ "$RC" -eq 0 ] && cmp -s "$OUT" "$T/trials.want" &&
   grep -q "^lrsweep query: upgraded $T/v2.db from schema version 2 to $CUR$" "$ERR" &&
   [ "$(sqlite3 "$T/v2.db" 'pragma user_version')" = "$CUR" ] &&
   [ "$(sqlite3 "$T/v2.db" "select count(*) from range_tests where group_key = ''")" = "$(sq 'select count(*) from range_tests')" ] &&
   [ "$(sqlite3 "$T/v2.db" 'select count(*) from bounds where note is null')" = 5 ] &&
   [ "$(sqlite3 "$T/v2.db" 'pragma integrity_check')" = ok ]; then
	ok "version 2 file upgraded by a query, which then reads it unchanged"
else
	nok "query upgrades version 2" "rc=$RC $(head -c 300 "$ERR")"
fi
# schema version 1 (before experiments.command too): a writing open
# migrates it 1 -> 2 -> ... -> the current version, old rows count as run
cp "$DB" "$T/v1.db" && sqlite3 "$T/v1.db" "$V3_SQL drop index experiments_by_name; alter table experiments drop column command;
	alter table bounds drop column note;
	create index experiments_by_name on experiments (name, id); pragma user_version = 1"
"$LRSWEEP" -q run exp.yaml --db "$T/v1.db" --resume >/dev/null 2>&1
RC=$?
if [ "$RC" -eq 0 ] && [ "$(sqlite3 "$T/v1.db" 'pragma user_version')" = "$CUR" ] &&
   sqlite3 "$T/v1.db" 'select note, group_key from bounds' >/dev/null 2>&1 &&
   [ "$(sqlite3 "$T/v1.db" 'select group_concat(distinct command) from experiments')" = run ] &&
   [ "$(sqlite3 "$T/v1.db" 'select count(*) from experiments')" = 1 ] &&
   [ "$(sqlite3 "$T/v1.db" 'pragma integrity_check')" = ok ]; then
	ok "version 1 file migrated to $CUR by run --resume: its experiment resumed (command run), nothing redone"
else
	nok "migration 1 -> $CUR" "rc=$RC version=$(sqlite3 "$T/v1.db" 'pragma user_version')"
fi
cp "$DB" "$T/newer.db" && sqlite3 "$T/newer.db" "pragma user_version = 99"
bad_usage "newer schema" "newer than this" query "$T/newer.db" trials
bad_usage "unknown experiment" "no experiment 'nope'" query "$DB" trials --experiment nope
bad_usage "unknown trial" "no trial 99999" query "$DB" curve 99999
bad_usage "a write refused" "only read-only statements" query "$DB" sql "DELETE FROM trials"
bad_usage "unknown subject" "did you mean 'compare'" query "$DB" compar
bad_usage "bad format" "--format" query "$DB" trials --format yaml
bad_usage "bad sort column" "--sort" query "$DB" trials --sort nope
bad_usage "bad metric" "--metric" query "$DB" best --metric speed
bad_usage "no subject" "missing what to show" query "$DB"
if [ "$(sq "select count(*) from trials")" = 9 ]; then ok "nothing stored was changed"; else nok "changed" "trials"; fi

# while a run writes
sed -e 's/samples: 1500/samples: 12000/' -e 's/seeds: \[1, 2, 3\]/seeds: [1, 2, 3, 4, 5, 6]/' exp.yaml >long.yaml
"$LRSWEEP" run long.yaml --db "$T/live.db" --min-lr 0.005 --max-lr 0.05 -q >/dev/null 2>&1 &
pid=$!
fails=0 n=0
while kill -0 $pid 2>/dev/null && [ $n -lt 100 ]; do
	if [ -e "$T/live.db" ]; then
		for w in trials compare best experiments; do
			"$LRSWEEP" query "$T/live.db" $w >/dev/null 2>"$T/qerr" ||
				grep -q "no completed trial\|holds no experiment\|no lrsweep data yet" "$T/qerr" || fails=$((fails + 1))
			n=$((n + 1))
		done
	fi
	sleep 0.05
done
wait $pid
if [ $fails -eq 0 ] && [ $n -gt 0 ]; then ok "queries while a run writes ($n queries)"; else nok "live" "$fails of $n failed: $(cat "$T/qerr")"; fi
finish
