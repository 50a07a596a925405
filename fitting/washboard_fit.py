# SPDX-License-Identifier: GPL-3.0-or-later
"""AFM-neuron rows of the parameter table (physics-brief 4.5 and 6, device type AFM0D): the damped
washboard of seed 000 Eq. 4 identified from kick responses of a uniform two-sublattice strip.

Model (t in ns, phi in rad), with the recorded piecewise-constant drive i(t) (kicks of t_on):

    phi'' + 2 eta omega0 phi' + (omega0^2 / 2) sin 2 phi = b i(t),

so a short kick adds nu0 = b i t_on to phi' (the brief's delta kick, here with its real width, so
the fit needs no delta approximation). The neuron fires when |phi - phi(0)| crosses pi/2 (the
Neel vector passes the hard direction of the in-plane easy axis and falls into the next minimum).

Identification (brief 4.5): (1) the linear response to one subthreshold kick gives starting
values (:func:`identify_from_kick`, with the kick at its centre); (2) a shooting fit of
the nonlinear model to the kick trains (lmfit, trust-region reflective) gives the coefficients,
with Jacobian standard errors. Folds as for the LIF neurons: the trains alternate between a
training and a held-out set (sorted by kick interval), the identification run is in both; the
swapped fold is reported too. The reference is the strip's sine-Gordon mapping: omega0 = omega_g,
eta = eps / 2, b = tau / chi (brief target for micromagnetic data: within 5 %).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import lmfit
import numpy as np
from scipy.integrate import solve_ivp

from spinlif.analysis.store import AggregatedRun
from spinlif.fitting.afm_rows import Provenance, base_row, status, theory_deviations
from spinlif.fitting.family import CompactModel, FitResult, Parameter
from spinlif.fitting.models import WASHBOARD, WASHBOARD_NAMES
from spinlif.fitting.trajectory import Drive
from spinlif.units import NS

NAMES = WASHBOARD_NAMES
DEVICE_TYPE = "AFM0D"
EQUATION = "phi'' + 2 eta omega0 phi' + (omega0^2 / 2) sin(2 phi) = b i(t)"
THRESHOLD = math.pi / 2
THEORY_TOLERANCE = 0.05  # physics-brief 4.5: micromagnetic / macrospin data within 5 %


@dataclass
class KickRun:
    """One uniform-strip run: phi(t) (rad, from 0) at table times (ns), its drive, kick count and width."""

    run_id: str
    t: np.ndarray
    phi: np.ndarray
    drive: Drive
    n_kicks: int
    t_on_ns: float
    interval_ns: float
    amplitude: float
    spec: dict
    provenance: Provenance = field(default_factory=Provenance)

    @property
    def fired(self) -> bool:
        return bool(np.any(np.abs(self.phi) > THRESHOLD))


def kick_runs(runs: list[AggregatedRun]) -> list[KickRun]:
    """The neuron runs of an AFM-strip dataset: a uniform state under pulse_train kicks, or under a
    dc torque (n_kicks = 0).

    Parameters
    ----------
    runs : list of AggregatedRun
        An AFM-strip dataset's runs (:func:`spinlif.analysis.store.read_runs`).

    Returns
    -------
    list of KickRun
        phi(t) in rad from 0, t in ns.

    Example
    -------
    >>> from spinlif.analysis.store import read_runs
    >>> kicks = kick_runs(read_runs("results/afm/dataset.zarr"))  # doctest: +SKIP
    """
    kicked = []
    for run in runs:
        spec = run.spec
        d = spec["drive"]
        if spec["initial_state"]["n_walls"] != 0 or d["protocol"] not in ("pulse_train", "dc"):
            continue
        series = run.timeseries
        t, phi = series.t_ns.to_numpy(float), series.phi_rad.to_numpy(float)
        keep = np.isfinite(t) & np.isfinite(phi)
        drive = Drive.from_spec(spec)
        kicks = d["protocol"] == "pulse_train"
        kicked.append(KickRun(run.run_id, t[keep], phi[keep] - phi[keep][0], drive,
                              int(np.sum(drive.levels != 0)) if kicks else 0,
                              d["t_on"] * 1e9 if kicks else math.nan, (d["t_on"] + d["t_off"]) * 1e9 if kicks else math.nan,
                              float(d["amplitude"]), spec, Provenance.of_manifest(run.manifest)))
    return kicked


def integrate_washboard(omega0: float, eta: float, t: np.ndarray, kicks=(), nu0: float = 0.0,
                        torque=None, phi0: float = 0.0) -> np.ndarray:
    """phi(t) (rad) of phi'' + 2 eta omega0 phi' + (omega0^2 / 2) sin 2 phi = torque(t), from rest
    at phi0, integrated exactly between breakpoints (DOP853, rtol 1e-10). ``kicks``: times (ns) where
    phi' jumps by ``nu0`` (delta kicks); ``torque``: a (levels, edges) pair of a piecewise-constant
    torque in rad/ns^2 (finite kicks, DC)."""
    t = np.asarray(t, float)
    out = np.empty_like(t)
    out[t <= t[0]] = phi0
    y = np.array([phi0, 0.0])
    start = float(t[0])
    edges, levels = (np.array([t[0]]), np.zeros(1)) if torque is None else (np.asarray(torque[1]), np.asarray(torque[0]))
    kick_times = {float(k) for k in kicks if t[0] <= k < t[-1]}
    boundaries = sorted(kick_times | {float(e) for e in edges if t[0] < e < t[-1]})
    for end in boundaries + [float(t[-1])]:
        if end > start:
            level = float(levels[np.clip(np.searchsorted(edges, start, side="right") - 1, 0, len(levels) - 1)])
            sol = solve_ivp(lambda _, s, a=level: [s[1], a - 2 * eta * omega0 * s[1] - 0.5 * omega0**2 * math.sin(2 * s[0])],
                            (start, end), y, dense_output=True, rtol=1e-10, atol=1e-12, method="DOP853")
            if not sol.success:
                return np.full_like(t, np.nan)
            mask = (t > start) & (t <= end)
            if mask.any():
                out[mask] = sol.sol(t[mask])[0]
            y = sol.y[:, -1].copy()
            start = end
        if end in kick_times:
            y[1] += nu0
    return out


def simulate_washboard(omega0: float, eta: float, nu0: float, kicks, t: np.ndarray,
                       phi0: float = 0.0) -> np.ndarray:
    """phi(t) (rad) of the washboard neuron for delta kicks at times ``kicks`` (ns): phi is
    continuous and phi' jumps by nu0 at each kick (seed 000 Eq. 4)."""
    return integrate_washboard(omega0, eta, t, kicks, nu0, phi0=phi0)


