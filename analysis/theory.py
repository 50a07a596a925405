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
    :func:`spinlif.devices._multilayer.current_direction`). ``delta`` defaults to sqrt(A/K_eff); the brief asks
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


# ---------------------------------------------------------------------------------------------
# Skyrmion statics: the radial Euler-Lagrange problem (physics-brief section 5 V3, V5)

def skyrmion_radial_profile(Aex: float, D: float, K: float, r_max: float, disk: bool = False,
                            n: int = 1000, r_guess: float | None = None):
    """theta(r) of an isolated Neel skyrmion (core theta = pi) by minimising the radial energy.

    Energy per unit thickness 2 pi int [A (theta'^2 + sin^2 theta / r^2) + |D| (theta' + sin theta
    cos theta / r) + K sin^2 theta] r dr with the favourable chirality (Rohart & Thiaville,
    PRB 88, 184422 (2013)); K is the effective anisotropy (K_u - mu0 Ms^2 / 2 in the local-demag
    thin-film approximation, K_u without demag). Its Euler-Lagrange equation is the radial
    problem of physics-brief V3/V5. Discretised on n intervals with the midpoint rule
    (second order) and minimised with L-BFGS from a 360-degree-wall guess; theta(0) = pi, and
    theta(r_max) = 0 for a film or free for a disk (the free end gives the DMI boundary
    condition theta' = -|D| / (2A) by itself). Returns (r, theta) in SI, n + 1 points.
    """
    import numpy as np
    from scipy.optimize import minimize

    # dimensionless: lengths in ell = 1 nm, energies in A (the minimiser needs O(1) numbers)
    ell = 1e-9
    d, kk = abs(D) * ell / Aex, K * ell**2 / Aex
    h = r_max / ell / n
    r = np.arange(n + 1) * h
    rm = r[:-1] + h / 2
    w = rm * h

    def full(free):
        th = np.empty(n + 1)
        th[0] = np.pi
        if disk:
            th[1:] = free
        else:
            th[1:-1], th[-1] = free, 0.0
        return th

    def energy_and_grad(free):
        th = full(free)
        tm, g = 0.5 * (th[1:] + th[:-1]), np.diff(th) / h
        sn, cs = np.sin(tm), np.cos(tm)
        e = np.sum(w * ((g**2 + sn**2 / rm**2) + d * (g + sn * cs / rm) + kk * sn**2))
        df_dt = (1 / rm**2 + kk) * np.sin(2 * tm) + d * np.cos(2 * tm) / rm
        df_dg = 2 * g + d
        grad = np.zeros(n + 1)
        grad[:-1] += w * (0.5 * df_dt - df_dg / h)
        grad[1:] += w * (0.5 * df_dt + df_dg / h)
        return e, (grad[1:] if disk else grad[1:-1])

    width = (math.sqrt(Aex / K) if K > 0 else r_max / 10) / ell
    r0 = (r_guess if r_guess is not None else r_max / 4) / ell
    guess = full(np.zeros(n if disk else n - 1))
    guess[1:] = 2 * np.arctan(np.exp(-(r[1:] - r0) / width))
    if not disk:
        guess[-1] = 0.0
    res = minimize(energy_and_grad, guess[1:] if disk else guess[1:-1], jac=True, method="L-BFGS-B",
                   options={"maxiter": 200000, "maxfun": 400000, "ftol": 1e-15, "gtol": 1e-10, "maxcor": 30})
    th = full(res.x)
    if np.cos(th[1]) > 0 or np.all(np.cos(th) > 0):
        raise RuntimeError("radial skyrmion problem: the skyrmion collapsed (D too small for this K?)")
    return r * ell, th


def skyrmion_radius(r, theta) -> float:
    """Radius where m_z = cos theta = 0 (units of r), linearly interpolated."""
    import numpy as np

    mz = np.cos(theta)
    k = int(np.argmax(mz >= 0))
    return float(r[k - 1] + (0 - mz[k - 1]) * (r[k] - r[k - 1]) / (mz[k] - mz[k - 1]))


# ---------------------------------------------------------------------------------------------
# Skyrmion dynamics: the Thiele equation (physics-brief section 5 V6)

def thiele_velocity(G: float, dissipation: float, alpha: float, force) -> tuple[float, float]:
    """(v_x, v_y) of a rigid texture from G_ij v_j - alpha D v_i = F_i, with G_xy = -G_yx = G
    (= 4 pi Q for a unit-normalised m, G = int m . (d_x m x d_y m) dA), D = int (d_x m)^2 dA and
    F_i = gamma a int (m x p) . d_i m dA (m/s) for a damping-like torque a m x (m x p) written
    as the field a m x p (derived from the LLG by projecting on d_i m; units of F: m/s)."""
    import numpy as np

    mat = np.array([[-alpha * dissipation, G], [-G, -alpha * dissipation]])
    vx, vy = np.linalg.solve(mat, np.asarray(force, float))
    return float(vx), float(vy)


