# SPDX-License-Identifier: GPL-3.0-or-later
"""Run one simulation with either engine, so that nothing partial is ever taken as complete.

Layout for an output directory ``D`` (e.g. ``results/dw/runs/<id>/sim``):

* the engine writes into ``D.partial/`` (MuMax3 with ``-f -o D.partial``);
* on success ``manifest.json`` (``status: complete``, provenance, SHA-256 of every output) is
  written and ``D.partial`` is renamed to ``D`` in one step;
* on failure (non-zero exit, NaN abort, wall-time limit, a signal, missing output) the partial
  outputs are kept for inspection in ``D.failed/`` with ``manifest.json`` (``status: failed``,
  the reason and the end of the log), and :class:`SimulationFailed` is raised;
* if the process running this code is killed outright, only ``D.partial`` remains: ``D`` does
  not exist, so Snakemake reruns the job and the next attempt starts from a clean directory.

Both engines run as child processes; their output is streamed to our stderr (the Snakemake log)
and to ``engine.log`` in the run directory.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from spinlif import __version__
from spinlif.engines import mumax3 as mumax3_engine
from spinlif.engines import progress_line
from spinlif.drive import total_time
from spinlif.slurm import job_elapsed_s
from spinlif.spec import spec_hash

ENGINES = ("mumax3", "cpu")
LOG_TAIL_LINES = 40
TERM_GRACE_S = 10.0
"""Seconds an engine gets between SIGTERM and SIGKILL when it must stop."""
STOP_MARGIN_S = TERM_GRACE_S + 10.0
"""Least time kept free before a scheduler's limit: the engine's stop (up to TERM_GRACE_S), the
manifest, and the job step's exit. 5 % of a 1-minute job (3 s) was too little on a loaded 2-core node:
sacct said TIMEOUT for a job whose runner had stopped the engine at 57 s (CI, issue 14)."""


def runner_time_limit_s(job_limit_s: float) -> float:
    """The runner's ``--timeout`` for a job the scheduler kills at ``job_limit_s``.

    It stops the engine at 95 % of the limit, or ``STOP_MARGIN_S`` before it where that is earlier,
    so that "exceeded the wall-time limit" is recorded by the runner rather than a kill by SLURM.

    Parameters
    ----------
    job_limit_s : float
        The job's wall-time limit (s), e.g. ``sbatch --time`` × 60.

    Returns
    -------
    float
        The runner's limit (s) on the job's clock; at least 1 s.

    Example
    -------
    >>> runner_time_limit_s(60.0), runner_time_limit_s(3600.0)
    (40.0, 3420.0)
    """
    return max(job_limit_s - max(0.05 * job_limit_s, STOP_MARGIN_S), 1.0)


class SimulationFailed(RuntimeError):
    """A run ended without complete output; ``manifest`` holds the reason and log excerpt."""

    def __init__(self, message: str, manifest: dict):
        super().__init__(message)
        self.manifest = manifest


def resolve_engine(engine: str, mumax3_binary: str | None = None) -> str:
    """``auto`` -> ``mumax3`` when its binary is found, else ``cpu``."""
    if engine == "auto":
        return "mumax3" if mumax3_engine.available(mumax3_binary) else "cpu"
    if engine not in ENGINES:
        raise ValueError(f"engine = {engine!r}: allowed are auto, {', '.join(ENGINES)}")
    return engine


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def _replace_dir(src: Path, dst: Path) -> None:
    if dst.exists():
        shutil.rmtree(dst)
    os.replace(src, dst)


def read_manifest(run_dir: str | Path) -> dict:
    """The manifest of a run directory; raises if the run is not complete."""
    path = Path(run_dir) / "manifest.json"
    if not path.exists():
        raise SimulationFailed(f"{run_dir}: no manifest.json: the run did not complete", {})
    manifest = json.loads(path.read_text())
    if manifest.get("status") != "complete":
        raise SimulationFailed(f"{run_dir}: run status is {manifest.get('status')!r} "
                               f"({manifest.get('reason', 'no reason recorded')})", manifest)
    return manifest


class RunIntegrityError(SimulationFailed):
    """A complete run directory that no longer matches its manifest (edited, cut, or files added or
    removed since the run), or whose spec does not hash to its run id."""


# written into a run directory after the manifest, by design: Snakemake's stamp on directory() outputs
_NOT_RUN_OUTPUTS = frozenset({"manifest.json", ".snakemake_timestamp"})


def verify_run(run_dir: str | Path) -> dict:
    """The manifest of a complete run directory, after checking the directory against it.

    Checks every output's SHA-256, the exact set of files, and, for a device spec, that
    ``spec.yaml`` hashes to the manifest's ``spec_sha256`` whose first 10 digits are the run id.

    Parameters
    ----------
    run_dir : str or Path
        A run's ``sim/`` directory.

    Returns
    -------
    dict
        The manifest.

    Raises
    ------
    SimulationFailed
        The run did not complete (no manifest, or status not ``complete``).
    RunIntegrityError
        A file differs from the manifest; the message names it.

    Example
    -------
    >>> verify_run("results/dw/runs/3c7f215d29/sim")["status"]  # doctest: +SKIP
    'complete'
    """
    run_dir = Path(run_dir)
    manifest = read_manifest(run_dir)
    recorded = manifest.get("outputs")
    if not isinstance(recorded, dict) or not recorded:
        raise RunIntegrityError(f"{run_dir}: the manifest lists no outputs to check", manifest)
    present = {p.name for p in run_dir.iterdir() if p.name not in _NOT_RUN_OUTPUTS}
    missing, extra = sorted(set(recorded) - present), sorted(present - set(recorded))
    if missing:
        raise RunIntegrityError(f"{run_dir / missing[0]}: listed in the manifest but missing", manifest)
    if extra:
        raise RunIntegrityError(f"{run_dir / extra[0]}: not written by the run (not in its manifest)", manifest)
    for name in sorted(recorded):
        if (run_dir / name).is_dir() or _sha256(run_dir / name) != recorded[name]:
            raise RunIntegrityError(f"{run_dir / name}: SHA-256 differs from the manifest's "
                                    "(changed since the run)", manifest)
    for document in ("spec.yaml", "problem.yaml"):
        if "spec_sha256" in manifest and (run_dir / document).exists():
            from spinlif.schema import coerce_numbers
            from spinlif.yaml_input import load_yaml

            spec_sha = spec_hash(coerce_numbers(load_yaml(run_dir / document)))  # as written, unvalidated
            if spec_sha != manifest["spec_sha256"] or not spec_sha.startswith(str(manifest.get("run_id"))):
                raise RunIntegrityError(f"{run_dir / document}: hashes to run id {spec_sha[:10]}, "
                                        f"not the manifest's {manifest.get('run_id')}", manifest)
    return manifest


class RunLocked(SimulationFailed):
    """Another ``spinlif simulate`` is writing the same run directory."""


@contextmanager
def run_lock(out_dir: str | Path):
    """Hold ``<out_dir>.lock`` for the whole run: a second ``spinlif simulate`` of the same run
    directory is refused instead of overwriting the first's ``.partial`` (issue 17 item 10).

    An ``flock`` on the file, so the kernel releases it when the holder dies, however it dies; the
    file itself stays (removing it would race with a process that has just opened it).

    Parameters
    ----------
    out_dir : str or Path
        The run's output directory (``.../sim``).

    Raises
    ------
    RunLocked
        The lock is held; the message gives the holder's host and pid.

    Example
    -------
    >>> with run_lock("results/dw/runs/3c7f215d29/sim"):  # doctest: +SKIP
    ...     pass
    """
    from spinlif.locks import holder, try_lock, unlock

    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    path = out_dir.with_name(out_dir.name + ".lock")
    fd = try_lock(path, f"pid {os.getpid()} on {socket.gethostname()}, since {_now()}\n")
    if fd is None:
        raise RunLocked(f"{out_dir}: another spinlif simulate ({holder(path) or 'another process'}) is writing "
                        "this run; wait for it, or stop it, then rerun", {})
    try:
        yield path
    finally:
        unlock(fd)


def _die_with_parent() -> None:  # runs in the child between fork and exec
    """Ask Linux to SIGKILL the engine if this runner dies, even by SIGKILL, so that an orphaned
    engine never writes into the directory of a later attempt. No-op where prctl is missing."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class _Child:
    """A child process whose output goes to our stderr and a log file, with a tail kept."""

    def __init__(self, argv: list[str], log_path: Path, env: dict[str, str]):
        self.log = open(log_path, "w", buffering=1)
        self.tail: deque[str] = deque(maxlen=LOG_TAIL_LINES)
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=env, text=True, errors="replace",
                                     start_new_session=True, preexec_fn=_die_with_parent)
        self.reader = threading.Thread(target=self._pump, daemon=True)
        self.reader.start()

    def _pump(self) -> None:
        for line in self.proc.stdout:
            self.log.write(line)
            self.tail.append(line.rstrip("\n"))
            sys.stderr.write(line)
            sys.stderr.flush()

    def stop(self, grace_s: float | None = None) -> None:
        """SIGTERM the child's process group, then SIGKILL after ``grace_s`` (default TERM_GRACE_S)."""
        grace_s = TERM_GRACE_S if grace_s is None else grace_s
        if self.proc.poll() is not None:
            return
        self.signal(signal.SIGTERM)
        try:
            self.proc.wait(grace_s)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            self.proc.wait()

    def signal(self, signum: int) -> None:
        """Send ``signum`` to the child's process group (safe inside a signal handler: no waiting)."""
        try:
            os.killpg(self.proc.pid, signum)
        except ProcessLookupError:
            pass

    def reap(self, timeout_s: float | None, interrupts: list[int]) -> int | None:
        """Wait for the child; its exit code, or None past ``timeout_s``. Once ``interrupts`` is
        non-empty (a handler forwarded SIGTERM), :meth:`stop` finishes it here, in the main thread."""
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while True:
            try:
                return self.proc.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                pass
            if interrupts:
                self.stop()
                return self.proc.returncode
            if deadline is not None and time.monotonic() > deadline:
                return None

    def finish(self) -> None:
        self.reader.join(timeout=10)
        self.log.close()


