# SPDX-License-Identifier: GPL-3.0-or-later
"""The AFM soliton's compact model and its fit (fitting.soliton_fit, physics-brief 4.6):
closed-form dynamics against direct integration, and recovery of (lambda, u, beta, f) from
synthetic wall runs rounded to float32, within 1 % (lambda, u) and 3 % (beta) and within the
reported 95 % intervals; the held-out folds predict the runs they did not see."""

import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from spinlif.fitting.soliton_fit import WallRun, fit_soliton_runs, folds, nrmse, position, velocity

TRUE = {"lam": 10.0, "u_lim": 10030.0, "beta_sg": 0.05 / (10030.0 * 10.0), "force": 2.3e4}  # eps = 0.05


def test_dynamics_match_direct_integration():
    u, beta, f = TRUE["u_lim"], TRUE["beta_sg"], TRUE["force"]

    def rhs(_, y, i):  # y = (X, P)
        return [y[1] / math.sqrt(1 + (y[1] / u) ** 2), f * i - beta * u * u * y[1]]
    t = np.linspace(0, 0.1, 41)
    for v0, i in ((8000.0, 0.0), (0.0, 1.0), (3000.0, -0.5)):
        p0 = v0 / math.sqrt(1 - (v0 / u) ** 2)
        sol = solve_ivp(rhs, (0, t[-1]), [5.0, p0], t_eval=t, args=(i,), rtol=1e-12, atol=1e-12)
        assert position(t, 5.0, v0, u, beta, f, i) == pytest.approx(sol.y[0], rel=1e-7, abs=1e-6)
        v = sol.y[1] / np.sqrt(1 + (sol.y[1] / u) ** 2)
        assert velocity(t, v0, u, beta, f, i) == pytest.approx(v, rel=1e-7, abs=1e-6)


def synthetic_runs(noise=0.0, rng=None):
    runs = []
    t = np.arange(0, 0.1 + 1e-12, 0.005)  # 5 ps snapshots, as the demo
    for kind, v0, i in (("decay", 4000.0, 0.0), ("decay", 8000.0, 0.0), ("drive", 0.0, 0.1), ("drive", 0.0, 1.0)):
        X = position(t, -300.0, v0, TRUE["u_lim"], TRUE["beta_sg"], TRUE["force"], i)
        vel = velocity(t, v0, TRUE["u_lim"], TRUE["beta_sg"], TRUE["force"], i)
        w = TRUE["lam"] * np.sqrt(1 - (vel / TRUE["u_lim"]) ** 2)
        if noise:
            X, w = X + rng.normal(0, noise, X.shape), w + rng.normal(0, noise * 0.1, w.shape)
        f32 = lambda a: a.astype(np.float32).astype(float)  # noqa: E731
        runs.append(WallRun(f"{kind}{v0:g}_{i:g}", kind, i, t, f32(X), f32(w), -300.0, v0, {}))
    return runs


def test_soliton_coefficients_are_recovered():
    start = {"lam": 9.0, "u_lim": 9000.0, "beta_sg": 0.7 * TRUE["beta_sg"], "force": 0.5 * TRUE["force"]}
    rng = np.random.default_rng(3)
    runs = synthetic_runs(noise=0.01, rng=rng)  # 0.01 nm position noise, 1e-3 nm on the widths
    result = fit_soliton_runs(runs, start)
    assert result.success
    for k, true in TRUE.items():
        fitted, err = result.values[k], result.stderr[k]
        print(k, fitted, err, true)
        assert abs(fitted - true) <= 1.96 * err, k  # inside the 95 % interval (one fixed-seed draw)
    assert result.values["lam"] == pytest.approx(TRUE["lam"], rel=0.01)
    assert result.values["u_lim"] == pytest.approx(TRUE["u_lim"], rel=0.01)
    assert result.values["beta_sg"] == pytest.approx(TRUE["beta_sg"], rel=0.03)
    assert result.correlation.shape == (4, 4)


def test_each_fold_predicts_the_runs_it_did_not_see():
    runs = synthetic_runs()
    splits = folds(runs)
    assert len(splits) == 2
    for train, test in splits:
        assert {r.kind for r in train} == {r.kind for r in test} == {"decay", "drive"}
        assert not {r.run_id for r in train} & {r.run_id for r in test}
        result = fit_soliton_runs(train, {**TRUE, "u_lim": 9500.0})
        x_err, w_err = nrmse(result.values, test)
        assert x_err < 1e-4 and w_err < 1e-4, (x_err, w_err)
    only_decay = [r for r in runs if r.kind == "decay"]
    assert folds(only_decay) == [(only_decay, [])]
    assert not math.isfinite(fit_soliton_runs(only_decay, TRUE).stderr["force"])  # f fixed without a drive
