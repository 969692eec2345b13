"""Validation against the JSON Schemas mbcheck ships, and what to say about an error.

Every shipped schema mbcheck validates a value with (the plugin manifest, the
config, a load policy, a report, a baseline) is loaded here by name and
compiled once (:func:`validator`); :func:`errors` and :func:`first_error`
put the errors in a stable order. An error is then described with the same
few pieces everywhere: its path (:func:`path_text`, :func:`pointer`), the keys
an ``additionalProperties`` error is about (:func:`unknown_keys`), a
did-you-mean hint (:func:`did_you_mean`) and, where the value came from a
document with spans, where it was written (:func:`locate`).

jsonschema is imported when the first validator is built, never before.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from functools import cache
from typing import Any, Literal, Protocol

from mbcheck.documents.pointers import join_pointer
from mbcheck.model import Span
from mbcheck.resources import load_json

__all__ = [
    "Order",
    "Spans",
    "did_you_mean",
    "errors",
    "first_error",
    "locate",
    "path_text",
    "pointer",
    "shipped_schema",
    "unknown_keys",
    "validator",
]

#: how errors are ordered: as found, by path, or shallowest first (then by path)
Order = Literal["found", "path", "shallow"]


class Spans(Protocol):
    """Something that knows where a JSON pointer's value was written."""

    def span(self, pointer: str = "") -> Span: ...


def shipped_schema(name: str) -> dict[str, Any]:
    """The shipped schema ``schemas/<name>.schema.json`` (``"policy"``, ``"plugin-manifest"``, ...)."""
    schema: dict[str, Any] = load_json(f"schemas/{name}.schema.json")
    return schema


@cache
def validator(name: str) -> Any:
    """A draft 2020-12 validator of the shipped schema ``name``, built once per process."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(shipped_schema(name))


def _order_key(order: Order) -> Any:
    if order == "path":
        return lambda error: list(error.absolute_path)
    return lambda error: (len(error.absolute_path), list(map(str, error.absolute_path)))


def errors(name: str, value: Any, order: Order = "found") -> list[Any]:
    """Every error of ``value`` against the shipped schema ``name``, in ``order``."""
    found = list(validator(name).iter_errors(value))
    return found if order == "found" else sorted(found, key=_order_key(order))


def first_error(name: str, value: Any, order: Order = "found") -> tuple[Any, int] | None:
    """The first error in ``order`` and how many errors there are (None when ``value`` is valid)."""
    found = errors(name, value, order)
    return (found[0], len(found)) if found else None


def path_text(error: Any, separator: str = "/") -> str:
    """The error's path as written in messages: keys and indexes joined, unescaped (``a/0``)."""
    return separator.join(str(part) for part in error.absolute_path)


def pointer(error: Any, *more: Any) -> str:
    """The JSON pointer of the error's value (``more``: keys or indexes below it)."""
    return join_pointer([*error.absolute_path, *more])


def unknown_keys(error: Any) -> list[Any]:
    """The keys an ``additionalProperties`` error is about, in the value's order ([] for other errors).

    Keys are compared with the ``properties`` of the schema that failed; the
    schemas mbcheck ships forbid every other key.
    """
    if error.validator != "additionalProperties" or not isinstance(error.instance, dict):
        return []
    known = error.schema.get("properties", {})
    return [key for key in error.instance if key not in known]


def did_you_mean(word: str, choices: Iterable[str], *, cutoff: float = 0.6, clause: bool = False) -> str:
    """A hint naming the choice closest to ``word``, or "" when none is close.

    Written `` (did you mean `x`?)``, or with ``clause`` ``; did you mean `x`?``.
    """
    guess = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    if not guess:
        return ""
    return f"; did you mean `{guess[0]}`?" if clause else f" (did you mean `{guess[0]}`?)"


#: ``locate``'s "no key" (a YAML key may itself be ``None``)
_NO_KEY: Any = object()


def locate(error: Any, where: Spans, key: Any = _NO_KEY) -> Span:
    """Where ``error``'s value was written; with ``key``, that key under it (an unknown key's own span)."""
    if key is _NO_KEY:
        return where.span(pointer(error))
    at = pointer(error, key)
    key_span = getattr(where, "key_span", None)
    return key_span(at) if key_span is not None else where.span(at)
