# SPDX-License-Identifier: GPL-3.0-or-later
"""The cpu engine's compiled kernels (numba) and planned FFTs (FFTW): the torque of
:mod:`spinlif.mx3.physics` in five calls.

Issue 18: at demo sizes (10^2-10^4 cells) the torque's cost was framework overhead: ~290 torch
operations per evaluation, each with its dispatch. Here every local term is one loop over the cells
and demag is one planned real FFT each way (:class:`DemagConvolution`):

1. :func:`magnetisation_into` writes M = Msat m into the zero-padded FFT buffer;
2. FFTW's real-to-complex plan transforms the three components (one ``execute()``);
3. :func:`kernel_product`: H_k,i = sum_j K_ij M_k,j on the half spectrum (K real and symmetric);
4. FFTW's complex-to-real plan (its 1/N is folded into K);
5. :func:`local_torque`: exchange and DMI in MuMax3's stencil and boundary condition, anisotropy,
   the added fields, the Landau-Lifshitz and Slonczewski torques and frozen spins, per cell.

The arithmetic is that of :mod:`spinlif.mx3.physics` term by term (its docstrings cite the MuMax3
sources), so both agree to rounding (1e-16 measured; the tests pin 1e-12 and
``benchmarks/cpu_engine.py`` prints it). The steppers' stage sums and error norms are compiled too
(:func:`stage_into`, :func:`max_norm_of_sum`). float64 only: float32 runs keep the torch terms
(``Magnet.fused``).

The kernels are compiled once and cached on disk by numba (``cache=True``): a run loads them in
~0.3 s instead of compiling (~10 s). Threads: numba runs these loops serially; FFTW takes
``torch.get_num_threads()`` threads (a second thread gains nothing below ~16k cells).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

EXCHANGE, INTERFACIAL, BULK = 0, 1, 2
"""Link kinds of :func:`local_torque` (``physics.Magnet._links``)."""

# columns of the packed per-cell coefficient array of local_torque (nz, ny, nx, N_COEF)
(SCALE, ALPHA, K1, K2, KC1, KC2, KC3, BETA_PER_J, POL, LAMBDA2, EPS_PRIME, FROZEN,
 UX, UY, UZ, C1X, C1Y, C1Z, C2X, C2Y, C2Z, C3X, C3Y, C3Z, PX, PY, PZ) = range(27)
N_COEF = 27
# flags of local_torque
(F_DEMAG, F_U1, F_U2, F_C1, F_C2, F_C3, F_PRECESS, F_STT, F_FROZEN) = range(9)
N_FLAGS = 9
MU0 = 4e-7 * math.pi  # mumax/3 engine/const.go (the same value as spinlif.units.MU0)


@njit(cache=True)
def magnetisation_into(m, msat, out):  # pragma: no cover - compiled
    """out[c, z, y, x] = Msat m on the grid's corner of the padded buffer (the rest stays 0)."""
    nz, ny, nx = msat.shape
    for c in range(3):
        for z in range(nz):
            for y in range(ny):
                for x in range(nx):
                    out[c, z, y, x] = msat[z, y, x] * m[c, z, y, x]


@njit(cache=True)
def kernel_product(K, planar, Mk, out):  # pragma: no cover - compiled
    """out_i = sum_j K_ij Mk_j on the half spectrum. ``K`` (6, ...) real: xx, yy, zz, xy, xz, yz (the
    kernel is symmetric); ``planar``: xz and yz vanish (one layer), so z decouples."""
    sz, sy, sx = Mk.shape[1], Mk.shape[2], Mk.shape[3]
    for z in range(sz):
        for y in range(sy):
            for x in range(sx):
                a, b, c = Mk[0, z, y, x], Mk[1, z, y, x], Mk[2, z, y, x]
                kxx, kyy, kzz, kxy = K[0, z, y, x], K[1, z, y, x], K[2, z, y, x], K[3, z, y, x]
                if planar:
                    out[0, z, y, x] = kxx * a + kxy * b
                    out[1, z, y, x] = kxy * a + kyy * b
                    out[2, z, y, x] = kzz * c
                else:
                    kxz, kyz = K[4, z, y, x], K[5, z, y, x]
                    out[0, z, y, x] = kxx * a + kxy * b + kxz * c
                    out[1, z, y, x] = kxy * a + kyy * b + kyz * c
                    out[2, z, y, x] = kxz * a + kyz * b + kzz * c


