#!/usr/bin/env bash
# tests/e2e/wild_labels.sh - labels as careless users bring them, through
# `lrsweep data` and `lrsweep train`: a regression target as the label
# (scikit-learn's diabetes), one-hot labels as Keras' to_categorical makes
# them (an npy array, and CSV columns), a feature that copies the label,
# test classes the training data lacks, a validation split that takes a
# class's every row, names that differ in case or blanks. Exact one-hot
# arrays load (refused before); everything else that loaded before still
# loads, with the same classes, and a one-line warning naming the file:
# in `lrsweep data`'s report, on stderr for `train` (not under -q).
# Expected counts come from NumPy and scikit-learn, never from lrsweep.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/data_helpers.bash"
cd "$T" || exit 1

"$PY" - <<'PYEOF'
import numpy as np
from sklearn.datasets import load_diabetes
rng = np.random.default_rng(5)
x, y = load_diabetes(return_X_y=True)
np.savetxt("diabetes.csv", np.column_stack([x, y]), delimiter=",", fmt="%.6g")
open("diabetes.classes", "w").write("%d %d\n" % (len(np.unique(y)), len(y)))
# Boston-like fractional prices: refused, with the binning hint
np.savetxt("prices.csv", np.column_stack([x[:50, :3], 20 + 10 * rng.random(50)]), delimiter=",", fmt="%.4f")

# Keras' to_categorical: one-hot rows of 3 classes
n = 300
f = rng.normal(size=(n, 4)).astype(np.float32)
c = rng.integers(0, 3, n)
hot = np.eye(3, dtype=np.float32)[c]
np.save("x.npy", f)
np.save("y_hot.npy", hot)
np.save("y_hot_f.npy", np.asfortranarray(hot))
np.save("y_int.npy", c)
open("hot.counts", "w").write(" ".join(str(k) for k in np.bincount(c, minlength=3)) + "\n")
soft = hot.copy(); soft[4] = [0.1, 0.7, 0.2]
np.save("y_soft.npy", soft)
multi = hot.copy(); multi[9] = [1, 0, 1]
np.save("y_multi.npy", multi)

# the same one-hot rows as CSV columns after the features: label: last
# takes the last of them
with open("hot.csv", "w") as o:
    o.write("f0,f1,f2,f3,is_a,is_b,is_c\n")
    np.savetxt(o, np.column_stack([f, hot]), delimiter=",", fmt="%g")
# a feature that recodes the label (10, 20, 30)
np.savetxt("copy.csv", np.column_stack([f[:, :2], 10 * (c + 1), f[:, 2], c]), delimiter=",", fmt="%g")

# train 0 .. 2, test 0 .. 4
np.savetxt("train.csv", np.column_stack([f[:200], c[:200]]), delimiter=",", fmt="%g")
t = rng.integers(0, 5, 100)
np.savetxt("test.csv", np.column_stack([f[200:], t]), delimiter=",", fmt="%g")
open("test.unseen", "w").write("%d of its 100 rows\n" % np.sum(t >= 3))

# a class of one row among 40
r = (np.arange(40) % 2).astype(int); r[17] = 9
np.savetxt("rare.csv", np.column_stack([f[:40], r]), delimiter=",", fmt="%g")

# look-alike names, and honest names
names = np.array(["cat", "Cat", '"cat "', "dog"])[np.arange(60) % 4]
with open("pets.csv", "w") as o:
    o.write("a,b,pet\n")
    for i in range(60):
        o.write("%g,%g,%s\n" % (f[i, 0], f[i, 1], names[i]))
PYEOF
[ -s pets.csv ] || { nok "data" "NumPy or scikit-learn missing"; finish; }

# warned NAME NEEDLE...: the last `data` loaded (rc 0) and its report has
# one warning line holding every needle.
warned() {
	local name=$1 line
	shift
	line=$(grep '^warning: ' "$OUT" | grep -v 'features left on their own scales')
	if [ "$RC" -ne 0 ] || [ "$(printf '%s\n' "$line" | grep -c .)" -ne 1 ]; then
		nok "$name" "rc=$RC warnings: $line $(head -c 300 "$ERR")"
		return
	fi
	for n in "$@"; do
		if ! printf '%s\n' "$line" | grep -qF -- "$n"; then
			nok "$name" "no '$n' in: $line"
			return
		fi
	done
	ok "$name"
}

# quiet NAME: the last `data` loaded without a label warning.
quiet() {
	if [ "$RC" -eq 0 ] && ! grep -q '^warning: ' "$OUT"; then ok "$1"; else nok "$1" "rc=$RC $(grep warning "$OUT") $(head -c 300 "$ERR")"; fi
}

# ------------------------------------------------- a regression target
read -r K N <diabetes.classes
data "  train: {format: csv, path: diabetes.csv}
  validation: 0"
warned "diabetes' target as the label: still $K classes, a warning that it looks like regression" \
	"diabetes.csv: $K different labels over $N rows" "regression target" "quantiles"
grep -q "^w: 10 features, $K classes" "$OUT" && ok "diabetes: $K classes, as before" || nok "diabetes classes" "$(head -1 "$OUT")"
data "  train: {format: csv, path: prices.csv}"
refused "fractional prices: refused, saying to bin them" "prices.csv: row 1, column 4" "bin a continuous target"

