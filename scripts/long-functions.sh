#!/bin/sh
# long-functions.sh - the C functions in src/ longer than N lines.
#
#   scripts/long-functions.sh [N]     (N defaults to 100)
#
# Prints "LINES FILE:LINE NAME" for each function over N lines, longest
# first, and exits 1 when one anywhere in src/ is over 100 lines (the
# limit the code keeps to; `make check` runs this as its lint step), 0
# otherwise.
#
# A function is what this code's style makes of one: its header starts at
# column 0 and holds a "(", its body opens with a "{" alone at column 0
# and closes with a "}" at column 0. LINES counts the body, both braces
# included. No ctags, no compiler: awk over the text.
set -eu

limit=${1:-100}
case $limit in
	''|*[!0-9]*) echo "usage: $0 [N]" >&2; exit 2 ;;
esac
cd "$(dirname "$0")/.."

find src -name '*.c' | LC_ALL=C sort | xargs awk -v limit="$limit" '
	FNR == 1 { head = ""; head_line = 0; open_at = 0 }
	# a header line: column 0, not a comment, directive, brace or label
	/^[A-Za-z_]/ && !open_at { head = $0; head_line = FNR }
	/^\{/ && !open_at && head ~ /\(/ {
		open_at = FNR
		name = head
		sub(/\(.*/, "", name)
		sub(/.*[^A-Za-z0-9_]/, "", name)
		next
	}
	/^\}/ && open_at {
		n = FNR - open_at + 1
		if (n > limit)
			printf "%d %s:%d %s\n", n, FILENAME, head_line, name
		open_at = 0
		head = ""
	}
' | sort -k1,1nr | awk '
	{ print }
	$1 > 100 { over = 1 }
	END { exit over ? 1 : 0 }
'
