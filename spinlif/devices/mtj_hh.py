# SPDX-License-Identifier: GPL-3.0-or-later
"""Single-MTJ Hodgkin-Huxley-analogue neuron: a macrospin free layer with perpendicular
anisotropy, an in-plane polariser and Joule heating (seed 003, Rodrigues et al., Phys. Rev.
Applied 19, 064010 (2023), Eqs. 1-6 and Appendix Eq. A1; parameters from its Table II).

**Model, the same on both engines (the rendered script).**

* Free layer: a macrospin of area A and thickness d. MuMax3 draws thermal noise with curand,
  which needs an even number of cells (``engine/temperature.go``, issue #314; mumax3-facts.md
  (vii)), so the macrospin is two cells side by side, locked by an exchange field of
  ``LOCK_FIELD`` = 1 T per unit misalignment (Aex = B_lock Ms dx^2 / 2). Strongly locked cells
  with independent noise of volume V/2 each move as one moment of volume V.
* The elliptical disk (``geometry.shape = ellipse``, the seed's "elliptical cross section"): a real
  micromagnetic free layer of the same area, long over short axis ``aspect`` with the long axis along the
  easier in-plane direction of D, ``cell_size`` cells, exchange ``Aex``, demagnetisation computed by the
  engine, and as custom anisotropy the rest of D, (D - N) component-wise, with N the demagnetising factors
  of the flat elliptic cylinder (:func:`disk_demag_factors`). Its uniform state sees D up to the staircase
  of cells that covers the ellipse; non-uniform modes, edge effects and the thermal noise of each cell
  are its own.
* Effective field (Eq. A1): B = -mu0 Ms(T) (D_x m_x, D_y m_y, D_z m_z) - B_F n_F, a custom
  field term that follows Msat (``Mul(Mul(ConstVector(...), Msat), m)``); demagnetisation is off
  because D already contains the magnetostatics (seed: "includes the material anisotropy and
  magnetostatic fields"). B_F = mu0 H_F = 7.7 mT (Table II gives H_F in mT).
* Spin-transfer torque (Eqs. 5-6): tau_STT m x (p x m) with tau_STT = gamma hbar J / (Ms e d (1 +
  alpha^2)) P / (1 - P^2 m.p). MuMax3's Slonczewski term gives beta eps with eps = Pol Lambda^2 /
  ((Lambda^2 + 1) + (Lambda^2 - 1) m.p), beta = hbar J / (e Ms d); it equals Eq. 6 for
  ``Pol = 2 P / (1 - P^2)`` and ``Lambda^2 = (1 - P^2) / (1 + P^2)`` (:func:`mumax3_stt_parameters`,
  tested). p = n_F; positive J pushes m towards +p.
* Temperature (Eq. 2): dT/dt = (rho / kB) R_norm (J A)^2 - (T - T_amb) / tau0, advanced in the
  script between ``Run()`` segments of ``thermal.step`` (exact for R_norm constant over a
  segment: T -> T_eq + (T - T_eq) exp(-h / tau0)). The segment default, 10 ps, is tau0 / 400
  (the T update is smooth on that scale) and a third of the 31 ps period of the free layer's
  fastest precession (the Kittel frequency 32.8 GHz of :func:`kittel_frequency`), so R_norm is
  sampled above Nyquist. **Units of rho / kB**: Table II prints "3.0e14 K/Js". With R_norm
  dimensionless and (J A)^2 in A^2, dT/dt is in K/s only if rho / kB is in K/(A^2 s) = K Ohm / J,
  i.e. rho / kB = R_0 / C (Joule power I^2 R_0 R_norm over the heat capacity C); we read the value
  as 3.0e14 K/(A^2 s). At J = 2e10 A/m^2 it heats by tau0 (rho/kB) (J A)^2 R_norm = 1.9 K x R_norm.
* Ms(T) = Ms0 (1 - (T/T_C)^1.5) (Eq. 3a) and P(T) = P0 (Ms(T)/Ms0)^eps_P (Eq. 3b). Table II gives
  Ms and P at 300 K, so the spec holds them at ``T_ref`` = 300 K and the script scales from there.
  (Eq. 3b with P(300 K) = 0.78 gives P0 = 1.15 > 1 at 0 K; only T >= T_amb is ever used, and
  :func:`check_consistency` refuses a T_amb with P(T_amb) >= 1.)
* Thermal noise: MuMax3's ``Temp`` = T(t) with a fixed ``ThermSeed`` (Eq. 4 is MuMax3's B_therm).
* Resistance: **seed Eq. 1 is printed as (1 + P^2) / (1 - P^2 m.p), which is largest for m
  parallel to p**, against the seed's own text (minimum when m and p are parallel) and the
  tunnelling conductance G ~ 1 + P^2 cos(theta) (Julliere; Slonczewski PRB 39, 6995 (1989)). We use
  R_norm = (1 + P^2) / (1 + P^2 m.p): 1 when parallel, (1 + P^2) / (1 - P^2) = 4.1 antiparallel
  (:func:`normalised_resistance`), in the heating term and in the observables alike.
"""

