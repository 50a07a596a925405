# SPDX-License-Identifier: GPL-3.0-or-later
"""One fit API in lmfit's shape (issue 13, item 4): every compact-model family, LIF (domain wall,
skyrmion), AFM soliton and AFM neuron, is a CompactModel whose fit returns the one FitResult, with
values, stderr, ci95, correlation, nrmse, report() and eval(). Each family is fitted here to data
it generated itself, so the result must also recover its coefficients."""

import math

import numpy as np
import pytest

from spinlif.fitting import FAMILIES, CompactModel, FitResult
from spinlif.fitting import soliton_fit, washboard_fit
from tests.synthetic import TRUE_LINEAR, synthetic_dw_group
from tests.test_soliton_fit import TRUE as TRUE_SOLITON
from tests.test_soliton_fit import synthetic_runs
from tests.test_washboard_fit import TRUE as TRUE_WASHBOARD
from tests.test_washboard_fit import kick_run


def _cases():
    lif = [tr.trajectory for tr in synthetic_dw_group() if tr.is_train]
    walls = synthetic_runs(noise=0.01, rng=np.random.default_rng(3))
    kicks = [kick_run(1.0, 1, tail=2.0)] + [kick_run(T, 8) for T in (0.05, 0.2)]
    # the synthetic wall runs carry no spec (guess() reads the strip's sine-Gordon mapping): a start 10-50 % off
    off = {"lam": 9.0, "u_lim": 9000.0, "beta_sg": 0.7 * TRUE_SOLITON["beta_sg"], "force": 0.5 * TRUE_SOLITON["force"]}
    return [(FAMILIES["linear"], lif, TRUE_LINEAR, 0.02, None), (soliton_fit.FAMILY, walls, TRUE_SOLITON, 0.03, off),
            (washboard_fit.FAMILY, kicks, TRUE_WASHBOARD, 0.01, None)]


@pytest.mark.parametrize("case", range(3), ids=["linear (LIF)", "sine_gordon (AFM soliton)", "washboard2 (AFM neuron)"])
def test_every_family_fits_through_one_api(case):
    family, data, truth, rel, start = _cases()[case]
    assert isinstance(family, CompactModel) and family.names == [p.name for p in family.parameters]
    if start is None:
        assert set(family.guess(data)) >= set(family.names)
    result = family.fit(data, start)
    assert isinstance(result, FitResult) and result.family is family and result.success
    for name in family.names:
        assert result.values[name] == pytest.approx(truth[name], rel=rel), name
        lo, hi = result.ci95[name]
        assert lo <= result.values[name] <= hi
        assert math.isfinite(result.stderr[name]) and name in result.report()
    assert result.correlation.shape == (len(family.names),) * 2
    assert len(result.nrmse) == len(data) and max(result.nrmse.values()) < 0.05
    model = result.eval(data[-1])
    assert model.shape == family.observed(data[-1]).shape
    assert family.nrmse(result.values, data[-1]) < 0.05  # from the recorded first state (LIF: no nuisance u0)
