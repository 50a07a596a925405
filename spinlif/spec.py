# SPDX-License-Identifier: GPL-3.0-or-later
"""Run specs: one validated, SI-unit description of one simulation, shared by both engines.

A run spec is a plain nested dict that passed ``workflow/schemas/run_spec.schema.yaml``.
It is written to ``spec.yaml`` beside each run; its SHA-256 gives the run id.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml


REPO = Path(__file__).resolve().parents[1]
SCHEMAS = REPO / "workflow" / "schemas"


from spinlif.errors import SpecError  # noqa: F401  (re-exported: spinlif.spec.SpecError)
from spinlif.yaml_input import check_plain_data, load_yaml


# ---------------------------------------------------------------------------------------------
# validation with messages a physicist can act on

@cache
def load_schema(name: str) -> dict:
    """Load one of the JSON schemas in ``workflow/schemas``."""
    with open(SCHEMAS / f"{name}.schema.yaml") as f:
        return yaml.safe_load(f)


def observables_settings_schema(device: str) -> dict:
    """The JSON schema of ``observables.<device>`` (with its defaults): the ``SETTINGS`` of the
    device's observables module, the one place they live."""
    import importlib

    from spinlif.devices import device_module

    device_module(device)  # a clear error for an unknown device
    return importlib.import_module(f"analysis.observables.{device}").SETTINGS


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


def check_track(spec: dict) -> None:
    """Whole numbers of cells along the track (every device with a ``geometry.length``)."""
    g = spec["geometry"]
    pairs = [("length", g["length"], g["cell"][0])]
    if "width" in g:
        pairs.append(("width", g["width"], g["cell"][1]))
    for axis, length, cell in pairs:
        n = length / cell
        if abs(n - round(n)) > 1e-6:
            raise SpecError(f"geometry.{axis} = {length!r} is not a whole number of cells of {cell!r} m")


def check_stack(spec: dict) -> None:
    """One cell per layer and per spacer (multilayer devices)."""
    s, dz = spec["stack"], spec["geometry"]["cell"][2]
    if s["variant"] != "effective_medium":
        if not math.isclose(s["t_fm"], dz, rel_tol=1e-9):
            raise SpecError(f"stack.t_fm = {s['t_fm']!r} must equal the cell height geometry.cell[2] = "
                            f"{dz!r} (one cell per layer)")
        if s["variant"] == "spacers" and not math.isclose(s["t_spacer"], dz, rel_tol=1e-9):
            raise SpecError(f"stack.t_spacer = {s['t_spacer']!r} must equal geometry.cell[2] = {dz!r} "
                            "for variant 'spacers' (one empty cell per spacer)")
    if spec["drive"]["protocol"] == "pulse_train" and spec["drive"]["t_off"] <= 0:
        raise SpecError("drive.t_off = 0 for a pulse_train: use protocol 'dc' for a constant drive")


def check_inside(spec: dict, key: str, value: float, half: float, axis: str = "x") -> None:
    """A mesh-centred position ``value`` (m) must lie inside (-half, half)."""
    if abs(value) >= half:
        raise SpecError(f"{key} = {value!r} lies outside the track along {axis} "
                        f"(-{half!r}, {half!r}); positions are mesh-centred")


def validate_spec(spec: dict, where: str = "spec") -> dict:
    """Validate a run spec (schema and consistency); return it unchanged."""
    from spinlif.devices import device_module, device_names

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


# ---------------------------------------------------------------------------------------------
# derived quantities shared by both engines

@dataclass(frozen=True)
class StackLayout:
    """Where the magnetic layers sit in the simulation grid."""

    nz: int                      # grid cells along z
    dz: float                    # cell height (m)
    layer_cells: tuple[int, ...]  # z index of magnetic layer k (k = 0..n_layers-1)
    scale: float                 # effective-medium factor f = t_fm / (t_fm + t_spacer); 1 otherwise
    free_layer_thickness: float  # MuMax3 FreeLayerThickness (m): one layer, or the period p (set E)


def stack_layout(spec: dict) -> StackLayout:
    """Grid layout of the stack: physics-brief section 1 rows 3-4 and section 2 (set E)."""
    s = spec["stack"]
    n = s["n_layers"]
    dz = spec["geometry"]["cell"][2]
    if s["variant"] == "contiguous":
        return StackLayout(n, dz, tuple(range(n)), 1.0, s["t_fm"])
    if s["variant"] == "spacers":
        return StackLayout(2 * n - 1, dz, tuple(range(0, 2 * n - 1, 2)), 1.0, s["t_fm"])
    period = s["t_fm"] + s["t_spacer"]
    return StackLayout(1, n * period, (0,), s["t_fm"] / period, period)


def grid_shape(spec: dict) -> tuple[int, int, int]:
    """(nx, ny, nz) of the simulation grid (the device decides)."""
    from spinlif.devices import device_module

    return device_module(spec["device"]).grid_shape(spec)


def track_grid_shape(spec: dict) -> tuple[int, int, int]:
    """(nx, ny, nz) of a multilayer track: cells along x and y, the stack along z."""
    g = spec["geometry"]
    return (round(g["length"] / g["cell"][0]), round(g["width"] / g["cell"][1]),
            stack_layout(spec).nz)


