#!/usr/bin/env bash
# tests/e2e/protocol_edges.sh - the external-trainer protocol as a client
# author reads it (SPEC §12, docs/trainers.md): what a program in another
# language may write is accepted, what breaks the protocol fails its own
# trial with the fault named, and the sweep goes on.
#
# Accepted: a message written byte by byte, several in one write, keys in
# any order with unknown fields, whitespace and "\r\n", escaped and raw
# UTF-8, numbers as 3.0, 0.3E+1, 1E+2, -0, 5e-1, a number 77 digits long
# (C's "%f" of a large loss), blank lines, batched losses (an empty batch
# too), a line of exactly 1 MiB, null test metrics, done twice, a last
# line without its newline before the program exits. Faults: a line of
# 1 MiB + 1 byte, mismatched batches, a boolean loss, a second hello,
# protocol 2, steps_per_epoch 0, 2.5 or 9e15, done before the last epoch, under
# reduce_on_plateau a loss of a step whose rate is not sent yet. A null
# loss (JavaScript's JSON.stringify of NaN), alone or in a batch, is a
# divergence as NaN is, in a trial and in a range test; a null accuracy
# is one not reported.
# `{params_file}` and LRSWEEP_PARAMS_FILE are readable from the program's
# own `cwd:` when lrsweep runs elsewhere with a relative --db. The bash
# trainer of tests/clients/raw_trainer.sh runs a range test and a random
# search.
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
command -v sqlite3 >/dev/null || { ok "skipped: no sqlite3"; finish; }
q() { sqlite3 "$1" "$2"; }
left() { pgrep -f "$T/" | grep -v "^$$\$" | wc -l; }

