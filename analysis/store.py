# SPDX-License-Identifier: GPL-3.0-or-later
"""Per-run zarr stores and their aggregation (ecosystem.md section 3).

One store per run (``run.zarr``), written by one job, atomically (temporary name, then rename);
one aggregation step reads them all. No job ever appends to a shared store.

Per-run store layout:

* table series over ``t`` (s): ``m`` (t, component), ``m_layer`` (t, layer, component),
  ``E_demag``, ``E_total`` (J), ``J`` (t, component; A/m^2) and any other table column;
* snapshots over ``(t_snap, z, y, x, component)``: ``m_snapshot``, float32, cell-centre
  coordinates in metres, the mesh centred on 0 as MuMax3 shapes are;
* attrs: ``run_id``, ``device``, ``engine``, ``engine_version``, ``spec`` (JSON), ``spec_sha256``,
  ``template_sha256``, ``spinlif_version``, ``provenance`` (the run manifest, JSON). Every variable
  and coordinate carries ``units`` (UDUNITS strings; ``s`` for time, never ``seconds``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from spinlif.analysis.ovf import read_ovf
from spinlif.analysis.table import read_table

_VECTOR = re.compile(r"^(?P<base>.+?)(?P<c>[xyz])$")
_REGION = re.compile(r"^(?P<q>[^.]+)\.region(?P<k>\d+)$")

UNITS = {"": "1", "A/m2": "A/m^2"}


def _units(u: str) -> str:
    return UNITS.get(u, u)


def table_to_dataset(df: pd.DataFrame) -> xr.Dataset:
    """Group MuMax3 table columns into variables: vectors (``mx my mz`` -> ``m``) and regions
    (``m.region3x`` -> ``m_layer`` at layer 3, 1-based as MuMax3 regions are)."""
    units = df.attrs.get("units", {})
    t = df["t"].to_numpy()
    keep = np.ones(len(t), dtype=bool)
    if len(t) > 1:
        # MuMax3 repeats t after Relax()/Minimize(); keep the last row of each repeated time
        keep[:-1] = np.diff(t) > 0
        if np.any(np.diff(t[keep]) <= 0):
            raise ValueError(f"{df.attrs.get('source')}: table time is not increasing")
    t = t[keep]
    cols = [c for c in df.columns if c != "t"]
    groups: dict[str, dict[str, str]] = {}
    for c in cols:
        m = _VECTOR.match(c)
        if m and all(f"{m['base']}{a}" in df.columns for a in "xyz"):
            groups.setdefault(m["base"], {})[m["c"]] = c
        else:
            groups.setdefault(c, {})[""] = c
    data_vars = {}
    regions: dict[str, dict[int, str]] = {}
    for base, comps in groups.items():
        reg = _REGION.match(base)
        if reg and set(comps) == {"x", "y", "z"}:
            regions.setdefault(reg["q"], {})[int(reg["k"])] = base
            continue
        if set(comps) == {"x", "y", "z"}:
            arr = np.stack([df[comps[a]].to_numpy()[keep] for a in "xyz"], axis=-1)
            data_vars[base] = (("t", "component"), arr, {"units": _units(units.get(comps["x"], ""))})
        else:
            name = base.replace(".", "_")
            data_vars[name] = ("t", df[comps[""]].to_numpy()[keep], {"units": _units(units.get(base, ""))})
    coords = {"t": ("t", t, {"units": "s", "long_name": "simulation time"}),
              "component": ["x", "y", "z"]}
    for q, by_k in regions.items():
        ks = sorted(by_k)
        arr = np.stack([np.stack([df[f"{by_k[k]}{a}"].to_numpy()[keep] for a in "xyz"], axis=-1)
                        for k in ks], axis=1)
        name = "m_layer" if q == "m" else f"{q}_region"
        data_vars[name] = (("t", "layer", "component"), arr,
                           {"units": _units(units.get(f"{by_k[ks[0]]}x", "")),
                            "long_name": f"{q} averaged over each region (region k = magnetic layer k)"})
        coords["layer"] = ("layer", np.array(ks), {"long_name": "magnetic layer (MuMax3 region index)"})
    return xr.Dataset(data_vars, coords=coords)


def read_snapshots(run_dir: Path, prefix: str = "m") -> xr.DataArray | None:
    """All ``<prefix>NNNNNN.ovf`` of a run, stacked over ``t_snap`` (s)."""
    files = sorted(Path(run_dir).glob(f"{prefix}[0-9][0-9][0-9][0-9][0-9][0-9].ovf"))
    if not files:
        return None
    arrays = [read_ovf(f) for f in files]
    grid = lambda a: (a.shape, tuple(a.attrs["cellsize"]))  # noqa: E731
    for f, a in zip(files[1:], arrays[1:]):
        if grid(a) != grid(arrays[0]):
            from spinlif.runs import RunIntegrityError

            raise RunIntegrityError(f"{f}: grid {a.shape[:-1]} of cells {a.attrs['cellsize']} m differs from "
                                    f"{files[0].name}'s {arrays[0].shape[:-1]} of {arrays[0].attrs['cellsize']} m; "
                                    "one run's snapshots must share a grid (a re-meshing script writes them "
                                    "under another name, e.g. with SaveAs)", {})
    times = np.array([a.attrs["time"] for a in arrays])
    stacked = xr.concat(arrays, dim="t_snap", combine_attrs="drop", join="exact")
    stacked = stacked.assign_coords(t_snap=("t_snap", times, {"units": "s", "long_name": "snapshot time"}))
    # mesh-centred coordinates, as MuMax3 shapes and the spec's wall_position use
    for axis in ("x", "y", "z"):
        c = stacked[axis].values
        n = len(c)
        step = arrays[0].attrs["cellsize"]["xyz".index(axis)]
        stacked = stacked.assign_coords({axis: (axis, c - (c[0] - step / 2) - n * step / 2, {"units": "m"})})
    stacked.attrs = {"units": arrays[0].attrs["units"], "long_name": f"{prefix} snapshots",
                     "files": json.dumps([f.name for f in files])}
    return stacked.astype(np.float32)


def ingest_run(run_dir: str | Path, store: str | Path) -> xr.Dataset:
    """Read one complete run directory into ``store`` (a new ``run.zarr``), after checking it
    against its manifest (:func:`spinlif.runs.verify_run`: failed, partial, edited, cut or
    re-labelled runs are refused with the file named)."""
    from spinlif.runs import verify_run

    run_dir, store = Path(run_dir), Path(store)
    manifest = verify_run(run_dir)
    spec_text = (run_dir / "spec.yaml").read_text()
    import yaml

    spec = yaml.safe_load(spec_text)
    ds = table_to_dataset(read_table(run_dir / "table.txt"))
    snaps = read_snapshots(run_dir)
    if snaps is not None:
        ds["m_snapshot"] = snaps
    ds.attrs = {
        "title": f"spinlif run {manifest['run_id']}",
        "run_id": manifest["run_id"],
        "device": spec["device"],
        "engine": manifest["engine"],
        "engine_version": manifest.get("engine_version", ""),
        "spec": json.dumps(spec, sort_keys=True),
        "spec_sha256": manifest["spec_sha256"],
        "template_sha256": manifest.get("template_sha256", ""),
        "spinlif_version": manifest["spinlif_version"],
        "provenance": json.dumps(manifest, sort_keys=True),
        "conventions": "SI units; lengths in m, times in s; mesh centred on 0",
    }
    write_zarr(ds, store)
    return ds


def write_zarr(ds: xr.Dataset, store: str | Path) -> None:
    """Write a dataset to a new zarr store atomically (``<store>.tmp`` then rename)."""
    store = Path(store)
    tmp = store.with_name(store.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    # fixed-width numpy strings have no zarr v3 spec; variable-length UTF-8 has
    ds = ds.copy()
    for name in list(ds.variables):
        if ds[name].dtype.kind == "U":
            ds[name] = ds[name].astype(object)
    encoding = {}
    for name, var in ds.variables.items():
        if name == "m_snapshot":
            encoding[name] = {"chunks": (1,) + var.shape[1:]}
        else:
            encoding[name] = {"chunks": var.shape or None}
    ds.to_zarr(tmp, mode="w", consolidated=False, zarr_format=3, encoding=encoding)
    if store.exists():
        shutil.rmtree(store)
    os.replace(tmp, store)


def open_store(store: str | Path) -> xr.Dataset:
    """Open a spinlif zarr store."""
    import warnings

    with warnings.catch_warnings():
        # Snakemake marks directory() outputs with a .snakemake_timestamp file; zarr notices it
        warnings.filterwarnings("ignore", message=r".*\.snakemake_timestamp.*")
        return xr.open_zarr(store, consolidated=False)


def read_run_observables(out_dir: str | Path):
    """``(summary dict, timeseries DataFrame, snapshots DataFrame)`` of one run's observables directory
    (what :func:`spinlif.analysis.observables.compute_run_observables` wrote)."""
    out_dir = Path(out_dir)
    return (json.loads((out_dir / "summary.json").read_text()), pd.read_csv(out_dir / "timeseries.csv"),
            pd.read_csv(out_dir / "snapshots.csv"))


def _tidy(name: str, frames: dict[str, pd.DataFrame], runs: list[str]) -> xr.Dataset:
    """One observables table of every run as variables ``<name>_<column>`` over ``<name>_row``; the
    coordinate ``<name>_run`` names the run of each row. Each variable records its pandas dtype and
    ``<name>_columns`` (JSON over ``run``) each run's columns, so :func:`read_runs` restores every
    run's table exactly."""
    table = pd.concat([f.assign(_run=r) for r, f in frames.items()], ignore_index=True)
    row = f"{name}_row"
    out = xr.Dataset(coords={row: np.arange(len(table)), f"{name}_run": (row, table["_run"].to_numpy(str))})
    for col in table.columns.drop("_run"):
        dtype = {str(f[col].dtype) for f in frames.values() if col in f}
        values = table[col].to_numpy()
        if values.dtype == object:  # a bool column that some runs lack: 1.0/0.0 with NaN
            values = table[col].astype(float).to_numpy()
        out[f"{name}_{col}"] = (row, values, {"dtype": dtype.pop() if len(dtype) == 1 else str(values.dtype)})
    out[f"{name}_columns"] = ("run", [json.dumps(list(frames[r].columns)) if r in frames else "[]" for r in runs])
    return out


