# SPDX-License-Identifier: GPL-3.0-or-later
"""Pieces shared by the validation cases: the CPU engine's output writer and the evaluation record."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from spinlif.units import MU0


@dataclass
class Evaluation:
    """What a case measured: ``values[quantity]`` (a float or a vector, in the unit of cases.yaml),
    notes per quantity, and a matplotlib figure to save beside the case's results."""

    values: dict[str, Any]
    notes: dict[str, str] = field(default_factory=dict)
    figure: Any = None


class MumaxStyleOutput:
    """Writes ``table.txt`` and ``m%06d.ovf`` as MuMax3 would for the case's script (CPU engine)."""

    def __init__(self, out_dir: Path, columns: list[tuple[str, str]], cell: tuple[float, float, float]):
        from analysis.table import TableWriter

        self.out_dir = Path(out_dir)
        self.table = TableWriter(self.out_dir / "table.txt", [("t", "s")] + list(columns))
        self.cell = tuple(float(c) for c in cell)
        self.snapshots = 0
        self.rows = 0

    def row(self, t: float, values: list[float]) -> None:
        self.table.write(float(t), [float(v) for v in values])
        self.rows += 1

    def snapshot(self, m_xyz, t: float) -> None:
        """``m_xyz``: a torch or numpy array in magnum.np layout (nx, ny, nz, 3)."""
        from analysis.ovf import write_ovf

        m = m_xyz.detach().cpu().numpy() if hasattr(m_xyz, "detach") else np.asarray(m_xyz)
        write_ovf(self.out_dir / f"m{self.snapshots:06d}.ovf", m.transpose(2, 1, 0, 3), self.cell,
                  title="m", time=float(t))
        self.snapshots += 1

    def close(self) -> None:
        self.table.close()


def field_from_tesla(torch, shape, b_tesla) -> Any:
    """A uniform external field mu0 H = ``b_tesla`` (T) as an H array (A/m) of magnum.np's layout."""
    h = torch.zeros(tuple(shape) + (3,))
    for k in range(3):
        h[..., k] = float(b_tesla[k]) / MU0
    return h


def scaled_grid(grid: list[int], cell_scale: float) -> list[int]:
    """In-plane cell counts for a cell size scaled by ``cell_scale`` (z unchanged)."""
    return [round(grid[0] / cell_scale), round(grid[1] / cell_scale), grid[2]]


def mean_vector(df, prefix: str = "m") -> np.ndarray:
    """(rows, 3) array of the table columns ``<prefix>x, <prefix>y, <prefix>z``."""
    return np.stack([df[f"{prefix}{c}"].to_numpy(float) for c in "xyz"], axis=-1)
