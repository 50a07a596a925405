# SPDX-License-Identifier: GPL-3.0-or-later
"""The failure summary: every run of the sweep that was attempted and did not complete, and why.

For each run the first stage without its output is found (spec, render, simulate, ingest,
observables). It is listed when that stage was attempted, i.e. it left a log or, for simulate, a
``sim.failed/`` or ``sim.partial/`` directory; of those two the newer is the attempt reported (a
SIGKILLed retry leaves ``sim.partial/`` beside an older ``sim.failed/``). Each row gives the device,
the swept values, the stage, a reason in a few words (``NaN abort``, ``timeout``, ``interrupted``,
``killed``, ``compile error``, ...), whether a plain rerun can help, and the log to read. Written to
``results/failures.csv`` and printed as a table at the end of every Snakemake run.
"""

from __future__ import annotations

import csv
import datetime as _dt
import json
import re
from collections.abc import Iterable
from pathlib import Path

from spinlif.slurm import job_state as _slurm_state  # a module name: tests replace it

COLUMNS = ["run_id", "device", "protocol", "swept", "stage", "reason", "rerun_helps", "attempted_utc",
           "exit_code", "engine", "detail", "log", "path"]

STAGES = ("spec", "render", "simulate", "ingest", "observables")
"""Per-run stages in order, as the workflow's rules name them."""

_OUTPUTS = {"spec": "spec.yaml", "render": "run.mx3", "simulate": "sim/manifest.json", "ingest": "run.zarr",
            "observables": "observables/summary.json"}

# (pattern in a sim.failed reason or the log's tail, short reason, whether a plain rerun can help)
_CAUSES = [
    (r"NaN abort|panic:.*NaN|NaN in the magnetisation", "NaN abort",
     "no: the dynamics diverge; check the spec (drive, cell size) or limit the step (MaxDt)"),
    # SLURM's state before the runner's words: a job SLURM killed at its --time or memory limit was, to
    # the runner, only "interrupted by SIGTERM" (sacct states: sacct(1) "JOB STATE CODES")
    (r"exceeded the wall-time limit|^SLURM: TIMEOUT", "timeout", "yes: the retry asks for twice the runtime"),
    (r"^SLURM: OUT_OF_MEMORY", "out of memory", "yes: the retry asks for 50 % more memory"),
    (r"^SLURM: (NODE_FAIL|PREEMPTED|BOOT_FAIL)", "node failure", "yes"),
    (r"interrupted by SIG\w+", "interrupted", "yes"),
    (r"exited with status -\d+", "killed", "yes"),  # the engine died of a signal (OOM killer, scancel)
    (r"\.mx3:\d+(:\d+)?: ", "compile error", "no: the script does not compile; fix the template or spec"),
    (r"MuMax3 binary not found|mumax3 .*not found", "engine not found",
     "no: install MuMax3 or set engine: cpu (spinlif doctor)"),
    (r"SHA-256 differs|not written by the run|listed in the manifest but missing|hashes to run id",
     "altered output", "no: delete the run's sim/ directory to simulate it again"),
    (r"MemoryError|out of memory|CUDA_ERROR_OUT_OF_MEMORY", "out of memory",
     "yes: the retry asks for 50 % more memory"),
]


def _classify(text: str) -> tuple[str, str]:
    for pattern, reason, helps in _CAUSES:
        if re.search(pattern, text, re.M):
            return reason, helps
    return "error", "maybe: read the log"


def _utc(path: Path) -> str:
    return _dt.datetime.fromtimestamp(path.stat().st_mtime, _dt.timezone.utc).isoformat(timespec="seconds")


def _last_lines(path: Path, n: int = 20) -> list[str]:
    if not path.exists():
        return []
    return [ln for ln in path.read_text(errors="replace").splitlines() if ln.strip()][-n:]


def _first_missing_stage(base: Path) -> str | None:
    for stage in STAGES:
        if not (base / _OUTPUTS[stage]).exists():
            return stage
    return None


def _swept(run) -> str:
    return " ".join(f"{k}={v}" for k, v in run.swept.items())


def _simulate_row(base: Path, log: Path) -> dict | None:
    """The newest simulate attempt of a run without a complete sim/: sim.failed/, sim.partial/, or
    only a log (the runner stopped before it made sim.partial/, e.g. no MuMax3 binary)."""
    failed, partial = base / "sim.failed", base / "sim.partial"
    attempts = [p for p in (failed / "manifest.json", partial) if p.exists()]
    newest = max(attempts, key=lambda p: p.stat().st_mtime, default=None)
    if newest is not None and newest.parent == failed:
        m = json.loads(newest.read_text())
        tail = [ln for ln in m.get("log_tail", []) if ln.strip()]
        slurm = _slurm_state(m.get("scheduler", {}).get("slurm_job_id"))
        reason, helps = _classify((f"SLURM: {slurm}\n" if slurm else "") + m.get("reason", "") + "\n"
                                  + "\n".join(tail[-5:]))
        return {"reason": reason, "rerun_helps": helps, "attempted_utc": m.get("finished_utc", _utc(newest)),
                "exit_code": m.get("exit_code"), "engine": m.get("engine", ""),
                "detail": ((f"SLURM: {slurm} | " if slurm else "") + m.get("reason", "")
                           + (f" | {tail[-1]}" if tail else ""))[:300],
                "log": str(failed / "engine.log"), "path": str(failed)}
    if newest is not None:
        return {"reason": "killed", "rerun_helps": "yes",
                "attempted_utc": _utc(newest), "exit_code": None, "engine": "",
                "detail": "stopped before it could record anything (SIGKILL, out of memory or node failure)",
                "log": str(log), "path": str(partial)}
    if log.exists():
        lines = _last_lines(log)
        reason, helps = _classify("\n".join(lines))
        return {"reason": reason, "rerun_helps": helps, "attempted_utc": _utc(log), "exit_code": None,
                "engine": "", "detail": (lines[-1] if lines else "")[:300], "log": str(log), "path": str(base)}
    return None


