#!/usr/bin/env bash
# tests/e2e/harden_data.sh - `lrsweep data` on the inputs of the hardening
# issue: a `limit` below the count of a gzip idx source (it used to hang:
# every such command runs under `timeout`, so a regression fails instead).
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
FASHION=/usr/share/datasets/fashion-mnist

# data YAML-DATA-BODY: writes exp.yaml with that `data:` section and runs
# `lrsweep data` on it under a timeout (status 124: it hung).
data() {
	printf 'name: h\ndata:\n%s\n' "$1" >"$T/exp.yaml"
	timeout 20 "$LRSWEEP" data "$T/exp.yaml" >"$OUT" 2>"$ERR"
	RC=$?
}

# ---------------------------------------------- item 8: limit on gzip idx
# 1000 images of 28 x 28 (784,000 bytes: several 256 KiB read chunks),
# pixel (i, j) = (7i + 3j) % 256, labels i % 10; gzip and raw.
"$PY" - <<'EOF'
import gzip, struct
n, r, c = 1000, 28, 28
im = struct.pack(">IIII", 0x803, n, r, c) + bytes((7 * i + 3 * j) % 256 for i in range(n) for j in range(r * c))
lb = struct.pack(">II", 0x801, n) + bytes(i % 10 for i in range(n))
open("im.idx3.gz", "wb").write(gzip.compress(im))
open("lb.idx1.gz", "wb").write(gzip.compress(lb))
open("im.idx3", "wb").write(im)
open("lb.idx1", "wb").write(lb)
EOF
for ext in .gz ""; do
	data "  train: {format: idx, images: im.idx3$ext, labels: lb.idx1$ext}
  validation: 0
  limit: 20"
	if [ "$RC" -eq 0 ] && grep -q '^train  *20  *784 ' "$OUT"; then
		ok "idx${ext:+ gzip} limit 20 of 1000: loads 20 samples"
	else
		nok "idx${ext:+ gzip} limit 20 of 1000" "rc=$RC $(head -c 300 "$ERR")"
	fi
done
# limits around the chunk boundaries, and
# the whole file
for limit in 2 334 667 999 1000; do
	data "  train: {format: idx, images: im.idx3.gz, labels: lb.idx1.gz}
  validation: 0
  limit: $limit"
	if [ "$RC" -eq 0 ] && grep -q "^train  *$limit  *784 " "$OUT"; then
		ok "idx gzip limit $limit"
	else
		nok "idx gzip limit $limit" "rc=$RC $(head -c 300 "$ERR")"
	fi
done

if [ -r "$FASHION/train-images-idx3-ubyte.gz" ]; then
	data "  source: fashion-mnist
  limit: 20000"
	if [ "$RC" -eq 0 ] && grep -q '^train  *18000  *784 ' "$OUT" && grep -q '^validation  *2000 ' "$OUT" &&
	   grep -q '^test  *10000 ' "$OUT"; then
		ok "fashion-mnist limit 20000: 18000 + 2000 + 10000 samples"
	else
		nok "fashion-mnist limit 20000" "rc=$RC $(head -c 300 "$ERR")"
	fi
else
	ok "fashion-mnist limit: SKIPPED (dataset-fashion-mnist not installed)"
fi

finish
