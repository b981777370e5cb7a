#!/usr/bin/env bash
# tests/e2e/probe_store.sh - the probe that sets a linear range test's
# range is stored with the test: range_tests.probe_iterations and
# probe_note on every repeat row, the note as stderr gave it (range-test,
# run with one test per group, lrsweep-mpi when built); a range given
# stores NULL; `query range-test`, `report` and `plot range-test` show
# it; a file of schema version 4 migrates and keeps its rows.
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1

if ! command -v sqlite3 >/dev/null; then
	ok "sqlite3 shell absent: probe checks skipped"
	finish
fi

cat >exp.yaml <<'YAML'
name: probe
seed: 5
data:
  train: {format: synthetic, kind: spirals, samples: 600, classes: 3, noise: 0.2}
  validation: 0.2
model: {hidden: [16], activation: relu}
optimizer: {type: sgd, momentum: 0.9}
batch_size: 32
range_test: {epochs: 2, repeats: 2}
trials:
  epochs: 1
  seeds: [1]
  schedules:
    - type: constant
YAML
sed 's/^range_test: .*/range_test: {start_lr: 0.001, end_lr: 1, epochs: 2, repeats: 2}/' exp.yaml >given.yaml
{ cat exp.yaml; printf '  space:\n    batch_size: {grid: [16, 64]}\n'; } >groups.yaml

# probe_notes FILE: the probe's note of each probe line of stderr FILE, in
# order, as range_tests.probe_note should hold it; and its length in
# updates (probe_lengths)
probe_notes() {
	sed -n -e 's/^lrsweep\(-mpi\)\{0,1\}: probe (exponential [^,]*, [0-9]* updates): the linear test runs [^:]* -> [^:]*: //p' \
	       -e 's/^lrsweep\(-mpi\)\{0,1\}: warning: the probe (exponential [^,]*, [0-9]* updates) \(found no range (.*)\): the linear test runs .*$/\2/p' "$1"
}
probe_lengths() {
	sed -n 's/^lrsweep\(-mpi\)\{0,1\}: \(warning: the \)\{0,1\}probe (exponential [^,]*, \([0-9]*\) updates).*$/\3/p' "$1"
}
# stored DB: each test's (group's) probe as "iterations|note", in the
# order the groups were tested, when all its repeats agree
stored() {
	sqlite3 "$1" "select coalesce(max(probe_iterations), 'NULL') || '|' || coalesce(max(probe_note), 'NULL')
		from range_tests group by group_key
		having count(distinct coalesce(probe_iterations, -1)) = 1 and count(distinct coalesce(probe_note, '')) = 1
		order by min(id)"
}

# ---------------------------------------------------------------- range-test
run range-test exp.yaml --db "$T/rt.db" --plot "$T/rt.svg"
want="$(paste -d'|' <(probe_lengths "$ERR") <(probe_notes "$ERR"))"
if [ "$RC" -eq 0 ] && [ -n "$(probe_notes "$ERR")" ] && [ "$(stored "$T/rt.db")" = "$want" ] &&
   [ "$(sqlite3 "$T/rt.db" 'select count(*) from range_tests where probe_iterations > 0')" = 2 ]; then
	ok "range-test: both repeats store the probe's length and note as stderr gave them"
else
	nok "range-test stores the probe" "rc=$RC stored='$(stored "$T/rt.db")' want='$want'"
fi
run range-test exp.yaml --db "$T/rtgiven.db" --start-lr 0.001 --end-lr 1 --plot "$T/rtgiven.svg"
if [ "$RC" -eq 0 ] && [ -z "$(probe_notes "$ERR")" ] && [ "$(stored "$T/rtgiven.db")" = "NULL|NULL" ] &&
   [ "$(sqlite3 "$T/rtgiven.db" 'select count(*) from range_tests')" = 2 ]; then
	ok "range-test --start-lr/--end-lr: no probe, NULL on both repeats"
else
	nok "range-test with a range" "rc=$RC stored='$(stored "$T/rtgiven.db")'"
fi

# ---------------------------------------------------------------- run
run run groups.yaml --db "$T/groups.db"
want="$(paste -d'|' <(probe_lengths "$ERR") <(probe_notes "$ERR"))"
if [ "$RC" -eq 0 ] && [ "$(probe_notes "$ERR" | wc -l)" = 2 ] && [ "$(stored "$T/groups.db")" = "$want" ] &&
   [ "$(sqlite3 "$T/groups.db" 'select count(distinct group_key) from range_tests where probe_iterations > 0')" = 2 ]
