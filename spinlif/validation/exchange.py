# SPDX-License-Identifier: GPL-3.0-or-later
"""Interlayer exchange of the seed-replica stack (``ext_InterExchange``, set S) vs the analytic energy
of uniform layers at a relative angle: E(phi) - E(0) = 2 (2 A_int / dz) S (1 - cos phi) for three
layers (two interfaces) with the middle one rotated (analysis.theory.interlayer_exchange_energy).
Both engines build the coupling with the neuron runs' own code (the template macro and
``stack_exchange_dmi_field``)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from spinlif.mx3_format import si
from spinlif.spec import SpecError
from spinlif.validation.common import Evaluation

TEMPLATE = "validation/interlayer_exchange.mx3.j2"
RUNS = ("energies",)


def derive(setup: dict, run: str, cell_scale: float) -> dict:
    if setup["n_layers"] != 3:
        raise SpecError(f"interlayer_exchange.setup.n_layers = {setup['n_layers']!r}: must be 3 "
                        "(outer layers along z, the middle one rotated)")
    cell = [setup["cell"][0] * cell_scale, setup["cell"][1] * cell_scale, setup["cell"][2]]
    grid = [round(setup["grid_xy"][0] / cell_scale), round(setup["grid_xy"][1] / cell_scale), 3]
    return {"grid": grid, "cell": cell, "layer_cells": [0, 1, 2],
            "area": grid[0] * cell[0] * grid[1] * cell[1]}


def template_context(problem: dict) -> dict:
    s, d = problem["setup"], problem["derived"]
    angles = [{"deg": si(a), "sin": si(math.sin(math.radians(a))), "cos": si(math.cos(math.radians(a)))}
              for a in s["angles_deg"]]
    return {"grid": d["grid"], "cell": [si(c) for c in d["cell"]], "n_layers": s["n_layers"],
            "layer_cells": d["layer_cells"], "Ms": si(s["Ms"]), "Aex": si(s["Aex"]),
            "interlayer_exchange": si(s["interlayer_exchange"]),
            "areal_coupling": si(2 * s["interlayer_exchange"] / d["cell"][2]), "angles": angles}


def evaluate(problems: dict, sim_dirs: dict, references: dict) -> Evaluation:
    import matplotlib.pyplot as plt

    from spinlif.analysis.table import read_table
    from spinlif.analysis.theory import interlayer_exchange_energy

    problem = problems["energies"]
    s, d = problem["setup"], problem["derived"]
    df = read_table(Path(sim_dirs["energies"]) / "table.txt")
    phi = np.radians(np.asarray(s["angles_deg"], dtype=float))
    energy = df["E_exch"].to_numpy(float)
    if len(energy) != len(phi):
        raise ValueError(f"{sim_dirs['energies']}/table.txt has {len(energy)} rows for {len(phi)} angles")
    theory = interlayer_exchange_energy(phi, s["interlayer_exchange"], d["cell"][2], d["area"], n_interfaces=2)
    scale = float(interlayer_exchange_energy(math.pi, s["interlayer_exchange"], d["cell"][2], d["area"], 2))
    error = np.abs((energy - energy[0]) - theory) / scale
    fig, ax = plt.subplots(figsize=(6, 4), constrained_layout=True)
    ax.plot(np.degrees(phi), (energy - energy[0]) * 1e21, "o", label="engine")
    ps = np.linspace(0, np.pi, 200)
    ax.plot(np.degrees(ps), interlayer_exchange_energy(ps, s["interlayer_exchange"], d["cell"][2], d["area"], 2)
            * 1e21, "k-", lw=1, label="2 (2 A_int / dz) S (1 - cos phi)")
    ax.set(xlabel="phi (deg)", ylabel="E(phi) - E(0) (zJ)", title="Interlayer exchange, set S")
    ax.legend(fontsize=8)
    return Evaluation({"energy_max_relative_error": float(error.max())}, {}, fig)
