# SPDX-License-Identifier: GPL-3.0-or-later
"""The cpu engine's on-disk cache of demag kernels and FFTW plans, keyed by grid (issue 18).

As MuMax3's ``-cache`` directory (``engine/demag.go``; default ``$TMPDIR/mumax-kernels``), one
directory holds the real-space demag kernel of each (grid, cell, PBC) and, per host, the FFTW
wisdom of the plans made so far. A run of a grid seen before then skips the kernel's quadrature
(0.7 s at 64 x 8 cells, minutes at 10^5) and FFTW's measuring (0.1-0.5 s per grid).

The directory is ``$SPINLIF_KERNEL_CACHE`` (set from the engine's ``--cache``); unset: the
temporary directory's ``spinlif-kernels``; empty: no cache. Files are written to a temporary name
and renamed, so concurrent runs never read half a file; a file that does not load is recomputed.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import tempfile
from pathlib import Path
from typing import Callable

import numpy as np

CACHE_ENV = "SPINLIF_KERNEL_CACHE"
FORMAT = 1
"""Bumped whenever the kernel's computation changes (spinlif.mx3.demag): old files are not read."""
SYMMETRIC_PAIRS = ((0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2))
"""The six independent (i, j) of the symmetric demag kernel: xx, yy, zz, xy, xz, yz."""


def cache_dir() -> Path | None:
    """The cache directory, or None when caching is off (``$SPINLIF_KERNEL_CACHE`` empty).

    Returns
    -------
    pathlib.Path or None
        ``$SPINLIF_KERNEL_CACHE``, else ``<tempdir>/spinlif-kernels``.

    Example
    -------
    >>> os.environ[CACHE_ENV] = ""
    >>> cache_dir() is None
    True
    >>> del os.environ[CACHE_ENV]
    """
    value = os.environ.get(CACHE_ENV)
    if value == "":
        return None
    return Path(value) if value else Path(tempfile.gettempdir()) / "spinlif-kernels"


def _write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def cached_kernel(n: tuple[int, int, int], cell: tuple[float, float, float], pbc: tuple[int, int, int],
                  compute: Callable[[], list[list[np.ndarray]]]) -> list[list[np.ndarray]]:
    """The demag kernel of ``compute()``, read from the cache when this grid's is there.

    Parameters
    ----------
    n, cell, pbc :
        Grid (cells), cell size (m) and periodic images: the key.
    compute : callable
        Returns the 3 x 3 symmetric kernel (``spinlif.mx3.demag.mumax3_kernel``).

    Returns
    -------
    list of list of numpy.ndarray
        The kernel, K[i][j] is K[j][i].

    Example
    -------
    >>> os.environ[CACHE_ENV] = ""
    >>> K = cached_kernel((1, 1, 1), (1e-9,) * 3, (0, 0, 0), lambda: [[np.eye(3)[i, j] for j in range(3)]
    ...                                                              for i in range(3)])
    >>> float(K[2][2])
    1.0
    >>> del os.environ[CACHE_ENV]
    """
    directory = cache_dir()
    if directory is None:
        return compute()
    key = json.dumps({"format": FORMAT, "n": list(n), "cell": list(cell), "pbc": list(pbc)}, sort_keys=True)
    path = directory / f"demag-{hashlib.sha256(key.encode()).hexdigest()[:24]}.npz"
    try:
        with np.load(path) as stored:
            if str(stored["key"]) == key:
                parts = {pair: stored[f"k{pair[0]}{pair[1]}"] for pair in SYMMETRIC_PAIRS}
                return [[parts[(min(i, j), max(i, j))] for j in range(3)] for i in range(3)]
    except (OSError, KeyError, ValueError):
        pass  # absent, or unreadable: computed again and rewritten
    K = compute()
    try:
        def write(tmp: Path) -> None:
            with open(tmp, "wb") as f:
                np.savez(f, key=np.array(key), **{f"k{i}{j}": K[i][j] for i, j in SYMMETRIC_PAIRS})
        _write_atomically(path, write)
    except OSError:
        pass  # a read-only cache directory costs time, not correctness
    return K


def _wisdom_path() -> Path | None:
    directory = cache_dir()
    host = hashlib.sha256(socket.gethostname().encode()).hexdigest()[:12]
    return None if directory is None else directory / f"fftw-wisdom-{host}.bin"


def load_fftw_wisdom() -> None:
    """Import this host's FFTW wisdom from the cache (plans of grids seen before are then instant)."""
    import pyfftw

    path = _wisdom_path()
    try:
        if path is not None and path.exists():
            pyfftw.import_wisdom(tuple(json.loads(path.read_text())[k].encode("latin-1") for k in ("d", "f", "l")))
    except (OSError, ValueError, KeyError):
        pass


def save_fftw_wisdom() -> None:
    """Write the process's FFTW wisdom (what it loaded plus the plans it made) to the cache."""
    import pyfftw

    path = _wisdom_path()
    if path is None:
        return
    d, f, ld = pyfftw.export_wisdom()
    text = json.dumps({"d": d.decode("latin-1"), "f": f.decode("latin-1"), "l": ld.decode("latin-1")})
    try:
        _write_atomically(path, lambda tmp: tmp.write_text(text))
    except OSError:
        pass
