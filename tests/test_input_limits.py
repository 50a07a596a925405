# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad input that used to get through (issue 17 items 6, 7 and 10): each probe of the finding is
refused at validation with the key named, by `spinlif sweep` and by Snakemake, before anything
is rendered, allocated or expanded."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from spinlif.spec import SpecError, validate_spec
from spinlif.sweep import count_runs, expand, normalise_config
from spinlif.yaml_input import load_yaml
from tests.conftest import REPO, small_dw_spec

SPINLIF = str(Path(sys.executable).with_name("spinlif"))
SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))

CONFIG = """\
engine: cpu
devices:
  domain_wall:
    spec:
      geometry: {{length: 64.0e-9, width: 16.0e-9}}
      initial_state: {{wall_position: -10.0e-9}}
      drive: {{protocol: dc, duration: {duration}, tail: {tail}}}
      sampling: {{snapshot_period: {snapshot_period}, snapshot_edge_periods: 0}}
      material: {{Ms: {Ms}}}
    sweep: {{stack.n_layers: {n_layers}}}
    protocols: [{{name: dc}}]
"""
GOOD = {"duration": "0.1e-9", "tail": "0.0", "snapshot_period": "0.05e-9", "Ms": "8.0e5", "n_layers": "[1]"}


def sweep(tmp_path, text: str, timeout: float = 120):
    path = tmp_path / "config.yaml"
    path.write_text(text)
    return subprocess.run([SPINLIF, "sweep", str(path), "-o", str(tmp_path / "sweep.csv")],
                          capture_output=True, text=True, timeout=timeout)


def config_text(**changes) -> str:
    return CONFIG.format(**{**GOOD, **changes})


def test_the_good_config_expands(tmp_path):
    out = sweep(tmp_path, config_text())
    assert out.returncode == 0, out.stderr


@pytest.mark.parametrize("change, message", [
    ({"duration": ".nan"}, "drive.duration = nan: must be a finite number"),
    ({"Ms": ".inf"}, "material.Ms = inf: must be a finite number"),
    ({"Ms": "-.inf"}, "material.Ms = -inf: must be a finite number"),
])
def test_non_finite_numbers_are_refused_naming_the_key(tmp_path, change, message):
    """Item 6: NaN and inf passed every min/max check and crashed later with a raw ValueError."""
    out = sweep(tmp_path, config_text(**change))
    assert out.returncode == 2 and message in out.stderr and "Traceback" not in out.stderr


def test_non_finite_numbers_in_a_spec_are_refused():
    spec = small_dw_spec()
    spec["material"]["alpha"] = float("nan")
    with pytest.raises(SpecError, match="material.alpha = nan"):
        validate_spec(spec)


@pytest.mark.parametrize("change, message", [
    ({"tail": "1.0"}, "drive.tail = 1.0: must be a number <= 1e-06"),
    ({"snapshot_period": "1.0e-15"}, "snapshots (drive.duration + drive.tail"),
])
def test_unbounded_times_are_refused(tmp_path, change, message):
    """Item 7: `tail: 1.0` and `snapshot_period: 1e-15` validated, then rendering took > 2.4 GB."""
    out = sweep(tmp_path, config_text(**change))
    assert out.returncode == 2 and message in out.stderr, out.stderr


def test_a_grid_of_1e10_cells_is_refused():
    """Item 10: a 1e10-cell grid validated and the cpu engine died at allocation."""
    spec = small_dw_spec()
    spec["geometry"].update(length=1.0e-4, width=1.0e-4, cell=[1e-9, 1e-9, 0.8e-9])
    with pytest.raises(SpecError, match=r"100000 x 100000 x 1 = 10000000000 cells .* at most 134217728"):
        validate_spec(spec)


def test_a_huge_sweep_is_refused_before_it_is_expanded(tmp_path):
    """Item 7: a 10^6-run sweep expanded for ~1.4 h and 8 GB before the DAG existed. It is counted
    from its list lengths and refused; `max_runs` raises the bound on purpose."""
    raw = yaml.safe_load(config_text(n_layers=str(list(range(1, 101)))))
    raw["devices"]["domain_wall"]["sweep"]["drive.amplitude"] = [0.1 + k * 1e-4 for k in range(10_000)]
    text = yaml.safe_dump(raw)
    config = normalise_config(raw)
    assert count_runs(config) == 10**6
    with pytest.raises(SpecError, match="asks for 1000000 runs, more than max_runs = 10000"):
        expand(config)
    out = sweep(tmp_path, text)
    assert out.returncode == 2 and "max_runs" in out.stderr
    small = normalise_config({**yaml.safe_load(config_text(n_layers="[1, 2, 3]")), "max_runs": 2})
    with pytest.raises(SpecError, match="asks for 3 runs, more than max_runs = 2"):
        expand(small)