def current_direction(spec: dict) -> int:
    """Sign (+1/-1) of the charge current along x.

    For ``forward``, the direction that drives the up|down wall towards +x (T1 -> T2).
    Derivation (mumax3-facts.md section 3a note (i)): the damping-like term with Lambda = 1 equals an
    effective field B = A m x p, A = hbar |theta| J_z / (2 e Ms t) (>0 for J_z > 0). With
    p = sign(theta_SH) * (z x j) = sign(theta_SH) * j_x * y, its z component at the wall centre is
    A p_y m_x. A Neel wall from up (left) to down (right) has m_x = -sign(Dind) at its centre in
    MuMax3's convention (physics-brief section 1, "DMI sign in mumax3"; tests check it on the CPU
    engine), and B_z > 0 grows the up domain, moving the wall to +x. So forward motion needs
    j_x = -sign(theta_SH) * sign(Dind).
    """
    direction = spec["drive"]["current_direction"]
    if direction == "+x":
        return 1
    if direction == "-x":
        return -1
    theta, dmi = spec["material"]["theta_SH"], spec["material"]["Dind"]
    if theta == 0 or dmi == 0:
        return 1  # no preferred direction: the wall does not move steadily
    return -int(math.copysign(1, theta) * math.copysign(1, dmi))


def spin_polarisation_y(spec: dict) -> int:
    """y component (+1/-1) of the spin polarisation p = sign(theta_SH) * (z x j) (MuMax3 FixedLayer)."""
    theta = spec["material"]["theta_SH"]
    return int(math.copysign(1, theta if theta != 0 else 1)) * current_direction(spec)


def wall_mx_at_centre(spec: dict) -> float:
    """m_x at the centre of the up|down wall with the chirality the DMI prefers (MuMax3 Dind sign)."""
    dmi = spec["material"]["Dind"]
    return -math.copysign(1.0, dmi) if dmi != 0 else 0.0


# ---------------------------------------------------------------------------------------------
# the drive schedule: one list of segments, rendered as Run() calls and stepped by the CPU engine

FS = 1e-15
"""Schedule times are kept on a 1 fs grid so that sums of edges stay exact."""


def fs_grid(t: float) -> int:
    """A time (s) as an integer number of femtoseconds."""
    return int(round(t / FS))


def pulse_train_changes(t_on, t_off, duration, amplitude: float) -> list[tuple]:
    """Change points ``[(time, level), ...]`` of an ON/OFF train that starts ON at 0 and is OFF
    from ``duration`` on: pairs (period start, amplitude), (end of ON, 0). Any time unit; the
    schedule uses integer femtoseconds so that edges stay exact."""
    period = t_on + t_off
    changes, k = [], 0
    while k * period < duration:
        start = k * period
        changes += [(start, amplitude), (min(start + t_on, duration), 0.0)]
        k += 1
    return changes


@dataclass(frozen=True)
class Segment:
    """Constant drive ``i`` from ``start`` to ``end`` (s); a snapshot is saved at ``end`` if ``save``."""

    start: float
    end: float
    i: float
    save: bool

    @property
    def duration(self) -> float:
        return (fs_grid(self.end) - fs_grid(self.start)) / 1e15  # the exact decimal, not n * 1e-15


def drive_schedule(spec: dict) -> list[Segment]:
    """Piecewise-constant drive with snapshot times, physics-brief section 3.0.

    Pulse trains are explicit ON/OFF segments so that both solvers restart exactly at each
    edge (no adaptive step straddles a discontinuity). Snapshots: at every ON/OFF edge for the
    first ``snapshot_edge_periods`` periods, then every ``snapshot_period``, and at the end.
    The snapshot at t = 0 is not a segment: engines save it before the first segment.
    """
    d, smp = spec["drive"], spec["sampling"]
    duration, tail = fs_grid(d["duration"]), fs_grid(d["tail"])
    level: list[tuple[int, float]] = []  # (start time, i) change points
    edges_for_snapshots: set[int] = set()
    if d["protocol"] == "pulse_train":
        t_on, t_off = fs_grid(d["t_on"]), fs_grid(d["t_off"])
        level = pulse_train_changes(t_on, t_off, duration, d["amplitude"])
        for k in range(min(smp.get("snapshot_edge_periods", 0), len(level) // 2)):
            (start, _), (off, _) = level[2 * k], level[2 * k + 1]
            edges_for_snapshots.update({start, off, min(start + t_on + t_off, duration)})
    elif d["protocol"] == "dc":
        level.append((0, d["amplitude"]))
    else:
        level.append((0, 0.0))
    end = duration + tail
    level.append((duration, 0.0))
    snap_period = fs_grid(smp["snapshot_period"])
    snapshots = set(range(snap_period, end + 1, snap_period)) | edges_for_snapshots | {end}
    snapshots.discard(0)
    change = {}
    for t, i in level:  # later entries at the same time win (an OFF edge at the train's end)
        change[t] = i
    breakpoints = sorted({t for t in change if t < end} | {t for t in snapshots if t <= end} | {0, end})
    segments = []
    current = change[0]
    for a, b in zip(breakpoints[:-1], breakpoints[1:]):
        current = change.get(a, current)
        segments.append(Segment(a * FS, b * FS, float(current), b in snapshots))
    return _merge_unsaved(segments)


def _merge_unsaved(segments: list[Segment]) -> list[Segment]:
    """Join neighbouring segments with equal drive when no snapshot separates them."""
    out: list[Segment] = []
    for seg in segments:
        if out and not out[-1].save and out[-1].i == seg.i:
            prev = out.pop()
            seg = Segment(prev.start, seg.end, seg.i, seg.save)
        out.append(seg)
    return out


def total_time(spec: dict) -> float:
    """Simulated time after t = 0 (s): drive plus tail."""
    return spec["drive"]["duration"] + spec["drive"]["tail"]
