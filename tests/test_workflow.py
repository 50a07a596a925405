# SPDX-License-Identifier: GPL-3.0-or-later
"""Snakemake end to end on the CPU engine: outputs, and a simulate job killed mid-run."""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import shutil
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest
import yaml

from spinlif.analysis.store import open_store
from tests.conftest import REPO

pytestmark = [pytest.mark.workflow, pytest.mark.slow]

SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))

TINY = {
    "engine": "cpu",
    "validate": False,  # the validation suite has its own tests (test_validation.py)
    "devices": {"domain_wall": {
        "spec": {"geometry": {"length": 64.0e-9, "width": 16.0e-9},
                 "initial_state": {"wall_position": -10.0e-9, "relax_time": 0.02e-9},
                 "drive": {"duration": 0.1e-9, "tail": 0.0},
                 "sampling": {"snapshot_period": 0.05e-9, "snapshot_edge_periods": 0}},
        "sweep": {"param_set": ["P"], "stack.n_layers": [1]},
        "protocols": [{"name": "dc", "set": {"drive.protocol": "dc"}},
                      {"name": "control", "set": {"drive.protocol": "relaxation"}}],
    },
        # the other two devices go through the same stages (one tiny run each)
        "skyrmion": {
            "spec": {"geometry": {"length": 64.0e-9, "width": 48.0e-9},
                     "initial_state": {"skyrmion_position": [-8.0e-9, 0.0], "relax_time": 0.02e-9},
                     "drive": {"protocol": "dc", "duration": 0.05e-9, "tail": 0.0},
                     "sampling": {"snapshot_period": 0.025e-9, "snapshot_edge_periods": 0}},
            "sweep": {"param_set": ["P"], "stack.n_layers": [1]},
            "protocols": [{"name": "dc"}],
        },
        "afm_strip": {
            "spec": {"geometry": {"length": 200.0e-9, "cell": [1.0e-9, 1.0e-9, 1.0e-9]},
                     "initial_state": {"wall_position": -40.0e-9, "wall_velocity": 3000.0},
                     "drive": {"duration": 20.0e-12}, "sampling": {"snapshot_period": 2.0e-12}},
            "protocols": [{"name": "decay"}],
        },
        "mtj_hh": {
            "spec": {"drive": {"protocol": "dc", "amplitude": 2.0, "duration": 0.2e-9},
                     "sampling": {"snapshot_period": 0.2e-9}},
            "protocols": [{"name": "dc"}],
        }},
}


def snakemake(workdir: Path, config: Path, *args: str, check: bool = True, env_extra=None, **kw):
    cmd = [SNAKEMAKE, "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir),
           "--configfile", str(config), "--cores", "2", *args]
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}", **(env_extra or {}))
    return subprocess.run(cmd, capture_output=True, text=True, check=check, env=env, **kw)


