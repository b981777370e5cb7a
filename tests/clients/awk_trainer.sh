#!/bin/bash
# awk_trainer.sh - softmax regression on scikit-learn's wine_data.csv (a
# copy in tests/data/sklearn; $DATA names another CSV of that layout),
# driven by lrsweep over the protocol of docs/trainers.md, written from that
# page alone: bash speaks the protocol on descriptor $LRSWEEP_FD (read -u,
# printf >&), an awk coprocess holds the model and does the arithmetic (one
# line in: a command; one line out: its numbers). params.l2 adds an L2
# penalty. Looks for waiting messages before each step (read -t 0);
# evaluations computed from the config. tests/e2e/awk_trainer.sh runs it.
set -u
data=${DATA:-$(dirname "$0")/../data/sklearn/wine_data.csv}
fd=${LRSWEEP_FD:?awk_trainer.sh: not started by lrsweep}

send() { printf '%s\n' "$1" >&"$fd"; }          # one write per line: nothing buffered
field() {                                          # field NAME JSON: a number or string value
	[[ $2 =~ \"$1\":[[:space:]]*(\"[^\"]*\"|[-+0-9.eE]+) ]] || return 1
	local v=${BASH_REMATCH[1]}; v=${v#\"}; printf '%s' "${v%\"}"
}

# ---- steps per epoch from the params file's batch_size (70% of the rows train) ----
params=$(<"$LRSWEEP_PARAMS_FILE")
batch=$(field batch_size "$params") || batch=16
rows=$(($(wc -l <"$data") - 1))
ntrain=$((rows * 70 / 100))
spe=$(((ntrain + batch - 1) / batch))
send "{\"op\":\"hello\",\"protocol\":1,\"steps_per_epoch\":$spe}"

read -r -u "$fd" cfg || { echo "awk_trainer.sh: channel closed before config" >&2; exit 1; }
if [[ $(field op "$cfg") == stop ]]; then echo "awk_trainer.sh: stopped before config"; exit 0; fi
mode=$(field mode "$cfg")
seed=$(field seed "$cfg")
epochs=$(field epochs "$cfg")
max_steps=$(field max_steps "$cfg")
eval_every=$(field eval_every "$cfg")
eval_samples=$(field eval_samples "$cfg")
momentum=$(field momentum "$cfg") || momentum=0
wd=$(field weight_decay "$cfg") || wd=0
l2=$(field l2 "$cfg") || l2=0                      # params.l2, ours
echo "awk_trainer.sh: $mode seed $seed batch $batch steps/epoch $spe momentum $momentum l2 $l2"

# ---- the model: an awk coprocess ----
# mawk reads a pipe in blocks and would wait for more commands: -W interactive
awk=(awk); awk -W version 2>/dev/null | grep -q mawk && awk=(awk -W interactive)
coproc MODEL { "${awk[@]}" -v seed="$seed" -v batch="$batch" -v wd="$wd" -v l2="$l2" -v datafile="$data" '
function loss_of(i,   c, z, zm, s, best) {         # fills p[], returns -log p[y]
	zm = -1e300
	for (c = 0; c < nc; c++) { z[c] = b[c]; for (j = 0; j < nf; j++) z[c] += w[c, j] * x[i, j]; if (z[c] > zm) zm = z[c] }
	s = 0; for (c = 0; c < nc; c++) { p[c] = exp(z[c] - zm); s += p[c] }
	best = 0
	for (c = 0; c < nc; c++) { p[c] /= s; if (p[c] > p[best]) best = c }
	hit = (best == y[i])
	return -log(p[y[i]] > 1e-300 ? p[y[i]] : 1e-300)
}
function evaluate(lo, hi,   i, l, a) {
	l = 0; a = 0
	for (i = lo; i < hi; i++) { l += loss_of(perm[i]); a += hit }
	return sprintf("%.17g %.17g", l / (hi - lo), a / (hi - lo))
}
BEGIN {
	getline head < datafile; split(head, h, ","); n = h[1] + 0; nf = h[2] + 0; nc = 0
	for (i = 0; i < n; i++) {
		getline line < datafile; split(line, f, ",")
		for (j = 0; j < nf; j++) x[i, j] = f[j + 1] + 0
		y[i] = f[nf + 1] + 0; if (y[i] + 1 > nc) nc = y[i] + 1
	}
	srand(1); for (i = 0; i < n; i++) perm[i] = i            # a fixed split
	for (i = n - 1; i > 0; i--) { k = int(rand() * (i + 1)); t = perm[i]; perm[i] = perm[k]; perm[k] = t }
	nt = int(n * 70 / 100); nv = int(n * 15 / 100)
	for (j = 0; j < nf; j++) {                               # standardise on train
		mu = 0; for (i = 0; i < nt; i++) mu += x[perm[i], j]; mu /= nt
		sd = 0; for (i = 0; i < nt; i++) sd += (x[perm[i], j] - mu) ^ 2; sd = sqrt(sd / nt); if (sd == 0) sd = 1
		for (i = 0; i < n; i++) x[i, j] = (x[i, j] - mu) / sd
	}
	srand(seed % 2147483647)
	for (c = 0; c < nc; c++) { b[c] = 0; vb[c] = 0; for (j = 0; j < nf; j++) { w[c, j] = (rand() - 0.5) * 0.2; v[c, j] = 0 } }
	for (i = 0; i < nt; i++) order[i] = perm[i]
}
$1 == "shuffle" { for (i = nt - 1; i > 0; i--) { k = int(rand() * (i + 1)); t = order[i]; order[i] = order[k]; order[k] = t }; print "ok"; fflush(); next }
$1 == "step" {                                            # step B LR MOMENTUM: batch B of the epoch
	lo = $2 * batch; hi = lo + batch; if (hi > nt) hi = nt; lr = $3; mom = $4
	for (c = 0; c < nc; c++) { gb[c] = 0; for (j = 0; j < nf; j++) g[c, j] = 0 }
	l = 0
	for (r = lo; r < hi; r++) {
		i = order[r]; l += loss_of(i)
		for (c = 0; c < nc; c++) { d = (p[c] - (c == y[i])) / (hi - lo); gb[c] += d; for (j = 0; j < nf; j++) g[c, j] += d * x[i, j] }
	}
	for (c = 0; c < nc; c++) {
		vb[c] = mom * vb[c] + gb[c]; b[c] -= lr * vb[c]
		for (j = 0; j < nf; j++) { gg = g[c, j] + (wd + l2) * w[c, j]; v[c, j] = mom * v[c, j] + gg; w[c, j] -= lr * v[c, j] }
	}
	if ($5 == "inf") l = -log(0)                        # a test (INF_AT): awk prints inf
	print l / (hi - lo); fflush(); next
}
$1 == "val" { k = $2 + 0; hi = nt + nv; if (k > 0 && nt + k < hi) hi = nt + k; print evaluate(nt, hi); fflush(); next }
$1 == "train" { print evaluate(0, nt); fflush(); next }
$1 == "test" { print evaluate(nt + nv, n); fflush(); next }
'; }
model() { printf '%s\n' "$*" >&"${MODEL[1]}"; read -r reply <&"${MODEL[0]}"; }

# ---- waiting for lrsweep: rates by step, and stop/ack/prune ----
declare -A lr_of mom_of
stop='' answer=''
read_msg() {                                       # read_msg [TIMEOUT]: one message, acted on
	local line
	if ! read -r ${1:+-t "$1"} -u "$fd" line; then
		(($# == 0)) && { echo "awk_trainer.sh: lrsweep closed the channel" >&2; exit 1; }
		return 1
	fi
	case $(field op "$line") in
	lr) s=$(field step "$line"); lr_of[$s]=$(field lr "$line"); mom_of[$s]=$(field momentum "$line") || mom_of[$s]=$momentum ;;
	stop) stop=$(field reason "$line") ;;
	ack) answer=ack ;;
	prune) answer=prune ;;
	eval) ;;                                       # computed from the config
	esac
}

total=$((epochs * spe))
[[ $mode == trial ]] || total=$max_steps           # a range test: its length, then a stop
((max_steps > 0 && max_steps < total)) && total=$max_steps
step=0
for ((e = 1; step < total; e++)); do
	model shuffle
	for ((b = 0; b < spe && step < total; b++, step++)); do
		while read -t 0 -u "$fd"; do read_msg; done      # waiting messages first
		while [[ -z ${lr_of[$step]+x} && -z $stop ]]; do read_msg; done
		[[ -n $stop ]] && break 2
		model step "$b" "${lr_of[$step]}" "${mom_of[$step]}" "$([[ $step == "${INF_AT:-}" ]] && echo inf)"
		unset "lr_of[$step]" "mom_of[$step]"
		send "{\"op\":\"loss\",\"step\":$step,\"loss\":$reply}"
		if [[ $mode == range-test ]] && ((eval_every > 0 && (step % eval_every == 0 || step == max_steps - 1))); then
			model val "$eval_samples"; read -r vl va <<<"$reply"
			send "{\"op\":\"eval\",\"step\":$step,\"val_loss\":$vl,\"val_accuracy\":$va}"
		fi
	done
	[[ $mode == trial ]] || continue
	((b < spe)) && break
	model train; read -r tl ta <<<"$reply"
	model val 0; read -r vl va <<<"$reply"
	send "{\"op\":\"epoch\",\"epoch\":$e,\"train_loss\":$tl,\"train_accuracy\":$ta,\"val_loss\":$vl,\"val_accuracy\":$va}"
	answer=''
	while [[ -z $answer && -z $stop ]]; do read_msg; done
	[[ -n $stop ]] && break
	[[ $answer == prune ]] && { echo "awk_trainer.sh: pruned at epoch $e"; exit 0; }
done
if [[ $mode == range-test && -z $stop ]]; then     # the test's last step: wait for its stop
	while [[ -z $stop ]]; do read_msg; done
fi
[[ -n $stop ]] && { echo "awk_trainer.sh: stopped ($stop) after $step steps"; exit 0; }
model test; read -r tl ta <<<"$reply"
send "{\"op\":\"done\",\"test_loss\":$tl,\"test_accuracy\":$ta}"
echo "awk_trainer.sh: done, test accuracy $ta"
