# SPDX-License-Identifier: GPL-3.0-or-later
"""The SNN experiment (issue 16, items 2-3): snn.Leaky learns the digits; a deliberately broken
neuron (no leak, no reset) scores measurably differently from the same neuron intact; `spinlif snn`
trains on a real parameter table (synthetic domain-wall fits) and lists the rows it used; a table
without usable rows is refused with what to do."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
snn = pytest.importorskip("snntorch")
pytest.importorskip("sklearn")

from snntorch import surrogate  # noqa: E402

from spinlif.fitting.device_fit import fit_group  # noqa: E402
from spinlif.fitting.table import ParamsTableError, load_params, write_table  # noqa: E402
from spinlif.network.experiment import (NoUsableRows, Setup, digits, dynamics_key, idx_dataset, make_neuron,  # noqa: E402
                                        train, usable_rows)
from spinlif.network.neurons import drive_scale, neuron_from_row  # noqa: E402
from tests.synthetic import synthetic_dw_group  # noqa: E402

QUICK = Setup(epochs=4)
PASSED = {"passed": True, "report": "results/validation/cpu/report.csv", "report_sha256": "ab" * 32, "reason": ""}


@pytest.fixture(scope="module")
def table(tmp_path_factory) -> Path:
    """A parameter table of real fits: the synthetic domain-wall group (accepted rows)."""
    rows, _ = fit_group(synthetic_dw_group(), 0.6, families=("linear", "exp_Mishra8"), gate=PASSED,
                        code_version="test")
    path = tmp_path_factory.mktemp("params") / "lif_params.csv"
    write_table(rows, path)
    return path


def test_snn_leaky_learns_the_digits():
    result = train("snn.Leaky", lambda: snn.Leaky(beta=0.9, spike_grad=surrogate.atan()), seed=0,
                   setup=Setup(epochs=8), log=lambda line: None)
    assert result.accuracy >= 0.93  # chance is 0.10; the full budget (20 epochs) reaches >= 0.95


def test_the_convolutional_snn_learns_the_digits():
    """The small CSNN (8C3-MP2-16C3-MP2-FC10 on 8 x 8 images) with snn.Leaky: far above chance after a
    short budget, and its hidden spikes are those of both convolutional layers (8 x 8 x 8 + 16 x 4 x 4)."""
    setup = Setup(epochs=6, architecture="conv")
    result = train("snn.Leaky", lambda: snn.Leaky(beta=0.9, spike_grad=surrogate.atan()), seed=0, setup=setup,
                   log=lambda line: None)
    assert result.accuracy >= 0.75  # chance is 0.10; measured 0.83 after 6 epochs
    with torch.no_grad():
        out, hidden = result.net(digits(setup)[2][:3])
    assert tuple(out.shape) == (40, 3, 10) and tuple(hidden.shape) == (40, 3, 8 * 64 + 16 * 16)
    with pytest.raises(ValueError, match="architecture = 'rnn': allowed are fc, conv"):
        train("x", lambda: snn.Leaky(beta=0.9), 0, Setup(architecture="rnn"), log=lambda line: None)


def test_a_broken_neuron_scores_measurably_differently(table):
    """The same row without its leak and its reset (mem only integrates, never resets) must lose
    accuracy: the experiment sees the neuron's dynamics, it cannot pass by accident."""
    (row,) = usable_rows(table)
    scale = drive_scale(row, 5)
    data = digits(QUICK)

    def intact():
        return neuron_from_row(row, i_per_input=scale, spike_grad=surrogate.atan())

    def broken():
        neuron = neuron_from_row(row, i_per_input=scale, spike_grad=surrogate.atan(), reset_mechanism="none")
        neuron.coefficients[:3] = 0.0  # p1 = p2 = p0 = 0: no leak, no drift
        return neuron

    good = train("intact", intact, 0, QUICK, data, log=lambda line: None)
    bad = train("broken", broken, 0, QUICK, data, log=lambda line: None)
    assert good.accuracy > 0.8
    assert good.accuracy - bad.accuracy > 0.1 or bad.spikes_per_inference > 2 * good.spikes_per_inference


