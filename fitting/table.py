# SPDX-License-Identifier: GPL-3.0-or-later
"""The parameter table (physics-brief section 6): ``lif_params.csv`` and ``.parquet`` with a JSON
sidecar (``lif_params.json``) that gives every column's type, unit and description, plus the
table's provenance; and :func:`load_params`, the typed reader network code uses.

One row per (device, parameter set, n_layers, geometry, model family).
"""

from __future__ import annotations

import csv
import datetime as _dt
import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

# (column, unit, description); "" unit = dimensionless; "json" = a JSON-encoded value
_BASE = [
    ("device_id", "", "device identifier: type, parameter set, n_layers, track size"),
    ("device_type", "", "DW (domain wall), SKY (skyrmion), AFM0D (AFM neuron, uniform strip), AFM_SOLITON (wall in an AFM strip), MTJ_HH (single-MTJ neuron)"),
    ("param_set", "", "material/stack parameter set of physics-brief section 2 (S, P, R, E)"),
    ("n_layers", "", "number of CoFeB layers"),
    ("Lx_nm", "nm", "track length"), ("Ly_nm", "nm", "track width"),
    ("t_fm_nm", "nm", "ferromagnetic layer thickness"), ("t_spacer_nm", "nm", "spacer thickness"),
    ("cell_nm", "nm", "simulation cell (x, y, z), JSON list"),
    ("D_Jm2", "J/m^2", "interfacial DMI (MuMax3 Dind sign)"), ("Ku_Jm3", "J/m^3", "uniaxial anisotropy"),
    ("Ms_Am", "A/m", "saturation magnetisation"), ("A_Jm", "J/m", "exchange stiffness"),
    ("alpha_G", "", "Gilbert damping"), ("theta_SH", "", "spin Hall angle"),
    ("J0_Am2", "A/m^2", "drive current density at i = 1"), ("temperature_K", "K", "temperature (0: deterministic)"),
    ("state_var", "", "the state u of the compact model"), ("u_rest", "u_unit", "rest state (median initial state of the trains)"),
    ("u_th", "u_unit", "firing threshold"), ("u_unit", "", "unit of u"),
    ("threshold_convention", "", "how the threshold is defined"),
    ("model_family", "", "compact-model family (fitting.models.FAMILIES)"),
    ("equation", "", "the family's ODE in physical units"), ("time_unit", "", "time unit of every rate (ns)"),
    ("m_op", "u_unit", "operating point of the linearised family (lin_Mishra9corr)"),
    ("selected", "", "lowest BIC among this device's families (one row per device; a tie goes to the family fitted first)"),
]
_RAW = [  # (family parameter, column, unit, description): the one place raw-coefficient columns are named
    ("alpha", "alpha_per_ns", "1/ns", "exp_Mishra8: drift amplitude alpha"),
    ("beta", "beta", "", "exp_Mishra8: stiffness beta"),
    ("gamma", "gamma_per_ns", "u_unit/ns", "drive gain gamma at i = 1"),
    ("a0", "a0_per_ns", "1/ns", "lin_Mishra9corr: drift at m_op"),
    ("a1", "a1_per_ns", "1/ns", "lin_Mishra9corr: leak rate"),
    ("tau", "tau_ns", "ns", "linear: leak time constant"),
    ("u_rest", "u_rest_fit", "u_unit", "linear: fitted rest state"),
    ("k1", "k1_per_nm_ns", "1/(nm ns)", "quad: quadratic leak"),
    ("k2", "k2_per_ns", "1/ns", "quad: linear leak"),
    ("c", "c_nm_per_ns", "nm/ns", "exp_edge: edge repulsion speed"),
    ("ell", "ell_nm", "nm", "exp_edge: decay length"),
    # the AFM soliton (fitting.soliton_fit.RAW_SOLITON_COLUMNS): u = X, the wall position
    ("lam", "lambda_nm", "nm", "sine_gordon: static wall width lambda"),
    ("u_lim", "u_limit_m_s", "m/s", "sine_gordon: limiting (magnon) velocity u (= nm/ns)"),
    ("beta_sg", "beta_sg_ns_per_nm2", "ns/nm^2", "sine_gordon: damping beta, d ln(v gamma_L)/dt = -beta u^2"),
    ("force", "force_nm_per_ns2", "nm/ns^2", "sine_gordon: drive of the momentum v gamma_L at i = 1"),
    # the AFM neuron (fitting.washboard_fit): u = phi, the mean Neel angle
    ("omega0", "omega0_rad_s", "rad/s", "washboard2: natural frequency omega0 (fitted in rad/ns)"),
    ("eta", "eta", "", "washboard2: damping ratio eta"),
    ("b_kick", "kick_gain_rad_per_ns2", "rad/ns^2", "washboard2: torque b on phi'' at i = 1 (sign = sense of rotation)"),
    # the MTJ neuron (fitting.mtj_fit): the seed-003 minimal models
    ("eta_stt", "stt_efficiency", "", "mtj_*: spin-transfer efficiency eta (1 = seed 003 Eq. 6)"),
    ("B_F", "B_F_T", "T", "mtj_*: dipolar field mu0 H_F of the polariser, along -p"),
    ("alpha_llg", "alpha_llg", "", "mtj_macrospin: Gilbert damping"),
    ("kappa", "kappa_iota", "", "mtj_eq10: the seed's extra phi drive iota as a fraction of iota0"),
]
RAW_COLUMNS = {parameter: column for parameter, column, _, _ in _RAW}
"""Family parameter -> parameter-table column (physics-brief section 6 names)."""

