# SPDX-License-Identifier: GPL-3.0-or-later
"""MuMax3's demagnetising kernel (``mag/demagkernel.go``), computed the same way, in numpy.

The field of a uniformly magnetised source cell is that of its two surface charge sheets, each
split into nv x nw point charges, averaged over nx x ny x nz points of the destination cell; the
number of points grows as the cells come closer (``DemagAccuracy`` = 6: no integration cell is
larger than distance / 6). The kernel is computed for offsets up to half the padded grid and
mirrored by symmetry; with periodic boundaries the images of ``SetPBC`` are summed in.

The padded grid is ``padSize``: twice the grid along x and y, and along z twice the grid less one
for thin stacks (N_z <= 5, ``SMALL_N``); a periodic direction is not padded. B_demag = mu0 K * M,
with M = Msat m (``cuda/copypadmul2.cu``).
"""

from __future__ import annotations

import numpy as np

SMALL_N = 5
DEMAG_ACCURACY = 6.0


def pad_size(n: tuple[int, int, int], pbc: tuple[int, int, int]) -> tuple[int, int, int]:
    """``padSize`` (x, y, z)."""
    out = []
    for i in range(3):
        if pbc[i]:
            out.append(n[i])
        elif i != 2 or n[i] > SMALL_N:
            out.append(2 * n[i])
        else:
            out.append(2 * n[i] - 1)
    return tuple(out)


def _ranges(size, pbc):
    r1, r2 = [], []
    for c in range(3):
        if pbc[c] == 0:
            r1.append(-((size[c] - 1) // 2))  # Go: -(size-1)/2 truncates towards zero
            r2.append((size[c] - 1) // 2)
        else:
            r1.append(-(size[c] * pbc[c] - 1))
            r2.append(size[c] * pbc[c] - 1)
    if size[2] == 1 and pbc[2] == 0:
        r2[2] = 0
    return r1, r2


def _go_int(x: np.ndarray) -> np.ndarray:
    return np.floor(x).astype(np.int64)  # Go's int() of a positive float truncates


def mumax3_kernel(n: tuple[int, int, int], cell: tuple[float, float, float], pbc=(0, 0, 0),
                  accuracy: float = DEMAG_ACCURACY, max_points: int = 4_000_000) -> list[list[np.ndarray]]:
    """The real-space kernel K[s][d] on the padded grid, arrays ``(size_z, size_y, size_x)``.

    Parameters
    ----------
    n : (int, int, int)
        Grid (nx, ny, nz).
    cell : (float, float, float)
        Cell size (m).
    pbc : (int, int, int)
        Periodic images per direction (MuMax3's ``SetPBC``).
    accuracy : float
        MuMax3's ``DemagAccuracy``.

    Returns
    -------
    list of list of numpy.ndarray
        Symmetric 3 x 3 kernel (dimensionless): the field per unit magnetisation.

    Example
    -------
    >>> K = mumax3_kernel((1, 1, 1), (1e-9, 1e-9, 1e-9))
    >>> round(float(K[2][2][0, 0, 0]), 3)   # a cube: -1/3
    -0.333
    """
    size = pad_size(n, pbc)
    c = np.asarray(cell, dtype=float)
    r1, r2 = _ranges(size, pbc)
    L = c.min()
    axes = [np.arange(r1[k], r2[k] + 1) for k in range(3)]
    Z, Y, X = np.meshgrid(axes[2], axes[1], axes[0], indexing="ij")
    off = np.stack([X.ravel(), Y.ravel(), Z.ravel()], axis=1)
    wrapped = np.mod(off, np.array(size))
    keep = np.all(wrapped <= np.array(size) // 2, axis=1)
    off, wrapped = off[keep], wrapped[keep]
    R = off * c
    delta = np.maximum(np.abs(off) - 1, 0) * c
    d = np.sqrt((delta ** 2).sum(axis=1))
    d[d == 0] = L
    max_size = d / accuracy
    n_xyz = [_go_int(np.maximum(c[k] / max_size, 1) + 0.5) for k in range(3)]
    K = [[np.zeros(size[::-1]) for _ in range(3)] for _ in range(3)]
    for s in range(3):
        u, v, w = s, (s + 1) % 3, (s + 2) % 3
        nv = 2 * _go_int(np.maximum(c[v] / max_size, 1) + 0.5)
        nw = 2 * _go_int(np.maximum(c[w] / max_size, 1) + 0.5)
        counts = np.stack([nv, nw, *n_xyz], axis=1)
        groups, inverse = np.unique(counts, axis=0, return_inverse=True)
        B = np.zeros((len(off), 3))
        for g, (gv, gw, gx, gy, gz) in enumerate(groups):
            cells = np.flatnonzero(inverse.ravel() == g)
            pv = -c[v] / 2 + c[v] / (2 * gv) + np.arange(gv) * c[v] / gv
            pw = -c[w] / 2 + c[w] / (2 * gw) + np.arange(gw) * c[w] / gw
            field_pts = [-c[k] / 2 + c[k] / (2 * nk) + np.arange(nk) * c[k] / nk for k, nk in enumerate((gx, gy, gz))]
            F = np.stack(np.meshgrid(*field_pts, indexing="ij"), axis=-1).reshape(-1, 3)
            pole = np.zeros((gv * gw, 3))
            pole[:, v] = np.repeat(pv, gw)
            pole[:, w] = np.tile(pw, gv)
            rel = (F[:, None, :] - pole[None, :, :]).reshape(-1, 3)  # field point - pole (without pole[u])
            charge = c[v] * c[w] / (gv * gw * gx * gy * gz)
            chunk = max(1, max_points // len(rel))
            for start in range(0, len(cells), chunk):
                idx = cells[start:start + chunk]
                total = np.zeros((len(idx), 3))
                for sign, pu in ((1.0, c[u] / 2), (-1.0, -c[u] / 2)):
                    r = R[idx][:, None, :] + rel[None, :, :]
                    r[..., u] -= pu
                    norm = np.sqrt((r ** 2).sum(axis=-1))
                    total += sign * (r * (charge / (4 * np.pi * norm ** 3))[..., None]).sum(axis=1)
                B[idx] = total
        for dcomp in range(s, 3):
            np.add.at(K[s][dcomp], (wrapped[:, 2], wrapped[:, 1], wrapped[:, 0]), B[:, dcomp])
    _mirror(K, size)
    for s in range(3):
        for dcomp in range(s):
            K[s][dcomp] = K[dcomp][s]
    return K


def _mirror(K, size) -> None:
    """Fill the other half of each axis by the kernel's symmetry (``CalcDemagKernel``)."""
    sx, sy, sz = size
    odd = {0: {(0, 1), (0, 2)}, 1: {(0, 1), (1, 2)}, 2: {(0, 2), (1, 2)}}  # components odd along each axis
    for axis, s_len in ((0, sx), (1, sy), (2, sz)):
        dst = np.arange(s_len // 2 + 1, s_len)
        if len(dst) == 0:
            continue
        src = s_len - dst
        array_axis = 2 - axis
        for i in range(3):
            for j in range(i, 3):
                a = K[i][j]
                values = np.take(a, src, axis=array_axis)
                sign = -1.0 if (i, j) in odd[axis] else 1.0
                index = [slice(None)] * 3
                index[array_axis] = dst
                a[tuple(index)] = sign * values
