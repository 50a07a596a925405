# SPDX-License-Identifier: GPL-3.0-or-later
"""Observables of the single-MTJ Hodgkin-Huxley-analogue neuron (seed 003).

From the table (every ``sampling.table_period``):

* m, its projection on the polariser m.p, the temperature T(t) and polarisation P(t) the script
  advanced (``TableAddVar``), the current density J(t);
* the normalised resistance R_norm = (1 + P^2) / (1 + P^2 m.p) (:func:`spinlif.devices.mtj_hh.
  normalised_resistance`: the sign of seed Eq. 1 corrected, see the device module);
* spikes: R_norm rising through R_P + spike_high (R_AP - R_P), counted once until it falls below
  R_P + spike_low (R_AP - R_P) (hysteresis, so noise on a crossing is one spike); a spike's time is
  the interpolated upward crossing;
* after ``settle_time``: the firing rate (spikes per time, GHz), the inter-spike intervals (ISI),
  their mean and coefficient of variation CV = std / mean, the refractory period (the shortest
  ISI: no spike follows a spike sooner under this drive), and the time to the first spike from t = 0.

The runs of one junction differ by the drive and the ambient temperature T_amb (the sweep table's
``T_amb_K``); :func:`reference_ambient` is the one the fits train at and the figures draw f(J) at.

Outputs use ns and GHz (spinlif.units).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import xarray as xr

from spinlif.devices.mtj_hh import normalised_resistance
from spinlif.units import s_to_ns


def spike_times(t: np.ndarray, r: np.ndarray, high: float, low: float) -> np.ndarray:
    """Times at which ``r`` rises through ``high``, re-armed only after it falls below ``low``.

    Parameters
    ----------
    t : array
        Sample times (any unit; the result has the same).
    r : array
        The signal (here R_norm).
    high, low : float
        Upper (firing) and lower (re-arming) levels, ``low < high``.

    Returns
    -------
    array
        Linearly interpolated upward crossing times of ``high``.

    Example
    -------
    >>> spike_times(np.arange(7.0), np.array([0, 2, 0.9, 2, 0, 2, 0.]), high=1.5, low=0.5).tolist()
    [0.75, 4.75]
    """
    if not low < high:
        raise ValueError(f"spike levels: low = {low!r} must be below high = {high!r}")
    t, r = np.asarray(t, float), np.asarray(r, float)
    out, armed = [], bool(r[0] < high) if len(r) else True
    for k in range(1, len(r)):
        if armed and r[k - 1] < high <= r[k]:
            out.append(t[k - 1] + (high - r[k - 1]) * (t[k] - t[k - 1]) / (r[k] - r[k - 1]))
            armed = False
        elif not armed and r[k] < low:
            armed = True
    return np.asarray(out)


def spike_statistics(spikes: np.ndarray, t_start: float, t_end: float) -> dict:
    """Rate and ISI statistics of spikes in [t_start, t_end] (times in ns).

    Returns
    -------
    dict
        ``n_spikes``, ``rate_GHz`` (spikes / window), ``isi_mean_ns``, ``isi_cv`` (std / mean; NaN for
        fewer than 3 spikes) and ``refractory_ns`` (the shortest ISI).

    Example
    -------
    >>> spike_statistics(np.array([1.0, 2.0, 3.0, 4.0]), 0.0, 4.0)["rate_GHz"]
    1.0
    """
    s = np.asarray(spikes, float)
    s = s[(s >= t_start) & (s <= t_end)]
    isi = np.diff(s)
    return {"n_spikes": int(len(s)), "rate_GHz": len(s) / (t_end - t_start) if t_end > t_start else float("nan"),
            "isi_mean_ns": float(isi.mean()) if len(isi) else float("nan"),
            "isi_cv": float(isi.std() / isi.mean()) if len(isi) >= 2 else float("nan"),
            "refractory_ns": float(isi.min()) if len(isi) else float("nan")}


def reference_ambient(specs: list[dict]) -> float:
    """The reference ambient temperature (K) of one junction's runs: the T_amb with the most DC runs (a
    tie: the one nearest the material's T_ref, then the lower; no DC run: over all runs). The fits train
    there and predict the others; the figures draw the f(J) curve there.

    Parameters
    ----------
    specs : list of dict
        The runs' specs.

    Returns
    -------
    float
        T_amb (K).

    Example
    -------
    >>> spec = lambda T, protocol="dc": {"thermal": {"T_amb": T}, "material": {"T_ref": 300.0},
    ...                                  "drive": {"protocol": protocol}}
    >>> reference_ambient([spec(250.0), spec(300.0), spec(300.0), spec(350.0), spec(350.0, "pulse_train")])
    300.0
    """
    dc = [s["thermal"]["T_amb"] for s in specs if s["drive"]["protocol"] == "dc"] or [
        s["thermal"]["T_amb"] for s in specs]
    t_ref = specs[0]["material"]["T_ref"]
    return min(set(dc), key=lambda T: (-dc.count(T), abs(T - t_ref), T))


def ambient_sweeps(specs: list[dict]) -> dict[float, list[int]]:
    """The DC currents that the runs cover at two or more ambient temperatures.

    Parameters
    ----------
    specs : list of dict
        The runs' specs.

    Returns
    -------
    dict
        J (A/m^2, J_bias + amplitude J0) -> the indices of its DC runs into ``specs``, by rising T_amb.

    Example
    -------
    >>> spec = lambda T, a: {"thermal": {"T_amb": T}, "drive": {"protocol": "dc", "J_bias": 0.0, "J0": 1e10,
    ...                                                         "amplitude": a}}
    >>> ambient_sweeps([spec(300.0, 2.4), spec(350.0, 2.4), spec(250.0, 2.4), spec(300.0, 2.0)])
    {24000000000.0: [2, 0, 1]}
    """
    by_current: dict[float, list[int]] = {}
    for k, s in enumerate(specs):
        d = s["drive"]
        if d["protocol"] == "dc":
            by_current.setdefault(d["J_bias"] + d["amplitude"] * d["J0"], []).append(k)
    return {J: sorted(ks, key=lambda k: specs[k]["thermal"]["T_amb"]) for J, ks in sorted(by_current.items())
            if len({specs[k]["thermal"]["T_amb"] for k in ks}) > 1}


def compute(ds: xr.Dataset, settings: dict) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Observables of one MTJ run: (time series, an empty snapshot table, summary)."""
    spec = json.loads(ds.attrs["spec"])
    p = np.asarray(spec["material"]["n_F"], float)
    p = p / np.linalg.norm(p)
    m = ds["m"].values
    P = ds["P"].values
    series = pd.DataFrame({"t_ns": s_to_ns(ds["t"].values), "mx": m[:, 0], "my": m[:, 1], "mz": m[:, 2]})
    series["m_dot_p"] = m @ p
    series["T_K"] = ds["T"].values
    series["P"] = P
    series["J_Am2"] = ds["J"].sel(component="z").values
    series["R_norm"] = normalised_resistance(series.m_dot_p.to_numpy(), P)
    r_ap = normalised_resistance(-1.0, P)
    span = r_ap - 1.0
    high = 1.0 + settings["spike_high"] * np.median(span)
    low = 1.0 + settings["spike_low"] * np.median(span)
    t = series.t_ns.to_numpy()
    spikes = spike_times(t, series.R_norm.to_numpy(), high, low)
    settle = s_to_ns(settings["settle_time"])
    summary = {"run_id": ds.attrs["run_id"], "R_spike_high": float(high), "R_spike_low": float(low),
               "settle_ns": settle, "t_first_spike_ns": float(spikes[0]) if len(spikes) else float("nan"),
               **spike_statistics(spikes, settle, float(t[-1])),
               "spike_times_ns": [float(s) for s in spikes],
               "R_mean": float(series.R_norm[t >= settle].mean()), "T_mean_K": float(series.T_K[t >= settle].mean()),
               "T_max_K": float(series.T_K.max()), "mz_mean": float(series.mz[t >= settle].mean()),
               "m_dot_p_mean": float(series.m_dot_p[t >= settle].mean())}
    snaps = pd.DataFrame(columns=["t_ns"])
    return series, snaps, summary