then
	ok "run: each group's test stores its own probe, as stderr gave it"
else
	nok "run stores each group's probe" "rc=$RC stored='$(stored "$T/groups.db")' want='$want'"
fi
run run given.yaml --db "$T/given.db"
if [ "$RC" -eq 0 ] && [ -z "$(probe_notes "$ERR")" ] && [ "$(stored "$T/given.db")" = "NULL|NULL" ]; then
	ok "run with range_test.start_lr/end_lr: NULL"
else
	nok "run with a range" "rc=$RC stored='$(stored "$T/given.db")'"
fi

# ---------------------------------------------------------------- shown
note=$(sqlite3 "$T/rt.db" 'select probe_note from range_tests limit 1')
line=$(sqlite3 "$T/rt.db" "select printf('probe: %d updates -> linear ', probe_iterations) from range_tests limit 1")
run query "$T/rt.db" range-test
if [ "$RC" -eq 0 ] && [ "$(grep -c '^probe: ' "$OUT")" = 1 ] && grep -q "^$line[^ ]* \.\. [^ ]*: " "$OUT" &&
   [ "$(sed -n 's/^probe: [0-9]* updates -> linear [^ ]* \.\. [^ ]*: //p' "$OUT")" = "$note" ]; then
	ok "query range-test: a probe line with the stored note"
else
	nok "query shows the probe" "rc=$RC $(grep probe "$OUT")"
fi
run query "$T/groups.db" range-test
if [ "$RC" -eq 0 ] && [ "$(grep -c ': probe: [0-9]* updates -> linear ' "$OUT")" = 2 ] &&
   grep -q "^$(sqlite3 "$T/groups.db" 'select group_key from range_tests order by id limit 1'): probe: " "$OUT"; then
	ok "query range-test: a probe line per group, named by its group"
else
	nok "query shows each group's probe" "rc=$RC $(grep probe "$OUT")"
fi
run query "$T/given.db" range-test
if [ "$RC" -eq 0 ] && [ "$(grep -c '^no probe (range given)$' "$OUT")" = 1 ] && ! grep -q '^probe:' "$OUT"; then
	ok "query range-test: no probe (range given)"
else
	nok "query shows no probe" "rc=$RC $(tail -3 "$OUT")"
fi
run query "$T/rt.db" range-test --format csv
if [ "$RC" -eq 0 ] && grep -q '^id,repeat,mode,.*,min_smoothed_loss,probe_iterations,probe_note$' "$OUT" &&
   [ "$(grep -c "^[0-9]*,[01],linear,.*,$(sqlite3 "$T/rt.db" 'select probe_iterations from range_tests limit 1'),.*probe" "$OUT")" = 2 ]
then
	ok "query range-test --format csv: probe_iterations and probe_note last"
else
	nok "csv probe columns" "rc=$RC $(tail -3 "$OUT")"
fi
if [ -x "$PY" ]; then
	run query "$T/rt.db" range-test --format json
	if [ "$RC" -eq 0 ] && "$PY" -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert [r["probe_note"] for r in d["range_tests"]] == [sys.argv[2]] * 2
assert all(r["probe_iterations"] > 0 for r in d["range_tests"])' "$OUT" "$note"; then
		ok "query range-test --format json: the probe's keys"
	else
		nok "json probe keys" "rc=$RC $(head -c 300 "$OUT")"
	fi
	run report "$T/rt.db" -o "$T/rt.html"
	if [ "$RC" -eq 0 ] && "$PY" -c 'import html, re, sys
page = open(sys.argv[1]).read()
sec = page[page.index("id=\"range-test\""):]
sec = sec[:sec.index("</section>")]
got = [html.unescape(p) for p in re.findall(r"<p class=\"note probe\">(.*?)</p>", sec)]
assert len(got) == 1 and got[0].startswith(sys.argv[2]) and got[0].endswith(": " + sys.argv[3]), got' \
	   "$T/rt.html" "$line" "$note"; then
		ok "report: the range-test section says the probe and its note"
	else
		nok "report shows the probe" "rc=$RC $(grep -o 'note probe[^<]*' "$T/rt.html")"
	fi
	run report "$T/given.db" -o "$T/given.html"
	if [ "$RC" -eq 0 ] && grep -q '<p class="note probe">no probe (range given)</p>' "$T/given.html"; then
		ok "report: no probe (range given)"
	else
		nok "report shows no probe" "rc=$RC"
	fi
