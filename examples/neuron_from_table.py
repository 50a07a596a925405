#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A spiking neuron from spinlif's parameter table, with nothing but the standard library.

    python examples/neuron_from_table.py results/params/lif_params.csv --device DW --n-layers 3 --i 1.0

Reads one row of ``lif_params.csv`` (by default the selected family of the first matching device)
and steps the normalised SNN form exactly as a network would:
``mem += dt * (p1 mem^2 + p2 mem + p0 + g i)`` from mem = 0 at the table's recommended dt, spike at
mem > 1. Prints the first-spike time in ns. No spinlif import: this is what downstream code sees.
"""

import argparse
import csv
import math
import sys


def pick_row(path, device, n_layers, family):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        if device and row["device_type"] != device:
            continue
        if n_layers is not None and int(float(row["n_layers"])) != n_layers:
            continue
        if family and row["model_family"] != family:
            continue
        if not family and row["selected"] != "True":
            continue
        if row["p2_per_ns"] in ("", "nan"):
            continue
        return row
    return None


def first_spike(row, i, t_end):
    p1, p2, p0, g = (float(row[k]) for k in ("p1_per_ns", "p2_per_ns", "p0_per_ns", "g_per_ns"))
    dt = float(row["dt_recommended_ns"])
    mem, t = 0.0, 0.0
    for _ in range(int(math.ceil(t_end / dt))):
        mem += dt * (p1 * mem * mem + p2 * mem + p0 + g * i)
        t += dt
        if mem > 1.0:
            return t, dt
    return float("nan"), dt


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("table")
    parser.add_argument("--device", default="DW")
    parser.add_argument("--n-layers", type=int)
    parser.add_argument("--family", help="model family (default: the selected one)")
    parser.add_argument("--i", type=float, default=1.0, help="constant drive i = J / J0")
    parser.add_argument("--t-end", type=float, default=1000.0, help="ns")
    args = parser.parse_args()
    row = pick_row(args.table, args.device, args.n_layers, args.family)
    if row is None:
        print("no matching row with a normalised (polynomial) form", file=sys.stderr)
        return 2
    t, dt = first_spike(row, args.i, args.t_end)
    print(f"{row['device_id']} {row['model_family']} status={row['status']} dt={dt:.6g} ns "
          f"first_spike_ns={t:.6g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
