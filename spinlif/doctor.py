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


def _existing_ancestor(path: Path) -> Path:
    path = path.resolve()
    while not path.exists():
        path = path.parent
    return path


def _state_lines(results_dir: Path) -> list[str]:
    """Past failures, runs being simulated now, runs killed mid-way, and Snakemake's directory lock."""
    import csv

    from spinlif.locks import is_held

    lines = []
    failures = results_dir / "failures.csv"
    if failures.exists():
        with open(failures, newline="") as f:
            rows = list(csv.DictReader(f))
        repeat = sum(1 for r in rows if r.get("rerun_helps", "").startswith("no"))
        lines.append(f"Past failures:   {len(rows)} run(s) in {failures}" + (
            f", {repeat} of which would fail again as they are" if repeat else "") if rows
            else f"Past failures:   none ({failures})")
    locks = sorted(results_dir.glob("*/runs/*/sim.lock"))
    running = [p.parent.name for p in locks if is_held(p)]
    killed = [p.parent.name for p in sorted(results_dir.glob("*/runs/*/sim.partial"))
              if p.parent.name not in running]
    if running:
        lines.append(f"Simulating now:  {len(running)} run(s) hold their lock ({', '.join(running[:5])}"
                     + (", ..." if len(running) > 5 else "") + ")")
    if killed:
        lines.append(f"Killed runs:     {len(killed)} sim.partial/ without a live simulate "
                     f"({', '.join(killed[:5])}{', ...' if len(killed) > 5 else ''}); a rerun redoes them")
    snakemake_locks = sorted((results_dir.resolve().parent / ".snakemake" / "locks").glob("*"))
    if snakemake_locks:
        lines.append(f"Snakemake lock:  {len(snakemake_locks)} file(s) in "
                     f"{snakemake_locks[0].parent}; if no snakemake is running in this directory, "
                     "`snakemake --unlock` removes them")
    return lines


def report(results_dir: str | Path = "results", mumax3_binary: str | None = None,
           config_engine: str = "auto") -> tuple[list[str], str]:
    """Lines of the report, and the engine the pipeline will use here.

    Parameters
    ----------
    results_dir : str or Path
        The workflow's ``results/`` (need not exist yet).
    mumax3_binary : str, optional
        A mumax3 executable to check (else ``$SPINLIF_MUMAX3``, then ``PATH``).
    config_engine : str
        The config's ``engine`` (``auto``, ``mumax3`` or ``cpu``).

    Returns
    -------
    (list of str, str)
        The report's lines and the engine (``mumax3`` or ``cpu``).

    Example
    -------
    >>> lines, engine = report("results", config_engine="cpu")  # doctest: +SKIP
    >>> engine  # doctest: +SKIP
    'cpu'
    """
    lines = []
    try:
        binary = mumax3_engine.find_binary(mumax3_binary)
        lines.append(f"MuMax3 binary:   {binary}")
        version = mumax3_engine.binary_version(binary)
        lines.append(f"MuMax3 version:  {version or 'unknown (no mumax 3.x string in the binary)'}")
        started, why = mumax3_engine.cuda_status(binary)
        lines.append(f"CUDA start:      {'yes: ' if started else 'no: '}{why}")
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
    free = shutil.disk_usage(_existing_ancestor(target)).free
    lines.append(f"Free disk:       {free / 2**30:.1f} GiB under {target.resolve()}")
    lines.append(f"CPU cores:       {os.cpu_count()}")
    torch_v, lark_v = _version("torch"), _version("lark")
    cpu_ok = bool(torch_v and lark_v)
    lines.append("CPU engine:      " + (f"MuMax3 script interpreter, torch {torch_v}" if cpu_ok
                                       else "not installed (pip install torch==2.13.0, then pip install -e .)"))
    if config_engine == "cpu":
        engine = "cpu"
        verdict = "The config says `engine: cpu`: the pipeline will use the cpu engine (the MuMax3 script interpreter)."
        if not cpu_ok:
            verdict += " It is not installed: run `make setup`."
    elif config_engine == "mumax3" and not binary:
        engine = "mumax3"
        verdict = ("The config says `engine: mumax3`, but no MuMax3 binary is found: every simulate job will "
                   "fail. Install MuMax3 (README), set SPINLIF_MUMAX3, or set `engine: cpu`.")
    elif binary and gpus:
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
    lines += _state_lines(target)
    lines.append("")
    lines.append(verdict)
    return lines, engine
