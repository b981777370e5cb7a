#!/usr/bin/env bash
# tests/e2e/wild_data.sh - data files as other tools write them, through
# `lrsweep data`: each loads as docs/data.md says, or is refused with one
# line naming the file (and row and column), exit 2, nothing on stdout.
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1

# data YAML-DATA-BODY [MODEL-BODY]: writes exp.yaml with that `data:`
# section (and `model:` section) and runs `lrsweep data` on it.
data() {
	printf 'name: w\ndata:\n%s\n' "$1" >exp.yaml
	[ -n "${2:-}" ] && printf 'model:\n%s\n' "$2" >>exp.yaml
	timeout 20 "$LRSWEEP" data exp.yaml >"$OUT" 2>"$ERR"
	RC=$?
}

# refused NAME NEEDLE: the last `data` failed as a user error should.
refused() {
	if [ "$RC" -eq 2 ] && [ ! -s "$OUT" ] && [ "$(wc -l <"$ERR")" -eq 1 ] && grep -qF -- "$2" "$ERR"; then
		ok "$1"
	else
		nok "$1" "rc=$RC stdout=$(head -c 200 "$OUT") stderr=$(head -c 400 "$ERR")"
	fi
}

# loaded NAME PATTERN...: the last `data` succeeded and printed a line
# matching each grep pattern.
loaded() {
	local name=$1 p
	shift
	if [ "$RC" -ne 0 ]; then
		nok "$name" "rc=$RC $(head -c 400 "$ERR")"
		return
	fi
	for p in "$@"; do
		if ! grep -q -- "$p" "$OUT"; then
			nok "$name" "no line matching '$p' in: $(head -c 600 "$OUT")"
			return
		fi
	done
	ok "$name"
}

# ------------------------------------------- images saved channels last
# (n, 28, 28, 3) as Keras keeps images: a conv model told [3, 28, 28]
# would read the interleaved channels as rows. Channels first, and one
# channel last (the same memory as channels first), load.
"$PY" - <<'PYEOF'
import numpy as np
rng = np.random.default_rng(0)
img = rng.integers(0, 256, (40, 28, 28)).astype(np.uint8)
np.save("y.npy", np.arange(40) % 4)
np.save("nhwc3.npy", np.repeat(img[..., None], 3, axis=3))
np.save("nchw3.npy", np.repeat(img[:, None], 3, axis=1))
np.save("nhwc1.npy", img[..., None])
np.save("nhw.npy", img)
PYEOF
CONV="  input: [3, 28, 28]
  layers:
    - {conv: 4, kernel: 3}
    - relu
    - {linear: 4}"
data "  train: {format: npy, features: nhwc3.npy, labels: y.npy}" "$CONV"
refused "npy (n, 28, 28, 3) with model.input [3, 28, 28]: channels last, refused at model.input" \
	"exp.yaml:5:10: model.input [3, 28, 28] is [channels, height, width], but the array's samples are (28, 28, 3), channels last"
printf 'name: w\ndata:\n  train: {format: npz, path: d.npz}\nmodel:\n%s\n' "$CONV" >exp.yaml
"$PY" -c 'import numpy as np; np.savez("d.npz", x_train=np.load("nhwc3.npy"), y_train=np.load("y.npy"))'
timeout 20 "$LRSWEEP" data exp.yaml >"$OUT" 2>"$ERR"
RC=$?
refused "npz (n, 28, 28, 3) with model.input [3, 28, 28]: refused" "exp.yaml:5:10: model.input [3, 28, 28]"
data "  train: {format: npy, features: nchw3.npy, labels: y.npy}" "$CONV"
loaded "npy (n, 3, 28, 28) with model.input [3, 28, 28]" "input  *\[3, 28, 28\]"
for f in nhwc1 nhw; do
	data "  train: {format: npy, features: $f.npy, labels: y.npy}" "${CONV/\[3,/[1,}"
	loaded "npy $f with model.input [1, 28, 28]" "input  *\[1, 28, 28\]"
done

finish
