# SPDX-License-Identifier: GPL-3.0-or-later
"""Interop with ubermag's discretisedfield (optional extra ``spinlif[ubermag]``).

discretisedfield's dependency tree (pyvista, trame, jupyter, ...) is too heavy for cluster
nodes, so the core reader never imports it; this module does, on demand.
Axis order differs: spinlif arrays are (z, y, x, component), discretisedfield's (x, y, z, vdims).
"""

from __future__ import annotations

import numpy as np
import xarray as xr


def to_discretisedfield(field: xr.DataArray):
    """A ``discretisedfield.Field`` from one snapshot ``(z, y, x, component)`` as ``read_ovf`` returns.

    The mesh keeps the snapshot's coordinates (metres): its lower corner is at the first cell
    centre minus half a cell.
    """
    try:
        import discretisedfield as df
    except ImportError as err:
        raise ImportError("to_discretisedfield needs discretisedfield: pip install 'spinlif[ubermag]'") from err
    if set(field.dims) != {"z", "y", "x", "component"}:
        raise ValueError(f"expected dims (z, y, x, component), got {field.dims}")
    field = field.transpose("z", "y", "x", "component")
    cell = []
    p1 = []
    for axis in ("x", "y", "z"):
        c = field[axis].values
        step = float(c[1] - c[0]) if c.size > 1 else float(field.attrs.get("cellsize", (1, 1, 1))["xyz".index(axis)])
        cell.append(step)
        p1.append(float(c[0]) - step / 2)
    n = (field.sizes["x"], field.sizes["y"], field.sizes["z"])
    p2 = [a + s * k for a, s, k in zip(p1, cell, n)]
    mesh = df.Mesh(p1=p1, p2=p2, n=n)
    values = np.asarray(field.values).transpose(2, 1, 0, 3)
    ncomp = values.shape[-1]
    return df.Field(mesh, nvdim=ncomp, value=values,
                    vdims=list(map(str, field["component"].values)) if ncomp > 1 else None)
