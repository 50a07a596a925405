# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared test settings: fixture paths and a quiet, single-threaded CPU engine."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# The shared folder sits beside the checkout (../shared); SPINLIF_SHARED overrides it.
SHARED = Path(os.environ.get("SPINLIF_SHARED", REPO.parent / "shared"))
FIXTURES = SHARED / "fixtures" / "mumax3"

# magnum.np probes for a GPU at import unless told not to (cpu-engine-facts.md).
os.environ.setdefault("CUDA_DEVICE", "-1")
