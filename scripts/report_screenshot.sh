#!/bin/sh
# report_screenshot.sh - a picture of `lrsweep report` for the README: the
# report of a results database rendered by headless chromium.
#
#   scripts/report_screenshot.sh [DB [PNG]]
#       DB   default results/fashion-quick.db (made by `make demo`)
#       PNG  default docs/report.png
#   LRSWEEP=bin/lrsweep  the binary; WIDTH=1280 HEIGHT=2000  the window
#
# Needs chromium (scripts/deps.sh --optional installs it) and gnuplot.
set -eu
LRSWEEP=${LRSWEEP:-bin/lrsweep}
DB=${1:-results/fashion-quick.db}
PNG=${2:-docs/report.png}
WIDTH=${WIDTH:-1280}
HEIGHT=${HEIGHT:-2000}

command -v chromium >/dev/null 2>&1 || {
	echo "report_screenshot: chromium is not installed (scripts/deps.sh --optional)" >&2
	exit 1
}
[ -f "$DB" ] || { echo "report_screenshot: no $DB (make demo makes it)" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lrsweep-shot.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$LRSWEEP" -q report "$DB" -o "$tmp/report.html"
mkdir -p "$(dirname "$PNG")"
case $PNG in /*) out=$PNG ;; *) out=$PWD/$PNG ;; esac
rm -f "$out"
# a private profile, so that no running browser or earlier run interferes
timeout 120 chromium --headless=new --no-sandbox --disable-gpu --no-first-run --hide-scrollbars \
	--user-data-dir="$tmp/profile" --window-size="$WIDTH,$HEIGHT" --screenshot="$out" \
	"file://$tmp/report.html" >/dev/null 2>&1 || true
if [ ! -s "$out" ]; then
	echo "report_screenshot: chromium wrote no screenshot" >&2
	exit 1
fi
echo "report_screenshot: wrote $PNG (${WIDTH}x$HEIGHT) from $DB"
