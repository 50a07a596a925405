# SPDX-License-Identifier: GPL-3.0-or-later
"""MuMax3's time stepping, relaxation and minimisation on a :class:`~spinlif.mx3.physics.Magnet`.

* RK45 Dormand-Prince (``engine/rk45dp.go``): first-same-as-last torque (discarded at the start of
  each Run, ``engine/run.go`` RunWhile ``stepper.Free()``, and at every step when Temp != 0), error = max per-cell |error| x h against
  MaxErr, dt scaled by clamp(Headroom (MaxErr/err)^(1/5), 1/2, 2) after a good step and
  (MaxErr/err)^(1/6) after a bad one, never across the end of the Run (``adaptDt``, ``alarm``);
  m renormalised after every stage.
* RK23 Bogacki-Shampine (``engine/rk23.go``), used by Relax.
* Relax (``engine/relax.go``): RK23 without precession, until the energy stops decreasing, then
  until the torque stops decreasing while MaxErr falls to 1e-9 by factors of sqrt 2.
* Minimize (``engine/minimizer.go``): steepest descent with Barzilai-Borwein steps, stopping when
  the largest |dm| of the last 10 steps is below 1e-6.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch

from spinlif.mx3.physics import Magnet, PhysicsError, is_finite, max_vec_norm

DORMAND_PRINCE, BOGACKI_SHAMPINE, EULER, HEUN, RK4, FEHLBERG, BACKWARD_EULER = 5, 3, 1, 2, 4, 6, -1
SUPPORTED_SOLVERS = {DORMAND_PRINCE: "RK45 Dormand-Prince", BOGACKI_SHAMPINE: "RK23 Bogacki-Shampine",
                     EULER: "Euler", HEUN: "Heun", RK4: "RK4"}


@dataclass
class Clock:
    """The solver globals of ``engine/run.go``."""

    dt: float = 1e-15
    min_dt: float = 0.0
    max_dt: float = 0.0
    max_err: float = 1e-5
    headroom: float = 0.8
    fix_dt: float = 0.0
    alarm: float = 0.0
    last_err: float = 0.0
    peak_err: float = 0.0
    last_torque: float = 0.0
    n_steps: int = 0
    n_undone: int = 0
    solver: int = DORMAND_PRINCE
    k1: torch.Tensor | None = field(default=None, repr=False)

    def adapt(self, corr: float, time: float) -> None:
        """``adaptDt``."""
        if self.fix_dt != 0:
            self.dt = self.fix_dt
            return
        if math.isnan(corr):
            corr = 1.0
        if corr == 0:
            raise PhysicsError("time step too small, check if parameters are sensible")
        corr = min(max(corr * self.headroom, 0.5), 2.0)
        self.dt *= corr
        if self.min_dt != 0 and self.dt < self.min_dt:
            self.dt = self.min_dt
        if self.max_dt != 0 and self.dt > self.max_dt:
            self.dt = self.max_dt
        if time < self.alarm and time + self.dt > self.alarm:
            self.dt = self.alarm - time
        if not self.dt > 0:
            raise PhysicsError(f"time step too small: {self.dt}")


def _stage(magnet: Magnet, m0: torch.Tensor, terms) -> None:
    """m = normalise(m0 + sum coef k) on the geometry: one compiled loop with the fused kernels."""
    if magnet.fused:
        from spinlif.mx3.fused import stage_into

        out = np.empty(m0.shape, dtype=m0.numpy().dtype)
        stage_into(m0.numpy(), np.array([c for c, _ in terms]), tuple(k.numpy() for _, k in terms),
                   magnet.geom.numpy(), out)
        magnet.m = torch.from_numpy(out)
        return
    m = m0
    for coef, k in terms:
        m = m + coef * k
    magnet.m = m
    magnet.normalize()


def _error_norm(magnet: Magnet, terms) -> float:
    """max over cells of |sum coef k|: the embedded error estimate's norm."""
    if magnet.fused:
        from spinlif.mx3.fused import max_norm_of_sum

        return max_norm_of_sum(np.array([c for c, _ in terms]), tuple(k.numpy() for _, k in terms))
    error = terms[0][0] * terms[0][1]
    for coef, k in terms[1:]:
        error = error + coef * k
    return max_vec_norm(error)


