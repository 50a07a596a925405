# SPDX-License-Identifier: GPL-3.0-or-later
"""Fit stage and parameter table on synthetic domain-wall traces generated from a known compact model
(float32-rounded, as MuMax3 tables are): held-out folds, status and validation gating, the table's
schema (CSV, Parquet, JSON sidecar), load_params, and a downstream script that reads only the CSV."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys

import numpy as np
import pyarrow.parquet as pq
import pytest

from spinlif.fitting.device_fit import fit_group
from spinlif.fitting.models import FAMILIES
from spinlif.fitting.neuron import NormalisedNeuron, euler_spike_error
from spinlif.fitting.table import COLUMN_NAMES, load_params, write_table
from tests.synthetic import TRUE_LINEAR, synthetic_dw_group
from spinlif.fitting.trajectory import Drive, integrate
from tests.conftest import REPO

TRUE = TRUE_LINEAR
U_TH = 0.6
PASSED = {"passed": True, "report": "results/validation/cpu/report.csv", "report_sha256": "ab" * 32, "reason": ""}
MISSING = {"passed": False, "report": None, "report_sha256": "",
           "reason": "no validation report for the cpu engine (run: snakemake validate, or spinlif validate --engine cpu)"}


@pytest.fixture(scope="module")
def group():
    traces = synthetic_dw_group()
    rows, folds = fit_group(traces, U_TH, families=("linear", "exp_Mishra8"), gate=PASSED, code_version="test")
    return traces, rows, folds


def test_normalised_form_is_the_physical_model_rescaled():
    c2, c1, c0, gamma = FAMILIES["quad"].polynomial({"k1": -0.003, "k2": -0.05, "gamma": 6.0})
    n = NormalisedNeuron.from_polynomial(c2, c1, c0, gamma, u_rest=-3.0, u_th=20.0)
    for u in (-3.0, 0.0, 7.5, 20.0):
        for i in (0.0, 1.0):
            mem = (u - n.u_rest) / (n.u_th - n.u_rest)
            assert n.rate(mem, i) == pytest.approx((c2 * u * u + c1 * u + c0 + gamma * i) / (n.u_th - n.u_rest))
    assert euler_spike_error(n, n.recommended_dt()) <= 0.02     # physics-brief section 6


def test_held_out_fit_recovers_the_model_and_is_accepted(group):
    _, rows, folds = group
    row = next(r for r in rows if r["model_family"] == "linear")
    assert row["duty_cycles_train"] == json.dumps([0.3333, 0.5]) and row["duty_cycles_test"] == json.dumps([0.25, 0.4])
    assert json.loads(row["identification_runs"]) == ["control:controlNone", "dc:dcNone"]
    result = folds["linear"][0].result
    for name, true in TRUE.items():
        lo, hi = result.ci95[name]
        assert lo <= true <= hi, (name, true, lo, hi)
    span = U_TH - row["u_rest"]
    assert row["g_per_ns"] == pytest.approx(TRUE["gamma"] / span, rel=1e-3)
    assert row["p2_per_ns"] == pytest.approx(-1 / TRUE["tau"], rel=1e-3)
    assert row["nrmse_train"] < 1e-3 and row["nrmse_test"] < 1e-3 and row["nrmse_test_swapped"] < 1e-3
    assert row["fire_agreement"] == "4/4" and row["dt_fire_err_ns_test"] < 0.05
    assert row["r2_deriv_on"] > 0.999 and row["r2_deriv_off"] > 0.999 and row["runs_test_p"] > 0.01
    sindy = json.loads(row["sindy_terms"])   # the sparse regression finds the linear LIF's terms
    assert sindy["terms"] == ["1", "u", "i"] and sindy["coefficients"]["u"] == pytest.approx(-1 / TRUE["tau"], rel=1e-3)
    assert row["status"] == "accepted" and row["selected"]
    # block bootstrap over pulse periods for the selected family (physics-brief 4.1 (ii))
    assert row["bootstrap_n"] >= 190
    boot = json.loads(row["bootstrap_ci95"])
    assert set(boot) == set(TRUE) and all(lo <= result.values[k] <= hi for k, (lo, hi) in boot.items())
    assert np.asarray(json.loads(row["bootstrap_correlation"])).shape == (3, 3)
    assert row["validation_report"].endswith("report.csv") and row["validation_passed"]


def test_one_row_per_device_is_selected_also_on_a_tie(group):
    """Two families that reach the same optimum (lin_Mishra9corr and linear can) have the same BIC: one
    of them is selected, the first fitted, so `load_params(..., selected_only=True)` gives one row per
    device. The same family fitted twice is an exact tie."""
    traces, _, _ = group
    rows, _ = fit_group(traces, U_TH, families=("linear", "linear"), gate=PASSED, bootstrap_n=0)
    assert rows[0]["bic"] == rows[1]["bic"]
    assert [r["selected"] for r in rows] == [True, False]


def test_status_is_provisional_without_validation(group):
    traces, _, _ = group
    rows, _ = fit_group(traces, U_TH, families=("linear",), gate=MISSING, bootstrap_n=0)
    assert rows[0]["status"] == "provisional"
    assert "no validation report" in rows[0]["status_reasons"] and not rows[0]["validation_passed"]


def test_table_files_and_typed_reader(group, tmp_path):
    _, rows, _ = group
    frame = write_table(rows, tmp_path / "lif_params.csv", provenance={"test": True})
    assert list(frame.columns) == COLUMN_NAMES
    sidecar = json.loads((tmp_path / "lif_params.json").read_text())
    fields = {f["name"]: f for f in sidecar["schema"]["fields"]}
    assert list(fields) == COLUMN_NAMES
    assert all(f["description"] and f["type"] in ("string", "number", "integer", "boolean") for f in fields.values())
    assert fields["g_per_ns"]["unit"] == "1/ns" and fields["g_per_ns"]["type"] == "number"
    parquet = pq.read_table(tmp_path / "lif_params.parquet")
    assert json.loads(parquet.schema.metadata[b"spinlif"])["schema"] == sidecar["schema"]
    assert parquet.num_rows == len(rows)
    params = load_params(tmp_path / "lif_params.csv", device="DW", n_layers=3, selected_only=True)
    assert len(params) == 1
    p = params[0]
    assert isinstance(p.n_layers, int) and p.model_family == "linear" and p.status == "accepted"
    assert isinstance(p.record["selected"], bool) and math.isfinite(p.g) and p.dt > 0
    assert load_params(tmp_path / "lif_params.csv", device="SKY") == []
    assert len(load_params(tmp_path / "lif_params.csv", status=("accepted", "provisional"))) == 2


def test_downstream_script_matches_the_fitting_integrator(group, tmp_path):
    """examples/neuron_from_table.py reads only the CSV (standard library); its first spike under a
    constant drive i = 1 equals the fitted ODE's threshold crossing (fitting.integrate) within one dt."""
    _, rows, folds = group
    write_table(rows, tmp_path / "lif_params.csv")
    out = subprocess.run([sys.executable, str(REPO / "examples" / "neuron_from_table.py"),
                          str(tmp_path / "lif_params.csv"), "--device", "DW", "--n-layers", "3", "--i", "1"],
                         capture_output=True, text=True, check=True, env={"PATH": ""})
    fields = dict(item.split("=") for item in out.stdout.split() if "=" in item)
    t_script, dt = float(fields["first_spike_ns"]), float(fields["dt"])
    row = next(r for r in rows if r["selected"])
    result = folds[row["model_family"]][0].result
    t = np.linspace(0, 20, 200_001)
    u = integrate(result.family, result.values, Drive(np.array([0.0, 20.0]), np.array([1.0])), t, row["u_rest"])
    t_exact = float(t[np.argmax(u >= row["u_th"])])
    assert abs(t_script - t_exact) <= dt


