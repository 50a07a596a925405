# SPDX-License-Identifier: GPL-3.0-or-later
"""The MTJ minimal models (fitting.mtj_model) against the device's script on the real cpu engine, their
noise against equipartition, and the fit (fitting.mtj_fit) recovering the script's coefficients."""

import json

import numpy as np
import pytest

from spinlif.analysis.observables.mtj_hh import reference_ambient, spike_times
from spinlif.analysis.store import AggregatedRun, ingest_run, open_store
from spinlif.devices import mtj_hh
from spinlif.fitting import mtj_fit
from spinlif.fitting.afm_rows import Provenance
from spinlif.fitting.mtj_model import MTJDevice, simulate
from spinlif.runs import simulate as run_engine
from spinlif.spec import base_spec, dump_spec, set_dotted, validate_spec
from spinlif.units import KB

QUIET_F = {"thermal.noise": False, "thermal.step": 25e-12, "drive.duration": 8e-9,
           "sampling.table_period": 10e-12, "sampling.snapshot_period": 8e-9}


def f_spec(**overrides) -> dict:
    spec = base_spec("mtj_hh", "F")
    for key, value in {**QUIET_F, **overrides}.items():
        set_dotted(spec, key, value, "test")
    return validate_spec(spec)


def engine_run(tmp_path, name, spec) -> mtj_fit.MTJRun:
    """A cpu-engine run as the fit reads it (the observables' spike detector and levels)."""
    from spinlif.analysis.observables.mtj_hh import compute

    path = tmp_path / f"{name}.yaml"
    dump_spec(spec, path)
    run_engine(path, "cpu", tmp_path / name)
    ingest_run(tmp_path / name, tmp_path / f"{name}.zarr")
    ds = open_store(tmp_path / f"{name}.zarr")
    series, _, summary = compute(ds, {"spike_high": 0.6, "spike_low": 0.4, "settle_time": 0.0})
    run = AggregatedRun(name, spec["drive"]["protocol"], spec, {}, ds["t"].values, ds["m"].values, summary, series)
    return mtj_fit.mtj_runs([run])[0]


@pytest.mark.slow
def test_minimal_macrospin_is_the_script_and_the_fit_recovers_its_coefficients(tmp_path):
    """Without noise the un-linearised minimal model at the spec's coefficients follows the script's m_z
    (the same LLG-Slonczewski, heating and Ms(T), P(T), integrated independently); fitted to the script's
    runs' first-spike times (B_F and alpha held) it returns eta = 1 from 30 % above and 20 % below."""
    runs = [engine_run(tmp_path, f"j{a}", f_spec(**{"drive.amplitude": a})) for a in (2.4, 3.2)]
    fam = mtj_fit.FAMILIES["mtj_macrospin"]
    spec_values = {"eta_stt": 1.0, "B_F": 7.7e-3, "alpha_llg": 0.01}
    for r in runs:
        assert len(r.spikes) >= 2
        model = mtj_fit.model_spikes(fam, spec_values, r)
        assert len(model) == len(r.spikes)
        assert np.max(np.abs(model - r.spikes)) < 0.05  # ns
        assert np.sqrt(np.mean((fam.eval(spec_values, r) - fam.observed(r)) ** 2)) < 0.01
    result = fam.fit(runs, start={"eta_stt": 1.3, "B_F": 7.7e-3, "alpha_llg": 0.01})
    assert result.values["eta_stt"] == pytest.approx(1.0, rel=0.01)
    assert mtj_fit.FAMILIES["mtj_macrospin"].fit(runs, start={"eta_stt": 0.8, "B_F": 7.7e-3, "alpha_llg": 0.01}
                                                 ).values["eta_stt"] == pytest.approx(1.0, rel=0.01)
    assert result.values["alpha_llg"] == 0.01 and result.values["B_F"] == 7.7e-3  # held (MTJFamily.fixed)
    # seed Eq. 10 is linear in theta about the film plane; from the easy axis (theta = pi/2) it fires at once
    eq10 = mtj_fit.model_spikes(mtj_fit.FAMILIES["mtj_eq10"], {"eta_stt": 1.0, "B_F": 7.7e-3, "kappa": 0.0}, runs[0])
    assert len(eq10) and eq10[0] < 0.5 * runs[0].spikes[0]


def test_the_stochastic_model_obeys_equipartition():
    """Seed Eq. 4's thermal field in the minimal macrospin at fixed T (no current, no heating):
    <m_x^2> = kT / (V Ms B_x), <m_y^2> = kT / (V Ms B_y) about the easy axis (B_F = 0). alpha = 0.5 for
    short correlation times; 200 ns at 20 ps sampling (~5000 independent samples; 10 % is > 5 sigma)."""
    spec = validate_spec(base_spec("mtj_hh", "F"))
    spec["thermal"]["heating"] = 0.0
    dev = MTJDevice.from_spec(spec)
    out = simulate("mtj_macrospin", dev, {"eta": 1.0, "B_F": 0.0, "alpha": 0.5}, [0, 0, 1], 200.0, [0.0], [0.0],
                   0.02, noise=True, seed=7)
    mz = out["mz"][500:]
    mx2 = 1 - mz**2  # m_x^2 + m_y^2
    bx, by = mtj_hh.stiffness_fields(spec)
    V, Ms = dev.volume, dev.Ms
    assert np.mean(mx2) == pytest.approx(KB * 300.0 / (V * Ms) * (1 / bx + 1 / by), rel=0.1)
    assert np.all(out["T_K"] == 300.0)
    again = simulate("mtj_macrospin", dev, {"eta": 1.0, "B_F": 0.0, "alpha": 0.5}, [0, 0, 1], 200.0, [0.0], [0.0],
                     0.02, noise=True, seed=7)
    assert np.array_equal(again["mz"], out["mz"])  # seeded: reproducible


