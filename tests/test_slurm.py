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

from spinlif.analysis.store import open_store
from tests.conftest import REPO
from tests.slurm_cluster import PARTITION, SlurmCluster
from tests.test_workflow import SNAKEMAKE, TINY, snakemake, write_config

pytestmark = [pytest.mark.slurm, pytest.mark.workflow, pytest.mark.slow]

# The scenarios on the CPU cluster are submitted at once, by one fixture, and each test then waits for its
# own: the node runs two 1-CPU jobs at a time, and most of a scenario is waiting (time limits, the
# plugin's status checks), so the SLURM part costs about its longest scenario (issue 14: <= 6 min of CI).


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


def _snakemake_on(cluster, workdir: Path, config: Path, profile: Path, *args: str) -> tuple[list[str], dict]:
    """The command line and environment of Snakemake submitting to ``cluster`` through ``profile``."""
    env = dict(cluster.env, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    return ([SNAKEMAKE, "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir),
             "--configfile", str(config), "--profile", str(profile), *args], env)


def on_cluster(cluster, workdir: Path, config: Path, profile: Path, *args: str, **kw):
    argv, env = _snakemake_on(cluster, workdir, config, profile, *args)
    return subprocess.run(argv, capture_output=True, text=True, env=env, **kw)


def sacct_states(cluster) -> list[tuple[str, str, str]]:
    """(job id, name, state) of every job step SLURM accounted, allocations only."""
    out = cluster.run("sacct", "-X", "-n", "-P", "-a", "-o", "JobID,JobName%60,State").stdout
    return [tuple(line.split("|")) for line in out.splitlines() if line]



def _timeout_profile(directory: Path, runtime: str, enforce_runtime: int) -> Path:
    """The CPU test profile with the simulate runtime replaced by an expression in `attempt`, as a site
    that knows its runs may write it in its profile (profiles/slurm shows how)."""
    profile = cpu_test_profile(directory)
    settings = yaml.safe_load((profile / "config.yaml").read_text())
    settings["set-resources"]["simulate"].update(runtime=runtime, enforce_runtime=enforce_runtime)
    (profile / "config.yaml").write_text(yaml.safe_dump(settings))
    return profile


def _one_dc_run(directory: Path, duration: float) -> Path:
    config = dw_config(duration)
    config["devices"]["domain_wall"]["protocols"] = [{"name": "dc", "set": {"drive.protocol": "dc"}}]
    return write_config(directory, config)


class Submission:
    """One Snakemake invocation on the cluster, running in the background from the moment it is made."""

    def __init__(self, cluster, directory: Path, config: Path, profile: Path, *args: str):
        self.directory, self.work, self.config, self.profile = directory, directory / "w", config, profile
        self.log_path = directory / "snakemake.log"
        argv, env = _snakemake_on(cluster, self.work, config, profile, "--verbose", *args)
        self.proc = subprocess.Popen(argv, stdout=open(self.log_path, "w"), stderr=subprocess.STDOUT, text=True,
                                     env=env)

    def wait(self, timeout_s: float = 600) -> str:
        """Snakemake's output, once it has exited (``returncode`` then set)."""
        self.proc.wait(timeout=timeout_s)
        return self.log_path.read_text()

    @property
    def returncode(self) -> int | None:
        return self.proc.returncode

    def jobs(self, cluster) -> dict[str, str]:
        """SLURM job id -> sacct state of this invocation's jobs (the plugin names them by its run ID)."""
        run_id = re.search(r"SLURM run ID: (\S+)", self.log_path.read_text()).group(1)
        return {jid: state for jid, name, state in sacct_states(cluster) if name == run_id}

    def simulate_submissions(self) -> list[str]:
        return [line.split("sbatch call: ", 1)[1] for line in self.log_path.read_text().splitlines()
                if "sbatch call:" in line and "rule_simulate" in line]


@pytest.fixture(scope="module")
def submitted(cluster, tmp_path_factory):
    base = tmp_path_factory.mktemp("scenarios")
    profile = cpu_test_profile(base / "profile")
    (base / "arrays").mkdir()
    arrays = write_config(base / "arrays", dw_config())
    # render first (local rules, no job): then every simulate job is ready at once and goes out as one
    # array (the plugin arrays only jobs that are ready together; README)
    rendered = on_cluster(cluster, base / "arrays" / "w", arrays, profile, "--until", "render")
    assert rendered.returncode == 0 and "sbatch call" not in rendered.stdout + rendered.stderr, rendered.stderr[-2000:]

    scancel = dw_config(duration=20e-9)  # long enough to cancel while it runs (~45 s)
    scancel["devices"]["domain_wall"]["protocols"] = [
        {"name": "dc", "set": {"drive.protocol": "dc"}},
        {"name": "control", "set": {"drive.protocol": "relaxation", "drive.duration": 0.1e-9}}]
    (base / "scancel").mkdir()

    gpu_profile = base / "gpu-profile"  # profiles/slurm as shipped: --gpus=1
    gpu_profile.mkdir()
    shipped = yaml.safe_load((REPO / "profiles" / "slurm" / "profile.yaml").read_text())
    shipped["default-resources"]["slurm_partition"] = PARTITION
    shipped["set-resources"]["simulate"].pop("gpu_model")
    shipped["retries"] = 0
    (gpu_profile / "config.yaml").write_text(yaml.safe_dump(shipped))
    gpu = dw_config()
    gpu["engine"] = "mumax3"
    gpu["mumax3_binary"] = str(REPO / "tests" / "fake_mumax3.py")
    (base / "gpu").mkdir()

    for name in ("runner_stop", "slurm_kill"):
        (base / name).mkdir()
    runs = {  # the longest first: SLURM starts jobs in submission order
        # a 1-minute first attempt of a ~65 s run (stopped at 40 s); the retry asks for 2 minutes (stops at 100 s).
        # Sized by the cpu engine's speed: 32 ns of this track took 66 s on the CI machine (fused kernels)
        "runner_stop": Submission(cluster, base / "runner_stop", _one_dc_run(base / "runner_stop", 32e-9),
                                  _timeout_profile(base / "p-stop", "2 ** (attempt - 1)", 1), "--until", "simulate"),
        # a 1-minute limit the runner does not enforce, on a ~5 min run
        "slurm_kill": Submission(cluster, base / "slurm_kill", _one_dc_run(base / "slurm_kill", 150e-9),
                                 _timeout_profile(base / "p-kill", "1", 0), "--retries", "0"),
        # --retries 0: with the profile's own `retries: 2` the cancelled run would be resubmitted at once
        "scancel": Submission(cluster, base / "scancel", write_config(base / "scancel", scancel), profile,
                              "--retries", "0"),
        "arrays": Submission(cluster, base / "arrays", arrays, profile),
        "gpu": Submission(cluster, base / "gpu", write_config(base / "gpu", gpu), gpu_profile),
    }
    yield runs
    for run in runs.values():
        if run.proc.poll() is None:
            run.proc.terminate()
            run.proc.wait(60)


def _simulate_job(cluster, run_dir: Path, timeout_s: float = 300) -> str:
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


def test_scancel_of_a_simulate_job_is_recorded_and_only_that_run_is_redone(cluster, submitted):
    """scancel sends SIGTERM to the job's processes: the runner records `interrupted by SIGTERM`
    and SLURM's state (CANCELLED); the failure table lists it; a plain rerun redoes that run alone."""
    sub = submitted["scancel"]
    runs = sub.work / "results" / "dw" / "runs"
    sweep = None
    end = time.time() + 120
    while sweep is None and time.time() < end:
        if (sub.work / "results" / "sweep.csv").exists():
            sweep = (sub.work / "results" / "sweep.csv").read_text()
        time.sleep(0.5)
    victim = next(line.split(",")[0] for line in sweep.splitlines()[1:] if ",dc," in line)
    job = _simulate_job(cluster, runs / victim)
    cluster.run("scancel", job)
    output = sub.wait()
    assert sub.returncode != 0
    manifest = json.loads((runs / victim / "sim.failed" / "manifest.json").read_text())
    assert manifest["reason"] == "interrupted by SIGTERM" and manifest["scheduler"]["slurm_job_id"] == job
    state = dict((jid, st) for jid, _, st in sacct_states(cluster))
    assert state[job].startswith("CANCELLED"), state
    failures = (sub.work / "results" / "failures.csv").read_text()
    row = next(r for r in failures.splitlines() if r.startswith(victim))
    assert "interrupted" in row and "SLURM: CANCELLED" in row, row
    table = output.split("runs did not complete (results/failures.csv):")[1].split("\n\n")[0]
    assert victim in table and "interrupted" in table
    (sub.directory / "failure_table.txt").write_text(table)
    print(f"job {job}: sacct {state[job]}\n{table}")
    rerun = on_cluster(cluster, sub.work, sub.config, sub.profile, "-n")
    assert re.findall(r"rule simulate:.*?run_id=([0-9a-f]{10})", rerun.stdout, re.S) == [victim]


def test_the_tiny_workflow_runs_on_slurm_as_arrays_and_matches_a_local_run(cluster, submitted, tmp_path):
    sub = submitted["arrays"]
    log = sub.wait()
    assert sub.returncode == 0, log[-4000:]
    submits = sorted({"sbatch " + line.split("sbatch ", 1)[1] for line in log.splitlines()
                      if "sbatch call:" in line and "sbatch --parsable" in line})
    assert submits, log[-3000:]
    array = [s for s in submits if "--array=" in s]
    assert array and "-p cpu" in array[0] and "-A my_account" in array[0] and "--gpus" not in array[0]
    assert "command=squeue" in log  # job states polled with squeue (profiles/slurm says why not sacct)
    states = sub.jobs(cluster)
    assert states and all(state == "COMPLETED" for state in states.values()), states
    assert any("_" in jid for jid in states), (states, sacct_states(cluster))  # array tasks: <id>_<index>
    # the same workflow locally: the same runs and the same numbers (the cpu engine is deterministic)
    local = snakemake(tmp_path / "local", sub.config, check=False)
    assert local.returncode == 0, local.stderr[-3000:]
    a = open_store(sub.work / "results" / "dw" / "dataset.zarr")
    b = open_store(tmp_path / "local" / "results" / "dw" / "dataset.zarr")
    assert sorted(a["run"].values) == sorted(b["run"].values) and a.sizes["run"] == 2
    np.testing.assert_array_equal(a["m"].sortby("run").values, b["m"].sortby("run").values)
    (sub.directory / "sbatch_calls.txt").write_text("\n".join(submits))
    print("\n".join(submits))


def test_a_run_past_its_time_is_stopped_by_the_runner_and_retried_with_twice_the_runtime(cluster, submitted):
    """A 1-minute first attempt of a ~65 s run: the runner stops the engine 20 s before the limit (at 40 s;
    95 % would leave too little for the stop on a loaded node), before SLURM would, and records it; the retry asks for 2 minutes and completes. The complete run's manifest
    keeps the timed-out attempt (its reason, wall time and SLURM job)."""
    sub = submitted["runner_stop"]
    log = sub.wait()
    assert sub.returncode == 0, log[-4000:]
    submissions = sub.simulate_submissions()
    runtimes = [int(re.search(r" -t '?(\d+)", s).group(1)) for s in submissions]
    assert runtimes[:2] == [1, 2], submissions  # the retry gets twice the runtime
    (run_dir,) = (sub.work / "results" / "dw" / "runs").iterdir()
    manifest = json.loads((run_dir / "sim" / "manifest.json").read_text())
    first = manifest["previous_attempts"][0]
    # 20 s before the 60 s limit on the job's clock: the job step's start-up counts (squeue's elapsed time)
    assert first["reason"].startswith("exceeded the wall-time limit of 40 s"), first
    job_time = first["scheduler"]["job_elapsed_at_start_s"] + first["wall_time_s"]
    assert 40 <= job_time < 60, first  # stopped before SLURM's limit
    state = sub.jobs(cluster)
    first_job, last_job = first["scheduler"]["slurm_job_id"], manifest["scheduler"]["slurm_job_id"]
    assert state[first_job] == "FAILED", state  # the runner's exit, not SLURM's kill
    assert state[last_job] == "COMPLETED"
    report = {"sbatch -t (min) per attempt": runtimes, "first attempt": first, "job time at the stop (s)": job_time,
              "sacct": {first_job: state[first_job], last_job: state[last_job]},
              "completed attempt wall time (s)": manifest["wall_time_s"]}
    (sub.directory / "timeout_report.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


def test_a_run_slurm_kills_at_its_time_limit_is_listed_as_a_timeout(cluster, submitted):
    """Without the runner's own stop (enforce_runtime: 0), SLURM ends the job at --time with SIGTERM
    (then SIGKILL after KillWait): sacct says TIMEOUT, the runner recorded `interrupted by SIGTERM`,
    and the failure table reads `timeout`, a rerun helps. `--retries 0` to see the first attempt."""
    sub = submitted["slurm_kill"]
    log = sub.wait()
    assert sub.returncode != 0, log[-3000:]
    (run_dir,) = (sub.work / "results" / "dw" / "runs").iterdir()
    manifest = json.loads((run_dir / "sim.failed" / "manifest.json").read_text())
    assert manifest["reason"] == "interrupted by SIGTERM", manifest
    job = manifest["scheduler"]["slurm_job_id"]
    assert sub.jobs(cluster)[job] == "TIMEOUT"
    with open(sub.work / "results" / "failures.csv") as f:
        row = next(r for r in csv.DictReader(f) if r["run_id"] == run_dir.name)
    assert row["reason"] == "timeout" and row["rerun_helps"].startswith("yes")
    assert row["detail"].startswith("SLURM: TIMEOUT | interrupted by SIGTERM"), row
    print(f"job {job}: sacct TIMEOUT after {manifest['wall_time_s']} s; failures.csv: {row['reason']} | {row['detail']}")


def test_a_gpu_request_on_the_gpu_less_cluster_is_refused_clearly(submitted):
    """profiles/slurm as shipped asks for `--gpus=1`; this cluster has no GPU: sbatch refuses, and the
    run says so (README: 'Tested against SLURM')."""
    sub = submitted["gpu"]
    log = sub.wait()
    assert sub.returncode != 0
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
    # a job's pending reason is "None" until the scheduler's next pass evaluates it (seen in CI)
    end = time.time() + 15
    while True:
        pending = gpu_cluster.run("squeue", "-h", "-t", "PENDING", "-o", "%i %r").stdout
        if "None" not in pending or time.time() > end:
            break
        time.sleep(0.3)
    assert ids[2] in pending and "Resources" in pending
    gpu_cluster.run("scancel", *ids)


