#!/usr/bin/env bash
# tests/e2e/spec_examples.sh - the experiment file SPEC §11 shows, every key
# of it, plans as written: tests/data/spec_example.yaml is that file (checked
# against ../shared/SPEC.md when it is beside the repository). Its search is
# strategy grid with samples: 20 and a log_uniform weight decay: each grid
# point 20 times, the weight decay drawn (docs/search.md).
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
SPEC=$REPO/../shared/SPEC.md
EXAMPLE=$REPO/tests/data/spec_example.yaml

if [ -f "$SPEC" ]; then
	awk '/^## 11\./ { in11 = 1 } /^## 12\./ { in11 = 0 }
	     in11 && /^```yaml/ { grab = 1; next } grab && /^```/ { exit } grab' "$SPEC" > spec.yaml
	if cmp -s spec.yaml "$EXAMPLE"; then ok "tests/data/spec_example.yaml is SPEC §11's file"; else nok "spec copy" "$(diff spec.yaml "$EXAMPLE" | head -5)"; fi
fi
if [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
	ok "skipped: no Fashion-MNIST"
	finish
fi
run run "$EXAMPLE" --dry-run --db "$T/spec.db"
# 10 schedule configurations (two grids of 2) x 2 batch sizes x 20 draws x 3 seeds
if [ "$RC" -eq 0 ] && grep -q "^plan: 1200 trials (400 configurations x 3 seeds)" "$OUT" &&
   [ "$(grep -c 'optimizer.weight_decay=' "$OUT")" = 1200 ]; then
	ok "SPEC §11's file plans: 400 configurations, the weight decay drawn at each grid point"
else
	nok "SPEC §11's file" "rc=$RC $(head -c 300 "$ERR") $(head -c 200 "$OUT")"
fi
wds=$(grep -o 'optimizer.weight_decay=[0-9.e-]*' "$OUT" | cut -d= -f2 | sort -u)
if [ "$(printf '%s\n' "$wds" | wc -l)" -ge 300 ] &&
   printf '%s\n' "$wds" | awk '{ if ($1 < 1e-5 || $1 > 1e-3) bad = 1 } END { exit bad }'; then
	ok "weight decay drawn within [1e-5, 1e-3], a different one per draw"
else
	nok "weight decay draws" "$(printf '%s\n' "$wds" | head -3)"
fi
if [ ! -e "$T/spec.db" ]; then ok "a dry run stores nothing"; else nok "dry run" "wrote $T/spec.db"; fi
finish
