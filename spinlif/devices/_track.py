# SPDX-License-Identifier: GPL-3.0-or-later
"""Consistency checks shared by every device with a track (``geometry.length``)."""

from __future__ import annotations

from spinlif.errors import SpecError


def check_track(spec: dict) -> None:
    """Whole numbers of cells along the track (every device with a ``geometry.length``)."""
    g = spec["geometry"]
    pairs = [("length", g["length"], g["cell"][0])]
    if "width" in g:
        pairs.append(("width", g["width"], g["cell"][1]))
    for axis, length, cell in pairs:
        n = length / cell
        if abs(n - round(n)) > 1e-6:
            raise SpecError(f"geometry.{axis} = {length!r} is not a whole number of cells of {cell!r} m")


def check_inside(spec: dict, key: str, value: float, half: float, axis: str = "x") -> None:
    """A mesh-centred position ``value`` (m) must lie inside (-half, half)."""
    if abs(value) >= half:
        raise SpecError(f"{key} = {value!r} lies outside the track along {axis} "
                        f"(-{half!r}, {half!r}); positions are mesh-centred")
