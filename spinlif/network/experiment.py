# SPDX-License-Identifier: GPL-3.0-or-later
"""The seed's SNN experiment, sized for a laptop (issue 16, item 2; seed 001 section IV, Algorithms 1-2).

A fully connected SNN (inputs - hidden - 10) and a small convolutional SNN (:data:`ARCHITECTURES`),
trained with backpropagation through time and a surrogate gradient (atan), Adam, on scikit-learn's 8 x 8
digits with a fixed, stratified split. Each
image is presented as a constant input current for ``steps`` network steps; the class is the output
neuron with most spikes (snnTorch's rate-coded cross-entropy). The same network is built once with
snnTorch's ideal ``snn.Leaky`` and once per device row (:func:`spinlif.network.neurons.neuron_from_row`),
with the same architecture, budget and seeds, so a device's non-ideal dynamics show as an accuracy gap.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

LEAKY_BETA = 0.9
"""Decay per step of the ideal reference neuron (snn.Leaky)."""
STEPS_TO_THRESHOLD = 5
"""Each device neuron's input scale: a unit network input reaches threshold from rest in about this
many steps (:func:`spinlif.network.neurons.drive_scale`), as snn.Leaky does with an input of 0.2."""


@dataclass(frozen=True)
class Setup:
    """The training budget every neuron gets (the same for all, by design).

    Example
    -------
    >>> Setup().steps, Setup(epochs=3).epochs
    (40, 3)
    """

    hidden: int = 100
    architecture: str = "fc"
    steps: int = 40
    epochs: int = 20
    batch: int = 64
    lr: float = 2e-3
    test_fraction: float = 0.25
    split_seed: int = 0


def digits(setup: Setup = Setup()):
    """scikit-learn's 8 x 8 digits as ``(x_train, y_train, x_test, y_test)`` tensors, pixels scaled to
    [0, 1], split once (stratified, ``setup.split_seed``).

    Example
    -------
    >>> x_train, y_train, x_test, y_test = digits()
    >>> tuple(x_train.shape), tuple(x_test.shape), float(x_train.max())
    ((1347, 64), (450, 64), 1.0)
    """
    import torch
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    data = load_digits()
    x = (data.data / 16.0).astype(np.float32)
    x_tr, x_te, y_tr, y_te = train_test_split(x, data.target, test_size=setup.test_fraction,
                                              random_state=setup.split_seed, stratify=data.target)
    return torch.from_numpy(x_tr), torch.from_numpy(y_tr), torch.from_numpy(x_te), torch.from_numpy(y_te)


class IDXError(ValueError):
    """A file that is not a complete IDX file of unsigned bytes."""


IDX_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
"""The four files of MNIST and Fashion-MNIST (optionally ``.gz``), as their sites distribute them."""


def read_idx(path) -> np.ndarray:
    """One IDX file (``.gz`` or plain): unsigned bytes, big-endian dimensions.

    Example
    -------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "labels-idx1-ubyte"
    >>> _ = path.write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1]))
    >>> read_idx(path).tolist()
    [7, 2, 1]
    """
    import gzip
    from pathlib import Path

    path = Path(path)
    raw = (gzip.open if path.suffix == ".gz" else open)(path, "rb").read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise IDXError(f"{path}: not an IDX file of unsigned bytes (magic {raw[:4].hex()}; expected 000008..)")
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * k:8 + 4 * k], "big") for k in range(ndim))
    data = np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(shape)):
        raise IDXError(f"{path}: {data.size} values for the shape {shape} in its header (a cut file?)")
    return data.reshape(shape)


def idx_dataset(directory):
    """MNIST or Fashion-MNIST from a local directory of its four IDX files (nothing is downloaded), as
    ``(x_train, y_train, x_test, y_test)`` with pixels scaled to [0, 1], images flattened.

    Raises
    ------
    FileNotFoundError
        Naming the directory and the files it must hold.
    """
    import torch
    from pathlib import Path

    directory = Path(directory)
    found = []
    for name in IDX_FILES:
        candidates = [directory / name, directory / f"{name}.gz"]
        found.append(next((c for c in candidates if c.exists()), None))
    if not directory.is_dir() or None in found:
        missing = [n for n, f in zip(IDX_FILES, found) if f is None]
        raise FileNotFoundError(f"{directory}: MNIST / Fashion-MNIST needs the IDX files {', '.join(IDX_FILES)} "
                                f"(or .gz); missing: {', '.join(missing)}. Download them yourself (spinlif "
                                "downloads nothing) and pass their directory with --data")
    x_tr, y_tr, x_te, y_te = (read_idx(f) for f in found)
    flat = lambda x: torch.from_numpy((x.reshape(len(x), -1) / 255.0).astype(np.float32))  # noqa: E731
    return flat(x_tr), torch.from_numpy(y_tr.astype(np.int64)), flat(x_te), torch.from_numpy(y_te.astype(np.int64))


def _init(neuron):
    return neuron.init_leaky() if hasattr(neuron, "init_leaky") else None


ARCHITECTURES = ("fc", "conv")
"""``fc``: inputs - hidden - 10 (seed 001 Algorithm 1); ``conv``: a small convolutional SNN (seed 001
Algorithm 2, 12C5-MP2-64C5-MP2-FC10 on 28 x 28, scaled to 8 x 8 images: 8C3-MP2-16C3-MP2-FC10, the
convolutions padded so any square image works)."""


def _network(make_neuron: Callable, n_in: int, setup: Setup, n_out: int = 10):
    if setup.architecture == "conv":
        return _conv_network(make_neuron, n_in, setup, n_out)
    if setup.architecture != "fc":
        raise ValueError(f"architecture = {setup.architecture!r}: allowed are {', '.join(ARCHITECTURES)}")
    return _fc_network(make_neuron, n_in, setup, n_out)


def _conv_network(make_neuron: Callable, n_in: int, setup: Setup, n_out: int = 10):
    import torch

    side = int(round(n_in ** 0.5))
    if side * side != n_in or side < 4:
        raise ValueError(f"the convolutional SNN needs square images of side >= 4; got {n_in} pixels")

    class CSNN(torch.nn.Module):
        """image -> Conv(8, 3x3) -> neuron -> MaxPool 2 -> Conv(16, 3x3) -> neuron -> MaxPool 2 -> Linear
        -> neuron; ``forward`` returns the output spikes per step (steps, batch, n_out) and the spikes of
        both convolutional layers per step, flattened (steps, batch, 8 side^2 + 16 (side/2)^2), or None
        with ``hidden=False`` (training: the copy costs ~6 % of a step).

        The feature maps are channels-last: max pooling then takes 75 instead of 180 us per call."""

        def __init__(self):
            super().__init__()
            self.conv1, self.lif1 = torch.nn.Conv2d(1, 8, 3, padding=1), make_neuron()
            self.conv2, self.lif2 = torch.nn.Conv2d(8, 16, 3, padding=1), make_neuron()
            self.fc, self.lif3 = torch.nn.Linear(16 * (side // 4) ** 2, n_out), make_neuron()
            self.pool = torch.nn.MaxPool2d(2)

        def forward(self, x, hidden: bool = True):
            s1, s2, s3 = _init(self.lif1), _init(self.lif2), _init(self.lif3)
            out, layers = [], []
            image = x.reshape(len(x), 1, side, side).contiguous(memory_format=torch.channels_last)
            cur1 = self.conv1(image)
            for _ in range(setup.steps):
                spk1, s1 = self.lif1(cur1, s1)
                spk2, s2 = self.lif2(self.conv2(self.pool(spk1)), s2)
                spk3, s3 = self.lif3(self.fc(self.pool(spk2).flatten(1)), s3)
                out.append(spk3)
                if hidden:
                    layers.append(torch.cat([spk1.flatten(1), spk2.flatten(1)], 1))
            return torch.stack(out), torch.stack(layers) if hidden else None

    return CSNN()


def _fc_network(make_neuron: Callable, n_in: int, setup: Setup, n_out: int = 10):
    import torch

    class FCSNN(torch.nn.Module):
        """inputs -> Linear -> neuron -> Linear -> neuron; ``forward`` returns the output spikes per
        step (steps, batch, n_out) and the hidden spikes per step (steps, batch, hidden), or None with
        ``hidden=False``."""

        def __init__(self):
            super().__init__()
            self.fc1, self.lif1 = torch.nn.Linear(n_in, setup.hidden), make_neuron()
            self.fc2, self.lif2 = torch.nn.Linear(setup.hidden, n_out), make_neuron()

        def forward(self, x, hidden: bool = True):
            s1, s2 = _init(self.lif1), _init(self.lif2)
            out, layer = [], []
            cur1 = self.fc1(x)
            for _ in range(setup.steps):
                spk1, s1 = self.lif1(cur1, s1)
                spk2, s2 = self.lif2(self.fc2(spk1), s2)
                out.append(spk2)
                layer.append(spk1)
            return torch.stack(out), torch.stack(layer) if hidden else None

    return FCSNN()


@dataclass
class Trained:
    """One trained network's test result."""

    label: str
    seed: int
    accuracy: float             # test accuracy (fraction)
    spikes_per_inference: float  # hidden + output spikes per test image
    latency_steps: float        # mean step of the first output spike of the predicted class
    latency_ns: float           # the same in ns (device neurons; NaN for snn.Leaky)
    seconds: float
    raster: object = None       # hidden spikes of the first test image, (steps, hidden cells), for the figure
    net: object = None          # the trained network (None when it was trained in a worker process)


