#!/usr/bin/env bash
# tests/e2e/faults.sh - the store and the memory checks under faults: a
# database locked by another writer (given up after the busy timeout, or
# waited for), a full disk (a file-size limit; a tiny tmpfs), a read-only
# database (a read-only bind mount; chattr +i), a corrupted file (a damaged
# page; every page in turn), and a model or dataset too big for memory
# under `ulimit -v`. Every failure must be one line on stderr naming the
# file, exit 1 or 2 (never a signal), and leave what was stored before
# intact: integrity_check passes and the rows are those stored before.
# Mounts happen in a private mount namespace (unshare -m), so nothing
# outlives the script; a variant the machine does not allow is skipped
# with its reason.
set -u
. "$(dirname "$0")/lib.sh"
# an immutable file would stop the scratch directory's removal
trap 'chattr -i "$T"/imm/*.db 2>/dev/null; rm -rf "$T"' EXIT
cd "$T" || exit 1

if ! command -v sqlite3 >/dev/null; then
	ok "sqlite3 shell absent: fault checks skipped"
	finish
fi

cp "$REPO/tests/data/blobs_sweep.yaml" exp.yaml
# a run that writes much more: enough to fill what the faults leave
sed -e 's/  epochs: 2$/  epochs: 300/' -e 's/seeds: \[1, 2\]/seeds: [1, 2, 3, 4]/' exp.yaml >big.yaml

# every row stored by experiment 1, in a fixed order
ROWS="select id, name, config_sha256, status, created_at, finished_at from experiments where id = 1;
	select * from range_tests where experiment_id = 1 order by id;
	select p.* from range_points p join range_tests r on r.id = p.range_test_id where r.experiment_id = 1
		order by 1, 2;
	select * from bounds where experiment_id = 1 order by rule;
	select * from trials where experiment_id = 1 order by id;
	select e.* from epochs e join trials t on t.id = e.trial_id where t.experiment_id = 1 order by 1, 2"

"$LRSWEEP" run exp.yaml --db base.db -q >/dev/null 2>&1 || { nok "setup run" "failed"; finish; }
sqlite3 base.db "$ROWS" >before.rows
[ -s before.rows ] || { nok "setup rows" "none stored"; finish; }

# one_error NAME DB NEEDLE CODES: the last run failed with exactly one line
# on stderr that names DB and matches NEEDLE, nothing on stdout, exit status
# one of CODES (e.g. "1" or "1 2"), and no signal.
one_error() {
	local name=$1 db=$2 needle=$3 codes=$4 c good=0
	for c in $codes; do [ "$RC" -eq "$c" ] && good=1; done
	if [ $good = 1 ] && [ ! -s "$OUT" ] && [ "$(wc -l <"$ERR")" -eq 1 ] &&
	   grep -qF -- "$db" "$ERR" && grep -q -- "$needle" "$ERR"; then
		ok "$name: $(cut -c 1-150 "$ERR")"
	else
		nok "$name" "rc=$RC stdout=$(wc -c <"$OUT")B stderr=$(head -c 400 "$ERR")"
	fi
}

# intact NAME DB: the file passes integrity_check and experiment 1's rows
# are those stored before the fault.
intact() {
	local name=$1 db=$2 check
	check=$(sqlite3 "$db" 'pragma integrity_check' 2>&1)
	if [ "$check" = ok ] && sqlite3 "$db" "$ROWS" | cmp -s - before.rows; then
		ok "$name: integrity ok, the rows stored before unchanged"
	else
		nok "$name" "integrity: $(echo "$check" | head -2 | tr '\n' ' ') rows: $(sqlite3 "$db" "$ROWS" 2>&1 |
			diff - before.rows | head -3 | tr '\n' ' ')"
	fi
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# ------------------------------------------------------------ a. locked

# lock_db DB SECONDS: another writer holds DB's write lock for SECONDS;
# returns once the lock is held. Its pid is in $HOLDER.
lock_db() {
	rm -f "$T/locked"
	sqlite3 "$1" "BEGIN IMMEDIATE; INSERT INTO experiments (name, config, config_sha256, created_at,
		tool_version) VALUES ('holder', '', '', '', '');" ".shell touch $T/locked; sleep $2" "ROLLBACK;" \
		>/dev/null 2>&1 &
	HOLDER=$!
	for _ in $(seq 1 100); do [ -e "$T/locked" ] && break; sleep 0.05; done
}

