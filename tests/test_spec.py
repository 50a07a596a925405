# SPDX-License-Identifier: GPL-3.0-or-later
"""Config validation, sweep expansion, run ids and the drive schedule."""

import copy

import pytest
import yaml

from spinlif.devices._multilayer import current_direction, stack_layout
from spinlif.drive import drive_schedule
from spinlif.spec import SpecError, base_spec, run_id, validate_spec
from spinlif.sweep import expand, normalise_config, write_sweep_table
from tests.conftest import REPO


def load(name):
    return yaml.safe_load((REPO / "config" / name).read_text())


def test_demo_and_paper_configs_expand():
    demo = expand(normalise_config(load("config.yaml")))
    assert len(demo) == 45 and {r.device for r in demo} == {"domain_wall", "skyrmion", "afm_strip", "mtj_hh"}
    mtj = [r for r in demo if r.device == "mtj_hh"]
    assert sorted(r.spec["drive"]["amplitude"] for r in mtj) == [1.6, 2.0, 2.4, 2.4, 2.4, 2.4, 3.2, 3.2, 4.0]
    # ambient temperatures (issue 15): 2.4e10 A/m^2 at 250, 300 (the dc protocol's run), 350 and 400 K
    assert sorted(r.spec["thermal"]["T_amb"] for r in mtj if r.spec["drive"]["amplitude"] == 2.4) == [
        250.0, 300.0, 350.0, 400.0]
    neuron = [r for r in demo if r.protocol in ("kicks", "neuron_dc")]  # the AFM neuron: parameter set N only
    assert len(neuron) == 6 and {r.spec["param_set"] for r in neuron} == {"N"}
    assert {r.spec["param_set"] for r in demo if r.device == "afm_strip" and r not in neuron} == {"A"}
    assert {r.protocol for r in demo if r.device == "domain_wall"} == {"train", "control", "dc"}
    # the seed's 512 nm track, three layer counts (issue 18 item 4: the coefficient-vs-layers figure)
    assert {(r.spec["geometry"]["length"], r.spec["stack"]["n_layers"]) for r in demo if r.device == "domain_wall"} \
        == {(512e-9, 1), (512e-9, 3), (512e-9, 5)}
    everything = expand(normalise_config(load("paper.yaml")))
    paper = [r for r in everything if r.device == "domain_wall"]
    # 2 variants x 6 layer counts x (4 trains + control + 4 DC + 5 relaxations)
    assert len(paper) == 2 * 6 * 14
    assert {r.spec["stack"]["n_layers"] for r in paper} == {3, 5, 8, 10, 15, 20}
    sky = [r for r in everything if r.device == "skyrmion"]
    # 2 variants x 5 layer counts x 2 tracks x (4 trains + control + 4 DC)
    assert len(sky) == 2 * 5 * 2 * 9 and {r.spec["stack"]["n_layers"] for r in sky} == {6, 8, 10, 12, 15}
    assert {(r.swept["track"], r.spec["geometry"]["length"]) for r in sky} == {("main", 512e-9),
                                                                                ("secondary", 128e-9)}
    assert all(r.spec["material"]["Dind"] == 3e-3 for r in sky)
    # solitons (set A): 4 decays + 5 drives + 10 winding strips; neuron (set N): 4 strengths x 7 kick
    # trains + 5 DC torques
    assert len([r for r in everything if r.device == "afm_strip"]) == 4 + 5 + 10 + 4 * 7 + 5
    # MTJ, sets R and F: 14 DC currents x 3 seeds, 4 pulse amplitudes x 3 widths x 5 seeds, 4 more ambient
    # temperatures x 3 seeds
    mtj = [r for r in everything if r.device == "mtj_hh"]
    assert len(mtj) == 2 * (14 * 3 + 4 * 3 * 5 + 4 * 3)
    assert sorted({r.spec["thermal"]["seed"] for r in mtj if r.protocol == "t_amb"}) == [1, 2, 3]
    assert {r.spec["param_set"] for r in mtj} == {"R", "F"}
    assert {r.spec["drive"]["J_bias"] for r in mtj if r.protocol == "lif_pulses"} == {0.0}
    p5 = next(r for r in paper if r.spec["param_set"] == "P" and r.spec["stack"]["n_layers"] == 5)
    assert stack_layout(p5.spec).nz == 9 and stack_layout(p5.spec).layer_cells == (0, 2, 4, 6, 8)
    s5 = next(r for r in paper if r.spec["param_set"] == "S" and r.spec["stack"]["n_layers"] == 5)
    assert s5.spec["stack"]["interlayer_exchange"] == 5e-13


def test_run_ids_are_stable_short_and_change_with_physics():
    spec = base_spec("domain_wall", "P")
    rid = run_id(spec)
    assert len(rid) == 10 and rid == run_id(copy.deepcopy(spec))
    spec["material"]["alpha"] = 0.02
    assert run_id(spec) != rid


