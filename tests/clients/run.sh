#!/usr/bin/env bash
# tests/clients/run.sh - the external-trainer protocol clients against a fake
# lrsweep: builds the C stub trainer and the JSON reader's test with $CC
# (default cc; SANITIZE=1 adds AddressSanitizer and UBSan), then runs
# test_json and test_clients.py (the C stub and the Python stub under each
# interpreter of $PYTHONS, default /usr/bin/python3). Prints one line per
# check and "N passed, M failed"; exits nonzero on any failure. Needs no
# lrsweep binary.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
CC=${CC:-cc}
PYTHONS=${PYTHONS:-/usr/bin/python3}
FLAGS=(-std=c11 -Wall -Wextra -Werror -pedantic -O2 -g)
[ "${SANITIZE:-0}" = 1 ] && FLAGS+=("-fsanitize=address,undefined" -fno-omit-frame-pointer)

T=$(mktemp -d "${TMPDIR:-/tmp}/lrsweep-clients.XXXXXX") || { echo "cannot make a scratch directory" >&2; exit 1; }
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM

PASS=0
FAIL=0

# tally OUTPUT: adds a part's "N passed, M failed" to the totals (a part
# that ends without that line counts as one failure).
tally() {
	local last
	last=$(tail -n 1 "$1")
	if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		PASS=$((PASS + BASH_REMATCH[1]))
		FAIL=$((FAIL + BASH_REMATCH[2]))
	else
		echo "not ok - $2 ended early: $(tail -n 3 "$1" | tr '\n' ' ')"
		FAIL=$((FAIL + 1))
	fi
}

build() { # NAME SOURCE
	if $CC "${FLAGS[@]}" -o "$T/$1" "$HERE/$2" -lm 2>"$T/$1.log"; then
		echo "ok - builds $2 ($CC ${FLAGS[*]})"
		PASS=$((PASS + 1))
	else
		echo "not ok - builds $2: $(head -c 600 "$T/$1.log")"
		FAIL=$((FAIL + 1))
		return 1
	fi
}

if build test_json test_json.c; then
	"$T/test_json" >"$T/json.out" 2>&1
	grep -v '^[0-9]* passed' "$T/json.out"
	tally "$T/json.out" test_json
fi
if build stub_trainer stub_trainer.c; then
	# shellcheck disable=SC2086
	(cd "$HERE" && ${PYTHONS%% *} test_clients.py "$T/stub_trainer" $PYTHONS) >"$T/clients.out" 2>&1
	grep -v '^[0-9]* passed' "$T/clients.out"
	tally "$T/clients.out" test_clients.py
fi

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
