#!/usr/bin/env bash
# tests/e2e/labels.sh - one name and one colour per configuration: `run`'s
# leaderboard and trial lines, `query compare`, `plot` and `report` label every
# configuration of an experiment identically, and in the report's figures
# (curves, schedules, comparison) each configuration has one colour, its
# own. The experiment has configurations that differ in a schedule
# parameter written "@max/4" and in a hyperparameter (batch_size), the
# cases where the names used to disagree.
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1

cat >exp.yaml <<'YAML'
name: lab
seed: 4
data:
  train: {format: synthetic, kind: spirals, samples: 900, classes: 3, noise: 0.2}
  test: {format: synthetic, kind: spirals, samples: 300, classes: 3, noise: 0.2}
  validation: 0.2
  normalize: standardize
model: {hidden: [16], activation: relu}
optimizer: {type: sgd, momentum: 0.9}
batch_size: 32
range_test: {mode: exponential, start_lr: 1.0e-4, end_lr: 10, epochs: 3, repeats: 2}
trials:
  epochs: 3
  seeds: [1, 2]
  schedules:
    - type: constant
    - {type: constant, lr: "@max/4"}
    - type: one_cycle
  space:
    batch_size: {grid: [32, 64]}
YAML
DB=$T/lab.db
run run exp.yaml --db "$DB" -q
[ "$RC" -eq 0 ] || { nok "setup run" "rc=$RC $(head -c 300 "$ERR")"; finish; }
N=$(sqlite3 "$DB" "select count(*) from (select distinct schedule, params, hyper from trials)" 2>/dev/null || echo 6)

# The label column of a table whose columns are apart by two blanks or
# more (labels never hold two blanks): rank, label, n, ...
labels_of_table() { sed -E 's/^ +//' | grep -E '^[0-9]+  ' | awk -F '  +' '{ print $2 }' | sort; }

sed -n '/^rank  configuration/,/^$/p' "$OUT" | labels_of_table >"$T/run.txt"
"$LRSWEEP" query "$DB" compare 2>/dev/null | labels_of_table >"$T/compare.txt"
if [ "$(wc -l <"$T/run.txt")" -eq "$N" ] && [ "$N" -eq 6 ] && [ "$(sort -u "$T/run.txt" | wc -l)" -eq 6 ]
then ok "run: $N configurations, $N different labels"; else nok "run labels" "$(cat "$T/run.txt")"; fi
if cmp -s "$T/run.txt" "$T/compare.txt"; then ok "run and query compare: the same labels"
else nok "run vs compare" "$(diff "$T/run.txt" "$T/compare.txt" | head -6 | tr '\n' ' ')"; fi
# the run's line for each finished trial names it as the leaderboard does
run run exp.yaml --db "$T/lines.db"
sed -n 's/^lrsweep run: trial [0-9]*\/[0-9]* done ([a-z]*): \(.*\), seed [0-9]*: .*/\1/p' "$ERR" | sort -u >"$T/lines.txt"
if [ "$(wc -l <"$T/lines.txt")" -eq 6 ] && cmp -s "$T/lines.txt" "$T/run.txt"; then
	ok "run's line per finished trial: the leaderboard's labels"
else
	nok "trial lines" "$(diff "$T/lines.txt" "$T/run.txt" | head -6 | tr '\n' ' ')"
fi
if ! grep -q '@' "$T/run.txt" && [ "$(grep -c '^constant lr=[0-9.e-]*; batch_size=[0-9]*$' "$T/run.txt")" -eq 4 ]
then ok "labels name the rates that trained (not @max/4) and the batch size"; else nok "label text" "$(cat "$T/run.txt")"; fi

# Every figure's legend (curves, schedules) and the comparison's rows
for w in curves schedules compare; do
	"$LRSWEEP" plot "$DB" "$w" -o "$T/$w.svg" -q 2>/dev/null
	missing=
	while IFS= read -r l; do
		grep -qF ">$l<" "$T/$w.svg" || missing="$missing [$l]"
	done <"$T/run.txt"
	if [ -z "$missing" ]; then ok "plot $w: every configuration under its label"; else nok "plot $w labels" "missing$missing"; fi
done

run report "$DB" -o "$T/r.html" -q
sed -n '/<section id="compare">/,/<\/section>/p' "$T/r.html" | grep -o '<td title="[^"]*">[^<]*</td>' \
	| sed -E 's/^<td title="[^"]*">//; s/<\/td>$//' | sort >"$T/report.txt"
if [ "$RC" -eq 0 ] && cmp -s "$T/run.txt" "$T/report.txt"; then ok "report: the same labels as run and query compare"
else nok "report labels" "$(diff "$T/run.txt" "$T/report.txt" | head -6 | tr '\n' ' ')"; fi

# Colours: in each figure of the report, the colour of each configuration
# (a legend's line, a comparison row); each must be the same in every
# figure, and no two configurations may share one.
if [ -x "$PY" ]; then
	if "$PY" - "$T/r.html" "$T/run.txt" <<'PYEOF'
import re, sys
html = open(sys.argv[1]).read()
want = [l.rstrip("\n") for l in open(sys.argv[2])]
unesc = lambda s: s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&#39;", "'").replace("&amp;", "&")

def section(name):
    m = re.search(r'<section id="%s">(.*?)</section>' % name, html, re.S)
    assert m, name
    return m.group(1)

def groups(svg):
    """(legend text or None, first stroke colour) of each plotted series."""
    out = []
    for g in re.split(r'<g id="p\d+-gnuplot_plot_\d+"', svg)[1:]:
        text = re.search(r"<text>([^<]*)</text>", g)
        colour = re.search(r"stroke='(rgb\([^)]*\))'", g)
        if colour:
            out.append((unesc(text.group(1)) if text else None, colour.group(1)))
    return out

colours = {}
for fig in ("curves", "schedules"):
    seen = {t: c for t, c in groups(section(fig)) if t is not None}
    assert sorted(seen) == sorted(want), (fig, sorted(seen))
    colours[fig] = seen
# the comparison: one series per row, best first; its row names are tics,
# which gnuplot writes from the bottom row up
cmp_svg = section("compare")
series = groups(cmp_svg)
tics = [unesc(t) for t in re.findall(r"<text>([^<]*)</text>", cmp_svg) if unesc(t) in want]
assert len(series) == len(want) == len(tics), (len(series), len(tics))
colours["compare"] = {t: c for t, (_, c) in zip(reversed(tics), series)}
for l in want:
    got = {fig: colours[fig][l] for fig in colours}
    assert len(set(got.values())) == 1, (l, got)
assert len({colours["curves"][l] for l in want}) == len(want), colours["curves"]
PYEOF
	then ok "report: one colour per configuration, the same in curves, schedules and comparison"
	else nok "colours" "see above"; fi
else
	ok "python3 absent: colour check skipped"
fi

# The plots a user draws are the report's: same labels, same colours
sed -n '/<section id="schedules">/,/<\/section>/p' "$T/r.html" | sed -n '/<svg/,/<\/svg>/p' \
	| sed -E "s/(id=['\"]|href=['\"]#|url\(#)p[0-9]+-/\1/g" >"$T/got.svg"
sed -n '/<svg/,/<\/svg>/p' "$T/schedules.svg" >"$T/want.svg"
if cmp -s "$T/got.svg" "$T/want.svg"; then ok "plot schedules = the report's figure"; else nok "schedules figure" "differs"; fi
finish
