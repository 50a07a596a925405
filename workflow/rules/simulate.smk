# SPDX-License-Identifier: GPL-3.0-or-later
# Stage 2: one simulation per job, written to sim.partial/ and renamed to sim/ only when complete
# (spinlif.runs). Engine: config `engine` (auto = mumax3 if its binary is found, else cpu).
# GPU scheduling (resource `gpu`) applies to the mumax3 engine; threads are the cpu engine's.


rule simulate:
    input:
        spec="results/{device}/runs/{run_id}/spec.yaml",
        script="results/{device}/runs/{run_id}/run.mx3",
    output:
        directory("results/{device}/runs/{run_id}/sim"),
    params:
        engine=ENGINE,
        mumax3=f"--mumax3 {CONFIG['mumax3_binary']}" if CONFIG["mumax3_binary"] else "",
    threads: 1
    resources:
        gpu=1 if ENGINE == "mumax3" else 0,
        runtime=simulate_runtime_min,
        mem_mb=2000,
    log:
        "results/logs/{device}/{run_id}/simulate.log",
    benchmark:
        "results/benchmarks/{device}/{run_id}/simulate.tsv"
    shell:
        "spinlif simulate {input.spec} --engine {params.engine} --script {input.script} "
        "--threads {threads} {params.mumax3} -o {output} > {log} 2>&1"
