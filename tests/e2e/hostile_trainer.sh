#!/usr/bin/env bash
# tests/e2e/hostile_trainer.sh - external trainers that break the protocol
# in ways a careless program does: a short line that is not JSON (the
# stored error quotes that line alone, on one line, not the bytes after it
# in lrsweep's buffer) and accuracies given in percent (an epoch's 55, a
# done's test_accuracy 93: a protocol fault, not a best trial). Each bad
# trial is stored failed with its reason, the good trial beside it
# completes, and no process is left.
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
command -v sqlite3 >/dev/null || { ok "skipped: no sqlite3"; finish; }
q() { sqlite3 "$1" "$2"; }
left() { pgrep -f "$T/" | grep -v "^$$\$" | wc -l; }

# A raw-protocol trainer (no client): 10 steps an epoch, its misdeed from --mode=.
cat >"$T/trainer.py" <<'PY'
import json, socket, sys
mode = sys.argv[1].split("=", 1)[1]
f = socket.socket(fileno=3).makefile("rwb", buffering=0)
def send(o): f.write((json.dumps(o) + "\n").encode())
def recv():
    line = f.readline()
    if not line: sys.exit(3)
    return json.loads(line)
send({"op": "hello", "protocol": 1, "steps_per_epoch": 10})
cfg, queue = recv(), []
def wait(ops, step=None):
    while True:
        for m in queue:
            if m["op"] == "stop": sys.exit(0)
            if m["op"] in ops and (step is None or m.get("step") == step):
                queue.remove(m); return m
        queue.append(recv())
if mode == "garbage":
    f.write(b"not json\n")
for e in range(cfg["epochs"]):
    for i in range(10):
        s = e * 10 + i
        wait(("lr",), s)
        send({"op": "loss", "step": s, "loss": 2.0 - 0.01 * s})
    acc = 55 if mode == "epoch-percent" else 0.55
    send({"op": "epoch", "epoch": e + 1, "train_loss": 1, "train_accuracy": 0.5, "val_loss": 1, "val_accuracy": acc})
    if wait(("ack", "prune"))["op"] == "prune": sys.exit(0)
send({"op": "done", "test_loss": 1, "test_accuracy": 93 if mode == "done-percent" else 0.5})
PY

cat >exp.yaml <<EOF
name: hostile
seed: 3
trainer:
  command: [$PY, $T/trainer.py, "{args}"]
  startup_timeout: 5 s
  timeout: 5 s
  grace: 1 s
params: {mode: {grid: [fine, garbage, epoch-percent, done-percent]}}
optimizer: {type: sgd, momentum: 0.9}
batch_size: 10
range_test: {bounds: {min_lr: 0.001, max_lr: 0.1}}
trials:
  epochs: 2
  seeds: [1]
  schedules:
    - {type: constant, lr: 0.1}
EOF
run run exp.yaml --db "$T/h.db" --threads 2
# status|error of the trial whose params.mode is $1, newlines shown as <NL>
row() { q h.db "select status || '|' || coalesce(replace(error, char(10), '<NL>'), '') from trials where hyper like '%\"$1\"%'"; }
if [ "$RC" -eq 0 ] && [ "$(row fine)" = "completed|" ]; then
	ok "the well-behaved trial beside the bad ones completes (exit 0)"
else
	nok "good trial" "rc=$RC $(row fine) $(tail -c 300 "$ERR")"
fi
g=$(row garbage)
case $g in
*"<NL>"*) nok "garbage" "the error spans lines: $g" ;;
"failed|the trainer wrote a malformed message (not JSON at byte 1): 'not json' ("*)
	ok "a short non-JSON line: failed, quoted alone on one line" ;;
*) nok "garbage" "$g" ;;
esac
e=$(row epoch-percent)
case $e in
"failed|the trainer sent 'epoch' with val_accuracy 55: an accuracy is a fraction in [0, 1] ("*)
	ok "an epoch's accuracy in percent: failed, named" ;;
*) nok "epoch percent" "$e" ;;
esac
d=$(row done-percent)
case $d in
"failed|the trainer sent 'done' with test_accuracy 93: an accuracy is a fraction in [0, 1] ("*)
	ok "a test accuracy in percent: failed, named" ;;
*) nok "done percent" "$d" ;;
esac
if [ "$(q h.db "select count(*) from trials where best_val_accuracy > 1 or test_accuracy > 1")" = 0 ]; then
	ok "no accuracy above 1 stored"
else
	nok "stored accuracies" "$(q h.db 'select best_val_accuracy, test_accuracy from trials')"
fi
sleep 0.2
if [ "$(left)" = 0 ]; then ok "no process left"; else nok "processes" "$(pgrep -af "$T/")"; fi
finish