def train(label: str, make_neuron: Callable, seed: int, setup: Setup = Setup(), data=None,
          dt_ns: float = float("nan"), log=print) -> Trained:
    """Train one FC-SNN of ``make_neuron()`` neurons and test it.

    Parameters
    ----------
    label : str
        Name in the progress lines and results (e.g. ``snn.Leaky``, ``DW_E3_128x16nm linear``).
    make_neuron : callable
        Returns a fresh neuron module (snnTorch's interface: ``spk, state = neuron(x, state)``).
    seed : int
        Seeds torch's initialisation and the batch order.
    setup : Setup
        The budget.
    data : tuple, optional
        ``(x_train, y_train, x_test, y_test)``; default :func:`digits`.
    dt_ns : float
        One network step in ns (for the latency in ns).
    log : callable
        Receives one progress line per epoch.

    Returns
    -------
    Trained
        Test accuracy, spikes per inference and latency.

    Example
    -------
    >>> import snntorch as snn  # doctest: +SKIP
    >>> train("snn.Leaky", lambda: snn.Leaky(beta=0.9), seed=0).accuracy  # doctest: +SKIP
    0.96
    """
    import torch

    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float32)  # the networks train in float32, whatever the caller's default
    try:
        return _train(label, make_neuron, seed, setup, data, dt_ns, log)
    finally:
        torch.set_default_dtype(previous)


