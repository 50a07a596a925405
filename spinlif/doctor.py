# SPDX-License-Identifier: GPL-3.0-or-later
"""``spinlif doctor``: what this machine offers the pipeline, and which engine it will use."""

from __future__ import annotations

import importlib.metadata
import os
import shutil
from pathlib import Path

from spinlif.engines import mumax3 as mumax3_engine
from spinlif.gpu import detect_gpus


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def report(results_dir: str | Path = "results", mumax3_binary: str | None = None) -> tuple[list[str], str]:
    """Lines of the report, and the engine ``engine: auto`` resolves to here."""
    lines = []
    try:
        binary = mumax3_engine.find_binary(mumax3_binary)
        lines.append(f"MuMax3 binary:   {binary}")
        version = mumax3_engine.binary_version(binary)
        lines.append(f"MuMax3 version:  {version or 'unknown (mumax3 -vet printed no version line)'}")
    except mumax3_engine.MuMax3NotFound:
        binary = None
        lines.append("MuMax3 binary:   not found (looked at --mumax3, $SPINLIF_MUMAX3, PATH)")
    gpus = detect_gpus()
    if gpus:
        lines.append(f"CUDA driver:     {gpus[0].driver}")
        for g in gpus:
            lines.append(f"GPU {g.index}:           {g.name}, {g.memory_mib} MiB")
    else:
        lines.append("GPUs:            none found (nvidia-smi missing or reports no GPU)")
    target = Path(results_dir)
    probe = target if target.exists() else target.resolve().parent
    free = shutil.disk_usage(probe).free
    lines.append(f"Free disk:       {free / 2**30:.1f} GiB under {target.resolve()}")
    lines.append(f"CPU cores:       {os.cpu_count()}")
    torch_v, lark_v = _version("torch"), _version("lark")
    cpu_ok = bool(torch_v and lark_v)
    lines.append("CPU engine:      " + (f"MuMax3 script interpreter, torch {torch_v}" if cpu_ok
                                       else "not installed (pip install torch==2.13.0, then pip install -e .)"))
    if binary and gpus:
        engine = "mumax3"
        verdict = f"The pipeline will use the mumax3 engine on {len(gpus)} GPU(s)."
    elif binary:
        engine = "mumax3"
        verdict = ("A MuMax3 binary is found but no GPU: the pipeline will try the mumax3 engine, and "
                   "MuMax3 will fail without CUDA. Set `engine: cpu` (or --config engine=cpu) here.")
    else:
        engine = "cpu"
        verdict = ("No GPU/MuMax3 found: the pipeline will use the cpu engine (the MuMax3 script interpreter), "
                   "fine for the demo and small tracks; paper-size sweeps need a GPU.")
        if not cpu_ok:
            verdict += " The cpu engine is not installed either: run `make setup`."
    from spinlif.validation.report import validation_gate

    gate = validation_gate(engine, Path(results_dir) / "validation")
    state = "passed" if gate["passed"] else gate["reason"]
    lines.append(f"Validation:      {engine} engine: {state}" + (f" ({gate['report']})" if gate["report"] else ""))
    lines.append("")
    lines.append(verdict)
    return lines, engine
