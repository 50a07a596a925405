# SPDX-License-Identifier: GPL-3.0-or-later
"""The ``cpu`` engine: magnum.np on PyTorch, run as its own process.

``python -m spinlif.engines.cpu SPEC.yaml OUT_DIR --threads N`` simulates one run spec and
writes what MuMax3 would write for the rendered script: ``table.txt`` (same columns, units,
float32 values) and ``m%06d.ovf`` snapshots (OVF 2.0 Binary 4) on the spec's grid. It follows
the same :func:`spinlif.spec.drive_schedule`, so both engines run one protocol.

magnum.np changes torch globals, renames the process and may ``exit()`` on import errors
(cpu-engine-facts.md, "Side effects"), so it is imported only here, in this worker process.

Physics terms (all SI, fields in A/m; the MuMax3-mirroring ones live in
:mod:`spinlif.engines.cpu_fields`, shared with the validation cases):
* demagnetisation (magnum.np ``DemagField``) and uniaxial anisotropy;
* exchange + interfacial DMI as MuMax3's kernel, with its DMI boundary condition at free edges;
  ``interlayer_exchange`` (J/m, MuMax3 ``ext_InterExchange`` semantics) between adjacent
  magnetic cells of a contiguous stack, nothing across empty spacer cells;
* the spin-Hall SOT as MuMax3's Slonczewski term with Lambda = 1.

Stacks that are too large for the CPU run as the effective medium of set E
(``--stack auto``: full stack up to ``FULL_STACK_MAX_CELLS`` cells); the snapshots are then
written back onto the spec's grid (each magnetic layer holds the medium's magnetisation, the
spacers zero) and every per-layer table column holds the medium's average.
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
from pathlib import Path

import numpy as np

from spinlif.engines.cpu_fields import import_backend, slonczewski_sot_field, stack_exchange_dmi_field

FULL_STACK_MAX_CELLS = 40_000
"""Above this many cells ``--stack auto`` uses the effective medium (set E)."""

PROGRESS_EVERY_S = 10.0
FLUSH_EVERY_S = 5.0  # MuMax3 flushes its table every 5 s


def effective_spec(spec: dict, stack: str) -> tuple[dict, bool]:
    """The spec the solver runs (set E when the stack is reduced) and whether it was reduced."""
    from spinlif.spec import grid_shape

    nx, ny, nz = grid_shape(spec)
    variant = spec["stack"]["variant"]
    reduce = variant != "effective_medium" and (
        stack == "effective_medium" or (stack == "auto" and nx * ny * nz > FULL_STACK_MAX_CELLS))
    if not reduce:
        return spec, False
    reduced = copy.deepcopy(spec)
    reduced["stack"]["variant"] = "effective_medium"
    if variant == "contiguous":
        reduced["stack"]["t_spacer"] = 0.0
    return reduced, True


def build_terms(torch, spec: dict, state, layout, J_of_state):
    """The field terms of one device spec on one magnum.np state: ``(conservative, sot)``."""
    from magnumnp import DemagField, UniaxialAnisotropyField

    from spinlif.spec import spin_polarisation_y

    nx, ny, nz = state.mesh.n
    Ms = state.material["Ms"][..., 0]
    # in the spacer variant no two magnetic cells touch along z, so the coupling acts only in 'contiguous'
    exchange_dmi = stack_exchange_dmi_field(torch, Ms, state.material["A"][..., 0], state.material["Di"][..., 0],
                                            state.mesh.dx, spec["stack"]["interlayer_exchange"])
    sot = slonczewski_sot_field(
        torch, Ms, [0.0, float(spin_polarisation_y(spec)), 0.0],
        pol=abs(spec["material"]["theta_SH"]), epsilon_prime=spec["material"]["epsilon_prime"],
        free_layer_thickness=layout.free_layer_thickness, mesh_thickness=nz * state.mesh.dx[2],
        J_of_state=J_of_state)
    conservative = {
        "demag": DemagField(),
        "exchange_dmi": exchange_dmi,
        "anisotropy": UniaxialAnisotropyField(),
    }
    return conservative, sot


def simulate(spec: dict, out_dir: Path, threads: int = 1, stack: str = "auto") -> dict:
    """Run one spec; write ``table.txt`` and OVF snapshots into ``out_dir``. Returns run info."""
    from analysis.ovf import write_ovf
    from analysis.table import TableWriter
    from spinlif.devices import device_module
    from spinlif.devices.domain_wall import effective_material
    from spinlif.engines import progress_line
    from spinlif.spec import drive_schedule, fs_grid, grid_shape, run_id, stack_layout, total_time

    wall_start = time.time()
    torch, magnumnp = import_backend(threads)
    from magnumnp import LLGSolver, Mesh, State

    device = device_module(spec["device"])
    sim_spec, reduced = effective_spec(spec, stack)
    layout = stack_layout(sim_spec)
    out_layout = stack_layout(spec)
    nx, ny, nz = grid_shape(sim_spec)
    out_shape = grid_shape(spec)
    dx, dy = spec["geometry"]["cell"][:2]
    mesh = Mesh((nx, ny, nz), (dx, dy, layout.dz))
    state = State(mesh)

    mat = effective_material(sim_spec)
    magnetic = torch.zeros((nx, ny, nz), dtype=torch.bool)
    magnetic[:, :, list(layout.layer_cells)] = True
    mask = magnetic.to(torch.float64)
    state.material = {
        "Ms": mat["Ms"] * mask,
        "A": mat["Aex"] * mask,
        "Ku": mat["Ku1"] * mask,
        "Ku_axis": [0.0, 0.0, 1.0],
        "Di": mat["Dind"] * mask,
        "alpha": spec["material"]["alpha"],
    }

    x, y, z = (c.cpu().numpy() for c in mesh.SpatialCoordinate())
    x = x - spec["geometry"]["length"] / 2  # mesh-centred coordinates, as MuMax3 shapes
    y = y - spec["geometry"]["width"] / 2
    mx, my, mz = device.initial_magnetisation(sim_spec, x, y, z)
    m0 = torch.tensor(np.stack([mx, my, mz], axis=-1)) * mask[..., None]
    state.m = m0

    drive = {"J": 0.0}
    conservative, sot = build_terms(torch, sim_spec, state, layout, lambda s: drive["J"])
    terms = list(conservative.values())
    llg = LLGSolver(terms + [sot], atol=1e-5)

    n_out_regions = len(out_layout.layer_cells)

    def averages():
        m = state.m
        total = m[magnetic].mean(dim=0)
        per_layer = [m[:, :, k].mean(dim=(0, 1)) for k in layout.layer_cells]
        if reduced:
            per_layer = per_layer * n_out_regions
        return total, per_layer

    def snapshot_array() -> np.ndarray:
        m = state.m.detach().cpu().numpy().transpose(2, 1, 0, 3)  # (nz, ny, nx, 3)
        if not reduced:
            return m
        full = np.zeros(out_shape[::-1] + (3,), dtype=np.float32)
        for iz in out_layout.layer_cells:
            full[iz] = m[0]
        return full

    # --- relaxation (same as the template: damped LLG at relax_alpha, no drive, no outputs)
    relax_time = spec["initial_state"]["relax_time"]
    if relax_time > 0:
        state.material["alpha"] = spec["initial_state"]["relax_alpha"]
        llg.step(state, relax_time)
        state.material["alpha"] = spec["material"]["alpha"]
    state.t = 0.0

    columns = [("t", "s"), ("mx", ""), ("my", ""), ("mz", "")]
    for k in range(1, n_out_regions + 1):
        columns += [(f"m.region{k}{c}", "") for c in "xyz"]
    columns += [("E_demag", "J"), ("E_total", "J"), ("Jx", "A/m2"), ("Jy", "A/m2"), ("Jz", "A/m2")]
    J0 = spec["drive"]["J0"]
    out_dir = Path(out_dir)
    table = TableWriter(out_dir / "table.txt", columns)
    snap_count = 0
    cell_out = (dx, dy, out_layout.dz)

    def save_row():
        total, per_layer = averages()
        e_demag = float(conservative["demag"].E(state))
        e_total = sum(float(term.E(state)) for term in conservative.values())
        values = [float(v) for v in total]
        for vec in per_layer:
            values += [float(v) for v in vec]
        values += [e_demag, e_total, 0.0, 0.0, drive["J"]]
        table.write(float(state.t), values)

    def save_snapshot():
        nonlocal snap_count
        write_ovf(out_dir / f"m{snap_count:06d}.ovf", snapshot_array(), cell_out,
                  title="m", time=float(state.t))
        snap_count += 1

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
        "cpu_stack_model": sim_spec["stack"]["variant"],
        "stack_reduced_to_effective_medium": reduced,
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