def aggregate(stores: list[Path], sweep_csv: Path, output: Path, *, observables_dirs: list[Path] = (),
              summary_csv: Path | None = None, excluded: dict[str, str] | None = None) -> xr.Dataset:
    """Stack the table series of many runs along ``run`` with the sweep parameters as coordinates.

    Runs differ in length and, for MuMax3, in their exact row times, so the series share a
    ``sample`` dimension with ``t`` (run, sample) as a coordinate (NaN-padded); nothing is
    interpolated. Snapshots stay in the per-run stores (their grids differ with n_layers); the
    ``store`` coordinate points at each. Per-run observable summaries become variables over ``run``.
    ``excluded`` ({run_id: reason}, runs the workflow left out) is recorded in the attributes.

    The dataset carries everything the fits read, so that they read nothing else (issue 13): each
    run's ``spec`` and ``manifest`` (JSON text over ``run``, from the run store's attributes), its
    observables ``summary`` (JSON text), and its observables tables in tidy form,
    ``timeseries_<column>`` over ``timeseries_row`` and ``snapshots_<column>`` over ``snapshots_row``,
    each row labelled by the coordinates ``timeseries_run`` / ``snapshots_run``.
    :func:`read_runs` gives them back per run.
    """
    sweep = pd.read_csv(sweep_csv, dtype={"run_id": str}).set_index("run_id")
    runs = []
    for path in stores:
        ds = open_store(path)
        series = ds.drop_vars([v for v in ds.data_vars if "t_snap" in ds[v].dims])
        series = series.drop_vars([c for c in series.coords if c in ("t_snap", "x", "y", "z")],
                                  errors="ignore")
        n = series.sizes["t"]
        series = series.rename({"t": "sample"}).assign_coords(
            sample=np.arange(n), t=("sample", ds["t"].values, {"units": "s"}))
        series = series.expand_dims(run=[ds.attrs["run_id"]])
        series = series.assign_coords(store=("run", [str(path)]),
                                      engine=("run", [ds.attrs["engine"]]))
        series["spec"] = ("run", [ds.attrs["spec"]], {"units": "1", "description": "the run spec (JSON)"})
        series["manifest"] = ("run", [ds.attrs["provenance"]],
                              {"units": "1", "description": "the run manifest: engine, version, hashes (JSON)"})
        runs.append(series.load())
    combined = xr.concat(runs, dim="run", join="outer", combine_attrs="drop", fill_value=np.nan)
    rid = list(combined.run.values)
    missing = [r for r in rid if r not in sweep.index]
    if missing:
        raise KeyError(f"runs {missing} are not in {sweep_csv}")
    for col in sweep.columns:
        values = sweep.loc[rid, col].to_numpy()
        if values.dtype == object:
            values = values.astype(str)
        combined = combined.assign_coords({col: ("run", values)})
    summaries = []
    tables: dict[str, dict[str, pd.DataFrame]] = {"timeseries": {}, "snapshots": {}}
    for d in observables_dirs:
        path = Path(d) / "summary.json"
        if path.exists():
            summary, series, snaps = read_run_observables(d)
            summaries.append(summary)
            tables["timeseries"][summary["run_id"]] = series
            tables["snapshots"][summary["run_id"]] = snaps
    if summaries:
        by_run = {s["run_id"]: s for s in summaries}
        combined["summary"] = ("run", [json.dumps(by_run.get(r), allow_nan=True) for r in rid],
                               {"units": "1", "description": "the run's observables summary (JSON)"})
        for name, frames in tables.items():
            combined = combined.merge(_tidy(name, frames, rid))
        table = pd.DataFrame(summaries).set_index("run_id")
        if summary_csv:
            merged = sweep.join(table, how="inner")
            merged.to_csv(summary_csv)
        for col in table.columns:
            vals = pd.to_numeric(table.reindex(rid)[col], errors="coerce").to_numpy()
            if np.isfinite(vals).any():
                combined[col] = ("run", vals)
    combined.attrs = {"title": "spinlif aggregated runs", "n_runs": len(rid),
                      "conventions": "SI units; t in s; per-run provenance in each run.zarr (store coordinate)",
                      "sweep_table": str(sweep_csv), "excluded_runs": json.dumps(excluded or {}, sort_keys=True)}
    write_zarr(combined, output)
    return combined


