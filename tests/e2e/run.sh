#!/usr/bin/env bash
# tests/e2e/run.sh - end-to-end test of the lrsweep command line.
#
#   LRSWEEP=bin/lrsweep tests/e2e/run.sh        (what `make e2e` runs)
#
# Runs the binary named by $LRSWEEP (default bin/lrsweep; a sanitizer build
# works too) and checks exit statuses, stdout/stderr discipline, output
# formats, a few hand-computed values, plots and --metrics against SPEC §2
# and §3. Prints one `ok - NAME` or `not ok - NAME: reason` per case, then
# `N passed, M failed`; exits 1 when anything failed. Scratch files live in
# a temporary directory that is removed on exit.
set -u

. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1

# runenv VAR=VALUE ARGS...: run with one extra environment variable.
runenv() {
	local kv=$1
	shift
	env "$kv" "$LRSWEEP" "$@" >"$OUT" 2>"$ERR"
	RC=$?
}

# Line count of a file (a last line without a newline counts too).
nlines() { awk 'END { print NR }' "$1"; }

# The first line of a file, shortened, for reasons.
first() { head -n 1 "$1" | cut -c 1-200; }

# has_word FILE NAME: NAME occurs in FILE, not as part of a longer
# identifier (so 'lr' does not match 'lrsweep', '--steps' not '--steps-per-epoch').
has_word() {
	local re
	re=$(printf '%s' "$2" | sed 's/[][\.*^$+?(){}|/]/\\&/g')
	grep -qE -- "(^|[^A-Za-z0-9_])${re}([^A-Za-z0-9_-]|\$)" "$1"
}

# Checks a usage error: status 2, nothing on stdout, exactly one non-empty
# line on stderr naming every comma-separated word of $2.
# usage_err NAME WORDS ARGS...
usage_err() {
	local name=$1 words=$2 w n
	shift 2
	run "$@"
	if [ "$RC" -ne 2 ]; then
		nok "$name" "exit status $RC, want 2 (stderr: $(first "$ERR"))"
		return
	fi
	if [ -s "$OUT" ]; then
		nok "$name" "wrote to stdout: $(first "$OUT")"
		return
	fi
	n=$(nlines "$ERR")
	if [ "$n" -ne 1 ] || ! grep -q '[^[:space:]]' "$ERR"; then
		nok "$name" "stderr has $n lines, want exactly one message line (first: $(first "$ERR"))"
		return
	fi
	local IFS=,
	for w in $words; do
		if ! has_word "$ERR" "$w"; then
			nok "$name" "message does not name '$w': $(first "$ERR")"
			return
		fi
	done
	ok "$name"
}

# succeeds NAME ARGS...: status 0 and an empty stderr (a sanitizer report
# or a stray warning fails it). Returns 1 after reporting a failure.
succeeds() {
	local name=$1
	shift
	run "$@"
	if [ "$RC" -ne 0 ]; then
		nok "$name" "exit status $RC, want 0 (stderr: $(first "$ERR"))"
		return 1
	fi
	if [ -s "$ERR" ]; then
		nok "$name" "unexpected stderr: $(first "$ERR")"
		return 1
	fi
	return 0
}