def identify_from_kick(t: np.ndarray, phi: np.ndarray, t_kick: float = 0.0) -> dict:
    """Starting values from one subthreshold kick: fit phi = A (e^{s1 tau} - e^{s2 tau}) to the
    response (tau = t - t_kick), then omega0 = sqrt(s1 s2), eta = -(s1 + s2) / (2 omega0), nu0 = A (s1 - s2)."""
    tau = np.asarray(t, float) - t_kick
    sel = tau > 0
    tau, y = tau[sel], np.asarray(phi, float)[sel]
    peak = tau[np.argmax(np.abs(y))]
    params = lmfit.Parameters()
    params.add("a", value=float(np.max(np.abs(y))) * np.sign(y[np.argmax(np.abs(y))]) * 1.5)
    params.add("s1", value=-1.0 / (3 * peak), max=-1e-9)
    params.add("ds", value=3.0 / peak, min=1e-9)  # s2 = s1 - ds
    result = lmfit.minimize(lambda p: p["a"] * (np.exp(p["s1"] * tau) - np.exp((p["s1"] - p["ds"]) * tau)) - y,
                            params, method="least_squares")
    s1 = result.params["s1"].value
    s2 = s1 - result.params["ds"].value
    omega0 = math.sqrt(s1 * s2)
    return {"omega0": omega0, "eta": -(s1 + s2) / (2 * omega0), "nu0": result.params["a"].value * (s1 - s2)}


