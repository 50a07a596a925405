# SPDX-License-Identifier: GPL-3.0-or-later
"""(Ta/CoFeB)_n skyrmion nanotrack (seed 001 section II B; physics-brief section 3.1 column b).

The stack, material, spin-Hall torque and drive are the domain-wall device's; what differs:

* D = 3 mJ/m^2 by default. With the seed's A and K_eff, D = 1 mJ/m^2 is D/D_c = 0.29 and the
  skyrmion collapses (physics-brief decision 2 and V5; cpu-engine-facts.md "Physics checks").
  Pt-like DMI: not Ta/CoFeB-realistic (material caveat of brief section 1).
* The initial texture is MuMax3's ``NeelSkyrmion(sign(Dind), -1)`` at ``skyrmion_position``:
  core -z in a +z background, in-plane part radial, m_r = sign(Dind) (the chirality the DMI
  prefers: the left half of the skyrmion is an up|down wall along +x, whose centre has
  m_x = -sign(Dind), see :func:`spinlif.devices._multilayer.wall_mx_at_centre`). The cpu engine evaluates the
  same formula, so both engines start from the same texture and relax it the same way.
* Snapshots every 100 ps by default: the guiding centre comes from OVF snapshots (per layer,
  from the topological-charge density), not from ``ext_bubblepos`` (layer 0 only, biased by edge
  canting; brief section 3.1). At the 5-40 m/s of these devices 100 ps is 0.5-4 nm of travel,
  10 samples per 1 ns pulse: enough for the trajectory fits, which integrate the model between
  samples. The table (10 ps) adds ``ext_topologicalcharge`` to catch an annihilation early.
  Storage: one snapshot is 12 bytes per cell (0.2 MB per layer at 256 x 64), so a 70 ns run of a
  15-layer set-P stack writes ~4 GB; raise ``sampling.snapshot_period`` for long sweeps.
"""

from __future__ import annotations

import math


from spinlif.devices._multilayer import (check_multilayer, check_position, describe_stack,
                                         grid_shape, multilayer_parameter_set, stack_context)
from spinlif.mx3_format import si

__all__ = ["grid_shape"]

SHORT_NAME = "sk"
TABLE_DEVICE_TYPES = ("SKY",)  # parameter-table device_type of its rows: the LIF neuron of the skyrmion position
DEFAULT_PARAM_SET = "P"
DMI = 3.0e-3
"""Interfacial DMI of sets S, P, E (J/m^2, MuMax3 ``Dind`` sign convention): Pt-like, because the
seed's 1e-12 J/m^2 collapses the skyrmion (physics-brief section 1)."""
FIT_FAMILIES = ("quad", "exp_edge", "linear")  # compact models fitted to its runs (fitting.models)
TRACE_PLOT = "guiding_centre"  # its results/sk/traces.png (spinlif.analysis.plots.TRACE_PLOTS)
TEMPLATE = "skyrmion_track.mx3.j2"

NEEL_SKYRMION_WIDTH_CELLS = 8
"""MuMax3's ``NeelSkyrmion`` profile width w in cells (``engine/config.go``): m_z = 2 p (exp(-r^2/w^2) - 1/2)."""

# physics-brief section 3.1 column (b): 512 x 128 nm^2 main track, skyrmion at (-200 nm, 0);
# N in {6, 8, 10, 12, 15}; the same trains and identification runs as the domain wall.
DEFAULTS = {
    "geometry": {"length": 512e-9, "width": 128e-9, "cell": [2e-9, 2e-9, 0.8e-9]},
    "stack": {"n_layers": 6},
    "initial_state": {"skyrmion_position": [-200e-9, 0.0], "relax_time": 0.3e-9, "relax_alpha": 1.0},
    "drive": {"protocol": "pulse_train", "J0": 1e11, "amplitude": 1.0, "t_on": 1e-9,
              "t_off": 1e-9, "duration": 60e-9, "tail": 10e-9, "current_direction": "forward"},
    "sampling": {"table_period": 10e-12, "snapshot_period": 100e-12, "snapshot_edge_periods": 10},
}


def parameter_set(name: str) -> dict:
    """Set S, P, R or E with D = 3 mJ/m^2 (set R keeps its realistic 0.2 mJ/m^2: a caveat run)."""
    return multilayer_parameter_set(name, DMI)


def check_consistency(spec: dict) -> None:
    check_multilayer(spec)
    x, y = spec["initial_state"]["skyrmion_position"]
    check_position(spec, "skyrmion_position", x, y)


def describe(spec: dict) -> dict:
    x, y = spec["initial_state"]["skyrmion_position"]
    return {**describe_stack(spec), "skyrmion_x_nm": round(x * 1e9, 6), "skyrmion_y_nm": round(y * 1e9, 6)}


def chirality(spec: dict) -> int:
    """``charge`` argument of MuMax3's NeelSkyrmion: the sign of the radial in-plane component."""
    dmi = spec["material"]["Dind"]
    return int(math.copysign(1, dmi)) if dmi != 0 else 1


def template_context(spec: dict) -> dict:
    """Values for ``skyrmion_track.mx3.j2``, numbers formatted for MuMax3."""
    x, y = spec["initial_state"]["skyrmion_position"]
    return {**stack_context(spec), "chirality": chirality(spec),
            "skyrmion_position_nm": [si(round(x * 1e9, 6)), si(round(y * 1e9, 6))]}


NEURON_THRESHOLD = "threshold_displacement_nm"  # the setting that is the compact neuron's firing threshold

# The settings of this device's observables (spinlif.analysis.observables.skyrmion), declared here
# with the device so that the config schema needs nothing above the simulation layer.
OBSERVABLE_SETTINGS = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "threshold_displacement_nm": {"type": "number", "exclusiveMinimum": 0, "default": 20.0,
                                      "description": "firing threshold on the guiding-centre displacement (seed: 20 nm)"},
        "threshold_absolute_nm": {"type": "number", "default": 20.0,
                                  "description": "firing threshold on the absolute guiding-centre x (mesh-centred, nm)"},
        "min_abs_charge": {"type": "number", "exclusiveMinimum": 0, "maximum": 1, "default": 0.9,
                           "description": "a layer with |Q| below this has lost its skyrmion (brief section 3.1)"},
    },
}
"""Schema of ``observables.skyrmion`` in the config, with the defaults."""
