# SPDX-License-Identifier: GPL-3.0-or-later
"""Advisory file locks (``flock``), released by the kernel when their holder dies however it dies:
GPU slots (:mod:`spinlif.gpu`) and run directories (:func:`spinlif.runs.run_lock`)."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


def try_lock(path: str | Path, holder: str) -> int | None:
    """Take an exclusive lock on ``path`` (created if missing) without waiting.

    Parameters
    ----------
    path : str or Path
        The lock file.
    holder : str
        Written into the file while held, for whoever finds it taken (e.g. pid and host).

    Returns
    -------
    int or None
        The open descriptor holding the lock (give it to :func:`unlock`), or None if it is held.

    Example
    -------
    >>> fd = try_lock("/tmp/example.lock", "pid 1")  # doctest: +SKIP
    >>> unlock(fd)  # doctest: +SKIP
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    os.ftruncate(fd, 0)
    os.write(fd, holder.encode())
    return fd


def unlock(fd: int) -> None:
    """Release and close a descriptor from :func:`try_lock`."""
    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)


def holder(path: str | Path) -> str:
    """What the current holder wrote into the lock file ("" if nothing)."""
    try:
        return Path(path).read_text().strip()
    except OSError:
        return ""


def is_held(path: str | Path) -> bool:
    """Whether a live process holds the lock on ``path`` now."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
