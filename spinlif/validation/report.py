# SPDX-License-Identifier: GPL-3.0-or-later
"""Validation checks, the per-engine report and the gate the parameter tables consult.

``results/validation/<engine>/report.csv`` has one row per checked quantity (columns below);
``report.json`` beside it summarises it (passed, engine version, the report's SHA-256). A
parameter table produced with an engine whose report is missing or failed gets
``status = provisional`` (:func:`gated_status`).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from spinlif.validation import case_definition

REPORT_COLUMNS = ["engine", "case", "quantity", "unit", "measured", "reference", "tolerance", "error",
                  "passed", "measure", "note", "source", "engine_version", "cell_scale"]


def check_rows(case: str, engine: str, values: dict, notes: dict | None = None, *,
               engine_version: str = "", cell_scale: float = 1.0) -> list[dict]:
    """One report row per check of ``cases.yaml``: error = |measured - reference| (for vectors the
    largest component, MuMax3's ``ExpectV`` convention, mumax3-facts.md section 4), passed = error <=
    the engine's tolerance; checks without a reference are reported with ``passed`` empty
    (measured, not gated)."""
    definition = case_definition(case)
    notes = notes or {}
    engine_note = definition.get(f"note_{engine}", "")
    rows = []
    for check in definition["checks"]:
        q = check["quantity"]
        if q not in values:
            raise KeyError(f"validation case {case!r} did not measure {q!r}")
        measured, reference = values[q], check.get("reference")
        tolerance = (check.get("tolerance") or {}).get(engine)
        if reference is None:
            error, passed = float("nan"), None
        else:
            diff = np.asarray(measured, dtype=float) - np.asarray(reference, dtype=float)
            error = float(np.max(np.abs(np.atleast_1d(diff))))
            passed = bool(math.isfinite(error) and tolerance is not None and error <= tolerance)
        note = "; ".join(n for n in (notes.get(q, ""), engine_note if tolerance is not None else "") if n)
        rows.append({
            "engine": engine, "case": case, "quantity": q, "unit": check.get("unit", ""),
            "measured": _text(measured), "reference": _text(reference),
            "tolerance": tolerance if tolerance is not None else float("nan"), "error": error,
            "passed": "" if passed is None else passed, "measure": check.get("measure", ""), "note": note,
            "source": " ".join(definition["source"].split()), "engine_version": engine_version,
            "cell_scale": cell_scale,
        })
    return rows


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple, np.ndarray)):
        return "[" + ", ".join(f"{float(v):.6g}" for v in value) + "]"
    return f"{float(value):.6g}"


def references(case: str) -> dict:
    """``{quantity: reference}`` of one case (for the figures)."""
    return {c["quantity"]: c.get("reference") for c in case_definition(case)["checks"]}


def evaluate_case(case: str, engine: str, problem_paths: dict, sim_dirs: dict, out_csv: Path,
                  figure: Path | None = None) -> pd.DataFrame:
    """Evaluate one case from its runs' outputs; write its rows (CSV) and figure."""
    from spinlif.figures import pyplot
    from spinlif.runs import read_manifest
    from spinlif.validation import case_module
    from spinlif.validation.problems import load_problem

    plt = pyplot()
    problems = {run: load_problem(path) for run, path in problem_paths.items()}
    versions = sorted({read_manifest(d).get("engine_version", "") for d in sim_dirs.values()})
    evaluation = case_module(case).evaluate(problems, {k: Path(v) for k, v in sim_dirs.items()}, references(case))
    cell_scale = next(iter(problems.values()))["cell_scale"]
    frame = pd.DataFrame(check_rows(case, engine, evaluation.values, evaluation.notes,
                                    engine_version="; ".join(v for v in versions if v), cell_scale=cell_scale),
                         columns=REPORT_COLUMNS)
    out_csv = Path(out_csv)
    out_csv.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out_csv, index=False)
    if figure is not None and evaluation.figure is not None:
        evaluation.figure.suptitle(f"{case_definition(case)['title']} - {engine} engine", fontsize=10)
        evaluation.figure.savefig(figure, dpi=110)
        plt.close(evaluation.figure)
    return frame