def _train(label, make_neuron, seed, setup, data, dt_ns, log) -> Trained:
    import snntorch.functional as SF
    import torch

    x_tr, y_tr, x_te, y_te = data if data is not None else digits(setup)
    torch.manual_seed(seed)
    net = _network(make_neuron, x_tr.shape[1], setup)
    optimiser = torch.optim.Adam(net.parameters(), lr=setup.lr)
    loss_fn = SF.ce_rate_loss()
    generator = torch.Generator().manual_seed(seed)
    start = time.time()
    for epoch in range(setup.epochs):
        net.train()
        order = torch.randperm(len(x_tr), generator=generator)
        total, correct = 0.0, 0
        for k in range(0, len(order), setup.batch):
            idx = order[k:k + setup.batch]
            spikes, _ = net(x_tr[idx], hidden=False)
            loss = loss_fn(spikes, y_tr[idx])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += float(loss.detach()) * len(idx)
            correct += int((spikes.sum(0).argmax(1) == y_tr[idx]).sum())
        log(f"{label} seed {seed}: epoch {epoch + 1}/{setup.epochs}, loss {total / len(x_tr):.3f}, "
            f"train accuracy {correct / len(x_tr):.3f}")
    net.eval()
    with torch.no_grad():
        spikes, hidden = net(x_te)
    counts = spikes.sum(0)
    predicted = counts.argmax(1)
    accuracy = float((predicted == y_te).float().mean())
    fired = spikes[:, torch.arange(len(y_te)), predicted]  # (steps, test images)
    first = torch.where(fired.any(0), fired.float().argmax(0).float() + 1, torch.full_like(predicted, float("nan"),
                                                                                         dtype=torch.float32))
    latency = float(torch.nanmean(first))
    log(f"{label} seed {seed}: test accuracy {accuracy:.3f} ({time.time() - start:.0f} s)")
    return Trained(label, seed, accuracy, float((hidden.sum((0, 2)) + counts.sum(1)).mean()), latency, latency * dt_ns,
                   time.time() - start, hidden[:, 0].numpy(), net)