@dataclass
class AggregatedRun:
    """One run of an aggregated dataset, as the fits read it.

    Attributes
    ----------
    run_id : str
        The run's id (first 10 hex digits of its spec hash).
    protocol : str
        Its drive protocol (``dc``, ``pulse_train``, ...; the sweep table's column).
    spec : dict
        The validated run spec (SI units).
    manifest : dict
        The run's manifest: engine, engine version, hashes of its outputs and template.
    t : numpy.ndarray
        Table times (s).
    m : numpy.ndarray
        Average magnetisation, shape (len(t), 3).
    summary : dict
        Its observables summary (empty without observables).
    timeseries, snapshots : pandas.DataFrame
        Its observables tables (columns carry their units: ``t_ns``, ``X_nm``, ...).
    """

    run_id: str
    protocol: str
    spec: dict
    manifest: dict
    t: np.ndarray
    m: np.ndarray
    summary: dict = field(default_factory=dict)
    timeseries: pd.DataFrame = field(default_factory=pd.DataFrame)
    snapshots: pd.DataFrame = field(default_factory=pd.DataFrame)


def _table_of(ds: xr.Dataset, name: str, run_id: str) -> pd.DataFrame:
    if f"{name}_columns" not in ds:
        return pd.DataFrame()
    columns = json.loads(str(ds[f"{name}_columns"].sel(run=run_id).values))
    rows = ds[f"{name}_run"].values == run_id
    return pd.DataFrame({c: ds[f"{name}_{c}"].values[rows].astype(ds[f"{name}_{c}"].attrs["dtype"])
                         for c in columns})