# csv_shape NAME HEADER N ARGS...: a csv with exactly HEADER, then rows
# 0..N-1, every value a finite decimal number.
csv_shape() {
	local name=$1 header=$2 n=$3 why
	shift 3
	succeeds "$name" "$@" || return
	why=$(awk -F, -v h="$header" -v n="$n" '
		NR == 1 { if ($0 != h) { print "header is \"" $0 "\", want \"" h "\""; exit }
		          nf = NF; next }
		NF != nf { print "row " NR - 2 " has " NF " fields, want " nf; exit }
		$1 != NR - 2 { print "row " NR - 2 " has step " $1; exit }
		{ for (i = 2; i <= NF; i++)
			if ($i !~ /^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/) {
				print "row " NR - 2 " field " i " is not a finite number: " $i; exit } }
		END { if (NR - 1 != n) print NR - 1 " rows, want " n }' "$OUT" | head -n 1)
	if [ -n "$why" ]; then nok "$name" "$why"; else ok "$name"; fi
}

# values NAME COL "STEP:VALUE ..." ARGS...: in the csv output, column COL
# (2 = lr, 3 = momentum) of row STEP equals VALUE within 1e-12 relative.
values() {
	local name=$1 col=$2 want=$3 why
	shift 3
	succeeds "$name" "$@" || return
	why=$(awk -F, -v col="$col" -v want="$want" '
		function abs(x) { return x < 0 ? -x : x }
		BEGIN { n = split(want, w, " ")
		        for (i = 1; i <= n; i++) { split(w[i], kv, ":"); exp_[kv[1]] = kv[2]; seen[kv[1]] = 0 } }
		NR > 1 && ($1 in exp_) {
			seen[$1] = 1
			if (abs($col - exp_[$1]) > 1e-12 * abs(exp_[$1]) + 1e-300 && !bad) {
				bad = "step " $1 ": got " $col ", want " exp_[$1] }
		}
		END { if (bad) { print bad; exit }
		      for (s in seen) if (!seen[s]) { print "no row for step " s; exit } }' "$OUT")
	if [ -n "$why" ]; then nok "$name" "$why"; else ok "$name"; fi
}

# --------------------------------------------------------------- global

COMMANDS="run range-test train schedule query plot report data"
NEEDS_ARG="run range-test train query plot report data"

run --version
if [ "$RC" -eq 0 ] && grep -qE '[0-9]+\.[0-9]+' "$OUT"; then
	ok "--version prints a version"
else
	nok "--version prints a version" "exit $RC, stdout: $(first "$OUT")"
fi

run --help
if [ "$RC" -ne 0 ]; then
	nok "--help exits 0" "exit status $RC"
else
	ok "--help exits 0"
	missing=
	for c in $COMMANDS; do
		grep -qE "^[[:space:]]*${c}([[:space:]]|\$)" "$OUT" || missing="$missing $c"
	done
	if [ -z "$missing" ]; then ok "--help lists every command"; else nok "--help lists every command" "missing:$missing"; fi
fi

usage_err "unknown command" "frobnicate" frobnicate
usage_err "unknown global option" "--frobnicate" --frobnicate schedule step --steps 3 --lr 0.1 --step_size 1
usage_err "unknown short global option" "-x" -x

run
if [ "$RC" -eq 2 ] && [ ! -s "$OUT" ] && [ -s "$ERR" ]; then
	ok "no command exits 2"
else
	nok "no command exits 2" "exit $RC, stdout $(wc -c <"$OUT") bytes, stderr $(wc -c <"$ERR") bytes"
fi

for c in $COMMANDS; do
	run "$c" --help
	if [ "$RC" -eq 0 ] && grep -qE "^usage: lrsweep $c( |\$)" "$OUT"; then
		ok "$c --help"
	else
		nok "$c --help" "exit $RC, first line: $(first "$OUT")"
	fi
done

# Without arguments each of these is a usage error: a missing EXP.yaml or
# DB (or, for the commands still to come, "not yet available").
for c in $NEEDS_ARG; do
	usage_err "$c without arguments exits 2 with one line" "$c" "$c"
done

# -q and -v are global flags; they do not change stdout.
printf 'step,lr\n0,0.10000000000000001\n1,0.10000000000000001\n2,0.010000000000000002\n3,0.010000000000000002\n' >"$T/plain.csv"
for flag in -q --quiet -v --verbose; do
	run "$flag" schedule step --steps 4 --lr 0.1 --step_size 2
	if [ "$RC" -eq 0 ] && cmp -s "$OUT" "$T/plain.csv"; then
		ok "$flag leaves stdout unchanged"
	else
		nok "$flag leaves stdout unchanged" "exit $RC, stdout: $(head -n 3 "$OUT" | tr '\n' ' ')"
	fi
done

# ------------------------------------------------------ schedule --help

run schedule --help
if [ "$RC" -eq 0 ] && grep -qE '^usage: lrsweep schedule' "$OUT"; then ok "schedule --help"; else nok "schedule --help" "exit $RC"; fi

# The parameters of every type, as SPEC §3 names them.
while read -r type params; do
	[ -n "$type" ] || continue
	run schedule "$type" --help
	if [ "$RC" -ne 0 ]; then
		nok "schedule $type --help" "exit status $RC (stderr: $(first "$ERR"))"
		continue
	fi
	missing=
	for p in $params; do
		grep -qE -- "(^|[[:space:]])(--)?${p}([[:space:]]|\$)" "$OUT" || missing="$missing $p"
	done
	if [ -z "$missing" ]; then ok "schedule $type --help lists its parameters"; else nok "schedule $type --help lists its parameters" "missing:$missing"; fi
done <<'EOF'
constant lr factor total_iters
step lr step_size gamma
multistep lr milestones gamma
exponential lr gamma
linear lr start_factor end_factor total_iters
polynomial lr total_iters power
cosine_annealing lr T_max eta_min
cosine_annealing_warm_restarts lr T_0 T_mult eta_min
one_cycle max_lr total_steps pct_start anneal_strategy div_factor final_div_factor three_phase cycle_momentum base_momentum max_momentum
cyclic base_lr max_lr step_size_up step_size_down mode gamma cycle_momentum base_momentum max_momentum
triangular base_lr max_lr step_size window
triangular2 base_lr max_lr step_size window
exp_range base_lr max_lr step_size gamma window
exponential_decay initial_learning_rate decay_steps decay_rate staircase
inverse_time_decay initial_learning_rate decay_steps decay_rate staircase
piecewise_constant_decay boundaries values
polynomial_decay initial_learning_rate decay_steps end_learning_rate power cycle
cosine_decay initial_learning_rate decay_steps alpha warmup_target warmup_steps
cosine_decay_restarts initial_learning_rate first_decay_steps t_mul m_mul alpha
linear_cosine_decay initial_learning_rate decay_steps num_periods alpha beta
noisy_linear_cosine_decay initial_learning_rate decay_steps num_periods alpha beta initial_variance variance_decay seed
sgdr min_lr max_lr steps_per_epoch cycle_length mult_factor lr_decay
reduce_on_plateau lr mode factor patience threshold threshold_mode cooldown min_lr
sequential schedules milestones
EOF

# --------------------------------------------------------------- errors

S="schedule"
SEQ_BAD_YAML='[{type: linear, lr: 0.1}, {type: constant'
SEQ_OK='[{type: linear, lr: 0.1}, {type: constant, lr: 0.5}]'

usage_err "unknown type" "nope" $S nope --steps 5
usage_err "unknown parameter suggests gamma" "gama,gamma" $S step --steps 5 --lr 0.1 --step_size 2 --gama 0.5
usage_err "unknown parameter suggests pct_start" "pct_strat,pct_start" $S one_cycle --steps 5 --max_lr 0.1 --pct_strat 0.3
usage_err "unknown parameter, nothing close" "frobnicate" $S step --steps 5 --lr 0.1 --step_size 2 --frobnicate 3
usage_err "missing required step_size" "step_size" $S step --steps 5 --lr 0.1
usage_err "missing required values" "values" $S piecewise_constant_decay --steps 5 --boundaries 2
usage_err "missing required gamma (exponential)" "gamma" $S exponential --steps 5 --lr 0.1
usage_err "missing --steps" "--steps" $S step --lr 0.1 --step_size 2
usage_err "missing TYPE" "TYPE" $S --steps 5
usage_err "--steps 0" "--steps" $S step --steps 0 --lr 0.1 --step_size 2
usage_err "--steps -1" "--steps" $S step --steps -1 --lr 0.1 --step_size 2
usage_err "--steps abc" "--steps" $S step --steps abc --lr 0.1 --step_size 2
usage_err "--steps 2.5" "--steps" $S step --steps 2.5 --lr 0.1 --step_size 2
usage_err "non-number lr" "lr" $S step --steps 5 --lr abc --step_size 2
usage_err "non-number gamma" "gamma" $S step --steps 5 --lr 0.1 --step_size 2 --gamma abc
usage_err "non-number T_0" "T_0" $S cosine_annealing_warm_restarts --steps 5 --lr 0.1 --T_0 x
usage_err "nan lr" "lr" $S step --steps 5 --lr nan --step_size 2
usage_err "non-integer step_size" "step_size" $S step --steps 5 --lr 0.1 --step_size 2.5
usage_err "list for scalar lr" "lr" $S step --steps 5 --lr 0.1,0.2 --step_size 2
usage_err "flow list for scalar gamma" "gamma" $S step --steps 5 --lr 0.1 --step_size 2 --gamma '[1, 2]'
usage_err "negative lr" "lr" $S step --steps 5 --lr -0.1 --step_size 2
usage_err "negative eta_min" "eta_min" $S cosine_annealing --steps 5 --lr 0.1 --eta_min -0.01
usage_err "negative initial_learning_rate" "initial_learning_rate" $S exponential_decay --steps 5 --initial_learning_rate -1 --decay_steps 2 --decay_rate 0.5
usage_err "negative --max-lr" "--max-lr" $S step --steps 5 --lr 0.1 --step_size 2 --max-lr -1
usage_err "decay_steps 0" "decay_steps" $S exponential_decay --steps 5 --initial_learning_rate 0.1 --decay_steps 0 --decay_rate 0.5
usage_err "T_mult 1.5" "T_mult" $S cosine_annealing_warm_restarts --steps 5 --lr 0.1 --T_0 2 --T_mult 1.5
usage_err "T_mult 0" "T_mult" $S cosine_annealing_warm_restarts --steps 5 --lr 0.1 --T_0 2 --T_mult 0
usage_err "piecewise values wrong length" "values" $S piecewise_constant_decay --steps 5 --boundaries 2,4 --values 1,2
usage_err "piecewise boundaries not increasing" "boundaries" $S piecewise_constant_decay --steps 5 --boundaries 4,2 --values 1,2,3
usage_err "cyclic base_lr > max_lr" "base_lr" $S cyclic --steps 5 --base_lr 0.2 --max_lr 0.1
usage_err "triangular base_lr > max_lr" "base_lr" $S triangular --steps 5 --base_lr 0.2 --max_lr 0.1 --step_size 2
usage_err "triangular step_size 0" "step_size" $S triangular --steps 5 --base_lr 0.01 --max_lr 0.1 --step_size 0
usage_err "pct_start 0" "pct_start" $S one_cycle --steps 5 --max_lr 0.1 --pct_start 0
usage_err "pct_start 1" "pct_start" $S one_cycle --steps 5 --max_lr 0.1 --pct_start 1
usage_err "pct_start 1.5" "pct_start" $S one_cycle --steps 5 --max_lr 0.1 --pct_start 1.5
usage_err "one_cycle --steps past total_steps+1" "total_steps" $S one_cycle --steps 12 --max_lr 0.1 --total_steps 10
usage_err "reduce_on_plateau factor 1" "factor" $S reduce_on_plateau --steps 5 --lr 0.1 --factor 1
usage_err "@max without --max-lr" "lr,@max" $S step --steps 5 --lr @max --step_size 2
usage_err "@max/4 with only --min-lr" "lr" $S step --steps 5 --lr @max/4 --step_size 2 --min-lr 0.01
usage_err "2 epochs without --steps-per-epoch" "step_size,--steps-per-epoch" $S step --steps 5 --lr 0.1 --step_size "2 epochs"
usage_err "--steps-per-epoch 0" "--steps-per-epoch" $S step --steps 5 --lr 0.1 --step_size 2 --steps-per-epoch 0
usage_err "--min-lr > --max-lr" "--min-lr" $S step --steps 5 --lr 0.1 --step_size 2 --min-lr 0.2 --max-lr 0.1
usage_err "--min-lr == --max-lr" "--min-lr" $S step --steps 5 --lr 0.1 --step_size 2 --min-lr 0.1 --max-lr 0.1
usage_err "bad --format" "--format,xml" $S step --steps 5 --lr 0.1 --step_size 2 --format xml
usage_err "--plot with .jpg" "out.jpg" $S step --steps 5 --lr 0.1 --step_size 2 --plot out.jpg
usage_err "--plot and --terminal" "--terminal" $S step --steps 5 --lr 0.1 --step_size 2 --plot out.png --terminal
usage_err "malformed YAML for --schedules" "--schedules" $S sequential --steps 10 --schedules "$SEQ_BAD_YAML" --milestones 3
usage_err "malformed YAML for --milestones" "--milestones" $S sequential --steps 10 --schedules "$SEQ_OK" --milestones '[3'
usage_err "sequential schedules not a list" "schedules" $S sequential --steps 10 --schedules '{type: linear}' --milestones 3
usage_err "sequential milestones count mismatch" "milestones" $S sequential --steps 10 --schedules "$SEQ_OK" --milestones 2,3
usage_err "sequential inner schedule cycles momentum" "one_cycle" $S sequential --steps 100 --schedules '[{type: linear, lr: 0.1}, {type: one_cycle, max_lr: 0.1}]' --milestones 10
usage_err "sequential inner unknown type" "bogus" $S sequential --steps 10 --schedules '[{type: bogus}, {type: constant, lr: 0.1}]' --milestones 3
usage_err "bad boolean three_phase" "three_phase" $S one_cycle --steps 5 --max_lr 0.1 --three_phase maybe
usage_err "bad boolean staircase" "staircase" $S exponential_decay --steps 5 --initial_learning_rate 1 --decay_steps 2 --decay_rate 0.5 --staircase 2
usage_err "bad anneal_strategy" "anneal_strategy" $S one_cycle --steps 5 --max_lr 0.1 --anneal_strategy cubic
usage_err "bad window" "window" $S triangular --steps 5 --base_lr 0.01 --max_lr 0.1 --step_size 2 --window box
usage_err "flag without value" "--step_size" $S step --steps 5 --lr 0.1 --step_size
usage_err "--format without value" "--format" $S step --steps 5 --lr 0.1 --step_size 2 --format
usage_err "parameter given twice" "lr" $S step --steps 5 --lr 0.1 --step_size 2 --lr 0.2
usage_err "unexpected extra argument" "extra" $S step extra --steps 5 --lr 0.1 --step_size 2
usage_err "--metrics on a non-plateau schedule" "--metrics" $S step --steps 5 --lr 0.1 --step_size 2 --steps-per-epoch 1 --metrics 1,2
usage_err "--metrics without --steps-per-epoch" "--metrics" $S reduce_on_plateau --steps 5 --lr 0.1 --metrics 1,2
usage_err "--metrics with a non-number" "--metrics" $S reduce_on_plateau --steps 5 --lr 0.1 --steps-per-epoch 2 --metrics 1,x

# The YAML error is reported once, readably (the flag named once, the
# parser's message intact).
run $S sequential --steps 10 --schedules "$SEQ_BAD_YAML" --milestones 3
if [ "$RC" -eq 2 ] && [ "$(grep -o -- '--schedules' "$ERR" | wc -l)" -eq 1 ] && grep -qE 'YAML|did not find expected' "$ERR" &&
	! grep -qE '(^|[^e])rror:' "$ERR"; then
	ok "malformed YAML message is clean"
else
	nok "malformed YAML message is clean" "exit $RC, message: $(first "$ERR")"
fi

# --------------------------------------------------------------- output

csv_shape "csv step: header step,lr and 7 rows" "step,lr" 7 $S step --steps 7 --lr 0.1 --step_size 2
csv_shape "csv --steps 1" "step,lr" 1 $S step --steps 1 --lr 0.1 --step_size 2
csv_shape "csv one_cycle has momentum" "step,lr,momentum" 20 $S one_cycle --steps 20 --max_lr 0.1
csv_shape "csv cyclic has momentum" "step,lr,momentum" 20 $S cyclic --steps 20 --base_lr 0.01 --max_lr 0.1 --step_size_up 5
csv_shape "csv one_cycle --cycle_momentum false" "step,lr" 20 $S one_cycle --steps 20 --max_lr 0.1 --cycle_momentum false
csv_shape "csv cyclic --cycle_momentum false" "step,lr" 20 $S cyclic --steps 20 --base_lr 0.01 --max_lr 0.1 --step_size_up 5 --cycle_momentum false
csv_shape "csv one_cycle --steps total_steps+1" "step,lr,momentum" 11 $S one_cycle --steps 11 --max_lr 0.1 --total_steps 10

# Every type builds and prints finite numbers.
while IFS= read -r line; do
	[ -n "$line" ] || continue
	eval "set -- $line"
	type=$1
	case $type in one_cycle | cyclic) hdr=step,lr,momentum ;; *) hdr=step,lr ;; esac
	csv_shape "csv $type, 50 finite rows" "$hdr" 50 $S "$@" --steps 50