def write_config(tmp_path: Path, config: dict) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_pipeline_end_to_end(tmp_path):
    config = write_config(tmp_path, TINY)
    out = snakemake(tmp_path, config, check=False)
    assert out.returncode == 0, out.stderr[-3000:]
    results = tmp_path / "results"
    sweep = (results / "sweep.csv").read_text().splitlines()
    assert len(sweep) == 6
    run_ids = [line.split(",")[0] for line in sweep[1:] if ",domain_wall," in line]
    for rid in run_ids:
        run = results / "dw" / "runs" / rid
        assert (run / "run.mx3").read_text().startswith("// spinlif")
        assert json.loads((run / "sim" / "manifest.json").read_text())["status"] == "complete"
        assert (run / "run.zarr").is_dir() and (run / "observables" / "summary.json").exists()
        assert (results / "logs" / "dw" / rid / "simulate.log").exists()
        assert (results / "benchmarks" / "dw" / rid / "simulate.tsv").exists()
    ds = open_store(results / "dw" / "dataset.zarr")
    assert set(ds["run"].values) == set(run_ids)
    assert {"protocol", "n_layers", "param_set", "t"} <= set(ds.coords)
    assert ds["m"].dims == ("run", "sample", "component")
    summary = (results / "dw" / "observables.csv").read_text()
    assert "t_threshold_ns" in summary and "R_whole_track_max_ohm" in summary
    assert (results / "dw" / "traces.png").stat().st_size > 1000
    for short, column in (("sk", "X_initial_nm"), ("afm", "v_initial_m_s"), ("mtj", "rate_GHz")):
        assert column in (results / short / "observables.csv").read_text()
        assert (results / short / "traces.png").stat().st_size > 1000
        assert open_store(results / short / "dataset.zarr").sizes["run"] == 1
    # no pulse trains in this config: no neuron rows; the AFM free decay gives the soliton row,
    # provisional (one 20 ps run, 11 snapshots: no held-out prediction, the drive gain fixed at the
    # mapping's value), but its wall width and decay rate are already those of the mapping
    table = pd.read_csv(results / "params" / "lif_params.csv")
    assert list(table.columns[:4]) == ["device_id", "device_type", "param_set", "n_layers"]
    assert list(table.device_type) == ["AFM_SOLITON"]
    afm = table.iloc[0]
    assert afm.status == "provisional" and "no held-out runs" in afm.status_reasons
    assert "no driven run" in afm.status_reasons
    assert afm.lambda_nm == pytest.approx(10.0, rel=0.02) and afm.nrmse_train < 0.03
    assert afm.eps_sg == pytest.approx(0.05, rel=0.1)
    assert (results / "params" / "figures" / "afm" / f"{afm.device_id}_sine_gordon_fit.png").exists()
    assert json.loads((results / "params" / "lif_params.json").read_text())["schema"]["fields"]
    # nothing left to do, and Snakemake's own record agrees: every output ok, no update planned
    dry = snakemake(tmp_path, config, "-n")
    assert "Nothing to be done" in dry.stdout + dry.stderr
    summary = snakemake(tmp_path, config, "--summary").stdout.splitlines()
    assert summary[0].split("\t")[4:6] == ["status", "plan"]
    stale = [line for line in summary[1:] if line.split("\t")[4:6] != ["ok", "no update"]]
    assert len(summary) > 20 and not stale, stale
    # the fit reads what its rule declares and nothing else: the aggregated dataset alone refits
    # the same row (it carries each run's spec, manifest and observables)
    alone = tmp_path / "alone"
    shutil.copytree(results / "afm" / "dataset.zarr", alone / "dataset.zarr")
    refit = subprocess.run([str(Path(sys.executable).with_name("spinlif")), "fit", "afm", "--dataset", "dataset.zarr",
                            "-o", "rows.json", "--figures", "figures"], cwd=alone, capture_output=True, text=True)
    assert refit.returncode == 0, refit.stderr[-3000:]
    (row,), (again,) = (json.loads(p.read_text()) for p in (results / "params" / "afm_rows.json", alone / "rows.json"))
    assert {k for k in row if str(row[k]) != str(again[k])} == {"fit_datetime_utc"}


def test_bad_config_fails_before_any_job(tmp_path):
    bad = json.loads(json.dumps(TINY))
    bad["devices"]["domain_wall"]["sweep"]["stack.n_layers"] = [0]
    out = snakemake(tmp_path, write_config(tmp_path, bad), "-n", check=False)
    assert out.returncode != 0
    assert "stack.n_layers = 0: must be a number >= 1" in out.stdout + out.stderr
    assert not (tmp_path / "results" / "sweep.csv").exists()


def _processes():
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmd = (proc / "cmdline").read_bytes()
                ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            yield int(proc.name), ppid, cmd


def _target_pid(run_id: str, target: str) -> int | None:
    """The `spinlif simulate` runner of one run (target "job"), or its engine child (target
    "engine", found as the runner's child)."""
    procs = list(_processes())
    runners = [pid for pid, _, cmd in procs if b"\0simulate\0" in cmd and run_id.encode() in cmd]
    if target == "job":
        return runners[0] if runners else None
    children = [pid for pid, ppid, _ in procs if ppid in runners]
    return children[0] if children else None


