#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Aggregate MuMax3 throughput with 1, 2, 4 and 8 concurrent processes on one GPU.

    python benchmarks/gpu_throughput.py [--gpu 0] [--ns 0.5] [--processes 1 2 4 8]

Renders the paper's smallest and largest domain-wall tracks (set S N=3: 256x64x3 cells; set P
N=20: 256x64x39 cells), runs k copies at once with `mumax3 -f -http= -o ... -cache ... -gpu G`,
and prints aggregate cell-steps per second (cells x solver steps, summed over the copies, per
wall second) and the speed-up over one process. Pick the profile's gpu_slots at the knee.
Refuses (exit 2) when no GPU or MuMax3 binary is present.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from spinlif.engines.mumax3 import MuMax3NotFound, command, find_binary
from spinlif.gpu import detect_gpus
from spinlif.render import render
from spinlif.devices import grid_shape
from spinlif.spec import base_spec, validate_spec

TRACKS = {"S N=3 (smallest)": ("S", 3), "P N=20 (largest)": ("P", 20)}


def track_script(param_set: str, n_layers: int, ns: float) -> tuple[str, int]:
    spec = base_spec("domain_wall", param_set)
    spec["stack"]["n_layers"] = n_layers
    spec["drive"].update(protocol="dc", duration=ns * 1e-9, tail=0.0)
    spec["sampling"].update(snapshot_period=ns * 1e-9, snapshot_edge_periods=0)
    validate_spec(spec)
    nx, ny, nz = grid_shape(spec)
    # MuMax3's `step` counts solver steps; printed at the end to count cell-steps
    return render(spec) + 'Print("spinlif_steps", step)\n', nx * ny * nz


def run_batch(binary: Path, script: Path, k: int, gpu: int, cache: Path, work: Path) -> tuple[float, list[int]]:
    procs = []
    start = time.perf_counter()
    for i in range(k):
        out = work / f"k{k}_{i}"
        procs.append(subprocess.Popen(command(binary, script, out, cache, gpu), stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, text=True))
    outputs = [p.communicate()[0] for p in procs]
    wall = time.perf_counter() - start
    steps = []
    for p, text in zip(procs, outputs):
        if p.returncode != 0:
            raise RuntimeError(f"mumax3 exited {p.returncode}:\n{text[-2000:]}")
        found = re.findall(r"spinlif_steps\s+(\d+)", text)
        steps.append(int(found[-1]) if found else 0)
    return wall, steps


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gpu", type=int, default=0)
    parser.add_argument("--ns", type=float, default=0.5, help="simulated ns per run")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--mumax3", help="mumax3 executable (default: $SPINLIF_MUMAX3, then PATH)")
    args = parser.parse_args()
    try:
        binary = find_binary(args.mumax3)
    except MuMax3NotFound as err:
        print(f"gpu_throughput: refusing to run: {err}", file=sys.stderr)
        return 2
    gpus = detect_gpus()
    if not gpus:
        print("gpu_throughput: refusing to run: no NVIDIA GPU found (nvidia-smi missing or reports none). "
              "This benchmark measures MuMax3 on a GPU; the cpu engine has nothing to measure here.",
              file=sys.stderr)
        return 2
    print(f"GPU {args.gpu}: {gpus[min(args.gpu, len(gpus) - 1)].name}; mumax3: {binary}")
    print(f"{'track':20s} {'cells':>8s} {'procs':>5s} {'wall s':>8s} {'cell-steps/s':>13s} {'speed-up':>8s}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        cache = work / "cache"
        cache.mkdir()
        for name, (param_set, n_layers) in TRACKS.items():
            text, cells = track_script(param_set, n_layers, args.ns)
            script = work / f"{param_set}{n_layers}.mx3"
            script.write_text(text)
            run_batch(binary, script, 1, args.gpu, cache, work)  # warm-up: kernel cache, PTX JIT
            base = None
            for k in args.processes:
                wall, steps = run_batch(binary, script, k, args.gpu, cache, work)
                rate = cells * sum(steps) / wall
                base = base or rate
                print(f"{name:20s} {cells:8d} {k:5d} {wall:8.1f} {rate:13.3e} {rate / base:8.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
