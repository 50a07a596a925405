# SPDX-License-Identifier: GPL-3.0-or-later
"""The JSON schemas in ``workflow/schemas`` and validation against them, with messages a physicist can
act on: the dotted key, the value, and what is allowed."""

from __future__ import annotations

import copy
import re
from functools import cache
from pathlib import Path
from typing import Any

import sys

# jsonschema imports rfc3987_syntax, when some other tool installed it, for its "iri" format checker; that
# builds a lark grammar at import, 1.8 s in every spinlif process. spinlif checks no formats: keep it out.
sys.modules.setdefault("rfc3987_syntax", None)
import jsonschema  # noqa: E402
import yaml

from spinlif.errors import SpecError


REPO = Path(__file__).resolve().parents[1]


SCHEMAS = REPO / "workflow" / "schemas"


@cache
def load_schema(name: str) -> dict:
    """Load one of the JSON schemas in ``workflow/schemas``."""
    with open(SCHEMAS / f"{name}.schema.yaml") as f:
        return yaml.safe_load(f)


def observables_settings_schema(device: str) -> dict:
    """The JSON schema of ``observables.<device>`` (with its defaults): the device's
    ``OBSERVABLE_SETTINGS``, the one place they live."""
    from spinlif.devices import device_module

    return device_module(device).OBSERVABLE_SETTINGS


def observable_defaults(device: str) -> dict:
    """Defaults of ``observables.<device>``."""
    props = observables_settings_schema(device)["properties"]
    return {k: copy.deepcopy(v["default"]) for k, v in props.items()}


@cache
def device_schema(device: str) -> dict:
    """The run-spec schema of one device: ``devices/<device>.schema.yaml`` with the shared
    sections (``$defs``) of ``run_spec.schema.yaml`` merged in."""
    with open(SCHEMAS / "devices" / f"{device}.schema.yaml") as f:
        schema = yaml.safe_load(f)
    schema["$defs"] = {**load_schema("run_spec")["$defs"], **schema.get("$defs", {})}
    return schema


def _allowed(error: jsonschema.ValidationError) -> str:
    v, val = error.validator, error.validator_value
    if v == "enum":
        return "one of " + ", ".join(repr(x) for x in val)
    if v == "const":
        return f"exactly {val!r}"
    if v == "type":
        return f"a value of type {val}"
    if v in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        sym = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}[v]
        return f"a number {sym} {val}"
    if v == "required":
        return f"the key(s) {', '.join(repr(k) for k in val)}"
    if v == "additionalProperties":
        props = sorted(error.schema.get("properties", {}))
        return "only the keys " + ", ".join(props) if props else "no extra keys"
    if v in ("minItems", "maxItems"):
        return f"{'at least' if v == 'minItems' else 'at most'} {val} items"
    if v == "pattern":
        return f"a string matching {val}"
    return f"{v} {val!r}"


def format_validation_error(error: jsonschema.ValidationError, root: str) -> str:
    """One line: where (dotted key), the offending value, what is allowed, and what the key means."""
    path = root
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return f"{path}: unknown key(s) {', '.join(map(repr, extra))}; allowed: {_allowed(error)}"
    if error.validator == "required":
        missing = [k for k in error.validator_value if k not in error.instance]
        return f"{path}: missing key(s) {', '.join(map(repr, missing))}"
    desc = error.schema.get("description", "")
    msg = f"{path} = {error.instance!r}: must be {_allowed(error)}"
    if error.validator == "type" and isinstance(error.instance, str):
        msg += " (YAML reads 1e-9 as text; write 1.0e-9)"
    return msg + (f" ({' '.join(desc.split())})" if desc else "")


def validate(instance: Any, schema: str | dict, root: str) -> None:
    """Validate against a schema (a name in ``workflow/schemas`` or the schema itself); raise
    :class:`SpecError` listing every problem found."""
    validator = jsonschema.Draft202012Validator(load_schema(schema) if isinstance(schema, str) else schema)
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        lines = [format_validation_error(e, root) for e in errors]
        raise SpecError("invalid " + root + ":\n  " + "\n  ".join(lines))


# text that can only mean a real number: a mantissa with an exponent (YAML 1.1 reads ``1e-9`` as text) or
# with a decimal point (Snakemake's ``--config`` reads nested values such as ``{threshold_mz: 0.42}`` as text)
_FLOAT_TEXT = re.compile(r"^[-+]?((\d+\.?\d*|\.\d+)[eE][-+]?\d+|\d+\.\d*|\.\d+)$")


def coerce_numbers(obj: Any) -> Any:
    """Turn strings such as ``'1e-9'`` (YAML 1.1 reads them as text) into floats, recursively."""
    if isinstance(obj, dict):
        return {k: coerce_numbers(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [coerce_numbers(v) for v in obj]
    if isinstance(obj, str) and _FLOAT_TEXT.match(obj.strip()):
        return float(obj)
    return obj
