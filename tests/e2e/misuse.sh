#!/usr/bin/env bash
# tests/e2e/misuse.sh - what a user coming from PyTorch, or in a hurry,
# does with layer stacks and the answers read back: PyTorch's (h, w) pair
# for a square window is the window it describes; `run --dry-run` makes
# the memory check the run would make (a conv net far too large refused,
# nothing stored); `query compare --by` refuses a key given twice and
# names the key a near miss meant; the run's leaderboard keeps its
# columns under labels longer than its default width; the report names
# the model; a log axis of `plot search` narrower than two decades still
# has labelled tics. (The
# misspelt layers and settings, each at its line:column, are in
# tests/data/bad_experiments/layers-*.)
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1

command -v sqlite3 >/dev/null || { nok "sqlite3" "not installed"; finish; }

# exp NAME MODEL [MORE] [BATCH]: an experiment on 64-feature blobs seen
# as 1x8x8 images.
exp() {
	printf 'name: %s\nseed: 3\ndata:\n  train: {format: synthetic, kind: blobs, samples: 240, classes: 3, dims: 64}\n  validation: 0.25\nmodel:\n  input: [1, 8, 8]\n%s\noptimizer: {type: sgd, momentum: 0.9}\nbatch_size: %s\n%s\n' \
		"$1" "$2" "${4:-32}" "${3:-}" >"$1.yaml"
}

# ------------------------------------------------------------ PyTorch's pairs

TRIALS='range_test: {bounds: {min_lr: 0.01, max_lr: 0.1}}
trials: {epochs: 1, seeds: [1, 2]}'
exp square '  layers: [{conv: 4, kernel: 3, stride: 1, padding: 1}, {maxpool: 2}, relu, {linear: 3}]' "$TRIALS"
exp pairs '  layers: [{conv: 4, kernel: [3, 3], stride: [1, 1], padding: [1, 1]}, {maxpool: [2, 2]}, relu, {linear: 3}]' "$TRIALS"
sed -i 's/^name: pairs/name: square/' pairs.yaml
run run square.yaml --dry-run
cp "$OUT" square.plan
run run pairs.yaml --dry-run
if [ "$RC" -eq 0 ] && grep -q '^    1  conv4k3p1 ' "$OUT" && grep -q '^    2  maxpool2 ' "$OUT" &&
   [ "$(grep -c '^ *[0-9]  *[0-9a-f]\{16\} ' "$OUT")" -eq 2 ] && cmp -s square.plan "$OUT"; then
	ok "kernel: [3, 3], stride, padding and a pool's [2, 2]: the same layers and trial keys as 3, 1, 1 and 2"
else
	nok "pairs" "rc=$RC $(diff square.plan "$OUT" | head -5 | tr '\n' '|') $(head -c 300 "$ERR")"
fi

# ------------------------------------------------------------ memory

# 4096 channels of 28x28 at batch 512: tens of GiB, under a 4 GiB limit
# of the address space whatever the machine has.
printf 'name: huge\ndata:\n  train: {format: synthetic, kind: blobs, samples: 600, classes: 3, dims: 784}\n  validation: 0.2\nmodel:\n  input: [1, 28, 28]\n  layers: [{conv: 4096, kernel: 3, padding: 1}, relu, {linear: 3}]\nbatch_size: 512\nrange_test: {bounds: {min_lr: 0.01, max_lr: 0.1}}\ntrials: {epochs: 1}\n' >huge.yaml
# A sanitizer build reserves terabytes of shadow memory and cannot start
# under the limit: there the check is skipped, said so.
if ! (ulimit -v 4194304 && exec "$LRSWEEP" --version) >/dev/null 2>&1; then
	ok "memory: skipped (this build cannot start under ulimit -v: a sanitizer build)"
else for mode in --dry-run ""; do
	# shellcheck disable=SC2086 # an empty mode is no argument
	(ulimit -v 4194304 && exec "$LRSWEEP" run huge.yaml --db huge.db $mode) >"$OUT" 2>"$ERR"
	RC=$?
	if [ "$RC" -eq 1 ] && [ "$(wc -l <"$ERR")" -eq 1 ] &&
	   grep -q '^lrsweep run: .*the model .* needs [0-9]* MiB, only [0-9]* MiB available' "$ERR" &&
	   [ ! -e huge.db ]; then
		ok "run ${mode:-(not a dry run)}: a conv net too large for memory refused (exit 1), nothing stored"
	else
		nok "memory ${mode:-run}" "rc=$RC db=$([ -e huge.db ] && echo made) $(head -c 300 "$ERR")"
	fi
done
	# `data` describes the model and says the runs will refuse it
	(ulimit -v 4194304 && exec "$LRSWEEP" data huge.yaml) >"$OUT" 2>"$ERR"
	RC=$?
	if [ "$RC" -eq 0 ] && grep -q "^warning: that is more than the [0-9]* MiB available (.*ulimit -v): run, train and range-test will refuse it" "$OUT"; then
		ok "data: a model too large for memory is described, with a warning that runs refuse it"
	else
		nok "data memory warning" "rc=$RC $(tail -3 "$OUT") $(head -c 300 "$ERR")"
	fi
fi
grep -q '^plan: 1 trial' "$OUT" 2>/dev/null && nok "memory run" "the run printed a plan"

# ------------------------------------------------------------ a run to read back

exp search '  layers: [{conv: 4, kernel: 3}, relu, {maxpool: 2}, {linear: 3}]' 'range_test: {bounds: {min_lr: 0.01, max_lr: 0.1}}
trials:
  epochs: 2
  seeds: [1]
  schedules:
    - {type: constant, lr: {log_uniform: [0.05, 0.4]}}
    - {type: one_cycle, max_lr: {log_uniform: [0.05, 0.4]}, pct_start: {uniform: [0.2, 0.4]}}
  space:
    optimizer.weight_decay: {log_uniform: [1.0e-5, 1.0e-4]}
  search: {strategy: random, samples: 3}'
