# SPDX-License-Identifier: GPL-3.0-or-later
"""The workstation GPU-slot picker: concurrent jobs never share a slot (fake GPU count)."""

import subprocess
import sys
import time

import pytest

from spinlif.gpu import acquire_slot, detect_gpus
from spinlif.runs import simulate
from spinlif.spec import dump_spec
from tests.conftest import REPO, small_dw_spec

HOLDER = """
import os, sys, time
from pathlib import Path
from spinlif.gpu import acquire_slot
lock_dir, marks = Path(sys.argv[1]), Path(sys.argv[2])
with acquire_slot(int(sys.argv[3]), int(sys.argv[4]), lock_dir, poll_s=0.05) as slot:
    mark = marks / f"gpu{slot.gpu}-slot{slot.slot}"
    fd = os.open(mark, os.O_CREAT | os.O_EXCL | os.O_WRONLY)  # fails if another holder has this slot
    os.write(fd, str(time.time()).encode()); os.close(fd)
    with open(marks / "log", "a") as log:
        log.write(f"{slot.gpu} {slot.slot} {time.time()}\\n")
    time.sleep(0.4)
    os.unlink(mark)
"""


@pytest.mark.parametrize("n_gpus, slots", [(1, 1), (2, 1), (2, 2)])
def test_concurrent_jobs_never_share_a_slot(tmp_path, n_gpus, slots):
    marks = tmp_path / "marks"
    marks.mkdir()
    procs = [subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path / "locks"), str(marks),
                               str(n_gpus), str(slots)], stderr=subprocess.PIPE, text=True)
             for _ in range(3 * n_gpus * slots)]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err  # FileExistsError here would mean two holders of one slot
    used = [tuple(map(int, line.split()[:2])) for line in (marks / "log").read_text().splitlines()]
    assert len(used) == len(procs)
    assert {g for g, _ in used} == set(range(n_gpus))  # every GPU got work
    assert {s for _, s in used} <= set(range(slots))


def test_slots_fill_gpus_evenly_and_a_killed_holder_frees_its_slot(tmp_path):
    with acquire_slot(2, 2, tmp_path) as first, acquire_slot(2, 2, tmp_path) as second:
        assert (first.gpu, first.slot) == (0, 0) and (second.gpu, second.slot) == (1, 0)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path), str(tmp_path), "1", "1"])
    time.sleep(0.2)
    holder.kill()
    holder.wait()
    with acquire_slot(1, 1, tmp_path, timeout_s=5) as slot:  # the lock died with its process
        assert slot.gpu == 0


def test_no_gpu_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("SPINLIF_GPU_COUNT", raising=False)
    assert detect_gpus() == []
    with pytest.raises(RuntimeError, match="no GPU"):
        with acquire_slot(0, 1, tmp_path):
            pass


def test_simulate_with_gpu_auto_passes_the_slot_gpu_to_mumax3(tmp_path, monkeypatch):
    monkeypatch.setenv("SPINLIF_GPU_COUNT", "2")
    monkeypatch.setenv("FAKE_MUMAX3_MODE", "ok")
    spec = tmp_path / "spec.yaml"
    dump_spec(small_dw_spec(), spec)
    with acquire_slot(2, 1, tmp_path / "locks"):  # another job holds GPU 0
        manifest = simulate(spec, "mumax3", tmp_path / "sim", mumax3_binary=str(REPO / "tests" / "fake_mumax3.py"),
                            gpu="auto", gpu_slots=1, lock_dir=tmp_path / "locks")
    argv = manifest["command"]
    assert argv[argv.index("-gpu") + 1] == "1" and manifest["gpu_slot"] == 0
