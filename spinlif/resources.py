# SPDX-License-Identifier: GPL-3.0-or-later
"""Cluster/workstation resource requests of a simulate job, from its spec.

Estimates (rescaled by retries, so a run that timed out is resubmitted with more):
* steps: ~4500 RK45 steps per simulated ns at 2 nm in-plane cells (cpu-engine-facts.md: the step
  is set by the exchange stiffness, not the dynamics; MuMax3's RK45 at MaxErr 1e-5 behaves alike),
  scaled by (2 nm / smallest cell)^2 (the exchange frequency grows as 1/dx^2: the AFM strip at
  0.5 nm needs ~43000 steps per ns, measured);
* mumax3: ~2e8 cell-steps/s for paper-sized grids (far below the 2e9 of a saturated H100, since
  small grids are launch-latency bound: mumax3-facts.md section 5); plus 10 min of queue/start slack;
* cpu: ~2e5 cell-steps/s on one core for small grids (measured here: 1024 cells at ~2.2 ns/min);
* memory: 1.5 GB for the interpreter and libraries plus ~4 kB per cell;
* a device whose step is not set by the cells' exchange (a macrospin) declares ``STEPS_PER_NS`` (a
  number, or a function of the spec); a step then costs the larger of the engine's per-step floor,
  ~300 steps/s for the cpu engine (its per-call overhead, issue 18) and ~2000 steps/s for MuMax3
  (kernel launch latency), and its cells' work at the cell-step rates above.
"""

from __future__ import annotations

import math

from spinlif.devices import device_module, grid_shape
from spinlif.drive import total_time

STEPS_PER_NS = 4500
CELL_STEPS_PER_S = {"mumax3": 2e8, "cpu": 2e5}
STEPS_PER_S_FLOOR = {"mumax3": 2000, "cpu": 300}


def simulated_cells(spec: dict, engine: str) -> int:
    """Cells the engine integrates: the rendered script's grid, the same for both engines (a
    reduced stack is the spec's own choice, ``stack.variant: effective_medium``)."""
    nx, ny, nz = grid_shape(spec)
    return nx * ny * nz


def runtime_seconds(spec: dict, engine: str) -> float:
    """Estimated simulation time of a run (s) on ``engine``, without queue or start-up slack.

    Parameters
    ----------
    spec : dict
        The run spec (SI).
    engine : str
        ``mumax3`` or ``cpu``.

    Returns
    -------
    float
        Seconds; the workflow starts the longest runs first by it (``simulate_priority``).

    Example
    -------
    >>> from spinlif.spec import base_spec
    >>> spec = base_spec("mtj_hh", "F")
    >>> round(runtime_seconds(spec, "cpu")), round(runtime_seconds(spec, "mumax3"))
    (67, 10)
    """
    declared = getattr(device_module(spec["device"]), "STEPS_PER_NS", None)
    if callable(declared):
        declared = declared(spec)
    if declared:
        per_step = max(1 / STEPS_PER_S_FLOOR[engine], simulated_cells(spec, engine) / CELL_STEPS_PER_S[engine])
        return total_time(spec) * 1e9 * declared * per_step
    steps_per_ns = STEPS_PER_NS * (2e-9 / min(spec["geometry"]["cell"][:2])) ** 2
    return simulated_cells(spec, engine) * total_time(spec) * 1e9 * steps_per_ns / CELL_STEPS_PER_S[engine]


def runtime_minutes(spec: dict, engine: str, attempt: int = 1) -> int:
    """Wall-time request (min): :func:`runtime_seconds` plus start-up slack; doubles with every retry."""
    minutes = runtime_seconds(spec, engine) / 60 + (10 if engine == "mumax3" else 2)
    return math.ceil(minutes * 2 ** (attempt - 1))


def memory_mb(spec: dict, attempt: int = 1) -> int:
    """Host-memory request (MB); +50 % with every retry."""
    nx, ny, nz = grid_shape(spec)
    return math.ceil((1500 + nx * ny * nz * 4e-3) * (1 + 0.5 * (attempt - 1)))