def test_count_runs_matches_the_expansion_of_the_shipped_configs():
    for name, n in (("config.yaml", 45), ("paper.yaml", 628)):
        config = normalise_config(load_yaml(REPO / "config" / name))
        assert count_runs(config) == len(expand(config)) == n


BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + k)}: &{chr(98 + k)} [" + ", ".join([f"*{chr(97 + k)}"] * 10) + "]\n" for k in range(9))


def test_a_yaml_alias_bomb_is_refused(tmp_path):
    """Item 7: a 700-byte alias bomb filled memory. Aliases are refused where the YAML is read."""
    assert len(BOMB) < 700
    out = sweep(tmp_path, BOMB + config_text(), timeout=60)
    assert out.returncode == 2 and "config.yaml:2:" in out.stderr and "aliases" in out.stderr


def test_duplicate_keys_are_refused_with_their_lines(tmp_path):
    """Item 10: a duplicate key let the last one win silently (a 5 ns run became 60 ns)."""
    text = config_text().replace("engine: cpu\n", "engine: cpu\nengine: mumax3\n")
    out = sweep(tmp_path, text)
    assert out.returncode == 2
    assert "config.yaml:2: duplicate key 'engine' (first on line 1)" in out.stderr


def test_a_yaml_syntax_error_names_the_line(tmp_path):
    """Item 10: a syntax error printed a traceback without a line number."""
    out = sweep(tmp_path, config_text().replace("protocols: [{name: dc}]", "protocols: [{name: dc}"))
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "config.yaml:12:" in out.stderr and "YAML syntax error" in out.stderr


@pytest.mark.slow
@pytest.mark.parametrize("extra, message", [
    (["--config", "max_runs=1"], "more than max_runs = 1"),
    (["--config", "max_runs=nan"], "config max_runs = nan: must be a finite number"),
])
def test_snakemake_refuses_the_same(tmp_path, extra, message):
    """The workflow reads its config through the same checks (duplicate keys via a strict re-read)."""
    text = config_text(n_layers="[1, 2]")
    (tmp_path / "dup.yaml").write_text(text.replace("engine: cpu\n", "engine: cpu\nengine: cpu\n"))
    (tmp_path / "ok.yaml").write_text(text)
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")

    def run(config, *args):
        return subprocess.run([SNAKEMAKE, "--snakefile", str(REPO / "Snakefile"), "--directory", str(tmp_path),
                               "--configfile", str(config), "--cores", "1", "-n", *args],
                              capture_output=True, text=True, env=env)

    dup = run(tmp_path / "dup.yaml")
    assert dup.returncode != 0 and "duplicate key 'engine'" in dup.stdout + dup.stderr
    out = run(tmp_path / "ok.yaml", *extra)
    assert out.returncode != 0 and message in out.stdout + out.stderr


def test_write_spec_writes_the_specs_yaml_and_refuses_a_bad_one(tmp_path):
    """The workflow's spec rule (`spinlif write-spec`): the file is the one `dump_spec` writes; a spec that
    fails its schema, or text that is not JSON, is refused naming what is wrong, and nothing is written."""
    import json

    from spinlif.spec import dump_spec

    spec = validate_spec(small_dw_spec())
    out = tmp_path / "spec.yaml"
    subprocess.run([SPINLIF, "write-spec", json.dumps(spec, sort_keys=True), "-o", str(out)], check=True)
    dump_spec(spec, tmp_path / "expected.yaml")
    assert out.read_text() == (tmp_path / "expected.yaml").read_text()
    bad = dict(spec, device="nanowire")
    for text, message in ((json.dumps(bad), "device"), ('{"device": ', "SPEC_JSON is not JSON")):
        res = subprocess.run([SPINLIF, "write-spec", text, "-o", str(tmp_path / "bad.yaml")], capture_output=True,
                             text=True)
        assert res.returncode != 0 and message in res.stderr, res.stderr
        assert not (tmp_path / "bad.yaml").exists()
