# SPDX-License-Identifier: GPL-3.0-or-later
"""The names a MuMax3 script can use on the cpu engine, bound to :mod:`spinlif.mx3.physics`.

:meth:`World.bindings` declares each name the way MuMax3 does in ``engine/*.go`` (the Go file is
named beside each group) with its MuMax3 meaning and default. A name MuMax3 knows but this
table does not (``mumax3_names.txt``) is refused before the script runs, with "supported by
MuMax3, not by the cpu engine".
"""

from __future__ import annotations

import math
import random
import sys
import time as _time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch

from spinlif.mx3 import steppers
from spinlif.mx3.api import (Config, ExcitationQuantity, Magnetization, Parameter, Quantity, ScalarValue, Shape,
                             Vector)
from spinlif.mx3.parser import ExpectFailed
from spinlif.mx3.physics import NREGION, Magnet, PhysicsError

PROGRESS_EVERY_S = 10.0
FLUSH_EVERY_S = 5.0  # MuMax3 flushes its table every 5 s


@dataclass
class Binding:
    """One script name: a function (``params``/``ret``), a variable (``get``/``set``) or a constant."""

    kind: str                      # "func", "var", "const"
    type: str = "any"              # variable type, or function result type
    impl: Callable | None = None
    params: tuple = ()
    variadic: bool = False
    get: Callable | None = None
    set: Callable | None = None
    value: Any = None
    go: str = ""                   # the MuMax3 source that declares it


class _Names:
    """The name table under construction: lower-case name -> :class:`Binding`."""

    def __init__(self):
        self.table: dict[str, Binding] = {}

    def func(self, name, impl, *params, ret="void", variadic=False, go=""):
        self.table[name.lower()] = Binding("func", ret, impl, tuple(params), variadic, go=go)

    def var(self, name, get, set_=None, type_="float", go=""):
        self.table[name.lower()] = Binding("var", type_, get=get, set=set_, go=go)

    def const(self, name, value, type_="float", go=""):
        self.table[name.lower()] = Binding("const", type_, value=value, go=go)

    def quantity(self, q, go):
        self.table[q.name.lower()] = Binding("var", "quantity", get=lambda: q, set=getattr(q, "assign", None), go=go)


class Autosave:
    """``engine/autosave.go``: save every ``period`` from ``start``; count -1 allows a save at start."""

    def __init__(self, period: float, start: float, action: Callable[[], None]):
        self.period, self.start, self.count, self.action = period, start, -1, action

    def due(self, time: float) -> bool:
        return self.period != 0 and (time - self.start) - self.count * self.period >= self.period


