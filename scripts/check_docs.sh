#!/bin/sh
# check_docs.sh - the README's schedule table must be what the code says.
#
#   scripts/check_docs.sh BIN          compare, exit 1 on a difference
#   scripts/check_docs.sh BIN --write  rewrite the README block
set -eu
BIN=${1:-bin/lrsweep}
README=$(dirname "$0")/../README.md
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$BIN" schedule --list > "$tmp/table"
awk -v table="$tmp/table" '
	/<!-- schedules:begin/ { print; while ((getline line < table) > 0) print line; skip = 1; next }
	/<!-- schedules:end/   { skip = 0 }
	!skip { print }
' "$README" > "$tmp/README.md"

if [ "${2:-}" = "--write" ]; then
	cp "$tmp/README.md" "$README"
elif ! cmp -s "$tmp/README.md" "$README"; then
	echo "check_docs: README.md's schedule table differs from 'lrsweep schedule --list'" >&2
	echo "check_docs: run scripts/check_docs.sh $BIN --write" >&2
	diff "$README" "$tmp/README.md" >&2 || true
	exit 1
else
	echo "check_docs: README schedule table matches the code"
fi
