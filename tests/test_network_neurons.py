# SPDX-License-Identifier: GPL-3.0-or-later
"""Network neurons from parameter-table rows (issue 16, item 1): one neuron under a constant input
fires at the table model's f-J rate (the units mapping round trip), for a LIF row (domain wall) and
the AFM washboard neuron; gradients pass the spikes (surrogate); rows without a network neuron are
refused by name."""

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("snntorch")

from spinlif.fitting.neuron import NormalisedNeuron  # noqa: E402
from spinlif.fitting.table import NeuronParams  # noqa: E402
from spinlif.fitting.washboard_fit import WashboardNeuron as WashboardModel  # noqa: E402
from spinlif.network.neurons import StepMapping, neuron_from_row  # noqa: E402

# the demo table's rows (results/params/lif_params.csv): DW linear, and the AFM neuron of set N
DW = NeuronParams("DW_E3_128x16nm", "DW", "E", 3, "linear", "provisional", -0.613439, 0.6,
                  0.0, -0.218306, 0.145080, 0.721645, 0.034643, {"reset_mode": "to_rest"})
AFM = NeuronParams("AFM0D_N", "AFM0D", "N", 2, "washboard2", "accepted", 0.0, math.pi / 2, math.nan, math.nan,
                   math.nan, math.nan, math.nan,
                   {"omega0_rad_s": 1.003625e10, "eta": 4.991156, "kick_gain_rad_per_ns2": -1657.512782})