done <<'EOF'
constant --lr 0.1 --factor 0.5 --total_iters 10
step --lr 0.1 --step_size 10
multistep --lr 0.1 --milestones 10,30
exponential --lr 0.1 --gamma 0.95
linear --lr 0.1
polynomial --lr 0.1 --power 2
cosine_annealing --lr 0.1
cosine_annealing_warm_restarts --lr 0.1 --T_0 10 --T_mult 2
one_cycle --max_lr 0.1 --three_phase true --anneal_strategy linear
cyclic --base_lr 0.01 --max_lr 0.1 --step_size_up 10 --mode exp_range --gamma 0.99
triangular --base_lr 0.01 --max_lr 0.1 --step_size 10
triangular2 --base_lr 0.01 --max_lr 0.1 --step_size 10 --window welch
exp_range --base_lr 0.01 --max_lr 0.1 --step_size 10 --gamma 0.99 --window hann
exponential_decay --initial_learning_rate 0.1 --decay_steps 10 --decay_rate 0.5 --staircase true
inverse_time_decay --initial_learning_rate 0.1 --decay_steps 10 --decay_rate 0.5
piecewise_constant_decay --boundaries 10,20 --values 0.1,0.05,0.01
polynomial_decay --initial_learning_rate 0.1 --cycle true --decay_steps 15
cosine_decay --initial_learning_rate 0.01 --warmup_target 0.1 --warmup_steps 5
cosine_decay_restarts --initial_learning_rate 0.1 --first_decay_steps 10
linear_cosine_decay --initial_learning_rate 0.1
noisy_linear_cosine_decay --initial_learning_rate 0.1 --seed 1
sgdr --min_lr 0.001 --max_lr 0.1 --steps_per_epoch 5 --cycle_length 2
reduce_on_plateau --lr 0.1
sequential --schedules "[{type: linear, lr: 0.1, start_factor: 0.1, total_iters: 5}, {type: cosine_annealing, lr: 0.1}]" --milestones 5
EOF

