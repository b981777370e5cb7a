#!/usr/bin/env bash
# tests/e2e/options.sh - the command line's flags, the same for every
# command because one table per command drives both the parser and the
# help: each command's --help names the flags SPEC §2 and the README give
# it, and every flag its help lists is one the command accepts; a typo is
# answered with the nearest flag; a flag missing its value says so in the
# same words whether it is last or not; bad numbers, negative numbers,
# repeats and -- behave alike everywhere. Every refusal is one line on
# stderr, nothing on stdout, exit status 2. Under MPI, lrsweep-mpi reads
# run's flags by the same table: a typo ends every rank at once.
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
cp "$REPO/tests/data/blobs_sweep.yaml" exp.yaml

# refused NAME NEEDLE ARGS...: exit 2, no stdout, one stderr line holding NEEDLE.
refused() {
	local name=$1 needle=$2
	shift 2
	run "$@"
	if [ "$RC" -eq 2 ] && [ ! -s "$OUT" ] && [ "$(wc -l <"$ERR")" -eq 1 ] && grep -qF -- "$needle" "$ERR"; then
		ok "$name"
	else
		nok "$name" "rc=$RC stdout=$(wc -c <"$OUT")B stderr=$(head -c 300 "$ERR")"
	fi
}

# The flags each command has by SPEC §2's table and the README's tour.
declare -A SPEC_FLAGS=(
	[run]="--db --threads --resume --dry-run --min-lr --max-lr --pick"
	[range-test]="--db --mode --start-lr --end-lr --epochs --iterations --repeats --pick --plot --terminal --threads --seed"
	[train]="--db --lr --schedule --epochs --seed --min-lr --max-lr"
	[schedule]="--steps --min-lr --max-lr --steps-per-epoch --format --plot --terminal --metrics --list"
	[query]="--format --experiment --status --schedule --sort --top --metric --target-accuracy"
	[plot]="-o --terminal --experiment --per-trial"
	[report]="-o --experiment"
	[data]=""
)
COMMANDS="run range-test train schedule query plot report data"

# The flags of a help's list: the first word of each entry ("-o, --output F" gives both).
listed() { grep -oE -- '^  (-[a-zA-Z], )?--?[a-zA-Z][a-zA-Z0-9_-]*' | sed 's/^  //; s/, / /' | tr ' ' '\n'; }

# ------------------------------------------------------------ --help

for c in $COMMANDS; do
	run "$c" --help
	help=$(cat "$OUT")
	if [ "$RC" -ne 0 ] || [ -s "$ERR" ]; then
		nok "$c --help exits 0, nothing on stderr" "rc=$RC $(head -c 200 "$ERR")"
		continue
	fi
	missing=
	for f in ${SPEC_FLAGS[$c]} -q --quiet -v --verbose -h --help; do
		printf '%s\n' "$help" | listed | grep -qxF -- "$f" || missing="$missing $f"
	done
	if [ -z "$missing" ]; then ok "$c --help lists every flag of SPEC and README"; else nok "$c --help lists every flag" "missing:$missing"; fi
	# every flag of the usage line has a line in the list
	usage=$(printf '%s\n' "$help" | awk 'NR > 1 && /^$/ { exit } { print }')
	missing=
	for f in $(printf '%s\n' "$usage" | grep -oE -- '(^|[[ (|])--?[a-z][a-z0-9-]*' | grep -oE -- '--?[a-z][a-z0-9-]*' | sort -u); do
		printf '%s\n' "$help" | listed | grep -qxF -- "$f" || missing="$missing $f"
	done
	if [ -z "$missing" ]; then ok "$c: the usage line's flags are in the list"; else nok "$c: usage flags listed" "missing:$missing"; fi
	# -h is --help
	run "$c" -h
	if [ "$RC" -eq 0 ] && [ "$(cat "$OUT")" = "$help" ]; then ok "$c -h is --help"; else nok "$c -h" "rc=$RC"; fi
	# every listed flag is one the command knows (not "unknown option")
	unknown=
	for f in $(printf '%s\n' "$help" | listed | grep -vxE -- '-h|--help'); do
		"$LRSWEEP" "$c" "$f" >/dev/null 2>"$T/e" </dev/null
		grep -q "unknown option '$f'" "$T/e" && unknown="$unknown $f"
	done
	if [ -z "$unknown" ]; then ok "$c accepts every flag its help lists"; else nok "$c accepts its listed flags" "unknown:$unknown"; fi
	# no line of the help is wider than 79 columns
	wide=$(printf '%s\n' "$help" | awk 'length > 79 { n++ } END { print n + 0 }')
	if [ "$wide" -eq 0 ]; then ok "$c --help fits 79 columns"; else nok "$c --help fits 79 columns" "$wide lines wider"; fi
done

