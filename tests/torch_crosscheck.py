#!/usr/bin/python3
"""Cross-check `lrsweep schedule` against PyTorch's torch.optim.lr_scheduler.

For every configuration below this script builds the real PyTorch scheduler,
records the learning rate (and momentum, where the schedule cycles it) that the
optimizer holds at steps 0..N-1 -- row i is the value after constructing the
scheduler and calling scheduler.step() i times -- then runs

    lrsweep schedule TYPE --steps N --KEY VALUE ... --format csv

and compares every row: a value passes when

    |a - b| <= 1e-9 * max(|a|, |b|) + 1e-15 * scale

where scale is the configuration's peak learning rate (the absolute term only
matters for values that reach zero).  The header (momentum column present iff
expected) and the row count are checked as well.

It does not test the Keras family, the welch/hann windows or sgdr: PyTorch has
no reference for them.

Usage:
    /usr/bin/python3 tests/torch_crosscheck.py [path/to/lrsweep] [--list] [-k SUBSTR] [-v]

Prints one line per failing configuration, then `N passed, M failed`; exits 0
iff nothing failed.  Skips (exit 0) when PyTorch is not importable.
"""

import math
import os
import random
import shlex
import signal
import subprocess
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor

REL_TOL = 1e-9
ABS_TOL = 1e-15          # times the configuration's peak learning rate
TIMEOUT = 30             # seconds per lrsweep run

# ---------------------------------------------------------------- configurations

def cfg(name, type_, steps, **params):
    """One configuration: a schedule TYPE, a step count and its lrsweep flags."""
    return {"name": name, "type": type_, "steps": steps, "params": params}


def _plateau_metrics():
    """Scripted per-epoch metric sequences for reduce_on_plateau (deterministic)."""
    rng = random.Random(1506)
    rising = [round(0.30 + 0.6 * (1 - math.exp(-e / 8.0)), 6) for e in range(40)]
    # rises, then stalls on plateaus of different lengths, then rises again
    plateaus = ([0.5, 0.6, 0.7, 0.75] + [0.75] * 5 + [0.76, 0.8] + [0.8] * 8
                + [0.81, 0.85, 0.85, 0.85, 0.85, 0.9] + [0.9] * 12)
    noisy_acc = [round(0.9 - 0.6 * math.exp(-e / 10.0) + rng.gauss(0, 0.02), 6)
                 for e in range(60)]
    noisy_loss = [round(0.2 + 2.0 * math.exp(-e / 12.0) + abs(rng.gauss(0, 0.05)), 6)
                  for e in range(80)]
    loss_plateaus = ([2.0, 1.5, 1.2, 1.0] + [1.0] * 6 + [0.99995] * 3 + [0.9]
                     + [0.9] * 20 + [0.7] + [0.7] * 25)
    negative = [round(-2.0 + 0.05 * e if e < 15 else -1.25 + rng.gauss(0, 0.01), 6)
                for e in range(50)]
    return rising, plateaus, noisy_acc, noisy_loss, loss_plateaus, negative


