# SPDX-License-Identifier: GPL-3.0-or-later
"""The two engines: ``mumax3`` (the user's MuMax3 binary, GPU) and ``cpu`` (spinlif's interpreter of
the same script, :mod:`spinlif.mx3`). Both are run as child processes by :mod:`spinlif.runs`, execute
the same ``.mx3`` and write MuMax3-format outputs."""

from __future__ import annotations


def progress_line(engine: str, run_id: str, t: float, t_total: float, elapsed_s: float) -> str:
    """The progress report of a long run: simulated time / total (ns), rate and ETA."""
    rate = t / elapsed_s * 60e9 if elapsed_s > 0 else 0.0
    eta = (t_total - t) / t * elapsed_s / 60 if t > 0 else float("nan")
    return (f"spinlif[{engine}] run {run_id}: t = {t * 1e9:.3f} / {t_total * 1e9:.3f} ns "
            f"({100 * t / t_total:.0f} %), {rate:.3f} ns/min, ETA {eta:.1f} min")