@dataclass(frozen=True)
class Job:
    """What the runner needs to know of the document it simulates: a device run spec
    (``spec.yaml``), a user's own MuMax3 script (``.mx3``), or a validation problem
    (``problem.yaml``: :func:`spinlif.validation.problems.load_job` builds its job, so the runner
    needs nothing above it). Either engine executes the same script: the user's, or the one the
    document renders to (issue 12, "one script, two engines")."""

    spec: dict | None
    input_name: str
    total_time: float
    provenance: dict  # spec_sha256 and template_sha256, or script_sha256
    render_script: Callable[[dict], str] | None = None  # the document's MuMax3 script

    @property
    def is_script(self) -> bool:
        return self.spec is None

    @property
    def run_id(self) -> str:
        return next(iter(self.provenance.values()))[:10]

    @classmethod
    def load(cls, path: str | Path) -> Job:
        """The job of a device ``spec.yaml`` or a ``.mx3`` script."""
        from spinlif.devices import device_module
        from spinlif.render import render, template_sha256
        from spinlif.spec import load_spec

        path = Path(path)
        if path.suffix == ".mx3":
            return cls(None, "run.mx3", 0.0, {"script_sha256": _sha256(path)})
        spec = load_spec(path)
        return cls(spec, "spec.yaml", total_time(spec),
                   {"spec_sha256": spec_hash(spec),
                    "template_sha256": template_sha256(device_module(spec["device"]).TEMPLATE)},
                   render)

    def render(self) -> str:
        """The MuMax3 script the document renders to (not defined for a ``.mx3`` job)."""
        if self.is_script:
            raise ValueError("a MuMax3 script is run as it is: there is nothing to render")
        return self.render_script(self.spec)

    def script(self, path: Path, given: str | Path | None, rendered: Path) -> Path:
        """The ``.mx3`` both engines execute: the user's script, the one given, or the document
        rendered to ``rendered``."""
        if self.is_script:
            return path
        if given is not None:
            return Path(given)
        from spinlif.render import write_script

        return write_script(self.render(), rendered)


