# SPDX-License-Identifier: GPL-3.0-or-later
"""The micromagnetic state a MuMax3 script drives, on PyTorch (CPU; float64, or float32 as MuMax3).

Everything follows MuMax3 3.11.1 (mumax/3 at a0c5126a); each piece cites its Go or CUDA source:

* mesh, cell coordinates (``engine/mesh.go``, ``Index2Coord``), periodic images (``SetPBC``);
* region-wise parameters as 256-entry look-up tables (``engine/parameter.go``), excitations
  (``engine/excitation.go``), the geometry (``engine/geom.go``);
* effective field B_eff = B_exch + B_demag + B_anis + B_ext + B_therm + B_custom in tesla
  (``engine/effectivefield.go``) and the energies of ``engine/energy.go``;
* the thermal field of ``engine/temperature.go``: B_therm = eta sqrt(2 kB alpha T / (gamma0 Ms V dt))
  with eta standard normal per cell and component, drawn once per solver step (same step number
  and dt: same noise; same step, new dt after a rejected try: rescaled by sqrt(dt_old / dt_new));
  absent while relaxing. The random stream is torch's (seeded by ``ThermSeed``), not curand's:
  both engines give the same statistics, not the same realisation;
* the torque of ``engine/torque.go``: Landau-Lifshitz (``cuda/lltorque2.cu``) plus Slonczewski
  (``cuda/slonczewski2.cu``), in tesla (torque / gamma0).

Arrays are ``(3, nz, ny, nx)`` for vectors and ``(nz, ny, nx)`` for scalars, the order of MuMax3's
OVF files. Units: SI.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from spinlif.units import HBAR, KB, MU0, QE

NREGION = 256
GAMMA_LL = 1.7595e11
"""MuMax3's gyromagnetic ratio gamma0 in rad/(T s) (``engine/torque.go``)."""


class PhysicsError(RuntimeError):
    """A state MuMax3 refuses while running (e.g. no mesh, a NaN in m)."""