from __future__ import annotations

import math

from spinlif.drive import drive_schedule, drive_segments, fs_grid, segment_current
from spinlif.errors import SpecError
from spinlif.mx3_format import si
from spinlif.units import GAMMA_LL, HBAR, MU0, QE

SHORT_NAME = "mtj"
TABLE_DEVICE_TYPES = ("MTJ_HH",)
DEFAULT_PARAM_SET = "R"
FIT_FAMILIES = ("mtj_macrospin", "mtj_eq10")  # seed Eq. 10 and its un-linearised form (fitting/mtj_fit.py)
TRACE_PLOT = "resistance_and_temperature"
TEMPLATE = "mtj_hh.mx3.j2"

def STEPS_PER_NS(spec: dict) -> int:  # noqa: N802 (the registry's name for it)
    """Solver steps per simulated ns (for the resource estimate): the macrospin's step follows the 30 ps
    precession and the Run() segments, not the exchange of the two locked cells (measured ~700 per ns);
    the disk's follows the exchange of its cells, ~2000 per ns at 5 nm (1.4 T exchange field)."""
    if spec["geometry"]["shape"] == "macrospin":
        return 1000
    return int(2000 * (5e-9 / spec["geometry"]["cell_size"]) ** 2)

LOCK_FIELD = 1.0
"""Exchange field (T) per unit misalignment that locks the two cells of the macrospin."""