class Washboard(CompactModel):
    """The damped washboard neuron (the module text): its data are :class:`KickRun` objects, its
    prediction phi(t) in rad from rest; starting values from the single-kick linear response
    (:func:`starting_values`). Its NRMSE is over the firing threshold pi/2.

    Example
    -------
    >>> drive = Drive.pulse_train(0.01, 0.09, 0.1, 1.0, amplitude=1.0)
    >>> run = KickRun("one kick", np.linspace(0, 1, 101), np.zeros(101), drive, 1, 0.01, 0.1, 1.0, {})
    >>> phi = FAMILY.eval({"omega0": 10.0, "eta": 5.0, "b_kick": 100.0}, run)
    >>> bool(0 < phi.max() < THRESHOLD)  # one 1 rad/ns kick: subthreshold
    True
    """

    name = WASHBOARD
    equation = EQUATION
    parameters = (Parameter("omega0", "rad/ns", 10.0, 1e-6, np.inf, "small-oscillation frequency"),
                  Parameter("eta", "1", 1.0, 1e-4, np.inf, "damping ratio"),
                  Parameter("b_kick", "rad/ns^2", 1.0, -np.inf, np.inf, "torque per unit drive i"))

    def guess(self, data: list[KickRun]) -> dict[str, float]:
        """From the single-kick identification run (:func:`starting_values`; unit values without one)."""
        return starting_values(data, {p.name: p.start for p in self.parameters})

    def eval(self, values: dict[str, float], data: KickRun) -> np.ndarray:
        """phi(t) (rad) of the run (:func:`simulate`)."""
        return simulate(values, data.drive, data.t)

    def observed(self, data: KickRun) -> np.ndarray:
        return data.phi

    def fit(self, data: list[KickRun], start: dict[str, float] | None = None) -> FitResult:
        """Shooting fit to the runs' phi(t) (:func:`fit_washboard_runs`)."""
        return fit_washboard_runs(data, start or self.guess(data))

    def nrmse(self, values: dict[str, float], data: KickRun) -> float:
        """RMS error over the firing threshold pi/2 (as :func:`evaluate`)."""
        return float(np.sqrt(np.mean((self.eval(values, data) - data.phi) ** 2)) / THRESHOLD)


FAMILY = Washboard()


def simulate(values: dict, drive: Drive, t: np.ndarray) -> np.ndarray:
    """phi(t) of the washboard from rest at phi = 0 under the torque b i(t) (:func:`integrate_washboard`)."""
    return integrate_washboard(values["omega0"], values["eta"], t,
                               torque=(values["b_kick"] * drive.levels, drive.edges[:-1]))


def starting_values(runs: list[KickRun], fallback: dict) -> dict:
    """From the single-kick identification run (brief 4.5 step 1) if there is one, else ``fallback``."""
    single = [r for r in runs if r.n_kicks == 1]
    if not single:
        return dict(fallback)
    r = single[0]
    start = identify_from_kick(r.t, r.phi, 0.5 * r.t_on_ns)
    return {"omega0": start["omega0"], "eta": start["eta"], "b_kick": start["nu0"] / (r.amplitude * r.t_on_ns)}


def fit_washboard_runs(runs: list[KickRun], start: dict) -> FitResult:
    """Shooting fit of (omega0, eta, b) to phi(t) of ``runs`` from ``start``."""
    params = lmfit.Parameters()
    params.add("omega0", value=start["omega0"], min=1e-6)
    params.add("eta", value=max(start["eta"], 1e-3), min=1e-4)
    params.add("b_kick", value=start["b_kick"])

    def residual(p):
        v = p.valuesdict()
        r = np.concatenate([simulate(v, run.drive, run.t) - run.phi for run in runs])
        return np.where(np.isfinite(r), r, 1e3)
    result = lmfit.minimize(residual, params, method="least_squares", x_scale="jac", ftol=1e-12, xtol=1e-12,
                            gtol=1e-12, max_nfev=400)
    return FitResult.from_lmfit(FAMILY, result, runs)


def first_spike(t: np.ndarray, phi: np.ndarray) -> float:
    """First time |phi| exceeds pi/2 (ns, linear interpolation), NaN if never."""
    above = np.flatnonzero(np.abs(phi) > THRESHOLD)
    if not above.size:
        return float("nan")
    k = above[0]
    if k == 0:
        return float(t[0])
    a, b = abs(phi[k - 1]), abs(phi[k])
    return float(t[k - 1] + (THRESHOLD - a) / (b - a) * (t[k] - t[k - 1]))


def evaluate(values: dict, runs: list[KickRun]) -> dict:
    """Largest NRMSE (RMSE / (pi/2)), largest first-spike error (ns) and fire agreement on ``runs``."""
    nrmse, dt_err, agree = [], [], 0
    for r in runs:
        model = simulate(values, r.drive, r.t)
        nrmse.append(float(np.sqrt(np.mean((model - r.phi) ** 2)) / THRESHOLD))
        t_data, t_model = first_spike(r.t, r.phi), first_spike(r.t, model)
        agree += math.isfinite(t_data) == math.isfinite(t_model)
        if math.isfinite(t_data) and math.isfinite(t_model):
            dt_err.append(abs(t_model - t_data))
    return {"nrmse": max(nrmse, default=float("nan")), "dt_fire": max(dt_err, default=float("nan")),
            "agree": agree, "n": len(runs)}


