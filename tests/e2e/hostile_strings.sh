#!/usr/bin/env bash
# tests/e2e/hostile_strings.sh - what an experiment file says, quoted back
# elsewhere: error lines, gnuplot scripts, the HTML report, trainer
# arguments. Values holding quotes, newlines, '%n', shell and gnuplot
# commands, markup and NUL escapes must stay one value: one error line, a
# plot that draws, a report without injected markup, no command run.
set -u
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
SQ=$(command -v sqlite3 || true)

# one_line NAME NEEDLE: the last run failed with exit 2, one stderr line
# matching NEEDLE
one_line() {
	if [ "$RC" -eq 2 ] && [ "$(wc -l <"$ERR")" -eq 1 ] && grep -q -- "$2" "$ERR"; then
		ok "$1"
	else
		nok "$1" "rc=$RC $(head -c 400 "$ERR")"
	fi
}

base() {
	cat <<EOF
seed: 3
data:
  train: {format: synthetic, kind: spirals, samples: 300, classes: 3, noise: 0.2}
  validation: 0.2
model: {hidden: [8]}
batch_size: 32
range_test: {bounds: {min_lr: 0.01, max_lr: 0.1}}
trials:
  epochs: 2
  threads: 1
  schedules: [{type: constant}]
EOF
}

# --- a newline in a value is one line of the error ---------------------------
{ printf 'name: "a\\nb"\n'; base; } >nl_name.yaml
run run nl_name.yaml --db "$T/x.db"
one_line "a name holding a newline: one error line, the newline shown as \\n" "nl_name.yaml:1:7: .*got 'a\\\\nb'"

mkdir -p "$T/d
x"
{ printf 'name: t\n'; base | sed "s|{format: synthetic, kind: spirals, samples: 300, classes: 3, noise: 0.2}|{format: csv, path: \"$T/d\\\\nx/none.csv\"}|"; } >nl_path.yaml
run run nl_path.yaml --db "$T/x.db"
one_line "a data path holding a newline: one error line at the path's line:column" "nl_path.yaml:4:30: .*d\\\\nx/none.csv: cannot open"
[ ! -e "$T/x.db" ] && ok "nothing stored for a bad file" || nok "nothing stored" "$(ls "$T")"

# --- names that would become hidden files, flags or ids ----------------------
for n in . .. .hidden -x 2024 "$(printf 'n%.0s' $(seq 101))"; do
	{ printf 'name: "%s"\n' "$n"; base; } >name.yaml
	(mkdir -p nm && cd nm && "$LRSWEEP" run ../name.yaml -q >"$OUT" 2>"$ERR"); RC=$?
	one_line "name '${n:0:12}' is refused (hidden file, flag, id or too long)" "name.yaml:1:7: 'name' "
	[ -z "$(ls -A nm 2>/dev/null)" ] || nok "name '${n:0:12}': nothing created" "$(ls -A nm)"
	rm -rf nm
done
{ printf 'name: "%s"\n' "$(printf 'n%.0s' $(seq 100))"; base; } >name.yaml
run run name.yaml --dry-run -q
[ "$RC" -eq 0 ] && ok "a 100-character name is accepted" || nok "100-character name" "rc=$RC $(head -c 200 "$ERR")"

# --- gnuplot: tic labels are formats, '%' is kept as text ---------------------
if command -v gnuplot >/dev/null && [ -n "$SQ" ]; then
	{ printf 'name: pct\n'; base | sed 's/  epochs: 2/  epochs: 2\n  space:\n    model.activation: {grid: [relu, tanh]}/'; } >pct.yaml
	run run pct.yaml --db "$T/pct.db" -q
	# the configurations' labels are stored text: give one a '%n' as a
	# program's params would (a value sqlite can hold, that YAML could too)
	cat >label.sql <<SQL
update trials set hyper = replace(hyper, '"tanh"',
  '"%n %s 100%'' \$(touch $T/PWNED) \`touch $T/PWNED\` system(\\"touch $T/PWNED\\")"');
SQL
	"$SQ" pct.db <label.sql
	run plot pct.db compare -o "$T/c.svg"
	if [ "$RC" -eq 0 ] && grep -q '%n %s 100%' c.svg; then
		ok "plot compare: a label with '%n' and '%' is drawn as written"
	else
		nok "plot compare with %n" "rc=$RC $(head -c 300 "$ERR")"
	fi
	run report pct.db -o "$T/r.html"
	if [ "$RC" -eq 0 ] && [ -s r.html ]; then
		ok "report: the figures of a label with '%n' draw"
	else
		nok "report with %n" "rc=$RC $(head -c 300 "$ERR")"
	fi
	[ ! -e "$T/PWNED" ] && ok "no command of a label ran (shell, backquotes, gnuplot system)" || nok "PWNED" "a command ran"
	# an output path holding a newline, quotes and $( ): written as given,
	# its 'wrote' line one line
	o=$'out \'$(touch PWNED)"\nx.svg'
	run plot pct.db compare -o "$T/$o"
	if [ "$RC" -eq 0 ] && [ -s "$T/$o" ] && [ "$(wc -l <"$ERR")" -eq 1 ] && grep -qF 'x.svg' "$ERR" && [ ! -e "$T/PWNED" ]; then
		ok "plot -o PATH with a newline and quotes: written there, one 'wrote' line"
	else
		nok "plot -o odd path" "rc=$RC $(head -c 300 "$ERR")"
	fi
fi

