# SPDX-License-Identifier: GPL-3.0-or-later
"""Topological charge of a 2D magnetisation layer, Q = (1/4 pi) \u222b m . (dm/dx x dm/dy) dA.

Two discretisations (mumax3-facts.md section 3c):

* :func:`charge_density_continuum`: MuMax3's ``ext_topologicalchargedensity`` kernel
  (``cuda/topologicalcharge.cu``) ported exactly, finite differences that fall back to one-sided
  stencils at edges and holes (1/m^2 per cell). The cpu engine uses it for the table column
  ``ext_topologicalcharge`` so both engines write the same quantity.
* :func:`plaquette_charges`: the lattice (Berg-Luescher) charge, the solid angle of the two
  triangles of every plaquette divided by 4 pi. It sums to an integer for any texture whose
  neighbouring spins are not antiparallel, so the observables use it: Q per layer, and the
  guiding centre as the charge-weighted mean position of the plaquettes.

Arrays are one layer ``(ny, nx, 3)`` (OVF order); cell sizes in m. Empty cells (m = 0) carry no
charge.
"""

from __future__ import annotations

import numpy as np


def _neighbour(m: np.ndarray, axis: int, step: int, periodic: bool) -> np.ndarray:
    """m at index i + step along ``axis``; zero beyond the grid unless periodic."""
    if periodic:
        return np.roll(m, -step, axis=axis)
    out = np.zeros_like(m)
    n = m.shape[axis]
    src = [slice(None)] * m.ndim
    dst = [slice(None)] * m.ndim
    if step > 0:
        src[axis], dst[axis] = slice(step, n), slice(0, n - step)
    else:
        src[axis], dst[axis] = slice(0, n + step), slice(-step, n)
    out[tuple(dst)] = m[tuple(src)]
    return out


def mumax_derivative(m: np.ndarray, axis: int, periodic: bool) -> np.ndarray:
    """dm along ``axis`` per cell (not divided by the cell size), MuMax3's stencil choice."""
    m0 = m
    m1, p1 = _neighbour(m, axis, -1, periodic), _neighbour(m, axis, 1, periodic)
    m2, p2 = _neighbour(m, axis, -2, periodic), _neighbour(m, axis, 2, periodic)
    z = {k: ~np.any(v != 0, axis=-1)[..., None] for k, v in
         {"m1": m1, "p1": p1, "m2": m2, "p2": p2}.items()}
    cases = [
        (z["p1"] & z["m1"], np.zeros_like(m0)),
        ((z["m2"] | z["p2"]) & ~z["p1"] & ~z["m1"], 0.5 * (p1 - m1)),
        (z["p1"] & z["m2"], m0 - m1),
        (z["m1"] & z["p2"], -m0 + p1),
        (~z["m2"] & z["p1"], 0.5 * m2 - 2.0 * m1 + 1.5 * m0),
        (~z["p2"] & z["m1"], -0.5 * p2 + 2.0 * p1 - 1.5 * m0),
    ]
    out = (2.0 / 3.0) * (p1 - m1) + (1.0 / 12.0) * (m2 - p2)
    for cond, value in reversed(cases):  # the first matching case of the kernel wins
        out = np.where(cond, value, out)
    return out


def charge_density_continuum(m: np.ndarray, cell: tuple[float, float],
                             periodic: tuple[bool, bool] = (False, False)) -> np.ndarray:
    """MuMax3's ``ext_topologicalchargedensity`` of one layer ``(ny, nx, 3)``: 1/m^2 per cell."""
    m = np.asarray(m, dtype=np.float64)
    dmdx = mumax_derivative(m, axis=1, periodic=periodic[0])
    dmdy = mumax_derivative(m, axis=0, periodic=periodic[1])
    q = np.einsum("...i,...i->...", m, np.cross(dmdx, dmdy)) / (cell[0] * cell[1])
    return np.where(np.any(m != 0, axis=-1), q, 0.0)