def spike_count(phi: np.ndarray) -> np.ndarray:
    """Spikes so far: how many of the barriers |phi| = pi/2 + k pi have been crossed."""
    return np.floor(np.abs(phi) / math.pi + 0.5)


def spike_rate(t: np.ndarray, phi: np.ndarray) -> float:
    """Steady spike rate (1/ns) under a DC torque: spikes per ns between the first and the last
    spike after the first quarter of the trace (the transient); 0 with fewer than two spikes."""
    k = np.flatnonzero(np.diff(spike_count(phi)) > 0) + 1
    times = t[k][t[k] >= 0.25 * t[-1]]
    return float((len(times) - 1) / (times[-1] - times[0])) if len(times) >= 2 else 0.0


def coefficients_of_row(row: dict) -> dict:
    """The washboard's coefficients in its fit units (omega0 rad/ns, eta, b_kick rad/ns^2) from a
    table row, the inverse of the row columns :func:`fit_group` writes (omega0 is stored in rad/s).

    Example
    -------
    >>> coefficients_of_row({"omega0_rad_s": 1e10, "eta": 5.0, "kick_gain_rad_per_ns2": -1650.0})
    {'omega0': 10.0, 'eta': 5.0, 'b_kick': -1650.0}
    """
    return {"omega0": row["omega0_rad_s"] * NS, "eta": row["eta"], "b_kick": row["kick_gain_rad_per_ns2"]}


@dataclass
class WashboardNeuron:
    """The fitted washboard under a constant drive i: its steady spike rate (1/ns = GHz)."""

    values: dict

    @property
    def threshold_i(self) -> float:
        """DC drive at which the washboard tilts over, |b| i = omega0^2 / 2."""
        return self.values["omega0"] ** 2 / (2 * abs(self.values["b_kick"]))

    def spike_frequency(self, i: float) -> float:
        if abs(i) <= self.threshold_i:
            return 0.0
        adler = self.adler_frequency(i)  # long enough for ~20 spikes after the transient, 100 samples each
        duration = 27.0 / adler + 10.0 / (self.values["eta"] * self.values["omega0"])
        t = np.linspace(0.0, duration, 2700)
        return spike_rate(t, simulate(self.values, Drive(np.array([0.0, duration]), np.array([float(i)])), t))

    def adler_frequency(self, i: float) -> float:
        """The overdamped (Adler) rate sqrt((b i)^2 - omega0^4 / 4) / (2 pi eta omega0), brief V8."""
        w, eta, b = self.values["omega0"], self.values["eta"], self.values["b_kick"]
        return math.sqrt(max((b * i) ** 2 - w**4 / 4, 0.0)) / (2 * math.pi * eta * w)


def folds(runs: list[KickRun]) -> tuple[list[KickRun], list[KickRun], list[KickRun]]:
    """(identification runs: one kick or dc, fold A trains, fold B trains): trains sorted by kick
    interval, alternating."""
    ident = [r for r in runs if r.n_kicks <= 1]
    trains = sorted((r for r in runs if r.n_kicks > 1), key=lambda r: (r.interval_ns, r.amplitude))
    return ident, trains[0::2], trains[1::2]


def single_kick_threshold(eta: float) -> float:
    """nu_c / omega0 of one delta kick from rest (depends on eta only; bisection on the exact model)."""
    from scipy.optimize import brentq

    t = np.linspace(0.0, 20.0 + 4 * eta, 4000)  # omega0 = 1: dimensionless time
    swing = lambda nu: simulate_washboard(1.0, eta, nu, [0.0], t).max() - THRESHOLD  # noqa: E731
    return float(brentq(swing, 1e-3, 50 * (eta + 1)))


def theory(spec: dict) -> dict:
    """(omega0 rad/ns, eta, b rad/ns^2 at i = 1) of the strip's sine-Gordon mapping."""
    from spinlif.devices.afm_strip import sine_gordon_parameters

    sg = sine_gordon_parameters(spec)
    mat, dz = spec["material"], spec["geometry"]["cell"][2]
    a = sg.torque_field(spec["drive"]["J0"], mat["theta_SH"], mat["Ms"], dz)
    return {"omega0": sg.omega_g * 1e-9, "eta": sg.eps / 2, "b_kick": 2 * mat["Ms"] * dz * a / sg.chi * 1e-18}


