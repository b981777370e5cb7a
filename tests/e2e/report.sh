#!/usr/bin/env bash
# tests/e2e/report.sh - `lrsweep report` on a database made by a real
# (small) run: one self-contained HTML page, every text from the database
# escaped, the plots those of `lrsweep plot`, sections without data, the
# errors; then, when chromium is installed, the page in a real browser
# (its DOM, a screenshot, and no console message at all).
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1

# The comment travels with the YAML into experiments.config: the page must
# show it as text, never as markup.
cat >exp.yaml <<'YAML'
name: rep
# <script>alert(1)</script> & "quotes" 'single'
seed: 5
data:
  train: {format: synthetic, kind: spirals, samples: 1500, classes: 3, noise: 0.2}
  validation: 0.2
  normalize: standardize
model: {hidden: [32], activation: relu}
optimizer: {type: sgd, momentum: 0.9}
batch_size: 32
range_test: {mode: exponential, start_lr: 1.0e-4, end_lr: 10, epochs: 6, repeats: 2}
trials:
  epochs: 5
  seeds: [1, 2]
  schedules:
    - type: constant
    - {type: triangular, step_size: "1 epochs"}
    - {type: reduce_on_plateau, patience: 1}
YAML
DB=$T/rep.db
"$LRSWEEP" run exp.yaml --db "$DB" -q >/dev/null 2>&1 || { nok "setup run" "failed"; finish; }
H=$T/report.html

# count PATTERN FILE: occurrences (not lines) of a fixed string
count() { grep -oF -- "$1" "$2" | wc -l; }

run report "$DB" -o "$H"
if [ "$RC" -eq 0 ] && [ ! -s "$OUT" ] && [ -s "$H" ] && head -1 "$H" | grep -q '^<!DOCTYPE html>'
then ok "report writes an HTML page"; else nok "report" "rc=$RC $(cat "$ERR")"; fi
if grep -q 'wrote .*report.html' "$ERR"; then ok "says what it wrote"; else nok "wrote line" "$(cat "$ERR")"; fi
if ! grep -qi '<script' "$H"; then ok "no script element at all"; else nok "no script" "$(grep -io '.\{20\}<script.\{20\}' "$H" | head -2)"; fi
if grep -qF '# &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot; &#39;single&#39;' "$H"
then ok "the YAML is HTML-escaped"; else nok "escaped YAML" "$(grep -n 'alert' "$H" | head -2)"; fi
# self-contained: nothing fetched (the only URLs are SVG's XML namespaces)
ext=$(grep -oiE '(src|href)=["'"'"']?[a-z]+:|<link|@import|url\((["'"'"'])?[a-z]+:|https?://[^"'"'"' >]*' "$H" \
      | grep -v '^http://www.w3.org/' | sort -u | head -3)
if [ -z "$ext" ] && grep -q 'Content-Security-Policy' "$H"; then ok "self-contained: no external resource, CSP forbids fetches"
else nok "self-contained" "$ext"; fi
n_svg=$(count '<svg' "$H")
if [ "$n_svg" -ge 3 ] && ! grep -q '<?xml' "$H"; then ok "plots inline as SVG ($n_svg)"; else nok "inline svg" "$n_svg <svg, prolog $(count '<?xml' "$H")"; fi
if [ "$(count 'id="gnuplot_canvas"' "$H")" -eq 0 ] && [ "$(count "id='p1-gpPt0'" "$H")" -eq 1 ] && [ "$(count "id='p2-gpPt0'" "$H")" -eq 1 ]
then ok "each plot's ids are its own"; else nok "svg ids" "$(grep -o "id='p[0-9]*-gpPt0'" "$H" | tr '\n' ' ')"; fi
missing=
for s in '<h1>rep</h1>' '<th>status</th><td>completed</td>' '<th>started</th><td>20' '<th>finished</th><td>20' \
         '<th>host</th>' '<th>lrsweep version</th>' '1200 train, 300 validation, no test samples; 2 features, 3 classes' \
         '<th>trials</th><td>6: 6 completed</td>'; do
	grep -qF -- "$s" "$H" || missing="$missing [$s]"
done
if [ -z "$missing" ]; then ok "header: name, status, dates, host, version, data sizes, trials"; else nok "header" "missing$missing"; fi
if grep -q '<tr class="chosen"><td>combined</td>' "$H" && grep -q '^<tr><td>accuracy</td>' "$H" &&
   [ "$(sed -n '/id="range-test"/,/<\/section>/p' "$H" | grep -c '^<tr><td>loss-')" -eq 3 ]
