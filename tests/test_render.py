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


def paper_run(param_set, n_layers, protocol, **match):
    config = normalise_config(yaml.safe_load((REPO / "config" / "paper.yaml").read_text()))
    for run in expand(config):
        s = run.spec
        if (s["param_set"], s["stack"]["n_layers"], run.protocol) == (param_set, n_layers, protocol) and all(
                s["drive"][k] == v for k, v in match.items()):
            return run.spec
    raise LookupError


CASES = {
    "dw_P5_train_off1ns": lambda: paper_run("P", 5, "train", t_off=1e-9),
    "dw_S3_dc_0.5": lambda: paper_run("S", 3, "dc", amplitude=0.5),
    "dw_E3_demo_train": lambda: expand(normalise_config(
        yaml.safe_load((REPO / "config" / "config.yaml").read_text())))[0].spec,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_rendered_script_matches_golden_file(name):
    text = render(CASES[name]())
    path = GOLDEN / f"{name}.mx3"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text(), f"rendered {name} differs from {path}; UPDATE_GOLDEN=1 if intended"


@pytest.mark.parametrize("name", sorted(CASES))
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
        assert "SetGeom(geom)" in text and "ext_InterExchange" not in text


def test_template_refuses_undefined_values():
    env = environment()
    with pytest.raises(jinja2.UndefinedError):
        env.get_template("dw_track.mx3.j2").render(param_set="P")