def _accept(magnet: Magnet, clock: Clock, t0: float, err: float, order: int, k_last: torch.Tensor) -> None:
    clock.last_err = err
    clock.peak_err = max(clock.peak_err, err)
    clock.last_torque = _error_norm(magnet, [(1.0, k_last)])
    clock.n_steps += 1
    magnet.time = t0 + clock.dt
    # Go's math.Pow(MaxErr/0, 1/5) is +Inf: a step without error (a state in equilibrium) doubles
    # dt (adaptDt clamps corr to 2); only a NaN corr keeps the step
    clock.adapt((clock.max_err / err) ** (1 / order) if err > 0 else math.inf, magnet.time)
    clock.k1 = k_last


def _reject(magnet: Magnet, clock: Clock, t0: float, m0: torch.Tensor, err: float, order: int) -> None:
    magnet.time = t0
    magnet.m = m0
    clock.n_undone += 1
    clock.adapt((clock.max_err / err) ** (1 / (order + 1)), t0)


def rk45dp_step(magnet: Magnet, clock: Clock) -> None:
    """One try of ``engine/rk45dp.go`` (accepted or undone)."""
    if clock.fix_dt:
        clock.dt = clock.fix_dt
    if clock.k1 is None or clock.k1.shape != magnet.m.shape or magnet.thermal():
        clock.k1 = magnet.torque()  # FSAL cannot be used with finite temperature (the noise of this step)
    t0, m0, k1 = magnet.time, magnet.m, clock.k1
    h = clock.dt * magnet.gamma_ll
    dt = clock.dt
    magnet.time = t0 + dt / 5
    _stage(magnet, m0, [(h / 5, k1)])
    k2 = magnet.torque()
    magnet.time = t0 + 3 * dt / 10
    _stage(magnet, m0, [(3 * h / 40, k1), (9 * h / 40, k2)])
    k3 = magnet.torque()
    magnet.time = t0 + 4 * dt / 5
    _stage(magnet, m0, [(44 * h / 45, k1), (-56 * h / 15, k2), (32 * h / 9, k3)])
    k4 = magnet.torque()
    magnet.time = t0 + 8 * dt / 9
    _stage(magnet, m0, [(19372 * h / 6561, k1), (-25360 * h / 2187, k2), (64448 * h / 6561, k3),
                        (-212 * h / 729, k4)])
    k5 = magnet.torque()
    magnet.time = t0 + dt
    _stage(magnet, m0, [(9017 * h / 3168, k1), (-355 * h / 33, k2), (46732 * h / 5247, k3), (49 * h / 176, k4),
                        (-5103 * h / 18656, k5)])
    k6 = magnet.torque()
    _stage(magnet, m0, [(35 * h / 384, k1), (500 * h / 1113, k3), (125 * h / 192, k4), (-2187 * h / 6784, k5),
                        (11 * h / 84, k6)])
    k7 = magnet.torque()
    err = _error_norm(magnet, [(35 / 384 - 5179 / 57600, k1), (500 / 1113 - 7571 / 16695, k3),
                               (125 / 192 - 393 / 640, k4), (-2187 / 6784 + 92097 / 339200, k5),
                               (11 / 84 - 187 / 2100, k6), (-1 / 40, k7)]) * h
    if not math.isfinite(err):
        raise PhysicsError(f"NaN in the magnetisation at t = {t0:.6e} s")
    if err < clock.max_err or clock.dt <= clock.min_dt or clock.fix_dt != 0:
        _accept(magnet, clock, t0, err, 5, k7)
    else:
        _reject(magnet, clock, t0, m0, err, 5)


