#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""OVF reader throughput as a ratio to numpy.fromfile on the same bytes (target >= 0.8).

    python benchmarks/ovf_reader.py          (or: make bench)

Writes MuMax3-format OVF 2.0 Binary 4 files of the paper's grids into a temporary directory,
then times, against a bare numpy.fromfile of the data block (best of several repeats, page cache
warm for all, so the comparison is with a memory copy, the hardest case):
  * analysis.read_ovf_array: the reader (header parse, control-number check, data), numpy only;
  * analysis.read_ovf: the same plus the xarray DataArray with cell-centre coordinates.
The target (>= 0.8) applies to the reader; the DataArray column shows xarray's fixed cost.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from spinlif.analysis.ovf import read_ovf, read_ovf_array, read_ovf_header, write_ovf

GRIDS = {  # (nz, ny, nx): paper track 256 x 64 cells
    "dw P N=3 (5 z)": (5, 64, 256),
    "dw P N=8 (15 z)": (15, 64, 256),
    "dw P N=15 (29 z)": (29, 64, 256),
    "dw P N=20 (39 z)": (39, 64, 256),
}


def best_of_interleaved(fns, repeats: int) -> list[float]:
    """Best time of each function, the functions called in turn so that drift hits all alike."""
    best = [float("inf")] * len(fns)
    for _ in range(repeats):
        for k, fn in enumerate(fns):
            t0 = time.perf_counter()
            fn()
            best[k] = min(best[k], time.perf_counter() - t0)
    return best


def main() -> None:
    rng = np.random.default_rng(0)
    print(f"{'grid':24s} {'MB':>6s} {'fromfile MB/s':>14s} {'reader MB/s':>12s} {'ratio':>6s} "
          f"{'DataArray MB/s':>15s} {'ratio':>6s}")
    ratios, da_ratios = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for name, shape in GRIDS.items():
            values = rng.standard_normal(shape + (3,)).astype(np.float32)
            path = write_ovf(Path(tmp) / "m000000.ovf", values, (2e-9, 2e-9, 0.8e-9), time=1e-9)
            header = read_ovf_header(path)
            count = values.size
            offset = header.data_offset + 4
            assert np.array_equal(read_ovf(path).values, values)
            t_np, t_core, t_da = best_of_interleaved(
                [lambda: np.fromfile(path, dtype="<f4", count=count, offset=offset),
                 lambda: read_ovf_array(path), lambda: read_ovf(path)], repeats=60)
            mb = values.nbytes / 1e6
            ratios.append(t_np / t_core)
            da_ratios.append(t_np / t_da)
            print(f"{name:24s} {mb:6.2f} {mb / t_np:14.0f} {mb / t_core:12.0f} {t_np / t_core:6.2f} "
                  f"{mb / t_da:15.0f} {t_np / t_da:6.2f}")
    print(f"reader (read_ovf_array) / numpy.fromfile throughput: min {min(ratios):.2f} (target >= 0.8)")
    print(f"read_ovf (DataArray) / numpy.fromfile throughput: min {min(da_ratios):.2f}")


if __name__ == "__main__":
    main()
