# SPDX-License-Identifier: GPL-3.0-or-later
"""Cluster profiles, dry-run: the sbatch submissions the SLURM executor plugin would make.

No cluster here: the dry run gives each job's resources as the profile sets them, and the plugin's
own submit-string functions turn them into sbatch arguments, which are checked against what the
profile documents (GPU request, runtime and memory that scale with the run, arrays).
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
import yaml

from tests.conftest import REPO
from tests.test_workflow import snakemake

slurm = pytest.importorskip("snakemake_executor_plugin_slurm")
from snakemake_executor_plugin_slurm.submit_string import get_submit_command  # noqa: E402
from snakemake_executor_plugin_slurm.utils import set_gres_string  # noqa: E402

pytestmark = pytest.mark.workflow


class _Resources(dict):
    __getattr__ = dict.get


def _value(text: str):
    try:
        return int(text)
    except ValueError:
        return text


def simulate_jobs(tmp_path, profile: str) -> dict[str, dict]:
    """run_id -> resources of every simulate job in a dry run of the paper config."""
    out = snakemake(tmp_path, REPO / "config" / "paper.yaml", "-n", "--profile", str(REPO / "profiles" / profile))
    jobs = {}
    for block in out.stdout.split("rule simulate:")[1:]:
        rid = re.search(r"run_id=([0-9a-f]{10})", block).group(1)
        res = re.search(r"resources: (.*)", block).group(1)
        jobs[rid] = {k: _value(v) for k, v in (kv.split("=", 1) for kv in res.split(", "))}
    return jobs


def sbatch(resources: dict) -> str:
    job = SimpleNamespace(resources=_Resources(resources), threads=1, is_group=lambda: False)
    params = {"run_uuid": "x", "slurm_logfile": "log", "comment_str": "c", "account": "-A acc",
              "partition": f"-p {resources.get('slurm_partition')}", "workdir": "/w"}
    return get_submit_command(job, params) + set_gres_string(job)


def test_slurm_profile_requests_one_gpu_per_run_with_scaled_runtime_and_memory(tmp_path):
    jobs = simulate_jobs(tmp_path, "slurm")
    assert len(jobs) == 628  # paper.yaml: 168 domain-wall + 180 skyrmion + 52 AFM + 228 MTJ runs
    calls = {rid: sbatch(res) for rid, res in jobs.items()}
    for call in calls.values():
        assert "--gpus=1" in call and "--gres" not in call
        assert re.search(r" -t \d+", call) and re.search(r" --mem \d+", call)
        assert "-p gpu" in call
    runtimes = {rid: int(re.search(r" -t (\d+)", c).group(1)) for rid, c in calls.items()}
    mems = {rid: int(re.search(r" --mem (\d+)", c).group(1)) for rid, c in calls.items()}
    # bigger stacks (more cells) and longer runs ask for more time and memory
    sweep = yaml.safe_load((REPO / "config" / "paper.yaml").read_text())
    assert sweep["engine"] == "mumax3"
    by_size = sorted(jobs, key=lambda r: jobs[r]["mem_mb"])
    assert runtimes[by_size[-1]] >= runtimes[by_size[0]] and mems[by_size[-1]] > mems[by_size[0]]


def test_slurm_runs_stop_themselves_before_the_scheduler_kills_them(tmp_path):
    out = snakemake(tmp_path, REPO / "config" / "paper.yaml", "-n", "-p", "--profile",
                    str(REPO / "profiles" / "slurm"))
    blocks = out.stdout.split("rule simulate:")[1:]
    for block in blocks[:10]:
        runtime = int(re.search(r"runtime=(\d+)", block).group(1))
        timeout = int(re.search(r"--timeout (\d+)", block).group(1))
        # 95 % of the limit, and at least 20 s before it (the engine's stop and the job step's exit)
        assert timeout == int(runtime * 60 - max(0.05 * runtime * 60, 20)), (runtime, timeout)
    local = snakemake(tmp_path, REPO / "config" / "paper.yaml", "-n", "-p")
    assert "--timeout" not in local.stdout  # local runs are not cut at an estimate


def test_gres_profile_uses_gres_only(tmp_path):
    jobs = simulate_jobs(tmp_path, "slurm-gres")
    for res in list(jobs.values())[:20]:
        call = sbatch(res)
        assert "--gres=gpu:1" in call and "--gpus" not in call


@pytest.mark.parametrize("profile", ["slurm", "slurm-gres"])
def test_profiles_retry_keep_going_and_use_arrays(profile):
    settings = yaml.safe_load((REPO / "profiles" / profile / "profile.yaml").read_text())
    assert settings["executor"] == "slurm" and settings["keep-going"] and settings["retries"] >= 1
    assert settings["slurm-array-jobs"] == "simulate"
    assert not any(flag in str(settings.get("default-resources", {}).get("slurm_extra", ""))
                   for flag in ("--gres", "--gpus"))


def test_runtime_and_memory_grow_with_size_duration_and_retries():
    from spinlif.resources import memory_mb, runtime_minutes
    from spinlif.spec import base_spec

    small, big = base_spec("domain_wall", "P"), base_spec("domain_wall", "P")
    small["stack"]["n_layers"], big["stack"]["n_layers"] = 3, 20
    assert runtime_minutes(big, "mumax3") > runtime_minutes(small, "mumax3")
    assert memory_mb(big) > memory_mb(small)
    base, longer = base_spec("domain_wall", "P"), base_spec("domain_wall", "P")
    longer["drive"]["duration"] *= 2
    assert runtime_minutes(longer, "mumax3") > runtime_minutes(base, "mumax3")
    for spec in (small, big):
        assert runtime_minutes(spec, "mumax3", attempt=2) >= 2 * runtime_minutes(spec, "mumax3") - 1
        assert memory_mb(spec, attempt=2) == pytest.approx(1.5 * memory_mb(spec), abs=2)
