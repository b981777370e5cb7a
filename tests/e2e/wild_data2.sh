#!/usr/bin/env bash
# tests/e2e/wild_data2.sh - more data files as users bring them, through
# `lrsweep data`: labels -1/+1 and other integer codes, space-separated
# text (np.savetxt, scikit-learn's bundled files), columns left out with
# `drop:`, text labels not in the last column, gzip files with a
# delimiter ending every row. Each loads as docs/data.md says, or is
# refused with one line naming the file (and where), exit 2, nothing on
# stdout.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/data_helpers.bash"
cd "$T" || exit 1
SK=/usr/lib/python3/dist-packages/sklearn/datasets/data


# --------------------------------------------- labels -1/+1, integer codes
# scikit-learn's make_hastie_10_2 labels its two classes -1.0 and 1.0, as
# LIBSVM data does; LabelEncoder makes them 0 and 1.
"$PY" - <<'PYEOF'
import numpy as np
from sklearn.datasets import make_hastie_10_2
x, y = make_hastie_10_2(n_samples=200, random_state=0)
np.save("hx.npy", x.astype(np.float32))
np.save("hy.npy", y)                      # float64 -1.0 / 1.0
np.save("hy_i1.npy", y.astype(np.int8))
np.savetxt("hastie.csv", np.column_stack([x, y]), delimiter=",", fmt="%g")
codes = np.array([-5, 1000000, 7])[np.arange(200) % 3]
np.savetxt("codes.csv", np.column_stack([x[:, :3], codes]), delimiter=",", fmt="%g")
open("huge.csv", "w").write("a,b,label\n1,2,0\n3,4,2147483648\n")
PYEOF
for f in "format: npy, features: hx.npy, labels: hy.npy" "format: npy, features: hx.npy, labels: hy_i1.npy" \
         "format: csv, path: hastie.csv"; do
	data "  train: {$f}
  validation: 0"
	loaded "labels -1/+1 ($f): classes 0 and 1 in increasing order" "^w: 10 features, 2 classes" \
		"labels: numbers -1 .. 1, not 0 .. 1: mapped to classes 0 .. 1" "^0  *-1  *[0-9]" "^1  *1  *[0-9]"
done
data "  train: {format: csv, path: codes.csv}
  validation: 0"
loaded "codes -5, 7, 1000000: three classes in increasing order" "^w: 3 features, 3 classes" \
	"^0  *-5  *67 " "^1  *7  *66 " "^2  *1000000  *67 "
data "  train: {format: csv, path: huge.csv}"
refused "a label past 32-bit integers: its row and column" \
	"exp.yaml:3:30: huge.csv: row 3, column 3 ('label'): label 2147483648 is out of range: labels are 32-bit integers"

# ------------------------------------------------- space-separated text
# np.savetxt's default (' ', '%.18e'), a file aligned with runs of blanks
# and indented, scikit-learn's diabetes_data_raw.csv.gz and linnerud
# files: runs of blanks are one separator, as np.loadtxt reads them; the
# same numbers as the comma-separated file.
"$PY" - <<'PYEOF'
import numpy as np
rng = np.random.default_rng(1)
x = np.round(rng.normal(size=(40, 3)), 3)
y = np.arange(40) % 3
np.savetxt("comma.csv", np.column_stack([x, y]), delimiter=",", fmt="%g")
np.savetxt("savetxt.txt", np.column_stack([x, y]))
with open("aligned.txt", "w") as f:
    f.write("   a        b       c   label\n")
    f.writelines(f"  {a:8.3f} {b:8.3f}\t{c:8.3f}   {l}  \n" for (a, b, c), l in zip(x, y))
PYEOF
data "  train: {format: csv, path: comma.csv}
  validation: 0"
grep '^train ' "$OUT" >comma.train
for f in savetxt.txt aligned.txt; do
	data "  train: {format: csv, path: $f}
  validation: 0"
	if [ "$RC" -eq 0 ] && grep -q '^csv: delimiter whitespace (runs of blanks) (detected)' "$OUT" &&
	   grep -q '^w: 3 features, 3 classes' "$OUT" && diff -q comma.train <(grep '^train ' "$OUT") >/dev/null; then
		ok "$f: runs of blanks detected as one separator, the comma file's numbers"
	else
		nok "$f" "rc=$RC $(head -c 300 "$ERR") $(head -c 600 "$OUT")"
	fi
done
for d in whitespace "'\\s+'" '" "'; do
	data "  train: {format: csv, path: aligned.txt, delimiter: $d}
  validation: 0"
	loaded "delimiter: $d" "^csv: delimiter whitespace (runs of blanks) (as set), a header row" "^w: 3 features, 3 classes"
