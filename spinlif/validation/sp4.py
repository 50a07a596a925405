# SPDX-License-Identifier: GPL-3.0-or-later
"""muMAG standard problem 4 (physics-brief section 5 V1): relax the S state of a 500 x 125 x 3 nm^3
permalloy film, then reverse it in field 1 or field 2 for 1 ns. Two runs (one per field); the
relaxed state is the first table row of each."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from spinlif.mx3_format import si
from spinlif.units import MU0
from spinlif.validation.common import Evaluation, mean_vector, scaled_grid

TEMPLATE = "validation/sp4.mx3.j2"
RUNS = ("field1", "field2")


def derive(setup: dict, run: str, cell_scale: float) -> dict:
    grid = scaled_grid(setup["grid"], cell_scale)
    cell = [setup["size"][k] / grid[k] for k in range(3)]
    return {"grid": grid, "cell": cell, "field": list(setup["fields"][run]),
            "gamma_LL": setup["gamma_mu0"] / MU0, "total_time": setup["run_time"]}


def template_context(problem: dict) -> dict:
    s, d = problem["setup"], problem["derived"]
    return {
        "grid": d["grid"], "cell": [si(c) for c in d["cell"]], "Ms": si(s["Ms"]), "Aex": si(s["Aex"]),
        "alpha": si(s["alpha"]), "gamma_LL": si(d["gamma_LL"]), "gamma_mu0": si(s["gamma_mu0"]),
        "m_start": [si(v) for v in s["m_start"]], "field": [si(v) for v in d["field"]],
        "table_period": si(s["table_period"]), "snapshot_period": si(s["snapshot_period"]),
        "run_time": si(s["run_time"]),
    }


def _first_zero_crossing(t, mx) -> float:
    """First time <m_x> crosses 0 downwards (s), linear interpolation; nan if it never does."""
    idx = np.nonzero((mx[:-1] > 0) & (mx[1:] <= 0))[0]
    if not len(idx):
        return float("nan")
    i = idx[0]
    return float(t[i] + (t[i + 1] - t[i]) * mx[i] / (mx[i] - mx[i + 1]))


def evaluate(problems: dict, sim_dirs: dict, references: dict) -> Evaluation:
    import matplotlib.pyplot as plt

    from spinlif.analysis.ovf import read_ovf_array, read_ovf_header
    from spinlif.analysis.table import read_table

    values, notes, traces, images = {}, {}, {}, {}
    for run in RUNS:
        df = read_table(Path(sim_dirs[run]) / "table.txt")
        t, m = df["t"].to_numpy(float), mean_vector(df)
        if run == "field1":
            values["relaxed_m"] = m[0].tolist()
        values[f"{run}_m_1ns"] = m[-1].tolist()
        crossing = _first_zero_crossing(t, m[:, 0])
        values[f"{run}_mx_zero_crossing"] = crossing * 1e9
        traces[run] = (t, m)
        snaps = sorted(Path(sim_dirs[run]).glob("m*.ovf"))
        if snaps and math.isfinite(crossing):
            times = [read_ovf_header(p).time for p in snaps]
            nearest = int(np.argmin(np.abs(np.asarray(times) - crossing)))
            images[run] = (times[nearest], read_ovf_array(snaps[nearest])[0])
            notes[f"{run}_mx_zero_crossing"] = (f"image at t = {times[nearest] * 1e9:.3f} ns "
                                                f"({snaps[nearest].name}) in {run}.png panel")

    fig, axes = plt.subplots(2, 2, figsize=(11, 6.5), constrained_layout=True)
    for col, run in enumerate(RUNS):
        ax = axes[0, col]
        t, m = traces[run]
        ref = references.get(f"{run}_m_1ns")
        for k, c in enumerate("xyz"):
            ax.plot(t * 1e9, m[:, k], label=f"<m_{c}>")
        if ref is not None:
            ax.plot([1.0] * 3, ref, "k+", ms=10, label="reference (1 ns)")
        ax.axvline(values[f"{run}_mx_zero_crossing"], color="0.6", lw=0.8, ls="--")
        ax.set(xlabel="t (ns)", ylabel="<m>", title=f"SP4 {run}")
        ax.legend(fontsize=8)
        ax = axes[1, col]
        if run in images:
            t_img, arr = images[run]
            mxy = arr[0]
            ax.imshow(mxy[..., 0], origin="lower", cmap="RdBu", vmin=-1, vmax=1, aspect="equal")
            step = max(1, mxy.shape[1] // 32)
            yy, xx = np.mgrid[0:mxy.shape[0]:step, 0:mxy.shape[1]:step]
            ax.quiver(xx, yy, mxy[::step, ::step, 0], mxy[::step, ::step, 1], scale=40, width=0.002)
            ax.set(title=f"m at t = {t_img * 1e9:.3f} ns (first <m_x> = 0), colour m_x", xticks=[], yticks=[])
        else:
            ax.axis("off")
    return Evaluation(values, notes, fig)