# A raw-protocol trainer (no client library): 4 steps an epoch; --mode=M
# says how it writes. Under reduce_on_plateau (--plateau) it exits 5 if a
# rate of the next epoch arrives before the epoch's ack.
cat >"$T/trainer.py" <<'PY'
import json, math, os, socket, sys, time
arg = {a[2:].split("=", 1)[0]: a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--") and "=" in a}
mode, plateau, SPE = arg.get("mode", "fine"), "plateau" in arg, 4
sock, buf, held = socket.socket(fileno=3), b"", []

def write(b):
    if mode == "bytewise":
        for i in range(len(b)):
            sock.sendall(b[i:i + 1])
            time.sleep(0.0005)
    elif mode == "coalesce":
        held.append(b)
    else:
        sock.sendall(b)

def line(text):
    if mode == "blank":
        write(b"\n \t\r\n")
    write(text.encode() + b"\n")

def send(o):
    line(json.dumps(o))

def recv():
    global buf
    if held:
        sock.sendall(b"".join(held))
        held.clear()
    while b"\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            sys.exit(3)
        buf += chunk
    text, buf = buf.split(b"\n", 1)
    return json.loads(text)

def padded(o, size):   # o as a line of exactly size bytes (without "\n")
    text = json.dumps(o)
    return text[:-1] + ', "pad": "' + "x" * (size - len(text) - 11) + '"}'

hello = {"op": "hello", "protocol": 2 if mode == "protocol2" else 1,
         "steps_per_epoch": {"spe-zero": 0, "spe-frac": 2.5, "spe-huge": 9 * 10 ** 15}.get(mode, SPE)}
send(hello)
cfg = recv()
for path in (arg.get("params_file"), os.environ["LRSWEEP_PARAMS_FILE"]):
    if path and json.load(open(path))["trial_key"] != os.environ["LRSWEEP_TRIAL_KEY"]:
        sys.exit(4)
if mode == "hello-twice":
    send(hello)
rates = {}

def rate(s):
    while s not in rates:
        m = recv()
        if m["op"] == "stop":
            sys.exit(0)
        if m["op"] == "lr":
            rates[m["step"]] = m["lr"]
        if m["op"] == "eval" and mode == "range-done":   # evaluations when asked
            send({"op": "eval", "step": m["step"], "val_loss": 1.0, "val_accuracy": 0.5})

def report(s, loss):
    if mode == "shapes":
        line('{ "zz" : {"a": [1, null, true, false, "\\u00e9\\ud83d\\ude00\\/ é"]} ,\t"loss"\t: %r , '
             '"step" :%d,"op":"\\u006coss", "n": null }\r' % (loss, s))
    elif mode == "numbers":
        line('{"op": "loss", "step": %s, "loss": %s}' % (["%d.0", "%de0", "0.%dE+1", "%d"][s % 4] % s,
                                                          ["1", "1.0", "1e-3", "-0"][s % 4]))
    elif mode == "longnum":
        line('{"op": "loss", "step": %d, "loss": %.6f}' % (s, 1e70 + s))
    elif mode == "mib" and s == 0:
        line(padded({"op": "loss", "step": 0, "loss": loss}, 1 << 20))
    elif mode == "mib-plus" and s == 0:
        line(padded({"op": "loss", "step": 0, "loss": loss}, (1 << 20) + 1))
    elif mode == "bool-loss" and s == 1:
        line('{"op": "loss", "step": 1, "loss": true}')
    elif mode in ("null-loss", "nan-loss") and s == 5:
        send({"op": "loss", "step": s, "loss": None if mode == "null-loss" else math.nan})
    elif mode not in ("batched", "mismatch", "null-batch"):
        send({"op": "loss", "step": s, "loss": loss})

if cfg["mode"] == "range-test":   # a valley in log10(lr) around 0.01
    s = 0
    while True:
        rate(s)
        loss = (math.log10(rates[s]) + 2) ** 2 + 0.1
        if mode in ("null-loss", "nan-loss") and s == 30:
            loss = None if mode == "null-loss" else math.nan
        send({"op": "loss", "step": s, "loss": loss})
        due = s % cfg["eval_every"] == 0 or s == cfg["max_steps"] - 1
        if mode == "range-done" and s == cfg["max_steps"] - 1:
            send({"op": "done"})   # max_steps as the loop's bound: the last eval unanswered
            sys.exit(0)
        if due and mode not in ("no-eval", "range-done"):
            acc = None if (mode == "null-acc" and s == 5) or loss is None else 1 / (1 + loss)
            send({"op": "eval", "step": s, "val_loss": loss, "val_accuracy": acc})
        s += 1
        if mode == "range-epochs" and s % SPE == 0:
            send({"op": "epoch", "epoch": s // SPE, "train_loss": loss})
            while True:
                m = recv()
                if m["op"] == "stop":
                    sys.exit(0)
                if m["op"] == "lr":
                    rates[m["step"]] = m["lr"]
                if m["op"] == "ack":
                    break
for e in range(1, cfg["epochs"] + 1):
    steps = list(range((e - 1) * SPE, e * SPE))
    for s in steps:
        rate(s)
        report(s, 2.0 - 0.01 * s)
    if mode == "null-batch":
        send({"op": "loss", "steps": steps, "losses": [None if s == 5 else 1.0 for s in steps]})
    if mode == "batched":
        send({"op": "loss", "steps": [], "losses": []})
        send({"op": "loss", "steps": steps, "losses": [2.0 - 0.01 * s for s in steps]})
    if mode == "mismatch":
        send({"op": "loss", "steps": steps, "losses": [1.0]})
    if mode == "no-epoch":
        rate(e * SPE)   # never sent before the epoch's metrics: silence
    if mode == "early-loss":
        send({"op": "loss", "step": e * SPE, "loss": 1.0})
    if mode == "numbers":
        line('{"op":"epoch","epoch":%d.0,"train_loss":1E+2,"train_accuracy":1,"val_loss":-0,"val_accuracy":5e-1}' % e)
    elif mode == "null-acc":
        send({"op": "epoch", "epoch": e, "train_loss": 1.0, "train_accuracy": None,
              "val_loss": None, "val_accuracy": None if e == 1 else 0.5})
    else:
        send({"op": "epoch", "epoch": e, "train_loss": 1.0, "train_accuracy": 0.5,
              "val_loss": 1.0, "val_accuracy": 0.5 + 0.01 * e})
    while True:
        m = recv()
        if m["op"] == "lr":
            if plateau and m["step"] >= e * SPE:
                sys.exit(5)
            rates[m["step"]] = m["lr"]
        elif m["op"] in ("ack", "prune", "stop"):
            break
    if m["op"] != "ack":
        sys.exit(0)
    if mode == "done-early":
        break
done = {"op": "done", "test_loss": 0.25, "test_accuracy": 0.75}
if mode == "donenull":
    done = {"op": "done", "test_loss": None, "test_accuracy": None}
if mode == "nonl":
    write(json.dumps(done).encode())   # no newline: the end of the channel ends the line
else:
    send(done)
if mode == "done-twice":
    send(done)
if held:
    sock.sendall(b"".join(held))
sock.close()
PY

# exp NAME MODES [SCHEDULE]: an experiment file of trials, one per mode
exp() {
	cat <<EOF
name: $1
seed: 3
trainer:
  command: [$PY, $T/trainer.py, "{args}", "--params_file={params_file}"]
  cwd: .
  startup_timeout: 5 s
  timeout: 5 s
  grace: 1 s
params: {mode: {grid: [$2]}${4:-}}
optimizer: {type: sgd}
batch_size: 10
range_test: {bounds: {min_lr: 0.001, max_lr: 0.1}}
trials:
  epochs: 2
  seeds: [1]
  schedules:
    - ${3:-{type: constant, lr: 0.1\}}
EOF
}
good="fine, bytewise, coalesce, shapes, numbers, longnum, blank, batched, mib, donenull, done-twice, nonl, null-acc"
bad="mib-plus, mismatch, bool-loss, hello-twice, protocol2, spe-zero, spe-frac, spe-huge, done-early"
exp edges "$good, $bad, null-loss, nan-loss, null-batch" >edges.yaml
run run edges.yaml --db "$T/e.db" --threads 2 -q
# status|error of the trial whose mode is $1, newlines shown as <NL>
row() { q e.db "select status || '|' || coalesce(replace(error, char(10), '<NL>'), '') from trials where hyper like '%\"$1\"%'"; }
[ "$RC" -eq 0 ] && ok "a sweep of good and bad programs exits 0" || nok "exit" "rc=$RC $(tail -c 300 "$ERR")"
for m in ${good//,/}; do
	r=$(row "$m")
	[ "$r" = "completed|" ] && ok "accepted: $m" || nok "accepted: $m" "$r"
done
if [ "$(q e.db "select group_concat(train_loss || ' ' || train_accuracy || ' ' || val_loss || ' ' || val_accuracy, ';')
	from epochs join trials on trials.id = trial_id where hyper like '%\"numbers\"%'")" = "100.0 1.0 0.0 0.5;100.0 1.0 0.0 0.5" ]; then
	ok "1E+2, 1, -0 and 5e-1 stored as 100, 1, 0 and 0.5"
else
	nok "numbers" "$(q e.db "select * from epochs join trials on trials.id = trial_id where hyper like '%\"numbers\"%'")"
fi
if [ "$(q e.db "select quote(test_accuracy) from trials where hyper like '%\"donenull\"%'") \
$(q e.db "select test_accuracy from trials where hyper like '%\"nonl\"%'")" = "NULL 0.75" ]; then
	ok "null test metrics stored as none; a last line without newline counts"
else
	nok "test metrics" "$(q e.db "select quote(test_accuracy) from trials where hyper like '%\"donenull\"%' or hyper like '%\"nonl\"%'")"
fi
for m in null-loss nan-loss null-batch; do
	r=$(q e.db "select status || '|' || diverged_at || '|' || epochs_done || '|' || coalesce(error, '')
		from trials where hyper like '%\"$m\"%'")
	[ "$r" = "diverged|5|1|" ] && ok "$m: diverged at step 5, epoch 1 kept" || nok "$m" "$r"
done
if [ "$(q e.db "select group_concat(quote(train_accuracy) || ' ' || quote(val_loss) || ' ' || quote(val_accuracy), ';')
	from epochs join trials on trials.id = trial_id where hyper like '%\"null-acc\"%'") \
$(q e.db "select best_val_accuracy || ' ' || best_epoch from trials where hyper like '%\"null-acc\"%'")" = "NULL NULL NULL;NULL NULL 0.5 0.5 2" ]; then
	ok "null metrics of an epoch stored as not reported"
else
	nok "null metrics" "$(q e.db "select * from epochs join trials on trials.id = trial_id where hyper like '%\"null-acc\"%'")"
fi
# expect MODE TEXT: the trial of MODE failed with an error starting with TEXT
expect() {
	local r
	r=$(row "$1")
	case $r in
	"failed|the trainer $2"*) ok "fault: $1" ;;
	*) nok "fault: $1" "$r" ;;
	esac
}
expect mib-plus "wrote a line of more than 1048576 bytes"
expect mismatch "sent 'loss' with 'steps' and 'losses' that are not two lists of one length"
expect bool-loss "sent 'loss' without a number 'loss'"
expect hello-twice "sent hello twice"
expect protocol2 "speaks protocol 2; this lrsweep speaks 1"
expect spe-zero "said steps_per_epoch 0; it must be at least 1"
expect spe-frac "sent 'hello' without a whole number 'steps_per_epoch'"
expect spe-huge "said steps_per_epoch 9000000000000000; it must be at least 1 and at most 1000000000"
expect done-early "sent done after 4 of 8 steps (1 epochs)"

# reduce_on_plateau: no rate of an epoch before the last one's ack; a loss
# for such a step is a fault.
exp plateau "fine, early-loss, no-epoch" "{type: reduce_on_plateau, lr: 0.1, patience: 0}" ", plateau: 1" |
	sed 's/  timeout: 5 s/  timeout: 1 s/' >plateau.yaml
run run plateau.yaml --db "$T/p.db" --threads 2 -q
row() { q p.db "select status || '|' || coalesce(replace(error, char(10), '<NL>'), '') from trials where hyper like '%\"$1\"%'"; }
[ "$(row fine)" = "completed|" ] && ok "reduce_on_plateau: each epoch's rates after its ack" || nok "plateau" "$(row fine)"
expect early-loss "sent the loss of step 4, expected step 4 (rates sent up to step 3)"
expect no-epoch "was silent for 1 s (trainer.timeout) while lrsweep waited for the epoch message of epoch 1"

# A range test: epoch messages in it are answered and change nothing; a
# program that skips an eval answer is told what lrsweep waited for; one
# that answers evaluations when asked but ends with done after max_steps
# steps, the last one unanswered, fails naming it (its last point was lost
# without a word, the test stored as complete).
for m in range-epochs no-eval range-done; do
	exp "range-$m" "$m" | sed 's/  timeout: 5 s/  timeout: 1 s/; s/^range_test: .*/range_test: {mode: exponential, start_lr: 1.0e-4, end_lr: 1, iterations: 40, eval_every: 5}/' >"$m.yaml"
	run run "$m.yaml" --db "$T/$m.db" -q
	cp "$ERR" "$m.err"
	cp "$OUT" "$m.out"
done
if [ "$(q range-epochs.db "select count(*) from range_points")" = 40 ] && grep -q "bounds (combined)" range-epochs.out; then
	ok "range test with epoch messages: 40 points, bounds"
else
	nok "range test with epoch messages" "$(cat range-epochs.err)"
fi
if grep -q "was silent for 1 s (trainer.timeout) while lrsweep waited for the eval answer of step 0" no-eval.err; then
	ok "range test without eval answers: the silence names the awaited eval"
else
	nok "range test without eval answers" "$(cat no-eval.err)"
fi
if grep -q "sent done while lrsweep waited for the eval answer of step 39 " range-done.err &&
   [ "$(q range-done.db "select status from experiments")" = failed ]; then
	ok "range test ended by done before the last eval answer: failed, naming it"
else
	nok "range test ended by done" "$(cat range-done.err) $(q range-done.db "select status, count(*) from experiments, range_points")"
fi

# A range test whose loss is null at step 30 stops there as one whose loss
# is NaN does; a null accuracy of an evaluation is a point without one
# (9 evaluations: steps 0, 5, ..., 35 and the last, 39).
for m in null-loss nan-loss null-acc; do
	exp "range-$m" "$m" | sed 's/^range_test: .*/range_test: {mode: exponential, start_lr: 1.0e-4, end_lr: 1, iterations: 40, eval_every: 5}/' >"$m.yaml"
	run run "$m.yaml" --db "$T/$m.db" -q
	echo "$RC" >"$m.rc"
	cp "$ERR" "$m.err"
done
r() { echo "$(cat "$1.rc")|$(q "$1.db" "select quote(stopped_at) || '|' || count(*) || '|' || count(accuracy)
	from range_tests join range_points on range_test_id = range_tests.id")"; }
if [ "$(r null-loss)" = "$(r nan-loss)" ] && [ "$(r null-loss)" = "0|30|30|6" ]; then
	ok "range test: a null loss stops it at step 30 as NaN does"
else
	nok "range test: null loss" "null: $(r null-loss) nan: $(r nan-loss) $(cat null-loss.err)"
fi
if [ "$(r null-acc)" = "0|NULL|40|8" ]; then
	ok "range test: a null accuracy is a point without one"
else
	nok "range test: null accuracy" "$(r null-acc) $(cat null-acc.err)"
fi

# {params_file} from the program's cwd, lrsweep elsewhere with a relative --db
mkdir -p sub/prog run
exp relative fine >sub/prog/rel.yaml
(cd run && "$LRSWEEP" run ../sub/prog/rel.yaml --db out/r.db -q >"$OUT" 2>"$ERR")
r=$(q run/out/r.db "select status || '|' || coalesce(error, '') from trials")
[ "$r" = "completed|" ] && ok "{params_file} opens from the program's cwd" || nok "params_file" "$r"

# The bash trainer: a range test, then a random search with pruning.
cat >sh.yaml <<EOF
name: bash-trainer
seed: 5
trainer:
  command: [bash, $REPO/tests/clients/raw_trainer.sh, "{args}"]
  timeout: 10 s
params: {curvature: {uniform: [0.5, 2.0]}}
optimizer: {type: sgd}
batch_size: 8
range_test: {mode: exponential, start_lr: 1.0e-3, end_lr: 10, iterations: 40, eval_every: 5}
trials:
  epochs: 2
  seeds: [1]
  schedules: [{type: one_cycle}]
  search: {strategy: random, samples: 3}
  pruning: {type: median, grace_epochs: 1}
EOF
run run sh.yaml --db "$T/sh.db" --threads 2
n=$(q sh.db "select count(*) from trials where status in ('completed', 'pruned')")
pts=$(q sh.db "select count(*) from range_points")
if [ "$RC" -eq 0 ] && [ "$n" = 3 ] && [ "$pts" -gt 10 ] && grep -q "bounds (combined)" "$OUT"; then
	ok "bash trainer: range test ($pts points), bounds, 3 random trials"
else
	nok "bash trainer" "rc=$RC n=$n points=$pts $(tail -c 300 "$ERR")"
fi
sleep 0.2
if [ "$(left)" = 0 ]; then ok "no process left"; else nok "processes" "$(pgrep -af "$T/")"; fi
finish