def test_snntorch_neuron_reproduces_the_first_spike(group, tmp_path):
    """The snnTorch neuron built from a table row spikes when the fitted ODE reaches threshold
    (within one step), resets to rest, and spikes again."""
    torch = pytest.importorskip("torch")
    pytest.importorskip("snntorch")
    from spinlif.network.neurons import neuron_from_row

    _, rows, _ = group
    write_table(rows, tmp_path / "lif_params.csv")
    (params,) = load_params(tmp_path / "lif_params.csv", device="DW", selected_only=True)
    neuron = neuron_from_row(params)
    exact = NormalisedNeuron(params.p1, params.p2, params.p0, params.g, params.u_rest, params.u_th)
    t_exact = exact.exact_first_spike(np.array([0.0, 100.0]), np.array([1.0]), 100.0)
    mem = torch.zeros(1, dtype=torch.float64)
    spikes = []
    for k in range(int(3 * t_exact / params.dt) + 10):
        spk, mem = neuron(torch.ones(1, dtype=torch.float64), mem)
        if spk.item() > 0:
            spikes.append((k + 1) * params.dt)
    assert abs(spikes[0] - t_exact) <= params.dt
    assert len(spikes) >= 2 and spikes[1] - spikes[0] == pytest.approx(spikes[0] + params.dt, abs=2 * params.dt)