_NORMALISED = [("p1", "quadratic"), ("p2", "linear"), ("p0", "constant"), ("g", "drive")]
_REST = [
    ("cov_matrix", "json", "correlation matrix of the raw coefficients: {names, correlation}"),
    ("dt_recommended_ns", "ns", "recommended SNN step, 0.1 / max(|p2|, |g|, |2 p1|)"),
    ("dt_max_stable_ns", "ns", "largest stable forward-Euler step of the leak, 2 / |p2|"),
    ("c1_step", "", "p1 * dt_recommended_ns"), ("c2_step", "", "p2 * dt_recommended_ns"),
    ("c0_step", "", "p0 * dt_recommended_ns"), ("cg_step", "", "g * dt_recommended_ns"),
    ("euler_first_spike_rel_err", "", "forward Euler vs exact first-spike time at dt_recommended_ns, i = 1"),
    ("tau_leak_ns", "ns", "1 / |p2|"),
    ("reset_mode", "", "after a spike: to_rest (mem = 0) or subtract (mem -= 1)"),
    ("t_reset_ns", "ns", "time a physical reset takes (not measured: NaN)"),
    ("refractory_ns", "ns", "refractory time of the compact neuron"),
    ("i_range", "json", "drive levels i = J / J0 seen in the fitted runs"),
    ("u_range_fit", "json", "range of u in the training data"),
    ("duty_cycles_train", "json", "duty cycles of the training trains"),
    ("duty_cycles_test", "json", "duty cycles of the held-out trains (predicted, not fitted)"),
    ("identification_runs", "json", "control / DC / relaxation runs in the training set"),
    ("extrapolation_flag", "", "the held-out set includes the 25 % train (extrapolation)"),
    ("nrmse_train", "", "max training-trace RMSE / |u_th - u_rest| (sub-threshold part)"),
    ("nrmse_test", "", "max held-out-trace RMSE / |u_th - u_rest|"),
    ("dt_fire_err_ns_test", "ns", "max held-out |first-threshold-crossing time error|"),
    ("fire_agreement", "", "trains on which model and simulation agree on fire / no fire, k/n"),
    ("nrmse_train_swapped", "", "swapped fold (fit on 40 % + 25 %): training NRMSE"),
    ("nrmse_test_swapped", "", "swapped fold: held-out NRMSE on 50 % + 33 %"),
    ("dt_fire_err_ns_test_swapped", "ns", "swapped fold: max held-out first-crossing error"),
    ("r2_deriv_on", "", "R^2 of the model's du/dt vs the Savitzky-Golay derivative, ON samples (target >= 0.95)"),
    ("r2_deriv_off", "", "the same for OFF samples"),
    ("runs_test_p", "", "runs test on the signs of the per-segment mean residuals (target p > 0.01)"),
    ("sindy_terms", "json", "model-form cross-check: terms and coefficients (state units, 1/ns) that sequentially "
     "thresholded least squares keeps from {1, u, u^2, u^3, exp(u/ell), i, u i}, with ell and R^2"),
    ("bic", "", "Bayesian information criterion of the training fit"),
    ("delta_bic_vs_next", "", "BIC gap to the next-best family (> 0: this one is better)"),
    ("n_points", "", "samples in the training fit"),
    ("autocorrelation_time_samples", "", "residual autocorrelation time inflating the standard errors"),
    ("v_on_m_s", "m/s", "drive velocity at i = 1: (L/2) gamma (DW), gamma (SKY)"),
    ("dw_width_nm", "nm", "Bloch wall parameter sqrt(A / K_eff) (DW)"),
    ("R_sk_nm", "nm", "skyrmion radius sqrt(A_rev / pi) at the start of the runs (SKY)"),
    ("skyrmion_hall_deg", "deg", "skyrmion Hall angle in the first pulse of the trains (SKY)"),
    ("Q_min", "", "smallest |Q| of any layer in any fitted run (SKY; >= 0.9, annihilated runs are not fitted)"),
    ("eps_sg", "", "sine-Gordon damping eps = beta u lambda (AFM_SOLITON)"),
    ("omega_g_per_ns", "rad/ns", "magnon gap u / lambda (AFM_SOLITON)"),
    ("sine_gordon_theory", "json", "the strip's sine-Gordon mapping: per coefficient its value and the fit's "
     "relative deviation (AFM_SOLITON)"),
    ("width_nrmse_train", "", "max training-run wall-width RMSE / lambda (AFM_SOLITON)"),
    ("width_nrmse_test", "", "max held-out-run wall-width RMSE / lambda (AFM_SOLITON)"),
    ("nu0_rad_s", "rad/s", "kick strength |b| t_on at i = 1: the jump of phi' per kick (AFM0D, seed 000 Eq. 4)"),
    ("nu0_rad_s_sigma", "rad/s", "standard error of nu0_rad_s"),
    ("kick_t_on_ns", "ns", "kick (pulse) duration of the runs (AFM0D)"),
    ("t0_ns", "ns", "slow relaxation time 1/|s1| of the linear kick response (AFM0D)"),
    ("nu_c_single_over_omega0", "", "single delta-kick firing threshold nu_c / omega0 of the fitted model (AFM0D)"),
    ("kick_intervals_train_ns", "json", "kick intervals of the training kick trains (AFM0D)"),
    ("kick_intervals_test_ns", "json", "kick intervals of the held-out kick trains (AFM0D)"),
    ("mtj_anisotropy_D", "json", "effective anisotropy vector D of seed 003 Eq. A1 (MTJ_HH)"),
    ("mtj_polariser", "json", "polariser direction p (MTJ_HH)"),
    ("mtj_polarisation", "", "spin polarisation P at mtj_T_ref_K (MTJ_HH)"),
    ("mtj_T_ref_K", "K", "temperature at which Ms_Am and mtj_polarisation hold (MTJ_HH)"),
    ("mtj_T_C_K", "K", "Curie temperature of Eq. 3a (MTJ_HH)"),
    ("mtj_eps_P", "", "polarisation scaling exponent of Eq. 3b (MTJ_HH)"),
    ("mtj_heating_K_per_A2s", "K/(A^2 s)", "heating efficiency rho/kB of Eq. 2 (MTJ_HH)"),
    ("mtj_tau0_ns", "ns", "temperature decay time tau0 of Eq. 2 (MTJ_HH)"),
    ("mtj_area_nm2", "nm^2", "free-layer area A (MTJ_HH); thickness in t_fm_nm, T_amb in temperature_K"),
    ("mtj_nrmse_noise_floor", "", "NRMSE of one stochastic-model realisation against the ensemble mean: the "
     "thermal floor below which no model can fit one noisy run; the status targets apply above it (MTJ_HH)"),
    ("mtj_spike_count_err_test", "", "max |spikes of the model - spikes of the run| over held-out runs (MTJ_HH)"),
    ("mtj_burst_rate_rel_err_test", "", "max relative error of the in-burst spike rate, held-out runs (MTJ_HH)"),
    ("mtj_heldout_spikes", "json", "per held-out run: J, spike counts, first-spike times, ISI mean and CV of "
     "the run and of the stochastic model (Eq. 4 noise, 5 seeds) (MTJ_HH)"),
    ("mtj_train_spikes", "json", "the same for the training runs (MTJ_HH)"),
    ("solver", "", "engine version(s) that produced the runs"), ("engine", "", "mumax3 or cpu"),
    ("input_deck_sha256", "json", "SHA-256 of the templates the runs rendered"),
    ("run_ids", "json", "run ids used (training, identification and held-out)"),
    ("data_sha256", "json", "SHA-256 of each run's table.txt"),
    ("fit_code_version", "", "spinlif version (and git commit) of the fit"),
    ("bootstrap_n", "", "converged block-bootstrap replicates over pulse periods (0: Jacobian covariance only)"),
    ("bootstrap_sigma", "json", "bootstrap standard deviation of each raw coefficient"),
    ("bootstrap_ci68", "json", "bootstrap 68 % percentile interval of each raw coefficient"),
    ("bootstrap_ci95", "json", "bootstrap 95 % percentile interval of each raw coefficient"),
    ("bootstrap_correlation", "json", "bootstrap correlation matrix of the raw coefficients (order of cov_matrix)"),
    ("fit_datetime_utc", "", "when the fit ran"),
    ("validation_report", "", "the validation report that applied (results/validation/<engine>/report.csv)"),
    ("validation_passed", "", "whether that report passed; if not, status is at most provisional"),
    ("validation_report_sha256", "", "SHA-256 of that report"),
    ("seed_deviation_notes", "", "where this deviates from the seed paper, and why"),
    ("material_caveat", "", "where the material is not the realistic one (e.g. Pt-like DMI for the skyrmion)"),
    ("status", "", "accepted / provisional / rejected (physics-brief 4.1 targets and validation)"),
    ("status_reasons", "", "why the status is not accepted"),
]