NETWORK_KINDS = ("DW", "SKY", "AFM0D")
"""Row kinds the experiment trains by default (:func:`spinlif.network.neurons.neuron_from_row`)."""
OPT_IN_KINDS = {"MTJ_HH": "its neuron integrates the macrospin at 2 ps, 50 substeps per network step, "
                          "~2000 ODE steps per image through BPTT: too slow for the 10-min budget"}
"""Row kinds with a network neuron that the experiment trains only when asked (``kinds``), and why."""


class NoUsableRows(ValueError):
    """A parameter table with no row the experiment can use."""


def usable_rows(table, include_provisional: bool = False, kinds=NETWORK_KINDS, devices=()) -> list:
    """Each device's selected row of a kind with a network neuron, ``accepted`` ones only unless
    ``include_provisional``; only the devices named in ``devices`` (table ``device_id``s) if given.

    Raises
    ------
    NoUsableRows
        Naming what the table has and what to do; or a device of ``devices`` that has no usable row.
    """
    from spinlif.fitting.table import load_params

    rows = [r for r in load_params(table, selected_only=True, include_provisional=include_provisional)
            if r.device_type in kinds]
    usable = sorted({r.device_id for r in rows})
    missing = [d for d in devices if d not in usable]
    if missing:
        raise NoUsableRows(f"{table}: no usable row for the device(s) {', '.join(missing)} (snn.devices, "
                           f"--devices); devices with a usable row: {', '.join(usable) or 'none'}")
    rows = [r for r in rows if not devices or r.device_id in devices]
    if not rows:
        every = load_params(table, status=("accepted", "provisional", "rejected"), selected_only=True)
        have = ", ".join(f"{r.device_id} {r.model_family} ({r.device_type}, {r.status})" for r in every) or "no rows"
        hint = ("" if include_provisional else "; to use provisional rows, set snn.include_provisional: true "
                "(or pass --include-provisional)")
        raise NoUsableRows(f"{table}: no {'accepted or provisional' if include_provisional else 'accepted'} "
                           f"row of a kind with a network neuron ({', '.join(kinds)}); the table has: "
                           f"{have}{hint}")
    return rows


def make_neuron(row=None, i_per_input: float = 1.0):
    """A fresh network neuron: snnTorch's ideal ``snn.Leaky`` (``row`` None) or the row's neuron with
    ``i_per_input`` (:func:`spinlif.network.neurons.neuron_from_row`), both with an atan surrogate.

    Example
    -------
    >>> type(make_neuron()).__name__
    'Leaky'
    """
    import snntorch as snn
    from snntorch import surrogate

    from spinlif.network.neurons import neuron_from_row

    if row is None:
        return snn.Leaky(beta=LEAKY_BETA, spike_grad=surrogate.atan())
    return neuron_from_row(row, i_per_input=i_per_input, spike_grad=surrogate.atan())


def dynamics_key(neuron) -> tuple:
    """What a neuron's dynamics depend on, in the networks' precision (float32): its class, buffers
    (coefficients, threshold, decay), step, input scale and reset. Two neurons with equal keys train the
    same networks for a seed; two fits of one model that agree to 1e-10 (a family and its
    linearisation) have equal keys.

    Example
    -------
    >>> dynamics_key(make_neuron()) == dynamics_key(make_neuron())
    True
    """
    single = lambda values: tuple(float(np.float32(v)) for v in values)  # noqa: E731
    buffers = tuple((name, single(value.flatten().tolist())) for name, value in neuron.state_dict().items())
    mapping = getattr(neuron, "mapping", None)
    return (type(neuron).__name__, buffers, single([getattr(neuron, "dt", 0.0)]),
            single([mapping.i_per_input]) if mapping else (), getattr(neuron, "reset_mechanism", None))


_WORKER_DATA = None


def _start_worker(data) -> None:
    """A training process: one torch thread (the trainings themselves run in parallel), the data once."""
    import torch

    global _WORKER_DATA
    torch.set_num_threads(1)
    _WORKER_DATA = data


class _Task(NamedTuple):
    """One training: a neuron (``row`` None: snn.Leaky) in one architecture (``setup``) with one seed."""

    label: str
    row: object
    scale: float
    seed: int
    setup: Setup
    dt: float


