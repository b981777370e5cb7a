#!/usr/bin/env bash
# tests/e2e/npy_formats.sh - NumPy data through `lrsweep data` and
# `lrsweep train`: the files NumPy itself wrote under tests/data/npy/
# (tests/data/make_npy.py): a big-endian Fortran-order .npy pair, its
# .npy.gz, 1-D features, a Keras-style .npz with train and test (the
# default keys), an archive with data descriptors. `lrsweep data` says
# what it read: dtype, byte order, shape, order, archive member. And the
# configuration errors of format npz, at their line:column, exit 2.
set -u
. "$(dirname "$0")/lib.sh"
D=$REPO/tests/data/npy
cd "$T" || exit 1

# exp FILE TRAIN [TEST]: an experiment reading TRAIN (and TEST).
exp() {
	{ printf 'name: npy\ndata:\n  train: %s\n' "$2"
	  [ -n "${3:-}" ] && printf '  test: %s\n' "$3"
	  printf '  validation: 0\nmodel: {hidden: [4]}\nbatch_size: 2\n'; } >"$1"
}

# reads NAME EXP NEEDLE...: `lrsweep data EXP` exits 0 and prints every NEEDLE.
reads() {
	local name=$1 e=$2 missing=
	shift 2
	run data "$e"
	for n in "$@"; do grep -qF -- "$n" "$OUT" || missing="$missing [$n]"; done
	if [ "$RC" -eq 0 ] && [ -z "$missing" ]; then ok "$name"; else nok "$name" "rc=$RC missing:$missing $(head -c 300 "$ERR")"; fi
}

# refused NAME EXP NEEDLE: `lrsweep data EXP` exits 2, one line on stderr with NEEDLE.
refused() {
	run data "$2"
	if [ "$RC" -eq 2 ] && [ ! -s "$OUT" ] && [ "$(wc -l <"$ERR")" -eq 1 ] && grep -qF -- "$3" "$ERR"; then
		ok "$1"
	else
		nok "$1" "rc=$RC stderr=$(head -c 300 "$ERR")"
	fi
}

exp be.yaml "{format: npy, features: $D/x-f8-be-f.npy, labels: $D/y-i2-be.npy}"
reads "big-endian Fortran-order npy" be.yaml \
	"train npy: features $D/x-f8-be-f.npy '>f8' big-endian (3, 2, 2), Fortran order (transposed on load); labels $D/y-i2-be.npy '>i2' big-endian (3,)" \
	"npy: 4 features, 3 classes, normalize: standardize"
exp gz.yaml "{format: npy, features: $D/x-f8-be-f.npy.gz, labels: $D/y-i2-be.npy}"
reads "npy.gz found by content" gz.yaml "features $D/x-f8-be-f.npy.gz (gzip) '>f8'"
# the same numbers from both: the data lines agree
run data be.yaml; a=$(grep -E '^(train|test) +[0-9]' "$OUT")
run data gz.yaml; b=$(grep -E '^(train|test) +[0-9]' "$OUT")
[ -n "$a" ] && [ "$a" = "$b" ] && ok "npy and npy.gz read the same" || nok "npy and npy.gz read the same" "$a / $b"

exp one.yaml "{format: npy, features: $D/one-feature.npy, labels: $D/y-i2-be.npy}"
reads "1-D features: one feature per sample" one.yaml "npy: 1 features" "1-D features: one feature per sample"

exp keras.yaml "{format: npz, path: $D/mnist-like.npz}" "{format: npz, path: $D/mnist-like.npz}"
reads "npz train and test with the default keys" keras.yaml \
	"train npz $D/mnist-like.npz: features x_train.npy (deflated) '|u1' (3, 2, 2), C order; labels y_train.npy (deflated) '|u1' (3,)" \
	"test npz $D/mnist-like.npz: features x_test.npy (deflated) '|u1' (2, 2, 2), C order; labels y_test.npy (deflated) '|u1' (2,)" \
	"normalize scale: the default for features of bytes"
exp keys.yaml "{format: npz, path: $D/mnist-like.npz, features: x_test, labels: y_test}"
reads "npz with keys named" keys.yaml "features x_test.npy (deflated)"
exp desc.yaml "{format: npz, path: $D/descriptor.npz}"
reads "npz written with data descriptors" desc.yaml "features x_train.npy (stored) '>f8' big-endian (3, 2, 2), Fortran order"

exp train.yaml "{format: npz, path: $D/mnist-like.npz}" "{format: npz, path: $D/mnist-like.npz}"
run train train.yaml --lr 0.1 --epochs 1 -q --db "$T/t.db"
[ "$RC" -eq 0 ] && ok "train on an npz archive" || nok "train on an npz archive" "rc=$RC $(head -c 300 "$ERR")"

exp nokey.yaml "{format: npz, path: $D/mnist-like.npz, features: images}"
refused "npz: a missing key lists the keys, at the path" nokey.yaml \
	"nokey.yaml:3:30: $D/mnist-like.npz: no array 'images' in the archive (it holds: x_train, y_train, x_test, y_test)"
exp nopath.yaml "{format: npz, features: x_train}"
refused "npz without a path" nopath.yaml "nopath.yaml:3:10: data.train with format npz needs 'path'"
exp notnpz.yaml "{format: npz, path: $D/x-f8-be-f.npy}"
refused "a .npy file given as npz" notnpz.yaml "x-f8-be-f.npy: not a .npz archive"
exp images.yaml "{format: npz, path: $D/mnist-like.npz, images: x}"
refused "npz: a key of another format" images.yaml "'images' applies to format idx only, not npz"
finish
