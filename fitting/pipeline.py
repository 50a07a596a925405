# SPDX-License-Identifier: GPL-3.0-or-later
"""The fitting stage of the pipeline: fit every device group of one device family, write its rows
and figures; then merge all rows into the parameter table (``results/params/lif_params.*``).
Snakemake runs these through ``spinlif fit`` and ``spinlif params-table`` (workflow/rules/fit.smk)."""

from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path

from spinlif.analysis.store import read_runs
from spinlif.fitting.device_fit import dw_traces, fit_group, group_key, sk_traces
from spinlif.fitting.models import FAMILIES, MTJ_FAMILIES, SINE_GORDON, WASHBOARD


def code_version() -> str:
    """spinlif's version and, in a git checkout, the commit (``-dirty`` with local changes)."""
    from spinlif import __version__

    repo = Path(__file__).resolve().parents[1]
    try:
        commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=repo, capture_output=True,
                                text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return f"spinlif {__version__}" + (f" ({commit})" if commit else "")


def fitted_devices() -> tuple[str, ...]:
    """Short names of the devices with compact-model fits (their rows go into the table)."""
    from spinlif.devices import fitted_short_names

    return fitted_short_names()


def fit_device(device: str, dataset: str | Path, threshold: float | None, validation_report: str | Path | None,
               out_rows: str | Path, figures_dir: str | Path) -> list[dict]:
    """Fit the compact-model families the device declares (``FIT_FAMILIES``) to its runs, group by
    group; write the rows and their figures.

    Reads ``dataset`` (the aggregation carries specs, manifests and observables) and
    ``validation_report``, nothing else.

    Parameters
    ----------
    device : str
        The device's short name (``dw``, ``sk``, ``afm``: :func:`fitted_devices`).
    dataset : str or Path
        ``results/<device>/dataset.zarr``.
    threshold : float or None
        The neuron's firing threshold in its state's unit (<m_z>, or nm of displacement); required
        by the DW and Sk families, unused by the AFM ones.
    validation_report : str, Path or None
        The engine's validation ``report.json``; without a passed one rows are at most provisional.
    out_rows : str or Path
        The rows (JSON list), the input of :func:`build_table`.
    figures_dir : str or Path
        One fit figure per family and group, and the f-J curve of the selected ones.

    Returns
    -------
    list of dict
        The parameter-table rows (columns of :mod:`spinlif.fitting.table`; t in ns, lengths in nm).

    Example
    -------
    >>> rows = fit_device("dw", "results/dw/dataset.zarr", 0.6, "results/validation/cpu/report.json",
    ...                   "dw_rows.json", "figures")  # doctest: +SKIP
    >>> rows[0]["model_family"], rows[0]["status"]  # doctest: +SKIP
    ('exp_Mishra8', 'provisional')
    """
    from spinlif.devices import by_short_name

    if device not in fitted_devices():
        raise ValueError(f"device = {device!r}: compact-model fits exist for {', '.join(fitted_devices())}")
    module = by_short_name(device)
    runs = read_runs(dataset)
    figures_dir = Path(figures_dir)
    figures_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for fitter, families in _by_fitter(module.FIT_FAMILIES):
        rows += fitter(runs, families, module, threshold, validation_report, figures_dir)
    out_rows = Path(out_rows)
    out_rows.parent.mkdir(parents=True, exist_ok=True)
    out_rows.write_text(json.dumps(rows, indent=1, allow_nan=True))
    return rows


def _by_fitter(families: tuple[str, ...]) -> list[tuple]:
    """The device's families grouped by the fit that serves them, in the device's order."""
    fitters = {**{name: _fit_neurons for name in FAMILIES}, SINE_GORDON: _fit_solitons, WASHBOARD: _fit_washboards,
               **{name: _fit_mtj for name in MTJ_FAMILIES}}
    groups: list[tuple] = []
    for name in families:
        if name not in fitters:
            raise ValueError(f"FIT_FAMILIES: {name!r} is not a compact-model family; known: {', '.join(fitters)}")
        if groups and groups[-1][0] is fitters[name]:
            groups[-1][1].append(name)
        else:
            groups.append((fitters[name], [name]))
    return [(fitter, tuple(names)) for fitter, names in groups]


def _gate(engines: set, validation_report):
    from spinlif.validation.report import report_gate

    return report_gate(sorted(engines)[0] if len(engines) == 1 else "mixed", validation_report)


def _by_material(runs):
    """AFM runs grouped by strip: parameter set, length, cell and material."""
    groups: dict[tuple, list] = {}
    for run in runs:
        g, mat = run.spec["geometry"], run.spec["material"]
        key = (run.spec["param_set"], g["length"], tuple(g["cell"]), tuple(sorted(mat.items())))
        groups.setdefault(key, []).append(run)
    return [runs for _, runs in sorted(groups.items())]


