# SPDX-License-Identifier: GPL-3.0-or-later
"""Trajectory (shooting) fits of a compact model to recorded neuron traces (physics-brief 4.1).

1. Starting values from the integral (weak) form u(t) - u(0) = int f(u, 0) dt + gamma int i dt,
   with the drive integrated exactly over its piecewise-constant segments (no derivatives of
   float32 data; ecosystem.md section 5). Several starts; the best integral-form fit wins.
2. Final coefficients: integrate the ODE over the exact drive, restarting at every edge
   (the exact per-segment solutions of :mod:`fitting.closed_form`), and minimise the squared trajectory error with bounded least squares (lmfit,
   trust-region reflective). Each trace's initial state is a nuisance parameter started at
   u_data(0): the recorded u(0) is itself rounded (float32), and pinning the start to it biases
   the coefficients by more than their statistical error. Uncertainties from the Jacobian
   covariance scaled by the residual variance; 95 % intervals from Student's t.

All model families are linear in the drive (du/dt = f(u) + gamma i), which step 1 uses, and
solve exactly per segment, so the integration adds no error to the float32 tables' ~6e-8.
"""

from __future__ import annotations

from dataclasses import dataclass

import lmfit
import numpy as np
from scipy import stats
from scipy.optimize import least_squares

from spinlif.fitting import closed_form
from spinlif.fitting.family import CompactModel
from spinlif.fitting.family import FitResult, correlation  # noqa: F401  (re-exported)


@dataclass(frozen=True)
class Drive:
    """Piecewise-constant drive: segment edges ``edges`` (ns, increasing) and level ``i`` per segment."""

    edges: np.ndarray  # (n + 1,)
    levels: np.ndarray  # (n,)

    @classmethod
    def pulse_train(cls, t_on: float, t_off: float, duration: float, tail: float = 0.0,
                    amplitude: float = 1.0) -> Drive:
        """ON/OFF train (ns), built as the simulations build theirs (spinlif.drive.pulse_train_changes)."""
        from spinlif.drive import pulse_train_changes

        change = dict(pulse_train_changes(t_on, t_off, duration, amplitude))  # later wins at a time
        change.setdefault(duration, 0.0)
        end = duration + tail
        times = sorted(t for t in change if t < end)
        return cls(np.array(times + [end]), np.array([change[t] for t in times]))

    @classmethod
    def from_spec(cls, spec: dict) -> Drive:
        """The exact drive of a simulated run (its spec's schedule), in ns."""
        from spinlif.drive import drive_schedule

        segs = drive_schedule(spec)
        return cls(np.array([s.start * 1e9 for s in segs] + [segs[-1].end * 1e9]),
                   np.array([s.i for s in segs]))

    def cumulative(self, t: np.ndarray) -> np.ndarray:
        """int_0^t i dt' (ns), exact."""
        t = np.asarray(t, float)
        widths = np.clip(t[:, None] - self.edges[None, :-1], 0, np.diff(self.edges)[None, :])
        return widths @ self.levels

    def at(self, t: np.ndarray) -> np.ndarray:
        """i(t), right-continuous."""
        k = np.clip(np.searchsorted(self.edges, t, side="right") - 1, 0, len(self.levels) - 1)
        return self.levels[k]


@dataclass
class Trajectory:
    """One recorded trace: times (ns), state u (model units), its drive, and a label."""

    t: np.ndarray
    u: np.ndarray
    drive: Drive
    label: str = ""


def integrate(family: CompactModel, values: dict[str, float], drive: Drive, t: np.ndarray, u0: float) -> np.ndarray:
    """u(t) of the model over the piecewise-constant drive, restarting at every drive edge, from
    the family's exact solution per segment (:mod:`fitting.closed_form`)."""
    poly, expo = family.polynomial(values), family.exponential(values)
    if poly is not None:
        c2, c1, c0, gamma = poly
        return _piecewise(lambda u, i, dt: closed_form.riccati(u, c2, c1, c0 + gamma * i, dt),
                          drive, np.asarray(t, float), u0)
    if expo is not None:
        a, beta, shift, gamma = expo
        return _piecewise(lambda u, i, dt: shift + closed_form.exponential(u - shift, a, beta, gamma * i, dt),
                          drive, np.asarray(t, float), u0)
    raise ValueError(f"model family {family.name!r}: no polynomial_form or exponential_form, so no exact "
                     "per-segment solution (fitting.closed_form); declare one of them")


