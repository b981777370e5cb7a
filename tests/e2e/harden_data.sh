#!/usr/bin/env bash
# tests/e2e/harden_data.sh - `lrsweep data` on the inputs of the hardening
# issue: a `limit` below the count of a gzip idx source (it used to hang:
# every command runs under `timeout`, so a regression fails instead);
# CSV labels 1..K and names, mapped to 0..K-1 and shown; `;` and tab
# files and the `delimiter:` and `skip_rows:` keys; the default
# normalisation by source, said with its reason; scikit-learn's own CSVs.
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
FASHION=/usr/share/datasets/fashion-mnist

SK=/usr/lib/python3/dist-packages/sklearn/datasets/data

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

# has TEXT: the last `lrsweep data` printed a line containing TEXT.
has() { grep -qF -- "$1" "$OUT"; }

# ---------------------------------- item 19: labels 1..K become 0..K-1
printf 'a,b,label\n' >one.csv
for i in $(seq 0 29); do echo "$i,$((i % 4)).5,$((i % 3 + 1))" >>one.csv; done
data "  train: {format: csv, path: one.csv}
  validation: 0"
if [ "$RC" -eq 0 ] && has "h: 2 features, 3 classes," &&
   has "labels: numbers 1 .. 3, not 0 .. 2: mapped to classes 0 .. 2 in increasing order" &&
   grep -q '^0  *1  *10  ' "$OUT" && grep -q '^2  *3  *10  ' "$OUT"; then
	ok "csv labels 1..3: 3 classes, the mapping said and shown per class"
else
	nok "csv labels 1..3" "rc=$RC $(head -c 400 "$OUT") $(head -c 300 "$ERR")"
fi

# ---------------------------- item 20: names as labels, other delimiters
printf 'x;y;species\n' >hens.csv
for i in $(seq 0 29); do
	case $((i % 3)) in 0) n=hen ;; 1) n=cock ;; 2) n=Duck ;; esac
	echo "$i;$((i % 5));$n" >>hens.csv
done
data "  train: {format: csv, path: hens.csv, label: species}
  validation: 0"
if [ "$RC" -eq 0 ] && has "h: 2 features, 3 classes," &&
   has "labels: 3 names, mapped to classes 0 .. 2 in sorted (byte) order" &&
   has "csv: delimiter ';' (detected), a header row" &&
   grep -q '^0  *Duck  *10 ' "$OUT" && grep -q '^1  *cock  *10 ' "$OUT" && grep -q '^2  *hen  *10 ' "$OUT"; then
	ok "names as labels in a ';' file: sorted, each class's name shown"
else
	nok "names as labels, ';'" "rc=$RC $(head -c 600 "$OUT") $(head -c 300 "$ERR")"
fi
tr ';' '\t' <hens.csv >hens.tsv
data "  train: {format: csv, path: hens.tsv, delimiter: tab}
  validation: 0"
if [ "$RC" -eq 0 ] && has "3 classes" && has "csv: delimiter tab (as set), a header row"; then
	ok "delimiter: tab"
else
	nok "delimiter: tab" "rc=$RC $(head -c 300 "$OUT") $(head -c 300 "$ERR")"
fi
data "  train: {format: csv, path: hens.csv, delimiter: \",\"}
  validation: 0"
if [ "$RC" -eq 2 ] && [ ! -s "$OUT" ] && grep -q "exp.yaml:3:30: hens.csv: row 1 has one column (no ',' in it)" "$ERR"; then
	ok "delimiter: \",\" on a ';' file: the row and what to check"
else
	nok "wrong delimiter" "rc=$RC $(cat "$ERR")"
fi

# the new keys are checked like every other: file:line:column, exit 2
bad_key() { # NAME NEEDLE SOURCE-MAPPING
	data "  train: $3"
	if [ "$RC" -eq 2 ] && [ ! -s "$OUT" ] && [ "$(wc -l <"$ERR")" -eq 1 ] && grep -q -- "$2" "$ERR"; then
		ok "$1"
	else
		nok "$1" "rc=$RC $(cat "$ERR")"
	fi
}
bad_key "delimiter: a word" "exp.yaml:3:51: 'delimiter' must be \",\", \";\", \"|\", tab" \
	"{format: csv, path: hens.csv, delimiter: colon}"
bad_key "delimiter: a list" "exp.yaml:3:51: 'delimiter' must be a single value" \
	"{format: csv, path: hens.csv, delimiter: [1]}"
bad_key "skip_rows: negative" "exp.yaml:3:51: 'skip_rows' must be a whole number" \
	"{format: csv, path: hens.csv, skip_rows: -1}"
bad_key "delimiter on idx" "exp.yaml:3:58: 'delimiter' applies to format csv only, not idx" \
	"{format: idx, images: im.idx3, labels: lb.idx1, delimiter: \";\"}"
bad_key "a typo of skip_rows" "unknown key 'skip_row' in data.train (did you mean 'skip_rows'?)" \
	"{format: csv, path: hens.csv, skip_row: 1}"
