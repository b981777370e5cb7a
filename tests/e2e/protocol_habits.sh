#!/usr/bin/env bash
# tests/e2e/protocol_habits.sh - programs written from docs/trainers.md
# alone, in other languages, with those languages' habits: what they do is
# accepted, or their fault is named so that the author knows what to fix.
#
# Accepted: a program that exits only when its read of the channel ends
# (Node's fs.createReadStream on fd 3 keeps the process alive while a read
# is pending: lrsweep shuts its end after stop, prune and done, else the
# probe's stop and every trial's done waited for trainer.grace and the
# probe failed); a UTF-8 byte-order mark before the first line or every
# line (.NET, PowerShell); a diverging loss spelled inf, -nan or +Inf (C's
# printf, Rust's {}, Go) stored as a divergence, not a malformed message.
# Named: done without epoch messages (what a trial's program must send);
# a range test's program that exits before lrsweep's stop; a hello or a
# loss written but never flushed and a step slower than trainer.timeout
# (the timeouts say so, naming both causes when either may be); the SIGTERM that
# lrsweep itself sent, not mistaken for a crash.
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
command -v sqlite3 >/dev/null || { ok "skipped: no sqlite3"; finish; }
q() { sqlite3 "$1" "$2"; }

# A raw-protocol trainer, 4 steps an epoch; --mode=M says its habit.
cat >"$T/trainer.py" <<'PY'
import json, socket, sys, time
arg = {a[2:].split("=", 1)[0]: a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--") and "=" in a}
mode, SPE = arg.get("mode", "fine"), 4
sock, buf, out, first = socket.socket(fileno=3), b"", [], True

def send(o, number=None):
    global first
    text = json.dumps(o)
    if number is not None:   # the loss as another language prints it
        text = text.replace('"loss": 0', '"loss": ' + number)
    data = text.encode() + b"\n"
    if mode == "bom-every" or (mode == "bom-first" and first):
        data = b"\xef\xbb\xbf" + data
    first = False
    if mode in ("unflushed", "buffered"):
        out.append(data)     # a buffered writer that is never flushed
        if mode == "buffered" and o["op"] == "hello":
            sock.sendall(out.pop())
        return
    sock.sendall(data)

def recv():
    global buf
    while b"\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk and mode == "buffered":
            time.sleep(60)   # stuck: lrsweep's SIGTERM ends it, not the channel's end
        if not chunk:
            sys.exit(3)
        buf += chunk
    text, buf = buf.split(b"\n", 1)
    return json.loads(text)

def leave():
    # as Node with fs.createReadStream does: the process ends only when
    # its pending read of the channel ends
    if mode == "drain":
        while sock.recv(65536):
            pass
    sys.exit(0)

send({"op": "hello", "protocol": 1, "steps_per_epoch": SPE})
if mode == "unflushed":
    time.sleep(60)
cfg = recv()
if cfg["op"] == "stop":      # the probe: only steps_per_epoch was wanted
    leave()
rates = {}

def rate(s):
    while s not in rates:
        m = recv()
        if m["op"] == "stop":
            leave()
        if m["op"] == "lr":
            rates[m["step"]] = m["lr"]
        if m["op"] == "eval":
            send({"op": "eval", "step": m["step"], "val_loss": 1.0, "val_accuracy": 0.5})

if cfg["mode"] == "range-test":
    s = 0
    while True:
        rate(s)
        if mode == "range-exit" and s == 7:
            sys.exit(0)
        send({"op": "loss", "step": s, "loss": 1.0 + rates[s]})
        s += 1
for e in range(1, cfg["epochs"] + 1):
    for s in range((e - 1) * SPE, e * SPE):
        rate(s)
        if s == 2 and mode == "slow":
            time.sleep(30)   # a step far slower than trainer.timeout
        if s == 5 and mode in ("inf", "-nan", "+Inf"):
            send({"op": "loss", "step": s, "loss": 0}, mode)
        else:
            send({"op": "loss", "step": s, "loss": 2.0 - 0.01 * s})
    if mode == "no-epoch":
        continue
    send({"op": "epoch", "epoch": e, "train_loss": 1.0, "val_accuracy": 0.5 + 0.01 * e})
    while True:
        m = recv()
        if m["op"] == "lr":
            rates[m["step"]] = m["lr"]
        elif m["op"] in ("ack", "prune", "stop"):
            break
    if m["op"] != "ack":
        leave()
send({"op": "done", "test_loss": 0.25, "test_accuracy": 0.75})
leave()
PY

# exp NAME MODES [RANGE_TEST]: an experiment of trials, one per mode
exp() {
	cat <<EOF
name: $1
seed: 3
trainer:
  command: [$PY, $T/trainer.py, "{args}"]
  startup_timeout: 2 s
  timeout: 2 s
  grace: 4 s
params: {mode: {grid: [$2]}}
optimizer: {type: sgd}
batch_size: 10
range_test: ${3:-{bounds: {min_lr: 0.001, max_lr: 0.1\}\}}
trials:
  epochs: 2
  seeds: [1]
  schedules: [{type: constant, lr: 0.1}]
EOF
}
row() { q "$1" "select status || '|' || coalesce(diverged_at, '') || '|' || coalesce(replace(error, char(10), '<NL>'), '')
	from trials where hyper like '%\"$2\"%'"; }

# A program that exits only at the channel's end: the probe's stop and
# each trial's done end it at once, not after trainer.grace (4 s).
exp drain drain >drain.yaml
start=$(date +%s)
run run drain.yaml --db "$T/d.db" -q
took=$(($(date +%s) - start))
r=$(row d.db drain)
if [ "$RC" -eq 0 ] && [ "$r" = "completed||" ] && [ "$took" -lt 4 ]; then
	ok "a program that exits at the channel's end: probed and trained without waiting for trainer.grace (${took} s)"
else
	nok "drain" "rc=$RC $r, $took s: $(tail -c 300 "$ERR")"
fi

# The habits lrsweep accepts: each trial completes, or diverges at step 5.
exp habits "bom-first, bom-every, inf, -nan, +Inf" >habits.yaml
run run habits.yaml --db "$T/h.db" --threads 2 -q
[ "$RC" -eq 0 ] && ok "a sweep of programs with other languages' habits exits 0" || nok "exit" "rc=$RC $(tail -c 300 "$ERR")"
for m in bom-first bom-every; do
	r=$(row h.db "$m")
	[ "$r" = "completed||" ] && ok "accepted: $m" || nok "accepted: $m" "$r"
done
for m in inf -nan +Inf; do
	r=$(row h.db "$m")
	[ "$r" = "diverged|5|" ] && ok "a loss written $m is a divergence at its step" || nok "loss $m" "$r"
done

# The faults an author must be able to fix from their message alone.
exp faults "no-epoch, buffered, slow" >faults.yaml
run run faults.yaml --db "$T/f.db" --threads 2 -q
expect() {
	local r
	r=$(row f.db "$1")
	case $r in
	"failed||the trainer $2"*) ok "named: $1" ;;
	*) nok "named: $1" "$r" ;;
	esac
}
expect no-epoch "sent done after all 8 steps but 0 of 2 epoch messages: a trial's program ends each epoch with {\"op\": \"epoch\", \"epoch\": N, ...} and waits for its ack"
expect buffered "was silent for 2 s (trainer.timeout) while lrsweep waited for the loss of step 0, whose rate it had sent (a step slower than trainer.timeout, or a loss written but not flushed, which never arrives) (ended by lrsweep's SIGTERM)"
# a step that outlasts the timeout is the likelier cause: not blamed on flushing alone
expect slow "was silent for 2 s (trainer.timeout) while lrsweep waited for the loss of step 2, whose rate it had sent (a step slower than trainer.timeout, or"

exp unflushed unflushed >unflushed.yaml
run run unflushed.yaml --db "$T/u.db" -q
if [ "$RC" -eq 1 ] && [ "$(wc -l <"$ERR")" -eq 1 ] &&
   grep -q "the trainer sent no hello within 2 s (trainer.startup_timeout); it was running: a hello written but not flushed is still in its output buffer (ended by lrsweep's SIGTERM)" "$ERR"; then
	ok "a hello never flushed: the startup timeout says where it may be"
else
	nok "unflushed hello" "rc=$RC $(cat "$ERR")"
fi

exp range-exit range-exit "{mode: exponential, start_lr: 1.0e-4, end_lr: 1, iterations: 20, eval_every: 5}" >range-exit.yaml
run run range-exit.yaml --db "$T/r.db" -q
if [ "$RC" -eq 1 ] && grep -q "the trainer ended after 7 of 20 steps, before lrsweep's stop: a range test's program trains until it reads stop (exit status 0)" "$ERR"; then
	ok "a range test's program that exits early: told it trains until stop"
else
	nok "range test exit" "rc=$RC $(cat "$ERR")"
fi
finish
