#!/usr/bin/env bash
# tests/e2e/search.sh - strategy tpe and shared samples through `lrsweep
# run`: 1, 2 and 4 threads store identical trials (ASHA pruning on, so
# pruned trials inform the proposals); a run cut short between and inside
# rounds finishes with --resume exactly as the uninterrupted one; the
# proposals follow the results (the search settles on the better
# schedule); search.shared gives every schedule entry the same draws; bad
# search settings are one line with file:line:column and exit 2. (MPI:
# tests/e2e/mpi.sh.)
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
if ! command -v sqlite3 >/dev/null; then
	ok "sqlite3 absent: search checks skipped"
	finish
fi
q() { sqlite3 "$1" "$2"; }

cat >tpe.yaml <<'YAML'
name: search
seed: 5
data:
  train: {format: synthetic, kind: spirals, samples: 900, classes: 3, noise: 0.2}
  validation: 0.2
model: {hidden: [24], activation: relu}
optimizer: {type: sgd, momentum: 0.9}
batch_size: 32
range_test: {bounds: {min_lr: 0.01, max_lr: 0.3}}
trials:
  epochs: 4
  seeds: [1, 2]
  schedules:
    - {type: constant, lr: {log_uniform: [1.0e-4, 1.0]}}
    - {type: triangular, step_size: {choice: ["1 epochs", "2 epochs"]}}
  space:
    optimizer.weight_decay: {log_uniform: [1.0e-5, 1.0e-2]}
    batch_size: {choice: [16, 32]}
  search: {strategy: tpe, samples: 14, startup: 4, batch: 3}
  pruning: {type: asha, grace_epochs: 1, reduction_factor: 2}
YAML
M="select id, trial_key, schedule, params, hyper, seed, status, epochs_done, best_val_accuracy, final_val_loss
	from trials order by id"
for t in 1 2 4; do
	run run tpe.yaml --db "$T/t$t.db" --threads $t -q
	[ "$RC" -eq 0 ] || nok "run --threads $t" "rc=$RC $(tail -c 300 "$ERR")"
done
n=$(q t1.db "select count(*) from trials")
pruned=$(q t1.db "select count(*) from trials where status = 'pruned'")
if [ "$(q t1.db "$M")" = "$(q t2.db "$M")" ] && [ "$(q t1.db "$M")" = "$(q t4.db "$M")" ] && [ "$n" = 28 ] &&
   [ "$pruned" -gt 0 ]; then
	ok "1, 2 and 4 threads store the same $n trials ($pruned pruned)"
else
	nok "threads" "n=$n pruned=$pruned $(diff <(q t1.db "$M") <(q t4.db "$M") | head -4)"
fi
CURVES="select t.trial_key, e.epoch, e.val_accuracy, e.train_loss from epochs e join trials t on t.id = e.trial_id
	order by 1, 2"
if [ "$(q t1.db "$CURVES")" = "$(q t4.db "$CURVES")" ]; then
	ok "and the same curves"
else
	nok "curves" "$(diff <(q t1.db "$CURVES") <(q t4.db "$CURVES") | head -4)"
fi

# --resume: the run cut short after its first two rounds, with one trial of
# the second left running; the search goes on with the same proposals
cp t2.db cut.db
q cut.db "pragma foreign_keys = on;
	delete from trials where id > 14;
	update trials set status = 'running' where id = 12;
	update experiments set status = 'interrupted'"
run run tpe.yaml --db "$T/cut.db" --threads 2 --resume -q
if [ "$RC" -eq 0 ] && [ "$(q cut.db "$M")" = "$(q t1.db "$M")" ] &&
   [ "$(q cut.db "select status from experiments")" = completed ]; then
	ok "--resume after two rounds (one trial left running) proposes and stores what the uninterrupted run did"
else
	nok "resume" "rc=$RC $(diff <(q cut.db "$M") <(q t1.db "$M") | head -4) $(tail -c 300 "$ERR")"
fi

# the proposals follow the results: a schedule entry that trains far worse
# (lr 1e-6 .. 1e-5: barely moves) is proposed less once the model takes
# over than in the random startup
sed 's/lr: {log_uniform: \[1.0e-4, 1.0\]}/lr: {log_uniform: [1.0e-6, 1.0e-5]}/; s/samples: 14, startup: 4, batch: 3/samples: 24, startup: 8, batch: 4/;
	/pruning:/d; s/seeds: \[1, 2\]/seeds: [1]/' tpe.yaml >learn.yaml
