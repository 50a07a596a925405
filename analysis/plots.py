# SPDX-License-Identifier: GPL-3.0-or-later
"""Figures of aggregated runs (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from spinlif.analysis.store import open_store
from spinlif.figures import pyplot
from spinlif.units import s_to_ns


plt = pyplot()


def plot_traces(dataset: str | Path, output: str | Path) -> Path:
    """The traces figure of one device's aggregated runs, of the kind its device declares
    (``TRACE_PLOT`` in :mod:`spinlif.devices`; default ``mean_mz``).

    Parameters
    ----------
    dataset : str or Path
        ``results/<device>/dataset.zarr``.
    output : str or Path
        The PNG to write.

    Returns
    -------
    Path
        ``output``.

    Example
    -------
    >>> sorted(TRACE_PLOTS)
    ['guiding_centre', 'mean_mz', 'resistance_and_temperature', 'walls_and_neel_angle']
    """
    from spinlif.devices import device_module

    ds = open_store(dataset)
    device = device_module(str(ds["device"].values[0])) if "device" in ds.coords else None
    kind = getattr(device, "TRACE_PLOT", "mean_mz")
    return TRACE_PLOTS[kind](dataset, ds, output)


def _observables(dataset):
    """``(summary, timeseries, snapshots)`` of every run, from the aggregated dataset."""
    from spinlif.analysis.store import read_runs

    return [(r.summary, r.timeseries, r.snapshots) for r in read_runs(dataset)]


def _save(fig, output) -> Path:
    output = Path(output)
    fig.tight_layout()
    fig.savefig(output, dpi=120)
    plt.close(fig)
    return output


def plot_skyrmion_traces(dataset: str | Path, output: str | Path) -> Path:
    """Guiding-centre displacement x(t) per run with the drive shaded, the (X, Y) trajectories,
    and radius and |Q| against time (annihilated runs dashed)."""
    runs = _observables(dataset)
    fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(14, 4))
    for summary, series, snaps in runs:
        avg = snaps[snaps.layer == 0]
        style = "--" if summary["annihilated"] else "-"
        line, = ax1.plot(avg.t_ns, avg.x_disp_nm, style, lw=1.2, label=summary["run_id"])
        on = series.i.to_numpy() != 0
        if on.any():
            ax1.fill_between(series.t_ns, 0, 1, where=on, color=line.get_color(), alpha=0.05, step="post",
                             transform=ax1.get_xaxis_transform())
        ax2.plot(avg.X_nm, avg.Y_nm, style, color=line.get_color(), lw=1.0)
        ax3.plot(avg.t_ns, avg.radius_nm, style, color=line.get_color(), lw=1.0)
        ax3.plot(avg.t_ns, 10 * np.abs(avg.Q), ":", color=line.get_color(), lw=0.8)
    ax1.set(xlabel="t (ns)", ylabel="guiding-centre displacement x (nm)", title="membrane potential")
    ax1.legend(fontsize=6)
    ax2.set(xlabel="X (nm)", ylabel="Y (nm)", title="trajectories (skyrmion Hall effect)", aspect="equal")
    ax3.set(xlabel="t (ns)", ylabel="radius (nm); dotted: 10 |Q|", title="size and integrity")
    return _save(fig, output)


def plot_afm_traces(dataset: str | Path, output: str | Path) -> Path:
    """Wall position and v gamma_L against time for the moving-wall runs (log scale: free decay is
    a straight line of slope -eps u / lambda), F(N) / mu(w) of the relaxed N-wall strips against the
    exact sine-Gordon lattice, and the AFM neuron's Neel angle phi(t) under kicks or DC torque."""
    import math

    import pandas as pd

    from spinlif.analysis.observables.afm_strip import winding_energies
    from spinlif.analysis.theory import sine_gordon_lattice

    runs = _observables(dataset)
    fig, (ax1, ax2, ax3, ax4) = plt.subplots(1, 4, figsize=(18, 4))
    for summary, series, snaps in runs:
        if summary["n_walls_initial"] != 1:
            continue
        label = f"{summary['run_id']}: v0 {snaps.v_m_s.iloc[1]:.0f} m/s" if len(snaps) > 1 else summary["run_id"]
        line, = ax1.plot(snaps.t_ns * 1e3, snaps.X_nm, lw=1.2, label=label)
        p = np.abs(snaps.v_m_s) * snaps.gamma_L
        ax2.semilogy(snaps.t_ns * 1e3, p, color=line.get_color(), lw=1.0)
    ax1.set(xlabel="t (ps)", ylabel="wall position X (nm)", title="wall motion")
    ax1.legend(fontsize=6)
    ax2.set(xlabel="t (ps)", ylabel=r"$|v|\gamma_L$ (m/s)", title="momentum (free decay: exponential)")
    strips = pd.DataFrame([s for s, _, _ in runs if "F_exact_minus_uniform_J_m" in s])
    windings = [g for _, g in strips.groupby(["lambda_nm", "strip_length_nm"])
                if 0 in set(g.n_walls_initial) and (g.n_walls_initial > 0).any()] if len(strips) else []
    for group in windings:  # one series of relaxed N-wall strips per material and length
        first, length = group.iloc[0], group.strip_length_nm.iloc[0]
        lam = first.lambda_nm * 1e-9
        w = winding_energies(group)
        ax3.plot(w.w, w.dF_J_m * 1e3, "o", label=f"simulated F(N) - F(0), L = {length:g} nm")
        ax3.plot(w.w, group.sort_values("n_walls_initial").F_exact_minus_uniform_J_m * 1e3, "k+", ms=9,
                 label="exact sine-Gordon lattice")
        ws = np.linspace(max(w.w.max(), 1e-3) / 40, w.w.max() * 1.05, 200)
        mu = [sine_gordon_lattice(lam / x, lam, first.sg_stiffness_J_m, first.sg_anisotropy_J_m2)["mu"] for x in ws]
        ax3.plot(ws, np.asarray(mu) * 1e3, "-", lw=0.8, label="exact mu(w) = dF/dN")
        mid = w.dropna(subset=["mu_J_m"])
        ax3.plot(mid.mu_at_n * lam / (length * 1e-9), mid.mu_J_m * 1e3, "s", mfc="none",
                 label="simulated mu (finite differences)")
    if windings:
        ax3.set(xlabel="wall density w = N lambda / L", ylabel="energy per unit width (mJ/m)",
                title="walls in a periodic strip: F(N) and mu(w)")
        ax3.legend(fontsize=6)
    else:
        ax3.set_axis_off()
    neuron = [(s, series) for s, series, _ in runs if "fired" in s and series.i.abs().max() > 0]
    for summary, series in neuron:
        ax4.plot(series.t_ns, series.phi_rad - series.phi_rad.iloc[0], lw=1.0,
                 label=f"{summary['run_id']}" + (" (fired)" if summary["fired"] else ""))
    if neuron:
        for sign in (-1, 1):
            ax4.axhline(sign * math.pi / 2, color="k", lw=0.6, ls=":")
        ax4.set(xlabel="t (ns)", ylabel="phi - phi(0) (rad)", title="AFM neuron: Neel angle (dotted: threshold)")
        ax4.legend(fontsize=6)
    else:
        ax4.set_axis_off()
    return _save(fig, output)