def fit_group(runs: list[KickRun], gate: dict, code_version: str) -> dict:
    """The AFM0D table row of one uniform strip's kick runs."""
    spec = runs[0].spec
    ref = theory(spec)
    ident, fold_a, fold_b = folds(runs)
    start = starting_values(runs, ref)
    main = fit_washboard_runs(ident + fold_a, start)
    swapped = fit_washboard_runs(ident + fold_b, start) if fold_b else None
    ev_train, ev_test = evaluate(main.values, ident + fold_a), evaluate(main.values, fold_b)
    v = main.values
    # the sign of b is the sense of rotation (the sign of theta_SH); the mapping gives |b|
    dev = theory_deviations({**v, "b_kick": abs(v["b_kick"])}, ref)
    w_rad_s = v["omega0"] * 1e9
    s1 = -v["omega0"] * (v["eta"] - math.sqrt(max(v["eta"] ** 2 - 1, 0.0)))
    t_on = next(r.t_on_ns for r in runs if r.n_kicks)
    all_trains = fold_a + fold_b
    agree = evaluate(v, all_trains)["agree"]
    ev_swapped = evaluate(swapped.values, fold_a) if swapped else None
    row = base_row(spec, runs, gate, code_version, f"AFM0D_{spec['param_set']}", DEVICE_TYPE)
    row.update({
        "state_var": "mean Neel angle phi of the uniform strip, from phi(0)", "u_unit": "rad",
        "u_rest": 0.0, "u_th": THRESHOLD, "threshold_convention": "|phi - phi(0)| = pi/2",
        "model_family": FAMILY.name, "equation": EQUATION,
        "omega0_rad_s": w_rad_s, "omega0_rad_s_sigma": main.stderr["omega0"] * 1e9,
        "eta": v["eta"], "eta_sigma": main.stderr["eta"],
        "kick_gain_rad_per_ns2": v["b_kick"], "kick_gain_rad_per_ns2_sigma": main.stderr["b_kick"],
        "nu0_rad_s": abs(v["b_kick"]) * t_on * 1e9, "nu0_rad_s_sigma": main.stderr["b_kick"] * t_on * 1e9,
        "kick_t_on_ns": t_on, "t0_ns": 1.0 / abs(s1) if s1 else math.inf,
        "nu_c_single_over_omega0": single_kick_threshold(v["eta"]),
        "cov_matrix": json.dumps({"names": list(NAMES), "correlation": np.round(main.correlation, 6).tolist()}),
        "sine_gordon_theory": json.dumps(dev),
        "i_range": json.dumps(sorted({0.0} | {r.amplitude for r in runs})),
        "u_range_fit": json.dumps([float(min(r.phi.min() for r in ident + fold_a)),
                                   float(max(r.phi.max() for r in ident + fold_a))]),
        "identification_runs": json.dumps(sorted(f"{'kick' if r.n_kicks else 'dc'}:{r.run_id}" for r in ident)),
        "kick_intervals_train_ns": json.dumps([r.interval_ns for r in fold_a]),
        "kick_intervals_test_ns": json.dumps([r.interval_ns for r in fold_b]),
        "nrmse_train": ev_train["nrmse"], "nrmse_test": ev_test["nrmse"],
        "dt_fire_err_ns_test": ev_test["dt_fire"], "fire_agreement": f"{agree}/{len(all_trains)}",
        "nrmse_train_swapped": evaluate(swapped.values, ident + fold_b)["nrmse"] if swapped else float("nan"),
        "nrmse_test_swapped": ev_swapped["nrmse"] if swapped else float("nan"),
        "dt_fire_err_ns_test_swapped": ev_swapped["dt_fire"] if swapped else float("nan"),
        "bic": main.bic, "n_points": main.n_points, "tau_leak_ns": 1.0 / abs(s1) if s1 else math.inf,
        "reset_mode": "none (phi settles in the next minimum, phi(0) + pi: an equivalent rest state)",
    })
    row["status"], reasons = _status(row, main, dev, gate)
    row["status_reasons"] = "; ".join(reasons)
    return row


def _status(row: dict, result: FitResult, dev: dict, gate: dict) -> tuple[str, list[str]]:
    k, n = map(int, row["fire_agreement"].split("/"))
    disagree = [f"fire/no-fire agrees on {row['fire_agreement']} kick trains"] if k < n else []
    return status(row, result, dev, dict.fromkeys(dev, THEORY_TOLERANCE), gate, ("eta", "b_kick"),
                  "no held-out kick trains", disagree)
