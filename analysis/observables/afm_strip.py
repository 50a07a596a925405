# SPDX-License-Identifier: GPL-3.0-or-later
"""Antiferromagnetic-strip observables (physics-brief section 3.1 columns c2-c3, section 4.6).

From the OVF snapshots (sublattice A = cell layer 0, B = layer 1):

* Neel vector n = (m_A - m_B) / 2 and its in-plane angle phi(x, t), unwrapped along x;
* topological charge zeta = (phi(right end) - phi(left end)) / pi, rounded: the net number of walls;
* wall positions X where phi crosses pi/2 + k pi, linearly interpolated between cells (sub-cell);
* the width lambda_v of the wall nearest its previous position from a fit of
  phi = k pi + 2 atan exp((x - X) / lambda_v) over +-6 widths;
* velocity v = dX/dt (central differences of the snapshot positions) and the Lorentz factor
  gamma_L = 1 / sqrt(1 - v^2/u^2) with the strip's u (:func:`spinlif.devices.afm_strip.sine_gordon_parameters`);
* for the wall runs: ``wall_left_strip`` with the time when the wall came within 2 lambda of an
  open end, vanished, or changed its charge (a kink reflects from a free end as an antikink);
  the motion after that time is not used (steady velocity, width) and the run is not fitted.

For uniform strips (n_walls = 0; the AFM neuron, parameter set N): the mean Neel angle phi(t) from
the table's sublattice averages, and whether and when |phi - phi(0)| first exceeded pi/2 (a spike).

From the table: E_total (J) and maxTorque (T); the summary gives the free energy F = E_total at the
end and per unit strip width (J/m, the sine-Gordon energy of :func:`analysis.theory.sine_gordon_lattice`),
for the mu(w) runs of seed 000 Fig. 3; F(N) - F(0) per winding and mu = dF/dN come from the
aggregated runs (:func:`winding_energies`).
Output tables use nm and ns (spinlif.units); inputs are SI.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import xarray as xr

from spinlif.devices.afm_strip import sine_gordon_parameters
from spinlif.units import m_to_nm, s_to_ns


def neel_angle(frame: np.ndarray) -> np.ndarray:
    """Unwrapped in-plane angle phi(x) (rad) of n = (m_A - m_B)/2 from one snapshot (z, y, x, 3)."""
    n = 0.5 * (frame[0, 0] - frame[1, 0])
    return np.unwrap(np.arctan2(n[:, 1], n[:, 0]))


def wall_positions(x: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """x where phi crosses pi/2 + k pi (any k), linearly interpolated between cells (units of x)."""
    shifted = (phi - math.pi / 2) / math.pi
    k0, k1 = np.floor(shifted[:-1]), np.floor(shifted[1:])
    out = []
    for i in np.flatnonzero(k0 != k1):
        level = max(k0[i], k1[i])  # the crossed half-integer level
        a, b = shifted[i] - level, shifted[i + 1] - level
        out.append(x[i] + a / (a - b) * (x[i + 1] - x[i]))
    return np.asarray(out)


def fit_wall_width(x: np.ndarray, phi: np.ndarray, centre: float, guess: float, half_window: float) -> float:
    """lambda_v (units of x) from phi = phi0 + s 2 atan exp((x - X) / lambda_v) near ``centre``."""
    from scipy.optimize import curve_fit

    near = np.abs(x - centre) < half_window
    if np.count_nonzero(near) < 5:
        return float("nan")
    xs, ps = x[near], phi[near]
    base = math.pi * math.floor((np.interp(centre, x, phi) - math.pi / 2) / math.pi + 1e-12)
    sign = 1.0 if ps[-1] >= ps[0] else -1.0

    def profile(xx, X, lam):
        return base + (sign * 2 * np.arctan(np.exp((xx - X) / lam)) if sign > 0
                       else math.pi - 2 * np.arctan(np.exp((xx - X) / lam)))

    try:
        (X, lam), _ = curve_fit(profile, xs, ps, p0=(centre, guess),
                                bounds=([xs[0], guess / 20], [xs[-1], 20 * guess]))
    except RuntimeError:
        return float("nan")
    return float(lam)


def compute(ds: xr.Dataset, settings: dict) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Observables of one AFM-strip run: (time series, per-snapshot wall table, summary)."""
    spec = json.loads(ds.attrs["spec"])
    sg = sine_gordon_parameters(spec)
    g = spec["geometry"]
    n_walls0 = spec["initial_state"]["n_walls"]

    t = ds["t"].values
    series = pd.DataFrame({"t_ns": s_to_ns(t)})
    series["i"] = ds["J"].sel(component="z").values / spec["drive"]["J0"] if "J" in ds else np.nan
    for name in ("E_total", "maxTorque"):
        if name in ds:
            series[name] = ds[name].values
    m = ds["m_layer"].values if "m_layer" in ds else None
    if m is not None:
        n = 0.5 * (m[:, 0] - m[:, 1])
        series["n_x"], series["n_y"], series["m_z"] = n[:, 0], n[:, 1], 0.5 * (m[:, 0, 2] + m[:, 1, 2])
        # the mean Neel angle: the state of the AFM neuron (uniform strips, seed 000 Eq. 4)
        series["phi_rad"] = np.unwrap(np.arctan2(n[:, 1], n[:, 0]))

    snap = ds["m_snapshot"]
    x = snap["x"].values
    rows, X_prev = [], spec["initial_state"]["wall_position"] if n_walls0 == 1 else None
    for it, ts in enumerate(snap["t_snap"].values):
        phi = neel_angle(snap.isel(t_snap=it).values)
        zeta = int(round((phi[-1] - phi[0]) / math.pi))
        walls = wall_positions(x, phi)
        X = lam_v = float("nan")
        if len(walls) and X_prev is not None:
            X = float(walls[np.argmin(np.abs(walls - X_prev))])
            lam_v = fit_wall_width(x, phi, X, sg.lam, settings["width_fit_half_widths"] * sg.lam)
            X_prev = X
        rows.append({"t_ns": s_to_ns(float(ts)), "zeta": zeta, "n_walls": len(walls),
                     "X_nm": m_to_nm(X), "width_nm": m_to_nm(lam_v)})
    snaps = pd.DataFrame(rows, columns=["t_ns", "zeta", "n_walls", "X_nm", "width_nm"])
    tt = snaps.t_ns.to_numpy()
    v = np.gradient(snaps.X_nm.to_numpy(), tt) if len(snaps) > 2 else np.full(len(snaps), np.nan)
    snaps["v_m_s"] = v  # nm/ns = m/s
    beta = np.clip(np.abs(v) / sg.u, 0, 0.999999)
    snaps["gamma_L"] = 1 / np.sqrt(1 - beta**2)

    summary: dict = {"run_id": ds.attrs["run_id"], "n_walls_initial": n_walls0,
                     "lambda_nm": m_to_nm(sg.lam), "u_m_s": sg.u, "eps": sg.eps, "omega_g_per_ns": sg.omega_g * 1e-9,
                     "zeta_final": int(snaps.zeta.iloc[-1]) if len(snaps) else 0}
    if n_walls0 == 1:
        # the wall is lost when it comes within 2 lambda of an end of an open strip, when no wall is
        # left, or when the charge changed (a sine-Gordon kink reflects from a free end as an antikink)
        zeta0 = int(snaps.zeta.iloc[0]) if len(snaps) else 0
        near_end = (m_to_nm(g["length"] / 2 - 2 * sg.lam) < np.abs(snaps.X_nm)) if not g["periodic"] else False
        lost = snaps.t_ns[(snaps.zeta != zeta0) | snaps.X_nm.isna() | near_end]
        summary["wall_left_strip"] = bool(len(lost))
        summary["t_wall_left_ns"] = float(lost.iloc[0]) if len(lost) else float("nan")
        ok = (snaps.t_ns < summary["t_wall_left_ns"]) if len(lost) else snaps.t_ns >= 0
        tail = ok & (snaps.t_ns >= snaps.t_ns.max() * (1 - settings["steady_fraction"]))
        summary["v_initial_m_s"] = float(v[1]) if len(v) > 2 else float("nan")
        summary["v_steady_m_s"] = float(np.mean(v[tail.to_numpy()])) if tail.any() else float("nan")
        summary["width_steady_nm"] = float(snaps.width_nm[tail].mean()) if tail.any() else float("nan")
        summary["X_final_nm"] = float(snaps.X_nm[ok].iloc[-1]) if ok.any() else float("nan")
    if n_walls0 == 0 and "phi_rad" in series:
        # the neuron fires when the Neel vector crosses the barrier, |phi - phi(0)| = pi/2
        swing = np.abs(series.phi_rad - series.phi_rad.iloc[0])
        crossed = series.t_ns[swing > math.pi / 2]
        summary["phi_max_abs_rad"] = float(swing.max())
        summary["fired"] = bool(len(crossed))
        summary["t_first_spike_ns"] = float(crossed.iloc[0]) if len(crossed) else float("nan")
    if "E_total" in series:
        F = float(series.E_total.iloc[-1])
        summary["F_final_J"] = F
        summary["F_per_width_J_m"] = F / g["cell"][1]  # the sine-Gordon energy per unit width (y)
        summary["max_torque_final_T"] = float(series.maxTorque.iloc[-1]) if "maxTorque" in series else float("nan")
        summary["wall_density_w"] = n_walls0 * sg.lam / g["length"]
        # the exact static sine-Gordon energy of N walls in this strip (periodic strips only)
        stiffness, anisotropy = 2 * spec["material"]["Aex"] * g["cell"][2], 2 * spec["material"]["K_easy"] * g["cell"][2]
        summary["sg_stiffness_J_m"] = stiffness
        summary["sg_anisotropy_J_m2"] = anisotropy
        summary["strip_length_nm"] = m_to_nm(g["length"])
        if g["periodic"]:
            from spinlif.analysis.theory import sine_gordon_lattice

            summary["F_exact_minus_uniform_J_m"] = (
                n_walls0 * sine_gordon_lattice(g["length"] / n_walls0, sg.lam, stiffness, anisotropy)["energy_per_wall"]
                if n_walls0 else 0.0)
    return series, snaps, summary


