#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The cpu engine's script interpreter against the per-device cpu engine it replaced, on the demo grids.

    python benchmarks/mx3_interpreter.py [--ns 0.2] [--baseline 47a9ff7]

For one demo run of each device (domain wall: 64 x 8 x 1 cells, set E; skyrmion: 48 x 24 x 1;
AFM strip: 1000 x 1 x 2), shortened to ``--ns`` of drive after a 20 ps relaxation, it runs

* ``old``: ``python -m spinlif.engines.cpu spec.yaml`` (magnum.np terms, torch.compile, RKF45) of
  commit ``--baseline``, the last with the per-device builders, exported with ``git archive`` into a
  temporary directory and run from there (this needs the clone's history and ``magnumnp``);
* ``new``: ``python -m spinlif.mx3.engine run.mx3`` (the rendered script, MuMax3's RK45DP),

each in its own process, one thread, one after the other, twice: with ``--ns`` and with three
times ``--ns`` of drive. The difference of the two runs gives the marginal cost (steps per second
and wall time per simulated ns without imports, compilation and the demag kernel); the short run
gives the fixed cost. The issue-12 target is new/old marginal steps per second >= 1.0.
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

import numpy as np
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DEMO_RUNS = (("domain_wall", "dc"), ("skyrmion", "train"), ("afm_strip", "drive"))


def demo_spec(device: str, protocol: str, ns: float) -> dict:
    from spinlif.spec import set_dotted, validate_spec
    from spinlif.sweep import expand, normalise_config

    config = normalise_config(yaml.safe_load((REPO / "config" / "config.yaml").read_text()))
    spec = next(r.spec for r in expand(config) if r.device == device and r.protocol == protocol)
    for key, value in (("drive.duration", ns * 1e-9), ("drive.tail", 0.0), ("initial_state.relax_time", 20e-12)):
        set_dotted(spec, key, value, "benchmark")
    return validate_spec(spec)


BASELINE = "47a9ff7"
"""The last commit whose cpu engine built each device in Python (issue 12 replaced it)."""


def export_baseline(revision: str, into: Path) -> Path:
    """The source tree of ``revision`` in ``into`` (``git archive``: no worktree, nothing built)."""
    into.mkdir()
    archive = subprocess.run(["git", "-C", str(REPO), "archive", revision], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


def run(argv: list[str], pythonpath: Path | None = None) -> tuple[dict, float]:
    env = dict(os.environ, CUDA_DEVICE="-1", OMP_NUM_THREADS="1")
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)  # ahead of the editable install of this checkout
    start = time.perf_counter()
    # python -m puts the working directory first on sys.path: run the old engine from its own tree
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=pythonpath or REPO)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{proc.stderr[-2000:]}")
    return json.loads((Path(argv[4]) / "engine_info.json").read_text()), wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ns", type=float, default=0.2, help="simulated drive time per run (ns)")
    parser.add_argument("--baseline", default=BASELINE, help="commit of the old cpu engine")
    args = parser.parse_args()
    from spinlif.render import render
    from spinlif.devices import grid_shape

    print(f"{'run':<18}{'cells':>7}{'engine':>7}{'steps/s':>10}{'s/ns':>8}{'fixed s':>9}")
    ratios = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        old_tree = export_baseline(args.baseline, tmp / "baseline")
        for device, protocol in DEMO_RUNS:
            rates = {}
            for engine in ("old", "new"):
                runs = []
                for ns in (args.ns, 3 * args.ns):
                    spec = demo_spec(device, protocol, ns)
                    name = f"{device}_{engine}_{ns:g}"
                    if engine == "old":
                        path = tmp / f"{name}.yaml"
                        path.write_text(yaml.safe_dump(spec))
                        argv = [sys.executable, "-m", "spinlif.engines.cpu", str(path), str(tmp / name)]
                    else:
                        path = tmp / f"{name}.mx3"
                        path.write_text(render(spec))
                        argv = [sys.executable, "-m", "spinlif.mx3.engine", str(path), str(tmp / name)]
                    info, wall = run(argv, old_tree if engine == "old" else None)
                    runs.append((ns, info["solver_steps"], wall))
                (ns1, n1, w1), (ns2, n2, w2) = runs
                steps_per_s = (n2 - n1) / (w2 - w1)
                s_per_ns = (w2 - w1) / (ns2 - ns1)
                fixed = w1 - s_per_ns * (ns1 + 0.02)
                rates[engine] = steps_per_s, s_per_ns
                cells = int(np.prod(grid_shape(spec)))
                print(f"{device + '/' + protocol:<18}{cells:>7}{engine:>7}{steps_per_s:>10.1f}{s_per_ns:>8.1f}"
                      f"{fixed:>9.1f}")
            ratio = rates["new"][0] / rates["old"][0]
            ratios.append(ratio)
            print(f"{'':<18}new/old: steps/s x{ratio:.2f}, wall per simulated ns x{rates['new'][1] / rates['old'][1]:.2f}")
    print(f"smallest new/old steps/s ratio: {min(ratios):.2f} (issue 12 target: >= 1.0)")


if __name__ == "__main__":
    main()
