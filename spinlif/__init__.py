# SPDX-License-Identifier: GPL-3.0-or-later
"""spinlif: micromagnetic spintronic neurons -> compact LIF models.

This package holds the simulation side: device specs, sweep expansion, MuMax3 script
rendering, the two engines (``mumax3`` on a GPU, ``cpu`` with magnum.np) and run management.
"""

__version__ = "0.1.0"
