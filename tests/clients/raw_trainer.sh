#!/usr/bin/env bash
# raw_trainer.sh - an external trainer in plain bash, written from the
# protocol of docs/trainers.md alone (no client library): it reads and
# writes JSON lines on descriptor 3 with `read` and `printf`.
#
# It trains a noisy quadratic: w starts at 3, each step takes
# w -= lr * (c * (w - 1) + noise), the loss is c/2 * (w - 1)^2 + 0.01 and
# the accuracy exp(-loss); c is params.curvature (default 1). A rate much
# above 2/c makes it diverge (loss Infinity), so a range test has a curve.
# bash speaks the protocol; awk does the floating-point arithmetic.
#
# Usage, as a trainer's command: [bash, raw_trainer.sh, "{args}"]
# (--curvature=C and --steps_per_epoch=N are read from the arguments).
set -u
curv=1 spe=8
for a in "$@"; do
	case $a in
	--curvature=*) curv=${a#*=} ;;
	--steps_per_epoch=*) spe=${a#*=} ;;
	esac
done

# num NAME LINE: the number of field NAME in a one-line JSON object (bash
# regex, enough for lrsweep's own messages).
num() {
	local re="\"$1\"[[:space:]]*:[[:space:]]*(-?[0-9.eE+-]+|NaN|-?Infinity)"
	[[ $2 =~ $re ]] && printf '%s' "${BASH_REMATCH[1]}"
}
str() {
	local re="\"$1\"[[:space:]]*:[[:space:]]*\"([^\"]*)\""
	[[ $2 =~ $re ]] && printf '%s' "${BASH_REMATCH[1]}"
}

# The model: one awk per step computes the new w, the loss and the
# accuracy from w, the rate and two uniform draws of a seeded xorshift in
# bash arithmetic (w "inf" once it has diverged).
w=3 rng=1
draw() {   # draw: rng's next state, and u in (0, 1)
	rng=$((rng ^ (rng << 13))) rng=$((rng ^ ((rng >> 7) & 0x1ffffffffffffff))) rng=$((rng ^ (rng << 17)))
	u=0.$(printf '%015d' $(((rng & 0x7fffffffffffffff) % 1000000000000000)))1
}
model() {   # model RATE: sets w, loss, acc
	local u1 u2
	draw; u1=$u; draw; u2=$u
	read -r w loss acc < <(awk -v w="$w" -v lr="$1" -v c="$curv" -v u1="$u1" -v u2="$u2" 'BEGIN {
		if (w != "inf") w -= lr * (c * (w - 1) + 0.3 * sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2))
		if (w == "inf" || w > 1e150 || w < -1e150) { print "inf Infinity 0"; exit }
		l = 0.5 * c * (w - 1) * (w - 1) + 0.01
		printf "%.17g %.17g %.17g\n", w, l, (l > 700 ? 0 : exp(-l))
	}')
}

send() { printf '%s\n' "$1" >&3; }
recv() { IFS= read -r line <&3 || exit 1; }   # lrsweep gone: exit nonzero

send "{\"op\": \"hello\", \"protocol\": 1, \"steps_per_epoch\": $spe}"
recv
[ "$(str op "$line")" = config ] || { echo "expected config: $line" >&2; exit 1; }
mode=$(str mode "$line") epochs=$(num epochs "$line")
max_steps=$(num max_steps "$line") eval_every=$(num eval_every "$line")
rng=$(( $(num seed "$line") % 1000000007 + 1 ))
declare -A rate

# rate_of S: waits for step S's rate; a stop or a prune ends the program.
rate_of() {
	while [ -z "${rate[$1]:-}" ]; do
		recv
		case $(str op "$line") in
		lr) rate[$(num step "$line")]=$(num lr "$line") ;;
		stop) exit 0 ;;
		esac
	done
}

# step S: trains step S and reports its loss; sets loss and acc.
step() {
	rate_of "$1"
	model "${rate[$1]}"
	send "{\"op\": \"loss\", \"step\": $1, \"loss\": $loss}"
}

s=0
if [ "$mode" = range-test ]; then
	while :; do
		step $s
		if [ "$eval_every" -gt 0 ] && { [ $((s % eval_every)) -eq 0 ] || [ $s -eq $((max_steps - 1)) ]; }; then
			send "{\"op\": \"eval\", \"step\": $s, \"val_loss\": $loss, \"val_accuracy\": $acc}"
		fi
		s=$((s + 1))
	done
fi
for ((e = 1; e <= epochs; e++)); do
	for ((i = 0; i < spe; i++)); do
		[ "$max_steps" -gt 0 ] && [ $s -ge "$max_steps" ] && break
		step $s
		s=$((s + 1))
	done
	send "{\"op\": \"epoch\", \"epoch\": $e, \"train_loss\": $loss, \"train_accuracy\": $acc, \"val_loss\": $loss, \"val_accuracy\": $acc}"
	while :; do
		recv
		case $(str op "$line") in
		lr) rate[$(num step "$line")]=$(num lr "$line") ;;
		ack) break ;;
		prune | stop) exit 0 ;;
		esac
	done
done
send "{\"op\": \"done\", \"test_loss\": $loss, \"test_accuracy\": $acc}"
