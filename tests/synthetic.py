# SPDX-License-Identifier: GPL-3.0-or-later
"""Synthetic domain-wall runs generated from a known compact model, rounded to float32 as MuMax3's
tables are: the ground truth of the fit stage's recovery tests and of ``benchmarks/fit_speed.py``."""

from __future__ import annotations

import numpy as np

from spinlif.fitting.afm_rows import Provenance
from spinlif.fitting.device_fit import RunTrace
from spinlif.fitting.models import FAMILIES
from spinlif.fitting.trajectory import Drive, Trajectory, integrate

TRUE_LINEAR = {"tau": 4.0, "u_rest": -0.2, "gamma": 0.6}
"""The linear LIF family's coefficients (ns, state, 1/ns) of the default synthetic device."""
U0 = -0.6
"""Initial <m_z> of every synthetic run (a wall at -40 nm on a 128 nm track)."""


def synthetic_dw_trace(protocol: str, t_off_ns: float | None = None, *, duration_ns: float = 12.0,
                       tail_ns: float = 3.0, amplitude: float = 1.0, family: str = "linear",
                       values: dict | None = None, dt_ns: float = 0.01) -> RunTrace:
    """One run: ``train`` (1 ns ON / ``t_off_ns`` OFF), ``dc`` (``amplitude`` for 2 ns, then
    relaxation) or ``control`` (J = 0), on the demo device's spec (set E, 3 layers, 128 x 32 nm^2)."""
    from spinlif.spec import base_spec

    spec = base_spec("domain_wall", "E")
    spec["stack"]["n_layers"] = 3
    spec["geometry"].update(length=128e-9, width=32e-9)
    duty = None
    if protocol == "train":
        drive = Drive.pulse_train(1.0, t_off_ns, duration_ns, tail_ns)
        spec["drive"].update(protocol="pulse_train", t_on=1e-9, t_off=t_off_ns * 1e-9)
        duty = 1.0 / (1.0 + t_off_ns)
    elif protocol == "dc":
        drive = Drive(np.array([0.0, 2.0, 2.0 + tail_ns]), np.array([amplitude, 0.0]))
        spec["drive"].update(protocol="dc", amplitude=amplitude)
    else:
        drive = Drive(np.array([0.0, duration_ns]), np.array([0.0]))
        spec["drive"].update(protocol="relaxation")
    t = np.round(np.arange(0, drive.edges[-1] + 1e-9, dt_ns), 10)
    u = integrate(FAMILIES[family], values or TRUE_LINEAR, drive, t, U0).astype(np.float32).astype(float)
    label = f"{protocol}:{t_off_ns}"
    return RunTrace(f"{protocol}{t_off_ns}", protocol, duty, Trajectory(t, u, drive, label), spec,
                    Provenance("cpu", "spinlif 0.1.0 MuMax3 script interpreter, torch 2.13.0+cpu", "00" * 32, "11" * 32))


def synthetic_dw_group(**kwargs) -> list[RunTrace]:
    """Four trains (50, 40, 33, 25 % duty), a J = 0 control and a DC step at i = 0.5."""
    runs = [synthetic_dw_trace("train", off, **kwargs) for off in (1.0, 1.5, 2.0, 3.0)]
    return runs + [synthetic_dw_trace("control", **kwargs), synthetic_dw_trace("dc", amplitude=0.5, **kwargs)]
