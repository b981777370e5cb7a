#!/usr/bin/env bash
# tests/e2e/wild_data.sh - data files as other tools write them, through
# `lrsweep data`: each loads as docs/data.md says, or is refused with one
# line naming the file (and row and column), exit 2, nothing on stdout.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/data_helpers.bash"
cd "$T" || exit 1


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

# ------------------------------------- what exporters add around the data
"$PY" - <<'PYEOF'
rows = [(i % 7 * 0.5, (i * 13) % 11, ["cat", "dog", "bird"][i % 3]) for i in range(30)]
body = lambda end="": "".join(f"{a},{b},{c}{end}\n" for a, b, c in rows)
open("trail.csv", "w").write("a,b,label,\n" + body(","))
open("trail_nohead.csv", "w").write(body(","))
open("trail_label_missing.csv", "w").write("a,b,label\n1,2,\n3,4,cat\n")
# pandas' df.to_csv() and R's write.csv(): the index / row names first
open("index.csv", "w").write(",a,b,label\n" + "".join(f"{i},{a},{b},{c}\n" for i, (a, b, c) in enumerate(rows)))
open("rownames.csv", "w").write('"","a","b","label"\n' + "".join(f'"{i + 1}",{a},{b},"{c}"\n' for i, (a, b, c) in enumerate(rows)))
open("cr.csv", "w", newline="").write("a,b,label\r" + body().replace("\n", "\r"))
for tok in ("", "NA", "NaN", "?"):
    open(f"missing{len(tok)}{tok[:1]}.csv", "w").write("a,b,label\n1,2,cat\n" + f"{tok},4,dog\n")
open("euro.csv", "w").write("a;b;label\n" + "".join(f"{str(a).replace('.', ',')};{b};{c}\n" for a, b, c in rows))
PYEOF
data "  train: {format: csv, path: trail.csv}
  validation: 0"
loaded "a delimiter ending every row (header too): an empty column, dropped" "^w: 2 features, 3 classes" "^train  *30  *2 " "^0  *bird  *10 "
data "  train: {format: csv, path: trail_nohead.csv}
  validation: 0"
loaded "a delimiter ending every row, no header" "^w: 2 features, 3 classes" "^train  *30  *2 "
# gzip'ed, as scikit-learn ships its CSVs: read as the text it holds, so
# the rows after the first (what says a delimiter ends every row, and
# whether a row of numbers is a header) are looked at as in the plain file
gzip -k trail.csv
data "  train: {format: csv, path: trail.csv.gz}
  validation: 0"
loaded "gzip'ed, a delimiter ending every row: dropped as in the plain file" "^w: 2 features, 3 classes" "^train  *30  *2 "
printf '0,1,label\n1,2,0\n3,4,1\n5,6,0\n' | gzip >numbered.csv.gz
data "  train: {format: csv, path: numbered.csv.gz}
  validation: 0"
loaded "gzip'ed, numbers heading a label column of numbers: a header, as in the plain file" "a header row" "^train  *3  *2 "
data "  train: {format: csv, path: trail_label_missing.csv}"
refused "a label missing in the first row is not a trailing delimiter" "trail_label_missing.csv: row 2, column 3 ('label'): empty field"
data "  train: {format: csv, path: index.csv}"
refused "pandas' index column (unnamed in the header): refused, not a feature" \
	"index.csv: column 1 has no name in the header: the row index pandas' to_csv (or the row names R's write.csv) writes there would train as a feature"
data "  train: {format: csv, path: rownames.csv}"
refused "R's row names (\"\" in the header): refused" "rownames.csv: column 1 has no name in the header"
data "  train: {format: csv, path: cr.csv}"
refused "CR-only line ends: refused, not 'no data rows'" "cr.csv: row 1 holds a carriage return: lines that end in CR alone"
for f in missing0 missing2N missing3N missing1?; do
	data "  train: {format: csv, path: $f.csv}"
	refused "missing value in $f.csv: its row and column, called a missing value" "$f.csv: row 3, column 1 ('a'): " \
		"(a missing value: lrsweep fills none in; drop or fill them first"
done
# in a label column of numbers, a missing value is one, not a name mixed in
printf 'a,b,label\n1,2,0\n3,4,NA\n5,6,1\n' >label_na.csv
data "  train: {format: csv, path: label_na.csv}"
refused "a missing label among numbers: called a missing value, not a name" \
	"label_na.csv: row 3, column 3 ('label'): 'NA' is not a number (a missing value: lrsweep fills none in"
printf 'a;b;label\n1;2;0\n3;4;1,0\n' >label_comma.csv
data "  train: {format: csv, path: label_comma.csv}"
refused "a label with a decimal comma among numbers: called one" \
	"label_comma.csv: row 3, column 3 ('label'): '1,0' is not a number (a decimal comma"
data "  train: {format: csv, path: euro.csv}"
refused "decimal commas: the row, column and why" "euro.csv: row 2, column 1 ('a'): '0,0' is not a number (a decimal comma or a thousands separator"

finish
