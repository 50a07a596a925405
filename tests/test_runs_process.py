# SPDX-License-Identifier: GPL-3.0-or-later
"""Process handling of the mumax3 engine, with a stand-in for the MuMax3 process.

The stand-in tests exit codes, crashes and partial output only; physics tests use the real
CPU engine (test_cpu_engine.py).
"""

import json
import os
import subprocess
import sys

import pytest

from spinlif.engines.mumax3 import MuMax3NotFound, find_binary
from spinlif.runs import SimulationFailed, read_manifest, simulate
from spinlif.spec import dump_spec
from tests.conftest import REPO, small_dw_spec

FAKE = REPO / "tests" / "fake_mumax3.py"


@pytest.fixture
def spec_file(tmp_path):
    path = tmp_path / "spec.yaml"
    dump_spec(small_dw_spec(), path)
    return path


def run_fake(spec_file, tmp_path, monkeypatch, mode, **kw):
    monkeypatch.setenv("FAKE_MUMAX3_MODE", mode)
    return simulate(spec_file, "mumax3", tmp_path / "sim", mumax3_binary=str(FAKE), **kw)


def test_missing_binary_says_how_to_install_and_mentions_cpu_engine(monkeypatch, tmp_path):
    monkeypatch.delenv("SPINLIF_MUMAX3", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(MuMax3NotFound) as err:
        find_binary()
    assert "--engine cpu" in str(err.value) and "SPINLIF_MUMAX3" in str(err.value)


def test_missing_binary_from_the_command_line(monkeypatch, tmp_path, spec_file):
    monkeypatch.setenv("PATH", str(tmp_path) + ":" + str(REPO / ".venv" / "bin"))
    monkeypatch.delenv("SPINLIF_MUMAX3", raising=False)
    out = subprocess.run([sys.executable, "-m", "spinlif.cli", "simulate", str(spec_file), "--engine",
                          "mumax3", "-o", str(tmp_path / "sim")], capture_output=True, text=True)
    assert out.returncode == 3
    assert "MuMax3 binary not found" in out.stderr and "--engine cpu" in out.stderr


def test_complete_run_has_manifest_with_version_and_hashes(spec_file, tmp_path, monkeypatch):
    manifest = run_fake(spec_file, tmp_path, monkeypatch, "ok")
    run_dir = tmp_path / "sim"
    assert read_manifest(run_dir)["status"] == "complete"
    assert manifest["engine_version"].startswith("mumax 3.11.1")
    assert "Fake GPU" in manifest["gpu_info"]
    assert {"table.txt", "log.txt", "spec.yaml", "run.mx3", "engine.log"} <= set(manifest["outputs"])
    assert "-http=" in manifest["command"] and "-f" in manifest["command"]
    assert not (tmp_path / "sim.partial").exists() and not (tmp_path / "sim.failed").exists()


@pytest.mark.parametrize("mode, reason", [("fail", "exited with status 1"), ("nan", "NaN abort")])
def test_failed_run_is_kept_apart_and_never_complete(spec_file, tmp_path, monkeypatch, mode, reason):
    with pytest.raises(SimulationFailed, match=reason):
        run_fake(spec_file, tmp_path, monkeypatch, mode)
    assert not (tmp_path / "sim").exists()
    failed = tmp_path / "sim.failed"
    manifest = json.loads((failed / "manifest.json").read_text())
    assert manifest["status"] == "failed" and reason in manifest["reason"]
    assert manifest["log_tail"]  # the end of the log is kept
    assert (failed / "table.txt").exists()  # partial output kept for inspection
    with pytest.raises(SimulationFailed, match="status is 'failed'"):
        read_manifest(failed)


def test_wall_time_limit(spec_file, tmp_path, monkeypatch):
    with pytest.raises(SimulationFailed, match="wall-time limit"):
        run_fake(spec_file, tmp_path, monkeypatch, "hang", timeout_s=2)
    assert (tmp_path / "sim.failed" / "manifest.json").exists()


def test_rerun_after_failure_replaces_the_failed_directory(spec_file, tmp_path, monkeypatch):
    with pytest.raises(SimulationFailed):
        run_fake(spec_file, tmp_path, monkeypatch, "fail")
    with pytest.raises(SimulationFailed):
        run_fake(spec_file, tmp_path, monkeypatch, "hang", timeout_s=1)
    manifest = run_fake(spec_file, tmp_path, monkeypatch, "ok")
    assert (tmp_path / "sim" / "manifest.json").exists() and not (tmp_path / "sim.failed").exists()
    # the failed attempts stay on record in the complete run's manifest, oldest first
    first, second = manifest["previous_attempts"]
    assert "exited with status 1" in first["reason"] and first["exit_code"] == 1
    assert second["reason"] == "exceeded the wall-time limit of 1 s" and 1 <= second["wall_time_s"] < 30
    assert read_manifest(tmp_path / "sim")["previous_attempts"] == manifest["previous_attempts"]


def test_ingest_refuses_a_failed_run(spec_file, tmp_path, monkeypatch):
    from spinlif.analysis.store import ingest_run

    with pytest.raises(SimulationFailed):
        run_fake(spec_file, tmp_path, monkeypatch, "fail")
    with pytest.raises(SimulationFailed):
        ingest_run(tmp_path / "sim.failed", tmp_path / "run.zarr")
    assert not (tmp_path / "run.zarr").exists()


def test_engine_ignoring_sigterm_is_killed_after_the_grace_period(spec_file, tmp_path, monkeypatch):
    import time

    import spinlif.runs

    monkeypatch.setattr(spinlif.runs, "TERM_GRACE_S", 1.0)
    start = time.time()
    with pytest.raises(SimulationFailed, match="wall-time limit"):
        run_fake(spec_file, tmp_path, monkeypatch, "ignore-term", timeout_s=1)
    assert time.time() - start < 30
    manifest = json.loads((tmp_path / "sim.failed" / "manifest.json").read_text())
    assert manifest["exit_code"] == -9  # SIGTERM was ignored; SIGKILL ended it


def test_partial_last_table_line_is_dropped_on_ingest_of_a_failed_run_table(spec_file, tmp_path, monkeypatch):
    """The stand-in flushes half a row before failing: the reader keeps whole rows only."""
    from spinlif.analysis.table import read_table

    with pytest.raises(SimulationFailed):
        run_fake(spec_file, tmp_path, monkeypatch, "fail")
    df = read_table(tmp_path / "sim.failed" / "table.txt")
    assert len(df) == 5 and df.attrs["dropped_partial_rows"] == 1


def test_both_engines_execute_the_same_rendered_script(tmp_path, monkeypatch):
    """One script, two engines (issue 12): for one spec, the cpu engine and the mumax3 process run
    the byte-identical run.mx3 that `spinlif render` writes; the cpu engine's command is the MuMax3
    script interpreter on that file, never a per-device model."""
    from spinlif.render import render

    spec = small_dw_spec(**{"drive.duration": 0.01e-9, "initial_state.relax_time": 0.0,
                            "sampling.snapshot_period": 0.01e-9})
    path = tmp_path / "spec.yaml"
    dump_spec(spec, path)
    cpu = simulate(path, "cpu", tmp_path / "cpu")
    monkeypatch.setenv("FAKE_MUMAX3_MODE", "ok")
    gpu = simulate(path, "mumax3", tmp_path / "gpu", mumax3_binary=str(FAKE))
    script = (tmp_path / "cpu" / "run.mx3").read_text()
    assert script == (tmp_path / "gpu" / "run.mx3").read_text() == render(spec)
    assert cpu["outputs"]["run.mx3"] == gpu["outputs"]["run.mx3"]
    assert cpu["command"][1:3] == ["-m", "spinlif.mx3.engine"] and cpu["command"][3].endswith(".run.mx3")


def test_a_large_full_stack_is_rendered_as_it_is_for_the_cpu_engine(tmp_path):
    """A stack over the cpu engine's former 40 000-cell limit keeps every layer in the script: the
    effective medium is the spec's choice (param_set E), never the engine's."""
    from spinlif.render import render
    from spinlif.devices import grid_shape

    spec = small_dw_spec(**{"stack.n_layers": 10, "geometry.length": 512e-9, "geometry.width": 64e-9})
    nx, ny, nz = grid_shape(spec)
    assert nx * ny * nz > 40_000 and nz == 19  # 10 layers and 9 spacers
    assert f"SetGridSize({nx}, {ny}, {nz})" in render(spec)


def _start_simulate(spec_file, tmp_path, engine: str, mode: str = "hang") -> subprocess.Popen:
    import os

    env = dict(os.environ, FAKE_MUMAX3_MODE=mode)
    argv = [sys.executable, "-m", "spinlif.cli", "simulate", str(spec_file), "--engine", engine,
            "-o", str(tmp_path / "sim")]
    if engine == "mumax3":
        argv += ["--mumax3", str(FAKE)]
    return subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _first_rows(path, proc, seconds: float = 60.0) -> str:
    """The table once it holds a header and a row (the fake MuMax3 writes rows over time)."""
    import time

    end = time.time() + seconds
    while len(path.read_text().splitlines()) < 2:
        assert proc.poll() is None, proc.stderr.read()
        assert time.time() < end, f"{path} stayed without rows"
        time.sleep(0.05)
    return path.read_text()


def _wait_for(path, proc, seconds: float = 120.0) -> None:
    import time

    end = time.time() + seconds
    while not path.exists():
        assert proc.poll() is None, proc.stderr.read()
        assert time.time() < end, f"{path} never appeared"
        time.sleep(0.1)


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGINT"])
def test_a_signal_to_spinlif_simulate_stops_the_engine_and_is_recorded(spec_file, tmp_path, signame):
    """Issue 17 item 4: SIGTERM or SIGINT (Ctrl-C) hung `spinlif simulate` for ever (the handler
    waited for the engine while the interrupted wait held the lock). Now the handler only forwards
    SIGTERM to the engine's process group; the runner reaps it, moves the partial output to
    sim.failed/ with "interrupted by SIG…", and exits 128 + the signal number."""
    import signal

    proc = _start_simulate(spec_file, tmp_path, "mumax3")
    _wait_for(tmp_path / "sim.partial" / "table.txt", proc)
    sig = signal.Signals[signame]
    proc.send_signal(sig)
    try:
        code = proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail(f"spinlif simulate hung after {signame}")
    assert code == 128 + sig.value, proc.stderr.read()
    manifest = json.loads((tmp_path / "sim.failed" / "manifest.json").read_text())
    assert manifest["reason"] == f"interrupted by {signame}" and manifest["signal"] == signame
    assert manifest["exit_code"] == -signal.SIGTERM  # the engine was sent SIGTERM and reaped
    assert not (tmp_path / "sim").exists() and not (tmp_path / "sim.partial").exists()
    out = subprocess.run(["pgrep", "-f", f"{FAKE}.*{tmp_path}"], capture_output=True, text=True)
    assert out.stdout.strip() == "", "the engine outlived the runner"


@pytest.mark.slow
def test_sigterm_stops_the_cpu_engine_too(spec_file, tmp_path):
    """The same on the cpu engine: the interpreter's process group is stopped and the run recorded."""
    import signal

    proc = _start_simulate(spec_file, tmp_path, "cpu")
    _wait_for(tmp_path / "sim.partial" / "table.txt", proc)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 128 + signal.SIGTERM
    manifest = json.loads((tmp_path / "sim.failed" / "manifest.json").read_text())
    assert manifest["reason"] == "interrupted by SIGTERM" and manifest["engine"] == "cpu"


def test_a_second_simulate_of_the_same_run_is_refused(spec_file, tmp_path):
    """Issue 17 item 10: two `spinlif simulate` on one output directory corrupted each other (the
    second deleted the first's sim.partial/) and the damaged run was ingested. A per-run lock."""
    import signal

    from spinlif.locks import is_held as lock_is_held

    first = _start_simulate(spec_file, tmp_path, "mumax3")
    _wait_for(tmp_path / "sim.partial" / "table.txt", first)
    assert lock_is_held(tmp_path / "sim.lock")
    table_before = _first_rows(tmp_path / "sim.partial" / "table.txt", first)
    second = subprocess.run([sys.executable, "-m", "spinlif.cli", "simulate", str(spec_file), "--engine", "mumax3",
                             "--mumax3", str(FAKE), "-o", str(tmp_path / "sim")],
                            capture_output=True, text=True, timeout=60,
                            env={**os.environ, "FAKE_MUMAX3_MODE": "ok"})
    assert second.returncode == 1
    assert f"another spinlif simulate (pid {first.pid} on" in second.stderr
    # untouched: the first run's table is still there and only grew (its run goes on writing rows)
    assert (tmp_path / "sim.partial" / "table.txt").read_text().startswith(table_before)
    assert not (tmp_path / "sim").exists()
    first.send_signal(signal.SIGTERM)
    first.wait(timeout=30)
    assert not lock_is_held(tmp_path / "sim.lock")  # released with its holder
    monkeypatch_env = {**os.environ, "FAKE_MUMAX3_MODE": "ok"}
    third = subprocess.run([sys.executable, "-m", "spinlif.cli", "simulate", str(spec_file), "--engine", "mumax3",
                            "--mumax3", str(FAKE), "-o", str(tmp_path / "sim")],
                           capture_output=True, text=True, timeout=60, env=monkeypatch_env)
    assert third.returncode == 0, third.stderr  # the lock file left behind does not block a rerun
