# SPDX-License-Identifier: GPL-3.0-or-later
"""MuMax3's script objects: vectors, shapes, configurations and quantities, with the methods a
script can call on them. A method a script may call is marked with :func:`api`, which records its
argument types for the checker that runs before anything is simulated.

Types are named by strings: ``float`` (MuMax3's float64 and int), ``bool``, ``string``,
``vector``, ``shape``, ``config``, ``quantity`` (any space-dependent or scalar quantity),
``float_fn`` / ``vector_fn`` (a number or vector that may depend on ``t``: re-evaluated at every
solver stage, as MuMax3's ``ScalarFunction``/``VectorFunction``), ``float_var`` (an expression
read afresh at every use, with the script variables' current values: ``TableAddVar``) and ``any``.
"""

from __future__ import annotations

import math
from typing import Callable

import torch



def api(*params: str, ret: str = "void", variadic: bool = False):
    """Mark a method as callable from scripts, with MuMax3's argument and result types."""
    def mark(f):
        f.__mx3__ = (tuple(params), ret, variadic)
        return f
    return mark


class Vector(tuple):
    """MuMax3's ``data.Vector``: three float64 with X(), Y(), Z() and indexing."""

    mx3_type = "vector"

    def __new__(cls, x, y, z):
        return super().__new__(cls, (float(x), float(y), float(z)))

    @api(ret="float")
    def X(self):
        return self[0]

    @api(ret="float")
    def Y(self):
        return self[1]

    @api(ret="float")
    def Z(self):
        return self[2]

    @api(ret="float")
    def Len(self):
        return math.sqrt(sum(v * v for v in self))

    @api(ret="vector")
    def Normalized(self):
        n = self.Len()
        return Vector(*(v / n for v in self))

    @api("float", ret="vector")
    def Mul(self, a):
        return Vector(*(v * a for v in self))

    @api("vector", ret="vector")
    def Add(self, b):
        return Vector(*(u + v for u, v in zip(self, b)))

    @api("vector", ret="vector")
    def Sub(self, b):
        return Vector(*(u - v for u, v in zip(self, b)))

    @api("vector", ret="float")
    def Dot(self, b):
        return sum(u * v for u, v in zip(self, b))

    @api("vector", ret="vector")
    def Cross(self, b):
        a = self
        return Vector(a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])

    def __str__(self):
        return "(" + ", ".join(f"{v:g}" for v in self) + ")"


class Shape:
    """A region of space, ``f(x, y, z) -> bool`` on coordinate tensors (``engine/shape.go``)."""

    mx3_type = "shape"

    def __init__(self, f: Callable):
        self.f = f

    def __call__(self, x, y, z):
        return self.f(x, y, z)

    @api("float", "float", "float", ret="shape")
    def Transl(self, dx, dy, dz):
        return Shape(lambda x, y, z: self.f(x - dx, y - dy, z - dz))

    @api("float", "float", "float", ret="shape")
    def Scale(self, sx, sy, sz):
        return Shape(lambda x, y, z: self.f(x / sx, y / sy, z / sz))

    @api("float", ret="shape")
    def RotZ(self, th):
        c, s = math.cos(th), math.sin(th)
        return Shape(lambda x, y, z: self.f(x * c + y * s, -x * s + y * c, z))

    @api("float", ret="shape")
    def RotY(self, th):
        c, s = math.cos(th), math.sin(th)
        return Shape(lambda x, y, z: self.f(x * c - z * s, y, x * s + z * c))

    @api("float", ret="shape")
    def RotX(self, th):
        c, s = math.cos(th), math.sin(th)
        return Shape(lambda x, y, z: self.f(x, y * c + z * s, -y * s + z * c))

    @api("float", "float", "float", ret="shape")
    def Repeat(self, px, py, pz):
        return Shape(lambda x, y, z: self.f(_fmod(x, px), _fmod(y, py), _fmod(z, pz)))

    @api("shape", ret="shape")
    def Add(self, b):
        return Shape(lambda x, y, z: self.f(x, y, z) | b.f(x, y, z))

    @api("shape", ret="shape")
    def Sub(self, b):
        return Shape(lambda x, y, z: self.f(x, y, z) & ~b.f(x, y, z))

    @api("shape", ret="shape")
    def Intersect(self, b):
        return Shape(lambda x, y, z: self.f(x, y, z) & b.f(x, y, z))

    @api("shape", ret="shape")
    def Xor(self, b):
        return Shape(lambda x, y, z: self.f(x, y, z) ^ b.f(x, y, z))

    @api(ret="shape")
    def Inverse(self):
        return Shape(lambda x, y, z: ~self.f(x, y, z))


