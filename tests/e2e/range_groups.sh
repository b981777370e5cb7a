#!/usr/bin/env bash
# tests/e2e/range_groups.sh - an experiment with one range test per group
# (its space varies batch_size, a key range_test.per groups by): `query
# range-test`, `plot range-test` and `report` show each group apart, with
# its own repeats and bounds, checked against SQL on the same file; an
# experiment of one group shows no group at all.
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1

if ! command -v sqlite3 >/dev/null; then
	ok "sqlite3 shell absent: group checks skipped"
	finish
fi

cat >exp.yaml <<'YAML'
name: grp
seed: 6
data:
  train: {format: synthetic, kind: blobs, samples: 900, classes: 3, noise: 0.3}
  validation: 0.2
  normalize: standardize
model: {hidden: [16], activation: relu}
optimizer: {type: sgd, momentum: 0.9}
batch_size: 32
range_test: {mode: exponential, start_lr: 1.0e-4, end_lr: 10, epochs: 3, repeats: 2}
trials:
  epochs: 2
  seeds: [1]
  schedules:
    - type: constant
  space:
    batch_size: {grid: [16, 64]}
YAML
DB=$T/grp.db
"$LRSWEEP" run exp.yaml --db "$DB" -q >/dev/null 2>&1 || { nok "setup run" "failed"; finish; }
sq() { sqlite3 -separator , "$DB" "$1"; }
G1=$(sq "select group_key from range_tests order by id limit 1")
G2=$(sq "select group_key from range_tests order by id desc limit 1")
if [ "$(sq "select count(distinct group_key) from range_tests")" = 2 ] && [ "$G1" != "$G2" ]
then ok "two groups: '$G1' and '$G2'"; else nok "setup groups" "$(sq "select distinct group_key from range_tests")"; fi

# query range-test: a group column, every group's rows, each its own chosen rule
run query "$DB" range-test --format csv
bounds=$(sed -n '1,/^$/p' "$OUT" | sed '/^$/d')
repeats=$(sed -n '/^$/,$p' "$OUT" | sed '/^$/d')
want_b=$(sq "select group_key, rule, chosen from bounds order by group_key = '$G2', chosen desc, rule")
if [ "$RC" -eq 0 ] && head -1 <<<"$bounds" | grep -q '^group_key,rule,min_lr' &&
   [ "$(tail -n +2 <<<"$bounds" | cut -d, -f1,2,7)" = "$want_b" ]
then ok "query range-test: bounds with their group, group by group, chosen first"; else nok "grouped bounds" "$bounds"; fi
want_r=$(sq "select group_key, id, repeat from range_tests order by group_key = '$G2', repeat")
if head -1 <<<"$repeats" | grep -q '^group_key,id,repeat,mode' && [ "$(tail -n +2 <<<"$repeats" | cut -d, -f1-3)" = "$want_r" ]
then ok "query range-test: repeats with their group"; else nok "grouped repeats" "$repeats"; fi
run query "$DB" range-test
if [ "$RC" -eq 0 ] && grep -q '^bounds (by group, chosen first)' "$OUT" && grep -q "^$G1  *combined " "$OUT" &&
   grep -q "^$G2  *combined " "$OUT"
then ok "query range-test as a table: the group first on every row"; else nok "grouped table" "$(head -5 "$OUT")"; fi
if [ -x "$PY" ]; then
	run query "$DB" range-test --format json
	if "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1]))
gs = {b["group_key"] for b in d["bounds"]}
assert gs == {sys.argv[2], sys.argv[3]}, gs
for g in gs:
    assert sum(b["chosen"] for b in d["bounds"] if b["group_key"] == g) == 1
    assert len([r for r in d["range_tests"] if r["group_key"] == g]) == 2' "$OUT" "$G1" "$G2"
	then ok "query range-test --format json: group_key, one chosen rule per group"; else nok "grouped json" "$(head -c 300 "$OUT")"; fi
fi

# plot range-test: each group's curves named by its group, its bounds marked
run plot "$DB" range-test -o "$T/rt.svg"
missing=
for s in "1: $G1, smoothed loss" "1: $G1, validation accuracy" "2: $G2, smoothed loss" "2: $G2, validation accuracy" \
         ">min_lr 1<" ">max_lr 1<" ">min_lr 2<" ">max_lr 2<"; do
	grep -qF -- "$s" "$T/rt.svg" || missing="$missing [$s]"
done
if [ "$RC" -eq 0 ] && [ -z "$missing" ]; then ok "plot range-test: curves and bounds of each group, named"
else nok "grouped plot" "rc=$RC missing$missing"; fi

# report: a part per group, its own figure and its own bounds
run report "$DB" -o "$T/r.html" -q
rt=$(sed -n '/<section id="range-test">/,/<\/section>/p' "$T/r.html")
part() { awk -v h="<h3>Group: $1</h3>" 'index($0, h) { on = 1; next } /^<h3>/ { on = 0 } on' <<<"$rt"; }
good=1
for g in "$G1" "$G2"; do
	p=$(part "$g")
	chosen=$(grep -o '<tr class="chosen"><td>[^<]*</td><td class="n">[^<]*</td><td class="n">[^<]*</td>' <<<"$p" |
		sed -E 's/<[^>]*>/ /g' | awk '{ print $1, $2, $3 }')
	want=$(sqlite3 "$DB" "select rule, printf('%.4g', min_lr), printf('%.4g', max_lr) from bounds
		where group_key = '$g' and chosen = 1" | tr '|' ' ')
	if [ "$(grep -c '<svg' <<<"$p")" -ne 1 ] || [ "$(grep -c '<tr class="chosen">' <<<"$p")" -ne 1 ] ||
	   [ -z "$want" ] || [ "$chosen" != "$want" ]; then
		good=0
		nok "report group $g" "svg $(grep -c '<svg' <<<"$p"), chosen '$chosen' want '$want'"
	fi
done
if [ "$RC" -eq 0 ] && [ $good = 1 ]; then ok "report: a part per group, each with its figure and its own chosen bounds"; fi

# one group: no group shown anywhere
sed -e '/^  space:/d' -e '/batch_size: {grid/d' exp.yaml >one.yaml
"$LRSWEEP" run one.yaml --db "$T/one.db" -q >/dev/null 2>&1
run query "$T/one.db" range-test --format csv
if [ "$RC" -eq 0 ] && head -1 "$OUT" | grep -q '^rule,min_lr' && ! grep -q group_key "$OUT"
then ok "one group: query range-test has no group column"; else nok "one group query" "$(head -2 "$OUT")"; fi
run report "$T/one.db" -o "$T/one.html" -q
if [ "$RC" -eq 0 ] && ! grep -q '<h3>Group' "$T/one.html" && ! grep -q 'one per group' "$T/one.html"
then ok "one group: the report has no group heading"; else nok "one group report" "rc=$RC"; fi
finish
