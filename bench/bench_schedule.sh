#!/bin/sh
# bench_schedule.sh - run the schedule benchmark with the binary in $LRSWEEP.
set -eu
exec /usr/bin/python3 "$(dirname "$0")/bench_schedule.py" "${LRSWEEP:-bin/lrsweep}" "$@"
