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
