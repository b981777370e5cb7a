#!/usr/bin/env bash
# tests/e2e/groups.sh - one range test per group of trials that differ in
# what sets the scale of good rates (SPEC §4, range_test.per), on synthetic
# data in seconds: the groups a plan makes by default, each trial's rates
# from its own group's bounds, per: [] (one test, a warning naming the keys)
# and per: [key], a bad per at file:line:column, the dry run's group table,
# and --resume rerunning only the group whose test is missing.
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
command -v sqlite3 >/dev/null || { ok "skipped: no sqlite3"; finish; }

# $1 = extra range_test settings; the space varies the optimizer, the batch
# size and the weight decay (which does not set the rate's scale)
exp() {
	cat <<EOF
name: groups
seed: 5
data:
  train: {format: synthetic, kind: blobs, samples: 600, classes: 3, noise: 0.3}
  validation: 0.2
model: {hidden: [16], activation: relu}
optimizer: {type: sgd}
batch_size: 32
range_test: {mode: exponential, start_lr: 1.0e-4, end_lr: 10, epochs: 4, repeats: 2$1}
trials:
  epochs: 3
  seeds: [1, 2]
  schedules:
    - {type: triangular, step_size: "1 epochs"}
    - {type: constant, lr: "@max/4"}
  space:
    optimizer.type: {grid: [sgd, adam]}
    batch_size: {grid: [16, 64]}
    optimizer.weight_decay: {grid: [0, 0.001]}
EOF
}
q() { sqlite3 "$1" "$2"; }
GROUPS_SQL="select group_key, count(*) from range_tests group by 1 order by 1"
WANT_GROUPS="batch_size=16, optimizer.type=adam|2
batch_size=16, optimizer.type=sgd|2
batch_size=64, optimizer.type=adam|2
batch_size=64, optimizer.type=sgd|2"

exp "" >g.yaml
run run g.yaml --dry-run
if [ "$RC" -eq 0 ] && grep -q '^plan: 32 trials .*bounds from 4 range tests, one per group' "$OUT" &&
   [ "$(grep -c '^ *[1-4]  *8  *[0-9]*  batch_size=[0-9]*, optimizer.type=[a-z]*$' "$OUT")" = 4 ] && [ ! -s "$ERR" ]; then
	ok "dry run: a table of the 4 groups (batch size x optimizer), 8 trials each, no warning"
else
	nok "dry run" "rc=$RC $(head -c 600 "$OUT") $(cat "$ERR")"
fi

run run g.yaml --db "$T/g.db" --threads 2
if [ "$RC" -eq 0 ] && [ "$(q g.db "$GROUPS_SQL")" = "$WANT_GROUPS" ] &&
   [ "$(q g.db "select count(distinct group_key) from bounds where chosen = 1")" = 4 ] &&
   [ "$(grep -c '^group: ' "$OUT")" = 4 ]; then
	ok "run: one range test of 2 repeats and one chosen bound per group, each shown under its group"
else
	nok "run" "rc=$RC $(q g.db "$GROUPS_SQL" | tr '\n' ' ') $(tail -c 300 "$ERR")"
