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


def binary_version(binary: Path, timeout_s: float = 30.0) -> str | None:
    """MuMax3's version line (``mumax 3.x [...]``), from ``mumax3 -vet`` on an empty script.

    MuMax3 prints its version before initialising CUDA, so this works on hosts where the run
    itself then fails; None when nothing version-like is printed in time.
    """
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty.mx3"
        empty.write_text("")
        try:
            out = subprocess.run([str(binary), "-vet", str(empty)], capture_output=True, text=True,
                                 timeout=timeout_s, stdin=subprocess.DEVNULL)
        except (subprocess.TimeoutExpired, OSError):
            return None
    match = _VERSION.search(out.stdout + "\n" + out.stderr)
    return match.group(1).strip() if match else None


def nan_abort(log_text: str) -> bool:
    """MuMax3 panics with "NaN" when an average becomes NaN (mumax3-facts.md section 2, exit 2)."""
    return bool(re.search(r"panic:.*NaN|\bNaN\b.*panic", log_text))
