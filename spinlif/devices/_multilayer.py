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
from typing import Callable

import numpy as np

from spinlif.parameter_sets import PARAMETER_SETS
from spinlif.render import drive_segments, si
from spinlif.spec import (check_inside, check_stack, check_track, current_direction, spin_polarisation_y,
                          stack_layout, track_grid_shape)

FULL_STACK_MAX_CELLS = 40_000
"""Above this many cells the cpu engine's ``--stack auto`` runs the effective medium (set E)."""


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


def reduced_spec(spec: dict, stack: str) -> tuple[dict, bool]:
    """The spec the cpu engine runs (set E when the stack is reduced) and whether it was reduced."""
    nx, ny, nz = grid_shape(spec)
    variant = spec["stack"]["variant"]
    reduce = variant != "effective_medium" and (
        stack == "effective_medium" or (stack == "auto" and nx * ny * nz > FULL_STACK_MAX_CELLS))
    if not reduce:
        return spec, False
    reduced = copy.deepcopy(spec)
    reduced["stack"]["variant"] = "effective_medium"
    if variant == "contiguous":
        reduced["stack"]["t_spacer"] = 0.0
    return reduced, True


def cpu_multilayer_model(spec: dict, torch, stack: str, J_of_state, initial_magnetisation: Callable,
                         extra_scalars: Callable | None = None):
    """The cpu engine's model of a multilayer track.

    Terms (SI, fields in A/m): demagnetisation (magnum.np ``DemagField``), exchange + interfacial
    DMI as MuMax3's kernel with its DMI boundary condition and ``interlayer_exchange`` between
    adjacent magnetic cells (nothing across empty spacers), uniaxial anisotropy along z, and the
    spin-Hall SOT as MuMax3's Slonczewski term with Lambda = 1. ``initial_magnetisation(spec, x,
    y, z)`` gives the texture on mesh-centred cell centres (m); ``extra_scalars(conservative,
    layout)`` adds table columns after E_demag and E_total.

    Stacks above ``FULL_STACK_MAX_CELLS`` cells (``stack='auto'``) run as the effective medium;
    snapshots are then written back onto the spec's grid (each magnetic layer holds the medium's
    magnetisation, spacers zero) and every per-layer table column holds the medium's average.
    """
    from magnumnp import DemagField, UniaxialAnisotropyField

    from spinlif.engines.cpu import CpuModel, cell_centres, total_energy
    from spinlif.engines.cpu_fields import slonczewski_sot_field, stack_exchange_dmi_field

    sim_spec, reduced = reduced_spec(spec, stack)
    layout, out_layout = stack_layout(sim_spec), stack_layout(spec)
    shape, out_shape = grid_shape(sim_spec), grid_shape(spec)
    dx, dy = spec["geometry"]["cell"][:2]
    cell = (dx, dy, layout.dz)
    mat = effective_material(sim_spec)
    magnetic = torch.zeros(shape, dtype=torch.bool)
    magnetic[:, :, list(layout.layer_cells)] = True
    mask = magnetic.to(torch.float64)
    material = {"Ms": mat["Ms"] * mask, "A": mat["Aex"] * mask, "Ku": mat["Ku1"] * mask,
                "Ku_axis": [0.0, 0.0, 1.0], "Di": mat["Dind"] * mask, "alpha": spec["material"]["alpha"]}
    x, y, z = cell_centres(shape, cell)
    m0 = np.stack(initial_magnetisation(sim_spec, x, y, z), axis=-1)

    Ms = material["Ms"]
    # in the spacer variant no two magnetic cells touch along z, so the coupling acts only in 'contiguous'
    exchange_dmi = stack_exchange_dmi_field(torch, Ms, material["A"], material["Di"], cell,
                                            sim_spec["stack"]["interlayer_exchange"])
    sot = slonczewski_sot_field(
        torch, Ms, [0.0, float(spin_polarisation_y(spec)), 0.0],
        pol=abs(spec["material"]["theta_SH"]), epsilon_prime=spec["material"]["epsilon_prime"],
        free_layer_thickness=layout.free_layer_thickness, mesh_thickness=shape[2] * layout.dz,
        J_of_state=J_of_state)
    conservative = {"demag": DemagField(), "exchange_dmi": exchange_dmi, "anisotropy": UniaxialAnisotropyField()}
    scalars = [("E_demag", "J", lambda state: float(conservative["demag"].E(state))),
               ("E_total", "J", total_energy(conservative))]
    if extra_scalars is not None:
        scalars += extra_scalars(conservative, layout)

    def to_output(m: np.ndarray) -> np.ndarray:
        if not reduced:
            return m
        full = np.zeros(out_shape[::-1] + (3,), dtype=np.float32)
        for iz in out_layout.layer_cells:
            full[iz] = m[0]
        return full

    return CpuModel(
        shape=shape, cell=cell, material=material, magnetic=magnetic, m0=m0,
        conservative=conservative, sot=sot, region_cells=tuple(layout.layer_cells),
        region_repeat=len(out_layout.layer_cells) if reduced else 1,
        scalars=scalars, to_output=to_output, out_cell=(dx, dy, out_layout.dz),
        info={"cpu_stack_model": sim_spec["stack"]["variant"], "stack_reduced_to_effective_medium": reduced})
