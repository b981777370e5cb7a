#!/usr/bin/env bash
# tests/e2e/report_ended.sh - the trials that did not complete, in the
# report and in `query trials`: an external trainer that exits mid-run
# (failed, its error the trainer's own markup), built-in trials at a huge
# constant rate (diverged) and ASHA (pruned). The report lists each with
# its configuration, seed, the epochs and steps it reached and what
# happened, the error's first line HTML-escaped and cut, at most 20 of a
# status then "and N more"; nothing when every trial completed. Every
# expectation is read from the database the run wrote.
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
command -v sqlite3 >/dev/null || { ok "skipped: no sqlite3"; finish; }
[ -x "$PY" ] || { ok "skipped: no $PY"; finish; }
q() { sqlite3 "$1" "$2"; }
CAP=20   # LRS_REPORT_NOT_COMPLETED: rows of each status the report lists

# the HTML escaping of report_html_text, on stdin
esc() { sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g; s/"/\&quot;/g; s/'"'"'/\&#39;/g'; }
# the section of the report $1 that lists them
section() { sed -n '/<section id="ended-early">/,/<\/section>/p' "$1"; }

STUB=$T/stub_trainer
if ! cc -std=c11 -O2 -o "$STUB" "$REPO/tests/clients/stub_trainer.c" -lm 2>"$T/cc.log"; then
	nok "build the stub trainer" "$(head -c 400 "$T/cc.log")"
	finish
fi

# --- failed: an external trainer that exits mid-run ------------------------
# seed 1 completes; seed 2 writes markup to stderr (the log, whose last
# lines end the stored error) and exits after 12 steps without done;
# seeds 10 and up write a 300-byte line and exit at once: more failed
# trials than the report lists, each error longer than it shows
cat >fake.sh <<EOF
#!/bin/sh
case \$1 in
2)  printf '%s\n' "<script>alert(1)</script> & \"q\" 's <b>bold</b>" >&2
    exec "$STUB" --fault exit-early --fault-at 12 ;;
1|3) exec "$STUB" ;;
*)  printf 'x%.0s' \$(seq 300) >&2; echo >&2
    exec "$STUB" --fault exit-early --fault-at 0 ;;
esac
EOF
chmod +x fake.sh
cat >ext.yaml <<EOF
name: ext
seed: 3
trainer:
  command: [$T/fake.sh, "{seed}"]
  startup_timeout: 5 s
  timeout: 5 s
  grace: 2 s
params: {scale: 1}
optimizer: {type: sgd, momentum: 0.9}
batch_size: 10
range_test: {bounds: {min_lr: 0.001, max_lr: 0.1}}
trials:
  epochs: 3
  seeds: [1, 2, $(seq -s ', ' 10 32)]
  schedules:
    - {type: constant, lr: 0.01}
EOF
run run ext.yaml --db "$T/ext.db" --threads 2 -q
nf=$(q ext.db "select count(*) from trials where status = 'failed'")
if [ "$RC" -eq 0 ] && [ "$nf" = 24 ] && [ "$(q ext.db "select status from trials where seed = 1")" = completed ]; then
	ok "setup: 24 trials failed, seed 1 completed"
else
	nok "setup ext" "rc=$RC failed=$nf $(tail -c 300 "$ERR")"
	finish
fi
run report ext.db -o ext.html -q
S=$(section ext.html)
if [ "$RC" -eq 0 ] && grep -q "^<p>24 of 25 trials ended before their last epoch: 24 failed\. " <<<"$S" &&
   grep -q '<nav>.*<a href="#ended-early">did not complete</a>' ext.html; then
	ok "report: a section on the trials that did not complete, in the menu"
else
	nok "report section" "rc=$RC $(head -c 400 <<<"$S") $(cat "$ERR")"
fi
# the hostile error: its first line, escaped, whole (shorter than the cut)
id=$(q ext.db "select id from trials where seed = 2")
first=$(q ext.db "select error from trials where seed = 2" | "$PY" -c 'import sys; print(sys.stdin.read().split("\\n")[0].rstrip("\n"))')
want="<tr><td class=\"n\">$id</td><td>failed</td><td title=\"[^\"]*\">constant</td><td class=\"n\">2</td>"
want="$want<td class=\"n\">$(q ext.db "select epochs_done from trials where id = $id")</td>"
want="$want<td class=\"n\">$(q ext.db "select iterations from trials where id = $id")</td>"
if [[ $first == *"<script>alert(1)</script>"* ]] && [ "${#first}" -lt 200 ] &&
   grep -q -- "^$want<td>" <<<"$S" && grep -qF -- "<td>$(esc <<<"$first")</td></tr>" <<<"$S"; then
	ok "a failed trial: its configuration, seed, epochs and steps reached, its error's first line escaped"
