# SPDX-License-Identifier: GPL-3.0-or-later
# Validation suite: `snakemake validate` runs every case of spinlif/validation/cases.yaml on the
# configured engine through the same stages as a device run (problem -> render -> simulate ->
# evaluate) and writes results/validation/<engine>/report.csv (+ report.json, one figure per case).
# The parameter tables consult that report (spinlif.validation.report.validation_gate).
from spinlif.validation import CASE_MODULES, case_runs
from spinlif.validation.problems import build_problem

VALIDATION_ROOT = "results/validation"


wildcard_constraints:
    case="|".join(CASE_MODULES),
    vrun="[a-z0-9_]+",
    engine="mumax3|cpu",


def validation_problem_json(wildcards):
    """The problem as canonical JSON (a params value: Snakemake reruns when cases.yaml changes)."""
    return json.dumps(build_problem(wildcards.case, wildcards.vrun), sort_keys=True)


def validation_sims(wildcards):
    return [f"{VALIDATION_ROOT}/{wildcards.engine}/{wildcards.case}/{run}/sim" for run in case_runs(wildcards.case)]


rule validation_problem:
    output:
        problem=f"{VALIDATION_ROOT}/{{engine}}/{{case}}/{{vrun}}/problem.yaml",
        script=f"{VALIDATION_ROOT}/{{engine}}/{{case}}/{{vrun}}/run.mx3",
    params:
        problem=validation_problem_json,
    priority: PRIORITY_VALIDATION
    log:
        "results/logs/validation/{engine}/{case}/{vrun}/problem.log",
    benchmark:
        "results/benchmarks/validation/{engine}/{case}/{vrun}/problem.tsv"
    shell:
        "spinlif validate-prepare {wildcards.case} {wildcards.vrun} $(dirname {output.problem}) > {log} 2>&1"


rule validation_simulate:
    input:
        problem=f"{VALIDATION_ROOT}/{{engine}}/{{case}}/{{vrun}}/problem.yaml",
        script=f"{VALIDATION_ROOT}/{{engine}}/{{case}}/{{vrun}}/run.mx3",
    output:
        directory(f"{VALIDATION_ROOT}/{{engine}}/{{case}}/{{vrun}}/sim"),
    params:
        # a list, quoted word by word with :q below: a path with spaces or shell syntax stays one argument
        mumax3=["--mumax3", CONFIG["mumax3_binary"]] if CONFIG["mumax3_binary"] else [],
        cache=lambda wildcards, resources: ["--cache", resources.kernel_cache] if resources.kernel_cache else [],
        gpu=lambda w: "--gpu auto" if w.engine == "mumax3" else "",
    threads: 1
    resources:
        gpu=lambda w: 1 if w.engine == "mumax3" else 0,
        gpu_slots=1,
        kernel_cache="",
        runtime=30,
        mem_mb=4000,
    priority: PRIORITY_VALIDATION
    log:
        "results/logs/validation/{engine}/{case}/{vrun}/simulate.log",
    benchmark:
        "results/benchmarks/validation/{engine}/{case}/{vrun}/simulate.tsv"
    shell:
        "spinlif simulate {input.problem} --engine {wildcards.engine} --script {input.script} "
        "--threads {threads} {params.mumax3:q} {params.gpu} --gpu-slots {resources.gpu_slots} "
        "{params.cache:q} -o {output} > {log} 2>&1"


rule validation_evaluate:
    input:
        validation_sims,
    output:
        result=f"{VALIDATION_ROOT}/{{engine}}/{{case}}/result.csv",
        figure=report(f"{VALIDATION_ROOT}/{{engine}}/{{case}}/{{case}}.png", category="Validation",
                      subcategory="{engine}", caption="../report/validation.rst"),
    priority: PRIORITY_PROMPT
    log:
        "results/logs/validation/{engine}/{case}/evaluate.log",
    benchmark:
        "results/benchmarks/validation/{engine}/{case}/evaluate.tsv"
    shell:
        "spinlif validate-evaluate {wildcards.case} $(dirname {output.result}) --engine {wildcards.engine} "
        "-o {output.result} --figure {output.figure} > {log} 2>&1"


rule validation_report:
    input:
        expand(f"{VALIDATION_ROOT}/{{{{engine}}}}/{{case}}/result.csv", case=list(CASE_MODULES)),
    output:
        report=report(f"{VALIDATION_ROOT}/{{engine}}/report.csv", category="Validation", subcategory="{engine}",
                      caption="../report/validation.rst"),
        summary=f"{VALIDATION_ROOT}/{{engine}}/report.json",
    priority: PRIORITY_PROMPT
    log:
        "results/logs/validation/{engine}/report.log",
    benchmark:
        "results/benchmarks/validation/{engine}/report.tsv"
    shell:
        "spinlif validate-report {input} -o {output.report} > {log} 2>&1 && cat {log}"


rule validate:
    input:
        f"{VALIDATION_ROOT}/{ENGINE}/report.csv",