done
data "  train: {format: csv, path: comma.csv, delimiter: spaces}"
refused "an unknown delimiter names the choices" "exp.yaml:3:52: 'delimiter' must be \",\", \";\", \"|\", tab (or \"\\t\"), whitespace or auto, got 'spaces'"
"$PY" -c '
import numpy as np
for f in ("diabetes_data_raw.csv.gz", "linnerud_exercise.csv"):
    a = np.loadtxt("'"$SK"'/" + f, skiprows=1 if f.startswith("linnerud") else 0)
    print(f, a.shape[0], a.shape[1] - 1, len(np.unique(a[:, -1])))' >sk.shapes 2>/dev/null
while read -r f n d k; do
	data "  train: {format: csv, path: $SK/$f}
  validation: 0"
	loaded "scikit-learn's $f: $n samples, $d features, $k classes (as np.loadtxt reads it)" \
		"^w: $d features, $k classes" "^train  *$n  *$d " "^csv: delimiter whitespace (runs of blanks) (detected)"
done <sk.shapes
[ "$(wc -l <sk.shapes)" -eq 2 ] || nok "scikit-learn's bundled files" "not read by NumPy here: $(cat sk.shapes)"

# ----------------------------------------- columns that are not features
# An id and a name column beside the features, as a DataFrame holds them:
# drop: leaves them out unread, by header name or 0-based index, as
# pandas' df.drop(columns=[...]) does; the same samples as the file
# without them. pandas' index column (unnamed) is left out with drop: [0].
"$PY" - <<'PYEOF'
rows = [(1000 + i, ["alice", "bob, jr", "carol"][i % 3], i % 7 * 0.5, (i * 13) % 11 * 100.0, ["cat", "dog"][i % 2])
        for i in range(30)]
open("people.csv", "w").write("id,name,a,b,species\n" + "".join(f'{i},"{n}",{a},{b},{c}\n' for i, n, a, b, c in rows))
open("plain.csv", "w").write("a,b,species\n" + "".join(f"{a},{b},{c}\n" for i, n, a, b, c in rows))
open("test.csv", "w").write("name,a,b,species\n" + "".join(f'"{n}",{a},{b},{c}\n' for i, n, a, b, c in rows[:6]))
open("index.csv", "w").write(",a,b,species\n" + "".join(f"{k},{a},{b},{c}\n" for k, (i, n, a, b, c) in enumerate(rows)))
PYEOF
data "  train: {format: csv, path: plain.csv}
  validation: 0
  normalize: none"
grep -E '^(train|0|1) ' "$OUT" >plain.out
for d in "[id, name]" "[0, 1]" "[name, 0]"; do
	data "  train: {format: csv, path: people.csv, drop: $d}
  validation: 0
  normalize: none"
	if [ "$RC" -eq 0 ] && grep -q '^w: 2 features, 2 classes' "$OUT" && diff -q plain.out <(grep -E '^(train|0|1) ' "$OUT") >/dev/null &&
	   grep -q "column 'b' std" "$OUT"; then
		ok "drop: $d: the file without those columns, the spread warning naming column 'b'"
	else
		nok "drop: $d" "rc=$RC $(head -c 300 "$ERR") $(head -c 800 "$OUT")"
	fi
done
data "  train: {format: csv, path: people.csv, drop: [id, name]}
  test: {format: csv, path: test.csv, drop: name}"
loaded "drop: in train and in test, each its own" "^test  *6  *2 "
data "  train: {format: csv, path: index.csv, drop: 0}
  validation: 0
  normalize: none"
if [ "$RC" -eq 0 ] && diff -q plain.out <(grep -E '^(train|0|1) ' "$OUT") >/dev/null; then ok "pandas' index column left out with drop: 0"
else nok "drop: 0 on the index column" "rc=$RC $(head -c 300 "$ERR")"; fi
data "  train: {format: csv, path: index.csv}"
refused "pandas' index column: the refusal says drop: [0]" "or leave it out with drop: [0]"
data "  train: {format: csv, path: people.csv,
          drop: [id, nmae]}"
refused "drop: a column not in the header: at the item, the header's names listed" \
	"exp.yaml:4:22: people.csv: drop: no column named 'nmae' in the header (it has: 'id', 'name', 'a', 'b', 'species')"
