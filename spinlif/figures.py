# SPDX-License-Identifier: GPL-3.0-or-later
"""matplotlib for the pipeline's figures: one place that picks the non-interactive Agg backend, so
no figure needs a display (workstations over ssh, SLURM jobs)."""

from __future__ import annotations


def pyplot():
    """``matplotlib.pyplot`` on the Agg backend.

    Returns
    -------
    module
        ``matplotlib.pyplot``.

    Example
    -------
    >>> plt = pyplot()
    >>> plt.get_backend().lower()
    'agg'
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot

    return matplotlib.pyplot
