# SPDX-License-Identifier: GPL-3.0-or-later
"""Rendered MuMax3 scripts: pinned by golden files, and checked for the pitfall guards of
mumax3-facts.md section 8. Regenerate the golden files with UPDATE_GOLDEN=1 after an intended change."""

import os
import re

import jinja2
import pytest
import yaml

from spinlif.render import environment, render
from spinlif.sweep import expand, normalise_config
from tests.conftest import REPO

GOLDEN = REPO / "tests" / "golden"


def paper_run(param_set, n_layers, protocol, device="domain_wall", track=None, **match):
    config = normalise_config(yaml.safe_load((REPO / "config" / "paper.yaml").read_text()))
    for run in expand(config):
        s = run.spec
        if run.device != device or (track and run.swept.get("track") != track):
            continue
        if (s["param_set"], s.get("stack", {}).get("n_layers"), run.protocol) == (param_set, n_layers, protocol) \
                and all(s["drive"][k] == v for k, v in match.items()):
            return run.spec
    raise LookupError


def demo_run(device, protocol, index=0):
    runs = [r for r in expand(normalise_config(yaml.safe_load((REPO / "config" / "config.yaml").read_text())))
            if r.device == device and r.protocol == protocol]
    return runs[index].spec


CASES = {
    "dw_P5_train_off1ns": lambda: paper_run("P", 5, "train", t_off=1e-9),
    "dw_S3_dc_0.5": lambda: paper_run("S", 3, "dc", amplitude=0.5),
    "dw_E3_demo_train": lambda: demo_run("domain_wall", "train", 4),  # N = 1, 3, 5: the first of N = 3
    "sk_P8_main_train_off1ns": lambda: paper_run("P", 8, "train", "skyrmion", "main", t_off=1e-9),
    "sk_S6_secondary_dc_0.5": lambda: paper_run("S", 6, "dc", "skyrmion", "secondary", amplitude=0.5),
    "afm_decay_boosted": lambda: demo_run("afm_strip", "decay", 1),
    "afm_drive": lambda: demo_run("afm_strip", "drive", 1),
    "afm_windings_4": lambda: demo_run("afm_strip", "windings", 2),
    "afm_kicks_every_100ps": lambda: demo_run("afm_strip", "kicks", 2),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_rendered_script_matches_golden_file(name):
    text = render(CASES[name]())
    path = GOLDEN / f"{name}.mx3"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text(), f"rendered {name} differs from {path}; UPDATE_GOLDEN=1 if intended"


@pytest.mark.parametrize("name", sorted(n for n in CASES if not n.startswith("afm")))
def test_pitfall_guards(name):
    spec = CASES[name]()
    text = render(spec)
    assert "DisableZhangLiTorque = true" in text            # facts 3a (iii)
    flt = float(re.search(r"FreeLayerThickness = (\S+)", text).group(1))
    expected = 0.8e-9 if spec["stack"]["variant"] != "effective_medium" else 1.6e-9
    assert flt == pytest.approx(expected)                     # facts 3a (ii): never the whole mesh
    assert "Lambda       = 1" in text and f"Pol          = {abs(spec['material']['theta_SH']):g}" in text
    assert "TableAutoSave(1e-11)" in text                    # 10 ps table
    # one Run() per constant segment: every J change is followed by a Run
    lines = [ln.strip() for ln in text.splitlines()]
    for k, line in enumerate(lines):
        if line.startswith("J = vector(0, 0, ") and k > lines.index("t = 0"):
            assert lines[k + 1].startswith("Run(")
    assert "heaviside" not in text                            # no edge hidden inside the stepper
    assert "ext_bubblepos" not in text and "ext_dwpos" not in text  # brief 3.1: not primary observables
    n = spec["stack"]["n_layers"] if spec["stack"]["variant"] != "effective_medium" else 1
    assert len(re.findall(r"TableAdd\(m\.Region\(\d+\)\)", text)) == n
    if spec["stack"]["variant"] == "contiguous":
        assert text.count("ext_InterExchange(") == n - 1 and "5e-13" in text
    if spec["stack"]["variant"] == "spacers":
        assert "SetGeom(magnetic_layers)" in text and "ext_InterExchange" not in text
    if spec["device"] == "skyrmion":
        # core -z, chirality from sign(Dind); the charge column for the annihilation check
        assert "m = NeelSkyrmion(1, -1).Transl(" in text and "TableAdd(ext_topologicalcharge)" in text
        assert "Dind  = 0.003" in text and "TableAutoSave(1e-11)" in text and text.count("Save(m)") > 60


@pytest.mark.parametrize("name", sorted(n for n in CASES if n.startswith("afm")))
def test_afm_pitfall_guards(name):
    spec = CASES[name]()
    text = render(spec)
    assert "DisableZhangLiTorque = true" in text and "Lambda       = 1" in text
    assert "FixedLayer   = vector(0, 0, 1)" in text            # staggered torque from p = z
    assert float(re.search(r"FreeLayerThickness = (\S+)", text).group(1)) == spec["geometry"]["cell"][2]
    assert "EnableDemag = false" in text
    coupling = float(re.search(r"ext_InterExchange\(1, 2, (\S+)\)", text).group(1))
    assert coupling == spec["material"]["interlayer_exchange"] < 0  # negative: antiferromagnetic sublattices
    ku1 = float(re.search(r"^Ku1   = (\S+)", text, re.M).group(1))
    assert ku1 == -spec["material"]["K_hard"] and "AnisU = vector(0, 0, 1)" in text  # easy plane
    assert "AddFieldTerm(easy_axis_field)" in text and "AddEdensTerm(" in text  # second anisotropy + its energy
    assert "TableAdd(MaxTorque)" in text and "TableAdd(E_total)" in text
    assert ("SetPBC(1, 0, 0)" in text) == spec["geometry"]["periodic"]
    n = spec["initial_state"]["n_walls"]
    if n >= 1:
        assert text.count("m.SetCell(ix, 0, 0,") == 1 and text.count("m.SetCell(ix, 0, 1,") == 1
    lines = [ln.strip() for ln in text.splitlines()]
    start = next(k for k, ln in enumerate(lines) if ln.startswith("TableAutoSave("))
    for k, line in enumerate(lines):
        if line.startswith("J = vector(0, 0, ") and k > start:
            assert lines[k + 1].startswith("Run(")


def test_template_refuses_undefined_values():
    env = environment()
    with pytest.raises(jinja2.UndefinedError):
        env.get_template("dw_track.mx3.j2").render(param_set="P")