run run learn.yaml --db "$T/learn.db" -q
early=$(q learn.db "select count(*) from trials where id <= 8 and schedule = 'constant'")
late=$(q learn.db "select count(*) from trials where id > 8 and schedule = 'constant'")
if [ "$RC" -eq 0 ] && [ "$late" -lt 8 ] && [ "$((late * 8))" -lt "$((early * 16))" ]; then
	ok "the slow schedule: $early of the 8 random trials, $late of the 16 proposed"
else
	nok "learning" "rc=$RC early=$early late=$late"
fi

# shared: every schedule entry trains with the same draws of the space
cat >shared.yaml <<'YAML'
name: shared
seed: 9
data:
  train: {format: synthetic, kind: blobs, samples: 400, classes: 3}
  validation: 0.2
model: {hidden: []}
optimizer: {type: sgd, momentum: 0.9}
batch_size: 32
range_test: {bounds: {min_lr: 0.01, max_lr: 0.3}}
trials:
  epochs: 2
  schedules:
    - {type: constant}
    - {type: triangular, step_size: "1 epochs"}
    - {type: one_cycle}
  space:
    optimizer.weight_decay: {log_uniform: [1.0e-5, 1.0e-2]}
    optimizer.momentum: {uniform: [0.5, 0.95]}
  search: {strategy: random, samples: 3, shared: true}
YAML
H="select hyper from trials where schedule = '%s' order by id"
run run shared.yaml --db "$T/sh.db" -q
c=$(q sh.db "$(printf "$H" constant)")
if [ "$RC" -eq 0 ] && [ "$(q sh.db "select count(*) from trials")" = 9 ] && [ "$(q sh.db "select count(distinct hyper) from trials")" = 3 ] &&
   [ "$c" = "$(q sh.db "$(printf "$H" triangular)")" ] && [ "$c" = "$(q sh.db "$(printf "$H" one_cycle)")" ]; then
	ok "shared random search: 3 draws, each trained with every schedule"
else
	nok "shared" "rc=$RC $(q sh.db "select schedule, hyper from trials") $(tail -c 300 "$ERR")"
fi
sed 's/strategy: random, samples: 3, shared: true/strategy: tpe, samples: 4, startup: 2, batch: 1, shared: true/' shared.yaml >shtpe.yaml
run run shtpe.yaml --db "$T/sht.db" -q
c=$(q sht.db "$(printf "$H" constant)")
if [ "$RC" -eq 0 ] && [ "$(q sht.db "select count(*) from trials")" = 12 ] &&
   [ "$c" = "$(q sht.db "$(printf "$H" one_cycle)")" ]; then
	ok "shared tpe search: 4 proposals, each trained with every schedule"
else
	nok "shared tpe" "rc=$RC $(tail -c 300 "$ERR")"
fi
sed 's/search: {strategy: random, samples: 3, shared: true}/search: {strategy: random, samples: 3}/' shared.yaml >apart.yaml
run run apart.yaml --db "$T/ap.db" -q
if [ "$RC" -eq 0 ] && [ "$(q ap.db "select count(distinct hyper) from trials")" = 9 ]; then
	ok "without shared, each entry draws its own"
else
	nok "apart" "rc=$RC"
fi

# proposals the schedule refuses (base_lr above max_lr, step_size 0) are
# trials stored as failed with the reason; the search goes on, ignores
# them and counts them in its budget; threads and --resume as before
cat >refuse.yaml <<'YAML'
name: refuse
seed: 3
data:
  train: {format: synthetic, kind: blobs, samples: 300, classes: 3}
  validation: 0.2
model: {hidden: []}
optimizer: {type: sgd, momentum: 0.9}
batch_size: 32
range_test: {bounds: {min_lr: 0.01, max_lr: 0.3}}
trials:
  epochs: 2
  seeds: [1, 2]
  schedules:
    - {type: triangular, base_lr: {log_uniform: [1.0e-3, 10.0]}, max_lr: 0.1, step_size: {int_uniform: [0, 20]}}
  search: {strategy: tpe, samples: 12, startup: 4, batch: 2}
  pruning: {type: asha, grace_epochs: 1, reduction_factor: 2}
