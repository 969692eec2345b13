"""The literal config schemas a plugin's ``get_config_schema()`` returns, and what they say.

Each literal schema keeps where every part of it is written (its spans) and
which parts were left out because they are not literals. This module walks a
schema's subschemas, finds its metaschema violations (with the validator its
``$schema`` names, Draft 2020-12 by default), and tells when a part left out
could have made the schema stricter, so that checks whose answer could depend
on it are skipped. It imports no libcst, and jsonschema only when asked about
a schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from mbcheck.checks.config.bounded import Unbounded, too_large, validate, validator_for
from mbcheck.checks.interface.analysis import config_schema_literals
from mbcheck.checks.interface.facts import LiteralFact, json_type
from mbcheck.context import PluginContext
from mbcheck.documents.pointers import join_pointer
from mbcheck.model import NOT_STATIC, Span

#: keywords holding one subschema / a map of subschemas / a list of subschemas
_ONE = (
    "additionalProperties", "items", "contains", "propertyNames", "not", "if", "then", "else",
    "unevaluatedItems", "unevaluatedProperties", "additionalItems", "contentSchema",
)
_MAP = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "dependencies")
_LIST = ("allOf", "anyOf", "oneOf", "prefixItems", "items")
#: keywords under which leaving a part out could make a schema stricter, not looser
_NEGATING = frozenset({"not", "if", "oneOf", "dependentSchemas", "dependencies"})
#: keywords every draft knows that no validator implements (annotations, identifiers)
_ANNOTATIONS = frozenset(
    {
        "$schema", "$id", "id", "$anchor", "$dynamicAnchor", "$recursiveAnchor", "$vocabulary", "$comment",
        "$defs", "definitions", "title", "description", "default", "examples", "deprecated", "readOnly",
        "writeOnly", "contentMediaType", "contentEncoding", "contentSchema", "then", "else", "format",
        "dependencies", "additionalItems", "$ref", "$dynamicRef", "$recursiveRef",
    }
)


@dataclass(frozen=True)
class Schema:
    """A literal config schema and where it is written."""

    path: str
    literal: LiteralFact
    owner: str
    spans: dict[str, Span]

    @property
    def value(self) -> Any:
        return self.literal.value

    def span(self, pointer: str) -> Span:
        probe = pointer
        while True:
            found = self.spans.get(probe)
            if found is not None:
                return found
            if not probe:
                return Span(self.path)
            probe = probe.rsplit("/", 1)[0]

    def key_span(self, pointer: str) -> Span:
        return self.spans.get(pointer + "#key") or self.span(pointer)


def schemas(plugin: PluginContext) -> list[Schema]:
    """The literal schemas ``get_config_schema()`` returns (those whose top level is a literal)."""
    out: list[Schema] = []
    for path, literal, owner in config_schema_literals(plugin):
        if literal.value is not NOT_STATIC:
            out.append(Schema(path, literal, owner, literal.span_map()))
    return out


def validator_class(schema: Any) -> tuple[Any, bool]:
    """The validator for a schema's ``$schema`` (2020-12 when absent), and whether it is known."""
    from jsonschema import Draft202012Validator
    from jsonschema.validators import validator_for

    if isinstance(schema, dict) and "$schema" in schema:
        found = validator_for(schema, default=cast(Any, None))
        if found is None:
            return Draft202012Validator, False
        return found, True
    return Draft202012Validator, True