def write_report(case_csvs: list[Path], out_csv: Path) -> pd.DataFrame:
    """Concatenate per-case results into ``report.csv`` and write ``report.json`` (summary) beside it."""
    frame = pd.concat([pd.read_csv(p, keep_default_na=False) for p in case_csvs], ignore_index=True)
    out_csv = Path(out_csv)
    out_csv.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out_csv, index=False)
    gated = frame[frame["passed"].astype(str) != ""]
    failed = gated[gated["passed"].astype(str) != "True"]
    summary = {
        "engine": sorted(set(frame["engine"]))[0] if len(frame) else "",
        "passed": bool(len(gated)) and failed.empty,
        "cases": sorted(set(frame["case"])),
        "checks": int(len(gated)),
        "failed": [f"{r.case}.{r.quantity}" for r in failed.itertuples()],
        "engine_version": "; ".join(sorted({str(v) for v in frame["engine_version"] if str(v)})),
        "report_sha256": hashlib.sha256(out_csv.read_bytes()).hexdigest(),
        "written_utc": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }
    out_csv.with_suffix(".json").write_text(json.dumps(summary, indent=2))
    return frame


def format_report(frame: pd.DataFrame) -> str:
    """A readable table of a report (one line per check)."""
    lines = [f"{'case':<20} {'quantity':<28} {'measured':>26} {'reference':>26} {'error':>9} {'tol':>8}  result"]
    for r in frame.itertuples():
        result = {"True": "PASS", "False": "FAIL"}.get(str(r.passed), "info")
        err = f"{float(r.error):.2e}" if str(r.error) not in ("", "nan") else ""
        tol = f"{float(r.tolerance):.0e}" if str(r.tolerance) not in ("", "nan") else ""
        lines.append(f"{r.case:<20} {r.quantity:<28} {str(r.measured):>26} {str(r.reference):>26} "
                     f"{err:>9} {tol:>8}  {result}")
    return "\n".join(lines)


def validation_gate(engine: str, root: str | Path = "results/validation") -> dict:
    """Which validation report applies to results of ``engine`` and whether it passed: the report
    under ``root/<engine>/`` (:func:`report_gate` of it).

    Example
    -------
    >>> validation_gate("cpu", "/nonexistent")["passed"]
    False
    """
    return report_gate(engine, Path(root) / engine / "report.json")


def report_gate(engine: str, report: str | Path | None) -> dict:
    """Whether the validation report ``report`` passed for results of ``engine``.

    Parameters
    ----------
    engine : str
        The engine the results came from (``cpu``, ``mumax3``; ``mixed`` matches no report).
    report : str, Path or None
        A ``report.json`` (:func:`write_report`), or None where validation was not run.

    Returns
    -------
    dict
        ``{"report": report.csv path or None, "passed": bool, "report_sha256", "engine_version",
        "reason"}``. A missing report, or one for another engine, counts as not passed (``reason``
        says what to run).

    Example
    -------
    >>> report_gate("cpu", None)["reason"]
    'no validation report for the cpu engine (run: snakemake validate, or spinlif validate --engine cpu)'
    """
    path = Path(report) if report is not None else None
    summary = json.loads(path.read_text()) if path is not None and path.exists() else None
    if summary is None or summary["engine"] != engine:
        return {"report": None, "passed": False, "report_sha256": "", "engine_version": "",
                "reason": f"no validation report for the {engine} engine (run: snakemake validate, or "
                          f"spinlif validate --engine {engine})"}
    reason = "" if summary["passed"] else "validation failed: " + ", ".join(summary["failed"])
    return {"report": str(path.with_suffix(".csv")), "passed": bool(summary["passed"]),
            "report_sha256": summary["report_sha256"], "engine_version": summary["engine_version"],
            "reason": reason}


def gated_status(status: str, gate: dict) -> str:
    """A fit's status after the validation gate: ``accepted`` becomes ``provisional`` unless the
    engine's validation passed; ``provisional`` and ``rejected`` stay as they are."""
    if status == "accepted" and not gate.get("passed"):
        return "provisional"
    return status
