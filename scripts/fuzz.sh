#!/usr/bin/env bash
# fuzz.sh - run the libFuzzer targets of tests/fuzz/ (make fuzz).
#
#   scripts/fuzz.sh BINDIR SECONDS TARGET...
#
# Each target fuzz_T in BINDIR runs for SECONDS (FUZZ_JOBS targets at a
# time, default 2) from a working corpus in build/fuzz/corpus/T, seeded
# with tests/fuzz/corpus/T and the reproducers of tests/fuzz/regress/T.
# Findings (crash-*, leak-*, timeout-*, oom-*) land in
# build/fuzz/artifacts/T/: fix the bug, then copy the file into
# tests/fuzz/regress/T/, where `make check` replays it.
#
# Every run appends one line to results/fuzz-log.txt (date, target,
# seconds, executions, findings); the table printed at the end sums that
# log, which is where the README's fuzzing figures come from.
# FUZZ_MERGE=1 afterwards merges what each run covered that the seeds did
# not into tests/fuzz/corpus/T (libFuzzer -merge=1: the fewest files).
set -eu
BINDIR=$1
SECONDS_EACH=$2
shift 2
JOBS=${FUZZ_JOBS:-2}
LOG=results/fuzz-log.txt
mkdir -p results build/fuzz

one() {  # target
	local t=$1 work=build/fuzz/corpus/$1 art=build/fuzz/artifacts/$1/ out=build/fuzz/$1.log
	mkdir -p "$work" "$art"
	"$BINDIR/fuzz_$t" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
		-close_fd_mask=3 -print_final_stats=1 -artifact_prefix="$art" \
		"$work" "tests/fuzz/corpus/$t" "tests/fuzz/regress/$t" >"$out" 2>&1 || true
	local execs secs found
	execs=$(awk '/^stat::number_of_executed_units/ { r = $NF } END { print r }' "$out")
	secs=$(awk '/^stat::average_exec_per_sec/ { r = $NF } END { print r }' "$out")
	found=$(grep -cE '^(==[0-9]+==ERROR|SUMMARY: |.*: runtime error:|==[0-9]+== ERROR: libFuzzer)' "$out" || true)
	printf '%s %-10s %6s s %12s execs %3s findings\n' "$(date -u +%Y-%m-%dT%H:%MZ)" "$t" \
		"$SECONDS_EACH" "${execs:-0}" "$found" >>"$LOG"
	if [ "$found" != 0 ]; then
		echo "fuzz $t: FOUND a bug; see $out and $art" >&2
		grep -m5 -E 'ERROR|runtime error|SUMMARY|Test unit written' "$out" >&2 || true
		return 1
	fi
	echo "fuzz $t: ${execs:-0} executions in $SECONDS_EACH s (${secs:-?}/s), nothing found"
	if [ "${FUZZ_MERGE:-0}" = 1 ]; then
		"$BINDIR/fuzz_$t" -merge=1 -timeout=10 -close_fd_mask=3 "tests/fuzz/corpus/$t" "$work" \
			>"build/fuzz/$t.merge.log" 2>&1
	fi
}
export -f one
export BINDIR SECONDS_EACH LOG

status=0
printf '%s\n' "$@" | xargs -P "$JOBS" -I{} bash -c 'one {}' || status=1

echo
echo "results/fuzz-log.txt, all runs so far:"
printf '%-12s %6s %10s %14s %9s\n' target runs hours executions findings
awk '{ s[$2] += $3; e[$2] += $5; f[$2] += $7; n[$2]++ }
	END { for (t in s) printf "%-12s %6d %10.2f %14d %9d\n", t, n[t], s[t] / 3600, e[t], f[t] }' "$LOG" | sort
exit $status
