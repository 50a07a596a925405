# SPDX-License-Identifier: GPL-3.0-or-later
"""The AFM neuron's identification (fitting.washboard_fit, physics-brief 4.5): kick trains of
finite width generated from known (omega0, eta, b) and rounded to float32 come back within 1 %
(the brief's target for pure ODE data) and inside their 95 % intervals, starting from the
single-kick linear response; the folds predict fire / no fire of the trains they did not see."""

import math

import numpy as np
import pytest

from spinlif.fitting.trajectory import Drive
from spinlif.fitting.washboard_fit import (FAMILY, KickRun, WashboardNeuron, evaluate, first_spike, fit_washboard_runs,
                                          folds, simulate, simulate_washboard, single_kick_threshold, starting_values)

TRUE = {"omega0": 10.0, "eta": 5.0, "b_kick": -1650.0}  # rad/ns, -, rad/ns^2: set N of the demo
T_ON = 0.01  # ns


def kick_run(interval, n_kicks, amplitude=1.5, tail=1.0):
    drive = Drive.pulse_train(T_ON, interval - T_ON, duration=n_kicks * interval - (interval - T_ON), tail=tail,
                              amplitude=amplitude)
    t = np.arange(0, drive.edges[-1] + 1e-9, 0.005)
    phi = simulate(TRUE, drive, t).astype(np.float32).astype(float)
    return KickRun(f"{n_kicks}x{interval}", t, phi, drive, n_kicks, T_ON, interval, amplitude, {})


def test_finite_kicks_tend_to_the_delta_kick_model():
    """A 0.1 ps kick of the same nu0 = b i t_on is the seed's delta kick at its centre, to 1e-5 rad."""
    short = 1e-4
    drive = Drive.pulse_train(short, 0.2 - short, duration=0.2 * 4, tail=0.5, amplitude=25.0 / (abs(TRUE["b_kick"]) * short))
    t = np.linspace(0, drive.edges[-1], 600)
    phi = simulate({**TRUE, "b_kick": abs(TRUE["b_kick"])}, drive, t)
    delta = simulate_washboard(TRUE["omega0"], TRUE["eta"], 25.0, [k * 0.2 + short / 2 for k in range(4)], t)
    assert np.max(np.abs(phi - delta)) < 1e-5


def test_washboard_identification_recovers_the_model():
    runs = [kick_run(1.0, 1, tail=2.0)] + [kick_run(T, 8) for T in (0.05, 0.1, 0.2, 0.4)]
    ident, fold_a, fold_b = folds(runs)
    assert [r.n_kicks for r in ident] == [1] and [r.interval_ns for r in fold_a] == [0.05, 0.2]
    start = starting_values(runs, {"omega0": 1.0, "eta": 1.0, "b_kick": 1.0})
    assert start["omega0"] == pytest.approx(TRUE["omega0"], rel=0.3)  # the linear response is only a start
    result = fit_washboard_runs(ident + fold_a, start)
    assert result.success
    for k, true in TRUE.items():
        print(k, result.values[k], result.stderr[k], true)
        assert result.values[k] == pytest.approx(true, rel=0.01)
        assert abs(result.values[k] - true) <= 1.96 * result.stderr[k] + 1e-9 * abs(true), k
    assert result.family is FAMILY and max(result.nrmse.values()) < 1e-4  # one result type: the family's own NRMSE
    assert all(lo < result.values[k] < hi for k, (lo, hi) in result.ci95.items())
    np.testing.assert_allclose(result.eval(fold_b[0]), simulate(result.values, fold_b[0].drive, fold_b[0].t))
    assert "omega0" in result.report() and "rad/ns" in result.report()
    held_out = evaluate(result.values, fold_b)
    assert held_out["agree"] == held_out["n"] == 2 and held_out["nrmse"] < 1e-4
    assert [r.fired for r in fold_b] == [True, False]  # 100 ps fires, 400 ps does not


def test_single_kick_threshold_matches_the_brief():
    """The brief's overdamped estimate nu_c ~ pi eta omega0 (V8); the exact model gives 15.80 at eta = 5."""
    assert single_kick_threshold(5.0) == pytest.approx(math.pi * 5.0, rel=0.01)


def test_first_spike_interpolates_the_crossing():
    t = np.array([0.0, 1.0, 2.0])
    assert first_spike(t, np.array([0.0, -1.0, -2.0])) == pytest.approx(1.0 + (math.pi / 2 - 1) / 1.0)
    assert math.isnan(first_spike(t, np.zeros(3)))


def test_dc_spike_rate_follows_the_adler_law_when_overdamped():
    """Under a DC torque above the tilt threshold |b| i = omega0^2 / 2 the Neel vector rotates; at
    eta = 5 the rate is the overdamped Adler rate sqrt((b i)^2 - omega0^4/4) / (2 pi eta omega0)
    (brief V8) to the inertial correction, 1 % here; below threshold it does not spike."""
    neuron = WashboardNeuron(TRUE)
    assert neuron.threshold_i == pytest.approx(100 / (2 * 1650))
    assert neuron.spike_frequency(0.9 * neuron.threshold_i) == 0.0
    for i in (1.5 * neuron.threshold_i, 4 * neuron.threshold_i):
        assert neuron.spike_frequency(i) == pytest.approx(neuron.adler_frequency(i), rel=0.01)
