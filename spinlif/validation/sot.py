# SPDX-License-Identifier: GPL-3.0-or-later
"""The spin-orbit-torque path of the neuron templates vs the analytic macrospin.

A (Ta/CoFeB)_3 stack of set P (spacers as empty cells) with uniform layers, no anisotropy, no
demag: the Slonczewski term alone rotates every layer towards p. With Lambda = 1 and
EpsilonPrime = 0, m.p(t) = tanh(gamma' a t + atanh(m.p(0))), gamma' = gamma / (1 + alpha^2),
a = hbar Pol J / (2 e Ms t_layer) (analysis.theory.slonczewski_amplitude). Both the MuMax3
template (the ``spin_hall_torque`` macro of the neuron templates) and the CPU engine (its
``slonczewski_sot_field``) run exactly the code the neuron runs use, so a wrong
``FreeLayerThickness`` (MuMax3's default 0 means the whole 4 nm mesh), Pol or Lambda shows up as
a torque efficiency away from 1.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from spinlif.mx3_format import si
from spinlif.devices._multilayer import spin_polarisation_y
from spinlif.units import GAMMA_LL
from spinlif.validation.common import Evaluation

TEMPLATE = "validation/sot_macrospin.mx3.j2"
RUNS = ("torque",)
AEX = 1.5e-11  # irrelevant for uniform layers; MuMax3 wants a value


def derive(setup: dict, run: str, cell_scale: float) -> dict:
    n = setup["n_layers"]
    cell = [setup["cell"][0] * cell_scale, setup["cell"][1] * cell_scale, setup["cell"][2]]
    grid = [round(setup["grid_xy"][0] / cell_scale), round(setup["grid_xy"][1] / cell_scale), 2 * n - 1]
    # current along +x: p = sign(theta_SH) (z x x) = sign(theta_SH) y, as the device templates derive it
    p_y = spin_polarisation_y({"material": {"theta_SH": setup["theta_SH"], "Dind": 0.0},
                               "drive": {"current_direction": "+x"}})
    return {"grid": grid, "cell": cell, "layer_cells": list(range(0, 2 * n - 1, 2)), "p": [0.0, float(p_y), 0.0],
            "total_time": setup["run_time"]}


def template_context(problem: dict) -> dict:
    s, d = problem["setup"], problem["derived"]
    return {"grid": d["grid"], "cell": [si(c) for c in d["cell"]], "n_layers": s["n_layers"],
            "layer_cells": d["layer_cells"], "Ms": si(s["Ms"]), "Aex": si(AEX), "alpha": si(s["alpha"]),
            "pol": si(abs(s["theta_SH"])), "epsilon_prime": si(s["epsilon_prime"]), "p_y": int(d["p"][1]),
            "free_layer_thickness": si(s["free_layer_thickness"]), "m_start": [si(v) for v in s["m_start"]],
            "J": si(s["J"]), "table_period": si(s["table_period"]), "run_time": si(s["run_time"])}


def evaluate(problems: dict, sim_dirs: dict, references: dict) -> Evaluation:
    import matplotlib.pyplot as plt

    from spinlif.analysis.table import read_table
    from spinlif.analysis.theory import macrospin_slonczewski, slonczewski_amplitude

    problem = problems["torque"]
    s, d = problem["setup"], problem["derived"]
    df = read_table(Path(sim_dirs["torque"]) / "table.txt")
    t = df["t"].to_numpy(float)
    p = np.asarray(d["p"])
    a_theory = slonczewski_amplitude(s["J"], s["Ms"], s["cell"][2], abs(s["theta_SH"]))
    g = GAMMA_LL / (1 + s["alpha"] ** 2)
    efficiencies, deviations = [], []
    fig, ax = plt.subplots(figsize=(7, 4), constrained_layout=True)
    for k in range(1, s["n_layers"] + 1):
        m = np.stack([df[f"m.region{k}{c}"].to_numpy(float) for c in "xyz"], axis=-1)
        mp = np.clip(m @ p, -0.999999, 0.999999)
        slope = np.polyfit(t, np.arctanh(mp), 1)[0]
        efficiencies.append(slope / (g * a_theory))
        reference = macrospin_slonczewski(m[0], p, a_theory, s["alpha"], t)
        deviations.append(float(np.max(np.linalg.norm(m - reference, axis=-1))))
        ax.plot(t * 1e9, mp, ".", ms=3, label=f"layer {k}")
    mp0 = float(np.clip(np.asarray(s["m_start"]) / np.linalg.norm(s["m_start"]) @ p, -1, 1))
    ts = np.linspace(0, t[-1], 400)
    ax.plot(ts * 1e9, np.tanh(g * a_theory * ts + math.atanh(mp0)), "k-", lw=1,
            label=f"analytic, a = {a_theory * 1e3:.3f} mT")
    ax.set(xlabel="t (ns)", ylabel="m . p", title="Slonczewski SOT (Lambda = 1) on uniform layers")
    ax.legend(fontsize=8)
    values = {"torque_efficiency": float(np.mean(efficiencies)),
              "trajectory_max_deviation": float(max(deviations))}
    notes = {"torque_efficiency": "per layer: " + ", ".join(f"{e:.5f}" for e in efficiencies)}
    return Evaluation(values, notes, fig)