def subschemas(value: Any, pointer: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema object inside a schema (itself first), with its JSON pointer."""
    stack: list[tuple[str, Any]] = [(pointer, value)]
    while stack:
        where, schema = stack.pop()
        if not isinstance(schema, dict):
            continue
        yield where, schema
        found: list[tuple[str, Any]] = []
        for key in _ONE:
            if isinstance(schema.get(key), dict):
                found.append((join_pointer((key,)), schema[key]))
        for key in _MAP:
            if isinstance(schema.get(key), dict):
                for name, sub in schema[key].items():
                    found.append((join_pointer((key, name)), sub))
        for key in _LIST:
            if isinstance(schema.get(key), list):
                for index, sub in enumerate(schema[key]):
                    found.append((join_pointer((key, index)), sub))
        stack.extend((where + rel, sub) for rel, sub in reversed(found))


def unsafe(literal: LiteralFact, pointer: str = "") -> bool:
    """Whether parts left out below ``pointer`` could make the schema stricter.

    Leaving a keyword out of a schema makes it accept more, except under
    negating keywords (``not``, ``if``, ``oneOf``, …) and where a mapping's
    keys are unknown (``properties`` next to ``additionalProperties: false``).
    """
    for hole in literal.holes_under(pointer):
        if hole in literal.open:
            return True
        if any(part in _NEGATING for part in hole[len(pointer):].split("/")):
            return True
    return False


def contains_ref(schema: Any) -> bool:
    """Whether a schema refers to another (``$ref``, ``$dynamicRef``) anywhere inside."""
    return any("$ref" in sub or "$dynamicRef" in sub for _, sub in subschemas(schema))


@cache
def keywords_of(validator: Any) -> frozenset[str]:
    """Every keyword a validator class knows: its validators, its metaschema's properties, annotations."""
    meta = validator.META_SCHEMA.get("properties", {})
    return frozenset(validator.VALIDATORS) | frozenset(meta) | _ANNOTATIONS


def leaf_error(error: Any) -> Any:
    """The most specific error under a validation error (``anyOf``, ``oneOf``: the best match)."""
    from jsonschema.exceptions import best_match

    while error.context:
        error = best_match(error.context)
    return error


def meta_errors(schema: Schema) -> list[tuple[str, str]]:
    """Metaschema violations of a literal schema: (pointer, message).

    A schema too large to validate in bounded time has none here (MB255 says so).
    """
    value = schema.value
    if isinstance(value, bool):
        return []
    if not isinstance(value, dict):
        return [("", f"it is a {json_type(value)}, not a JSON Schema object")]
    if too_large(value) is not None:
        return []
    cls, _known = validator_class(value)
    meta = validator_for(cls, cls.META_SCHEMA)
    try:
        found = validate(lambda: list(meta.iter_errors(value)))
    except Unbounded:
        return []
    out: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for error in found:
        leaf = leaf_error(error)
        pointer = join_pointer(leaf.absolute_path)
        if error.validator in ("required", "dependencies", "dependentRequired") and schema.literal.holes_under(
            join_pointer(error.absolute_path)
        ):
            continue
        item = (pointer, leaf.message)
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def usable(schema: Schema) -> bool:
    """Whether a schema can validate anything: a dict of bounded size without metaschema errors."""
    return isinstance(schema.value, dict) and too_large(schema.value) is None and not meta_errors(schema)


def default_errors(schema: Schema) -> list[tuple[str, dict[str, Any], list[Any]]]:
    """Every checkable ``default`` inside a usable schema that its own subschema rejects.

    (pointer of the subschema, the subschema, its errors). Defaults whose check
    could depend on parts left out are skipped. One budget covers them all;
    raises :class:`~mbcheck.checks.config.bounded.Unbounded` when it runs out.
    """
    cls, _known = validator_class(schema.value)
    root = validator_for(cls, schema.value)
    whole_unsafe = unsafe(schema.literal)

    def run() -> list[tuple[str, dict[str, Any], list[Any]]]:
        out: list[tuple[str, dict[str, Any], list[Any]]] = []
        for pointer, sub in subschemas(schema.value):
            if "default" not in sub or schema.literal.holes_under(pointer + "/default"):
                continue
            if unsafe(schema.literal, pointer) or (whole_unsafe and contains_ref(sub)):
                continue
            try:
                errors = list(root.evolve(schema=sub).iter_errors(sub["default"]))
            except (Unbounded, RecursionError):
                raise
            except Exception:  # an unresolvable $ref, a bad value: nothing to say about this default
                continue
            if errors:
                out.append((pointer, sub, errors))
        return out

    return validate(run)


def config_errors(schema: Schema, value: Any) -> list[Any]:
    """The errors of a configuration ``value`` against a usable schema, by path.

    Raises :class:`~mbcheck.checks.config.bounded.Unbounded` when the check
    cannot finish in bounded time; returns [] when the schema cannot be
    applied (an unresolvable ``$ref``).
    """
    cls, _known = validator_class(schema.value)
    validator = validator_for(cls, schema.value)

    def run() -> list[Any]:
        try:
            return sorted(validator.iter_errors(value), key=lambda e: list(map(str, e.absolute_path)))
        except (Unbounded, RecursionError):
            raise
        except Exception:  # an unresolvable $ref: nothing to say about the config
            return []

    return validate(run)

