# SPDX-License-Identifier: GPL-3.0-or-later
"""The validation suite: references against their formulas, rendered scripts pinned by golden files,
the CI subset run on the real CPU engine, a deliberately broken SOT setting that must fail, the
gate the parameter tables consult, and the Snakemake target's plan.

The full suite (with SP4 and the 2D disk) runs with ``spinlif validate --engine cpu`` (about 4 min);
here only the CI subset of ``spinlif.validation.CI_CASES`` (seconds each)."""

import json
import math
import os
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from spinlif.analysis.theory import (dmi_edge_canting_angle, dmi_edge_profile_mz, interlayer_exchange_energy,
                             macrospin_slonczewski, slonczewski_amplitude)
from spinlif.spec import SpecError
from spinlif.validation import CASE_MODULES, CI_CASES, case_definition, case_runs, load_cases
from spinlif.validation.problems import build_problem, render_problem
from spinlif.validation.report import gated_status, validation_gate
from spinlif.validation.runner import run_case, run_suite
from tests.conftest import REPO

GOLDEN = REPO / "tests" / "golden"


def reference(case, quantity):
    return next(c["reference"] for c in case_definition(case)["checks"] if c["quantity"] == quantity)


# --- references against the formulas they come from -------------------------------------------

def test_dmi_1d_reference_is_the_rohart_thiaville_edge_angle():
    s = case_definition("dmi_1d")["setup"]
    theta = dmi_edge_canting_angle(s["Aex"], s["Ku1"], s["Dind"])
    assert math.sin(theta) == pytest.approx(0.6578, abs=1e-4)          # brief V2
    assert math.cos(theta) == pytest.approx(reference("dmi_1d", "edge_mz"), abs=1e-4)
    assert dmi_edge_profile_mz(0.0, s["Aex"], s["Ku1"], s["Dind"]) == pytest.approx(math.cos(theta))
    assert dmi_edge_profile_mz(60e-9, s["Aex"], s["Ku1"], s["Dind"]) == pytest.approx(1.0, abs=1e-6)


def test_macrospin_reference_matches_its_closed_form():
    a = slonczewski_amplitude(2e11, 8e5, 0.8e-9, 0.15)
    assert a == pytest.approx(1.0545718e-34 * 0.15 * 2e11 / (2 * 1.6021766e-19 * 8e5 * 0.8e-9), rel=1e-6)
    t = np.linspace(0, 0.2e-9, 11)
    p = np.array([0.0, -1.0, 0.0])
    m = macrospin_slonczewski([0.5, 0.0, math.sqrt(0.75)], p, a, 0.15, t)
    closed = np.tanh(1.7595e11 / (1 + 0.15**2) * a * t)
    assert np.allclose(m @ p, closed, atol=1e-9)
    assert np.allclose(np.linalg.norm(m, axis=1), 1.0, atol=1e-9)


def test_interlayer_energy_is_the_areal_coupling():
    # brief decision 3: 2 A_int / dz = 1.25e-3 J/m^2 for the seed's 5e-13 J/m over 0.8 nm
    assert interlayer_exchange_energy(math.pi, 5e-13, 0.8e-9, 1.0) == pytest.approx(2 * 1.25e-3)


def test_every_case_has_references_tolerances_and_a_source():
    cases = load_cases()
    assert list(cases) == list(CASE_MODULES)
    for name, case in cases.items():
        assert case["source"] and case["title"]
        for check in case["checks"]:
            if check.get("reference") is not None:
                assert set(check["tolerance"]) == {"mumax3", "cpu"}, (name, check["quantity"])


# --- problems and rendered scripts ---------------------------------------------------------------

def test_bad_problem_input_names_key_value_and_allowed():
    with pytest.raises(SpecError, match="validation case = 'sp5'.*allowed are sp4"):
        build_problem("sp5", "field1")
    with pytest.raises(SpecError, match="run = 'field3'.*allowed are field1, field2"):
        build_problem("sp4", "field3")
    with pytest.raises(SpecError, match="override 'FLT'.*keys:.*free_layer_thickness"):
        build_problem("sot_macrospin", "torque", overrides={"FLT": 0})
    with pytest.raises(SpecError, match=r"cell_scale = 2.*\(0, 1\]"):
        build_problem("dmi_1d", "relaxed", cell_scale=2)


RENDERED = [(case, run) for case in CASE_MODULES for run in case_runs(case)]


@pytest.mark.parametrize("case,run", RENDERED)
def test_validation_script_matches_golden_file(case, run):
    text = render_problem(build_problem(case, run))
    path = GOLDEN / f"validation_{case}_{run}.mx3"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text(), f"rendered {case}/{run} differs from {path}; UPDATE_GOLDEN=1 if intended"


@pytest.mark.parametrize("case,run", RENDERED)
def test_validation_script_guards(case, run):
    """mumax3-facts section 8 where it applies, and the case set-ups of physics-brief section 5."""
    text = render_problem(build_problem(case, run))
    assert "ext_bubblepos" not in text and "ext_dwpos" not in text
    if case == "sot_macrospin":
        assert "DisableZhangLiTorque = true" in text and "Lambda       = 1" in text
        assert float(re.search(r"FreeLayerThickness = (\S+)", text).group(1)) == pytest.approx(0.8e-9)
        assert "SetGeom(magnetic_layers)" in text and "EnableDemag = false" in text
    if case == "interlayer_exchange":
        assert text.count("ext_InterExchange(") == 2 and text.count("TableSave()") == 7
    if case.startswith("dmi"):
        assert "EnableDemag = false" in text and "Dind  = -0.003" in text and "Minimize()" in text
    if case == "dmi_1d":
        assert "SetPBC(0, 1, 0)" in text  # a wire: free surfaces only at the x ends
    if case == "sp4":
        assert "Relax()" in text and "TableAutoSave(1e-12)" in text and "Run(1e-09)" in text


