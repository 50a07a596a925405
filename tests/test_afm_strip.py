# SPDX-License-Identifier: GPL-3.0-or-later
"""The 1D antiferromagnetic strip on the real cpu engine against the sine-Gordon theory of
physics-brief V7 and V9 (references computed from the formulas, spinlif.devices.afm_strip).

Tolerances (brief V7: 1 % on v and lambda_v, 3 % on the decay rate; V9: 0.5 % on mu) hold for
the discretisation used: dx = lambda / 20 puts the lattice corrections to the wall width and
energy at (dx / lambda)^2 / 12 ~ 2e-4, and the two-sublattice model reduces to sine-Gordon up to
terms of order alpha^2 and (v / u)^2 (omega / omega_ex), both below 1e-3 here.
"""

import math

import numpy as np
import pytest

from spinlif.analysis.observables.afm_strip import neel_angle, wall_positions, winding_energies
from spinlif.analysis.store import ingest_run, open_store
from spinlif.analysis.table import read_table
from spinlif.analysis.theory import sine_gordon_lattice
from spinlif.devices.afm_strip import sine_gordon_parameters
from spinlif.runs import simulate
from spinlif.spec import base_spec, dump_spec, set_dotted, validate_spec

pytestmark = pytest.mark.slow


def afm_spec(**overrides) -> dict:
    spec = base_spec("afm_strip", "A")
    spec["geometry"].update(length=300e-9, cell=[0.5e-9, 1e-9, 1e-9])
    spec["sampling"].update(table_period=1e-12, snapshot_period=2e-12)
    for key, value in overrides.items():
        set_dotted(spec, key, value, "test")
    return validate_spec(spec)


def run(tmp_path, name, spec):
    path = tmp_path / f"{name}.yaml"
    dump_spec(spec, path)
    out = tmp_path / name
    simulate(path, "cpu", out)
    ingest_run(out, tmp_path / f"{name}.zarr")
    return open_store(tmp_path / f"{name}.zarr")


def wall_track(ds):
    """(t, X) of the single wall from the snapshots (s, m)."""
    snap = ds["m_snapshot"]
    x = snap["x"].values
    t = snap["t_snap"].values
    X = np.array([wall_positions(x, neel_angle(snap.isel(t_snap=k).values))[0] for k in range(len(t))])
    return t, X


def test_sine_gordon_parameters_of_set_a_are_the_physical_example():
    sg = sine_gordon_parameters(afm_spec())
    assert sg.lam == pytest.approx(10e-9, rel=1e-12, abs=0)
    assert sg.u == pytest.approx(1.0e4, rel=5e-3)          # 10 km/s (brief section 3.1 c2)
    assert sg.eps == pytest.approx(0.05, rel=5e-3)


def test_cpu_energy_is_the_two_sublattice_energy_of_the_device_model(tmp_path):
    """E_total at t = 0 of a moving (canted) wall against the discrete energy written out by hand:
    intra-sublattice exchange 2 (A / dx^2) V sum over neighbour pairs (1 - m_i . m_j) (= A |grad m|^2 V),
    inter-sublattice coupling (2 A_int / dz^2) V sum (1 - m_A . m_B) (MuMax3's form), -K_easy m_x^2 and
    K_hard m_z^2 per volume. (pytest.approx needs abs=0 for J-sized numbers: its default absolute
    tolerance of 1e-12 would accept anything.)"""
    spec = afm_spec(**{"initial_state.wall_velocity": 6000.0, "initial_state.wall_position": -20e-9,
                       "geometry.length": 100e-9, "drive.duration": 1e-12})
    ds = run(tmp_path, "energy", spec)
    mat, (dx, dy, dz) = spec["material"], spec["geometry"]["cell"]
    m = ds["m_snapshot"].isel(t_snap=0, y=0).values.transpose(1, 0, 2)  # the state of row 0: (nx, 2, 3)
    assert ds["t_snap"].values[0] == ds["t"].values[0] == 0
    V = dx * dy * dz
    e_ex = 2 * mat["Aex"] / dx**2 * V * np.sum(1 - np.einsum("ilc,ilc->il", m[1:], m[:-1]))
    e_int = 2 * mat["interlayer_exchange"] / dz**2 * V * np.sum(1 - np.einsum("ic,ic->i", m[:, 0], m[:, 1]))
    e_ani = V * np.sum(-mat["K_easy"] * m[..., 0] ** 2 + mat["K_hard"] * m[..., 2] ** 2)
    print(f"AFM energy: E_total = {float(ds['E_total'].values[0]):.8e} J, by hand {e_ex + e_int + e_ani:.8e} J")
    assert float(ds["E_total"].values[0]) == pytest.approx(e_ex + e_int + e_ani, rel=1e-6, abs=0)
    assert np.all(np.abs(m[..., 2]) > 0)  # the test covers the hard-axis term


