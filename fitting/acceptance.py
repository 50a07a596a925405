# SPDX-License-Identifier: GPL-3.0-or-later
"""Acceptance targets of a fitted row for deterministic (T = 0) data, physics-brief section 4.1: the
same numbers for the LIF rows (:mod:`spinlif.fitting.device_fit`) and the AFM rows
(:mod:`spinlif.fitting.afm_rows`)."""

NRMSE_TRAIN_MAX = 0.03
NRMSE_TEST_MAX = 0.08
CI_HALF_WIDTH_MAX = 0.20
REJECT_NRMSE_TRAIN = 0.10   # a model that cannot follow its own training data
R2_DERIV_MIN = 0.95
RUNS_TEST_P_MIN = 0.01
