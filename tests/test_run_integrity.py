# SPDX-License-Identifier: GPL-3.0-or-later
"""Ingest checks a run directory against its manifest (issue 17 item 5): every output's SHA-256,
the exact file set, and the spec's hash against the run id. One real cpu-engine run on a tiny
grid, then each probe of the finding is applied to a copy of it."""

import json
import shutil
import subprocess
import sys

import pytest
import yaml

from spinlif.analysis.store import ingest_run, open_store
from spinlif.runs import RunIntegrityError, SimulationFailed, simulate, verify_run
from spinlif.spec import dump_spec
from tests.conftest import small_dw_spec


@pytest.fixture(scope="module")
def complete_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("run")
    spec = small_dw_spec(**{"geometry.length": 64e-9, "initial_state.wall_position": -10e-9,
                            "initial_state.relax_time": 0.0, "drive.duration": 0.04e-9,
                            "sampling.snapshot_period": 0.02e-9})
    dump_spec(spec, root / "spec.yaml")
    manifest = simulate(root / "spec.yaml", "cpu", root / "sim")
    assert manifest["status"] == "complete"
    return root / "sim"


@pytest.fixture
def run_copy(complete_run, tmp_path):
    copy = tmp_path / "sim"
    shutil.copytree(complete_run, copy)
    return copy


def _edit_table(run):
    path = run / "table.txt"
    lines = path.read_text().splitlines(keepends=True)
    lines[2] = lines[2].replace("0", "1", 1)
    path.write_text("".join(lines))
    return "table.txt: SHA-256 differs"


def _cut_table(run):
    path = run / "table.txt"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[: len(lines) // 2]))
    return "table.txt: SHA-256 differs"


def _delete_ovf(run):
    ovf = sorted(run.glob("*.ovf"))[-1]
    ovf.unlink()
    return f"{ovf.name}: listed in the manifest but missing"


def _extra_ovf(run):
    shutil.copyfile(sorted(run.glob("*.ovf"))[0], run / "m999999.ovf")
    return "m999999.ovf: not written by the run"


def _relabel_spec(run):
    """The spec changed from 1 to 7 layers under the old run id, its recorded SHA-256 updated too."""
    spec = yaml.safe_load((run / "spec.yaml").read_text())
    spec["stack"]["n_layers"] = 7
    dump_spec(spec, run / "spec.yaml")
    manifest = json.loads((run / "manifest.json").read_text())
    import hashlib

    manifest["outputs"]["spec.yaml"] = hashlib.sha256((run / "spec.yaml").read_bytes()).hexdigest()
    (run / "manifest.json").write_text(json.dumps(manifest))
    return "spec.yaml: hashes to run id"


@pytest.mark.parametrize("probe", [_edit_table, _cut_table, _delete_ovf, _extra_ovf, _relabel_spec])
def test_ingest_refuses_a_run_that_differs_from_its_manifest(run_copy, tmp_path, probe):
    expected = probe(run_copy)
    with pytest.raises(RunIntegrityError, match=expected):
        ingest_run(run_copy, tmp_path / "run.zarr")
    assert not (tmp_path / "run.zarr").exists()
    # the command line says the same, without a traceback
    out = subprocess.run([sys.executable, "-m", "spinlif.cli", "ingest", str(run_copy), "-o",
                          str(tmp_path / "run.zarr")], capture_output=True, text=True)
    assert out.returncode == 1 and expected in out.stderr and "Traceback" not in out.stderr


def test_an_untouched_run_is_ingested(run_copy, tmp_path):
    (run_copy / ".snakemake_timestamp").touch()  # Snakemake's stamp on directory outputs is allowed
    assert verify_run(run_copy)["status"] == "complete"
    ds = ingest_run(run_copy, tmp_path / "run.zarr")
    assert open_store(tmp_path / "run.zarr").attrs["run_id"] == ds.attrs["run_id"]


def test_ingest_without_a_manifest_is_a_clear_error(run_copy, tmp_path):
    """Issue 17 item 10: `spinlif ingest` of a directory without a manifest gave a traceback."""
    (run_copy / "manifest.json").unlink()
    out = subprocess.run([sys.executable, "-m", "spinlif.cli", "ingest", str(run_copy), "-o",
                          str(tmp_path / "run.zarr")], capture_output=True, text=True)
    assert out.returncode == 1 and "no manifest.json" in out.stderr and "Traceback" not in out.stderr
    with pytest.raises(SimulationFailed):
        verify_run(run_copy)