def _fmod(a, b):
    """``engine/shape.go`` fmod: wrap into (-b/2, b/2] for Repeat."""
    if b == 0 or math.isinf(b):
        return a
    return torch.where(torch.abs(a) > b / 2, torch.sign(a) * (torch.remainder(torch.abs(a + b / 2), b) - b / 2), a)


class Config:
    """A magnetisation pattern ``f(x, y, z) -> (mx, my, mz)`` on coordinate tensors (``engine/config.go``)."""

    mx3_type = "config"

    def __init__(self, f: Callable):
        self.f = f

    def __call__(self, x, y, z):
        return self.f(x, y, z)

    @api("float", "float", "float", ret="config")
    def Transl(self, dx, dy, dz):
        return Config(lambda x, y, z: self.f(x - dx, y - dy, z - dz))

    @api("float", "float", "float", ret="config")
    def Scale(self, sx, sy, sz):
        return Config(lambda x, y, z: self.f(x / sx, y / sy, z / sz))

    @api("float", ret="config")
    def RotZ(self, th):
        c, s = math.cos(th), math.sin(th)

        def f(x, y, z):
            mx, my, mz = self.f(x * c + y * s, -x * s + y * c, z)
            return mx * c - my * s, mx * s + my * c, mz
        return Config(f)

    @api("float", "config", ret="config")
    def Add(self, weight, other):
        def f(x, y, z):
            a, b = self.f(x, y, z), other.f(x, y, z)
            return tuple(u + weight * v for u, v in zip(a, b))
        return Config(f)


class Quantity:
    """A MuMax3 quantity (``engine/quantity.go``): ``ncomp`` components on the cells, a name and unit.

    ``values()`` gives ``(ncomp, nz, ny, nx)``. ``average()`` follows ``engine/average.go``: the
    magnetisation averages over the geometry, everything else over the whole box.
    """

    mx3_type = "quantity"
    scalar_value = False  # a single number per evaluation (E_total, maxTorque): no cell data

    def __init__(self, name: str, unit: str, ncomp: int, values: Callable | None = None, world=None):
        self.name, self.unit, self.ncomp = name, unit, ncomp
        self._values = values
        self.world = world

    def values(self) -> torch.Tensor:
        return self._values()

    def average_values(self) -> list[float]:
        v = self.values()
        return [float(c.mean()) for c in v.reshape(self.ncomp, -1)]

    def column_names(self) -> list[str]:
        if self.ncomp == 1:
            return [self.name]
        return [self.name + c for c in "xyz"[: self.ncomp]] if self.ncomp == 3 else \
            [f"{self.name}{i}" for i in range(self.ncomp)]

    @api(ret="any")
    def Average(self):
        avg = self.average_values()
        return avg[0] if self.ncomp == 1 else Vector(*avg)

    @api(ret="float")
    def Get(self):
        return self.average_values()[0]

    @api("int", ret="quantity")
    def Comp(self, c):
        c = int(c)
        if not 0 <= c < self.ncomp:
            raise ValueError(f"{self.name}.Comp({c}): component out of range (0..{self.ncomp - 1})")
        return Component(self, c)

    @api("int", ret="quantity")
    def Region(self, r):
        return RegionQuantity(self, int(r))

    @api("int", "int", "int", ret="vector")
    def GetCell(self, ix, iy, iz):
        v = self.values()[:, int(iz), int(iy), int(ix)]
        return Vector(*[float(x) for x in v]) if self.ncomp == 3 else float(v[0])

    def __float__(self):
        return self.Get()


class ScalarValue(Quantity):
    """A single number computed on demand (``NewScalarValue``: E_total, maxTorque, dt, ...)."""

    scalar_value = True

    def __init__(self, name, unit, get: Callable[[], float]):
        super().__init__(name, unit, 1)
        self._get = get

    def values(self):
        return torch.tensor([[[[self._get()]]]], dtype=torch.get_default_dtype())

    def average_values(self):
        return [float(self._get())]