def _fit_solitons(dataset_runs, families, module, threshold, validation_report, figures_dir) -> list[dict]:
    """One sine-Gordon soliton row per strip with wall runs (:mod:`spinlif.fitting.soliton_fit`)."""
    from spinlif.fitting import soliton_fit
    from spinlif.fitting.figures import plot_soliton_fit

    rows = []
    for runs in _by_material(soliton_fit.wall_runs(dataset_runs)):
        if not any(r.kind == "decay" for r in runs):
            print(f"spinlif fit: {runs[0].spec['param_set']}: no free-decay run, no soliton row", flush=True)
            continue
        row = soliton_fit.fit_group(runs, _gate({r.provenance.engine for r in runs}, validation_report), code_version())
        plot_soliton_fit(runs, row, figures_dir / f"{row['device_id']}_{row['model_family']}_fit.png")
        rows.append(row)
    return rows


def _fit_washboards(dataset_runs, families, module, threshold, validation_report, figures_dir) -> list[dict]:
    """One washboard neuron row per uniform strip with kick trains (:mod:`spinlif.fitting.washboard_fit`)."""
    from spinlif.fitting import washboard_fit
    from spinlif.fitting.figures import plot_frequency_curve, plot_washboard_fit

    rows = []
    for runs in _by_material(washboard_fit.kick_runs(dataset_runs)):
        if not any(r.n_kicks for r in runs):
            print(f"spinlif fit: {runs[0].spec['param_set']}: no kick runs, no AFM neuron row", flush=True)
            continue
        row = washboard_fit.fit_group(runs, _gate({r.provenance.engine for r in runs}, validation_report), code_version())
        plot_washboard_fit(runs, row, figures_dir / f"{row['device_id']}_{row['model_family']}_fit.png")
        neuron = washboard_fit.WashboardNeuron(washboard_fit.coefficients_of_row(row))
        dc = [(r.amplitude, washboard_fit.spike_rate(r.t, r.phi)) for r in runs if not r.n_kicks]
        plot_frequency_curve(neuron, dc, row, figures_dir / f"{row['device_id']}_frequency.png",
                             i_max=max([5 * neuron.threshold_i] + [1.2 * i for i, _ in dc]),
                             reference=("overdamped Adler rate (brief V8)", neuron.adler_frequency), n_points=25)
        rows.append(row)
    return rows


def _fit_mtj(dataset_runs, families, module, threshold, validation_report, figures_dir) -> list[dict]:
    """MTJ_HH rows per device (:mod:`spinlif.fitting.mtj_fit`): every minimal-model family, fitted
    to the DC runs at the reference ambient temperature, checked on held-out DC runs, pulse trains and
    the runs at other ambient temperatures."""
    from spinlif.fitting import mtj_fit
    from spinlif.fitting.figures import plot_mtj_fit

    rows = []
    for runs in mtj_fit.by_device(mtj_fit.mtj_runs(dataset_runs)):
        train, _ = mtj_fit.folds(runs)
        if len(train) < 2:
            print(f"spinlif fit: {runs[0].spec['param_set']}: fewer than 2 DC runs at the reference T_amb = "
                  f"{mtj_fit.reference_ambient([r.spec for r in runs])} K, no MTJ row", flush=True)
            continue
        group = mtj_fit.fit_group(runs, _gate({r.provenance.engine for r in runs}, validation_report), code_version())
        group = [r for r in group if r["model_family"] in families]
        plot_mtj_fit(runs, group, figures_dir / f"{group[0]['device_id']}_fit.png")
        rows += group
    return rows


NEURON_TRACES = {"DW": dw_traces, "SKY": sk_traces}
"""The state u(t) of each LIF row kind: <m_z> (DW), guiding-centre displacement in nm (SKY)."""


def _fit_neurons(dataset_runs, families, module, threshold, validation_report, figures_dir) -> list[dict]:
    """The LIF families of one device, fitted per device group (:func:`spinlif.fitting.device_fit.fit_group`)."""
    from spinlif.fitting.figures import plot_fit, plot_frequency_curve
    from spinlif.fitting.neuron import NormalisedNeuron

    if threshold is None:
        raise ValueError(f"device = {module.SHORT_NAME!r}: a firing threshold (--threshold) is required")
    (kind,) = module.TABLE_DEVICE_TYPES
    groups: dict[tuple, list] = {}
    for trace in NEURON_TRACES[kind](dataset_runs):
        groups.setdefault(group_key(trace.spec), []).append(trace)
    version = code_version()
    rows = []
    for key, members in sorted(groups.items()):
        if not any(m.is_train and m.duty is not None for m in members):
            print(f"spinlif fit: {key}: no pulse trains, nothing to fit", flush=True)
            continue
        gate = _gate({m.provenance.engine for m in members}, validation_report)
        group_rows, folds = fit_group(members, threshold, families, gate, version, kind=kind)
        for row in group_rows:
            main, _ = folds[row["model_family"]]
            stem = f"{row['device_id']}_{row['model_family']}"
            plot_fit(members, main, row, figures_dir / f"{stem}_fit.png")
            if row["selected"] and math.isfinite(row["p2_per_ns"]):
                neuron = NormalisedNeuron(row["p1_per_ns"], row["p2_per_ns"], row["p0_per_ns"], row["g_per_ns"],
                                          row["u_rest"], row["u_th"])
                plot_frequency_curve(neuron, _dc_points(members, threshold), row,
                                     figures_dir / f"{row['device_id']}_frequency.png")
        rows += group_rows
    return rows


