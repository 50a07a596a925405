# SPDX-License-Identifier: GPL-3.0-or-later
# Stage 3: table.txt + OVF snapshots of one complete run -> its own run.zarr.


rule ingest:
    input:
        "results/{device}/runs/{run_id}/sim",
    output:
        directory("results/{device}/runs/{run_id}/run.zarr"),
    priority: PRIORITY_PROMPT
    log:
        "results/logs/{device}/{run_id}/ingest.log",
    benchmark:
        "results/benchmarks/{device}/{run_id}/ingest.tsv"
    shell:
        "spinlif ingest {input} -o {output} > {log} 2>&1"
