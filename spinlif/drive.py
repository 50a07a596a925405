# SPDX-License-Identifier: GPL-3.0-or-later
"""The drive schedule of a run: one list of segments (current density, duration, snapshot flag),
rendered as ``Run()`` calls into the script that both engines execute."""

from __future__ import annotations

from dataclasses import dataclass

from spinlif.mx3_format import si


FS = 1e-15
"""Schedule times are kept on a 1 fs grid so that sums of edges stay exact."""


def fs_grid(t: float) -> int:
    """A time (s) as an integer number of femtoseconds."""
    return int(round(t / FS))


def pulse_train_changes(t_on, t_off, duration, amplitude: float) -> list[tuple]:
    """Change points ``[(time, level), ...]`` of an ON/OFF train that starts ON at 0 and is OFF
    from ``duration`` on: pairs (period start, amplitude), (end of ON, 0). Any time unit; the
    schedule uses integer femtoseconds so that edges stay exact."""
    period = t_on + t_off
    changes, k = [], 0
    while k * period < duration:
        start = k * period
        changes += [(start, amplitude), (min(start + t_on, duration), 0.0)]
        k += 1
    return changes


@dataclass(frozen=True)
class Segment:
    """Constant drive ``i`` from ``start`` to ``end`` (s); a snapshot is saved at ``end`` if ``save``."""

    start: float
    end: float
    i: float
    save: bool

    @property
    def duration(self) -> float:
        return (fs_grid(self.end) - fs_grid(self.start)) / 1e15  # the exact decimal, not n * 1e-15


def drive_schedule(spec: dict) -> list[Segment]:
    """Piecewise-constant drive with snapshot times, physics-brief section 3.0.

    Pulse trains are explicit ON/OFF segments so that both solvers restart exactly at each
    edge (no adaptive step straddles a discontinuity). Snapshots: at every ON/OFF edge for the
    first ``snapshot_edge_periods`` periods, then every ``snapshot_period``, and at the end.
    The snapshot at t = 0 is not a segment: engines save it before the first segment.
    """
    d, smp = spec["drive"], spec["sampling"]
    duration, tail = fs_grid(d["duration"]), fs_grid(d["tail"])
    level: list[tuple[int, float]] = []  # (start time, i) change points
    edges_for_snapshots: set[int] = set()
    if d["protocol"] == "pulse_train":
        t_on, t_off = fs_grid(d["t_on"]), fs_grid(d["t_off"])
        level = pulse_train_changes(t_on, t_off, duration, d["amplitude"])
        for k in range(min(smp.get("snapshot_edge_periods", 0), len(level) // 2)):
            (start, _), (off, _) = level[2 * k], level[2 * k + 1]
            edges_for_snapshots.update({start, off, min(start + t_on + t_off, duration)})
    elif d["protocol"] == "dc":
        level.append((0, d["amplitude"]))
    else:
        level.append((0, 0.0))
    end = duration + tail
    level.append((duration, 0.0))
    snap_period = fs_grid(smp["snapshot_period"])
    snapshots = set(range(snap_period, end + 1, snap_period)) | edges_for_snapshots | {end}
    snapshots.discard(0)
    change = {}
    for t, i in level:  # later entries at the same time win (an OFF edge at the train's end)
        change[t] = i
    breakpoints = sorted({t for t in change if t < end} | {t for t in snapshots if t <= end} | {0, end})
    segments = []
    current = change[0]
    for a, b in zip(breakpoints[:-1], breakpoints[1:]):
        current = change.get(a, current)
        segments.append(Segment(a * FS, b * FS, float(current), b in snapshots))
    return _merge_unsaved(segments)


def _merge_unsaved(segments: list[Segment]) -> list[Segment]:
    """Join neighbouring segments with equal drive when no snapshot separates them."""
    out: list[Segment] = []
    for seg in segments:
        if out and not out[-1].save and out[-1].i == seg.i:
            prev = out.pop()
            seg = Segment(prev.start, seg.end, seg.i, seg.save)
        out.append(seg)
    return out


def total_time(spec: dict) -> float:
    """Simulated time after t = 0 (s): drive plus tail."""
    return spec["drive"]["duration"] + spec["drive"]["tail"]



def segment_current(spec: dict, seg: Segment) -> float:
    """J_z (A/m^2) during one segment: J0 i, plus the drive's ``J_bias`` where the device has one."""
    d = spec["drive"]
    return d.get("J_bias", 0.0) + d["J0"] * seg.i


def drive_segments(spec: dict) -> list[dict]:
    """The drive schedule as template values: J_z, duration, i, snapshot flag and times (ns)."""
    return [{"Jz": si(segment_current(spec, seg)), "duration": si(seg.duration), "i": si(seg.i), "save": seg.save,
             "start_ns": si(round(seg.start * 1e9, 6)), "end_ns": si(round(seg.end * 1e9, 6))}
            for seg in drive_schedule(spec)]