# table: a header and one line per step.
for spec in "step --lr 0.1 --step_size 2" "one_cycle --max_lr 0.1"; do
	# shellcheck disable=SC2086
	if succeeds "table $spec" $S $spec --steps 12 --format table; then
		n=$(nlines "$OUT")
		if [ "$n" -eq 13 ]; then ok "table ${spec%% *}: 13 lines for 12 steps"; else nok "table ${spec%% *}: 13 lines for 12 steps" "$n lines"; fi
	fi
done

# json parses, has N objects with the right keys and steps, and carries
# the same numbers as csv; csv numbers are %.17g (they round-trip).
if [ -x "$PY" ]; then
	for spec in "step,lr|step --lr 0.1 --step_size 3 --gamma 0.3" \
		"step,lr,momentum|one_cycle --max_lr 0.1" \
		"step,lr|cosine_decay_restarts --initial_learning_rate 0.1 --first_decay_steps 7 --t_mul 1.5"; do
		keys=${spec%%|*}
		args=${spec#*|}
		type=${args%% *}
		# shellcheck disable=SC2086
		succeeds "json $type" $S $args --steps 25 --format json || continue
		cp "$OUT" "$T/j.json"
		# shellcheck disable=SC2086
		succeeds "csv $type (for json)" $S $args --steps 25 || continue
		cp "$OUT" "$T/j.csv"
		why=$("$PY" - "$T/j.json" "$T/j.csv" "$keys" 25 <<'PYEOF'
import json, sys
jpath, cpath, keys, n = sys.argv[1], sys.argv[2], sys.argv[3].split(","), int(sys.argv[4])
try:
    rows = json.load(open(jpath))
except ValueError as e:
    print("json does not parse: %s" % e); sys.exit()
if not isinstance(rows, list) or len(rows) != n:
    print("json is not a list of %d rows" % n); sys.exit()
for i, r in enumerate(rows):
    if not isinstance(r, dict) or sorted(r) != sorted(keys):
        print("row %d keys %s, want %s" % (i, sorted(r) if isinstance(r, dict) else r, keys)); sys.exit()
    if r["step"] != i:
        print("row %d has step %r" % (i, r["step"])); sys.exit()
lines = open(cpath).read().splitlines()
if lines[0] != ",".join(keys):
    print("csv header %r" % lines[0]); sys.exit()
for i, line in enumerate(lines[1:]):
    f = line.split(",")
    for k, text in zip(keys[1:], f[1:]):
        v = float(text)
        if "%.17g" % v != text:
            print("csv value %r at step %d is not printed with %%.17g" % (text, i)); sys.exit()
        if rows[i][k] != v:
            print("step %d %s: json %r != csv %r" % (i, k, rows[i][k], text)); sys.exit()
PYEOF
)
		if [ -n "$why" ]; then nok "json $type parses, keys, rows, equals csv" "$why"; else ok "json $type parses, keys, rows, equals csv"; fi
	done
else
	ok "json checks # SKIP no $PY"
fi

# ---------------------------------------------------- hand-computed values

values "step gamma 0.5 halves at step_size" 2 "0:0.1 1:0.1 2:0.05 3:0.05 4:0.025 5:0.025" \
	$S step --steps 6 --lr 0.1 --step_size 2 --gamma 0.5
values "multistep milestones 2,4 gamma 0.5" 2 "0:0.1 1:0.1 2:0.05 3:0.05 4:0.025 7:0.025" \
	$S multistep --steps 8 --lr 0.1 --milestones 2,4 --gamma 0.5
values "constant factor 0.5 total_iters 3" 2 "0:0.05 1:0.05 2:0.05 3:0.1 4:0.1" \
	$S constant --steps 5 --lr 0.1 --factor 0.5 --total_iters 3
values "linear defaults (1/3 over 5)" 2 "0:0.033333333333333333 5:0.1 7:0.1" \
	$S linear --steps 8 --lr 0.1
values "piecewise values[0] at step == boundaries[0]" 2 "0:1 1:1 2:1 3:0.5 4:0.5 5:0.25" \
	$S piecewise_constant_decay --steps 6 --boundaries 2,4 --values 1,0.5,0.25
values "exponential_decay staircase" 2 "0:0.1 9:0.1 10:0.05 19:0.05 20:0.025" \
	$S exponential_decay --steps 21 --initial_learning_rate 0.1 --decay_steps 10 --decay_rate 0.5 --staircase true
values "exponential_decay smooth" 2 "5:0.070710678118654752 10:0.05" \
	$S exponential_decay --steps 11 --initial_learning_rate 0.1 --decay_steps 10 --decay_rate 0.5
values "triangular window" 2 "0:0.01 1:0.06 2:0.11 3:0.06 4:0.01" \
	$S triangular --steps 5 --base_lr 0.01 --max_lr 0.11 --step_size 2
values "triangular2 halves in cycle 2" 2 "2:0.11 4:0.01 6:0.06" \
	$S triangular2 --steps 8 --base_lr 0.01 --max_lr 0.11 --step_size 2
values "cosine_annealing half way and end" 2 "0:0.1 5:0.05 10:0" \
	$S cosine_annealing --steps 11 --lr 0.1 --T_max 10
values "cosine_annealing_warm_restarts restarts at T_0" 2 "0:0.1 2:0.05 4:0.1 6:0.05" \
	$S cosine_annealing_warm_restarts --steps 8 --lr 0.1 --T_0 4
values "one_cycle lr: start, peak, end" 2 "0:0.004 2:0.1 9:0.0000004" \
	$S one_cycle --steps 10 --max_lr 0.1 --total_steps 10
values "one_cycle momentum: max at start, base at peak" 3 "0:0.95 2:0.85" \
	$S one_cycle --steps 10 --max_lr 0.1 --total_steps 10
values "cyclic lr" 2 "0:0.01 1:0.055 2:0.1 4:0.01" \
	$S cyclic --steps 5 --base_lr 0.01 --max_lr 0.1 --step_size_up 2
values "cyclic momentum mirrors lr" 3 "0:0.9 1:0.85 2:0.8 4:0.9" \
	$S cyclic --steps 5 --base_lr 0.01 --max_lr 0.1 --step_size_up 2
values "@max/4 resolves to max/4" 2 "0:0.1 1:0.1" \
	$S constant --steps 2 --lr @max/4 --min-lr 0.01 --max-lr 0.4
values "@min*2 resolves to min*2" 2 "0:0.02" \
	$S constant --steps 1 --lr @min*2 --min-lr 0.01 --max-lr 0.4
values "omitted peak rate is @max" 2 "0:0.3 2:0.03" \
	$S step --steps 3 --step_size 2 --min-lr 0.01 --max-lr 0.3
values "omitted floor rate is @min" 2 "0:0.1 5:0.055 10:0.01" \
	$S cosine_annealing --steps 11 --T_max 10 --min-lr 0.01 --max-lr 0.1
values "2 epochs with --steps-per-epoch 5 is 10 steps" 2 "9:0.1 10:0.05" \
	$S step --steps 12 --lr 0.1 --step_size "2 epochs" --steps-per-epoch 5 --gamma 0.5
if [ "$RC" -eq 0 ] && [ -s "$OUT" ]; then
	cp "$OUT" "$T/epochs.csv"
	run $S step --steps 12 --lr 0.1 --step_size 10 --gamma 0.5
	if cmp -s "$OUT" "$T/epochs.csv"; then ok "2 epochs output equals step_size 10"; else nok "2 epochs output equals step_size 10" "outputs differ"; fi
fi
values "sequential restarts the second schedule at the milestone" 2 \
	"0:0.05 1:0.075 2:0.1 3:1 4:1 5:0.5 6:0.5 7:0.25 9:0.125" \
	$S sequential --steps 10 --milestones 3 \
	--schedules '[{type: linear, lr: 0.1, start_factor: 0.5, total_iters: 2}, {type: step, lr: 1, step_size: 2, gamma: 0.5}]'

# ------------------------------------------------------------- --metrics

# mode max, patience 1: the rate halves after the 2nd epoch without
# improvement; epoch e (steps 2e, 2e+1) runs at the rate after e metrics.
#   metrics 0.5 0.6 0.6 0.6 | 0.7 0.7 0.7
#   after:  -   -   bad1 bad2->0.05 | best bad1 bad2->0.025
values "reduce_on_plateau --metrics (mode max)" 2 \
	"0:0.1 1:0.1 7:0.1 8:0.05 9:0.05 13:0.05 14:0.025 15:0.025 17:0.025" \
	$S reduce_on_plateau --steps 18 --lr 0.1 --mode max --patience 1 --factor 0.5 \
	--steps-per-epoch 2 --metrics 0.5,0.6,0.6,0.6,0.7,0.7,0.7
values "reduce_on_plateau --metrics (mode min)" 2 \
	"0:0.1 7:0.1 8:0.05 11:0.05" \
	$S reduce_on_plateau --steps 12 --lr 0.1 --mode min --patience 1 --factor 0.5 \
	--steps-per-epoch 2 --metrics 1.0,0.9,0.9,0.9,0.8
values "reduce_on_plateau without --metrics is constant" 2 "0:0.1 9:0.1" \
	$S reduce_on_plateau --steps 10 --lr 0.1

# ---------------------------------------------------------------- plots

# plot_file NAME FILE KIND ARGS...: exit 0 and FILE is a non-empty KIND.
plot_file() {
	local name=$1 file=$2 kind=$3
	shift 3
	rm -f "$file"
	run "$@" --plot "$file"
	if [ "$RC" -ne 0 ]; then
		nok "$name" "exit status $RC (stderr: $(first "$ERR"))"
	elif [ ! -s "$file" ]; then
		nok "$name" "$file missing or empty"
	elif [ "$kind" = png ] && [ "$(head -c 4 "$file" | od -An -tx1 | tr -d ' \n')" != 89504e47 ]; then
		nok "$name" "$file does not start with the PNG magic"
	elif [ "$kind" = svg ] && ! grep -q '<svg' "$file"; then
		nok "$name" "$file has no <svg"
	else
		ok "$name"
	fi
}

STEP="$S step --steps 30 --lr 0.1 --step_size 10"
OC="$S one_cycle --steps 30 --max_lr 0.1"
# shellcheck disable=SC2086
{
	plot_file "plot step png" out.png png $STEP
	plot_file "plot step svg" out.svg svg $STEP
	plot_file "plot one_cycle (momentum) png" oc.png png $OC
	plot_file "plot one_cycle (momentum) svg" oc.svg svg $OC
	plot_file "plot cyclic (momentum) svg" cy.svg svg $S cyclic --steps 30 --base_lr 0.01 --max_lr 0.1 --step_size_up 5
}

for spec in "$STEP" "$OC"; do
	type=${spec#"$S "}
	type=${type%% *}
	# shellcheck disable=SC2086
	run $spec --terminal
	if [ "$RC" -eq 0 ] && [ "$(grep -c '[^[:space:]]' "$OUT")" -ge 10 ]; then
		ok "--terminal $type"
	else
		nok "--terminal $type" "exit $RC, $(grep -c '[^[:space:]]' "$OUT") non-blank lines"
	fi
done

# A missing gnuplot: one line naming gnuplot, status 1, no file, no stdout.
for f in nognu.png nognu.svg -; do
	rm -f "$f"
	if [ "$f" = - ]; then
		# shellcheck disable=SC2086
		runenv LRSWEEP_GNUPLOT=/nonexistent $STEP --terminal
		name="no gnuplot: --terminal"
	else
		# shellcheck disable=SC2086
		runenv LRSWEEP_GNUPLOT=/nonexistent $STEP --plot "$f"
		name="no gnuplot: --plot $f"
	fi
	if [ "$RC" -ne 1 ]; then
		nok "$name" "exit status $RC, want 1 (stderr: $(first "$ERR"))"
	elif [ "$(nlines "$ERR")" -ne 1 ] || ! grep -qi gnuplot "$ERR"; then
		nok "$name" "want one line naming gnuplot, got $(nlines "$ERR") lines: $(first "$ERR")"
	elif [ -s "$OUT" ]; then
		nok "$name" "wrote to stdout"
	elif [ "$f" != - ] && [ -e "$f" ]; then
		nok "$name" "$f was written"
	else
		ok "$name"
	fi
done

# A plot path in a missing directory is the user's input, as in plot and
# report (harden_output.sh): status 2, one line naming the file, nothing
# on stdout (the image must not leak there).
# shellcheck disable=SC2086
run $STEP --plot "$T/no/such/dir/x.png"
if [ "$RC" -ne 2 ]; then
	nok "plot to a missing directory" "exit status $RC, want 2"
elif [ -s "$OUT" ]; then
	nok "plot to a missing directory" "wrote $(wc -c <"$OUT") bytes to stdout (first: $(first "$OUT" | tr -cd '[:print:]'))"
elif [ "$(nlines "$ERR")" -ne 1 ] || ! grep -q 'x\.png' "$ERR"; then
	nok "plot to a missing directory" "want one stderr line naming x.png, got $(nlines "$ERR") lines: $(first "$ERR")"
else
	ok "plot to a missing directory"
fi

# -q silences the "wrote F" note.
rm -f q.png
# shellcheck disable=SC2086
run -q $STEP --plot q.png
if [ "$RC" -eq 0 ] && [ -s q.png ] && [ ! -s "$ERR" ]; then ok "-q --plot is silent"; else nok "-q --plot is silent" "exit $RC, stderr: $(first "$ERR")"; fi

finish
