#!/bin/sh
# deps.sh - install the Debian packages lrsweep needs, if any are missing.
#
#   scripts/deps.sh             the packages needed to build and test
#   scripts/deps.sh --optional  also PyTorch (python3-torch), which the
#                               cross-check tests compare against,
#                               chromium, which renders `lrsweep report`'s
#                               page in tests/e2e/report.sh, and Open MPI,
#                               for bin/lrsweep-mpi and tests/e2e/mpi.sh
#   scripts/deps.sh --fuzz      also clang with libFuzzer, for `make fuzz`
#   scripts/deps.sh --bench     also python3-sklearn, whose bundled CSVs are
#                               real data sets of `make bounds-bench`
#
# As root it runs apt-get; otherwise it prints the command to run. When
# everything is present it does nothing.
set -eu

PACKAGES="build-essential pkg-config libyaml-dev libsqlite3-dev check libopenblas-dev zlib1g-dev gnuplot-nox dataset-fashion-mnist valgrind sqlite3"
if [ "${1:-}" = "--optional" ]; then
	PACKAGES="$PACKAGES python3-torch chromium libopenmpi-dev openmpi-bin"
elif [ "${1:-}" = "--bench" ]; then
	PACKAGES="$PACKAGES python3-sklearn"
elif [ "${1:-}" = "--fuzz" ]; then
	PACKAGES="$PACKAGES clang libclang-rt-dev libomp-dev"
fi

missing=""
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
export DEBIAN_FRONTEND=noninteractive
# a fresh machine has no package lists yet; refresh them once when needed
if ! apt-get install -y --no-install-recommends $missing >/dev/null 2>&1; then
	apt-get update -q >/dev/null
	apt-get install -y -q --no-install-recommends $missing
fi
