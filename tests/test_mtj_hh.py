# SPDX-License-Identifier: GPL-3.0-or-later
"""The single-MTJ neuron template (seed 003) on the real cpu engine against closed forms
(spinlif.devices.mtj_hh): the Kittel frequency and damping rate of the free layer, the
spin-transfer-torque critical current, and thermal equilibrium; plus the pieces of the model
(MuMax3's Slonczewski parameters for seed Eq. 6, the heating step, spike detection)."""

import math

import numpy as np
import pytest

from spinlif.analysis.observables.mtj_hh import spike_statistics, spike_times
from spinlif.analysis.store import ingest_run, open_store
from spinlif.devices import mtj_hh
from spinlif.errors import SpecError
from spinlif.runs import simulate
from spinlif.spec import base_spec, dump_spec, set_dotted, validate_spec
from spinlif.units import GAMMA_LL, KB


def mtj_spec(**overrides) -> dict:
    spec = base_spec("mtj_hh", "R")
    for key, value in overrides.items():
        set_dotted(spec, key, value, "test")
    return validate_spec(spec)


def simulate_table(tmp_path, name, spec):
    path = tmp_path / f"{name}.yaml"
    dump_spec(spec, path)
    simulate(path, "cpu", tmp_path / name)
    ingest_run(tmp_path / name, tmp_path / f"{name}.zarr")
    return open_store(tmp_path / f"{name}.zarr")


# Deterministic linear dynamics about the easy axis: no heating, no noise, no dipolar field.
QUIET = {"material.B_F": 0.0, "thermal.heating": 0.0, "thermal.noise": False, "drive.duration": 2e-9,
         "sampling.table_period": 1e-12, "sampling.snapshot_period": 2e-9}


def precession(ds, spec):
    """(frequency Hz, decay rate 1/s of the amplitude) of the small-angle motion about +-z."""
    t = ds["t"].values
    m = ds["m"].values
    bx, by = mtj_hh.stiffness_fields(spec)
    energy = bx * m[:, 0] ** 2 + by * m[:, 1] ** 2   # ~ amplitude^2 (conserved without damping)
    mx = m[:, 0]
    up = np.flatnonzero((mx[:-1] < 0) & (mx[1:] >= 0))
    crossings = t[up] - mx[up] * (t[up + 1] - t[up]) / (mx[up + 1] - mx[up])
    frequency = (len(crossings) - 1) / (crossings[-1] - crossings[0])
    slope = np.polyfit(t, np.log(energy), 1)[0]
    return frequency, -slope / 2


def test_seed_eq6_is_mumax3s_slonczewski_term_and_resistance_is_minimal_when_parallel():
    for P in (0.3, 0.78):
        Pol, Lam = mtj_hh.mumax3_stt_parameters(P)
        for c in np.linspace(-1, 1, 9):
            eps = Pol * Lam**2 / ((Lam**2 + 1) + (Lam**2 - 1) * c)
            assert eps == pytest.approx(P / (1 - P * P * c), rel=1e-12)
        assert mtj_hh.normalised_resistance(1.0, P) == 1.0
        assert mtj_hh.normalised_resistance(-1.0, P) == pytest.approx((1 + P * P) / (1 - P * P))


def test_temperature_scaling_and_the_units_of_the_heating():
    mat = mtj_hh.parameter_set("R")["material"]
    assert mtj_hh.polarisation(300.0, mat) == pytest.approx(0.78)
    # Eq. 3a: Ms(400 K) / Ms(300 K) = (1 - 0.5^1.5) / (1 - 0.375^1.5)
    assert mtj_hh.ms_ratio(400.0, mat) == pytest.approx((1 - 0.5**1.5) / (1 - 0.375**1.5))
    # the steady heating at 2e10 A/m^2, R_AP: tau0 (rho/kB) (J A)^2 R = 4e-9 * 3e14 * (1.25e-3)^2 * 4.11 K
    spec = mtj_spec(**{"drive.amplitude": 2.0})
    assert mtj_hh.steady_temperature_bound(spec) - 300 == pytest.approx(1.875 * (1 + 0.78**2) / (1 - 0.78**2))


def test_bad_specs_are_refused_naming_the_key():
    with pytest.raises(SpecError, match="thermal.T_amb = 150.0 K gives P = 1.0"):
        mtj_spec(**{"thermal.T_amb": 150.0})
    with pytest.raises(SpecError, match="heat the junction"):
        mtj_spec(**{"drive.amplitude": 100.0})
    with pytest.raises(SpecError, match="thermal.step"):
        mtj_spec(**{"drive.duration": 1.005e-9})