run run search.yaml --db search.db --threads 2
board=$(sed -n '/^rank  configuration/,/^$/p' "$OUT")
longest=$(sed -E 's/^ +[0-9]+  //; s/  +[0-9]+  +[01]\.[0-9]{4} .*//' <<<"$board" | sed 1d | awk '{ print length }' | sort -n | tail -1)
# the column of n: where "n" stands in the header, every row's count ends
col=$(head -1 <<<"$board" | awk '{ print index($0, "  n  ") + 2 }')
bad=$(sed 1d <<<"$board" | grep . | awk -v c="$col" 'substr($0, c, 1) !~ /[0-9]/ || substr($0, c + 1, 2) != "  "')
if [ "$RC" -eq 0 ] && [ "${longest:-0}" -gt 48 ] && [ "$(sed 1d <<<"$board" | grep -c .)" -eq 6 ] && [ -z "$bad" ]; then
	ok "run's leaderboard: labels of $longest characters, every count under the header's n"
else
	nok "leaderboard" "rc=$RC longest=${longest:-?} col=$col rows: $(tr '\n' '|' <<<"$bad$board" | head -c 600)"
fi

# ------------------------------------------------------------ compare --by

bad_usage "query compare --by schedule,schedule: a key given twice" "^lrsweep query: --by: 'schedule' given twice$" \
	query search.db compare --by schedule,schedule
bad_usage "query compare --by twice in two flags" "given twice" query search.db compare --by schedule --by schedule
bad_usage "query compare --by layers: did you mean model.layers" "unknown key 'layers' for --by; the trials have: schedule, .*; did you mean 'model.layers'?$" \
	query search.db compare --by layers
bad_usage "query compare --by Schedule: did you mean schedule" "; did you mean 'schedule'?$" \
	query search.db compare --by Schedule
bad_usage "query compare --by max_lr: did you mean schedule.max_lr" "; did you mean 'schedule.max_lr'?$" \
	query search.db compare --by max_lr
bad_usage "query compare --by zzz: no suggestion" "unknown key 'zzz' for --by; the trials have: [^;]*$" \
	query search.db compare --by zzz
run query search.db compare --by schedule,model.layers
if [ "$RC" -eq 0 ] && grep -q '^   1  [a-z_]*  *conv4k3 relu maxpool2 linear3 ' "$OUT"; then
	ok "query compare --by schedule,model.layers: two keys, the stack as stored"
else
	nok "by two keys" "rc=$RC $(head -c 300 "$OUT") $(head -c 300 "$ERR")"
fi

# ------------------------------------------------------------ the report's model

run report search.db -o search.html
if [ "$RC" -eq 0 ] && grep -qF '<tr><th>model</th><td>input=[1, 8, 8], layers=conv4k3 relu maxpool2 linear3, init=torch</td></tr>' search.html
then ok "report: the header names the stack the trials trained"
else nok "report model" "rc=$RC $(grep -o '<tr><th>model.\{0,200\}' search.html) $(head -c 300 "$ERR")"; fi
printf 'name: widths\ndata:\n  train: {format: synthetic, kind: blobs, samples: 120, classes: 3, dims: 4}\n  validation: 0.25\nrange_test: {bounds: {min_lr: 0.01, max_lr: 0.1}}\ntrials:\n  epochs: 1\n  space: {model.hidden: {grid: [[4], [8], [4, 4]]}}\n' >widths.yaml
run run widths.yaml --db widths.db
run report widths.db -o widths.html
if [ "$RC" -eq 0 ] && grep -qF '<tr><th>model</th><td>3 models (the leaderboard names each trial' widths.html
then ok "report: a sweep over the model says how many"
else nok "report models" "rc=$RC $(grep -o '<tr><th>model.\{0,200\}' widths.html) $(head -c 300 "$ERR")"; fi

# ------------------------------------------------------------ plot search's log axes

if GP=$(command -v gnuplot); then
	printf '#!/bin/sh\ntee "%s/script.gp" | "%s"\n' "$T" "$GP" >gp-tee
	chmod +x gp-tee
	LRSWEEP_GNUPLOT=$T/gp-tee run plot search.db search -o search.svg
	# each log-scale panel: its tics as the script sets them
	if [ "$RC" -eq 0 ] && "$PY" - script.gp <<'PYEOF'
import math, re, sys
panels = open(sys.argv[1]).read().split("\nreset\n")
logs = [p for p in panels if "set logscale x" in p]
assert len(logs) == 3, len(logs)   # lr, max_lr, weight decay: each within a decade
for p in logs:
    tics = [float(v) for v in re.findall(r"'([^']*)' [0-9.e+-]+", re.search(r"set xtics \((.*)\)", p).group(1))]
    pts = [float(l.split()[0]) for b in re.findall(r"<< EOD\n(.*?)\nEOD", p, re.S) for l in b.splitlines()]
    assert len(tics) >= 3 and tics == sorted(tics), tics
    assert min(pts) / 1.1 <= tics[0] and tics[-1] <= max(pts) * 1.1, (tics, min(pts), max(pts))
PYEOF
	then
		ok "plot search: a log axis within a decade gets labelled tics across its points"
	else
		nok "log tics" "rc=$RC $(grep -n 'xtics\|logscale' script.gp | head -8 | tr '\n' '|') $(head -c 300 "$ERR")"
	fi
else
	echo "skip - plot search's log tics: gnuplot absent"
fi

finish
