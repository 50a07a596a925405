# SPDX-License-Identifier: GPL-3.0-or-later
"""The ``cpu`` engine: magnum.np on PyTorch, run as its own process.

``python -m spinlif.engines.cpu SPEC.yaml OUT_DIR --threads N`` simulates one run spec and
writes what MuMax3 would write for the rendered script: ``table.txt`` (same columns, units,
float32 values) and ``m%06d.ovf`` snapshots (OVF 2.0 Binary 4) on the spec's grid. It follows
the same :func:`spinlif.spec.drive_schedule`, so both engines run one protocol.

magnum.np changes torch globals, renames the process and may ``exit()`` on import errors
(cpu-engine-facts.md, "Side effects"), so it is imported only here, in this worker process.

The device module builds the physics (:class:`CpuModel`: mesh, material, field terms, initial
state, table columns; the MuMax3-mirroring terms live in :mod:`spinlif.engines.cpu_fields`,
shared with the validation cases); this module integrates it: the relaxation, the drive
schedule, the table rows and the snapshots, the same for every device.

``--stack auto|full|effective_medium`` is for the multilayer devices: stacks too large for the
CPU run as the effective medium of set E (:mod:`spinlif.devices._multilayer`).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from spinlif.engines.cpu_fields import import_backend

PROGRESS_EVERY_S = 10.0
FLUSH_EVERY_S = 5.0  # MuMax3 flushes its table every 5 s


@dataclass
class CpuModel:
    """What the cpu engine integrates for one run spec; built by the device module's ``cpu_model``.

    Arrays use magnum.np's layout ``(nx, ny, nz[, 3])``; SI units. The table gets the columns
    t, <m>, m.region<k> (one per entry of ``region_cells``, repeated ``region_repeat`` times when
    a reduced stack stands for several output layers), then ``scalars`` in order, then J, as the
    device's template adds them with ``TableAdd``.
    """

    shape: tuple[int, int, int]
    cell: tuple[float, float, float]
    material: dict
    magnetic: Any                  # torch bool tensor (nx, ny, nz)
    m0: np.ndarray                 # initial magnetisation (nx, ny, nz, 3)
    conservative: dict             # name -> field term with h(state) and E(state): E_total
    sot: Any                       # non-conservative term (reads the drive), or None
    region_cells: tuple[int, ...]  # z index of table region k = 1, 2, ...
    scalars: list[tuple[str, str, Callable]] = field(default_factory=list)  # (name, unit, f(state))
    region_repeat: int = 1
    to_output: Callable[[np.ndarray], np.ndarray] = lambda m: m  # solver (nz, ny, nx, 3) -> spec grid
    out_cell: tuple[float, float, float] | None = None
    info: dict = field(default_factory=dict)


def cell_centres(shape, cell):
    """Mesh-centred cell-centre coordinates ``(x, y, z)`` in m, each of ``shape`` (MuMax3's
    ``Index2Coord``: x = dx (ix - (nx - 1) / 2), and likewise y and z)."""
    axes = [c * (np.arange(n) - (n - 1) / 2) for n, c in zip(shape, cell)]
    return np.meshgrid(*axes, indexing="ij")


def total_energy(terms: dict) -> Callable:
    """E_total (J) of the conservative terms, as a table-column function."""
    return lambda state: sum(float(term.E(state)) for term in terms.values())


def simulate(spec: dict, out_dir: Path, threads: int = 1, stack: str = "auto") -> dict:
    """Run one spec; write ``table.txt`` and OVF snapshots into ``out_dir``. Returns run info."""
    from analysis.ovf import write_ovf
    from analysis.table import TableWriter
    from spinlif.devices import device_module
    from spinlif.engines import progress_line
    from spinlif.spec import drive_schedule, fs_grid, run_id, total_time

    wall_start = time.time()
    torch, magnumnp = import_backend(threads)
    from magnumnp import LLGSolver, Mesh, State

    drive = {"J": 0.0}
    model: CpuModel = device_module(spec["device"]).cpu_model(spec, torch, stack, lambda s: drive["J"])
    mesh = Mesh(model.shape, model.cell)
    state = State(mesh)
    state.material = model.material
    magnetic = model.magnetic
    state.m = torch.tensor(model.m0) * magnetic.to(torch.float64)[..., None]

    terms = list(model.conservative.values()) + ([model.sot] if model.sot is not None else [])
    llg = LLGSolver(terms, atol=1e-5)

    def save_row():
        m = state.m
        values = [float(v) for v in m[magnetic].mean(dim=0)]
        for _ in range(model.region_repeat):
            for k in model.region_cells:
                values += [float(v) for v in m[:, :, k].mean(dim=(0, 1))]
        values += [float(f(state)) for _, _, f in model.scalars]
        values += [0.0, 0.0, drive["J"]]
        table.write(float(state.t), values)

    def save_snapshot():
        nonlocal snap_count
        m = state.m.detach().cpu().numpy().transpose(2, 1, 0, 3)  # (nz, ny, nx, 3)
        write_ovf(out_dir / f"m{snap_count:06d}.ovf", model.to_output(m), model.out_cell or model.cell,
                  title="m", time=float(state.t))
        snap_count += 1

    # --- relaxation (same as the templates: damped LLG at relax_alpha, no drive, no outputs)
    relax_time = spec["initial_state"]["relax_time"]
    if relax_time > 0:
        state.material["alpha"] = spec["initial_state"]["relax_alpha"]
        llg.step(state, relax_time)
        state.material["alpha"] = spec["material"]["alpha"]
    state.t = 0.0

    columns = [("t", "s"), ("mx", ""), ("my", ""), ("mz", "")]
    for k in range(1, len(model.region_cells) * model.region_repeat + 1):
        columns += [(f"m.region{k}{c}", "") for c in "xyz"]
    columns += [(name, unit) for name, unit, _ in model.scalars]
    columns += [("Jx", "A/m2"), ("Jy", "A/m2"), ("Jz", "A/m2")]
    J0 = spec["drive"]["J0"]
    out_dir = Path(out_dir)
    table = TableWriter(out_dir / "table.txt", columns)
    snap_count = 0

    period_fs = fs_grid(spec["sampling"]["table_period"])
    t_end = total_time(spec)
    rid = run_id(spec)
    save_row()
    save_snapshot()
    last_flush = last_progress = sim_start = time.time()
    n_rows = 1
    for seg in drive_schedule(spec):
        drive["J"] = J0 * seg.i
        # stop at every table row k * period inside the segment and at the segment's end
        a, b = fs_grid(seg.start), fs_grid(seg.end)
        stops = list(range((a // period_fs + 1) * period_fs, b + 1, period_fs))
        if not stops or stops[-1] != b:
            stops.append(b)
        for stop in stops:
            target = stop / 1e15  # exact decimal seconds (stop * FS would carry round-off)
            llg.step(state, target - float(state.t))
            state.t = target  # the solver lands on target; drop its float round-off
            if not torch.isfinite(state.m).all():
                table.close()
                raise FloatingPointError(f"NaN in the magnetisation at t = {target:.4e} s")
            if stop % period_fs == 0:
                save_row()
                n_rows += 1
            now = time.time()
            if now - last_flush > FLUSH_EVERY_S:
                table.flush()
                last_flush = now
            if now - last_progress > PROGRESS_EVERY_S:
                print(progress_line("cpu", rid, target, t_end, now - sim_start), file=sys.stderr, flush=True)
                last_progress = now
        if seg.save:
            save_snapshot()
    table.close()
    return {
        "engine": "cpu",
        "engine_version": f"magnum.np {magnumnp.__version__}, torch {torch.__version__}",
        **model.info,
        "threads": threads,
        "table_rows": n_rows,
        "snapshots": snap_count,
        "wall_time_s": time.time() - wall_start,
        "solver_steps": int(state._step),
    }


def main(argv: list[str] | None = None) -> int:
    import json

    from spinlif.spec import load_spec

    parser = argparse.ArgumentParser(prog="python -m spinlif.engines.cpu",
                                     description="Simulate one run spec with magnum.np on the CPU.")
    parser.add_argument("spec", type=Path)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--stack", choices=["auto", "full", "effective_medium"], default="auto")
    args = parser.parse_args(argv)
    spec = load_spec(args.spec)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    try:
        info = simulate(spec, args.out_dir, threads=args.threads, stack=args.stack)
    except FloatingPointError as err:
        print(f"spinlif[cpu] NaN abort: {err}", file=sys.stderr)
        return 2  # as MuMax3's panic("NaN")
    (args.out_dir / "engine_info.json").write_text(json.dumps(info, indent=2))
    print(f"spinlif[cpu] done: {info['table_rows']} table rows, {info['snapshots']} snapshots, "
          f"{info['solver_steps']} steps, {info['wall_time_s']:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