def columns() -> list[tuple[str, str, str]]:
    """Every column of the table: (name, unit, description), in table order."""
    cols = list(_BASE)
    for _, name, unit, desc in _RAW:
        cols += [(name, unit, desc), (name + "_sigma", unit, f"standard error of {name}")]
    for p, what in _NORMALISED:
        name = f"{p}_per_ns"
        desc = f"normalised SNN form, {what} coefficient: dmem/dt = p1 mem^2 + p2 mem + p0 + g i"
        cols += [(name, "1/ns", desc), (name + "_sigma", "1/ns", f"standard error of {name}"),
                 (name + "_ci95_lo", "1/ns", f"95 % interval, lower, of {name}"),
                 (name + "_ci95_hi", "1/ns", f"95 % interval, upper, of {name}")]
    return cols + list(_REST)


COLUMN_NAMES = [c[0] for c in columns()]


def blank_row() -> dict:
    """A row with every column empty: "" for the JSON columns, NaN otherwise. Each row builder
    fills what its device has; the rest stays blank (e.g. the LIF columns of an AFM soliton)."""
    return {name: "" if unit == "json" else float("nan") for name, unit, _ in columns()}


def _json_type(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "integer"
    if pd.api.types.is_float_dtype(series):
        return "number"
    return "string"


def write_table(rows: list[dict], out_csv: str | Path, provenance: dict | None = None) -> pd.DataFrame:
    """Write ``lif_params.csv``, ``.parquet`` (schema in the file metadata) and ``.json`` (sidecar)."""
    frame = pd.DataFrame(rows) if rows else pd.DataFrame(columns=COLUMN_NAMES)
    missing = [c for c in COLUMN_NAMES if c not in frame.columns]
    extra = [c for c in frame.columns if c not in COLUMN_NAMES]
    if missing or extra:
        raise ValueError(f"parameter rows do not match the table schema: missing {missing}, unknown {extra}")
    frame = frame[COLUMN_NAMES]
    out_csv = Path(out_csv)
    out_csv.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out_csv, index=False)
    schema = {"fields": [{"name": n, "type": _json_type(frame[n]), "unit": u, "description": d}
                         for n, u, d in columns()]}
    sidecar = {
        "title": "spinlif compact LIF neuron parameters",
        "path": out_csv.name, "format": "csv", "schema": schema,
        "conventions": "t in ns, lengths in nm, drive i = J / J0; normalised form mem = (u - u_rest) / "
                       "(u_th - u_rest), mem += dt (p1 mem^2 + p2 mem + p0 + g i), spike at mem > 1",
        "csv_sha256": hashlib.sha256(out_csv.read_bytes()).hexdigest(),
        "written_utc": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "provenance": provenance or {},
    }
    out_csv.with_suffix(".json").write_text(json.dumps(sidecar, indent=2))
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                           b"spinlif": json.dumps(sidecar).encode()})
    pq.write_table(table, out_csv.with_suffix(".parquet"))
    return frame


