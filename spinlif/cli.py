# SPDX-License-Identifier: GPL-3.0-or-later
"""The ``spinlif`` command: the pipeline's stages, one subcommand each.

Snakemake rules call these; they are just as usable by hand::

    spinlif sweep config/config.yaml -o results/sweep.csv
    spinlif render SPEC.yaml -o run.mx3
    spinlif simulate SPEC.yaml --engine cpu -o RUN_DIR
    spinlif ingest RUN_DIR -o run.zarr
    spinlif observables run.zarr --config config/config.yaml -o OUT_DIR
    spinlif aggregate --sweep results/sweep.csv --stores ... -o results/dw/dataset.zarr
    spinlif validate --engine cpu             # the validation suite (standard problems)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path



def _load_config(path: Path) -> dict:
    from spinlif.sweep import normalise_config

    from spinlif.yaml_input import load_yaml

    return normalise_config(load_yaml(path) or {})


def cmd_sweep(args) -> int:
    from spinlif.spec import dump_spec
    from spinlif.sweep import expand, write_sweep_table

    runs = expand(_load_config(args.config))
    write_sweep_table(runs, args.output)
    if args.specs:
        for run in runs:
            path = Path(run.results_dir) / "spec.yaml"
            path.parent.mkdir(parents=True, exist_ok=True)
            dump_spec(run.spec, path)
    print(f"{len(runs)} runs -> {args.output}", file=sys.stderr)
    return 0


def cmd_write_spec(args) -> int:
    import json

    from spinlif.spec import SpecError, dump_spec, validate_spec

    try:
        spec = json.loads(args.spec_json)
    except json.JSONDecodeError as err:
        raise SpecError(f"SPEC_JSON is not JSON: {err}") from None
    dump_spec(validate_spec(spec, where="spec JSON"), args.output)
    return 0


def cmd_render(args) -> int:
    from spinlif.render import write_script
    from spinlif.validation.problems import load_job

    text = load_job(args.spec).render()
    if args.output:
        write_script(text, args.output)
    else:
        sys.stdout.write(text)
    return 0


def _gpu_arg(text: str) -> int | str:
    if text == "auto":
        return text
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--gpu = {text!r}: a GPU index (0, 1, ...) or 'auto'") from None


def cmd_simulate(args) -> int:
    from spinlif.engines.mumax3 import MuMax3NotFound
    from spinlif.runs import SimulationFailed, simulate
    from spinlif.validation.problems import load_job

    try:
        manifest = simulate(args.spec, args.engine, args.output, threads=args.threads, script=args.script,
                            mumax3_binary=args.mumax3, gpu=args.gpu, gpu_slots=args.gpu_slots,
                            lock_dir=args.lock_dir, cache_dir=args.cache or None,
                            timeout_s=args.timeout, expect_continue=args.expect_continue,
                            precision=args.precision, job=load_job(args.spec))
    except MuMax3NotFound as err:
        print(f"spinlif simulate: {err}", file=sys.stderr)
        return 3
    except SimulationFailed as err:
        print(f"spinlif simulate: {err}", file=sys.stderr)
        if err.manifest.get("signal"):  # the shell's convention: 128 + the signal's number
            import signal

            return 128 + signal.Signals[err.manifest["signal"]].value
        return 1
    print(f"spinlif simulate: run {manifest['run_id']} complete ({manifest['engine']}, "
          f"{manifest['wall_time_s']:.1f} s) -> {args.output}", file=sys.stderr)
    if manifest.get("expects_failed"):
        print(f"spinlif simulate: expects failed: see {args.output / 'expects.csv'}", file=sys.stderr)
        return 1
    return 0


def cmd_ingest(args) -> int:
    from spinlif.analysis.store import ingest_run

    ingest_run(args.run_dir, args.output)
    return 0


def cmd_observables(args) -> int:
    from spinlif.analysis.observables import compute_run_observables

    config = _load_config(args.config) if args.config else None
    if args.settings is not None:
        from spinlif.analysis.store import open_store

        device = open_store(args.store).attrs["device"]
        config = {"observables": {device: _observables_settings(device, args.settings)}}
    compute_run_observables(args.store, args.output, config)
    return 0


def _observables_settings(device: str, text: str) -> dict:
    """``--settings`` JSON, validated against the device's observables schema (defaults filled)."""
    import json

    from spinlif.spec import SpecError
    from spinlif.sweep import observables_settings
    from spinlif.yaml_input import check_plain_data

    try:
        given = json.loads(text)
    except json.JSONDecodeError as err:
        raise SpecError(f"--settings: not JSON ({err})") from None
    if not isinstance(given, dict):
        raise SpecError(f"--settings: expected a JSON object, got {type(given).__name__}")
    check_plain_data(given, "--settings")  # JSON's NaN passes every min/max of a schema
    return observables_settings(device, given, "--settings")


