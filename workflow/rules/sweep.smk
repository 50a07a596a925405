# SPDX-License-Identifier: GPL-3.0-or-later
# Stage 0: the sweep table and one spec.yaml per run; stage 1: render the MuMax3 script.


rule sweep_table:
    output:
        "results/sweep.csv",
    params:
        runs=sweep_json,
    priority: PRIORITY_PROMPT
    log:
        "results/logs/sweep_table.log",
    benchmark:
        "results/benchmarks/sweep_table.tsv"
    run:
        from spinlif.sweep import write_sweep_table

        write_sweep_table(RUNS, output[0])


rule spec:
    output:
        "results/{device}/runs/{run_id}/spec.yaml",
    params:
        spec=run_spec_json,
    priority: simulate_priority  # a run's spec and script are made when its simulation is next
    log:
        "results/logs/{device}/{run_id}/spec.log",
    benchmark:
        "results/benchmarks/{device}/{run_id}/spec.tsv"
    # a shell command: Snakemake runs a `run:` block of a local job in a new Snakemake process that parses
    # the whole workflow again (5 s per run for the demo's sweep; this is 0.5 s)
    shell:
        "spinlif write-spec {params.spec:q} -o {output} > {log} 2>&1"


rule render:
    input:
        "results/{device}/runs/{run_id}/spec.yaml",
    output:
        "results/{device}/runs/{run_id}/run.mx3",
    priority: simulate_priority
    log:
        "results/logs/{device}/{run_id}/render.log",
    benchmark:
        "results/benchmarks/{device}/{run_id}/render.tsv"
    shell:
        "spinlif render {input} -o {output} > {log} 2>&1"
