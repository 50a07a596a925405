# SPDX-License-Identifier: GPL-3.0-or-later
"""GPUs on a workstation: discovery and a lock-based slot picker.

Snakemake sets no GPU id for local jobs (ecosystem.md section 1.3; snakemake#281), so each
simulate job picks its own: ``gpu_slots`` MuMax3 processes may share one card (small tracks
leave a GPU mostly idle, mumax3-facts.md section 2). A slot is an exclusive ``flock`` on
``<lock_dir>/gpu<g>-slot<s>.lock``; the kernel drops the lock when the holder exits or is
killed, so a crashed job never leaks a slot. Slots fill the GPUs evenly (slot 0 of every GPU
before slot 1 of any).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from spinlif.locks import try_lock, unlock

ENV_GPU_COUNT = "SPINLIF_GPU_COUNT"
"""Overrides GPU discovery (tests, or nodes where nvidia-smi is missing)."""


@dataclass(frozen=True)
class GPU:
    index: int
    name: str
    memory_mib: int
    driver: str


def detect_gpus() -> list[GPU]:
    """GPUs from ``nvidia-smi`` (honouring CUDA_VISIBLE_DEVICES' count); [] when there are none."""
    if os.environ.get(ENV_GPU_COUNT):
        return [GPU(i, "fake", 0, "") for i in range(int(os.environ[ENV_GPU_COUNT]))]
    smi = shutil.which("nvidia-smi")
    if not smi:
        return []
    try:
        out = subprocess.run([smi, "--query-gpu=index,name,memory.total,driver_version",
                              "--format=csv,noheader,nounits"], capture_output=True, text=True,
                             timeout=20, check=True).stdout
    except (subprocess.SubprocessError, OSError):
        return []
    gpus = []
    for line in out.strip().splitlines():
        parts = [p.strip() for p in line.split(",")]
        if len(parts) >= 4:
            gpus.append(GPU(int(parts[0]), parts[1], int(float(parts[2])), parts[3]))
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None and visible.strip() != "":
        n = len([v for v in visible.split(",") if v.strip()])
        gpus = [GPU(i, g.name, g.memory_mib, g.driver) for i, g in enumerate(gpus[:n])]
    return gpus


def default_lock_dir() -> Path:
    """Machine-wide, so that several Snakemake runs on one workstation share the slots."""
    return Path(tempfile.gettempdir()) / f"spinlif-gpu-slots-{os.getuid()}"


@dataclass(frozen=True)
class Slot:
    gpu: int
    slot: int


@contextlib.contextmanager
def acquire_slot(n_gpus: int, slots_per_gpu: int = 1, lock_dir: Path | None = None,
                 poll_s: float = 0.5, timeout_s: float | None = None) -> Iterator[Slot]:
    """Hold one free (GPU, slot) for the duration of the ``with`` block; wait while all are taken."""
    if n_gpus < 1:
        raise RuntimeError("no GPU to pick a slot on (nvidia-smi found none; set "
                           f"${ENV_GPU_COUNT} to override, or use --engine cpu)")
    if slots_per_gpu < 1:
        raise ValueError(f"gpu_slots = {slots_per_gpu}: must be >= 1")
    lock_dir = Path(lock_dir or default_lock_dir())
    lock_dir.mkdir(parents=True, exist_ok=True)
    order = [(g, s) for s in range(slots_per_gpu) for g in range(n_gpus)]
    start = time.monotonic()
    while True:
        for g, s in order:
            fd = try_lock(lock_dir / f"gpu{g}-slot{s}.lock", f"{os.getpid()}\n")
            if fd is None:
                continue
            try:
                yield Slot(g, s)
            finally:
                unlock(fd)
            return
        if timeout_s is not None and time.monotonic() - start > timeout_s:
            raise TimeoutError(f"no free GPU slot among {n_gpus} GPU(s) x {slots_per_gpu} slot(s) "
                               f"after {timeout_s:g} s (locks in {lock_dir})")
        time.sleep(poll_s)
