# SPDX-License-Identifier: GPL-3.0-or-later
"""Topological charge, guiding centre and radius on analytic textures (analysis.topology)."""

import numpy as np
import pytest

from spinlif.analysis.observables.skyrmion import layer_observables
from spinlif.analysis.topology import charge_density_continuum, guiding_centre, mumax_topological_charge, plaquette_charges

DX = 1e-9


def skyrmion(nx=96, ny=80, x0=3.37e-9, y0=-2.21e-9, radius=12e-9, width=4e-9, core=-1, helicity=0.0):
    """A 360-degree-wall skyrmion theta(r) = 2 atan(sinh(R/w) / sinh(r/w)) (core theta = pi),
    m = (sin theta cos(phi + helicity), sin theta sin(phi + helicity), -core... ) on cell centres."""
    x = DX * (np.arange(nx) - (nx - 1) / 2)
    y = DX * (np.arange(ny) - (ny - 1) / 2)
    xx, yy = np.meshgrid(x, y)
    r = np.hypot(xx - x0, yy - y0)
    theta = 2 * np.arctan(np.sinh(radius / width) / np.maximum(np.sinh(r / width), 1e-300))
    phi = np.arctan2(yy - y0, xx - x0) + helicity
    m = np.stack([np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi), np.cos(theta)], axis=-1)
    if core > 0:
        m[..., 2] *= -1
    return m, x, y


def test_lattice_charge_of_a_skyrmion_is_minus_one_and_of_core_up_plus_one():
    m, _, _ = skyrmion()
    assert plaquette_charges(m).sum() == pytest.approx(-1.0, abs=1e-3)
    up, _, _ = skyrmion(core=+1)
    assert plaquette_charges(up).sum() == pytest.approx(1.0, abs=1e-3)
    bloch, _, _ = skyrmion(helicity=np.pi / 2)  # helicity does not change the charge
    assert plaquette_charges(bloch).sum() == pytest.approx(-1.0, abs=1e-3)


def test_uniform_and_empty_states_carry_no_charge():
    m = np.zeros((20, 30, 3))
    m[..., 2] = 1
    assert plaquette_charges(m).sum() == 0
    assert charge_density_continuum(np.zeros((20, 30, 3)), (DX, DX)).sum() == 0


def test_mumax_continuum_density_matches_the_analytic_density():
    """MuMax3's stencil (4th order in the interior) against m . (dx m x dy m) of the exact profile."""
    m, x, y = skyrmion(width=5e-9)
    q = charge_density_continuum(m, (DX, DX))
    # analytic density by fine central differences of the exact texture (step 1e-3 cells)
    h = 1e-3 * DX
    mxp, _, _ = skyrmion(width=5e-9, x0=3.37e-9 - h)
    mxm, _, _ = skyrmion(width=5e-9, x0=3.37e-9 + h)
    myp, _, _ = skyrmion(width=5e-9, y0=-2.21e-9 - h)
    mym, _, _ = skyrmion(width=5e-9, y0=-2.21e-9 + h)
    exact = np.einsum("...i,...i->...", m, np.cross((mxp - mxm) / (2 * h), (myp - mym) / (2 * h)))
    inner = (slice(4, -4), slice(4, -4))
    assert np.max(np.abs(q[inner] - exact[inner])) < 0.02 * np.max(np.abs(exact))
    # the whole-grid value MuMax3's ext_topologicalcharge reports (one layer: divided by Nz = 1)
    assert mumax_topological_charge(m[None], (DX, DX, DX)) == pytest.approx(-1.0, abs=0.01)


def test_multilayer_charge_is_divided_by_nz_including_spacers():
    m, _, _ = skyrmion()
    grid = np.stack([m, np.zeros_like(m), m])  # two layers with a spacer: MuMax3 gives 2/3 of a charge each
    assert mumax_topological_charge(grid, (DX, DX, DX)) == pytest.approx(-2 / 3, abs=0.01)


@pytest.mark.parametrize("x0,y0", [(3.37e-9, -2.21e-9), (-10.5e-9, 4.0e-9), (0.0, 0.0)])
def test_guiding_centre_finds_the_centre_to_a_small_fraction_of_a_cell(x0, y0):
    m, x, y = skyrmion(x0=x0, y0=y0)
    Q, X, Y = guiding_centre(m, x, y)
    assert Q == pytest.approx(-1.0, abs=1e-3)
    assert abs(X - x0) < 0.02 * DX and abs(Y - y0) < 0.02 * DX


def test_layer_observables_radius_from_the_reversed_area():
    for radius in (8e-9, 12.3e-9):
        m, x, y = skyrmion(radius=radius, width=3e-9)
        obs = layer_observables(m, x, y)
        # m_z = 0 exactly at r = R for this profile; the cell-counted area resolves it to ~ a cell / 2 pi R
        assert abs(obs["radius"] - radius) < 0.1 * DX
        assert obs["Q"] == pytest.approx(-1.0, abs=1e-3)


def test_edge_canting_charge_is_excluded_by_the_window():
    """A tilted rim (as DMI edge canting) winds up fractional charge in the corners of a track;
    the windowed charge of the skyrmion stays -1 while the whole layer's does not."""
    m, x, y = skyrmion(nx=64, ny=40, x0=0.0, y0=0.0, radius=6e-9, width=2e-9)
    xx, yy = np.meshgrid(x, y)
    # outward in-plane rim tilt of 40 degrees decaying over 3 cells from every edge
    dist = np.minimum.reduce([xx - x[0], x[-1] - xx, yy - y[0], y[-1] - yy])
    tilt = np.radians(40) * np.exp(-dist / (3 * DX))
    nxv, nyv = np.sign(xx) * (np.abs(xx) / x[-1] > np.abs(yy) / y[-1]), np.sign(yy) * (np.abs(yy) / y[-1] >= np.abs(xx) / x[-1])
    rim = np.stack([np.sin(tilt) * nxv, np.sin(tilt) * nyv, np.cos(tilt)], axis=-1)
    far = (np.hypot(xx, yy) > 15e-9)[..., None]
    m = np.where(far, rim, m)
    m /= np.linalg.norm(m, axis=-1, keepdims=True)
    assert abs(plaquette_charges(m).sum() + 1) > 0.01
    assert layer_observables(m, x, y)["Q"] == pytest.approx(-1.0, abs=1e-3)
