# SPDX-License-Identifier: GPL-3.0-or-later
"""Figures of the fits: simulation vs compact model on training and held-out trains with residuals,
the spike-frequency vs drive curve, and the coefficients vs n_layers with error bars."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from spinlif.figures import pyplot


def plot_fit(traces, fold, row: dict, path: str | Path) -> Path:
    """Every train (and identification run) of one device: recorded u(t) against the family's
    prediction from the training fit (held-out runs predicted, not fitted), residuals below."""
    from spinlif.fitting.device_fit import _predict

    plt = pyplot()
    fig, (ax, res_ax) = plt.subplots(2, 1, figsize=(9, 6.5), sharex=True, height_ratios=[3, 1],
                                     constrained_layout=True)
    test_duties = {round(d, 4) for d in json.loads(row["duty_cycles_test"])}
    for k, r in enumerate(traces):
        whole = r.full or r.trajectory
        model = _predict(fold.result, whole)
        held_out = r.duty is not None and round(r.duty, 4) in test_duties
        label = f"{r.protocol}" + (f" {100 * r.duty:.0f} %" if r.duty else "") + (" (held out)" if held_out else "")
        line, = ax.plot(whole.t, whole.u, lw=1.2, label=label)
        ax.plot(whole.t, model, "--", color=line.get_color(), lw=1)
        sub = whole.t <= r.trajectory.t[-1]  # the part the fit saw (device_fit.subthreshold)
        res_ax.plot(whole.t[sub], (whole.u - model)[sub], color=line.get_color(), lw=0.8)
    ax.axhline(row["u_th"], color="k", lw=0.6, ls=":", label="threshold")
    ax.set(ylabel=f"{row['state_var']} ({row['u_unit']})", title=f"{row['device_id']}: {row['model_family']} ({row['status']}); "
                                 f"solid simulation, dashed compact model")
    ax.legend(fontsize=7, ncol=2)
    res_ax.set(xlabel="t (ns)", ylabel="residual (fitted part)")
    res_ax.axhline(0, color="k", lw=0.5)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)


def plot_frequency_curve(neuron, dc_points: list[tuple[float, float]], row: dict, path: str | Path,
                         i_max: float = 2.0, reference=None, n_points: int = 81) -> Path:
    """Spike frequency (GHz) vs drive i = J / J0 of the compact neuron (anything with
    ``spike_frequency(i)`` in 1/ns), with the simulated DC runs (i, measured rate) where they exist
    (seed 001 Fig. 9); ``reference``: an optional (label, f(i)) analytic curve."""
    plt = pyplot()
    i = np.linspace(0, i_max, n_points)
    f = [neuron.spike_frequency(x) for x in i]
    fig, ax = plt.subplots(figsize=(6, 4), constrained_layout=True)
    ax.plot(i * row["J0_Am2"] / 1e11, f, "-", label=f"compact model ({row['model_family']})")
    if reference is not None:
        ax.plot(i * row["J0_Am2"] / 1e11, [reference[1](x) for x in i], "k--", lw=1, label=reference[0])
    if dc_points:
        xs, ys = zip(*dc_points)
        ax.plot(np.asarray(xs) * row["J0_Am2"] / 1e11, ys, "o", label="micromagnetic DC runs")
    ax.set(xlabel="J (1e11 A/m^2)", ylabel="spike frequency (GHz)", title=f"{row['device_id']}: f-J curve")
    ax.legend(fontsize=8)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)


def rows_with_normalised_form(frame):
    """Per (device, parameter set, n_layers), the row whose normalised SNN coefficients (g, p2, p0)
    the layer figure shows: the selected family's when it has that form, else the family with the
    form that fits best (lowest training NRMSE). The exponential families and the AFM soliton have no
    normalised form, so a track whose selected family is exponential is shown by its linear fit.

    Parameters
    ----------
    frame : pandas.DataFrame
        The parameter table (``lif_params.csv``).

    Returns
    -------
    pandas.DataFrame
        One row per (device_type, param_set, n_layers) that has g_per_ns.

    Example
    -------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"device_type": ["DW"] * 2, "param_set": ["E"] * 2, "n_layers": [3, 3],
    ...                   "model_family": ["exp_Mishra8", "linear"], "selected": [True, False],
    ...                   "g_per_ns": [None, 0.16], "nrmse_train": [0.006, 0.007]})
    >>> list(rows_with_normalised_form(t)["model_family"])
    ['linear']
    """
    import pandas as pd

    shown = frame[pd.to_numeric(frame["g_per_ns"], errors="coerce").notna()].copy()
    shown["_selected"] = shown["selected"].astype(str) == "True"
    shown["_nrmse"] = pd.to_numeric(shown["nrmse_train"], errors="coerce")
    shown = shown.sort_values(["_selected", "_nrmse"], ascending=[False, True])
    keys = ["device_type", "param_set", "n_layers"]
    return shown.drop_duplicates(keys).drop(columns=["_selected", "_nrmse"]).sort_values(keys)


def plot_parameters_vs_layers(frame, path: str | Path) -> Path:
    """Normalised coefficients (g, p2, p0) vs n_layers with 1-sigma error bars, per device and
    parameter set, from :func:`rows_with_normalised_form`; the legend names the families shown."""
    plt = pyplot()
    shown = rows_with_normalised_form(frame)
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.6), constrained_layout=True)
    for ax, (p, label) in zip(axes, (("g_per_ns", "g (1/ns)"), ("p2_per_ns", "p2 (1/ns)"), ("p0_per_ns", "p0 (1/ns)"))):
        for key, group in shown.groupby(["device_type", "param_set"]):
            families = "/".join(dict.fromkeys(group["model_family"].astype(str)))
            ax.errorbar(group["n_layers"], group[p], yerr=group[p + "_sigma"], fmt="o-", capsize=3,
                        label=f"{key[0]} set {key[1]} ({families})")
        ax.set(xlabel="n_layers", ylabel=label)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7)
        else:
            ax.text(0.5, 0.5, "no row has the normalised form", ha="center", va="center", transform=ax.transAxes)
    fig.suptitle("compact models (selected, else best normalised family): coefficients vs number of layers",
                 fontsize=10)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)


def plot_soliton_fit(runs, row: dict, path: str | Path) -> Path:
    """AFM soliton: wall position X(t) of every run against the compact model from its prepared
    state (left), and the Lorentz contraction lambda_v against v with the fitted
    lambda sqrt(1 - v^2/u^2) (right). The held-out NRMSE of the two folds is in the title."""
    from spinlif.fitting.soliton_fit import position, velocity

    plt = pyplot()
    v = {"lam": row["lambda_nm"], "u_lim": row["u_limit_m_s"], "beta_sg": row["beta_sg_ns_per_nm2"],
         "force": row["force_nm_per_ns2"]}
    fig, (ax, wax) = plt.subplots(1, 2, figsize=(11, 4.5), constrained_layout=True)
    for r in runs:
        label = f"decay v0 = {r.v0:.0f} m/s" if r.kind == "decay" else f"drive i = {r.i:g}"
        line, = ax.plot(r.t, r.X - r.X0, "o", ms=3, label=label)
        fine = np.linspace(0, r.t.max(), 400)
        ax.plot(fine, position(fine, 0.0, r.v0, v["u_lim"], v["beta_sg"], v["force"], r.i), "-",
                color=line.get_color(), lw=1)
        vel = velocity(r.t, r.v0, v["u_lim"], v["beta_sg"], v["force"], r.i)
        wax.plot(np.abs(vel) / v["u_lim"], r.width, ".", color=line.get_color(), ms=4)
    s = np.linspace(0, 0.95, 200)
    wax.plot(s, v["lam"] * np.sqrt(1 - s**2), "k--", lw=1, label=r"$\lambda\sqrt{1 - v^2/u^2}$ (fit)")
    ax.set(xlabel="t (ns)", ylabel="X - X0 (nm)",
           title=f"{row['device_id']}: {row['model_family']} ({row['status']}); dots simulation, lines model\n"
                 f"held-out NRMSE {row['nrmse_test']:.2g} / {row['nrmse_test_swapped']:.2g} (two folds)")
    wax.set(xlabel="|v| / u (model velocity)", ylabel="wall width (nm)",
            title=f"lambda = {v['lam']:.3f} nm, u = {v['u_lim']:.0f} m/s, eps = {row['eps_sg']:.4f}")
    ax.legend(fontsize=7)
    wax.legend(fontsize=7)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)


def plot_washboard_fit(runs, row: dict, path: str | Path) -> Path:
    """AFM neuron: the Neel angle phi(t) of every kick run against the fitted washboard model
    (held-out trains predicted, not fitted), with the firing threshold |phi| = pi/2."""
    from spinlif.fitting.washboard_fit import THRESHOLD, simulate

    plt = pyplot()
    v = {"omega0": row["omega0_rad_s"] * 1e-9, "eta": row["eta"], "b_kick": row["kick_gain_rad_per_ns2"]}
    held_out = {round(x, 6) for x in json.loads(row["kick_intervals_test_ns"])}
    fig, (ax, res_ax) = plt.subplots(2, 1, figsize=(9, 6.5), sharex=True, height_ratios=[3, 1],
                                     constrained_layout=True)
    for r in sorted(runs, key=lambda r: (r.n_kicks, r.interval_ns)):
        model = simulate(v, r.drive, r.t)
        label = ("one kick" if r.n_kicks == 1 else f"DC i = {r.amplitude:g}" if not r.n_kicks
                 else f"{r.n_kicks} kicks every {1e3 * r.interval_ns:.0f} ps") + \
                (" (held out)" if r.n_kicks > 1 and round(r.interval_ns, 6) in held_out else "")
        line, = ax.plot(r.t, r.phi, lw=1.2, label=label)
        ax.plot(r.t, model, "--", color=line.get_color(), lw=1)
        res_ax.plot(r.t, r.phi - model, color=line.get_color(), lw=0.8)
    for s in (-1, 1):
        ax.axhline(s * THRESHOLD, color="k", lw=0.6, ls=":")
    ax.set(ylabel="phi - phi(0) (rad)",
           title=f"{row['device_id']}: {row['model_family']} ({row['status']}); solid simulation, dashed model\n"
                 f"omega0 = {row['omega0_rad_s']:.4g} rad/s, eta = {row['eta']:.3g}, fire/no-fire agrees on "
                 f"{row['fire_agreement']} trains; dotted: threshold")
    ax.legend(fontsize=7)
    res_ax.set(xlabel="t (ns)", ylabel="residual (rad)")
    res_ax.axhline(0, color="k", lw=0.5)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)


SEED_003_RATE_GHZ = (0.1, 3.0)
"""The seed's firing-rate range under DC input (seed 003, Fig. 3a)."""
SEED_003_FIRING_J = (2.0e10, 2.4e10)
"""The current densities of the seed's Fig. 3b,c (A/m^2)."""