# a column of numbers with a name in it is a typo, not a class
printf '1,2,0\n3,4,1\n5,6,hen\n' >typo.csv
bad_key "a name among numeric labels" "typo.csv: row 3, column 3: label 'hen' is a name, but the label of row 1 is a number" \
	"{format: csv, path: typo.csv}"

# a run stores the classes the mapping made
printf 'name: h\ndata:\n  train: {format: csv, path: hens.csv}\n  validation: 0.2\nmodel: {hidden: []}\nbatch_size: 8\n' >run.yaml
if timeout 60 "$LRSWEEP" train run.yaml --lr 0.1 --epochs 1 --db h.db >"$OUT" 2>"$ERR" &&
   [ "$(sqlite3 -batch h.db 'select classes, train_samples, features from experiments')" = "3|24|2" ]; then
	ok "train on names: the experiment stores 3 classes"
else
	nok "train on names" "$(tail -3 "$ERR")"
fi

# ---------------------- item 21: the default normalisation by source
# two features on scales 1 and 1000: standardized by default, each
data "  train: {format: csv, path: one.csv}
  validation: 0"
if [ "$RC" -eq 0 ] && has "h: 2 features, 3 classes, normalize: standardize" &&
   has "normalize standardize: the default for float features of csv and npy files: per feature" &&
   grep -q '^train  *30  *2  .*  *[-0-9.e]*  *1$' "$OUT"; then
	ok "csv: standardize by default, and why"
else
	nok "csv default normalize" "rc=$RC $(head -c 500 "$OUT") $(head -c 300 "$ERR")"
fi
data "  train: {format: csv, path: one.csv}
  validation: 0
  normalize: scale"
if [ "$RC" -eq 0 ] && has "normalize: scale" && has "normalize scale: as the experiment sets it"; then
	ok "an explicit normalize wins"
else
	nok "explicit normalize" "rc=$RC $(head -c 300 "$OUT")"
fi
data "  train: {format: idx, images: im.idx3.gz, labels: lb.idx1.gz}
  validation: 0"
if [ "$RC" -eq 0 ] && has "normalize: scale" && has "normalize scale: the default for features of bytes such as images" &&
   grep -q '^train  *1000  *784  *0  *1 ' "$OUT"; then
	ok "idx: the global byte scale by default"
else
	nok "idx default normalize" "rc=$RC $(head -c 300 "$OUT")"
fi

# ------------------ features of very different spreads, left on their scales
# one column (price) 1000x wider than the others: `normalize: none` warns
# once, naming the file and the column, in `lrsweep data`'s report and on
# stderr of range-test and run (not under -q); standardized (the csv
# default) it does not.
"$PY" - <<'EOF'
with open("wide.csv", "w") as f:
    f.write("a,b,price,label\n")
    for i in range(60):
        f.write("%g,%g,%g,%d\n" % (i % 5 * 0.1, i % 3 * 0.2, 1000 + 900 * (i % 7), i % 2))
EOF
# wide YAML-LINE: an experiment on wide.csv, with that line in its data
wide() {
	printf 'name: w\ndata:\n  train: {format: csv, path: wide.csv}\n%s\nmodel: {hidden: [8]}\noptimizer: {type: adam}\nbatch_size: 16\n' "$1" >wide.yaml
}
WARN="wide.csv: features left on their own scales (normalize: none) span [0-9.]* decades of spread (column 'price' std [0-9.e+]*, median column std [0-9.e+-]*): one column dominates the first layer"
# trun ARGS...: lrsweep ARGS under a timeout, as `run` (lib.sh) does
trun() {
	timeout 60 "$LRSWEEP" "$@" >"$OUT" 2>"$ERR"
	RC=$?
}
RANGE=(range-test wide.yaml --mode exponential --start-lr 1e-4 --end-lr 1 --epochs 2 --repeats 1 --db w.db)
wide "  normalize: none"
trun data wide.yaml
if [ "$RC" -eq 0 ] && [ "$(grep -c "^warning: $WARN" "$OUT")" -eq 1 ] && ! grep -q warning "$ERR"; then
	ok "data, normalize: none on columns 1000x apart: the report warns once"
else
	nok "data spread warning" "rc=$RC $(grep -i warn "$OUT") $(head -c 300 "$ERR")"
fi
trun "${RANGE[@]}"
if [ "$RC" -eq 0 ] && [ "$(grep -c "^lrsweep: warning: $WARN" "$ERR")" -eq 1 ] && ! grep -q "decades of spread" "$OUT"; then
	ok "range-test, normalize: none: the warning once on stderr"
else
	nok "range-test spread warning" "rc=$RC $(head -c 600 "$ERR")"
fi
trun "${RANGE[@]}" -q
if [ "$RC" -eq 0 ] && ! grep -q "decades of spread" "$ERR" "$OUT"; then
	ok "range-test -q: no spread warning"
else
	nok "range-test -q spread warning" "rc=$RC $(head -c 600 "$ERR")"
fi
trun run wide.yaml --dry-run --db w.db
if [ "$RC" -eq 0 ] && [ "$(grep -c "^lrsweep: warning: $WARN" "$ERR")" -eq 1 ]; then
	ok "run --dry-run, normalize: none: the warning once"
