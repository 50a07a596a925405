# SPDX-License-Identifier: GPL-3.0-or-later
"""The failure summary (issue 17 item 9): every attempted run without its outputs, with its stage,
device, swept values, newest attempt, a short reason, whether a rerun can help, and its log."""

import csv
import os
import time

import pytest

from spinlif.failures import COLUMNS, advice, collect, format_table, summarise
from spinlif.runs import SimulationFailed, simulate
from spinlif.spec import dump_spec
from spinlif.sweep import expand, normalise_config

CONFIG = {
    "engine": "cpu",
    "devices": {"domain_wall": {
        "spec": {"geometry": {"length": 64.0e-9, "width": 16.0e-9},
                 "initial_state": {"wall_position": -10.0e-9, "relax_time": 0.0},
                 "drive": {"protocol": "dc", "duration": 0.02e-9, "tail": 0.0},
                 "sampling": {"snapshot_period": 0.02e-9, "snapshot_edge_periods": 0}},
        "sweep": {"param_set": ["P"], "stack.n_layers": [1, 2, 3]},
        "protocols": [{"name": "dc"}]}},
}

DIVERGING = """SetGridsize(8, 8, 1)
SetCellsize(1e-9, 1e-9, 1e-9)
Msat = 8e5
Aex = 1e-11
alpha = 0.1
m = uniform(1, 0, 0)
B_ext = vector(0, 1e300, 0)
Run(1e-10)
"""


@pytest.fixture
def runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runs = expand(normalise_config(CONFIG))
    for run in runs:
        os.makedirs(run.results_dir)
        dump_spec(run.spec, f"{run.results_dir}/spec.yaml")
    return runs


def _log(run, stage: str, text: str) -> None:
    path = f"results/logs/dw/{run.run_id}/{stage}.log"
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def test_a_run_that_failed_at_render_is_listed(runs):
    """Before: only sim.failed/ and sim.partial/ were looked at, so a render failure was missing."""
    _log(runs[0], "render", "Traceback (most recent call last):\n  ...\njinja2.exceptions.UndefinedError: 'x' is undefined\n")
    (row,) = collect(runs)
    assert row["run_id"] == runs[0].run_id and row["stage"] == "render" and row["reason"] == "render error"
    assert row["device"] == "domain_wall" and "stack.n_layers=1" in row["swept"]
    assert row["log"].endswith(f"logs/dw/{runs[0].run_id}/render.log") and "UndefinedError" in row["detail"]


def test_runs_not_attempted_are_not_failures(runs):
    assert collect(runs) == []


def test_the_newest_attempt_is_reported(runs, tmp_path):
    """Before: an old sim.failed/ hid a newer, SIGKILLed attempt (sim.partial/)."""
    base = tmp_path / runs[1].results_dir
    (base / "run.mx3").write_text("// rendered\n")
    (base / "sim.failed").mkdir()
    (base / "sim.failed" / "manifest.json").write_text(
        '{"status": "failed", "reason": "exceeded the wall-time limit of 60 s", "engine": "cpu"}')
    old = time.time() - 3600
    os.utime(base / "sim.failed" / "manifest.json", (old, old))
    (base / "sim.partial").mkdir()
    (row,) = collect(runs)
    assert row["stage"] == "simulate" and row["reason"] == "killed" and row["rerun_helps"] == "yes"
    assert row["path"].endswith("sim.partial")
    os.utime(base / "sim.partial", (old - 60, old - 60))  # now the recorded failure is the newer one
    (row,) = collect(runs)
    assert row["reason"] == "timeout" and row["rerun_helps"].startswith("yes")


def test_a_nan_blow_up_on_the_cpu_engine_reads_nan_abort(runs, tmp_path):
    """Before: "cpu exited with status 1 / RuntimeError". A real cpu-engine run that diverges."""
    base = tmp_path / runs[2].results_dir
    (base / "run.mx3").write_text(DIVERGING)
    with pytest.raises(SimulationFailed, match="NaN abort"):
        simulate(base / "run.mx3", "cpu", base / "sim")
    rows = summarise(runs)
    (row,) = rows
    assert row["reason"] == "NaN abort" and row["rerun_helps"].startswith("no")
    assert row["engine"] == "cpu" and row["log"].endswith("sim.failed/engine.log")
    with open("results/failures.csv") as f:
        written = list(csv.DictReader(f))
    assert list(written[0]) == COLUMNS and written[0]["reason"] == "NaN abort"
    table = format_table(rows)
    assert "NaN abort" in table and "swept" in table and "log" in table
    assert "would fail again" in advice(rows) and runs[2].run_id in advice(rows)


def test_later_stages_are_listed_with_their_log(runs, tmp_path):
    """A complete simulation whose ingest was refused (an altered output) is listed at ingest."""
    base = tmp_path / runs[0].results_dir
    (base / "run.mx3").write_text("// rendered\n")
    (base / "sim").mkdir()
    (base / "sim" / "manifest.json").write_text('{"status": "complete"}')
    _log(runs[0], "ingest", "spinlif ingest: results/.../sim/table.txt: SHA-256 differs from the manifest's\n")
    (row,) = collect(runs)
    assert row["stage"] == "ingest" and row["reason"] == "altered output" and row["rerun_helps"].startswith("no")
    assert advice([{**row, "rerun_helps": "yes"}]) == "Rerun `snakemake` to redo exactly these runs."


@pytest.mark.parametrize("state, reason", [("TIMEOUT", "timeout"), ("OUT_OF_MEMORY", "out of memory"),
                                           ("CANCELLED by 0", "interrupted"), ("NODE_FAIL", "node failure")])
def test_slurms_state_names_the_cause_the_runner_saw_only_as_a_signal(runs, tmp_path, monkeypatch, state, reason):
    """SLURM stops a job at its --time or memory limit with SIGTERM: the runner can only record
    `interrupted by SIGTERM`; sacct's state says why (the real sacct: test_slurm.py)."""
    import spinlif.failures as failures

    monkeypatch.setattr(failures, "_slurm_state", lambda job: state if job == "42" else "")
    base = tmp_path / runs[0].results_dir
    (base / "run.mx3").write_text("// rendered\n")
    (base / "sim.failed").mkdir()
    (base / "sim.failed" / "manifest.json").write_text(
        '{"status": "failed", "reason": "interrupted by SIGTERM", "engine": "cpu", "exit_code": -15,'
        ' "scheduler": {"slurm_job_id": "42"}}')
    (row,) = collect(runs)
    assert row["reason"] == reason and row["detail"] == f"SLURM: {state} | interrupted by SIGTERM"
