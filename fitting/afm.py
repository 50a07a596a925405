# SPDX-License-Identifier: GPL-3.0-or-later
"""Antiferromagnetic compact models (physics-brief sections 4.5 and 4.6), time in ns.

AFM neuron (seed 000 Eq. 4), the damped washboard driven by torque kicks:

    phi'' + 2 eta omega0 phi' + (omega0^2 / 2) sin(2 phi) = sum_n nu0 delta(t - t_n),

each kick adds nu0 to phi' (omega0 and nu0 in rad/ns). Identification: the linear response to one
subthreshold kick, phi(t) = nu0 (e^{s1 t} - e^{s2 t}) / (s1 - s2) with
s1,2 = -omega0 (eta -/+ sqrt(eta^2 - 1)), gives omega0 = sqrt(s1 s2) and eta = -(s1 + s2) / (2 omega0)
(starting values); a shooting fit of the full nonlinear model to a kick train gives the final values.

AFM soliton: the width contracts as lambda_v^2 = lambda^2 (1 - v^2 / u^2) (linear in v^2: intercept
lambda^2, slope -lambda^2 / u^2), and free decay follows d ln(v gamma_L) / dt = -beta u^2 with
gamma_L = 1 / sqrt(1 - v^2 / u^2), i.e. dv/dt = -beta v (u^2 - v^2). Units: nm, ns (u in nm/ns = m/s).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import lmfit
import numpy as np
from scipy.integrate import solve_ivp


# --- AFM neuron --------------------------------------------------------------------------------

def integrate_washboard(omega0: float, eta: float, t: np.ndarray, kicks=(), nu0: float = 0.0,
                        torque=None, phi0: float = 0.0) -> np.ndarray:
    """phi(t) (rad) of phi'' + 2 eta omega0 phi' + (omega0^2 / 2) sin 2 phi = torque(t), from rest
    at phi0, integrated exactly between breakpoints (DOP853, rtol 1e-10). ``kicks``: times (ns) where
    phi' jumps by ``nu0`` (delta kicks); ``torque``: a (levels, edges) pair of a piecewise-constant
    torque in rad/ns^2 (finite kicks, DC)."""
    t = np.asarray(t, float)
    out = np.empty_like(t)
    out[t <= t[0]] = phi0
    y = np.array([phi0, 0.0])
    start = float(t[0])
    edges, levels = (np.array([t[0]]), np.zeros(1)) if torque is None else (np.asarray(torque[1]), np.asarray(torque[0]))
    kick_times = {float(k) for k in kicks if t[0] <= k < t[-1]}
    boundaries = sorted(kick_times | {float(e) for e in edges if t[0] < e < t[-1]})
    for end in boundaries + [float(t[-1])]:
        if end > start:
            level = float(levels[np.clip(np.searchsorted(edges, start, side="right") - 1, 0, len(levels) - 1)])
            sol = solve_ivp(lambda _, s, a=level: [s[1], a - 2 * eta * omega0 * s[1] - 0.5 * omega0**2 * math.sin(2 * s[0])],
                            (start, end), y, dense_output=True, rtol=1e-10, atol=1e-12, method="DOP853")
            if not sol.success:
                return np.full_like(t, np.nan)
            mask = (t > start) & (t <= end)
            if mask.any():
                out[mask] = sol.sol(t[mask])[0]
            y = sol.y[:, -1].copy()
            start = end
        if end in kick_times:
            y[1] += nu0
    return out


def simulate_washboard(omega0: float, eta: float, nu0: float, kicks, t: np.ndarray,
                       phi0: float = 0.0) -> np.ndarray:
    """phi(t) (rad) of the washboard neuron for delta kicks at times ``kicks`` (ns): phi is
    continuous and phi' jumps by nu0 at each kick (seed 000 Eq. 4)."""
    return integrate_washboard(omega0, eta, t, kicks, nu0, phi0=phi0)


@dataclass
class WashboardFit:
    """omega0 (rad/ns), eta, nu0 (rad/ns) with standard errors, and derived quantities."""

    omega0: float
    eta: float
    nu0: float
    stderr: dict
    nrmse: float

    @property
    def t_peak_ns(self) -> float:
        """Time of the linear-response peak of one kick, ln(s2/s1) / (s1 - s2) (ns)."""
        s1, s2 = kick_rates(self.omega0, self.eta)
        return math.log(s2 / s1) / (s1 - s2)


def kick_rates(omega0: float, eta: float) -> tuple[float, float]:
    """The two decay rates s1 > s2 (1/ns, negative) of the overdamped linear response."""
    root = math.sqrt(max(eta * eta - 1.0, 0.0))
    return -omega0 * (eta - root), -omega0 * (eta + root)


