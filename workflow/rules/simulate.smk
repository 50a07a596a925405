# SPDX-License-Identifier: GPL-3.0-or-later
# Stage 2: one simulation per job, written to sim.partial/ and renamed to sim/ only when complete
# (spinlif.runs). Engine: config `engine` (auto = mumax3 if its binary is found, else cpu).
# mumax3: each job holds one GPU slot (spinlif.gpu) for its run; resource `gpu` = 1 slot, so
# `--resources gpu=<GPUs x gpu_slots>` caps concurrent MuMax3 jobs. `gpu_slots` (MuMax3 processes
# per card) and `kernel_cache` (shared demag-kernel directory) are set by profiles (set-resources).
# cpu: `threads` torch threads per run.


rule simulate:
    input:
        spec="results/{device}/runs/{run_id}/spec.yaml",
        script="results/{device}/runs/{run_id}/run.mx3",
    output:
        directory("results/{device}/runs/{run_id}/sim"),
    params:
        engine=ENGINE,
        # a list, quoted word by word with :q below: a path with spaces or shell syntax stays one argument
        # MuMax3's options reach only the mumax3 engine; the kernel cache serves both engines
        mumax3=["--mumax3", CONFIG["mumax3_binary"]] if ENGINE == "mumax3" and CONFIG["mumax3_binary"] else [],
        cache=lambda wildcards, resources: ["--cache", resources.kernel_cache] if resources.kernel_cache else [],
        gpu="--gpu auto" if ENGINE == "mumax3" else "",
        timeout=simulate_timeout,
    threads: 1
    resources:
        gpu=1 if ENGINE == "mumax3" else 0,
        gpu_slots=1,
        kernel_cache="",
        enforce_runtime=0,
        runtime=simulate_runtime_min,
        mem_mb=simulate_mem_mb,
    priority: simulate_priority  # longest first (common.smk)
    log:
        "results/logs/{device}/{run_id}/simulate.log",
    benchmark:
        "results/benchmarks/{device}/{run_id}/simulate.tsv"
    shell:
        "spinlif simulate {input.spec} --engine {params.engine} --script {input.script} "
        "--threads {threads} {params.mumax3:q} {params.gpu} --gpu-slots {resources.gpu_slots} "
        "{params.cache:q} {params.timeout} -o {output} > {log} 2>&1"