# ------------------------------------------------------ one-hot labels
read -r C0 C1 C2 <hot.counts
for y in y_hot.npy y_hot_f.npy; do
	data "  train: {format: npy, features: x.npy, labels: $y}
  validation: 0"
	loaded "one-hot labels ($y): 3 classes, each row its argmax" "^w: 4 features, 3 classes" \
		"one-hot labels: each row's 1 is its class" "^0  *$C0  *0  *0$" "^1  *$C1  *0  *0$" "^2  *$C2  *0  *0$"
done
data "  train: {format: npy, features: x.npy, labels: y_soft.npy}"
refused "soft labels: refused with the argmax to save" "y_soft.npy: labels of shape (300, 3)" "y.argmax(axis=1)"
data "  train: {format: npy, features: x.npy, labels: y_multi.npy}"
refused "a multi-label row: refused" "row 9 has more than one 1" "y.argmax(axis=1)"
data "  train: {format: npy, features: x.npy, labels: y_int.npy}"
quiet "the same classes as integers: no warning"

# ----------------------------------------- features that give it away
data "  train: {format: csv, path: hot.csv}"
warned "one-hot CSV columns, label: last: 2 classes as before, the columns named" \
	"hot.csv: the label column 'is_c' and the feature columns 'is_a' and 'is_b' are one-hot columns" "not 3"
grep -q "^w: 6 features, 2 classes" "$OUT" && ok "one-hot CSV columns: still 6 features, 2 classes" || nok "hot.csv shape" "$(head -1 "$OUT")"
data "  train: {format: csv, path: copy.csv}"
warned "a feature that recodes the label: named, with the drop: that leaves it out" \
	"copy.csv: column 3 (from 1) determines the label exactly" "drop: [2]"
data "  train: {format: csv, path: copy.csv, drop: 2}"
quiet "... and with it dropped: quiet"

# ------------------------------------------------ classes in one split
data "  train: {format: csv, path: train.csv}
  test: {format: csv, path: test.csv}"
warned "test labels 3 and 4 the training data lacks: named with their rows" \
	"test.csv: the test data has labels 3 and 4 ($(cat test.unseen))" "the training data (train.csv) never has"
grep -q "^w: 4 features, 5 classes" "$OUT" && ok "train 0..2, test 0..4: still 5 classes" || nok "5 classes" "$(head -1 "$OUT")"

# a class of one row: whichever seed, the warning comes exactly when the
# class table shows it with no training row
agree=0
for seed in 1 2 3 4 5 6; do
	printf 'name: w\nseed: %s\ndata:\n  train: {format: csv, path: rare.csv}\n  validation: 0.5\n' $seed >exp.yaml
	"$LRSWEEP" data exp.yaml >"$OUT" 2>"$ERR"
	empty=$(awk '$2 == 9 && $3 == 0 && $4 > 0' "$OUT" | wc -l)   # class, label, train, validation
	said=$(grep -c '^warning: rare.csv: the validation split has a label 9 (1 of its 20 rows).*stratify: true' "$OUT")
	[ "$empty" -eq "$said" ] && agree=$((agree + 1))
	[ "$empty" -eq 1 ] && seen=1
done
[ "$agree" -eq 6 ] && [ "${seen:-0}" -eq 1 ] && ok "a class of one row left out of training: warned exactly then (6 seeds)" ||
	nok "rare class" "$agree of 6 seeds agree, seen=${seen:-0}"
printf 'name: w\nseed: 1\ndata:\n  train: {format: csv, path: rare.csv}\n  validation: 0.5\n  stratify: true\n' >exp.yaml
"$LRSWEEP" data exp.yaml >"$OUT" 2>"$ERR"; RC=$?
quiet "... stratify: true: quiet"

# ---------------------------------------------------- look-alike names
data "  train: {format: csv, path: pets.csv}"
warned "'cat', 'Cat' and 'cat ': named as look-alikes, still 4 classes" \
	"pets.csv: labels that differ only in case or in blanks around them" "'Cat', 'cat' and 'cat '"
grep -q "^w: 2 features, 4 classes" "$OUT" && ok "look-alikes: 4 classes as before" || nok "pets classes" "$(head -1 "$OUT")"

# ------------------------------------------------------- train's stderr
cat >train.yaml <<'EOF'
name: tr
data:
  train: {format: csv, path: train.csv}
  test: {format: csv, path: test.csv}
model: {hidden: [4]}
batch_size: 32
EOF
run train train.yaml --lr 0.1 --epochs 1
if [ "$RC" -eq 0 ] && [ "$(grep -c '^lrsweep: warning: test.csv: the test data has labels 3 and 4' "$ERR")" -eq 1 ]; then
	ok "train: the warning on stderr, the run done"
else
	nok "train warning" "rc=$RC $(head -c 400 "$ERR")"
fi
run -q train train.yaml --lr 0.1 --epochs 1
if [ "$RC" -eq 0 ] && ! grep -q warning "$ERR"; then ok "train -q: no warning"; else nok "train -q" "rc=$RC $(head -c 300 "$ERR")"; fi

finish
