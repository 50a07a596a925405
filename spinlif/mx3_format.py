# SPDX-License-Identifier: GPL-3.0-or-later
"""Numbers written into MuMax3 scripts."""

from __future__ import annotations


def si(x: float) -> str:
    """A float as MuMax3's Go parser reads it, shortest exact form (``1e-09``, ``800000``)."""
    x = float(x)
    if x == 0:
        return "0"
    if x.is_integer() and abs(x) < 1e6:
        return str(int(x))
    for digits in range(1, 18):
        text = f"{x:.{digits}g}"
        if float(text) == x:
            return text
    return repr(x)