else
	nok "failed row" "$(grep "<td class=\"n\">$id</td>" <<<"$S" | head -c 600)"
fi
if ! grep -qi '<script\|<b>' ext.html && grep -qF '&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot; &#39;s &lt;b&gt;bold&lt;/b&gt;' <<<"$S" &&
   ! grep -q 'config mode=trial' <<<"$S"; then
	ok "the trainer's markup is text (no <script>, no <b>); the error's other lines stay out"
else
	nok "escaped error" "$(grep -o '.\{40\}alert.\{60\}' ext.html | head -3)"
fi
# the long errors: their first 200 bytes, then an ellipsis
long=$(q ext.db "select id from trials where seed = 10")
lfirst=$(q ext.db "select error from trials where id = $long" | "$PY" -c 'import sys; print(sys.stdin.read().split("\\n")[0][:200])')
if [ "$(q ext.db "select length(error) > 300 from trials where id = $long")" = 1 ] &&
   grep -qF -- "<td>$(esc <<<"$lfirst")&#8230;</td></tr>" <<<"$S" &&
   [ "$(grep -c "&#8230;</td></tr>" <<<"$S")" = $((CAP - 1)) ]; then
	ok "an error longer than 200 bytes: its first 200, then an ellipsis"
else
	nok "long error" "$(grep -o "<td class=\"n\">$long</td>.*" <<<"$S" | head -c 600)"
fi
# at most 20 of a status, the first by id; then how many more
ids=$(grep -o '^<tr><td class="n">[0-9]*</td><td>failed</td>' <<<"$S" | grep -o '[0-9][0-9]*' | tr '\n' ' ')
want_ids=$(q ext.db "select id from trials where status = 'failed' order by id limit $CAP" | tr '\n' ' ')
if [ "$ids" = "$want_ids" ] &&
   grep -qF "<tr class=\"more\"><td colspan=\"7\">and $((nf - CAP)) more failed trials (<code>lrsweep query DB trials --status failed</code>)</td></tr>" <<<"$S"; then
	ok "$CAP failed trials listed (the first by id), then 'and $((nf - CAP)) more'"
else
	nok "cap" "ids: $ids want: $want_ids $(grep 'more' <<<"$S")"
fi

# --- query trials: the error and the steps reached, in every format --------
err2=$(q ext.db "select error from trials where id = $id")
it2=$(q ext.db "select iterations from trials where id = $id")
ep2=$(q ext.db "select epochs_done from trials where id = $id")
"$LRSWEEP" query ext.db trials --status failed >qt.txt 2>&1
"$LRSWEEP" query ext.db trials --format csv >qt.csv 2>&1
"$LRSWEEP" query ext.db trials --format json >qt.json 2>&1
row=$(grep "^ *$id  " qt.txt)
if head -1 qt.txt | grep -q ' epochs_done  iterations .* error$' &&
   grep -qE "^ *$id  constant .* failed +$ep2 +$it2 .*  the trainer ended before done, after $it2 of " <<<"$row" &&
   grep -qF -- "$first" <<<"$row"; then
	ok "query trials (table): a failed trial's epochs, steps and error"
else
	nok "query table" "$(head -1 qt.txt) / $row"
fi
if "$PY" - "$id" "$it2" "$ep2" qt.csv qt.json 3<<<"$err2" <<'EOF'
import csv, json, sys
tid, it, ep, csvf, jsonf = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
err = open(3).read().rstrip("\n")
c = [r for r in csv.DictReader(open(csvf, newline="")) if int(r["id"]) == tid]
assert len(c) == 1 and c[0]["status"] == "failed", c
assert c[0]["error"] == err and int(c[0]["iterations"]) == it and int(c[0]["epochs_done"]) == ep, c[0]
j = [r for r in json.load(open(jsonf)) if r["id"] == tid]
assert len(j) == 1 and j[0]["error"] == err and j[0]["iterations"] == it and j[0]["epochs_done"] == ep, j
assert all(r["error"] is None for r in json.load(open(jsonf)) if r["status"] == "completed")
EOF
then
	ok "query trials (CSV, JSON): the error as stored, the steps and epochs reached"
