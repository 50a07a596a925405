# SPDX-License-Identifier: GPL-3.0-or-later
"""DMI standard problem, 2D (physics-brief section 5 V3): a skyrmion in a 100 nm disk, no demag,
minimised from a +z core of radius 25 nm; reference radius (m_z = 0) 22.03 nm, |m_z| at the rim
0.7605 (radial ODE of Cortes-Ortuno et al. 2018)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from spinlif.mx3_format import si
from spinlif.validation.common import Evaluation

TEMPLATE = "validation/dmi_2d.mx3.j2"
RUNS = ("relaxed",)


def derive(setup: dict, run: str, cell_scale: float) -> dict:
    cell = [setup["cell"][0] * cell_scale, setup["cell"][1] * cell_scale, setup["thickness"]]
    n = round(setup["diameter"] / cell[0])
    return {"grid": [n, round(setup["diameter"] / cell[1]), 1], "cell": cell}


def template_context(problem: dict) -> dict:
    s, d = problem["setup"], problem["derived"]
    return {"grid": d["grid"], "cell": [si(c) for c in d["cell"]], "Ms": si(s["Ms"]), "Aex": si(s["Aex"]),
            "Ku1": si(s["Ku1"]), "Dind": si(s["Dind"]), "demag": s["demag"], "diameter": si(s["diameter"]),
            "core_diameter": si(2 * s["core_radius"]), "core_radius_nm": si(round(s["core_radius"] * 1e9, 6))}


def cell_radii(problem: dict) -> np.ndarray:
    """Distance (m) of every cell centre from the disk centre, shape (nx, ny) (mesh-centred, as MuMax3)."""
    d = problem["derived"]
    (nx, ny, _), (cx, cy, _) = d["grid"], d["cell"]
    x = (np.arange(nx) + 0.5) * cx - nx * cx / 2
    y = (np.arange(ny) + 0.5) * cy - ny * cy / 2
    return np.hypot(x[:, None], y[None, :])


def radial_profile(problem: dict, m: np.ndarray):
    """(r, m_z) of the magnetic cells, r in m; ``m`` as read from OVF, shape (1, ny, nx, 3)."""
    r = cell_radii(problem).T  # (ny, nx) like the OVF array
    mz = m[0, ..., 2].astype(float)
    magnetic = np.linalg.norm(m[0], axis=-1) > 0
    return r[magnetic], mz[magnetic]


def rim_value(problem: dict, m: np.ndarray) -> float:
    """m_z at the rim, where the staircase boundary is flat: along the two rows and two columns
    through the centre, a quadratic through the three outermost cells extrapolated to r = R;
    mean of the 8 ends (the same method as dmi_1d's edge value)."""
    from spinlif.validation.dmi_1d import edge_value

    d = problem["derived"]
    (nx, ny, _), (cx, cy, _) = d["grid"], d["cell"]
    rim = problem["setup"]["diameter"] / 2
    x = (np.arange(nx) + 0.5) * cx - nx * cx / 2
    y = (np.arange(ny) + 0.5) * cy - ny * cy / 2
    ends = []
    for j in (ny // 2 - 1, ny // 2):      # rows through the centre: the rim at x = +-R
        row = m[0, j, :, 2].astype(float)
        inside = np.linalg.norm(m[0, j], axis=-1) > 0
        ends += [edge_value(x[inside], row[inside], -rim), edge_value(x[inside], row[inside], rim)]
    for i in (nx // 2 - 1, nx // 2):      # columns: the rim at y = +-R
        col = m[0, :, i, 2].astype(float)
        inside = np.linalg.norm(m[0, :, i], axis=-1) > 0
        ends += [edge_value(y[inside], col[inside], -rim), edge_value(y[inside], col[inside], rim)]
    return float(np.mean(ends))


def evaluate(problems: dict, sim_dirs: dict, references: dict) -> Evaluation:
    import matplotlib.pyplot as plt

    from spinlif.analysis.ovf import read_ovf_array

    problem = problems["relaxed"]
    s = problem["setup"]
    m, _ = read_ovf_array(Path(sim_dirs["relaxed"]) / "m000000.ovf")
    r, mz = radial_profile(problem, m)
    rim = s["diameter"] / 2
    bin_width = problem["derived"]["cell"][0] / 2
    edges = np.arange(0, rim + bin_width, bin_width)
    which = np.digitize(r, edges) - 1
    centres, means = [], []
    for k in range(len(edges) - 1):
        sel = which == k
        if sel.any():
            centres.append(r[sel].mean())
            means.append(mz[sel].mean())
    centres, means = np.asarray(centres), np.asarray(means)
    sign = np.sign(means[0])
    crossing = np.nonzero(np.sign(means[:-1]) == sign)[0]
    k = next(i for i in crossing if np.sign(means[i + 1]) != sign)
    radius = centres[k] + (centres[k + 1] - centres[k]) * means[k] / (means[k] - means[k + 1])
    rim_mz = rim_value(problem, m)
    values = {"skyrmion_radius": float(radius * 1e9), "edge_abs_mz": abs(rim_mz)}

    fig, (ax, ax_map) = plt.subplots(1, 2, figsize=(11, 4.2), constrained_layout=True)
    ax.plot(r * 1e9, mz, ".", ms=2, color="0.6", label="cells")
    ax.plot(centres * 1e9, means, "-", label="binned")
    ref_r, ref_edge = references.get("skyrmion_radius"), references.get("edge_abs_mz")
    if ref_r is not None:
        ax.plot([ref_r], [0], "r+", ms=12, label="reference radius")
    if ref_edge is not None:
        ax.plot([rim * 1e9], [np.sign(rim_mz) * ref_edge], "rx", ms=10, label="reference rim |m_z|")
    ax.set(xlabel="r (nm)", ylabel="m_z", title="DMI SP 2D: radial profile")
    ax.legend(fontsize=8)
    image = np.where(np.linalg.norm(m[0], axis=-1) > 0, m[0, ..., 2], np.nan)
    ax_map.imshow(image, origin="lower", cmap="RdBu", vmin=-1, vmax=1)
    ax_map.set(title="m_z", xticks=[], yticks=[])
    return Evaluation(values, {}, fig)
