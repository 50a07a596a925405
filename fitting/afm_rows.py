# SPDX-License-Identifier: GPL-3.0-or-later
"""The parameter-table columns that every row from AFM-strip runs shares (identity, material,
provenance): the soliton rows (:mod:`fitting.soliton_fit`) and the AFM neuron rows
(:mod:`fitting.washboard_fit`) fill the rest (every column starts blank: :func:`fitting.table.blank_row`)."""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass

from spinlif.units import NM


@dataclass(frozen=True)
class Provenance:
    """Where one run's data came from: engine and version, SHA-256 of its table and template."""

    engine: str = ""
    engine_version: str = ""
    table_sha256: str = ""
    template_sha256: str = ""

    @classmethod
    def of_manifest(cls, manifest: dict) -> Provenance:
        """From a run's manifest (:attr:`spinlif.analysis.store.AggregatedRun.manifest`)."""
        return cls(manifest.get("engine", ""), manifest.get("engine_version", ""),
                   manifest.get("outputs", {}).get("table.txt", ""), manifest.get("template_sha256", ""))


def provenance_columns(runs, gate: dict, code_version: str) -> dict:
    """The provenance columns every table row carries: engines and versions, template and table
    hashes, run ids, the fit code, time and the validation report that gated it. ``runs``: objects
    with ``run_id`` and ``provenance`` (:class:`Provenance`), e.g. ``WallRun``, ``KickRun``, ``RunTrace``.

    Example
    -------
    >>> from types import SimpleNamespace
    >>> run = SimpleNamespace(run_id="abc", provenance=Provenance("cpu", "v1", "00", "11"))
    >>> cols = provenance_columns([run], {"passed": True, "report": "r.csv"}, "spinlif 0.1.0")
    >>> cols["engine"], cols["run_ids"], cols["validation_passed"]
    ('cpu', '["abc"]', True)
    """
    return {
        "solver": "; ".join(sorted({r.provenance.engine_version for r in runs if r.provenance.engine_version})),
        "engine": "; ".join(sorted({r.provenance.engine for r in runs if r.provenance.engine})),
        "input_deck_sha256": json.dumps(sorted({r.provenance.template_sha256 for r in runs
                                                if r.provenance.template_sha256})),
        "run_ids": json.dumps([r.run_id for r in runs]),
        "data_sha256": json.dumps([r.provenance.table_sha256 for r in runs]),
        "fit_code_version": code_version, "bootstrap_n": 0, "bootstrap_sigma": "", "bootstrap_ci68": "",
        "bootstrap_ci95": "", "bootstrap_correlation": "",
        "fit_datetime_utc": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "validation_report": gate.get("report") or "", "validation_passed": bool(gate.get("passed")),
        "validation_report_sha256": gate.get("report_sha256", ""),
    }


def base_row(spec: dict, runs, gate: dict, code_version: str, device_id: str, device_type: str) -> dict:
    """A full-width row (NaN everywhere) with the AFM strip's identity, material and provenance.
    ``runs``: objects with ``run_id`` and ``provenance`` (:class:`Provenance`)."""
    from spinlif.fitting.table import blank_row

    g, mat = spec["geometry"], spec["material"]
    row = blank_row()
    row.update({
        "device_id": device_id, "device_type": device_type, "param_set": spec["param_set"], "n_layers": 2,
        "Lx_nm": g["length"] / NM, "Ly_nm": g["cell"][1] / NM, "t_fm_nm": g["cell"][2] / NM, "t_spacer_nm": 0.0,
        "cell_nm": json.dumps([c / NM for c in g["cell"]]), "D_Jm2": 0.0, "Ku_Jm3": -mat["K_hard"],
        "Ms_Am": mat["Ms"], "A_Jm": mat["Aex"], "alpha_G": mat["alpha"], "theta_SH": mat["theta_SH"],
        "J0_Am2": spec["drive"]["J0"], "temperature_K": 0.0, "time_unit": "ns", "selected": True,
        "reset_mode": "", "duty_cycles_train": "[]", "duty_cycles_test": "[]", "extrapolation_flag": False,
        "sindy_terms": "", "material_caveat": "", "sine_gordon_theory": "",
        **provenance_columns(runs, gate, code_version),
        "seed_deviation_notes": f"synthetic two-layer antiferromagnet (sublattice = layer), parameter set "
                                f"{spec['param_set']}; seed 000 treats the continuum model",
    })
    return row


def theory_deviations(values: dict, reference: dict) -> dict:
    """{name: {"value": reference, "rel_dev": (fit - reference) / reference}} (JSON-ready)."""
    return {n: {"value": reference[n], "rel_dev": (values[n] - reference[n]) / reference[n]} for n in reference}


def status(row: dict, result, deviations: dict, tolerance: dict, gate: dict, ci_names: tuple[str, ...],
           no_test_reason: str, extra_reasons: list[str] = ()) -> tuple[str, list[str]]:
    """accepted / provisional / rejected with reasons, from the physics-brief 4.1 targets (the same
    numbers as the LIF rows: fitting.device_fit), the 95 % interval of ``ci_names`` (a NaN standard
    error means the coefficient was held fixed and is skipped), and the deviation from the
    sine-Gordon mapping (``tolerance`` per name). ``result`` has success,
    message, values and stderr; ``deviations`` is :func:`theory_deviations`'s dict."""
    import math

    from spinlif.fitting.acceptance import CI_HALF_WIDTH_MAX, NRMSE_TEST_MAX, NRMSE_TRAIN_MAX, REJECT_NRMSE_TRAIN

    if not result.success or not row["nrmse_train"] <= REJECT_NRMSE_TRAIN:
        return "rejected", [f"fit failed: {result.message}" if not result.success
                            else f"training NRMSE {row['nrmse_train']:.3g} > {REJECT_NRMSE_TRAIN}"]
    reasons = []
    if row["nrmse_train"] > NRMSE_TRAIN_MAX:
        reasons.append(f"nrmse_train {row['nrmse_train']:.3g} > {NRMSE_TRAIN_MAX}")
    if not math.isfinite(row["nrmse_test"]):
        reasons.append(no_test_reason)
    for key in ("nrmse_test", "nrmse_test_swapped"):
        if row[key] > NRMSE_TEST_MAX:
            reasons.append(f"{key} {row[key]:.3g} > {NRMSE_TEST_MAX}")
    reasons += list(extra_reasons)
    for name in ci_names:
        if not math.isfinite(result.stderr[name]):
            continue
        half = 1.96 * result.stderr[name] / abs(result.values[name]) if result.values[name] else math.inf
        if not half <= CI_HALF_WIDTH_MAX:
            reasons.append(f"95 % CI half-width of {name} is {100 * half:.0f} % (> 20 %)")
    for name, tol in tolerance.items():
        rel_dev = deviations[name]["rel_dev"]
        if abs(rel_dev) > tol:
            reasons.append(f"{name} differs from the sine-Gordon mapping by {100 * rel_dev:+.1f} % "
                           f"(brief target {100 * tol:g} %)")
    if reasons:
        return "provisional", reasons
    if not gate.get("passed"):
        return "provisional", [gate.get("reason") or "validation not passed"]
    return "accepted", []
