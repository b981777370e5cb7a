# lib.sh - shared by the end-to-end scripts: a scratch directory, a
# snapshot of the binary, `run`, and ok/nok/finish reporting. Source it
# after setting nothing; it reads $LRSWEEP (default bin/lrsweep).

LRSWEEP=${LRSWEEP:-bin/lrsweep}
case $LRSWEEP in
/*) ;;
*) LRSWEEP=$PWD/$LRSWEEP ;;
esac
REPO=${REPO:-$PWD}
PY=/usr/bin/python3

T=$(mktemp -d "${TMPDIR:-/tmp}/lrsweep-e2e.XXXXXX") || { echo "cannot make a scratch directory" >&2; exit 1; }
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM

PASS=0
FAIL=0
RC=0
OUT=$T/out
ERR=$T/err

ok()  { PASS=$((PASS + 1)); echo "ok - $1"; }
nok() { FAIL=$((FAIL + 1)); echo "not ok - $1: $2"; }

finish() {
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
	exit $?
}

if [ ! -x "$LRSWEEP" ]; then
	nok "binary" "$LRSWEEP is not an executable file (run make first)"
	finish
fi
# Test a snapshot, so that a concurrent `make` relinking the binary cannot
# make cases fail half-way through the run.
if cp "$LRSWEEP" "$T/lrsweep" && chmod +x "$T/lrsweep"; then
	LRSWEEP=$T/lrsweep
else
	nok "binary" "cannot copy $LRSWEEP"
	finish
fi

# run ARGS...: runs lrsweep; stdout in $OUT, stderr in $ERR, status in $RC.
run() {
	"$LRSWEEP" "$@" >"$OUT" 2>"$ERR"
	RC=$?
}

# bad_usage NAME NEEDLE ARGS...: lrsweep ARGS must exit 2 with nothing on
# stdout and exactly one line on stderr that matches NEEDLE.
bad_usage() {
	local name=$1 needle=$2
	shift 2
	run "$@"
	if [ "$RC" -eq 2 ] && [ ! -s "$OUT" ] && [ "$(wc -l <"$ERR")" -eq 1 ] && grep -q -- "$needle" "$ERR"; then
		ok "$name"
	else
		nok "$name" "rc=$RC stdout=$(wc -c <"$OUT")B stderr=$(head -c 300 "$ERR")"
	fi
}

# mpi_setup WHAT: for the MPI scripts. Copies $LRSWEEP_MPI to
# $T/lrsweep-mpi and sets up Open MPI (it refuses root unless told; an ASan
# build must not fail on the MPI library's own allocations at exit); when
# mpirun, lrsweep-mpi or sqlite3 is missing, says WHAT is skipped and
# finishes the script.
mpi_setup() {
	local mpi=${LRSWEEP_MPI:-}
	case $mpi in /*) ;; ?*) mpi=$REPO/$mpi ;; esac
	if [ -z "$mpi" ] || [ ! -x "$mpi" ] || ! command -v mpirun >/dev/null || ! command -v sqlite3 >/dev/null; then
		ok "mpirun, lrsweep-mpi or sqlite3 absent: $1 skipped"
		finish
	fi
	cp "$mpi" "$T/lrsweep-mpi"
	export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
}