# Parameter set R: seed 003 Table II (room temperature, 300 K), D as printed. It does not fire at the
# seed's currents: the stiffness fields about z, mu0 Ms (D_x - D_z, D_y - D_z) = 1.12 and 1.22 T, dwarf the
# spin-transfer field (hbar J / (e Ms d) = 9.7 mT at 2e10 A/m^2, at most 19 mT with the efficiency), so
# the free layer stays at the easy axis up to ~1e11 A/m^2; Joule heating moves T by 2-8 K (P by <= 1.8 %).
# |D| = 0.98: Table II may give the direction of D, not its strength.
#
# Parameter set F: Table II with D scaled by 0.1 (stiffness fields 0.11 and 0.12 T), our choice, so that
# the seed's currents excite the free layer. What it does (deterministic macrospin of Eqs. 1-6 and A1,
# RK4 at 1 ps, from m = z tilted 0.6 deg; the cpu engine agrees): above J ~ 1e10 A/m^2 the precession about
# z grows until m crosses the antiparallel direction once per turn, a burst of R spikes at ~2 GHz (ISI 0.4
# ns), and then locks near +p (R_norm -> 1) for as long as the current flows; the current's end resets it
# (m relaxes back to the easy axis). The latency falls with J: first spike at 70, 28, 17, 13, 9.7, 7.8,
# 6.5, 4.9, 3.9, 2.8 ns for J = 1.0, 1.2, 1.4, 1.6, 1.8, 2.0, 2.2, 2.6, 3.0, 4.0e10 A/m^2, and the burst
# shortens (15 spikes at 1.0e10, 4 at 2.0e10, 1 at 4.0e10). So F is a self-resetting latency (LIF-mode)
# neuron with phasic bursts, not the seed's tonic HH neuron. No scan we ran fires tonically: D scaled
# by 0.1, 0.15, 0.2, 0.3 and 1; heating x1, x10, x33 and x100; R_norm as we read Eq. 1 and as printed;
# J from 0.9 to 7e10 A/m^2; 20-80 ns. Every firing run is one burst that ends locked near p, because
# the heating the oscillation adds (R_norm 1.6 vs 1.0 locked, 2-40 K) moves P/Ms^2, the balance of
# spin-transfer torque against anisotropy, by <= 2 %, far less than the lock-unlock hysteresis.
_TABLE_II = {"Ms": 8.47e5, "P": 0.78, "T_ref": 300.0, "alpha": 0.01, "D": [0.1, 0.2, -0.95],
             "B_F": 7.7e-3, "n_F": [1.0, 0.0, 0.0], "T_C": 800.0, "eps_P": 1.5,
             # the elliptical disk only (geometry.shape = ellipse): CoFeB exchange stiffness, 1.5e-11 J/m
             # (Table II has none; CoFeB films measure 1-3e-11 J/m, e.g. Yamanouchi et al., IEEE Magn.
             # Lett. 2, 3000304 (2011))
             "Aex": 1.5e-11}
PARAMETER_SETS = {
    "R": {"material": _TABLE_II},
    "F": {"material": {**_TABLE_II, "D": [0.01, 0.02, -0.095]}},
}

DEFAULTS = {
    "geometry": {"area": 6.25e-14, "thickness": 1.6e-9, "shape": "macrospin", "aspect": 2.0, "cell_size": 5e-9},
    "thermal": {"T_amb": 300.0, "tau0": 4e-9, "heating": 3.0e14, "noise": True, "seed": 1, "step": 10e-12},
    "initial_state": {"m": [0.0, 0.0, 1.0]},
    "drive": {"protocol": "dc", "J_bias": 0.0, "J0": 1.0e10, "amplitude": 2.0, "t_on": 1e-9, "t_off": 1e-9,
              "duration": 20e-9, "tail": 0.0},
    "sampling": {"table_period": 5e-12, "snapshot_period": 20e-9},
}

MS_EXPONENT = 1.5
"""Exponent of Eq. 3a, Ms(T) = Ms0 (1 - (T/T_C)^1.5)."""


def parameter_set(name: str) -> dict:
    """The ``material`` section of an MTJ parameter set."""
    if name not in PARAMETER_SETS:
        raise KeyError(f"param_set = {name!r}: allowed for mtj_hh are {', '.join(sorted(PARAMETER_SETS))}")
    return {k: {kk: (list(vv) if isinstance(vv, list) else vv) for kk, vv in v.items()}
            for k, v in PARAMETER_SETS[name].items()}


def ms_ratio(T: float, material: dict) -> float:
    """Ms(T) / Ms(T_ref) from Eq. 3a.

    Parameters
    ----------
    T : float
        Temperature (K).
    material : dict
        The spec's ``material`` section (``T_C``, ``T_ref``).

    Returns
    -------
    float
        The ratio (dimensionless).

    Example
    -------
    >>> round(ms_ratio(300.0, parameter_set("R")["material"]), 12)
    1.0
    """
    f = lambda t: 1 - (t / material["T_C"]) ** MS_EXPONENT  # noqa: E731
    return f(T) / f(material["T_ref"])


