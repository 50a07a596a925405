# SPDX-License-Identifier: GPL-3.0-or-later
"""The fitted compact model as a spiking neuron in the normalised SNN form of physics-brief section 6:

    mem = (u - u_rest) / (u_th - u_rest),   dmem/dt = p1 mem^2 + p2 mem + p0 + g i,   spike at mem > 1,

time in ns and i = J / J0. From a polynomial family du/dt = c2 u^2 + c1 u + c0 + gamma i with
D = u_th - u_rest: p1 = c2 D, p2 = 2 c2 u_rest + c1, p0 = (c2 u_rest^2 + c1 u_rest + c0) / D,
g = gamma / D (exact). An SNN steps ``mem += dt * (p1 mem^2 + p2 mem + p0 + g i)``; the per-step
constants are c_k = p_k dt.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class NormalisedNeuron:
    """Coefficients of the normalised form (1/ns) and the state mapping (state units)."""

    p1: float
    p2: float
    p0: float
    g: float
    u_rest: float
    u_th: float

    @classmethod
    def from_polynomial(cls, c2: float, c1: float, c0: float, gamma: float, u_rest: float, u_th: float):
        span = u_th - u_rest
        return cls(p1=c2 * span, p2=2 * c2 * u_rest + c1, p0=(c2 * u_rest**2 + c1 * u_rest + c0) / span,
                   g=gamma / span, u_rest=u_rest, u_th=u_th)

    def rate(self, mem, i):
        """dmem/dt (1/ns)."""
        return self.p1 * mem**2 + self.p2 * mem + self.p0 + self.g * i

    def recommended_dt(self, max_spike_error: float = 0.02) -> float:
        """The SNN step (ns): at most 0.1 / max(|p2|, |g|, |2 p1|), halved until forward Euler's
        first spike at i = 1 is within ``max_spike_error`` of the exact one (physics-brief section 6)."""
        dt = 0.1 / max(abs(self.p2), abs(self.g), abs(2 * self.p1), 1e-12)
        for _ in range(16):
            error = euler_spike_error(self, dt)
            if not error > max_spike_error:  # also when the neuron does not fire at i = 1
                break
            dt /= 2
        return dt

    def max_stable_dt(self) -> float:
        """Largest forward-Euler step that keeps the linear leak stable, 2 / |p2| (ns); inf if none."""
        return 2.0 / abs(self.p2) if self.p2 < 0 else math.inf

    def euler_first_spike(self, drive, dt: float, t_end: float) -> float:
        """First time (ns) mem > 1 with forward Euler at step ``dt`` from mem = 0 (the SNN update);
        ``drive(t)`` gives i at the start of each step. NaN if no spike before ``t_end``."""
        mem, t = 0.0, 0.0
        for _ in range(int(math.ceil(t_end / dt))):
            mem += dt * self.rate(mem, drive(t))
            t += dt
            if mem > 1.0:
                return t
            if not math.isfinite(mem):
                return float("nan")
        return float("nan")

    def exact_first_spike(self, drive_edges, drive_levels, t_end: float) -> float:
        """First time (ns) mem reaches 1 for a piecewise-constant drive, integrated exactly
        (scipy, restart at every edge, event location). NaN if none before ``t_end``."""
        from scipy.integrate import solve_ivp

        mem, start = 0.0, 0.0
        edges = [e for e in drive_edges[1:] if e < t_end] + [t_end]
        for end, level in zip(edges, drive_levels):
            def crossing(_, y):
                return y[0] - 1.0
            crossing.terminal, crossing.direction = True, 1
            sol = solve_ivp(lambda _, y: [self.rate(y[0], level)], (start, end), [mem], events=crossing,
                            rtol=1e-10, atol=1e-12, method="DOP853")
            if sol.t_events[0].size:
                return float(sol.t_events[0][0])
            mem, start = float(sol.y[0][-1]), end
            if start >= t_end:
                break
        return float("nan")

    def spike_frequency(self, i: float, t_refractory: float = 0.0, t_max: float = 1e4) -> float:
        """Firing rate (1/ns = GHz) under a constant drive ``i`` with reset to rest: 1 / (time from
        mem = 0 to 1 + refractory time); 0 when the neuron never reaches threshold."""
        t = self.exact_first_spike(np.array([0.0, t_max]), np.array([i]), t_max)
        return 0.0 if not math.isfinite(t) else 1.0 / (t + t_refractory)


def euler_spike_error(neuron: NormalisedNeuron, dt: float, i: float = 1.0, t_end: float = 1e3) -> float:
    """Relative first-spike error of forward Euler at ``dt`` vs the exact solution, constant drive ``i``."""
    exact = neuron.exact_first_spike(np.array([0.0, t_end]), np.array([i]), t_end)
    euler = neuron.euler_first_spike(lambda _: i, dt, t_end)
    if not (math.isfinite(exact) and math.isfinite(euler)):
        return float("nan")
    return abs(euler - exact) / exact
