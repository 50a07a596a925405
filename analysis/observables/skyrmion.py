# SPDX-License-Identifier: GPL-3.0-or-later
"""Skyrmion neuron observables (physics-brief section 3.1 column b, section 4.2).

From the OVF snapshots, per magnetic layer (never from ``ext_bubblepos``, which sees layer 0 only):

* topological charge Q (lattice, Berg-Luescher: :mod:`analysis.topology`);
* guiding centre (X, Y) = charge-weighted mean position (robust to edge canting, which carries
  no charge), and its layer average and spread (``snapshots.csv`` rows with layer = 0 are the
  layer average, with the displacement and the integrity flag: the trajectory the fits use);
* radius sqrt(A_rev / pi) from the reversed area A_rev (cells with m_z < 0, the core being -z);
* the run's integrity: a layer with |Q| < ``min_abs_charge`` (0.9) has lost its skyrmion. Such a
  run is flagged ``annihilated`` with the first time it happened (from the 10 ps table column
  ``ext_topologicalcharge`` when it is there, else from the snapshots) and is never fitted.

From the trajectory: displacement x = X - X(0) (the membrane potential of brief section 4.2, nm),
threshold crossings for both conventions (displacement ``threshold_displacement_nm`` and absolute
position ``threshold_absolute_nm``), and the skyrmion Hall angle from the velocity during the
first ON pulse while the skyrmion is away from the lateral edges.
Output tables use nm and ns (spinlif.units); inputs are SI.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import xarray as xr

from spinlif.analysis.observables.domain_wall import first_crossing_time
from spinlif.analysis.topology import guiding_centre, reversed_core
from spinlif.devices._multilayer import stack_layout
from spinlif.units import m_to_nm, s_to_ns


WINDOW_RADII, WINDOW_CELLS = 3.0, 5
"""The charge and guiding centre count plaquettes within 3 R + 5 cells of the reversed core."""


def layer_observables(frame: np.ndarray, x: np.ndarray, y: np.ndarray) -> dict:
    """Q, guiding centre (m) and radius (m) of one layer ``(ny, nx, 3)``.

    The radius is sqrt(A_rev / pi) of the reversed area (m_z < 0); Q and the centre come from
    the plaquettes within 3 R + 5 cells of the core (:func:`analysis.topology.guiding_centre`).
    Without a reversed core, Q is the whole layer's charge and the centre NaN."""
    core = reversed_core(frame[..., 2], x, y)
    if core is None:
        Q, _, _ = guiding_centre(frame, x, y)
        return {"Q": Q, "X": float("nan"), "Y": float("nan"), "radius": 0.0}
    x0, y0, radius = core
    r_window = WINDOW_RADII * radius + WINDOW_CELLS * abs(x[1] - x[0])
    Q, X, Y = guiding_centre(frame, x, y, window=(x0, y0, r_window))
    return {"Q": Q, "X": X, "Y": Y, "radius": radius}


def hall_angle(t: np.ndarray, X: np.ndarray, Y: np.ndarray, on: np.ndarray) -> float:
    """Skyrmion Hall angle (deg) atan2(v_y, v_x) from straight-line fits of X(t), Y(t) over the
    samples flagged ``on`` (the first ON pulse, away from the edges); NaN with fewer than 3."""
    if np.count_nonzero(on) < 3:
        return float("nan")
    vx = np.polyfit(t[on], X[on], 1)[0]
    vy = np.polyfit(t[on], Y[on], 1)[0]
    return float(np.degrees(np.arctan2(vy, vx)))