@dataclass(frozen=True)
class NeuronParams:
    """One table row, typed: what an SNN needs, with the row's identity, status and full record."""

    device_id: str
    device_type: str
    param_set: str
    n_layers: int
    model_family: str
    status: str
    u_rest: float
    u_th: float
    p1: float
    p2: float
    p0: float
    g: float
    dt: float
    record: dict

    def step(self, mem: float, i: float, dt: float | None = None) -> float:
        """One forward-Euler SNN step of the normalised state."""
        h = self.dt if dt is None else dt
        return mem + h * (self.p1 * mem * mem + self.p2 * mem + self.p0 + self.g * i)


def _convert(text: str, kind: str | None):
    """A CSV cell as its schema type; without a schema, the obvious reading of the text."""
    if kind == "boolean" or (kind is None and text in ("True", "False")):
        return text == "True"
    if kind == "integer":
        return int(float(text)) if text else 0
    if kind == "number":
        return float(text) if text != "" else math.nan
    if kind is None:
        try:
            return float(text)
        except ValueError:
            return text
    return text


STATUSES = ("accepted", "provisional", "rejected")
"""Row statuses, best first (physics-brief 4.1)."""


class ParamsTableError(ValueError):
    """A parameter table, or a request to :func:`load_params`, that cannot be trusted or answered."""


