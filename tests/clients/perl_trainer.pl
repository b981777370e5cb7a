#!/usr/bin/perl
# perl_trainer.pl - softmax regression (or one ReLU hidden layer) on
# scikit-learn's iris.csv (a copy in tests/data/sklearn; $DATA names another
# CSV of that layout), driven by lrsweep over the protocol of
# docs/trainers.md, written from that page alone. Core Perl only (JSON::PP,
# IO::Handle, List::Util). SGD (momentum) or Adam as optimizer.type says,
# the schedule's momentum (Adam's beta1) when it cycles it; losses sent in
# batches of up to 8; evaluations computed from the config (eval_due);
# epoch messages in a range test too (lrsweep acks them); pruning obeyed.
# tests/e2e/perl_trainer.sh runs it.
use strict;
use warnings;
use JSON::PP;
use IO::Handle;
use List::Util qw(shuffle sum max);
use FindBin;

my $json = JSON::PP->new->canonical;
my $fd = $ENV{LRSWEEP_FD} // die "perl_trainer.pl: not started by lrsweep (no LRSWEEP_FD)\n";
open(my $ch, '+<&=', $fd) or die "perl_trainer.pl: cannot open descriptor $fd: $!\n";
$ch->autoflush(1);                      # every message at once
STDOUT->autoflush(1);

sub send_msg { print {$ch} $json->encode($_[0]), "\n"; }