def polarisation(T: float, material: dict) -> float:
    """P(T) = P(T_ref) (Ms(T) / Ms(T_ref))^eps_P (Eq. 3b), dimensionless.

    Example
    -------
    >>> round(polarisation(300.0, parameter_set("R")["material"]), 6)
    0.78
    """
    return material["P"] * ms_ratio(T, material) ** material["eps_P"]


def normalised_resistance(m_dot_p, P):
    """R / R_P = (1 + P^2) / (1 + P^2 m.p) (see the module docstring for the sign of seed Eq. 1).

    Parameters
    ----------
    m_dot_p : float or array
        Projection of the free layer on the polariser.
    P : float or array
        Spin polarisation.

    Returns
    -------
    float or array
        1 for m parallel to p, (1 + P^2) / (1 - P^2) antiparallel.

    Example
    -------
    >>> normalised_resistance(1.0, 0.5), round(normalised_resistance(-1.0, 0.5), 4)
    (1.0, 1.6667)
    """
    return (1 + P * P) / (1 + P * P * m_dot_p)


def mumax3_stt_parameters(P: float) -> tuple[float, float]:
    """(Pol, Lambda) of MuMax3's Slonczewski term that give seed Eq. 6's P / (1 - P^2 m.p).

    Example
    -------
    >>> Pol, Lam = mumax3_stt_parameters(0.5)
    >>> round(Pol * Lam**2 / ((Lam**2 + 1) + (Lam**2 - 1) * 0.3), 6) == round(0.5 / (1 - 0.25 * 0.3), 6)
    True
    """
    return 2 * P / (1 - P * P), math.sqrt((1 - P * P) / (1 + P * P))


def stiffness_fields(spec: dict) -> tuple[float, float]:
    """(B_x, B_y) = mu0 Ms (D_x - D_z, D_y - D_z) (T): the restoring fields about the z easy axis
    at T_ref (for D_z the most negative component)."""
    mat = spec["material"]
    Dx, Dy, Dz = mat["D"]
    return MU0 * mat["Ms"] * (Dx - Dz), MU0 * mat["Ms"] * (Dy - Dz)


def kittel_frequency(spec: dict) -> float:
    """Small-angle precession frequency about z at T_ref, B_F = 0, J = 0 (Hz):
    f = gamma0 sqrt(B_x B_y) / 2 pi.

    Example
    -------
    >>> round(kittel_frequency({"material": parameter_set("R")["material"]}) / 1e9, 1)
    32.8
    """
    bx, by = stiffness_fields(spec)
    return GAMMA_LL * math.sqrt(bx * by) / (2 * math.pi)


def critical_current_density(spec: dict) -> float:
    """Current density (A/m^2) at which the spin-transfer torque of a polariser along +z undoes the
    damping of the -z state (B_F = 0, T = T_ref): J_c = alpha e Ms d (B_x + B_y) / (2 hbar eps),
    eps = P / (1 + P^2) the torque efficiency of Eq. 6 at m.p = -1 (linearised LLG about -z:
    damping rate alpha gamma0 (B_x + B_y) / 2 against the STT growth rate gamma0 hbar J eps / (e Ms d))."""
    mat = spec["material"]
    bx, by = stiffness_fields(spec)
    eps = mat["P"] / (1 + mat["P"] ** 2)
    return mat["alpha"] * QE * mat["Ms"] * spec["geometry"]["thickness"] * (bx + by) / (2 * HBAR * eps)


def _levels(spec: dict) -> list[float]:
    d = spec["drive"]
    levels = [segment_current(spec, seg) for seg in drive_schedule(spec)]
    return levels + [d["J_bias"]]


def steady_temperature_bound(spec: dict) -> float:
    """Highest steady temperature any drive level of the run could reach (K): T_amb + tau0 (rho/kB)
    (J A)^2 R_max with R_max = (1 + P^2) / (1 - P^2) at T_amb."""
    th, mat = spec["thermal"], spec["material"]
    P = polarisation(th["T_amb"], mat)
    J = max(abs(j) for j in _levels(spec))
    return th["T_amb"] + th["tau0"] * th["heating"] * (J * spec["geometry"]["area"]) ** 2 * normalised_resistance(-1.0, P)