else
	nok "run spread warning" "rc=$RC $(head -c 600 "$ERR")"
fi
trun train wide.yaml --lr 0.01 --epochs 1 --db w.db
if [ "$RC" -eq 0 ] && [ "$(grep -c "^lrsweep: warning: $WARN" "$ERR")" -eq 1 ]; then
	ok "train, normalize: none: the warning once"
else
	nok "train spread warning" "rc=$RC $(head -c 600 "$ERR")"
fi
wide ""
trun data wide.yaml
if [ "$RC" -eq 0 ] && has "normalize: standardize" && ! grep -q "decades of spread" "$OUT" "$ERR"; then
	ok "data, the default (standardize): no spread warning"
else
	nok "data default spread" "rc=$RC $(grep -h warn "$OUT" "$ERR" | head -c 600)"
fi
trun "${RANGE[@]}"
if [ "$RC" -eq 0 ] && ! grep -q "decades of spread" "$OUT" "$ERR"; then
	ok "range-test, the default (standardize): no spread warning"
else
	nok "range-test default spread" "rc=$RC $(head -c 600 "$ERR")"
fi

# ------------------------------------ scikit-learn's CSVs, as shipped
# their first line is "n_samples,n_features,class names": the error says
# to skip it, and skip_rows: 1 loads them.
if [ -r "$SK/breast_cancer.csv" ]; then
	for f in breast_cancer:569:30:2 wine_data:178:13:3 iris:150:4:3; do
		IFS=: read -r name n d k <<<"$f"
		data "  train: {format: csv, path: $SK/$name.csv, skip_rows: 1}
  validation: 0"
		if [ "$RC" -eq 0 ] && has "h: $d features, $k classes, normalize: standardize" && grep -q "^train  *$n  *$d " "$OUT"; then
			ok "sklearn $name.csv with skip_rows: 1: $n samples, $d features, $k classes"
		else
			nok "sklearn $name.csv" "rc=$RC $(head -c 300 "$OUT") $(head -c 300 "$ERR")"
		fi
	done
	data "  train: {format: csv, path: $SK/breast_cancer.csv}"
	if [ "$RC" -eq 2 ] && grep -q "breast_cancer.csv: row 2 has 31 columns, expected 4 (ragged rows): the header, row 1, has 4; if row 1 is not the header, skip it with skip_rows: 1" "$ERR"; then
		ok "sklearn breast_cancer.csv without skip_rows: the error says to skip row 1"
	else
		nok "sklearn without skip_rows" "rc=$RC $(cat "$ERR")"
	fi
else
	ok "sklearn CSVs: SKIPPED (python3-sklearn not installed)"
fi

# ------------------------------------------------ gzip-compressed CSV
# read through zlib as the idx reader reads .gz (scikit-learn ships
# digits.csv.gz): the same samples as the plain file; a truncated or
# damaged stream is a read error, not a shorter data set.
"$PY" - <<'EOF'
import gzip
rows = "".join(f"{i % 7}.25,{(i * 13) % 11},{i % 3}\n" for i in range(2000))
open("plain.csv", "w").write(rows)
z = gzip.compress(rows.encode())
open("packed.csv.gz", "wb").write(z)
open("cut.csv.gz", "wb").write(z[: len(z) // 2])
open("junk.csv.gz", "wb").write(b"\x1f\x8b" + bytes(range(200)))
EOF
data "  train: {format: csv, path: plain.csv}
  validation: 0"
cp "$OUT" plain.out
data "  train: {format: csv, path: packed.csv.gz}
  validation: 0"
if [ "$RC" -eq 0 ] && grep -q '^train  *2000  *2 ' "$OUT" && diff <(grep -v csv plain.out) <(grep -v csv "$OUT") >/dev/null; then
	ok "csv.gz: read as its text (2000 rows, the plain file's summary)"
else
	nok "csv.gz" "rc=$RC $(head -c 400 "$OUT") $(head -c 300 "$ERR") $(diff plain.out "$OUT" | head -5)"
fi
for f in cut junk; do
	data "  train: {format: csv, path: $f.csv.gz}"
	if [ "$RC" -eq 2 ] && [ "$(wc -l <"$ERR")" -eq 1 ] &&
	   grep -q "exp.yaml:3:30: $f.csv.gz: read error after row [0-9]*: the file ends early or is damaged" "$ERR"; then
		ok "csv.gz $f: one line, exit 2, a read error"
	else
		nok "csv.gz $f" "rc=$RC $(cat "$ERR")"
	fi
done
if [ -r "$SK/digits.csv.gz" ]; then
	data "  train: {format: csv, path: $SK/digits.csv.gz}
  validation: 0"
	if [ "$RC" -eq 0 ] && grep -q '^train  *1797  *64 ' "$OUT"; then
		ok "sklearn digits.csv.gz: 1797 samples, 64 features"
	else
		nok "sklearn digits.csv.gz" "rc=$RC $(head -c 300 "$OUT") $(head -c 300 "$ERR")"
	fi
fi

finish
