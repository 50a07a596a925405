# SPDX-License-Identifier: GPL-3.0-or-later
"""Compact-model fits (physics-brief section 4): one vocabulary in lmfit's shape
(:mod:`spinlif.fitting.family`: ``CompactModel`` families with ``guess``/``eval``, one ``FitResult``),
the LIF families and their trajectory fits, the AFM soliton and neuron fits, and the parameter table.
Units: t in ns, lengths in nm, drive i = J / J0."""

from spinlif.fitting.family import CompactModel, FitResult, Parameter
from spinlif.fitting.models import FAMILIES, ModelFamily
from spinlif.fitting.trajectory import Drive, Trajectory, fit, integrate, starting_values

__all__ = ["FAMILIES", "CompactModel", "Drive", "FitResult", "ModelFamily", "Parameter", "Trajectory", "fit",
           "integrate", "starting_values"]
