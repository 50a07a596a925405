# SPDX-License-Identifier: GPL-3.0-or-later
"""Device observables. One module per device family, each with
``compute(ds, config) -> (timeseries DataFrame, snapshot DataFrame, summary dict)``."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

OBSERVABLES = {"domain_wall": "analysis.observables.domain_wall"}


def compute_run_observables(store: str | Path, out_dir: str | Path, config: dict | None = None) -> dict:
    """Compute one run's observables from its ``run.zarr``; write ``timeseries.csv``,
    ``snapshots.csv`` and ``summary.json`` into ``out_dir``. Returns the summary."""
    from analysis.store import open_store

    ds = open_store(store)
    device = ds.attrs["device"]
    module = importlib.import_module(OBSERVABLES[device])
    settings = (config or {}).get("observables", {}).get(device) or module.default_settings()
    series, snaps, summary = module.compute(ds, settings)
    out_dir = Path(out_dir)
    tmp = out_dir.with_name(out_dir.name + ".tmp")
    tmp.mkdir(parents=True, exist_ok=True)
    series.to_csv(tmp / "timeseries.csv", index=False)
    snaps.to_csv(tmp / "snapshots.csv", index=False)
    (tmp / "summary.json").write_text(json.dumps(summary, indent=2, default=float))
    if out_dir.exists():
        import shutil

        shutil.rmtree(out_dir)
    tmp.replace(out_dir)
    return summary