def test_spike_detector_on_the_model_matches_the_observables():
    spec = validate_spec(base_spec("mtj_hh", "F"))
    dev = MTJDevice.from_spec(spec)
    out = simulate("mtj_macrospin", dev, {"eta": 1.0, "B_F": 7.7e-3, "alpha": 0.01}, [0, 0, 1], 10.0, [0.0],
                   [3.0e10], 0.005)
    P = out["P"][0]
    r_ap = mtj_hh.normalised_resistance(-1.0, P)
    spikes = spike_times(out["t_ns"], out["R_norm"], 1 + 0.6 * (r_ap - 1), 1 + 0.4 * (r_ap - 1))
    # the F burst at 3e10 A/m^2: first spike near 4 ns (device module), then lock near +p (R_norm -> 1)
    assert 3.0 < spikes[0] < 5.0 and 1 <= len(spikes) <= 4
    assert out["R_norm"][-1] < 1.1


def test_folds_and_groups():
    p = Provenance()
    def run(J, protocol="dc", T_amb=300.0):
        spec = validate_spec(base_spec("mtj_hh", "F"))
        spec["drive"].update(protocol=protocol, amplitude=J / 1e10)
        spec["thermal"]["T_amb"] = T_amb
        return mtj_fit.MTJRun(f"{J}", spec, np.zeros(2), np.ones(2), np.array([]), (2.0, 1.5), np.zeros(1),
                              np.zeros(1), p)
    runs = [run(2e10), run(1e10), run(3e10), run(4e10), run(5e10, "pulse_train"), run(2e10, T_amb=250.0),
            run(3e10, T_amb=350.0)]
    other = validate_spec(base_spec("mtj_hh", "R"))
    runs.append(mtj_fit.MTJRun("R", other, np.zeros(2), np.ones(2), np.array([]), (2.0, 1.5), np.zeros(1),
                               np.zeros(1), p))
    groups = mtj_fit.by_device(runs)  # the ambient temperature is an operating condition, not the device
    assert sorted(len(g) for g in groups) == [1, 7]
    train, test = mtj_fit.folds(max(groups, key=len))
    assert [r.J for r in train] == [1e10, 3e10, 4e10]
    assert [(r.J, r.protocol, r.spec["thermal"]["T_amb"]) for r in test] == [
        (2e10, "dc", 300.0), (5e10, "pulse_train", 300.0), (2e10, "dc", 250.0), (3e10, "dc", 350.0)]
    # the reference is the ambient temperature with most DC runs, whatever the order of the runs
    specs = [r.spec for r in runs]
    assert reference_ambient(specs[::-1][1:]) == 300.0
    assert reference_ambient([r.spec for r in (run(2e10, T_amb=250.0), run(3e10, T_amb=250.0), run(2e10))]) == 250.0


@pytest.mark.slow
def test_a_row_fitted_at_one_ambient_temperature_predicts_another(tmp_path):
    """The ambient temperature is an input of the minimal model (Eq. 2, Ms(T), P(T)), not a new device: the
    runs at 300 K train one row, and its prediction of the script's run at 350 K (held out) fires within
    0.05 ns of it, while at the 300 K coefficients the first spike moves by much more than that with T_amb."""
    from spinlif.fitting.figures import plot_mtj_fit

    runs = [engine_run(tmp_path, f"j{a}", f_spec(**{"drive.amplitude": a})) for a in (2.4, 3.2)]
    warm = engine_run(tmp_path, "warm", f_spec(**{"drive.amplitude": 2.4, "thermal.T_amb": 350.0}))
    (group,) = mtj_fit.by_device([*runs, warm])
    rows = mtj_fit.fit_group(group, {"passed": True, "report": "r.csv"}, "test")
    row = next(r for r in rows if r["model_family"] == "mtj_macrospin")
    assert row["temperature_K"] == 300.0 and row["stt_efficiency"] == pytest.approx(1.0, rel=0.01)
    (held,) = json.loads(row["mtj_heldout_spikes"])
    assert held["T_amb_K"] == 350.0 and held["run_id"] == "warm"
    assert abs(held["t_first_model_ns"] - held["t_first_run_ns"]) < 0.05
    assert warm.spikes[0] - runs[0].spikes[0] > 0.3  # the warmer junction fires later: the test is not idle
    path = plot_mtj_fit(group, rows, tmp_path / "fit.png")
    assert path.stat().st_size > 10_000
