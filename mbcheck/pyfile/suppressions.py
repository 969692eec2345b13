"""``# mbcheck: ignore[...]`` comments: where they are and what they cover.

The engine applies them once, after every rule ran (see :func:`mbcheck.engine.check`).
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import replace

from mbcheck.context import Suppression
from mbcheck.model import Span

_SUPPRESS = re.compile(r"#\s*mbcheck:\s*(ignore-file|ignore)\b(?:\[([^\]]*)\])?", re.IGNORECASE)


def parse_suppressions(text: str, path: str) -> tuple[Suppression, ...]:
    """``# mbcheck: ignore[CODE, ...]`` and ``# mbcheck: ignore-file[CODE]`` comments."""
    if "mbcheck:" not in text:
        return ()
    comments: list[tuple[int, int, str]] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                comments.append((token.start[0], token.start[1], token.string))
    except (tokenize.TokenError, SyntaxError, IndentationError, RecursionError, MemoryError):
        comments = [
            (number, line.index("#"), line[line.index("#"):])
            for number, line in enumerate(text.splitlines(), 1)
            if "#" in line
        ]
    out: list[Suppression] = []
    for line, col, comment in comments:
        for match in _SUPPRESS.finditer(comment):
            kind, codes = match.group(1).lower(), match.group(2)
            parsed = frozenset(c.strip().upper() for c in (codes or "").split(",") if c.strip())
            span = Span(path, line, col + match.start() + 1, line, col + match.end() + 1)
            out.append(Suppression(line, parsed, kind == "ignore-file", span))
    return tuple(out)


_COMPOUND = (
    ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If, ast.For, ast.AsyncFor, ast.While,
    ast.With, ast.AsyncWith, ast.Try, ast.Match,
)


def extend_to_statements(suppressions: tuple[Suppression, ...], tree: ast.Module) -> tuple[Suppression, ...]:
    """A comment on a statement's first line covers the whole statement.

    For compound statements only the header counts (decorators included), so a
    comment on ``def f(...):`` does not silence the function body.
    """
    lines = {s.line for s in suppressions if not s.file_level}
    if not lines:
        return suppressions
    ends: dict[int, int] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.stmt):
            continue
        first = node.lineno
        decorators = getattr(node, "decorator_list", None)
        if decorators:
            first = min(first, *(d.lineno for d in decorators))
        if first not in lines:
            continue
        if isinstance(node, _COMPOUND):
            body = getattr(node, "body", None) or getattr(node, "cases", None)
            end = body[0].lineno - 1 if body else node.lineno
            end = max(end, node.lineno)
        else:
            end = node.end_lineno or node.lineno
        ends[first] = max(ends.get(first, first), end)
    return tuple(
        replace(s, end_line=ends.get(s.line, s.line)) if not s.file_level else s for s in suppressions
    )