def test_sweep_table(tmp_path):
    runs = expand(normalise_config(load("config.yaml")))
    write_sweep_table(runs, tmp_path / "sweep.csv")
    text = (tmp_path / "sweep.csv").read_text().splitlines()
    assert text[0].startswith("run_id,device,protocol,param_set,n_layers")
    assert len(text) == 1 + len(runs)


@pytest.mark.parametrize("mutate, expected", [
    (lambda c: c["devices"]["domain_wall"]["sweep"].update({"stack.n_layers": [0]}),
     r"stack.n_layers = 0: must be a number >= 1 \(number of CoFeB layers\)"),
    (lambda c: c["devices"]["domain_wall"]["spec"]["drive"].update({"protocol": "sine"}),
     r"drive.protocol = 'sine': must be one of 'pulse_train', 'dc', 'relaxation'"),
    (lambda c: c.update({"engine": "gpu"}),
     r"config.engine = 'gpu': must be one of 'auto', 'mumax3', 'cpu'"),
    (lambda c: c["devices"]["domain_wall"]["sweep"].update({"material.thetaSH": [0.1]}),
     r"unknown spec key 'material.thetaSH'; keys here: Aex, Dind, Ku1, Ms"),
    (lambda c: c["devices"]["domain_wall"]["spec"]["geometry"].update({"length": 129e-9}),
     r"geometry.length = 1.29e-07 is not a whole number of cells"),
    (lambda c: c["devices"]["domain_wall"]["spec"]["material"].update({"Ms": "8e5x"}),
     r"material.Ms = '8e5x': must be a value of type number"),
    (lambda c: c["devices"].update({"vortex": {}}),
     r"config.devices: unknown device\(s\) 'vortex'; allowed: afm_strip, domain_wall, mtj_hh, skyrmion"),
])
def test_bad_values_name_key_value_and_what_is_allowed(mutate, expected):
    config = load("config.yaml")
    config["devices"]["domain_wall"]["spec"].setdefault("material", {})
    mutate(config)
    with pytest.raises(SpecError, match=expected):
        expand(normalise_config(config))


def test_yaml_exponent_without_dot_is_read_as_a_number():
    config = load("config.yaml")
    config["devices"]["domain_wall"]["spec"]["drive"]["duration"] = "4e-9"  # as PyYAML reads 4e-9
    runs = expand(normalise_config(config))
    assert runs[0].spec["drive"]["duration"] == 4e-9


def test_pulse_train_schedule_has_exact_edges_and_snapshots():
    spec = base_spec("domain_wall", "P")
    spec["drive"].update(t_off=1.5e-9, duration=6e-9, tail=1e-9)
    spec["sampling"].update(snapshot_edge_periods=1, snapshot_period=1e-9)
    validate_spec(spec)
    segs = drive_schedule(spec)
    assert segs[0].start == 0 and segs[-1].end == pytest.approx(7e-9, rel=1e-9, abs=0)
    on = [(s.start, s.end) for s in segs if s.i == 1.0]
    # ON from 0-1, 2.5-3.5, 5-6 ns (period 2.5 ns), possibly split at snapshot times
    covered = sum(e - s for s, e in on)
    assert covered == pytest.approx(3e-9, rel=1e-9, abs=0)
    starts = sorted({round(s * 1e12) for s, _ in on})
    assert starts[0] == 0 and 2500 in starts and 5000 in starts
    saves = sorted(round(s.end * 1e12) for s in segs if s.save)
    # edges of the first period (1, 2.5 ns), every ns, and the end
    assert {1000, 2500, 2000, 3000, 7000} <= set(saves)
    # contiguous, no overlaps
    for a, b in zip(segs, segs[1:]):
        assert a.end == b.start


def test_forward_current_direction_follows_theta_and_dmi_signs():
    spec = base_spec("domain_wall", "P")
    results = {}
    for theta in (-0.15, 0.15):
        for dmi in (-1e-3, 1e-3):
            spec["material"].update(theta_SH=theta, Dind=dmi)
            results[(theta, dmi)] = current_direction(spec)
    assert results[(-0.15, 1e-3)] == -results[(0.15, 1e-3)] == -results[(-0.15, -1e-3)]
    assert results[(-0.15, 1e-3)] == results[(0.15, -1e-3)]


def test_consistency_errors():
    spec = base_spec("domain_wall", "P")
    spec["initial_state"]["wall_position"] = 300e-9
    with pytest.raises(SpecError, match="outside the track"):
        validate_spec(spec)
    spec = base_spec("domain_wall", "P")
    spec["geometry"]["cell"] = [2e-9, 2e-9, 1e-9]
    with pytest.raises(SpecError, match="stack.t_fm"):
        validate_spec(spec)


def test_protocol_param_sets_must_be_swept():
    config = normalise_config(load("config.yaml"))
    config["devices"]["afm_strip"]["protocols"][0]["param_sets"] = ["Q"]
    with pytest.raises(SpecError, match=r"protocol 'decay' param_sets = \['Q'\]: \['Q'\] not in the swept param_set"):
        expand(config)