cp base.db lock.db
lock_db lock.db 7
t0=$(now)
run run exp.yaml --db lock.db --min-lr 0.01 --max-lr 0.1 -q
took=$(elapsed "$t0")
one_error "locked for longer than the busy timeout (failed after ${took} s)" lock.db "database is locked" 1
# the error comes after the 5 s busy timeout; the exit may wait for the
# holder's end (7 s) while closing checkpoints the WAL
if awk -v t="$took" 'BEGIN { exit !(t >= 4.5 && t < 11) }'; then ok "locked: waited the 5 s busy timeout, then gave up"
else nok "locked: busy timeout" "failed after $took s"; fi
wait $HOLDER
intact "locked" lock.db
n=$(sqlite3 lock.db "select count(*) from experiments")
if [ "$n" = 1 ]; then ok "locked: nothing half-stored (still 1 experiment)"; else nok "locked: stored" "$n experiments"; fi

lock_db lock.db 1.5
t0=$(now)
run run exp.yaml --db lock.db --min-lr 0.01 --max-lr 0.1 -q
took=$(elapsed "$t0")
wait $HOLDER
if [ "$RC" -eq 0 ] && [ "$(sqlite3 lock.db "select count(*) from experiments where status = 'completed'")" = 2 ] &&
   awk -v t="$took" 'BEGIN { exit !(t >= 1) }'; then
	ok "lock released within the timeout: the run waited ${took} s and stored its experiment"
else
	nok "lock released in time" "rc=$RC after $took s: $(head -c 300 "$ERR")"
fi
intact "locked, then released" lock.db

# ------------------------------------------------------------ b. disk full

cp base.db fsize.db
kb=$(( $(stat -c %s fsize.db) / 1024 + 48 ))
(
	trap '' XFSZ
	ulimit -f $kb
	"$LRSWEEP" run big.yaml --db fsize.db --min-lr 0.01 --max-lr 0.1 -q >"$OUT" 2>"$ERR"
)
RC=$?
one_error "disk full: file-size limit (ulimit -f $kb)" fsize.db "disk full" 1
intact "disk full: file-size limit" fsize.db
st=$(sqlite3 fsize.db "select count(*) from experiments where id > 1 and status = 'completed'")
if [ "$st" = 0 ]; then ok "disk full: the cut-short run is not stored as completed"
else nok "disk full: status" "$st completed"; fi

