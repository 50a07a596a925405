# SPDX-License-Identifier: GPL-3.0-or-later
"""Render a run spec to a MuMax3 ``.mx3`` script (Jinja2 with StrictUndefined).

Snakemake's own ``template_engine: jinja2`` uses a plain ``jinja2.Template``, which renders a
misspelled variable as an empty string (ecosystem.md section 1.5); we render here instead, so
every missing value is an error.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import jinja2

from spinlif import __version__
from spinlif.devices import device_module
from spinlif.spec import spec_hash

TEMPLATES = Path(__file__).resolve().parents[1] / "mx3_templates"


def environment() -> jinja2.Environment:
    """The Jinja2 environment for ``mx3_templates/`` (StrictUndefined, no autoescape)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=False,
        autoescape=False,
    )


def template_sha256(name: str) -> str:
    """SHA-256 over the template and the shared macros (provenance of a rendered script);
    ``name`` is relative to ``mx3_templates/`` (``validation/sp4.mx3.j2`` for a validation case)."""
    h = hashlib.sha256()
    for part in (name, "_macros.mx3.j2"):
        h.update((TEMPLATES / part).read_bytes())
    return h.hexdigest()


def render(spec: dict) -> str:
    """The MuMax3 script of one validated run spec."""
    device = device_module(spec["device"])
    context = device.template_context(spec)
    context.update(
        run_id=spec_hash(spec)[:10],
        spec_sha256=spec_hash(spec),
        template=device.TEMPLATE,
        version=__version__,
    )
    return tidy_script(environment().get_template(device.TEMPLATE).render(**context))


def tidy_script(text: str) -> str:
    """Collapse runs of blank lines left by template control blocks; strip trailing spaces."""
    lines: list[str] = []
    for line in text.splitlines():
        if line.strip() or (lines and lines[-1].strip()):
            lines.append(line.rstrip())
    return "\n".join(lines).rstrip() + "\n"


def write_script(text: str, path: str | Path) -> Path:
    """Write a rendered script atomically (a temporary file renamed): a killed render leaves no
    half-written ``run.mx3`` for Snakemake to trust.

    Parameters
    ----------
    text : str
        The script (:func:`render`, or a job's :meth:`spinlif.runs.Job.render`).
    path : str or Path
        Where it goes.

    Returns
    -------
    Path
        ``path``.

    Example
    -------
    >>> import tempfile
    >>> write_script("Run(1e-9)\\n", Path(tempfile.mkdtemp()) / "run.mx3").read_text()
    'Run(1e-9)\\n'
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    tmp.replace(path)
    return path
