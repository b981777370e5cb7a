#!/usr/bin/env bash
# tests/e2e/memory_room.sh - the memory check under an address-space limit
# (ulimit -v) leaves room for what a run maps beside the model: the process
# as it is, and each run's thread stack, malloc arena and OpenBLAS buffer.
# A model estimated at 367 MiB under a 620 MiB limit once passed the check
# and then hung in OpenBLAS's allocation (or failed its trial); it is now
# refused at once, the message giving the estimate, the limit and what is
# in use, nothing stored. The same model under a 2 GiB limit still runs.
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1

# hidden [5000, 5000] on 64 features: 25,345,003 parameters, 367 MiB a run
cat >wide.yaml <<'EOF'
name: wide
seed: 1
data:
  train: {format: synthetic, kind: blobs, samples: 40, classes: 3, dims: 64}
  validation: 0.2
model:
  hidden: [5000, 5000]
optimizer: {type: sgd, momentum: 0.9}
batch_size: 32
range_test: {bounds: {min_lr: 0.01, max_lr: 0.1}}
trials: {epochs: 1}
EOF
# A sanitizer build reserves terabytes of shadow memory and cannot start
# under a limit: there the check is skipped, said so.
if ! (ulimit -v 2097152 && exec "$LRSWEEP" --version) >/dev/null 2>&1; then
	ok "memory: skipped (this build cannot start under ulimit -v: a sanitizer build)"
	finish
fi
run data wide.yaml
if [ "$RC" -eq 0 ] && grep -q '^one training run at batch 32 holds 366.4 MiB' "$OUT"; then
	ok "data: the model's estimate is 366.4 MiB"
else
	nok "estimate" "rc=$RC $(tail -1 "$OUT")"
fi
(ulimit -v $((620 * 1024)) && exec timeout -k 2 60 "$LRSWEEP" run wide.yaml --db near.db --threads 1 -q) >"$OUT" 2>"$ERR"
RC=$?
if [ "$RC" -eq 1 ] && [ ! -s "$OUT" ] && [ "$(wc -l <"$ERR")" -eq 1 ] && [ ! -e near.db ] &&
   grep -q '^lrsweep run: trials: training the model (25345003 parameters, batch 32) needs 367 MiB, only [0-9]* MiB available (the address-space limit, ulimit -v): a limit of 620 MiB, [1-9][0-9]* MiB in use, [1-9][0-9]* MiB kept for threads. stacks and buffers$' "$ERR"; then
	ok "367 MiB under a 620 MiB limit: refused at once (exit 1), with the limit and what is in use, nothing stored"
else
	nok "near the limit" "rc=$RC db=$([ -e near.db ] && echo made) $(head -c 300 "$ERR") $(tail -1 "$OUT")"
fi
(ulimit -v $((2048 * 1024)) && exec timeout -k 2 120 "$LRSWEEP" run wide.yaml --db fits.db --threads 1 -q) >"$OUT" 2>"$ERR"
RC=$?
if [ "$RC" -eq 0 ] && grep -q '1 trial run: 1 completed' "$OUT"; then
	ok "the same model under a 2 GiB limit runs"
else
	nok "fits" "rc=$RC $(head -c 300 "$ERR") $(tail -1 "$OUT")"
fi
finish
