#!/usr/bin/env bash
# tests/e2e/yaml_numbers.sh - the numbers of an experiment file as a
# Python user means them (src/common/number.c). A trainer's params reach
# the program, in its params file and as {args}, as the numbers PyYAML or
# YAML 1.2 read (0x1f is 31, 1_000 is 1000, 0o17 is 15, 1e-3 is 0.001),
# integers past 2^53 and 2^64 with every digit, 1:30 and quoted values as
# strings; plain values keep the JSON (and so the trial keys) lrsweep
# always wrote; .inf, .nan and 1e999, which JSON cannot hold, are refused
# at their line:column. lrsweep's own keys read the same forms
# (batch_size: 0x10, epochs: 0b10) and refuse the rest at their place.
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
command -v sqlite3 >/dev/null || { ok "skipped: no sqlite3"; finish; }

STUB=$T/stub_trainer
if ! cc -std=c11 -O2 -o "$STUB" "$REPO/tests/clients/stub_trainer.c" -lm 2>"$T/cc.log"; then
	nok "build the stub trainer" "$(head -c 400 "$T/cc.log")"
	finish
fi
# the trainer: records its params as Python reads them (json.load, then
# repr: 31 and 31.0 differ) and its arguments, then trains as the stub
cat >trainer.py <<EOF
import json, os, sys
with open(os.environ["LRSWEEP_PARAMS_FILE"]) as f:
    params = json.load(f)["params"]
with open("$T/seen.log", "a") as log:
    log.write(repr(sorted(params.items())) + "\n")
    log.write(repr(sys.argv[1:]) + "\n")
os.execv("$STUB", ["$STUB"])
EOF

# exp NAME PARAMS [TOP]: an experiment of one trial per point, params PARAMS
# (YAML lines, indented two), TOP more top-level YAML
exp() {
	cat <<EOF
name: $1
seed: 3
trainer:
  command: [$PY, $T/trainer.py, "{args}"]
  startup_timeout: 5 s
  timeout: 10 s
params:
$2
optimizer: {type: sgd, momentum: 0.9}
batch_size: 10
range_test: {bounds: {min_lr: 0.001, max_lr: 0.01}}
trials: {epochs: 1, seeds: [1], schedules: [{type: constant}]}
${3:-}
EOF
}

# one_line NAME NEEDLE: the last run failed with exit 2, one stderr line
# matching NEEDLE
one_line() {
	if [ "$RC" -eq 2 ] && [ "$(wc -l <"$ERR")" -eq 1 ] && grep -q -- "$2" "$ERR"; then
		ok "$1"
	else
		nok "$1" "rc=$RC $(head -c 400 "$ERR")"
	fi
}

# --- a trainer gets the numbers ---------------------------------------------
exp forms "  hex: 0x1f
  neg_hex: -0x1F
  oct: 0o17
  bin: 0b101
  under: 1_000
  real_under: 1_000.5
  plus: +5
  small: 1e-3
  big: 9007199254740993
  past64: 18446744073709551617
  lead: 017
  sexa: 1:30
  quoted: '0x1f'
  word: 0X1F
  nested: {mask: 0xff, sizes: [0x10, 1_0]}" >forms.yaml
rm -f seen.log
run run forms.yaml --db "$T/forms.db" -q
want="[('big', 9007199254740993), ('bin', 5), ('hex', 31), ('lead', 17), ('neg_hex', -31), ('nested', {'mask': 255, 'sizes': [16, 10]}), ('oct', 15), ('past64', 18446744073709551617), ('plus', 5), ('quoted', '0x1f'), ('real_under', 1000.5), ('sexa', '1:30'), ('small', 0.001), ('under', 1000), ('word', '0X1F')]"
if [ "$RC" -eq 0 ] && [ "$(sed -n 1p seen.log)" = "$want" ]; then
	ok "params file: 0x1f, 0o17, 0b101, 1_000, +5, 1e-3 are numbers; 2^53 + 1 and 2^64 + 1 keep every digit; 1:30, '0x1f', 0X1F strings"
else
	nok "params file" "rc=$RC $(head -c 300 "$ERR") got $(sed -n 1p seen.log 2>/dev/null)"
fi
missing=
for a in --hex=31 --neg_hex=-31 --oct=15 --bin=5 --under=1000 --real_under=1000.5 --plus=5 --small=0.001 \
         --big=9007199254740993 --past64=18446744073709551617 --lead=17 --sexa=1:30 --quoted=0x1f --word=0X1F \
         --nested.mask=255 "--nested.sizes=[16, 10]"; do
	grep -qF "'$a'" seen.log 2>/dev/null || missing="$missing $a"
