# SPDX-License-Identifier: GPL-3.0-or-later
# Stage 5: the one aggregation rule per device: all run stores -> dataset.zarr with the sweep
# parameters as coordinates, the observable summaries -> observables.csv, and a trace figure.


rule aggregate:
    input:
        sweep="results/sweep.csv",
        stores=stores_of,
        observables=observables_of,
    output:
        dataset=directory("results/{device}/dataset.zarr"),
        summary="results/{device}/observables.csv",
    params:
        excluded=excluded_json,
    priority: PRIORITY_PROMPT
    log:
        "results/logs/{device}/aggregate.log",
    benchmark:
        "results/benchmarks/{device}/aggregate.tsv"
    shell:
        "spinlif aggregate --sweep {input.sweep} --stores {input.stores} "
        "--observables {input.observables} --summary {output.summary} --excluded {params.excluded:q} "
        "-o {output.dataset} > {log} 2>&1"


rule plot_traces:
    input:
        dataset="results/{device}/dataset.zarr",  # it carries the runs' observables
    output:
        report(
            "results/{device}/traces.png",
            caption="../report/traces.rst",
            category="Neuron traces",
        ),
    priority: PRIORITY_PROMPT
    log:
        "results/logs/{device}/plot_traces.log",
    benchmark:
        "results/benchmarks/{device}/plot_traces.tsv"
    shell:
        "spinlif plot {input.dataset} -o {output} > {log} 2>&1"
