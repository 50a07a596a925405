# SPDX-License-Identifier: GPL-3.0-or-later
"""The seed paper's compact-model coefficients, converted to our units (physics-brief section 4.4),
as a separate comparison table (``results/params/seed_comparison.csv``). They are never fit
targets: the seed's numbers are not self-consistent (brief section 1, rows 6-10)."""

from __future__ import annotations

import math

import pandas as pd

# (device_type, model_family, column, unit, seed value converted, conversion note)
SEED_CONVERTED = [
    ("DW", "exp_Mishra8", "alpha_per_ns", "1/ns", -0.010, "alpha_seed = -1e7 1/s"),
    ("DW", "exp_Mishra8", "beta", "1", -1.549, "as printed"),
    ("DW", "exp_Mishra8", "gamma_per_ns", "1/ns", 0.1039, "gamma J0 at J0 = 1e11 A/m^2"),
    ("DW", "lin_Mishra9corr", "a1_per_ns", "1/ns", 0.0155, "linear leak alpha beta (tau = 64.6 ns)"),
    ("DW", "linear", "tau_ns", "ns", 64.6, "1 / a1"),
    ("SKY", "quad", "k1_per_nm_ns", "1/(nm ns)", -0.0026, "nm/ns reading of seed Eq. 15"),
    ("SKY", "quad", "k2_per_ns", "1/ns", -0.0568, "nm/ns reading of seed Eq. 15"),
    ("SKY", "quad", "gamma_per_ns", "nm/ns", 5.7529, "gamma I at I = 1e-4 A, A_HM = 1e-15 m^2"),
]
CAVEAT = ("compare, do not tune: the seed used a 512 nm track, threshold m_z = 0.9 (DW) and coefficients "
          "that are not self-consistent (physics-brief sections 1 and 4.4)")


def comparison_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Our fitted values next to the seed's converted ones, for every row with a counterpart."""
    out = []
    for device_type, family, column, unit, seed, note in SEED_CONVERTED:
        rows = frame[(frame["device_type"] == device_type) & (frame["model_family"] == family)]
        for r in rows.itertuples():
            ours, sigma = float(getattr(r, column)), float(getattr(r, column + "_sigma"))
            out.append({"device_id": r.device_id, "model_family": family, "quantity": column, "unit": unit,
                        "ours": ours, "ours_sigma": sigma, "seed_converted": seed,
                        "ratio_ours_to_seed": ours / seed if math.isfinite(ours) else math.nan,
                        "status": r.status, "conversion": note, "caveat": CAVEAT})
    return pd.DataFrame(out, columns=["device_id", "model_family", "quantity", "unit", "ours", "ours_sigma",
                                      "seed_converted", "ratio_ours_to_seed", "status", "conversion", "caveat"])