def configurations():
    C = []
    # -- constant (lrsweep defaults differ from PyTorch's: always pass both) --
    C += [
        cfg("constant_f0.5_t10", "constant", 60, lr=0.1, factor=0.5, total_iters=10),
        cfg("constant_f1_t0", "constant", 30, lr=0.1, factor=1.0, total_iters=0),
        cfg("constant_f1third_t5", "constant", 40, lr=0.05, factor=1.0 / 3, total_iters=5),
        cfg("constant_t_beyond_N", "constant", 50, lr=0.2, factor=0.25, total_iters=100),
        cfg("constant_t_at_last_row", "constant", 50, lr=0.2, factor=0.7, total_iters=49),
        # PyTorch quirk: with total_iters=0 ConstantLR returns lr*factor at step 0
        # (the last_epoch == 0 branch wins) and never undoes it.
        cfg("constant_f0.25_t0_quirk", "constant", 30, lr=0.1, factor=0.25, total_iters=0),
    ]
    # -- step --
    C += [
        cfg("step_s7_g0.5", "step", 300, lr=0.1, step_size=7, gamma=0.5),
        cfg("step_s30_default_gamma", "step", 200, lr=0.1, step_size=30),
        cfg("step_s1_g0.9", "step", 400, lr=0.3, step_size=1, gamma=0.9),
        cfg("step_g1", "step", 100, lr=0.1, step_size=10, gamma=1.0),
        cfg("step_g0", "step", 100, lr=0.1, step_size=25, gamma=0.0),
        cfg("step_s_last_row", "step", 101, lr=0.1, step_size=100, gamma=0.3),
    ]
    # -- multistep --
    C += [
        cfg("multistep_30_80", "multistep", 200, lr=0.1, milestones=[30, 80], gamma=0.1),
        cfg("multistep_boundaries", "multistep", 200, lr=0.1, milestones=[1, 199, 200], gamma=0.5),
        cfg("multistep_many", "multistep", 300, lr=1.0, milestones=list(range(10, 101, 10)), gamma=0.5),
        cfg("multistep_default_gamma", "multistep", 300, lr=0.1, milestones=[100, 150]),
        cfg("multistep_g0.3_long", "multistep", 1000, lr=0.4, milestones=[250, 500, 750, 999], gamma=0.3),
        # PyTorch counts a repeated milestone twice (collections.Counter)
        cfg("multistep_duplicate", "multistep", 150, lr=0.1, milestones=[50, 50, 100], gamma=0.5),
    ]
    # -- exponential --
    C += [
        cfg("exponential_g0.99", "exponential", 1000, lr=0.1, gamma=0.99),
        cfg("exponential_g0.5_underflow", "exponential", 1200, lr=0.1, gamma=0.5),
        cfg("exponential_g1", "exponential", 100, lr=0.1, gamma=1.0),
        cfg("exponential_g0.9999", "exponential", 3000, lr=0.5, gamma=0.9999),
        cfg("exponential_g0.3_subnormal", "exponential", 700, lr=0.1, gamma=0.3),
    ]
    # -- linear --
    C += [
        cfg("linear_defaults", "linear", 20, lr=0.1),
        cfg("linear_warmup_100", "linear", 300, lr=0.1, start_factor=0.01, end_factor=1.0, total_iters=100),
        cfg("linear_decay", "linear", 300, lr=0.1, start_factor=1.0, end_factor=0.1, total_iters=200),
        cfg("linear_to_zero", "linear", 100, lr=0.1, start_factor=1.0, end_factor=0.0, total_iters=50),
        cfg("linear_total1", "linear", 10, lr=0.1, start_factor=0.5, total_iters=1),
        cfg("linear_total_eq_N", "linear", 300, lr=0.2, start_factor=0.1, end_factor=0.9, total_iters=300),
    ]
    # -- polynomial (lrsweep total_iters defaults to N, PyTorch's to 5) --
    C += [
        cfg("polynomial_p1", "polynomial", 150, lr=0.1, total_iters=100, power=1.0),
        cfg("polynomial_p2", "polynomial", 300, lr=0.1, total_iters=300, power=2.0),
        cfg("polynomial_p0.5", "polynomial", 250, lr=0.1, total_iters=200, power=0.5),
        cfg("polynomial_p3_long", "polynomial", 1000, lr=0.05, total_iters=999, power=3.0),
        cfg("polynomial_default_total_iters", "polynomial", 400, lr=0.1, power=1.5),
    ]
    # -- cosine_annealing (lrsweep T_max defaults to N) --
    C += [
        cfg("cosine_T100", "cosine_annealing", 100, lr=0.1, T_max=100),
        cfg("cosine_T50_periodic", "cosine_annealing", 500, lr=0.1, T_max=50),
        cfg("cosine_T200_eta_min", "cosine_annealing", 600, lr=0.1, T_max=200, eta_min=0.001),
        cfg("cosine_T37_eta_min", "cosine_annealing", 400, lr=0.3, T_max=37, eta_min=1e-4),
        cfg("cosine_T1", "cosine_annealing", 12, lr=0.1, T_max=1),
        cfg("cosine_T1000", "cosine_annealing", 2500, lr=0.1, T_max=1000),
        cfg("cosine_default_T_max", "cosine_annealing", 300, lr=0.1),
        cfg("cosine_default_T_max_eta_min", "cosine_annealing", 257, lr=0.1, eta_min=1e-4),
    ]
    # -- cosine_annealing_warm_restarts --
    C += [
        cfg("warm_restarts_T10_m1", "cosine_annealing_warm_restarts", 300, lr=0.1, T_0=10, T_mult=1),
        cfg("warm_restarts_T10_m2", "cosine_annealing_warm_restarts", 700, lr=0.1, T_0=10, T_mult=2),
        cfg("warm_restarts_T5_m3", "cosine_annealing_warm_restarts", 900, lr=0.1, T_0=5, T_mult=3, eta_min=0.001),
        cfg("warm_restarts_T1_m2", "cosine_annealing_warm_restarts", 600, lr=0.1, T_0=1, T_mult=2),
        cfg("warm_restarts_T1_m1", "cosine_annealing_warm_restarts", 50, lr=0.1, T_0=1),
        cfg("warm_restarts_T7_m2_eta_min", "cosine_annealing_warm_restarts", 500, lr=0.2, T_0=7, T_mult=2, eta_min=0.002),
        cfg("warm_restarts_T50_default_mult", "cosine_annealing_warm_restarts", 400, lr=0.1, T_0=50, eta_min=1e-5),
    ]
    # -- one_cycle (total_steps defaults to N; PyTorch allows N <= total_steps + 1) --
    C += [
        cfg("one_cycle_default_total", "one_cycle", 500, max_lr=0.1),
        cfg("one_cycle_total1000", "one_cycle", 1000, max_lr=0.1, total_steps=1000),
        cfg("one_cycle_N_total_plus_1", "one_cycle", 401, max_lr=0.1, total_steps=400),
        cfg("one_cycle_N_below_total", "one_cycle", 300, max_lr=0.1, total_steps=800),
        cfg("one_cycle_three_phase", "one_cycle", 600, max_lr=0.1, total_steps=600, three_phase=True),
        cfg("one_cycle_linear", "one_cycle", 500, max_lr=0.1, anneal_strategy="linear"),
        cfg("one_cycle_linear_three_phase", "one_cycle", 777, max_lr=0.4, total_steps=777, pct_start=0.25,
            anneal_strategy="linear", three_phase=True),
        cfg("one_cycle_no_momentum", "one_cycle", 400, max_lr=0.1, cycle_momentum=False),
        cfg("one_cycle_custom", "one_cycle", 1000, max_lr=0.05, total_steps=1000, pct_start=0.45,
            div_factor=10.0, final_div_factor=100.0, base_momentum=0.8, max_momentum=0.99),
        cfg("one_cycle_pct0.05", "one_cycle", 300, max_lr=1.0, total_steps=300, pct_start=0.05,
            cycle_momentum=True),
        cfg("one_cycle_short", "one_cycle", 10, max_lr=0.1, total_steps=10),
        cfg("one_cycle_three_phase_cos_odd", "one_cycle", 1001, max_lr=0.3, total_steps=1001, pct_start=0.4,
            three_phase=True, final_div_factor=1000.0),
    ]
    # -- cyclic (momentum cycles by default) --
    C += [
        cfg("cyclic_triangular", "cyclic", 400, base_lr=0.001, max_lr=0.1, step_size_up=20),
        cfg("cyclic_triangular_up20_down30", "cyclic", 500, base_lr=0.001, max_lr=0.1,
            step_size_up=20, step_size_down=30, mode="triangular"),
        cfg("cyclic_triangular2", "cyclic", 600, base_lr=0.001, max_lr=0.1, step_size_up=25, mode="triangular2"),
        cfg("cyclic_triangular2_up5_down45", "cyclic", 500, base_lr=0.01, max_lr=1.0,
            step_size_up=5, step_size_down=45, mode="triangular2"),
        cfg("cyclic_exp_range_0.99", "cyclic", 400, base_lr=0.001, max_lr=0.1, step_size_up=15,
            mode="exp_range", gamma=0.99),
        cfg("cyclic_exp_range_0.99994", "cyclic", 2000, base_lr=0.0001, max_lr=0.01, step_size_up=100,
            step_size_down=50, mode="exp_range", gamma=0.99994),
        cfg("cyclic_exp_range_gamma1", "cyclic", 300, base_lr=0.001, max_lr=0.1, step_size_up=12,
            mode="exp_range", gamma=1.0),
        cfg("cyclic_no_momentum", "cyclic", 300, base_lr=0.001, max_lr=0.1, step_size_up=10,
            cycle_momentum=False),
        cfg("cyclic_custom_momentum", "cyclic", 500, base_lr=0.002, max_lr=0.05, step_size_up=7,
            step_size_down=13, base_momentum=0.85, max_momentum=0.95),
        cfg("cyclic_defaults_2000", "cyclic", 4500, base_lr=0.001, max_lr=0.1),
        cfg("cyclic_up1", "cyclic", 60, base_lr=0.01, max_lr=0.1, step_size_up=1, mode="triangular2"),
    ]
    # -- CLR paper policies (window triangular == torch CyclicLR, no momentum) --
    C += [
        cfg("clr_triangular_s20", "triangular", 400, base_lr=0.001, max_lr=0.1, step_size=20),
        cfg("clr_triangular_window", "triangular", 300, base_lr=0.01, max_lr=0.5, step_size=33,
            window="triangular"),
        cfg("clr_triangular_s1", "triangular", 50, base_lr=0.001, max_lr=0.1, step_size=1),
        cfg("clr_triangular2_s25", "triangular2", 600, base_lr=0.001, max_lr=0.1, step_size=25),
        cfg("clr_triangular2_s3", "triangular2", 100, base_lr=0.001, max_lr=0.1, step_size=3),
        cfg("clr_exp_range_0.99", "exp_range", 400, base_lr=0.001, max_lr=0.1, step_size=15, gamma=0.99),
        cfg("clr_exp_range_0.99994", "exp_range", 2000, base_lr=0.0001, max_lr=0.006, step_size=200,
            gamma=0.99994),
    ]
    # -- reduce_on_plateau (metric of epoch e fed after its K steps) --
    rising, plateaus, noisy_acc, noisy_loss, loss_plateaus, negative = _plateau_metrics()
    C += [
        cfg("plateau_max_rising", "reduce_on_plateau", 4 * len(rising), lr=0.1, mode="max", factor=0.5,
            patience=2, **{"steps-per-epoch": 4, "metrics": rising}),
        cfg("plateau_max_plateaus_cooldown", "reduce_on_plateau", 3 * len(plateaus), lr=0.1, mode="max",
            factor=0.5, patience=2, threshold=1e-4, threshold_mode="rel", cooldown=1, min_lr=0.001,
            eps=1e-8, **{"steps-per-epoch": 3, "metrics": plateaus}),
        cfg("plateau_max_noisy", "reduce_on_plateau", 10 * len(noisy_acc), lr=0.1, mode="max", factor=0.3,
            patience=3, threshold=0.01, threshold_mode="rel", cooldown=2, min_lr=0.0001,
            **{"steps-per-epoch": 10, "metrics": noisy_acc}),
        cfg("plateau_max_abs", "reduce_on_plateau", 5 * len(plateaus), lr=0.2, mode="max", factor=0.1,
            patience=1, threshold=0.01, threshold_mode="abs", cooldown=0, min_lr=0.0,
            **{"steps-per-epoch": 5, "metrics": plateaus}),
        cfg("plateau_min_noisy_abs", "reduce_on_plateau", 2 * len(noisy_loss), lr=0.1, mode="min",
            factor=0.5, patience=2, threshold=0.02, threshold_mode="abs", cooldown=1, min_lr=0.001,
            **{"steps-per-epoch": 2, "metrics": noisy_loss}),
        cfg("plateau_min_plateaus_rel", "reduce_on_plateau", 4 * len(loss_plateaus), lr=0.1, mode="min",
            factor=0.5, patience=2, threshold=1e-4, threshold_mode="rel", cooldown=0, min_lr=0.01,
            **{"steps-per-epoch": 4, "metrics": loss_plateaus}),
        cfg("plateau_min_patience0_cooldown2", "reduce_on_plateau", 1 * len(loss_plateaus), lr=0.1,
            mode="min", factor=0.7, patience=0, threshold=1e-4, threshold_mode="rel", cooldown=2,
            min_lr=0.0, **{"steps-per-epoch": 1, "metrics": loss_plateaus}),
        cfg("plateau_min_eps_blocks", "reduce_on_plateau", 3 * len(loss_plateaus), lr=1e-5, mode="min",
            factor=0.5, patience=0, threshold=1e-4, threshold_mode="rel", cooldown=0, min_lr=0.0,
            eps=1e-7, **{"steps-per-epoch": 3, "metrics": loss_plateaus}),
        cfg("plateau_min_defaults", "reduce_on_plateau", 2 * len(loss_plateaus), lr=0.1, mode="min",
            **{"steps-per-epoch": 2, "metrics": loss_plateaus}),
        # max mode, rel threshold, negative metrics: best*(1+threshold) is *below* best
        cfg("plateau_max_negative_rel", "reduce_on_plateau", 2 * len(negative), lr=0.1, mode="max",
            factor=0.5, patience=1, threshold=0.05, threshold_mode="rel", cooldown=0, min_lr=0.0,
            **{"steps-per-epoch": 2, "metrics": negative}),
    ]
    # -- sequential (inner schedules share lr; torch SequentialLR) --
    C += [
        cfg("sequential_linear_cosine", "sequential", 300,
            schedules=[dict(type="linear", lr=0.1, start_factor=0.01, total_iters=10),
                       dict(type="cosine_annealing", lr=0.1, T_max=50)],
            milestones=[10]),
        cfg("sequential_constant_exponential", "sequential", 100,
            schedules=[dict(type="constant", lr=1.0, factor=0.1, total_iters=2),
                       dict(type="exponential", lr=1.0, gamma=0.9)],
            milestones=[2]),
        cfg("sequential_three", "sequential", 300,
            schedules=[dict(type="linear", lr=0.1, start_factor=0.1, total_iters=20),
                       dict(type="constant", lr=0.1, factor=1.0, total_iters=0),
                       dict(type="cosine_annealing", lr=0.1, T_max=250, eta_min=0.001)],
            milestones=[20, 50]),
        cfg("sequential_step_multistep", "sequential", 200,
            schedules=[dict(type="step", lr=0.1, step_size=10, gamma=0.5),
                       dict(type="multistep", lr=0.1, milestones=[30, 60], gamma=0.2)],
            milestones=[40]),
        cfg("sequential_warm_restarts", "sequential", 400,
            schedules=[dict(type="linear", lr=0.1, start_factor=0.05, total_iters=15),
                       dict(type="cosine_annealing_warm_restarts", lr=0.1, T_0=20, T_mult=2,
                            eta_min=0.0001)],
            milestones=[15]),
        cfg("sequential_linear_polynomial", "sequential", 300,
            schedules=[dict(type="linear", lr=0.2, start_factor=0.01, total_iters=50),
                       dict(type="polynomial", lr=0.2, total_iters=200, power=2.0)],
            milestones=[50]),
        cfg("sequential_linear_linear", "sequential", 200,
            schedules=[dict(type="linear", lr=0.1, start_factor=0.01, end_factor=1.0, total_iters=10),
                       dict(type="linear", lr=0.1, start_factor=1.0, end_factor=0.0, total_iters=100)],
            milestones=[10]),
        cfg("sequential_milestone1", "sequential", 150,
            schedules=[dict(type="exponential", lr=0.1, gamma=0.5),
                       dict(type="cosine_annealing", lr=0.1, T_max=100)],
            milestones=[1]),
        cfg("sequential_cosine_first", "sequential", 200,
            schedules=[dict(type="cosine_annealing", lr=0.1, T_max=30, eta_min=0.01),
                       dict(type="exponential", lr=0.1, gamma=0.98)],
            milestones=[30]),
        cfg("sequential_milestone_last_row", "sequential", 100,
            schedules=[dict(type="linear", lr=0.1, start_factor=0.25, total_iters=40),
                       dict(type="step", lr=0.1, step_size=5, gamma=0.5)],
            milestones=[99]),
        # PyTorch quirk: ConstantLR with total_iters=0 holds lr*factor when it runs
        # first (chainable form, as standalone), but a later one is entered with
        # step(0), i.e. its closed form, which gives lr
        cfg("sequential_constant_t0_first_quirk", "sequential", 60,
            schedules=[dict(type="constant", lr=0.1, factor=0.5, total_iters=0),
                       dict(type="linear", lr=0.1, start_factor=0.5, total_iters=10)],
            milestones=[20]),
        cfg("sequential_constant_t0_later_quirk", "sequential", 60,
            schedules=[dict(type="linear", lr=0.1, start_factor=0.5, total_iters=10),
                       dict(type="constant", lr=0.1, factor=0.5, total_iters=0)],
            milestones=[20]),
    ]
    return C