# the rules --pick takes, as its refusal lists them: each one named in the
# help of run and range-test (the default, combined, among them)
run run exp.yaml --pick bogus
rules=$(sed -n 's/.*valid: //p' "$ERR" | tr -d ',')
for c in run range-test; do
	"$LRSWEEP" "$c" --help >"$OUT" 2>&1
	missing=
	for r in $rules; do grep -qw -- "$r" "$OUT" || missing="$missing $r"; done
	if [ -n "$rules" ] && [ -z "$missing" ]; then ok "$c --help names every pick rule ($rules)"
	else nok "$c --help names every pick rule" "rules '$rules', missing:$missing"; fi
done
if printf '%s\n' "$("$LRSWEEP" run --help | tr '\n' ' ' | tr -s ' ')" | grep -qF -- "the next of combined, accuracy, loss-steepest, loss-min10, loss-valley that can"; then
	ok "run --help: the fallback order starts at combined, as the README's"
else
	nok "run --help's fallback order" "$("$LRSWEEP" run --help | grep -A3 -- --pick)"
fi

run --help
if [ "$RC" -eq 0 ] && printf '%s\n' "$(cat "$OUT")" | listed | grep -qxF -- --version && grep -q '^usage: lrsweep \[--version\] \[-q|--quiet\] \[-v|--verbose\] COMMAND' "$OUT"; then
	ok "lrsweep --help: the program's flags and usage"
else
	nok "lrsweep --help" "rc=$RC $(head -n 2 "$OUT")"
fi

# ------------------------------------------------------------ did you mean

refused "run: a typo names the flag" "unknown option '--thread' (did you mean '--threads'?)" run exp.yaml --thread 2
refused "run: a typo as last argument" "unknown option '--dryrun' (did you mean '--dry-run'?)" run exp.yaml --dryrun
refused "range-test: a typo" "did you mean '--iterations'?" range-test exp.yaml --iteration 10
refused "train: a typo without --schedule" "unknown option '--epoch' (did you mean '--epochs'?)" train exp.yaml --lr 0.1 --epoch 2
refused "query: a typo" "did you mean '--experiment'?" query x.db trials --experimnt 1
refused "plot: a typo" "did you mean '--per-trial'?" plot x.db curves -o x.png --pertrial
refused "report: a typo" "did you mean '--output'?" report x.db --ouptut x.html
refused "data: a typo" "did you mean '--verbose'?" data exp.yaml --verbse
refused "the program: a typo" "lrsweep: unknown option '--verison' (did you mean '--version'?)" --verison
refused "-db is taken for --db" "unknown option '-db' (did you mean '--db'?)" run exp.yaml -db x.db
refused "nothing near: see --help" "unknown option '--frobnicate' (see 'lrsweep run --help')" run exp.yaml --frobnicate

# ------------------------------------------------------------ a missing value

# Every value flag of every command: the same single line last and before another flag.
for c in $COMMANDS; do
	case $c in
	run | range-test | train | data) pre=(exp.yaml) ;;
	schedule) pre=(step --steps 4 --lr 0.1 --step_size 2) ;;
	query) pre=(x.db trials) ;;
	plot) pre=(x.db curves --terminal) ;;
	report) pre=(x.db -o r.html) ;;
	esac
	bad=
	while read -r f; do
		[ -n "$f" ] || continue
		[ "$c $f" = "plot -o" ] && pre=(x.db curves)
		[ "$c $f" = "schedule --steps" ] && pre=(step --lr 0.1 --step_size 2)
		"$LRSWEEP" "$c" "${pre[@]}" "$f" >"$T/o1" 2>"$T/e1"
		r1=$?
		"$LRSWEEP" "$c" "${pre[@]}" "$f" -q >"$T/o2" 2>"$T/e2"
		r2=$?
		"$LRSWEEP" "$c" "${pre[@]}" "$f" --frob 1 >"$T/o3" 2>"$T/e3"
		r3=$?
		if [ $r1 -ne 2 ] || [ $r2 -ne 2 ] || [ $r3 -ne 2 ] || ! cmp -s "$T/e1" "$T/e2" || ! cmp -s "$T/e1" "$T/e3" ||
		   [ -s "$T/o1" ] || [ "$(wc -l <"$T/e1")" -ne 1 ] || ! grep -qF -- "$f needs a value" "$T/e1"; then
			bad="$bad $f($r1/$r2/$r3: $(head -c 80 "$T/e1") | $(head -c 80 "$T/e3"))"
		fi
		case $c in plot) pre=(x.db curves --terminal) ;; schedule) pre=(step --steps 4 --lr 0.1 --step_size 2) ;; esac
	done < <("$LRSWEEP" "$c" --help | grep -E -- '^  (-[a-z], )?--[a-z][a-z-]* [^ ]' | grep -oE -- '--?[a-z][a-z-]* [A-Za-z]' |
	         awk '{ print $1 }' | grep -v -- '--KEY')
	if [ -z "$bad" ]; then ok "$c: a flag missing its value, last or not, one line"; else nok "$c: missing values" "$bad"; fi
