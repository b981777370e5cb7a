#!/usr/bin/env bash
# tests/e2e/bad_data.sh - every malformed file of tests/data/bad through
# `lrsweep data`: exit 2, nothing on stdout, one line on stderr naming the
# file (and, for CSV, the row and column). Also a missing file.
set -u
. "$(dirname "$0")/lib.sh"
BAD=$REPO/tests/data/bad
cd "$T" || exit 1

# experiment FILE ROLE: an experiment whose train data is FILE in ROLE.
experiment() {
	local f=$BAD/$1
	case $2 in
	images) src="{format: idx, images: $f, labels: $BAD/ok.idx1}" ;;
	labels) src="{format: idx, images: $BAD/ok.idx3, labels: $f}" ;;
	csv) src="{format: csv, path: $f}" ;;
	features) src="{format: npy, features: $f, labels: $BAD/ok-labels.npy}" ;;
	npylabels) src="{format: npy, features: $BAD/ok-features.npy, labels: $f}" ;;
	npz) src="{format: npz, path: $f}" ;;
	esac
	printf 'name: bad\ndata:\n  train: %s\n  validation: 0\n' "$src" >"$T/exp.yaml"
}

check() { # FILE ROLE [NEEDLE]
	experiment "$1" "$2"
	run data "$T/exp.yaml"
	if [ "$RC" -eq 2 ] && [ ! -s "$OUT" ] && [ "$(wc -l <"$ERR")" -eq 1 ] &&
	   grep -qF "$1" "$ERR" && { [ -z "${3:-}" ] || grep -q -- "$3" "$ERR"; }; then
		ok "$1 ($2)"
	else
		nok "$1 ($2)" "rc=$RC stdout=$(wc -c <"$OUT")B stderr=$(head -c 300 "$ERR")"
	fi
}

for f in "$BAD"/*; do
	name=${f##*/}
	case $name in
	README.md | ok*) continue ;;
	*.idx1) check "$name" labels ;;
	*.idx3 | *.idx3.gz) check "$name" images ;;
	empty.csv | header-only.csv) check "$name" csv ;;
	*.csv) check "$name" csv "row [0-9]" ;;
	*labels*.npy) check "$name" npylabels ;;
	*.npy | *.npy.gz) check "$name" features ;;
	*.npz) check "$name" npz ;;
	esac
done
# the row and column of a CSV problem
check non-numeric.csv csv "row [0-9]*, column [0-9]"

experiment missing.idx3 images
run data "$T/exp.yaml"
if [ "$RC" -eq 2 ] && [ "$(wc -l <"$ERR")" -eq 1 ] && grep -q "missing.idx3" "$ERR"; then ok "missing file"; else nok "missing file" "rc=$RC $(cat "$ERR")"; fi
finish