@pytest.mark.parametrize("amplitude", [0.2, 5.0])
def test_steady_velocity_and_lorentz_contraction_under_torque(tmp_path, amplitude):
    """v gamma_L = pi gamma a lambda / (2 alpha) at a non-relativistic (v/u ~ 0.1) and a
    near-relativistic point (v/u ~ 0.8), and lambda_v = lambda sqrt(1 - v^2/u^2), eps = 0.1."""
    from spinlif.analysis.observables.afm_strip import fit_wall_width

    spec = afm_spec(**{"material.alpha": 0.0088, "geometry.length": 1100e-9 if amplitude > 1 else 200e-9,
                       "initial_state.wall_position": -500e-9 if amplitude > 1 else -50e-9,
                       "drive.protocol": "dc", "drive.amplitude": amplitude, "drive.duration": 100e-12})
    sg = sine_gordon_parameters(spec)
    mat = spec["material"]
    a = sg.torque_field(amplitude * spec["drive"]["J0"], mat["theta_SH"], mat["Ms"], spec["geometry"]["cell"][2])
    v_theory = sg.steady_velocity(a, mat["alpha"])
    ds = run(tmp_path, f"drive{amplitude}", spec)
    t, X = wall_track(ds)
    late = t >= 60e-12  # 6 relaxation times 1/(eps omega_g) = 10 ps after the start: v within 0.3 %
    v = abs(np.polyfit(t[late], X[late], 1)[0])
    print(f"V7 drive i={amplitude}: v = {v:.1f} m/s, theory {v_theory:.1f} m/s, v/u = {v / sg.u:.3f}")
    assert v == pytest.approx(v_theory, rel=0.01), (v, v_theory, v / sg.u)
    snap = ds["m_snapshot"]
    x = snap["x"].values
    phi = neel_angle(snap.isel(t_snap=-1).values)
    width = fit_wall_width(x, phi, X[-1], sg.lam, 6 * sg.lam)
    print(f"V7 contraction i={amplitude}: lambda_v = {width * 1e9:.4f} nm, theory {sg.contracted_width(v) * 1e9:.4f} nm")
    assert width == pytest.approx(sg.contracted_width(v), rel=0.01, abs=0), (width, sg.contracted_width(v))


def test_free_decay_rate_of_a_lorentz_boosted_wall(tmp_path):
    """d ln(v gamma_L)/dt = -eps u / lambda from v0 = 0.8 u (brief V7: 3 %)."""
    spec = afm_spec(**{"initial_state.wall_velocity": 8000.0, "initial_state.wall_position": -100e-9,
                       "geometry.length": 400e-9, "drive.duration": 60e-12})
    sg = sine_gordon_parameters(spec)
    ds = run(tmp_path, "decay", spec)
    t, X = wall_track(ds)
    v = np.gradient(X, t)
    p = v / np.sqrt(1 - (v / sg.u) ** 2)
    sel = (t > 5e-12) & (t < 55e-12)
    assert np.all(v[sel] > 0)  # the boosted profile moves the way it was launched
    rate = -np.polyfit(t[sel], np.log(p[sel]), 1)[0]
    print(f"V7 free decay: rate = {rate:.5e} 1/s, theory eps u / lambda = {sg.decay_rate:.5e} 1/s")
    assert rate == pytest.approx(sg.decay_rate, rel=0.03), (rate, sg.decay_rate)
    # the launched wall starts at v0: the boost (contraction + canting) is the moving soliton
    p0 = 8000.0 / math.sqrt(1 - (8000.0 / sg.u) ** 2)
    assert p[2] == pytest.approx(p0 * math.exp(-sg.decay_rate * t[2]), rel=0.02)


