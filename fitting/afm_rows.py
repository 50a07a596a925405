# SPDX-License-Identifier: GPL-3.0-or-later
"""The parameter-table columns that every row from AFM-strip runs shares (identity, material,
provenance): the soliton rows (:mod:`fitting.soliton_fit`) and the AFM neuron rows
(:mod:`fitting.washboard_fit`) fill the rest. Every table column starts as NaN."""

from __future__ import annotations

import datetime as _dt
import json

from spinlif.units import NM


def base_row(spec: dict, runs, gate: dict, code_version: str, device_id: str, device_type: str) -> dict:
    """A full-width row (NaN everywhere) with the AFM strip's identity, material and provenance.
    ``runs``: objects with run_id, engine, engine_version, table_sha256, template_sha256."""
    from fitting.table import COLUMN_NAMES

    g, mat = spec["geometry"], spec["material"]
    row = dict.fromkeys(COLUMN_NAMES, float("nan"))
    row.update({
        "device_id": device_id, "device_type": device_type, "param_set": spec["param_set"], "n_layers": 2,
        "Lx_nm": g["length"] / NM, "Ly_nm": g["cell"][1] / NM, "t_fm_nm": g["cell"][2] / NM, "t_spacer_nm": 0.0,
        "cell_nm": json.dumps([c / NM for c in g["cell"]]), "D_Jm2": 0.0, "Ku_Jm3": -mat["K_hard"],
        "Ms_Am": mat["Ms"], "A_Jm": mat["Aex"], "alpha_G": mat["alpha"], "theta_SH": mat["theta_SH"],
        "J0_Am2": spec["drive"]["J0"], "temperature_K": 0.0, "time_unit": "ns", "selected": True,
        "reset_mode": "", "duty_cycles_train": "[]", "duty_cycles_test": "[]", "extrapolation_flag": False,
        "sindy_terms": "", "material_caveat": "", "sine_gordon_theory": "",
        "solver": "; ".join(sorted({r.engine_version for r in runs if r.engine_version})),
        "engine": "; ".join(sorted({r.engine for r in runs if r.engine})),
        "input_deck_sha256": json.dumps(sorted({r.template_sha256 for r in runs if r.template_sha256})),
        "run_ids": json.dumps([r.run_id for r in runs]), "data_sha256": json.dumps([r.table_sha256 for r in runs]),
        "fit_code_version": code_version, "bootstrap_n": 0, "bootstrap_sigma": "", "bootstrap_ci68": "",
        "bootstrap_ci95": "", "bootstrap_correlation": "",
        "fit_datetime_utc": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "validation_report": gate.get("report") or "", "validation_passed": bool(gate.get("passed")),
        "validation_report_sha256": gate.get("report_sha256", ""),
        "seed_deviation_notes": f"synthetic two-layer antiferromagnet (sublattice = layer), parameter set "
                                f"{spec['param_set']}; seed 000 treats the continuum model",
    })
    return row


def theory_deviations(values: dict, reference: dict) -> dict:
    """{name: {"value": reference, "rel_dev": (fit - reference) / reference}} (JSON-ready)."""
    return {n: {"value": reference[n], "rel_dev": (values[n] - reference[n]) / reference[n]} for n in reference}
