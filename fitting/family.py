# SPDX-License-Identifier: GPL-3.0-or-later
"""The one fit vocabulary of every compact model, in lmfit's shape (issue 13, item 4).

* :class:`Parameter`: one coefficient with its unit, start and bounds;
* :class:`CompactModel`: a family of compact models, with ``guess(data)`` (starting values),
  ``eval(values, data)`` (the model's prediction of one recorded run) and ``fit(data)``, the base of the LIF
  families (:class:`spinlif.fitting.models.ModelFamily`: domain wall and skyrmion), the AFM soliton
  (:class:`spinlif.fitting.soliton_fit.SineGordon`) and the AFM neuron
  (:class:`spinlif.fitting.washboard_fit.Washboard`);
* :class:`FitResult`: what every fit returns: ``values``, ``stderr``, ``ci95``, ``correlation``,
  ``nrmse``, ``report()`` and ``eval(data)``.

Units (physics-brief section 4.1): t in ns, lengths in nm, drive i = J / J0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import lmfit
import numpy as np
from scipy import stats


@dataclass(frozen=True)
class Parameter:
    """One coefficient: name, unit, starting value and bounds (in the model's units)."""

    name: str
    unit: str
    start: float
    lower: float = -np.inf
    upper: float = np.inf
    description: str = ""


class CompactModel:
    """A compact-model family: its coefficients (``parameters``), its ``equation``, starting values
    from data (:meth:`guess`), its prediction of one run (:meth:`eval`) and its fit to runs (:meth:`fit`).

    Subclasses set ``name``, ``parameters`` and ``equation`` and implement :meth:`guess`,
    :meth:`eval` and :meth:`fit`; :meth:`nrmse` normalises by the data's range unless they say otherwise.

    Example
    -------
    >>> from spinlif.fitting.models import FAMILIES
    >>> FAMILIES["quad"].names, isinstance(FAMILIES["quad"], CompactModel)
    (['k1', 'k2', 'gamma'], True)
    """

    name: str
    parameters: tuple[Parameter, ...]
    equation: str

    @property
    def names(self) -> list[str]:
        """The coefficient names, in the order of ``parameters``."""
        return [p.name for p in self.parameters]

    def guess(self, data) -> dict[str, float]:
        """Starting values of the coefficients from ``data`` (the family's runs)."""
        raise NotImplementedError(f"{type(self).__name__}.guess")

    def eval(self, values: dict[str, float], data) -> np.ndarray:
        """The model's prediction of one run ``data`` at its sample times, for coefficients ``values``."""
        raise NotImplementedError(f"{type(self).__name__}.eval")

    def fit(self, data, start: dict[str, float] | None = None) -> FitResult:
        """Fit the family to the runs ``data`` from ``start`` (default: :meth:`guess`)."""
        raise NotImplementedError(f"{type(self).__name__}.fit")

    def observed(self, data) -> np.ndarray:
        """The recorded quantity :meth:`eval` predicts (``data.u`` unless a family says otherwise)."""
        return np.asarray(data.u, float)

    def nrmse(self, values: dict[str, float], data) -> float:
        """RMS error of :meth:`eval` on ``data``, over the range of the recorded quantity."""
        y = self.observed(data)
        return float(np.sqrt(np.mean((self.eval(values, data) - y) ** 2)) / (float(np.ptp(y)) or 1.0))


def correlation(result: lmfit.minimizer.MinimizerResult, names: list[str]) -> np.ndarray:
    """Correlation matrix of the parameters ``names`` (in that order) from an lmfit result's
    covariance; NaN where lmfit could not estimate one.

    Example
    -------
    >>> p = lmfit.Parameters(); p.add("a", 1.0); p.add("b", 0.0)
    >>> x = np.linspace(0, 1, 20)
    >>> r = lmfit.minimize(lambda q: q["a"] * x + q["b"] - (2 * x + 1 + 0.01 * np.sin(40 * x)), p)
    >>> correlation(r, ["a", "b"]).shape
    (2, 2)
    """
    if result.covar is None:
        return np.full((len(names), len(names)), np.nan)
    order = [result.var_names.index(k) for k in names]
    cov = result.covar[np.ix_(order, order)]
    sd = np.sqrt(np.diag(cov))
    return cov / np.outer(sd, sd)


@dataclass
class FitResult:
    """Coefficients of one compact-model fit with their uncertainties, in the family's units.

    Attributes
    ----------
    family : CompactModel
        The fitted family.
    values, stderr : dict
        Coefficients and standard errors (NaN for a coefficient held fixed).
    ci95 : dict
        95 % intervals ``(low, high)`` (Student's t).
    correlation : numpy.ndarray
        Correlation matrix of the varied coefficients.
    nrmse : dict
        Per-run NRMSE of the fit on its own runs (run label -> value).
    bic : float
        Bayesian information criterion of the residuals.
    n_points : int
        Number of residuals.
    success : bool
        The optimiser's verdict; ``message`` says why.
    extra : dict
        Family-specific details (starting values, nuisance initial states, ...).
    """

    family: CompactModel
    values: dict[str, float]
    stderr: dict[str, float]
    ci95: dict[str, tuple[float, float]]
    correlation: np.ndarray
    nrmse: dict[str, float]
    bic: float
    n_points: int
    success: bool
    message: str
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_lmfit(cls, family: CompactModel, result: lmfit.minimizer.MinimizerResult, runs=()) -> FitResult:
        """The result of ``lmfit.minimize`` over the coefficients ``family.names``, with the NRMSE of
        each of ``runs`` (labelled by ``run_id``). A coefficient held fixed has NaN standard error
        and interval; the correlation matrix covers the varied ones.

        Parameters
        ----------
        family : CompactModel
            The fitted family.
        result : lmfit.minimizer.MinimizerResult
            ``lmfit.minimize``'s result; its parameters include ``family.names``.
        runs : sequence
            The runs fitted (for :attr:`nrmse`).

        Returns
        -------
        FitResult
            BIC = n ln(chi^2 / n) + k ln n over the n residuals and k varied coefficients.

        Example
        -------
        >>> from spinlif.fitting.washboard_fit import FAMILY
        >>> p = lmfit.Parameters()
        >>> for name, value in (("omega0", 10.0), ("eta", 5.0), ("b_kick", -1.0)):
        ...     p.add(name, value, vary=name != "b_kick")
        >>> fake = lmfit.minimize(lambda q: np.array([q["omega0"] - 10.0, q["eta"] - 5.0, 0.1]), p)
        >>> r = FitResult.from_lmfit(FAMILY, fake)
        >>> round(r.values["omega0"], 6), math.isnan(r.stderr["b_kick"]), r.correlation.shape
        (10.0, True, (2, 2))
        """
        names = family.names
        p = result.params
        varied = [n for n in names if p[n].vary]
        n = result.ndata
        values = {k: p[k].value for k in names}
        stderr = {k: p[k].stderr if p[k].vary and p[k].stderr is not None else float("nan") for k in names}
        tq = stats.t.ppf(0.975, max(n - len(varied), 1))
        return cls(family, values, stderr, {k: (values[k] - tq * stderr[k], values[k] + tq * stderr[k]) for k in names},
                   correlation(result, varied), {str(getattr(r, "run_id", k)): family.nrmse(values, r)
                                                 for k, r in enumerate(runs)},
                   float(n * math.log(max(result.chisqr, 1e-300) / n) + len(varied) * math.log(n)), n,
                   bool(result.success), str(result.message))

    def eval(self, data) -> np.ndarray:
        """The fitted model's prediction of one run (:meth:`CompactModel.eval`)."""
        return self.family.eval(self.values, data)

    def report(self) -> str:
        """A readable summary: the equation, each coefficient with its error, unit and 95 % interval,
        NRMSE per run, BIC and the optimiser's message.

        Example
        -------
        >>> from spinlif.fitting.models import FAMILIES
        >>> r = FitResult(FAMILIES["linear"], {"tau": 20.0, "u_rest": 0.0, "gamma": 0.1},
        ...               {"tau": 0.5, "u_rest": float("nan"), "gamma": 0.001},
        ...               {"tau": (19.0, 21.0), "u_rest": (float("nan"), float("nan")), "gamma": (0.098, 0.102)},
        ...               np.eye(2), {"run": 0.01}, -123.0, 100, True, "converged")
        >>> print(r.report().splitlines()[1])
            tau    = 20 ± 0.5 ns  [19, 21]
        """
        units = {p.name: p.unit for p in self.family.parameters}
        width = max(map(len, self.values))
        lines = [f"[[{self.family.name}]] {self.family.equation}"]
        for k, v in self.values.items():
            err = f"± {self.stderr[k]:.3g}" if math.isfinite(self.stderr[k]) else "(fixed)"
            lo, hi = self.ci95[k]
            ci = f"  [{lo:.6g}, {hi:.6g}]" if math.isfinite(lo) else ""
            lines.append(f"    {k:<{width}} = {v:.6g} {err} {units.get(k, '')}{ci}")
        lines.append(f"    {self.n_points} points, BIC {self.bic:.6g}, {'success' if self.success else 'FAILED'}: "
                     f"{self.message}")
        lines += [f"    nrmse {label}: {value:.3g}" for label, value in self.nrmse.items()]
        return "\n".join(lines)
