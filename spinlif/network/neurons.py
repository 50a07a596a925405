# SPDX-License-Identifier: GPL-3.0-or-later
"""Neurons from parameter-table rows, with surrogate gradients (issue 16, item 1).

Units, written once (:class:`StepMapping`): network step k covers the time [k dt, (k + 1) dt) in ns,
with dt the row's ``dt_recommended_ns`` unless the caller chooses another; a network input x at a
step is the device drive i = x * ``i_per_input`` (J / J0) held over that step (``i_per_input`` = 1 by
default; :func:`drive_scale` chooses it so that a unit input reaches threshold in a given number of
steps). A rate of n spikes in N steps is n / (N dt) spikes per ns (GHz).

* LIF rows (DW, SKY; polynomial families): :class:`SpintronicLIF`, a ``snntorch.Leaky`` whose state
  function is the row's normalised compact model, one forward-Euler step per call,

      mem <- mem + dt (p1 mem^2 + p2 mem + p0 + g i),   spike when mem > 1,

  reset to rest (``reset_mode = to_rest``: mem = 0) on the step after the spike, as snnTorch does.
* AFM neuron rows (AFM0D, ``washboard2``): :class:`WashboardNeuron`, the damped washboard

      phi'' + 2 eta omega0 phi' + (omega0^2 / 2) sin 2 phi = b i,

  one semi-implicit Euler step per call (velocity first), a spike when phi passes the next barrier
  (|phi - phi_rest| > pi/2); it needs no reset: phi settles in the next minimum, phi_rest + pi, which
  becomes the rest state (the row's ``reset_mode``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

from spinlif.fitting.washboard_fit import coefficients_of_row


@dataclass(frozen=True)
class StepMapping:
    """Network steps and inputs in table units: one step is ``dt_ns`` ns, a network input x is the
    drive i = x * ``i_per_input`` (J / J0).

    Example
    -------
    >>> m = StepMapping(0.05, i_per_input=2.0)
    >>> m.steps(10.0), m.rate_ghz(n_spikes=4, n_steps=200), m.drive(0.5)
    (200, 0.4, 1.0)
    """

    dt_ns: float
    i_per_input: float = 1.0

    def steps(self, t_ns: float) -> int:
        """Number of network steps that cover ``t_ns`` ns."""
        return int(math.ceil(t_ns / self.dt_ns - 1e-9))

    def rate_ghz(self, n_spikes: float, n_steps: int) -> float:
        """Firing rate (1/ns = GHz) of ``n_spikes`` in ``n_steps`` steps."""
        return float(n_spikes) / (n_steps * self.dt_ns)

    def drive(self, x):
        """The device drive i = J / J0 of a network input ``x``."""
        return x * self.i_per_input


def drive_scale(params, steps: int, dt_ns: float | None = None) -> float:
    """The drive per unit network input that takes the row's neuron from rest to threshold in about
    ``steps`` steps, leak and restoring torque neglected: i = 1 / (g steps dt) for a LIF row (mem
    gains g i dt per step), i = pi / (|b| (steps dt)^2) for the AFM neuron (phi = b i t^2 / 2
    reaches pi/2). Networks of different neurons then see inputs of the same strength.

    Example
    -------
    >>> from spinlif.fitting.table import NeuronParams
    >>> row = NeuronParams("DW", "DW", "E", 3, "linear", "provisional", -0.6, 0.6, 0.0, -0.2, 0.1, 0.5, 0.04, {})
    >>> round(drive_scale(row, steps=10), 6)
    5.0
    """
    if params.model_family == "washboard2":
        return math.pi / (abs(coefficients_of_row(params.record)["b_kick"]) * (steps * row_dt_ns(params, dt_ns)) ** 2)
    if params.device_type == "MTJ_HH":
        return mtj_drive_for_latency(params.record, steps * row_dt_ns(params, dt_ns))
    return 1.0 / (params.g * steps * row_dt_ns(params, dt_ns))


def mtj_drive_for_latency(record: dict, latency_ns: float) -> float:
    """The weakest drive i = J / J0 at which an ``MTJ_HH`` row's minimal model, from the easy axis, spikes
    first within ``latency_ns`` (a scan of i = 0.1-20, then bisection on the deterministic model, 1 % in i):
    the MTJ's threshold is a time to first spike that falls with the current (seed 003 Fig. 4d), not a
    level a drive gain reaches."""
    import numpy as np

    from spinlif.analysis.observables.mtj_hh import spike_times
    from spinlif.fitting.mtj_fit import model_of_row
    from spinlif.fitting.mtj_model import simulate

    dev, c, family = model_of_row(record)
    high, low = dev.spike_levels()

    def first(i):
        out = simulate(family, dev, c, [0, 0, 1], 3 * latency_ns, [0.0], [i * record["J0_Am2"]], 0.005)
        s = spike_times(out["t_ns"], out["R_norm"], high, low)
        return s[0] if len(s) else np.inf

    # the firing window has an upper edge (strong currents lock m near p before it crosses AP): scan up
    # from weak drives for the first that is fast enough, then bisect below it
    grid = np.geomspace(0.1, 20.0, 41)
    fast = [k for k, i in enumerate(grid) if first(i) <= latency_ns]
    if not fast or fast[0] == 0:
        raise ValueError(f"{record['device_id']}: no drive in i = 0.1-20 spikes first after {latency_ns:g} ns")
    lo, hi = grid[fast[0] - 1], grid[fast[0]]
    while hi / lo > 1.01:
        mid = (lo * hi) ** 0.5
        lo, hi = (lo, mid) if first(mid) <= latency_ns else (mid, hi)
    return hi


MTJ_SUBSTEPS = 50
"""Substeps of the row's ``dt_recommended_ns`` (the minimal model's integration step) per network step of
the MTJ neuron: 50 x 2 ps = 0.1 ns, a third of set F's precession period, so a spike (R_norm above
threshold for ~0.1 ns) is not stepped over."""

WASHBOARD_STEPS_PER_RELAXATION = 10
"""The washboard's network step: a tenth of its fastest time, 1 / (2 eta omega0 + omega0) (ns)."""


