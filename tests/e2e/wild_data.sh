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

# ------------------------------------------------ quoted fields (RFC 4180)
# Python's csv module (QUOTE_ALL, QUOTE_NONNUMERIC, QUOTE_MINIMAL for a
# label with the delimiter in it, "" for a quote) as pandas reads them:
# the same samples as the plain file, the names without their quotes.
"$PY" - <<'PYEOF'
import csv
rows = [(i % 7 * 0.5, (i * 13) % 11, ["cat, black", 'dog "rex"', "bird"][i % 3]) for i in range(30)]
with open("plain.csv", "w") as f:
    f.write("a,b,label\n" + "".join(f"{a},{b},{i % 3}\n" for i, (a, b, _) in enumerate(rows)))
for name, q in (("all", csv.QUOTE_ALL), ("nonnumeric", csv.QUOTE_NONNUMERIC), ("minimal", csv.QUOTE_MINIMAL)):
    with open(f"q_{name}.csv", "w", newline="") as f:
        w = csv.writer(f, quoting=q)
        w.writerow(["a", "b", "label"])
        w.writerows(rows)
with open("q_numbers.csv", "w", newline="") as f:
    w = csv.writer(f, quoting=csv.QUOTE_ALL)
    w.writerow(["a", "b", "label"])
    w.writerows((a, b, i % 3) for i, (a, b, _) in enumerate(rows))
with open("q_semicolon.csv", "w", newline="") as f:
    w = csv.writer(f, delimiter=";", quoting=csv.QUOTE_NONNUMERIC)
    w.writerow(["a", "b", "label; kind"])
    w.writerows((a, b, l.replace(",", ";")) for a, b, l in rows)
with open("q_open.csv", "w") as f:
    f.write('a,b,label\n1,2,"cat\nblack"\n3,4,dog\n')
PYEOF
data "  train: {format: csv, path: plain.csv}
  validation: 0"
grep '^train ' "$OUT" >plain.train
for q in all nonnumeric minimal; do
	data "  train: {format: csv, path: q_$q.csv, label: label}
  validation: 0"
	if [ "$RC" -eq 0 ] && grep -q '^0  *bird  *10 ' "$OUT" && grep -q '^1  *cat, black  *10 ' "$OUT" &&
	   grep -q '^2  *dog "rex"  *10 ' "$OUT" && diff -q plain.train <(grep '^train ' "$OUT") >/dev/null; then
		ok "csv.writer QUOTE_${q^^}: names with a comma and a doubled quote, the plain file's numbers"
	else
		nok "csv.writer QUOTE_${q^^}" "rc=$RC $(head -c 300 "$ERR") $(grep -A4 '^class' "$OUT")"
	fi
done
data "  train: {format: csv, path: q_numbers.csv}
  validation: 0"
loaded "quoted numbers are numbers" "labels: numbers 0 .. 2, used as the class numbers" "a header row"
if diff -q plain.train <(grep '^train ' "$OUT") >/dev/null; then ok "quoted numbers: the plain file's values"; else nok "quoted numbers' values" "$(grep '^train ' "$OUT")"; fi
data "  train: {format: csv, path: q_semicolon.csv}
  validation: 0"
loaded "';' inside quotes: detected ';', three columns" "delimiter ';' (detected)" "^1  *cat; black  *10 "
data "  train: {format: csv, path: q_open.csv}"
refused "a line break inside quotes: refused at its row" "q_open.csv: row 2: a quoted field has no closing quote"

finish
