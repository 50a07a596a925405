#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The cpu engine's fused kernels against its torch terms and against magnum.np used plainly.

    python benchmarks/cpu_engine.py [--seconds 3] [--grids 64x8x1,48x24x1,...] [--threads 1]

Physics (the same in every column): a Ta/CoFeB-like track, Msat 1.1 MA/m, Aex 15 pJ/m, interfacial
DMI 1 mJ/m^2, Ku1 0.9 MJ/m^3 along z, alpha 0.3, demag, a 0.01 T field and a spin-orbit-like
Slonczewski torque (J_z 5e10 A/m^2, p along y); a random m, 2 x 2 x 1 nm^3 cells. Per grid (one
layer and three layers; 512, 1152, 4096 and 16384 cells per layer) it prints

* ``fused``: RHS (torque) evaluations per second and RK45 Dormand-Prince steps per second of the
  cpu engine (``kernel = "fused"``, numba + torch's pocketfft);
* ``torch``: the same of the engine before issue 18 (``kernel = "torch"``: the torch terms under
  ``torch.compile``), and the ratio fused / torch;
* ``magnum.np``: RHS evaluations and steps per second of magnum.np's own terms and RKF45 solver
  (exchange, demag, uniaxial anisotropy, interface DMI, Zeeman, spin-orbit torque; in a child
  process, as magnum.np changes torch's globals on import), and the ratio fused / magnum.np;
* ``floor``: the FFT pair alone (the planned FFTW r2c and c2r transforms of the three padded
  components, the least a demag evaluation can cost), as pairs per second, and fused RHS / floor;
* ``agree``: max |tau_fused - tau_torch| / max |tau_torch| (the issue's bound: 1e-9), and the largest
  |m_fused - m_torch| after 20 steps from one state.

Last, the fixed cost of one run: the wall time of ``python -m spinlif.mx3.engine`` on a script that
meshes 64 x 8 x 1 cells, relaxes nothing and runs 1 fs (imports, kernel loading, the demag kernel,
the outputs). Fused and torch are measured alternately, three rounds each, and the medians are
printed; each column is measured in its own loop, on ``--threads``
threads; wall time (the machine should be otherwise idle).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

GRIDS = ("64x8x1", "48x24x1", "256x16x1", "256x64x1", "64x8x3", "48x24x3", "256x16x3", "256x64x3")
CELL = (2e-9, 2e-9, 1e-9)
MATERIAL = {"Msat": 1.1e6, "Aex": 1.5e-11, "Dind": 1e-3, "Ku1": 0.9e6, "alpha": 0.3}
B_EXT = (0.0, 0.0, 0.01)
J_Z, P_SOT = 5e10, (0.0, 1.0, 0.0)


def magnet(n: tuple[int, int, int], kernel: str):
    """The benchmark's magnet on the cpu engine (spinlif.mx3.physics), random m (seed 1)."""
    import torch

    from spinlif.mx3.physics import Magnet

    mag = Magnet()
    mag.kernel = kernel
    mag.set_mesh(n, CELL)
    for name, value in MATERIAL.items():
        mag.params[name].set_all(value)
    mag.params["AnisU"].set_all((0.0, 0.0, 1.0))
    mag.B_ext.set_all(B_EXT)
    mag.J.set_all((0.0, 0.0, J_Z))
    mag.FixedLayer.set_all(P_SOT)
    mag.disable_zhang_li = True
    mag.m = torch.randn((3,) + mag.mesh.shape, generator=torch.Generator().manual_seed(1))
    mag.normalize()
    return mag


def rate(fn, seconds: float) -> float:
    """Calls of ``fn`` per second over about ``seconds`` (after one warm-up call)."""
    fn()
    count, start = 0, time.perf_counter()
    while True:
        fn()
        count += 1
        elapsed = time.perf_counter() - start
        if elapsed > seconds:
            return count / elapsed


def engine_rates(n, kernel: str, seconds: float) -> tuple[float, float]:
    """(RHS evaluations / s, RK45DP steps / s) of the cpu engine with ``kernel`` (steps: tries,
    accepted or not, as for magnum.np)."""
    from spinlif.mx3.steppers import Clock, rk45dp_step

    mag = magnet(n, kernel)
    rhs = rate(mag.torque, seconds)
    clock = Clock(dt=1e-14)
    return rhs, rate(lambda: rk45dp_step(mag, clock), seconds)


def agreement(n) -> tuple[float, float]:
    """(torque, m after 20 steps): max |fused - torch| / max |torch|."""
    from spinlif.mx3.steppers import Clock, rk45dp_step

    out = []
    for kernel in ("torch", "fused"):
        mag = magnet(n, kernel)
        tau = mag.torque()
        clock = Clock(dt=1e-14)
        for _ in range(20):
            rk45dp_step(mag, clock)
        out.append((tau, mag.m))
    (t0, m0), (t1, m1) = out
    return float((t1 - t0).abs().max() / t0.abs().max()), float((m1 - m0).abs().max())


def fft_floor(n, seconds: float) -> float:
    """FFT pairs per second: the planned FFTW real-to-complex and complex-to-real transforms of the
    three padded components that one fused demag evaluation makes (nothing else)."""
    import torch

    from spinlif.mx3.fused import DemagConvolution
    from spinlif.mx3.physics import Mesh, demag_kernel

    kernel_hat, dims, padded = demag_kernel(Mesh(n, CELL))
    conv = DemagConvolution([[k.numpy() for k in row] for row in kernel_hat], dims, padded, (n[2], n[1], n[0]),
                            "float64", threads=torch.get_num_threads())
    forward, backward = conv.fft

    def pair():
        forward.execute()
        backward.execute()
    return rate(pair, seconds)


MAGNUMNP = r"""
import json, sys, time, torch
torch.set_num_threads(int(sys.argv[3]))
from magnumnp import (Mesh, State, ExchangeField, DemagField, UniaxialAnisotropyField, InterfaceDMIField,
                      ExternalField, SpinOrbitTorque, LLGSolver)
torch.set_default_dtype(torch.float64)
n = tuple(int(v) for v in sys.argv[1].split("x")); seconds = float(sys.argv[2])
cfg = json.loads(sys.argv[4])
state = State(Mesh(n, cfg["cell"]))
mat = cfg["material"]
state.material = {"Ms": mat["Msat"], "A": mat["Aex"], "Di": mat["Dind"], "Ku": mat["Ku1"], "Ku_axis": torch.tensor([0., 0., 1.]),
                  "alpha": mat["alpha"], "eta_damp": 1.0, "eta_field": 0.0, "p": torch.tensor(cfg["p"]),
                  "je": cfg["jz"], "d": cfg["cell"][2]}
torch.manual_seed(1)
m = torch.randn(n + (3,)); state.m = m / m.norm(dim=-1, keepdim=True)
terms = [ExchangeField(), DemagField(), UniaxialAnisotropyField(), InterfaceDMIField(),
         ExternalField([b / (4e-7 * 3.141592653589793) for b in cfg["b"]]), SpinOrbitTorque()]
llg = LLGSolver(terms)
calls = [0]
dm = llg.dm
def counted(*a, **k):
    calls[0] += 1
    return dm(*a, **k)
llg._solver._f = counted
def rate(fn):
    fn(); count, start = 0, time.perf_counter()
    while True:
        fn(); count += 1
        if time.perf_counter() - start > seconds:
            return count / (time.perf_counter() - start)
rhs = rate(lambda: llg.dm(state.t, state.m, state))
calls[0] = 0
start = time.perf_counter(); t0 = state.t
while time.perf_counter() - start < seconds:
    llg.step(state, 1e-13)
elapsed = time.perf_counter() - start
print(json.dumps({"rhs": rhs, "steps": calls[0] / 6 / elapsed}))
"""


def magnumnp_rates(n, seconds: float, threads: int) -> tuple[float, float] | None:
    """(RHS / s, RKF45 tries / s) of magnum.np used plainly, or None when it is not installed."""
    cfg = {"cell": CELL, "material": MATERIAL, "p": P_SOT, "jz": J_Z, "b": B_EXT}
    grid = "x".join(str(v) for v in n)
    out = subprocess.run([sys.executable, "-c", MAGNUMNP, grid, str(seconds), str(threads), json.dumps(cfg)],
                         capture_output=True, text=True, env={**os.environ, "CUDA_DEVICE": "-1"})
    if out.returncode != 0:
        print(f"  magnum.np failed: {out.stderr.strip().splitlines()[-1] if out.stderr.strip() else out.returncode}")
        return None
    values = json.loads(out.stdout.strip().splitlines()[-1])
    return values["rhs"], values["steps"]


FIXED_COST_SCRIPT = """SetGridSize(64, 8, 1)
SetCellSize(2e-9, 2e-9, 1e-9)
Msat = 1.1e6
Aex = 1.5e-11
Dind = 1e-3
Ku1 = 0.9e6
AnisU = vector(0, 0, 1)
alpha = 0.3
m = TwoDomain(0, 0, 1, 1, 0, 0, 0, 0, -1)
TableAdd(E_total)
Run(1e-15)
"""


def fixed_cost(threads: int) -> float:
    """Wall seconds of one near-empty run of the engine's process (median of 3)."""
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "empty.mx3"
        script.write_text(FIXED_COST_SCRIPT)
        for i in range(3):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "spinlif.mx3.engine", str(script), str(Path(tmp) / f"out{i}"),
                            "--threads", str(threads)], check=True, capture_output=True, cwd=REPO)
            times.append(time.perf_counter() - start)
    return sorted(times)[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="measuring time per column and grid")
    parser.add_argument("--grids", default=",".join(GRIDS), help="nx x ny x nz, comma-separated")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--no-magnumnp", action="store_true")
    args = parser.parse_args(argv)

    import numpy as np
    import torch

    torch.set_num_threads(args.threads)
    torch.set_default_dtype(torch.float64)
    rows = []
    print(f"{'grid':>10} {'cells':>6} | {'fused RHS/s':>11} {'steps/s':>8} | {'torch RHS/s':>11} {'steps/s':>8} "
          f"{'x':>5} | {'mnp RHS/s':>9} {'steps/s':>8} {'x':>5} | {'floor/s':>8} {'of':>5} | agree tau, m")
    for grid in args.grids.split(","):
        n = tuple(int(v) for v in grid.split("x"))
        cells = n[0] * n[1] * n[2]
        # fused and torch alternate, three times each; the medians (the machine's speed drifts)
        trials = [(engine_rates(n, "fused", args.seconds / 3), engine_rates(n, "torch", args.seconds / 3))
                  for _ in range(3)]
        fused = tuple(float(np.median([t[0][i] for t in trials])) for i in range(2))
        ref = tuple(float(np.median([t[1][i] for t in trials])) for i in range(2))
        mnp = None if args.no_magnumnp else magnumnp_rates(n, args.seconds, args.threads)
        floor = fft_floor(n, args.seconds)
        agree = agreement(n)
        row = {"grid": grid, "cells": cells, "fused_rhs": fused[0], "fused_steps": fused[1], "torch_rhs": ref[0],
               "torch_steps": ref[1], "x_torch": fused[1] / ref[1], "mnp_rhs": mnp[0] if mnp else None,
               "mnp_steps": mnp[1] if mnp else None, "x_mnp": fused[1] / mnp[1] if mnp else None,
               "floor": floor, "of_floor": fused[0] / floor, "agree_tau": agree[0], "agree_m": agree[1]}
        rows.append(row)
        mnp_text = f"{mnp[0]:9.0f} {mnp[1]:8.0f} {row['x_mnp']:5.1f}" if mnp else f"{'-':>9} {'-':>8} {'-':>5}"
        print(f"{grid:>10} {cells:>6} | {fused[0]:11.0f} {fused[1]:8.0f} | {ref[0]:11.0f} {ref[1]:8.0f} "
              f"{row['x_torch']:5.1f} | {mnp_text} | {floor:8.0f} {row['of_floor']:5.2f} | "
              f"{agree[0]:.1e}, {agree[1]:.1e}", flush=True)
    cost = fixed_cost(args.threads)
    print(f"fixed cost per run (python -m spinlif.mx3.engine, 64x8x1, 1 fs): {cost:.2f} s")
    print(json.dumps({"rows": rows, "fixed_cost_s": cost, "threads": args.threads}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