def check_consistency(spec: dict) -> None:
    mat, th, g = spec["material"], spec["thermal"], spec["geometry"]
    if not th["T_amb"] < mat["T_C"]:
        raise SpecError(f"thermal.T_amb = {th['T_amb']!r} K: must be below material.T_C = {mat['T_C']!r} K")
    if not mat["T_ref"] < mat["T_C"]:
        raise SpecError(f"material.T_ref = {mat['T_ref']!r} K: must be below material.T_C = {mat['T_C']!r} K")
    P = polarisation(th["T_amb"], mat)
    if not P < 1:
        raise SpecError(f"thermal.T_amb = {th['T_amb']!r} K gives P = {P:.4g} >= 1 (Eq. 3b scaled from "
                        f"P = {mat['P']!r} at T_ref = {mat['T_ref']!r} K): raise T_amb")
    t_max = steady_temperature_bound(spec)
    if not t_max < 0.95 * mat["T_C"]:
        raise SpecError(f"drive: the largest current could heat the junction to {t_max:.4g} K, above 95 % of "
                        f"material.T_C = {mat['T_C']!r} K; lower the current or thermal.heating")
    if g["shape"] == "ellipse" and not g["aspect"] >= 1:
        raise SpecError(f"geometry.aspect = {g['aspect']!r}: the ellipse's long over short axis, must be >= 1")
    if sum(v * v for v in mat["n_F"]) == 0:
        raise SpecError("material.n_F = [0, 0, 0]: the polariser needs a direction")
    if sum(v * v for v in spec["initial_state"]["m"]) == 0:
        raise SpecError("initial_state.m = [0, 0, 0]: the magnetisation needs a direction")
    step = fs_grid(th["step"])
    for seg in drive_schedule(spec):
        n = fs_grid(seg.end) - fs_grid(seg.start)
        if n % step:
            raise SpecError(f"thermal.step = {th['step']!r} s must divide every drive segment; the one from "
                            f"{seg.start:.6g} s to {seg.end:.6g} s is not a multiple (choose t_on, t_off, "
                            "duration, tail and sampling.snapshot_period as multiples of it)")


def ellipse_axes(spec: dict) -> tuple[float, float]:
    """Diameters (m) of the elliptical disk along x and y: area pi a b / 4 = A, the long axis (aspect
    times the short one) along the easier in-plane direction of D (x when D_x <= D_y)."""
    g = spec["geometry"]
    short = math.sqrt(4 * g["area"] / (math.pi * g["aspect"]))
    long = g["aspect"] * short
    Dx, Dy, _ = spec["material"]["D"]
    return (long, short) if Dx <= Dy else (short, long)


