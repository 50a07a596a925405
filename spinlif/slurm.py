# SPDX-License-Identifier: GPL-3.0-or-later
"""What SLURM's clients say about a job: its state (``sacct``) and its elapsed time (``squeue``).
Each query answers within 10 s or not at all; no SLURM here, no answer."""

from __future__ import annotations

import re
import shutil
import subprocess


def _ask(argv: list[str]) -> str:
    """The first line a SLURM client prints, or "" (no client, an error, or no answer in 10 s)."""
    if shutil.which(argv[0]) is None:
        return ""
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return ""
    lines = out.stdout.strip().splitlines() if out.returncode == 0 else []
    return lines[0].strip() if lines else ""


def job_state(job_id: str | None) -> str:
    """SLURM's word on a job (``sacct -X -j ID -o State``, e.g. ``CANCELLED by 0``, ``TIMEOUT``), or ""
    when there is no job id, no sacct, or no answer within 10 s.

    Parameters
    ----------
    job_id : str or None
        The job (``SLURM_JOB_ID`` as the run's manifest recorded it).

    Returns
    -------
    str
        The state, as sacct prints it.

    Example
    -------
    >>> job_state(None)
    ''
    """
    return _ask(["sacct", "-X", "-n", "-P", "-j", str(job_id), "-o", "State"]) if job_id else ""


def job_elapsed_s(job_id: str) -> float | None:
    """Seconds the SLURM job ``job_id`` has run (``squeue -o %M``), or None without an answer in 10 s.

    A profile's ``--timeout`` (95 % of the job's ``--time``) is measured from the job's start: the
    job step's Snakemake and the runner's imports come first, and on a short limit they are more
    than the 5 % margin (found on a 1-minute job: SLURM's TIMEOUT came before the runner's stop).
    SLURM 22.05 sets no ``SLURM_JOB_START_TIME``; 23.02 and later do, but ``squeue`` serves both.

    Parameters
    ----------
    job_id : str
        ``SLURM_JOB_ID`` of the running job.

    Returns
    -------
    float or None
        Elapsed time (s).

    Example
    -------
    >>> job_elapsed_s("0") is None  # no such job (or no SLURM here)
    True
    """
    match = re.fullmatch(r"(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+)", _ask(["squeue", "-h", "-j", str(job_id), "-o", "%M"]))
    if match is None:
        return None
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return float(((days * 24 + hours) * 60 + minutes) * 60 + seconds)
