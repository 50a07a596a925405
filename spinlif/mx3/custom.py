# SPDX-License-Identifier: GPL-3.0-or-later
"""Custom field and energy terms (``engine/customfield.go``): quantities built from constants and
other quantities, evaluated lazily at every torque evaluation."""

from __future__ import annotations

from typing import Callable

import torch

from spinlif.mx3.api import Quantity


class Derived(Quantity):
    """A quantity computed from others by ``f`` (``engine/customfield.go`` ``pointwiseMul`` etc.)."""

    def __init__(self, name: str, ncomp: int, f: Callable[[], torch.Tensor], unit: str = ""):
        super().__init__(name, unit, ncomp)
        self.f = f

    def values(self) -> torch.Tensor:
        return self.f()


def wrap(q: Quantity) -> Quantity:
    """A quantity usable as a field term: ``value()`` broadcast to the cells."""
    q.value = q.values
    return q


def const(v: float) -> Derived:
    t = torch.tensor(float(v), dtype=torch.get_default_dtype()).reshape(1, 1, 1, 1)
    return Derived("const", 1, lambda: t)


def const_vector(x: float, y: float, z: float) -> Derived:
    t = torch.tensor([x, y, z], dtype=torch.get_default_dtype()).reshape(3, 1, 1, 1)
    return Derived("constvector", 3, lambda: t)


def mul(a: Quantity, b: Quantity) -> Derived:
    """Point-wise product (``Mul``): equal component counts multiply component by component
    (vector * vector, scalar * scalar), or a scalar times anything."""
    if a.ncomp != b.ncomp and 1 not in (a.ncomp, b.ncomp):
        raise ValueError(f"Cannot point-wise multiply {a.ncomp} components by {b.ncomp} components "
                         f"({a.name}, {b.name})")
    return Derived("mul", max(a.ncomp, b.ncomp), lambda: a.values() * b.values())


def mul_mv(ax: Quantity, ay: Quantity, az: Quantity, b: Quantity) -> Derived:
    """Matrix (rows ax, ay, az) times vector (``MulMV``)."""
    def f():
        v = b.values()
        return torch.stack([(r.values() * v).sum(0) for r in (ax, ay, az)])
    return Derived("mulmv", 3, f)


def dot(a: Quantity, b: Quantity) -> Derived:
    return Derived("dot", 1, lambda: (a.values() * b.values()).sum(0, keepdim=True))


def cross(a: Quantity, b: Quantity) -> Derived:
    def f():
        u, v = torch.broadcast_tensors(a.values(), b.values())
        return torch.stack([u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]])
    return Derived("cross", 3, f)


def add(a: Quantity, b: Quantity) -> Derived:
    return Derived("add", max(a.ncomp, b.ncomp), lambda: a.values() + b.values())


def madd(a: Quantity, b: Quantity, fa: float, fb: float) -> Derived:
    return Derived("madd", max(a.ncomp, b.ncomp), lambda: fa * a.values() + fb * b.values())


def normalized(a: Quantity) -> Derived:
    def f():
        v = a.values()
        n = torch.sqrt((v ** 2).sum(0, keepdim=True))
        return torch.where(n > 0, v / torch.where(n > 0, n, 1.0), torch.zeros_like(v))
    return Derived("normalized", a.ncomp, f)


FUNCTIONS = [
    ("Const", const, ("float",)),
    ("ConstVector", const_vector, ("float", "float", "float")),
    ("Mul", mul, ("quantity", "quantity")),
    ("MulMV", mul_mv, ("quantity", "quantity", "quantity", "quantity")),
    ("Dot", dot, ("quantity", "quantity")),
    ("Cross", cross, ("quantity", "quantity")),
    ("Add", add, ("quantity", "quantity")),
    ("Madd", madd, ("quantity", "quantity", "float", "float")),
    ("Normalized", normalized, ("quantity",)),
]
"""(MuMax3 name, implementation, argument types) of ``engine/customfield.go``'s functions."""