def _train_task(task: _Task, data=None, log=None) -> Trained:
    log = log or (lambda line: print(line, flush=True))
    trained = train(task.label, lambda: make_neuron(task.row, task.scale), task.seed, task.setup,
                    data if data is not None else _WORKER_DATA, task.dt, log)
    if data is None:
        trained.net = None  # a worker's network does not pickle (its neurons' surrogates are closures)
    return trained


def _train_all(tasks: list[_Task], data, jobs: int, log) -> list[Trained]:
    """Train every task, ``jobs`` at a time in worker processes (one torch thread each), and return the
    results in the order of ``tasks``. One training does not gain from a second thread (its tensors are
    small), so two processes on two cores halve the wall time. Workers print their progress lines
    themselves; every training is seeded, so the results do not depend on ``jobs``."""
    if jobs <= 1:
        return [_train_task(task, data, log) for task in tasks]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # the convolutional trainings (3x an FC one) first, so that the last ones to finish are short
    order = sorted(range(len(tasks)), key=lambda k: tasks[k].setup.architecture != "conv")
    # spawn, not fork: a forked child of a process that has started torch's thread pools can hang
    with ProcessPoolExecutor(jobs, multiprocessing.get_context("spawn"), _start_worker, (data,)) as pool:
        done = dict(zip(order, pool.map(_train_task, [tasks[k] for k in order])))
    return [done[k] for k in range(len(tasks))]


def run(table, out_csv, figure, *, include_provisional: bool = False, seeds=(0, 1, 2), setup: Setup = Setup(),
        log=print, data_dir=None, architectures=ARCHITECTURES, kinds=NETWORK_KINDS, jobs: int = 1, devices=()):
    """The experiment: snn.Leaky and every usable row's neuron, each trained with ``seeds`` in each of
    ``architectures`` (:data:`ARCHITECTURES`), ``jobs`` trainings at a time (worker processes), only the
    table devices in ``devices`` if given (:func:`usable_rows`); writes
    ``out_csv`` (one row per neuron and architecture: accuracy mean and std, spikes per inference,
    latency) and ``figure``.

    Returns
    -------
    pandas.DataFrame
        The table written to ``out_csv``.
    """
    from pathlib import Path

    import pandas as pd

    from spinlif.network.neurons import drive_scale, row_dt_ns

    data = idx_dataset(data_dir) if data_dir else digits(setup)  # a bad path fails before any training
    rows = usable_rows(table, include_provisional, kinds, devices)
    from spinlif.fitting.table import load_params

    for r in load_params(table, selected_only=True, include_provisional=include_provisional):
        if r.device_type in OPT_IN_KINDS and r.device_type not in kinds:
            log(f"not training {r.device_id} {r.model_family} ({r.device_type}): {OPT_IN_KINDS[r.device_type]} "
                f"(ask for it: spinlif snn --kinds {' '.join(kinds)} {r.device_type})")
    for r in rows:
        log(f"using {r.device_id} {r.model_family} ({r.device_type}): status {r.status}")
    neurons = [("snn.Leaky", None, float("nan"), float("nan"))]
    for r in rows:
        dt = row_dt_ns(r)
        scale = drive_scale(r, STEPS_TO_THRESHOLD)
        fitted = max(json.loads(r.record.get("i_range") or "[0]"), default=0.0)
        log(f"{r.device_id} {r.model_family}: one step {dt:.4g} ns, drive i = {scale:.4g} per unit input"
            + (f" (WARNING: beyond the fitted range, |i| <= {fitted:g}: the compact model is extrapolated)"
               if scale > fitted else ""))
        neurons.append((f"{r.device_id} {r.model_family}", r, dt, scale))
    from dataclasses import replace

    for arch in architectures:
        if arch not in ARCHITECTURES:
            raise ValueError(f"architecture = {arch!r}: allowed are {', '.join(ARCHITECTURES)}")
    # rows whose neurons have the same dynamics (a family and its linearisation often fit the same
    # normalised model) would train identical networks: train the first, report it for each
    keys = [dynamics_key(make_neuron(row, scale)) for _, row, _, scale in neurons]
    first_with = {}
    for (label, *_), key in zip(neurons, keys):
        twin = first_with.setdefault(key, label)
        if twin != label:
            log(f"{label}: the same neuron dynamics as {twin} (coefficients, step and drive, to float32 "
                f"precision): its networks are those of {twin}, trained once")
    distinct = [n for n, key in zip(neurons, keys) if first_with[key] == n[0]]
    tasks = [_Task(f"{label} [{arch}]", row, scale, seed, replace(setup, architecture=arch), dt)
             for arch in architectures for label, row, dt, scale in distinct for seed in seeds]
    trained = iter(_train_all(tasks, data, jobs, log))
    runs_of = {(arch, label): [next(trained) for _ in seeds] for arch in architectures for label, *_ in distinct}
    results, lines = [], []
    for arch in architectures:
        for (label, row, dt, scale), key in zip(neurons, keys):
            runs = runs_of[arch, first_with[key]]
            lines.append(_result_line(label, arch, row, runs, dt, scale, replace(setup, architecture=arch), data_dir)
                         | {"same_networks_as": "" if first_with[key] == label else first_with[key]})
            if arch == architectures[0] and first_with[key] == label:
                results.append(runs[0])
    frame = pd.DataFrame(lines)
    Path(out_csv).parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out_csv, index=False)
    plot(frame, results, data, figure)
    return frame