def rk23_step(magnet: Magnet, clock: Clock) -> None:
    """One try of ``engine/rk23.go`` (Bogacki-Shampine, FSAL)."""
    if clock.fix_dt:
        clock.dt = clock.fix_dt
    if clock.k1 is None or clock.k1.shape != magnet.m.shape or magnet.thermal():
        clock.k1 = magnet.torque()  # FSAL cannot be used with finite temperature (the noise of this step)
    t0, m0, k1 = magnet.time, magnet.m, clock.k1
    h = clock.dt * magnet.gamma_ll
    magnet.time = t0 + clock.dt / 2
    _stage(magnet, m0, [(h / 2, k1)])
    k2 = magnet.torque()
    magnet.time = t0 + 3 * clock.dt / 4
    _stage(magnet, m0, [(3 * h / 4, k2)])
    k3 = magnet.torque()
    _stage(magnet, m0, [(2 * h / 9, k1), (h / 3, k2), (4 * h / 9, k3)])
    magnet.time = t0 + clock.dt
    k4 = magnet.torque()
    err = _error_norm(magnet, [(7 / 24 - 2 / 9, k1), (1 / 4 - 1 / 3, k2), (1 / 3 - 4 / 9, k3), (1 / 8, k4)]) * h
    if not math.isfinite(err):
        raise PhysicsError(f"NaN in the magnetisation at t = {t0:.6e} s")
    if err < clock.max_err or clock.dt <= clock.min_dt or clock.fix_dt != 0:
        _accept(magnet, clock, t0, err, 3, k4)
    else:
        _reject(magnet, clock, t0, m0, err, 3)


def fixed_step(magnet: Magnet, clock: Clock) -> None:
    """Euler (``engine/euler.go``), Heun (``engine/heun.go``) or RK4 (``engine/rk4.go``) at FixDt."""
    if clock.fix_dt == 0 and clock.solver == EULER:
        raise PhysicsError("Euler solver requires fixed time step (FixDt)")
    t0, m0 = magnet.time, magnet.m
    dt = clock.fix_dt or clock.dt
    clock.dt = dt
    h = dt * magnet.gamma_ll
    k1 = magnet.torque()
    if clock.solver == EULER:
        _stage(magnet, m0, [(h, k1)])
        k_last = k1
    elif clock.solver == HEUN:
        _stage(magnet, m0, [(h, k1)])
        magnet.time = t0 + dt
        k2 = magnet.torque()
        _stage(magnet, m0, [(h / 2, k1), (h / 2, k2)])
        k_last = k2
    else:
        magnet.time = t0 + dt / 2
        _stage(magnet, m0, [(h / 2, k1)])
        k2 = magnet.torque()
        _stage(magnet, m0, [(h / 2, k2)])
        k3 = magnet.torque()
        magnet.time = t0 + dt
        _stage(magnet, m0, [(h, k3)])
        k4 = magnet.torque()
        _stage(magnet, m0, [(h / 6, k1), (h / 3, k2), (h / 3, k3), (h / 6, k4)])
        k_last = k4
    magnet.time = t0 + dt
    clock.n_steps += 1
    clock.last_torque = max_vec_norm(k_last)


def step(magnet: Magnet, clock: Clock) -> None:
    if clock.solver == DORMAND_PRINCE:
        rk45dp_step(magnet, clock)
    elif clock.solver == BOGACKI_SHAMPINE:
        rk23_step(magnet, clock)
    else:
        fixed_step(magnet, clock)
    if not is_finite(magnet.m):
        raise PhysicsError(f"NaN in the magnetisation at t = {magnet.time:.6e} s")


def run_while(magnet: Magnet, clock: Clock, condition: Callable[[], bool], output: Callable[[], None] | None) -> None:
    """``runWhile``: output at the start, then step and output until the condition fails."""
    if output:
        output()
    while condition():
        step(magnet, clock)
        if output:
            output()


