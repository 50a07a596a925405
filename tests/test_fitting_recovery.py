# SPDX-License-Identifier: GPL-3.0-or-later
"""Recovery: traces generated from known coefficients, rounded to float32 as MuMax3 tables are,
come back within the fit's reported uncertainty, for every model family (issue 4).

With float32 rounding alone the error of one trace is deterministic: one realisation is one draw,
and 15 coefficients each inside its 95 % interval happens only ~46 % of the time (exp_edge's gamma
sits at 2.7 sigma for the seed-like truth below, a 1 % draw). So the single-trace test asks for
3 standard errors, and the 95 % intervals are tested for what they claim, their coverage: over
realisations of the float32 rounding alone (truths dithered by 1e-4, which reshuffles every
rounding) and over white noise on top of it."""

import numpy as np
import pytest

from spinlif.fitting import FAMILIES, Drive, Trajectory, fit, integrate

# (family, fixed constants, true coefficients, initial state)
CASES = {
    # the seed's DW numbers in ns units (physics-brief 4.4): alpha = -0.010/ns, beta = -1.549, gamma = 0.1039/ns
    "exp_Mishra8": ({}, {"alpha": -0.010, "beta": -1.549, "gamma": 0.1039}, -0.78),
    "lin_Mishra9corr": ({"m_op": 0.0}, {"a0": -0.02, "a1": 0.05, "gamma": 0.1}, -0.78),
    "linear": ({}, {"tau": 20.0, "u_rest": 0.1, "gamma": 0.1}, -0.78),
    # the seed's skyrmion numbers under the nm/ns reading (physics-brief 1, row 8)
    "quad": ({}, {"k1": -0.0026, "k2": -0.0568, "gamma": 5.7529}, 0.0),
    "exp_edge": ({"x_R": 40.0}, {"c": 2.0, "ell": 8.0, "gamma": 5.0}, 0.0),
}


def synthetic(family, truth, u0, noise=0.0, rng=None, duration=12.0):
    trajs = []
    for t_off in (1.0, 2.0):  # 50 % and 33 % duty, the training trains of section 4.1
        drive = Drive.pulse_train(1.0, t_off, duration=duration, tail=3.0)
        t = np.round(np.arange(0, duration + 3.0 + 1e-9, 0.01), 10)  # 10 ps table
        u = integrate(family, truth, drive, t, u0)
        if noise:
            u = u + rng.normal(0, noise, u.shape)
        trajs.append(Trajectory(t, u.astype(np.float32).astype(np.float64), drive,
                                f"{int(100 / (1 + t_off))}%"))
    return trajs


@pytest.mark.parametrize("name", sorted(CASES))
def test_recovery_within_reported_95_percent_intervals(name):
    constants, truth, u0 = CASES[name]
    family = FAMILIES[name].with_constants(**constants)
    result = fit(family, synthetic(family, truth, u0))
    assert result.success, result.message
    for k, true in truth.items():
        lo, hi = result.ci95[k]
        assert abs(result.values[k] - true) <= 3 * result.stderr[k], \
            f"{k}: true {true}, fit {result.values[k]} +- {result.stderr[k]}"
        assert hi - lo < 0.05 * abs(true), f"{k}: interval too wide to mean anything"
    assert max(result.nrmse.values()) < 1e-5
    assert result.correlation.shape == (3, 3)


@pytest.mark.parametrize("name", sorted(CASES))
def test_95_percent_intervals_cover_the_truth(name):
    """12 realisations with white noise (1e-3 of the signal range) on top of float32 rounding: the
    95 % interval of each coefficient must contain the truth in at least 9 (P(<9 | 95 %) < 0.2 %)."""
    constants, truth, u0 = CASES[name]
    family = FAMILIES[name].with_constants(**constants)
    clean = synthetic(family, truth, u0, duration=6.0)
    noise = 1e-3 * max(np.ptp(tr.u) for tr in clean)
    rng = np.random.default_rng(2026)
    hits = dict.fromkeys(truth, 0)
    for _ in range(12):
        result = fit(family, synthetic(family, truth, u0, noise, rng, duration=6.0))
        for k, true in truth.items():
            lo, hi = result.ci95[k]
            hits[k] += lo <= true <= hi
    assert min(hits.values()) >= 9, hits


@pytest.mark.parametrize("name", sorted(CASES))
def test_95_percent_intervals_cover_the_truth_under_float32_rounding_alone(name):
    """20 float32-rounded realisations (no added noise): each 95 % interval holds the truth in at
    least 16 (P(<16 | 95 %) = 0.3 %)."""
    constants, truth, u0 = CASES[name]
    family = FAMILIES[name].with_constants(**constants)
    rng = np.random.default_rng(7)
    hits = dict.fromkeys(truth, 0)
    for _ in range(20):
        dithered = {k: v * (1 + 1e-4 * rng.standard_normal()) for k, v in truth.items()}
        result = fit(family, synthetic(family, dithered, u0, duration=6.0))
        for k, true in dithered.items():
            lo, hi = result.ci95[k]
            hits[k] += lo <= true <= hi
    print(name, hits)
    assert min(hits.values()) >= 16, hits


def test_drive_integral_is_exact():
    drive = Drive.pulse_train(1.0, 1.5, duration=6.0, tail=1.0)
    assert drive.cumulative(np.array([0.5, 1.0, 2.0, 3.0, 7.0])) == pytest.approx([0.5, 1.0, 1.0, 1.5, 3.0])
    assert list(drive.at(np.array([0.0, 0.999, 1.0, 2.5, 6.5]))) == [1, 1, 0, 1, 0]


def test_block_bootstrap_of_a_nonlinear_family():
    """exp_edge (no polynomial form) is bootstrapped like the affine families: the replicates
    converge, their 95 % intervals hold the truth, and their spread is of the Jacobian standard
    errors' size. It runs below them (0.5-0.95 over three noise seeds): the Jacobian errors are
    inflated by the estimated autocorrelation time (1.2-1.5 samples on these white-noise traces),
    the bootstrap is not; the table's status takes the wider of the two intervals."""
    from spinlif.fitting.trajectory import block_bootstrap

    constants, truth, u0 = CASES["exp_edge"]
    family = FAMILIES["exp_edge"].with_constants(**constants)
    clean = synthetic(family, truth, u0, duration=6.0)
    trajs = synthetic(family, truth, u0, 1e-3 * max(np.ptp(tr.u) for tr in clean), np.random.default_rng(5), 6.0)
    result = fit(family, trajs)
    boot = block_bootstrap(result, trajs, [2.0, 3.0], n=40, seed=1)
    assert boot["n"] >= 36
    for k, true in truth.items():
        lo, hi = boot["ci95"][k]
        assert lo <= true <= hi, (k, lo, true, hi)
        assert 0.33 < boot["sigma"][k] / result.stderr[k] < 1.5, (k, boot["sigma"][k], result.stderr[k])
    assert boot["correlation"].shape == (3, 3)