# ---------------------------------------------------------------- command lines

def fmt_value(v):
    """A parameter value as lrsweep reads it on the command line."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v)                      # shortest string that round-trips
    if isinstance(v, (list, tuple)):
        return ",".join(fmt_value(x) for x in v)
    return str(v)


def yaml_flow(schedules):
    """The inner schedules of `sequential` as a YAML flow list of mappings."""
    items = []
    for s in schedules:
        parts = []
        for k, v in s.items():
            if isinstance(v, (list, tuple)):
                val = "[" + ", ".join(fmt_value(x) for x in v) + "]"
            else:
                val = fmt_value(v)
            parts.append("%s: %s" % (k, val))
        items.append("{" + ", ".join(parts) + "}")
    return "[" + ", ".join(items) + "]"


def cli_args(c):
    """The lrsweep argument vector (without the program) of a configuration."""
    args = ["schedule", c["type"], "--steps", str(c["steps"])]
    for k, v in c["params"].items():
        args.append("--" + k)
        args.append(yaml_flow(v) if k == "schedules" else fmt_value(v))
    args += ["--format", "csv"]
    return args

# ---------------------------------------------------------------- PyTorch side

def expects_momentum(c):
    p = c["params"]
    return c["type"] in ("cyclic", "one_cycle") and p.get("cycle_momentum", True)


def peak_lr(c):
    p = c["params"]
    if c["type"] == "sequential":
        return max(s["lr"] for s in p["schedules"])
    return p["lr"] if "lr" in p else p["max_lr"]


def build_torch(torch, opt, type_, p, n):
    """The PyTorch scheduler for an lrsweep TYPE and its parameters, with lrsweep's
    defaults made explicit where they differ from PyTorch's."""
    S = torch.optim.lr_scheduler
    if type_ == "constant":
        return S.ConstantLR(opt, factor=p.get("factor", 1.0), total_iters=p.get("total_iters", 0))
    if type_ == "step":
        return S.StepLR(opt, step_size=p["step_size"], gamma=p.get("gamma", 0.1))
    if type_ == "multistep":
        return S.MultiStepLR(opt, milestones=list(p["milestones"]), gamma=p.get("gamma", 0.1))
    if type_ == "exponential":
        return S.ExponentialLR(opt, gamma=p["gamma"])
    if type_ == "linear":
        return S.LinearLR(opt, start_factor=p.get("start_factor", 1.0 / 3),
                          end_factor=p.get("end_factor", 1.0), total_iters=p.get("total_iters", 5))
    if type_ == "polynomial":
        return S.PolynomialLR(opt, total_iters=p.get("total_iters", n), power=p.get("power", 1.0))
    if type_ == "cosine_annealing":
        return S.CosineAnnealingLR(opt, T_max=p.get("T_max", n), eta_min=p.get("eta_min", 0))
    if type_ == "cosine_annealing_warm_restarts":
        return S.CosineAnnealingWarmRestarts(opt, T_0=p["T_0"], T_mult=p.get("T_mult", 1),
                                             eta_min=p.get("eta_min", 0))
    if type_ == "one_cycle":
        keys = ("pct_start", "anneal_strategy", "cycle_momentum", "base_momentum", "max_momentum",
                "div_factor", "final_div_factor", "three_phase")
        return S.OneCycleLR(opt, max_lr=p["max_lr"], total_steps=p.get("total_steps", n),
                            **{k: p[k] for k in keys if k in p})
    if type_ == "cyclic":
        keys = ("step_size_up", "step_size_down", "mode", "gamma", "cycle_momentum",
                "base_momentum", "max_momentum")
        return S.CyclicLR(opt, base_lr=p["base_lr"], max_lr=p["max_lr"],
                          **{k: p[k] for k in keys if k in p})
    if type_ in ("triangular", "triangular2", "exp_range"):
        assert p.get("window", "triangular") == "triangular"
        return S.CyclicLR(opt, base_lr=p["base_lr"], max_lr=p["max_lr"],
                          step_size_up=p["step_size"], step_size_down=p["step_size"],
                          mode=type_, gamma=p.get("gamma", 1.0), cycle_momentum=False)
    if type_ == "sequential":
        inner = []
        for s in p["schedules"]:
            s = dict(s)
            inner.append(build_torch(torch, opt, s.pop("type"), s, n))
        return S.SequentialLR(opt, schedulers=inner, milestones=list(p["milestones"]))
    raise ValueError("no PyTorch reference for type %r" % type_)


