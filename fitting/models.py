# SPDX-License-Identifier: GPL-3.0-or-later
"""Compact-model families of the spintronic LIF neurons (physics-brief section 4).

Units (section 4.1): time t in ns, lengths in nm, drive i = J / J0 (dimensionless). So every
coefficient is in 1/ns, 1/(nm ns) or nm/ns, of order 1e-3 to 10.

State u: the domain wall's m = <m_z> (dimensionless), or the skyrmion's guiding-centre
displacement x (nm) from its relaxed rest position.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from spinlif.fitting.family import CompactModel, Parameter


@dataclass(frozen=True)
class ModelFamily(CompactModel):
    """du/dt = rhs(u, i, params, constants): a scalar ODE with a piecewise-constant drive i(t), the
    LIF families of the domain wall and the skyrmion. Its data are
    :class:`spinlif.fitting.trajectory.Trajectory` objects (t in ns, u in ``state_unit``).

    Example
    -------
    >>> from spinlif.fitting.trajectory import Drive, Trajectory
    >>> t = np.linspace(0.0, 10.0, 101)
    >>> run = Trajectory(t, np.zeros_like(t), Drive.pulse_train(1.0, 1.0, 10.0, 0.0))
    >>> u = LINEAR_REST.eval({"tau": 20.0, "u_rest": 0.0, "gamma": 0.1}, run)
    >>> round(float(u[10]), 4)  # 1 ns of i = 1 from rest: gamma tau (1 - exp(-1 / tau))
    0.0975
    """

    name: str
    device: str  # "DW" | "SKY"
    state_unit: str
    parameters: tuple[Parameter, ...]
    rhs: Callable[..., np.ndarray]
    equation: str
    constants: dict[str, float] = field(default_factory=dict)  # fixed, e.g. the operating point
    polynomial_form: Callable[..., tuple[float, float, float, float]] | None = None
    exponential_form: Callable[..., tuple[float, float, float, float]] | None = None

    def guess(self, data) -> dict[str, float]:
        """Starting values from the integral form over the trajectories ``data``
        (:func:`spinlif.fitting.trajectory.starting_values`)."""
        from spinlif.fitting.trajectory import starting_values

        return starting_values(self, data)

    def eval(self, values: dict[str, float], data, u0: float | None = None) -> np.ndarray:
        """u(t) of one trajectory ``data`` over its exact drive, from ``u0`` (default: its first
        recorded state) (:func:`spinlif.fitting.trajectory.integrate`)."""
        from spinlif.fitting.trajectory import integrate

        return integrate(self, values, data.drive, data.t, float(data.u[0]) if u0 is None else u0)

    def fit(self, data, start: dict[str, float] | None = None):
        """Shooting fit to the trajectories ``data`` (:func:`spinlif.fitting.trajectory.fit`)."""
        from spinlif.fitting.trajectory import fit

        return fit(self, data, start=start)

    def with_constants(self, **constants: float) -> ModelFamily:
        """The same family with some fixed constants set (e.g. ``m_op``, ``x_R``)."""
        return ModelFamily(self.name, self.device, self.state_unit, self.parameters, self.rhs,
                           self.equation, {**self.constants, **constants}, self.polynomial_form,
                           self.exponential_form)

    def derivative(self, u, i, values: dict[str, float]):
        """du/dt (state unit per ns)."""
        return self.rhs(u, i, values, self.constants)

    def polynomial(self, values: dict[str, float]) -> tuple[float, float, float, float] | None:
        """``(c2, c1, c0, gamma)`` with du/dt = c2 u^2 + c1 u + c0 + gamma i, or None when the
        family is not polynomial in u (the exponential families)."""
        if self.polynomial_form is None:
            return None
        return self.polynomial_form(values, self.constants)

    def exponential(self, values: dict[str, float]) -> tuple[float, float, float, float] | None:
        """``(a, beta, shift, gamma)`` with du/dt = a exp(-beta (u - shift)) + gamma i, or None when
        the family is polynomial."""
        if self.exponential_form is None:
            return None
        return self.exponential_form(values, self.constants)


# --- domain wall (section 4.3) -----------------------------------------------------------------

DW_EXP = ModelFamily(
    "exp_Mishra8", "DW", "1",
    (Parameter("alpha", "1/ns", -0.01, -10, 10, "amplitude of the intrinsic drift, sign free"),
     Parameter("beta", "1", -1.0, -20, 20, "exponential stiffness (dimensionless)"),
     Parameter("gamma", "1/ns", 0.1, 0, 100, "drive gain at i = 1")),
    lambda m, i, p, c: p["alpha"] * np.exp(-p["beta"] * m) + p["gamma"] * i,
    "dm/dt = alpha exp(-beta m) + gamma i",
    {},
    None,
    lambda p, c: (p["alpha"], p["beta"], 0.0, p["gamma"]),
)

DW_LINEARISED = ModelFamily(
    "lin_Mishra9corr", "DW", "1",
    (Parameter("a0", "1/ns", 0.0, -10, 10, "drift at the operating point, alpha exp(-beta m_op)"),
     Parameter("a1", "1/ns", 0.05, -10, 10, "leak rate alpha beta exp(-beta m_op); > 0 leaks"),
     Parameter("gamma", "1/ns", 0.1, 0, 100, "drive gain at i = 1")),
    lambda m, i, p, c: p["a0"] - p["a1"] * (m - c["m_op"]) + p["gamma"] * i,
    "dm/dt = a0 - a1 (m - m_op) + gamma i  (the correct linearisation of exp_Mishra8 about m_op)",
    {"m_op": 0.0},
    lambda p, c: (0.0, -p["a1"], p["a0"] + p["a1"] * c["m_op"], p["gamma"]),
)

LINEAR_REST = ModelFamily(
    "linear", "DW", "1",
    (Parameter("tau", "ns", 20.0, 1e-3, 1e5, "leak time constant"),
     Parameter("u_rest", "state", 0.0, -1e3, 1e3, "rest state (fixed point at i = 0)"),
     Parameter("gamma", "state/ns", 0.1, -1e3, 1e3, "drive gain at i = 1")),
    lambda u, i, p, c: -(u - p["u_rest"]) / p["tau"] + p["gamma"] * i,
    "du/dt = -(u - u_rest) / tau + gamma i",
    {},
    lambda p, c: (0.0, -1.0 / p["tau"], p["u_rest"] / p["tau"], p["gamma"]),
)

# --- skyrmion (section 4.2) ----------------------------------------------------------------------

SKY_QUAD = ModelFamily(
    "quad", "SKY", "nm",
    (Parameter("k1", "1/(nm ns)", -0.001, -1, 1, "quadratic leak"),
     Parameter("k2", "1/ns", -0.05, -10, 10, "linear leak (< 0 leaks)"),
     Parameter("gamma", "nm/ns", 5.0, 0, 1e3, "drive velocity at i = 1 (= m/s)")),
    lambda x, i, p, c: p["k1"] * x**2 + p["k2"] * x + p["gamma"] * i,
    "dx/dt = k1 x^2 + k2 x + gamma i",
    {},
    lambda p, c: (p["k1"], p["k2"], 0.0, p["gamma"]),
)

SKY_EXP_EDGE = ModelFamily(
    "exp_edge", "SKY", "nm",
    (Parameter("c", "nm/ns", 1.0, 0, 1e4, "edge repulsion speed at the edge"),
     Parameter("ell", "nm", 10.0, 0.1, 1e3, "decay length of the edge repulsion (~Delta..2 Delta)"),
     Parameter("gamma", "nm/ns", 5.0, 0, 1e3, "drive velocity at i = 1")),
    lambda x, i, p, c: -p["c"] * np.exp((x - c["x_R"]) / p["ell"]) + p["gamma"] * i,
    "dx/dt = -c exp((x - x_R) / ell) + gamma i",
    {"x_R": 0.0},
    None,
    lambda p, c: (-p["c"], -1.0 / p["ell"], c["x_R"], p["gamma"]),
)

FAMILIES: dict[str, ModelFamily] = {
    f.name: f for f in (DW_EXP, DW_LINEARISED, LINEAR_REST, SKY_QUAD, SKY_EXP_EDGE)
}

# The AFM families (fitted by spinlif.fitting.soliton_fit and washboard_fit): their names and
# coefficients, so that the table knows every family without importing the fits.
SINE_GORDON = "sine_gordon"
SINE_GORDON_NAMES = ("lam", "u_lim", "beta_sg", "force")
WASHBOARD = "washboard2"
WASHBOARD_NAMES = ("omega0", "eta", "b_kick")
AFM_FAMILIES: dict[str, tuple[str, ...]] = {SINE_GORDON: SINE_GORDON_NAMES, WASHBOARD: WASHBOARD_NAMES}
# The MTJ minimal models (seed 003; fitted by spinlif.fitting.mtj_fit)
MTJ_MACROSPIN = "mtj_macrospin"
MTJ_EQ10 = "mtj_eq10"
MTJ_FAMILIES: dict[str, tuple[str, ...]] = {MTJ_MACROSPIN: ("eta_stt", "B_F", "alpha_llg"),
                                            MTJ_EQ10: ("eta_stt", "B_F", "kappa")}
FAMILY_NAMES: tuple[str, ...] = (*FAMILIES, *AFM_FAMILIES, *MTJ_FAMILIES)
"""Every compact-model family a device may declare in ``FIT_FAMILIES`` (:mod:`spinlif.devices`)."""
