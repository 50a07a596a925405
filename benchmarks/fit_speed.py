#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Compact-model fit throughput: trajectory fits per second and the cost of one device group.

    python benchmarks/fit_speed.py          (or: make bench)

Synthetic domain-wall traces shaped like the demo sweep (four 1 ns-ON trains of 50/40/33/25 %
duty, 12 ns + 3 ns tail, plus a J = 0 control and a DC step, 10 ps samples, float32-rounded) are
generated from a known linear LIF model. For each domain-wall family it times
``fitting.trajectory.fit`` on the training fold (the trains at 50 % and 33 % plus the
identification runs) and the block-bootstrap replicates per second (every family is bootstrapped
when selected), then a whole ``fit_group`` (three families, both folds, all metrics): the
work of one row group of the parameter table. Target (issue 4): the demo sweep's fit stage under
2 minutes on 2 cores.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from spinlif.devices.domain_wall import FIT_FAMILIES as DW_FAMILIES
from spinlif.fitting.device_fit import TRAIN_DUTIES, _duty_in, fit_group
from spinlif.fitting.models import FAMILIES
from spinlif.fitting.trajectory import block_bootstrap, fit


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the synthetic traces live with the tests
    from tests.synthetic import synthetic_dw_group

    traces = synthetic_dw_group()
    members = [r for r in traces if not r.is_train or _duty_in(r.duty, TRAIN_DUTIES)]
    train = [r.trajectory for r in members]
    periods = [1.0 / r.duty if r.duty else 1.0 for r in members]
    n_points = sum(len(t.t) for t in train)
    print(f"training fold: {len(train)} traces, {n_points} samples")
    print(f"{'family':<18} {'fits/s':>8} {'s/fit':>8} {'bootstrap replicates/s':>24} {'s per 200':>10}")
    for name in DW_FAMILIES:
        family = FAMILIES[name]
        if name == "lin_Mishra9corr":
            family = family.with_constants(m_op=0.0)
        start, n = time.perf_counter(), 0
        while time.perf_counter() - start < 5.0 or n < 2:
            fit(family, train)
            n += 1
        per_fit = (time.perf_counter() - start) / n
        result = fit(family, train)
        start = time.perf_counter()
        block_bootstrap(result, train, periods, n=20)
        per_replicate = (time.perf_counter() - start) / 20
        print(f"{name:<18} {1 / per_fit:>8.2f} {per_fit:>8.2f} {1 / per_replicate:>24.1f} {200 * per_replicate:>10.1f}")
    start = time.perf_counter()
    rows, _ = fit_group(traces, 0.6, DW_FAMILIES, gate={"passed": False})
    group_s = time.perf_counter() - start
    print(f"one device group (3 families x 2 folds, {len(rows)} rows): {group_s:.1f} s; "
          f"ratio to the 120 s demo budget: {group_s / 120:.2f}")


if __name__ == "__main__":
    main()