class Component(Quantity):
    def __init__(self, parent: Quantity, c: int):
        super().__init__(f"{parent.name}_{'xyz'[c] if parent.ncomp == 3 else c}", parent.unit, 1, world=parent.world)
        self.parent, self.c = parent, c

    def values(self):
        return self.parent.values()[self.c:self.c + 1]

    def average_values(self):
        if isinstance(self.parent, (RegionQuantity, Magnetization)):
            return [self.parent.average_values()[self.c]]
        return super().average_values()

    def column_names(self):
        return [self.name]


class RegionQuantity(Quantity):
    """``q.Region(n)``: the quantity in region n, averaged over that region's cells (ignoring the
    geometry, ``engine/oneregion.go``)."""

    def __init__(self, parent: Quantity, region: int):
        super().__init__(f"{parent.name}.region{region}", parent.unit, parent.ncomp, world=parent.world)
        self.parent, self.region = parent, region

    def mask(self):
        return (self.world.magnet.regions == self.region).to(torch.get_default_dtype())

    def values(self):
        return self.parent.values() * self.mask()

    def average_values(self):
        mask = self.mask()
        n = float(mask.sum())
        if n == 0:
            return [0.0] * self.ncomp
        v = self.parent.values()
        return [float((c * mask).sum()) / n for c in v]


class Magnetization(Quantity):
    """``m``: the reduced magnetisation (``engine/magnetization.go``); averages over the geometry."""

    def __init__(self, world):
        super().__init__("m", "", 3, world=world)

    def values(self):
        return self.world.magnet.m

    def average_values(self):
        mag = self.world.magnet
        n = float(mag.geom.sum())
        return [float(c.sum()) / n if n else 0.0 for c in mag.m]

    def assign(self, config: Config):
        self.world.set_m(config, None)

    @api("int", "config")
    def SetRegion(self, region, config):
        self.world.set_m(config, self.world.magnet.regions == int(region))

    @api("shape", "config")
    def SetInShape(self, shape, config):
        x, y, z = self.world.magnet.mesh.coords()
        self.world.set_m(config, shape(x, y, z))

    @api("int", "int", "int", "vector")
    def SetCell(self, ix, iy, iz, v):
        mag = self.world.magnet
        mag.m = mag.m.clone()  # m is replaced, never changed in place (Magnet.b_demag caches by m)
        mag.m[:, int(iz), int(iy), int(ix)] = torch.tensor(v, dtype=torch.get_default_dtype())
        mag.normalize()


class Parameter(Quantity):
    """A region-wise material parameter (``engine/parameter.go``)."""

    def __init__(self, world, param):
        super().__init__(param.name, param.unit, param.ncomp, world=world)
        self.param = param

    def values(self):
        v = self.world.magnet.cell_values(self.param)
        return v[None] if self.ncomp == 1 else v

    def assign(self, value):
        self.param.set_all(_as_region_value(value, self.ncomp))
        self.world.param_changed(self.param)

    @api("int", "any")
    def SetRegion(self, region, value):
        region = int(region)
        r = range(256) if region == -1 else range(region, region + 1)
        self.param.set_regions(r, _as_region_value(value, self.ncomp))
        self.world.param_changed(self.param)

    @api("int", ret="any")
    def GetRegion(self, region):
        v = self.param.region_value(int(region))
        return float(v[0]) if self.ncomp == 1 else Vector(*v)

    def is_zero(self):
        return self.param.is_zero()


class ExcitationQuantity(Parameter):
    """``B_ext``, ``J``, ``FixedLayer`` (``engine/excitation.go``): region-wise plus added masks."""

    @api("quantity", "float_fn")
    def Add(self, mask, f):
        values = mask.values()
        self.param.extra.append((values, f if callable(f) else (lambda v=f: v)))
        self.param.version += 1
        self.world.param_changed(self.param)

    @api("quantity", "float_fn")
    def AddTo(self, mask, f):
        self.Add(mask, f)

    @api()
    def RemoveExtraTerms(self):
        self.param.extra.clear()
        self.param.version += 1


def _as_region_value(value, ncomp):
    if callable(value):
        return value
    if ncomp == 1:
        return float(value)
    return tuple(float(v) for v in value)
