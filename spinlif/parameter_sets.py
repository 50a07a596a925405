# SPDX-License-Identifier: GPL-3.0-or-later
"""The material parameter sets S, P, R, E of ``../shared/docs/physics-brief.md`` section 2.

All values SI. The DMI strength depends on the device (section 0, decision 2): the
domain-wall device uses 1 mJ/m^2 (the seed's "1e-12 J/m^2" is taken as a typo; with
D ~ 0 there is no Neel wall and no steady SOT motion), the skyrmion device 3 mJ/m^2
(1 mJ/m^2 collapses the skyrmion, brief section 5 V5).
"""

from __future__ import annotations

# Seed Table I with the brief's corrections (section 1, rows 1-4 and 12-13).
_SEED_MATERIAL = {
    "Ms": 8.0e5,          # A/m
    "Aex": 1.5e-11,       # J/m
    "Ku1": 9.0e5,         # J/m^3 (seed says J/m^2: row 1)
    "alpha": 0.15,
    "theta_SH": -0.15,    # beta-Ta, Liu et al. Science 336, 555 (2012): row 12
    "epsilon_prime": 0.0,  # field-like SOT off (damping-like only): row 12
}

PARAMETER_SETS: dict[str, dict] = {
    # S: seed replica, contiguous 0.8 nm cells, ext_InterExchange 5e-13 J/m (row 3)
    "S": {
        "material": dict(_SEED_MATERIAL),
        "stack": {"variant": "contiguous", "t_fm": 0.8e-9, "t_spacer": 0.0,
                  "interlayer_exchange": 5.0e-13},
    },
    # P: physical multilayer, Ta spacers as empty cells, no interlayer exchange
    "P": {
        "material": dict(_SEED_MATERIAL),
        "stack": {"variant": "spacers", "t_fm": 0.8e-9, "t_spacer": 0.8e-9,
                  "interlayer_exchange": 0.0},
    },
    # R: realistic Ta/CoFeB (Ikeda 2010, Emori 2013): sensitivity / caveat runs
    "R": {
        "material": {"Ms": 1.1e6, "Aex": 1.5e-11, "Ku1": 1.6e6, "alpha": 0.02,
                     "theta_SH": -0.12, "epsilon_prime": 0.0, "Dind": 0.2e-3},
        "stack": {"variant": "spacers", "t_fm": 0.8e-9, "t_spacer": 0.8e-9,
                  "interlayer_exchange": 0.0},
    },
    # E: effective medium, one layer of N*p with Ms, A, K, D scaled by f = t_fm/p (row 4)
    "E": {
        "material": dict(_SEED_MATERIAL),
        "stack": {"variant": "effective_medium", "t_fm": 0.8e-9, "t_spacer": 0.8e-9,
                  "interlayer_exchange": 0.0},
    },
}
