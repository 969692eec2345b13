"""Literal values in the interface collector: a literal expression evaluated with spans and holes.

The values some interface methods return (``get_capabilities()``,
``get_config_schema()``, …) are compared with the manifest and validated as
JSON Schema, so the collector evaluates them statically: lists, tuples, sets,
dicts and scalars, following module-level and local constants by name. A part
that is not literal is left out and recorded as a *hole*; a mapping with keys
that cannot be told (``**extra``, computed keys) is recorded as *open*; every
part gets the span it is written at. Used only by
:mod:`mbcheck.checks.interface.collect` (it imports libcst).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import libcst as cst

from mbcheck.checks.interface.facts import LiteralFact
from mbcheck.documents.pointers import escape_pointer_token
from mbcheck.model import NOT_STATIC, Span
from mbcheck.pyfile.literals import KEYWORDS, literal_value
from mbcheck.pyfile.traverse import FileContext

#: expressions that evaluate to one scalar value
SCALARS = (cst.SimpleString, cst.ConcatenatedString, cst.Integer, cst.Float, cst.UnaryOperation)
#: expressions that may be literal values
LITERALS = (*SCALARS, cst.List, cst.Tuple, cst.Set, cst.Dict, cst.FormattedString)
_MAX_DEPTH = 60

#: what a name denotes in the scope being evaluated (None: not a single known value)
Resolver = Callable[[str], cst.BaseExpression | None]


class _Hole:
    """A value left out of a literal because it is not literal."""


_HOLE = _Hole()


class LiteralBuilder:
    """Evaluates a literal, leaving out non-literal parts and recording spans."""

    def __init__(self, ctx: FileContext, want_spans: bool, resolve: Resolver) -> None:
        self.ctx = ctx
        self.want = want_spans
        self.resolve = resolve
        self.spans: dict[str, Span] = {}
        self.holes: list[str] = []
        self.open: list[str] = []
        self.resolving: set[str] = set()

    def fact(self, node: cst.BaseExpression) -> LiteralFact:
        value = self.build(node, "", 0)
        return LiteralFact(
            NOT_STATIC if value is _HOLE else value,
            tuple(self.spans.items()),
            tuple(self.holes),
            tuple(self.open),
        )

    def _span(self, pointer: str, node: cst.CSTNode) -> None:
        if self.want and pointer not in self.spans:
            self.spans[pointer] = self.ctx.span(node)

    def _name(self, node: cst.Name, pointer: str, depth: int) -> Any:
        target = self.resolve(node.value)
        if target is None or node.value in self.resolving:
            return _HOLE
        self.resolving.add(node.value)
        try:
            return self.build(target, pointer, depth + 1)
        finally:
            self.resolving.discard(node.value)

    def key(self, node: cst.BaseExpression) -> Any:
        if type(node) is cst.Name and node.value not in KEYWORDS:
            target = self.resolve(node.value)
            node = target if isinstance(target, SCALARS) else node
        if isinstance(node, (*SCALARS, cst.Name)):
            value = literal_value(node)
            if value is None or (value is not NOT_STATIC and isinstance(value, (str, int, float, bool))):
                return value
        return NOT_STATIC

    def build(self, node: cst.BaseExpression, pointer: str, depth: int) -> Any:
        if depth > _MAX_DEPTH:
            return _HOLE
        self._span(pointer, node)
        if type(node) is cst.Name:
            if node.value in KEYWORDS:
                return literal_value(node)
            return self._name(node, pointer, depth)
        if (type(node) is cst.List or type(node) is cst.Tuple or type(node) is cst.Set):
            items: list[Any] = []
            hole = False
            for index, element in enumerate(node.elements):
                if type(element) is not cst.Element:
                    hole = True
                    continue
                value = self.build(element.value, f"{pointer}/{index}", depth + 1)
                if value is _HOLE:
                    hole = True
                else:
                    items.append(value)
            return _HOLE if hole else items
        if type(node) is cst.Dict:
            out: dict[Any, Any] = {}
            for item in node.elements:
                if type(item) is not cst.DictElement:
                    self.open.append(pointer)
                    continue
                key = self.key(item.key)
                if key is NOT_STATIC:
                    self.open.append(pointer)
                    continue
                child = f"{pointer}/{escape_pointer_token(key)}"
                self._span(child + "#key", item.key)
                value = self.build(item.value, child, depth + 1)
                if value is _HOLE:
                    self.holes.append(child)
                else:
                    out[key] = value
            return out
        if isinstance(node, SCALARS):
            value = literal_value(node)
            if value is NOT_STATIC or isinstance(value, (bytes, complex)):
                return _HOLE
            return value
        return _HOLE