def _piecewise(segment, drive: Drive, t: np.ndarray, u0: float) -> np.ndarray:
    """Chain ``segment(u_start, level, dt) -> u`` over the drive's segments; NaN after a blow-up.
    ``t`` is sorted, so each segment's samples are one slice (found by bisection)."""
    out = np.full_like(t, np.nan)
    first = int(np.searchsorted(t, t[0], side="right"))
    out[:first] = u0
    u, start = float(u0), float(t[0])
    inner = drive.edges[(drive.edges > t[0]) & (drive.edges < t[-1])]
    ends = np.append(inner, t[-1])
    levels = drive.at(np.concatenate([[start], inner]))
    stops = np.searchsorted(t, ends, side="right")
    for end, level, stop in zip(ends.tolist(), levels.tolist(), stops.tolist()):
        dt = np.empty(stop - first + 1)
        dt[:-1] = t[first:stop] - start
        dt[-1] = end - start  # the state at the edge starts the next segment
        u_seg = segment(u, level, dt)
        out[first:stop] = u_seg[:-1]
        u = float(u_seg[-1])
        if not np.isfinite(u):
            return out
        start, first = end, stop
    return out


def _integral_residual(family: CompactModel, values: dict, trajs: list[Trajectory]) -> np.ndarray:
    res = []
    for tr in trajs:
        f0 = family.derivative(tr.u, 0.0, values)
        g = family.derivative(tr.u, 1.0, values) - f0  # gamma: the models are linear in i
        integral = np.concatenate([[0.0], np.cumsum(0.5 * (f0[1:] + f0[:-1]) * np.diff(tr.t))])
        res.append(tr.u - tr.u[0] - integral - g * tr.drive.cumulative(tr.t))
    return np.concatenate(res)


def starting_values(family: CompactModel, trajs: list[Trajectory]) -> dict[str, float]:
    """Integral-form least squares from several starts (sign flips of the sign-free parameters)."""
    names = family.names
    lo = np.array([p.lower for p in family.parameters])
    hi = np.array([p.upper for p in family.parameters])
    base = np.array([p.start for p in family.parameters])
    starts = [base]
    for k, p in enumerate(family.parameters):
        if p.lower < 0 < p.upper:
            starts += [s * np.where(np.arange(len(base)) == k, -1, 1) for s in list(starts)]
    best, best_cost = dict(zip(names, base)), np.inf
    for s in starts:
        s = np.clip(s, lo + 1e-12, hi - 1e-12)
        try:
            r = least_squares(lambda v: _integral_residual(family, dict(zip(names, v)), trajs), s,
                              bounds=(lo, hi), x_scale="jac", max_nfev=2000)
        except ValueError:
            continue
        if np.isfinite(r.cost) and r.cost < best_cost:
            best, best_cost = dict(zip(names, r.x)), r.cost
    return best


