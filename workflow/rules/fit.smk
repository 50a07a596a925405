# SPDX-License-Identifier: GPL-3.0-or-later
# Stage 5: compact-model fits per device (fitting/), then the parameter table. With `validate: true`
# (the default) the engine's validation report is an input, so a table is only written after the
# suite ran; its status gates every row (spinlif.validation.report.validation_gate).


def validation_report_input(wildcards):
    return [f"{VALIDATION_ROOT}/{ENGINE}/report.json"] if CONFIG["validate"] else []


def fit_threshold(wildcards):
    """``--threshold`` of the device's compact neuron: the observables setting its registry entry
    names (``NEURON_THRESHOLD``), in the state's unit; none where the device names none."""
    from spinlif.devices import device_module

    device = DEVICE_OF_SHORT[wildcards.device]
    key = device_module(device).NEURON_THRESHOLD  # the registry names it
    return f"--threshold {CONFIG['observables'][device][key]}" if key else ""


def validation_state(wildcards):
    """What the fits' gate will read (a params value: a new report reruns the fits)."""
    from spinlif.validation.report import validation_gate

    gate = validation_gate(ENGINE, VALIDATION_ROOT)
    return f"{gate['passed']} {gate['report_sha256']}"


rule fit:
    input:
        dataset="results/{device}/dataset.zarr",
        validation=validation_report_input,
    output:
        rows="results/params/{device}_rows.json",
        figures=report(directory("results/params/figures/{device}"), patterns=["{name}.png"],
                       category="Compact-model fits", subcategory="{device}", caption="../report/params.rst"),
    params:
        threshold=fit_threshold,
        validation=lambda wildcards, input: f"--validation {input.validation}" if input.validation else "",
        gate=validation_state,
    priority: PRIORITY_PROMPT
    log:
        "results/logs/{device}/fit.log",
    benchmark:
        "results/benchmarks/{device}/fit.tsv"
    shell:
        "spinlif fit {wildcards.device} --dataset {input.dataset} {params.threshold} "
        "{params.validation} -o {output.rows} --figures {output.figures} > {log} 2>&1"


rule params_table:
    input:
        expand("results/params/{device}_rows.json", device=FITTED_DEVICES),
    output:
        table=report("results/params/lif_params.csv", category="Parameter table",
                     caption="../report/params.rst"),
        parquet="results/params/lif_params.parquet",
        sidecar="results/params/lif_params.json",
        seed="results/params/seed_comparison.csv",
        figure=report("results/params/parameters_vs_layers.png", category="Parameter table",
                      caption="../report/params.rst"),
    params:
        excluded=excluded_json,
    priority: PRIORITY_PROMPT
    log:
        "results/logs/params_table.log",
    benchmark:
        "results/benchmarks/params_table.tsv"
    shell:
        "spinlif params-table {input} -o {output.table} --figure {output.figure} --excluded {params.excluded:q} "
        "> {log} 2>&1 && cat {log}"