def _table_progress(table: Path, t_total: float, stop: threading.Event, label: str) -> None:
    """Report simulated time from the last complete line of a growing table.txt (MuMax3 runs)."""
    start = time.time()
    while not stop.wait(15.0):
        try:
            with open(table, "rb") as f:
                f.seek(max(0, os.path.getsize(table) - 4096))
                lines = f.read().split(b"\n")
            t = float(lines[-2].split(b"\t")[0]) if len(lines) >= 2 else 0.0
        except (OSError, ValueError, IndexError):
            continue
        print(progress_line("mumax3", label, t, t_total, time.time() - start), file=sys.stderr, flush=True)


def simulate(
    spec_path: str | Path,
    engine: str,
    out_dir: str | Path,
    *,
    threads: int = 1,
    script: str | Path | None = None,
    mumax3_binary: str | None = None,
    gpu: int | str | None = None,
    gpu_slots: int = 1,
    lock_dir: str | Path | None = None,
    cache_dir: str | Path | None = None,
    timeout_s: float | None = None,
    expect_continue: bool = False,
    precision: str = "float64",
    job: Job | None = None,
) -> dict:
    """Simulate one spec into ``out_dir``; return the completed run's manifest.

    The engine writes into ``<out_dir>.partial``; a complete run is renamed to ``out_dir``, a failed
    one to ``<out_dir>.failed`` with its manifest saying why (:class:`SimulationFailed` is raised).

    Parameters
    ----------
    spec_path : str or Path
        A run spec (``spec.yaml``, SI units), or a MuMax3 script (``.mx3``) that both engines run as it is.
    engine : str
        ``mumax3``, ``cpu`` or ``auto`` (MuMax3 where a binary and a GPU are found).
    out_dir : str or Path
        The run's output directory (``table.txt``, OVF 2.0 snapshots, ``manifest.json``).
    threads : int
        The cpu engine's torch threads.
    script : str or Path, optional
        The rendered ``.mx3`` both engines execute (rendered next to ``out_dir`` when not given).
    mumax3_binary : str, optional
        The ``mumax3`` executable (default: ``$SPINLIF_MUMAX3``, then ``PATH``).
    gpu : int or "auto", optional
        MuMax3's ``-gpu``; ``"auto"`` holds a free slot of :func:`spinlif.gpu.acquire_slot`
        (``gpu_slots`` MuMax3 processes per GPU, locks in ``lock_dir``) for the whole run.
    gpu_slots : int
        MuMax3 processes per GPU with ``gpu="auto"``.
    lock_dir : str or Path, optional
        Where the GPU slot locks live (default: machine-wide in ``$TMPDIR``).
    cache_dir : str or Path, optional
        Demag-kernel cache directory: MuMax3's ``-cache``; for the cpu engine its demag kernels and FFTW
        plans (default there: the temporary directory's ``spinlif-kernels``).
    timeout_s : float, optional
        Wall-time limit (s); on SLURM counted on the job's clock (:func:`runner_time_limit_s`).
    expect_continue : bool
        cpu engine: record failed expects and let the script finish (manifest ``expects_failed``).
    precision : str
        cpu engine arithmetic: ``float64``, or ``float32`` as MuMax3 on the GPU.
    job : Job, optional
        What ``spec_path`` holds, when the caller has loaded it (default :meth:`Job.load`).

    Returns
    -------
    dict
        The manifest: status ``complete``, engine and version, command, wall time (s), SHA-256 of
        every output, the spec hash and run id.

    Example
    -------
    >>> from spinlif.spec import base_spec, dump_spec
    >>> spec = base_spec("domain_wall", "P")  # doctest: +SKIP
    >>> dump_spec(spec, "spec.yaml"); manifest = simulate("spec.yaml", "cpu", "sim")  # doctest: +SKIP
    >>> manifest["status"], sorted(manifest["outputs"])[:2]  # doctest: +SKIP
    ('complete', ['m000000.ovf', 'm000001.ovf'])
    """
    import contextlib

    with contextlib.ExitStack() as stack_ctx:
        stack_ctx.enter_context(run_lock(out_dir))
        slot = None
        if gpu == "auto" and resolve_engine(engine, mumax3_binary) == "mumax3":
            from spinlif.gpu import acquire_slot, detect_gpus

            slot = stack_ctx.enter_context(acquire_slot(len(detect_gpus()), gpu_slots,
                                                        Path(lock_dir) if lock_dir else None))
            gpu = slot.gpu
            print(f"spinlif: GPU {slot.gpu}, slot {slot.slot} of {gpu_slots}", file=sys.stderr, flush=True)
        elif gpu == "auto":
            gpu = None
        manifest = _simulate(spec_path, engine, out_dir, threads=threads, script=script,
                             mumax3_binary=mumax3_binary, gpu=gpu, cache_dir=cache_dir,
                             timeout_s=timeout_s, slot=slot, expect_continue=expect_continue,
                             precision=precision, job=job)
    return manifest