done
if [ -z "$missing" ]; then
	ok "{args}: the same numbers, as --hex=31, --big=9007199254740993, --sexa=1:30"
else
	nok "{args}" "missing$missing; got $(sed -n 2p seen.log 2>/dev/null | head -c 600)"
fi
if [ "$(sqlite3 forms.db "select count(*) from trials where status = 'completed' and hyper like '%\"hex\": 31,%' and hyper like '%\"big\": 9007199254740993,%'")" = 1 ]; then
	ok "the stored trial holds the numbers the program got"
else
	nok "stored hyper" "$(sqlite3 forms.db 'select hyper from trials')"
fi

# --- what worked keeps its JSON, so its trial key -----------------------------
# The JSON of these params as lrsweep wrote them before the numbers of
# number.h (measured with the binary of main at 054bd54): a database of
# theirs resumes with this lrsweep, nothing run twice.
exp plain "  lr0: 0.1
  width: 128
  flag: true
  off: no
  name: resnet
  neg: -7
  small: 1e-3
  nested: {a: 0.5, b: [1, 2]}
  drop: 0.25" >plain.yaml
run run plain.yaml --db "$T/plain.db" -q
before='"params": {"lr0": 0.10000000000000001, "width": 128, "flag": true, "off": false, "name": "resnet", "neg": -7, "small": 0.001, "nested": {"a": 0.5, "b": [1, 2]}, "drop": 0.25}}'
if [ "$RC" -eq 0 ] && sqlite3 plain.db 'select hyper from trials' | grep -qF "$before"; then
	ok "0.1, 128, true, no, 1e-3: the same JSON as before, so the same trial keys"
else
	nok "plain params JSON" "rc=$RC $(sqlite3 plain.db 'select hyper from trials')"
fi

# --- YAML's explicit tags: the type PyYAML gives ------------------------------
exp tags "  f: !!float 2
  f2: !!float \"1e3\"
  i: !!int \"3\"
  i2: !!int 0x10
  s: !!str 5
  b: !!bool \"yes\"
  n: !!null ''
  nested: {a: !!float 1, l: [!!float 3, 4]}
  plain: 2" >tags.yaml
rm -f seen.log
run run tags.yaml --db "$T/tags.db" -q
want="[('b', True), ('f', 2.0), ('f2', 1000.0), ('i', 3), ('i2', 16), ('n', None), ('nested', {'a': 1.0, 'l': [3.0, 4]}), ('plain', 2), ('s', '5')]"
if [ "$RC" -eq 0 ] && [ "$(sed -n 1p seen.log)" = "$want" ] && grep -qF "'--f=2.0'" seen.log && grep -qF "'--s=5'" seen.log; then
	ok "tags: !!float 2 reaches the program as 2.0, !!int \"3\" as 3, !!str 5 as '5', !!bool \"yes\" as True, !!null as None"
else
	nok "tags" "rc=$RC $(head -c 300 "$ERR") got $(sed -n 1,2p seen.log 2>/dev/null)"
fi
for c in '!!int 2.5|an integer, as its tag !!int' '!!float abc|a number, as its tag !!float' \
         '!!bool maybe|a boolean, as its tag !!bool' '{grid: [1, !!int x]}|an integer'; do
	exp badtag "  ok: 1
  x: ${c%%|*}" >badtag.yaml
	run run badtag.yaml --db "$T/badtag.db" --dry-run
	one_line "params x: ${c%%|*}: refused at its line:column, as PyYAML refuses it" "badtag.yaml:9:[0-9]*: 'params.x': .* is not ${c#*|}"
done

# --- grids: values alike by what the program gets -------------------------------
exp grid "  width: {grid: [0x10, 16]}" >grid.yaml
run run grid.yaml --db "$T/grid.db" --dry-run
one_line "grid [0x10, 16]: the same value twice, refused at its line:column" \
	"grid.yaml:8:24: 'width': the grid lists '0x10' twice ('0x10' at 8:18, '16' here)"
exp grid2 "  seed_base: {grid: [9007199254740992, 9007199254740993]}" >grid2.yaml
rm -f seen.log
run run grid2.yaml --db "$T/grid2.db" -q
if [ "$RC" -eq 0 ] && [ "$(sqlite3 grid2.db "select count(distinct trial_key) from trials where status = 'completed'")" = 2 ] &&
   grep -qF "('seed_base', 9007199254740993)" seen.log && grep -qF "('seed_base', 9007199254740992)" seen.log; then
	ok "grid [2^53, 2^53 + 1]: two values, two trials, each given its own"
