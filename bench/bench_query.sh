#!/usr/bin/env bash
# bench/bench_query.sh - lrsweep query on a big database: 10,000 trials x 30
# epochs (300,000 epoch rows) of one experiment, generated with SQL in the
# lrsweep schema (the run that makes the file stores one small experiment;
# the trials are then added). Times `query best`, `query compare` (by
# configuration, and --by schedule) and `query trials --top 20` (whole
# process, median of 5). Target: < 200 ms each.
#
#   bench/bench_query.sh [bin/lrsweep]
set -eu
LRSWEEP=${1:-bin/lrsweep}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cat >"$T/e.yaml" <<'YAML'
name: big
data: {train: {format: synthetic, kind: blobs, samples: 200}, validation: 0.2}
model: {hidden: [8]}
trials: {epochs: 1}
YAML
"$LRSWEEP" run "$T/e.yaml" --db "$T/big.db" --min-lr 0.01 --max-lr 0.1 -q >/dev/null
# 40 configurations (schedule x params) x 250 seeds, 30 epochs each
sqlite3 "$T/big.db" <<'SQL'
PRAGMA foreign_keys = ON;
BEGIN;
WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < 9999)
INSERT INTO trials (experiment_id, trial_key, schedule, params, hyper, seed, status, epochs_done, iterations,
                    best_val_accuracy, best_epoch, final_val_accuracy, final_val_loss, final_train_loss,
                    test_accuracy, started_at, finished_at, wall_seconds)
SELECT 1, printf('%016x', i + 1000), CASE i % 4 WHEN 0 THEN 'constant' WHEN 1 THEN 'triangular'
       WHEN 2 THEN 'one_cycle' ELSE 'cosine_annealing' END,
       printf('{"lr": %.6f}', 0.01 + (i % 40) / 1000.0), '{"batch_size": 128}', i / 40 + 1,
       CASE WHEN i % 17 = 0 THEN 'pruned' ELSE 'completed' END, 30, 12660,
       0.80 + (i % 40) / 1000.0 + (abs(random()) % 1000) / 100000.0, 30,
       0.80 + (i % 40) / 1000.0, 0.4, 0.3, 0.79 + (i % 40) / 1000.0 + (abs(random()) % 1000) / 100000.0,
       '2026-01-01T00:00:00.000Z', '2026-01-01T00:01:00.000Z', 60.0
FROM k;
WITH RECURSIVE e(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM e WHERE n < 30)
INSERT INTO epochs (trial_id, epoch, iteration, lr, train_loss, train_accuracy, val_loss, val_accuracy, wall_seconds)
SELECT t.id, e.n, e.n * 422, 0.05, 1.0 / e.n, 0.5 + e.n / 70.0, 1.1 / e.n, 0.5 + e.n / 75.0, 2.0
FROM trials t, e WHERE t.id > 1;
COMMIT;
SQL
printf '\nlrsweep query on %s trials x 30 epochs (%s epoch rows), whole process, median of 5\n\n' \
	"$(sqlite3 "$T/big.db" 'select count(*) from trials')" "$(sqlite3 "$T/big.db" 'select count(*) from epochs')"
printf '%-28s %10s\n' "query" "ms"
status=met
for q in "best" "compare" "trials --top 20" "compare --target-accuracy 0.9" "compare --by schedule"; do
	for i in 1 2 3 4 5; do
		s=$(date +%s%N)
		"$LRSWEEP" query "$T/big.db" $q >/dev/null
		e=$(date +%s%N)
		echo $(((e - s) / 1000000))
	done | sort -n | sed -n 3p >"$T/ms"
	ms=$(cat "$T/ms")
	printf '%-28s %10s\n' "$q" "$ms"
	[ "$ms" -lt 200 ] || status="NOT MET"
done
echo
echo "every query under 200 ms: $status"
