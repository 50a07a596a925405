# SPDX-License-Identifier: GPL-3.0-or-later
"""The fused numba kernels (spinlif.mx3.fused) give the torque and the time steps of the torch terms
of spinlif.mx3.physics, term by term, to rounding (issue 18: 1e-9 relative)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from spinlif.mx3 import fused, physics
from spinlif.mx3.physics import Magnet
from spinlif.mx3.steppers import Clock, rk23_step, rk45dp_step


@pytest.fixture(autouse=True)
def eager_reference(monkeypatch):
    """The torch reference runs eagerly (the same function torch.compile would compile)."""
    monkeypatch.setattr(physics, "_COMPILED", physics._torque_kernel)
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


def magnet(n, dmi="interfacial", demag=True, stt=True, cubic=False, pbc=(0, 0, 0), regions=False,
           frozen=False, precess=True, pulse=False) -> Magnet:
    """A magnet with every term the case names, random m (seed 1), 2 x 2 x 1 nm^3 cells."""
    nx, ny, nz = n
    mag = Magnet()
    mag.set_mesh(n, (2e-9, 2e-9, 1e-9), pbc)
    mag.m = torch.randn((3, nz, ny, nx), generator=torch.Generator().manual_seed(1))
    mag.normalize()
    p = mag.params
    for name, value in (("Msat", 6e5), ("Aex", 1e-11), ("alpha", 0.1), ("Ku1", 5e5), ("Ku2", 1e4)):
        p[name].set_all(value)
    p["AnisU"].set_all((0.0, 0.1, 1.0))
    if regions:  # a second material on the right half: inter-region exchange and DMI averages
        r = torch.zeros((nz, ny, nx), dtype=torch.int64)
        r[..., nx // 2:] = 1
        mag.regions = r
        p["Msat"].set_regions(range(1, 2), 8e5)
        p["Aex"].set_regions(range(1, 2), 1.5e-11)
        p["alpha"].set_regions(range(1, 2), 0.3)
        mag._invalidate()
    if dmi == "interfacial":
        p["Dind"].set_all(1e-3)
    elif dmi == "bulk":
        p["Dbulk"].set_all(1e-3)
    if cubic:
        for name in ("Kc1", "Kc2", "Kc3"):
            p[name].set_all(1e4)
        p["AnisC1"].set_all((1.0, 0.0, 0.0))
        p["AnisC2"].set_all((0.0, 1.0, 0.2))
    mag.B_ext.set_all((0.01, 0.02, 0.03))
    mag.enable_demag = demag
    if stt:
        mag.J.set_all(lambda: (0.0, 0.0, 1e11 * (1 + np.sin(mag.time * 1e11)))) if pulse else \
            mag.J.set_all((0.0, 0.0, 1e11))
        mag.FixedLayer.set_all((0.3, 0.2, 1.0))
        p["Lambda"].set_all(1.3)
        p["EpsilonPrime"].set_all(0.1)
        p["Pol"].set_all(0.5)
        mag.disable_zhang_li = True
    if frozen:
        f = torch.zeros((nz, ny, nx))
        f[..., :2] = 1
        p["frozenspins"].set_all(0.0)
        mag.params["frozenspins"].set_regions(range(1, 2), 1.0)
        mag.regions = f.to(torch.int64)
        mag._invalidate()
    mag.precess = precess
    return mag


CASES = {
    "thin film, interfacial DMI, SOT": dict(n=(16, 8, 1)),
    "3 layers, bulk DMI": dict(n=(16, 8, 3), dmi="bulk"),
    "cubic anisotropy, 2 layers": dict(n=(8, 8, 2), cubic=True),
    "periodic along x": dict(n=(12, 6, 1), pbc=(2, 0, 0)),
    "one cell": dict(n=(1, 1, 1)),
    "a column, no DMI": dict(n=(10, 1, 4), dmi="none"),
    "two regions": dict(n=(16, 8, 1), regions=True),
    "no demag, no torque terms": dict(n=(16, 8, 1), demag=False, stt=False),
    "frozen spins": dict(n=(16, 8, 1), frozen=True),
    "no precession": dict(n=(16, 8, 1), precess=False),
    "a current that depends on t": dict(n=(16, 8, 1), pulse=True),
}


@pytest.mark.parametrize("case", CASES)
def test_fused_torque_equals_the_torch_terms(case):
    mag = magnet(**CASES[case])
    mag.kernel = "torch"
    reference = mag.torque()
    mag.kernel = "fused"
    tau = mag.torque()
    assert tau.shape == reference.shape and tau.dtype == reference.dtype
    assert float(reference.abs().max()) > 0
    assert float((tau - reference).abs().max()) <= 1e-12 * float(reference.abs().max())


@pytest.mark.parametrize("step", [rk45dp_step, rk23_step])
def test_fused_steps_follow_the_torch_steps(step):
    """20 adaptive steps with a time-dependent current: the same dt sequence and the same m."""
    runs = []
    for kernel in ("torch", "fused"):
        mag = magnet((16, 8, 1), pulse=True)
        mag.kernel = kernel
        clock = Clock(dt=1e-14)
        for _ in range(20):
            step(mag, clock)
        runs.append((mag.m, mag.time, clock.n_steps, clock.n_undone, clock.last_err))
    (m0, t0, n0, u0, e0), (m1, t1, n1, u1, e1) = runs
    assert (n0, u0) == (n1, u1) and n0 + u0 == 20
    assert t1 == pytest.approx(t0, rel=1e-12) and e1 == pytest.approx(e0, rel=1e-6)
    assert float((m1 - m0).abs().max()) < 1e-12


def test_float32_runs_keep_the_torch_terms_as_mumax3():
    """float32 is for MuMax3's own arithmetic (SP4's relaxed state): the torch terms, in float32."""
    torch.set_default_dtype(torch.float32)
    mag = magnet((16, 8, 1))
    assert not mag.fused
    tau = mag.torque()
    assert tau.dtype == torch.float32
    mag.kernel = "torch"
    assert torch.equal(tau, mag.torque())


def test_the_error_norm_reports_a_nan():
    k = np.zeros((3, 1, 2, 2))
    k[1, 0, 1, 1] = np.nan
    assert np.isnan(fused.max_norm_of_sum(np.array([1.0]), (k,)))
    k[1, 0, 1, 1] = -2.0
    assert fused.max_norm_of_sum(np.array([1.0, 0.5]), (k, k)) == 3.0


def test_demag_of_a_table_row_is_computed_once():
    """E_demag and E_total of one row share one convolution; a new m computes it again."""
    mag = magnet((16, 8, 1))
    first = mag.b_demag()
    assert mag.b_demag() is first
    mag.energy("total")
    assert mag.b_demag() is first
    mag.m = mag.m.flip(-1).contiguous()
    assert mag.b_demag() is not first


def test_the_kernel_cache_returns_the_computed_kernel_and_survives_a_broken_file(tmp_path, monkeypatch):
    from spinlif.mx3 import kernel_cache
    from spinlif.mx3.demag import mumax3_kernel

    monkeypatch.setenv(kernel_cache.CACHE_ENV, str(tmp_path))
    grid = ((6, 4, 2), (2e-9, 3e-9, 1e-9), (0, 0, 0))
    calls = []

    def compute():
        calls.append(1)
        return mumax3_kernel(*grid)
    first = kernel_cache.cached_kernel(*grid, compute)
    again = kernel_cache.cached_kernel(*grid, compute)
    assert len(calls) == 1
    assert all(np.array_equal(first[i][j], again[i][j]) for i in range(3) for j in range(3))
    assert np.array_equal(again[0][2], again[2][0])
    (stored,) = tmp_path.glob("demag-*.npz")
    stored.write_bytes(b"half a file")
    third = kernel_cache.cached_kernel(*grid, compute)
    assert len(calls) == 2 and np.array_equal(third[1][1], first[1][1])
    other = kernel_cache.cached_kernel((6, 4, 2), (2e-9, 3e-9, 2e-9), (0, 0, 0), compute)  # another cell
    assert len(calls) == 3 and other is not None