@njit(cache=True)
def local_torque(m, b_add, jz, h_demag, coef, links, link_idx, link_coef, flags, out):  # pragma: no cover
    """Torque / gamma0 (T) per cell into ``out`` (3, nz, ny, nx).

    ``coef`` (nz, ny, nx, N_COEF): the columns named at the top of the module; ``links`` (L, 5) int:
    (kind, array axis, p, q, r) per neighbour link (DMI turns the pair of components p, q; r has
    exchange only); ``link_idx`` (L, n_max) neighbour index along the axis;
    ``link_coef`` (nz, ny, nx, L, 4): 2A/c^2, s D/c, s c D/2A, present (``physics._exchange_dmi``).
    Coefficients are stored cell-major: a cell's values are adjacent in memory, one stream for the
    prefetcher instead of ~40 (3x faster at 4096 cells than row-major);
    ``h_demag``: the irfft output (3, ...) whose corner is the demag field / mu0 (used with F_DEMAG);
    ``b_add`` (3, ...): B_ext + thermal + custom (T); ``jz`` (nz, ny, nx): J_z (A/m^2).
    """
    nz, ny, nx = m.shape[1], m.shape[2], m.shape[3]
    nlinks = links.shape[0]
    h = np.zeros(3)
    mm = np.zeros(3)
    nb = np.zeros(3)
    for z in range(nz):
        for y in range(ny):
            for x in range(nx):
                mm[0], mm[1], mm[2] = m[0, z, y, x], m[1, z, y, x], m[2, z, y, x]
                h[0], h[1], h[2] = 0.0, 0.0, 0.0
                for li in range(nlinks):
                    kind, axis, p, q, r = links[li, 0], links[li, 1], links[li, 2], links[li, 3], links[li, 4]
                    zz, yy, xx = z, y, x
                    if axis == 0:
                        zz = link_idx[li, z]
                    elif axis == 1:
                        yy = link_idx[li, y]
                    else:
                        xx = link_idx[li, x]
                    nb[0], nb[1], nb[2] = m[0, zz, yy, xx], m[1, zz, yy, xx], m[2, zz, yy, xx]
                    cf = link_coef[z, y, x, li, 0]
                    if kind == EXCHANGE:
                        for c in range(3):
                            h[c] = h[c] + cf * (nb[c] - mm[c])
                        continue
                    # DMI (physics._exchange_dmi): the pair (p, q) rotates about the link, r has exchange only
                    dcf = link_coef[z, y, x, li, 1]
                    k = link_coef[z, y, x, li, 2]
                    present = link_coef[z, y, x, li, 3]
                    absent = 1 - present
                    m1p = present * nb[p] + absent * (mm[p] - k * mm[q])
                    m1q = present * nb[q] + absent * (mm[q] + k * mm[p])
                    h[p] = h[p] + cf * (m1p - mm[p]) + dcf * m1q
                    h[q] = h[q] + cf * (m1q - mm[q]) - dcf * m1p
                    h[r] = h[r] + cf * present * (nb[r] - mm[r])
                m0, m1, m2 = mm[0], mm[1], mm[2]
                h0, h1, h2 = h[0], h[1], h[2]
                scale = coef[z, y, x, SCALE]
                bx = h0 * scale + b_add[0, z, y, x]
                by = h1 * scale + b_add[1, z, y, x]
                bz = h2 * scale + b_add[2, z, y, x]
                if flags[F_DEMAG]:
                    bx = bx + MU0 * h_demag[0, z, y, x]
                    by = by + MU0 * h_demag[1, z, y, x]
                    bz = bz + MU0 * h_demag[2, z, y, x]
                mx, my, mz = m0, m1, m2
                if flags[F_U1] or flags[F_U2]:
                    ux, uy, uz = coef[z, y, x, UX], coef[z, y, x, UY], coef[z, y, x, UZ]
                    mu = mx * ux + my * uy + mz * uz
                    if flags[F_U1]:
                        s = coef[z, y, x, K1] * mu
                        bx, by, bz = bx + s * ux, by + s * uy, bz + s * uz
                    if flags[F_U2]:
                        s = coef[z, y, x, K2] * mu ** 3
                        bx, by, bz = bx + s * ux, by + s * uy, bz + s * uz
                if flags[F_C1] or flags[F_C2] or flags[F_C3]:
                    c1x, c1y, c1z = coef[z, y, x, C1X], coef[z, y, x, C1Y], coef[z, y, x, C1Z]
                    c2x, c2y, c2z = coef[z, y, x, C2X], coef[z, y, x, C2Y], coef[z, y, x, C2Z]
                    c3x, c3y, c3z = coef[z, y, x, C3X], coef[z, y, x, C3Y], coef[z, y, x, C3Z]
                    a1 = c1x * mx + c1y * my + c1z * mz
                    b1 = c2x * mx + c2y * my + c2z * mz
                    d1 = c3x * mx + c3y * my + c3z * mz
                    if flags[F_C1]:
                        kc = -2 * coef[z, y, x, KC1]
                        f1, f2, f3 = (b1 ** 2 + d1 ** 2) * a1, (a1 ** 2 + d1 ** 2) * b1, (a1 ** 2 + b1 ** 2) * d1
                        bx = bx + kc * (f1 * c1x + f2 * c2x + f3 * c3x)
                        by = by + kc * (f1 * c1y + f2 * c2y + f3 * c3y)
                        bz = bz + kc * (f1 * c1z + f2 * c2z + f3 * c3z)
                    if flags[F_C2]:
                        kc = -2 * coef[z, y, x, KC2]
                        f1, f2, f3 = b1 ** 2 * d1 ** 2 * a1, a1 ** 2 * d1 ** 2 * b1, a1 ** 2 * b1 ** 2 * d1
                        bx = bx + kc * (f1 * c1x + f2 * c2x + f3 * c3x)
                        by = by + kc * (f1 * c1y + f2 * c2y + f3 * c3y)
                        bz = bz + kc * (f1 * c1z + f2 * c2z + f3 * c3z)
                    if flags[F_C3]:
                        kc = -4 * coef[z, y, x, KC3]
                        f1 = (b1 ** 4 + d1 ** 4) * a1 ** 3
                        f2 = (a1 ** 4 + d1 ** 4) * b1 ** 3
                        f3 = (a1 ** 4 + b1 ** 4) * d1 ** 3
                        bx = bx + kc * (f1 * c1x + f2 * c2x + f3 * c3x)
                        by = by + kc * (f1 * c1y + f2 * c2y + f3 * c3y)
                        bz = bz + kc * (f1 * c1z + f2 * c2z + f3 * c3z)
                # Landau-Lifshitz (cuda/lltorque2.cu)
                al = coef[z, y, x, ALPHA]
                cx, cy, cz = my * bz - mz * by, mz * bx - mx * bz, mx * by - my * bx  # m x B
                dx, dy, dz = my * cz - mz * cy, mz * cx - mx * cz, mx * cy - my * cx  # m x (m x B)
                if flags[F_PRECESS]:
                    g = -1 / (1 + al ** 2)
                    tx, ty, tz = g * (cx + al * dx), g * (cy + al * dy), g * (cz + al * dz)
                else:
                    tx, ty, tz = -dx, -dy, -dz
                if flags[F_STT]:  # cuda/slonczewski2.cu
                    px, py, pz = coef[z, y, x, PX], coef[z, y, x, PY], coef[z, y, x, PZ]
                    beta = coef[z, y, x, BETA_PER_J] * jz[z, y, x]
                    lam2 = coef[z, y, x, LAMBDA2]
                    eps = coef[z, y, x, POL] * lam2 / ((lam2 + 1) + (lam2 - 1) * (px * mx + py * my + pz * mz))
                    A, B = beta * eps, beta * coef[z, y, x, EPS_PRIME]
                    gilb = 1 / (1 + al ** 2)
                    qx, qy, qz = py * mz - pz * my, pz * mx - px * mz, px * my - py * mx  # p x m
                    rx, ry, rz = my * qz - mz * qy, mz * qx - mx * qz, mx * qy - my * qx  # m x (p x m)
                    f, e = gilb * (A + al * B), gilb * (B - al * A)
                    tx, ty, tz = tx + (f * rx + e * qx), ty + (f * ry + e * qy), tz + (f * rz + e * qz)
                if flags[F_FROZEN] and coef[z, y, x, FROZEN] != 0:
                    tx, ty, tz = 0.0, 0.0, 0.0
                out[0, z, y, x], out[1, z, y, x], out[2, z, y, x] = tx, ty, tz


