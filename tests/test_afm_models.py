# SPDX-License-Identifier: GPL-3.0-or-later
"""AFM compact models (physics-brief sections 4.5-4.6): the washboard neuron's kick response against
the brief's worked numbers for eta = 5 and its single-kick identification (within 1 %), and the
soliton's exact free-decay law. The fits themselves: tests/test_washboard_fit.py and
tests/test_soliton_fit.py."""

import math

import numpy as np
import pytest

from spinlif.fitting.soliton_fit import velocity
from spinlif.fitting.washboard_fit import identify_from_kick, simulate_washboard

OMEGA0, ETA = 10.0, 5.0          # rad/ns (1e10 1/s, brief V8), damping


def test_kick_response_matches_the_brief_numbers():
    root = math.sqrt(ETA**2 - 1)  # the overdamped linear response decays at s1,2 = -omega0 (eta -/+ root)
    s1, s2 = -OMEGA0 * (ETA - root), -OMEGA0 * (ETA + root)
    assert s1 / OMEGA0 == pytest.approx(-0.1010, abs=1e-4) and s2 / OMEGA0 == pytest.approx(-9.899, abs=1e-3)
    nu0 = 1e-2 * OMEGA0
    t = np.linspace(0, 5, 5001)
    phi = simulate_washboard(OMEGA0, ETA, nu0, [0.0], t)
    k = int(np.argmax(phi))
    assert t[k] * OMEGA0 == pytest.approx(0.468, abs=0.01)             # peak at 0.468 / omega0
    assert t[k] == pytest.approx(math.log(s2 / s1) / (s1 - s2), abs=1e-3)
    assert phi[k] == pytest.approx(0.0964 * nu0 / OMEGA0, rel=1e-3)    # phi_max = 0.0964 nu0 / omega0


def test_single_kick_identifies_the_neuron_within_one_percent():
    nu0 = 0.02 * OMEGA0                                   # subthreshold: phi_max ~ 2e-3 rad
    t = np.linspace(0, 8, 4001)
    start = identify_from_kick(t, simulate_washboard(OMEGA0, ETA, nu0, [0.0], t))
    assert start["omega0"] == pytest.approx(OMEGA0, rel=0.01)
    assert start["eta"] == pytest.approx(ETA, rel=0.01)
    assert start["nu0"] == pytest.approx(nu0, rel=0.01)


def test_free_soliton_decay_follows_the_exact_law():
    """d ln(v gamma_L)/dt = -beta u^2, from a fast start (gamma_L = 1.67)."""
    u, beta = 4000.0, 2.0e-9                              # nm/ns (m/s), ns/nm^2
    t = np.linspace(0, 0.05, 200)
    v_t = velocity(t, 0.8 * u, u, beta, 0.0, 0.0)
    p = v_t / np.sqrt(1 - (v_t / u) ** 2)
    assert np.polyfit(t, np.log(p), 1)[0] == pytest.approx(-beta * u**2, rel=1e-9)
    assert np.all(np.diff(v_t) < 0) and v_t[0] == pytest.approx(0.8 * u)