class World:
    """Interpreter state: the magnet, the solver clock, the outputs and the expects."""

    def __init__(self, out_dir: Path, script_dir: Path | None = None, expect_continue: bool = False,
                 progress_label: str = "script", log=None):
        self.magnet = Magnet()
        self.clock = steppers.Clock()
        self.magnet.thermal_clock = lambda: (self.clock.n_steps, self.clock.fix_dt or self.clock.dt)
        self.out_dir = Path(out_dir)
        self.script_dir = script_dir or Path.cwd()
        self.expect_continue = expect_continue
        self.expects: list[dict] = []
        self.table_quantities: list[Quantity] = []
        self.table_writer = None
        self.table_autosave: Autosave | None = None
        self.autosaves: dict[str, Autosave] = {}
        self.autonum: dict[str, int] = {}
        self.n_saved = 0
        self.n_rows = 0
        self.log = log or sys.stdout
        self.m_quantity = Magnetization(self)
        self.progress_label = progress_label
        self._last_flush = self._last_progress = self._run_start = _time.time()
        self._run_total = 0.0
        self.activity = "Run"  # or "Minimize": what a progress line reports
        self.rng = random.Random(0)

    # --- helpers used by the API objects -------------------------------------------------------
    def resolve_path(self, name: str) -> Path:
        path = Path(name)
        return path if path.is_absolute() else self.script_dir / path

    def param_changed(self, param) -> None:
        self.magnet._invalidate()

    def set_m(self, config: Config, mask) -> None:
        mag = self.magnet
        mesh = mag.require_mesh()
        x, y, z = mesh.coords()
        mx, my, mz = config(x, y, z)
        new = torch.stack([torch.as_tensor(c, dtype=torch.get_default_dtype()).expand(mesh.shape) for c in (mx, my, mz)])
        if mask is None:
            mag.m = new
        else:
            mag.m = torch.where(torch.as_tensor(mask).bool(), new, mag.m)
        mag.normalize()
        self.clock.k1 = None

    def shape_mask(self, shape: Shape) -> torch.Tensor:
        x, y, z = self.magnet.require_mesh().coords()
        return torch.as_tensor(shape(x, y, z)).bool().expand(self.magnet.mesh.shape)

    # --- outputs -------------------------------------------------------------------------------
    def table_columns(self) -> list[tuple[str, str]]:
        cols = [("t", "s"), ("mx", ""), ("my", ""), ("mz", "")]
        for q in self.table_quantities:
            cols += [(name, q.unit) for name in q.column_names()]
        return cols

    def table_save(self) -> None:
        """``engine/table.go`` Save: t, <m>, then each added quantity's average, as float32."""
        from spinlif.analysis.table import TableWriter

        if self.table_writer is None:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            self.table_writer = TableWriter(self.out_dir / "table.txt", self.table_columns())
        values = list(self.m_quantity.average_values())
        for q in self.table_quantities:
            values += q.average_values()
        self.table_writer.write(self.magnet.time, values)
        self.n_rows += 1
        if self.table_autosave is not None:
            self.table_autosave.count += 1

    def table_add(self, q: Quantity) -> None:
        if self.table_writer is not None:
            raise PhysicsError(f"TableAdd({q.name}): need to add quantity before table is output the first time")
        self.table_quantities.append(q)

    def save(self, q: Quantity, name: str | None = None) -> None:
        """``engine/save.go``: OVF 2 binary 4, ``name%06d.ovf`` numbered per quantity."""
        from spinlif.analysis.ovf import write_ovf

        self.out_dir.mkdir(parents=True, exist_ok=True)
        if name is None:
            num = self.autonum.get(q.name, 0)
            self.autonum[q.name] = num + 1
            name = f"{q.name}{num:06d}.ovf"
        elif not name.endswith(".ovf"):
            name += ".ovf"
        values = q.values().detach().cpu().numpy().astype(np.float32)
        write_ovf(self.out_dir / name, np.moveaxis(values, 0, -1), self.magnet.mesh.cell, title=q.name,
                  time=self.magnet.time, units=q.unit or "1")
        self.n_saved += 1

    def snapshot(self, q: Quantity, name: str | None = None) -> None:
        """``engine/save.go`` Snapshot: an image of the quantity (the middle layer; z component)."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        self.out_dir.mkdir(parents=True, exist_ok=True)
        if name is None:
            num = self.autonum.get("snapshot_" + q.name, 0)
            self.autonum["snapshot_" + q.name] = num + 1
            name = f"{q.name}{num:06d}.png"
        v = q.values().detach().cpu().numpy()
        plt.imsave(self.out_dir / name, v[-1, v.shape[1] // 2], origin="lower", cmap="RdBu_r", vmin=-1, vmax=1)

    def do_output(self) -> None:
        """``engine/autosave.go`` DoOutput, called after every step of a Run."""
        t = self.magnet.time
        for a in self.autosaves.values():
            if a.due(t):
                a.action()
                a.count += 1
        if self.table_autosave is not None and self.table_autosave.due(t):
            self.table_save()
        now = _time.time()
        if self.table_writer is not None and now - self._last_flush > FLUSH_EVERY_S:
            self.table_writer.flush()
            self._last_flush = now
        if now - self._last_progress > PROGRESS_EVERY_S:
            from spinlif.engines import progress_line

            if self.activity == "Run" and t > 0:
                line = progress_line("cpu", self.progress_label, t, max(self._run_total, t), now - self._run_start)
            else:
                line = (f"spinlif[cpu] run {self.progress_label}: {self.activity}, step {self.clock.n_steps}, "
                        f"max |dm| of the last steps {self.clock.last_err:.2e}")
            print(line, file=sys.stderr, flush=True)
            self._last_progress = now

    def close(self) -> None:
        if self.table_writer is not None:
            self.table_writer.close()

    # --- expects -------------------------------------------------------------------------------
    def expect(self, name: str, have: float, want: float, tol: float, component: str = "") -> None:
        """MuMax3's ``Expect`` (``engine/util.go``): |have - want| <= tol, NaN fails."""
        passed = not (math.isnan(have) or math.isnan(want) or abs(have - want) > tol)
        self.expects.append({"name": name, "component": component, "value": have, "expected": want,
                             "tolerance": tol, "passed": passed})
        label = name + (f"[{component}]" if component else "")
        status = "OK" if passed else "FAILED"
        print(f"expect {label}: {have!r} within {tol:g} of {want!r}: {status}", file=self.log, flush=True)
        if not passed and not self.expect_continue:
            raise ExpectFailed(f"expect {label}: have {have!r}, want {want!r} +/- {tol:g}")

    # --- the name table ------------------------------------------------------------------------
    def bindings(self) -> dict[str, Binding]:
        """Lower-case name -> binding: everything a script may use on the cpu engine, grouped by
        the MuMax3 source file that declares it."""
        n = _Names()
        for bind in (self._bind_stdlib, self._bind_mesh, self._bind_shapes, self._bind_geometry_and_regions,
                     self._bind_configs, self._bind_quantities, self._bind_exchange_tables, self._bind_solver,
                     self._bind_outputs, self._bind_custom_terms):
            bind(n)
        return n.table

    def _bind_stdlib(self, n: _Names) -> None:
        """Names of script/stdlib.go: Go's math package and a few helpers."""
        for name in ("abs acos acosh asin asinh atan atanh cbrt ceil cos cosh erf erfc exp exp2 expm1 floor "
                     "gamma log log10 log1p log2 sin sinh sqrt tan tanh trunc").split():
            n.func(name, getattr(math, {"abs": "fabs", "gamma": "gamma"}.get(name, name), None) or
                 (lambda x, f=name: getattr(np, f)(x)), "float", ret="float", go="script/stdlib.go")
        n.func("exp2", lambda x: 2.0 ** x, "float", ret="float", go="script/stdlib.go")
        n.func("cbrt", lambda x: math.copysign(abs(x) ** (1 / 3), x), "float", ret="float", go="script/stdlib.go")
        for name, f in (("atan2", math.atan2), ("hypot", math.hypot), ("pow", math.pow), ("mod", math.fmod),
                        ("max", max), ("min", min), ("remainder", math.remainder)):
            n.func(name, f, "float", "float", ret="float", go="script/stdlib.go")
        n.func("heaviside", lambda x: 1.0 if x > 0 else (0.5 if x == 0 else 0.0), "float", ret="float",
             go="script/stdlib.go")
        n.func("sinc", lambda x: 1.0 if x == 0 else math.sin(x) / x, "float", ret="float", go="script/stdlib.go")
        n.func("norm", lambda x: math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi), "float", ret="float",
             go="script/stdlib.go")
        n.func("isNaN", math.isnan, "float", ret="bool", go="script/stdlib.go")
        n.func("isInf", lambda x, s: math.isinf(x) and (s == 0 or math.copysign(1, x) == math.copysign(1, s)),
             "float", "float", ret="bool", go="script/stdlib.go")
        n.func("randSeed", lambda s: self.rng.seed(int(s)), "int", go="script/stdlib.go")
        n.func("rand", lambda: self.rng.random(), ret="float", go="script/stdlib.go")
        n.func("randNorm", lambda: self.rng.gauss(0, 1), ret="float", go="script/stdlib.go")
        n.func("randExp", lambda: self.rng.expovariate(1), ret="float", go="script/stdlib.go")
        n.func("randInt", lambda n: float(self.rng.randrange(int(n))), "int", ret="float", go="script/stdlib.go")
        n.func("sprint", lambda *a: " ".join(_fmt(x) for x in a), ret="string", variadic=True, go="script/stdlib.go")
        n.const("pi", math.pi, go="script/stdlib.go")
        n.const("inf", math.inf, go="script/stdlib.go")
        n.const("true", True, "bool", go="script/stdlib.go")
        n.const("false", False, "bool", go="script/stdlib.go")

    def _bind_mesh(self, n: _Names) -> None:
        """Names of engine/mesh.go: the mesh exists once both the grid and the cell size are set."""
        mag, clock = self.magnet, self.clock
        self._mesh_parts = {"n": None, "cell": None, "pbc": (0, 0, 0)}

        def remesh(**parts):
            self._mesh_parts.update(parts)
            if self._mesh_parts["n"] and self._mesh_parts["cell"]:
                mag.set_mesh(self._mesh_parts["n"], self._mesh_parts["cell"], self._mesh_parts["pbc"])
                clock.k1 = None
        n.func("SetGridSize", lambda nx, ny, nz: remesh(n=(int(nx), int(ny), int(nz))), "int", "int", "int",
             go="engine/mesh.go")
        n.func("SetCellSize", lambda cx, cy, cz: remesh(cell=(cx, cy, cz)), "float", "float", "float",
             go="engine/mesh.go")
        n.func("SetPBC", lambda px, py, pz: remesh(pbc=(int(px), int(py), int(pz))), "int", "int", "int",
             go="engine/mesh.go")
        n.func("SetMesh", lambda nx, ny, nz, cx, cy, cz, px, py, pz: remesh(
            n=(int(nx), int(ny), int(nz)), cell=(cx, cy, cz), pbc=(int(px), int(py), int(pz))),
            *["float"] * 9, go="engine/mesh.go")
        n.func("Index2Coord", lambda ix, iy, iz: Vector(*mag.require_mesh().index_to_coord(ix, iy, iz)),
             "int", "int", "int", ret="vector", go="engine/mesh.go")

    def _bind_shapes(self, n: _Names) -> None:
        """Names of engine/shape.go."""
        mag = self.magnet
        def sqr(v):
            return v * v
        n.func("Ellipsoid", lambda a, b_, c: Shape(lambda x, y, z: sqr(x / a) + sqr(y / b_) + sqr(z / c) <= 0.25),
             "float", "float", "float", ret="shape", go="engine/shape.go")
        n.func("Ellipse", lambda a, b_: Shape(lambda x, y, z: sqr(x / a) + sqr(y / b_) + sqr(z / math.inf) <= 0.25),
             "float", "float", ret="shape", go="engine/shape.go")
        n.func("Cylinder", lambda d, h: Shape(lambda x, y, z: (z <= h / 2) & (z >= -h / 2)
                                            & (sqr(x / d) + sqr(y / d) <= 0.25)),
             "float", "float", ret="shape", go="engine/shape.go")
        n.func("Circle", lambda d: Shape(lambda x, y, z: sqr(x / d) + sqr(y / d) <= 0.25),
             "float", ret="shape", go="engine/shape.go")
        n.func("Cuboid", lambda a, b_, c: Shape(lambda x, y, z: (x < a / 2) & (x > -a / 2) & (y < b_ / 2)
                                              & (y > -b_ / 2) & (z < c / 2) & (z > -c / 2)),
             "float", "float", "float", ret="shape", go="engine/shape.go")
        n.func("Rect", lambda a, b_: Shape(lambda x, y, z: (x < a / 2) & (x > -a / 2) & (y < b_ / 2) & (y > -b_ / 2)),
             "float", "float", ret="shape", go="engine/shape.go")
        n.func("Square", lambda a: Shape(lambda x, y, z: (x < a / 2) & (x > -a / 2) & (y < a / 2) & (y > -a / 2)),
             "float", ret="shape", go="engine/shape.go")
        n.func("XRange", lambda a, b_: Shape(lambda x, y, z: (x >= a) & (x < b_)), "float", "float", ret="shape",
             go="engine/shape.go")
        n.func("YRange", lambda a, b_: Shape(lambda x, y, z: (y >= a) & (y < b_)), "float", "float", ret="shape",
             go="engine/shape.go")
        n.func("ZRange", lambda a, b_: Shape(lambda x, y, z: (z >= a) & (z < b_)), "float", "float", ret="shape",
             go="engine/shape.go")
        n.func("Universe", lambda: Shape(lambda x, y, z: torch.ones_like(x, dtype=torch.bool)), ret="shape",
             go="engine/shape.go")

        def layers(a, b_):
            mesh = mag.require_mesh()
            a, b_ = int(a), int(b_)
            if a < 0 or a > mesh.n[2] or b_ < 0 or b_ < a:
                raise PhysicsError(f"layers {a}:{b_} out of bounds (0 - {mesh.n[2]})")
            c = mesh.cell[2]
            z1 = mesh.index_to_coord(0, 0, a)[2] - c / 2
            z2 = mesh.index_to_coord(0, 0, b_)[2] - c / 2
            return Shape(lambda x, y, z: (z >= z1) & (z < z2))
        n.func("Layers", layers, "int", "int", ret="shape", go="engine/shape.go")
        n.func("Layer", lambda k: layers(k, int(k) + 1), "int", ret="shape", go="engine/shape.go")

        def cell_shape(ix, iy, iz):
            mesh = mag.require_mesh()
            p = mesh.index_to_coord(ix, iy, iz)
            c = mesh.cell
            return Shape(lambda x, y, z: (x > p[0] - c[0] / 2) & (x < p[0] + c[0] / 2) & (y > p[1] - c[1] / 2)
                         & (y < p[1] + c[1] / 2) & (z > p[2] - c[2] / 2) & (z < p[2] + c[2] / 2))
        n.func("Cell", cell_shape, "int", "int", "int", ret="shape", go="engine/shape.go")

    def _bind_geometry_and_regions(self, n: _Names) -> None:
        """Names of engine/geom.go, engine/regions.go."""
        mag = self.magnet
        def set_geom(shape):
            mag.set_geom(self.shape_mask(shape))
            self.clock.k1 = None

        def def_region(r, shape):
            r = int(r)
            if not 0 <= r < NREGION:
                raise PhysicsError(f"region id should be 0 -{NREGION - 1}, have: {r}")
            mag.regions = torch.where(self.shape_mask(shape), torch.tensor(r), mag.regions)
            mag._invalidate()

        def def_region_cell(r, ix, iy, iz):
            regions = mag.regions.clone()
            regions[int(iz), int(iy), int(ix)] = int(r)
            mag.regions = regions
            mag._invalidate()
        n.func("SetGeom", set_geom, "shape", go="engine/geom.go")
        n.func("DefRegion", def_region, "int", "shape", go="engine/regions.go")
        n.func("DefRegionCell", def_region_cell, "int", "int", "int", "int", go="engine/regions.go")
        n.quantity(Quantity("geom", "", 1, lambda: mag.geom[None], self), "engine/geom.go")
        n.quantity(Quantity("regions", "", 1, lambda: mag.regions[None].to(torch.get_default_dtype()), self), "engine/regions.go")

    def _bind_configs(self, n: _Names) -> None:
        """Names of engine/config.go."""
        mag = self.magnet
        def uniform(mx, my, mz):
            return Config(lambda x, y, z: (torch.full_like(x, mx), torch.full_like(x, my), torch.full_like(x, mz)))

        def two_domain(mx1, my1, mz1, mxw, myw, mzw, mx2, my2, mz2):
            ww = 2 * mag.require_mesh().cell[0]

            def f(x, y, z):
                left = x < 0
                g = torch.exp(-(x / ww) ** 2)
                return tuple((1 - g) * torch.where(left, a, c) + g * w
                             for a, w, c in ((mx1, mxw, mx2), (my1, myw, my2), (mz1, mzw, mz2)))
            return Config(f)

        def skyrmion(charge, pol, bloch):
            w2 = (8 * mag.require_mesh().cell[0]) ** 2

            def f(x, y, z):
                r2 = x * x + y * y
                r = torch.sqrt(r2)
                mz = 2 * pol * (torch.exp(-r2 / w2) - 0.5)
                a, b_ = (-y, x) if bloch else (x, y)
                mx = (a * charge / r) * (1 - torch.abs(mz))
                my = (b_ * charge / r) * (1 - torch.abs(mz))
                nan = torch.isnan(mx) | torch.isnan(my)
                return (torch.where(nan, 0.0, mx), torch.where(nan, 0.0, my), torch.where(nan, float(pol), mz))
            return Config(f)

        def vortex(circ, pol, anti=False):
            diam2 = 2 * mag.require_mesh().cell[0] ** 2

            def f(x, y, z):
                r2 = x * x + y * y
                r = torch.sqrt(r2)
                mx = (-y if not anti else y) * circ / r
                my = x * circ / r
                mz = 1.5 * pol * torch.exp(-r2 / diam2)
                nan = torch.isnan(mx) | torch.isnan(my)
                return (torch.where(nan, 0.0, mx), torch.where(nan, 0.0, my), torch.where(nan, float(pol), mz))
            return Config(f)

        def random_mag(seed=0):
            gen = torch.Generator().manual_seed(int(seed))

            def f(x, y, z):
                v = torch.randn((3,) + tuple(x.shape), generator=gen, dtype=torch.float64).to(torch.get_default_dtype())
                return v[0], v[1], v[2]
            return Config(f)
        n.func("Uniform", uniform, "float", "float", "float", ret="config", go="engine/config.go")
        n.func("TwoDomain", two_domain, *["float"] * 9, ret="config", go="engine/config.go")
        n.func("NeelSkyrmion", lambda c, p: skyrmion(c, p, False), "int", "int", ret="config", go="engine/config.go")
        n.func("BlochSkyrmion", lambda c, p: skyrmion(c, p, True), "int", "int", ret="config", go="engine/config.go")
        n.func("Vortex", lambda c, p: vortex(c, p), "int", "int", ret="config", go="engine/config.go")
        n.func("AntiVortex", lambda c, p: vortex(c, p, True), "int", "int", ret="config", go="engine/config.go")
        n.func("RandomMag", lambda: random_mag(0), ret="config", go="engine/config.go")
        n.func("RandomMagSeed", random_mag, "int", ret="config", go="engine/config.go")

    def _bind_quantities(self, n: _Names) -> None:
        """Names of engine/magnetization.go, parameter.go, excitation.go and the field terms."""
        mag, clock = self.magnet, self.clock
        n.quantity(self.m_quantity, "engine/magnetization.go")
        for name, go in (("Msat", "engine/parameter.go"), ("Aex", "engine/exchange.go"),
                         ("alpha", "engine/torque.go"), ("Ku1", "engine/anisotropy.go"),
                         ("Ku2", "engine/anisotropy.go"), ("Kc1", "engine/anisotropy.go"),
                         ("Kc2", "engine/anisotropy.go"), ("Kc3", "engine/anisotropy.go"),
                         ("AnisU", "engine/anisotropy.go"), ("AnisC1", "engine/anisotropy.go"),
                         ("AnisC2", "engine/anisotropy.go"), ("Dind", "engine/exchange.go"), ("Dbulk", "engine/exchange.go"),
                         ("xi", "engine/torque.go"), ("Pol", "engine/torque.go"), ("Lambda", "engine/torque.go"),
                         ("EpsilonPrime", "engine/torque.go"), ("FreeLayerThickness", "engine/torque.go"),
                         ("frozenspins", "engine/torque.go"), ("Temp", "engine/temperature.go")):
            n.quantity(Parameter(self, mag.params[name]), go)
        for exc, go in ((mag.B_ext, "engine/zeeman.go"), (mag.J, "engine/torque.go"),
                        (mag.FixedLayer, "engine/torque.go")):
            n.quantity(ExcitationQuantity(self, exc), go)

        def field(name, unit, f, go, ncomp=3):
            n.quantity(Quantity(name, unit, ncomp, f, self), go)
        field("M_full", "A/m", mag.m_full, "engine/magnetization.go")
        field("B_eff", "T", mag.b_eff, "engine/effectivefield.go")
        field("B_demag", "T", mag.b_demag, "engine/demag.go")
        field("B_exch", "T", mag.b_exch, "engine/exchange.go")
        field("B_anis", "T", mag.b_anis, "engine/anisotropy.go")
        field("B_custom", "T", mag.b_custom, "engine/customfield.go")
        field("torque", "T", mag.torque, "engine/torque.go")
        field("STTorque", "T", mag.st_torque, "engine/torque.go")
        field("B_therm", "T", mag.b_therm, "engine/temperature.go")
        n.func("ThermSeed", mag.set_therm_seed, "int", go="engine/temperature.go")
        for term, name in (("total", "total"), ("demag", "demag"), ("exch", "exch"), ("anis", "anis"),
                           ("zeeman", "Zeeman"), ("custom", "custom"), ("therm", "therm")):
            field(f"Edens_{name}", "J/m3", lambda t=term: mag.edens(t)[None], "engine/energy.go", ncomp=1)
            n.quantity(ScalarValue(f"E_{name}", "J", lambda t=term: mag.energy(t)), "engine/energy.go")
        n.quantity(ScalarValue("maxTorque", "T", mag.max_torque), "engine/torque.go")
        n.quantity(ScalarValue("dt", "s", lambda: clock.dt), "engine/run.go")
        n.quantity(ScalarValue("LastErr", "", lambda: clock.last_err), "engine/run.go")
        n.quantity(ScalarValue("PeakErr", "", lambda: clock.peak_err), "engine/run.go")
        n.quantity(ScalarValue("NEval", "", lambda: float(mag.n_evals)), "engine/run.go")

        def topological_charge():
            from spinlif.analysis.topology import mumax_topological_charge
            m = mag.m.detach().cpu().numpy().transpose(1, 2, 3, 0)
            return mumax_topological_charge(m, mag.mesh.cell, (bool(mag.mesh.pbc[0]), bool(mag.mesh.pbc[1])))
        n.quantity(ScalarValue("ext_topologicalcharge", "", topological_charge), "engine/ext_topologicalcharge.go")

    def _bind_exchange_tables(self, n: _Names) -> None:
        """Names of engine/exchange.go inter-region tables."""
        mag = self.magnet
        n.func("ext_ScaleExchange", lambda r1, r2, s: (mag.exchange_table.set_scale(int(r1), int(r2), s),
                                                     mag._invalidate()), "int", "int", "float", go="engine/exchange.go")
        n.func("ext_InterExchange", lambda r1, r2, v: (mag.exchange_table.set_inter(int(r1), int(r2), v),
                                                     mag._invalidate()), "int", "int", "float", go="engine/exchange.go")
        n.func("ext_ScaleDind", lambda r1, r2, s: (mag.dmi_table.set_scale(int(r1), int(r2), s), mag._invalidate()),
             "int", "int", "float", go="engine/exchange.go")
        n.func("ext_InterDind", lambda r1, r2, v: (mag.dmi_table.set_inter(int(r1), int(r2), v), mag._invalidate()),
             "int", "int", "float", go="engine/exchange.go")

        def flag(attr, go, invert=False):
            return dict(get=lambda: (not getattr(mag, attr)) if invert else getattr(mag, attr),
                        set_=lambda v: (setattr(mag, attr, (not v) if invert else bool(v)), mag._invalidate()),
                        type_="bool", go=go)
        n.var("EnableDemag", **flag("enable_demag", "engine/demag.go"))
        n.var("OpenBC", **flag("open_bc", "engine/exchange.go"))
        n.var("DoPrecess", **flag("precess", "engine/torque.go"))
        n.var("DisableZhangLiTorque", **flag("disable_zhang_li", "engine/torque.go"))
        n.var("DisableSlonczewskiTorque", **flag("disable_slonczewski", "engine/torque.go"))
        n.const("FIXEDLAYER_TOP", 1.0, go="engine/torque.go")
        n.const("FIXEDLAYER_BOTTOM", 2.0, go="engine/torque.go")
        n.var("FixedLayerPosition", lambda: 1.0 if mag.fixed_layer_sign > 0 else 2.0,
            lambda v: setattr(mag, "fixed_layer_sign", 1.0 if int(v) == 1 else -1.0), go="engine/torque.go")
        n.var("GammaLL", lambda: mag.gamma_ll, lambda v: setattr(mag, "gamma_ll", float(v)), go="engine/torque.go")
        n.const("Mu0", 4e-7 * math.pi, go="engine/util.go")

    def _bind_solver(self, n: _Names) -> None:
        """Names of engine/run.go solver globals."""
        mag, clock = self.magnet, self.clock
        def clock_var(name, attr, type_="float"):
            n.var(name, lambda: getattr(clock, attr), lambda v: setattr(clock, attr, float(v)), type_, "engine/run.go")
        clock_var("MaxErr", "max_err")
        clock_var("MinDt", "min_dt")
        clock_var("MaxDt", "max_dt")
        clock_var("FixDt", "fix_dt")
        clock_var("Headroom", "headroom")

        def set_time(v):
            mag.time = float(v)
        n.var("t", lambda: mag.time, set_time, go="engine/run.go")
        n.var("step", lambda: float(clock.n_steps), go="engine/run.go")
        self.relax_threshold = -1.0
        self.minimizer = {"stop": 1e-6, "samples": 10}
        n.var("RelaxTorqueThreshold", lambda: self.relax_threshold,
            lambda v: setattr(self, "relax_threshold", float(v)), go="engine/relax.go")
        n.var("MinimizerStop", lambda: self.minimizer["stop"],
            lambda v: self.minimizer.__setitem__("stop", float(v)), go="engine/minimizer.go")
        n.var("MinimizerSamples", lambda: float(self.minimizer["samples"]),
            lambda v: self.minimizer.__setitem__("samples", int(v)), go="engine/minimizer.go")

        def set_solver(kind):
            kind = int(kind)
            if kind not in steppers.SUPPORTED_SOLVERS:
                raise PhysicsError(f"SetSolver({kind}): supported by MuMax3, not by the cpu engine "
                                   f"(cpu engine: {', '.join(f'{k} {v}' for k, v in steppers.SUPPORTED_SOLVERS.items())})")
            clock.solver = kind
            clock.k1 = None

        def run(seconds):
            self.activity = "Run"
            self._run_total = mag.time + seconds
            mag.require_mesh()
            steppers.run(mag, clock, seconds, self.do_output)

        def run_steps(n):
            self.activity = "Steps"
            mag.require_mesh()
            steppers.steps(mag, clock, int(n), self.do_output)

        def relax():
            mag.require_mesh()
            steppers.relax(mag, clock, self.relax_threshold)

        def minimize():
            self.activity = "Minimize"
            mag.require_mesh()
            steppers.minimize(mag, clock, self.minimizer["samples"], self.minimizer["stop"], self.do_output)
        n.func("Run", run, "float", go="engine/run.go")
        n.func("Steps", run_steps, "int", go="engine/run.go")
        n.func("SetSolver", set_solver, "int", go="engine/run.go")
        n.func("Relax", relax, go="engine/relax.go")
        n.func("Minimize", minimize, go="engine/minimizer.go")

    def _bind_outputs(self, n: _Names) -> None:
        """Names of engine/table.go, save.go, autosave.go, util.go."""
        mag = self.magnet
        def table_autosave(period):
            self.table_autosave = Autosave(period, mag.time, self.table_save) if period else None
        n.func("TableAdd", self.table_add, "quantity", go="engine/table.go")
        n.func("TableAutoSave", table_autosave, "float", go="engine/table.go")
        n.func("TableAddVar", lambda f, name, unit: self.table_add(ScalarValue(name, unit, f)), "float_var", "string",
               "string", go="engine/table.go")
        n.func("TableSave", self.table_save, go="engine/table.go")
        n.func("Save", self.save, "quantity", go="engine/save.go")
        n.func("SaveAs", self.save, "quantity", "string", go="engine/save.go")
        n.func("Snapshot", self.snapshot, "quantity", go="engine/save.go")
        n.func("SnapshotAs", self.snapshot, "quantity", "string", go="engine/save.go")

        def autosave(q, period, action):
            if period == 0:
                self.autosaves.pop(q.name + action.__name__, None)
            else:
                self.autosaves[q.name + action.__name__] = Autosave(period, mag.time, lambda: action(q))
        n.func("AutoSave", lambda q, p: autosave(q, p, self.save), "quantity", "float", go="engine/autosave.go")
        n.func("AutoSnapshot", lambda q, p: autosave(q, p, self.snapshot), "quantity", "float",
             go="engine/autosave.go")
        n.func("Print", lambda *a: print(" ".join(_fmt(x) for x in a), file=self.log, flush=True), variadic=True,
             go="engine/util.go")
        n.func("Expect", self.expect, "string", "float", "float", "float", go="engine/util.go")

        def expectv(name, have, want, tol):
            for c in range(3):
                self.expect(name, have[c], want[c], tol, component="xyz"[c])
        n.func("ExpectV", expectv, "string", "vector", "vector", "float", go="engine/util.go")
        n.func("Vector", Vector, "float", "float", "float", ret="vector", go="engine/util.go")

    def _bind_custom_terms(self, n: _Names) -> None:
        """Names of engine/customfield.go."""
        mag = self.magnet
        from spinlif.mx3 import custom

        n.func("AddFieldTerm", lambda q: (mag.custom_fields.append(custom.wrap(q)), mag._invalidate()), "quantity",
             go="engine/customfield.go")
        n.func("AddEdensTerm", lambda q: (mag.custom_edens.append(custom.wrap(q)), mag._invalidate()), "quantity",
             go="engine/customfield.go")
        n.func("RemoveCustomFields", lambda: (mag.custom_fields.clear(), mag._invalidate()), go="engine/customfield.go")
        n.func("RemoveCustomEnergies", lambda: (mag.custom_edens.clear(), mag._invalidate()),
             go="engine/customfield.go")
        for name, impl, params in custom.FUNCTIONS:
            n.func(name, impl, *params, ret="quantity", go="engine/customfield.go")


def _fmt(x) -> str:
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, float):
        return f"{x:g}"
    if isinstance(x, Quantity):
        return x.name
    return str(x)
