# SPDX-License-Identifier: GPL-3.0-or-later
"""How big one run may be. Each bound sits far above any run of the source papers (the 400-run paper
config's largest: 0.64 M cells, 7 000 table rows, 730 snapshots, 3.9 GiB of OVF) and far below what
breaks a machine: a spec past one is refused at validation, naming the quantity and the bound, before
anything renders, allocates or schedules (issue 17: ``snapshot_period: 1e-15`` rendered 2.4 GB of
script; a 1e10-cell grid died at allocation)."""

from __future__ import annotations

from spinlif.errors import SpecError

MAX_CELLS = 2**27
"""Cells per run (134 M): MuMax3 needs roughly 0.3-0.5 kB per cell with the padded demag FFT, so one
141 GB H200 holds about this many; the cpu engine needs more per cell."""

MAX_TABLE_ROWS = 10**6
"""``table.txt`` rows per run (~100 MB of text)."""

MAX_SNAPSHOTS = 10**4
"""OVF snapshots per run."""

MAX_SNAPSHOT_BYTES = 32 * 2**30
"""Bytes of OVF snapshots per run (float32, 3 components per cell)."""

MAX_PULSES = 10**5
"""ON/OFF periods of one pulse train (each is two restarts of the solver)."""


def check_run_size(spec: dict, where: str, grid: tuple[int, int, int]) -> None:
    """Refuse a run whose grid, table, snapshots or pulse train exceed the bounds above.

    Parameters
    ----------
    spec : dict
        A run spec that passed its schemas (SI units: times in s).
    where : str
        Its name in messages.
    grid : tuple of int
        (nx, ny, nz) of the run's grid.

    Raises
    ------
    SpecError
        Naming the quantity, the spec keys it follows from, and the bound.

    Example
    -------
    >>> spec = {"drive": {"duration": 1e-9, "tail": 0.0, "protocol": "dc", "t_on": 1e-9, "t_off": 1e-9},
    ...         "sampling": {"table_period": 1e-15, "snapshot_period": 1e-10}}
    >>> check_run_size(spec, "spec", (64, 16, 1))
    Traceback (most recent call last):
    ...
    spinlif.errors.SpecError: spec: 1000000 table rows (drive.duration + drive.tail = 1e-09 s every sampling.table_period = 1e-15 s); at most 1000000 per run
    """
    d, smp = spec["drive"], spec["sampling"]
    cells = grid[0] * grid[1] * grid[2]
    if cells > MAX_CELLS:
        raise SpecError(f"{where}: grid {grid[0]} x {grid[1]} x {grid[2]} = {cells} cells (geometry / cell); "
                        f"at most {MAX_CELLS} per run")
    total = d["duration"] + d["tail"]
    rows = total / smp["table_period"]
    if rows >= MAX_TABLE_ROWS:
        raise SpecError(f"{where}: {rows:.0f} table rows (drive.duration + drive.tail = {total:g} s every "
                        f"sampling.table_period = {smp['table_period']:g} s); at most {MAX_TABLE_ROWS} per run")
    snapshots = total / smp["snapshot_period"] + 3 * smp.get("snapshot_edge_periods", 0)
    if snapshots > MAX_SNAPSHOTS:
        raise SpecError(f"{where}: {snapshots:.0f} snapshots (drive.duration + drive.tail = {total:g} s every "
                        f"sampling.snapshot_period = {smp['snapshot_period']:g} s); at most {MAX_SNAPSHOTS} per run")
    if snapshots * cells * 12 > MAX_SNAPSHOT_BYTES:
        raise SpecError(f"{where}: {snapshots:.0f} snapshots of {cells} cells = {snapshots * cells * 12 / 2**30:.0f} GiB "
                        f"of OVF; at most {MAX_SNAPSHOT_BYTES // 2**30} GiB per run (raise sampling.snapshot_period)")
    if d["protocol"] == "pulse_train":
        pulses = d["duration"] / (d["t_on"] + d["t_off"])
        if pulses > MAX_PULSES:
            raise SpecError(f"{where}: {pulses:.0f} pulses (drive.duration / (drive.t_on + drive.t_off)); "
                            f"at most {MAX_PULSES} per run")