def collect(runs: Iterable, root: str | Path = ".", logs: str | Path = "results/logs") -> list[dict]:
    """Failure rows of the given :class:`spinlif.sweep.Run` objects (the current sweep only).

    Parameters
    ----------
    runs : iterable of spinlif.sweep.Run
        The runs of this invocation's config.
    root : str or Path
        The workflow directory (``results/`` lies under it).
    logs : str or Path
        The rules' log directory under ``root``: ``<logs>/<dw|sk|afm>/<run_id>/<stage>.log``.

    Returns
    -------
    list of dict
        One row per attempted, incomplete run, with the keys of :data:`COLUMNS`; runs not yet
        attempted are not listed.

    Example
    -------
    >>> rows = collect(expand(config))  # doctest: +SKIP
    >>> rows[0]["stage"], rows[0]["reason"], rows[0]["rerun_helps"]  # doctest: +SKIP
    ('simulate', 'NaN abort', 'no: the dynamics diverge; ...')
    """
    rows = []
    for run in runs:
        base = Path(root) / run.results_dir
        stage = _first_missing_stage(base)
        if stage is None:
            continue
        log_dir = Path(root) / logs / Path(run.results_dir).parts[1] / run.run_id
        log = log_dir / f"{stage}.log"
        if stage == "simulate":
            row = _simulate_row(base, log)
        elif log.exists():
            lines = _last_lines(log)
            reason, helps = _classify("\n".join(lines))
            row = {"reason": reason if reason != "error" else f"{stage} error", "rerun_helps": helps,
                   "attempted_utc": _utc(log), "exit_code": None, "engine": "",
                   "detail": (lines[-1] if lines else "")[:300], "log": str(log), "path": str(base)}
        else:
            row = None
        if row is not None:
            rows.append({"run_id": run.run_id, "device": run.device, "protocol": run.protocol,
                         "swept": _swept(run), "stage": stage, **row})
    return rows


def lasting_failures(runs: Iterable, root: str | Path = ".") -> dict[str, str]:
    """``{run_id: reason}`` of runs whose newest simulation failed in a way a plain rerun repeats
    (``NaN abort``, ``compile error``...), recorded after the run's current script was rendered.

    The workflow leaves these out of their device's aggregate, so one diverging run does not block
    the device's dataset, fits and table (issue 17 item 10); the table's provenance names them. A run
    whose script is re-rendered after the failure (a changed template or spinlif) is tried again.

    Parameters
    ----------
    runs : iterable of spinlif.sweep.Run
    root : str or Path
        The workflow directory.

    Returns
    -------
    dict
        Run id to the short reason.

    Example
    -------
    >>> lasting_failures(expand(config))  # doctest: +SKIP
    {'3c7f215d29': 'NaN abort'}
    """
    out = {}
    for row in collect(runs, root):
        if row["stage"] != "simulate" or not row["rerun_helps"].startswith("no"):
            continue
        failed = Path(row["path"])
        script = failed.parent / _OUTPUTS["render"]
        if failed.name == "sim.failed" and script.exists() and \
                (failed / "manifest.json").stat().st_mtime >= script.stat().st_mtime:
            out[row["run_id"]] = row["reason"]
    return out


def write_csv(rows: list[dict], path: str | Path) -> None:
    """Write ``failures.csv`` (a header only when nothing failed)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def format_table(rows: list[dict]) -> str:
    """A readable table of failures (empty string when there are none)."""
    if not rows:
        return ""
    cols = ["run_id", "device", "protocol", "swept", "stage", "reason", "rerun_helps", "log"]
    widths = {c: min(48, max(len(c), *(len(str(r[c] or "")) for r in rows))) for c in cols}
    lines = ["  ".join(c.ljust(widths[c]) for c in cols), "  ".join("-" * widths[c] for c in cols)]
    for r in rows:
        lines.append("  ".join(str(r[c] or "")[: widths[c]].ljust(widths[c]) for c in cols))
    return "\n".join(lines)


def advice(rows: list[dict]) -> str:
    """What to do next: rerun when that can help, and which runs would fail again as they are."""
    repeat = [r["run_id"] for r in rows if r["rerun_helps"].startswith("no")]
    if not repeat:
        return "Rerun `snakemake` to redo exactly these runs."
    head = ("Rerun `snakemake` to redo the others; " if len(repeat) < len(rows) else "")
    return (head + f"{len(repeat)} would fail again as they are ({', '.join(repeat[:5])}"
            + (", ..." if len(repeat) > 5 else "") + "): see rerun_helps in results/failures.csv.")


def summarise(runs: Iterable, root: str | Path = ".", csv_path: str | Path = "results/failures.csv") -> list[dict]:
    """Write ``failures.csv`` and return the rows."""
    rows = collect(runs, root)
    write_csv(rows, Path(root) / csv_path)
    return rows