# A new database under a limit the plan fits in but the curves do not
# (the size of the whole run's database: the -wal reaches it first), with
# lrsweep's own SIGXFSZ handling (no trap here): one line, exit 1, a valid
# file holding the trials finished before; --resume once the limit is
# lifted finishes the experiment with the numbers of a run never limited.
"$LRSWEEP" run big.yaml --db whole.db --min-lr 0.01 --max-lr 0.1 --threads 2 -q >/dev/null 2>&1
kb=$(( $(stat -c %s whole.db) / 1024 ))
( ulimit -f $kb; exec "$LRSWEEP" run big.yaml --db cut.db --min-lr 0.01 --max-lr 0.1 --threads 2 -q >"$OUT" 2>"$ERR" )
RC=$?
one_error "disk full: a new database under ulimit -f $kb" cut.db "disk full" 1
n_all=$(sqlite3 whole.db "select count(*) from trials")
n_cut=$(sqlite3 cut.db "select count(*) from trials where status = 'completed'")
ids=$(sqlite3 cut.db "select group_concat(id) from trials where status = 'completed'")
done_rows() { sqlite3 cut.db "select * from trials where id in ($ids) order by id;
	select * from epochs where trial_id in ($ids) order by 1, 2"; }
done_rows >cut.rows
if [ "$(sqlite3 cut.db 'pragma integrity_check')" = ok ] && [ "$(sqlite3 cut.db "select count(*) from trials")" = "$n_all" ] &&
   [ "$n_cut" -gt 0 ] && [ "$n_cut" -lt "$n_all" ]; then
	ok "disk full: the plan stored whole, $n_cut of $n_all trials finished before the limit, integrity ok"
else
	nok "disk full: what was stored" "$n_cut of $n_all completed; $(sqlite3 cut.db 'pragma integrity_check' 2>&1 | head -1)"
fi
run run big.yaml --db cut.db --min-lr 0.01 --max-lr 0.1 --threads 2 -q --resume
res() { sqlite3 "$1" "select trial_key, status, best_val_accuracy, final_train_loss from trials order by 1"; }
if [ "$RC" -eq 0 ] && [ "$(sqlite3 cut.db "select group_concat(status) from experiments")" = completed ] &&
   [ "$(res cut.db)" = "$(res whole.db)" ] && done_rows | cmp -s - cut.rows; then
	ok "disk full: --resume without the limit completes it as a run never limited, the $n_cut trials before untouched"
else
	nok "disk full: --resume" "rc=$RC $(head -c 300 "$ERR") $(res cut.db | diff - <(res whole.db) | head -3)"
fi

# report and plot under a limit (48 KiB: above the database's 32 KiB -shm)
# smaller than their output: one line naming it, exit 1, the old file as
# it was (gnuplot, inheriting the ignored SIGXFSZ, used to end "well"
# with a cut PNG that replaced it)
echo old >keep.png
echo old >keep.html
for c in "plot base.db range-test -o keep.png" "report base.db -o keep.html"; do
	# shellcheck disable=SC2086
	( ulimit -f 48; exec "$LRSWEEP" $c >"$OUT" 2>"$ERR" )
	RC=$?
	f=${c##* }
	one_error "ulimit -f 48: ${c%% base.db*} ${c#* base.db }" "$f" "disk full" 1
	if [ "$(cat "$f")" = old ] && [ -z "$(ls -a | grep '\.tmp-')" ]; then ok "ulimit -f 48: $f as it was, no temporary file"
	else nok "ulimit -f 48: $f" "$(head -c 20 "$f") $(ls -a | grep tmp)"; fi
done

# tmpfs: a run that fills it, then one on a file system with no room left
mkdir -p mnt
cat >tmpfs.sh <<EOF
cd "$T" || exit 99
mount -t tmpfs -o size=$(( $(stat -c %s base.db) / 1024 + 64 ))k lrsweep-faults mnt 2>mount.err || exit 99
cp base.db mnt/t.db
"$LRSWEEP" run big.yaml --db mnt/t.db --min-lr 0.01 --max-lr 0.1 -q >run.out 2>run.err
echo \$? >run.rc
sqlite3 mnt/t.db 'pragma integrity_check' >run.check 2>&1
sqlite3 mnt/t.db "\$(cat rows.sql)" >run.rows 2>&1
head -c 1000000 /dev/zero >mnt/fill 2>/dev/null
"$LRSWEEP" run exp.yaml --db mnt/t.db --min-lr 0.01 --max-lr 0.1 -q >full.out 2>full.err
echo \$? >full.rc
"$LRSWEEP" query mnt/t.db trials >q.out 2>q.err
echo \$? >q.rc
for f in png svg; do
	"$LRSWEEP" plot base.db curves -o mnt/p.\$f >plot\$f.out 2>plot\$f.err
	echo \$? >plot\$f.rc
	ls mnt >plot\$f.ls
done
rm mnt/fill
sqlite3 mnt/t.db 'pragma integrity_check' >full.check 2>&1
sqlite3 mnt/t.db "\$(cat rows.sql)" >full.rows 2>&1
EOF
printf '%s' "$ROWS" >rows.sql
if ! command -v unshare >/dev/null; then
	ok "disk full: tiny tmpfs skipped (no unshare)"
elif unshare -m --propagation private bash tmpfs.sh; [ $? = 99 ]; then
	ok "disk full: tiny tmpfs skipped (cannot mount one: $(head -c 100 mount.err 2>/dev/null))"
else
	RC=$(cat run.rc); cp run.out "$OUT"; cp run.err "$ERR"
	one_error "disk full: a tmpfs filled by the run" mnt/t.db "disk full" 1
	if [ "$(cat run.check)" = ok ] && cmp -s run.rows before.rows; then
		ok "disk full: tmpfs: integrity ok, the rows stored before unchanged"
	else nok "disk full: tmpfs intact" "$(head -c 200 run.check)"; fi
	RC=$(cat full.rc); cp full.out "$OUT"; cp full.err "$ERR"
	one_error "disk full: no room left at all (run)" mnt/t.db "disk full" 1
	RC=$(cat q.rc); cp q.out "$OUT"; cp q.err "$ERR"
	one_error "disk full: no room left at all (query)" mnt/t.db "disk full" 1
	for f in png svg; do
		RC=$(cat plot$f.rc); cp plot$f.out "$OUT"; cp plot$f.err "$ERR"
		one_error "disk full: no room left at all (plot -o F.$f)" mnt/p.$f "disk full" 1
		if ! grep -q "p.$f" plot$f.ls; then ok "disk full: no cut mnt/p.$f left"; else nok "cut plot" "$(cat plot$f.ls)"; fi
	done
	if [ "$(cat full.check)" = ok ] && cmp -s full.rows before.rows; then
		ok "disk full: room made again: integrity ok, the rows stored before unchanged"
	else nok "disk full: after freeing room" "$(head -c 200 full.check)"; fi
fi

# ------------------------------------------------------------ c. read-only

mkdir -p rw ro
cp base.db rw/r.db
cat >ro.sh <<EOF
cd "$T" || exit 99
mount --bind rw ro 2>mount.err && mount -o remount,bind,ro ro 2>>mount.err || exit 99
"$LRSWEEP" run exp.yaml --db ro/r.db --min-lr 0.01 --max-lr 0.1 -q >ro1.out 2>ro1.err
echo \$? >ro1.rc
"$LRSWEEP" run exp.yaml --db ro/new.db --min-lr 0.01 --max-lr 0.1 -q >ro2.out 2>ro2.err
echo \$? >ro2.rc
"$LRSWEEP" query ro/r.db sql "\$(sed -n 6p rows.sql | sed 's/;\$//')" --format csv >ro3.out 2>ro3.err
echo \$? >ro3.rc
EOF
if ! command -v unshare >/dev/null; then
	ok "read-only mount skipped (no unshare)"
elif unshare -m --propagation private bash ro.sh; [ $? = 99 ]; then
	ok "read-only mount skipped (cannot bind-mount read-only: $(head -c 100 mount.err 2>/dev/null))"
else
	RC=$(cat ro1.rc); cp ro1.out "$OUT"; cp ro1.err "$ERR"
	one_error "read-only file system: run" ro/r.db "cannot open for writing (Read-only file system)" 1
	RC=$(cat ro2.rc); cp ro2.out "$OUT"; cp ro2.err "$ERR"
	one_error "read-only file system: a new database" ro/new.db "cannot create the database" 1
	want=$(sqlite3 -csv base.db "select * from trials where experiment_id = 1 order by id" | wc -l)
	if [ "$(cat ro3.rc)" = 0 ] && [ "$(($(wc -l <ro3.out) - 1))" = "$want" ]; then
		ok "read-only file system: query still reads it ($want trials)"
	else
		nok "read-only file system: query" "rc=$(cat ro3.rc) $(head -c 300 ro3.err)"
	fi
	intact "read-only file system" rw/r.db
fi

mkdir -p imm
cp base.db imm/i.db
if chattr +i imm/i.db 2>chattr.err; then
	run run exp.yaml --db imm/i.db --min-lr 0.01 --max-lr 0.1 -q
	chattr -i imm/i.db
	one_error "immutable file (chattr +i): run" imm/i.db "cannot open for writing" 1
	intact "immutable file" imm/i.db
else
	ok "immutable file skipped (chattr +i not supported here: $(head -c 100 chattr.err))"
fi

# ------------------------------------------------------------ d. corrupted

PAGE=$(sqlite3 base.db 'pragma page_size')
PAGES=$(( $(stat -c %s base.db) / PAGE ))
ROOT=$(sqlite3 base.db "select rootpage from sqlite_master where name = 'trials'")
# the trials table's page: its header overwritten (an impossible page type)
cp base.db bad.db
head -c 16 /dev/zero | tr '\0' '\377' | dd of=bad.db bs=1 seek=$(( (ROOT - 1) * PAGE )) conv=notrunc 2>/dev/null
cp bad.db bad.orig
for subject in trials best compare experiments; do
	run query bad.db $subject
	one_error "corrupt file: query $subject" bad.db "database file is corrupt" "1 2"
done
run run exp.yaml --db bad.db --min-lr 0.01 --max-lr 0.1 --resume -q
one_error "corrupt file: run --resume" bad.db "database file is corrupt" "1 2"
run run exp.yaml --db bad.db --min-lr 0.01 --max-lr 0.1 -q
one_error "corrupt file: run (a new experiment)" bad.db "database file is corrupt" "1 2"
if cmp -s bad.db bad.orig && [ ! -s bad.db-wal ]; then ok "corrupt file: left byte for byte as it was"
else nok "corrupt file: changed" "$(cmp bad.db bad.orig)"; fi

# Every page in turn: 200 bytes of noise (fixed, so a failure repeats;
# every byte value, newlines included, is likely) in its middle, then at
# its start. Whatever is hit,
# every command answers or fails with one line, never by a signal, and
# nothing writes to a file that fails quick_check.
# shellcheck disable=SC2059
printf "$(awk 'BEGIN { srand(42); for (i = 0; i < 200; i++) printf "\\%03o", int(rand() * 256) }')" >noise
signals=0 bad_lines=0 wrote=0 refused=0 damaged=0 calls=0 detail=""
for at in $(seq 2 "$PAGES" | awk -v s="$PAGE" '{ print ($1 - 1) * s + s / 2 - 100; print ($1 - 1) * s }'); do
	p=$(( at / PAGE + 1 ))
	cp base.db pg.db
	dd if=noise of=pg.db bs=1 seek="$at" conv=notrunc 2>/dev/null
	cp pg.db pg.orig
	for args in "query pg.db experiments" "query pg.db trials" "query pg.db best" "query pg.db compare" \
	            "query pg.db curve 1" "query pg.db range-test" "report pg.db -o pg.html" \
	            "run exp.yaml --db pg.db --min-lr 0.01 --max-lr 0.1 --resume -q"; do
		# shellcheck disable=SC2086
		run $args
		calls=$((calls + 1))
		if [ "$RC" -ge 128 ] || [ "$RC" -gt 2 ]; then
			signals=$((signals + 1)); detail="$detail [page $p: $args: rc $RC]"
		elif [ "$RC" -ne 0 ] && { [ "$(wc -l <"$ERR")" -ne 1 ] || ! grep -q 'pg.db' "$ERR"; }; then
			bad_lines=$((bad_lines + 1)); detail="$detail [page $p: $args: $(head -c 200 "$ERR")]"
		fi
	done
	if [ "$(sqlite3 pg.orig 'pragma quick_check' 2>&1)" != ok ]; then
		damaged=$((damaged + 1))
		if cmp -s pg.db pg.orig; then refused=$((refused + 1)); else wrote=$((wrote + 1)); fi
	fi
	rm -f pg.db-wal pg.db-shm
done
if [ $signals = 0 ] && [ $bad_lines = 0 ]; then
	ok "corrupt pages 2..$PAGES: $calls commands, no signal, every failure one line naming the file"
else
	nok "corrupt pages" "$signals signals, $bad_lines bad messages:$(echo "$detail" | head -c 600)"
fi
if [ $wrote = 0 ] && [ $damaged -gt 0 ]; then
	ok "corrupt pages: run --resume wrote to none of the $damaged damaged files"
else
	nok "corrupt pages: writes" "$wrote of $damaged damaged files written to"
fi

# ------------------------------------------------------------ 2. memory

sed 's/hidden: \[8\]/hidden: [100000, 100000]/' exp.yaml >hugemodel.yaml
sed 's/samples: 300,/samples: 100000000, dims: 1000,/' exp.yaml >hugedata.yaml
LIMIT_KB=2097152        # 2 GiB of address space
# An npy file whose header says 2,000,000 x 3,000 uint8 (6 GB, sparse: no
# disk used), 24 GB as float32; a real 120 MB CSV file, 240 MB as float32,
# tried under a 200 MB limit
"$PY" - <<'PYEOF'
import struct
hdr = "{'descr': '|u1', 'fortran_order': False, 'shape': (2000000, 3000), }"
hdr += ' ' * (63 - (10 + len(hdr)) % 64) + '\n'
with open('hugex.npy', 'wb') as f:
    f.write(b'\x93NUMPY\x01\x00' + struct.pack('<H', len(hdr)) + hdr.encode())
    f.truncate(10 + len(hdr) + 2000000 * 3000)
hdr = "{'descr': '|u1', 'fortran_order': False, 'shape': (2000000,), }"
hdr += ' ' * (63 - (10 + len(hdr)) % 64) + '\n'
with open('hugey.npy', 'wb') as f:
    f.write(b'\x93NUMPY\x01\x00' + struct.pack('<H', len(hdr)) + hdr.encode())
    f.truncate(10 + len(hdr) + 2000000)
PYEOF
yes "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1" | head -n 3300000 >huge.csv
sed 's/  train: .*/  train: {format: npy, features: hugex.npy, labels: hugey.npy}/' exp.yaml >hugenpy.yaml
sed 's/  train: .*/  train: {format: csv, path: huge.csv}/' exp.yaml >hugecsv.yaml
# mem_case NAME NEEDLE ARGS...: under the limit, lrsweep ARGS fails at once
# with one line saying how much it needs and how much there is
mem_case() {
	local name=$1 needle=$2 t0 took
	shift 2
	t0=$(now)
	( ulimit -v "${MEM_KB:-$LIMIT_KB}"; "$LRSWEEP" "$@" >"$OUT" 2>"$ERR" )
	RC=$?
	took=$(elapsed "$t0")
	if { [ "$RC" -eq 1 ] || [ "$RC" -eq 2 ]; } && [ ! -s "$OUT" ] && [ "$(wc -l <"$ERR")" -eq 1 ] &&
	   grep -q -- "$needle" "$ERR" && grep -q 'needs [0-9]* MiB, only [0-9]* MiB available' "$ERR" &&
	   awk -v t="$took" 'BEGIN { exit !(t < 5) }'; then
		ok "$name (${took} s): $(cut -c 1-170 "$ERR")"
	else
		nok "$name" "rc=$RC in $took s: $(head -c 300 "$ERR")"
	fi
}
# An AddressSanitizer build reserves terabytes of shadow memory at start:
# it cannot run under an address-space limit at all, so these cases need
# an ordinary build
if ( ulimit -v $LIMIT_KB; "$LRSWEEP" --version >/dev/null 2>&1 ); then
	mem_case "model too big: run" "10000700003 parameters" run hugemodel.yaml --db mem.db -q
	mem_case "model too big: run, bounds given (the trials)" "trials: " run hugemodel.yaml --db mem.db -q \
		--min-lr 0.01 --max-lr 0.1
	mem_case "model too big: train" "10000700003 parameters" train hugemodel.yaml --lr 0.1
	mem_case "dataset too big: run" "100000000 samples of 1000 features" run hugedata.yaml --db mem.db -q
	mem_case "dataset too big: data" "100000000 samples of 1000 features" data hugedata.yaml
	mem_case "dataset too big: npy (from its header)" "hugex.npy: 2000000 samples of 3000 features" \
		run hugenpy.yaml --db mem.db -q
	MEM_KB=204800 mem_case "dataset too big: csv (from its lines)" "huge.csv: 3300000 samples of 35 features" \
		run hugecsv.yaml --db mem.db -q
	if [ ! -e mem.db ]; then ok "memory: refused before anything was stored (no database created)"
	else nok "memory: stored" "mem.db exists"; fi
	( ulimit -v $LIMIT_KB; "$LRSWEEP" run exp.yaml --db fits.db --threads 2 -q >"$OUT" 2>"$ERR" )
	RC=$?
	if [ "$RC" -eq 0 ] && grep -q '4 trials run: 4 completed' "$OUT"; then ok "memory: what fits still runs under the same limit"
	else nok "memory: what fits" "rc=$RC $(head -c 300 "$ERR")"; fi
else
	ok "memory: skipped (this build cannot start under ulimit -v: a sanitizer build)"
fi
finish
