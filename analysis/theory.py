# SPDX-License-Identifier: GPL-3.0-or-later
"""Analytic reference models that simulations are checked against (never fitted to).

Domain wall: the 1D collective-coordinate (q, psi) model of an SOT-driven Neel wall,
physics-brief section 5 V4 (Thiaville et al. EPL 100, 57002 (2012); Martinez, Emori, Beach,
APL 103, 072406 (2013)). In steady state (psi' = 0), with fields as mu0*H in tesla:

    (pi / (2 alpha)) H_SH cos psi = (pi/2) H_D sin psi - (H_K/2) sin 2 psi,
    v = (pi/2) gamma Delta H_SH cos psi / alpha,

where psi is the wall angle measured from the Neel orientation the DMI prefers,
mu0 H_D = D / (Ms Delta), mu0 H_K = mu0 Ms t ln2 / (pi Delta) (Bloch-Neel shape anisotropy of a
layer of thickness t), mu0 H_SH = hbar |theta_SH| J / (2 e Ms t). Limits: v -> (pi/2) gamma Delta
H_SH / alpha for small drive, v -> v_D = (pi/2) gamma D / Ms for large drive.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.optimize import brentq

from spinlif.units import GAMMA_LL, HBAR, MU0, QE


@dataclass(frozen=True)
class WallSteadyState:
    """Steady state of the 1D model: speed (m/s), wall angle from Neel (rad) and the fields (T)."""

    speed: float
    psi: float
    mu0_H_SH: float
    mu0_H_D: float
    mu0_H_K: float
    delta: float
    linear_speed: float
    dmi_limited_speed: float


def wall_parameter(Aex: float, Ku: float, Ms: float) -> float:
    """Delta = sqrt(A / K_eff) (m), thin-film K_eff = Ku - mu0 Ms^2 / 2."""
    k_eff = Ku - MU0 * Ms**2 / 2
    if k_eff <= 0:
        raise ValueError(f"K_eff = {k_eff:.3g} J/m^3 <= 0: no perpendicular domains")
    return math.sqrt(Aex / k_eff)


def spin_hall_field(theta_SH: float, J: float, Ms: float, thickness: float) -> float:
    """mu0 H_SH = hbar |theta_SH| |J| / (2 e Ms t) (T)."""
    return HBAR * abs(theta_SH) * abs(J) / (2 * QE * Ms * thickness)


def dw_steady_state(*, Ms: float, Aex: float, Ku: float, D: float, alpha: float, theta_SH: float,
                    J: float, thickness: float, delta: float | None = None,
                    gamma: float = GAMMA_LL) -> WallSteadyState:
    """Steady SOT-driven wall speed of the 1D model (magnitude; direction from the signs, see
    :func:`spinlif.spec.current_direction`). ``delta`` defaults to sqrt(A/K_eff); the brief asks
    for the Delta fitted to the relaxed simulated profile."""
    delta = delta if delta is not None else wall_parameter(Aex, Ku, Ms)
    h_sh = spin_hall_field(theta_SH, J, Ms, thickness)
    h_d = abs(D) / (Ms * delta)
    h_k = MU0 * Ms * thickness * math.log(2) / (math.pi * delta)
    v_lin = math.pi / 2 * gamma * delta * h_sh / alpha
    v_d = math.pi / 2 * gamma * abs(D) / Ms
    if h_sh == 0:
        return WallSteadyState(0.0, 0.0, h_sh, h_d, h_k, delta, v_lin, v_d)

    def balance(psi: float) -> float:
        return (math.pi / 2 * h_d * math.sin(psi) - h_k / 2 * math.sin(2 * psi)
                - math.pi / (2 * alpha) * h_sh * math.cos(psi))

    psi = brentq(balance, 0.0, math.pi / 2, xtol=1e-14)
    speed = math.pi / 2 * gamma * delta * h_sh * math.cos(psi) / alpha
    return WallSteadyState(speed, psi, h_sh, h_d, h_k, delta, v_lin, v_d)


# ---------------------------------------------------------------------------------------------
# references of the validation suite (spinlif.validation; physics-brief section 5)

def dmi_edge_canting_angle(Aex: float, Ku: float, D: float) -> float:
    """Edge angle (rad) of an interfacial-DMI film magnetised along the easy axis z.

    Rohart & Thiaville, PRB 88, 184422 (2013): the free-surface condition dtheta/dn = D / (2A)
    on the semi-infinite profile dtheta/dx = sin(theta) / Delta gives sin(theta_edge) =
    D Delta / (2 A) = D / (2 sqrt(A K)) (no demag; brief V2: 0.6578 -> m_z = 0.7532).
    """
    return math.asin(abs(D) / (2 * math.sqrt(Aex * Ku)))


def dmi_edge_profile_mz(x_from_edge, Aex: float, Ku: float, D: float):
    """m_z at distance ``x_from_edge`` (m, >= 0) inside a semi-infinite DMI film (no demag).

    tan(theta / 2) = tan(theta_edge / 2) exp(-x / Delta), Delta = sqrt(A / K).
    """
    import numpy as np

    delta = math.sqrt(Aex / Ku)
    theta = 2 * np.arctan(math.tan(dmi_edge_canting_angle(Aex, Ku, D) / 2) * np.exp(-np.asarray(x_from_edge) / delta))
    return np.cos(theta)


def slonczewski_amplitude(J: float, Ms: float, thickness: float, pol: float) -> float:
    """Damping-like SOT amplitude a = hbar Pol J / (2 e Ms t) (tesla), MuMax3's beta*epsilon at Lambda = 1."""
    return HBAR * pol * J / (2 * QE * Ms * thickness)


def macrospin_slonczewski(m0, p, a: float, alpha: float, t, gamma: float = GAMMA_LL, epsilon_prime_a: float = 0.0):
    """Macrospin trajectory under MuMax3's Slonczewski torque alone (no other field).

    dm/dt = gamma / (1 + alpha^2) [(a + alpha b) m x (p x m) + (b - alpha a) p x m]
    (cuda/slonczewski2.cu with Lambda = 1; ``a`` and ``b = epsilon_prime_a`` in tesla), integrated
    with scipy's DOP853 at rtol 1e-11. Returns m(t) with shape (len(t), 3).
    For b = 0 the projection on p is closed-form: m.p = tanh(gamma' a t + atanh(m0.p)).
    """
    import numpy as np
    from scipy.integrate import solve_ivp

    p = np.asarray(p, dtype=float)
    g = gamma / (1 + alpha**2)
    b = epsilon_prime_a

    def rhs(_, m):
        pxm = np.cross(p, m)
        return g * ((a + alpha * b) * np.cross(m, pxm) + (b - alpha * a) * pxm)

    t = np.asarray(t, dtype=float)
    sol = solve_ivp(rhs, (0.0, float(t[-1])), np.asarray(m0, dtype=float), method="DOP853",
                    t_eval=t, rtol=1e-11, atol=1e-13)
    return sol.y.T


def interlayer_exchange_energy(phi, A_int: float, dz: float, area: float, n_interfaces: int = 1):
    """Energy (J) of uniform layers at relative angle ``phi`` across ``n_interfaces`` interfaces,
    relative to the parallel state, for MuMax3's discrete inter-region exchange A_int (J/m):
    E = n (2 A_int / dz) S (1 - cos phi). 2 A_int / dz is the areal coupling (J/m^2; brief decision 3).
    """
    import numpy as np

    return n_interfaces * (2 * A_int / dz) * area * (1 - np.cos(phi))