# ---- data: iris, a fixed split (seed 0) 70/15/15, standardised on train ----
my $file = $ENV{DATA} // "$FindBin::Bin/../data/sklearn/iris.csv";
open(my $fh, '<', $file) or die "perl_trainer.pl: $file: $!\n";
my ($n, $nf) = split /,/, scalar <$fh>;
my (@x, @y);
while (my $l = <$fh>) {
	chomp $l;
	my @f = split /,/, $l;
	push @y, 0 + pop @f;
	push @x, [map { 0 + $_ } @f];
}
my $nc = 1 + max @y;
srand(0);
my @order = shuffle 0 .. $#x;
my $nt = int(@x * 0.7);
my $nv = int(@x * 0.15);
my @train = @order[0 .. $nt - 1];
my @val = @order[$nt .. $nt + $nv - 1];
my @test = @order[$nt + $nv .. $#order];
for my $j (0 .. $nf - 1) {
	my $mu = sum(map { $x[$_][$j] } @train) / @train;
	my $sd = sqrt(sum(map { ($x[$_][$j] - $mu)**2 } @train) / @train) || 1;
	$_->[$j] = ($_->[$j] - $mu) / $sd for @x;
}

# ---- steps per epoch, from the params file's batch_size ----
my $pf = do { local $/; open(my $p, '<', $ENV{LRSWEEP_PARAMS_FILE}) or die "$!\n"; $json->decode(<$p>) };
my $batch = $pf->{batch_size} || 16;
my $spe = int((@train + $batch - 1) / $batch);
send_msg({op => 'hello', protocol => 1, steps_per_epoch => $spe});

# ---- reading lrsweep's messages ----
my (%rate, %mom, $stop, $answer);
sub read_one {
	my $line = <$ch>;
	die "perl_trainer.pl: lrsweep closed the channel\n" unless defined $line;
	my $m = $json->decode($line);
	if ($m->{op} eq 'lr') { $rate{$m->{step}} = $m->{lr}; $mom{$m->{step}} = $m->{momentum}; }
	elsif ($m->{op} eq 'stop') { $stop = $m->{reason}; }
	elsif ($m->{op} eq 'ack') { $answer = 'ack'; }
	elsif ($m->{op} eq 'prune') { $answer = 'prune'; }
	elsif ($m->{op} eq 'config') { return $m; }
	# eval: computed from the config below
	return $m;
}

my $cfg;
until ($cfg) {
	my $m = read_one();
	if (defined $stop) { print "perl_trainer.pl: stopped before config ($stop)\n"; exit 0; }
	$cfg = $m if $m->{op} eq 'config';
}
my $mode = $cfg->{mode};
my $hidden = $cfg->{params}{hidden} // 0;
my $opt = $cfg->{optimizer};
my $type = $opt->{type} // 'sgd';
my $wd = $opt->{weight_decay} // 0;
my ($beta1, $beta2) = @{$opt->{betas} // [0.9, 0.999]};
my $eps = $opt->{eps} // 1e-8;
my $eval_every = $cfg->{eval_every};
my $max_steps = $cfg->{max_steps};
print "perl_trainer.pl: $mode seed $cfg->{seed} $type hidden $hidden batch $batch steps/epoch $spe\n";

# ---- the model: parameters in one flat list, layers as index ranges ----
srand($cfg->{seed} % 2**31);
my $nin = $hidden ? $hidden : $nf;
my @w;                                   # W1 (hidden x nf), b1 (hidden), W2 (nc x nin), b2 (nc)
my $o1 = 0; my $ob1 = $hidden * $nf; my $o2 = $ob1 + $hidden; my $ob2 = $o2 + $nc * $nin;
sub gauss { sqrt(-2 * log(1 - rand())) * cos(6.283185307179586 * rand()) }
push @w, gauss() * sqrt(2 / $nf) for 1 .. $hidden * $nf;
push @w, (0) x $hidden;
push @w, gauss() * sqrt(1 / $nin) for 1 .. $nc * $nin;
push @w, (0) x $nc;
my @m1 = (0) x @w; my @m2 = (0) x @w; my $t = 0;

# log-softmax loss of sample i, its gradient added to @$g (scaled) when given
sub sample {
	my ($i, $g, $scale) = @_;
	my $xi = $x[$i];
	my @h = @$xi;
	if ($hidden) {
		@h = map { my $k = $_; my $a = $w[$ob1 + $k]; $a += $w[$o1 + $k * $nf + $_] * $xi->[$_] for 0 .. $nf - 1; $a > 0 ? $a : 0 } 0 .. $hidden - 1;
	}
	my @z = map { my $c = $_; my $a = $w[$ob2 + $c]; $a += $w[$o2 + $c * $nin + $_] * $h[$_] for 0 .. $nin - 1; $a } 0 .. $nc - 1;
	my $zm = max @z;
	my $lse = $zm + log(sum(map { exp($_ - $zm) } @z));
	my $loss = $lse - $z[$y[$i]];
	my $pred = 0; $z[$_] > $z[$pred] and $pred = $_ for 0 .. $nc - 1;
	if ($g) {
		my @d = map { exp($z[$_] - $lse) - ($_ == $y[$i] ? 1 : 0) } 0 .. $nc - 1;
		my @dh = (0) x $nin;
		for my $c (0 .. $nc - 1) {
			$g->[$ob2 + $c] += $scale * $d[$c];
			for my $j (0 .. $nin - 1) {
				$g->[$o2 + $c * $nin + $j] += $scale * $d[$c] * $h[$j];
				$dh[$j] += $d[$c] * $w[$o2 + $c * $nin + $j];
			}
		}
		for my $k (0 .. $hidden - 1) {
			next unless $h[$k] > 0;
			$g->[$ob1 + $k] += $scale * $dh[$k];
			$g->[$o1 + $k * $nf + $_] += $scale * $dh[$k] * $xi->[$_] for 0 .. $nf - 1;
		}
	}
	return ($loss, $pred == $y[$i] ? 1 : 0);
}
sub evaluate {
	my ($set, $limit) = @_;
	my @s = @$set;
	@s = @s[0 .. $limit - 1] if $limit && $limit < @s;
	my ($l, $a) = (0, 0);
	for (@s) { my ($li, $ai) = sample($_); $l += $li; $a += $ai; }
	return ($l / @s, $a / @s);
}
# one update (torch.optim.SGD or Adam, weight decay added to the gradient)
sub update {
	my ($idx, $lr, $mom) = @_;
	my @g = (0) x @w;
	my $loss = 0;
	$loss += (sample($_, \@g, 1 / @$idx))[0] for @$idx;
	$t++;
	my $b1 = defined $mom ? $mom : $beta1;
	for my $j (0 .. $#w) {
		my $gj = $g[$j] + $wd * $w[$j];
		if ($type eq 'sgd') {
			my $mu = defined $mom ? $mom : ($opt->{momentum} // 0);
			$m1[$j] = $t == 1 ? $gj : $mu * $m1[$j] + $gj;
			$w[$j] -= $lr * ($mu ? $m1[$j] : $gj);
		} else {
			$m1[$j] = $b1 * $m1[$j] + (1 - $b1) * $gj;
			$m2[$j] = $beta2 * $m2[$j] + (1 - $beta2) * $gj * $gj;
			my $mh = $m1[$j] / (1 - $b1**$t);
			my $vh = $m2[$j] / (1 - $beta2**$t);
			$w[$j] -= $lr * $mh / (sqrt($vh) + $eps);
		}
	}
	return $loss / @$idx;
}

# ---- training: losses sent in batches of up to 8 ----
my (@ps, @pl);
sub flush_losses {
	return unless @ps;
	send_msg({op => 'loss', steps => [@ps], losses => [@pl]});
	@ps = (); @pl = ();
}
my $step = 0;
my $total = $mode eq 'trial' ? $cfg->{epochs} * $spe : 9**9**9;
$total = $max_steps if $mode eq 'trial' && $max_steps && $max_steps < $total;
EPOCH: for (my $e = 1; $step < $total; $e++) {
	my @o = shuffle @train;
	my ($sum, $k) = (0, 0);
	for (my $b = 0; $b < $spe && $step < $total; $b++, $step++) {
		until (defined $rate{$step} || defined $stop) {
			flush_losses();             # never wait for a rate with losses held back
			read_one();
		}
		last EPOCH if defined $stop;
		my $lr = delete $rate{$step};
		my $mom = delete $mom{$step};
		my @idx = grep { defined } @o[$b * $batch .. ($b + 1) * $batch - 1];
		my $loss = update(\@idx, $lr, $mom);
		$loss = 9**9**9 - 9**9**9 if defined $ENV{NAN_AT} && $step == $ENV{NAN_AT};   # a test: Perl's NaN
		push @ps, $step; push @pl, $loss;
		flush_losses() if @ps >= 8;
		if ($mode eq 'range-test' && $eval_every && ($step % $eval_every == 0 || $step == $max_steps - 1)) {
			flush_losses();
			my ($vl, $va) = evaluate(\@val, $cfg->{eval_samples});
			send_msg({op => 'eval', step => $step, val_loss => $vl, val_accuracy => $va});
		}
		$sum += $loss; $k++;
	}
	flush_losses();
	last if $k < $spe;
	my ($tl, $ta) = evaluate(\@train, 0);
	my ($vl, $va) = evaluate(\@val, 0);
	send_msg({op => 'epoch', epoch => $e, train_loss => $tl, train_accuracy => $ta, val_loss => $vl, val_accuracy => $va});
	undef $answer;
	read_one() until defined $answer || defined $stop;
	last if defined $stop;
	if ($answer eq 'prune') { print "perl_trainer.pl: pruned at epoch $e\n"; exit 0; }
}
if (defined $stop) { print "perl_trainer.pl: stopped ($stop) after $step steps\n"; exit 0; }
my ($tl, $ta) = evaluate(\@test, 0);
send_msg({op => 'done', test_loss => $tl, test_accuracy => $ta});
print "perl_trainer.pl: done, test accuracy $ta\n";
