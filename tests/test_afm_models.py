# SPDX-License-Identifier: GPL-3.0-or-later
"""AFM compact models (physics-brief sections 4.5-4.6): pure-ODE recovery of the washboard neuron
(omega0, eta, nu0 within 1 %) and of the soliton's (lambda, u, beta) (lambda, u within 1 %, beta
within 3 %), plus the brief's worked numbers for eta = 5."""

import math

import numpy as np
import pytest

from spinlif.fitting.afm import (fit_soliton, fit_washboard, identify_from_kick, kick_rates, simulate_washboard,
                         soliton_decay)

OMEGA0, ETA = 10.0, 5.0          # rad/ns (1e10 1/s, brief V8), damping


def test_kick_response_matches_the_brief_numbers():
    s1, s2 = kick_rates(OMEGA0, ETA)
    assert s1 / OMEGA0 == pytest.approx(-0.1010, abs=1e-4) and s2 / OMEGA0 == pytest.approx(-9.899, abs=1e-3)
    nu0 = 1e-2 * OMEGA0
    t = np.linspace(0, 5, 5001)
    phi = simulate_washboard(OMEGA0, ETA, nu0, [0.0], t)
    k = int(np.argmax(phi))
    assert t[k] * OMEGA0 == pytest.approx(0.468, abs=0.01)             # peak at 0.468 / omega0
    assert phi[k] == pytest.approx(0.0964 * nu0 / OMEGA0, rel=1e-3)    # phi_max = 0.0964 nu0 / omega0


def test_single_kick_identifies_the_neuron_within_one_percent():
    nu0 = 0.02 * OMEGA0                                   # subthreshold: phi_max ~ 2e-3 rad
    t = np.linspace(0, 8, 4001)
    start = identify_from_kick(t, simulate_washboard(OMEGA0, ETA, nu0, [0.0], t))
    assert start["omega0"] == pytest.approx(OMEGA0, rel=0.01)
    assert start["eta"] == pytest.approx(ETA, rel=0.01)
    assert start["nu0"] == pytest.approx(nu0, rel=0.01)


def test_kick_train_shooting_fit_recovers_the_nonlinear_model():
    nu0 = 0.8 * OMEGA0                                    # large kicks: the sin(2 phi) nonlinearity matters
    kicks = [0.0, 0.3, 0.6, 0.9, 1.2]
    t = np.linspace(0, 4, 2001)
    phi = simulate_washboard(OMEGA0, ETA, nu0, kicks, t).astype(np.float32).astype(float)
    result = fit_washboard(t, phi, kicks)
    assert result.omega0 == pytest.approx(OMEGA0, rel=0.01)
    assert result.eta == pytest.approx(ETA, rel=0.01)
    assert result.nu0 == pytest.approx(nu0, rel=0.01)
    assert result.nrmse < 1e-4


def test_soliton_width_speed_and_damping_are_recovered():
    lam, u, beta = 5.0, 4000.0, 2.0e-9                    # nm, nm/ns (m/s), ns/nm^2
    v = np.linspace(0.05, 0.9, 12) * u
    width = (lam * np.sqrt(1 - (v / u) ** 2)).astype(np.float32).astype(float)
    t = np.linspace(0, 0.05, 200)
    v_t = soliton_decay(0.8 * u, u, beta, t).astype(np.float32).astype(float)
    result = fit_soliton(v, width, t, v_t)
    assert result.lam == pytest.approx(lam, rel=0.01) and result.u == pytest.approx(u, rel=0.01)
    assert result.beta == pytest.approx(beta, rel=0.03)
    # the exact decay law: d ln(v gamma_L)/dt = -beta u^2
    p = v_t / np.sqrt(1 - (v_t / u) ** 2)
    assert np.polyfit(t, np.log(p), 1)[0] == pytest.approx(-beta * u**2, rel=1e-3)
    assert math.isfinite(result.stderr["beta"])
