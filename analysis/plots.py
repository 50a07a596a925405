# SPDX-License-Identifier: GPL-3.0-or-later
"""Figures of aggregated runs (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from analysis.store import open_store  # noqa: E402
from spinlif.units import s_to_ns  # noqa: E402


def plot_traces(dataset: str | Path, output: str | Path) -> Path:
    """Mean m_z against time for every run, one panel per protocol, the drive shaded."""
    ds = open_store(dataset)
    protocols = list(dict.fromkeys(str(p) for p in ds["protocol"].values))
    fig, axes = plt.subplots(len(protocols), 1, figsize=(8, 2.6 * len(protocols)), sharex=True,
                             squeeze=False)
    for ax, proto in zip(axes[:, 0], protocols):
        sel = ds.where(ds["protocol"] == proto, drop=True)
        for k in range(sel.sizes["run"]):
            run = sel.isel(run=k)
            t = s_to_ns(run["t"].values)
            label = (f"{run['run_id'].item() if 'run_id' in run.coords else run['run'].item()}: "
                     f"N={int(run['n_layers'])}, {run['param_set'].item()}, "
                     f"i={float(run['amplitude']):g}, off={float(run['t_off_ns']):g} ns")
            line, = ax.plot(t, run["m"].sel(component="z").values, lw=1.2, label=label)
            if "J" in run and np.isfinite(run["J"].sel(component="z").values).any():
                jz = run["J"].sel(component="z").values
                on = np.nan_to_num(jz) != 0
                ax.fill_between(t, -1, 1, where=on, color=line.get_color(), alpha=0.06, step="post")
        ax.set_ylim(-1.05, 1.05)
        ax.axhline(0.9, color="k", ls=":", lw=0.8)
        ax.set_ylabel(r"$\langle m_z \rangle$")
        ax.set_title(f"protocol: {proto}", fontsize=10)
        ax.legend(fontsize=6, loc="lower right")
    axes[-1, 0].set_xlabel("t (ns)")
    fig.tight_layout()
    output = Path(output)
    fig.savefig(output, dpi=120)
    plt.close(fig)
    return output