def texture_integrals(m, x, y, p, a: float, window: tuple[float, float, float] | None = None,
                      gamma: float = GAMMA_LL) -> dict:
    """G, dissipation D and the SOT force F (m/s) of one layer ``(ny, nx, 3)`` on cell centres
    ``x``, ``y`` (m): the inputs of :func:`thiele_velocity`. Derivatives by MuMax3's stencil
    (4th order inside, :mod:`analysis.topology`); with ``window = (x0, y0, r)`` only cells within
    r of (x0, y0) count (the texture, not the edge canting of a finite film)."""
    import numpy as np

    from spinlif.analysis.topology import mumax_derivative

    m = np.asarray(m, float)
    cx, cy = x[1] - x[0], y[1] - y[0]
    dx = mumax_derivative(m, axis=1, periodic=False) / cx
    dy = mumax_derivative(m, axis=0, periodic=False) / cy
    weight = np.full(m.shape[:2], cx * cy)
    if window is not None:
        xx, yy = np.meshgrid(x, y)
        weight = np.where((xx - window[0]) ** 2 + (yy - window[1]) ** 2 <= window[2] ** 2, weight, 0.0)
    G = float(np.sum(weight * np.einsum("...i,...i->...", m, np.cross(dx, dy))))
    Dxx = float(np.sum(weight * np.sum(dx * dx, axis=-1)))
    Dyy = float(np.sum(weight * np.sum(dy * dy, axis=-1)))
    mxp = np.cross(m, np.broadcast_to(np.asarray(p, float), m.shape))
    F = [gamma * a * float(np.sum(weight * np.einsum("...i,...i->...", mxp, d))) for d in (dx, dy)]
    return {"G": G, "D": 0.5 * (Dxx + Dyy), "Dxx": Dxx, "Dyy": Dyy, "F": F}


# ---------------------------------------------------------------------------------------------
# AFM solitons: the static sine-Gordon soliton lattice (physics-brief section 5 V9)

def sine_gordon_lattice(period: float, lam: float, stiffness: float, anisotropy: float) -> dict:
    """A periodic lattice of pi-walls of the energy density ``stiffness phi'^2 + anisotropy sin^2 phi``
    (J/m^2; lam = sqrt(stiffness / anisotropy)), one wall per ``period`` (m).

    First integral phi' = sqrt(sin^2 phi + c) / lam; with k^2 = 1 / (1 + c), the period is
    2 lam k K(k) and the energy of one period 4 sqrt(stiffness anisotropy) (E(k)/k - (1-k^2) K(k)/(2k))
    (complete elliptic integrals). The chemical potential mu = dF/dN at fixed length is
    4 sqrt(stiffness anisotropy) E(k) / k (-> the single-wall energy 4 sqrt(...) as k -> 1), and
    the wall density w = lam / period = 1 / (2 k K(k)) (seed 000 Suppl. Eq. A.3). Returns
    ``{"k", "energy_per_wall", "mu", "w"}`` (J/m per unit width).
    """
    from scipy.optimize import brentq
    from scipy.special import ellipe, ellipkm1

    target = period / lam
    # period / lam = 2 k K(k) grows from 0 to infinity as k -> 1; solve for q = -log10(1 - k^2)
    # with K from ellipkm1 (accurate for dilute walls, where 1 - k^2 ~ 16 exp(-period / lam))
    def excess(q):
        p = 10.0 ** (-q)
        return 2 * math.sqrt(1 - p) * ellipkm1(p) - target

    q = brentq(excess, 1e-12, 300.0, xtol=1e-14, maxiter=500)
    p = 10.0 ** (-q)
    k = math.sqrt(1 - p)
    scale = 4 * math.sqrt(stiffness * anisotropy)
    K, E = ellipkm1(p), ellipe(k**2)
    return {"k": k, "energy_per_wall": scale * (E / k - (1 - k**2) * K / (2 * k)), "mu": scale * E / k,
            "w": 1 / (2 * k * K)}


def prism_demag_factors(lx: float, ly: float, lz: float) -> tuple[float, float, float]:
    """Demagnetising factors (Nx, Ny, Nz) of a uniformly magnetised rectangular prism.

    A. Aharoni, J. Appl. Phys. 83, 3432 (1998), Eq. (1), for the prism 2a x 2b x 2c; Nx and Ny
    follow by permuting the axes. Nx + Ny + Nz = 1.

    Parameters
    ----------
    lx, ly, lz : float
        Edge lengths (m, or any unit: the factors are dimensionless).

    Returns
    -------
    tuple of float
        (Nx, Ny, Nz), dimensionless.

    Example
    -------
    >>> [round(n, 6) for n in prism_demag_factors(1.0, 1.0, 1.0)]
    [0.333333, 0.333333, 0.333333]
    """

    def along_third(a: float, b: float, c: float) -> float:
        r = math.sqrt(a * a + b * b + c * c)
        ab, bc, ac = math.hypot(a, b), math.hypot(b, c), math.hypot(a, c)
        s = ((b * b - c * c) / (2 * b * c) * math.log((r - a) / (r + a))
             + (a * a - c * c) / (2 * a * c) * math.log((r - b) / (r + b))
             + b / (2 * c) * math.log((ab + a) / (ab - a)) + a / (2 * c) * math.log((ab + b) / (ab - b))
             + c / (2 * a) * math.log((bc - b) / (bc + b)) + c / (2 * b) * math.log((ac - a) / (ac + a))
             + 2 * math.atan(a * b / (c * r)) + (a ** 3 + b ** 3 - 2 * c ** 3) / (3 * a * b * c)
             + (a * a + b * b - 2 * c * c) / (3 * a * b * c) * r + c / (a * b) * (ac + bc)
             - (ab ** 3 + bc ** 3 + ac ** 3) / (3 * a * b * c))
        return s / math.pi

    a, b, c = lx / 2, ly / 2, lz / 2
    return along_third(b, c, a), along_third(c, a, b), along_third(a, b, c)
