"""Literal evaluation on the libcst tree: the value an expression has as written.

The one home of plain-literal evaluation for every collector and source rule:
strings (plain or implicitly concatenated, never f-strings), bytes, numbers,
``True``/``False``/``None``, a unary minus on a number, and lists, tuples,
sets and dicts of them. Anything else is :data:`~mbcheck.model.NOT_STATIC`
(present, but never evaluated). What a theme evaluates beyond that (names
bound to constants, folded concatenations, decoded data) builds on these
functions. Nothing is executed.
"""

from __future__ import annotations

from typing import Any

import libcst as cst

from mbcheck.model import NOT_STATIC

#: the names that are literals, with their values
KEYWORDS: dict[str, bool | None] = {"True": True, "False": False, "None": None}
_NUMBER_TYPES = (cst.Integer, cst.Float, cst.Imaginary)
_MAX_DEPTH = 50
#: prefixes whose literal's value is its text between the quotes (when it has no escape)
_PLAIN_PREFIXES = frozenset({"", "r", "u", "R", "U"})
#: values of string literals seen, by their source text (cleared when large)
_STRING_VALUES: dict[str, str | bytes] = {}


def _plain_value(raw: str) -> str | None:
    """The value of a string literal with no backslash, no carriage return and no prefix but
    ``r``/``u``, read from between its quotes; None for any other (``ast.literal_eval`` decides)."""
    quote = raw[-1]
    start = raw.find(quote)
    if start < 0 or raw[:start] not in _PLAIN_PREFIXES:
        return None
    triple = quote * 3
    width = 3 if len(raw) - start >= 6 and raw.startswith(triple, start) and raw.endswith(triple) else 1
    body = raw[start + width:len(raw) - width]
    if "\\" in body or "\r" in body:
        return None
    return body


def string_value(node: cst.SimpleString) -> str | bytes:
    """``node.evaluated_value`` without compiling the common literal: a literal with no
    escape is read from between its quotes, any other is evaluated once per distinct text."""
    raw = node.value
    found = _STRING_VALUES.get(raw)
    if found is None:
        plain = _plain_value(raw)
        found = plain if plain is not None else node.evaluated_value
        if len(_STRING_VALUES) > 20_000:
            _STRING_VALUES.clear()
        _STRING_VALUES[raw] = found
    return found


def literal_string(node: cst.BaseExpression | None) -> str | None:
    """The value of a plain (non-f) string literal, or implicit concatenation."""
    if type(node) is cst.SimpleString:
        value = string_value(node)
        return value if isinstance(value, str) else None
    if type(node) is cst.ConcatenatedString:
        left = literal_string(node.left)
        right = literal_string(node.right)
        if left is not None and right is not None:
            return left + right
    return None


def literal_bytes(node: cst.BaseExpression | None) -> bytes | None:
    """The value of one bytes literal (``b"..."``), or None."""
    if type(node) is cst.SimpleString:
        value = string_value(node)
        return value if isinstance(value, bytes) else None
    return None


def literal_int(node: cst.BaseExpression | None) -> int | None:
    """The value of an integer literal as written (no sign), or None."""
    if type(node) is cst.Integer:
        value = node.evaluated_value
        return value if isinstance(value, int) else None
    return None


def literal_value(node: cst.BaseExpression, depth: int = 0) -> Any:
    """The value of a literal expression (see the module docstring), or NOT_STATIC."""
    if depth > _MAX_DEPTH:
        return NOT_STATIC
    if type(node) is cst.SimpleString:
        raw = string_value(node)
        return raw if isinstance(raw, (str, bytes)) else NOT_STATIC
    if type(node) is cst.ConcatenatedString:
        value = literal_string(node)
        return NOT_STATIC if value is None else value
    if isinstance(node, _NUMBER_TYPES):
        try:
            return node.evaluated_value
        except (ValueError, SyntaxError):
            return NOT_STATIC
    if type(node) is cst.Name and node.value in KEYWORDS:
        return KEYWORDS[node.value]
    if type(node) is cst.UnaryOperation and type(node.operator) is cst.Minus:
        inner = literal_value(node.expression, depth + 1)
        return -inner if isinstance(inner, (int, float)) and not isinstance(inner, bool) else NOT_STATIC
    if (type(node) is cst.List or type(node) is cst.Tuple or type(node) is cst.Set):
        items = []
        for element in node.elements:
            if type(element) is not cst.Element:
                return NOT_STATIC
            value = literal_value(element.value, depth + 1)
            if value is NOT_STATIC:
                return NOT_STATIC
            items.append(value)
        return items
    if type(node) is cst.Dict:
        out: dict[Any, Any] = {}
        for entry in node.elements:
            if type(entry) is not cst.DictElement:
                return NOT_STATIC
            key = literal_value(entry.key, depth + 1)
            value = literal_value(entry.value, depth + 1)
            if key is NOT_STATIC or value is NOT_STATIC or isinstance(key, (list, dict)):
                return NOT_STATIC
            out[key] = value
        return out
    return NOT_STATIC


__all__ = ["KEYWORDS", "literal_bytes", "literal_int", "literal_string", "literal_value", "string_value"]