done
refused "a schedule parameter missing its value before a flag" "--step_size needs a value" \
	schedule step --steps 4 --lr 0.1 --step_size --format csv
refused "a value may not be empty" "--db needs a value (F)" run exp.yaml --db=

# ------------------------------------------------------------ numbers

refused "--threads x" "--threads must be an integer in [0, 4096], got 'x'" run exp.yaml --threads x
refused "--threads overflow" "--threads must be an integer in [0, 4096], got '99999999999999999999'" \
	range-test exp.yaml --threads 99999999999999999999
refused "--steps 0 (at least 1)" "--steps must be an integer in [1, 100000000], got '0'" schedule step --steps 0 --lr 0.1 --step_size 2
refused "--top 0 (at least 1)" "--top must be an integer >= 1, got '0'" query x.db trials --top 0
refused "--epochs 1.5 for train" "--epochs must be an integer in [1, 1000000], got '1.5'" train exp.yaml --lr 0.1 --epochs 1.5
refused "a negative --min-lr is a bad value, not a flag" "--min-lr must be a number > 0, got '-1'" run exp.yaml --min-lr -1 --max-lr 1
refused "a negative --seed" "--seed must be an integer in [0, 9007199254740991], got '-3'" train exp.yaml --lr 0.1 --seed -3
refused "--target-accuracy 1.5" "--target-accuracy must be a number in (0, 1], got '1.5'" query x.db compare --target-accuracy 1.5
refused "an enum's typo" "--format must be table, csv or json, got 'jsn' (did you mean 'json'?)" query x.db trials --format jsn

# ------------------------------------------------------------ forms, repeats, --

run run exp.yaml --dry-run --threads=1 --min-lr=0.01 --max-lr 0.1
if [ "$RC" -eq 0 ] && grep -q '^plan: 4 trials' "$OUT"; then ok "--flag=value and --flag value mix"; else nok "--flag=value" "rc=$RC $(head -c 200 "$ERR")"; fi
refused "a flag given twice" "--db given twice" run exp.yaml --db a.db --db b.db
refused "a flag without a value takes none" "--dry-run takes no value" run exp.yaml --dry-run=yes
refused "-- ends the flags: what follows is an operand" "unexpected argument '--dry-run'" run exp.yaml -- --dry-run
cp exp.yaml ./-x.yaml
run run --dry-run -- -x.yaml
if [ "$RC" -eq 0 ] && grep -q '^plan: 4 trials' "$OUT"; then ok "-- lets an operand start with a dash"; else nok "-- operand" "rc=$RC $(head -c 200 "$ERR")"; fi
run -q -v schedule step --steps 2 --lr 0.1 --step_size 1 -q
if [ "$RC" -eq 0 ] && [ "$(wc -l <"$OUT")" -eq 3 ]; then ok "-q and -v before and after the command"; else nok "-q -v" "rc=$RC"; fi
run run exp.yaml --help --frob
if [ "$RC" -eq 0 ] && grep -q '^usage: lrsweep run' "$OUT" && [ ! -s "$ERR" ]; then ok "--help wins over what follows it"; else nok "--help first" "rc=$RC"; fi

# ------------------------------------------------------------ lrsweep-mpi

MPI=${LRSWEEP_MPI:-}
case $MPI in /*) ;; ?*) MPI=$REPO/$MPI ;; esac
if [ -z "$MPI" ] || [ ! -x "$MPI" ] || ! command -v mpirun >/dev/null; then
	ok "mpirun or lrsweep-mpi absent: MPI checks skipped"
	finish
fi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
cp "$MPI" "$T/lrsweep-mpi"
timeout 120 mpirun --oversubscribe -np 2 "$T/lrsweep-mpi" run exp.yaml --db m.db --thread 2 >"$OUT" 2>"$ERR"
RC=$?
if [ $RC -eq 2 ] && grep -qF "unknown option '--thread' (did you mean '--threads'?)" "$ERR" && [ ! -e m.db ]; then
	ok "lrsweep-mpi: a typo ends every rank, exit 2"
else
	nok "lrsweep-mpi typo" "rc=$RC $(head -c 300 "$ERR")"
fi
timeout 300 mpirun --oversubscribe -np 2 "$T/lrsweep-mpi" -q run --threads=2 --db=m.db -- -x.yaml >"$OUT" 2>"$ERR"
RC=$?
if [ $RC -eq 0 ] && grep -q '^4 trials run: 4 completed' "$OUT"; then
	ok "lrsweep-mpi: every rank reads --flag=value, the program's -q and an operand after -- as run does"
else
	nok "lrsweep-mpi flags" "rc=$RC $(head -c 300 "$ERR")"
fi
finish
