# SPDX-License-Identifier: GPL-3.0-or-later
"""Every ``Example`` in a docstring of spinlif (spinlif.analysis and spinlif.fitting included) runs,
under the import names users write, and prints what it says."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import spinlif
import spinlif.analysis
import spinlif.fitting


def _modules() -> list[str]:
    names = []
    for package in (spinlif, spinlif.analysis, spinlif.fitting):
        names.append(package.__name__)
        names += [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
    return sorted(set(names))


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples failed (python -m doctest -v)"
