# SPDX-License-Identifier: GPL-3.0-or-later
"""The cpu engine's MuMax3 script interpreter: the rendered ``.mx3`` is the one definition of a run.

:func:`check_script` parses a script (lark, ``grammar.lark``) and checks every name, argument
count and type before anything runs; :func:`run_script` then executes it on PyTorch and writes
what MuMax3 writes: ``table.txt``, OVF 2 snapshots, and ``expects.csv`` for the script's
``expect``/``expectv`` calls.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from spinlif.mx3.parser import ExpectFailed, ScriptError, parse  # not world: it imports torch (~2 s)

__all__ = ["ScriptError", "ExpectFailed", "check_script", "run_script", "supported_names"]


PRECISIONS = ("float64", "float32")
"""Arithmetic of the cpu engine: float64 (default, the converged answer) or float32 (MuMax3's own
precision on the GPU, whose relaxed states stop at float32's noise floor)."""


def _world(out_dir: Path, script: Path, expect_continue: bool, label: str, precision: str = "float64"):
    import warnings

    import torch

    torch.set_num_threads(max(1, int(os.environ.get("SPINLIF_THREADS", "1"))))
    if precision not in PRECISIONS:
        raise ValueError(f"precision = {precision!r}: allowed are {', '.join(PRECISIONS)}")
    torch.set_default_dtype(getattr(torch, precision))  # every tensor of the run takes this dtype
    # the demag FFT's complex products stay eager inside the compiled torque: expected, not a problem
    warnings.filterwarnings("ignore", message="Torchinductor does not support code generation for complex")
    from spinlif.mx3.world import World

    return World(out_dir, script.parent, expect_continue=expect_continue, progress_label=label)


def check_script(path: str | Path, text: str | None = None) -> None:
    """Parse and statically check a MuMax3 script for the cpu engine.

    Parameters
    ----------
    path : str or Path
        The script (read unless ``text`` is given); named in errors.
    text : str, optional
        The script's text.

    Raises
    ------
    ScriptError
        One line ``FILE:LINE: message``: a syntax error, an unknown name, a name MuMax3 has but
        the cpu engine does not, a wrong argument count or type.

    Example
    -------
    >>> check_script("a.mx3", "SetGridSize(4, 4, 1)\\nSetCellSize(1e-9, 1e-9, 1e-9)\\nRun(1e-12)")
    """
    from spinlif.mx3.interpreter import Checker
    from spinlif.mx3.world import World

    path = Path(path)
    text = path.read_text() if text is None else text
    tree = parse(text, str(path))
    Checker(World(Path("."), path.parent).bindings(), str(path)).check(tree)


def run_script(path: str | Path, out_dir: str | Path, *, expect_continue: bool = False,
               label: str | None = None, precision: str = "float64") -> dict:
    """Run a MuMax3 script on the cpu engine; write MuMax3's outputs into ``out_dir``.

    Parameters
    ----------
    path : str or Path
        The ``.mx3`` script.
    out_dir : str or Path
        Output directory: ``table.txt``, ``<quantity>%06d.ovf``, ``expects.csv``.
    expect_continue : bool
        Record a failed ``expect`` and go on (the caller exits 1 at the end) instead of stopping.
    label : str, optional
        The script's name in error messages and progress lines (default: ``path``).
    precision : {"float64", "float32"}
        Arithmetic of the run (:data:`PRECISIONS`); time and table times stay float64, as in MuMax3.

    Returns
    -------
    dict
        ``table_rows``, ``snapshots``, ``solver_steps``, ``torque_evaluations``, ``expects``
        (every expect as a dict) and ``expects_failed``.

    Raises
    ------
    ScriptError
        Before anything runs, for a script the checker refuses; while running, for an error
        MuMax3 would also stop on (message with the line).
    ExpectFailed
        A failed expect (unless ``expect_continue``).

    Example
    -------
    >>> info = run_script("standardproblem4.mx3", "out/")   # doctest: +SKIP
    >>> info["expects_failed"]                              # doctest: +SKIP
    0
    """
    from spinlif.mx3.interpreter import Checker, Evaluator
    from spinlif.mx3.physics import PhysicsError

    path, out_dir = Path(path), Path(out_dir)
    shown = label or str(path)
    text = path.read_text()
    tree = parse(text, shown)
    out_dir.mkdir(parents=True, exist_ok=True)
    world = _world(out_dir, path, expect_continue, Path(shown).stem, precision)
    bindings = world.bindings()
    Checker(bindings, shown).check(tree)
    try:
        Evaluator(world, bindings, shown).run(tree)
    except PhysicsError as err:
        raise ScriptError(str(err), None, shown) from err
    finally:
        world.close()
        write_expects(world.expects, out_dir / "expects.csv")
    return {
        "table_rows": world.n_rows,
        "snapshots": world.n_saved,
        "solver_steps": world.clock.n_steps,
        "torque_evaluations": world.magnet.n_evals,
        "expects": world.expects,
        "expects_failed": sum(not e["passed"] for e in world.expects),
        "precision": precision,
    }


def write_expects(expects: list[dict], path: Path) -> None:
    """``expects.csv``: name, component, value, expected, tolerance, passed (one row per expect)."""
    if not expects:
        return
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["name", "component", "value", "expected", "tolerance", "passed"])
        w.writeheader()
        for e in expects:
            w.writerow({**e, "value": repr(e["value"]), "expected": repr(e["expected"])})


def supported_names() -> list[str]:
    """Every script name the cpu engine binds, as MuMax3 spells it (for the README)."""
    from spinlif.mx3.world import World

    return sorted(World(Path(".")).bindings())