def mumax_topological_charge(m: np.ndarray, cell: tuple[float, float, float],
                             periodic: tuple[bool, bool] = (False, False)) -> float:
    """MuMax3's ``ext_topologicalcharge`` of a whole grid ``(nz, ny, nx, 3)``: the sum over all
    layers divided by Nz, empty spacer layers included (mumax3-facts.md section 3c)."""
    total = sum(charge_density_continuum(layer, cell[:2], periodic).sum() for layer in m)
    return float(0.25 * cell[0] * cell[1] / np.pi / m.shape[0] * total)


def _triangle_solid_angle(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Signed solid angle of the spherical triangle (a, b, c) (Berg-Luescher); 0 if a spin is 0."""
    numer = np.einsum("...i,...i->...", a, np.cross(b, c))
    denom = 1.0 + np.einsum("...i,...i->...", a, b) + np.einsum("...i,...i->...", b, c) \
        + np.einsum("...i,...i->...", c, a)
    omega = 2.0 * np.arctan2(numer, denom)
    empty = ~(np.any(a != 0, -1) & np.any(b != 0, -1) & np.any(c != 0, -1))
    return np.where(empty, 0.0, omega)


def plaquette_charges(m: np.ndarray) -> np.ndarray:
    """Lattice charge of every plaquette of one layer ``(ny, nx, 3)``: ``(ny - 1, nx - 1)``,
    dimensionless, summing to Q. Plaquette (j, i) has corners (i, j), (i+1, j), (i+1, j+1),
    (i, j+1) and is split along its diagonal into two counter-clockwise triangles."""
    m = np.asarray(m, dtype=np.float64)
    a, b = m[:-1, :-1], m[:-1, 1:]   # (i, j), (i+1, j)
    c, d = m[1:, 1:], m[1:, :-1]     # (i+1, j+1), (i, j+1)
    return (_triangle_solid_angle(a, b, c) + _triangle_solid_angle(a, c, d)) / (4 * np.pi)


def plaquette_centres(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centres of the plaquettes of cell-centre coordinates ``x`` (nx) and ``y`` (ny): 2D arrays."""
    xc, yc = 0.5 * (x[:-1] + x[1:]), 0.5 * (y[:-1] + y[1:])
    return np.meshgrid(xc, yc)


def guiding_centre(m: np.ndarray, x: np.ndarray, y: np.ndarray,
                   window: tuple[float, float, float] | None = None) -> tuple[float, float, float]:
    """``(Q, X, Y)`` of one layer: lattice charge and the charge-weighted centre
    X = sum x q / sum q (units of ``x``, ``y``). With ``window = (x0, y0, r)`` only plaquettes
    within r of (x0, y0) count: the texture's own charge, without the fractional charge that the
    DMI edge canting winds up in the corners of a finite track (~0.05 for the demo track).
    NaN centre if Q = 0."""
    q = plaquette_charges(m)
    xc, yc = plaquette_centres(np.asarray(x, float), np.asarray(y, float))
    if window is not None:
        x0, y0, r = window
        q = np.where((xc - x0) ** 2 + (yc - y0) ** 2 <= r**2, q, 0.0)
    Q = float(q.sum())
    if abs(Q) < 1e-6:
        return Q, float("nan"), float("nan")
    return Q, float((xc * q).sum() / Q), float((yc * q).sum() / Q)


def reversed_core(mz: np.ndarray, x: np.ndarray, y: np.ndarray, core_sign: float = -1.0):
    """``(x0, y0, radius)`` of the reversed region (cells with sign(m_z) = ``core_sign``): its
    centroid and sqrt(area / pi) (units of ``x``); ``None`` if no cell is reversed."""
    core = np.sign(mz) == core_sign
    if not core.any():
        return None
    xx, yy = np.meshgrid(np.asarray(x, float), np.asarray(y, float))
    area = np.count_nonzero(core) * abs((x[1] - x[0]) * (y[1] - y[0]))
    return float(xx[core].mean()), float(yy[core].mean()), float(np.sqrt(area / np.pi))
