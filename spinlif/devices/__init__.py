# SPDX-License-Identifier: GPL-3.0-or-later
"""Device families: every public module of this package is one.

Adding a fourth device means four files and nothing else; every stage (sweep expansion,
validation, rendering, both engines, ingest, observables, aggregation) finds it by its name:

1. ``spinlif/devices/<name>.py``: the device spec, providing

   * ``SHORT_NAME`` (directory under ``results/``), ``TABLE_DEVICE_TYPES`` (the ``device_type`` of
     its parameter-table rows), ``TEMPLATE`` (file in ``mx3_templates/``),
     ``DEFAULTS`` (spec sections every run starts from, SI units), ``DEFAULT_PARAM_SET``;
   * ``parameter_set(name) -> dict`` (the material sections of one parameter set);
   * ``check_consistency(spec)`` (physics constraints the schema cannot express);
   * ``grid_shape(spec) -> (nx, ny, nz)``;
   * ``describe(spec) -> dict`` (readable columns of ``results/sweep.csv``, nm and ns);
   * ``template_context(spec) -> dict`` (values for the template, numbers formatted for MuMax3);
   * ``OBSERVABLE_SETTINGS``: the JSON schema of ``observables.<name>`` in the config, with defaults;
   * ``NEURON_THRESHOLD``: the key of ``OBSERVABLE_SETTINGS`` that is the compact neuron's firing
     threshold (``spinlif fit --threshold``), or None;
   * ``FIT_FAMILIES``: the compact-model families fitted to its runs (names in
     ``spinlif.fitting.models.FAMILY_NAMES``; empty: simulated and aggregated, not fitted;
     its rows' ``device_type`` are its ``TABLE_DEVICE_TYPES``);
   * ``TRACE_PLOT``: the kind of its ``traces.png`` (a key of ``spinlif.analysis.plots.TRACE_PLOTS``);
   * optionally ``STEPS_PER_NS``: solver steps per simulated ns where the cells' exchange does not
     set the step (a macrospin), for the resource estimate (``spinlif.resources``).
2. ``workflow/schemas/devices/<name>.schema.yaml``: the run-spec sections of the device.
3. ``mx3_templates/<TEMPLATE>``: its MuMax3 script, the single definition of a run: MuMax3 and the
   cpu engine (:mod:`spinlif.mx3`) both execute the rendered file, so no device has engine code.
4. ``analysis/observables/<name>.py`` (``spinlif.analysis.observables.<name>``):
   ``compute(ds, settings)``.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from types import ModuleType


@cache
def device_names() -> tuple[str, ...]:
    """Names of all device families (the public modules of this package), sorted."""
    return tuple(sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")))


def device_module(name: str) -> ModuleType:
    """The module implementing one device family."""
    if name not in device_names():
        raise KeyError(f"device = {name!r}: allowed are {', '.join(device_names())}")
    return importlib.import_module(f"{__name__}.{name}")


def table_device_types() -> tuple[str, ...]:
    """Every ``device_type`` a parameter-table row may have (``DW``, ``SKY``, ...), in registry order.

    Returns
    -------
    tuple of str
        The devices' ``TABLE_DEVICE_TYPES``, concatenated.

    Example
    -------
    >>> "AFM0D" in table_device_types()
    True
    """
    return tuple(t for name in device_names() for t in device_module(name).TABLE_DEVICE_TYPES)


def fitted_short_names() -> tuple[str, ...]:
    """Short names of the devices whose runs are fitted into parameter-table rows (those with
    ``FIT_FAMILIES``), in registry order.

    Example
    -------
    >>> fitted_short_names()
    ('afm', 'dw', 'mtj', 'sk')
    """
    return tuple(device_module(n).SHORT_NAME for n in device_names() if device_module(n).FIT_FAMILIES)


def by_short_name(short: str) -> ModuleType:
    """The device module whose ``SHORT_NAME`` is ``short`` (its directory under ``results/``).

    Example
    -------
    >>> by_short_name("dw").__name__
    'spinlif.devices.domain_wall'
    """
    for name in device_names():
        if device_module(name).SHORT_NAME == short:
            return device_module(name)
    raise KeyError(f"device = {short!r}: allowed are {', '.join(sorted(short_names().values()))}")


def short_names() -> dict[str, str]:
    """``{device: short name}``: the directory of each device under ``results/``."""
    return {name: device_module(name).SHORT_NAME for name in device_names()}


def grid_shape(spec: dict) -> tuple[int, int, int]:
    """(nx, ny, nz) of the simulation grid (the device decides)."""
    return device_module(spec["device"]).grid_shape(spec)
