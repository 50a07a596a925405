# SPDX-License-Identifier: GPL-3.0-or-later
"""The ``cpu`` engine for validation problems: ``python -m spinlif.validation.cpu PROBLEM.yaml OUT_DIR``.

Runs the case module's CPU builder (magnum.np plus spinlif's MuMax3-mirroring field terms) and
writes what MuMax3 writes for the case's rendered script (``table.txt``, ``m%06d.ovf``), plus
``engine_info.json``. Started by :func:`spinlif.runs.simulate`, like the device engine.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m spinlif.validation.cpu",
                                     description="Simulate one validation problem with magnum.np on the CPU.")
    parser.add_argument("problem", type=Path)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)

    from spinlif.engines.cpu_fields import import_backend
    from spinlif.validation import case_module
    from spinlif.validation.problems import load_problem, problem_id

    start = time.time()
    problem = load_problem(args.problem)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    torch, magnumnp = import_backend(args.threads)
    print(f"spinlif[cpu] validation {problem['case']}/{problem['run']} ({problem_id(problem)})",
          file=sys.stderr, flush=True)
    info = case_module(problem["case"]).simulate_cpu(problem, args.out_dir, torch)
    info.update(engine="cpu", engine_version=f"magnum.np {magnumnp.__version__}, torch {torch.__version__}",
                threads=args.threads, wall_time_s=round(time.time() - start, 3))
    (args.out_dir / "engine_info.json").write_text(json.dumps(info, indent=2))
    print(f"spinlif[cpu] done in {info['wall_time_s']:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