def elliptic_cylinder_demag_factors(a: float, b: float, thickness: float) -> tuple[float, float, float]:
    """Magnetometric demagnetising factors (N_x, N_y, N_z) of a uniformly magnetised elliptic cylinder
    (a flat elliptical disk) with semi-axes a (x), b (y) and the given thickness (z), any length unit; they
    sum to 1.

    The shape-amplitude method of Beleggia and De Graef (J. Magn. Magn. Mater. 263, L1 (2003)) as Beleggia
    et al. apply it to elliptic cylinders (J. Phys. D 38, 3333 (2005)): with q the in-plane wave vector
    scaled by the semi-axes (polar angle psi), kappa(psi) = t sqrt(cos^2 psi / a^2 + sin^2 psi / b^2) and
    f(x) = (1 - exp(-x)) / x (the integral over k_z done in closed form),

        N_z = (1 / 4 pi) int_0^2pi dpsi int_0^inf dq 4 J_1(q)^2 / q f(kappa q),
        N_x = (1 / 4 pi) int dpsi c_x(psi) int dq 4 J_1(q)^2 / q (1 - f(kappa q)),  N_y alike with 1 - c_x,

    c_x = (cos^2 psi / a^2) / (cos^2 psi / a^2 + sin^2 psi / b^2). Beyond q = 400, J_1(q)^2 is replaced by
    its mean 1 / (pi q) (the oscillation left out is O(1/q^2): the factors sum to 1 within 1e-6).

    Example
    -------
    >>> [round(n, 4) for n in elliptic_cylinder_demag_factors(1.0, 1.0, 2.0)]  # as long as wide
    [0.3442, 0.3442, 0.3116]
    """
    from scipy.integrate import quad
    from scipy.special import j1

    scale, q_max = max(a, b), 400.0
    a, b, t = a / scale, b / scale, thickness / scale

    def f(x):
        return -math.expm1(-x) / x if x > 1e-9 else 1.0 - x / 2

    def g(x):
        return 1.0 - f(x)

    def radial(kappa, w):
        head = quad(lambda q: 4 * j1(q) ** 2 / q * w(kappa * q), 0.0, q_max, limit=2000, epsabs=1e-12,
                    epsrel=1e-10)[0]  # (the default 1.5e-8 stops 3e-4 off on this oscillating integrand)
        # the tail with J_1^2 -> 1 / (pi q), x = kappa q_max / u: (4 / pi q_max) int_0^1 w(kappa q_max / u) du
        tail = 4 / (math.pi * q_max) * quad(lambda u: w(kappa * q_max / u) if u > 0 else w(math.inf), 0.0, 1.0)[0]
        return head + tail

    def kappa(psi):
        return t * math.hypot(math.cos(psi) / a, math.sin(psi) / b)

    def share_x(psi):
        cx, sy = (math.cos(psi) / a) ** 2, (math.sin(psi) / b) ** 2
        return cx / (cx + sy)

    # the quarter 0 <= psi <= pi/2 four times (the integrands are even about both axes)
    n_z = quad(lambda p: radial(kappa(p), f), 0.0, math.pi / 2, epsabs=1e-10)[0] / math.pi
    n_x = quad(lambda p: share_x(p) * radial(kappa(p), g), 0.0, math.pi / 2, epsabs=1e-10)[0] / math.pi
    n_y = quad(lambda p: (1 - share_x(p)) * radial(kappa(p), g), 0.0, math.pi / 2, epsabs=1e-10)[0] / math.pi
    return n_x, n_y, n_z


def disk_demag_factors(spec: dict) -> tuple[float, float, float]:
    """Demagnetising factors of the elliptical disk in its uniform state: the flat elliptic cylinder's
    (:func:`elliptic_cylinder_demag_factors`). The disk's script adds the rest of D, (D - N) component-wise,
    as its custom anisotropy, and lets MuMax3 compute the demag, so the uniform state sees D up to the
    difference between the cell-covered ellipse and the continuous one (tests/test_mtj_hh.py measures it
    through the Kittel frequency of a 40 x 20 x 1.6 nm disk in 2.5 nm cells)."""
    dx, dy = ellipse_axes(spec)
    return elliptic_cylinder_demag_factors(dx / 2, dy / 2, spec["geometry"]["thickness"])


def grid_shape(spec: dict) -> tuple[int, int, int]:
    """(2, 1, 1): the two locked cells of the macrospin; for the disk, the cells covering the ellipse
    (an even count along x, since curand draws noise for an even number of cells)."""
    if spec["geometry"]["shape"] == "macrospin":
        return 2, 1, 1
    cs = spec["geometry"]["cell_size"]
    dx, dy = ellipse_axes(spec)
    nx, ny = math.ceil(dx / cs - 1e-9), math.ceil(dy / cs - 1e-9)
    return nx + nx % 2, ny, 1


