# SPDX-License-Identifier: GPL-3.0-or-later
"""The workflow on a real SLURM cluster (issue 14): Debian's slurm-wlm on 127.0.0.1
(tests/slurm_cluster.py), submitted through a test profile derived from profiles/slurm by the
Snakemake SLURM executor plugin, polled with sacct. Where SLURM cannot start, these tests fail with
SLURM's own message (`.ci/run` installs the packages: `make slurm-deps`)."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import yaml

from analysis.store import open_store
from tests.conftest import REPO
from tests.slurm_cluster import PARTITION, SlurmCluster
from tests.test_workflow import SNAKEMAKE, TINY, snakemake, write_config

pytestmark = [pytest.mark.slurm, pytest.mark.workflow, pytest.mark.slow]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    c = SlurmCluster(tmp_path_factory.mktemp("slurm"))
    c.start()
    yield c
    c.stop()


def cpu_test_profile(directory: Path) -> Path:
    """profiles/slurm with only what a CPU-only test cluster needs changed: the partition, and no GPU
    request (the node has none); plus a 2 s first status check instead of 40 s, for test time."""
    profile = yaml.safe_load((REPO / "profiles" / "slurm" / "profile.yaml").read_text())
    profile["default-resources"]["slurm_partition"] = PARTITION
    simulate = profile["set-resources"]["simulate"]
    for key in ("gpu", "gpu_model", "cpus_per_gpu"):
        simulate.pop(key)
    profile["slurm-init-seconds-before-status-checks"] = 2
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "config.yaml").write_text(yaml.safe_dump(profile))
    return directory


def dw_config(duration: float = 0.1e-9) -> dict:
    config = json.loads(json.dumps(TINY))
    config["devices"] = {"domain_wall": config["devices"]["domain_wall"]}
    config["devices"]["domain_wall"]["spec"]["drive"]["duration"] = duration
    return config


def on_cluster(cluster, workdir: Path, config: Path, profile: Path, *args: str, **kw):
    env = dict(cluster.env, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    return subprocess.run([SNAKEMAKE, "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir),
                           "--configfile", str(config), "--profile", str(profile), *args],
                          capture_output=True, text=True, env=env, **kw)


def sacct_states(cluster) -> list[tuple[str, str, str]]:
    """(job id, name, state) of every job step SLURM accounted, allocations only."""
    out = cluster.run("sacct", "-X", "-n", "-P", "-a", "-o", "JobID,JobName%60,State").stdout
    return [tuple(line.split("|")) for line in out.splitlines() if line]


def test_the_tiny_workflow_runs_on_slurm_as_arrays_and_matches_a_local_run(cluster, tmp_path):
    """Render first (local rules, no job), then submit: every simulate job is ready at once and goes
    out as one array (the plugin arrays only jobs that are ready together; README)."""
    profile = cpu_test_profile(tmp_path / "profile")
    config = write_config(tmp_path, dw_config())
    rendered = on_cluster(cluster, tmp_path / "slurm", config, profile, "--until", "render")
    assert rendered.returncode == 0 and "sbatch call" not in rendered.stdout + rendered.stderr, rendered.stderr[-2000:]
    out = on_cluster(cluster, tmp_path / "slurm", config, profile, "--verbose")
    log = out.stdout + out.stderr
    assert out.returncode == 0, log[-4000:]
    submits = sorted({"sbatch " + line.split("sbatch ", 1)[1] for line in log.splitlines()
                      if "sbatch call:" in line and "sbatch --parsable" in line})
    assert submits, log[-3000:]
    array = [s for s in submits if "--array=" in s]
    assert array and "-p cpu" in array[0] and "-A my_account" in array[0] and "--gpus" not in array[0]
    assert "command=squeue" in log  # job states polled with squeue (profiles/slurm says why not sacct)
    states = sacct_states(cluster)
    assert states and all(state == "COMPLETED" for _, _, state in states), states
    assert any("_" in jid for jid, _, _ in states)  # array tasks: <array id>_<index>
    # the same workflow locally: the same runs and the same numbers (the cpu engine is deterministic)
    local = snakemake(tmp_path / "local", config, check=False)
    assert local.returncode == 0, local.stderr[-3000:]
    a = open_store(tmp_path / "slurm" / "results" / "dw" / "dataset.zarr")
    b = open_store(tmp_path / "local" / "results" / "dw" / "dataset.zarr")
    assert sorted(a["run"].values) == sorted(b["run"].values) and a.sizes["run"] == 2
    np.testing.assert_array_equal(a["m"].sortby("run").values, b["m"].sortby("run").values)
    (tmp_path / "sbatch_calls.txt").write_text("\n".join(submits))
    print("\n".join(submits))


def _simulate_job(cluster, run_dir: Path, timeout_s: float = 180) -> str:
    """The SLURM job id of the `spinlif simulate` process writing ``run_dir`` (from its environment)."""
    end = time.time() + timeout_s
    while time.time() < end:
        out = subprocess.run(["pgrep", "-f", f"spinlif simulate .*{run_dir.name}"], capture_output=True, text=True)
        for pid in out.stdout.split():
            try:
                environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            except OSError:
                continue
            env = dict(item.decode().split("=", 1) for item in environ if b"=" in item)
            if "SLURM_JOB_ID" in env and (run_dir / "sim.partial" / "table.txt").exists():
                return env["SLURM_JOB_ID"]
        time.sleep(0.5)
    raise AssertionError(f"no running simulate job for {run_dir}")


def test_scancel_of_a_simulate_job_is_recorded_and_only_that_run_is_redone(cluster, tmp_path):
    """scancel sends SIGTERM to the job's processes: the runner records `interrupted by SIGTERM`
    and SLURM's state (CANCELLED); the failure table lists it; a plain rerun redoes that run alone.
    `--retries 0`: with the profile's own `retries: 2` the cancelled run is resubmitted at once."""
    profile = cpu_test_profile(tmp_path / "profile")
    config = dw_config(duration=1.5e-9)  # long enough to cancel while it runs
    config["devices"]["domain_wall"]["protocols"] = [{"name": "dc", "set": {"drive.protocol": "dc"}},
                                                     {"name": "control", "set": {"drive.protocol": "relaxation",
                                                                                 "drive.duration": 0.1e-9}}]
    cfg = write_config(tmp_path, config)
    work = tmp_path / "w"
    env = dict(cluster.env, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    proc = subprocess.Popen([SNAKEMAKE, "--snakefile", str(REPO / "Snakefile"), "--directory", str(work),
                             "--configfile", str(cfg), "--profile", str(profile), "--verbose", "--retries", "0"],
                            stdout=open(tmp_path / "snakemake.out", "w"), stderr=subprocess.STDOUT, text=True,
                            env=env)
    runs = work / "results" / "dw" / "runs"
    sweep = None
    end = time.time() + 120
    while sweep is None and time.time() < end:
        if (work / "results" / "sweep.csv").exists():
            sweep = (work / "results" / "sweep.csv").read_text()
        time.sleep(0.5)
    victim = next(line.split(",")[0] for line in sweep.splitlines()[1:] if ",dc," in line)
    job = _simulate_job(cluster, runs / victim)
    cluster.run("scancel", job)
    proc.wait(timeout=300)
    output = (tmp_path / "snakemake.out").read_text()
    assert proc.returncode != 0
    manifest = json.loads((runs / victim / "sim.failed" / "manifest.json").read_text())
    assert manifest["reason"] == "interrupted by SIGTERM" and manifest["scheduler"]["slurm_job_id"] == job
    state = dict((jid, st) for jid, _, st in sacct_states(cluster))
    assert state[job].startswith("CANCELLED"), state
    failures = (work / "results" / "failures.csv").read_text()
    row = next(r for r in failures.splitlines() if r.startswith(victim))
    assert "interrupted" in row and "SLURM: CANCELLED" in row, row
    table = output.split("runs did not complete (results/failures.csv):")[1].split("\n\n")[0]
    assert victim in table and "interrupted" in table
    (tmp_path / "failure_table.txt").write_text(table)
    print(table)
    rerun = on_cluster(cluster, work, cfg, profile, "-n")
    assert re.findall(r"rule simulate:.*?run_id=([0-9a-f]{10})", rerun.stdout, re.S) == [victim]


def test_a_gpu_request_on_the_gpu_less_cluster_is_refused_clearly(cluster, tmp_path):
    """profiles/slurm as shipped asks for `--gpus=1`; this cluster has no GPU: sbatch refuses, and the
    run says so (README: 'Tested against SLURM')."""
    profile = tmp_path / "profile"
    profile.mkdir()
    shipped = yaml.safe_load((REPO / "profiles" / "slurm" / "profile.yaml").read_text())
    shipped["default-resources"]["slurm_partition"] = PARTITION
    shipped["set-resources"]["simulate"].pop("gpu_model")
    shipped["retries"] = 0
    (profile / "config.yaml").write_text(yaml.safe_dump(shipped))
    config = dw_config()
    config["engine"] = "mumax3"
    config["mumax3_binary"] = str(REPO / "tests" / "fake_mumax3.py")
    out = on_cluster(cluster, tmp_path / "w", write_config(tmp_path, config), profile, "--verbose")
    log = out.stdout + out.stderr
    assert out.returncode != 0
    assert "--gpus=1" in log and "Invalid generic resource (gres) specification" in log, log[-3000:]


@pytest.fixture(scope="module")
def gpu_cluster(tmp_path_factory, cluster):
    cluster.stop()  # one cluster at a time on this machine
    c = SlurmCluster(tmp_path_factory.mktemp("slurm-gpu"), gres_gpus=2)
    c.start()
    yield c
    c.stop()


@pytest.mark.parametrize("request_flag", ["--gpus=1", "--gres=gpu:1"])
def test_gpu_jobs_are_accepted_and_scheduled_two_at_a_time(gpu_cluster, request_flag, tmp_path):
    """On a node that declares Gres=gpu:2 (fake device files), what profiles/slurm (--gpus) and
    profiles/slurm-gres (--gres) ask for is accepted, and two such jobs run at once, not three."""
    ids = [gpu_cluster.run("sbatch", "--parsable", "-A", "my_account", "-p", PARTITION, "-n", "1", request_flag,
                           "--mem", "100", "--output", str(tmp_path / "%j.out"), "--wrap", "sleep 6").stdout.strip()
           for _ in range(3)]
    end = time.time() + 30
    running: list[str] = []
    while time.time() < end:
        running = gpu_cluster.run("squeue", "-h", "-t", "RUNNING", "-o", "%i").stdout.split()
        if len(running) >= 2:
            break
        time.sleep(0.3)
    assert len(running) == 2, running
    pending = gpu_cluster.run("squeue", "-h", "-t", "PENDING", "-o", "%i %r").stdout
    assert ids[2] in pending and "Resources" in pending
    gpu_cluster.run("scancel", *ids)


def _timeout_profile(directory: Path, runtime: str, enforce_runtime: int) -> Path:
    """The CPU test profile with the simulate runtime replaced by an expression in `attempt` (as a
    site that knows its runs may write it in its profile; profiles/slurm shows how)."""
    profile = cpu_test_profile(directory)
    settings = yaml.safe_load((profile / "config.yaml").read_text())
    settings["set-resources"]["simulate"].update(runtime=runtime, enforce_runtime=enforce_runtime)
    (profile / "config.yaml").write_text(yaml.safe_dump(settings))
    return profile


def _one_dc_run(tmp_path: Path, duration: float) -> Path:
    config = dw_config(duration)
    config["devices"]["domain_wall"]["protocols"] = [{"name": "dc", "set": {"drive.protocol": "dc"}}]
    return write_config(tmp_path, config)


def _simulate_submissions(log: str) -> list[str]:
    return [line.split("sbatch call: ", 1)[1] for line in log.splitlines()
            if "sbatch call:" in line and "rule_simulate" in line]


def test_a_run_past_its_time_is_stopped_by_the_runner_and_retried_with_twice_the_runtime(cluster, tmp_path):
    """A 1-minute first attempt of a ~80 s run: the runner stops the engine at 95 % (57 s), before SLURM
    would, and records it; the retry asks for 2 minutes and completes. The complete run's manifest
    keeps the timed-out attempt (its reason, wall time and SLURM job)."""
    profile = _timeout_profile(tmp_path / "profile", runtime="2 ** (attempt - 1)", enforce_runtime=1)
    work = tmp_path / "w"
    out = on_cluster(cluster, work, _one_dc_run(tmp_path, duration=5.0e-9), profile, "--verbose",
                     "--until", "simulate")  # the later stages are the array test's
    log = out.stdout + out.stderr
    (tmp_path / "snakemake.log").write_text(log)
    assert out.returncode == 0, log[-4000:]
    submissions = _simulate_submissions(log)
    runtimes = [int(re.search(r" -t '?(\d+)", s).group(1)) for s in submissions]
    assert runtimes[:2] == [1, 2], submissions  # the retry gets twice the runtime
    (run_dir,) = (work / "results" / "dw" / "runs").iterdir()
    manifest = json.loads((run_dir / "sim" / "manifest.json").read_text())
    first = manifest["previous_attempts"][0]
    assert first["reason"] == "exceeded the wall-time limit of 57 s"
    assert 57 <= first["wall_time_s"] < 60 + 15, first  # stopped before SLURM's limit (60 s)
    state = dict((jid, st) for jid, _, st in sacct_states(cluster))
    first_job = first["scheduler"]["slurm_job_id"]
    assert state[first_job] == "FAILED", state  # the runner's exit, not SLURM's kill
    assert state[manifest["scheduler"]["slurm_job_id"]] == "COMPLETED"
    report = {"sbatch -t (min) per attempt": runtimes, "first attempt": first,
              "sacct": {first_job: state[first_job], manifest["scheduler"]["slurm_job_id"]: "COMPLETED"}}
    (tmp_path / "timeout_report.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


def test_a_run_slurm_kills_at_its_time_limit_is_listed_as_a_timeout(cluster, tmp_path):
    """Without the runner's own stop (enforce_runtime: 0), SLURM ends the job at --time with SIGTERM
    (then SIGKILL after KillWait): sacct says TIMEOUT, the runner recorded `interrupted by SIGTERM`,
    and the failure table reads `timeout`, a rerun helps. `--retries 0` to see the first attempt."""
    profile = _timeout_profile(tmp_path / "profile", runtime="1", enforce_runtime=0)
    work = tmp_path / "w"
    out = on_cluster(cluster, work, _one_dc_run(tmp_path, duration=12.0e-9), profile, "--verbose",
                     "--retries", "0")
    log = out.stdout + out.stderr
    assert out.returncode != 0, log[-3000:]
    (run_dir,) = (work / "results" / "dw" / "runs").iterdir()
    manifest = json.loads((run_dir / "sim.failed" / "manifest.json").read_text())
    assert manifest["reason"] == "interrupted by SIGTERM", manifest
    job = manifest["scheduler"]["slurm_job_id"]
    assert dict((jid, st) for jid, _, st in sacct_states(cluster))[job] == "TIMEOUT"
    row = next(r for r in csv.DictReader(open(work / "results" / "failures.csv")) if r["run_id"] == run_dir.name)
    assert row["reason"] == "timeout" and row["rerun_helps"].startswith("yes")
    assert row["detail"].startswith("SLURM: TIMEOUT | interrupted by SIGTERM"), row
    print(f"job {job}: sacct TIMEOUT after {manifest['wall_time_s']} s; failures.csv: {row['reason']} | {row['detail']}")
