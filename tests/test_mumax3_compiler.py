# SPDX-License-Identifier: GPL-3.0-or-later
"""Every script spinlif renders compiles in real MuMax3 (issue 12, item 1).

``../shared/tools/mumax3-vet/check-mx3`` is MuMax3 3.11.1's own compiler (built against stub CUDA
libraries): it compiles each script in MuMax3's world scope, exactly as ``mumax3 script.mx3`` does,
so it catches what ``mumax3 -vet`` (a fresh scope per file) misses, e.g. a script that redeclares
an engine name (``geom := Layer(0)``: ``already defined: geom``). See its README.

The check covers every run of ``config/config.yaml`` and ``config/paper.yaml``, every validation
problem (and its mesh-convergence rerun) and the golden files.
"""

from __future__ import annotations

import subprocess

import pytest
import yaml

from spinlif.render import render
from spinlif.sweep import expand, normalise_config
from spinlif.validation import CASE_MODULES, case_runs
from spinlif.validation.problems import build_problem, render_problem
from tests.conftest import REPO, SHARED

CHECK_MX3 = SHARED / "tools" / "mumax3-vet" / "check-mx3"



@pytest.fixture(autouse=True)
def _compiler_present():
    """No silent skip: without the compiler this check would prove nothing."""
    assert CHECK_MX3.exists(), f"MuMax3's compiler not found at {CHECK_MX3}: set SPINLIF_SHARED to the shared folder"


def compile_scripts(scripts: dict[str, str], tmp_path) -> dict[str, str]:
    """``{name: MuMax3's verdict}`` for every script (``OK`` or the compiler's message)."""
    paths = []
    for name, text in scripts.items():
        path = tmp_path / f"{name}.mx3"
        path.write_text(text)
        paths.append(path)
    verdicts: dict[str, str] = {}
    for start in range(0, len(paths), 100):
        batch = paths[start:start + 100]
        out = subprocess.run([str(CHECK_MX3), *map(str, batch)], capture_output=True, text=True, timeout=600)
        for line in out.stdout.splitlines():
            path, sep, verdict = line.partition(" : ")
            if sep:
                verdicts[path.rsplit("/", 1)[-1].removesuffix(".mx3")] = verdict.strip()
    return verdicts


def config_scripts(config_name: str) -> dict[str, str]:
    config = normalise_config(yaml.safe_load((REPO / "config" / config_name).read_text()))
    return {f"{config_name.removesuffix('.yaml')}_{run.device}_{run.run_id}": render(run.spec)
            for run in expand(config)}


def validation_scripts() -> dict[str, str]:
    scripts = {}
    for case in CASE_MODULES:
        for run in case_runs(case):
            for scale in (1.0, 0.5):
                problem = build_problem(case, run, cell_scale=scale)
                scripts[f"validation_{case}_{run}_{scale:g}"] = render_problem(problem)
    return scripts


def disk_scripts() -> dict[str, str]:
    """The single-MTJ neuron as an elliptical disk (``geometry.shape: ellipse``; no config runs it), both
    parameter sets, a DC run and a pulse train."""
    from spinlif.spec import base_spec, set_dotted, validate_spec

    scripts = {}
    for param_set in ("R", "F"):
        for protocol in ("dc", "pulse_train"):
            spec = base_spec("mtj_hh", param_set)
            for key, value in {"geometry.shape": "ellipse", "drive.protocol": protocol, "drive.duration": 4e-9,
                               "sampling.snapshot_period": 1e-9}.items():
                set_dotted(spec, key, value, "test")
            scripts[f"disk_{param_set}_{protocol}"] = render(validate_spec(spec))
    return scripts


@pytest.mark.parametrize("source", ["config.yaml", "paper.yaml", "validation", "golden", "disk"])
def test_every_rendered_script_compiles_in_mumax3(source, tmp_path):
    if source == "validation":
        scripts = validation_scripts()
    elif source == "disk":
        scripts = disk_scripts()
    elif source == "golden":
        scripts = {p.stem: p.read_text() for p in sorted((REPO / "tests" / "golden").glob("*.mx3"))}
    else:
        scripts = config_scripts(source)
    verdicts = compile_scripts(scripts, tmp_path)
    assert set(verdicts) == set(scripts), "check-mx3 gave no verdict for some scripts"
    failed = {name: v for name, v in verdicts.items() if v != "OK"}
    print(f"{source}: {len(scripts) - len(failed)} / {len(scripts)} scripts compile in MuMax3 3.11.1")
    assert not failed, f"{len(failed)} of {len(scripts)} scripts do not compile in MuMax3: " + "; ".join(
        f"{name}: {v}" for name, v in list(failed.items())[:5])


def test_the_compiler_rejects_a_redeclared_engine_name(tmp_path):
    """The check can fail: MuMax3 refuses ``geom := ...`` (geom is an engine name)."""
    verdicts = compile_scripts({"bad": "SetGridSize(4, 4, 1)\nSetCellSize(1e-9, 1e-9, 1e-9)\n"
                                       "geom := Layer(0)\n"}, tmp_path)
    assert "already defined: geom" in verdicts["bad"]
