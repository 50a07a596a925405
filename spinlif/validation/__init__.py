# SPDX-License-Identifier: GPL-3.0-or-later
"""The validation suite: community standard problems run through spinlif's own pipeline.

Each case is one module with the parts a device family has (a template in
``mx3_templates/validation/``, whose rendered script either engine executes, and an evaluation),
plus its reference values, tolerances and source in ``cases.yaml``:

* ``sp4``: muMAG standard problem 4 (physics-brief section 5 V1);
* ``dmi_1d``, ``dmi_2d``: the DMI standard problem (V2, V3), with MuMax3's DMI boundary condition;
* ``sot_macrospin``: the Slonczewski SOT path of the neuron templates vs the analytic macrospin;
* ``interlayer_exchange``: the seed-replica interlayer exchange vs the analytic energy.

A case module provides ``RUNS`` (simulations, one engine job each), ``TEMPLATE``,
``derive(setup, run, cell_scale) -> dict`` (grid and run-specific values, SI),
``template_context(problem)`` and ``evaluate(problems, sim_dirs) -> Evaluation`` (measured values and a figure).
"""

from __future__ import annotations

import copy
import importlib
from functools import cache
from pathlib import Path
from types import ModuleType

import yaml

CASES_FILE = Path(__file__).with_name("cases.yaml")

CASE_MODULES = {
    "sp4": "spinlif.validation.sp4",
    "dmi_1d": "spinlif.validation.dmi_1d",
    "dmi_2d": "spinlif.validation.dmi_2d",
    "sot_macrospin": "spinlif.validation.sot",
    "interlayer_exchange": "spinlif.validation.exchange",
}
"""Every validation case and the module implementing it, in report order."""

CI_CASES = ("dmi_1d", "sot_macrospin", "interlayer_exchange")
"""The reduced subset that runs in CI (seconds each on the CPU engine)."""


@cache
def _load_cases() -> dict:
    from spinlif.schema import coerce_numbers

    with open(CASES_FILE) as f:
        return coerce_numbers(yaml.safe_load(f))


def load_cases() -> dict:
    """The case definitions of ``cases.yaml`` (a deep copy: callers may modify it)."""
    return copy.deepcopy(_load_cases())


def case_definition(case: str) -> dict:
    """One case of ``cases.yaml``; unknown names are an error that lists the known ones."""
    cases = _load_cases()
    if case not in cases:
        raise KeyError(f"validation case = {case!r}: allowed are {', '.join(CASE_MODULES)}")
    return copy.deepcopy(cases[case])


def case_module(case: str) -> ModuleType:
    """The module implementing one case."""
    if case not in CASE_MODULES:
        raise KeyError(f"validation case = {case!r}: allowed are {', '.join(CASE_MODULES)}")
    return importlib.import_module(CASE_MODULES[case])


def case_runs(case: str) -> list[str]:
    """The simulations (engine jobs) of one case."""
    return list(case_module(case).RUNS)
