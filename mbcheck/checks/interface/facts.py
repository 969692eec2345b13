"""The per-module facts the interface collector records: plain data, cached per file.

:mod:`mbcheck.checks.interface.collect` records, for every module, its
module-level classes (bases by qualified name, methods with their parameters,
decorators and spans), functions, instances, names and star imports, and the
values the functions the host calls return (literals with their holes and
spans). This module holds those fact types and the small pure helpers that
read them: how a function can be called, what its decorators make of it, what
JSON type a literal value is. No libcst.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mbcheck.checks.interface.contract import PROPERTY_DECORATORS, TRANSPARENT_DECORATORS
from mbcheck.model import NOT_STATIC, Span


class ParamKind(enum.StrEnum):
    POSITIONAL_ONLY = "positional-only"
    POSITIONAL = "positional"
    VAR_POSITIONAL = "var-positional"
    KEYWORD_ONLY = "keyword-only"
    VAR_KEYWORD = "var-keyword"


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    kind: ParamKind
    has_default: bool = False


@dataclass(frozen=True, slots=True)
class LiteralFact:
    """A literal expression evaluated statically, with its non-literal parts left out.

    ``value`` is JSON-like data (tuples and sets become lists) or NOT_STATIC
    when the expression itself is not a literal. ``spans`` maps JSON pointers
    into the value to where they are written (``"/a#key"`` spans the key).
    ``holes`` are pointers of values left out because they are not literal
    (a list with any such item is left out whole); ``open`` are pointers of
    mappings whose keys are not all known (``**extra``, computed keys).
    """

    value: Any
    spans: tuple[tuple[str, Span], ...] = ()
    holes: tuple[str, ...] = ()
    open: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """True when the whole value is known."""
        return self.value is not NOT_STATIC and not self.holes and not self.open

    def span_map(self) -> dict[str, Span]:
        return dict(self.spans)

    def holes_under(self, pointer: str) -> list[str]:
        """Holes and open mappings at or below ``pointer``."""
        prefix = pointer + "/"
        return [p for p in (*self.holes, *self.open) if p == pointer or p.startswith(prefix)]


class ReturnKind(enum.StrEnum):
    #: a literal (list, dict, string, number, bool)
    LITERAL = "literal"
    #: ``return None`` or a bare ``return``
    NONE = "none"
    #: ``return Callee(...)``: ``target`` is the callee's qualified name
    CALL = "call"
    #: ``return name``: ``target`` is what the module-level name denotes
    NAME = "name"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class ReturnFact:
    kind: ReturnKind
    span: Span | None = None
    target: str | None = None
    #: the name or callee as written
    name: str = ""
    literal: LiteralFact | None = None
    #: literal keyword arguments of a CALL (``PluginMetadata(name=...)``)
    kwargs: tuple[tuple[str, LiteralFact], ...] = ()


@dataclass(frozen=True, slots=True)
class FunctionFact:
    """A ``def`` (or a lambda bound to a name) and how it can be called."""

    name: str
    is_async: bool
    params: tuple[Param, ...]
    #: decorators by qualified name; ``?name`` when not resolvable
    decorators: tuple[str, ...] = ()
    #: from ``def``/``async`` to the end of the name (None: positions not recorded)
    span: Span | None = None
    returns: tuple[ReturnFact, ...] = ()
    #: some ``return`` gives a value (else calling it gives None)
    returns_value: bool = False
    is_generator: bool = False
    is_lambda: bool = False
    #: qualified name of the return annotation (its subscripted base)
    returns_annotation: str | None = None

    def signature(self) -> str:
        params: list[str] = []
        for param in self.params:
            text = param.name
            if param.kind is ParamKind.VAR_POSITIONAL:
                text = "*" + text
            elif param.kind is ParamKind.VAR_KEYWORD:
                text = "**" + text
            if param.has_default:
                text += "=…"
            params.append(text)
        keyword = "async def" if self.is_async else "def"
        return f"{keyword} {self.name}({', '.join(params)})"


@dataclass(frozen=True, slots=True)
class ClassFact:
    name: str
    #: one entry per base: the qualified names it may denote (an import with a
    #: fallback binds the name twice); ``?text`` when not resolvable
    bases: tuple[tuple[str, ...], ...]
    span: Span | None
    methods: tuple[FunctionFact, ...] = ()
    #: other names bound in the class body (``get_cli = build_cli``)
    attributes: tuple[str, ...] = ()

    def method(self, name: str) -> FunctionFact | None:
        for method in reversed(self.methods):
            if method.name == name:
                return method
        return None


@dataclass(frozen=True, slots=True)
class InstanceFact:
    """A module-level ``name = Callee(...)``."""

    name: str
    target: str | None
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class ValueFact:
    """A module-level assignment to a tracked name that is not a function (``get_cli = app``)."""

    name: str
    kind: ReturnKind
    target: str | None
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class InterfaceFacts:
    """Everything the collector records about one module."""

    module: str
    classes: tuple[ClassFact, ...] = ()
    functions: tuple[FunctionFact, ...] = ()
    instances: tuple[InstanceFact, ...] = ()
    values: tuple[ValueFact, ...] = ()
    #: every module-level name and the qualified names it may denote
    names: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: modules imported with ``from m import *`` at module level
    star_imports: tuple[str, ...] = ()


# ---------------------------------------------------------------------------
# reading the facts


def call_problems(params: Sequence[Param], positional: int, implicit: int) -> list[str]:
    """Why calling with ``implicit`` bound plus ``positional`` arguments fails ([] if it works).

    ``implicit`` is 1 for ``self``/``cls``, 0 for functions and staticmethods.
    """
    slots = [p for p in params if p.kind in (ParamKind.POSITIONAL_ONLY, ParamKind.POSITIONAL)]
    varargs = any(p.kind is ParamKind.VAR_POSITIONAL for p in params)
    total = implicit + positional
    problems: list[str] = []
    if len(slots) < total and not varargs:
        if implicit and not slots:
            problems.append("it has no `self` parameter")
        else:
            accepted = max(len(slots) - implicit, 0)
            problems.append(
                f"it accepts {accepted} positional argument{'s' if accepted != 1 else ''} but is passed {positional}"
            )
    for param in slots[total:]:
        if not param.has_default:
            problems.append(f"parameter `{param.name}` is required")
    for param in params:
        if param.kind is ParamKind.KEYWORD_ONLY and not param.has_default:
            problems.append(f"keyword-only parameter `{param.name}` is required")
    return problems


def decorator_kind(function: FunctionFact) -> str:
    """``plain``, ``static``, ``class``, ``property``, ``unknown`` (a decorator that may change the call)."""
    kind = "plain"
    for decorator in function.decorators:
        if decorator in PROPERTY_DECORATORS:
            return "property"
        if decorator == "builtins.staticmethod":
            kind = "static"
        elif decorator == "builtins.classmethod":
            kind = "class"
        elif decorator not in TRANSPARENT_DECORATORS:
            return "unknown"
    return kind


def json_type(value: Any) -> str:
    """The JSON type name of a literal value (``dict``, ``string``, ``number``, …) for messages."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, dict):
        return "dict"
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (int, float)):
        return "number"
    if value is None:
        return "None"
    return type(value).__name__
