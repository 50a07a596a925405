# SPDX-License-Identifier: GPL-3.0-or-later
"""Expand a sweep config into runs with stable, hash-based run ids.

A sweep value may be a bundle, a mapping of several dotted spec paths set together plus a
``name`` shown in ``results/sweep.csv`` (e.g. a track geometry with its start position).

Order of precedence when building one run's spec (later wins):
device defaults < parameter set < ``devices.<d>.spec`` < sweep point < protocol ``set`` <
protocol ``vary`` combination. Every resulting spec is validated before any job starts.
"""

from __future__ import annotations

import copy
import csv
import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema

from spinlif.devices import device_module, device_names, short_names
from spinlif.yaml_input import check_plain_data
from spinlif.schema import coerce_numbers, load_schema, observable_defaults, observables_settings_schema, validate
from spinlif.spec import SpecError, base_spec, deep_merge, run_id, set_dotted, validate_spec

# swept spec paths already shown by a readable column of the sweep table
_SHOWN = {"param_set", "stack.n_layers", "drive.amplitude", "drive.t_on", "drive.t_off",
          "drive.duration", "initial_state.wall_position"}

SWEEP_COLUMNS = ["run_id", "device", "protocol", "param_set", "n_layers", "drive_protocol",
                 "amplitude", "t_on_ns", "t_off_ns", "duration_ns", "wall_position_nm"]


@dataclass
class Run:
    """One simulation: its id, device, protocol name, full spec and the swept values."""

    run_id: str
    device: str
    protocol: str
    spec: dict
    swept: dict[str, Any] = field(default_factory=dict)

    @property
    def results_dir(self) -> str:
        """``results/<dw|sk|afm>/runs/<run_id>`` (relative to the workflow directory)."""
        return f"results/{short_names()[self.device]}/runs/{self.run_id}"

    def row(self) -> dict[str, Any]:
        """The human-readable line of ``results/sweep.csv`` (lengths in nm, times in ns)."""
        row = {"run_id": self.run_id, "device": self.device, "protocol": self.protocol,
               **device_module(self.device).describe(self.spec)}
        for key, value in self.swept.items():
            if key not in _SHOWN:
                row.setdefault(key, value)
        return row


def _product(options: dict[str, list]) -> list[dict[str, Any]]:
    keys = list(options)
    return [dict(zip(keys, combo)) for combo in itertools.product(*(options[k] for k in keys))]


def normalise_config(config: dict) -> dict:
    """Coerce numeric strings, validate against ``config.schema.yaml`` and fill its defaults."""
    check_plain_data(config, "config")  # before anything walks it: aliases, NaN, size
    config = coerce_numbers(copy.deepcopy(config))
    for section in ("devices", "observables"):
        unknown = sorted(set(config.get(section) or {}) - set(device_names()))
        if unknown:
            raise SpecError(f"config.{section}: unknown device(s) {', '.join(map(repr, unknown))}; "
                            f"allowed: {', '.join(device_names())}")
    validate(config, "config", "config")
    config.setdefault("engine", "auto")
    config.setdefault("mumax3_binary", None)
    config.setdefault("validate", True)
    config.setdefault("max_runs", 10_000)
    snn_defaults = load_schema("config")["properties"]["snn"]["properties"]  # the schema holds them
    config["snn"] = {**{k: copy.deepcopy(v["default"]) for k, v in snn_defaults.items()}, **config.get("snn", {})}
    obs = config.setdefault("observables", {})
    for device in device_names():
        obs[device] = observables_settings(device, obs.get(device, {}), "config")
    return config


def observables_settings(device: str, given: dict, where: str) -> dict:
    """One device's ``observables`` settings: ``given`` over the defaults, validated.

    Parameters
    ----------
    device : str
        A device name (``domain_wall``, ...).
    given : dict
        The settings the config or the command line gives (may be empty).
    where : str
        Their origin in messages (``config``, ``--settings``).

    Returns
    -------
    dict
        The full settings.

    Example
    -------
    >>> observables_settings("domain_wall", {"threshold_mz": 0.8}, "config")["R_read"]
    283.5
    """
    settings = {**observable_defaults(device), **given}
    validate(settings, observables_settings_schema(device), f"{where} observables.{device}")
    return settings


