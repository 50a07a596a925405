# SPDX-License-Identifier: GPL-3.0-or-later
"""Read and write OVF files as MuMax3 and OOMMF write them.

Supported (``../shared/docs/mumax3-facts.md`` section 1.2 and section 8 item 3):

* OVF 2.0 ``Binary 4`` (little-endian float32, control number 1234567.0),
  ``Binary 8`` (float64, control number 123456789012345.0, OOMMF only) and ``Text``;
* OVF 1.0 (``# OOMMF: rectangular mesh v1.0``), whose binary data is big-endian;
* scalar and vector fields (``valuedim`` 1 or 3, any valuedim in fact);
* CRLF headers, keys in any case (old MuMax3 wrote ``Data binary 4``), a footer that
  follows the last float with no newline, and legacy ``xstepsize: 0`` headers.

The reader is numpy-only on purpose: cluster nodes should not need the ubermag stack.
Binary data is read with a single :func:`numpy.fromfile` call at the data offset, so
the reader runs at the speed of reading the bytes (``benchmarks/ovf_reader.py``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import xarray as xr

__all__ = ["OVFError", "OVFHeader", "read_ovf", "read_ovf_array", "read_ovf_header", "write_ovf"]

CONTROL_NUMBER_4 = 1234567.0
CONTROL_NUMBER_8 = 123456789012345.0

_HEADER_SCAN = 1 << 16  # OVF headers are ~1 kB; 64 kB is ample
_BEGIN_DATA = re.compile(rb"^#\s*begin:\s*data\s+(binary\s*4|binary\s*8|text)\s*\r?$", re.I | re.M)
_END_DATA = re.compile(rb"#\s*end:\s*data", re.I)
_TIME_OVF2 = re.compile(r"total simulation time:\s*([-+0-9.eE]+)\s*s", re.I)
_TIME_OVF1 = re.compile(r"time\s*\(s\)\s*:\s*([-+0-9.eE]+)", re.I)


class OVFError(ValueError):
    """Raised for files that are not valid OVF (the message names the file and the defect)."""


@dataclass
class OVFHeader:
    """The parsed header of one OVF segment."""

    path: str
    version: int
    fields: dict[str, str]
    descriptions: list[str]
    data_format: str  # "binary4" | "binary8" | "text"
    data_offset: int  # byte offset of the first data byte (control number for binary)
    shape: tuple[int, int, int] = field(default=(0, 0, 0))  # (nz, ny, nx)
    valuedim: int = 3

    @property
    def time(self) -> float:
        """Simulation time written in the header (s), NaN when there is none."""
        for desc in self.descriptions:
            for pattern in (_TIME_OVF2, _TIME_OVF1):
                match = pattern.search(desc)
                if match:
                    return float(match.group(1))
        return float("nan")


def _error(path, message: str) -> OVFError:
    return OVFError(f"{path}: {message}")


def read_ovf_header(path: str | os.PathLike) -> OVFHeader:
    """Parse the header of an OVF file without reading its data."""
    path = os.fspath(path)
    with open(path, "rb", buffering=0) as f:
        return _read_header(path, f)


def _read_header(path: str, f) -> OVFHeader:
    head = f.read(4096)
    if len(head) == 4096 and b"# begin: data" not in head.lower():
        head += f.read(_HEADER_SCAN - 4096)  # an unusually long header
    return _parse_header(path, head)


def _parse_header(path: str, head: bytes) -> OVFHeader:
    first = head.split(b"\n", 1)[0].strip().lower()
    if first.startswith(b"# oommf ovf 2"):
        version = 2
    elif first.startswith(b"# oommf: rectangular mesh v1") or first.startswith(b"# oommf ovf 1"):
        version = 1
    else:
        raise _error(path, f"not an OVF file: first line is {first[:60]!r}, expected '# OOMMF OVF 2.0' "
                     "or '# OOMMF: rectangular mesh v1.0'")
    start = head.find(b"# Begin: Data ")  # MuMax3 / OOMMF spelling: no regex needed
    match = _BEGIN_DATA.search(head, start) if start >= 0 else _BEGIN_DATA.search(head)
    if match is None:
        raise _error(path, "no '# Begin: Data Binary 4|Binary 8|Text' line in the first 64 kB: "
                     "the file is truncated or not an OVF file")
    data_format = re.sub(rb"\s+", b"", match.group(1).lower()).decode()
    newline = head.find(b"\n", match.end())
    if newline < 0:
        raise _error(path, "file ends right after the '# Begin: Data' line (no data)")
    data_offset = newline + 1

    fields: dict[str, str] = {}
    descriptions: list[str] = []
    for line in head[: match.start()].split(b"\n"):
        key, sep, value = line.lstrip(b"#").partition(b":")
        if not sep:
            continue
        key = key.strip().lower()
        value = value.strip().decode("latin-1")
        if key == b"desc":
            descriptions.append(value)
        elif key not in (b"begin", b"end"):
            fields[key.decode("latin-1")] = value

    try:
        nx, ny, nz = (int(fields[k]) for k in ("xnodes", "ynodes", "znodes"))
    except KeyError as missing:
        raise _error(path, f"header lacks {missing.args[0]!r}") from None
    except ValueError as bad:
        raise _error(path, f"bad node count in header: {bad}") from None
    if version == 1:
        valuedim = 3  # OVF 1 holds vector fields only
    else:
        try:
            valuedim = int(fields.get("valuedim", "3"))
        except ValueError:
            raise _error(path, f"bad valuedim {fields.get('valuedim')!r}") from None
    if min(nx, ny, nz, valuedim) < 1:
        raise _error(path, f"non-positive size: nodes {nx}x{ny}x{nz}, valuedim {valuedim}")
    return OVFHeader(path, version, fields, descriptions, data_format, data_offset,
                     (nz, ny, nx), valuedim)


def _read_binary(header: OVFHeader, f, nbytes_file: int) -> np.ndarray:
    itemsize = 4 if header.data_format == "binary4" else 8
    control = CONTROL_NUMBER_4 if itemsize == 4 else CONTROL_NUMBER_8
    count = int(np.prod(header.shape)) * header.valuedim
    needed = header.data_offset + itemsize * (count + 1)
    if nbytes_file < needed:
        raise _error(header.path, f"short data: the header promises {count} values "
                     f"({needed} bytes with the header) but the file has {nbytes_file} bytes")
    # One read straight into the final array: control number first, then the values.
    buf = np.empty(count + 1, dtype=f"<f{itemsize}")
    f.seek(header.data_offset)
    view = memoryview(buf).cast("B")
    got = 0
    while got < view.nbytes:
        n = f.readinto(view[got:])
        if not n:
            raise _error(header.path, "short data: the file ended inside the data block")
        got += n
    if buf[0] != control:
        # OVF 1 writes big-endian data: the control number decides the byte order
        if buf[:1].byteswap()[0] != control:
            raise _error(header.path, f"bad control number {buf[0]!r} (expected {control!r} for "
                         f"Binary {itemsize}): the data block is corrupt or not Binary {itemsize}")
        buf.byteswap(inplace=True)
    return buf[1:]


def _read_text(header: OVFHeader, f) -> np.ndarray:
    f.seek(header.data_offset)
    body = f.read()
    end = _END_DATA.search(body)
    if end is None:
        raise _error(header.path, "text data has no '# End: Data Text' line: the file is truncated")
    count = int(np.prod(header.shape)) * header.valuedim
    try:
        data = np.array(body[: end.start()].split(), dtype=np.float64)
    except ValueError as bad:
        raise _error(header.path, f"unreadable number in text data: {bad}") from None
    if data.size != count:
        raise _error(header.path, f"short data: the header promises {count} values, "
                     f"the text block holds {data.size}")
    return data


def _axis(header: OVFHeader, axis: str, n: int) -> tuple[np.ndarray, float]:
    """Cell-centre coordinates along one axis, and the step size (legacy files: step 0)."""
    f = header.fields

    def num(key: str, default: float = 0.0) -> float:
        try:
            return float(f.get(key, default))
        except ValueError:
            return default

    step = num(f"{axis}stepsize")
    lo, hi = num(f"{axis}min"), num(f"{axis}max")
    if step <= 0 and hi > lo:
        step = (hi - lo) / n  # legacy MuMax3 wrote xstepsize: 0
    if step <= 0:
        step = 1.0  # nothing to go on: coordinates become cell indices
    base = num(f"{axis}base", lo + step / 2) if f"{axis}base" in f else lo + step / 2
    return base + step * np.arange(n), step


def read_ovf_array(path: str | os.PathLike) -> tuple[np.ndarray, OVFHeader]:
    """The numpy core of the reader: ``(values, header)`` with values shaped
    ``(nz, ny, nx, valuedim)`` in file order (x fastest). One open, one read of the data."""
    path = os.fspath(path)
    with open(path, "rb", buffering=0) as f:
        header = _read_header(path, f)
        if header.data_format == "text":
            data = _read_text(header, f)
        else:
            data = _read_binary(header, f, os.fstat(f.fileno()).st_size)
    nz, ny, nx = header.shape
    return data.reshape(nz, ny, nx, header.valuedim), header


def read_ovf(path: str | os.PathLike) -> xr.DataArray:
    """Read one OVF file into an :class:`xarray.DataArray`.

    Parameters
    ----------
    path : str or os.PathLike
        An OVF 1.0 or 2.0 file, text or binary 4/8 (MuMax3's ``m000000.ovf``, OOMMF, the cpu engine).

    Returns
    -------
    xarray.DataArray
        Dims ``(z, y, x, component)``, coordinates at cell centres in the file's mesh unit
        (metres for MuMax3), ``component`` labelled ``x, y, z`` for 3-vectors (the file's value
        labels otherwise) and attrs ``title``, ``units`` (the value unit), ``time`` (simulation
        time in s, NaN if absent), ``cellsize`` (m) and ``source``.

    Raises
    ------
    OVFError
        For a corrupt file, with the file name and the defect.

    Example
    -------
    >>> import tempfile
    >>> m = np.zeros((1, 2, 4, 3), np.float32); m[..., 2] = 1.0
    >>> path = write_ovf(Path(tempfile.mkdtemp()) / "m000000.ovf", m, (2e-9, 2e-9, 1e-9), time=1e-9)
    >>> a = read_ovf(path)
    >>> a.dims, a.shape, float(a.x[0]), a.attrs["time"], float(a.sel(component="z").mean())
    (('z', 'y', 'x', 'component'), (1, 2, 4, 3), 1e-09, 1e-09, 1.0)
    """
    values, header = read_ovf_array(path)
    nz, ny, nx = header.shape

    xs, dx = _axis(header, "x", nx)
    ys, dy = _axis(header, "y", ny)
    zs, dz = _axis(header, "z", nz)
    labels = header.fields.get("valuelabels", "").split()
    if header.valuedim == 3:
        components = ["x", "y", "z"]
    elif len(labels) == header.valuedim:
        components = labels
    else:
        components = [str(i) for i in range(header.valuedim)]
    units = header.fields.get("valueunits", header.fields.get("valueunit", "")).split()
    meshunit = header.fields.get("meshunit", "m")
    title = header.fields.get("title", "")
    return xr.DataArray(
        values,
        dims=("z", "y", "x", "component"),
        coords={
            "z": ("z", zs, {"units": meshunit}),
            "y": ("y", ys, {"units": meshunit}),
            "x": ("x", xs, {"units": meshunit}),
            "component": components,
        },
        name=title or None,
        attrs={
            "title": title,
            "units": units[0] if units else "",
            "time": header.time,
            "time_units": "s",
            "cellsize": (dx, dy, dz),
            "valuelabels": " ".join(labels),
            "ovf_version": header.version,
            "source": path,
        },
    )


def write_ovf(
    path: str | os.PathLike,
    values: np.ndarray,
    cellsize: tuple[float, float, float],
    *,
    title: str = "m",
    time: float = 0.0,
    units: str = "1",
    labels: list[str] | None = None,
    data_format: str = "binary4",
) -> Path:
    """Write an OVF 2.0 file exactly as MuMax3's ``oommf/ovf2.go`` does.

    ``values`` has shape ``(nz, ny, nx, ncomp)`` (or ``(nz, ny, nx)`` for a scalar);
    ``cellsize`` is ``(dx, dy, dz)`` in metres, ``time`` in seconds. ``data_format`` is
    ``"binary4"`` (MuMax3's default) or ``"text"``. The file is written under a temporary
    name and renamed, so a reader never sees half a file.
    """
    path = Path(path)
    arr = np.asarray(values)
    if arr.ndim == 3:
        arr = arr[..., None]
    if arr.ndim != 4:
        raise ValueError(f"values must have shape (nz, ny, nx[, ncomp]), got {arr.shape}")
    nz, ny, nx, ncomp = arr.shape
    if labels is None:
        labels = [f"{title}_{c}" for c in "xyz"] if ncomp == 3 else [title]
    dx, dy, dz = (float(c) for c in cellsize)
    unit_str = " ".join([units or "1"] * ncomp)
    lines = [
        "# OOMMF OVF 2.0",
        "# Segment count: 1",
        "# Begin: Segment",
        "# Begin: Header",
        f"# Title: {title}",
        "# meshtype: rectangular",
        "# meshunit: m",
        "# xmin: 0",
        "# ymin: 0",
        "# zmin: 0",
        f"# xmax: {_go_float(nx * dx)}",
        f"# ymax: {_go_float(ny * dy)}",
        f"# zmax: {_go_float(nz * dz)}",
        f"# valuedim: {ncomp}",
        f"# valuelabels: {' '.join(labels)}",
        f"# valueunits: {unit_str}",
        # MuMax3 writes the time with two spaces on each side (Fprintln of three operands).
        f"# Desc: Total simulation time:  {_go_float(time)}  s",
        f"# xbase: {_go_float(dx / 2)}",
        f"# ybase: {_go_float(dy / 2)}",
        f"# zbase: {_go_float(dz / 2)}",
        f"# xnodes: {nx}",
        f"# ynodes: {ny}",
        f"# znodes: {nz}",
        f"# xstepsize: {_go_float(dx)}",
        f"# ystepsize: {_go_float(dy)}",
        f"# zstepsize: {_go_float(dz)}",
        "# End: Header",
    ]
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as f:
        f.write(("\n".join(lines) + "\n").encode())
        if data_format == "binary4":
            f.write(b"# Begin: Data Binary 4\n")
            f.write(np.array([CONTROL_NUMBER_4], dtype="<f4").tobytes())
            f.write(np.ascontiguousarray(arr, dtype="<f4").tobytes())
            f.write(b"# End: Data Binary 4\n")
        elif data_format == "text":
            f.write(b"# Begin: Data Text\n")
            flat = np.asarray(arr, dtype=np.float32).reshape(-1, ncomp)
            # MuMax3 prints each float32 followed by a space, one cell per line.
            np.savetxt(f, flat, fmt="%.9g", delimiter=" ", newline=" \n")
            f.write(b"# End: Data Text\n")
        else:
            raise ValueError(f"data_format must be 'binary4' or 'text', got {data_format!r}")
        f.write(b"# End: Segment\n")
    os.replace(tmp, path)
    return path


def _go_float(x: float) -> str:
    """Format like Go's shortest float representation (``1e-09``, ``5e-07``, ``0``)."""
    text = repr(float(x))
    return text[:-2] if text.endswith(".0") else text
