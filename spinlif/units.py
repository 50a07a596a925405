# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit conventions of spinlif, written down once.

Simulation inputs (device specs, rendered ``.mx3`` scripts, engine outputs) are SI:
metres, seconds, A/m, J/m, J/m^3, J/m^2, A/m^2, tesla.
Fits and parameter tables use nanometres and nanoseconds, and the drive is the
dimensionless ``i = J / J0`` (physics brief section 4.1).

Every conversion between the two systems goes through the helpers below, and
``tests/test_units.py`` pins them.
"""

from __future__ import annotations

import numpy as np

NM = 1e-9
"""One nanometre in metres."""
NS = 1e-9
"""One nanosecond in seconds."""
PS = 1e-12
"""One picosecond in seconds."""

# Physical constants (CODATA 2018).
MU0 = 4e-7 * np.pi
"""Vacuum permeability (T m / A), the classical value MuMax3 uses."""
HBAR = 1.054571817e-34
"""Reduced Planck constant (J s)."""
QE = 1.602176634e-19
"""Elementary charge (C)."""
KB = 1.380649e-23
"""Boltzmann constant (J/K)."""
GAMMA_LL = 1.7595e11
"""Gyromagnetic ratio MuMax3 uses by default (rad / (s T)), physics brief section 2."""


def m_to_nm(x):
    """Metres to nanometres. Works on floats, numpy arrays and pandas objects."""
    return x / NM


def nm_to_m(x):
    """Nanometres to metres. Works on floats, numpy arrays and pandas objects."""
    return x * NM


def s_to_ns(t):
    """Seconds to nanoseconds. Works on floats, numpy arrays and pandas objects."""
    return t / NS


def ns_to_s(t):
    """Nanoseconds to seconds. Works on floats, numpy arrays and pandas objects."""
    return t * NS


def per_s_to_per_ns(rate):
    """A rate in 1/s to 1/ns."""
    return rate * NS


def m_per_s_to_nm_per_ns(v):
    """A velocity in m/s to nm/ns (numerically equal: 1 m/s = 1 nm/ns)."""
    return v * NS / NM


def drive_ratio(current_density, J0):
    """The dimensionless drive ``i = J / J0`` (both in A/m^2)."""
    return np.asarray(current_density, dtype=float) / J0
