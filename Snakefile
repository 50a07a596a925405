# SPDX-License-Identifier: GPL-3.0-or-later
# spinlif: micromagnetic spintronic neurons -> compact LIF models.
# Thin entry point: config, validation and one .smk per stage (workflow/rules/).
#   snakemake --cores 2                                   # demo sweep (config/config.yaml)
#   snakemake --cores 8 --configfile config/paper.yaml    # seed-scale sweep (GPU)
#   snakemake --cores 2 validate                          # validation suite on the configured engine
from snakemake.utils import min_version

min_version("9.1")


# One config per invocation: the demo config is the default only when no --configfile is given.
# (Snakemake deep-merges --configfile into a `configfile:` directive, which would leak the demo's sweep
# and thresholds into every other config.) `--config key=value` still overrides either.
if not workflow.overwrite_configfiles:

    configfile: "config/config.yaml"


# Light bookkeeping runs where Snakemake runs, never as a cluster job: a 400-run sweep would otherwise
# queue 1 600 jobs that each start Snakemake to write a few kB.
localrules:
    all,
    sweep_table,
    spec,
    render,
    validation_problem,
    validate,


include: "workflow/rules/common.smk"
include: "workflow/rules/sweep.smk"
include: "workflow/rules/simulate.smk"
include: "workflow/rules/ingest.smk"
include: "workflow/rules/observables.smk"
include: "workflow/rules/aggregate.smk"
include: "workflow/rules/validate.smk"
include: "workflow/rules/fit.smk"
include: "workflow/rules/snn.smk"


rule all:
    input:
        all_targets(),
    default_target: True


onsuccess:
    report_failures()


onerror:
    report_failures()