def _dc_points(members, threshold: float) -> list[tuple[float, float]]:
    """(i, 1 / first-spike time in ns, or 0) of the DC runs of one group."""
    from spinlif.fitting.device_fit import first_crossing

    points = []
    for m in members:
        if m.spec["drive"]["protocol"] == "dc":
            tr = m.full or m.trajectory
            t = first_crossing(tr.t, tr.u, threshold)
            points.append((m.spec["drive"]["amplitude"], 1.0 / t if math.isfinite(t) and t > 0 else 0.0))
    return points


def build_table(rows_files: list[str | Path], out_csv: str | Path, figure: str | Path | None = None,
                excluded: dict[str, str] | None = None):
    """Merge the rows of every device into the parameter table (CSV, Parquet, JSON sidecar);
    ``excluded`` ({run_id: reason}: runs left out of the fits) goes into the table's provenance."""
    from spinlif.fitting.figures import plot_parameters_vs_layers
    from spinlif.fitting.table import write_table

    rows = []
    for path in rows_files:
        rows += json.loads(Path(path).read_text())
    frame = write_table(rows, out_csv, provenance={"rows_from": [str(p) for p in rows_files],
                                                    "fit_code_version": code_version(),
                                                    "excluded_runs": dict(sorted((excluded or {}).items()))})
    from spinlif.fitting.seed import comparison_table

    comparison_table(frame).to_csv(Path(out_csv).with_name("seed_comparison.csv"), index=False)
    if figure is not None:
        plot_parameters_vs_layers(frame, figure)
    return frame


def format_table(frame, all_columns: bool = False) -> str:
    """The table for a terminal: identity, coefficients with errors, goodness of fit, status."""
    if all_columns:
        return frame.T.to_string()
    lines = [f"{'device':<26} {'family':<16} {'g (1/ns)':>18} {'p2 (1/ns)':>18} {'p0 (1/ns)':>18} "
             f"{'nrmse tr/te':>13} {'fire':>5} {'dt (ns)':>8}  status"]
    for r in frame.itertuples():
        def pm(v, s):
            return f"{v:.4g} ± {s:.2g}" if math.isfinite(v) else "-"
        mark = "*" if str(r.selected) == "True" else " "
        head = f"{r.device_id:<26} {mark}{r.model_family:<15} "
        if r.device_type == "AFM0D":
            lines.append(head + f"omega0 {pm(r.omega0_rad_s, r.omega0_rad_s_sigma)} rad/s, eta {pm(r.eta, r.eta_sigma)}, "
                         f"nu0 {pm(r.nu0_rad_s, r.nu0_rad_s_sigma)} rad/s, nrmse {r.nrmse_train:.2g}/"
                         f"{r.nrmse_test:.2g}, fire {r.fire_agreement}  {r.status}")
        elif r.device_type == "AFM_SOLITON":
            lines.append(head + f"lambda {pm(r.lambda_nm, r.lambda_nm_sigma)} nm, u {pm(r.u_limit_m_s, r.u_limit_m_s_sigma)} "
                         f"m/s, eps {r.eps_sg:.4g}, nrmse {r.nrmse_train:.2g}/{r.nrmse_test:.2g}  {r.status}")
        else:
            lines.append(head + f"{pm(r.g_per_ns, r.g_per_ns_sigma):>18} {pm(r.p2_per_ns, r.p2_per_ns_sigma):>18} "
                         f"{pm(r.p0_per_ns, r.p0_per_ns_sigma):>18} {r.nrmse_train:>6.3f}/{r.nrmse_test:<6.3f} "
                         f"{r.fire_agreement:>5} {r.dt_recommended_ns:>8.3g}  {r.status}")
        if r.status != "accepted" and str(r.status_reasons):
            lines.append(f"{'':<28}{r.status_reasons}")
    lines.append("* lowest BIC of its device")
    return "\n".join(lines)
