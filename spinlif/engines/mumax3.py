# SPDX-License-Identifier: GPL-3.0-or-later
"""The ``mumax3`` engine: the user's MuMax3 binary on a GPU.

Command (mumax3-facts.md section 2 and section 8 item 1):
``mumax3 -f -http= -o OUT -cache CACHE -gpu N script.mx3``: ``-f`` clears stale files from an
earlier run in OUT, ``-http=`` keeps the web GUI off in batch runs, ``-cache`` shares demag kernels
between runs of the same grid.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

ENV_BINARY = "SPINLIF_MUMAX3"

INSTALL_HINT = (
    "MuMax3 is an external GPU program that spinlif does not install. Get a release for your CUDA "
    "version from the MuMax3 download page (https://mumax.github.io/download.html), then put "
    "'mumax3' on PATH, or set $SPINLIF_MUMAX3=/path/to/mumax3, or set mumax3_binary in a profile's "
    "config. Without an NVIDIA GPU, run with --engine cpu (spinlif's MuMax3 script interpreter on the CPU; small tracks only)."
)


class MuMax3NotFound(FileNotFoundError):
    """No usable mumax3 binary; the message says where we looked and how to get one."""


def find_binary(explicit: str | os.PathLike | None = None) -> Path:
    """The mumax3 executable: ``explicit`` (CLI/config), else ``$SPINLIF_MUMAX3``, else PATH."""
    tried = []
    for label, candidate in (("--mumax3/config", explicit), (f"${ENV_BINARY}", os.environ.get(ENV_BINARY))):
        if candidate:
            path = Path(candidate).expanduser()
            if path.is_file() and os.access(path, os.X_OK):
                return path.resolve()
            tried.append(f"{label} = {candidate} (not an executable file)")
    found = shutil.which("mumax3")
    if found:
        return Path(found).resolve()
    tried.append("'mumax3' on PATH (not found)")
    raise MuMax3NotFound("MuMax3 binary not found; looked at: " + "; ".join(tried) + ".\n" + INSTALL_HINT)


def available(explicit: str | os.PathLike | None = None) -> bool:
    """Whether a mumax3 binary can be found (no GPU check: that happens when it runs)."""
    try:
        find_binary(explicit)
        return True
    except MuMax3NotFound:
        return False


def command(binary: Path, script: Path, out_dir: Path, cache_dir: Path | None, gpu: int | None) -> list[str]:
    """The argv of one batch run."""
    argv = [str(binary), "-f", "-http=", "-o", str(out_dir)]
    if cache_dir is not None:  # else MuMax3's default ($TMPDIR); "-cache ''" would disable the cache
        argv += ["-cache", str(cache_dir)]
    if gpu is not None:
        argv += ["-gpu", str(gpu)]
    return argv + [str(script)]


_VERSION = re.compile(r"^//\s*(mumax\s*\S+.*)$", re.I | re.M)
_GPU = re.compile(r"^//\s*GPU info:\s*(.*)$", re.I | re.M)


def version_from_log(out_dir: Path) -> tuple[str, str]:
    """(version line, GPU line) from MuMax3's ``log.txt``, e.g. ``mumax 3.10 [linux_amd64 ...]``."""
    log = out_dir / "log.txt"
    text = log.read_text(errors="replace")[:4096] if log.exists() else ""
    version = _VERSION.search(text)
    gpu = _GPU.search(text)
    return (version.group(1).strip() if version else "mumax3 (version unknown: no log.txt)",
            gpu.group(1).strip() if gpu else "")


_VERSION_BYTES = re.compile(rb"mumax (3\.\d+(?:\.\d+)?)")


def binary_version(binary: Path, max_bytes: int = 256 * 2**20) -> str | None:
    """MuMax3's version (``mumax 3.11.1``), read from the executable's bytes.

    A real ``mumax3`` prints its version only after CUDA starts (``cmd/mumax3/main.go`` calls
    ``cuda.Init`` before ``printVersion``; shared/tools/mumax3-vet/README.md), so on a login node
    without a GPU running it tells nothing. The Go binary stores the string ``mumax 3.x.y`` in its
    data; the first match is taken.

    Parameters
    ----------
    binary : Path
        The mumax3 executable.
    max_bytes : int
        Read at most this much of it.

    Returns
    -------
    str or None
        ``"mumax 3.11.1"``, or None when the file holds no such string.

    Example
    -------
    >>> binary_version(Path("/opt/mumax3/mumax3"))  # doctest: +SKIP
    'mumax 3.11.1'
    """
    try:
        with open(binary, "rb") as f:
            data = f.read(max_bytes)
    except OSError:
        return None
    match = _VERSION_BYTES.search(data)
    return f"mumax {match.group(1).decode()}" if match else None


def cuda_status(binary: Path, timeout_s: float = 60.0) -> tuple[bool, str]:
    """Whether ``binary`` can start CUDA on this machine, and why not.

    Runs it on an empty script (``-http=`` so that no web server starts, output in a temporary
    directory) and reads what it prints.

    Parameters
    ----------
    binary : Path
        The mumax3 executable.
    timeout_s : float
        Seconds before giving up (s).

    Returns
    -------
    (bool, str)
        True and MuMax3's ``GPU info`` line, or False and the reason: no CUDA driver (the dynamic
        loader cannot find ``libcuda.so.1``, exit 127), a driver but no GPU
        (``CUDA_ERROR_NO_DEVICE``), or the exit status and last line.

    Example
    -------
    >>> cuda_status(Path("/opt/mumax3/mumax3"))  # doctest: +SKIP
    (False, 'no CUDA driver here: libcuda.so.1 not found (exit 127)')
    """
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty.mx3"
        empty.write_text("")
        try:
            out = subprocess.run([str(binary), "-http=", "-o", str(Path(tmp) / "out"), "-v", str(empty)],
                                 capture_output=True, text=True, timeout=timeout_s, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return False, f"no answer in {timeout_s:g} s"
        except OSError as err:
            return False, f"cannot execute: {err}"
    text = out.stdout + "\n" + out.stderr
    gpu = re.search(r"GPU info:\s*(.+)", text)
    if gpu:
        return True, gpu.group(1).strip()
    if out.returncode == 127 or "libcuda.so" in text and "cannot open shared object" in text:
        return False, f"no CUDA driver here: libcuda.so.1 not found (exit {out.returncode})"
    if "CUDA_ERROR_NO_DEVICE" in text:
        return False, "a CUDA driver but no GPU here (CUDA_ERROR_NO_DEVICE)"
    last = [ln for ln in text.splitlines() if ln.strip()]
    return False, f"exit {out.returncode}" + (f": {last[-1][:200]}" if last else "")


def nan_abort(log_text: str) -> bool:
    """MuMax3 panics with "NaN" when an average becomes NaN (mumax3-facts.md section 2, exit 2)."""
    return bool(re.search(r"panic:.*NaN|\bNaN\b.*panic", log_text))
