# SPDX-License-Identifier: GPL-3.0-or-later
"""DMI standard problem, 1D (physics-brief section 5 V2): a 100 nm interfacial-DMI wire, no demag,
minimised from +z; the free ends cant by theta_edge = asin(D / (2 sqrt(A K))). Periodic along y
(a wire, not a one-cell-wide strip: open y surfaces would add a DMI boundary term of D^2 / A)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from spinlif.mx3_format import si
from spinlif.validation.common import Evaluation

TEMPLATE = "validation/dmi_1d.mx3.j2"
RUNS = ("relaxed",)


def derive(setup: dict, run: str, cell_scale: float) -> dict:
    cell = [setup["cell"][0] * cell_scale, setup["cell"][1] * cell_scale, setup["cell"][2]]
    return {"grid": [round(setup["length"] / cell[0]), 1, 1], "cell": cell}


def template_context(problem: dict) -> dict:
    s, d = problem["setup"], problem["derived"]
    return {"grid": d["grid"], "cell": [si(c) for c in d["cell"]], "Ms": si(s["Ms"]), "Aex": si(s["Aex"]),
            "Ku1": si(s["Ku1"]), "Dind": si(s["Dind"]), "demag": s["demag"]}


def edge_value(x, mz, edge: float) -> float:
    """m_z at ``edge`` from a quadratic through the three cells nearest to it."""
    order = np.argsort(np.abs(x - edge))[:3]
    return float(np.polyval(np.polyfit(x[order], mz[order], 2), edge))


def evaluate(problems: dict, sim_dirs: dict, references: dict) -> Evaluation:
    import matplotlib.pyplot as plt

    from spinlif.analysis.ovf import read_ovf_array
    from spinlif.analysis.theory import dmi_edge_profile_mz

    problem = problems["relaxed"]
    s, d = problem["setup"], problem["derived"]
    m = read_ovf_array(Path(sim_dirs["relaxed"]) / "m000000.ovf")[0][0, 0]  # (nx, 3)
    nx, cx = d["grid"][0], d["cell"][0]
    half = s["length"] / 2
    x = (np.arange(nx) + 0.5) * cx - half
    mz = m[:, 2].astype(float)
    analytic = dmi_edge_profile_mz(half - np.abs(x), s["Aex"], s["Ku1"], s["Dind"])
    centre = np.argsort(np.abs(x))[:2]
    values = {
        "edge_mz": 0.5 * (edge_value(x, mz, -half) + edge_value(x, mz, half)),
        "centre_mz": float(mz[centre].mean()),
        "profile_max_deviation": float(np.max(np.abs(mz - analytic))),
    }
    fig, ax = plt.subplots(figsize=(7, 4), constrained_layout=True)
    xs = np.linspace(-half, half, 801)
    ax.plot(xs * 1e9, dmi_edge_profile_mz(half - np.abs(xs), s["Aex"], s["Ku1"], s["Dind"]), "k-",
            lw=1, label="analytic (Rohart-Thiaville)")
    ax.plot(x * 1e9, mz, "o", ms=3, label="cells")
    ax.plot(x * 1e9, m[:, 0], ".", ms=3, label="m_x cells")
    ref = references.get("edge_mz")
    if ref is not None:
        ax.plot([-half * 1e9, half * 1e9], [ref, ref], "r+", ms=12, label="reference edge m_z")
    ax.set(xlabel="x (nm)", ylabel="m", title=f"DMI SP 1D, cell {cx * 1e9:g} nm")
    ax.legend(fontsize=8)
    return Evaluation(values, {}, fig)
