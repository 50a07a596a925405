# SPDX-License-Identifier: GPL-3.0-or-later
"""`spinlif doctor` on a machine without GPU or MuMax3 (like CI), and with a stand-in binary."""

import subprocess
from pathlib import Path
import sys

from spinlif.doctor import report
from tests.conftest import REPO


def test_cpu_only_machine_is_told_plainly(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("SPINLIF_MUMAX3", raising=False)
    monkeypatch.delenv("SPINLIF_GPU_COUNT", raising=False)
    lines, engine = report(tmp_path)
    text = "\n".join(lines)
    assert engine == "cpu"
    assert "MuMax3 binary:   not found" in text and "GPUs:            none found" in text
    assert "will use the cpu engine" in text and "Free disk:" in text


def test_mumax3_and_gpus_found(monkeypatch, tmp_path):
    monkeypatch.setenv("SPINLIF_MUMAX3", str(REPO / "tests" / "fake_mumax3.py"))
    monkeypatch.setenv("SPINLIF_GPU_COUNT", "2")
    lines, engine = report(tmp_path)
    assert engine == "mumax3" and "mumax3 engine on 2 GPU(s)" in lines[-1]
    assert any(line.startswith("MuMax3 version:  mumax 3.11.1") for line in lines)


def test_command_line(tmp_path):
    out = subprocess.run([sys.executable, "-m", "spinlif.cli", "doctor", "--results", str(tmp_path)],
                         capture_output=True, text=True, check=True)
    assert "engine" in out.stdout


def test_gpu_benchmark_refuses_without_gpu_or_mumax3(monkeypatch, tmp_path):
    env = {"PATH": str(tmp_path) + ":/usr/bin:/bin", "HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, str(REPO / "benchmarks" / "gpu_throughput.py")],
                         capture_output=True, text=True, env=env, cwd=REPO)
    assert out.returncode == 2 and "refusing to run" in out.stderr and "MuMax3" in out.stderr
    env["SPINLIF_MUMAX3"] = str(REPO / "tests" / "fake_mumax3.py")
    out = subprocess.run([sys.executable, str(REPO / "benchmarks" / "gpu_throughput.py")],
                         capture_output=True, text=True, env=env, cwd=REPO)
    assert out.returncode == 2 and "no NVIDIA GPU found" in out.stderr


def test_doctor_with_a_missing_results_parent_and_the_configs_engine(tmp_path, monkeypatch):
    """Issue 17 item 10: `--results` under a missing parent crashed, and the config's engine was
    ignored (engine: mumax3 without a binary looked fine)."""
    monkeypatch.setenv("PATH", str(tmp_path) + ":" + str(Path(sys.executable).parent))
    monkeypatch.delenv("SPINLIF_MUMAX3", raising=False)
    config = tmp_path / "c.yaml"
    config.write_text("engine: mumax3\ndevices: {afm_strip: {protocols: [{name: decay}]}}\n")
    out = subprocess.run([sys.executable, "-m", "spinlif.cli", "doctor", "--results",
                          str(tmp_path / "no" / "such" / "results"), "--config", str(config)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "Free disk:" in out.stdout and "says `engine: mumax3`, but no MuMax3 binary" in out.stdout
    _, engine = report(tmp_path, config_engine="cpu")
    assert engine == "cpu"


def test_doctor_reports_failures_running_and_killed_runs_and_snakemakes_lock(tmp_path):
    """Past failures, runs being simulated (their lock held), runs killed mid-way, and a stale
    Snakemake directory lock are reported."""
    import fcntl

    results = tmp_path / "results"
    (results / "failures.csv").parent.mkdir(parents=True)
    (results / "failures.csv").write_text("run_id,rerun_helps\nabc,no: diverges\ndef,yes\n")
    running, killed = results / "dw/runs/1111111111", results / "dw/runs/2222222222"
    for run in (running, killed):
        (run / "sim.partial").mkdir(parents=True)
        (run / "sim.lock").write_text("pid 1\n")
    (tmp_path / ".snakemake" / "locks").mkdir(parents=True)
    (tmp_path / ".snakemake" / "locks" / "0.input.lock").write_text("")
    with open(running / "sim.lock") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        text = "\n".join(report(results)[0])
    assert "2 run(s)" in text and "1 of which would fail again" in text
    assert "Simulating now:  1 run(s) hold their lock (1111111111)" in text
    assert "Killed runs:     1 sim.partial/ without a live simulate (2222222222)" in text
    assert "snakemake --unlock" in text


VET = REPO.parent / "shared" / "tools" / "mumax3-vet"


def test_doctor_reads_the_version_from_the_binary_and_says_whether_cuda_starts(tmp_path, monkeypatch):
    """Issue 14 item 4: a real mumax3 prints its version only after CUDA starts, so `doctor` showed
    "unknown" on a GPU-less login node. The version is read from the binary's bytes; whether CUDA can
    start is said plainly. Against MuMax3 3.11.1 built on stub CUDA libraries (CUDA "starts"), and a
    copy of it without the stub libcuda (as on a machine without a driver: exit 127)."""
    import shutil

    from spinlif.engines.mumax3 import binary_version, cuda_status

    assert (VET / "mumax3").exists(), f"{VET} missing (../shared/tools/mumax3-vet)"
    assert binary_version(VET / "mumax3") == "mumax 3.11.1"
    started, why = cuda_status(VET / "mumax3")
    assert started and "cpu-vet-stub" in why
    copy = tmp_path / "no-driver"
    shutil.copytree(VET, copy)
    (copy / "libcuda.so.1").unlink()
    assert binary_version(copy / "mumax3") == "mumax 3.11.1"
    started, why = cuda_status(copy / "mumax3")
    assert not started and why == "no CUDA driver here: libcuda.so.1 not found (exit 127)"
    monkeypatch.setenv("SPINLIF_GPU_COUNT", "0")
    lines, _ = report(tmp_path, mumax3_binary=str(copy / "mumax3"))
    text = "\n".join(lines)
    assert "MuMax3 version:  mumax 3.11.1" in text and "CUDA start:      no: no CUDA driver here" in text
