# SPDX-License-Identifier: GPL-3.0-or-later
# Stage 6 (not in `all`): the seed's SNN experiment with the fitted neurons (spinlif.network.experiment).
#   snakemake snn     after the parameter table; config `snn:` chooses the rows and the budget


rule snn:
    input:
        table="results/params/lif_params.csv",
        sidecar="results/params/lif_params.json",
    output:
        accuracy="results/snn/accuracy.csv",
        figure=report("results/snn/accuracy.png", category="Spiking networks", caption="../report/snn.rst"),
    params:
        provisional="--include-provisional" if CONFIG["snn"]["include_provisional"] else "",
        epochs=CONFIG["snn"]["epochs"],
        seeds=" ".join(map(str, CONFIG["snn"]["seeds"])),
        architectures=" ".join(CONFIG["snn"]["architectures"]),
        devices=("--devices " + " ".join(CONFIG["snn"]["devices"])) if CONFIG["snn"]["devices"] else "",
    # trainings in parallel, one process and one torch thread each (a training gains nothing from a
    # second thread); 2 (Snakemake lowers it to --cores), or what a profile sets (`set-threads: snn: N`)
    threads: 2
    log:
        "results/logs/snn.log",
    benchmark:
        "results/benchmarks/snn.tsv"
    shell:
        "spinlif snn {input.table} -o {output.accuracy} --figure {output.figure} {params.provisional} "
        "--epochs {params.epochs} --seeds {params.seeds} --architectures {params.architectures} {params.devices} --jobs {threads} "
        "> {log} 2>&1 && tail -n 12 {log}"