def test_spinlif_snn_lists_its_rows_and_writes_the_results(table, tmp_path):
    """Two trainings at a time (worker processes) give the results of the same trainings in this
    process: every training is seeded."""
    out = subprocess.run([str(Path(sys.executable).with_name("spinlif")), "snn", str(table), "-o",
                          str(tmp_path / "accuracy.csv"), "--figure", str(tmp_path / "accuracy.png"), "--epochs", "2",
                          "--seeds", "0", "1", "--jobs", "2"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    (row,) = load_params(table, selected_only=True)
    assert f"using {row.device_id} {row.model_family} (DW): status accepted" in out.stdout
    assert "epoch 2/2" in out.stdout  # progress, one line per epoch
    import pandas as pd

    frame = pd.read_csv(tmp_path / "accuracy.csv")
    assert list(frame.neuron) == ["snn.Leaky", f"{row.device_id} {row.model_family}"] * 2
    assert list(frame.architecture) == ["fc", "fc", "conv", "conv"]  # both networks by default
    assert "[conv] seed 1: epoch 2/2" in out.stdout
    assert (frame.n_seeds == 2).all() and frame.accuracy_mean.between(0.1, 1.0).all()
    assert frame.latency_ns.iloc[1] > 0 and (tmp_path / "accuracy.png").stat().st_size > 10_000
    here = [train("snn.Leaky", make_neuron, seed, Setup(epochs=2), log=lambda line: None).accuracy for seed in (0, 1)]
    assert frame.accuracy_mean.iloc[0] == pytest.approx(np.mean(here), abs=1e-9)
    bad = subprocess.run([str(Path(sys.executable).with_name("spinlif")), "snn", str(table), "-o", "a.csv",
                          "--figure", "a.png", "--jobs", "0"], capture_output=True, text=True)
    assert bad.returncode == 2 and "--jobs: '0' is not a whole number >= 1" in bad.stderr


def test_neurons_of_the_same_dynamics_are_recognised(table):
    """A row's neuron twice has one dynamics key (the experiment trains it once for both rows), also with
    a drive scale that differs below float32 precision; another drive scale or other coefficients give
    another key."""
    (row,) = usable_rows(table)
    key = dynamics_key(make_neuron(row, 2.0))
    assert dynamics_key(make_neuron(row, 2.0)) == key
    assert dynamics_key(make_neuron(row, 2.0 * (1 + 1e-12))) == key  # the same in float32, the networks' precision
    assert dynamics_key(make_neuron(row, 3.0)) != key
    changed = make_neuron(row, 2.0)
    changed.coefficients[1] -= 0.1
    assert dynamics_key(changed) != key and dynamics_key(make_neuron()) != key


def test_a_table_without_usable_rows_says_what_to_do(table, tmp_path):
    rows = [r.record for r in load_params(table, status=("accepted",))]
    for r in rows:
        r["status"] = "provisional"
    write_table(rows, tmp_path / "lif_params.csv")
    with pytest.raises(NoUsableRows, match=r"no accepted row .*\(DW, provisional\).*snn.include_provisional: true"):
        usable_rows(tmp_path / "lif_params.csv")
    assert usable_rows(tmp_path / "lif_params.csv", include_provisional=True)
    with pytest.raises(NoUsableRows, match=r"no usable row for the device\(s\) DW_X \(snn.devices, --devices\); "
                                           r"devices with a usable row: DW_"):
        usable_rows(tmp_path / "lif_params.csv", include_provisional=True, devices=("DW_X",))
    (row,) = usable_rows(tmp_path / "lif_params.csv", include_provisional=True)
    assert usable_rows(tmp_path / "lif_params.csv", include_provisional=True, devices=(row.device_id,)) == [row]
    rows[0]["device_type"] = "MTJ"  # a kind this spinlif does not know
    write_table(rows, tmp_path / "unknown.csv")
    with pytest.raises(ParamsTableError, match="device_type 'MTJ' is not a kind this spinlif knows"):
        usable_rows(tmp_path / "unknown.csv", include_provisional=True)
    out = subprocess.run([str(Path(sys.executable).with_name("spinlif")), "snn", str(tmp_path / "missing.csv"),
                          "-o", str(tmp_path / "a.csv"), "--figure", str(tmp_path / "a.png")],
                         capture_output=True, text=True)
    assert out.returncode == 2 and "missing.csv does not exist (run snakemake params first)" in out.stderr


def _write_idx(path, array, gz=False):
    import gzip

    array = np.asarray(array, np.uint8)
    header = bytes([0, 0, 8, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    (gzip.open if gz else open)(path, "wb").write(header + array.tobytes())


def test_mnist_layout_idx_files_are_read_from_a_local_directory(table, tmp_path):
    """A tiny data set in MNIST's four IDX files (two of them gzipped): ``--data`` trains on it; a
    directory without them is refused naming the files."""
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 300)
    images = np.zeros((300, 6, 6), np.uint8)
    for k, y in enumerate(labels):  # class y lights pixel row y // 2 ... a learnable toy
        images[k, y % 6, :] = 255
        images[k, :, y // 2] = 128
    data = tmp_path / "mnist"
    data.mkdir()
    _write_idx(data / "train-images-idx3-ubyte.gz", images[:240], gz=True)
    _write_idx(data / "train-labels-idx1-ubyte", labels[:240])
    _write_idx(data / "t10k-images-idx3-ubyte", images[240:])
    _write_idx(data / "t10k-labels-idx1-ubyte.gz", labels[240:], gz=True)
    x_tr, y_tr, x_te, y_te = idx_dataset(data)
    assert tuple(x_tr.shape) == (240, 36) and float(x_tr.max()) == 1.0 and y_te.tolist() == labels[240:].tolist()
    spinlif = str(Path(sys.executable).with_name("spinlif"))
    out = subprocess.run([spinlif, "snn", str(table), "-o", str(tmp_path / "a.csv"), "--figure", str(tmp_path / "a.png"),
                          "--epochs", "1", "--seeds", "0", "--data", str(data)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    import pandas as pd

    assert (pd.read_csv(tmp_path / "a.csv").data == str(data)).all()
    out = subprocess.run([spinlif, "snn", str(table), "-o", str(tmp_path / "b.csv"), "--figure", str(tmp_path / "b.png"),
                          "--data", str(tmp_path / "nowhere")], capture_output=True, text=True)
    assert out.returncode == 2 and "nowhere: MNIST / Fashion-MNIST needs the IDX files" in out.stderr
    assert "spinlif downloads nothing" in out.stderr and not (tmp_path / "b.csv").exists()
