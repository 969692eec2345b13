"""Validating a plugin's own JSON Schema in bounded time, without touching the network.

A plugin's config schema is the plugin's data, and mbcheck validates with it in
its main process, outside the per-file time and memory ceilings. jsonschema on
its own would let that data run the process: ``pattern`` and
``patternProperties`` use Python's backtracking ``re`` (``^(a+)+$`` against 34
``a`` and a ``!`` takes minutes), ``$ref`` chains fan out exponentially or loop,
``uniqueItems`` compares items pairwise, and a ``$ref`` to an ``http`` URL is
fetched. Here:

- patterns run on RE2 (google-re2: linear time, no backtracking). A pattern RE2
  cannot run (lookaround, backreferences) is not evaluated, and
  :func:`static_problems` says so; so is ``unevaluatedProperties`` in a schema
  with ``patternProperties`` (jsonschema applies those patterns itself);
- ``uniqueItems`` hashes a canonical form of each item (linear);
- ``$ref`` resolves inside the schema and jsonschema's own metaschemas only;
- every keyword evaluation is charged to a budget (more for large values);
  running out, or a ``$ref`` loop deep enough to exhaust the stack, raises
  :class:`Unbounded`;
- a schema larger or deeper than :data:`MAX_SUBSCHEMAS` / :data:`MAX_DEPTH` is
  not validated at all.

The checks in :mod:`mbcheck.checks.config.rules` validate only through
:func:`validate`; MB255 reports what could not be checked.
"""

from __future__ import annotations

import contextvars
import math
from collections.abc import Callable, Iterator
from functools import cache, lru_cache
from typing import Any

from mbcheck.documents.pointers import join_pointer

#: subschemas a config schema may hold before it is not validated at all
MAX_SUBSCHEMAS = 2_000
#: how deeply its subschemas may nest
MAX_DEPTH = 24
#: work one validation may do: every keyword evaluation costs STEP_COST, plus
#: the size of the strings, arrays and objects it looks at
BUDGET = 2_000_000
STEP_COST = 100


class Unbounded(Exception):
    """A validation stopped because it would not finish in bounded time."""


_budget: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("mbcheck_schema_budget", default=None)


def _size(value: Any) -> int:
    return len(value) if isinstance(value, str | list | dict) else 0


def _charge(value: Any, instance: Any) -> None:
    left = _budget.get()
    if left is None:
        return
    left[0] -= STEP_COST + _size(value) + _size(instance)
    if left[0] < 0:
        raise Unbounded("validation reached its work limit (`$ref` chains that fan out, or a very large schema or configuration)")


# --------------------------------------------------------------------------- regular expressions


@lru_cache(maxsize=1024)
def regex(pattern: str) -> Any | None:
    """``pattern`` compiled by RE2, or None when RE2 cannot run it (lookaround, backreferences...)."""
    import re2  # google-re2

    options = re2.Options()
    options.log_errors = False
    try:
        return re2.compile(pattern, options)
    except re2.error:
        return None


def search(pattern: str, text: str) -> bool | None:
    """Whether ``pattern`` matches somewhere in ``text``; None when it cannot be evaluated."""
    compiled = regex(pattern)
    return None if compiled is None else compiled.search(text) is not None


# --------------------------------------------------------------------------- keywords