def count_runs(config: dict) -> int:
    """Runs a (normalised) config asks for, counted from its list lengths without building any spec
    (an upper bound: identical specs are simulated once).

    Parameters
    ----------
    config : dict
        A config that passed :func:`normalise_config`.

    Returns
    -------
    int
        Sum over devices and protocols of the sweep points the protocol runs at, times its
        ``vary`` combinations.

    Example
    -------
    >>> count_runs(normalise_config(load_yaml("config/paper.yaml")))  # doctest: +SKIP
    506
    """
    total = 0
    for device, dev in config["devices"].items():
        sweep = dict(dev.get("sweep", {}))
        param_sets = sweep.pop("param_set", [device_module(device).DEFAULT_PARAM_SET])
        points_per_set = math.prod(len(values) for values in sweep.values())
        for proto in dev["protocols"]:
            sets = [p for p in param_sets if p in proto.get("param_sets", param_sets)]
            total += len(sets) * points_per_set * math.prod(len(v) for v in proto.get("vary", {}).values())
    return total


def expand(config: dict) -> list[Run]:
    """All runs of a (normalised) config, validated; raises :class:`SpecError` on the first bad one,
    and before building any spec if the config asks for more than its ``max_runs``."""
    requested = count_runs(config)
    if requested > config["max_runs"]:
        raise SpecError(f"config: the sweep asks for {requested} runs, more than max_runs = {config['max_runs']}; "
                        "shrink the sweep, or raise max_runs in the config if you mean it")
    runs: list[Run] = []
    seen: dict[str, str] = {}
    for device, dev in config["devices"].items():
        sweep = dict(dev.get("sweep", {}))
        param_sets = sweep.pop("param_set", [device_module(device).DEFAULT_PARAM_SET])
        for proto in dev["protocols"]:
            unknown = [p for p in proto.get("param_sets", []) if p not in param_sets]
            if unknown:
                raise SpecError(f"config devices.{device} protocol {proto['name']!r} param_sets = "
                                f"{proto['param_sets']!r}: {unknown} not in the swept param_set {param_sets!r}")
        for point in _product({"param_set": param_sets, **sweep}):
            ps = point.pop("param_set")
            where = f"config devices.{device} (param_set={ps}, " + ", ".join(
                f"{k}={_shown(v)}" for k, v in point.items()) + ")"
            spec = deep_merge(base_spec(device, ps), dev.get("spec", {}))
            for key, value in point.items():
                _apply(spec, key, value, f"{where} sweep")
            for proto in dev["protocols"]:
                if ps not in proto.get("param_sets", [ps]):
                    continue
                pspec = copy.deepcopy(spec)
                for key, value in proto.get("set", {}).items():
                    set_dotted(pspec, key, value, f"{where} protocol {proto['name']!r} set")
                for combo in _product(dict(proto.get("vary", {}))):
                    rspec = copy.deepcopy(pspec)
                    for key, value in combo.items():
                        _apply(rspec, key, value, f"{where} protocol {proto['name']!r} vary")
                    combo = {k: _shown(v) for k, v in combo.items()}
                    label = f"{where}, protocol {proto['name']!r}" + (
                        f" {combo}" if combo else "")
                    try:
                        validate_spec(rspec, where="spec")
                    except (SpecError, jsonschema.ValidationError) as err:
                        raise SpecError(f"{label}:\n{err}") from None
                    rid = run_id(rspec)
                    if rid in seen:
                        continue  # identical physics requested twice: simulate once
                    seen[rid] = label
                    swept = {"param_set": ps, **{k: _shown(v) for k, v in point.items()}, **combo}
                    runs.append(Run(rid, device, proto["name"], rspec, swept))
    return runs


def _apply(spec: dict, key: str, value, where: str) -> None:
    """Set one swept value: a dotted path, or a bundle (a mapping of several dotted paths set
    together, shown by its ``name``), in a sweep or a protocol's ``vary``."""
    if isinstance(value, dict):
        for path, v in value.items():
            if path != "name":
                set_dotted(spec, path, v, f"{where} bundle {key!r}")
    else:
        set_dotted(spec, key, value, where)


def _shown(value):
    """A swept value as the sweep table shows it (a bundle by its name)."""
    return value.get("name", str(value)) if isinstance(value, dict) else value


def write_sweep_table(runs: list[Run], path: str | Path) -> None:
    """Write ``results/sweep.csv``: one row per run, swept values in readable units."""
    rows = [r.row() for r in runs]
    columns = list(SWEEP_COLUMNS)
    for row in rows:
        columns += [k for k in row if k not in columns]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".csv.tmp")
    with open(tmp, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    tmp.replace(path)
