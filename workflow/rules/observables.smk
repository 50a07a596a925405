# SPDX-License-Identifier: GPL-3.0-or-later
# Stage 4: device observables of one run (time series, per-snapshot wall/MTJ table, summary).
# Reads the store and this device's observables settings (params), nothing else.


rule observables:
    input:
        store="results/{device}/runs/{run_id}/run.zarr",
    output:
        directory("results/{device}/runs/{run_id}/observables"),
    params:
        # this device's `observables.<device>` settings of this invocation's config (defaults filled),
        # as JSON: --config overrides count, and an edit reruns only that device's observables
        settings=observables_settings_json,
    priority: PRIORITY_PROMPT
    log:
        "results/logs/{device}/{run_id}/observables.log",
    benchmark:
        "results/benchmarks/{device}/{run_id}/observables.tsv"
    shell:
        "spinlif observables {input.store} --settings {params.settings:q} -o {output} > {log} 2>&1"