def read_runs(dataset: str | Path) -> list[AggregatedRun]:
    """Every run of an aggregated dataset (:func:`aggregate`), with its spec, manifest and observables.

    The fits read their data here and nowhere else: not the run directories.

    Parameters
    ----------
    dataset : str or Path
        ``results/<device>/dataset.zarr``.

    Returns
    -------
    list of AggregatedRun
        In the dataset's run order. A spec that does not hash to its run id raises ``ValueError``.

    Example
    -------
    >>> from spinlif.analysis.store import read_runs
    >>> runs = read_runs("results/dw/dataset.zarr")  # doctest: +SKIP
    >>> runs[0].spec["drive"]["protocol"], runs[0].snapshots.columns[0]  # doctest: +SKIP
    ('pulse_train', 't_ns')
    """
    from spinlif.schema import coerce_numbers
    from spinlif.spec import run_id as run_id_of
    from spinlif.spec import validate_spec

    ds = open_store(dataset)
    runs = []
    for rid in map(str, ds["run"].values):
        one = ds.sel(run=rid)
        spec = validate_spec(coerce_numbers(json.loads(str(one["spec"].values))), where=f"{dataset}: run {rid}")
        if run_id_of(spec) != rid:
            raise ValueError(f"{dataset}: run {rid}: its spec hashes to {run_id_of(spec)}")
        summary = json.loads(str(one["summary"].values)) if "summary" in ds else None
        runs.append(AggregatedRun(
            rid, str(one["protocol"].values) if "protocol" in one.coords else "", spec,
            json.loads(str(one["manifest"].values)), one["t"].values, one["m"].sel(component=["x", "y", "z"]).transpose("sample", "component").values,
            summary or {}, _table_of(ds, "timeseries", rid), _table_of(ds, "snapshots", rid)))
    return runs