def fit(family: CompactModel, trajs: list[Trajectory], u_scale: float | None = None,
        start: dict[str, float] | None = None, restarts: int = 3) -> FitResult:
    """Shooting fit of the LIF ``family`` to all ``trajs`` at once (the module text); also
    ``family.fit(trajs)``.

    Parameters
    ----------
    family : ModelFamily
        A LIF family (:data:`spinlif.fitting.models.FAMILIES`).
    trajs : list of Trajectory
        Recorded traces: t in ns, u in the family's state unit, each with its exact drive.
    u_scale : float, optional
        Normalises the NRMSE (|u_th - u_rest| in the brief); default: the data's range.
    start : dict, optional
        Starting coefficients; default: the integral-form fit (:func:`starting_values`).
    restarts : int
        Trust-region restarts from the previous solution while they still lower chi^2.

    Returns
    -------
    FitResult
        Coefficients in the family's units (1/ns, nm/ns, ...) with Jacobian standard errors inflated
        by the residuals' autocorrelation time, Student's t 95 % intervals, per-trace NRMSE and BIC;
        ``extra["u0"]``: the fitted initial state of each trace.

    Example
    -------
    >>> from spinlif.fitting.models import FAMILIES
    >>> family, true = FAMILIES["linear"], {"tau": 4.0, "u_rest": -0.2, "gamma": 0.6}
    >>> drive = Drive.pulse_train(1.0, 1.0, 10.0, 4.0)
    >>> t = np.linspace(0.0, 14.0, 701)
    >>> u = integrate(family, true, drive, t, -0.2).astype(np.float32).astype(float)
    >>> result = fit(family, [Trajectory(t, u, drive)])
    >>> {k: round(v, 3) for k, v in result.values.items()}
    {'tau': 4.0, 'u_rest': -0.2, 'gamma': 0.6}
    """
    start = start or starting_values(family, trajs)
    params = lmfit.Parameters()
    for p in family.parameters:
        params.add(p.name, value=float(np.clip(start[p.name], p.lower, p.upper)), min=p.lower, max=p.upper)
    span0 = float(max(np.ptp(tr.u) for tr in trajs)) or 1.0
    for k, tr in enumerate(trajs):  # nuisance: the initial state of each trace
        params.add(f"u0_{k}", value=float(tr.u[0]), min=tr.u[0] - 1e-2 * span0, max=tr.u[0] + 1e-2 * span0)

    def residual(par):
        v = par.valuesdict()
        r = [integrate(family, v, tr.drive, tr.t, v[f"u0_{k}"]) - tr.u for k, tr in enumerate(trajs)]
        r = np.concatenate(r)
        return np.where(np.isfinite(r), r, 1e3)

    # 3-point differences with a step far above the rounding of the exact solutions. The trust
    # region can shrink before the optimum on strongly correlated parameters (exp_edge: c, ell);
    # a restart from the first solution finishes the descent.
    result = None
    for _ in range(restarts):
        previous = result
        result = lmfit.minimize(residual, result.params if result else params, method="least_squares",
                                x_scale="jac", jac="3-point", diff_step=1e-6, ftol=1e-15, xtol=1e-15,
                                gtol=1e-15, max_nfev=400)
        if previous is not None and result.chisqr >= previous.chisqr * (1 - 1e-9):
            break
    names = family.names
    n = sum(len(tr.t) for tr in trajs)
    # Residuals of deterministic, float32-rounded traces are correlated (plateaus of one ULP): the
    # covariance is inflated by the integrated autocorrelation time, N_eff = N / tau (brief 4.1 (i)).
    tau = max(autocorrelation_time(result.residual[sum(len(x.t) for x in trajs[:k]):][: len(tr.t)])
              for k, tr in enumerate(trajs))
    inflation = np.sqrt(tau)
    dof = max(int(n / tau) - len(names) - len(trajs), 1)
    tq = stats.t.ppf(0.975, dof)
    values = {k: result.params[k].value for k in names}
    stderr = {k: (result.params[k].stderr * inflation if result.params[k].stderr is not None else np.nan)
              for k in names}
    ci = {k: (values[k] - tq * stderr[k], values[k] + tq * stderr[k]) for k in names}
    corr = correlation(result, names)
    span = u_scale or float(max(np.ptp(tr.u) for tr in trajs)) or 1.0
    nrmse = {}
    for k, tr in enumerate(trajs):
        model = integrate(family, values, tr.drive, tr.t, result.params[f"u0_{k}"].value)
        nrmse[tr.label or str(len(nrmse))] = float(np.sqrt(np.mean((model - tr.u) ** 2)) / span)
    rss = float(np.sum(result.residual**2))
    bic = n * np.log(max(rss, 1e-300) / n) + len(names) * np.log(n)
    return FitResult(family, values, stderr, ci, corr, nrmse, float(bic), n, bool(result.success),
                     str(result.message), {"nfev": result.nfev, "start": start,
                                           "autocorrelation_time_samples": tau,
                                           "u0": [result.params[f"u0_{k}"].value for k in range(len(trajs))]})


