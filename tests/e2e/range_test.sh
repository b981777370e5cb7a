#!/usr/bin/env bash
# tests/e2e/range_test.sh - `lrsweep range-test` on synthetic data: the
# summary, the database (every point of every repeat, the bounds of every
# rule, integrity), the plot, and bad flags (exit 2, one line).
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
QUICK=$REPO/experiments/quick_synthetic.yaml
ARGS=(--mode exponential --start-lr 1e-4 --end-lr 10 --epochs 8 --repeats 2 --pick accuracy)

run range-test "$QUICK" --db "$T/r.db" "${ARGS[@]}" --plot "$T/r.png"
if [ "$RC" -eq 0 ] && grep -q '^accuracy *\*' "$OUT" && grep -q "stored in $T/r.db" "$OUT"; then
	ok "range-test runs and reports every rule"
else
	nok "range-test" "rc=$RC $(head -c 400 "$ERR")"
fi
if [ -s "$T/r.png" ] && head -c 4 "$T/r.png" | grep -q PNG; then ok "range-test plot"; else nok "plot" "no PNG"; fi
points=$(awk '$1 ~ /^[01]$/ && NF >= 4 { s += $3 } END { print s }' "$OUT")
if command -v sqlite3 >/dev/null; then
	got=$(sqlite3 "$T/r.db" "select count(*) from range_points")
	if [ "$got" = "$points" ]; then ok "every point of every repeat stored ($got)"; else nok "points" "db $got, summary $points"; fi
	if [ "$(sqlite3 "$T/r.db" "pragma integrity_check")" = ok ]; then ok "integrity_check"; else nok "integrity" "not ok"; fi
	if [ "$(sqlite3 "$T/r.db" "select count(*) from bounds where chosen = 1 and rule = 'accuracy'")" = 1 ] &&
	   [ "$(sqlite3 "$T/r.db" "select count(*) from bounds")" = 5 ]; then
		ok "bounds of every rule, the configured one chosen"
	else
		nok "bounds" "$(sqlite3 "$T/r.db" "select * from bounds")"
	fi
	# every rule's note as printed after its bounds, and no note where none was printed
	notes_ok=1
	for rule in accuracy loss-steepest loss-valley loss-min10; do
		printed=$(awk -v r="$rule" '$1 == r { line = $0; sub(/^[^(]*\(/, "", line); if (line != $0 || index($0, "(")) { sub(/\)$/, "", line); sub(/^no pick: /, "", line); print line } }' "$OUT")
		stored=$(sqlite3 "$T/r.db" "select coalesce(note, '') from bounds where rule = '$rule'")
		[ "$printed" = "$stored" ] || notes_ok=0
	done
	if [ "$notes_ok" = 1 ] && [ "$(sqlite3 "$T/r.db" "select count(*) from bounds where note is not null")" -ge 1 ]; then
		ok "each rule's note stored as printed"
	else
		nok "notes" "$(sqlite3 "$T/r.db" "select rule, note from bounds") vs $(grep '(' "$OUT")"
	fi
else
	ok "sqlite3 shell absent: database checks skipped"
fi
cut -c1-70 "$OUT" | grep -v '^stored\|^range test' >"$T/a"
run range-test "$QUICK" --db "$T/r2.db" "${ARGS[@]}" --threads 1
cut -c1-70 "$OUT" | grep -v '^stored\|^range test' | sed 's/  *[0-9.]*$//' >"$T/b"
sed -i 's/  *[0-9.]*$//' "$T/a"
if cmp -s "$T/a" "$T/b"; then ok "same picks on 1 and 2 threads"; else nok "threads" "$(diff "$T/a" "$T/b" | head -6)"; fi

