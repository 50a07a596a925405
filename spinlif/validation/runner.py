# SPDX-License-Identifier: GPL-3.0-or-later
"""``spinlif validate``: run validation cases end to end without Snakemake (Snakemake's ``validate``
target runs the same steps as separate jobs, workflow/rules/validate.smk).

Layout under ``<root>/<engine>/`` (``root`` = ``results/validation``):
``<case>/<run>/problem.yaml``, ``run.mx3``, ``sim/`` (the engine's outputs, atomically complete
as for device runs); ``<case>/result.csv`` and ``<case>/<case>.png``; ``report.csv`` and
``report.json``. Mesh-convergence reruns live under ``<case>@cell<scale>/``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pandas as pd

from spinlif.validation import CASE_MODULES, case_runs


def case_dir(root: Path, engine: str, case: str, cell_scale: float = 1.0) -> Path:
    """Directory of one case's runs and results."""
    name = case if cell_scale == 1.0 else f"{case}@cell{cell_scale:g}"
    return Path(root) / engine / name


def prepare_run(case: str, run: str, directory: Path, *, cell_scale: float = 1.0,
                overrides: dict | None = None) -> Path:
    """Write ``problem.yaml`` and the rendered ``run.mx3`` of one run; return the problem path."""
    from spinlif.render import write_script
    from spinlif.validation.problems import build_problem, dump_problem, render_problem

    problem = build_problem(case, run, cell_scale=cell_scale, overrides=overrides)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "problem.yaml"
    dump_problem(problem, path)
    write_script(render_problem(problem), directory / "run.mx3")
    return path


def _up_to_date(sim: Path, problem_path: Path) -> bool:
    """A completed simulation of exactly this problem exists."""
    from spinlif.runs import SimulationFailed, read_manifest
    from spinlif.spec import spec_hash
    from spinlif.validation.problems import load_problem

    try:
        return read_manifest(sim)["spec_sha256"] == spec_hash(load_problem(problem_path))
    except (SimulationFailed, KeyError, OSError):
        return False


def run_case(case: str, engine: str, root: Path, *, threads: int = 1, mumax3_binary: str | None = None,
             gpu: int | str | None = None, cell_scale: float = 1.0, overrides: dict | None = None,
             rerun: bool = False) -> pd.DataFrame:
    """Simulate (unless up to date) and evaluate one case; return its report rows."""
    from spinlif.runs import simulate
    from spinlif.validation.problems import load_job
    from spinlif.validation.report import evaluate_case

    directory = case_dir(root, engine, case, cell_scale)
    problems, sims = {}, {}
    for run in case_runs(case):
        run_dir = directory / run
        problems[run] = prepare_run(case, run, run_dir, cell_scale=cell_scale, overrides=overrides)
        sims[run] = run_dir / "sim"
        if rerun or not _up_to_date(sims[run], problems[run]):
            start = time.time()
            print(f"spinlif validate: {case}/{run} on the {engine} engine ...", file=sys.stderr, flush=True)
            simulate(problems[run], engine, sims[run], threads=threads, script=run_dir / "run.mx3",
                     mumax3_binary=mumax3_binary, gpu=gpu, job=load_job(problems[run]))
            print(f"spinlif validate: {case}/{run} done in {time.time() - start:.0f} s", file=sys.stderr, flush=True)
    return evaluate_case(case, engine, problems, sims, directory / "result.csv", directory / f"{case}.png")


def run_suite(engine: str, cases: list[str] | None = None, root: str | Path = "results/validation",
              **kwargs) -> pd.DataFrame:
    """Run cases (default: all) and write ``<root>/<engine>/report.csv``; a case whose simulation
    fails is reported as failed, and the others still run."""
    from spinlif.runs import SimulationFailed
    from spinlif.validation.report import REPORT_COLUMNS, check_rows, write_report

    root = Path(root)
    csvs = []
    for case in cases or list(CASE_MODULES):
        try:
            run_case(case, engine, root, **kwargs)
        except SimulationFailed as err:
            print(f"spinlif validate: {case} failed: {err}", file=sys.stderr)
            nan_values = {c: float("nan") for c in _quantities(case)}
            rows = check_rows(case, engine, nan_values, {c: f"simulation failed: {err}".splitlines()[0]
                                                         for c in nan_values})
            pd.DataFrame(rows, columns=REPORT_COLUMNS).to_csv(case_dir(root, engine, case) / "result.csv", index=False)
        csvs.append(case_dir(root, engine, case) / "result.csv")
    return write_report(csvs, root / engine / "report.csv")


def _quantities(case: str) -> list[str]:
    from spinlif.validation import case_definition

    return [c["quantity"] for c in case_definition(case)["checks"]]


def mesh_convergence(case: str, engine: str, root: str | Path = "results/validation", *,
                     cell_scale: float = 0.5, **kwargs) -> pd.DataFrame:
    """Rerun one case at ``cell_scale`` times the cell size and report the change of every
    measured quantity (``<root>/<engine>/convergence_<case>.csv``)."""
    root = Path(root)
    coarse = run_case(case, engine, root, **kwargs)
    fine = run_case(case, engine, root, cell_scale=cell_scale, **kwargs)
    rows = []
    for (_, a), (_, b) in zip(coarse.iterrows(), fine.iterrows()):
        va, vb = _numbers(a["measured"]), _numbers(b["measured"])
        change = float(sum((x - y) ** 2 for x, y in zip(va, vb)) ** 0.5)
        rows.append({"case": case, "quantity": a["quantity"], "unit": a["unit"], "measured": a["measured"],
                     f"measured_cell{cell_scale:g}": b["measured"], "change": change,
                     "tolerance": a["tolerance"], "passed": a["passed"], f"passed_cell{cell_scale:g}": b["passed"]})
    frame = pd.DataFrame(rows)
    out = root / engine / f"convergence_{case}.csv"
    frame.to_csv(out, index=False)
    return frame


def _numbers(text) -> list[float]:
    return [float(v) for v in str(text).strip("[]").split(",") if v.strip()]
