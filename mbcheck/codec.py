"""Typed JSON for mbcheck's frozen data: how the cache stores outcomes and reports.

:func:`encode` turns a value into JSON data and :func:`decode` rebuilds it, both
driven by a *declared type* (``FileOutcome``, ``Report``, ``tuple[Finding, ...]``),
never by the data: the data cannot name a class to construct. The declared
type is read from the dataclasses' own annotations
(:func:`typing.get_type_hints`), and only the classes listed in
:data:`ALLOWED` are ever built; any other class in an annotation is a
programming error raised when the codec for it is first made.

- a dataclass is a JSON object with exactly its fields, rebuilt by calling the
  class with them (so ``__post_init__`` checks run as for any other value);
- an enum is its value; ``Literal[...]`` one of its values;
- ``tuple[X, ...]``, ``tuple[X, Y]`` and ``frozenset[X]`` are JSON arrays,
  rebuilt as the declared type; ``Mapping[str, X]`` a JSON object;
- ``X | None`` is ``null`` or an ``X`` (unions of two or more types besides
  ``None`` are refused: the data would have to say which);
- ``Any`` (literal values read from the source, report sections) is plain data:
  ``null``, booleans, numbers, strings, lists and string-keyed objects as
  themselves; tuples, sets, frozensets, bytes, complex and non-finite numbers,
  objects with other keys and :data:`~mbcheck.model.NOT_STATIC` as an object
  ``{"$t": tag, "v": ...}`` whose tag picks among those fixed types only.

Anything in the data that does not fit the declared type raises
:class:`CodecError` (the cache treats it as a miss).
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import importlib
import math
import types
import typing
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any, Literal, Union

from mbcheck.model import NOT_STATIC

Encoder = Callable[[Any], Any]
Decoder = Callable[[Any], Any]

#: the key of a tagged plain value (see :func:`_encode_plain`)
TAG = "$t"


class CodecError(ValueError):
    """The value or the data does not fit the declared type."""


#: every class the codec may build, by module and qualified name: mbcheck's frozen outcome
#: and report types and their enums (checked by name, so decoding a report imports no
#: per-file fact module)
ALLOWED: frozenset[str] = frozenset({
    "mbcheck.model.Span", "mbcheck.model.Finding", "mbcheck.model.PluginReport", "mbcheck.model.Report",
    "mbcheck.model.Severity", "mbcheck.model.Confidence", "mbcheck.model.Category", "mbcheck.model.Verdict",
    "mbcheck.model.PluginKind", "mbcheck.model.Unanalysed", "mbcheck.model.SuppressedFinding",
    "mbcheck.context.FileOutcome", "mbcheck.context.Suppression",
    "mbcheck.pyfile.facts.ModuleFacts", "mbcheck.pyfile.facts.DunderFact", "mbcheck.pyfile.facts.ImportFact",
    "mbcheck.pyfile.facts.GuardFact",
    "mbcheck.checks.interface.facts.InterfaceFacts", "mbcheck.checks.interface.facts.ClassFact",
    "mbcheck.checks.interface.facts.FunctionFact", "mbcheck.checks.interface.facts.Param",
    "mbcheck.checks.interface.facts.ParamKind", "mbcheck.checks.interface.facts.ReturnFact",
    "mbcheck.checks.interface.facts.ReturnKind", "mbcheck.checks.interface.facts.LiteralFact",
    "mbcheck.checks.interface.facts.InstanceFact", "mbcheck.checks.interface.facts.ValueFact",
    "mbcheck.checks.security.facts.SecurityFacts", "mbcheck.checks.security.facts.Evidence",
    "mbcheck.checks.security.facts.FunctionSummary", "mbcheck.checks.security.facts.ImportTimeCall",
    "mbcheck.checks.compat.facts.CompatFacts", "mbcheck.checks.compat.facts.Requirement",
    "mbcheck.checks.compat.facts.HostApiUse",
    "mbcheck.model.Fix", "mbcheck.model.Edit", "mbcheck.model.Applicability",
    "mbcheck.checks.security.facts_exfil.ExfilFacts", "mbcheck.checks.security.facts_exfil.ExfilFlow",
    "mbcheck.checks.security.facts_exfil.ExfilSource", "mbcheck.checks.security.facts_exfil.ExfilParamSink",
    "mbcheck.checks.security.facts_exfil.ExfilExport", "mbcheck.checks.security.facts_exfil.ExfilCall",
    "mbcheck.checks.security.facts_exfil.ExfilImportedSink",
})


def _allowed(cls: type) -> bool:
    return f"{cls.__module__}.{cls.__qualname__}" in ALLOWED


@cache
def allowed_classes() -> frozenset[type]:
    """The classes of :data:`ALLOWED` (importing their modules)."""
    out = set()
    for name in ALLOWED:
        module, _, qualname = name.rpartition(".")
        out.add(getattr(importlib.import_module(module), qualname))
    return frozenset(out)


def _type_hints(cls: type) -> dict[str, Any]:
    """A dataclass's resolved annotations. Names imported for type checking only (the theme
    facts in :class:`~mbcheck.pyfile.facts.ModuleFacts`) are looked up among the allowed
    classes, whose modules are imported only then."""
    try:
        return typing.get_type_hints(cls)
    except NameError:
        return typing.get_type_hints(cls, localns={c.__name__: c for c in allowed_classes()})


def encode(value: Any, declared: Any) -> Any:
    """``value`` as JSON data, checked against its declared type."""
    return _codec(declared)[0](value)


def decode(data: Any, declared: Any) -> Any:
    """A value of the declared type rebuilt from JSON data (:class:`CodecError` if it does not fit).

    A declared type the codec does not store is a programming error (:class:`TypeError`)."""
    decoder = _codec(declared)[1]
    try:
        return decoder(data)
    except CodecError:
        raise
    except (TypeError, ValueError, KeyError, RecursionError) as exc:  # a constructor refusing the data
        raise CodecError(f"data does not fit {declared!r}: {type(exc).__name__}") from None


# ---------------------------------------------------------------------------
# making the codec of a declared type


@cache
def _codec(declared: Any) -> tuple[Encoder, Decoder]:
    if declared is Any:
        return _encode_plain, _decode_plain
    if declared is type(None) or declared is None:
        return _exact(type(None)), _exact(type(None))
    if declared in (str, int, bool):
        return _exact(declared), _exact(declared)
    if declared is float:
        return _encode_float, _decode_float
    if isinstance(declared, type) and issubclass(declared, enum.Enum):
        return _enum_codec(declared)
    if isinstance(declared, type) and dataclasses.is_dataclass(declared):
        return _dataclass_codec(declared)
    origin = typing.get_origin(declared)
    args = typing.get_args(declared)
    if origin in (Union, types.UnionType):
        return _optional_codec(declared, args)
    if origin is Literal:
        return _literal_codec(args)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return _sequence_codec(tuple, args[0])
        return _fixed_tuple_codec(args)
    if origin is frozenset:
        return _sequence_codec(frozenset, args[0])
    if origin in (Mapping, dict) and args and args[0] is str:
        return _mapping_codec(args[1])
    raise TypeError(f"the cache codec cannot store values of type {declared!r}")


def _exact(kind: type) -> Encoder:
    def check(value: Any) -> Any:
        if type(value) is not kind:
            raise CodecError(f"expected {kind.__name__}, got {type(value).__name__}")
        return value

    return check


def _encode_float(value: Any) -> Any:
    if type(value) is not float:
        raise CodecError(f"expected float, got {type(value).__name__}")
    return value if math.isfinite(value) else {TAG: "float", "v": repr(value)}


def _decode_float(data: Any) -> float:
    if type(data) is float or type(data) is int:
        return float(data)
    return _decode_plain_float(data)


def _decode_plain_float(data: Any) -> float:
    if type(data) is dict and data.keys() == {TAG, "v"} and data[TAG] == "float" and data["v"] in ("inf", "-inf", "nan"):
        return float(data["v"])
    raise CodecError("expected a number")


def _enum_codec(cls: type[enum.Enum]) -> tuple[Encoder, Decoder]:
    if not _allowed(cls):
        raise TypeError(f"{cls.__qualname__} is not a type the cache stores")

    def enc(value: Any) -> Any:
        if type(value) is not cls:
            raise CodecError(f"expected {cls.__name__}, got {type(value).__name__}")
        return value.value

    members = {member.value: member for member in cls}

    def dec(data: Any) -> Any:
        if type(data) is not str or data not in members:
            raise CodecError(f"expected a {cls.__name__} value")
        return members[data]

    return enc, dec


def _dataclass_codec(cls: type) -> tuple[Encoder, Decoder]:
    if not _allowed(cls):
        raise TypeError(f"{cls.__qualname__} is not a type the cache stores")
    hints = _type_hints(cls)
    fields = [f for f in dataclasses.fields(cls)]
    if any(not f.init or f.kw_only for f in fields):
        raise TypeError(f"{cls.__qualname__} has fields its constructor does not take by position")
    #: per field: its name, its encoder, its decoder and, for a field of one exact
    #: plain type (str, int, bool), that type (checked in place: the common case, kept fast)
    plan: list[tuple[str, Encoder, Decoder, type | None]] = []

    # the field codecs are made on first use: a type may (indirectly) contain itself
    def resolved() -> list[tuple[str, Encoder, Decoder, type | None]]:
        if not plan:
            for f in fields:
                declared = hints[f.name]
                exact = declared if declared in (str, int, bool) else None
                plan.extend([(f.name, *_codec(declared), exact)])
        return plan

    count = len(fields)

    def enc(value: Any) -> Any:
        if type(value) is not cls:
            raise CodecError(f"expected {cls.__name__}, got {type(value).__name__}")
        return {name: encode_field(getattr(value, name)) for name, encode_field, _, _ in resolved()}

    def dec(data: Any) -> Any:
        if type(data) is not dict or len(data) != count:
            raise CodecError(f"expected the {count} fields of {cls.__name__}")
        args = []
        try:
            for name, _, decode_field, exact in plan or resolved():
                item = data[name]
                if exact is None:
                    args.append(decode_field(item))
                elif type(item) is exact:
                    args.append(item)
                else:
                    raise CodecError(f"{cls.__name__}.{name}: expected {exact.__name__}")
        except KeyError:
            raise CodecError(f"expected the fields of {cls.__name__}") from None
        return cls(*args)

    return enc, dec


def _optional_codec(declared: Any, args: tuple[Any, ...]) -> tuple[Encoder, Decoder]:
    members = [a for a in args if a is not type(None)]
    if len(members) != 1 or len(args) != 2:
        raise TypeError(f"the cache codec stores only `X | None` unions, not {declared!r}")
    inner_enc, inner_dec = _codec(members[0])

    def enc(value: Any) -> Any:
        return None if value is None else inner_enc(value)

    def dec(data: Any) -> Any:
        return None if data is None else inner_dec(data)

    return enc, dec


def _literal_codec(values: tuple[Any, ...]) -> tuple[Encoder, Decoder]:
    allowed = {(type(v), v) for v in values}

    def check(value: Any) -> Any:
        if (type(value), value) not in allowed:
            raise CodecError(f"expected one of {values!r}")
        return value

    return check, check


def _sequence_codec(kind: Any, item: Any) -> tuple[Encoder, Decoder]:
    item_enc, item_dec = _codec(item)

    def enc(value: Any) -> Any:
        if type(value) is not kind:
            raise CodecError(f"expected {kind.__name__}, got {type(value).__name__}")
        items = [item_enc(v) for v in value]
        if kind is frozenset and all(type(v) is str for v in items):
            items.sort()
        return items

    exact = item if item in (str, int, bool) else None

    def dec(data: Any) -> Any:
        if type(data) is not list:
            raise CodecError(f"expected a list for a {kind.__name__}")
        if exact is not None:
            for v in data:
                if type(v) is not exact:
                    raise CodecError(f"expected a list of {exact.__name__}")
            return kind(data)
        return kind([item_dec(v) for v in data])

    return enc, dec


def _fixed_tuple_codec(items: tuple[Any, ...]) -> tuple[Encoder, Decoder]:
    codecs = [_codec(item) for item in items]

    def enc(value: Any) -> Any:
        if type(value) is not tuple or len(value) != len(codecs):
            raise CodecError(f"expected a tuple of {len(codecs)}")
        return [c[0](v) for c, v in zip(codecs, value, strict=True)]

    exact = items[0] if items and items[0] in (str, int) and all(i is items[0] for i in items) else None

    def dec(data: Any) -> Any:
        if type(data) is not list or len(data) != len(codecs):
            raise CodecError(f"expected a list of {len(codecs)}")
        if exact is not None:
            for v in data:
                if type(v) is not exact:
                    raise CodecError(f"expected a list of {exact.__name__}")
            return tuple(data)
        return tuple([c[1](v) for c, v in zip(codecs, data, strict=True)])

    return enc, dec


def _mapping_codec(item: Any) -> tuple[Encoder, Decoder]:
    item_enc, item_dec = _codec(item)

    def enc(value: Any) -> Any:
        if not isinstance(value, Mapping) or any(type(k) is not str for k in value):
            raise CodecError("expected a mapping with string keys")
        return {k: item_enc(v) for k, v in value.items()}

    def dec(data: Any) -> Any:
        if type(data) is not dict:
            raise CodecError("expected an object")
        return {k: item_dec(v) for k, v in data.items()}

    return enc, dec


# ---------------------------------------------------------------------------
# plain values (``Any``)


def _encode_plain(value: Any) -> Any:
    kind = type(value)
    if value is None or kind is str or kind is bool or kind is int:
        return value
    if kind is float:
        return _encode_float(value)
    if kind is list:
        return [_encode_plain(v) for v in value]
    if kind is dict:
        if TAG not in value and all(type(k) is str for k in value):
            return {k: _encode_plain(v) for k, v in value.items()}
        return {TAG: "dict", "v": [[_encode_plain(k), _encode_plain(v)] for k, v in value.items()]}
    if kind is tuple:
        return {TAG: "tuple", "v": [_encode_plain(v) for v in value]}
    if kind is frozenset or kind is set:
        return {TAG: kind.__name__, "v": [_encode_plain(v) for v in value]}
    if kind is bytes:
        return {TAG: "bytes", "v": base64.b64encode(value).decode("ascii")}
    if kind is complex:
        return {TAG: "complex", "v": [_encode_float(value.real), _encode_float(value.imag)]}
    if value is NOT_STATIC:
        return {TAG: "not-static"}
    raise CodecError(f"a {kind.__name__} is not plain data")


def _decode_plain(data: Any) -> Any:
    kind = type(data)
    if data is None or kind is str or kind is bool or kind is int or kind is float:
        return data
    if kind is list:
        return [_decode_plain(v) for v in data]
    if kind is not dict:
        raise CodecError(f"unexpected {kind.__name__}")
    if TAG not in data:
        return {k: _decode_plain(v) for k, v in data.items()}
    tag = data[TAG]
    if tag == "not-static" and len(data) == 1:
        return NOT_STATIC
    if data.keys() != {TAG, "v"}:
        raise CodecError("malformed tagged value")
    inner = data["v"]
    if tag == "float":
        return _decode_plain_float(data)
    if tag == "bytes" and type(inner) is str:
        return base64.b64decode(inner.encode("ascii"), validate=True)
    if type(inner) is not list:
        raise CodecError(f"malformed {tag!r} value")
    if tag == "tuple":
        return tuple(_decode_plain(v) for v in inner)
    if tag == "set":
        return {_decode_plain(v) for v in inner}
    if tag == "frozenset":
        return frozenset(_decode_plain(v) for v in inner)
    if tag == "complex" and len(inner) == 2:
        return complex(_decode_float(inner[0]), _decode_float(inner[1]))
    if tag == "dict" and all(type(pair) is list and len(pair) == 2 for pair in inner):
        return {_decode_plain(k): _decode_plain(v) for k, v in inner}
    raise CodecError(f"unknown tagged value {tag!r}")


__all__ = ["ALLOWED", "CodecError", "allowed_classes", "decode", "encode"]
