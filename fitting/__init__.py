# SPDX-License-Identifier: GPL-3.0-or-later
"""Compact LIF-model fits (physics-brief section 4): model families, trajectory fits with
uncertainties. Units: t in ns, lengths in nm, drive i = J / J0."""

from spinlif.fitting.models import FAMILIES, ModelFamily, Parameter
from spinlif.fitting.trajectory import Drive, FitResult, Trajectory, fit, integrate, starting_values

__all__ = ["FAMILIES", "Drive", "FitResult", "ModelFamily", "Parameter", "Trajectory", "fit",
           "integrate", "starting_values"]
