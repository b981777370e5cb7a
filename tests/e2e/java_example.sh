#!/usr/bin/env bash
# tests/e2e/java_example.sh - examples/java: a Java trainer written from
# docs/trainers.md alone (standard library, `java Train.java`), whose
# command hands descriptor 3 to the JVM as stdin (/bin/sh -c 'exec java
# Train.java 0<&3'; System.inheritedChannel()), through the whole pipeline
# on breast_cancer: the probe, a range test whose eval messages the program
# answers when it reads them (104 points, the last evaluated too), 12
# trials (3 schedules x 2 params x 2 seeds), query and report. Skipped
# without java or scikit-learn's breast_cancer.csv (python3-sklearn).
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
command -v java >/dev/null || { ok "skipped: no java"; finish; }
data=/usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv
[ -r "$data" ] || { ok "skipped: no $data (python3-sklearn)"; finish; }
command -v sqlite3 >/dev/null || { ok "skipped: no sqlite3"; finish; }
q() { sqlite3 "$T/j.db" "$1"; }

start=$(date +%s)
run run "$REPO/examples/java/cancer.yaml" --db "$T/j.db" --threads 2
took=$(($(date +%s) - start))
# 104 steps (13 an epoch), evaluated at 0, 10, ..., 100 and the last, 103
if [ "$RC" -eq 0 ] && grep -q "^bounds (combined)" "$OUT" &&
   [ "$(q "select count(*) || ' ' || count(accuracy) || ' ' || max(iteration) from range_points")" = "104 12 103" ] &&
   [ "$(q "select count(*) from trials where status = 'completed' and epochs_done = 6")" = 12 ]; then
	ok "java trainer: range test (104 points, 12 evaluations), bounds, 12 trials in $took s"
else
	nok "java trainer" "rc=$RC $(tail -c 400 "$ERR")"
fi
low=$(q "select count(*) from trials where not test_accuracy > 0.9")
[ "$low" = 0 ] && ok "every trial learned (test accuracy > 0.9)" || nok "accuracy" "$low trials at or below 0.9"
run query "$T/j.db" compare
[ "$RC" -eq 0 ] && grep -q "params.hidden=8" "$OUT" && ok "query compare" || nok "query compare" "rc=$RC $(head -c 300 "$ERR")"
run report "$T/j.db" -o "$T/j.html"
[ "$RC" -eq 0 ] && grep -q "java-cancer" "$T/j.html" && ok "report" || nok "report" "rc=$RC $(cat "$ERR")"
left=$(pgrep -f 'java Train[.]java' | wc -l)
[ "$left" = 0 ] && ok "no JVM left" || nok "processes" "$(pgrep -af 'java Train.java')"
finish