def family_coefficient_columns() -> dict[str, tuple[str, ...]]:
    """``{model_family: its raw-coefficient columns}`` for every family a row may have."""
    from spinlif.fitting.models import AFM_FAMILIES, FAMILIES, MTJ_FAMILIES

    families = {name: tuple(f.names) for name, f in FAMILIES.items()} | AFM_FAMILIES | MTJ_FAMILIES
    return {name: tuple(RAW_COLUMNS[p] for p in names) for name, names in families.items()}


def _one_of(what: str, value, allowed) -> None:
    values = (value,) if isinstance(value, (str, int)) else tuple(value)
    bad = [v for v in values if v not in allowed]
    if bad:
        raise ParamsTableError(f"load_params: {what} = {value!r}: allowed are {', '.join(map(str, allowed))}")


def _verified_rows(path: Path) -> list[dict]:
    """The table's rows, typed by the sidecar, after checking the CSV against the sidecar's SHA-256
    and every row for its full set of cells."""
    sidecar_path = path.with_suffix(".json")
    if not sidecar_path.exists():
        raise ParamsTableError(f"{path}: its sidecar {sidecar_path.name} is missing; the table's types and "
                               "SHA-256 live there (copy both files)")
    sidecar = json.loads(sidecar_path.read_text())
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != sidecar.get("csv_sha256"):
        raise ParamsTableError(f"{path}: SHA-256 {digest[:12]}... differs from the sidecar's "
                               f"{str(sidecar.get('csv_sha256'))[:12]}...: the table changed after it was written")
    kinds = {f["name"]: f["type"] for f in sidecar["schema"]["fields"]}
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != list(kinds):
            raise ParamsTableError(f"{path}: its columns are not the sidecar's schema")
        rows = []
        for line, r in enumerate(reader, start=2):
            if None in r or any(v is None for v in r.values()):
                raise ParamsTableError(f"{path}:{line}: {len([v for v in r.values() if v is not None])} of "
                                       f"{len(kinds)} cells: a cut or malformed row")
            rows.append({k: _convert(v, kinds[k]) for k, v in r.items()})
    return rows


