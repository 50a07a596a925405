# SPDX-License-Identifier: GPL-3.0-or-later
"""Read and write MuMax3 ``table.txt`` files.

Format (``../shared/docs/mumax3-facts.md`` section 1.1): one header line
``# t (s)\\tmx ()\\tmy ()...``, TAB-separated ``name (unit)`` labels, float64 time and
float32 values. The file is flushed every 5 s, so a running, killed or crashed run can
end in a partial line; rows after ``Relax()``/``Minimize()`` repeat ``t``. Rows are
therefore indexed by row number, never by time.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["TableError", "read_table", "TableWriter"]

_LABEL = re.compile(r"^(.*) \((.*)\)$")


class TableError(ValueError):
    """Raised for a ``table.txt`` that cannot be read (the message names file and defect)."""


def _parse_header(path: str, line: str) -> tuple[list[str], dict[str, str]]:
    if not line.startswith("#"):
        raise TableError(f"{path}: first line must be the '# t (s)\\t...' header, got {line[:60]!r}")
    labels = line[1:].strip().split("\t")
    names: list[str] = []
    units: dict[str, str] = {}
    for label in labels:
        label = label.strip()
        match = _LABEL.match(label)
        name, unit = (match.group(1), match.group(2)) if match else (label, "")
        if name in units:
            raise TableError(f"{path}: column {name!r} appears twice in the header")
        names.append(name)
        units[name] = unit
    if not names or names[0] != "t":
        raise TableError(f"{path}: the first column must be 't (s)', got {labels[0]!r}")
    return names, units


def read_table(path: str | os.PathLike) -> pd.DataFrame:
    """Read a MuMax3 ``table.txt`` into a DataFrame.

    Columns carry MuMax3's quantity names (``t``, ``mx``, ``m.region1z``, ``E_demag``);
    units are in ``df.attrs["units"]`` (``{"t": "s", "mx": "", ...}``). A partial last
    line (the file of a running or killed run) is dropped and counted in
    ``df.attrs["dropped_partial_rows"]``. Repeated or non-monotonic ``t`` is kept as
    written; the index is the row number.

    Parameters
    ----------
    path : str or os.PathLike
        A ``table.txt`` written by MuMax3 or the cpu engine (tab-separated, ``# t (s)\\tmx ()`` header).

    Returns
    -------
    pandas.DataFrame
        One float column per quantity, in the file's SI units (t in s, energies in J, fields in T).

    Example
    -------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "table.txt"
    >>> _ = path.write_text("# t (s)\\tmx ()\\tmy ()\\tmz ()\\n0\\t1\\t0\\t0\\n1e-12\\t0.99\\t0.1\\t0\\n1e-1")
    >>> df = read_table(path)
    >>> list(df.columns), df.attrs["units"]["t"], len(df), df.attrs["dropped_partial_rows"]
    (['t', 'mx', 'my', 'mz'], 's', 2, 1)
    """
    path = os.fspath(path)
    with open(path, "rb") as f:
        raw = f.read()
    if not raw:
        raise TableError(f"{path}: empty file (MuMax3 writes the header with the first row)")
    text = raw.decode("utf-8", errors="replace").replace("\r\n", "\n")
    header, _, body = text.partition("\n")
    names, units = _parse_header(path, header)

    dropped = 0
    if body and not body.endswith("\n"):
        # The last line was cut by a flush or a kill: it is not a complete row.
        body = body[: body.rfind("\n") + 1]
        dropped = 1
    lines = [ln for ln in body.split("\n") if ln.strip()]
    ncol = len(names)
    good = [ln for ln in lines if ln.count("\t") == ncol - 1]
    if len(good) != len(lines):
        # Only the final row may be short (a kill between writing values); anything else is corruption.
        bad = [i for i, ln in enumerate(lines) if ln.count("\t") != ncol - 1]
        if bad != [len(lines) - 1]:
            raise TableError(f"{path}: data row {bad[0] + 1} has {lines[bad[0]].count(chr(9)) + 1} "
                             f"fields, the header has {ncol}")
        dropped += 1
    if good:
        try:
            df = pd.read_csv(io.StringIO("\n".join(good)), sep="\t", header=None, names=names,
                             dtype=np.float64, engine="c")
        except ValueError as bad:
            raise TableError(f"{path}: unreadable number: {bad}") from None
    else:
        df = pd.DataFrame({name: np.empty(0) for name in names})
    df.attrs["units"] = units
    df.attrs["source"] = path
    df.attrs["dropped_partial_rows"] = dropped
    return df


class TableWriter:
    """Write a ``table.txt`` exactly as MuMax3 does (used by the CPU engine).

    ``columns`` is a sequence of ``(name, unit)``; the first must be ``("t", "s")``.
    Values after ``t`` are written as float32, like MuMax3. Rows are buffered; the caller
    flushes (the CPU engine does so every few seconds, as MuMax3 does every 5 s), so a
    reader of a running simulation sees whole rows plus at most one partial line.
    """

    def __init__(self, path: str | os.PathLike, columns: Sequence[tuple[str, str]]):
        if not columns or tuple(columns[0]) != ("t", "s"):
            raise ValueError("the first table column must be ('t', 's')")
        self.path = Path(path)
        self.columns = [tuple(c) for c in columns]
        self._file = open(self.path, "w", buffering=1 << 16)
        labels = [f"{name} ({unit})" for name, unit in self.columns]
        self._file.write("# " + "\t".join(labels) + "\n")

    def write(self, t: float, values: Sequence[float]) -> None:
        """Append one row: time ``t`` (s) and the other columns' values in order."""
        if len(values) != len(self.columns) - 1:
            raise ValueError(f"expected {len(self.columns) - 1} values, got {len(values)}")
        vals = "\t".join(_go_float32(v) for v in values)
        self._file.write(f"{float(t)!r}\t{vals}\n")

    def flush(self) -> None:
        self._file.flush()

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _go_float32(v: float) -> str:
    """Shortest repr of a float32, as Go prints ``float32(v)``."""
    text = str(np.float32(v))
    return text[:-2] if text.endswith(".0") else text
