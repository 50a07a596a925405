# SPDX-License-Identifier: GPL-3.0-or-later
"""Validation problems: one SI description of one validation simulation, shared by both engines.

A problem is what a run spec is for a device: a plain dict written to ``problem.yaml``, hashed
for provenance, rendered to an ``.mx3`` script for MuMax3 and simulated by the CPU engine.
It holds the case's ``setup`` from ``cases.yaml`` (with any overrides), the run name, the cell
scale of a mesh-convergence rerun, and what the case module derives from them (grid, fields).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from spinlif.schema import coerce_numbers
from spinlif.spec import SpecError, spec_hash
from spinlif.validation import CASE_MODULES, case_definition, case_module, case_runs

PROBLEM_FORMAT = 1


def build_problem(case: str, run: str, *, cell_scale: float = 1.0,
                  overrides: dict[str, Any] | None = None) -> dict:
    """The problem of one run of one case.

    ``cell_scale`` multiplies the in-plane cell size (0.5 = the mesh-convergence rerun);
    ``overrides`` replace ``setup`` keys (e.g. ``{"free_layer_thickness": 0.0}``, the broken
    setting of the SOT check). Unknown cases, runs or keys are errors that list what is allowed.
    """
    try:
        definition = case_definition(case)
    except KeyError as err:
        raise SpecError(err.args[0]) from None
    runs = case_runs(case)
    if run not in runs:
        raise SpecError(f"validation run = {run!r} of case {case!r}: allowed are {', '.join(runs)}")
    if not (0 < cell_scale <= 1):
        raise SpecError(f"cell_scale = {cell_scale!r}: must be a number in (0, 1] "
                        "(0.5 halves the cell size for a mesh-convergence rerun)")
    setup = definition["setup"]
    for key, value in (overrides or {}).items():
        if key not in setup:
            raise SpecError(f"validation override {key!r} of case {case!r}: unknown setup key; "
                            f"keys: {', '.join(sorted(setup))}")
        setup[key] = coerce_numbers(value)
    problem = {
        "spinlif_validation": PROBLEM_FORMAT,
        "case": case,
        "run": run,
        "cell_scale": float(cell_scale),
        "overrides": dict(sorted((overrides or {}).items())),
        "setup": setup,
    }
    problem["derived"] = case_module(case).derive(copy.deepcopy(setup), run, float(cell_scale))
    return problem


def problem_id(problem: dict) -> str:
    """Short stable id: the first 10 hex digits of the problem's SHA-256."""
    return spec_hash(problem)[:10]


def is_problem(document: dict) -> bool:
    """Whether a loaded YAML document is a validation problem (rather than a device run spec)."""
    return isinstance(document, dict) and "spinlif_validation" in document


def dump_problem(problem: dict, path: str | Path) -> None:
    """Write a problem as YAML."""
    Path(path).write_text(yaml.safe_dump(problem, sort_keys=True, default_flow_style=None))


def load_problem(path: str | Path) -> dict:
    """Read a ``problem.yaml`` and check that it is what :func:`build_problem` makes of its inputs."""
    from spinlif.yaml_input import load_yaml

    problem = coerce_numbers(load_yaml(path))
    if not is_problem(problem):
        raise SpecError(f"{path}: not a spinlif validation problem (no 'spinlif_validation' key)")
    case, run = problem.get("case"), problem.get("run")
    if case not in CASE_MODULES or run not in case_runs(case):
        raise SpecError(f"{path}: unknown validation case/run {case!r}/{run!r}")
    expected = case_module(case).derive(copy.deepcopy(problem["setup"]), run, problem["cell_scale"])
    if expected != problem["derived"]:
        raise SpecError(f"{path}: inconsistent validation problem (its derived values do not follow "
                        "from its set-up); regenerate it with spinlif validate")
    return problem


def total_time(problem: dict) -> float:
    """Simulated time (s) after the initial relaxation, for progress reports; 0 for statics."""
    return float(problem["derived"].get("total_time", 0.0))


def template_name(problem: dict) -> str:
    """The template file of a problem's case (relative to ``mx3_templates/``)."""
    return case_module(problem["case"]).TEMPLATE


def render_problem(problem: dict) -> str:
    """The MuMax3 script of one validation problem (same Jinja2 environment as the devices)."""
    from spinlif import __version__
    from spinlif.render import environment, tidy_script
    module = case_module(problem["case"])
    context = module.template_context(problem)
    context.update(run_id=problem_id(problem), spec_sha256=spec_hash(problem), template=module.TEMPLATE,
                   version=__version__, case=problem["case"], run=problem["run"])
    return tidy_script(environment().get_template(module.TEMPLATE).render(**context))


def load_job(path: str | Path):
    """The :class:`spinlif.runs.Job` of any document ``spinlif simulate`` takes: a ``problem.yaml``,
    a device ``spec.yaml`` or a ``.mx3`` script.

    Parameters
    ----------
    path : str or Path
        The document.

    Returns
    -------
    spinlif.runs.Job
        Its input name, simulated time (s), provenance hashes and how it renders.

    Example
    -------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "problem.yaml"
    >>> dump_problem(build_problem("sot_macrospin", "torque"), path)
    >>> load_job(path).input_name
    'problem.yaml'
    """
    from spinlif.render import template_sha256
    from spinlif.runs import Job
    from spinlif.yaml_input import load_yaml

    path = Path(path)
    if path.suffix == ".mx3" or not is_problem(load_yaml(path)):
        return Job.load(path)
    problem = load_problem(path)
    return Job(problem, "problem.yaml", total_time(problem),
               {"spec_sha256": spec_hash(problem), "template_sha256": template_sha256(template_name(problem))},
               render_problem)