data "  train: {format: csv, path: people.csv, drop: [id, 9]}"
refused "drop: an index past the columns" "exp.yaml:3:53: people.csv: drop: column 9 is out of range: rows have 5 columns (0 to 4)"
data "  train: {format: csv, path: people.csv, drop: [id, name, species]}"
refused "drop: the label column" "exp.yaml:3:59: people.csv: drop: column species is the label column (4, from 0)"
data "  train: {format: npy, features: hx.npy, labels: hy.npy, drop: [0]}"
refused "drop: on npy data" "exp.yaml:3:58: 'drop' applies to format csv only, not npy"
data "  train: {format: csv, path: people.csv}"
refused "a text column without drop: is still an error" "people.csv: row 2, column 2 ('name'): 'alice' is not a number"

# --------------------------------- a text label that is not the last column
# iris as many CSVs have it, species first: without label: the error says
# to set it, naming the column; with it, the file loads.
"$PY" - <<'PYEOF'
import csv
rows = list(csv.reader(open("/usr/lib/python3/dist-packages/sklearn/datasets/data/iris.csv")))[1:]
names = ["setosa", "versicolor", "virginica"]
open("iris_first.csv", "w").write("species,sl,sw,pl,pw\n" + "".join(f"{names[int(r[4])]},{','.join(r[:4])}\n" for r in rows))
PYEOF
data "  train: {format: csv, path: iris_first.csv}"
refused "a text label in column 1, label: not set: the error says to set label: 0" \
	"iris_first.csv: row 2, column 1 ('species'): 'setosa' is not a number (a column of text: the label is the last column unless set; if column 1 is the label, set label: 0 (from 0)"
data "  train: {format: csv, path: iris_first.csv, label: 0}"
loaded "... and with label: 0 it loads" "^w: 4 features, 3 classes" "^2  *virginica "

# ------------------------- gzip files: what the second row tells, read ahead
# A delimiter ending every row, and a header whose only text is its
# label, are seen from the row after the first: a gzip file (which
# cannot seek back) reads as the plain file does.
"$PY" - <<'PYEOF'
import gzip
rows = [(i % 7 * 0.5, (i * 13) % 11, ["cat", "dog", "bird"][i % 3]) for i in range(30)]
texts = {"trail": "a,b,label,\n" + "".join(f"{a},{b},{c},\n" for a, b, c in rows),
         "trail_nohead": "".join(f"{a},{b},{c},\n" for a, b, c in rows),
         "numhead": "0,1,label\n" + "".join(f"{a},{b},{i % 3}\n" for i, (a, b, c) in enumerate(rows))}
for name, text in texts.items():
    open(name + ".csv", "w").write(text)
    with gzip.open(name + ".csv.gz", "wt") as f:
        f.write(text)
PYEOF
for f in trail trail_nohead numhead; do
	data "  train: {format: csv, path: $f.csv}
  validation: 0"
	grep -vE '^(w|csv): ' "$OUT" >plain.out
	grep -E '^(w|csv): ' "$OUT" >plain.head
	data "  train: {format: csv, path: $f.csv.gz}
  validation: 0"
	if [ "$RC" -eq 0 ] && grep -q '^w: 2 features, 3 classes' "$OUT" && diff -q plain.out <(grep -vE '^(w|csv): ' "$OUT") >/dev/null &&
	   diff -q plain.head <(grep -E '^(w|csv): ' "$OUT") >/dev/null; then
		ok "$f.csv.gz reads as $f.csv"
	else
		nok "$f.csv.gz" "rc=$RC $(head -c 300 "$ERR") $(head -c 400 "$OUT")"
	fi
done

# ------------------------------------------- a stratified validation split
# stratify: true holds out each class's share (scikit-learn's
# train_test_split(stratify=y)); a class of one sample stays in training.
"$PY" - <<'PYEOF'
sizes = {"a": 60, "b": 30, "c": 9, "d": 1}
rows = [(i, c) for c, k in sizes.items() for i in range(k)]
open("strat.csv", "w").write("x,label\n" + "".join(f"{i * 0.5},{c}\n" for i, c in rows))
PYEOF
data "  train: {format: csv, path: strat.csv}
  validation: 0.2
  stratify: true"
loaded "stratify: true: 12, 6, 2 and 0 of classes of 60, 30, 9 and 1 held out" "^validation  *20 " \
	"^0  *a  *48  *12 " "^1  *b  *24  *6 " "^2  *c  *7  *2 " "^3  *d  *1  *0 "
data "  train: {format: csv, path: strat.csv}
  stratify: yes please"
refused "stratify: not a boolean" "exp.yaml:4:13: 'stratify' must be true or false, got 'yes please'"

finish
