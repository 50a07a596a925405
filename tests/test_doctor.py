# SPDX-License-Identifier: GPL-3.0-or-later
"""`spinlif doctor` on a machine without GPU or MuMax3 (like CI), and with a stand-in binary."""

import subprocess
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