else
	nok "query csv/json" "$(head -c 300 qt.json)"
fi

# --- diverged and pruned: built-in trials, a huge constant rate and ASHA ----
cat >bi.yaml <<'EOF'
name: bi
seed: 4
data:
  train: {format: synthetic, kind: spirals, samples: 600, classes: 3, noise: 0.2}
  validation: 0.25
model: {hidden: [16], activation: relu}
optimizer: {type: sgd, momentum: 0.9}
batch_size: 32
range_test: {bounds: {min_lr: 0.001, max_lr: 0.1}}
trials:
  epochs: 4
  seeds: [1, 2]
  threads: 1
  pruning: {type: asha}
  schedules:
    - {type: constant, lr: {grid: [0.0001, 0.001, 0.1, 1.0e30]}}
EOF
run run bi.yaml --db "$T/bi.db" -q
nd=$(q bi.db "select count(*) from trials where status = 'diverged'")
np=$(q bi.db "select count(*) from trials where status = 'pruned'")
nt=$(q bi.db "select count(*) from trials")
if [ "$RC" -eq 0 ] && [ "$nd" -ge 1 ] && [ "$np" -ge 1 ]; then
	ok "setup: $nd diverged, $np pruned of $nt trials"
else
	nok "setup bi" "rc=$RC diverged=$nd pruned=$np $(tail -c 300 "$ERR")"
	finish
fi
run report bi.db -o bi.html -q
S=$(section bi.html)
if [ "$RC" -eq 0 ] && grep -q "^<p>$((nd + np)) of $nt trials ended before their last epoch: $nd diverged, $np pruned\. " <<<"$S" &&
   grep -q 'numbers steps from 0' <<<"$S" && ! grep -q 'trials --status failed' <<<"$S"; then
	ok "report: the diverged and pruned trials counted"
else
	nok "bi section" "rc=$RC $(head -c 400 <<<"$S")"
fi
# each row as the database holds it: diverged (with its step) first, then
# pruned (with its epoch), each in id order
want=$(q bi.db "select id || '|' || status || '|' || seed || '|' || epochs_done || '|' || iterations || '|' ||
	case status when 'diverged' then 'loss NaN or infinite at step ' || diverged_at else 'pruned after epoch ' || epochs_done end
	from trials where status in ('diverged', 'pruned') order by status = 'pruned', id")
got=$(grep '^<tr><td class="n">' <<<"$S" | sed -E 's#^<tr><td class="n">([0-9]+)</td><td>([a-z]+)</td><td title="[^"]*">constant lr=[^<]*</td><td class="n">([0-9]+)</td><td class="n">([0-9]+)</td><td class="n">([0-9]+)</td><td>([^<]*)</td></tr>$#\1|\2|\3|\4|\5|\6#')
if [ -n "$want" ] && [ "$got" = "$want" ]; then
	ok "diverged at their step, pruned after their epoch: each with configuration, seed, epochs and steps"
else
	nok "bi rows" "want: $want / got: $got"
fi
# the diverged trials' configuration is named as the comparison names it
lr=$(grep -o '<td>diverged</td><td title="[^"]*">[^<]*<' <<<"$S" | head -1 | sed 's/.*">//; s/<$//')
if [ "$lr" = "constant lr=1e+30" ]; then ok "the configuration's label ($lr)"; else nok "label" "'$lr'"; fi

# --- every trial completed: no section, no link -----------------------------
sed 's/1.0e30\]/0.05]/; /pruning:/d' bi.yaml >ok.yaml
run run ok.yaml --db "$T/ok.db" -q
run report ok.db -o ok.html -q
if [ "$(q ok.db "select count(*), sum(status = 'completed') from trials")" = "8|8" ] && [ "$RC" -eq 0 ] &&
   ! grep -q 'ended-early\|did not complete' ok.html && grep -q '<th>trials</th><td>8: 8 completed</td>' ok.html; then
	ok "every trial completed: no such section, no menu entry"
else
	nok "all completed" "rc=$RC $(q ok.db 'select status, count(*) from trials group by 1' | tr '\n' ' ') $(grep -c ended-early ok.html)"
fi
finish
