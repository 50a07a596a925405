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

from spinlif.fitting.trajectory import FitResult, Trajectory

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
    from spinlif.fitting.trajectory import integrate

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


def sindy_terms(trajs: list[Trajectory], threshold: float = 0.05, ells: tuple[float, ...] = (0.1, 0.2, 0.5),
                max_iter: int = 10) -> dict:
    """Model-form cross-check (physics-brief 4.1 stage 1): sequentially thresholded least squares
    (SINDy; Brunton et al. PNAS 113, 3932 (2016)) of the segment derivatives on the library
    {1, u, u^2, u^3, e^(u/ell), i, u i}, columns scaled to unit norm, terms below ``threshold`` x the
    largest coefficient dropped. ``ell`` (state units) is the grid value with the best R^2.
    Returns ``{"terms": [...], "coefficients": {...}, "ell": ell, "r2": r2}``."""
    parts = [segment_derivatives(tr) for tr in trajs]
    u = np.concatenate([p[0] for p in parts])
    d = np.concatenate([p[1] for p in parts])
    i = np.concatenate([p[2] for p in parts])
    best = None
    for ell in ells:
        names = ["1", "u", "u^2", "u^3", f"exp(u/{ell:g})", "i", "u*i"]
        theta = np.column_stack([np.ones_like(u), u, u**2, u**3, np.exp(u / ell), i, u * i])
        scale = np.linalg.norm(theta, axis=0)
        scale[scale == 0] = 1.0
        x = theta / scale
        active = np.ones(len(names), bool)
        xi = np.zeros(len(names))
        for _ in range(max_iter):
            xi[:] = 0.0
            xi[active] = np.linalg.lstsq(x[:, active], d, rcond=None)[0]
            keep = np.abs(xi) >= threshold * np.abs(xi).max()
            if np.array_equal(keep, active):
                break
            active = keep
        r2 = 1 - np.sum((d - x @ xi) ** 2) / np.sum((d - d.mean()) ** 2)
        if best is None or r2 > best["r2"]:
            best = {"terms": [n for n, a in zip(names, active) if a],
                    "coefficients": {n: float(c / s) for n, c, s, a in zip(names, xi, scale, active) if a},
                    "ell": ell, "r2": float(r2)}
    return best