def washboard_dt_ns(omega0_per_ns: float, eta: float) -> float:
    """The AFM neuron's network step (ns): the table has none (``dt_recommended_ns`` is for LIF rows).

    Example
    -------
    >>> round(washboard_dt_ns(10.0, 5.0), 6)
    0.000909
    """
    return 1.0 / (WASHBOARD_STEPS_PER_RELAXATION * omega0_per_ns * (2 * eta + 1))


def row_dt_ns(params, dt_ns: float | None = None) -> float:
    """The network step of a row's neuron (ns): ``dt_ns`` if given, else the row's
    ``dt_recommended_ns`` (LIF rows) or :func:`washboard_dt_ns` (the AFM neuron)."""
    if dt_ns:
        return dt_ns
    if params.model_family == "washboard2":
        c = coefficients_of_row(params.record)
        return washboard_dt_ns(c["omega0"], c["eta"])
    if params.device_type == "MTJ_HH":
        return params.dt * MTJ_SUBSTEPS
    return params.dt


@cache
def _classes():
    import snntorch as snn
    import torch

    class SpintronicLIF(snn.Leaky):
        """snnTorch ``Leaky`` with a LIF row's compact model as its state function."""

        def __init__(self, p1: float, p2: float, p0: float, g: float, dt: float, i_per_input: float = 1.0,
                     **kwargs):
            kwargs.setdefault("reset_mechanism", "zero")
            super().__init__(beta=1.0, threshold=1.0, **kwargs)
            self.register_buffer("coefficients", torch.tensor([p1, p2, p0, g], dtype=torch.float64))
            self.dt = float(dt)
            self.mapping = StepMapping(self.dt, float(i_per_input))

        def _base_state_function(self, input_):
            # mem + dt (p1 mem^2 + p2 mem + p0 + g i), regrouped: six tensor operations per step
            p1, p2, p0, g = self.coefficients.tolist()
            mem, dt = self.mem, self.dt
            return torch.addcmul(dt * p0 + (dt * g) * self.mapping.drive(input_), mem,
                                 (dt * p1) * mem + (1.0 + dt * p2))

    class WashboardNeuron(torch.nn.Module):
        """The AFM neuron: ``spk, state = neuron(i, state)``, state = (phi, omega, phi_rest) in rad,
        rad/ns, rad; ``neuron.init_state()`` starts at rest."""

        def __init__(self, omega0: float, eta: float, b: float, dt: float, i_per_input: float = 1.0,
                     spike_grad=None):
            super().__init__()
            self.register_buffer("coefficients", torch.tensor([omega0, eta, b], dtype=torch.float64))
            self.dt = float(dt)
            self.mapping = StepMapping(self.dt, float(i_per_input))
            self.spike_grad = spike_grad or snn.surrogate.atan()

        def init_state(self):
            return torch.zeros(()), torch.zeros(()), torch.zeros(())

        def forward(self, input_, state=None):
            phi, omega, rest = state if state is not None else self.init_state()
            w0, eta, b = self.coefficients.tolist()
            i = self.mapping.drive(input_)
            omega = omega + self.dt * (b * i - 2 * eta * w0 * omega - 0.5 * w0 * w0 * torch.sin(2 * phi))
            phi = phi + self.dt * omega
            lead = phi - rest
            spk = self.spike_grad(lead.abs() - math.pi / 2)
            rest = rest + math.pi * torch.sign(lead) * spk.detach()  # the next minimum is the new rest
            return spk, (phi, omega, rest)

    class MTJNeuron(torch.nn.Module):
        """The single-MTJ neuron (seed 003): an ``MTJ_HH`` row's minimal macrospin
        (:mod:`spinlif.fitting.mtj_model`), ``substeps`` RK2 (Heun) steps of the row's ``dt_recommended_ns``
        per network step; ``noise=True`` adds seed Eq. 4's thermal field at the neuron's T(t), a Gaussian of
        standard deviation sqrt(2 alpha kB T / (Ms(T) gamma V dt)) tesla per component and substep, drawn
        from ``generator`` (a stochastic neuron). ``spk, state = neuron(i, state)``, state = (m (..., 3), T (K),
        armed); a spike when R_norm rises through R_P + 0.6 (R_AP - R_P) at the ambient temperature (the row's
        ``u_th`` at its own) while armed, re-armed below R_P + 0.4 (R_AP - R_P) (the observables' hysteresis). No reset: the physics resets when the current ends. The ambient
        temperature is the row's ``temperature_K`` (the fit's reference): ``{**record, "temperature_K": T}``
        is the same junction at T_amb = T (the minimal model takes it as an input, seed Eq. 2)."""

        def __init__(self, record: dict, dt_sub: float, substeps: int, i_per_input: float = 1.0, spike_grad=None,
                     noise: bool = False, generator=None):
            from spinlif.fitting.mtj_fit import model_of_row
            from spinlif.fitting.mtj_model import GAMMA_NS
            from spinlif.units import GAMMA_LL, HBAR, KB, MU0, QE

            super().__init__()
            dev, c, family = model_of_row(record)
            if family != "mtj_macrospin":
                raise ValueError(f"{record['device_id']} {family}: the network neuron integrates the macrospin "
                                 "family (mtj_macrospin); choose that row")
            self.dev, self.c = dev, c
            self.dt_sub, self.substeps = float(dt_sub), int(substeps)
            self.mapping = StepMapping(self.dt_sub * self.substeps, float(i_per_input))
            self.spike_grad = spike_grad or snn.surrogate.atan()
            self.u_th, self.u_low = dev.spike_levels()  # at T_amb = the record's temperature_K
            self.gamma, self.mu0 = GAMMA_NS, MU0
            self.hbar_ed = HBAR / (QE * dev.thickness)
            self.J0 = float(record["J0_Am2"])
            self.noise, self.generator = bool(noise), generator
            # seed 003 Eq. 4: sigma^2 = 2 alpha kB T / (Ms gamma V dt) per component, in T^2 (Ms = Ms(T))
            self.noise_factor = 2 * c["alpha"] * KB / (GAMMA_LL * dev.volume * self.dt_sub * 1e-9)

        def init_state(self, shape=()):
            m = torch.zeros(*shape, 3)
            m[..., 2] = 1.0
            return m, torch.full(shape, self.dev.T_amb), torch.ones(shape)

        def _scaled(self, T):
            d = self.dev
            r = (1 - (T / d.T_C) ** 1.5) / (1 - (d.T_ref / d.T_C) ** 1.5)
            return d.Ms * r, d.P * r.clamp(min=1e-6) ** d.eps_P

        def _rhs(self, m, T, J, b_th=0.0):
            d, c = self.dev, self.c
            Ms, P = self._scaled(T)
            D = torch.tensor(d.D, dtype=m.dtype)
            p = torch.tensor(d.n_F, dtype=m.dtype)
            B = -self.mu0 * Ms[..., None] * D * m - c["B_F"] * p + b_th
            a = c["alpha"]
            mxB = torch.cross(m, B.expand_as(m), dim=-1)
            mxmxB = torch.cross(m, mxB, dim=-1)
            mp = (m * p).sum(-1)
            A = c["eta"] * self.hbar_ed * J / Ms * P / (1 - P * P * mp)
            pxm = torch.cross(p.expand_as(m), m, dim=-1)
            s = p - mp[..., None] * m
            g = self.gamma / (1 + a * a)
            dm = g * (-(mxB + a * mxmxB) + A[..., None] * (s - a * pxm))
            R = (1 + P * P) / (1 + P * P * mp)
            dT = d.heating * 1e-9 * R * (J * d.area) ** 2 - (T - d.T_amb) / (d.tau0 * 1e9)
            return dm, dT, R

        def forward(self, input_, state=None):
            m, T, armed = state if state is not None else self.init_state(tuple(input_.shape))
            J = self.mapping.drive(input_) * self.J0
            h = self.dt_sub
            r_max = None
            for _ in range(self.substeps):
                b = 0.0
                if self.noise:  # one thermal field per substep, shared by both Heun stages (Stratonovich)
                    sigma = torch.sqrt(self.noise_factor * T.clamp(min=0) / self._scaled(T)[0])
                    b = sigma[..., None] * torch.randn(m.shape, dtype=m.dtype, generator=self.generator)
                k1, l1, R = self._rhs(m, T, J, b)
                k2, l2, _ = self._rhs(m + h * k1, T + h * l1, J, b)
                m = m + 0.5 * h * (k1 + k2)
                m = m / m.norm(dim=-1, keepdim=True)
                T = T + 0.5 * h * (l1 + l2)
                r_max = R if r_max is None else torch.maximum(r_max, R)
            spk = self.spike_grad(r_max - self.u_th) * armed
            armed = torch.where(spk.detach() > 0, torch.zeros_like(armed),
                                torch.where(r_max < self.u_low, torch.ones_like(armed), armed))
            return spk, (m, T, armed)

    return SpintronicLIF, WashboardNeuron, MTJNeuron


