# SPDX-License-Identifier: GPL-3.0-or-later
"""What the (Ta/CoFeB)_n multilayer tracks share: the domain-wall and skyrmion devices differ only
in their initial texture, their table columns and their template's outputs.

* the stack (physics-brief section 1 rows 3-4, section 2): contiguous, spacers, or the effective
  medium of set E with Ms, A, K, D scaled by f = t_fm / p;
* the template context (grid, regions, material, the spin-Hall torque, the drive segments);
* the CPU-engine model (demag, MuMax3's exchange + DMI kernel with the interlayer exchange,
  uniaxial anisotropy, MuMax3's Slonczewski SOT).
"""

from __future__ import annotations

import copy


from spinlif.parameter_sets import PARAMETER_SETS
from spinlif.render import drive_segments, si
from spinlif.spec import (check_inside, check_stack, check_track, current_direction, spin_polarisation_y,
                          stack_layout, track_grid_shape)

def multilayer_parameter_set(name: str, dmi: float) -> dict:
    """The ``material`` and ``stack`` sections of set S, P, R or E with this device's DMI."""
    if name not in PARAMETER_SETS:
        raise KeyError(f"param_set = {name!r}: allowed are {', '.join(sorted(PARAMETER_SETS))}")
    preset = copy.deepcopy(PARAMETER_SETS[name])
    preset["material"].setdefault("Dind", dmi)
    return preset


def check_multilayer(spec: dict) -> None:
    """Whole cells along the track, one cell per layer and spacer."""
    check_track(spec)
    check_stack(spec)


def check_position(spec: dict, key: str, x: float, y: float | None = None) -> None:
    """An initial texture position must lie on the track."""
    g = spec["geometry"]
    check_inside(spec, f"initial_state.{key}", x, g["length"] / 2, "x")
    if y is not None:
        check_inside(spec, f"initial_state.{key}", y, g["width"] / 2, "y")


def grid_shape(spec: dict) -> tuple[int, int, int]:
    """(nx, ny, nz): cells along the track, across it, and the stack's cell layers."""
    return track_grid_shape(spec)


def describe_stack(spec: dict) -> dict:
    """Readable sweep-table columns of a multilayer run (nm, ns)."""
    d = spec["drive"]
    return {
        "param_set": spec["param_set"], "n_layers": spec["stack"]["n_layers"],
        "drive_protocol": d["protocol"],
        "amplitude": 0.0 if d["protocol"] == "relaxation" else d["amplitude"],
        "t_on_ns": round(d["t_on"] * 1e9, 6), "t_off_ns": round(d["t_off"] * 1e9, 6),
        "duration_ns": round(d["duration"] * 1e9, 6),
    }


def effective_material(spec: dict) -> dict:
    """Material of the simulated cells: scaled by f for the effective medium (set E), else as given."""
    f = stack_layout(spec).scale
    m = dict(spec["material"])
    for key in ("Ms", "Aex", "Ku1", "Dind"):
        m[key] = m[key] * f
    return m


def stack_context(spec: dict) -> dict:
    """Template values shared by the multilayer templates, numbers formatted for MuMax3."""
    nx, ny, nz = grid_shape(spec)
    layout = stack_layout(spec)
    mat = effective_material(spec)
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
        "initial_state": {k: (si(v) if isinstance(v, (int, float)) else [si(x) for x in v])
                          for k, v in spec["initial_state"].items()},
        "sampling": {"table_period": si(spec["sampling"]["table_period"])},
        "drive": {"protocol": spec["drive"]["protocol"], "J0": si(spec["drive"]["J0"])},
        "segments": drive_segments(spec),
    }


