# SPDX-License-Identifier: GPL-3.0-or-later
"""(Ta/CoFeB)_n domain-wall nanotrack (seed 001 section II A; physics-brief section 3.1 column a)."""

from __future__ import annotations

import math


from spinlif.devices._multilayer import (check_multilayer, check_position, describe_stack,
                                         effective_material, grid_shape, multilayer_parameter_set, stack_context)
from spinlif.mx3_format import si
from spinlif.devices._multilayer import wall_mx_at_centre

__all__ = ["grid_shape", "effective_material"]

SHORT_NAME = "dw"
TABLE_DEVICE_TYPES = ("DW",)  # parameter-table device_type of its rows: the LIF neuron of the wall position
DEFAULT_PARAM_SET = "P"
DMI = 1.0e-3
"""Interfacial DMI of sets S, P, E (J/m^2, MuMax3 ``Dind`` sign convention): physics-brief decision 2,
the seed's 1e-12 J/m^2 is a typo."""
FIT_FAMILIES = ("exp_Mishra8", "lin_Mishra9corr", "linear")  # compact models fitted to its runs (fitting.models)
TRACE_PLOT = "mean_mz"  # its results/dw/traces.png (spinlif.analysis.plots.TRACE_PLOTS)
TEMPLATE = "dw_track.mx3.j2"

# physics-brief section 3.0/3.1 column (a): 512 x 128 nm^2 track (decision 1), 2 x 2 x 0.8 nm^3
# cells, wall at -200 nm relaxed 0.2 ns at alpha = 1, 1 ns ON trains at 1e11 A/m^2, 10 ps table.
DEFAULTS = {
    "geometry": {"length": 512e-9, "width": 128e-9, "cell": [2e-9, 2e-9, 0.8e-9]},
    "stack": {"n_layers": 5},
    "initial_state": {"wall_position": -200e-9, "relax_time": 0.2e-9, "relax_alpha": 1.0},
    "drive": {"protocol": "pulse_train", "J0": 1e11, "amplitude": 1.0, "t_on": 1e-9,
              "t_off": 1e-9, "duration": 60e-9, "tail": 10e-9, "current_direction": "forward"},
    "sampling": {"table_period": 10e-12, "snapshot_period": 1e-9, "snapshot_edge_periods": 10},
}


def parameter_set(name: str) -> dict:
    """Set S, P, R or E with D = 1 mJ/m^2 (physics-brief decision 2: the seed's 1e-12 is a typo)."""
    return multilayer_parameter_set(name, DMI)


def check_consistency(spec: dict) -> None:
    check_multilayer(spec)
    check_position(spec, "wall_position", spec["initial_state"]["wall_position"])


def describe(spec: dict) -> dict:
    return {**describe_stack(spec), "wall_position_nm": round(spec["initial_state"]["wall_position"] * 1e9, 6)}


def template_context(spec: dict) -> dict:
    """Values for ``dw_track.mx3.j2``, numbers formatted for MuMax3."""
    return {**stack_context(spec),
            "wall_mx": si(wall_mx_at_centre(spec)),
            "wall_position_nm": si(round(spec["initial_state"]["wall_position"] * 1e9, 6))}


def wall_width(spec: dict) -> float:
    """Bloch-wall parameter Delta = sqrt(A / K_eff) (m), thin-film K_eff = Ku - mu0 Ms^2 / 2."""
    m = effective_material(spec)
    k_eff = m["Ku1"] - 4e-7 * math.pi * m["Ms"] ** 2 / 2
    return math.sqrt(m["Aex"] / k_eff) if k_eff > 0 else float("nan")


NEURON_THRESHOLD = "threshold_mz"  # the setting that is the compact neuron's firing threshold

# The settings of this device's observables (spinlif.analysis.observables.domain_wall), declared here
# with the device so that the config schema needs nothing above the simulation layer.
OBSERVABLE_SETTINGS = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "threshold_mz": {"type": "number", "minimum": -1, "maximum": 1, "default": 0.9,
                         "description": "firing threshold on mean m_z"},
        "R_P": {"type": "number", "exclusiveMinimum": 0, "default": 200.0,
                "description": "MTJ parallel resistance (ohm)"},
        "R_AP": {"type": "number", "exclusiveMinimum": 0, "default": 600.0,
                 "description": "MTJ antiparallel resistance (ohm)"},
        "reference_direction": {"type": "array", "items": {"type": "number"}, "minItems": 3, "maxItems": 3,
                                "default": [0.0, 0.0, -1.0],
                                "description": "unit vector of the MTJ reference layer magnetisation m_p (seed Eq. 2)"},
        "R_read": {"type": "number", "exclusiveMinimum": 0, "default": 283.5,
                   "description": "series read resistor (ohm), seed Eq. 3"},
        "V_read": {"type": "number", "exclusiveMinimum": 0, "default": 0.162,
                   "description": "read voltage (V), seed Eq. 3"},
        "footprints": {"type": "array", "items": {"enum": ["whole_track", "right_quarter"]},
                       "default": ["whole_track", "right_quarter"],
                       "description": "MTJ footprints evaluated (whole_track from the table; right_quarter from snapshots)"},
    },
}
"""Schema of ``observables.domain_wall`` in the config, with the defaults."""