def test_free_energy_of_n_walls_and_mu_match_the_exact_sine_gordon_lattice(tmp_path):
    """F(N) - F(0) of relaxed periodic strips (L = 10 lambda, N = 0, 2, 4) against the elliptic-
    integral lattice energy (brief V9: 0.5 %), and mu from finite differences against dF/dN."""
    rows = []
    for n in (0, 2, 4):
        spec = afm_spec(**{"geometry.length": 100e-9, "geometry.periodic": True, "initial_state.n_walls": n,
                           "initial_state.relax_time": 60e-12, "initial_state.relax_alpha": 0.1,
                           "drive.duration": 2e-12})
        ds = run(tmp_path, f"n{n}", spec)
        table = read_table(tmp_path / f"n{n}" / "table.txt")
        # relaxed: over the last 2 ps (alpha back at 0.0044) the energy changes by far less than the
        # 0.5 % tolerance on the walls' energy F(N) - F(0) (maxTorque is no criterion: the stepper's
        # error floor times the ~200 T exchange fields is ~1e-2 T)
        energy = table["E_total"].to_numpy()
        if n == 0:
            e_uniform = energy[-1]
        change = abs(energy[-1] - energy[0]) / (abs(energy[-1] - e_uniform) if n else abs(energy[0]))
        print(f"V9 N={n}: energy change over the last 2 ps / wall energy {change:.2e}")
        assert change < (1e-3 if n else 1e-7), (n, energy[0], energy[-1])
        rows.append({"n_walls_initial": n, "F_per_width_J_m": float(ds["E_total"].values[-1]) / 1e-9,
                     "wall_density_w": n * 10e-9 / 100e-9})
    import pandas as pd

    w = winding_energies(pd.DataFrame(rows))
    sg = sine_gordon_parameters(spec)
    stiffness, anisotropy = 2 * spec["material"]["Aex"] * 1e-9, 2 * spec["material"]["K_easy"] * 1e-9
    for _, r in w[w.n_walls > 0].iterrows():
        exact = r.n_walls * sine_gordon_lattice(100e-9 / r.n_walls, sg.lam, stiffness, anisotropy)["energy_per_wall"]
        print(f"V9 N={r.n_walls}: F(N) - F(0) = {r.dF_J_m:.6e} J/m, exact {exact:.6e} J/m")
        assert r.dF_J_m == pytest.approx(exact, rel=0.005, abs=0), (r.n_walls, r.dF_J_m, exact)
    # mu between N = 2 and 4 against the exact F(4) - F(2) over 2
    F = {n: n * sine_gordon_lattice(100e-9 / n, sg.lam, stiffness, anisotropy)["energy_per_wall"] for n in (2, 4)}
    assert float(w.mu_J_m.iloc[-1]) == pytest.approx((F[4] - F[2]) / 2, rel=0.005, abs=0)


def test_a_wall_that_reaches_an_open_end_is_flagged(tmp_path):
    """Launched at 0.9 u towards the end of a short, weakly damped strip, the wall reaches it and
    comes back as an antiwall (sine-Gordon kink reflection): the run is flagged at the arrival."""
    from spinlif.analysis.observables.afm_strip import compute

    spec = afm_spec(**{"initial_state.wall_velocity": 9000.0, "initial_state.wall_position": 20e-9,
                       "geometry.length": 100e-9, "drive.duration": 40e-12, "material.alpha": 0.001})
    ds = run(tmp_path, "leave", spec)
    _, snaps, summary = compute(ds, {"steady_fraction": 0.25, "width_fit_half_widths": 6.0})
    assert summary["wall_left_strip"]
    # it starts 30 nm (= 3 lambda) from the end at ~ 9 km/s: within 2 lambda after ~ 1-2 ps
    assert 0 < summary["t_wall_left_ns"] <= 0.004
    assert (snaps.zeta == -1).any()  # the reflected antiwall
