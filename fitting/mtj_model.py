# SPDX-License-Identifier: GPL-3.0-or-later
"""The seed's minimal MTJ neuron models (seed 003, Eqs. 2-6, 10 and A1) as fast integrators: the
compact models of the ``MTJ_HH`` rows and the step function network code uses.

Two families share one state, the seed's (theta, phi, T) with m = cos(theta) (cos phi, sin phi, 0)
+ sin(theta) z (theta = elevation from the film plane, phi = azimuth from the polariser p = x):

* ``mtj_eq10``: seed Eq. 10 as printed, damping neglected and linear in theta about the plane,

      dphi/dt   = iota - G,
      G         = iota0 sin(phi) / (1 - P^2 cos phi) - (gamma mu0 Ms / 2) (Dx + Dy - 2 Dz + (Dx - Dy) cos 2phi) theta
                  - gamma B_F cos(phi) theta,
      dtheta/dt = -iota0 theta cos(phi) / (1 - P^2 cos phi) - (gamma / 2) (2 B_F sin phi + (Dx - Dy) mu0 Ms sin 2phi),

  with iota0 = eta gamma hbar P J / (Ms e d) the spin current of the run's J (our reading of the seed's
  "reference spin current": the STT terms are those of Eq. 6 at the applied J) and iota = kappa iota0 the
  seed's extra "spin-current difference" drive of phi (a fitted fraction; the seed gives no value).
* ``mtj_macrospin``: the same variables without the small-theta expansion and with damping, i.e. the
  LLG-Slonczewski macrospin of Eqs. 5, 6 and A1, integrated in Cartesian form (no pole singularity),
  with MuMax3's Slonczewski convention (the alpha-mixed field-like part, ``cuda/slonczewski2.cu``) so that
  at eta = 1 it is the device's script.

Both advance T by Eq. 2 with R_norm(m.p, P(T)) (:func:`spinlif.devices.mtj_hh.normalised_resistance`)
and take Ms(T), P(T) from Eqs. 3a-b. Coefficients: eta (spin-transfer efficiency, 1 = Eq. 6), B_F (T),
and alpha (macrospin) or kappa (Eq. 10); the fits (:mod:`spinlif.fitting.mtj_fit`) free eta and kappa and
hold the rest, like D, P, Ms, the heating and tau0, at the device's (the spec's) values.

Noise (the stochastic neuron): the thermal field of seed Eq. 4, an isotropic Gaussian field of standard
deviation sqrt(2 alpha kB T / (Ms gamma V dt)) (T) per component and step, drawn afresh every step
(Stratonovich Heun step, as MuMax3's ``Temp``); for ``mtj_eq10`` it enters through its in-plane and
out-of-plane components, dphi/dt += gamma b_z and dtheta/dt -= gamma b_phi (the precession of m about the
field). ``noise = False`` gives the deterministic model the fits use.

Units: t in ns, fields in T, gamma in rad/(T ns), J in A/m^2, T in K.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from spinlif.units import GAMMA_LL, HBAR, KB, MU0, QE

GAMMA_NS = GAMMA_LL * 1e-9
"""gamma0 in rad/(T ns)."""

MACROSPIN, EQ10 = 0, 1
FAMILY_CODES = {"mtj_macrospin": MACROSPIN, "mtj_eq10": EQ10}

# positions in the constants vector of the kernels
(_MS, _P, _TREF, _TC, _EPSP, _DX, _DY, _DZ, _BF, _PX, _PY, _PZ, _ALPHA, _ETA, _KAPPA, _HBAR_ED, _HEAT,
 _TAU0, _TAMB, _AREA, _VOL) = range(21)


@dataclass(frozen=True)
class MTJDevice:
    """The device constants a minimal model needs (SI, as in the run spec), from a run spec.

    Example
    -------
    >>> from spinlif.devices.mtj_hh import DEFAULTS, parameter_set
    >>> dev = MTJDevice.from_spec({**DEFAULTS, **parameter_set("F")})
    >>> dev.D, round(dev.volume * 1e27, 1)
    ((0.01, 0.02, -0.095), 100000.0)
    """

    Ms: float
    P: float
    T_ref: float
    T_C: float
    eps_P: float
    D: tuple[float, float, float]
    n_F: tuple[float, float, float]
    thickness: float
    area: float
    heating: float
    tau0: float
    T_amb: float
    alpha: float

    @classmethod
    def from_spec(cls, spec: dict) -> MTJDevice:
        mat, g, th = spec["material"], spec["geometry"], spec["thermal"]
        p = np.asarray(mat["n_F"], float)
        p = p / np.linalg.norm(p)
        return cls(mat["Ms"], mat["P"], mat["T_ref"], mat["T_C"], mat["eps_P"], tuple(mat["D"]), tuple(p.tolist()),
                   g["thickness"], g["area"], th["heating"], th["tau0"], th["T_amb"], mat["alpha"])

    @property
    def volume(self) -> float:
        """Free-layer volume (m^3)."""
        return self.area * self.thickness

    def polarisation(self, T):
        """P(T) of Eq. 3b (:func:`spinlif.devices.mtj_hh.polarisation`), Ms(T)/Ms(T_ref) floored at 1e-6
        as in the kernels."""
        from spinlif.devices.mtj_hh import ms_ratio

        ratio = np.clip(ms_ratio(np.asarray(T, float), {"T_C": self.T_C, "T_ref": self.T_ref}), 1e-6, None)
        return self.P * ratio ** self.eps_P

    def spike_levels(self, high: float = 0.6, low: float = 0.4) -> tuple[float, float]:
        """R_norm levels of the spike detector at T_amb: R_P + high (R_AP - R_P) to fire, R_P + low (R_AP -
        R_P) to re-arm (the observables' defaults, :mod:`spinlif.analysis.observables.mtj_hh`)."""
        from spinlif.devices.mtj_hh import normalised_resistance

        span = normalised_resistance(-1.0, float(self.polarisation(self.T_amb))) - 1.0
        return 1.0 + high * span, 1.0 + low * span

    def constants(self, alpha: float, eta: float, B_F: float, kappa: float = 0.0) -> np.ndarray:
        """The kernels' constants vector for these coefficients."""
        c = np.zeros(21)
        c[[_MS, _P, _TREF, _TC, _EPSP]] = self.Ms, self.P, self.T_ref, self.T_C, self.eps_P
        c[[_DX, _DY, _DZ]] = self.D
        c[[_PX, _PY, _PZ]] = self.n_F
        c[[_BF, _ALPHA, _ETA, _KAPPA]] = B_F, alpha, eta, kappa
        c[_HBAR_ED] = HBAR / (QE * self.thickness)
        c[[_HEAT, _TAU0, _TAMB, _AREA, _VOL]] = self.heating, self.tau0 * 1e9, self.T_amb, self.area, self.volume
        return c


@njit(cache=True)
def _scaled(T, c):
    """(Ms(T), P(T)) from Eqs. 3a-b, scaled from the values at T_ref."""
    r = (1.0 - (T / c[_TC]) ** 1.5) / (1.0 - (c[_TREF] / c[_TC]) ** 1.5)
    if r < 1e-6:
        r = 1e-6
    return c[_MS] * r, c[_P] * r ** c[_EPSP]


@njit(cache=True)
def _r_norm(mp, P):
    return (1.0 + P * P) / (1.0 + P * P * mp)


@njit(cache=True)
def _rhs_macrospin(m, T, J, b_th, c, out):
    """dm/dt (rad/ns) and dT/dt (K/ns) of the LLG-Slonczewski macrospin; ``out`` gets dm, returns dT."""
    Ms, P = _scaled(T, c)
    mx, my, mz = m[0], m[1], m[2]
    bsat = MU0 * Ms
    bx = -bsat * c[_DX] * mx - c[_BF] * c[_PX] + b_th[0]
    by = -bsat * c[_DY] * my - c[_BF] * c[_PY] + b_th[1]
    bz = -bsat * c[_DZ] * mz - c[_BF] * c[_PZ] + b_th[2]
    a = c[_ALPHA]
    gilb = 1.0 / (1.0 + a * a)
    # m x B and m x (m x B)
    cx, cy, cz = my * bz - mz * by, mz * bx - mx * bz, mx * by - my * bx
    dx, dy, dz = my * cz - mz * cy, mz * cx - mx * cz, mx * cy - my * cx
    px, py, pz = c[_PX], c[_PY], c[_PZ]
    mp = mx * px + my * py + mz * pz
    A = c[_ETA] * c[_HBAR_ED] * J / Ms * P / (1.0 - P * P * mp)
    # p x m and m x (p x m) = p - (m.p) m
    qx, qy, qz = py * mz - pz * my, pz * mx - px * mz, px * my - py * mx
    sx, sy, sz = px - mp * mx, py - mp * my, pz - mp * mz
    g = GAMMA_LL * 1e-9 * gilb
    out[0] = g * (-(cx + a * dx) + A * sx - a * A * qx)
    out[1] = g * (-(cy + a * dy) + A * sy - a * A * qy)
    out[2] = g * (-(cz + a * dz) + A * sz - a * A * qz)
    return c[_HEAT] * 1e-9 * _r_norm(mp, P) * (J * c[_AREA]) ** 2 - (T - c[_TAMB]) / c[_TAU0]


@njit(cache=True)
def _rhs_eq10(s, T, J, b_th, c, out):
    """d(theta, phi)/dt (rad/ns) of seed Eq. 10 (in out[0], out[1]) and dT/dt (K/ns)."""
    Ms, P = _scaled(T, c)
    th, ph = s[0], s[1]
    g = GAMMA_LL * 1e-9
    bsat = MU0 * Ms
    cphi, sphi = math.cos(ph), math.sin(ph)
    iota0 = g * c[_ETA] * c[_HBAR_ED] * J / Ms * P
    eff = 1.0 / (1.0 - P * P * cphi)
    G = (iota0 * sphi * eff - 0.5 * g * bsat * (c[_DX] + c[_DY] - 2 * c[_DZ] + (c[_DX] - c[_DY]) * math.cos(2 * ph)) * th
         - g * c[_BF] * cphi * th)
    # thermal field: b_th[0] along e_theta-ish (z) tilts phi's precession, b_th[1] in-plane along e_phi
    out[1] = c[_KAPPA] * iota0 - G + g * b_th[0]
    out[0] = (-iota0 * th * cphi * eff - 0.5 * g * (2 * c[_BF] * sphi + (c[_DX] - c[_DY]) * bsat * math.sin(2 * ph))
              - g * b_th[1])
    mp = math.cos(th) * cphi
    return c[_HEAT] * 1e-9 * _r_norm(mp, P) * (J * c[_AREA]) ** 2 - (T - c[_TAMB]) / c[_TAU0]


@njit(cache=True)
def _rhs(family, y, T, J, b_th, c, out):
    if family == MACROSPIN:
        return _rhs_macrospin(y, T, J, b_th, c, out)
    return _rhs_eq10(y, T, J, b_th, c, out)


@njit(cache=True)
def _integrate(family, y0, T0, t_end, dt, edges, levels, every, c, noise, seed):
    """Fixed-step integration to t_end (ns): RK4 without noise, Heun with the thermal field.
    Returns samples every ``every`` steps: (t, m.p, m_z, T)."""
    n_steps = int(round(t_end / dt))
    n_out = n_steps // every + 1
    t_out, mp_out, mz_out, T_out = np.empty(n_out), np.empty(n_out), np.empty(n_out), np.empty(n_out)
    y = y0.copy()
    T = T0
    k1, k2, k3, k4 = np.empty(3), np.empty(3), np.empty(3), np.empty(3)
    b = np.zeros(3)
    if noise:
        np.random.seed(seed)
    seg = 0
    for n in range(n_steps + 1):
        t = n * dt
        if n % every == 0:
            j = n // every
            t_out[j] = t
            if family == MACROSPIN:
                mp_out[j] = y[0] * c[_PX] + y[1] * c[_PY] + y[2] * c[_PZ]
                mz_out[j] = y[2]
            else:
                mp_out[j] = math.cos(y[0]) * math.cos(y[1])
                mz_out[j] = math.sin(y[0])
            T_out[j] = T
        if n == n_steps:
            break
        while seg + 1 < len(levels) and t + 0.5 * dt >= edges[seg + 1]:
            seg += 1
        J = levels[seg]
        if noise:
            Ms, _ = _scaled(T, c)
            sigma = math.sqrt(2 * c[_ALPHA] * KB * max(T, 0.0) / (Ms * GAMMA_LL * c[_VOL] * dt * 1e-9))
            for i in range(3):
                b[i] = sigma * np.random.normal()
            l1 = _rhs(family, y, T, J, b, c, k1)
            l2 = _rhs(family, y + dt * k1, T + dt * l1, J, b, c, k2)
            y = y + 0.5 * dt * (k1 + k2)
            T = T + 0.5 * dt * (l1 + l2)
        else:
            l1 = _rhs(family, y, T, J, b, c, k1)
            l2 = _rhs(family, y + 0.5 * dt * k1, T + 0.5 * dt * l1, J, b, c, k2)
            l3 = _rhs(family, y + 0.5 * dt * k2, T + 0.5 * dt * l2, J, b, c, k3)
            l4 = _rhs(family, y + dt * k3, T + dt * l3, J, b, c, k4)
            y = y + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
            T = T + dt / 6 * (l1 + 2 * l2 + 2 * l3 + l4)
        if family == MACROSPIN:
            y = y / math.sqrt(y[0] ** 2 + y[1] ** 2 + y[2] ** 2)
    return t_out, mp_out, mz_out, T_out


def stable_step_ns(device: MTJDevice) -> float:
    """The integration step (ns): 1/40 of the fastest precession period (about the easy axis, at
    T_ref), at most 2 ps.

    Example
    -------
    >>> from spinlif.devices.mtj_hh import DEFAULTS, parameter_set
    >>> stable_step_ns(MTJDevice.from_spec({**DEFAULTS, **parameter_set("R")}))
    0.0007
    """
    D = np.asarray(device.D)
    b_max = MU0 * device.Ms * float(np.ptp(D)) + 1e-3
    period = 2 * math.pi / (GAMMA_NS * b_max)
    step = min(2e-3, period / 40)
    return float(f"{step:.1g}")


def simulate(family: str, device: MTJDevice, coefficients: dict, m0, t_end_ns: float, edges_ns, levels_Am2,
             sample_ns: float, *, noise: bool = False, seed: int = 0, dt_ns: float | None = None) -> dict:
    """One run of a minimal model under a piecewise-constant current.

    Parameters
    ----------
    family : str
        ``mtj_macrospin`` or ``mtj_eq10``.
    device : MTJDevice
        The device constants.
    coefficients : dict
        ``eta``, ``B_F`` (T) and ``alpha`` (macrospin) or ``kappa`` (Eq. 10).
    m0 : sequence of 3 floats
        Initial magnetisation direction.
    t_end_ns : float
        Length of the run (ns).
    edges_ns, levels_Am2 : array
        Segment start times (ns; the first 0) and the current density of each (A/m^2).
    sample_ns : float
        Output period (ns); a multiple of the integration step is used.
    noise : bool
        Thermal field of Eq. 4 (the stochastic neuron); ``seed`` seeds it.
    dt_ns : float, optional
        Integration step (default :func:`stable_step_ns`).

    Returns
    -------
    dict
        ``t_ns``, ``m_dot_p``, ``mz``, ``T_K``, ``P``, ``R_norm`` arrays.

    Example
    -------
    >>> from spinlif.devices.mtj_hh import DEFAULTS, parameter_set
    >>> dev = MTJDevice.from_spec({**DEFAULTS, **parameter_set("F")})
    >>> out = simulate("mtj_macrospin", dev, {"eta": 1.0, "B_F": 7.7e-3, "alpha": 0.01}, [0, 0, 1], 1.0,
    ...                [0.0], [0.0], 0.1)
    >>> round(float(out["T_K"][-1]), 6), len(out["t_ns"])
    (300.0, 11)
    """
    code = FAMILY_CODES[family]
    dt = dt_ns or stable_step_ns(device)
    every = max(1, int(round(sample_ns / dt)))
    # Eq. 10 neglects damping; its noise (fluctuation-dissipation) still takes the device's alpha
    c = device.constants(coefficients.get("alpha", device.alpha), coefficients["eta"], coefficients["B_F"],
                         coefficients.get("kappa", 0.0))
    m = np.asarray(m0, float)
    m = m / np.linalg.norm(m)
    y0 = m if code == MACROSPIN else np.array([math.asin(max(-1.0, min(1.0, m[2]))), math.atan2(m[1], m[0]), 0.0])
    t, mp, mz, T = _integrate(code, y0, float(device.T_amb), float(t_end_ns), dt, np.asarray(edges_ns, float),
                              np.asarray(levels_Am2, float), every, c, bool(noise), int(seed))
    P = device.polarisation(T)
    return {"t_ns": t, "m_dot_p": mp, "mz": mz, "T_K": T, "P": P, "R_norm": (1 + P * P) / (1 + P * P * mp)}
