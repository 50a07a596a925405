# SPDX-License-Identifier: GPL-3.0-or-later
"""Fit diagnostics of physics-brief section 4.1: the derivative-stage R^2 in the ON and OFF phases and
the runs test of the trajectory residuals.

Derivatives: Savitzky-Golay (cubic) within each constant-drive segment, 70 ps window, excluding
30 ps on either side of every edge (inertia and breathing transients), so no window straddles a
pulse edge. R^2 compares these with the family's du/dt = f(u, i) at the fitted coefficients.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats
from scipy.signal import savgol_filter

from fitting.trajectory import FitResult, Trajectory

WINDOW_NS = 0.07
EDGE_GUARD_NS = 0.03


def segment_derivatives(traj: Trajectory) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(u, du/dt, i) at the samples the derivative stage uses (all segments concatenated)."""
    dt = float(np.median(np.diff(traj.t)))
    window = max(5, int(round(WINDOW_NS / dt)) | 1)
    us, ds, levels = [], [], []
    for a, b, level in zip(traj.drive.edges[:-1], traj.drive.edges[1:], traj.drive.levels):
        sel = (traj.t >= a + EDGE_GUARD_NS) & (traj.t <= b - EDGE_GUARD_NS)
        if sel.sum() < window:
            continue
        u = traj.u[sel]
        us.append(u)
        ds.append(savgol_filter(u, window, 3, deriv=1, delta=dt))
        levels.append(np.full(u.shape, float(level)))
    if not us:
        return np.empty(0), np.empty(0), np.empty(0)
    return np.concatenate(us), np.concatenate(ds), np.concatenate(levels)


def derivative_r2(result: FitResult, trajs: list[Trajectory]) -> tuple[float, float]:
    """R^2 of the fitted du/dt against the Savitzky-Golay derivative, ON (i != 0) and OFF samples."""
    parts = [segment_derivatives(tr) for tr in trajs]
    u = np.concatenate([p[0] for p in parts])
    d = np.concatenate([p[1] for p in parts])
    i = np.concatenate([p[2] for p in parts])
    model = result.family.derivative(u, i, result.values)
    out = []
    for sel in (i != 0, i == 0):
        if sel.sum() < 3 or np.var(d[sel]) == 0:
            out.append(float("nan"))
            continue
        out.append(float(1 - np.sum((d[sel] - model[sel]) ** 2) / np.sum((d[sel] - d[sel].mean()) ** 2)))
    return out[0], out[1]


def segment_mean_residuals(result: FitResult, trajs: list[Trajectory]) -> np.ndarray:
    """Mean trajectory residual (data - model, model from the fitted initial states) per constant-drive
    segment, in time order, all traces concatenated: the ON/OFF pattern the runs test looks at.
    (Sample-level residuals of float32 tables come in plateaus of one rounding step, so a runs test
    on them rejects even the exact model.)"""
    from fitting.trajectory import integrate

    means = []
    for tr, u0 in zip(trajs, result.extra["u0"]):
        r = tr.u - integrate(result.family, result.values, tr.drive, tr.t, u0)
        for a, b in zip(tr.drive.edges[:-1], tr.drive.edges[1:]):
            sel = (tr.t > a) & (tr.t <= b)
            if sel.any():
                means.append(float(r[sel].mean()))
    return np.asarray(means)


def runs_test_p(residuals: np.ndarray) -> float:
    """Two-sided Wald-Wolfowitz runs test on the signs of the residuals (p > 0.01: no systematic
    pattern, physics-brief 4.1). Zeros are dropped."""
    signs = np.sign(np.asarray(residuals, float))
    signs = signs[signs != 0]
    n1, n2 = int((signs > 0).sum()), int((signs < 0).sum())
    if n1 == 0 or n2 == 0:
        return 0.0
    runs = 1 + int(np.sum(signs[1:] != signs[:-1]))
    n = n1 + n2
    mean = 2 * n1 * n2 / n + 1
    var = 2 * n1 * n2 * (2 * n1 * n2 - n) / (n * n * (n - 1))
    if var <= 0:
        return float("nan")
    z = (runs - mean) / math.sqrt(var)
    return float(2 * stats.norm.sf(abs(z)))
