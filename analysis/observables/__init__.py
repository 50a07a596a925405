# SPDX-License-Identifier: GPL-3.0-or-later
"""Device observables. One module per device family, named as the device (``spinlif.devices``),
each with ``compute(ds, settings) -> (timeseries DataFrame, snapshot DataFrame, summary dict)``; the
settings' schema is the device's ``OBSERVABLE_SETTINGS`` (``spinlif.devices``)."""

from __future__ import annotations

import importlib
import json
from pathlib import Path


def compute_run_observables(store: str | Path, out_dir: str | Path, config: dict | None = None) -> dict:
    """Compute one run's observables from its ``run.zarr``; write ``timeseries.csv``,
    ``snapshots.csv`` and ``summary.json`` into ``out_dir``. Returns the summary."""
    from spinlif.analysis.store import open_store

    ds = open_store(store)
    device = ds.attrs["device"]
    module = importlib.import_module(f"{__name__}.{device}")
    settings = (config or {}).get("observables", {}).get(device) or default_settings(device)
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


def default_settings(device: str) -> dict:
    """The defaults of ``observables.<device>`` (from the module's ``SETTINGS`` schema)."""
    from spinlif.schema import observable_defaults

    return observable_defaults(device)