YAML
F="select id, trial_key, params, seed, status, epochs_done, best_val_accuracy, error from trials order by id"
run run refuse.yaml --db "$T/rf1.db" --threads 1
rc1=$RC
failed_lines=$(grep -c 'done (failed): triangular .*refuse.yaml:14:[0-9]*: triangular: parameter' "$ERR")
run run refuse.yaml --db "$T/rf2.db" --threads 2 -q
nf=$(q rf1.db "select count(*) from trials where status = 'failed'")
nc=$(q rf1.db "select count(*) from trials where status in ('completed', 'pruned')")
why=$(q rf1.db "select count(*) from trials where status = 'failed' and epochs_done = 0 and
	(error like 'refuse.yaml:14:%must be <= max_lr (0.1)' or error like 'refuse.yaml:14:%''step_size'' must be >= 1%')")
rows=$(q rf1.db "select count(*) from epochs e join trials t on t.id = e.trial_id where t.status = 'failed'")
if [ "$rc1" -eq 0 ] && [ "$RC" -eq 0 ] && [ "$(q rf1.db "select count(*) from trials")" = 24 ] && [ "$nf" -gt 0 ] &&
   [ "$nc" -gt 0 ] && [ "$why" = "$nf" ] && [ "$rows" = 0 ] && [ "$failed_lines" = "$nf" ] &&
   [ "$(q rf1.db "$F")" = "$(q rf2.db "$F")" ] && [ "$(q rf1.db "select status from experiments")" = completed ]; then
	ok "refused tpe proposals: $nf of 24 trials stored failed with the reason, the search went on (1 and 2 threads alike)"
else
	nok "refused tpe proposals" "rc=$rc1/$RC n=$(q rf1.db "select count(*) from trials") failed=$nf why=$why rows=$rows lines=$failed_lines $(tail -c 300 "$ERR")"
fi
run query "$T/rf1.db" experiments --format csv
if [ "$RC" -eq 0 ] && [ "$nf" -gt 0 ] && grep -q ",$nf,0,[0-9.]*," "$OUT" &&
   [ "$("$LRSWEEP" query "$T/rf1.db" trials --status failed --format csv | tail -n +2 | wc -l)" = "$nf" ]; then
	ok "query counts and lists the failed trials"
else
	nok "query failed" "rc=$RC $(cat "$OUT")"
fi
# the reason is in query trials' last column, in the table and in CSV
run query "$T/rf1.db" trials --status failed
tab=$(grep -c "refuse.yaml:14:[0-9]*: triangular: " "$OUT")
"$LRSWEEP" query "$T/rf1.db" trials --status failed --format csv >fail.csv
why_csv=$("$PY" -c 'import csv, sys; r = list(csv.DictReader(open(sys.argv[1])))
print(sum(x["error"].startswith("refuse.yaml:14:") and x["status"] == "failed" for x in r))' fail.csv)
if [ "$RC" -eq 0 ] && [ "$nf" -gt 0 ] && [ "$tab" = "$nf" ] && [ "$why_csv" = "$nf" ]; then
	ok "query trials shows each failed trial's reason (error column)"
else
	nok "query trials error column" "rc=$RC tab=$tab csv=$why_csv nf=$nf $(head -3 "$OUT")"
fi
cp rf1.db rfcut.db
q rfcut.db "pragma foreign_keys = on; delete from trials where id > 10; update experiments set status = 'interrupted'"
run run refuse.yaml --db "$T/rfcut.db" --resume -q
if [ "$RC" -eq 0 ] && [ "$(q rfcut.db "$F")" = "$(q rf1.db "$F")" ]; then
	ok "--resume with failed trials proposes and stores what the uninterrupted run did"
else
	nok "resume refused" "rc=$RC $(diff <(q rfcut.db "$F") <(q rf1.db "$F") | head -4)"
fi
sed 's/search: {strategy: tpe, samples: 12, startup: 4, batch: 2}/search: {strategy: random, samples: 12}/' refuse.yaml >rrand.yaml
run run rrand.yaml --db "$T/rr.db" -q
nf=$(q rr.db "select count(*) from trials where status = 'failed' and error like 'rrand.yaml:14:%'")
if [ "$RC" -eq 0 ] && [ "$(q rr.db "select count(*) from trials")" = 24 ] && [ "$nf" -gt 0 ] &&
   [ "$(q rr.db "select count(*) from trials where status in ('completed', 'pruned')")" = "$((24 - nf))" ]; then
	ok "refused random draws: $nf of 24 trials stored failed, the others run"
else
	nok "refused random draws" "rc=$RC failed=$nf $(tail -c 300 "$ERR")"
fi
sed 's/base_lr: {log_uniform: \[1.0e-3, 10.0\]}/base_lr: {log_uniform: [0.5, 10.0]}/' refuse.yaml >rall.yaml
bad_usage "a schedule no proposal can build" "^lrsweep run: rall.yaml:14:35: triangular: parameter 'base_lr' (.*) must be <= max_lr (0.1)$" \
	run rall.yaml --dry-run

# bad settings
sed 's/search: {strategy: tpe, samples: 14, startup: 4, batch: 3}/search: {strategy: grid, startup: 4}/;
	s/{log_uniform: \[1.0e-5, 1.0e-2\]}/{grid: [1.0e-5, 1.0e-3]}/; s/lr: {log_uniform: \[1.0e-4, 1.0\]}/lr: 0.1/' tpe.yaml >b1.yaml
bad_usage "startup under grid search" "^lrsweep run: b1.yaml:19:28: 'startup' is for strategy: tpe" run b1.yaml --dry-run
sed 's/batch: 3}/batch: 0}/' tpe.yaml >b2.yaml
bad_usage "batch 0" "^lrsweep run: b2.yaml:19:.*'batch' must be a whole number" run b2.yaml --dry-run
sed 's/search: {strategy: random, samples: 3, shared: true}/search: {shared: true}/;
	s/{log_uniform: \[1.0e-5, 1.0e-2\]}/{grid: [1.0e-5, 1.0e-3]}/; s/{uniform: \[0.5, 0.95\]}/0.9/' shared.yaml >b3.yaml
bad_usage "shared under grid search" "^lrsweep run: b3.yaml:19:.*'shared' is for strategy: random or tpe" run b3.yaml --dry-run
sed 's/batch_size: {choice: \[16, 32\]}/batch_size: {int_uniform: [16, 32]}/; s/^range_test: .*/range_test: {epochs: 2}/' tpe.yaml >b4.yaml
bad_usage "a range test per value of a ranged key" "^lrsweep run: b4.yaml:18:17: 'batch_size': strategy tpe searches it over a range" \
	run b4.yaml --dry-run
# every search: key a new user may get wrong: one line at line:column, exit 2
S='search: {strategy: tpe, samples: 14, startup: 4, batch: 3}'
bad_search() {   # NAME SETTINGS NEEDLE
	sed "s/$S/search: {$2}/" tpe.yaml >bs.yaml
	bad_usage "$1" "^lrsweep run: bs.yaml:19:$3" run bs.yaml --dry-run
}
bad_search "samples 0" "strategy: tpe, samples: 0" "36: 'samples' must be a whole number in \[1, 1000000\], got '0'$"
bad_search "startup above samples" "strategy: tpe, samples: 3, startup: 20" \
	"48: 'startup' (20) is more than 'samples' (3): every proposal would be drawn at random"
bad_search "candidates 0" "strategy: tpe, candidates: 0" "39: 'candidates' must be a whole number"
bad_search "negative prior_weight" "strategy: tpe, prior_weight: -1" "41: 'prior_weight' must be > 0, got '-1'$"
bad_search "unknown search key" "strategy: tpe, sample: 30" "27: unknown key 'sample' in search (did you mean 'samples'?)$"
bad_search "strategy misspelt, distributions in the file" "strategy: TPE, samples: 30" \
	"22: 'strategy' must be one of grid|random|tpe, got 'TPE'$"
sed "s/    batch_size: {choice: \[16, 32\]}/    optimizer.momentum: {uniform: [0.5, 1.5]}/" tpe.yaml >bm.yaml
bad_usage "a space range past what its key takes, before any trial" "^lrsweep run: bm.yaml:18:41: 'momentum' must be in \[0, 1\], got '1.5'$" \
	run bm.yaml --db "$T/bm.db" -q
[ -e bm.db ] && nok "momentum range" "a database was made" || ok "and nothing stored"
# samples <= startup: a warning naming both values, the run goes on
sed "s/$S/search: {strategy: tpe}/" tpe.yaml >dflt.yaml
run run dflt.yaml --dry-run
if [ "$RC" -eq 0 ] && grep -q "^lrsweep run: warning: dflt.yaml:19:11: strategy tpe with samples 10 (the default) and startup 10 (the default): every proposal is drawn at random" "$ERR"; then
	ok "tpe with the default samples and startup: a warning naming both"
else
	nok "samples warning" "rc=$RC $(head -c 300 "$ERR")"
fi
finish