def rate_of(neuron, i: float, t_ns: float) -> float:
    """Spikes per ns of ``neuron`` under the constant drive ``i`` for ``t_ns`` ns (after t_ns / 4)."""
    n = neuron.mapping.steps(t_ns)
    x = torch.full((1,), float(i), dtype=torch.float64)
    state = neuron.init_leaky() if hasattr(neuron, "init_leaky") else None
    spikes = []
    with torch.no_grad():
        for _ in range(n):
            spk, state = neuron(x, state)
            spikes.append(float(spk.sum()))
    k = np.flatnonzero(spikes)
    k = k[k >= n // 4]
    return (len(k) - 1) / ((k[-1] - k[0]) * neuron.mapping.dt_ns) if len(k) >= 2 else 0.0


@pytest.mark.parametrize("i", [0.5, 1.0, 3.0])
def test_a_lif_row_fires_at_its_table_rate(i):
    lif = neuron_from_row(DW)
    model = NormalisedNeuron(DW.p1, DW.p2, DW.p0, DW.g, DW.u_rest, DW.u_th)
    # snnTorch resets on the step after the spike: one step of refractory time
    expected = model.spike_frequency(i, t_refractory=DW.dt)
    assert expected > 0
    assert rate_of(lif, i, 40 / expected) == pytest.approx(expected, rel=0.03)


def test_below_rheobase_a_lif_row_is_silent():
    model = NormalisedNeuron(DW.p1, DW.p2, DW.p0, DW.g, DW.u_rest, DW.u_th)
    i = 0.9 * (-DW.p2 - DW.p0) / DW.g  # mem settles at (p0 + g i) / -p2 < 1
    assert model.spike_frequency(i) == 0.0 and rate_of(neuron_from_row(DW), i, 200.0) == 0.0


@pytest.mark.parametrize("ratio", [2.0, 4.0])
def test_the_afm_neuron_fires_at_its_table_rate(ratio):
    values = {"omega0": AFM.record["omega0_rad_s"] * 1e-9, "eta": AFM.record["eta"],
              "b_kick": AFM.record["kick_gain_rad_per_ns2"]}
    model = WashboardModel(values)
    i = ratio * model.threshold_i
    expected = model.spike_frequency(i)
    neuron = neuron_from_row(AFM)
    assert neuron.mapping.dt_ns < 0.01 / values["omega0"]
    assert rate_of(neuron, i, 12 / expected) == pytest.approx(expected, rel=0.03)
    assert rate_of(neuron, 0.9 * model.threshold_i, 3 / expected) == 0.0


def test_spikes_pass_gradients_to_the_input():
    for row in (DW, AFM):
        neuron = neuron_from_row(row)
        x = torch.full((1,), 3.0 if row is DW else 5.0, dtype=torch.float64, requires_grad=True)
        state = neuron.init_leaky() if hasattr(neuron, "init_leaky") else None
        total = 0.0
        for _ in range(neuron.mapping.steps(5.0 if row is DW else 1.0)):
            spk, state = neuron(x, state)
            total = total + spk.sum()
        total.backward()
        assert float(total.detach()) > 0 and x.grad is not None and float(x.grad.abs()) > 0, row.device_id


def test_rows_without_a_network_neuron_are_refused_by_name():
    soliton = NeuronParams("AFM_A_1000nm", "AFM_SOLITON", "A", 2, "sine_gordon", "accepted", math.nan, math.nan,
                           math.nan, math.nan, math.nan, math.nan, math.nan, {})
    with pytest.raises(ValueError, match="AFM_A_1000nm sine_gordon .*use a DW, SKY or AFM0D row"):
        neuron_from_row(soliton)
    exp = NeuronParams("DW_E3", "DW", "E", 3, "exp_Mishra8", "provisional", -0.6, 0.6, math.nan, math.nan,
                       math.nan, math.nan, math.nan, {})
    with pytest.raises(ValueError, match="exponential family.*lin_Mishra9corr, linear, quad"):
        neuron_from_row(exp)


def test_the_step_mapping_is_the_only_unit_conversion():
    m = StepMapping(0.034643)
    assert m.steps(0.034643 * 100) == 100 and m.rate_ghz(10, 1000) == pytest.approx(10 / 34.643)


def mtj_row() -> NeuronParams:
    """An MTJ_HH row of set F's device at the script's own coefficients (eta = 1), built by the fit's
    row builder (the columns network code reads)."""
    from spinlif.devices.mtj_hh import DEFAULTS, parameter_set
    from spinlif.fitting.mtj_fit import _base_row

    spec = {"param_set": "F", **DEFAULTS, **parameter_set("F")}
    record = _base_row(spec, [], {"passed": False}, "test", "mtj_macrospin")
    record.update({"stt_efficiency": 1.0, "B_F_T": 7.7e-3, "alpha_llg": 0.01, "dt_recommended_ns": 0.002})
    return NeuronParams(record["device_id"], "MTJ_HH", "F", 1, "mtj_macrospin", "provisional", 1.0, record["u_th"],
                        math.nan, math.nan, math.nan, math.nan, 0.002, record)


@pytest.mark.parametrize("ambient", [300.0, 350.0])
def test_mtj_neuron_fires_when_the_tables_model_does(ambient):
    """The MTJ network neuron (torch, RK2 at the row's step) under a constant input spikes first within
    one network step (0.1 ns) of the row's minimal model (numba, RK4) and then locks: the burst ends.
    At another ambient temperature (the row's temperature_K changed) it follows the model there."""
    import dataclasses

    from spinlif.analysis.observables.mtj_hh import spike_times
    from spinlif.fitting.mtj_fit import model_of_row
    from spinlif.fitting.mtj_model import simulate

    row = mtj_row()
    row = dataclasses.replace(row, record={**row.record, "temperature_K": ambient})
    dev, c, family = model_of_row(row.record)
    assert dev.T_amb == ambient
    neuron = neuron_from_row(row)
    assert neuron.mapping.dt_ns == pytest.approx(0.1)
    if ambient == 300.0:
        assert neuron.u_th == row.u_th  # the row's own threshold at its own temperature
    for i in (2.4, 3.2):
        ref = simulate(family, dev, c, [0, 0, 1], 12.0, [0.0], [i * 1e10], 0.005)
        first = spike_times(ref["t_ns"], ref["R_norm"], *dev.spike_levels())
        x = torch.full((1,), i, dtype=torch.float64)
        state, steps = None, []
        with torch.no_grad():
            for k in range(120):
                spk, state = neuron(x, state)
                if float(spk.sum()) > 0.5:
                    steps.append(k)
        assert len(steps) == len(first)
        assert (steps[0] + 1) * 0.1 == pytest.approx(first[0], abs=0.1)


def test_mtj_drive_for_a_latency_round_trip():
    from spinlif.network.neurons import drive_scale, mtj_drive_for_latency

    row = mtj_row()
    i = mtj_drive_for_latency(row.record, 4.0)
    assert 2.5 < i < 3.5  # set F: first spike at 3.9 ns for 3.0e10 A/m^2 (spinlif/devices/mtj_hh.py)
    assert drive_scale(row, 40) == pytest.approx(i, rel=0.02)  # 40 network steps of 0.1 ns


def test_the_stochastic_mtj_neuron_obeys_equipartition():
    """The network neuron's noise (seed Eq. 4) at J = 0, no dipolar field: over an ensemble of 256
    neurons after 10 ns, <1 - m_z^2> = kT / (Ms V) (1 / B_x + 1 / B_y) (within 10 %), reproducible with a
    seeded generator."""
    from spinlif.devices import mtj_hh
    from spinlif.units import KB

    row = mtj_row()
    row.record["B_F_T"] = 0.0
    ens = []
    for _ in range(2):
        neuron = neuron_from_row(row, noise=True, generator=torch.Generator().manual_seed(3))
        x = torch.zeros(256, dtype=torch.float64)
        state = (torch.tensor([[0.0, 0.0, 1.0]] * 256, dtype=torch.float64), torch.full((256,), 300.0,
                 dtype=torch.float64), torch.ones(256, dtype=torch.float64))
        samples = []
        with torch.no_grad():
            for k in range(150):  # 15 ns
                _, state = neuron(x, state)
                if k >= 100:
                    samples.append(float((1 - state[0][:, 2] ** 2).mean()))
        ens.append(np.mean(samples))
    spec = {"material": {"Ms": 8.47e5, "D": [0.01, 0.02, -0.095]}}
    bx, by = mtj_hh.stiffness_fields(spec)
    V = row.record["mtj_area_nm2"] * 1e-18 * row.record["t_fm_nm"] * 1e-9
    assert ens[0] == pytest.approx(KB * 300.0 / (8.47e5 * V) * (1 / bx + 1 / by), rel=0.1)
    assert ens[0] == ens[1]
