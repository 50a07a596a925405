# SPDX-License-Identifier: GPL-3.0-or-later
"""An snnTorch neuron built from a parameter-table row (optional dependency: ``pip install
spinlif[snn]``, i.e. snntorch).

:func:`spintronic_lif` returns a ``snntorch.Leaky`` subclass instance whose state update is the
fitted compact model in its normalised form, one forward-Euler step per call:

    mem <- mem + dt (p1 mem^2 + p2 mem + p0 + g i),   spike when mem > 1,

with the input ``i = J / J0`` per step and ``dt`` the table's ``dt_recommended_ns`` (ns). Reset:
``"zero"`` (to rest, the table's ``reset_mode = to_rest``) or ``"subtract"``; snnTorch applies it
on the step after the spike, and its surrogate gradient (atan) keeps the neuron trainable.
"""

from __future__ import annotations

from functools import cache


@cache
def _neuron_class():
    import snntorch as snn
    import torch

    class SpintronicLIF(snn.Leaky):
        """snnTorch ``Leaky`` with the spintronic compact model as its state function."""

        def __init__(self, p1: float, p2: float, p0: float, g: float, dt: float, **kwargs):
            kwargs.setdefault("reset_mechanism", "zero")
            super().__init__(beta=1.0, threshold=1.0, **kwargs)
            self.register_buffer("coefficients", torch.tensor([p1, p2, p0, g], dtype=torch.float64))
            self.dt = float(dt)

        def _base_state_function(self, input_):
            p1, p2, p0, g = self.coefficients.to(self.mem.dtype)
            mem = self.mem
            return mem + self.dt * (p1 * mem * mem + p2 * mem + p0 + g * input_)

    return SpintronicLIF


def spintronic_lif(params, dt: float | None = None, **kwargs):
    """The snnTorch neuron of one :class:`fitting.table.NeuronParams` row (keyword arguments go to
    ``snntorch.Leaky``, e.g. ``spike_grad``, ``init_hidden``, ``reset_mechanism``)."""
    import math

    if not all(math.isfinite(v) for v in (params.p1, params.p2, params.p0, params.g)):
        raise ValueError(f"{params.device_id} {params.model_family}: no normalised polynomial form "
                         "(exponential family); choose a polynomial family row")
    if params.record.get("reset_mode") == "subtract":
        kwargs.setdefault("reset_mechanism", "subtract")
    return _neuron_class()(params.p1, params.p2, params.p0, params.g, dt or params.dt, **kwargs)