@pytest.fixture
def mixed_table(group, tmp_path):
    """The fitted rows, relabelled: the selected family accepted, one provisional, one rejected (all
    selected) on three layer counts, plus an AFM0D row's identity on a copy of the first."""
    _, rows, _ = group
    chosen = next(r for r in rows if r["selected"])
    table = []
    for n, status in ((3, "accepted"), (5, "provisional"), (8, "rejected")):
        table.append({**chosen, "n_layers": n, "status": status, "device_id": f"DW_P{n}"})
    path = tmp_path / "lif_params.csv"
    write_table(table, path)
    return path, table


def test_load_params_returns_accepted_rows_unless_asked(mixed_table):
    """Issue 17 item 8: rejected rows came back by default and `selected_only` ignored status."""
    path, _ = mixed_table
    assert [p.n_layers for p in load_params(path)] == [3]
    assert [p.n_layers for p in load_params(path, selected_only=True)] == [3]
    assert [p.n_layers for p in load_params(path, include_provisional=True, selected_only=True)] == [3, 5]
    assert [p.n_layers for p in load_params(path, status="rejected")] == [8]


@pytest.mark.parametrize("kw, message", [
    ({"device": "FOO"}, "device = 'FOO': allowed are AFM0D, AFM_SOLITON, DW, MTJ_HH, SKY"),
    ({"status": "acepted"}, "status = 'acepted': allowed are accepted, provisional, rejected"),
    ({"model_family": "cubic"}, "model_family = 'cubic': allowed are"),
])
def test_load_params_refuses_unknown_filter_values(mixed_table, kw, message):
    """Item 8: `device="FOO"` or `status="acepted"` silently returned []."""
    from spinlif.fitting.table import ParamsTableError

    with pytest.raises(ParamsTableError, match=re.escape(message)):
        load_params(mixed_table[0], **kw)


def test_load_params_refuses_a_table_that_differs_from_its_sidecar(mixed_table):
    """Item 8: the sidecar's csv_sha256 was never checked (coefficients x 100 loaded without
    complaint), and a cut CSV gave a row with status=None."""
    import hashlib

    from spinlif.fitting.table import ParamsTableError

    path, table = mixed_table
    original = path.read_text()
    g = f"{table[0]['g_per_ns']!r}"[:8]
    assert g in original
    path.write_text(original.replace(g, str(float(g) * 100)[:8], 1))
    with pytest.raises(ParamsTableError, match="differs from the sidecar"):
        load_params(path)
    cut = original[: len(original) - 200]  # the last row loses its tail
    path.write_text(cut)
    with pytest.raises(ParamsTableError, match="differs from the sidecar"):
        load_params(path)
    sidecar = json.loads(path.with_suffix(".json").read_text())  # even with a matching hash
    sidecar["csv_sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    path.with_suffix(".json").write_text(json.dumps(sidecar))
    with pytest.raises(ParamsTableError, match=r"lif_params.csv:4: \d+ of \d+ cells: a cut or malformed row"):
        load_params(path, status="rejected")


def test_load_params_refuses_non_finite_coefficients(mixed_table):
    """Item 8: NaN coefficients were accepted."""
    from spinlif.fitting.table import ParamsTableError, family_coefficient_columns

    path, table = mixed_table
    column = family_coefficient_columns()[table[0]["model_family"]][0]
    write_table([{**table[0], column: float("nan")}] + table[1:], path)
    with pytest.raises(ParamsTableError, match=f"DW_P3 .*non-finite {column}"):
        load_params(path)
    assert [p.n_layers for p in load_params(path, status="provisional")] == [5]  # other rows still load


def test_params_show_offers_every_row_kind_of_the_table(mixed_table):
    """Item 8: `spinlif params show --device AFM0D` was refused although the table has AFM0D rows."""
    path, table = mixed_table
    write_table([{**table[0], "device_type": "AFM0D", "device_id": "AFM0D_N"}] + table[1:], path)
    out = subprocess.run([sys.executable, "-m", "spinlif.cli", "params", "show", str(path), "--device", "AFM0D"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "AFM0D_N" in out.stdout and "DW_P5" not in out.stdout
