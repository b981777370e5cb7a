#!/usr/bin/env bash
# tests/e2e/node_example.sh - examples/node: a Node.js trainer written from
# docs/trainers.md alone (fs and readline, no client library) through the
# whole pipeline: the probe, a range test of 2 repeats, 12 trials (3
# schedules x 2 params x 2 seeds), query. It reads fd 3 with
# fs.createReadStream, which keeps Node alive while a read is pending: it
# exits at once only because lrsweep shuts its end after stop and done
# (else the probe failed after trainer.grace). Skipped without node.
set -u
. "$(dirname "$0")/lib.sh"
command -v node >/dev/null || { ok "node absent: examples/node skipped"; finish; }
command -v sqlite3 >/dev/null || { ok "sqlite3 absent: examples/node skipped"; finish; }
q() { sqlite3 "$T/n.db" "$1"; }

start=$(date +%s)
run run "$REPO/examples/node/blobs.yaml" --db "$T/n.db"
took=$(($(date +%s) - start))
if [ "$RC" -eq 0 ] && grep -q "^bounds (combined)" "$OUT" &&
   [ "$(q "select count(*) from trials where status = 'completed'")" = 12 ] &&
   [ "$(q "select count(*) from range_points")" = 96 ]; then
	ok "node trainer: range test (2 x 48 points), bounds, 12 trials completed in $took s"
else
	nok "node trainer" "rc=$RC $(tail -c 400 "$ERR")"
fi
# every trial really trained: above chance (1/3) on the held-out test set
low=$(q "select count(*) from trials where not test_accuracy > 0.6")
[ "$low" = 0 ] && ok "every trial learned (test accuracy > 0.6)" || nok "accuracy" "$low trials at or below 0.6"
slow=$(q "select count(*) from trials where wall_seconds >= 10")
[ "$slow" = 0 ] && ok "no trial waited for trainer.grace after done" || nok "grace" "$slow trials took 10 s or more"
run query "$T/n.db" best
[ "$RC" -eq 0 ] && grep -q "params={csv: blobs.csv, init_scale:" "$OUT" && ok "query best names the params" ||
	nok "query best" "rc=$RC $(head -c 300 "$OUT") $(cat "$ERR")"
left=$(pgrep -f 'node train[.]js' | wc -l)
[ "$left" = 0 ] && ok "no node process left" || nok "processes" "$(pgrep -af 'node train.js')"
finish