@njit(cache=True, inline="always")
def _add_combination(v0, v1, v2, coefs, ks, z, y, x):  # pragma: no cover - compiled
    """(v0, v1, v2) + sum_i coefs[i] ks[i][:, z, y, x], term by term in the order of ``ks``."""
    for i in range(len(coefs)):
        k = ks[i]
        v0 = v0 + coefs[i] * k[0, z, y, x]
        v1 = v1 + coefs[i] * k[1, z, y, x]
        v2 = v2 + coefs[i] * k[2, z, y, x]
    return v0, v1, v2


@njit(cache=True)
def stage_into(m0, coefs, ks, geom, out):  # pragma: no cover - compiled
    """out = normalise(m0 + sum_i coefs[i] ks[i]) * geom: one Runge-Kutta stage (``_stage``)."""
    nz, ny, nx = geom.shape
    for z in range(nz):
        for y in range(ny):
            for x in range(nx):
                v0, v1, v2 = _add_combination(m0[0, z, y, x], m0[1, z, y, x], m0[2, z, y, x], coefs, ks, z, y, x)
                norm = math.sqrt(v0 * v0 + v1 * v1 + v2 * v2)
                g = geom[z, y, x]
                if norm > 0:
                    out[0, z, y, x], out[1, z, y, x], out[2, z, y, x] = v0 / norm * g, v1 / norm * g, v2 / norm * g
                else:
                    out[0, z, y, x], out[1, z, y, x], out[2, z, y, x] = 0.0, 0.0, 0.0


