# SPDX-License-Identifier: GPL-3.0-or-later
"""The unit conventions (SI in simulations, nm/ns in tables and fits) and the analytic references."""

import math

import pytest

from spinlif.analysis.theory import dw_steady_state, spin_hall_field, wall_parameter
from spinlif import units


def test_length_and_time_conversions_round_trip():
    assert units.m_to_nm(512e-9) == pytest.approx(512.0)
    assert units.nm_to_m(0.8) == pytest.approx(0.8e-9, rel=1e-9, abs=0)
    assert units.s_to_ns(2.5e-9) == pytest.approx(2.5)
    assert units.ns_to_s(units.s_to_ns(1.234e-10)) == pytest.approx(1.234e-10, rel=1e-9, abs=0)
    assert units.per_s_to_per_ns(1.549e7) == pytest.approx(0.01549)  # seed DW leak a1 (brief 4.4)
    assert units.m_per_s_to_nm_per_ns(5.7529) == pytest.approx(5.7529)  # 1 m/s = 1 nm/ns
    assert units.drive_ratio(5e10, 1e11) == pytest.approx(0.5)


def test_derived_numbers_of_parameter_set_S_match_the_physics_brief():
    """Brief section 2: Delta = 5.49 nm, mu0 H_K = 32 mT, mu0 H_SH = 7.7 mT (one 0.8 nm layer)."""
    delta = wall_parameter(1.5e-11, 9e5, 8e5)
    assert delta == pytest.approx(5.49e-9, rel=2e-3)
    assert spin_hall_field(-0.15, 1e11, 8e5, 0.8e-9) == pytest.approx(7.7e-3, rel=5e-3)
    s = dw_steady_state(Ms=8e5, Aex=1.5e-11, Ku=9e5, D=1e-3, alpha=0.15, theta_SH=-0.15, J=1e11,
                        thickness=0.8e-9)
    assert s.mu0_H_K == pytest.approx(32e-3, rel=0.02)
    # small drive: close to the linear limit, below the DMI cap
    assert s.speed < s.linear_speed and s.speed == pytest.approx(s.linear_speed, rel=0.05)
    assert s.dmi_limited_speed == pytest.approx(math.pi / 2 * units.GAMMA_LL * 1e-3 / 8e5)


def test_1d_model_saturates_at_the_dmi_limited_speed():
    s = dw_steady_state(Ms=8e5, Aex=1.5e-11, Ku=9e5, D=1e-3, alpha=0.15, theta_SH=-0.15, J=1e14,
                        thickness=0.8e-9)
    assert s.psi == pytest.approx(math.pi / 2, abs=0.05)
    assert s.speed == pytest.approx(s.dmi_limited_speed, rel=0.05)
