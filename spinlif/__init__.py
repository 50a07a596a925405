# SPDX-License-Identifier: GPL-3.0-or-later
"""spinlif: micromagnetic spintronic neurons -> compact LIF models.

This package holds the simulation side: device specs, sweep expansion, MuMax3 script
rendering, the two engines that execute the rendered script (``mumax3`` on a GPU; ``cpu``, spinlif's
MuMax3 script interpreter on PyTorch, :mod:`spinlif.mx3`) and run management.
"""

__version__ = "0.1.0"