def test_broken_setting_renders_into_the_script():
    text = render_problem(build_problem("sot_macrospin", "torque", overrides={"free_layer_thickness": 0.0}))
    assert "FreeLayerThickness = 0 " in text


# --- the real CPU engine -------------------------------------------------------------------------

def test_exchange_dmi_kernel_matches_magnum_np_away_from_edges():
    """The cpu engine's MuMax3 exchange + DMI kernel (with the DMI boundary condition) equals
    magnum.np's independent exchange and interface-DMI fields in the interior, where no boundary
    condition enters (in a subprocess: magnum.np changes torch globals on import)."""
    script = r"""
import torch
from spinlif.mx3.physics import Magnet
from magnumnp import Mesh, State, ExchangeField, InterfaceDMIField
torch.set_default_dtype(torch.float64)
n, cell = (12, 10, 1), (2e-9, 3e-9, 0.8e-9)
Ms, A, D = 8e5, 1.5e-11, -1e-3
torch.manual_seed(0)
m = torch.randn(n + (3,)); m = m / m.norm(dim=-1, keepdim=True)
st = State(Mesh(n, cell))
st.material = {"Ms": torch.full(n, Ms), "A": torch.full(n, A), "Di": torch.full(n, D)}
st.m = m
ref = (ExchangeField().h(st) + InterfaceDMIField().h(st)) * 4e-7 * torch.pi   # A/m -> T
mag = Magnet()
mag.set_mesh(n, cell)
for name, value in (("Msat", Ms), ("Aex", A), ("Dind", D)):
    mag.params[name].set_all(value)
mag.m = m.permute(3, 2, 1, 0).contiguous()                 # (x, y, z, 3) -> MuMax3's (3, z, y, x)
b = mag.b_exch().permute(3, 2, 1, 0)
inner = (slice(1, -1), slice(1, -1))
print(float((b[inner] - ref[inner]).abs().max() / ref.abs().max()), float((b - ref).abs().max() / ref.abs().max()))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         env={**os.environ, "CUDA_DEVICE": "-1"})
    assert out.returncode == 0, out.stderr[-2000:]
    interior, edges = map(float, out.stdout.split()[-2:])
    assert interior < 1e-9     # magnum.np's mu0 is rounded at 1e-11 relative
    assert edges > 1e-4        # the boundary condition does act at the edges


@pytest.fixture(scope="module")
def ci_report(tmp_path_factory):
    root = tmp_path_factory.mktemp("validation")
    return root, run_suite("cpu", list(CI_CASES), root)


def test_ci_subset_passes_on_the_cpu_engine(ci_report):
    root, frame = ci_report
    gated = frame[frame["passed"].astype(str) != ""]
    assert set(frame["case"]) == set(CI_CASES)
    assert (gated["passed"].astype(str) == "True").all(), frame.to_string()
    summary = json.loads((root / "cpu" / "report.json").read_text())
    assert summary["passed"] and "MuMax3 script interpreter" in summary["engine_version"]
    for case in CI_CASES:
        assert (root / "cpu" / case / f"{case}.png").stat().st_size > 10_000
        assert (root / "cpu" / case / case_runs(case)[0] / "sim" / "manifest.json").exists()


def test_gate_follows_the_report(ci_report, tmp_path):
    root, _ = ci_report
    gate = validation_gate("cpu", root)
    assert gate["passed"] and gate["report"].endswith("report.csv") and len(gate["report_sha256"]) == 64
    assert gated_status("accepted", gate) == "accepted"
    missing = validation_gate("mumax3", root)
    assert not missing["passed"] and "snakemake validate" in missing["reason"]
    assert gated_status("accepted", missing) == "provisional"
    assert gated_status("rejected", missing) == "rejected"


def test_broken_free_layer_thickness_fails_the_sot_check(tmp_path):
    """MuMax3's default FreeLayerThickness (0 = the whole 4 nm mesh of the 3-layer stack with
    spacers) divides the torque by 5: the suite must see it."""
    frame = run_case("sot_macrospin", "cpu", tmp_path, overrides={"free_layer_thickness": 0.0})
    row = frame.set_index("quantity").loc["torque_efficiency"]
    assert float(row["measured"]) == pytest.approx(0.8 / 4.0, rel=1e-3)
    assert str(row["passed"]) == "False"
    run_suite_frame = pd.read_csv(tmp_path / "cpu" / "sot_macrospin" / "result.csv", keep_default_na=False)
    assert not (run_suite_frame["passed"].astype(str) == "True").all()


# --- Snakemake target ------------------------------------------------------------------------------

def test_snakemake_validate_plans_every_case(tmp_path):
    out = subprocess.run([sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"),
                          "--directory", str(tmp_path), "--configfile", str(REPO / "config" / "config.yaml"),
                          "-n", "validate", "--cores", "2", "--config", "engine=cpu"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    text = out.stdout + out.stderr
    n_runs = sum(len(case_runs(c)) for c in CASE_MODULES)
    assert re.search(rf"validation_simulate\s+{n_runs}\b", text), text[-3000:]
    assert re.search(rf"validation_evaluate\s+{len(CASE_MODULES)}\b", text)
