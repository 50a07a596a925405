#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Compact-model fit throughput: trajectory fits per second and the cost of one device group.

    python benchmarks/fit_speed.py          (or: make bench)

Synthetic domain-wall traces shaped like the demo sweep (four 1 ns-ON trains of 50/40/33/25 %
duty, 12 ns + 3 ns tail, plus a J = 0 control and a DC step, 10 ps samples, float32-rounded) are
generated from a known linear LIF model. For each domain-wall family it times
``fitting.trajectory.fit`` on the training fold (the trains at 50 % and 33 % plus the
identification runs), then a whole ``fit_group`` (three families, both folds, all metrics): the
work of one row group of the parameter table. Target (issue 4): the demo sweep's fit stage under
2 minutes on 2 cores.
"""

from __future__ import annotations

import time

from fitting.device_fit import DW_FAMILIES, TRAIN_DUTIES, _duty_in, fit_group
from fitting.models import FAMILIES
from fitting.trajectory import fit


def main() -> None:
    from fitting.synthetic import synthetic_dw_group

    traces = synthetic_dw_group()
    train = [r.trajectory for r in traces if not r.is_train or _duty_in(r.duty, TRAIN_DUTIES)]
    n_points = sum(len(t.t) for t in train)
    print(f"training fold: {len(train)} traces, {n_points} samples")
    print(f"{'family':<18} {'fits/s':>8} {'s/fit':>8}")
    for name in DW_FAMILIES:
        family = FAMILIES[name]
        if name == "lin_Mishra9corr":
            family = family.with_constants(m_op=0.0)
        start, n = time.perf_counter(), 0
        while time.perf_counter() - start < 5.0 or n < 2:
            fit(family, train)
            n += 1
        per_fit = (time.perf_counter() - start) / n
        print(f"{name:<18} {1 / per_fit:>8.2f} {per_fit:>8.2f}")
    start = time.perf_counter()
    rows, _ = fit_group(traces, 0.6, DW_FAMILIES, gate={"passed": False})
    group_s = time.perf_counter() - start
    print(f"one device group (3 families x 2 folds, {len(rows)} rows): {group_s:.1f} s; "
          f"ratio to the 120 s demo budget: {group_s / 120:.2f}")


if __name__ == "__main__":
    main()
