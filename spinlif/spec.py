# SPDX-License-Identifier: GPL-3.0-or-later
"""Run specs: one validated, SI-unit description of one simulation, shared by both engines.

A run spec is a plain nested dict that passed ``workflow/schemas/run_spec.schema.yaml``.
It is written to ``spec.yaml`` beside each run; its SHA-256 gives the run id. This module builds,
validates, hashes, reads and writes specs; the schema and its error messages are
:mod:`spinlif.schema`, the drive schedule :mod:`spinlif.drive`, and device physics lives in
:mod:`spinlif.devices`.
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import yaml

from spinlif.errors import SpecError  # noqa: F401  (re-exported: spinlif.spec.SpecError)
from spinlif.schema import coerce_numbers, device_schema, validate
from spinlif.yaml_input import check_plain_data, load_yaml


# ---------------------------------------------------------------------------------------------
# building specs

def deep_merge(base: dict, override: dict) -> dict:
    """A new dict: ``override`` merged into ``base`` recursively (lists are replaced)."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def set_dotted(spec: dict, dotted: str, value: Any, where: str) -> None:
    """Set ``spec['a']['b'] = value`` for ``dotted = 'a.b'``; unknown paths are an error."""
    parts = dotted.split(".")
    node = spec
    for i, part in enumerate(parts[:-1]):
        if not isinstance(node.get(part), dict):
            known = sorted(k for k, v in node.items() if isinstance(v, dict))
            raise SpecError(f"{where}: unknown spec path {dotted!r} ({'.'.join(parts[:i + 1])!r} "
                            f"is not a section; sections: {', '.join(known)})")
        node = node[part]
    if parts[-1] not in node:
        raise SpecError(f"{where}: unknown spec key {dotted!r}; keys here: {', '.join(sorted(node))}")
    node[parts[-1]] = value


def base_spec(device: str, param_set: str) -> dict:
    """Device defaults merged with one parameter set: a complete spec before config overrides."""
    from spinlif.devices import device_module

    try:
        dev = device_module(device)
        preset = dev.parameter_set(param_set)
    except KeyError as err:
        raise SpecError(err.args[0]) from None
    spec = {"spinlif_spec": 1, "device": device, "param_set": param_set}
    spec = deep_merge(spec, dev.DEFAULTS)
    return deep_merge(spec, preset)


def validate_spec(spec: dict, where: str = "spec") -> dict:
    """Validate a run spec (schema and consistency); return it unchanged."""
    from spinlif.devices import device_module, device_names, grid_shape

    check_plain_data(spec, where)  # NaN passes every min/max of a schema
    validate(spec, "run_spec", where)
    if spec["device"] not in device_names():
        raise SpecError(f"{where}: device = {spec['device']!r}: allowed are {', '.join(device_names())}")
    validate(spec, device_schema(spec["device"]), where)
    device_module(spec["device"]).check_consistency(spec)
    from spinlif.limits import check_run_size

    check_run_size(spec, where, grid_shape(spec))
    return spec


def canonical_json(spec: dict) -> str:
    """The byte-stable JSON of a spec that its hash is taken over."""
    return json.dumps(spec, sort_keys=True, separators=(",", ":"), allow_nan=False)


def spec_hash(spec: dict) -> str:
    """SHA-256 of the canonical JSON of a spec."""
    return hashlib.sha256(canonical_json(spec).encode()).hexdigest()


def run_id(spec: dict) -> str:
    """Short, stable run id: the first 10 hex digits of the spec hash."""
    return spec_hash(spec)[:10]


def load_spec(path: str | Path) -> dict:
    """Read and validate a ``spec.yaml``."""
    spec = coerce_numbers(load_yaml(path))
    if not isinstance(spec, dict):
        raise SpecError(f"{path}: a run spec must be a YAML mapping")
    return validate_spec(spec, where=str(path))


def dump_spec(spec: dict, path: str | Path) -> None:
    """Write a spec as YAML (floats in full precision, keys in a stable order)."""
    Path(path).write_text(yaml.safe_dump(spec, sort_keys=True, default_flow_style=None))