then ok "bounds of every rule, the chosen one marked"; else nok "bounds table" "$(grep -c 'loss-' "$H")"; fi
note=$(sqlite3 "$DB" "select note from bounds where note is not null and experiment_id = (select max(id) from experiments) limit 1" |
	sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g; s/"/\&quot;/g; s/'"'"'/\&#39;/g')
if [ -n "$note" ] && grep -qF "<td>$note</td>" "$H" && grep -qF "<th>the rule&#39;s note</th>" "$H"
then ok "the rules' notes in the bounds table"; else nok "notes in the report" "'$note'"; fi
board=$(sed -n '/id="leaderboard"/,/<\/section>/p' "$H")
if [ "$(grep -c '^<tr><td class="n">' <<<"$board")" -eq 6 ] && grep -qF '<th>best val acc</th><th>best epoch</th><th>test acc</th><th>seconds</th>' <<<"$board"
then ok "leaderboard: the 6 completed trials"; else nok "leaderboard" "$(grep -c '<tr>' <<<"$board") rows"; fi
cmp=$(sed -n '/id="compare"/,/<\/section>/p' "$H")
if [ "$(grep -c '^<tr><td class="n">' <<<"$cmp")" -eq 3 ] && [ "$(grep -c 'class="best">best<' <<<"$cmp")" -eq 1 ] \
   && grep -q '&#177;' <<<"$cmp"
then ok "comparison: 3 configurations, mean +- 95% CI, verdicts"; else nok "comparison" "$(head -c 400 <<<"$cmp")"; fi
# the verdicts are those of `lrsweep query compare`
"$LRSWEEP" query "$DB" compare >"$T/q.txt" 2>/dev/null
want=$(grep -E '^ *[0-9]+ ' "$T/q.txt" | grep -oE '(best|same \(p=[^)]*\)|worse \(p=[^)]*\))$' | tr '\n' ' ')
got=$(grep -oE '>(best|same \(p=[^)]*\)|worse \(p=[^)]*\))</td></tr>' <<<"$cmp" | sed 's/^>//; s/<.*//' | tr '\n' ' ')
if [ -n "$want" ] && [ "$want" = "$got" ]; then ok "verdicts = query compare's ($want)"; else nok "verdicts" "query: $want report: $got"; fi

# the plots are those `lrsweep plot` draws, ids aside
for w in range-test curves schedules; do
	"$LRSWEEP" plot "$DB" "$w" -o "$T/$w.svg" -q 2>/dev/null
	sed -n '/<svg/,/<\/svg>/p' "$T/$w.svg" >"$T/want.svg"
	sed -n "/<section id=\"$w\">/,/<\/section>/p" "$H" | sed -n '/<svg/,/<\/svg>/p' \
		| sed -E "s/(id=['\"]|href=['\"]#|url\(#)p[0-9]+-/\1/g" >"$T/got.svg"
	if [ -s "$T/want.svg" ] && cmp -s "$T/want.svg" "$T/got.svg"; then ok "$w plot = lrsweep plot $w"
	else nok "$w plot" "differs from lrsweep plot $w ($(wc -c <"$T/got.svg") vs $(wc -c <"$T/want.svg") bytes)"; fi
done

# a name from the database is escaped too (names from YAML cannot hold
# markup, a database edited by hand can)
if command -v sqlite3 >/dev/null; then
	cp "$DB" "$T/odd.db"
	sqlite3 "$T/odd.db" "UPDATE experiments SET name = 'x<b>&\"''q'" 2>/dev/null
	run report "$T/odd.db" -o "$T/odd.html"
	if [ "$RC" -eq 0 ] && grep -qF '<h1>x&lt;b&gt;&amp;&quot;&#39;q</h1>' "$T/odd.html" \
	   && grep -qF '<title>x&lt;b&gt;&amp;&quot;&#39;q - lrsweep report</title>' "$T/odd.html" && ! grep -q '<b>' "$T/odd.html"
	then ok "the experiment name is HTML-escaped (header, title, plot titles)"; else nok "escaped name" "rc=$RC $(grep -o '<h1>.*</h1>' "$T/odd.html")"; fi
else
	ok "sqlite3 absent: escaped-name check skipped"
fi

run report "$DB" -o "$T/byname.html" --experiment rep -q
if [ "$RC" -eq 0 ] && [ ! -s "$ERR" ] && grep -q '<h1>rep</h1>' "$T/byname.html"; then ok "--experiment NAME, -q"; else nok "--experiment name" "rc=$RC $(cat "$ERR")"; fi
run report "$DB" --output="$T/byid.html" --experiment 1 -q
if [ "$RC" -eq 0 ] && grep -q '(experiment 1)' "$T/byid.html"; then ok "--experiment ID, --output=F"; else nok "--experiment id" "rc=$RC $(cat "$ERR")"; fi

# sections without data say so
"$LRSWEEP" run exp.yaml --db "$T/given.db" --min-lr 0.01 --max-lr 0.1 -q >/dev/null 2>&1
run report "$T/given.db" -o "$T/given.html"
if [ "$RC" -eq 0 ] && grep -q 'class="none">No range test in this experiment: its bounds were given' "$T/given.html" \
   && [ "$(count '<svg' "$T/given.html")" -ge 2 ]
then ok "bounds given: the range test section says so"; else nok "given bounds" "rc=$RC $(cat "$ERR")"; fi
"$LRSWEEP" range-test exp.yaml --db "$T/rt.db" -q >/dev/null 2>&1
run report "$T/rt.db" -o "$T/rt.html"
if [ "$RC" -eq 0 ] && [ "$(count 'class="none">No completed' "$T/rt.html")" -ge 2 ] && grep -q 'Not drawn: experiment [0-9]* has no trials' "$T/rt.html" \
   && [ "$(count '<svg' "$T/rt.html")" -eq 1 ]
then ok "no trials: leaderboard, comparison and plots say so"; else nok "no trials" "rc=$RC $(cat "$ERR")"; fi

run report --help
if [ "$RC" -eq 0 ] && grep -q '^usage: lrsweep report DB' "$OUT" && grep -q 'self-contained' "$OUT"; then ok "--help"; else nok "--help" "rc=$RC"; fi

bad_usage "missing database" "no such database" report "$T/nope.db" -o "$T/x.html"
bad_usage "not a database" "not an SQLite database" report exp.yaml -o "$T/x.html"
bad_usage "unknown experiment" "no experiment 'zz'" report "$DB" -o "$T/x.html" --experiment zz
bad_usage "unknown experiment id" "no experiment '99'" report "$DB" -o "$T/x.html" --experiment 99
bad_usage "unwritable output" "cannot write the report" report "$DB" -o "$T/no/such/dir/x.html"
bad_usage "output is a directory" "cannot write the report" report "$DB" -o "$T"
bad_usage "output is the database" "is the database" report "$DB" -o "$DB"
bad_usage "no output" "-o F.html" report "$DB"
bad_usage "unknown option" "unknown option '--bogus'" report "$DB" -o "$T/x.html" --bogus 1
if "$LRSWEEP" query "$DB" experiments >/dev/null 2>&1; then ok "the database survives -o DB"; else nok "db intact" "query fails"; fi
LRSWEEP_GNUPLOT=$T/no-gnuplot run report "$DB" -o "$T/nognu.html"
if [ "$RC" -eq 1 ] && [ "$(wc -l <"$ERR")" -eq 1 ] && grep -q '^lrsweep report: gnuplot not found' "$ERR" && [ ! -e "$T/nognu.html" ]
then ok "gnuplot missing: exit 1, one line, no page"; else nok "no gnuplot" "rc=$RC $(cat "$ERR")"; fi
if ! ls -d /tmp/lrsweep-report-* >/dev/null 2>&1; then ok "no temporary files left"; else nok "temporaries" "$(ls -d /tmp/lrsweep-report-*)"; fi

# ---------------------------------------------------------------- browser
# Chromium renders the page offline. The page has no script, so any console
# line at all (an uncaught error, a CSP violation, a failed load) fails.
if command -v chromium >/dev/null 2>&1; then
	chrome() {
		timeout 120 chromium --headless=new --no-sandbox --disable-gpu --no-first-run \
			--user-data-dir="$T/chrome" "$@"
	}
	chrome --enable-logging=stderr --v=0 --dump-dom "file://$H" >"$T/dom.html" 2>"$T/chrome.err"
	c=$?
	if [ "$c" -eq 0 ] && [ "$(count '<svg' "$T/dom.html")" -ge 3 ] && [ "$(count '<table' "$T/dom.html")" -ge 4 ] \
	   && grep -q 'Leaderboard' "$T/dom.html" && grep -qF '&lt;script&gt;alert(1)' "$T/dom.html"
	then ok "chromium: the DOM holds the tables and the plots"; else nok "chromium dom" "rc=$c $(wc -c <"$T/dom.html") bytes"; fi
	bad=$(grep -E 'Uncaught|ERROR:CONSOLE|:CONSOLE' "$T/chrome.err" | head -3)
	if [ -z "$bad" ]; then ok "chromium: no console error"; else nok "chromium console" "$bad"; fi
	chrome --hide-scrollbars --screenshot="$T/shot.png" --window-size=1280,2000 "file://$H" >/dev/null 2>&1
	size=$(wc -c <"$T/shot.png" 2>/dev/null || echo 0)
	if head -c 8 "$T/shot.png" 2>/dev/null | grep -q PNG && [ "$size" -gt 50000 ]
	then ok "chromium: screenshot ($size bytes)"; else nok "chromium screenshot" "$size bytes"; fi
else
	ok "chromium absent: browser check skipped"
fi
finish