def run(magnet: Magnet, clock: Clock, seconds: float, output: Callable[[], None]) -> None:
    """``Run(seconds)``: the FSAL torque is discarded, the step never crosses the end."""
    stop = magnet.time + seconds
    clock.alarm = stop
    clock.k1 = None
    run_while(magnet, clock, lambda: magnet.time < stop, output)


def steps(magnet: Magnet, clock: Clock, n: int, output: Callable[[], None]) -> None:
    stop = clock.n_steps + n
    clock.k1 = None
    run_while(magnet, clock, lambda: clock.n_steps < stop, output)


def relax(magnet: Magnet, clock: Clock, torque_threshold: float = -1.0) -> None:
    """``Relax()`` of ``engine/relax.go``; time is restored afterwards."""
    saved = (clock.solver, clock.max_err, clock.fix_dt, magnet.precess)
    clock.solver, clock.fix_dt, magnet.precess, magnet.relaxing = BOGACKI_SHAMPINE, 0.0, False, True
    clock.k1 = None

    def relax_steps(n: int) -> None:
        t0 = magnet.time
        stop = clock.n_steps + n
        run_while(magnet, clock, lambda: clock.n_steps < stop, None)
        magnet.time = t0

    def avg_torque() -> float:
        return float((clock.k1 ** 2).sum())

    try:
        N = 3
        relax_steps(N)
        e0 = magnet.energy("total")
        relax_steps(N)
        e1 = magnet.energy("total")
        while e1 < e0:
            relax_steps(N)
            e0, e1 = e1, magnet.energy("total")
        if torque_threshold > 0:
            while True:
                while max_vec_norm(clock.k1) > torque_threshold:
                    relax_steps(N)
                clock.max_err /= math.sqrt(2)
                if clock.max_err < 1e-9:
                    break
        else:
            t1 = avg_torque()
            while clock.max_err > 1e-9:
                clock.max_err /= math.sqrt(2)
                relax_steps(N)
                t0, t1 = t1, avg_torque()
                while t1 < t0:
                    relax_steps(N)
                    t0, t1 = t1, avg_torque()
    finally:
        clock.solver, clock.max_err, clock.fix_dt, magnet.precess = saved
        magnet.relaxing = False
        clock.k1 = None


def minimize(magnet: Magnet, clock: Clock, samples: int = 10, stop_dm: float = 1e-6,
             output: Callable[[], None] | None = None) -> None:
    """``Minimize()`` of ``engine/minimizer.go``; time is restored afterwards."""
    saved_precess, t0 = magnet.precess, magnet.time
    magnet.precess = False
    last_dm: list[float] = []
    h = 1e-4
    try:
        k = magnet.torque()
        if output:
            output()
        while len(last_dm) < samples or max(last_dm) > stop_dm:
            m0 = magnet.m
            t2 = h * h * (k ** 2).sum(0)
            magnet.m = ((4 - t2) * m0 + 4 * h * k) / (4 + t2)
            k0 = k
            k = magnet.torque()
            clock.last_torque = max_vec_norm(k)
            dm = magnet.m - m0
            dk = k0 - k
            last_dm.append(max_vec_norm(dm))
            last_dm = last_dm[-samples:]
            clock.last_err = max(last_dm)
            if clock.n_steps % 2 == 0:
                nom, div = float((dm * dm).sum()), float((dm * dk).sum())
            else:
                nom, div = float((dm * dk).sum()), float((dk * dk).sum())
            h = nom / div if div != 0 else 1e-4
            magnet.normalize()
            clock.n_steps += 1
            if not is_finite(magnet.m):
                raise PhysicsError("NaN in the magnetisation during Minimize")
            if output:
                output()
    finally:
        magnet.precess, magnet.time = saved_precess, t0
        clock.k1 = None