def describe(spec: dict) -> dict:
    d, th = spec["drive"], spec["thermal"]
    out = {"param_set": spec["param_set"], "shape": spec["geometry"]["shape"], "drive_protocol": d["protocol"],
           "J_Am2": d["J_bias"] + d["J0"] * d["amplitude"] if d["protocol"] == "dc" else d["J_bias"],
           "duration_ns": round(d["duration"] * 1e9, 6), "T_amb_K": th["T_amb"], "noise": th["noise"],
           "seed": th["seed"]}
    if d["protocol"] == "pulse_train":
        out.update({"pulse_J_Am2": d["J_bias"] + d["J0"] * d["amplitude"], "t_on_ns": round(d["t_on"] * 1e9, 9),
                    "t_off_ns": round(d["t_off"] * 1e9, 9)})
    return out


def _segments(spec: dict) -> list[dict]:
    """The drive segments of :func:`spinlif.drive.drive_segments`, each with its number of heating steps."""
    step = fs_grid(spec["thermal"]["step"])
    return [{**values, "n_steps": (fs_grid(seg.end) - fs_grid(seg.start)) // step}
            for values, seg in zip(drive_segments(spec), drive_schedule(spec))]


def template_context(spec: dict) -> dict:
    """Values for ``mtj_hh.mx3.j2``, numbers formatted for MuMax3."""
    mat, g, th = spec["material"], spec["geometry"], spec["thermal"]
    side = math.sqrt(g["area"])
    dx = side / 2
    nf = [v / math.sqrt(sum(c * c for c in mat["n_F"])) for v in mat["n_F"]]
    T_ref_factor = 1 - (mat["T_ref"] / mat["T_C"]) ** MS_EXPONENT
    disk = g["shape"] == "ellipse"
    demag = disk_demag_factors(spec) if disk else (0.0, 0.0, 0.0)
    return {
        "param_set": spec["param_set"],
        "disk": disk,
        "grid": grid_shape(spec),
        "cell": [si(g["cell_size"]), si(g["cell_size"]), si(g["thickness"])] if disk else [si(dx), si(side), si(g["thickness"])],
        "diameters": [si(d) for d in ellipse_axes(spec)] if disk else [],
        "demag_factors": [si(n) for n in demag],
        "Aex": si(mat["Aex"]),
        "Aex_lock": si(LOCK_FIELD * mat["Ms"] * dx * dx / 2),
        "lock_field": si(LOCK_FIELD),
        "anisotropy": [si(-MU0 * (c - n)) for c, n in zip(mat["D"], demag)],
        "D": [si(c) for c in mat["D"]],
        "B_F": [si(-mat["B_F"] * c) for c in nf],
        "n_F": [si(c) for c in nf],
        "material": {k: si(v) for k, v in mat.items() if not isinstance(v, list)},
        "ms_exponent": si(MS_EXPONENT),
        "T_ref_factor": si(T_ref_factor),
        "area": si(g["area"]),
        "thickness": si(g["thickness"]),
        "thermal": {k: (si(v) if not isinstance(v, bool) else v) for k, v in th.items()},
        "decay": si(math.exp(-th["step"] / th["tau0"])),
        "m0": [si(c) for c in spec["initial_state"]["m"]],
        "sampling": {k: si(v) for k, v in spec["sampling"].items()},
        "protocol": spec["drive"]["protocol"],
        "segments": _segments(spec),
    }


NEURON_THRESHOLD = None

OBSERVABLE_SETTINGS = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "spike_high": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1, "default": 0.6,
                       "description": "a spike starts when R_norm rises through this fraction of the way from "
                                      "R_P (1) to R_AP ((1 + P^2) / (1 - P^2))"},
        "spike_low": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1, "default": 0.4,
                      "description": "and the detector re-arms when R_norm falls below this fraction (hysteresis)"},
        "settle_time": {"type": "number", "minimum": 0, "default": 2e-9,
                        "description": "initial time (s) left out of the rate and ISI statistics"},
    },
}
"""Schema of ``observables.mtj_hh`` in the config, with the defaults."""