else
	nok "grid past 2^53" "rc=$RC $(head -c 300 "$ERR") $(cat seen.log 2>/dev/null | head -c 300)"
fi

# what query and the labels show of them: the stored text, not strtod's
# reading of it (2^53 + 1 is not 2^53, the string "0x10" is not 16)
"$LRSWEEP" query grid2.db compare --by params.seed_base --format csv >q.csv 2>&1
"$LRSWEEP" query grid2.db compare >q.txt 2>&1
if [ "$(cut -d, -f2 q.csv | sed 1d | sort | tr '\n' ' ')" = "9007199254740992 9007199254740993 " ] &&
   grep -q "constant; params.seed_base=9007199254740992  " q.txt && grep -q "constant; params.seed_base=9007199254740993  " q.txt; then
	ok "query compare --by params.seed_base (csv) and the labels: 2^53 and 2^53 + 1 with every digit"
else
	nok "2^53 in query" "$(cat q.csv q.txt | head -c 600)"
fi
exp hexs "  h: {grid: ['0x10', 16]}" >hexs.yaml
run run hexs.yaml --db "$T/hexs.db" -q
"$LRSWEEP" query hexs.db compare >q.txt 2>&1
"$LRSWEEP" query hexs.db compare --by params.h >qb.txt 2>&1
"$LRSWEEP" query hexs.db compare --by params.h --format csv >qb.csv 2>&1
if [ "$RC" -eq 0 ] && grep -q "constant; params.h='0x10'  " q.txt && grep -q "constant; params.h=16  " q.txt &&
   grep -q "^ *[12]  '0x10'  " qb.txt && grep -q "^ *[12]  16  " qb.txt &&
   [ "$(cut -d, -f2 qb.csv | sed 1d | sort | tr '\n' ' ')" = "0x10 16 " ]; then
	ok "the string '0x10' and the number 16: two labels, two groups of compare --by, neither read as the other"
else
	nok "'0x10' in query" "rc=$RC $(cat q.txt qb.txt qb.csv | head -c 800)"
fi

# '16' (quoted: a string) and 16 (a number) are two values for the program:
# two trials, each given its own; yes and true are one (both JSON true)
exp grid3 "  width: {grid: ['16', 16]}" >grid3.yaml
rm -f seen.log
run run grid3.yaml --db "$T/grid3.db" -q
if [ "$RC" -eq 0 ] && [ "$(sqlite3 grid3.db "select count(distinct trial_key) from trials where status = 'completed'")" = 2 ] &&
   grep -qF "('width', '16')" seen.log && grep -qF "('width', 16)" seen.log; then
	ok "grid ['16', 16]: a string and a number, two trials, each given its own"
else
	nok "grid ['16', 16]" "rc=$RC $(head -c 300 "$ERR") $(cat seen.log 2>/dev/null | head -c 300)"
fi
exp grid4 "  flag: {grid: [yes, true]}" >grid4.yaml
run run grid4.yaml --db "$T/grid4.db" --dry-run
one_line "grid [yes, true]: the same JSON true twice, refused at its line:column" \
	"grid4.yaml:8:22: 'flag': the grid lists 'yes' twice ('yes' at 8:17, 'true' here)"
# lrsweep's own keys read '16' as 16: one value twice
exp grid5 "  k: 1" "  space: {batch_size: {grid: ['16', 16]}}" | sed 's/^trials: {epochs: 1, seeds: \[1\], schedules: \[{type: constant}\]}$/trials:\n  epochs: 1\n  schedules: [{type: constant}]/' >grid5.yaml
run run grid5.yaml --db "$T/grid5.db" --dry-run
one_line "space batch_size grid ['16', 16]: lrsweep reads both as 16, refused" \
	"grid5.yaml:15:37: 'batch_size': the grid lists '16' twice"

# --- what JSON cannot hold: refused at its place, nothing stored lost ---------
cp forms.db kept.db
sum=$(sqlite3 kept.db 'select count(*), group_concat(trial_key) from trials')
for c in 'x: .inf|9:6|.inf is a number JSON has no form for.*1e308.*'"'"'inf'"'"' (quoted)' \
         'x: -.Inf|9:6|-.Inf is a number JSON has no form for.*-1e308.*'"'"'-inf'"'"'' \
         'x: .nan|9:6|.nan is a number JSON has no form for.*'"'"'nan'"'"'' \
         'x: 1e999|9:6|1e999 is a number JSON has no form for' \
         'x: {grid: [1, .inf]}|9:17|'"'"'params.x'"'"': .inf is a number JSON has no form for' \
         'x: {deep: [0, -.inf]}|9:17|'"'"'params.x.deep'"'"': -.inf is a number'; do
	IFS='|' read -r yaml at msg <<<"$c"
	exp bad "  ok: 1
  $yaml" >bad.yaml
	run run bad.yaml --db "$T/kept.db"
	one_line "params $yaml: refused at its line:column" "bad.yaml:$at: .*$msg"
