# tests/e2e/data_helpers.bash - sourced by the e2e scripts that run
# `lrsweep data` on one data section after another (wild_data.sh,
# wild_data2.sh); not a test of its own (make e2e runs *.sh). Needs lib.sh
# (ok, nok, LRSWEEP, OUT, ERR) sourced first.

# data YAML-DATA-BODY [MODEL-BODY]: writes exp.yaml with that `data:`
# section (and `model:` section) and runs `lrsweep data` on it.
data() {
	printf 'name: w\ndata:\n%s\n' "$1" >exp.yaml
	[ -n "${2:-}" ] && printf 'model:\n%s\n' "$2" >>exp.yaml
	timeout 20 "$LRSWEEP" data exp.yaml >"$OUT" 2>"$ERR"
	RC=$?
}

# refused NAME NEEDLE [NEEDLE2]: the last `data` failed as a user error
# should, its one line holding each needle.
refused() {
	if [ "$RC" -eq 2 ] && [ ! -s "$OUT" ] && [ "$(wc -l <"$ERR")" -eq 1 ] && grep -qF -- "$2" "$ERR" &&
	   grep -qF -- "${3:-$2}" "$ERR"; then
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
