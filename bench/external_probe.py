#!/usr/bin/python3
"""external_probe.py - a trainer that does no training, for
bench/bench_external.py: it times what the protocol itself costs.

Started by lrsweep in a range test whose eval_every is 1, every step is a
round trip: the client sends the step's loss and its evaluation, and
lrsweep sends the next step's rate only once that evaluation has arrived
(docs/trainers.md, timing rules). Timed here, per step: from the call that
sends the evaluation to the return of lr() with the next rate, which is
one message each way through the socket and lrsweep's poll loop.

Started in a trial (no evaluations), lrsweep keeps the rates up to 64
steps ahead: timed here is the client's whole cost of a step,
apply() + loss() on an object with one param_group, with nothing to wait
for.

Prints "rtt_us MEDIAN P90 N MEAN" or "step_us MEDIAN P90 N MEAN"
(microseconds) on stdout, which lrsweep puts in the run's log.
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "clients", "python"))
import lrsweep_client  # noqa: E402

STEPS_PER_EPOCH = 1000


class _Opt(object):
    """The part of a torch optimizer apply() touches."""
    param_groups = [{"lr": 0.0, "momentum": 0.9}]


def _report(name, ns):
    mean = sum(ns) / len(ns)
    ns.sort()
    print("%s %.2f %.2f %d %.2f" % (name, ns[len(ns) // 2] / 1e3, ns[int(len(ns) * 0.9)] / 1e3, len(ns),
                                    mean / 1e3))
    sys.stdout.flush()


def main():
    clock = time.perf_counter_ns
    with lrsweep_client.connect(steps_per_epoch=STEPS_PER_EPOCH) as s:
        opt, ns = _Opt(), []
        if s.mode == "range-test":
            s.lr()
            try:
                while True:
                    s.loss(1.0)
                    t0 = clock()
                    if s.eval_due():
                        s.eval(1.0, 0.5)
                    s.lr()            # waits for the rate lrsweep sends after the eval
                    ns.append(clock() - t0)
            except lrsweep_client.Stop:
                _report("rtt_us", ns)
                raise
        else:
            for _ in range(s.epochs):
                for _ in range(STEPS_PER_EPOCH):
                    t0 = clock()
                    s.apply(opt)
                    s.loss(1.0)
                    ns.append(clock() - t0)
                s.epoch_end(1.0, 0.5, 1.0, 0.5)
            _report("step_us", ns)
            s.done()
    return 0


if __name__ == "__main__":
    sys.exit(main())
