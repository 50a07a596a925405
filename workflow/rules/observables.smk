# SPDX-License-Identifier: GPL-3.0-or-later
# Stage 4: device observables of one run (time series, per-snapshot wall/MTJ table, summary).


rule observables:
    input:
        store="results/{device}/runs/{run_id}/run.zarr",
        config=workflow.configfiles[-1],
    output:
        directory("results/{device}/runs/{run_id}/observables"),
    log:
        "results/logs/{device}/{run_id}/observables.log",
    benchmark:
        "results/benchmarks/{device}/{run_id}/observables.tsv"
    shell:
        "spinlif observables {input.store} --config {input.config} -o {output} > {log} 2>&1"
