# SPDX-License-Identifier: GPL-3.0-or-later
"""(Ta/CoFeB)_n domain-wall nanotrack (seed 001 section II A; physics-brief section 3.1 column a)."""

from __future__ import annotations

import math

import numpy as np

from spinlif.render import si
from spinlif.spec import (current_direction, drive_schedule, grid_shape, spin_polarisation_y,
                          stack_layout, wall_mx_at_centre)

TEMPLATE = "dw_track.mx3.j2"


def effective_material(spec: dict) -> dict:
    """Material of the simulated cells: scaled by f for the effective medium (set E), else as given."""
    f = stack_layout(spec).scale
    m = dict(spec["material"])
    for key in ("Ms", "Aex", "Ku1", "Dind"):
        m[key] = m[key] * f
    return m


def template_context(spec: dict) -> dict:
    """Values for ``dw_track.mx3.j2``, numbers formatted for MuMax3."""
    nx, ny, nz = grid_shape(spec)
    layout = stack_layout(spec)
    mat = effective_material(spec)
    J0 = spec["drive"]["J0"]
    segments = [
        {"Jz": si(J0 * seg.i), "duration": si(seg.duration), "i": si(seg.i), "save": seg.save,
         "start_ns": si(round(seg.start * 1e9, 6)), "end_ns": si(round(seg.end * 1e9, 6))}
        for seg in drive_schedule(spec)
    ]
    stack = dict(spec["stack"])
    stack["interlayer_exchange"] = si(stack["interlayer_exchange"])
    dz = spec["geometry"]["cell"][2]
    return {
        "param_set": spec["param_set"],
        "grid": {"nx": nx, "ny": ny, "nz": nz},
        "cell": [si(c) for c in spec["geometry"]["cell"][:2]] + [si(layout.dz)],
        "stack": stack,
        "has_interlayer_exchange": spec["stack"]["interlayer_exchange"] != 0,
        "areal_coupling": si(2 * spec["stack"]["interlayer_exchange"] / dz),
        "layout": {"layer_cells": list(layout.layer_cells), "scale": si(layout.scale),
                   "free_layer_thickness": si(layout.free_layer_thickness)},
        "n_regions": len(layout.layer_cells),
        "material": {k: si(v) for k, v in mat.items()},
        "pol": si(abs(spec["material"]["theta_SH"])),
        "p_y": spin_polarisation_y(spec),
        "current_direction": current_direction(spec),
        "wall_mx": si(wall_mx_at_centre(spec)),
        "wall_position_nm": si(round(spec["initial_state"]["wall_position"] * 1e9, 6)),
        "initial_state": {k: si(v) for k, v in spec["initial_state"].items()},
        "sampling": {"table_period": si(spec["sampling"]["table_period"])},
        "drive": {"protocol": spec["drive"]["protocol"], "J0": si(J0)},
        "segments": segments,
    }


def wall_width(spec: dict) -> float:
    """Bloch-wall parameter Delta = sqrt(A / K_eff) (m), thin-film K_eff = Ku - mu0 Ms^2 / 2."""
    m = effective_material(spec)
    k_eff = m["Ku1"] - 4e-7 * math.pi * m["Ms"] ** 2 / 2
    return math.sqrt(m["Aex"] / k_eff) if k_eff > 0 else float("nan")


def initial_magnetisation(spec: dict, x: np.ndarray, y: np.ndarray, z: np.ndarray):
    """Up (left) | Neel wall | down (right) at ``initial_state.wall_position``.

    A tanh profile of width Delta with m_x = -sign(Dind) at the centre: the chirality the DMI
    prefers. The wrong chirality is metastable and unwinds through Bloch lines under current
    (cpu-engine-facts.md, "Pitfall found"). MuMax3 starts from ``TwoDomain`` (a 2-cell wall);
    both relax to the same wall during ``relax_time``.
    """
    delta = wall_width(spec)
    if not math.isfinite(delta):
        delta = 2 * spec["geometry"]["cell"][0]
    theta = 2 * np.arctan(np.exp((x - spec["initial_state"]["wall_position"]) / delta))
    mx = wall_mx_at_centre(spec) * np.sin(theta)
    return mx, np.zeros_like(mx), np.cos(theta)
