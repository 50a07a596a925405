# SPDX-License-Identifier: GPL-3.0-or-later
"""1D antiferromagnetic strip hosting domain walls (topological solitons of a damped sine-Gordon
equation; seed 000, physics-brief sections 3.1 c2-c3, 4.6, 5 V7 and V9).

**Model: a synthetic two-layer antiferromagnet**, the same on both engines. Sublattice A is cell
layer z = 0 (region 1), sublattice B is z = 1 (region 2), coupled by a negative
``ext_InterExchange`` (mumax3-facts.md section 3b option 2; cpu-engine-facts.md "antiferromagnet").
Chosen over alternating cells (option 1) because each sublattice keeps a continuum exchange
stiffness A along x: the cell is a discretisation length, not the lattice constant, so the
continuum sine-Gordon limit (and mesh refinement) exists. The strip is one cell wide.

Energy per unit area of the strip cross-section (dz = sublattice thickness, J = 2 A_int / dz the
areal coupling, n = in-plane Neel vector at angle phi from x, m = canting along z):

    E = 2 A dz phi'^2 + 2 K_easy dz sin^2 phi + 2 (|J| / dz + K_hard) dz m^2.

Eliminating m (each sublattice precesses at phi_dot = -2 gamma (|J|/dz + K_hard) m / Ms) gives the
sine-Gordon Lagrangian chi phi_dot^2 / 2 - A_sg phi'^2 / 2 - (K_sg / 2) sin^2 phi with friction
alpha_J phi_dot and, per unit area,

    A_sg = 4 A dz,  K_sg = 4 K_easy dz,  chi = dz Ms^2 / (gamma^2 H),  alpha_J = 2 alpha Ms dz / gamma,
    H = |J| / dz + K_hard  (J/m^3),

so that (:func:`sine_gordon_parameters`): wall width lambda = sqrt(A / K_easy), limiting velocity
u = 2 gamma sqrt(A H) / Ms, gap omega_g = u / lambda, damping eps = beta u lambda = alpha_J /
(chi omega_g) = 2 alpha gamma H / (Ms omega_g), free-decay rate beta u^2 = eps omega_g. A
damping-like torque with uniform polarisation p = +z acts on the two sublattices as opposite
(staggered) fields a (m_i x z), a = hbar |theta| J / (2 e Ms dz): a uniform torque density
tau = 2 Ms dz a on phi, and the steady wall velocity obeys v gamma_L = pi tau lambda / (2 alpha_J)
= pi gamma a lambda / (2 alpha) (V7; cpu-engine-facts.md measured the linear limit to 0.1 %).

Anisotropies: MuMax3 has one uniaxial term. The easy plane (hard axis z) is that term with
Ku1 = -K_hard; the in-plane easy axis x is a custom field B = (2 K_easy / Ms) m_x x with energy
density -B.M/2 = -K_easy m_x^2 (``AddFieldTerm``/``AddEdensTerm``); the cpu engine uses two
uniaxial terms; tests check both energies against these formulas. Demagnetisation is off:
the net moment vanishes to first order and the sublattice self-fields would renormalise
K_easy and K_hard; without it the parameters above are exact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from spinlif.drive import drive_segments
from spinlif.mx3_format import si
from spinlif.devices._track import check_inside, check_track
from spinlif.errors import SpecError
from spinlif.units import GAMMA_LL, HBAR, QE

SHORT_NAME = "afm"
TABLE_DEVICE_TYPES = ("AFM0D", "AFM_SOLITON")  # parameter-table device_type of its rows: the washboard neuron (uniform strip) and the soliton (a wall in the strip)
DEFAULT_PARAM_SET = "A"
FIT_FAMILIES = ("sine_gordon", "washboard2")  # the soliton (wall runs) and the neuron (uniform strip)
TRACE_PLOT = "walls_and_neel_angle"  # its results/afm/traces.png (spinlif.analysis.plots.TRACE_PLOTS)
TEMPLATE = "afm_strip.mx3.j2"

# Parameter set A: the physical example of physics-brief section 3.1 (c2): lambda = 10 nm,
# u = 10 km/s (omega_g = 1e12 1/s); alpha chosen for eps = 0.05, the middle of {0.01, 0.05, 0.1}.
# Parameter set N: the AFM neuron of seed 000 (physics-brief 3.1 c1, 4.5) as a two-sublattice
# macrospin (the uniform state, n_walls = 0): omega0 = sqrt(K_sg / chi) = 2 gamma sqrt(K_easy H) / Ms
# = 1.003e10 rad/s and eta = eps / 2 = alpha gamma H / (Ms omega0) = 4.98 for H = 1.3e6 J/m^3. H is
# 10x below set A so that the fast canting mode (gamma 2H / Ms ~ 1e12 rad/s) lets the CPU engine
# take ~ps steps over ns-long kick trains; a kick of i for t_on adds nu0 = b i t_on to phi', with
# b = 2 Ms dz a(J0) / chi = 1.66e21 rad/s^2 at J0 = 1e11 A/m^2 (tau / chi, module docstring).
PARAMETER_SETS = {
    "A": {"material": {"Ms": 4.0e5, "Aex": 1.0e-11, "interlayer_exchange": -6.0e-12,
                       "K_easy": 1.0e5, "K_hard": 1.0e6, "alpha": 0.0044, "theta_SH": 0.1}},
    "N": {"material": {"Ms": 4.0e5, "Aex": 1.0e-11, "interlayer_exchange": -5.0e-13,
                       "K_easy": 100.0, "K_hard": 3.0e5, "alpha": 0.0875, "theta_SH": 0.1}},
}

# dx = 0.5 nm = lambda / 20 (brief section 3.1 mesh), dz = 1 nm; a 1 um strip (100 lambda).
DEFAULTS = {
    "geometry": {"length": 1.0e-6, "cell": [0.5e-9, 1.0e-9, 1.0e-9], "periodic": False},
    "initial_state": {"n_walls": 1, "wall_position": 0.0, "wall_velocity": 0.0,
                      "relax_time": 0.0, "relax_alpha": 1.0},
    "drive": {"protocol": "relaxation", "J0": 1.0e11, "amplitude": 1.0, "t_on": 10e-12, "t_off": 90e-12,
              "duration": 200e-12, "tail": 0.0},
    "sampling": {"table_period": 1e-12, "snapshot_period": 5e-12},
}


def parameter_set(name: str) -> dict:
    """The ``material`` section of an AFM parameter set."""
    if name not in PARAMETER_SETS:
        raise KeyError(f"param_set = {name!r}: allowed for afm_strip are {', '.join(sorted(PARAMETER_SETS))}")
    return {k: dict(v) for k, v in PARAMETER_SETS[name].items()}


@dataclass(frozen=True)
class SineGordon:
    """Sine-Gordon parameters of a strip (SI): see the module docstring for the mapping."""

    lam: float          # static wall width lambda (m)
    u: float            # limiting (magnon) velocity (m/s)
    omega_g: float      # gap u / lambda (1/s)
    eps: float          # dimensionless damping beta u lambda
    chi: float          # inertia per area (J s^2 / m^2)
    alpha_J: float      # friction per area (J s / m^2)
    sigma: float        # wall energy per area, 2 sqrt(A_sg K_sg) (J/m^2)
    H: float            # |J| / dz + K_hard (J/m^3)

    @property
    def decay_rate(self) -> float:
        """beta u^2 = eps omega_g (1/s): d ln(v gamma_L)/dt in free decay."""
        return self.eps * self.omega_g

    def torque_field(self, J: float, theta_SH: float, Ms: float, dz: float) -> float:
        """Staggered SOT field a = hbar |theta| J / (2 e Ms dz) (T) of current density J (A/m^2)."""
        return HBAR * abs(theta_SH) * J / (2 * QE * Ms * dz)

    def steady_momentum(self, a: float, alpha: float) -> float:
        """|v| gamma_L (m/s) of the steady wall under a staggered field a (T): pi gamma a lambda / (2 alpha)."""
        return math.pi * GAMMA_LL * abs(a) * self.lam / (2 * alpha)

    def steady_velocity(self, a: float, alpha: float) -> float:
        """|v| (m/s) under a staggered field a (T): v gamma_L = pi gamma a lambda / (2 alpha)."""
        p = self.steady_momentum(a, alpha)
        return p / math.sqrt(1 + (p / self.u) ** 2)

    def contracted_width(self, v: float) -> float:
        """lambda_v = lambda sqrt(1 - v^2 / u^2) (m)."""
        return self.lam * math.sqrt(1 - (v / self.u) ** 2)


def sine_gordon_parameters(spec: dict) -> SineGordon:
    """The sine-Gordon parameters of one AFM strip spec."""
    mat = spec["material"]
    dz = spec["geometry"]["cell"][2]
    Ms, A, alpha = mat["Ms"], mat["Aex"], mat["alpha"]
    H = 2 * abs(mat["interlayer_exchange"]) / dz**2 + mat["K_hard"]
    chi = dz * Ms**2 / (GAMMA_LL**2 * H)
    A_sg, K_sg = 4 * A * dz, 4 * mat["K_easy"] * dz
    lam = math.sqrt(A / mat["K_easy"])
    u = math.sqrt(A_sg / chi)
    omega_g = u / lam
    alpha_J = 2 * alpha * Ms * dz / GAMMA_LL
    return SineGordon(lam=lam, u=u, omega_g=omega_g, eps=alpha_J / (chi * omega_g), chi=chi,
                      alpha_J=alpha_J, sigma=2 * math.sqrt(A_sg * K_sg), H=H)


def check_consistency(spec: dict) -> None:
    check_track(spec)
    ini, periodic = spec["initial_state"], spec["geometry"]["periodic"]
    n, sg = ini["n_walls"], sine_gordon_parameters(spec)
    if periodic and n % 2:
        raise SpecError(f"initial_state.n_walls = {n} in a periodic strip: must be even (the Neel vector "
                        "turns by n_walls * pi over the strip and must come back to itself)")
    if not periodic and n > 1:
        raise SpecError(f"initial_state.n_walls = {n} needs geometry.periodic = true (walls leave open ends)")
    if n == 1:
        check_inside(spec, "initial_state.wall_position", ini["wall_position"], spec["geometry"]["length"] / 2)
        if abs(ini["wall_velocity"]) >= sg.u:
            raise SpecError(f"initial_state.wall_velocity = {ini['wall_velocity']!r} m/s: must be below the "
                            f"limiting velocity u = {sg.u:.6g} m/s of this material")
    if spec["geometry"]["cell"][0] > sg.lam / 5:
        raise SpecError(f"geometry.cell[0] = {spec['geometry']['cell'][0]!r} m: must resolve the wall, "
                        f"<= lambda / 5 = {sg.lam / 5:.4g} m")


def grid_shape(spec: dict) -> tuple[int, int, int]:
    """(nx, 1, 2): cells along the strip, one across, two sublattice layers."""
    g = spec["geometry"]
    return round(g["length"] / g["cell"][0]), 1, 2


def describe(spec: dict) -> dict:
    d, ini = spec["drive"], spec["initial_state"]
    return {"param_set": spec["param_set"], "drive_protocol": d["protocol"],
            "amplitude": 0.0 if d["protocol"] == "relaxation" else d["amplitude"],
            "duration_ns": round(d["duration"] * 1e9, 6), "n_walls": ini["n_walls"],
            "wall_position_nm": round(ini["wall_position"] * 1e9, 6),
            "wall_velocity_m_s": ini["wall_velocity"], "length_nm": round(spec["geometry"]["length"] * 1e9, 6),
            **({"t_on_ns": round(d["t_on"] * 1e9, 9), "t_off_ns": round(d["t_off"] * 1e9, 9)}
               if d["protocol"] == "pulse_train" else {})}


def template_context(spec: dict) -> dict:
    """Values for ``afm_strip.mx3.j2``, numbers formatted for MuMax3."""
    mat, g, ini = spec["material"], spec["geometry"], spec["initial_state"]
    nx, ny, nz = grid_shape(spec)
    sg = sine_gordon_parameters(spec)
    n = ini["n_walls"]
    return {
        "param_set": spec["param_set"],
        "grid": {"nx": nx, "ny": ny, "nz": nz},
        "cell": [si(c) for c in g["cell"]],
        "periodic": g["periodic"],
        "material": {k: si(v) for k, v in mat.items()},
        "K_hard_neg": si(-mat["K_hard"]),
        "easy_axis_field": si(2 * mat["K_easy"] / mat["Ms"]),
        "pol": si(abs(mat["theta_SH"])),
        "p_z": int(math.copysign(1, mat["theta_SH"])) if mat["theta_SH"] != 0 else 1,
        "free_layer_thickness": si(g["cell"][2]),
        "sg": {"lam_nm": f"{sg.lam * 1e9:.4g}", "u": f"{sg.u:.5g}", "eps": f"{sg.eps:.4g}"},
        "n_walls": n,
        "length": si(g["length"]),
        "lam_v": si(sg.contracted_width(ini["wall_velocity"]) if n == 1 else sg.lam),
        "canting_factor": si(mat["Ms"] / (2 * GAMMA_LL * sg.H)),
        "initial_state": {k: si(v) for k, v in ini.items()},
        "sampling": {k: si(v) for k, v in spec["sampling"].items()},
        "drive": {"protocol": spec["drive"]["protocol"], "J0": si(spec["drive"]["J0"])},
        "segments": drive_segments(spec),
    }


NEURON_THRESHOLD = None  # the setting that is the compact neuron's firing threshold

# The settings of this device's observables (spinlif.analysis.observables.afm_strip), declared here
# with the device so that the config schema needs nothing above the simulation layer.
OBSERVABLE_SETTINGS = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "steady_fraction": {"type": "number", "exclusiveMinimum": 0, "maximum": 1, "default": 0.25,
                            "description": "final fraction of a driven run averaged for the steady velocity"},
        "width_fit_half_widths": {"type": "number", "exclusiveMinimum": 1, "default": 6.0,
                                  "description": "half-window of the wall-profile fit, in static widths lambda"},
    },
}
"""Schema of ``observables.afm_strip`` in the config, with the defaults."""