def _excluded(text: str) -> dict[str, str]:
    """``--excluded`` JSON: ``{run_id: reason}`` of runs left out (the workflow's lasting failures)."""
    import json

    from spinlif.spec import SpecError

    value = json.loads(text)
    if not isinstance(value, dict):
        raise SpecError(f"--excluded = {text!r}: a JSON object {{run_id: reason}}")
    return {str(k): str(v) for k, v in value.items()}


def cmd_aggregate(args) -> int:
    from spinlif.analysis.store import aggregate

    aggregate(args.stores, args.sweep, args.output, observables_dirs=args.observables,
              summary_csv=args.summary, excluded=_excluded(args.excluded))
    return 0


def cmd_plot(args) -> int:
    from spinlif.analysis.plots import plot_traces

    plot_traces(args.dataset, args.output)
    return 0


def cmd_doctor(args) -> int:
    from spinlif.doctor import report

    config_engine, binary = "auto", args.mumax3
    if args.config is not None or Path("config/config.yaml").exists():
        config = _load_config(args.config or Path("config/config.yaml"))
        config_engine, binary = config["engine"], binary or config["mumax3_binary"]
    lines, _ = report(args.results, binary, config_engine)
    print("\n".join(lines))
    return 0


def cmd_validate(args) -> int:
    from spinlif.engines.mumax3 import MuMax3NotFound
    from spinlif.runs import resolve_engine
    from spinlif.validation import CI_CASES
    from spinlif.validation.report import format_report
    from spinlif.validation.runner import mesh_convergence, run_suite

    engine = resolve_engine(args.engine, args.mumax3)
    options = dict(threads=args.threads, mumax3_binary=args.mumax3, gpu=args.gpu, rerun=not args.reuse)
    try:
        if args.refine:
            frame = mesh_convergence(args.refine, engine, args.root, **options)
            print(frame.to_string(index=False))
            return 0
        cases = list(CI_CASES) if args.ci else args.cases
        frame = run_suite(engine, cases, args.root, **options)
    except MuMax3NotFound as err:
        print(f"spinlif validate: {err}", file=sys.stderr)
        return 3
    print(format_report(frame))
    gated = frame[frame["passed"].astype(str) != ""]
    failed = gated[gated["passed"].astype(str) != "True"]
    print(f"\nvalidation ({engine} engine): {len(gated) - len(failed)} of {len(gated)} checks passed "
          f"-> {Path(args.root) / engine / 'report.csv'}")
    return 0 if failed.empty else 1


def cmd_validate_prepare(args) -> int:
    from spinlif.validation.runner import prepare_run

    prepare_run(args.case, args.run, args.directory, cell_scale=args.cell_scale)
    return 0


def cmd_validate_evaluate(args) -> int:
    from spinlif.validation import case_runs
    from spinlif.validation.report import evaluate_case

    runs = case_runs(args.case)
    evaluate_case(args.case, args.engine, {r: args.directory / r / "problem.yaml" for r in runs},
                  {r: args.directory / r / "sim" for r in runs}, args.output, args.figure)
    return 0


def cmd_validate_report(args) -> int:
    from spinlif.validation.report import format_report, write_report

    print(format_report(write_report(args.results, args.output)))
    return 0


def cmd_fit(args) -> int:
    from spinlif.fitting.pipeline import fit_device

    rows = fit_device(args.device, args.dataset, args.threshold, args.validation, args.output, args.figures)
    for r in rows:
        print(f"{r['device_id']} {r['model_family']}: nrmse train {r['nrmse_train']:.3g} held-out "
              f"{r['nrmse_test']:.3g}, status {r['status']} {r['status_reasons']}")
    return 0


