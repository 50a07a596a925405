# SPDX-License-Identifier: GPL-3.0-or-later
"""Domain-wall neuron observables (physics-brief section 3.1 column a).

* mean m_z over the magnetic cells and per layer (from the table, 10 ps resolution);
* wall position from the mean: for an up (left) | down (right) wall on a track of length L,
  x_DW = <m_z> L / 2 (mesh-centred), the membrane-potential form of section 4.3;
* wall position and tilt per layer from the m_z = 0 crossing of every row y (from snapshots);
* MTJ resistance (seed Eq. 2) and read voltage (Eq. 3) for the whole track (table) and the
  right-quarter footprint (snapshots), and the parallel-conduction resistance (Eq. 4);
* threshold-crossing times of <m_z> and of V_out.

Output tables use nm and ns (spinlif.units); inputs are SI.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import xarray as xr

from spinlif.analysis.mtj import mtj_resistance, parallel_conduction_resistance, read_voltage
from spinlif.units import m_to_nm, s_to_ns



def first_crossing_time(t: np.ndarray, u: np.ndarray, threshold: float) -> float:
    """First time (units of ``t``) at which ``u`` rises through ``threshold``, linearly
    interpolated between samples; NaN if it never does. A series that starts at or above
    the threshold crosses at t[0]."""
    t, u = np.asarray(t, float), np.asarray(u, float)
    above = u >= threshold
    if not above.any():
        return float("nan")
    k = int(np.argmax(above))
    if k == 0:
        return float(t[0])
    t0, t1, u0, u1 = t[k - 1], t[k], u[k - 1], u[k]
    return float(t0 + (threshold - u0) * (t1 - t0) / (u1 - u0))


def zero_crossings_per_row(mz: np.ndarray, x: np.ndarray, x_guess: float) -> np.ndarray:
    """x of the m_z = 0 crossing in every row of ``mz`` (shape (ny, nx)), linearly interpolated.

    Where a row crosses zero several times, the crossing nearest ``x_guess`` is taken; rows with
    no crossing give NaN (the wall has left the track or the row is empty).
    """
    s = np.sign(mz)
    change = (s[:, :-1] * s[:, 1:] < 0) | ((s[:, :-1] != 0) & (s[:, 1:] == 0))
    out = np.full(mz.shape[0], np.nan)
    for row in range(mz.shape[0]):
        idx = np.flatnonzero(change[row])
        if idx.size == 0:
            continue
        a, b = mz[row, idx], mz[row, idx + 1]
        xs = x[idx] + a / (a - b) * (x[idx + 1] - x[idx])
        out[row] = xs[np.argmin(np.abs(xs - x_guess))]
    return out


def wall_in_layer(mz: np.ndarray, x: np.ndarray, y: np.ndarray, x_guess: float) -> tuple[float, float, float]:
    """(mean wall position, tilt in degrees, fraction of rows with a wall) of one layer.

    The tilt is the angle between the wall and the y axis from a straight-line fit x(y) of
    the per-row crossings (positive: the wall leans towards +x at +y).
    """
    xs = zero_crossings_per_row(mz, x, x_guess)
    ok = np.isfinite(xs)
    if ok.sum() == 0:
        return float("nan"), float("nan"), 0.0
    position = float(xs[ok].mean())
    tilt = float(np.degrees(np.arctan(np.polyfit(y[ok], xs[ok], 1)[0]))) if ok.sum() >= 3 else float("nan")
    return position, tilt, float(ok.mean())


def fit_wall_profile(x: np.ndarray, mz: np.ndarray) -> tuple[float, float]:
    """(centre, Delta) in the units of ``x`` from a fit of m_z = -tanh((x - x0) / Delta) to one
    row of an up (left) | down (right) wall: the Bloch profile of a 1D wall."""
    from scipy.optimize import curve_fit

    x, mz = np.asarray(x, float), np.asarray(mz, float)
    x0 = x[np.argmin(np.abs(mz))]
    span = x[-1] - x[0]
    (centre, delta), _ = curve_fit(lambda xx, c, d: -np.tanh((xx - c) / d), x, mz,
                                   p0=(x0, span / 50), bounds=([x[0], 1e-3 * span / len(x)], [x[-1], span]))
    return float(centre), float(delta)


def compute(ds: xr.Dataset, settings: dict) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Observables of one domain-wall run: (time series, per-snapshot per-layer table, summary)."""
    spec = json.loads(ds.attrs["spec"])
    length = spec["geometry"]["length"]
    J0 = spec["drive"]["J0"]
    R_P, R_AP = settings["R_P"], settings["R_AP"]
    mp = np.asarray(settings["reference_direction"], float)
    mp = mp / np.linalg.norm(mp)
    threshold = settings["threshold_mz"]

    t = ds["t"].values
    m = ds["m"].values  # (t, 3)
    series = pd.DataFrame({"t_ns": s_to_ns(t)})
    series["i"] = ds["J"].sel(component="z").values / J0 if "J" in ds else np.nan
    series["mz"] = m[:, 2]
    if "m_layer" in ds:
        for k in ds["layer"].values:
            series[f"mz_layer{int(k)}"] = ds["m_layer"].sel(layer=k, component="z").values
    series["x_wall_nm"] = m_to_nm(m[:, 2] * length / 2)
    R_whole = mtj_resistance(m @ mp, R_P, R_AP)
    series["R_whole_track_ohm"] = R_whole
    series["V_out_whole_track_V"] = read_voltage(R_whole, settings["R_read"], settings["V_read"])

    # threshold in voltage: the V_out of a junction at <m_z> = threshold
    R_th = mtj_resistance(np.array([0.0, 0.0, threshold]) @ mp, R_P, R_AP)
    V_th = float(read_voltage(R_th, settings["R_read"], settings["V_read"]))
    # V_out grows with R, and R grows with m_z when (R_AP - R_P) * (-m_p,z) > 0 (m_p = -z: it does)
    rising_v = float(np.sign(-mp[2] * (R_AP - R_P))) or 1.0

    summary = {
        "run_id": ds.attrs["run_id"],
        "mz_initial": float(m[0, 2]),
        "mz_final": float(m[-1, 2]),
        "mz_max": float(m[:, 2].max()),
        "x_wall_initial_nm": float(series["x_wall_nm"].iloc[0]),
        "threshold_mz": float(threshold),
        "t_threshold_ns": first_crossing_time(series["t_ns"], series["mz"], threshold),
        "V_th_V": V_th,
        "t_V_threshold_whole_track_ns": first_crossing_time(
            series["t_ns"], rising_v * series["V_out_whole_track_V"], rising_v * V_th),
        "R_whole_track_min_ohm": float(np.min(R_whole)),
        "R_whole_track_max_ohm": float(np.max(R_whole)),
    }

    rows = []
    if "m_snapshot" in ds:
        snap = ds["m_snapshot"]
        x, y = snap["x"].values, snap["y"].values
        quarter = x >= x.max() - length / 4 + (x[1] - x[0]) / 2 if len(x) > 1 else np.ones_like(x, bool)
        layer_cells = _layer_cells(spec, snap.sizes["z"])
        for it, ts in enumerate(snap["t_snap"].values):
            frame = snap.isel(t_snap=it).values  # (z, y, x, 3)
            proj = frame @ mp  # (z, y, x)
            mag = np.linalg.norm(frame, axis=-1) > 0.5
            proj = np.where(mag, proj, np.nan)
            rq = proj[:, :, quarter]
            R_q = mtj_resistance(np.nanmean(rq), R_P, R_AP)
            R_par = parallel_conduction_resistance(proj, R_P, R_AP)
            mz_t = float(np.interp(ts, t, m[:, 2]))
            for k, iz in enumerate(layer_cells, start=1):
                pos, tilt, frac = wall_in_layer(frame[iz, :, :, 2], x, y, mz_t * length / 2)
                rows.append({"t_ns": s_to_ns(float(ts)), "layer": k, "wall_position_nm": m_to_nm(pos),
                             "wall_tilt_deg": tilt, "rows_with_wall": frac,
                             "R_right_quarter_ohm": float(R_q),
                             "V_out_right_quarter_V": float(read_voltage(R_q, settings["R_read"],
                                                                          settings["V_read"])),
                             "R_parallel_conduction_ohm": float(R_par)})
    snaps = pd.DataFrame(rows, columns=["t_ns", "layer", "wall_position_nm", "wall_tilt_deg",
                                        "rows_with_wall", "R_right_quarter_ohm", "V_out_right_quarter_V",
                                        "R_parallel_conduction_ohm"])
    if len(snaps):
        last = snaps[snaps.t_ns == snaps.t_ns.max()]
        summary["wall_position_final_nm"] = float(last.wall_position_nm.mean())
        summary["wall_tilt_final_deg"] = float(last.wall_tilt_deg.mean())
        summary["wall_left_track"] = bool(last.rows_with_wall.max() == 0)
        q = snaps.groupby("t_ns").V_out_right_quarter_V.first()
        summary["t_V_threshold_right_quarter_ns"] = first_crossing_time(
            q.index.values, rising_v * q.values, rising_v * V_th)
    return series, snaps, summary


def _layer_cells(spec: dict, nz: int) -> list[int]:
    """z indices of the magnetic layers in the snapshot grid."""
    if spec["stack"]["variant"] == "spacers":
        return list(range(0, nz, 2))
    return list(range(nz))
