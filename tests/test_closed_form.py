# SPDX-License-Identifier: GPL-3.0-or-later
"""The exact per-segment solutions against a tight numerical integration, over every branch:
Riccati with two real roots (either sign of c2), a double root, complex roots, the affine limit;
the exponential form for either sign of beta and g, g = 0, beta -> 0; and finite-time blow-up."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from spinlif.fitting import FAMILIES, Drive, integrate
from spinlif.fitting.closed_form import exponential, riccati

DT = np.linspace(0.0, 3.0, 61)


def numerical(rhs, u0, dt=DT):
    sol = solve_ivp(lambda _, y: rhs(y), (0, dt[-1]), [u0], dense_output=True, rtol=1e-12, atol=1e-14,
                    method="DOP853")
    assert sol.success
    return sol.sol(dt)[0]


@pytest.mark.parametrize("c2, c1, c0, u0", [
    (-0.0026, -0.0568, 5.7529, 0.0),   # the seed's skyrmion, ON: two real roots
    (-0.0026, -0.0568, 0.0, 12.0),     # OFF
    (0.01, -0.5, 1.0, 3.0),            # c2 > 0, started below the unstable root
    (0.25, -1.0, 1.0, 0.5),            # double root (c1^2 = 4 c2 c0)
    (0.05, 0.1, 0.3, -1.0),            # complex roots, no pole before dt = 3
    (0.0, -0.05, 0.1, -0.78),          # affine
    (0.0, 0.0, 0.2, 1.0),              # pure drift
])
def test_riccati_matches_numerical_integration(c2, c1, c0, u0):
    exact = riccati(u0, c2, c1, c0, DT)
    assert exact == pytest.approx(numerical(lambda u: c2 * u**2 + c1 * u + c0, u0), rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("a, beta, g, u0", [
    (-0.010, -1.549, 0.1039, -0.78),   # the seed's domain wall, ON
    (-0.010, -1.549, 0.0, 0.3),        # OFF (g = 0)
    (-2.0, -1 / 8.0, 5.0, -40.0),      # exp_edge in x - x_R, ON
    (-2.0, -1 / 8.0, 0.0, -5.0),       # exp_edge OFF, pushed back from the edge
    (0.3, 2.0, -0.2, 0.1),             # beta > 0, g < 0
    (0.05, 1e-13, 0.1, 0.0),           # beta -> 0: du/dt = a + g
])
def test_exponential_matches_numerical_integration(a, beta, g, u0):
    exact = exponential(u0, a, beta, g, DT)
    assert exact == pytest.approx(numerical(lambda u: a * np.exp(-beta * u) + g, u0), rel=1e-9, abs=1e-9)


def test_blow_up_is_nan_from_the_pole_on():
    # du/dt = u^2 from u0 = 1: u = 1 / (1 - t), pole at t = 1
    u = riccati(1.0, 1.0, 0.0, 0.0, DT)
    assert u[DT < 0.99] == pytest.approx(1 / (1 - DT[DT < 0.99]), rel=1e-12)
    assert np.all(np.isnan(u[DT > 1.0]))
    # du/dt = u^2 + 1 from 0: tan t, pole at pi/2
    u = riccati(0.0, 1.0, 0.0, 1.0, DT)
    assert u[DT < 1.5] == pytest.approx(np.tan(DT[DT < 1.5]), rel=1e-12)
    assert np.all(np.isnan(u[DT > np.pi / 2]))
    # du/dt = -exp(u): u = -ln(1 + t) never blows up; du/dt = +exp(u) from 0: u = -ln(1 - t)
    assert exponential(0.0, -1.0, -1.0, 0.0, DT) == pytest.approx(-np.log1p(DT), rel=1e-12)
    assert np.all(np.isnan(exponential(0.0, 1.0, -1.0, 0.0, DT)[DT > 1.0]))


@pytest.mark.parametrize("name, constants, values, u0", [
    ("quad", {}, {"k1": -0.0026, "k2": -0.0568, "gamma": 5.7529}, 0.0),
    ("exp_edge", {"x_R": 40.0}, {"c": 2.0, "ell": 8.0, "gamma": 5.0}, 0.0),
    ("exp_Mishra8", {}, {"alpha": -0.010, "beta": -1.549, "gamma": 0.1039}, -0.78),
])
def test_family_integration_over_a_pulse_train(name, constants, values, u0):
    """integrate() chains the exact segments over a train; a stiff numerical run of the family's
    own right-hand side with restarts at the edges agrees."""
    family = FAMILIES[name].with_constants(**constants)
    drive = Drive.pulse_train(1.0, 1.5, duration=8.0, tail=2.0)
    t = np.arange(0, 10.0 + 1e-9, 0.01)
    u = integrate(family, values, drive, t, u0)
    reference, state = np.full_like(t, u0), u0
    for k, (a, b) in enumerate(zip(drive.edges[:-1], drive.edges[1:])):
        sel = (t > a) & (t <= b)
        seg = numerical(lambda y, i=drive.levels[k]: family.derivative(y, i, values), state, np.append(t[sel], b) - a)
        reference[sel], state = seg[:-1], seg[-1]
    assert u == pytest.approx(reference, rel=1e-9, abs=1e-9)