def identify_from_kick(t: np.ndarray, phi: np.ndarray, t_kick: float = 0.0) -> dict:
    """Starting values from one subthreshold kick: fit phi = A (e^{s1 tau} - e^{s2 tau}) to the
    response (tau = t - t_kick), then omega0 = sqrt(s1 s2), eta = -(s1 + s2) / (2 omega0), nu0 = A (s1 - s2)."""
    tau = np.asarray(t, float) - t_kick
    sel = tau > 0
    tau, y = tau[sel], np.asarray(phi, float)[sel]
    peak = tau[np.argmax(np.abs(y))]
    params = lmfit.Parameters()
    params.add("a", value=float(np.max(np.abs(y))) * np.sign(y[np.argmax(np.abs(y))]) * 1.5)
    params.add("s1", value=-1.0 / (3 * peak), max=-1e-9)
    params.add("ds", value=3.0 / peak, min=1e-9)  # s2 = s1 - ds
    result = lmfit.minimize(lambda p: p["a"] * (np.exp(p["s1"] * tau) - np.exp((p["s1"] - p["ds"]) * tau)) - y,
                            params, method="least_squares")
    s1 = result.params["s1"].value
    s2 = s1 - result.params["ds"].value
    omega0 = math.sqrt(s1 * s2)
    return {"omega0": omega0, "eta": -(s1 + s2) / (2 * omega0), "nu0": result.params["a"].value * (s1 - s2)}


def fit_washboard(t: np.ndarray, phi: np.ndarray, kicks, start: dict | None = None) -> WashboardFit:
    """Shooting fit of the nonlinear washboard model to phi(t) under known kick times (lmfit,
    trust-region reflective); starts from :func:`identify_from_kick` on the first kick."""
    t, phi = np.asarray(t, float), np.asarray(phi, float)
    kicks = sorted(kicks)
    if start is None:
        first = (t >= kicks[0]) & (t < (kicks[1] if len(kicks) > 1 else t[-1] + 1))
        start = identify_from_kick(t[first], phi[first], kicks[0])
    params = lmfit.Parameters()
    params.add("omega0", value=start["omega0"], min=1e-6)
    params.add("eta", value=start["eta"], min=1e-3)
    params.add("nu0", value=start["nu0"])
    result = lmfit.minimize(lambda p: simulate_washboard(p["omega0"].value, p["eta"].value, p["nu0"].value,
                                                         kicks, t) - phi,
                            params, method="least_squares", x_scale="jac", ftol=1e-14, xtol=1e-14, gtol=1e-14)
    v = {k: result.params[k].value for k in ("omega0", "eta", "nu0")}
    err = {k: (result.params[k].stderr if result.params[k].stderr is not None else float("nan")) for k in v}
    span = float(np.ptp(phi)) or 1.0
    return WashboardFit(v["omega0"], v["eta"], v["nu0"], err, float(np.sqrt(np.mean(result.residual**2)) / span))


# --- AFM soliton -------------------------------------------------------------------------------

@dataclass
class SolitonFit:
    """Rest width lambda (nm), limiting speed u (nm/ns = m/s), damping beta (ns/nm^2) and their errors."""

    lam: float
    u: float
    beta: float
    stderr: dict


def fit_lorentz_contraction(v: np.ndarray, width: np.ndarray) -> tuple[float, float, dict]:
    """lambda and u from lambda_v^2 = lambda^2 - (lambda^2 / u^2) v^2 (ordinary least squares)."""
    x, y = np.asarray(v, float) ** 2, np.asarray(width, float) ** 2
    design = np.column_stack([np.ones_like(x), x])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    intercept, slope = coef
    dof = max(len(x) - 2, 1)
    sigma2 = float(np.sum((y - design @ coef) ** 2)) / dof
    cov = sigma2 * np.linalg.inv(design.T @ design)
    lam = math.sqrt(intercept)
    u = math.sqrt(-intercept / slope)
    # error propagation: lam = sqrt(c0), u = sqrt(-c0 / c1)
    j_lam = np.array([0.5 / lam, 0.0])
    j_u = np.array([0.5 * u / intercept, -0.5 * u / slope])
    return lam, u, {"lam": float(math.sqrt(j_lam @ cov @ j_lam)), "u": float(math.sqrt(j_u @ cov @ j_u))}


def fit_free_decay(t: np.ndarray, v: np.ndarray, u: float) -> tuple[float, float]:
    """beta (and its standard error) from ln(v gamma_L) = const - beta u^2 t (least squares)."""
    t, v = np.asarray(t, float), np.asarray(v, float)
    p = v * 1.0 / np.sqrt(1 - (v / u) ** 2)
    fit = np.polyfit(t, np.log(p), 1, cov=True)
    slope, cov = fit[0][0], fit[1]
    return -slope / u**2, math.sqrt(cov[0, 0]) / u**2


def fit_soliton(v_width: np.ndarray, width: np.ndarray, t_decay: np.ndarray, v_decay: np.ndarray) -> SolitonFit:
    """The soliton's (lambda, u, beta): contraction regression, then the free-decay rate."""
    lam, u, err = fit_lorentz_contraction(v_width, width)
    beta, beta_err = fit_free_decay(t_decay, v_decay, u)
    return SolitonFit(lam, u, beta, {**err, "beta": beta_err})


def soliton_decay(v0: float, u: float, beta: float, t: np.ndarray) -> np.ndarray:
    """v(t) of dv/dt = -beta v (u^2 - v^2), exact: p = v gamma_L decays as exp(-beta u^2 t)
    (:func:`fitting.soliton_fit.velocity` without drive)."""
    from spinlif.fitting.soliton_fit import velocity

    return velocity(t, v0, u, beta, 0.0, 0.0)