def _result_line(label, arch, row, runs, dt, scale, setup, data_dir) -> dict:
    """One line of ``accuracy.csv``: a neuron in one architecture over its seeds."""
    acc = np.array([t.accuracy for t in runs])
    return {
        "neuron": label, "architecture": arch, "device_id": row.device_id if row else "",
        "device_type": row.device_type if row else "", "model_family": row.model_family if row else "snn.Leaky",
        "status": row.status if row else "ideal",
        "accuracy_mean": acc.mean(), "accuracy_std": acc.std(ddof=1) if len(acc) > 1 else float("nan"),
        "n_seeds": len(acc), "spikes_per_inference": float(np.mean([t.spikes_per_inference for t in runs])),
        "latency_steps": float(np.nanmean([t.latency_steps for t in runs])),
        "latency_ns": float(np.nanmean([t.latency_ns for t in runs])), "dt_ns": dt,
        # the drive a unit input means; compare with the row's fitted range (i_range): beyond it the
        # compact model is extrapolated
        "drive_per_input": scale, "fitted_i_range": row.record.get("i_range", "") if row else "",
        "steps": setup.steps, "epochs": setup.epochs, "data": str(data_dir) if data_dir else "sklearn digits 8x8",
        "seconds": float(sum(t.seconds for t in runs))}


def plot(frame, trained: list[Trained], data, figure) -> None:
    """Test accuracy per neuron (mean and std over seeds) and the hidden-layer spike raster of the
    first test digit in each network."""
    from spinlif.figures import pyplot

    plt = pyplot()
    fig, axes = plt.subplots(1, 1 + len(trained), figsize=(5 + 3 * len(trained), 3.6), squeeze=False)
    ax = axes[0, 0]
    arches = list(dict.fromkeys(frame.architecture))
    names = list(dict.fromkeys(frame.neuron))
    width = 0.8 / len(arches)
    for j, arch in enumerate(arches):
        sub = frame[frame.architecture == arch].set_index("neuron").reindex(names)
        x = np.arange(len(names)) + (j - (len(arches) - 1) / 2) * width
        ax.bar(x, sub.accuracy_mean * 100, width, yerr=sub.accuracy_std.fillna(0) * 100, capsize=3,
               label={"fc": "FC-SNN", "conv": "CSNN"}.get(arch, arch), color=f"C{j}")
        for xk, m, e in zip(x, sub.accuracy_mean, sub.accuracy_std.fillna(0)):
            ax.text(xk, 3, f"{100 * m:.1f}\n±{100 * e:.1f}", ha="center", fontsize=5, color="w")
    ax.set_xticks(range(len(names)), names, fontsize=6, rotation=30, ha="right")
    ax.set(ylabel="test accuracy (%)", ylim=(0, 100), title=f"{str(frame.data.iloc[0])}; first bar: snn.Leaky")
    ax.title.set_fontsize(8)
    ax.legend(fontsize=7, loc="lower right")
    for a, t in zip(axes[0, 1:], trained):
        steps, cells = np.nonzero(t.raster)
        a.plot(steps, cells, "|", ms=3, color="k")
        a.set(xlabel="step", ylabel="hidden neuron", title=f"{t.label}: digit {int(data[3][0])}")
        a.title.set_fontsize(7)
    fig.tight_layout()
    fig.savefig(figure, dpi=120)
    plt.close(fig)

