# SPDX-License-Identifier: GPL-3.0-or-later
"""The failure summary: every run of the sweep that did not complete, and why.

A run failed when its directory holds ``sim.failed/`` (the runner recorded the reason) or only
``sim.partial/`` (the job was killed before it could record anything). Written to
``results/failures.csv`` and printed as a table at the end of every Snakemake run.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path

COLUMNS = ["run_id", "device", "protocol", "status", "reason", "exit_code", "engine", "last_log_line", "path"]


def collect(runs: Iterable, root: str | Path = ".") -> list[dict]:
    """Failure rows for the given :class:`spinlif.sweep.Run` objects (current sweep only)."""
    rows = []
    for run in runs:
        base = Path(root) / run.results_dir
        if (base / "sim" / "manifest.json").exists():
            continue
        failed, partial = base / "sim.failed", base / "sim.partial"
        if (failed / "manifest.json").exists():
            m = json.loads((failed / "manifest.json").read_text())
            tail = [ln for ln in m.get("log_tail", []) if ln.strip()]
            rows.append({"run_id": run.run_id, "device": run.device, "protocol": run.protocol,
                         "status": "failed", "reason": m.get("reason", ""), "exit_code": m.get("exit_code"),
                         "engine": m.get("engine", ""), "last_log_line": tail[-1][:200] if tail else "",
                         "path": str(failed)})
        elif partial.exists():
            rows.append({"run_id": run.run_id, "device": run.device, "protocol": run.protocol,
                         "status": "interrupted", "reason": "killed before it finished (no manifest)",
                         "exit_code": None, "engine": "", "last_log_line": "", "path": str(partial)})
    return rows


def write_csv(rows: list[dict], path: str | Path) -> None:
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
    cols = ["run_id", "protocol", "status", "reason", "last_log_line"]
    widths = {c: min(60, max(len(c), *(len(str(r[c] or "")) for r in rows))) for c in cols}
    lines = ["  ".join(c.ljust(widths[c]) for c in cols), "  ".join("-" * widths[c] for c in cols)]
    for r in rows:
        lines.append("  ".join(str(r[c] or "")[: widths[c]].ljust(widths[c]) for c in cols))
    return "\n".join(lines)


def summarise(runs: Iterable, root: str | Path = ".", csv_path: str | Path = "results/failures.csv") -> list[dict]:
    """Write ``failures.csv`` and return the rows."""
    rows = collect(runs, root)
    write_csv(rows, Path(root) / csv_path)
    return rows