def plot_mean_mz(ds, output: str | Path) -> Path:
    """Mean m_z against time for every run, one panel per protocol, the drive shaded, the firing
    threshold the observables used dotted (``threshold_mz`` of the runs' summaries)."""
    protocols = list(dict.fromkeys(str(p) for p in ds["protocol"].values))
    thresholds = np.unique(ds["threshold_mz"].values) if "threshold_mz" in ds else np.array([])
    thresholds = thresholds[np.isfinite(thresholds)]
    fig, axes = plt.subplots(len(protocols), 1, figsize=(10, 2.6 * len(protocols)), sharex=True,
                             squeeze=False)
    for ax, proto in zip(axes[:, 0], protocols):
        sel = ds.isel(run=[k for k, p in enumerate(ds["protocol"].values) if str(p) == proto])
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
        for threshold in thresholds:
            ax.axhline(threshold, color="k", ls=":", lw=0.8)
        ax.set_ylabel(r"$\langle m_z \rangle$")
        ax.set_title(f"protocol: {proto}" + (f" (dotted: threshold {', '.join(f'{v:g}' for v in thresholds)})"
                                             if len(thresholds) else ""), fontsize=10)
        ax.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    axes[-1, 0].set_xlabel("t (ns)")
    return _save(fig, output)


def plot_mtj_traces(dataset: str | Path, output: str | Path) -> Path:
    """The MTJ neuron (seed 003 Fig. 3). Top: R_norm(t) with the detected spikes, m_z(t) and T(t) for the
    lowest and highest DC current at the reference ambient temperature (:func:`~spinlif.analysis.
    observables.mtj_hh.reference_ambient`). Bottom: the firing rate against J, one curve per ambient
    temperature, with the seed's 0.1-3 GHz window shaded; the inter-spike intervals of the DC runs there
    (pooled, with their CV); and, where the runs vary T_amb, the time to the first spike and the spike
    count against T_amb at each DC current."""
    from spinlif.analysis.observables.mtj_hh import ambient_sweeps, reference_ambient
    from spinlif.analysis.store import read_runs

    runs = read_runs(dataset)
    dc = sorted((r for r in runs if r.spec["drive"]["protocol"] == "dc"),
                key=lambda r: float(r.timeseries.J_Am2.iloc[-1]))
    ambient = reference_ambient([r.spec for r in runs])
    ambients = sorted({r.spec["thermal"]["T_amb"] for r in dc})
    fig, ((ax1, ax2, ax3), (ax4, isi_ax, ax5)) = plt.subplots(2, 3, figsize=(15, 8))
    at_ref = [r for r in dc if r.spec["thermal"]["T_amb"] == ambient]
    for run in [at_ref[0], at_ref[-1]] if len(at_ref) > 1 else at_ref:
        series, summary = run.timeseries, run.summary
        line, = ax1.plot(series.t_ns, series.R_norm, lw=0.8, label=f"J = {series.J_Am2.iloc[-1]:.3g} A/m$^2$")
        spikes = summary.get("spike_times_ns", [])
        ax1.plot(spikes, [summary["R_spike_high"]] * len(spikes), "v", color=line.get_color(), ms=4)
        ax2.plot(series.t_ns, series.mz, lw=0.8, color=line.get_color())
        ax3.plot(series.t_ns, series.T_K, lw=1.0, color=line.get_color())
    ax1.set(xlabel="t (ns)", ylabel="R / R$_P$",
            title=f"resistance, DC at T$_{{amb}}$ = {ambient:g} K (triangles: spikes)")
    ax1.legend(fontsize=7)
    ax2.set(xlabel="t (ns)", ylabel="m$_z$", title="free layer")
    ax3.set(xlabel="t (ns)", ylabel="T (K)", title="temperature (seed Eq. 2)")
    for T in ambients:
        these = [r for r in dc if r.spec["thermal"]["T_amb"] == T]
        ax4.plot([float(r.timeseries.J_Am2.iloc[-1]) for r in these], [r.summary["rate_GHz"] for r in these],
                 "o-" if T == ambient else "s", mfc=None if T == ambient else "none", label=f"T$_{{amb}}$ = {T:g} K")
    ax4.axhspan(0.1, 3.0, color="0.85", zorder=0, label="seed 003: 0.1-3 GHz")
    ax4.set(xlabel="J (A/m$^2$)", ylabel="firing rate (GHz, spikes / run length)", title="f(J), DC drive")
    ax4.legend(fontsize=7)
    isi = np.concatenate([np.diff(r.summary.get("spike_times_ns", [])) for r in at_ref] or [np.array([])])
    if len(isi):
        isi_ax.hist(isi, bins=max(5, min(40, len(isi) // 2)), color="0.4")
        isi_ax.axvline(isi.min(), color="k", ls=":", lw=0.8, label=f"shortest: {isi.min():.3g} ns (refractory)")
        isi_ax.legend(fontsize=7)
    cv = f", CV {isi.std() / isi.mean():.2f}" if len(isi) >= 2 else ""
    isi_ax.set(xlabel="inter-spike interval (ns)", ylabel="count",
               title=f"ISIs of the DC runs at {ambient:g} K ({len(isi)}{cv})")
    if len(ambients) > 1:
        counts = ax5.twinx()
        for J, ks in ambient_sweeps([r.spec for r in runs]).items():
            these = [runs[k] for k in ks]
            T = [r.spec["thermal"]["T_amb"] for r in these]
            line, = ax5.plot(T, [r.summary["t_first_spike_ns"] for r in these], "o-", label=f"J = {J:.3g} A/m$^2$")
            counts.plot(T, [len(r.summary.get("spike_times_ns", [])) for r in these], "x:", color=line.get_color())
        ax5.set(xlabel="T$_{amb}$ (K)", ylabel="time to first spike (ns, circles)",
                title="ambient temperature (no spike: not drawn)")
        counts.set_ylabel("spikes in the run (crosses)")
        ax5.legend(fontsize=7)
    else:
        ax5.set_axis_off()
    return _save(fig, output)


TRACE_PLOTS = {
    "mean_mz": lambda dataset, ds, output: plot_mean_mz(ds, output),
    "guiding_centre": lambda dataset, ds, output: plot_skyrmion_traces(dataset, output),
    "walls_and_neel_angle": lambda dataset, ds, output: plot_afm_traces(dataset, output),
    "resistance_and_temperature": lambda dataset, ds, output: plot_mtj_traces(dataset, output),
}
"""The kinds of traces figure a device may declare (``TRACE_PLOT``): ``(dataset path, opened dataset,
output) -> output``."""
