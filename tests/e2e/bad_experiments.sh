#!/usr/bin/env bash
# tests/e2e/bad_experiments.sh - every malformed experiment file of
# tests/data/bad_experiments through `lrsweep data` (or the command its
# `# command:` line names): exit 2, nothing on stdout, every stderr line
# starting with `lrsweep `, one line per `# expect: LINE:COLUMN: TEXT` of
# the file, each naming FILE:LINE:COLUMN and containing TEXT, in under
# 5 seconds (an alias bomb must be refused, not expanded).
set -u
. "$(dirname "$0")/lib.sh"
DIR=$REPO/tests/data/bad_experiments
cd "$T" || exit 1

LIMIT_MS=5000

for f in "$DIR"/*.yaml; do
	[ -e "$f" ] || { nok "corpus" "no *.yaml in $DIR"; break; }
	name=${f##*/}
	name=${name%.yaml}

	# The expectations: `# expect:` lines, and an optional `# command:`.
	# A zero-byte file cannot hold a comment: its expectation is fixed here.
	if [ -s "$f" ]; then
		mapfile -t expects < <(grep -a '^# expect: ' "$f" | sed 's/^# expect: //')
		cmd=$(grep -a -m1 '^# command: ' "$f" | sed 's/^# command: //')
	else
		expects=("1:1: missing 'name'" "1:1: missing 'data' section")
		cmd=
	fi
	if [ "${#expects[@]}" -eq 0 ]; then
		nok "$name" "no '# expect: LINE:COLUMN: TEXT' line"
		continue
	fi
	# shellcheck disable=SC2206 # the command is words: "run --dry-run"
	args=(${cmd:-data})

	start=$(date +%s%N)
	timeout 10 "$LRSWEEP" "${args[@]}" "$f" >"$OUT" 2>"$ERR" </dev/null
	RC=$?
	ms=$((($(date +%s%N) - start) / 1000000))

	why=
	if [ "$RC" -eq 124 ]; then
		why="timed out after 10 s"
	elif [ "$RC" -ne 2 ]; then
		why="exit status $RC, not 2"
	elif [ "$ms" -ge "$LIMIT_MS" ]; then
		why="took ${ms} ms"
	fi
	[ -z "$why" ] && [ -s "$OUT" ] && why="$(wc -c <"$OUT") bytes on stdout"
	[ -z "$why" ] && [ ! -s "$ERR" ] && why="nothing on stderr"
	if [ -z "$why" ] && grep -av '^lrsweep ' "$ERR" >/dev/null; then
		why="a stderr line does not start with 'lrsweep '"
	fi
	if [ -z "$why" ]; then
		for e in "${expects[@]}"; do
			pos=${e%%: *}
			text=${e#*: }
			# TEXT must follow FILE:LINE:COLUMN on the same line
			if ! awk -v p="$f:$pos: " -v t="$text" '{ i = index($0, p)
				if (i && index(substr($0, i + length(p)), t)) found = 1 }
				END { exit !found }' "$ERR"; then
				why="no line '${f#"$DIR"/}:$pos: ...$text...'"
				break
			fi
		done
	fi
	if [ -z "$why" ] && [ "$(wc -l <"$ERR")" -ne "${#expects[@]}" ]; then
		why="$(wc -l <"$ERR") lines on stderr for ${#expects[@]} problem(s)"
	fi

	if [ -z "$why" ]; then
		ok "$name"
	else
		nok "$name" "$why; lrsweep ${args[*]} printed: $(head -c 400 "$ERR" | sed "s|$DIR/||g" | tr '\n' '|')"
	fi
done

finish
