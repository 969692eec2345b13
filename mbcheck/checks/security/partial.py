"""Strings and paths known in part: what a command line, a URL or a path is, as far as the code says.

:func:`partial_text` folds what :func:`~mbcheck.checks.security.values.fold_string`
folds and keeps the known pieces of f-strings and ``+`` concatenations, an
unknown piece becoming :data:`UNKNOWN`; :func:`partial_path` also joins
``os.path.join``, ``Path(...)``, ``/`` and ``joinpath`` pieces with ``/``.
Matching on the result never matches an unknown piece as text.

Only source rules use this module (it imports libcst).
"""

from __future__ import annotations

import libcst as cst

from mbcheck.checks.security.values import fold_string, resolve, single_value
from mbcheck.pyfile.traverse import FileContext

#: what an unknown piece of a partly known text becomes (matches no pattern's letters)
UNKNOWN = "\x00"
_MAX_DEPTH = 12
#: calls that join path pieces
JOINS = frozenset({"os.path.join", "posixpath.join", "ntpath.join", "pathlib.Path", "pathlib.PurePath",
                   "pathlib.PosixPath", "pathlib.WindowsPath", "pathlib.PurePosixPath", "pathlib.PureWindowsPath"})
_HOME = frozenset({"pathlib.Path.home", "os.path.expanduser"})


def partial_text(ctx: FileContext, node: cst.BaseExpression, depth: int = 0, *, follow: bool = False) -> str:
    """A string expression's text as far as it is known: unknown pieces become :data:`UNKNOWN`.

    With ``follow``, a name bound once in the file stands for its value.
    """
    folded = fold_string(ctx, node)
    if folded is not None:
        return folded
    if depth > _MAX_DEPTH:
        return UNKNOWN
    if type(node) is cst.FormattedString:
        out: list[str] = []
        for part in node.parts:
            if type(part) is cst.FormattedStringText:
                out.append(part.value)
            elif type(part) is cst.FormattedStringExpression:
                out.append(partial_text(ctx, part.expression, depth + 1, follow=follow))
        return "".join(out)
    if type(node) is cst.BinaryOperation and type(node.operator) is cst.Add:
        return (partial_text(ctx, node.left, depth + 1, follow=follow)
                + partial_text(ctx, node.right, depth + 1, follow=follow))
    if type(node) is cst.ConcatenatedString:
        return (partial_text(ctx, node.left, depth + 1, follow=follow)
                + partial_text(ctx, node.right, depth + 1, follow=follow))
    if follow and type(node) is cst.Name:
        held = single_value(ctx, node.value, lookups_only=False)  # ``t = base + '/x.pth'``; ``open(t, 'w')``
        if held is not None:
            return partial_path(ctx, held, depth + 1, follow=True)
    return UNKNOWN


def partial_path(ctx: FileContext, node: cst.BaseExpression, depth: int = 0, *, follow: bool = False) -> str:
    """A path expression's text as far as it is known (``os.path.join``, ``Path / x``, ``+``, f-strings)."""
    if depth > _MAX_DEPTH:
        return UNKNOWN
    if type(node) is cst.BinaryOperation and type(node.operator) is cst.Divide:
        return (partial_path(ctx, node.left, depth + 1, follow=follow) + "/"
                + partial_path(ctx, node.right, depth + 1, follow=follow))
    if type(node) is cst.Call:
        name = resolve(ctx, node.func)
        args = [a.value for a in node.args if a.keyword is None and not a.star]
        if name in JOINS:
            return "/".join(partial_path(ctx, a, depth + 1, follow=follow) for a in args) if args else UNKNOWN
        if name in _HOME:
            return "~" if not args else partial_path(ctx, args[0], depth + 1, follow=follow)
        if type(node.func) is cst.Attribute:
            method = node.func.attr.value
            if method == "joinpath":
                pieces = [node.func.value, *args]
                return "/".join(partial_path(ctx, p, depth + 1, follow=follow) for p in pieces)
            if method in ("expanduser", "resolve", "absolute"):
                return partial_path(ctx, node.func.value, depth + 1, follow=follow)
    if type(node) is cst.BinaryOperation and type(node.operator) is cst.Add:
        return (partial_path(ctx, node.left, depth + 1, follow=follow)
                + partial_path(ctx, node.right, depth + 1, follow=follow))
    return partial_text(ctx, node, depth + 1, follow=follow)


__all__ = ["JOINS", "UNKNOWN", "partial_path", "partial_text"]