fi
if command -v gnuplot >/dev/null; then
	run plot "$T/rt.db" range-test -o "$T/fromdb.svg"
	n=$(sqlite3 "$T/rt.db" 'select probe_iterations from range_tests limit 1')
	if [ "$RC" -eq 0 ] && grep -q "range from a probe of $n updates" "$T/fromdb.svg" && cmp -s "$T/rt.svg" "$T/fromdb.svg" &&
	   ! grep -q "range from a probe" "$T/rtgiven.svg"; then
		ok "plot range-test: the title says a probe set the range (as range-test --plot drew it)"
	else
		nok "plot title" "rc=$RC"
	fi
fi

# ---------------------------------------------------------------- version 4
# the probed file taken back to schema version 4: reading it upgrades it,
# every row kept, the tests with no probe known (NULL)
cur=$(sqlite3 "$T/rt.db" 'pragma user_version')
cp "$T/rt.db" "$T/v4.db"
sqlite3 "$T/v4.db" "alter table experiments drop column data_sha256; alter table range_tests drop column probe_iterations;
	alter table range_tests drop column probe_note; pragma user_version = 4"
counts() { sqlite3 "$1" "select (select count(*) from range_tests) || ',' || (select count(*) from range_points)
	|| ',' || (select count(*) from bounds) || ',' || (select group_concat(seed) from range_tests)"; }
before=$(counts "$T/rt.db")
run query "$T/v4.db" range-test
if [ "$RC" -eq 0 ] && grep -q "upgraded $T/v4.db from schema version 4 to $cur" "$ERR" &&
   [ "$(sqlite3 "$T/v4.db" 'pragma user_version')" = "$cur" ] && [ "$(counts "$T/v4.db")" = "$before" ] &&
   [ "$(stored "$T/v4.db")" = "NULL|NULL" ] && grep -q '^no probe (range given)$' "$OUT" &&
   [ "$(sqlite3 "$T/v4.db" 'pragma integrity_check')" = ok ]; then
	ok "a version 4 file: upgraded by a query, every row kept, its probe NULL"
else
	nok "version 4 migrates" "rc=$RC $(head -c 300 "$ERR") counts=$(counts "$T/v4.db") want=$before"
fi
run range-test exp.yaml --db "$T/v4.db" -q
if [ "$RC" -eq 0 ] && [ "$(sqlite3 "$T/v4.db" 'select count(*) from range_tests where probe_iterations > 0')" = 2 ] &&
   [ "$(sqlite3 "$T/v4.db" 'select count(*) from range_tests where probe_iterations is null')" = 2 ]; then
	ok "the migrated file takes a new probed test beside the old ones"
else
	nok "write after migration" "rc=$RC $(head -c 300 "$ERR")"
fi

# ---------------------------------------------------------------- MPI
MPI=${LRSWEEP_MPI:-}
case $MPI in /*) ;; ?*) MPI=$REPO/$MPI ;; esac
if [ -n "$MPI" ] && [ -x "$MPI" ] && command -v mpirun >/dev/null; then
	export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	cp "$MPI" "$T/lrsweep-mpi"
	timeout 300 mpirun --oversubscribe -np 2 "$T/lrsweep-mpi" run exp.yaml --db "$T/mpi.db" >"$OUT" 2>"$ERR"
	RC=$?
	want="$(paste -d'|' <(probe_lengths "$ERR") <(probe_notes "$ERR"))"
	if [ "$RC" -eq 0 ] && [ "$(probe_notes "$ERR" | wc -l)" = 1 ] && [ "$(stored "$T/mpi.db")" = "$want" ] &&
	   [ "$(sqlite3 "$T/mpi.db" 'select count(*) from range_tests where probe_iterations > 0')" = 2 ]; then
		ok "lrsweep-mpi: rank 0's probe stored with the test"
	else
		nok "lrsweep-mpi stores the probe" "rc=$RC stored='$(stored "$T/mpi.db")' want='$want'"
	fi
fi

finish
