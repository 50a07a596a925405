# SPDX-License-Identifier: GPL-3.0-or-later
"""Pieces shared by the validation cases: the evaluation record and grid and table helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np



@dataclass
class Evaluation:
    """What a case measured: ``values[quantity]`` (a float or a vector, in the unit of cases.yaml),
    notes per quantity, and a matplotlib figure to save beside the case's results."""

    values: dict[str, Any]
    notes: dict[str, str] = field(default_factory=dict)
    figure: Any = None


def scaled_grid(grid: list[int], cell_scale: float) -> list[int]:
    """In-plane cell counts for a cell size scaled by ``cell_scale`` (z unchanged)."""
    return [round(grid[0] / cell_scale), round(grid[1] / cell_scale), grid[2]]


def mean_vector(df, prefix: str = "m") -> np.ndarray:
    """(rows, 3) array of the table columns ``<prefix>x, <prefix>y, <prefix>z``."""
    return np.stack([df[f"{prefix}{c}"].to_numpy(float) for c in "xyz"], axis=-1)
