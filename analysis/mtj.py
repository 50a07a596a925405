# SPDX-License-Identifier: GPL-3.0-or-later
"""Magnetic tunnel junction read-out of a neuron's free layer (seed 001 Eqs. 2-4).

Defaults (physics-brief section 1 rows 5, 12, 14): R_P/R_AP = 200/600 ohm, reference layer
m_p = -z, so R = 400 + 200 <m_z> ohm; read circuit R_read = 283.5 ohm, V_read = 0.162 V
(reproduces the seed's 67-110 mV for 200-600 ohm).
"""

from __future__ import annotations

import numpy as np


def mtj_resistance(m_dot_mp, R_P: float, R_AP: float):
    """Seed Eq. 2: R = R_AP (1 - m.m_p)/2 + R_P (1 + m.m_p)/2 (ohm), with m.m_p the mean projection."""
    c = np.asarray(m_dot_mp, dtype=float)
    return R_AP * (1 - c) / 2 + R_P * (1 + c) / 2


def parallel_conduction_resistance(m_dot_mp_cells, R_P: float, R_AP: float, axis=None):
    """Seed Eq. 4: every cell is a junction in parallel; R = 1 / sum_i G_i (ohm).

    With N cells, a fully parallel (antiparallel) junction has R_P (R_AP): each cell conducts
    G_i = [(1 + c_i)/2 / R_P + (1 - c_i)/2 / R_AP] / N. Cells outside the magnet (c = NaN) are skipped.
    """
    c = np.asarray(m_dot_mp_cells, dtype=float)
    valid = np.isfinite(c)
    n = valid.sum(axis=axis)
    g = np.where(valid, (1 + c) / 2 / R_P + (1 - c) / 2 / R_AP, 0.0)
    return n / g.sum(axis=axis)


def read_voltage(R, R_read: float, V_read: float):
    """Seed Eq. 3: V_out = V_read R / (R + R_read) (V)."""
    R = np.asarray(R, dtype=float)
    return V_read * R / (R + R_read)
