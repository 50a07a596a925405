# SPDX-License-Identifier: GPL-3.0-or-later
# Validation, sweep expansion and helpers shared by the rules. Nothing runs before the whole
# config and every run spec it expands to have passed the schemas in workflow/schemas/.
import json

from snakemake.exceptions import WorkflowError

from spinlif.failures import lasting_failures
from spinlif.runs import resolve_engine, runner_time_limit_s
from spinlif.fitting.pipeline import fitted_devices
from spinlif.devices import short_names
from spinlif.spec import SpecError
from spinlif.sweep import expand as expand_sweep
from spinlif.sweep import normalise_config
from spinlif.yaml_input import load_yaml

try:
    for _path in workflow.configfiles:  # Snakemake's reader lets a duplicate key win and follows aliases
        load_yaml(_path)
    CONFIG = normalise_config(config)
    RUNS = expand_sweep(CONFIG)
except SpecError as err:
    raise WorkflowError(f"spinlif: {err}") from None

RUNS_BY_ID = {run.run_id: run for run in RUNS}
DEVICE_SHORT_NAMES = short_names()
DEVICE_OF_SHORT = {short: dev for dev, short in DEVICE_SHORT_NAMES.items()}
# runs whose recorded simulation failure a rerun would repeat (NaN abort, compile error): left out of
# their device's aggregate so that the rest of the device goes on; named in the table's provenance
EXCLUDED = lasting_failures(RUNS)
DEVICES = sorted({DEVICE_SHORT_NAMES[run.device] for run in RUNS if run.run_id not in EXCLUDED})
FITTED_DEVICES = [d for d in DEVICES if d in fitted_devices()]
ENGINE = resolve_engine(CONFIG["engine"], CONFIG["mumax3_binary"])


wildcard_constraints:
    run_id="[0-9a-f]{10}",
    device="|".join(DEVICES),


def run_ids(device):
    """Run ids of one device (short name: dw) that its aggregate takes (all but EXCLUDED)."""
    return [r.run_id for r in RUNS if DEVICE_SHORT_NAMES[r.device] == device and r.run_id not in EXCLUDED]


def excluded_json(wildcards=None):
    """EXCLUDED as canonical JSON, of one device when the job has a device wildcard."""
    device = getattr(wildcards, "device", None)
    return json.dumps({rid: reason for rid, reason in sorted(EXCLUDED.items())
                       if device is None or DEVICE_SHORT_NAMES[RUNS_BY_ID[rid].device] == device})


def run_spec_json(wildcards):
    """The run's spec as canonical JSON (a params value: Snakemake reruns when it changes)."""
    return json.dumps(RUNS_BY_ID[wildcards.run_id].spec, sort_keys=True)


def observables_settings_json(wildcards):
    """`observables.<device>` of this invocation's config (normalised, defaults filled) as canonical JSON."""
    return json.dumps(CONFIG["observables"][DEVICE_OF_SHORT[wildcards.device]], sort_keys=True)


def sweep_json(wildcards):
    return json.dumps([r.row() for r in RUNS], sort_keys=True)


def stores_of(wildcards):
    return expand_paths("results/{device}/runs/{run_id}/run.zarr", wildcards.device)


def observables_of(wildcards):
    return expand_paths("results/{device}/runs/{run_id}/observables", wildcards.device)


def expand_paths(pattern, device):
    return [pattern.format(device=device, run_id=rid) for rid in run_ids(device)]


def simulate_runtime_min(wildcards, attempt):
    """Wall-time request (min) from grid size and simulated time; doubles per retry (spinlif.resources)."""
    from spinlif.resources import runtime_minutes

    return runtime_minutes(RUNS_BY_ID[wildcards.run_id].spec, ENGINE, attempt)


# Job order (Snakemake starts the ready job of highest priority first; a cluster profile submits in that
# order). First whatever a finished run unblocks: ingest, observables, aggregation, fits. Then the
# validation suite, whose report every fit reads. Then the device runs, longest first by their estimated
# time (longest-processing-time first), each with its spec and script just before it (not all specs and
# scripts first: that kept both cores from simulating for minutes).
PRIORITY_PROMPT = 10**7
PRIORITY_VALIDATION = 10**6


def simulate_priority(wildcards):
    """The run's estimated whole seconds on the engine (spinlif.resources.runtime_seconds), at least 1,
    below the suite's."""
    from spinlif.resources import runtime_seconds

    seconds = round(runtime_seconds(RUNS_BY_ID[wildcards.run_id].spec, ENGINE))
    return min(max(seconds, 1), PRIORITY_VALIDATION - 1)


def simulate_mem_mb(wildcards, attempt):
    """Host-memory request (MB) from grid size; +50 % per retry (spinlif.resources)."""
    from spinlif.resources import memory_mb

    return memory_mb(RUNS_BY_ID[wildcards.run_id].spec, attempt)


def simulate_timeout(wildcards, resources):
    """`--timeout` at 95 % of the requested runtime (at least 20 s before it) where a profile sets
    enforce_runtime=1 (SLURM): the runner then records "exceeded the wall-time limit" before the
    scheduler kills the job."""
    if not int(resources.get("enforce_runtime", 0)):
        return ""
    return f"--timeout {int(runner_time_limit_s(resources.runtime * 60))}"


def all_targets():
    targets = ["results/sweep.csv"]
    for device in DEVICES:
        targets += [f"results/{device}/dataset.zarr", f"results/{device}/observables.csv",
                    f"results/{device}/traces.png"]
    if FITTED_DEVICES:  # a config of unfitted devices only (e.g. mtj alone) has no parameter table
        targets += ["results/params/lif_params.csv"]
    return targets


def report_failures():
    """End of every run: results/failures.csv and a printed table of the runs that failed."""
    import sys

    from spinlif.failures import advice, format_table, summarise

    rows = summarise(RUNS)
    if rows:
        print(f"\nspinlif: {len(rows)} of {len(RUNS)} runs did not complete (results/failures.csv):\n"
              + format_table(rows) + "\n" + advice(rows) + "\n", file=sys.stderr)