@pytest.mark.parametrize("target", ["engine", "job"])
def test_killed_simulation_is_rerun_alone_and_never_ingested(tmp_path, target):
    """SIGKILL the engine (the runner records the failure) or the whole simulate job (only
    sim.partial/ is left): either way nothing is ingested and a rerun redoes that run alone."""
    config = json.loads(json.dumps(TINY))
    config["devices"]["domain_wall"]["protocols"][0]["set"]["drive.duration"] = 3.0e-9  # the slow one
    cfg = write_config(tmp_path, config)
    proc = subprocess.Popen(
        [SNAKEMAKE, "--snakefile", str(REPO / "Snakefile"), "--directory", str(tmp_path),
         "--configfile", str(cfg), "--cores", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env=dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}"))
    runs = tmp_path / "results" / "dw" / "runs"
    deadline = time.time() + 300
    victim = pid = None
    while time.time() < deadline and pid is None and proc.poll() is None:
        time.sleep(0.5)
        for table in runs.glob("*/sim.partial/table.txt") if runs.exists() else []:
            rid = table.parts[-3]
            spec = yaml.safe_load((runs / rid / "spec.yaml").read_text())
            if spec["drive"]["protocol"] == "dc" and table.read_text().count("\n") > 5:
                victim, pid = rid, _target_pid(rid, target)
    assert pid, "the slow run never started"
    os.kill(pid, signal.SIGKILL)
    output, _ = proc.communicate(timeout=300)
    assert proc.returncode != 0, output[-4000:]  # the killed job failed ...
    other = [p.name for p in runs.iterdir() if p.name != victim][0]
    assert (runs / other / "run.zarr").is_dir()  # ... the other run went on (keep-going)
    assert not (runs / victim / "sim").exists() and not (runs / victim / "run.zarr").exists()
    if target == "engine":
        failed = json.loads((runs / victim / "sim.failed" / "manifest.json").read_text())
        assert failed["status"] == "failed" and "exited with status -9" in failed["reason"]
    else:
        assert (runs / victim / "sim.partial" / "table.txt").exists()  # left for inspection
    other_mtime = (runs / other / "sim" / "manifest.json").stat().st_mtime
    # the failure summary names the run and why
    failures = (tmp_path / "results" / "failures.csv").read_text().splitlines()
    assert len(failures) == 2 and failures[1].startswith(victim)
    assert ",simulate,killed,yes," in failures[1]
    assert "did not complete" in output and victim in output.split("did not complete")[1]

    dry = snakemake(tmp_path, cfg, "-n")
    planned = re.findall(r"^simulate\s+(\d+)\s*$", dry.stdout, re.M)
    assert set(planned) == {"1"}, dry.stdout  # (the job-stats table is printed twice)
    simulate_jobs = re.findall(r"rule simulate:.*?run_id=([0-9a-f]{10})", dry.stdout, re.S)
    assert simulate_jobs == [victim], dry.stdout
    snakemake(tmp_path, cfg)
    assert json.loads((runs / victim / "sim" / "manifest.json").read_text())["status"] == "complete"
    assert (runs / victim / "run.zarr").is_dir()
    assert not (runs / victim / "sim.partial").exists() and not (runs / victim / "sim.failed").exists()
    assert (runs / other / "sim" / "manifest.json").stat().st_mtime == other_mtime  # not redone
    assert len((tmp_path / "results" / "failures.csv").read_text().splitlines()) == 1  # header only


@pytest.mark.parametrize("config, n_runs", [("paper.yaml", 628), ("config.yaml", 45)])
def test_dry_run_plans_every_run(tmp_path, config, n_runs):
    """`snakemake -n` plans one spec/render/simulate/ingest/observables job per run and one
    aggregation (its speed is measured by `make dryrun-paper`, not here)."""
    out = snakemake(tmp_path, REPO / "config" / config, "-n", "--quiet", "rules")
    counts = dict(re.findall(r"^(\w+)\s+(\d+)\s*$", out.stdout, re.M))
    for rule in ("spec", "render", "simulate", "ingest", "observables"):
        assert counts[rule] == str(n_runs), out.stdout
    assert counts["aggregate"] == "4" and counts["sweep_table"] == "1"
    # the fit stage waits for the engine's validation suite (validate: true by default)
    assert counts["fit"] == "4"  # domain wall, skyrmion, AFM strip, MTJ
    assert counts["params_table"] == "1" and counts["validation_report"] == "1"
    assert counts["validation_simulate"] == "6"


def test_jobs_are_prioritised_post_processing_then_validation_then_longest_run(tmp_path):
    """The demo's plan: every job that a finished run unblocks (ingest, observables, aggregate, fit, ...)
    outranks the validation suite, which every fit waits for, and that outranks the device runs, which are
    ranked by their estimated time (longest first; a run's spec and script with it), so no device's runs
    start last."""
    from spinlif.resources import runtime_seconds
    from spinlif.sweep import expand, normalise_config
    from spinlif.yaml_input import load_yaml

    out = snakemake(tmp_path, REPO / "config" / "config.yaml", "-n")
    jobs = re.findall(r"^rule (\w+):\n(.*?)^    priority: ([0-9.]+)$", out.stdout, re.M | re.S)
    by_rule: dict[str, list[float]] = {}
    for rule, _, priority in jobs:
        by_rule.setdefault(rule, []).append(float(priority))
    assert {"spec", "render", "simulate", "ingest", "validation_simulate", "fit"} <= set(by_rule), out.stdout
    per_run = ("spec", "render", "simulate")
    suite = ("validation_problem", "validation_simulate")
    others = [p for rule, ps in by_rule.items() if rule not in per_run + suite for p in ps]
    assert min(others) > max(p for rule in suite for p in by_rule[rule]) > max(by_rule["simulate"])
    assert sorted(by_rule["spec"]) == sorted(by_rule["render"]) == sorted(by_rule["simulate"])
    runs = {r.run_id: r for r in expand(normalise_config(load_yaml(REPO / "config" / "config.yaml")))}
    planned = {m[1]: float(m[2]) for m in
               re.finditer(r"^rule simulate:\n.*?run_id=([0-9a-f]{10})\n    priority: ([0-9.]+)$", out.stdout,
                           re.M | re.S)}
    assert set(planned) == set(runs)
    assert planned == {rid: max(1, round(runtime_seconds(r.spec, "cpu"))) for rid, r in runs.items()}
    longest = max(planned, key=planned.get)
    assert runs[longest].device != "afm_strip" and min(planned.values()) < planned[longest] / 10


@pytest.mark.parametrize("mode, reason", [("crash", "exited with status 1"), ("fail", "compile error"),
                                          ("nan", "NaN abort")])
def test_mumax3_failures_are_summarised_and_only_they_are_rerun(tmp_path, mode, reason):
    """The MuMax3 stand-in (process behaviour only) fails the DC run; the others complete. A crash
    is rerun; a compile error or a NaN abort, which a rerun repeats, is set aside."""
    config = json.loads(json.dumps(TINY))
    config["devices"] = {"domain_wall": config["devices"]["domain_wall"]}  # one DC run to fail
    config["engine"] = "mumax3"
    config["mumax3_binary"] = str(REPO / "tests" / "fake_mumax3.py")
    cfg = write_config(tmp_path, config)
    env = {"FAKE_MUMAX3_FAIL_IF": "dc", "FAKE_MUMAX3_FAIL_MODE": mode, "SPINLIF_GPU_COUNT": "1",
           "TMPDIR": str(tmp_path)}
    first = snakemake(tmp_path, cfg, check=False, env_extra=env)
    assert first.returncode != 0
    failures = (tmp_path / "results" / "failures.csv").read_text().splitlines()
    assert len(failures) == 2 and reason in failures[1] and ",dc," in failures[1]
    assert "did not complete" in first.stderr
    victim = failures[1].split(",")[0]
    runs = tmp_path / "results" / "dw" / "runs"
    other = [p.name for p in runs.iterdir() if p.name != victim][0]
    assert (runs / other / "run.zarr").is_dir() and not (runs / victim / "run.zarr").exists()
    if mode in ("fail", "nan"):
        # issue 17 item 10: a rerun would diverge again, so it is not retried, and it no longer blocks
        # its device: the aggregate, fit and table go ahead without it and name it in their provenance
        assert next(csv.DictReader(failures))["rerun_helps"].startswith("no: ") and "would fail again" in first.stderr
        again = snakemake(tmp_path, cfg, check=False, env_extra=env)
        assert again.returncode == 0, again.stderr[-3000:]
        assert "rule simulate" not in again.stdout + again.stderr
        assert list(open_store(tmp_path / "results" / "dw" / "dataset.zarr")["run"].values) == [other]
        dataset_attrs = open_store(tmp_path / "results" / "dw" / "dataset.zarr").attrs
        assert json.loads(dataset_attrs["excluded_runs"]) == {victim: reason}
        sidecar = json.loads((tmp_path / "results" / "params" / "lif_params.json").read_text())
        assert sidecar["provenance"]["excluded_runs"] == {victim: reason}
        assert victim in (tmp_path / "results" / "failures.csv").read_text()  # still reported
        return
    dry = snakemake(tmp_path, cfg, "-n", env_extra={"SPINLIF_GPU_COUNT": "1", "TMPDIR": str(tmp_path)})
    assert re.findall(r"rule simulate:.*?run_id=([0-9a-f]{10})", dry.stdout, re.S) == [victim]
    snakemake(tmp_path, cfg, env_extra={"SPINLIF_GPU_COUNT": "1", "TMPDIR": str(tmp_path)})
    assert len((tmp_path / "results" / "failures.csv").read_text().splitlines()) == 1


def test_a_mumax3_path_with_shell_syntax_stays_one_argument(tmp_path):
    """Issue 17 item 1: `mumax3_binary` reached the simulate rule's shell line unquoted, so
    `$(...)` in it ran. Dry-run the plan, then run each printed simulate command through bash with
    `spinlif` swapped for `true`: nothing is executed, and the value arrives as one argument."""
    import shlex

    marker = tmp_path / "PWNED"
    value = f"/opt/my mumax3/mumax3 $(touch {marker})"
    config = write_config(tmp_path, {**TINY, "mumax3_binary": value})
    out = snakemake(tmp_path, config, "-n", "-p", check=False)  # engine: cpu: MuMax3's options stay out
    lines = [line for line in (out.stdout + out.stderr).splitlines() if "Shell command: spinlif simulate" in line]
    assert lines and not any("--mumax3" in line or "--gpu " in line for line in lines)
    config = write_config(tmp_path, {**TINY, "engine": "mumax3", "mumax3_binary": value})
    out = snakemake(tmp_path, config, "-n", "-p", check=False, env_extra={"SPINLIF_GPU_COUNT": "1"})
    assert out.returncode == 0, out.stderr[-3000:]
    lines = [line.split("Shell command: ", 1)[1] for line in (out.stdout + out.stderr).splitlines()
             if "Shell command: spinlif simulate" in line]
    assert lines, out.stdout[-3000:]
    for line in lines:
        words = shlex.split(line.split(" > ")[0])
        assert words[words.index("--mumax3") + 1] == value
        assert "--cache" not in words  # no kernel_cache set: the option is left out, not left empty
        subprocess.run(["bash", "-c", "true" + line[len("spinlif"):].split(" > ")[0]], check=True)
    assert not marker.exists()


def test_a_profiles_kernel_cache_reaches_mumax3_as_one_argument(tmp_path):
    """`kernel_cache` (a profile's set-resources) becomes `--cache DIR`, quoted, even with a space."""
    import shlex

    config = write_config(tmp_path, {**TINY, "engine": "mumax3", "mumax3_binary": "/opt/mumax3"})
    out = snakemake(tmp_path, config, "-n", "-p", "--set-resources", "simulate:kernel_cache=/tmp/kernel cache",
                    env_extra={"SPINLIF_GPU_COUNT": "1"})
    lines = [line.split("Shell command: ", 1)[1] for line in (out.stdout + out.stderr).splitlines()
             if "Shell command: spinlif simulate" in line]
    assert lines
    for line in lines:
        words = shlex.split(line.split(" > ")[0])
        assert words[words.index("--cache") + 1] == "/tmp/kernel cache"


def _planned_run_ids(text: str) -> set[str]:
    return set(re.findall(r"rule simulate:.*?run_id=([0-9a-f]{10})", text, re.S))


def test_a_configfile_is_the_whole_config(tmp_path):
    """Issue 17 item 2: from the repository root the demo config was always loaded and
    `--configfile X` deep-merged into it: paper.yaml ran 100 of its runs with the demo's
    amplitudes, and a 2-run user config became 20 runs over 3 devices. Now the demo config is a
    default only when no --configfile is given, and Snakemake plans exactly what `spinlif sweep`
    lists."""
    (tmp_path / "config").symlink_to(REPO / "config")  # run where config/config.yaml exists
    out = snakemake(tmp_path, Path("config/paper.yaml"), "-n")
    subprocess.run([str(Path(sys.executable).with_name("spinlif")), "sweep", "config/paper.yaml",
                   "-o", str(tmp_path / "sweep.csv")], cwd=REPO, check=True, capture_output=True)
    listed = set(pd.read_csv(tmp_path / "sweep.csv", dtype={"run_id": str}).run_id)
    assert len(listed) == 628 and _planned_run_ids(out.stdout) == listed

    user = json.loads(json.dumps(TINY))
    user["devices"] = {"domain_wall": user["devices"]["domain_wall"]}
    out = snakemake(tmp_path, write_config(tmp_path, user), "-n")
    assert len(_planned_run_ids(out.stdout)) == 2
    assert "device=sk" not in out.stdout and "device=afm" not in out.stdout
    # without --configfile, the demo config is the config
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    demo = subprocess.run([SNAKEMAKE, "--snakefile", str(REPO / "Snakefile"), "--directory", str(tmp_path),
                           "--cores", "1", "-n"], capture_output=True, text=True, check=True, env=env)
    assert len(_planned_run_ids(demo.stdout)) == 45


def test_observables_get_this_invocations_settings(tmp_path):
    """Issue 17 item 3: the observables rule read `workflow.configfiles[-1]` (the demo file while the
    fit used the user's threshold; `--config` overrides lost). Each job now gets its device's
    settings as a params value: a `--config` override arrives, defaults filled."""
    import shlex

    config = write_config(tmp_path, TINY)
    out = snakemake(tmp_path, config, "-n", "-p", "--config",
                    "observables={domain_wall: {threshold_mz: 0.42}}")
    lines = [line.split("Shell command: ", 1)[1] for line in out.stdout.splitlines()
             if "Shell command: spinlif observables" in line]
    assert len(lines) == 5  # one per TINY run
    for line in lines:
        words = shlex.split(line.split(" > ")[0])
        assert "--config" not in words
        settings = json.loads(words[words.index("--settings") + 1])
        if "/dw/" in line:
            assert settings["threshold_mz"] == 0.42 and settings["R_read"] == 283.5
        else:
            assert "threshold_mz" not in settings


def test_observables_settings_are_validated(tmp_path):
    """`spinlif observables --settings` refuses a bad key or value, naming it."""
    from spinlif.cli import _observables_settings
    from spinlif.spec import SpecError

    assert _observables_settings("domain_wall", '{"threshold_mz": 0.5}')["threshold_mz"] == 0.5
    with pytest.raises(SpecError, match="threshold_mz"):
        _observables_settings("domain_wall", '{"threshold_mz": 5}')
    with pytest.raises(SpecError, match="not JSON"):
        _observables_settings("domain_wall", '{threshold')
    with pytest.raises(SpecError, match="threshold_mz = nan: must be a finite number"):
        _observables_settings("domain_wall", '{"threshold_mz": NaN}')


@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM"])
def test_a_signal_to_snakemakes_process_group_ends_the_run_and_records_it(tmp_path, signame):
    """Issue 17 item 4 under Snakemake: Ctrl-C (SIGINT to the foreground process group) or a
    scheduler's SIGTERM to every process of the job hung the simulate job for 10 min. Now Snakemake
    exits promptly, the run is in sim.failed/ as "interrupted by SIG…", and the rerun plans it."""
    config = json.loads(json.dumps(TINY))
    config["devices"] = {"domain_wall": config["devices"]["domain_wall"]}
    config["engine"] = "mumax3"
    config["mumax3_binary"] = str(REPO / "tests" / "fake_mumax3.py")
    cfg = write_config(tmp_path, config)
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}",
               FAKE_MUMAX3_MODE="hang", SPINLIF_GPU_COUNT="1", TMPDIR=str(tmp_path))
    proc = subprocess.Popen([SNAKEMAKE, "--snakefile", str(REPO / "Snakefile"), "--directory", str(tmp_path),
                             "--configfile", str(cfg), "--cores", "1"], env=env, start_new_session=True,
                            stdout=open(tmp_path / "snakemake.out", "w"), stderr=subprocess.STDOUT)
    runs = tmp_path / "results" / "dw" / "runs"
    end = time.time() + 300
    while not list(runs.glob("*/sim.partial/table.txt")):
        assert proc.poll() is None and time.time() < end, "the simulate job never started"
        time.sleep(0.2)
    victim = next(runs.glob("*/sim.partial")).parent
    os.killpg(proc.pid, signal.Signals[signame])
    try:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            # Snakemake 9 now and then swallows the KeyboardInterrupt of a SIGINT that lands while it
            # schedules (seen in ~1 of 8 CI runs: the interrupted job is recorded, exit 130, but no
            # "Terminating processes on user request" and the next job starts). A user presses Ctrl-C
            # again; so does this test, and says so.
            warnings.warn(f"snakemake ignored the first {signame}; sent it again")
            os.killpg(proc.pid, signal.Signals[signame])
            proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        tree = subprocess.run(["ps", "-o", "pid,stat,wchan:20,args", "-g", str(proc.pid)], capture_output=True,
                              text=True).stdout
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail(f"snakemake hung after {signame}; its processes:\n{tree}\nits output:\n"
                    + (tmp_path / "snakemake.out").read_text()[-3000:])
    manifest = json.loads((victim / "sim.failed" / "manifest.json").read_text())
    assert manifest["reason"] == f"interrupted by {signame}"
    assert not (victim / "sim").exists()
    dry = snakemake(tmp_path, cfg, "-n", env_extra={"SPINLIF_GPU_COUNT": "1", "TMPDIR": str(tmp_path)})
    assert victim.name in re.findall(r"rule simulate:.*?run_id=([0-9a-f]{10})", dry.stdout, re.S)