def winding_energies(summaries: pd.DataFrame) -> pd.DataFrame:
    """F(N) - F(0) per unit width (J/m), per winding, and mu = dF/dN at the midpoints of
    neighbouring N (J/m) from the relaxed periodic strips of one length. ``summaries`` has the
    columns n_walls_initial, F_per_width_J_m and wall_density_w of these runs."""
    s = summaries.sort_values("n_walls_initial")
    if 0 not in set(s.n_walls_initial):
        raise ValueError("winding_energies needs the N = 0 strip (the uniform reference state)")
    F0 = float(s.F_per_width_J_m[s.n_walls_initial == 0].iloc[0])
    out = pd.DataFrame({"n_walls": s.n_walls_initial.to_numpy(), "w": s.wall_density_w.to_numpy(),
                        "dF_J_m": s.F_per_width_J_m.to_numpy() - F0})
    with np.errstate(invalid="ignore", divide="ignore"):
        out["F_per_winding_J_m"] = np.where(out.n_walls > 0, out.dF_J_m / out.n_walls, np.nan)
    n, f = out.n_walls.to_numpy(float), out.dF_J_m.to_numpy()
    mu = np.full(len(out), np.nan)
    mu[1:] = np.diff(f) / np.diff(n)           # mu at the midpoint N between neighbours
    out["mu_J_m"] = mu
    out["mu_at_n"] = np.concatenate([[np.nan], 0.5 * (n[1:] + n[:-1])])
    return out