def _previous_attempts(failed: Path) -> list[dict]:
    """The failed attempts before this one, oldest first, from ``sim.failed/manifest.json`` (which
    carries its own predecessors): their reason, wall time (s), end and SLURM job."""
    try:
        m = json.loads((failed / "manifest.json").read_text())
    except (OSError, ValueError):
        return []
    keep = ("reason", "exit_code", "wall_time_s", "started_utc", "finished_utc", "host", "scheduler")
    return [*m.get("previous_attempts", []), {k: m[k] for k in keep if k in m}]


def _simulate(spec_path, engine, out_dir, *, threads, script, mumax3_binary, gpu, cache_dir,
              timeout_s, slot, expect_continue=False, precision="float64", job=None) -> dict:
    spec_path, out_dir = Path(spec_path), Path(out_dir)
    job = job if job is not None else Job.load(spec_path)
    engine = resolve_engine(engine, mumax3_binary)
    rid = job.run_id
    partial = out_dir.with_name(out_dir.name + ".partial")
    failed = out_dir.with_name(out_dir.name + ".failed")
    log_path = out_dir.with_name(out_dir.name + ".engine.log")
    if partial.exists():
        shutil.rmtree(partial)  # left by a killed earlier attempt
    partial.mkdir(parents=True)
    previous = _previous_attempts(failed)
    inputs = {job.input_name: spec_path}

    env = dict(os.environ)
    script = job.script(spec_path, script, out_dir.with_name(out_dir.name + ".mx3"))
    inputs["run.mx3"] = script
    if engine == "mumax3":
        binary = mumax3_engine.find_binary(mumax3_binary)
        if cache_dir:
            Path(cache_dir).mkdir(parents=True, exist_ok=True)
        argv = mumax3_engine.command(binary, script, partial, Path(cache_dir) if cache_dir else None, gpu)
    else:
        local_script = partial.with_name(partial.name + ".run.mx3")  # the engine reads a copy the run owns
        shutil.copyfile(script, local_script)
        argv = [sys.executable, "-m", "spinlif.mx3.engine", str(local_script), str(partial),
                "--threads", str(threads), "--label", str(spec_path) if job.is_script else rid,
                "--precision", precision]
        if expect_continue:
            argv.append("--expect-continue")
        if cache_dir:
            argv += ["--cache", str(cache_dir)]
        env.setdefault("CUDA_DEVICE", "-1")
        env.setdefault("OMP_NUM_THREADS", str(threads))

    manifest: dict = {
        "status": "running", "run_id": rid, "engine": engine, **job.provenance,
        "spinlif_version": __version__, "command": argv, "host": socket.gethostname(),
        "started_utc": _now(), "threads": threads if engine == "cpu" else None, "gpu": gpu,
        "gpu_slot": slot.slot if slot else None,
    }
    if previous:  # kept when the run completes: a timed-out first attempt stays on record
        manifest["previous_attempts"] = previous
    limit_s = timeout_s
    if os.environ.get("SLURM_JOB_ID"):  # the batch job this run is part of (sacct -j ID tells its fate)
        manifest["scheduler"] = {"slurm_job_id": os.environ["SLURM_JOB_ID"],
                                 "slurm_array_job_id": os.environ.get("SLURM_ARRAY_JOB_ID")}
        if timeout_s is not None:  # the limit is on the job's clock, which started before this process
            elapsed = job_elapsed_s(os.environ["SLURM_JOB_ID"])
            manifest["scheduler"]["job_elapsed_at_start_s"] = elapsed
            timeout_s = max(timeout_s - (elapsed or 0.0), 1.0)

    print(f"spinlif: simulating run {rid} with the {engine} engine: {' '.join(argv)}",
          file=sys.stderr, flush=True)
    started = time.time()
    child = _Child(argv, log_path, env)
    stop_progress = threading.Event()
    if engine == "mumax3":
        threading.Thread(target=_table_progress, daemon=True,
                         args=(partial / "table.txt", job.total_time, stop_progress, rid)).start()

    received: list[int] = []

    def on_signal(signum, frame):
        # Only signal the engine's process group here: reaping it is the main thread's job. (Waiting in
        # the handler deadlocked: the interrupted Popen.wait holds the lock the handler's wait needs.)
        received.append(signum)
        child.signal(signal.SIGTERM)

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    reason = None
    try:
        code = child.reap(timeout_s, received)
        if code is None:
            child.stop()
            code = child.proc.returncode
            reason = f"exceeded the wall-time limit of {limit_s:g} s" + (
                f" (job time; the engine ran {timeout_s:.0f} s)" if timeout_s != limit_s else "")
    finally:
        stop_progress.set()
        child.finish()
        for s, handler in previous.items():
            signal.signal(s, handler)

    log_text = log_path.read_text(errors="replace") if log_path.exists() else ""
    if reason is None and received:
        reason = f"interrupted by {signal.Signals(received[0]).name}"
        manifest["signal"] = signal.Signals(received[0]).name
    elif reason is None and job.is_script and code == 4:
        manifest["expects_failed"] = True  # complete, but expects failed under --expect-continue
    elif reason is None and code != 0:
        if mumax3_engine.nan_abort(log_text) or "NaN abort" in log_text:
            reason = f"NaN abort (exit {code})"
        else:
            reason = f"{engine} exited with status {code}"
    elif reason is None and not job.is_script and not (partial / "table.txt").exists():
        reason = "the engine exited 0 but wrote no table.txt"

    manifest.update(exit_code=code, finished_utc=_now(), wall_time_s=round(time.time() - started, 3))
    if engine == "mumax3":
        manifest["engine_version"], manifest["gpu_info"] = mumax3_engine.version_from_log(partial)
    elif (partial / "engine_info.json").exists():
        info = json.loads((partial / "engine_info.json").read_text())
        manifest["engine_version"] = info.pop("engine_version")
        manifest["engine_info"] = info
    for name, src in inputs.items():
        if Path(src).exists():
            shutil.copyfile(src, partial / name)
    if log_path.exists():
        os.replace(log_path, partial / "engine.log")
    local = partial.with_name(partial.name + ".run.mx3")
    if local.exists():
        local.unlink()

    if reason is not None:
        manifest.update(status="failed", reason=reason, log_tail=list(child.tail))
        (partial / "manifest.json").write_text(json.dumps(manifest, indent=2))
        _replace_dir(partial, failed)
        message = (f"run {rid} failed: {reason}. Partial outputs kept in {failed}; last log lines:\n  "
                   + "\n  ".join(list(child.tail)[-10:]))
        if received:
            signal.signal(received[0], signal.SIG_DFL)
        raise SimulationFailed(message, manifest)

    manifest["outputs"] = {p.name: _sha256(p) for p in sorted(partial.iterdir()) if p.is_file()}
    manifest["status"] = "complete"
    (partial / "manifest.json").write_text(json.dumps(manifest, indent=2))
    if failed.exists():
        shutil.rmtree(failed)
    _replace_dir(partial, out_dir)
    return manifest