@dataclass
class Mesh:
    """Grid of ``n = (nx, ny, nz)`` cells of size ``cell`` (m), periodic images ``pbc``."""

    n: tuple[int, int, int]
    cell: tuple[float, float, float]
    pbc: tuple[int, int, int] = (0, 0, 0)

    @property
    def shape(self) -> tuple[int, int, int]:
        """Array shape ``(nz, ny, nx)``."""
        return self.n[2], self.n[1], self.n[0]

    @property
    def cell_volume(self) -> float:
        return self.cell[0] * self.cell[1] * self.cell[2]

    def coords(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Cell-centre coordinates (x, y, z) in m, each ``(nz, ny, nx)``: MuMax3's ``Index2Coord``,
        x = c_x (i - (n_x - 1) / 2) (``engine/mesh.go``)."""
        axes = [c * (torch.arange(n, dtype=torch.get_default_dtype()) - (n - 1) / 2) for n, c in zip(self.n, self.cell)]
        z, y, x = torch.meshgrid(axes[2], axes[1], axes[0], indexing="ij")
        return x, y, z

    def index_to_coord(self, ix: float, iy: float, iz: float) -> tuple[float, float, float]:
        return tuple(c * (i - (n - 1) / 2) for i, n, c in zip((ix, iy, iz), self.n, self.cell))


class Regionwise:
    """A region-wise parameter (``engine/parameter.go``): one value per region (256 regions), each a
    constant or a function of time (an assignment whose right side holds ``t``)."""

    def __init__(self, name: str, unit: str, ncomp: int, default=0.0, on_change: Callable | None = None):
        self.name, self.unit, self.ncomp = name, unit, ncomp
        self.lut = np.zeros((NREGION, ncomp))
        self.lut[:] = default
        self.funcs: dict[int, Callable] = {}
        self.version = 0
        self.on_change = on_change

    def set_regions(self, regions: range, value) -> None:
        """``value`` is a number, a 3-tuple or a callable of no arguments (time-dependent)."""
        for r in regions:
            self.funcs.pop(r, None)
            if callable(value):
                self.funcs[r] = value
            else:
                self.lut[r] = value
        self.version += 1
        if self.on_change:
            self.on_change()

    def set_all(self, value) -> None:
        self.set_regions(range(NREGION), value)

    def region_value(self, r: int) -> np.ndarray:
        if r in self.funcs:
            return np.atleast_1d(np.asarray(self.funcs[r](), dtype=float))
        return self.lut[r]

    def current_lut(self) -> np.ndarray:
        """The table at the current time (functions evaluated)."""
        if not self.funcs:
            return self.lut
        lut = self.lut.copy()
        cache: dict[int, np.ndarray] = {}
        for r, f in self.funcs.items():
            key = id(f)
            if key not in cache:
                cache[key] = np.atleast_1d(np.asarray(f(), dtype=float))
            lut[r] = cache[key]
        return lut

    @property
    def time_dependent(self) -> bool:
        return bool(self.funcs)

    def is_zero(self) -> bool:
        """No region holds a non-zero value or a function (cached per version: called every step)."""
        if getattr(self, "_zero", (None,))[0] != self.version:
            self._zero = (self.version, not self.funcs and not np.any(self.lut))
        return self._zero[1]

    def uniform_value(self) -> np.ndarray | None:
        """The value when every region holds the same constant, else None."""
        if self.funcs or np.any(self.lut != self.lut[0]):
            return None
        return self.lut[0]


class Excitation(Regionwise):
    """A region-wise vector plus added masks ``mask(x) * f(t)`` (``engine/excitation.go``, ``Add``)."""

    def __init__(self, name: str, unit: str, ncomp: int = 3):
        super().__init__(name, unit, ncomp)
        self.extra: list[tuple[torch.Tensor, Callable]] = []

    def is_zero(self) -> bool:
        return super().is_zero() and not self.extra


def _exchange_dmi(m: torch.Tensor, links, scale: torch.Tensor) -> torch.Tensor:
    """B_exch (T) from the neighbour links of :meth:`Magnet._links`: MuMax3's ``addexchange``,
    ``adddmi`` and ``adddmibulk`` kernels (``cuda/exchange.cu``, ``cuda/dmi.cu``, ``cuda/dmibulk.cu``).
    A missing neighbour is m0 (exchange only) or extrapolated from the DMI boundary condition."""
    h = [torch.zeros_like(m[0]) for _ in range(3)]
    for kind, axis, idx, coef, dcoef, k, present in links:
        nb = m.index_select(axis + 1, idx)
        if kind == "exchange":  # coef is 0 where the neighbour is missing (Neumann: m1 = m0)
            for c in range(3):
                h[c] = h[c] + coef * (nb[c] - m[c])
            continue
        absent = 1 - present
        a = 2 - axis  # the component along this axis (array axis 2 is x)
        if kind == "interfacial":  # the pair (a, z) rotates; the other in-plane component o does not
            o = 1 - a
            m1a = present * nb[a] + absent * (m[a] - k * m[2])
            m1z = present * nb[2] + absent * (m[2] + k * m[a])
            h[a] = h[a] + coef * (m1a - m[a]) + dcoef * m1z
            h[o] = h[o] + coef * present * (nb[o] - m[o])
            h[2] = h[2] + coef * (m1z - m[2]) - dcoef * m1a
        else:  # bulk: the pair (p, q) perpendicular to the axis rotates
            p, q = (a + 1) % 3, (a + 2) % 3
            m1p = present * nb[p] + absent * (m[p] - k * m[q])
            m1q = present * nb[q] + absent * (m[q] + k * m[p])
            h[a] = h[a] + coef * present * (nb[a] - m[a])
            h[p] = h[p] + coef * (m1p - m[p]) + dcoef * m1q
            h[q] = h[q] + coef * (m1q - m[q]) - dcoef * m1p
    return torch.stack(h) * scale


def cross(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return torch.stack([a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]])


def dot(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return (a * b).sum(dim=0)


def _demag_field(M: torch.Tensor, kernel, shape) -> torch.Tensor:
    """B_demag (T) of M (A/m) by FFT convolution with the kernel of :func:`demag_kernel`."""
    N, dims, padded = kernel
    if not dims:
        return MU0 * torch.stack([N[i][0] * M[0] + N[i][1] * M[1] + N[i][2] * M[2] for i in range(3)])
    Mk = [torch.fft.rfftn(M[j], s=padded, dim=dims) for j in range(3)]
    out = []
    for i in range(3):
        hi = torch.fft.irfftn(N[i][0] * Mk[0] + N[i][1] * Mk[1] + N[i][2] * Mk[2], s=padded, dim=dims)
        out.append(hi[: shape[0], : shape[1], : shape[2]])
    return MU0 * torch.stack(out)


def _anisotropy_parts(m: torch.Tensor, coef) -> list[tuple[torch.Tensor, float]]:
    """Anisotropy fields (T) with their energy factors (``cuda/uniaxialanisotropy2.cu``,
    ``cuda/cubicanisotropy2.cu``; energy -1/2, -1/4, ... M.B in ``engine/anisotropy.go``).
    ``coef`` = (u, 2 Ku1/Ms, 4 Ku2/Ms, (c1, c2, c3), Kc1/Ms, Kc2/Ms, Kc3/Ms), None where zero."""
    u, k1, k2, axes, kc1, kc2, kc3 = coef
    parts = []
    if u is not None:
        mu = dot(m, u)
        if k1 is not None:
            parts.append((k1 * mu * u, -0.5))
        if k2 is not None:
            parts.append((k2 * mu ** 3 * u, -0.25))
    if axes is not None:
        c1, c2, c3 = axes
        a, b, c = dot(c1, m), dot(c2, m), dot(c3, m)
        if kc1 is not None:
            parts.append((-2 * kc1 * ((b ** 2 + c ** 2) * a * c1 + (a ** 2 + c ** 2) * b * c2
                                      + (a ** 2 + b ** 2) * c * c3), -0.25))
        if kc2 is not None:
            parts.append((-2 * kc2 * (b ** 2 * c ** 2 * a * c1 + a ** 2 * c ** 2 * b * c2
                                      + a ** 2 * b ** 2 * c * c3), -1 / 6))
        if kc3 is not None:
            parts.append((-4 * kc3 * ((b ** 4 + c ** 4) * a ** 3 * c1 + (a ** 4 + c ** 4) * b ** 3 * c2
                                      + (a ** 4 + b ** 4) * c ** 3 * c3), -0.125))
    return parts


def _slonczewski(m: torch.Tensor, jz: torch.Tensor, coef, alpha: torch.Tensor) -> torch.Tensor:
    """Slonczewski torque / gamma0 (T) (``cuda/slonczewski2.cu``); ``coef`` = (p, (hbar/e)/(t Ms),
    Pol, Lambda^2, EpsilonPrime)."""
    p, beta_per_j, pol, lam2, eps_p = coef
    beta = beta_per_j * jz
    eps = pol * lam2 / ((lam2 + 1) + (lam2 - 1) * dot(p, m))
    A, B = beta * eps, beta * eps_p
    gilb = 1 / (1 + alpha ** 2)
    pxm = cross(p, m)
    return gilb * (A + alpha * B) * cross(m, pxm) + gilb * (B - alpha * A) * pxm


def _ll_torque(m: torch.Tensor, b: torch.Tensor, alpha: torch.Tensor, precess: bool) -> torch.Tensor:
    """Landau-Lifshitz torque / gamma0 (T) (``cuda/lltorque2.cu``; ``LLNoPrecess`` without precession)."""
    mxb = cross(m, b)
    if precess:
        return -1 / (1 + alpha ** 2) * (mxb + alpha * cross(m, mxb))
    return -cross(m, mxb)


def _effective_field(m, ms, links, exch_scale, demag, shape, anis, b_add):
    b = _exchange_dmi(m, links, exch_scale) + b_add
    if demag is not None:
        b = b + _demag_field(ms * m, demag, shape)
    for part, _ in _anisotropy_parts(m, anis):
        b = b + part
    return b


def _torque_kernel(m, ms, links, exch_scale, demag, shape, anis, b_add, alpha, precess: bool, stt, jz):
    """The whole torque in one compiled call (eager under TORCHDYNAMO_DISABLE=1)."""
    tau = _ll_torque(m, _effective_field(m, ms, links, exch_scale, demag, shape, anis, b_add), alpha, precess)
    if stt is not None:
        tau = tau + _slonczewski(m, jz, stt, alpha)
    return tau


def _compiled_torque_kernel():
    """:func:`_torque_kernel` under ``torch.compile`` (compiled on first use: importing the
    compiler costs ~1 s that a fused-kernel run does not pay)."""
    global _COMPILED
    if _COMPILED is None:
        _COMPILED = torch.compile(_torque_kernel, dynamic=False)
    return _COMPILED


_COMPILED = None


def exch_average(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """MuMax3's inter-region average of Aex or D (``engine/exchange.go``, ``exchAverage``): the harmonic
    mean, or sign(a+b) sqrt(sqrt(-ab)|a+b|/2) for opposite signs."""
    with np.errstate(divide="ignore", invalid="ignore"):
        same = 2 / (1 / a + 1 / b)
        same = np.where((a == 0) | (b == 0), 0.0, same)
        opposite = np.sign(a + b) * np.sqrt(np.sqrt(np.abs(a * b)) * np.abs(a + b) / 2)
    return np.where(a * b >= 0, same, opposite)


class InterRegionTable:
    """Scale and added term per region pair for Aex or D (``ext_ScaleExchange``, ``ext_InterExchange``;
    ``engine/exchange.go`` ``exchParam``): lut[i, j] = scale[i, j] * average(x_i, x_j) + inter[i, j]."""

    def __init__(self):
        self.scale = np.ones((NREGION, NREGION))
        self.inter = np.zeros((NREGION, NREGION))
        self.version = 0

    def set_scale(self, r1: int, r2: int, scale: float) -> None:
        for i, j in ((r1, r2), (r2, r1)):
            self.scale[i, j], self.inter[i, j] = scale, 0.0
        self.version += 1

    def set_inter(self, r1: int, r2: int, value: float) -> None:
        for i, j in ((r1, r2), (r2, r1)):
            self.scale[i, j], self.inter[i, j] = 0.0, value
        self.version += 1

    def lut(self, values: np.ndarray, msat: np.ndarray) -> np.ndarray:
        x = values * np.sign(msat)
        return self.scale * exch_average(x[:, None], x[None, :]) + self.inter


def demag_kernel(mesh: Mesh) -> tuple[list[list[torch.Tensor]], list[int], list[int]]:
    """FFT of MuMax3's demagnetising kernel (:func:`spinlif.mx3.demag.mumax3_kernel`) on MuMax3's
    padded grid. Returns ``(K_hat[i][j], fft dims, padded sizes)`` in array order (z, y, x); a
    direction of one cell is not transformed (its kernel is the value at offset 0)."""
    from spinlif.mx3.demag import mumax3_kernel, pad_size
    from spinlif.mx3.kernel_cache import cached_kernel

    K = cached_kernel(mesh.n, mesh.cell, mesh.pbc, lambda: mumax3_kernel(mesh.n, mesh.cell, mesh.pbc))
    size = pad_size(mesh.n, mesh.pbc)
    # array dims (z=0, y=1, x=2) with more than one cell, ascending: the half spectrum is along the
    # last transformed dim, x when nx > 1, contiguous in memory (3x faster FFTs than halving y)
    dims = [a for a in range(3) if mesh.n[2 - a] > 1]
    padded = [size[2 - d] for d in dims]
    keep = tuple(slice(None) if mesh.n[2 - a] > 1 else slice(0, 1) for a in range(3))
    out = []
    for row in K:
        comps = []
        for k in row:
            t = torch.as_tensor(k[keep], dtype=torch.get_default_dtype())
            comps.append(torch.fft.rfftn(t, dim=dims).real.clone() if dims else t)
        out.append(comps)
    return out, dims, padded


class Magnet:
    """The simulated magnet: mesh, geometry, regions, parameters, m and every field term."""

    def __init__(self):
        self.mesh: Mesh | None = None
        self.time = 0.0
        self.gamma_ll = GAMMA_LL
        s = self._invalidate
        # engine/magnetization.go, parameter.go, anisotropy.go, exchange.go, torque.go, demag.go, zeeman.go
        self.params: dict[str, Regionwise] = {}
        for name, unit, ncomp, default in [
            ("Msat", "A/m", 1, 0.0), ("Aex", "J/m", 1, 0.0), ("alpha", "", 1, 0.0),
            ("Ku1", "J/m3", 1, 0.0), ("Ku2", "J/m3", 1, 0.0), ("Kc1", "J/m3", 1, 0.0), ("Kc2", "J/m3", 1, 0.0),
            ("Kc3", "J/m3", 1, 0.0), ("AnisU", "", 3, 0.0), ("AnisC1", "", 3, 0.0), ("AnisC2", "", 3, 0.0),
            ("Dind", "J/m2", 1, 0.0), ("Dbulk", "J/m2", 1, 0.0), ("xi", "", 1, 0.0), ("Pol", "", 1, 1.0),
            ("Lambda", "", 1, 1.0), ("EpsilonPrime", "", 1, 0.0), ("FreeLayerThickness", "m", 1, 0.0),
            ("frozenspins", "", 1, 0.0), ("Temp", "K", 1, 0.0),
        ]:
            self.params[name] = Regionwise(name, unit, ncomp, default, on_change=s)
        self.B_ext = Excitation("B_ext", "T")
        self.J = Excitation("J", "A/m2")
        self.FixedLayer = Excitation("FixedLayer", "")
        self.exchange_table = InterRegionTable()
        self.dmi_table = InterRegionTable()
        self.dbulk_table = InterRegionTable()
        self.enable_demag = True
        self.open_bc = False
        self.precess = True
        self.disable_zhang_li = False
        self.disable_slonczewski = False
        self.fixed_layer_sign = 1.0
        self.custom_fields: list = []   # quantities adding to B_custom (AddFieldTerm)
        self.custom_edens: list = []    # quantities adding to Edens_custom (AddEdensTerm)
        self.therm_seed = 0
        self.relaxing = False          # engine/relax.go: no thermal field while relaxing
        self.thermal_clock: Callable[[], tuple[int, float]] = lambda: (0, 0.0)  # (NSteps, Dt_si), set by the world
        self._therm: tuple[int, torch.Tensor] | None = None  # (solver step, standard normals of that step)
        self._therm_generator: torch.Generator | None = None
        self.m: torch.Tensor | None = None
        self.regions: torch.Tensor | None = None
        self.geom: torch.Tensor | None = None
        self._cache: dict = {}
        self.n_evals = 0
        self.kernel = os.environ.get("SPINLIF_CPU_KERNEL", "fused")  # or "torch" (the reference)
        self._demag_conv = None  # (demag kernel, fused.DemagConvolution)

    # --- mesh, geometry, regions --------------------------------------------------------------
    def set_mesh(self, n, cell, pbc=None) -> None:
        """SetGridSize / SetCellSize / SetPBC (``engine/mesh.go``): re-meshing keeps regions and m
        where the grid is unchanged, else resets them (MuMax3 resamples; we start uniform)."""
        pbc = tuple(pbc) if pbc is not None else (self.mesh.pbc if self.mesh else (0, 0, 0))
        self.mesh = Mesh(tuple(int(v) for v in n), tuple(float(c) for c in cell), pbc)
        shape = self.mesh.shape
        if self.m is None or tuple(self.m.shape[1:]) != shape:
            self.m = torch.zeros((3,) + shape, dtype=torch.get_default_dtype())
            self.m[0] = 1.0  # uniform (1, 0, 0); MuMax3 starts from RandomMag (engine/magnetization.go)
            self.regions = torch.zeros(shape, dtype=torch.int64)
            self.geom = torch.ones(shape, dtype=torch.get_default_dtype())
        self._invalidate(kernel=True)

    def require_mesh(self) -> Mesh:
        if self.mesh is None:
            raise PhysicsError("mesh not set: call SetGridSize and SetCellSize first")
        return self.mesh

    def _invalidate(self, kernel: bool = False) -> None:
        demag = self._cache.get("demag") if not kernel else None
        self._cache = {"demag": demag} if demag is not None else {}

    def set_geom(self, mask: torch.Tensor) -> None:
        self.geom = mask.to(torch.get_default_dtype())
        self.m = self.m * self.geom
        self.normalize()
        self._invalidate()

    def normalize(self) -> None:
        norm = torch.sqrt((self.m ** 2).sum(dim=0))
        self.m = torch.where(norm > 0, self.m / torch.where(norm > 0, norm, 1.0), torch.zeros_like(self.m)) * self.geom

    # --- cell values ----------------------------------------------------------------------------
    def cell_param(self, name: str) -> torch.Tensor:
        """A parameter on the cells, ``(nz, ny, nx)`` or ``(3, nz, ny, nx)``."""
        p = self.params[name] if name in self.params else getattr(self, name)
        return self.cell_values(p)

    def cell_values(self, p: Regionwise) -> torch.Tensor:
        key = ("cell", p.name, p.version, self._region_version())
        if not p.time_dependent and key in self._cache:
            return self._cache[key]
        lut = torch.as_tensor(p.current_lut(), dtype=torch.get_default_dtype())
        values = lut[self.regions].movedim(-1, 0)
        values = values[0] if p.ncomp == 1 else values
        if isinstance(p, Excitation):
            for mask, f in p.extra:
                values = values + mask * float(f())
        if not p.time_dependent and not (isinstance(p, Excitation) and p.extra):
            self._cache[key] = values
        return values

    def _region_version(self) -> int:
        return id(self.regions)

    # --- effective field ------------------------------------------------------------------------
    def msat(self) -> torch.Tensor:
        return self.cell_param("Msat")

    def m_full(self) -> torch.Tensor:
        """M = Msat m (A/m)."""
        return self.msat() * self.m

    def _inv_msat(self) -> torch.Tensor:
        """1 / Msat, 0 where Msat = 0 (MuMax3's ``inv_Msat``); cached unless Msat depends on t."""
        p = self.params["Msat"]
        key = ("inv_msat", p.version, self._region_version())
        if key in self._cache:
            return self._cache[key]
        ms = self.msat()
        inv = torch.where(ms != 0, 1 / torch.where(ms != 0, ms, 1.0), torch.zeros_like(ms))
        if not p.time_dependent:
            self._cache[key] = inv
        return inv

    def _links(self):
        """Per-neighbour stiffness and DMI coefficients (cached until a parameter or region changes)
        for :func:`_exchange_dmi`: ``(kind, array axis, neighbour index, 2A/c^2, s D/c, s c D/2A,
        present)`` with s = -1, +1 the direction; inter-region values from the LUTs of
        ``engine/exchange.go``. Along z without bulk DMI: exchange only (``cuda/dmi.cu``)."""
        p = self.params
        key = ("links", p["Aex"].version, p["Dind"].version, p["Dbulk"].version, p["Msat"].version,
               self.exchange_table.version, self.dmi_table.version, id(self.regions), id(self.geom), self.open_bc)
        if key in self._cache:
            return self._cache[key]
        bulk = not p["Dbulk"].is_zero()
        if bulk and not p["Dind"].is_zero():
            raise PhysicsError("Cannot have interfacial-induced DMI and bulk DMI at the same time")
        mesh = self.mesh
        msat_lut = p["Msat"].current_lut()[:, 0]
        a_lut = torch.as_tensor(self.exchange_table.lut(p["Aex"].current_lut()[:, 0], msat_lut), dtype=torch.get_default_dtype())
        d_table, d_name = (self.dbulk_table, "Dbulk") if bulk else (self.dmi_table, "Dind")
        d_lut = torch.as_tensor(d_table.lut(p[d_name].current_lut()[:, 0], msat_lut), dtype=torch.get_default_dtype())
        present0 = self.geom > 0
        links = []
        r0 = self.regions
        for axis, c, periodic in ((2, mesh.cell[0], mesh.pbc[0]), (1, mesh.cell[1], mesh.pbc[1]),
                                  (0, mesh.cell[2], mesh.pbc[2])):
            n = r0.shape[axis]
            kind = "bulk" if bulk else ("interfacial" if axis != 0 else "exchange")
            if axis == 0 and n == 1 and not (bulk and not self.open_bc):
                continue  # adddmibulk also takes the z surfaces of a single layer (Neumann BC)
            for step in (-1, 1):
                if periodic:
                    idx = (torch.arange(n) + step) % n
                else:
                    idx = torch.clamp(torch.arange(n) + step, 0, n - 1)
                inside = torch.ones(n, dtype=torch.bool)
                if not periodic:
                    inside[0 if step < 0 else n - 1] = False
                shape = [1, 1, 1]
                shape[axis] = n
                inside = inside.reshape(shape)
                present = present0.index_select(axis, idx) & inside.expand_as(r0)
                r_eff = torch.where(present, r0.index_select(axis, idx), r0)
                A = a_lut[r0, r_eff]
                if kind == "exchange":
                    coef = torch.where(present, 2 * A / c ** 2, torch.zeros_like(A))
                    links.append((kind, axis, idx, coef, None, None, present.to(torch.get_default_dtype())))
                    continue
                D = d_lut[r0, r_eff]
                use = present | torch.tensor(not self.open_bc)  # an open boundary adds nothing
                k = torch.where(A != 0, step * c * 0.5 * D / torch.where(A != 0, A, 1.0), torch.zeros_like(A))
                coef = torch.where(use, 2 * A / c ** 2, torch.zeros_like(A))
                dcoef = torch.where(use, step * D / c, torch.zeros_like(A))
                links.append((kind, axis, idx, coef, dcoef, k, present.to(torch.get_default_dtype())))
        self._cache[key] = links
        return links

    def b_exch(self) -> torch.Tensor:
        """Exchange + DMI field (T), MuMax3's kernels with the DMI boundary condition."""
        return _exchange_dmi(self.m, self._links(), self._exch_scale())

    def _exch_scale(self) -> torch.Tensor:
        """1 / Msat on the geometry, 0 elsewhere (B = h / Ms in tesla)."""
        key = ("exch_scale", self.params["Msat"].version, id(self.regions), id(self.geom))
        if key not in self._cache or self.params["Msat"].time_dependent:
            self._cache[key] = self._inv_msat() * (self.geom > 0)
        return self._cache[key]

    def _demag(self):
        """The demag kernel of the mesh, or None when demag is off."""
        if not self.enable_demag:
            return None
        if "demag" not in self._cache or self._cache["demag"][0] != self.mesh:
            self._cache["demag"] = (self.mesh, demag_kernel(self.mesh))
        return self._cache["demag"][1]

    def b_demag(self) -> torch.Tensor:
        """Demagnetising field (T) of M = Msat m by FFT convolution (``engine/demag.go``)."""
        kernel = self._demag()
        if kernel is None:
            return torch.zeros_like(self.m)
        ms, cached = self.msat(), self._cache.get("b_demag")
        if cached is not None and cached[0] is self.m and cached[1] is ms:
            return cached[2]  # the table's E_demag and E_total of one row: one FFT convolution
        b = _demag_field(ms * self.m, kernel, self.mesh.shape)
        self._cache["b_demag"] = (self.m, ms, b)  # m is replaced, never changed in place
        return b

    def _static(self, key: str, names: tuple[str, ...], build):
        """``build()`` cached until one of the parameters ``names`` changes (never when one depends on t)."""
        params = [self.params[n] for n in names]
        full = (key, tuple(p.version for p in params), id(self.regions), id(self.geom))
        if full in self._cache:
            return self._cache[full]
        value = build()
        if not any(p.time_dependent for p in params):
            self._cache[full] = value
        return value

    def _anisotropy_coefficients(self):
        def unit(v):
            return v / torch.clamp(torch.sqrt((v ** 2).sum(0)), min=1e-300)

        def build():
            p, inv = self.params, self._inv_msat()

            def k(name, factor):
                return None if p[name].is_zero() else factor * self.cell_param(name) * inv
            uniaxial = not (p["Ku1"].is_zero() and p["Ku2"].is_zero())
            cubic = not (p["Kc1"].is_zero() and p["Kc2"].is_zero() and p["Kc3"].is_zero())
            axes = None
            if cubic:
                c1, c2 = unit(self.cell_param("AnisC1")), unit(self.cell_param("AnisC2"))
                axes = (c1, c2, cross(c1, c2))
            return (unit(self.cell_param("AnisU")) if uniaxial else None, k("Ku1", 2), k("Ku2", 4), axes,
                    k("Kc1", 1), k("Kc2", 1), k("Kc3", 1))
        return self._static("anis", ("Msat", "Ku1", "Ku2", "Kc1", "Kc2", "Kc3", "AnisU", "AnisC1", "AnisC2"), build)

    def b_anis_parts(self) -> list[tuple[torch.Tensor, float]]:
        """Anisotropy fields (T) with their energy factors."""
        return _anisotropy_parts(self.m, self._anisotropy_coefficients())

    def b_anis(self) -> torch.Tensor:
        parts = self.b_anis_parts()
        return sum((b for b, _ in parts), torch.zeros_like(self.m))

    def b_ext(self) -> torch.Tensor:
        return self.cell_values(self.B_ext).expand_as(self.m)

    def b_custom(self) -> torch.Tensor:
        out = torch.zeros_like(self.m)
        for q in self.custom_fields:
            out = out + q.value()
        return out

    def _b_added(self) -> torch.Tensor:
        """B_ext plus the thermal and custom fields (T)."""
        b = self.b_ext()
        if self.thermal():
            b = b + self.b_therm()
        if self.custom_fields:
            b = b + self.b_custom()
        return b

    def thermal(self) -> bool:
        """True when a thermal field acts (Temp != 0 and not relaxing)."""
        return not self.relaxing and not self.params["Temp"].is_zero()

    def set_therm_seed(self, seed: int) -> None:
        """``ThermSeed(seed)``: restart the thermal noise stream."""
        self.therm_seed = int(seed)
        self._therm_generator = None
        self._therm = None

    def b_therm(self) -> torch.Tensor:
        """Thermal field (T) of ``engine/temperature.go`` (see the module docstring), zero at Temp = 0."""
        if self.params["Temp"].is_zero():
            return torch.zeros_like(self.m)
        n_steps, dt = self.thermal_clock()
        if not dt > 0:
            raise PhysicsError(f"thermal field needs a positive time step, have dt = {dt!r} s")
        if self._therm is None or self._therm[0] != n_steps or self._therm[1].shape != self.m.shape:
            if self._therm_generator is None:
                self._therm_generator = torch.Generator().manual_seed(self.therm_seed)
            eta = torch.randn(self.m.shape, generator=self._therm_generator, dtype=self.m.dtype)
            self._therm = (n_steps, eta)
        eta = self._therm[1]
        variance = 2 * KB * self.cell_param("alpha") * self.cell_param("Temp") * self._inv_msat() \
            / (self.gamma_ll * self.mesh.cell_volume * dt)
        return eta * torch.sqrt(torch.clamp(variance, min=0.0))

    def b_eff(self) -> torch.Tensor:
        """B_eff (T): ``engine/effectivefield.go`` SetEffectiveField."""
        return _effective_field(self.m, self.msat(), self._links(), self._exch_scale(), self._demag(),
                                self.mesh.shape, self._anisotropy_coefficients(), self._b_added())

    # --- energies (J) and densities (J/m^3) ----------------------------------------------------
    def edens(self, term: str) -> torch.Tensor:
        M = self.m_full()
        if term == "demag":
            return -0.5 * dot(M, self.b_demag())
        if term == "exch":
            return -0.5 * dot(M, self.b_exch())
        if term == "anis":
            return sum((f * dot(M, b) for b, f in self.b_anis_parts()), torch.zeros_like(self.m[0]))
        if term == "zeeman":
            return -dot(M, self.b_ext())
        if term == "custom":
            return sum((q.value()[0] for q in self.custom_edens), torch.zeros_like(self.m[0]))
        if term == "therm":  # engine/temperature.go: -M.B_therm, 0 while relaxing
            return torch.zeros_like(self.m[0]) if self.relaxing else -dot(M, self.b_therm())
        if term == "total":
            return sum(self.edens(t) for t in ("demag", "exch", "anis", "zeeman", "custom", "therm"))
        raise KeyError(term)

    def energy(self, term: str) -> float:
        return float(self.edens(term).sum()) * self.mesh.cell_volume

    # --- torque (T) -----------------------------------------------------------------------------
    def torque(self) -> torch.Tensor:
        """Total torque / gamma0 (``engine/torque.go`` SetTorque): the numba kernels of
        :mod:`spinlif.mx3.fused` (:attr:`fused`: the default in float64) or the torch terms of this
        module, compiled (``kernel = "torch"``, the reference the fused kernels are tested against,
        and float32 runs)."""
        self.n_evals += 1
        if self.fused:
            return self._fused_torque()
        stt, jz = self._slonczewski_inputs()
        tau = _compiled_torque_kernel()(self.m, self.msat(), self._links(), self._exch_scale(), self._demag(), self.mesh.shape,
                             self._anisotropy_coefficients(), self._b_added(), self.cell_param("alpha"),
                             self.precess, stt, jz)
        if not self.params["frozenspins"].is_zero():
            tau = tau * (self.cell_param("frozenspins") == 0)
        return tau

    @property
    def fused(self) -> bool:
        """True when the torque and the stepper's stages run on the fused kernels: ``kernel`` is
        "fused" and m is float64. A float32 run keeps the torch terms, whose float32 arithmetic is
        MuMax3's (the fused kernels sum in float64, so a float32 Relax() would stop elsewhere than
        MuMax3's; SP4's 1e-5 expects tell the difference)."""
        return self.kernel == "fused" and self.m.dtype == torch.float64

    def _fused_plan(self, stt):
        """The packed numpy inputs of :mod:`spinlif.mx3.fused`, rebuilt when a cached coefficient
        changes (each is a cached tensor: its identity is its version)."""
        from spinlif.mx3 import fused

        frozen = None if self.params["frozenspins"].is_zero() else self.cell_param("frozenspins")
        key = (self._links(), self._anisotropy_coefficients(), self._exch_scale(), self.cell_param("alpha"),
               self.msat(), stt, frozen, self._demag(), self.precess)
        cached = self._cache.get("fused")
        if cached is not None and all(a is b for a, b in zip(cached["key"], key)):
            return cached
        links, (u, k1, k2, axes, kc1, kc2, kc3), scale, alpha, msat, _, _, demag, precess = key
        shape = self.mesh.shape
        dtype = self.m.numpy().dtype
        coef = np.zeros((fused.N_COEF,) + shape, dtype=dtype)
        flags = np.zeros(fused.N_FLAGS, dtype=np.int64)

        def put(row, value, flag=None):
            if value is not None:
                coef[row:row + (3 if value.dim() == 4 else 1)] = value.expand(shape if value.dim() < 4 else
                                                                              (3,) + shape).numpy()
                if flag is not None:
                    flags[flag] = 1
        put(fused.SCALE, scale)
        put(fused.ALPHA, alpha)
        put(fused.UX, u)
        put(fused.K1, k1, fused.F_U1)
        put(fused.K2, k2, fused.F_U2)
        if axes is not None:
            for row, c in zip((fused.C1X, fused.C2X, fused.C3X), axes):
                put(row, c)
            put(fused.KC1, kc1, fused.F_C1)
            put(fused.KC2, kc2, fused.F_C2)
            put(fused.KC3, kc3, fused.F_C3)
        if stt is not None:
            p, beta_per_j, pol, lam2, eps_p = stt
            for row, value in ((fused.PX, p), (fused.BETA_PER_J, beta_per_j), (fused.POL, pol),
                               (fused.LAMBDA2, lam2), (fused.EPS_PRIME, eps_p)):
                put(row, value)
            flags[fused.F_STT] = 1
        put(fused.FROZEN, frozen, fused.F_FROZEN)
        flags[fused.F_PRECESS] = int(precess)
        coef = np.ascontiguousarray(np.moveaxis(coef, 0, -1))  # cell-major (fused.local_torque)
        numpy_links = [(kind, axis, idx.numpy(), *(None if v is None else v.expand(shape).numpy()
                                                   for v in (c, dc, k, present)))
                       for kind, axis, idx, c, dc, k, present in links]
        demag_conv = None
        if demag is not None:  # planned once per kernel (it survives _invalidate, as the kernel does)
            if self._demag_conv is None or self._demag_conv[0] is not demag:
                kernel_hat, dims, padded = demag
                self._demag_conv = (demag, fused.DemagConvolution([[k.numpy() for k in row] for row in kernel_hat],
                                                                  dims, padded, shape, dtype,
                                                                  threads=torch.get_num_threads()))
            demag_conv = self._demag_conv[1]
        flags[fused.F_DEMAG] = demag is not None
        varying = [self.params[n] for n in ("Msat", "Aex", "Dind", "Dbulk", "alpha", "Ku1", "Ku2", "Kc1", "Kc2",
                                            "Kc3", "AnisU", "AnisC1", "AnisC2", "frozenspins", "Pol", "Lambda",
                                            "EpsilonPrime", "FreeLayerThickness")] + [self.FixedLayer]
        plan = {"key": key, "coef": coef, "flags": flags, "links": fused.pack_links(numpy_links, shape, dtype),
                "msat": np.ascontiguousarray(msat.expand(shape).numpy()), "no_jz": np.zeros(shape, dtype=dtype),
                "demag": demag_conv, "no_h": np.zeros((3, 1, 1, 1), dtype=dtype),
                "static": not any(q.time_dependent for q in varying) and not self.FixedLayer.extra}
        self._cache["fused"] = plan
        return plan

    def _fused_torque(self) -> torch.Tensor:
        """The torque of :meth:`torque` by the kernels of :mod:`spinlif.mx3.fused`. The packed inputs
        are reused while nothing they depend on changes: every parameter change clears ``_cache``;
        the switches and excitations set directly are in ``quick``."""
        from spinlif.mx3 import fused

        quick = (self.precess, self.enable_demag, self.open_bc, self.disable_slonczewski, self.disable_zhang_li,
                 self.FixedLayer.version, self.J.version, self.fixed_layer_sign, self.B_ext.version,
                 self.relaxing, id(self.regions), id(self.geom))
        plan = self._cache.get("fused")
        if plan is None or not plan["static"] or plan["quick"] != quick or plan["jz"] is None:
            stt, jz = self._slonczewski_inputs()
            plan = self._fused_plan(stt)
            plan["quick"], plan["refs"] = quick, (self.regions, self.geom)  # the ids stay valid
            static_j = not (self.J.time_dependent or self.J.extra)
            jz = plan["no_jz"] if jz is None else np.ascontiguousarray(jz.expand(self.mesh.shape).numpy())
            plan["jz"] = jz if static_j else None
            static_b = not (self.B_ext.time_dependent or self.B_ext.extra or self.thermal() or self.custom_fields)
            plan["b_add"] = np.ascontiguousarray(self._b_added().expand_as(self.m).numpy()) if static_b else None
        else:
            jz = plan["jz"]
        b_add = plan["b_add"]
        if b_add is None:
            b_add = np.ascontiguousarray(self._b_added().expand_as(self.m).numpy())
        m = np.ascontiguousarray(self.m.numpy())
        h = plan["no_h"] if plan["demag"] is None else plan["demag"].field(m, plan["msat"])
        out = np.empty_like(m)
        kinds, idx, link_coef = plan["links"]
        fused.local_torque(m, b_add, jz, h, plan["coef"], kinds, idx, link_coef, plan["flags"], out)
        return torch.from_numpy(out)

    def _slonczewski_inputs(self):
        """(coefficients, J_z) of the Slonczewski torque, or (None, None) when it vanishes. Refuses
        a Zhang-Li torque that would act (J in plane, or J_z across several cell layers)."""
        if self.J.is_zero():
            return None, None
        J = self.cell_values(self.J).expand_as(self.m)
        if not self.disable_zhang_li:
            in_plane = bool(torch.any(J[0] != 0) or torch.any(J[1] != 0))
            if in_plane or (self.mesh.n[2] > 1 and bool(torch.any(J[2] != 0))):
                raise PhysicsError("the Zhang-Li torque (J with a gradient direction of m): supported by "
                                   "MuMax3, not by the cpu engine; set DisableZhangLiTorque = true")
        if self.disable_slonczewski or self.FixedLayer.is_zero():
            return None, None

        def build():
            ms = self.msat()
            flt = self.cell_param("FreeLayerThickness")
            flt = torch.where(flt == 0, torch.full_like(flt, self.mesh.n[2] * self.mesh.cell[2]), flt)
            p = self.cell_values(self.FixedLayer).expand_as(self.m)
            p = p / torch.clamp(torch.sqrt((p ** 2).sum(0)), min=1e-300)
            beta_per_j = torch.where(ms != 0, (HBAR / QE) / (flt * torch.where(ms != 0, ms, 1.0)), torch.zeros_like(ms))
            return p, beta_per_j, self.cell_param("Pol"), self.cell_param("Lambda") ** 2, self.cell_param("EpsilonPrime")
        key = ("stt", self.FixedLayer.version)
        coef = self._static(key, ("Msat", "FreeLayerThickness", "Pol", "Lambda", "EpsilonPrime"), build) \
            if not self.FixedLayer.time_dependent else build()
        return coef, J[2] * self.fixed_layer_sign

    def st_torque(self) -> torch.Tensor:
        """Spin-transfer torque / gamma0 (T): Slonczewski (``cuda/slonczewski2.cu``)."""
        stt, jz = self._slonczewski_inputs()
        if stt is None:
            return torch.zeros_like(self.m)
        return _slonczewski(self.m, jz, stt, self.cell_param("alpha"))

    def max_torque(self) -> float:
        return float(torch.sqrt((self.torque() ** 2).sum(0)).max())


def max_vec_norm(v: torch.Tensor) -> float:
    return float(torch.sqrt((v ** 2).sum(0)).max())


def is_finite(v: torch.Tensor) -> bool:
    return bool(torch.isfinite(v).all())


__all__ = ["GAMMA_LL", "Magnet", "Mesh", "Regionwise", "Excitation", "PhysicsError", "cross", "dot",
           "max_vec_norm"]