if grep -q $'\r' "$ERR"; then nok "no progress bar when piped" "stderr has a carriage return"; else ok "no progress bar when piped"; fi
if command -v script >/dev/null; then
	script -qec "$LRSWEEP range-test $QUICK --db $T/tty.db ${ARGS[*]}" /dev/null >"$T/tty" 2>&1
	if grep -q $'\rrange test \[#*\.*\] *[0-9]*%' "$T/tty"; then ok "progress bar on a terminal"; else nok "progress bar" "$(head -c 300 "$T/tty" | cat -A)"; fi
	script -qec "$LRSWEEP range-test -q $QUICK --db $T/tty.db ${ARGS[*]}" /dev/null >"$T/tty" 2>&1
	if grep -q $'\r''range test \[' "$T/tty"; then nok "-q hides the bar" "bar drawn"; else ok "-q hides the progress bar"; fi
else
	ok "script(1) absent: terminal checks skipped"
fi
run range-test "$QUICK" --db "$T/s.db" "${ARGS[@]}" --seed 7
s7=$(awk '$1 == 0 && NF == 5 { print $2 }' "$OUT")
run range-test "$QUICK" --db "$T/s.db" "${ARGS[@]}" --seed 7
s7b=$(awk '$1 == 0 && NF == 5 { print $2 }' "$OUT")
s0=$(awk '$1 == 0 && NF == 5 { print $2 }' "$T/a")
if [ -n "$s7" ] && [ "$s7" = "$s7b" ] && [ "$s7" != "$s0" ]; then ok "--seed sets the repeats' seeds"; else nok "--seed" "'$s7' '$s7b' '$s0'"; fi

# settings that cannot give what was asked: a warning before the test runs
# (76: 4 evaluations before the last step, which a test that stops early misses)
for every in 100000 76; do
	{ cat "$QUICK"; printf 'range_test:\n  eval_every: %s\n' "$every"; } >"$T/warn.yaml"
	run range-test "$T/warn.yaml" --db "$T/w.db" "${ARGS[@]}"
	if [ "$RC" -eq 0 ] && grep -q "warning: eval_every $every gives [14] accuracy evaluations* over 304 iterations" "$ERR" &&
	   grep -q "^bounds (combined, in place of accuracy): " "$OUT"; then
		ok "a warning before the test when eval_every $every allows too few evaluations; combined stands in"
	else
		nok "eval_every warning ($every)" "rc=$RC $(head -c 400 "$ERR") $(grep '^bounds' "$OUT")"
	fi
done
printed=$(sed -n 's/^accuracy .*(no pick: \(.*\))$/\1/p' "$OUT")
stored=$(sqlite3 "$T/w.db" "select note from bounds where rule = 'accuracy' and experiment_id = (select max(id) from experiments)")
if [ -n "$printed" ] && [ "$printed" = "$stored" ]; then ok "a refusal's reason stored as its note"; else nok "refusal note" "'$printed' vs '$stored'"; fi
run range-test "$QUICK" --db "$T/w.db" "${ARGS[@]}"
if grep -q "warning: eval_every" "$ERR"; then nok "no eval_every warning on the defaults" "$(grep warning "$ERR")"; else ok "no eval_every warning on the defaults"; fi

bad_usage "bad --seed" "--seed" range-test "$QUICK" --seed -3
bad_usage "bad --pick" "loss-valley" range-test "$QUICK" --pick loss-vally
bad_usage "bad --mode" "--mode" range-test "$QUICK" --mode cubic
bad_usage "epochs and iterations" "either --epochs or --iterations" range-test "$QUICK" --epochs 2 --iterations 100
bad_usage "end below start" "end_lr 0.1 (--end-lr) must be above start_lr 1 (--start-lr)" range-test "$QUICK" --start-lr 1 --end-lr 0.1
bad_usage "end below the experiment's start" "(--end-lr) must be above start_lr 0.0001 ($QUICK)" range-test "$QUICK" --end-lr 1e-5
bad_usage "unknown flag" "--frob" range-test "$QUICK" --frob 1
bad_usage "no experiment" "experiment file" range-test
finish
