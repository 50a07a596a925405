# SPDX-License-Identifier: GPL-3.0-or-later
"""Reading a user's YAML (configs, run specs, validation problems) strictly.

PyYAML's ``safe_load`` lets the last of two equal keys win silently (issue 17: a 5 ns run became
60 ns) and expands aliases into shared structure that a 700-byte file can make exponential ("billion
laughs"). Here both are errors, as is any file over :data:`MAX_YAML_BYTES`; syntax errors name the
file, line and column. :func:`check_plain_data` applies the same limits to data that arrived by
another reader (Snakemake's ``--configfile``/``--config``) and refuses NaN and infinity.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import yaml

from spinlif.errors import SpecError

MAX_YAML_BYTES = 4 * 2**20
"""Largest YAML input read (bytes): the 400-run paper config is 9 kB."""

MAX_NODES = 200_000
"""Most values (mappings, lists and scalars) in one input, counted without expanding anything."""


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases and duplicate keys, with the line of each."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise SpecError(f"{self.name}:{mark.line + 1}:{mark.column + 1}: YAML aliases (*name) are not "
                            "allowed; write the values out (an alias can expand a small file without bound)")
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise SpecError(f"{self.name}:{line}: duplicate key {key!r} (first on line {seen[key]}); "
                                "each key may appear once in a mapping")
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


def load_yaml(path: str | Path) -> Any:
    """Parse one YAML file strictly.

    Parameters
    ----------
    path : str or Path
        A config, run spec or validation problem.

    Returns
    -------
    Any
        The document (``None`` for an empty file).

    Raises
    ------
    SpecError
        A syntax error (with file, line and column), a duplicate key, an alias, a file over
        :data:`MAX_YAML_BYTES`, or non-finite numbers (see :func:`check_plain_data`).

    Example
    -------
    >>> load_yaml("config/config.yaml")["engine"]  # doctest: +SKIP
    'auto'
    """
    path = Path(path)
    if not path.is_file():
        raise SpecError(f"{path}: no such file")
    size = path.stat().st_size
    if size > MAX_YAML_BYTES:
        raise SpecError(f"{path}: {size} bytes; a spinlif YAML input may have at most {MAX_YAML_BYTES}")
    text = path.read_text()
    loader = _StrictLoader(text)
    loader.name = str(path)
    try:
        document = loader.get_single_data()
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise SpecError(f"{where}: YAML syntax error: {err.problem or err.context}") from None
    except yaml.YAMLError as err:
        raise SpecError(f"{path}: YAML error: {err}") from None
    finally:
        loader.dispose()
    check_plain_data(document, str(path))
    return document


def check_plain_data(obj: Any, where: str) -> None:
    """Refuse what no spinlif input may hold: NaN or infinity (naming the key), one list or mapping
    reached twice (what a YAML alias leaves), or more than :data:`MAX_NODES` values.

    Parameters
    ----------
    obj : Any
        A parsed document (dicts, lists, scalars).
    where : str
        Its name in messages, e.g. ``"config"``.

    Raises
    ------
    SpecError
        Naming the dotted key of the first offending value.

    Example
    -------
    >>> check_plain_data({"drive": {"duration": float("nan")}}, "config")
    Traceback (most recent call last):
    ...
    spinlif.errors.SpecError: config drive.duration = nan: must be a finite number
    """
    seen: set[int] = set()
    stack: list[tuple[str, Any]] = [("", obj)]
    count = 0
    while stack:
        key, value = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise SpecError(f"{where}: more than {MAX_NODES} values; a spinlif input is far smaller")
        if isinstance(value, (dict, list)):
            if id(value) in seen:
                raise SpecError(f"{where} {key or '(top level)'}: the same YAML node appears twice "
                                "(an alias); write the values out")
            seen.add(id(value))
            items = value.items() if isinstance(value, dict) else enumerate(value)
            stack.extend((f"{key}.{k}" if key else str(k), v) for k, v in items)
        elif isinstance(value, float) and not math.isfinite(value):
            raise SpecError(f"{where} {key} = {value}: must be a finite number")