done
if [ "$(sqlite3 kept.db 'select count(*), group_concat(trial_key) from trials')" = "$sum" ]; then
	ok "the refused files left the database as it was"
else
	nok "database after refusals" "$(sqlite3 kept.db 'select count(*) from trials')"
fi
exp quoted "  x: '.inf'" >quoted.yaml
rm -f seen.log
run run quoted.yaml --db "$T/quoted.db" -q
if [ "$RC" -eq 0 ] && grep -qF "[('x', '.inf')]" seen.log; then
	ok "a quoted '.inf' is the string the program gets"
else
	nok "quoted .inf" "rc=$RC $(head -c 300 "$ERR")"
fi

# --- lrsweep's own keys: the same forms, or refused at their place -------------
exp own "  k: 1" "trials: {epochs: 0b10, seeds: [0x7], schedules: [{type: constant}]}" |
	sed -e 's/^batch_size: 10$/batch_size: 0x10/' -e '/^trials: {epochs: 1,/d' >own.yaml
run run own.yaml --db "$T/own.db" -q
if [ "$RC" -eq 0 ] && [ "$(sqlite3 own.db "select count(*), seed, epochs_done from trials where hyper like '%\"batch_size\": 16,%'")" = "1|7|2" ]; then
	ok "own keys: batch_size 0x10, epochs 0b10, seeds [0x7] read as 16, 2 and 7"
else
	nok "own keys in other forms" "rc=$RC $(head -c 300 "$ERR") $(sqlite3 own.db 'select seed, epochs_done, hyper from trials')"
fi
for c in 'batch_size: 1_6|ok' 'batch_size: .inf|must be a whole number' 'batch_size: 1:30|must be a whole number' \
         'batch_size: 0X10|must be a whole number' \
         'optimizer: {type: sgd, weight_decay: .inf}|.weight_decay. must be a number' \
         'optimizer: {type: sgd, momentum: .nan}|.momentum. must be a number'; do
	line=${c%%|*}
	exp own2 "  k: 1" | sed -e "/^${line%%:*}:/d" >own2.yaml
	echo "$line" >>own2.yaml
	run run own2.yaml --db "$T/own2.db" --dry-run
	if [ "${c#*|}" = ok ]; then
		[ "$RC" -eq 0 ] && ok "own key $line: read" || nok "own key $line" "rc=$RC $(head -c 300 "$ERR")"
	else
		one_line "own key $line: refused at its line:column" "own2.yaml:13:[0-9]*: .*${c#*|}"
	fi
done
# durations: numbers in the same forms before their unit
exp dur "  k: 1" | sed 's/^  timeout: 10 s$/  timeout: 1_0 s/' >dur.yaml
run run dur.yaml --db "$T/dur.db" --dry-run
[ "$RC" -eq 0 ] && ok "trainer.timeout: 1_0 s is ten seconds" || nok "timeout 1_0 s" "rc=$RC $(head -c 300 "$ERR")"
exp dur2 "  k: 1" | sed 's/^  timeout: 10 s$/  timeout: .inf s/' >dur2.yaml
run run dur2.yaml --db "$T/dur2.db" --dry-run
one_line "trainer.timeout: .inf s refused at its line:column" "dur2.yaml:6:12: 'timeout' must be a positive duration"

# `lrsweep train` runs the trials.epochs the file gives, in any form
cat >syn.yaml <<EOF
name: syn
seed: 7
data:
  train: {format: synthetic, kind: spirals, samples: 300, classes: 3, noise: 0.2}
  validation: 0.2
model: {hidden: [8]}
optimizer: {type: sgd, momentum: 0.9}
batch_size: 32
trials: {epochs: 2e0}
EOF
run train syn.yaml --lr 0.1 --db "$T/syn.db" -q
if [ "$RC" -eq 0 ] && [ "$(sqlite3 syn.db 'select epochs_done from trials')" = 2 ]; then
	ok "train: trials.epochs 2e0 trains 2 epochs, as the trials would"
else
	nok "train epochs 2e0" "rc=$RC $(head -c 300 "$ERR") $(sqlite3 syn.db 'select epochs_done from trials')"
fi

finish