@njit(cache=True)
def max_norm_of_sum(coefs, ks):  # pragma: no cover - compiled
    """max over cells of |sum_i coefs[i] ks[i]| (the embedded error estimate's norm); NaN if any is."""
    k0 = ks[0]
    nz, ny, nx = k0.shape[1], k0.shape[2], k0.shape[3]
    best = 0.0
    for z in range(nz):
        for y in range(ny):
            for x in range(nx):
                v0, v1, v2 = _add_combination(0.0, 0.0, 0.0, coefs, ks, z, y, x)
                norm = math.sqrt(v0 * v0 + v1 * v1 + v2 * v2)
                if norm != norm:
                    return norm  # a NaN: the caller aborts
                if norm > best:
                    best = norm
    return best


# --- packing the Magnet's cached coefficients for the kernels (numpy; no torch here) -------------
def pack_links(links, shape: tuple[int, int, int], dtype) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The neighbour links of ``physics.Magnet._links`` as three arrays for :func:`local_torque`.

    Parameters
    ----------
    links : list of tuple
        ``(kind, array axis, neighbour index, 2A/c^2, s D/c, s c D/2A, present)`` per link, the
        arrays as numpy arrays (``None`` for the DMI entries of an exchange link).
    shape : (int, int, int)
        Grid shape (nz, ny, nx).
    dtype : numpy dtype
        The run's float type.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray, numpy.ndarray)
        ``(kind, axis, p, q, r)`` per link (L, 5), neighbour indices (L, max n), coefficients (nz, ny, nx, L, 4).

    Example
    -------
    >>> kinds, idx, coef = pack_links([], (1, 2, 3), np.float64)
    >>> kinds.shape, idx.shape, coef.shape
    ((0, 5), (0, 3), (1, 2, 3, 0, 4))
    """
    kinds = np.zeros((len(links), 5), dtype=np.int64)
    idx = np.zeros((len(links), max(shape)), dtype=np.int64)
    coef = np.zeros((len(links), 4) + tuple(shape), dtype=dtype)
    names = {"exchange": EXCHANGE, "interfacial": INTERFACIAL, "bulk": BULK}
    for i, (kind, axis, index, c, dc, k, present) in enumerate(links):
        a = 2 - axis  # the component along the link
        # the DMI pair (p, q) and the exchange-only component r: interfacial (a, z | the other in-plane
        # one), bulk (the two perpendicular to the link | a), physics._exchange_dmi
        p, q, r = (a, 2, 1 - a) if kind == "interfacial" else ((a + 1) % 3, (a + 2) % 3, a)
        kinds[i] = names[kind], axis, p, q, r
        idx[i, : len(index)] = index
        for j, value in enumerate((c, dc, k, present)):
            if value is not None:
                coef[i, j] = value
    return kinds, idx, np.ascontiguousarray(np.moveaxis(coef, (0, 1), (3, 4)))  # cell-major: one stream


_WISDOM_LOADED = False


class DemagConvolution:
    """B_demag / mu0 of M = Msat m by zero-padded FFT convolution with MuMax3's kernel, on planned
    FFTW transforms (pyFFTW): one real-to-complex and one complex-to-real transform of the three
    components per evaluation, each a single ``execute()`` of a plan made once per grid.

    FFTW rather than ``torch.fft`` (MKL) or ``scipy.fft`` (pocketfft): the same pair costs 19 us
    instead of 56 us (torch) or 65 us (scipy) on the 64 x 8 cell demo grid and 170 us instead of
    415 us on 256 x 16 cells (one thread; ``benchmarks/cpu_engine.py`` prints the floor). Plans use
    FFTW_MEASURE (0.1-0.5 s per grid); the wisdom is kept on disk per host
    (:mod:`spinlif.mx3.kernel_cache`), so a grid seen before plans at once.

    Parameters
    ----------
    kernel_hat : list of list of numpy.ndarray
        ``K_hat[i][j]`` of ``physics.demag_kernel``: the half spectrum of the padded kernel, or its
        offset-0 value when no direction has more than one cell.
    dims : list of int
        Transformed array dimensions (z = 0, y = 1, x = 2).
    padded : list of int
        The padded size along each of ``dims``.
    shape : (int, int, int)
        Grid shape (nz, ny, nx).
    dtype : numpy dtype
        The run's float type (float64 or float32).
    threads : int
        FFTW threads.

    Example
    -------
    >>> conv = DemagConvolution([[np.full((1, 1, 1), -1 / 3 if i == j else 0.0) for j in range(3)]
    ...                          for i in range(3)], [], [], (1, 1, 1), np.float64)
    >>> h = conv.field(np.array([0.0, 0.0, 1.0]).reshape(3, 1, 1, 1), np.full((1, 1, 1), 3e5))
    >>> float(h[2, 0, 0, 0])   # a cube: H = -M/3 (A/m)
    -100000.0
    """

    def __init__(self, kernel_hat, dims: list[int], padded: list[int], shape: tuple[int, int, int], dtype,
                 threads: int = 1):
        import pyfftw

        from spinlif.mx3 import kernel_cache

        global _WISDOM_LOADED
        if not _WISDOM_LOADED:
            kernel_cache.load_fftw_wisdom()
            _WISDOM_LOADED = True
        size = list(shape)
        for d, n in zip(dims, padded):
            size[d] = n
        scale = 1.0 / float(np.prod(padded)) if dims else 1.0  # FFTW's inverse is unnormalised
        self.K = np.ascontiguousarray((np.stack([kernel_hat[i][j] for i, j in kernel_cache.SYMMETRIC_PAIRS])
                                       * scale).astype(dtype))
        self.planar = bool(not self.K[4].any() and not self.K[5].any())
        self.M = pyfftw.zeros_aligned([3] + size, dtype=dtype)
        self.fft = None
        if dims:
            axes = tuple(d + 1 for d in dims)
            half = list(self.M.shape)
            half[axes[-1]] = half[axes[-1]] // 2 + 1
            complex_type = np.complex128 if np.dtype(dtype) == np.float64 else np.complex64
            self.Mk = pyfftw.empty_aligned(half, dtype=complex_type)
            self.Hk = pyfftw.empty_aligned(half, dtype=complex_type)
            self.H = pyfftw.empty_aligned(self.M.shape, dtype=dtype)
            wisdom = pyfftw.export_wisdom()
            self.fft = (pyfftw.FFTW(self.M, self.Mk, axes=axes, flags=("FFTW_MEASURE",), threads=threads),
                        pyfftw.FFTW(self.Hk, self.H, axes=axes, direction="FFTW_BACKWARD",
                                    flags=("FFTW_MEASURE", "FFTW_DESTROY_INPUT"), threads=threads))
            self.M[:] = 0  # FFTW_MEASURE overwrote the buffers while planning
            if pyfftw.export_wisdom() != wisdom:
                kernel_cache.save_fftw_wisdom()  # a new grid: its plans are kept for the next run
        else:
            self.H = np.zeros_like(self.M)

    def field(self, m: np.ndarray, msat: np.ndarray) -> np.ndarray:
        """H_demag (A/m) of ``m`` (3, nz, ny, nx): the corner (3, nz, ny, nx) of the returned
        buffer (overwritten by the next call)."""
        magnetisation_into(m, msat, self.M)
        if self.fft is None:
            kernel_product(self.K, self.planar, self.M, self.H)
            return self.H
        forward, backward = self.fft
        forward.execute()
        kernel_product(self.K, self.planar, self.Mk, self.Hk)
        backward.execute()
        return self.H
