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
import math
from dataclasses import dataclass

from spinlif.devices._track import check_inside, check_track
from spinlif.drive import drive_segments
from spinlif.errors import SpecError
from spinlif.mx3_format import si
from spinlif.parameter_sets import PARAMETER_SETS


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


# ---------------------------------------------------------------------------------------------
# stack layout and spin-orbit-torque geometry (from spinlif.spec, issue 13)

def check_stack(spec: dict) -> None:
    """One cell per layer and per spacer (multilayer devices)."""
    s, dz = spec["stack"], spec["geometry"]["cell"][2]
    if s["variant"] != "effective_medium":
        if not math.isclose(s["t_fm"], dz, rel_tol=1e-9):
            raise SpecError(f"stack.t_fm = {s['t_fm']!r} must equal the cell height geometry.cell[2] = "
                            f"{dz!r} (one cell per layer)")
        if s["variant"] == "spacers" and not math.isclose(s["t_spacer"], dz, rel_tol=1e-9):
            raise SpecError(f"stack.t_spacer = {s['t_spacer']!r} must equal geometry.cell[2] = {dz!r} "
                            "for variant 'spacers' (one empty cell per spacer)")
    if spec["drive"]["protocol"] == "pulse_train" and spec["drive"]["t_off"] <= 0:
        raise SpecError("drive.t_off = 0 for a pulse_train: use protocol 'dc' for a constant drive")


@dataclass(frozen=True)
class StackLayout:
    """Where the magnetic layers sit in the simulation grid."""

    nz: int                      # grid cells along z
    dz: float                    # cell height (m)
    layer_cells: tuple[int, ...]  # z index of magnetic layer k (k = 0..n_layers-1)
    scale: float                 # effective-medium factor f = t_fm / (t_fm + t_spacer); 1 otherwise
    free_layer_thickness: float  # MuMax3 FreeLayerThickness (m): one layer, or the period p (set E)


def stack_layout(spec: dict) -> StackLayout:
    """Grid layout of the stack: physics-brief section 1 rows 3-4 and section 2 (set E)."""
    s = spec["stack"]
    n = s["n_layers"]
    dz = spec["geometry"]["cell"][2]
    if s["variant"] == "contiguous":
        return StackLayout(n, dz, tuple(range(n)), 1.0, s["t_fm"])
    if s["variant"] == "spacers":
        return StackLayout(2 * n - 1, dz, tuple(range(0, 2 * n - 1, 2)), 1.0, s["t_fm"])
    period = s["t_fm"] + s["t_spacer"]
    return StackLayout(1, n * period, (0,), s["t_fm"] / period, period)


def track_grid_shape(spec: dict) -> tuple[int, int, int]:
    """(nx, ny, nz) of a multilayer track: cells along x and y, the stack along z."""
    g = spec["geometry"]
    return (round(g["length"] / g["cell"][0]), round(g["width"] / g["cell"][1]),
            stack_layout(spec).nz)


def current_direction(spec: dict) -> int:
    """Sign (+1/-1) of the charge current along x.

    For ``forward``, the direction that drives the up|down wall towards +x (T1 -> T2).
    Derivation (mumax3-facts.md section 3a note (i)): the damping-like term with Lambda = 1 equals an
    effective field B = A m x p, A = hbar |theta| J_z / (2 e Ms t) (>0 for J_z > 0). With
    p = sign(theta_SH) * (z x j) = sign(theta_SH) * j_x * y, its z component at the wall centre is
    A p_y m_x. A Neel wall from up (left) to down (right) has m_x = -sign(Dind) at its centre in
    MuMax3's convention (physics-brief section 1, "DMI sign in mumax3"; tests check it on the CPU
    engine), and B_z > 0 grows the up domain, moving the wall to +x. So forward motion needs
    j_x = -sign(theta_SH) * sign(Dind).
    """
    direction = spec["drive"]["current_direction"]
    if direction == "+x":
        return 1
    if direction == "-x":
        return -1
    theta, dmi = spec["material"]["theta_SH"], spec["material"]["Dind"]
    if theta == 0 or dmi == 0:
        return 1  # no preferred direction: the wall does not move steadily
    return -int(math.copysign(1, theta) * math.copysign(1, dmi))


def spin_polarisation_y(spec: dict) -> int:
    """y component (+1/-1) of the spin polarisation p = sign(theta_SH) * (z x j) (MuMax3 FixedLayer)."""
    theta = spec["material"]["theta_SH"]
    return int(math.copysign(1, theta if theta != 0 else 1)) * current_direction(spec)


def wall_mx_at_centre(spec: dict) -> float:
    """m_x at the centre of the up|down wall with the chirality the DMI prefers (MuMax3 Dind sign)."""
    dmi = spec["material"]["Dind"]
    return -math.copysign(1.0, dmi) if dmi != 0 else 0.0
