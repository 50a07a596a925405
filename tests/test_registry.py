# SPDX-License-Identifier: GPL-3.0-or-later
"""The device registry is the only place that names devices (issue 13, item 3): a throw-away fourth
device, added as its four files to a copy of the project in a temporary directory, is planned by
`snakemake -n` through every stage, and rendered for real, without any other file changing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO

pytestmark = pytest.mark.workflow

TOY_DEVICE = '''\
"""A throw-away device: the domain-wall track under another name, with no fitted rows."""
from spinlif.devices.domain_wall import (DEFAULT_PARAM_SET, DEFAULTS, NEURON_THRESHOLD,  # noqa: F401
                                         OBSERVABLE_SETTINGS, check_consistency, describe, grid_shape,
                                         parameter_set, template_context)

SHORT_NAME = "toy"
TABLE_DEVICE_TYPES = ()
FIT_FAMILIES = ()
TEMPLATE = "toy_wall.mx3.j2"
'''
TOY_OBSERVABLES = "from spinlif.analysis.observables.domain_wall import compute  # noqa: F401\n"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the project with the fourth device's four files, laid out as installed
    (``spinlif.analysis`` and ``spinlif.fitting`` inside ``spinlif``, as pyproject maps them)."""
    root = tmp_path_factory.mktemp("project") / "spinlif-copy"
    shutil.copytree(REPO, root, ignore=shutil.ignore_patterns(
        ".git", ".venv", "results", "*.egg-info", "build", "__pycache__", ".snakemake", ".pytest_cache"))
    before = {p.relative_to(root) for p in root.rglob("*") if p.is_file()}
    (root / "spinlif" / "devices" / "toy_wall.py").write_text(TOY_DEVICE)
    schema = (root / "workflow" / "schemas" / "devices" / "domain_wall.schema.yaml").read_text()
    (root / "workflow" / "schemas" / "devices" / "toy_wall.schema.yaml").write_text(
        schema.replace("device: {const: domain_wall}", "device: {const: toy_wall}"))
    shutil.copyfile(root / "mx3_templates" / "dw_track.mx3.j2", root / "mx3_templates" / "toy_wall.mx3.j2")
    (root / "analysis" / "observables" / "toy_wall.py").write_text(TOY_OBSERVABLES)
    after = {p.relative_to(root) for p in root.rglob("*") if p.is_file()}
    assert len(after - before) == 4
    for package in ("analysis", "fitting"):
        (root / "spinlif" / package).symlink_to(Path("..") / package)
    return root


def snakemake_in(project: Path, workdir: Path, *args: str) -> subprocess.CompletedProcess:
    config = {"engine": "cpu", "validate": False, "devices": {"toy_wall": {
        "spec": {"geometry": {"length": 64.0e-9, "width": 16.0e-9},
                 "initial_state": {"wall_position": -10.0e-9, "relax_time": 0.02e-9},
                 "drive": {"duration": 0.1e-9, "tail": 0.0}},
        "sweep": {"param_set": ["P"], "stack.n_layers": [1, 2]},
        "protocols": [{"name": "dc", "set": {"drive.protocol": "dc"}}]}}}
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "config.yaml").write_text(yaml.safe_dump(config))
    bin_dir = Path(sys.executable).parent
    env = dict(os.environ, PYTHONPATH=str(project), PATH=f"{bin_dir}:{os.environ['PATH']}")
    return subprocess.run([str(bin_dir / "snakemake"), "--snakefile", str(project / "Snakefile"), "--directory",
                           str(workdir), "--configfile", str(workdir / "config.yaml"), "--cores", "1", *args],
                          capture_output=True, text=True, env=env)


def test_a_fourth_device_is_its_four_files(project, tmp_path):
    dry = snakemake_in(project, tmp_path / "w", "-n")
    assert dry.returncode == 0, dry.stdout[-3000:] + dry.stderr[-3000:]
    plan = dry.stdout
    for rule in ("spec", "render", "simulate", "ingest", "observables", "aggregate", "plot_traces"):
        assert f"rule {rule}:" in plan, (rule, plan[-3000:])
    assert "results/toy/dataset.zarr" in plan and "results/toy/traces.png" in plan
    assert "rule fit:" not in plan  # a device without table rows is simulated and aggregated, not fitted
    # the cheap stages for real: the registry finds the device's spec, schema and template
    real = snakemake_in(project, tmp_path / "w", "--until", "render")
    assert real.returncode == 0, real.stderr[-3000:]
    scripts = sorted((tmp_path / "w" / "results" / "toy" / "runs").glob("*/run.mx3"))
    assert len(scripts) == 2 and all("Run(" in s.read_text() for s in scripts)


def test_every_declared_family_has_a_fit_and_every_row_kind_a_column_set():
    from spinlif.devices import device_module, device_names
    from spinlif.fitting.models import FAMILY_NAMES
    from spinlif.fitting.table import COLUMN_NAMES

    for name in device_names():
        module = device_module(name)
        assert set(module.FIT_FAMILIES) <= set(FAMILY_NAMES), name
        assert bool(module.FIT_FAMILIES) == bool(module.TABLE_DEVICE_TYPES), name
        assert module.NEURON_THRESHOLD is None or module.NEURON_THRESHOLD in module.OBSERVABLE_SETTINGS["properties"]
    assert "device_type" in COLUMN_NAMES


def test_no_other_module_names_a_device():
    """Device names appear in the registry (each device's own files) and nowhere else in the code."""
    import re

    from spinlif.devices import device_names, short_names

    own = {f"{name}.py" for name in device_names()}  # its observables module; spinlif/devices is the registry
    quoted = re.compile("[\"'](" + "|".join([*device_names(), *short_names().values()]) + ")[\"']")
    offenders = []
    for folder in ("spinlif", "analysis", "fitting", "workflow"):
        for path in (REPO / folder).rglob("*"):
            if (path.suffix not in (".py", ".smk") or path.name in own or "__pycache__" in path.parts
                    or path.parent == REPO / "spinlif" / "devices"):
                continue
            for k, line in enumerate(path.read_text().splitlines(), 1):
                if quoted.search(line) and not line.lstrip().startswith((">>>", "#")):
                    offenders.append(f"{path.relative_to(REPO)}:{k}: {line.strip()}")
    assert not offenders, "\n".join(offenders)
