# SPDX-License-Identifier: GPL-3.0-or-later
"""Parse MuMax3 scripts with lark (LALR, ``grammar.lark``) into a lark ``Tree`` with line numbers.

MuMax3 compiles scripts with Go's own parser (mumax/3 ``script/compile.go`` wraps the file in
``func(){ ... }``), so newlines end statements by Go's semicolon rule: a newline counts only after
an identifier, a literal, ``)``, ``]``, ``}``, ``++`` or ``--`` (:class:`GoSemicolons`). A line that
ends in an operator or a comma continues on the next line.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import lark

__all__ = ["ScriptError", "parse"]

_ENDS_STATEMENT = {"NAME", "NUMBER", "STRING", "RPAR", "RSQB", "RBRACE", "INCDEC"}


class ExpectFailed(RuntimeError):
    """An ``expect``/``expectv`` outside its tolerance (MuMax3 stops the script)."""


class ScriptError(Exception):
    """An error in a MuMax3 script, reported as one line ``FILE:LINE: message``."""

    def __init__(self, message: str, line: int | None = None, file: str | None = None):
        self.message, self.line, self.file = message, line, file
        super().__init__(self.format())

    def format(self) -> str:
        where = self.file or "<script>"
        if self.line is not None:
            where += f":{self.line}"
        return f"{where}: {self.message}"

    def located(self, file: str) -> ScriptError:
        """The same error naming ``file`` (the interpreter raises it before it knows the file)."""
        self.file = file
        self.args = (self.format(),)
        return self


class GoSemicolons:
    """lark post-lexer: keep a newline as a statement end only where Go inserts a semicolon."""

    always_accept = ()

    def process(self, stream):
        previous = None
        for token in stream:
            if token.type == "_SEMI" and token.value == "\n":
                if previous is None or previous.type not in _ENDS_STATEMENT:
                    continue
            yield token
            previous = token


@cache
def _parser() -> lark.Lark:
    grammar = (Path(__file__).with_name("grammar.lark")).read_text()
    return lark.Lark(grammar, parser="lalr", postlex=GoSemicolons(), propagate_positions=True,
                     maybe_placeholders=True)


def parse(text: str, file: str | None = None) -> lark.Tree:
    """The syntax tree of a MuMax3 script; a syntax error raises :class:`ScriptError` with its line.

    Parameters
    ----------
    text : str
        The script.
    file : str, optional
        Its path, for error messages.

    Returns
    -------
    lark.Tree
        ``start`` with one child per top-level statement; every node has ``meta.line``.

    Example
    -------
    >>> parse("SetGridSize(4, 4, 1)\\nRun(1e-9)").children[1].data
    'expr_stmt'
    """
    try:
        return _parser().parse(text + "\n")
    except lark.exceptions.UnexpectedCharacters as err:
        raise ScriptError(f"syntax error: unexpected character {text.splitlines()[err.line - 1][err.column - 1]!r}",
                          err.line, file) from None
    except lark.exceptions.UnexpectedToken as err:
        token = err.token
        shown = "end of line" if token.type == "_SEMI" else ("end of file" if token.type == "$END"
                                                               else repr(str(token)))
        raise ScriptError(f"syntax error: unexpected {shown}", getattr(token, "line", None), file) from None
    except lark.exceptions.UnexpectedEOF:
        raise ScriptError("syntax error: unexpected end of file", len(text.splitlines()), file) from None