def load_params(path: str | Path, *, device: str | None = None, n_layers: int | None = None,
                model_family: str | None = None, param_set: str | None = None,
                status: str | tuple[str, ...] | None = None, include_provisional: bool = False,
                selected_only: bool = False) -> list[NeuronParams]:
    """Rows of ``lif_params.csv`` as :class:`NeuronParams`: by default the ``accepted`` ones only.

    The table is checked first: the CSV against its sidecar's SHA-256 (``lif_params.json`` beside
    it), every row for all its cells, and every returned row for finite coefficients of its model
    family.

    Parameters
    ----------
    path : str or Path
        ``results/params/lif_params.csv``.
    device : str, optional
        ``device_type``: one of :func:`spinlif.devices.table_device_types` (DW, SKY, AFM0D, AFM_SOLITON).
    n_layers : int, optional
        Number of CoFeB layers.
    model_family : str, optional
        One of :func:`family_coefficient_columns` (e.g. ``exp_Mishra8``, ``quad``, ``washboard2``).
    param_set : str, optional
        Parameter set (S, P, R, E, A, N).
    status : str or tuple of str, optional
        Statuses wanted (of :data:`STATUSES`); overrides the default ``accepted``.
    include_provisional : bool
        Also ``provisional`` rows (the default status set becomes accepted + provisional).
    selected_only : bool
        Only each device's lowest-BIC family, among the rows the status allows.

    Returns
    -------
    list of NeuronParams
        Possibly empty when no row matches valid filters. Rates in 1/ns, times in ns.

    Raises
    ------
    ParamsTableError
        An unknown device, status or family (the allowed values listed); a table that differs from
        its sidecar, a cut row, or non-finite coefficients in a returned row.

    Example
    -------
    >>> rows = load_params("results/params/lif_params.csv", device="DW", selected_only=True)  # doctest: +SKIP
    >>> rows[0].step(0.0, i=1.0)  # doctest: +SKIP
    0.0123
    """
    from spinlif.devices import table_device_types

    path = Path(path)
    families = family_coefficient_columns()
    if device is not None:
        _one_of("device", device, table_device_types())
    if model_family is not None:
        _one_of("model_family", model_family, tuple(families))
    if status is not None:
        _one_of("status", status, STATUSES)
        wanted = (status,) if isinstance(status, str) else tuple(status)
    else:
        wanted = ("accepted", "provisional") if include_provisional else ("accepted",)
    out = []
    kinds = table_device_types()
    for r in _verified_rows(path):
        if r["device_type"] not in kinds:
            raise ParamsTableError(f"{path}: row {r['device_id']} ({r['model_family']}): device_type "
                                   f"{r['device_type']!r} is not a kind this spinlif knows ({', '.join(kinds)}); "
                                   "a table from a newer spinlif, or edited by hand")
        if device is not None and r["device_type"] != device:
            continue
        if n_layers is not None and r["n_layers"] != n_layers:
            continue
        if model_family is not None and r["model_family"] != model_family:
            continue
        if param_set is not None and r["param_set"] != param_set:
            continue
        if r["status"] not in wanted:
            continue
        if selected_only and not r["selected"]:
            continue
        neuron = not str(r["threshold_convention"]).startswith("none")  # a soliton row has no threshold
        bad = [c for c in families.get(r["model_family"], ()) + (("u_rest", "u_th") if neuron else ())
               if not (isinstance(r[c], float) and math.isfinite(r[c]))]
        if r["model_family"] not in families or bad:
            raise ParamsTableError(f"{path}: row {r['device_id']} ({r['model_family']}, {r['status']}): "
                                   + (f"non-finite {', '.join(bad)}" if bad else "unknown model_family"))
        out.append(NeuronParams(r["device_id"], r["device_type"], r["param_set"], r["n_layers"], r["model_family"],
                                r["status"], r["u_rest"], r["u_th"], r["p1_per_ns"], r["p2_per_ns"], r["p0_per_ns"],
                                r["g_per_ns"], r["dt_recommended_ns"], r))
    return out
