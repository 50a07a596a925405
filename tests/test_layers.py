# SPDX-License-Identifier: GPL-3.0-or-later
"""The package layout of issue 13: analysis/ and fitting/ install as spinlif.analysis and
spinlif.fitting (no generic top-level names), the layers import one way, and no module imports
itself through others. import-linter checks the contracts in pyproject.toml on the installed tree,
the layout users get from `pip install`."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """``pip install --target`` of this checkout: the files a user's site-packages would get."""
    target = tmp_path_factory.mktemp("site-packages")
    build = tmp_path_factory.mktemp("build")
    shutil.copytree(REPO, build / "src", ignore=shutil.ignore_patterns(
        ".git", ".venv", "results", "*.egg-info", "build", "__pycache__", ".snakemake", "tests"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--target", str(target), str(build / "src")], check=True, capture_output=True)
    return target


def lint(site: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), str(REPO / "pyproject.toml"), "--no-cache"], cwd=site,
                          env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}, capture_output=True, text=True)


def test_analysis_and_fitting_install_under_the_spinlif_namespace(installed):
    assert not (installed / "analysis").exists() and not (installed / "fitting").exists()
    for folder, package in (("spinlif", "spinlif"), ("analysis", "spinlif/analysis"), ("fitting", "spinlif/fitting")):
        sources = {p.relative_to(REPO / folder) for p in (REPO / folder).rglob("*.py") if "__pycache__" not in p.parts}
        copied = {p.relative_to(installed / package) for p in (installed / package).rglob("*.py")
                  if "__pycache__" not in p.parts and not (package == "spinlif" and p.parts[len(installed.parts) + 1]
                                                           in ("analysis", "fitting"))}
        assert sources == copied, f"{folder}/: not installed: {sorted(map(str, sources - copied))}"
    assert (installed / "spinlif" / "validation" / "cases.yaml").exists()


def test_the_layers_import_one_way_and_no_module_imports_itself(installed):
    out = lint(installed)
    assert out.returncode == 0 and "2 kept, 0 broken" in out.stdout, out.stdout[-3000:] + out.stderr[-2000:]


@pytest.mark.parametrize("module, statement, broken", [
    ("spinlif/units.py", "import spinlif.fitting.table", "spinlif imports one way"),  # an import up the layers
    ("spinlif/analysis/theory.py", "from spinlif import sweep", "spinlif imports one way"),
    ("spinlif/fitting/models.py", "from spinlif.fitting import table", "no import cycles"),  # table imports models
])
def test_the_contracts_catch_what_they_forbid(installed, tmp_path, module, statement, broken):
    site = tmp_path / "site"
    shutil.copytree(installed / "spinlif", site / "spinlif")
    path = site / module
    path.write_text(path.read_text() + f"\n\ndef _probe():\n    {statement}\n")
    out = lint(site)
    assert out.returncode != 0 and f"{broken}" in out.stdout.split("Broken contracts")[1], out.stdout[-3000:]


def test_every_module_has_a_layer(installed):
    """A new module outside every layer would escape the contract: each spinlif.X and
    spinlif.analysis.X must be named (spinlif.fitting is one layer whole)."""
    import tomllib

    contract = next(c for c in tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
                    if c["type"] == "layers")
    named = {m.strip() for layer in contract["layers"] for m in layer.replace("|", ":").split(":")}
    modules = set()
    for package in ("spinlif", "spinlif/analysis"):
        for p in (installed / package).iterdir():
            if p.name.startswith("__") or (p.suffix != ".py" and not (p / "__init__.py").exists()):
                continue
            modules.add(package.replace("/", ".") + "." + p.stem)
    modules -= {"spinlif.analysis", "spinlif.fitting"}
    assert modules - named == set(), f"modules in no layer (pyproject.toml [tool.importlinter]): {sorted(modules - named)}"