def torch_rows(torch, c):
    """[(lr, momentum or None)] for steps 0..N-1 as PyTorch computes them."""
    t, p, n = c["type"], c["params"], c["steps"]
    if t == "sequential":
        lrs = {s["lr"] for s in p["schedules"]}
        assert len(lrs) == 1, "inner schedules of %s must share lr" % c["name"]
        lr0 = lrs.pop()
    else:
        lr0 = p.get("lr", p.get("base_lr", p.get("max_lr")))
    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=lr0, momentum=0.9)
    group = opt.param_groups[0]
    mom = expects_momentum(c)
    rows = []
    if t == "reduce_on_plateau":
        k, metrics = p["steps-per-epoch"], p["metrics"]
        sched = torch.optim.lr_scheduler.ReduceLROnPlateau(
            opt, mode=p["mode"], factor=p.get("factor", 0.1), patience=p.get("patience", 10),
            threshold=p.get("threshold", 1e-4), threshold_mode=p.get("threshold_mode", "rel"),
            cooldown=p.get("cooldown", 0), min_lr=p.get("min_lr", 0), eps=p.get("eps", 1e-8))
        fed = 0
        for i in range(n):
            while fed < min(i // k, len(metrics)):
                opt.step()
                sched.step(metrics[fed])
                fed += 1
            rows.append((float(group["lr"]), None))
        return rows
    sched = build_torch(torch, opt, t, p, n)
    for i in range(n):
        if i > 0:
            opt.step()
            sched.step()
        rows.append((float(group["lr"]), float(group["momentum"]) if mom else None))
    return rows

# ---------------------------------------------------------------- comparison

def close(a, b, scale):
    if a == b:
        return True
    if math.isnan(a) or math.isnan(b):
        return False
    return abs(a - b) <= REL_TOL * max(abs(a), abs(b)) + ABS_TOL * scale


def run_binary(binary, c):
    try:
        r = subprocess.run([binary] + cli_args(c), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=TIMEOUT, universal_newlines=True)
        return r.returncode, r.stdout, r.stderr
    except subprocess.TimeoutExpired:
        return "timeout", "", "timed out after %d s" % TIMEOUT
    except OSError as e:
        return "not run", "", "cannot run %s: %s" % (binary, e)


def check(c, expected, result):
    """None when lrsweep's output matches PyTorch's rows, else a one-line reason."""
    rc, out, err = result
    if rc != 0:
        err = " | ".join(err.strip().splitlines()) or "(no stderr)"
        if not isinstance(rc, int):
            return err
        if rc < 0:
            try:
                sig = signal.Signals(-rc).name
            except ValueError:
                sig = "signal %d" % -rc
            return "killed by %s: %s" % (sig, err)
        return "exit status %d: %s" % (rc, err)
    lines = out.splitlines()
    mom = expects_momentum(c)
    want_header = "step,lr,momentum" if mom else "step,lr"
    if not lines or lines[0].strip() != want_header:
        return "header %r, expected %r" % (lines[0] if lines else "", want_header)
    body = [l for l in lines[1:]]
    if body and body[-1].strip() == "":
        body = body[:-1]
    ncol = 3 if mom else 2
    scale = peak_lr(c)
    mscale = c["params"].get("max_momentum", 0.95 if c["type"] == "one_cycle" else 0.9)
    for i, (line, (lr, m)) in enumerate(zip(body, expected)):
        fields = line.split(",")
        try:
            if len(fields) != ncol:
                raise ValueError
            step, got_lr = int(fields[0]), float(fields[1])
            got_m = float(fields[2]) if mom else None
        except ValueError:
            return "row %d unparsable: %r" % (i, line)
        if step != i:
            return "row %d has step %d" % (i, step)
        if not close(lr, got_lr, scale):
            return "step %d lr: torch=%.17g lrsweep=%.17g" % (i, lr, got_lr)
        if mom and not close(m, got_m, mscale):
            return "step %d momentum: torch=%.17g lrsweep=%.17g" % (i, m, got_m)
    if len(body) != len(expected):
        return "%d rows, expected %d" % (len(body), len(expected))
    return None

# ---------------------------------------------------------------- main

def main(argv):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    binary, list_only, pattern, verbose = os.path.join(root, "bin", "lrsweep"), False, None, False
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "--list":
            list_only = True
        elif a == "-k" and args:
            pattern = args.pop(0)
        elif a in ("-v", "--verbose"):
            verbose = True
        elif a in ("-h", "--help"):
            print(__doc__.strip())
            return 0
        elif a.startswith("-"):
            print("torch_crosscheck: unknown option %s" % a, file=sys.stderr)
            return 2
        else:
            binary = a
    configs = [c for c in configurations() if pattern is None or pattern in c["name"]]
    names = [c["name"] for c in configs]
    assert len(names) == len(set(names)), "duplicate configuration names"

    if list_only:
        for c in configs:
            print("%-40s %s" % (c["name"], shlex.join(cli_args(c))))
        print("%d configurations" % len(configs))
        return 0

    try:
        import torch
    except Exception:
        print("torch_crosscheck: SKIPPED (PyTorch not importable from /usr/bin/python3)")
        return 0
    warnings.filterwarnings("ignore")
    torch.set_num_threads(1)

    passed = failed = 0
    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
        futures = [pool.submit(run_binary, binary, c) for c in configs]
        for c, fut in zip(configs, futures):
            try:
                expected = torch_rows(torch, c)
            except Exception as e:  # a bug in this script, not in lrsweep
                reason = "PyTorch reference failed: %s: %s" % (type(e).__name__, e)
            else:
                reason = check(c, expected, fut.result())
            if reason is None:
                passed += 1
                if verbose:
                    print("ok   %s" % c["name"])
            else:
                failed += 1
                print("FAIL %s: %s; reproduce: %s" % (c["name"], reason,
                                                     shlex.join([binary] + cli_args(c))))
            sys.stdout.flush()
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