fi
# every trial names its group, and its rates come from that group's bounds
bad=$(q g.db "select count(*) from trials t join bounds b on b.experiment_id = t.experiment_id
	and b.group_key = t.bounds_group and b.chosen = 1
	where t.schedule = 'triangular' and (abs(json_extract(t.params, '$.max_lr') - b.max_lr) > 1e-12 * b.max_lr
	   or abs(json_extract(t.params, '$.base_lr') - b.min_lr) > 1e-12 * b.min_lr)
	or t.schedule = 'constant' and abs(json_extract(t.params, '$.lr') - b.max_lr / 4) > 1e-12 * b.max_lr")
linked=$(q g.db "select count(*) from trials t join bounds b on b.group_key = t.bounds_group and b.chosen = 1")
mismatch=$(q g.db "select count(*) from trials where bounds_group != 'batch_size=' || json_extract(hyper, '$.batch_size')
	|| ', optimizer.type=' || json_extract(hyper, '$.optimizer.type')")
if [ "$bad" = 0 ] && [ "$linked" = 32 ] && [ "$mismatch" = 0 ]; then
	ok "each trial linked to its own group's bounds (32 of 32), its rates from them"
else
	nok "trial bounds" "bad=$bad linked=$linked mismatch=$mismatch $(q g.db 'select bounds_group, hyper from trials limit 2')"
fi
# the groups' bounds differ: the test is not one test copied four times
if [ "$(q g.db "select count(distinct max_lr) from bounds where chosen = 1")" -ge 2 ]; then
	ok "the groups' tests pick different bounds"
else
	nok "distinct bounds" "$(q g.db 'select group_key, max_lr from bounds where chosen = 1')"
fi
# a group's test trains that group's optimizer at that batch size: the
# adam/64 group's points equal a lone range test of adam at batch 64
sed -e 's/^optimizer: {type: sgd}/optimizer: {type: adam}/' -e 's/^batch_size: 32/batch_size: 64/' \
	-e '/^trials:/,$d' g.yaml >lone.yaml
run range-test lone.yaml --db "$T/lone.db"
POINTS="select r.repeat, p.iteration, p.lr, p.loss, p.accuracy from range_points p join range_tests r on r.id = p.range_test_id"
if [ "$RC" -eq 0 ] && [ -n "$(q lone.db "$POINTS")" ] &&
   [ "$(q lone.db "$POINTS order by 1, 2")" = "$(q g.db "$POINTS where r.group_key = 'batch_size=64, optimizer.type=adam' order by 1, 2")" ]; then
	ok "the adam/batch-64 group's test equals range-test with adam at batch 64, point for point"
else
	nok "group test settings" "rc=$RC $(tail -c 300 "$ERR")"
fi

# per: [] keeps one test, with a warning naming the keys that vary
exp ", per: []" >one.yaml
run run one.yaml --db "$T/one.db"
if [ "$RC" -eq 0 ] && [ "$(q one.db "$GROUPS_SQL")" = "|2" ] &&
   grep -q "warning: one.yaml: batch_size, optimizer.type vary between trials but range_test.per leaves them out" "$ERR" &&
   [ "$(q one.db "select count(*) from trials where bounds_group = ''")" = 32 ]; then
	ok "per: []: one range test for every trial, a warning naming batch_size and optimizer.type"
else
	nok "per: []" "rc=$RC $(q one.db "$GROUPS_SQL" | tr '\n' ' ') $(head -c 300 "$ERR")"
fi
# per: [optimizer.type] groups by the optimizer alone; batch_size is warned about
exp ", per: [optimizer.type]" >opt.yaml
run run opt.yaml --db "$T/opt.db"
if [ "$RC" -eq 0 ] && [ "$(q opt.db "$GROUPS_SQL")" = "optimizer.type=adam|2
optimizer.type=sgd|2" ] && grep -q "warning: opt.yaml: batch_size varies between trials but range_test.per leaves it out" "$ERR"; then
	ok "per: [optimizer.type]: one test per optimizer, a warning for batch_size"
else
	nok "per: [optimizer.type]" "rc=$RC $(q opt.db "$GROUPS_SQL" | tr '\n' ' ') $(head -c 300 "$ERR")"
fi
# a key that varies nothing makes no groups; a weight-decay group is allowed
exp ", per: [model, optimizer.weight_decay]" >wd.yaml
run run wd.yaml --dry-run
if [ "$RC" -eq 0 ] && grep -q 'bounds from 2 range tests, one per group' "$OUT" &&
   grep -q '^ *1  *16  *1  optimizer.weight_decay=0$' "$OUT"; then
	ok "per: [model, optimizer.weight_decay]: the model does not vary, weight decay makes 2 groups"
else
	nok "per: weight decay" "rc=$RC $(head -c 400 "$OUT")"
fi

# a bad per: exit 2 at file:line:column, nothing stored
exp ", per: [bogus]" >bad.yaml
bad_usage "per: [bogus]: exit 2 at file:line:column naming the keys" \
	"^lrsweep run: bad.yaml:9:[0-9]*: 'per' lists 'bogus': the keys are .*optimizer.type" run bad.yaml --db "$T/bad.db"
[ ! -e bad.db ] && ok "nothing stored for a bad per" || nok "bad per stored" "$(ls -l bad.db)"
exp ", per: batch_size" >scalar.yaml
bad_usage "per: a scalar: exit 2, a list is wanted" "^lrsweep run: scalar.yaml:9:[0-9]*: 'per' must be a list" \
	run scalar.yaml --dry-run

# --resume after the run was cut short before the last groups were tested:
# only those groups' tests run again; the finished group keeps its rows
cp g.db cut.db
q cut.db "pragma foreign_keys = on;
	delete from trials where bounds_group like '%optimizer.type=adam';
	delete from bounds where group_key like '%optimizer.type=adam';
	delete from range_tests where group_key like '%optimizer.type=adam';
	update experiments set status = 'interrupted'"
before=$(q cut.db "select id, wall_seconds from range_tests order by id")
run run g.yaml --db "$T/cut.db" --resume
METRICS="select trial_key, bounds_group, params, status, best_val_accuracy, final_val_loss from trials order by trial_key"
if [ "$RC" -eq 0 ] && [ "$(q cut.db "$GROUPS_SQL")" = "$WANT_GROUPS" ] &&
   [ "$(q cut.db "select id, wall_seconds from range_tests where group_key like '%sgd' order by id")" = "$before" ] &&
   [ "$(q cut.db "$METRICS")" = "$(q g.db "$METRICS")" ] &&
   [ "$(q cut.db "$POINTS order by r.group_key, 1, 2")" = "$(q g.db "$POINTS order by r.group_key, 1, 2")" ] &&
   [ "$(q cut.db "select status from experiments")" = completed ]; then
	ok "--resume tests only the missing groups; the result equals the uninterrupted run's"
else
	nok "resume" "rc=$RC $(q cut.db "$GROUPS_SQL" | tr '\n' ' ') $(tail -c 300 "$ERR")"
fi
finish
