#!/usr/bin/env bash
# tests/e2e/trainer_end.sh - how lrsweep ends an external trainer that
# stops making sense. A program that reports a NaN loss is diverged at
# once, whatever it does next: it hangs (ended by SIGTERM, then SIGKILL
# after trainer.grace, long before trainer.timeout), exits 0, or exits 1;
# its trial is stored `diverged` at that step with the epochs before it.
# A program that double-forks a sleeper and exits leaves nothing behind
# once the run ends: no process of it, alive or <defunct>, even under a
# parent that never reaps the orphans it adopts (lrsweep is the sleeper's
# subreaper and reaps it when it kills the program's group). A sleeper
# in a session of its own (setsid: out of reach of the group's kill),
# left by a program that exits at once or by one that trains on to the
# end, is ended once the trials are over, with a warning naming its pid
# and command; the trials of both programs end as they would without it.
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
command -v sqlite3 >/dev/null || { ok "skipped: no sqlite3"; finish; }
q() { sqlite3 "$1" "$2"; }
MARK="9$$.25"   # the sleeper's argument: `sleep $MARK` is ours alone

# A raw-protocol trainer (no client): 10 steps an epoch, what it does
# from --mode=. nan-*: a NaN loss at step 13 (the second epoch), then
# hang, exit 0 or exit 1; orphan: a grandchild `sleep`, then exit.
cat >"$T/trainer.py" <<'PY'
import json, os, socket, sys, time
mode = sys.argv[1].split("=", 1)[1]
mark = sys.argv[2]
if mode in ("orphan", "setsid", "setsid-train"):
    pid = os.fork()
    if pid == 0:
        if mode != "orphan":
            os.setsid()
        if os.fork() == 0:
            os.execvp("sleep", ["sleep", mark])
        os._exit(0)
    os.waitpid(pid, 0)
    if mode != "setsid-train":
        sys.exit(0)
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
for e in range(cfg["epochs"]):
    for i in range(10):
        s = e * 10 + i
        wait(("lr",), s)
        if s == 13 and mode.startswith("nan"):
            send({"op": "loss", "step": s, "loss": float("nan")})
            if mode == "nan-hang":
                while True:
                    time.sleep(60)
            sys.exit(1 if mode == "nan-exit1" else 0)
        send({"op": "loss", "step": s, "loss": 2.0 - 0.01 * s})
    send({"op": "epoch", "epoch": e + 1, "train_loss": 1, "train_accuracy": 0.5, "val_loss": 1, "val_accuracy": 0.5})
    if wait(("ack", "prune"))["op"] == "prune": sys.exit(0)
send({"op": "done", "test_loss": 1, "test_accuracy": 0.5})
PY

cat >exp.yaml <<EOF
name: trainer-end
seed: 3
trainer:
  command: [$PY, $T/trainer.py, "{args}", "$MARK"]
  startup_timeout: 30 s
  timeout: 60 s
  grace: 2 s
params: {mode: {grid: [fine, nan-hang, nan-exit0, nan-exit1, orphan, setsid, setsid-train]}}
optimizer: {type: sgd, momentum: 0.9}
batch_size: 10
range_test: {bounds: {min_lr: 0.001, max_lr: 0.1}}
trials:
  epochs: 3
  seeds: [1]
  schedules:
    - {type: constant, lr: 0.1}
EOF
# The run starts under a parent that, like some containers' PID 1, adopts
# orphans (a subreaper) and never reaps them: once lrsweep has exited it
# lists the sleepers left, alive or <defunct> (state Z), then cleans up.
cat >"$T/adopter.py" <<'PY'
import ctypes, os, signal, subprocess, sys, time
ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)   # PR_SET_CHILD_SUBREAPER
mark, out, err = sys.argv[1], sys.argv[2], sys.argv[3]
with open(out, "w") as o, open(err, "w") as e:
    rc = subprocess.Popen(sys.argv[4:], stdout=o, stderr=e).wait()
time.sleep(0.5)
left = []
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        args = open("/proc/%s/cmdline" % pid, "rb").read().split(b"\0")
        state = open("/proc/%s/stat" % pid).read().rsplit(")", 1)[1].split()[0]
    except OSError:
        continue
    if args[:2] == [b"sleep", mark.encode()] or (state == "Z" and int(open("/proc/%s/stat" % pid).read().rsplit(")", 1)[1].split()[1]) == os.getpid()):
        left.append("%s %s" % (pid, state))
        if state != "Z":
            os.kill(int(pid), signal.SIGKILL)
while True:
    try:
        if os.waitpid(-1, 0)[0] <= 0: break
    except ChildProcessError:
        break
print(" ".join(left), file=sys.stderr)
sys.exit(rc)
PY
t0=$(date +%s)
"$PY" "$T/adopter.py" "$MARK" "$OUT" "$ERR" "$LRSWEEP" run exp.yaml --db "$T/e.db" --threads 2 2>"$T/left"
RC=$?
took=$(($(date +%s) - t0))
# status|diverged_at|epochs stored|error of the trial whose mode is $1
row() {
	q e.db "select status || '|' || coalesce(diverged_at, '') || '|' ||
		(select count(*) from epochs where trial_id = t.id) || '|' || coalesce(error, '')
		from trials t where hyper like '%\"$1\"%'"
}
if [ "$RC" -eq 0 ] && [ "$(row fine)" = "completed||3|" ]; then
	ok "the well-behaved trial completes (exit 0)"
else
	nok "good trial" "rc=$RC $(row fine) $(tail -c 300 "$ERR")"
fi
for m in nan-hang nan-exit0 nan-exit1; do
	r=$(row $m)
	if [ "$r" = "diverged|13|1|" ]; then ok "$m: stored diverged at step 13, with the epoch before it"
	else nok "$m" "$r"; fi
done
# the hanging program is ended after the grace (2 s), not the timeout (60 s)
if [ "$took" -lt 30 ]; then ok "a NaN then a hang: ended at once (the run took ${took} s, timeout 60 s)"
else nok "nan-hang waited" "the run took $took s"; fi
for m in orphan setsid; do
	case $(row $m) in
	"failed||0|the trainer exited before hello"*) ok "$m: the program that exited early failed" ;;
	*) nok "$m trial" "$(row $m)" ;;
	esac
done
[ "$(row setsid-train)" = "completed||3|" ] && ok "setsid-train: completes, its sleeper left alone meanwhile" ||
	nok "setsid-train" "$(row setsid-train)"
# one warning per sleeper in a session of its own, naming its pid and command
n=$(grep -c "^lrsweep run: warning: pid [0-9]* (sleep $MARK) was left running by the trainer's program" "$ERR")
[ "$n" = 2 ] && ok "two setsid sleepers named in a warning each" || nok "warnings" "$n: $(grep warning "$ERR")"
if [ -z "$(tr -d " \n" <"$T/left")" ] && [ -z "$(ps -eo pid,ppid,stat,args | grep "[s]leep $MARK")" ]; then
	ok "no process of the double-forked sleeper is left, alive or defunct"
else
	nok "orphans" "left when lrsweep exited (pid state): $(cat "$T/left")"
fi
if [ -z "$(pgrep -f "$T/trainer.py")" ]; then ok "no trainer left"; else nok "trainers" "$(pgrep -af "$T/trainer.py")"; fi
finish