def neuron_from_row(params, dt_ns: float | None = None, i_per_input: float = 1.0, **kwargs):
    """The network neuron of one :func:`spinlif.fitting.table.load_params` row.

    Parameters
    ----------
    params : NeuronParams
        A DW or SKY row of a polynomial family (``lin_Mishra9corr``, ``linear``, ``quad``), or an
        AFM0D ``washboard2`` row.
    dt_ns : float, optional
        The network step (ns); default: the row's ``dt_recommended_ns`` (LIF), or
        :func:`washboard_dt_ns` (AFM neuron).
    i_per_input : float
        Drive i = J / J0 per unit network input (:class:`StepMapping`; e.g. :func:`drive_scale`).
    **kwargs
        For ``snntorch.Leaky`` (LIF rows): ``spike_grad``, ``init_hidden``, ``reset_mechanism``; for the
        AFM neuron: ``spike_grad``.

    Returns
    -------
    torch.nn.Module
        ``SpintronicLIF`` or ``WashboardNeuron``; its ``mapping`` converts steps to ns.

    Raises
    ------
    ValueError
        A row of a kind or family that has no network neuron (the soliton, the exponential families),
        naming the row and what to choose instead.

    Example
    -------
    >>> from spinlif.fitting.table import load_params
    >>> (row,) = load_params("results/params/lif_params.csv", device="DW", selected_only=True,
    ...                      include_provisional=True)  # doctest: +SKIP
    >>> lif = neuron_from_row(row)  # doctest: +SKIP
    >>> spk, mem = lif(torch.ones(1), lif.init_leaky())  # doctest: +SKIP
    """
    lif, washboard, mtj = _classes()
    name = f"{params.device_id} {params.model_family} ({params.device_type})"
    if params.device_type == "MTJ_HH":
        return mtj(params.record, params.dt, MTJ_SUBSTEPS if not dt_ns else max(1, round(dt_ns / params.dt)),
                   i_per_input, **kwargs)
    if params.model_family == "washboard2":
        c = coefficients_of_row(params.record)
        return washboard(c["omega0"], c["eta"], c["b_kick"], row_dt_ns(params, dt_ns), i_per_input, **kwargs)
    if params.device_type not in ("DW", "SKY"):
        raise ValueError(f"{name}: no network neuron for this row kind; use a DW, SKY or AFM0D row")
    if not all(math.isfinite(v) for v in (params.p1, params.p2, params.p0, params.g)):
        raise ValueError(f"{name}: no normalised polynomial form (an exponential family); choose a "
                         "polynomial family row (lin_Mishra9corr, linear, quad)")
    if params.record.get("reset_mode") == "subtract":
        kwargs.setdefault("reset_mechanism", "subtract")
    return lif(params.p1, params.p2, params.p0, params.g, row_dt_ns(params, dt_ns), i_per_input, **kwargs)