def _pattern(validator: Any, patrn: Any, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    if validator.is_type(instance, "string") and isinstance(patrn, str) and search(patrn, instance) is False:
        yield ValidationError(f"{instance!r} does not match {patrn!r}")


def _pattern_properties(validator: Any, patterns: Any, instance: Any, schema: Any) -> Iterator[Any]:
    if not validator.is_type(instance, "object") or not isinstance(patterns, dict):
        return
    for patrn, subschema in patterns.items():
        for key, value in instance.items():
            if isinstance(patrn, str) and search(patrn, str(key)):  # unevaluable: not applied
                yield from validator.descend(value, subschema, path=key, schema_path=patrn)


def _extras(instance: dict[Any, Any], schema: Any) -> list[Any]:
    """Keys neither ``properties`` nor ``patternProperties`` cover (an unevaluable pattern covers every key)."""
    properties = schema.get("properties", {})
    patterns = [p for p in schema.get("patternProperties", {}) if isinstance(p, str)]
    return [
        key for key in instance
        if key not in properties and not any(search(p, str(key)) is not False for p in patterns)
    ]


def _additional_properties(validator: Any, additional: Any, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    if not validator.is_type(instance, "object"):
        return
    extras = _extras(instance, schema)
    if validator.is_type(additional, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], additional, path=extra)
    elif not additional and extras:
        if "patternProperties" in schema:
            verb = "does" if len(extras) == 1 else "do"
            joined = ", ".join(repr(each) for each in sorted(extras))
            patterns = ", ".join(repr(each) for each in sorted(schema["patternProperties"]))
            yield ValidationError(f"{joined} {verb} not match any of the regexes: {patterns}")
        else:
            names = ", ".join(repr(each) for each in extras)
            was = "was" if len(extras) == 1 else "were"
            yield ValidationError(f"Additional properties are not allowed ({names} {was} unexpected)")


def _canonical(value: Any) -> Any:
    """A hashable form of a JSON value in which equal JSON values are equal (``1 == 1.0``, ``True != 1``)."""
    if isinstance(value, bool) or value is None:
        return ("literal", value)
    if isinstance(value, int | float):
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            return ("number", int(value))
        return ("number", value)
    if isinstance(value, str):
        return ("string", value)
    if isinstance(value, list):
        return ("array", tuple(_canonical(item) for item in value))
    if isinstance(value, dict):
        return ("object", frozenset((key, _canonical(item)) for key, item in value.items()))
    return ("other", repr(value))


def _unique_items(validator: Any, unique: Any, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    if unique and validator.is_type(instance, "array"):
        seen = {_canonical(item) for item in instance}
        if len(seen) != len(instance):
            yield ValidationError(f"{instance!r} has non-unique elements")


def _not_evaluated(validator: Any, value: Any, instance: Any, schema: Any) -> Iterator[Any]:
    return iter(())


_REPLACED: dict[str, Callable[..., Iterator[Any]]] = {
    "pattern": _pattern,
    "patternProperties": _pattern_properties,
    "additionalProperties": _additional_properties,
    "uniqueItems": _unique_items,
}


def _charged(keyword: Callable[..., Any]) -> Callable[..., Any]:
    def charged(validator: Any, value: Any, instance: Any, schema: Any) -> Any:
        _charge(value, instance)
        return keyword(validator, value, instance, schema)

    return charged


@cache
def bounded(cls: Any, unevaluated: bool = True) -> Any:
    """``cls`` with RE2 patterns, linear ``uniqueItems`` and every keyword charged to the budget.

    ``unevaluated=False`` leaves ``unevaluatedProperties`` out (see :func:`static_problems`).
    """
    from jsonschema import validators

    extend: Any = validators.extend  # untyped in jsonschema's stubs
    keywords = {name: _REPLACED.get(name, function) for name, function in cls.VALIDATORS.items()}
    if not unevaluated and "unevaluatedProperties" in keywords:
        keywords["unevaluatedProperties"] = _not_evaluated
    return extend(cls, {name: _charged(function) for name, function in keywords.items()})


@cache
def _registry() -> Any:
    """jsonschema's metaschemas and nothing else: a ``$ref`` anywhere else is never retrieved."""
    from referencing import Registry

    return Registry()


def validator_for(cls: Any, schema: Any) -> Any:
    """A bounded validator of ``cls``'s draft for a plugin's ``schema`` (or a metaschema)."""
    return bounded(cls, not _uses_pattern_properties(schema))(schema, registry=_registry())


def validate(run: Callable[[], list[Any]]) -> list[Any]:
    """``run()`` (a validation with :func:`validator_for`) under a fresh budget; raises :class:`Unbounded`."""
    token = _budget.set([BUDGET])
    try:
        return run()
    except RecursionError:
        raise Unbounded("validation nests too deeply (a `$ref` loop, or nesting past the stack)") from None
    finally:
        _budget.reset(token)


# --------------------------------------------------------------------------- before validating


def _uses_pattern_properties(schema: Any) -> bool:
    from mbcheck.checks.config.schema import subschemas

    return any(isinstance(sub.get("patternProperties"), dict) for _, sub in subschemas(schema))


def too_large(schema: Any) -> tuple[str, str] | None:
    """(pointer, message) when a schema is too large or too deeply nested to validate with; else None."""
    from mbcheck.checks.config.schema import subschemas

    for count, (pointer, _sub) in enumerate(subschemas(schema), 1):
        if count > MAX_SUBSCHEMAS:
            return "", f"it has more than {MAX_SUBSCHEMAS:,} subschemas"
        depth = pointer.count("/")
        if depth > 2 * MAX_DEPTH:  # a subschema is one or two pointer steps below its parent
            return pointer, f"its subschemas nest deeper than {MAX_DEPTH} levels"
    return None


def static_problems(schema: Any) -> list[tuple[str, str]]:
    """What in a schema cannot be checked in bounded time, before any validation: (pointer, message)."""
    from mbcheck.checks.config.schema import subschemas

    if not isinstance(schema, dict):
        return []
    large = too_large(schema)
    if large is not None:
        return [(large[0], f"the schema is not validated: {large[1]}")]
    out: list[tuple[str, str]] = []
    patterned: list[str] = []
    for pointer, sub in subschemas(schema):
        found = sub.get("pattern")
        if isinstance(found, str) and regex(found) is None:
            out.append(
                (
                    join_pointer([*_parts(pointer), "pattern"]),
                    f"pattern {found!r} cannot be checked in bounded time (lookaround and backreferences "
                    "need a backtracking engine) and was not evaluated",
                )
            )
        patterns = sub.get("patternProperties")
        if isinstance(patterns, dict):
            patterned.append(pointer)
            for key in patterns:
                if isinstance(key, str) and regex(key) is None:
                    out.append(
                        (
                            join_pointer([*_parts(pointer), "patternProperties", key]),
                            f"patternProperties pattern {key!r} cannot be checked in bounded time (lookaround and "
                            "backreferences need a backtracking engine) and was not evaluated",
                        )
                    )
    if patterned:
        for pointer, sub in subschemas(schema):
            if "unevaluatedProperties" in sub:
                out.append(
                    (
                        join_pointer([*_parts(pointer), "unevaluatedProperties"]),
                        "`unevaluatedProperties` in a schema with `patternProperties` cannot be checked in bounded "
                        "time and was not evaluated",
                    )
                )
    return out


def _parts(pointer: str) -> list[str]:
    if not pointer:
        return []
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer[1:].split("/")]


__all__ = [
    "BUDGET",
    "MAX_DEPTH",
    "MAX_SUBSCHEMAS",
    "Unbounded",
    "bounded",
    "regex",
    "search",
    "static_problems",
    "too_large",
    "validate",
    "validator_for",
]
