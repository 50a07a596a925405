# SPDX-License-Identifier: GPL-3.0-or-later
"""Exact solutions of the compact models over one segment of constant drive.

Every model family of :mod:`fitting.models` is, for a constant drive level, one of two scalar
ODEs with a closed-form solution:

* Riccati with constant coefficients, du/dt = c2 u^2 + c1 u + c0 (quad, and with c2 = 0 the affine
  families linear and lin_Mishra9corr);
* exponential, du/dt = a exp(-beta u) + g (exp_Mishra8; exp_edge with u = x - x_R, a = -c,
  beta = -1/ell), which w = exp(beta (u - u0)) turns into the linear dw/dt = beta (a0 + g w).

Evaluating them instead of a numerical integrator makes a shooting fit ~100x cheaper and exact to
rounding, which is what lets every family get its block bootstrap (physics-brief 4.1 (ii)).
A solution that blows up in finite time (a Riccati pole, exp(beta u) reaching 0) is NaN from the
pole on; the fit treats NaN as a huge residual. Units are the caller's (t in ns in spinlif).
"""

from __future__ import annotations

import numpy as np


def riccati(u0: float, c2: float, c1: float, c0: float, dt: np.ndarray) -> np.ndarray:
    """u(dt) of du/dt = c2 u^2 + c1 u + c0 from u(0) = u0, for dt >= 0."""
    dt = np.asarray(dt, float)
    if c2 == 0.0:
        if c1 == 0.0:
            return u0 + c0 * dt
        fixed = -c0 / c1
        return fixed + (u0 - fixed) * np.exp(c1 * dt)
    disc = c1 * c1 - 4.0 * c2 * c0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if disc > 0.0:
            sq = np.sqrt(disc)
            q = -0.5 * (c1 + np.copysign(sq, c1))  # roots q / c2 and c0 / q without cancellation
            roots = (q / c2, c0 / q) if q != 0.0 else (-c1 / (2 * c2) - sq / (2 * c2), -c1 / (2 * c2) + sq / (2 * c2))
            # r1 is the stable root (c2 (r1 - r2) < 0): (u - r1)/(u - r2) decays as exp(-sq t)
            r1, r2 = roots if c2 * (roots[0] - roots[1]) < 0 else roots[::-1]
            decay = np.exp(-sq * dt)
            denominator = (u0 - r2) - (u0 - r1) * decay
            u = r2 + (r1 - r2) * (u0 - r2) / denominator
            # a pole where the denominator changes sign (it is r1 - r2 at dt = 0)
            return np.where(denominator * (r1 - r2) > 0, u, np.nan) if u0 != r2 else np.full_like(dt, r2)
        if disc == 0.0:
            r = -c1 / (2 * c2)
            denominator = 1.0 - c2 * (u0 - r) * dt
            return np.where(denominator > 0, r + (u0 - r) / denominator, np.nan)
        omega = 0.5 * np.sqrt(-disc)  # y = u + c1/(2 c2) obeys dy/dt = c2 y^2 + omega^2 / c2
        theta = omega * dt + np.arctan(c2 * (u0 + c1 / (2 * c2)) / omega)
        return np.where(theta < 0.5 * np.pi, omega / c2 * np.tan(theta) - c1 / (2 * c2), np.nan)


def exponential(u0: float, a: float, beta: float, g: float, dt: np.ndarray) -> np.ndarray:
    """u(dt) of du/dt = a exp(-beta u) + g from u(0) = u0, for dt >= 0.

    With a0 = a exp(-beta u0) and s = beta g dt, w = exp(beta (u - u0)) = e^s + a0 beta dt (e^s - 1)/s;
    evaluated through expm1/log1p so that beta -> 0, g -> 0 and large |s| stay exact."""
    dt = np.asarray(dt, float)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        a0 = a * np.exp(-beta * u0)
        if beta == 0.0:
            return u0 + (a0 + g) * dt
        s = beta * g * dt
        safe = np.where(s == 0.0, 1.0, s)
        growth = np.where(s == 0.0, 1.0, np.expm1(safe) / safe)       # (e^s - 1)/s, s <= 0 branch
        shrink = np.where(s == 0.0, 1.0, -np.expm1(-safe) / safe)     # (1 - e^-s)/s, s > 0 branch
        log_w = np.where(
            s > 0.0,
            s + np.log1p(a0 * beta * dt * shrink),
            np.log1p(np.expm1(np.minimum(s, 0.0)) + a0 * beta * dt * growth),
        )
        return u0 + log_w / beta  # NaN where w <= 0: exp(beta u) reached 0 in finite time
