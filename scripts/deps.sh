#!/bin/sh
# deps.sh - install the Debian packages lrsweep needs, if any are missing.
#
#   scripts/deps.sh             the packages needed to build and test
#   scripts/deps.sh --mpi       also Open MPI, for bin/lrsweep-mpi (make mpi)
#                               and tests/e2e/mpi.sh
#   scripts/deps.sh --optional  also PyTorch (python3-torch), which the
#                               cross-check tests compare against,
#                               chromium, which renders `lrsweep report`'s
#                               page in tests/e2e/report.sh, and Open MPI
#   scripts/deps.sh --fuzz      also clang with libFuzzer, for `make fuzz`
#   scripts/deps.sh --bench     also python3-sklearn, whose bundled CSVs are
#                               real data sets of `make bounds-bench`
#   scripts/deps.sh --search    --bench's, and python3-optuna, whose TPE
#                               `make search-bench` compares with
#   scripts/deps.sh --build     only check, with pkg-config, that what `make`
#                               compiles against is there; never installs
#                               (plain `make` runs this before compiling)
#
# As root it runs apt-get; otherwise it prints the command to run. When
# everything is present it does nothing. With LRSWEEP_DEPS_DRY=1 it only
# reports (one line naming the missing packages, one with the command) and
# exits 1 when something is missing, as it does for a user who is not root.
set -eu

MPI_PACKAGES="libopenmpi-dev openmpi-bin"
PACKAGES="build-essential pkg-config libyaml-dev libsqlite3-dev check libopenblas-dev zlib1g-dev gnuplot-nox dataset-fashion-mnist valgrind sqlite3"
case "${1:-}" in
--mpi) PACKAGES="$PACKAGES $MPI_PACKAGES" ;;
--optional) PACKAGES="$PACKAGES python3-torch chromium $MPI_PACKAGES" ;;
--fuzz) PACKAGES="$PACKAGES clang libclang-rt-dev libomp-dev" ;;
--bench) PACKAGES="$PACKAGES python3-sklearn" ;;
--search) PACKAGES="$PACKAGES python3-sklearn python3-optuna" ;;
--build) ;;
"") ;;
*) echo "usage: scripts/deps.sh [--mpi | --optional | --fuzz | --bench | --search | --build]" >&2; exit 2 ;;
esac

missing=""
if [ "${1:-}" = "--build" ]; then
	# the pkg-config modules of the Makefile's PKGS and BLAS_PKG, each with
	# the Debian package that provides it; a compiler; pkg-config itself
	cc_prog=${CC:-cc}
	command -v "${cc_prog%% *}" >/dev/null 2>&1 || missing="$missing build-essential"
	if command -v pkg-config >/dev/null 2>&1; then
		for m in yaml-0.1:libyaml-dev zlib:zlib1g-dev sqlite3:libsqlite3-dev openblas:libopenblas-dev; do
			pkg-config --exists "${m%%:*}" 2>/dev/null || missing="$missing ${m#*:}"
		done
	else
		missing="$missing pkg-config libyaml-dev zlib1g-dev libsqlite3-dev libopenblas-dev"
	fi
	[ -z "$missing" ] && exit 0
	echo "lrsweep: cannot build: missing Debian packages:$missing; run 'make deps' (as root) or: sudo apt-get install -y$missing" >&2
	exit 1
fi

for p in $PACKAGES; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

echo "lrsweep: missing Debian packages:$missing" >&2
if [ "$(id -u)" -ne 0 ]; then
	echo "lrsweep: run: sudo apt-get install -y$missing" >&2
	exit 1
fi
if [ "${LRSWEEP_DEPS_DRY:-0}" = 1 ]; then
	echo "lrsweep: run: apt-get install -y$missing (LRSWEEP_DEPS_DRY=1: not installing)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# a fresh machine has no package lists yet; refresh them once when needed
if ! apt-get install -y --no-install-recommends $missing >/dev/null 2>&1; then
	apt-get update -q >/dev/null
	apt-get install -y -q --no-install-recommends $missing
fi