# --- stored and planned text on the terminal: escaped --------------------------
# a CSV label name holding an ESC sequence, a bidi override and a tab
{ printf 'a,b,label\n'; for i in $(seq 1 30); do printf '0.%d,0.5,"x\033[31mred\342\200\256EVIL\tq"\n1.%d,0.2,plain\n' "$i" "$i"; done; } >lab.csv
printf 'name: lab\ndata:\n  train: {format: csv, path: lab.csv, label: last}\nmodel: {hidden: [4]}\n' >lab.yaml
run data lab.yaml
if [ "$RC" -eq 0 ] && grep -qF 'x\x1b[31mred\u202eEVIL\tq' "$OUT" && ! LC_ALL=C grep -q $'[\033\t]' "$OUT" &&
   ! grep -q $'\342\200\256' "$OUT"; then
	ok "data: a class name's ESC, tab and right-to-left override are shown escaped"
else
	nok "data class names" "rc=$RC $(grep -a EVIL "$OUT" | od -c | head -3)"
fi

# a trainer's params: any string, shown in the plan and the leaderboard
STUB=$T/stub_trainer
if cc -std=c11 -O2 -o "$STUB" "$REPO/tests/clients/stub_trainer.c" -lm 2>"$T/cc.log"; then
	printf '#!/bin/sh\nfor a in "$@"; do printf "[%%s]\\n" "$a"; done >>"%s/argv.log"\nexec "%s"\n' "$T" "$STUB" >wrap.sh
	chmod +x wrap.sh
	cat >ext.yaml <<EOF
name: ext
seed: 3
trainer:
  command: [$T/wrap.sh, "{args}", "--key={trial_key}"]
  startup_timeout: 3 s
  timeout: 3 s
params:
  scale: 1
  note: {grid: ["q\"'\\\\ \$(touch $T/PWNED) \`touch $T/PWNED\`; <b>x</b> &amp; %n\ttab\nnl \u202Eevil", plain]}
optimizer: {type: sgd, momentum: 0.9}
batch_size: 10
range_test: {bounds: {min_lr: 0.001, max_lr: 0.01}}
trials: {epochs: 2, seeds: [1], schedules: [{type: constant}]}
EOF
	run run ext.yaml --db "$T/ext.db" --dry-run
	if [ "$RC" -eq 0 ] && grep -qF '%n\ttab\nnl \u202eevil' "$OUT" && [ "$(grep -c 'params.note=' "$OUT")" = 2 ] &&
	   ! LC_ALL=C grep -q $'[\033\t]' "$OUT"; then
		ok "run --dry-run: a params string's tab, newline and override are escaped, one plan row each"
	else
		nok "dry-run plan" "rc=$RC $(cat "$OUT" "$ERR" | head -c 600)"
	fi
	run run ext.yaml --db "$T/ext.db"
	if [ "$RC" -eq 0 ] && grep -qF '%n\ttab nl \u202eevil' "$OUT" && ! LC_ALL=C grep -q $'[\033\t]' "$OUT" &&
	   [ "$(grep -c 'params.note=' "$OUT")" = 2 ]; then
		ok "run: the leaderboard shows the same string escaped"
	else
		nok "leaderboard" "rc=$RC $(cat "$OUT" "$ERR" | head -c 600)"
	fi
	# {args}: the value is one argument, as written: nothing of it ran
	if grep -qF "[--note=q\"'\\ \$(touch $T/PWNED) \`touch $T/PWNED\`; <b>x</b> &amp; %n	tab" argv.log && [ ! -e "$T/PWNED" ]; then
		ok "{args}: the params string is one argument, byte for byte; no shell ran it"
	else
		nok "{args}" "$(head -c 400 argv.log)"
	fi
	# {args}: params nested deeper than a protocol line usually is (40
	# lists; a file may nest 64 levels) reach the program, none dropped
	D=$(printf '[%.0s' $(seq 40))1$(printf ']%.0s' $(seq 40))
	sed "s|^  scale: 1\$|  scale: 1\\n  deep: $D|" ext.yaml >deep.yaml
	rm -f argv.log
	run run deep.yaml --db "$T/deep.db" -q
	if [ "$RC" -eq 0 ] && grep -qxF "[--deep=$D]" argv.log && grep -qxF "[--scale=1]" argv.log; then
		ok "{args}: params nested 40 deep reach the program as JSON"
	else
		nok "{args} deep" "rc=$RC $(head -c 300 "$ERR") $(grep -c '' argv.log 2>/dev/null)"
	fi
	# placeholders: a typo or {args} inside an argument is an error at its
	# place, not text handed to the program; other braces are the user's
	for c in '"--p={param_file}"|unknown placeholder .{param_file}. .*did you mean .{params_file}' \
	         '"pre{args}"|.{args}. must be an argument of its own'; do
		sed "s|  command: .*|  command: [$T/wrap.sh, ${c%%|*}]|" ext.yaml >ph.yaml
		run run ph.yaml --db "$T/ph.db" --dry-run
		one_line "command ${c%%|*}: refused at its line:column" "ph.yaml:4:.*${c#*|}"
	done
	sed "s|  command: .*|  command: [$T/wrap.sh, '{\"a\": 1}', \"{ARGS}\", \"{}\", \"x{seed}y\"]|" ext.yaml >ph.yaml
	rm -f argv.log
	run run ph.yaml --db "$T/ph.db" -q
	if [ "$RC" -eq 0 ] && grep -qxF '[{"a": 1}]' argv.log && grep -qxF '[{ARGS}]' argv.log && grep -qxF '[x1y]' argv.log; then
		ok "braces that are no placeholder reach the program as written; {seed} inside an argument expands"
	else
		nok "other braces" "rc=$RC $(head -c 300 "$ERR") $(head -c 300 argv.log)"
	fi
else
	nok "build the stub trainer" "$(head -c 300 "$T/cc.log")"
fi

finish
