# SPDX-License-Identifier: GPL-3.0-or-later
"""Device families. Adding one means: a module here (template context and CPU-engine builder),
a template in ``mx3_templates/`` and an observables module in ``analysis/observables/``.

Each device module provides
``TEMPLATE`` (template file name), ``template_context(spec) -> dict`` and
``initial_magnetisation(spec, x, y, z) -> (mx, my, mz)`` (cell-centre coordinates in m,
arrays of the grid's shape; the CPU engine relaxes this state exactly as the template does).
"""

from __future__ import annotations

import importlib
from types import ModuleType

DEVICES = {"domain_wall": "spinlif.devices.domain_wall"}


def device_module(name: str) -> ModuleType:
    """The module implementing one device family."""
    if name not in DEVICES:
        raise KeyError(f"device = {name!r}: allowed are {sorted(DEVICES)}")
    return importlib.import_module(DEVICES[name])
