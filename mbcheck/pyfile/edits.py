"""Edits of a Python file, built from libcst nodes and their positions (for rules' fixes).

A rule builds its :class:`~mbcheck.model.Fix` where it reports, from the nodes it
sees: these helpers turn a node into the span an :class:`~mbcheck.model.Edit`
replaces, so a fix is exact to the character and keeps every other byte.
"""

from __future__ import annotations

import libcst as cst

from mbcheck.model import Applicability, Edit, Fix, Span
from mbcheck.pyfile.traverse import FileContext


def replace(ctx: FileContext, node: cst.CSTNode, text: str) -> Edit:
    """Replace ``node``'s text with ``text``."""
    return Edit(ctx.span(node), text)


def insert_after(ctx: FileContext, node: cst.CSTNode, text: str) -> Edit:
    """Insert ``text`` just after ``node``."""
    span = ctx.span(node)
    return Edit(Span(span.path, span.end_line, span.end_column, span.end_line, span.end_column), text)


def insert_before(ctx: FileContext, node: cst.CSTNode, text: str) -> Edit:
    """Insert ``text`` just before ``node``."""
    span = ctx.span(node)
    return Edit(Span(span.path, span.line, span.column, span.line, span.column), text)


def rename_attribute(ctx: FileContext, func: cst.BaseExpression, old: str, new: str) -> Edit | None:
    """For a call of ``module.old``: the edit that makes it ``module.new`` (None for any other shape)."""
    if isinstance(func, cst.Attribute) and func.attr.value == old:
        return replace(ctx, func.attr, new)
    return None


def fix(title: str, *edits: Edit | None, unsafe: bool = False) -> Fix | None:
    """A fix of these edits (None when any could not be built)."""
    if not edits or any(edit is None for edit in edits):
        return None
    return Fix(title, tuple(e for e in edits if e is not None), Applicability.UNSAFE if unsafe else Applicability.SAFE)