def test_spike_detection_counts_a_noisy_crossing_once():
    t = np.linspace(0, 10, 1001)
    r = 1 + 2 * (np.sin(2 * np.pi * t / 2.5) > 0.9) + 0.05 * np.sin(2 * np.pi * t * 40)
    spikes = spike_times(t, r, high=2.0, low=1.5)
    assert len(spikes) == 4
    stats = spike_statistics(spikes, 0.0, 10.0)
    assert stats["rate_GHz"] == pytest.approx(0.4)
    assert stats["isi_mean_ns"] == pytest.approx(2.5, rel=1e-3)


@pytest.mark.slow
def test_kittel_frequency_damping_and_the_stt_critical_current(tmp_path):
    """About -z with the polariser along +z: f = gamma0 sqrt(B_x B_y) / 2 pi, amplitude decay
    alpha gamma0 (B_x + B_y) / 2, and a current J cuts the decay by J / J_c (J_c closed form)."""
    base = {**QUIET, "material.n_F": [0.0, 0.0, 1.0], "initial_state.m": [0.05, 0.0, -1.0]}
    spec0 = mtj_spec(**base, **{"drive.amplitude": 0.0})
    f, rate0 = precession(simulate_table(tmp_path, "j0", spec0), spec0)
    alpha = spec0["material"]["alpha"]
    bx, by = mtj_hh.stiffness_fields(spec0)
    assert f == pytest.approx(mtj_hh.kittel_frequency(spec0) / (1 + alpha**2), rel=2e-3)
    assert mtj_hh.kittel_frequency(spec0) == pytest.approx(32.76e9, rel=1e-3)
    assert rate0 == pytest.approx(alpha * GAMMA_LL * (bx + by) / 2 / (1 + alpha**2), rel=5e-3)

    Jc = mtj_hh.critical_current_density(spec0)
    assert Jc == pytest.approx(4.97e10, rel=1e-2)
    spec1 = mtj_spec(**base, **{"drive.amplitude": 0.5 * Jc / spec0["drive"]["J0"]})
    _, rate1 = precession(simulate_table(tmp_path, "jhalf", spec1), spec1)
    assert rate1 / rate0 == pytest.approx(0.5, abs=0.01)


@pytest.mark.slow
def test_thermal_equilibrium_in_the_easy_axis_well(tmp_path):
    """Equipartition at fixed T (no current, no heating): <m_x^2> = kT / (V Ms B_x), <m_y^2> likewise,
    so <m_z> = 1 - kT (1/B_x + 1/B_y) / (2 V Ms). alpha = 0.5: correlation time ~ 20 ps, 5 ns of samples (~250 independent:
    a 10 % tolerance is over 3 sigma; measured +2.0 %, -3.6 %, -0.7 %)."""
    spec = mtj_spec(**{"material.B_F": 0.0, "material.alpha": 0.5, "thermal.heating": 0.0, "drive.amplitude": 0.0,
                       "drive.duration": 5e-9, "sampling.table_period": 2e-12, "sampling.snapshot_period": 5e-9})
    ds = simulate_table(tmp_path, "therm", spec)
    m = ds["m"].values[100:]
    # the direction of the macrospin: the two locked cells' mean has |<m>| = 1 - O(kT / (Ms V B_lock)),
    # a relative mode of ~1e-5 that is not the free layer's tilt
    m = m / np.linalg.norm(m, axis=1, keepdims=True)
    V = spec["geometry"]["area"] * spec["geometry"]["thickness"]
    kT, Ms = KB * 300.0, spec["material"]["Ms"]
    bx, by = mtj_hh.stiffness_fields(spec)
    assert np.mean(m[:, 0] ** 2) == pytest.approx(kT / (V * Ms * bx), rel=0.1)
    assert np.mean(m[:, 1] ** 2) == pytest.approx(kT / (V * Ms * by), rel=0.1)
    assert 1 - np.mean(m[:, 2]) == pytest.approx(kT * (1 / bx + 1 / by) / (2 * V * Ms), rel=0.1)
    assert float(ds["T"].values[-1]) == pytest.approx(300.0)