def compute(ds: xr.Dataset, settings: dict) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Observables of one skyrmion run: (time series, per-snapshot per-layer table, summary)."""
    spec = json.loads(ds.attrs["spec"])
    layout = stack_layout(spec)
    n_layers, J0 = len(layout.layer_cells), spec["drive"]["J0"]
    q_min = settings["min_abs_charge"]

    t = ds["t"].values
    series = pd.DataFrame({"t_ns": s_to_ns(t)})
    series["i"] = ds["J"].sel(component="z").values / J0 if "J" in ds else np.nan
    series["mz"] = ds["m"].values[:, 2]
    if "m_layer" in ds:
        for k in ds["layer"].values:
            series[f"mz_layer{int(k)}"] = ds["m_layer"].sel(layer=k, component="z").values
    if "ext_topologicalcharge" in ds:
        # MuMax3 divides the sum over all cell layers by Nz: per magnetic layer it is Q Nz / n_layers
        series["Q_per_layer_table"] = ds["ext_topologicalcharge"].values * layout.nz / n_layers

    rows = []
    snap = ds["m_snapshot"]
    x, y = snap["x"].values, snap["y"].values
    for it, ts in enumerate(snap["t_snap"].values):
        frame = snap.isel(t_snap=it).values  # (z, y, x, 3)
        for k, iz in enumerate(layout.layer_cells, start=1):
            obs = layer_observables(frame[iz], x, y)
            rows.append({"t_ns": s_to_ns(float(ts)), "layer": k, "Q": obs["Q"],
                         "X_nm": m_to_nm(obs["X"]), "Y_nm": m_to_nm(obs["Y"]),
                         "radius_nm": m_to_nm(obs["radius"])})
    snaps = pd.DataFrame(rows, columns=["t_ns", "layer", "Q", "X_nm", "Y_nm", "radius_nm"])
    traj = snaps.groupby("t_ns").agg(X_nm=("X_nm", "mean"), Y_nm=("Y_nm", "mean"), radius_nm=("radius_nm", "mean"),
                                     Q_min_abs=("Q", lambda q: float(np.min(np.abs(q)))),
                                     X_spread_nm=("X_nm", lambda v: float(np.ptp(v))))
    traj = traj.reset_index()
    intact = traj.Q_min_abs >= q_min
    X0 = float(traj.X_nm.iloc[0])
    traj["x_disp_nm"] = traj.X_nm - X0
    traj["intact"] = intact

    # integrity: the first time any layer lost its skyrmion (table at 10 ps when available)
    lost_snap = traj.t_ns[~intact]
    t_lost = float(lost_snap.iloc[0]) if len(lost_snap) else float("nan")
    if "Q_per_layer_table" in series:
        # the table's Q is a layer average: it drops below q_min when one layer of n goes
        lost_tab = series.t_ns[np.abs(series.Q_per_layer_table) < 1 - (1 - q_min) / n_layers]
        if len(lost_tab):
            t_lost = min(t_lost, float(lost_tab.iloc[0])) if np.isfinite(t_lost) else float(lost_tab.iloc[0])

    # Hall angle: first ON pulse, samples while the skyrmion is clear of the lateral edges
    width_nm = m_to_nm(spec["geometry"]["width"])
    drive_on = np.interp(traj.t_ns, series.t_ns, series.i) != 0 if "i" in series else np.zeros(len(traj), bool)
    first_on = drive_on & (traj.t_ns <= _first_off_time(series))
    clear = (width_nm / 2 - np.abs(traj.Y_nm)) > 2 * traj.radius_nm
    on = (first_on | (traj.t_ns == traj.t_ns.iloc[0])) & clear & intact

    fit_ok = intact.to_numpy()
    summary = {
        "run_id": ds.attrs["run_id"],
        "X_initial_nm": X0,
        "Y_initial_nm": float(traj.Y_nm.iloc[0]),
        "radius_initial_nm": float(traj.radius_nm.iloc[0]),
        "X_final_nm": float(traj.X_nm.iloc[-1]),
        "x_disp_final_nm": float(traj.x_disp_nm.iloc[-1]),
        "x_disp_max_nm": float(traj.x_disp_nm[fit_ok].max()) if fit_ok.any() else float("nan"),
        "Q_min_abs": float(traj.Q_min_abs.min()),
        "layer_spread_max_nm": float(traj.X_spread_nm.max()),
        "annihilated": bool(np.isfinite(t_lost)),
        "t_annihilated_ns": t_lost,
        "skyrmion_hall_deg": hall_angle(traj.t_ns.to_numpy(), traj.X_nm.to_numpy(), traj.Y_nm.to_numpy(),
                                        on.to_numpy()),
        "t_threshold_displacement_ns": first_crossing_time(
            traj.t_ns[fit_ok], traj.x_disp_nm[fit_ok], settings["threshold_displacement_nm"]),
        "t_threshold_absolute_ns": first_crossing_time(
            traj.t_ns[fit_ok], traj.X_nm[fit_ok], settings["threshold_absolute_nm"]),
    }
    # layer 0 = the layer average: the trajectory the fits use
    average = traj.assign(layer=0, Q=snaps.groupby("t_ns").Q.mean().to_numpy())
    snaps = pd.concat([average[["t_ns", "layer", "Q", "X_nm", "Y_nm", "radius_nm", "x_disp_nm", "intact"]], snaps],
                      ignore_index=True)
    return series, snaps, summary


def _first_off_time(series: pd.DataFrame) -> float:
    """The first time (ns) the drive is off after having been on; inf if it never switches off."""
    on = series.i.to_numpy() != 0
    if not on.any():
        return -np.inf
    after = np.flatnonzero(~on & (np.cumsum(on) > 0))
    return float(series.t_ns.iloc[after[0]]) if after.size else np.inf