def plot_mtj_fit(runs, rows: list[dict], path: str | Path) -> Path:
    """The MTJ minimal models against the runs of one device: (a) m_z(t) of the DC runs at the reference
    ambient temperature (solid) and of each family (dashed, dotted), held-out runs marked; (b) the in-burst
    spike rate against J there, with the seed's range shaded; (c) time to the first spike against J, for DC
    runs and pulse trains (the LIF mode); (d) where the runs vary it, time to the first spike against the
    ambient temperature (held out: the model's prediction)."""
    from spinlif.analysis.observables.mtj_hh import ambient_sweeps, reference_ambient
    from spinlif.fitting.mtj_fit import FAMILIES, NOISE_SEEDS, folds, model_spikes
    from spinlif.fitting.mtj_fit import values_of_row as _values

    plt = pyplot()
    ambient = reference_ambient([r.spec for r in runs])
    ambients = sorted({r.spec["thermal"]["T_amb"] for r in runs})
    n_panels = 4 if len(ambients) > 1 else 3
    fig, axes = plt.subplots(1, n_panels, figsize=(5 * n_panels, 4.6), constrained_layout=True)
    ax, rate_ax, first_ax = axes[:3]
    _, test = folds(runs)
    styles = ["--", ":"]

    def first(spikes):
        return spikes[0] if len(spikes) else np.nan

    at_ref = [r for r in runs if r.spec["thermal"]["T_amb"] == ambient]
    dc = sorted((r for r in at_ref if r.protocol == "dc"), key=lambda r: r.J)
    for r in dc:
        line, = ax.plot(r.t, r.mz, lw=1, label=f"J = {r.J:.3g} A/m²" + (" (held out)" if r in test else ""))
        for style, row in zip(styles, rows):
            out = FAMILIES[row["model_family"]].run(_values(row), r)
            ax.plot(out["t_ns"], out["mz"], style, color=line.get_color(), lw=0.9)
    ax.set(xlabel="t (ns)", ylabel="m_z", title=f"m_z at T_amb = {ambient:g} K: run (solid), " + ", ".join(
        f"{row['model_family']} ({'dashed' if k == 0 else 'dotted'}, {row['status']})" for k, row in enumerate(rows)))
    ax.title.set_fontsize(8)
    ax.legend(fontsize=6)
    rate_ax.axhspan(*SEED_003_RATE_GHZ, color="0.9", label="seed 003 Fig. 3a range")
    rate_ax.axvspan(*SEED_003_FIRING_J, color="0.8", alpha=0.5, label="seed Fig. 3b,c currents")

    def burst_rate(s):
        return 1.0 / float(np.mean(np.diff(s))) if len(s) >= 2 else np.nan

    rate_ax.plot([r.J for r in dc], [burst_rate(r.spikes) for r in dc], "ko-", label="runs (in-burst rate)")
    for style, row in zip(styles, rows):
        fam = FAMILIES[row["model_family"]]
        rate_ax.plot([r.J for r in dc], [burst_rate(model_spikes(fam, _values(row), r)) for r in dc], "s" + style,
                     mfc="none", label=row["model_family"])
    rate_ax.set(xlabel="J (A/m²)", ylabel="spike rate inside the burst (GHz)", yscale="log",
                title=f"f(J) at T_amb = {ambient:g} K (no spikes: not drawn)")
    rate_ax.legend(fontsize=7)
    for kind, marker in (("dc", "o"), ("pulse_train", "^")):
        these = sorted((r for r in at_ref if r.protocol == kind), key=lambda r: r.J)
        if not these:
            continue
        first_ax.plot([r.J for r in these], [first(r.spikes) for r in these], "k" + marker, label=f"runs, {kind}")
        for style, row in zip(styles, rows):
            fam = FAMILIES[row["model_family"]]
            t1 = [first(model_spikes(fam, _values(row), r)) for r in these]
            first_ax.plot([r.J for r in these], t1, marker + style, mfc="none", label=f"{row['model_family']}, {kind}")
    first_ax.set(xlabel="J, DC level or pulse level (A/m²)", ylabel="time to first spike (ns)",
                 title=f"first spike at T_amb = {ambient:g} K (pulse trains: LIF mode, held out)")
    first_ax.title.set_fontsize(9)
    first_ax.legend(fontsize=7)
    if n_panels == 4:
        t_ax = axes[3]
        for J, ks in ambient_sweeps([r.spec for r in runs]).items():
            these = [runs[k] for k in ks]
            T = [r.spec["thermal"]["T_amb"] for r in these]
            t_ax.plot(T, [first(r.spikes) for r in these], "ko-", label=f"runs, J = {J:.3g} A/m²")
            for style, row in zip(styles, rows):
                fam = FAMILIES[row["model_family"]]
                line, = t_ax.plot(T, [first(model_spikes(fam, _values(row), r)) for r in these], "s" + style,
                                  mfc="none", label=f"{row['model_family']}, J = {J:.3g} A/m²")
                # the thermal spread of one run: the stochastic model's first spikes (Eq. 4 noise, seeded)
                noisy = np.array([[first(model_spikes(fam, _values(row), r, noise=True, seed=k))
                                   for k in range(NOISE_SEEDS)] for r in these])
                t_ax.errorbar(np.asarray(T) + 3 * (styles.index(style) + 1), np.nanmean(noisy, axis=1),
                              yerr=np.nanstd(noisy, axis=1), fmt="none", color=line.get_color(), capsize=3, lw=0.8)
        t_ax.axvline(ambient, color="0.6", lw=0.8, ls=":", label=f"fitted at {ambient:g} K")
        t_ax.set(xlabel="ambient temperature T_amb (K)", ylabel="time to first spike (ns)",
                 title=f"ambient temperature (all but {ambient:g} K held out)\n"
                       f"bars: the stochastic model's spread over {NOISE_SEEDS} seeds")
        t_ax.title.set_fontsize(9)
        t_ax.legend(fontsize=7)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)