def block_bootstrap(result: FitResult, trajs: list[Trajectory], periods_ns: list[float], n: int = 200,
                    seed: int = 0) -> dict:
    """Moving-block bootstrap of the residuals over whole pulse periods (physics-brief 4.1 (ii)).

    Each replicate adds to every fitted trace residual blocks one drive period long (``periods_ns``
    per trace), drawn with replacement from the same trace, and refits from the fitted values.
    Returns per-parameter ``sigma``, 68 % and 95 % percentile intervals, the correlation matrix and
    the number of converged replicates ``n``.
    """
    rng = np.random.default_rng(seed)
    family, names = result.family, result.family.names
    fitted = [integrate(family, result.values, tr.drive, tr.t, u0) for tr, u0 in zip(trajs, result.extra["u0"])]
    residuals = [tr.u - f for tr, f in zip(trajs, fitted)]
    samples = []
    for _ in range(n):
        boot = []
        for tr, f, r, period in zip(trajs, fitted, residuals, periods_ns):
            length = max(2, min(len(r), int(round(period / np.median(np.diff(tr.t))))))
            starts = rng.integers(0, len(r) - length + 1, size=int(np.ceil(len(r) / length)))
            noise = np.concatenate([r[s:s + length] for s in starts])[: len(r)]
            boot.append(Trajectory(tr.t, f + noise, tr.drive, tr.label))
        try:
            refit = fit(family, boot, start=result.values, restarts=1)
        except (ValueError, np.linalg.LinAlgError):
            continue
        if refit.success:
            samples.append([refit.values[k] for k in names])
    samples = np.asarray(samples)
    if len(samples) < 2:
        nan = {k: float("nan") for k in names}
        return {"n": len(samples), "sigma": nan, "ci68": {k: (np.nan, np.nan) for k in names},
                "ci95": {k: (np.nan, np.nan) for k in names}, "correlation": np.full((len(names),) * 2, np.nan)}
    q = np.percentile(samples, [2.5, 16, 84, 97.5], axis=0)
    return {"n": len(samples),
            "sigma": dict(zip(names, samples.std(axis=0, ddof=1))),
            "ci68": {k: (q[1, j], q[2, j]) for j, k in enumerate(names)},
            "ci95": {k: (q[0, j], q[3, j]) for j, k in enumerate(names)},
            "correlation": np.corrcoef(samples, rowvar=False)}


def autocorrelation_time(r: np.ndarray, n_batches: int = 20) -> float:
    """Integrated autocorrelation time (samples) of a residual series, 1 for white noise.

    The larger of two estimates: 1 + 2 x (sum of the autocorrelation up to its first
    non-positive lag), and batch means (batch length x variance of the batch means / variance),
    which also sees correlations longer than the first zero crossing.
    """
    r = np.asarray(r, float) - np.mean(r)
    if r.size < 4 * n_batches or not np.any(r):
        return 1.0
    f = np.fft.rfft(r, n=2 * r.size)
    acf = np.fft.irfft(f * np.conj(f))[: r.size]
    acf /= acf[0]
    stop = np.argmax(acf[1:] <= 0) + 1 if np.any(acf[1:] <= 0) else r.size
    tau_acf = 1 + 2 * acf[1:stop].sum()
    length = r.size // n_batches
    means = r[: length * n_batches].reshape(n_batches, length).mean(axis=1)
    tau_batch = length * means.var(ddof=1) / r.var()
    return float(max(1.0, tau_acf, tau_batch))