@pytest.mark.slow
def test_the_script_heats_by_seed_eq2_and_scales_p_and_ms_with_t(tmp_path):
    """At 4e10 A/m^2 without noise the free layer stays near the easy axis (R/R_P ~ 1 + P^2), so
    T(t) = T_amb + dT (1 - exp(-t / tau0)) with dT = tau0 (rho/kB) (J A)^2 <R/R_P>; every table row
    has P = P(T) of Eq. 3b."""
    from spinlif.analysis.observables.mtj_hh import compute

    spec = mtj_spec(**{"thermal.noise": False, "drive.amplitude": 4.0, "drive.duration": 2e-9,
                       "sampling.table_period": 5e-12, "sampling.snapshot_period": 2e-9})
    ds = simulate_table(tmp_path, "heat", spec)
    series, _, summary = compute(ds.assign_attrs(run_id="heat"), {"spike_high": 0.6, "spike_low": 0.4,
                                                                   "settle_time": 0.0})
    th, mat = spec["thermal"], spec["material"]
    rise = th["tau0"] * th["heating"] * (4e10 * spec["geometry"]["area"]) ** 2 * series.R_norm.mean()
    t = series.t_ns.to_numpy() * 1e-9
    expected = th["T_amb"] + rise * (1 - np.exp(-t / th["tau0"]))
    assert np.max(np.abs(series.T_K.to_numpy() - expected)) < 0.01 * rise
    assert series.P.to_numpy() == pytest.approx([mtj_hh.polarisation(T, mat) for T in series.T_K], rel=1e-6)
    assert summary["n_spikes"] == 0 and summary["T_max_K"] > 304


def test_ellipse_geometry_and_demag_factors():
    """The disk option: area, aspect and orientation of the ellipse, an even cell count, and the elliptic
    cylinder's demagnetising factors against closed forms and a tabulated value: a cylinder as long as
    wide, N_z = 0.3116 (Chen, Brug and Goldfarb, IEEE Trans. Magn. 27, 3601 (1991)); a long elliptic
    cylinder, N_x = b / (a + b); a thin circular disk, N_x = (t / 2 pi R)(ln(8 R / t) - 1/2)."""
    spec = mtj_spec(**{"geometry.shape": "ellipse", "geometry.aspect": 2.0})
    dx, dy = mtj_hh.ellipse_axes(spec)
    assert math.pi * dx * dy / 4 == pytest.approx(spec["geometry"]["area"], rel=1e-12)
    assert dx == pytest.approx(2 * dy)  # D_x < D_y: the long axis along x
    nx, ny, nz = mtj_hh.grid_shape(spec)
    assert nx % 2 == 0 and nx * 5e-9 >= dx and ny * 5e-9 >= dy and nz == 1
    cylinder = mtj_hh.elliptic_cylinder_demag_factors
    assert cylinder(1, 1, 2)[2] == pytest.approx(0.3116, abs=5e-5)
    assert cylinder(1, 0.5, 2000)[:2] == pytest.approx((1 / 3, 2 / 3), abs=5e-4)
    t = 1e-3
    assert cylinder(1, 1, t)[0] == pytest.approx(t / (2 * math.pi) * (math.log(8 / t) - 0.5), rel=1e-3)
    assert cylinder(2, 1, 0.3) == pytest.approx(cylinder(20, 10, 3))  # scale-free
    assert sum(mtj_hh.disk_demag_factors(spec)) == pytest.approx(1.0, abs=2e-6)
    with pytest.raises(SpecError, match="geometry.aspect"):
        mtj_spec(**{"geometry.shape": "ellipse", "geometry.aspect": 0.5})


@pytest.mark.slow
def test_the_elliptical_disk_precesses_at_the_macrospins_kittel_frequency(tmp_path):
    """A 40 x 20 nm disk (2.5 nm cells, demag computed, exchange, custom anisotropy D - N) in its
    uniform state precesses about z at the Kittel frequency of D (the macrospin's closed form): the flat
    elliptic cylinder's demag factors leave the staircase of cells, measured +0.09 % here (the inscribed
    ellipsoid's factors, used before, gave +7.4 %)."""
    area = math.pi * 40e-9 * 20e-9 / 4
    spec = mtj_spec(**{**QUIET, "geometry.shape": "ellipse", "geometry.area": area, "geometry.cell_size": 2.5e-9,
                       "initial_state.m": [0.1, 0.0, 1.0], "drive.amplitude": 0.0, "drive.duration": 0.5e-9,
                       "sampling.snapshot_period": 0.5e-9})
    ds = simulate_table(tmp_path, "disk", spec)
    frequency, _ = precession(ds, spec)
    assert frequency == pytest.approx(mtj_hh.kittel_frequency(spec), rel=0.005)