def _count(text: str) -> int:
    """An argparse type: an integer >= 1."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number >= 1")
    return int(text)


def cmd_snn(args) -> int:
    from spinlif.fitting.table import ParamsTableError
    from spinlif.network.experiment import IDXError, NoUsableRows, Setup, run

    if not args.table.exists():
        print(f"spinlif snn: {args.table} does not exist (run snakemake params first)", file=sys.stderr)
        return 2
    try:
        frame = run(args.table, args.output, args.figure, include_provisional=args.include_provisional,
                    seeds=tuple(args.seeds), setup=Setup(epochs=args.epochs), log=lambda line: print(line, flush=True),
                    data_dir=args.data, architectures=tuple(args.architectures), kinds=tuple(args.kinds),
                    jobs=args.jobs, devices=tuple(args.devices))
    except (NoUsableRows, ParamsTableError, FileNotFoundError, IDXError) as err:
        print(f"spinlif snn: {err}", file=sys.stderr)
        return 2
    print(frame[["neuron", "architecture", "status", "accuracy_mean", "accuracy_std", "spikes_per_inference", "latency_ns"]]
          .to_string(index=False))
    return 0


def cmd_params_table(args) -> int:
    from spinlif.fitting.pipeline import build_table, format_table

    print(format_table(build_table(args.rows, args.output, args.figure, excluded=_excluded(args.excluded))))
    return 0


def cmd_params_show(args) -> int:
    import pandas as pd

    from spinlif.fitting.pipeline import format_table

    if not args.table.exists():
        print(f"spinlif params show: {args.table} does not exist (run snakemake first)", file=sys.stderr)
        return 2
    frame = pd.read_csv(args.table, keep_default_na=False, na_values=[""])
    if args.device:
        frame = frame[frame["device_type"] == args.device]
    if args.n_layers is not None:
        frame = frame[frame["n_layers"] == args.n_layers]
    print(format_table(frame, all_columns=args.all))
    return 0


def build_parser() -> argparse.ArgumentParser:
    from spinlif.devices import fitted_short_names, table_device_types

    parser = argparse.ArgumentParser(prog="spinlif", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("sweep", help="validate a config and expand it into runs (results/sweep.csv)")
    p.add_argument("config", type=Path)
    p.add_argument("-o", "--output", type=Path, default=Path("results/sweep.csv"))
    p.add_argument("--specs", action="store_true", help="also write results/<device>/runs/<id>/spec.yaml")
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser("write-spec", help="write one run's spec.yaml from its spec as JSON (the workflow's "
                                          "spec rule: a process, not a Snakemake re-parse per run)")
    p.add_argument("spec_json", metavar="SPEC_JSON")
    p.add_argument("-o", "--output", type=Path, required=True)
    p.set_defaults(func=cmd_write_spec)

    p = sub.add_parser("render", help="render one run spec to a MuMax3 .mx3 script")
    p.add_argument("spec", type=Path)
    p.add_argument("-o", "--output", type=Path, help="output .mx3 (default: stdout)")
    p.set_defaults(func=cmd_render)

    p = sub.add_parser("simulate", help="simulate one run spec, or a MuMax3 script, with the mumax3 or cpu engine")
    p.add_argument("spec", type=Path, help="a run spec (spec.yaml), a validation problem, or a MuMax3 script (.mx3)")
    p.add_argument("-e", "--engine", choices=["auto", "mumax3", "cpu"], default="auto")
    p.add_argument("-o", "--output", type=Path, required=True, help="run directory to create")
    p.add_argument("--threads", type=int, default=1, help="torch threads for the cpu engine")
    p.add_argument("--script", type=Path, help="the rendered .mx3 that either engine executes (rendered from SPEC if absent)")
    p.add_argument("--mumax3", help="mumax3 executable (default: $SPINLIF_MUMAX3, then PATH)")
    p.add_argument("--gpu", type=_gpu_arg, help="GPU index for mumax3 -gpu, or 'auto': hold a free "
                   "GPU slot for the run (several Snakemake jobs on one workstation)")
    p.add_argument("--gpu-slots", type=int, default=1, help="MuMax3 processes per GPU with --gpu auto")
    p.add_argument("--lock-dir", type=Path, help="GPU slot lock directory (default: machine-wide in $TMPDIR)")
    p.add_argument("--cache", help="demag-kernel cache directory (MuMax3's -cache; the cpu engine keeps "
                   "its demag kernels and FFTW plans there, default the temporary directory's spinlif-kernels)")
    p.add_argument("--timeout", type=float, help="wall-time limit in seconds")
    from spinlif.mx3 import PRECISIONS

    p.add_argument("--precision", choices=PRECISIONS, default=PRECISIONS[0],
                   help="cpu engine arithmetic: float64 (default), or float32 as MuMax3 on the GPU")
    p.add_argument("--expect-continue", action="store_true",
                   help="cpu engine: record a failed expect and go on, then exit 1 at the end")
    p.set_defaults(func=cmd_simulate)

    p = sub.add_parser("ingest", help="read a completed run directory into its run.zarr")
    p.add_argument("run_dir", type=Path)
    p.add_argument("-o", "--output", type=Path, required=True)
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("observables", help="compute a run's device observables")
    p.add_argument("store", type=Path, help="run.zarr")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--config", type=Path, help="config with the observables section")
    src.add_argument("--settings", metavar="JSON",
                     help="this device's observables settings as JSON (what the workflow passes)")
    p.add_argument("-o", "--output", type=Path, required=True, help="output directory")
    p.set_defaults(func=cmd_observables)

    p = sub.add_parser("aggregate", help="combine per-run stores into one dataset")
    p.add_argument("--sweep", type=Path, required=True, help="results/sweep.csv")
    p.add_argument("--stores", type=Path, nargs="+", required=True)
    p.add_argument("--observables", type=Path, nargs="*", default=[], help="per-run observables dirs")
    p.add_argument("--summary", type=Path, help="write the per-run observable summary CSV here")
    p.add_argument("--excluded", default="{}", help="JSON {run_id: reason} of runs left out (recorded in attrs)")
    p.add_argument("-o", "--output", type=Path, required=True)
    p.set_defaults(func=cmd_aggregate)

    p = sub.add_parser("doctor", help="report MuMax3, GPUs, disk and which engine will be used")
    p.add_argument("--results", type=Path, default=Path("results"))
    p.add_argument("--mumax3", help="mumax3 executable to check")
    p.add_argument("--config", type=Path, help="the config whose engine is reported (default config/config.yaml)")
    p.set_defaults(func=cmd_doctor)

    from spinlif.validation import CASE_MODULES

    p = sub.add_parser("validate", help="run the validation suite (standard problems) on one engine")
    p.add_argument("-e", "--engine", choices=["auto", "mumax3", "cpu"], default="auto")
    p.add_argument("--cases", nargs="+", choices=list(CASE_MODULES), help="cases to run (default: all)")
    p.add_argument("--ci", action="store_true", help="only the reduced CI subset")
    p.add_argument("--refine", choices=list(CASE_MODULES), metavar="CASE",
                   help="mesh convergence: rerun CASE at half the cell size and report the change")
    p.add_argument("--root", type=Path, default=Path("results/validation"))
    p.add_argument("--threads", type=int, default=1, help="torch threads for the cpu engine")
    p.add_argument("--mumax3", help="mumax3 executable (default: $SPINLIF_MUMAX3, then PATH)")
    p.add_argument("--gpu", type=_gpu_arg, help="GPU index for mumax3, or 'auto'")
    p.add_argument("--reuse", action="store_true",
                   help="reuse completed simulations of identical problems (a changed engine is not detected)")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("validate-prepare", help="write one validation run's problem.yaml and run.mx3")
    p.add_argument("case", choices=list(CASE_MODULES))
    p.add_argument("run")
    p.add_argument("directory", type=Path)
    p.add_argument("--cell-scale", type=float, default=1.0)
    p.set_defaults(func=cmd_validate_prepare)

    p = sub.add_parser("validate-evaluate", help="evaluate one validation case from its runs")
    p.add_argument("case", choices=list(CASE_MODULES))
    p.add_argument("directory", type=Path, help="the case directory (holding <run>/problem.yaml, <run>/sim)")
    p.add_argument("-e", "--engine", choices=["mumax3", "cpu"], required=True)
    p.add_argument("-o", "--output", type=Path, required=True, help="result.csv")
    p.add_argument("--figure", type=Path)
    p.set_defaults(func=cmd_validate_evaluate)

    p = sub.add_parser("validate-report", help="combine per-case results into report.csv")
    p.add_argument("results", type=Path, nargs="+")
    p.add_argument("-o", "--output", type=Path, required=True)
    p.set_defaults(func=cmd_validate_report)

    p = sub.add_parser("fit", help="fit the compact models of one device family (held-out validation)")
    p.add_argument("device", choices=fitted_short_names())
    p.add_argument("--dataset", type=Path, required=True, help="results/<device>/dataset.zarr")
    p.add_argument("--threshold", type=float, default=None,
                   help="firing threshold of the state u (dw, sk; the AFM soliton has none)")
    p.add_argument("--validation", type=Path, default=None,
                   help="the engine's validation report.json (rows stay provisional without a passed one)")
    p.add_argument("-o", "--output", type=Path, required=True, help="rows (JSON)")
    p.add_argument("--figures", type=Path, required=True, help="figure directory")
    p.set_defaults(func=cmd_fit)

    from spinlif.network.experiment import Setup

    p = sub.add_parser("snn", help="train the FC-SNN with snn.Leaky and each table row's neuron (sklearn digits)")
    p.add_argument("table", type=Path, help="results/params/lif_params.csv")
    p.add_argument("-o", "--output", type=Path, required=True, help="accuracy table (CSV)")
    p.add_argument("--figure", type=Path, required=True, help="accuracy and spike-raster figure (PNG)")
    p.add_argument("--include-provisional", action="store_true", help="also use provisional rows")
    p.add_argument("--epochs", type=int, default=Setup.epochs)
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--architectures", nargs="+", choices=("fc", "conv"), default=["fc", "conv"],
                   help="fc = FC-SNN, conv = small convolutional SNN (default: both)")
    p.add_argument("--kinds", nargs="+", choices=table_device_types(), default=["DW", "SKY", "AFM0D"],
                   help="row kinds to train (default DW SKY AFM0D; MTJ_HH is slow: its neuron resolves the precession)")
    p.add_argument("--data", type=Path, help="a local directory of MNIST or Fashion-MNIST IDX files "
                   "(default: scikit-learn's 8 x 8 digits; nothing is downloaded)")
    p.add_argument("--devices", nargs="+", default=[], metavar="DEVICE_ID",
                   help="only these devices of the table (device_id, e.g. DW_E3_512x8nm; default: every device)")
    p.add_argument("-j", "--jobs", type=_count, default=1,
                   help="trainings at a time, each a process with one torch thread (default 1)")
    p.set_defaults(func=cmd_snn)

    p = sub.add_parser("params-table", help="merge fitted rows into lif_params.csv/.parquet/.json")
    p.add_argument("rows", type=Path, nargs="+")
    p.add_argument("-o", "--output", type=Path, required=True)
    p.add_argument("--figure", type=Path, help="coefficients vs n_layers figure")
    p.add_argument("--excluded", default="{}", help="JSON {run_id: reason} of runs left out (table provenance)")
    p.set_defaults(func=cmd_params_table)

    p = sub.add_parser("params", help="read the parameter table")
    params_sub = p.add_subparsers(dest="params_command", required=True)
    q = params_sub.add_parser("show", help="print the parameter table readably")
    q.add_argument("table", type=Path, nargs="?", default=Path("results/params/lif_params.csv"))
    q.add_argument("--device", choices=table_device_types(), help="device_type of the rows shown")
    q.add_argument("--n-layers", type=int)
    q.add_argument("--all", action="store_true", help="every column, one row per column")
    q.set_defaults(func=cmd_params_show)

    p = sub.add_parser("plot", help="plot the traces of an aggregated dataset")
    p.add_argument("dataset", type=Path, help="dataset.zarr")
    p.add_argument("-o", "--output", type=Path, required=True, help="figure file (.png, .pdf, .svg)")
    p.set_defaults(func=cmd_plot)
    return parser


def main(argv: list[str] | None = None) -> int:
    from spinlif.runs import SimulationFailed
    from spinlif.spec import SpecError

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except SpecError as err:
        print(f"spinlif {args.command}: {err}", file=sys.stderr)
        return 2
    except SimulationFailed as err:  # an incomplete or altered run given to ingest & co.
        print(f"spinlif {args.command}: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
