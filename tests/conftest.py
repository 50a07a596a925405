# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared test settings: fixture paths and a quiet, single-threaded CPU engine."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# The shared folder sits beside the checkout (../shared); SPINLIF_SHARED overrides it.
SHARED = Path(os.environ.get("SPINLIF_SHARED", REPO.parent / "shared"))
FIXTURES = SHARED / "fixtures" / "mumax3"

# magnum.np (imported by one cross-check test) probes for a GPU at import unless told not to
# (cpu-engine-facts.md).
os.environ.setdefault("CUDA_DEVICE", "-1")
# Short test runs are faster without torch.compile's 10-20 s warm-up (cpu-engine-facts.md);
# the pipeline itself runs compiled.
os.environ.setdefault("TORCHDYNAMO_DISABLE", "1")

import pytest  # noqa: E402

from spinlif.spec import base_spec, validate_spec  # noqa: E402


def small_dw_spec(**overrides) -> dict:
    """A single-layer domain-wall spec on a small strip, for CPU-engine tests (SI units).

    ``overrides`` are dotted spec paths, e.g. ``{"drive.duration": 0.3e-9}``.
    """
    spec = base_spec("domain_wall", "P")
    spec["stack"]["n_layers"] = 1
    spec["geometry"].update(length=256e-9, width=16e-9)
    spec["initial_state"]["wall_position"] = -60e-9
    spec["drive"].update(protocol="dc", duration=0.5e-9, tail=0.0)
    spec["sampling"].update(snapshot_period=0.25e-9, snapshot_edge_periods=0)
    from spinlif.spec import set_dotted

    for key, value in overrides.items():
        set_dotted(spec, key, value, "test")
    return validate_spec(spec)


@pytest.fixture
def dw_spec():
    return small_dw_spec
