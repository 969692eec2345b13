"""The plugin's interface, resolved: what the host gets from ``get_plugin_interface()``.

:func:`analyse` (computed once per plugin by the engine: rules read
``plugin.facts.interface``) resolves the entry point in ``__init__.py``,
follows what it returns to the classes the host gets instances of (the
*implementations*, each with its method resolution order), and records what
is wrong with the entry point itself as :class:`EntryProblem` s of a
:class:`EntryProblemKind`. When the entry point cannot be followed, every
class that subclasses ``PluginInterface`` stands in for it.

The rest reads the analysis: the method definitions the host reaches
(:func:`resolved_methods`, :func:`checked_methods`), the literal
``PluginMetadata(...)`` fields that disagree with the manifest
(:func:`metadata_drift`) and the literal config schemas
(:func:`config_schema_literals`). No libcst.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from mbcheck.checks.interface.bottles import bottle_functions
from mbcheck.checks.interface.contract import ENTRY_POINT, expected_shape, public_names
from mbcheck.checks.interface.facts import (
    FunctionFact,
    LiteralFact,
    ReturnKind,
    call_problems,
    decorator_kind,
    json_type,
)
from mbcheck.checks.interface.symbols import (
    ClassRef,
    External,
    FunctionRef,
    Index,
    InstanceRef,
    Linearization,
    Symbol,
    ValueRef,
)
from mbcheck.model import NOT_STATIC, ManifestSource, PluginKind, Span

if TYPE_CHECKING:
    from mbcheck.context import PluginContext

_PROTOCOLS = frozenset({"typing.Protocol", "typing_extensions.Protocol"})


@dataclass(frozen=True)
class Implementation:
    """A class whose instances the host gets from ``get_plugin_interface``."""

    cls: ClassRef
    #: its method resolution order (``mro`` would shadow ``type.mro``)
    order: Linearization
    #: where the plugin hands it to the host (fallback location for findings)
    via: Span | None

    @property
    def span(self) -> Span:
        return self.cls.fact.span or self.via or Span(self.cls.path)


class EntryProblemKind(enum.StrEnum):
    """What is wrong with the entry point."""

    #: ``get_plugin_interface`` is ``async def``: calling it gives a coroutine
    ASYNC = "async"
    #: ``get_plugin_interface()`` cannot be called without arguments
    REQUIRED_PARAMETERS = "required-parameters"
    #: it is a class whose ``__init__`` cannot be called without arguments
    CLASS_REQUIRES_ARGUMENTS = "class-requires-arguments"
    #: it is bound to a literal, which cannot be called
    NOT_CALLABLE = "not-callable"
    #: the function never returns a value
    NO_RETURN_VALUE = "no-return-value"
    #: it returns None
    RETURNS_NONE = "returns-none"
    #: it returns a literal (a dict, a list, a string, …)
    RETURNS_LITERAL = "returns-literal"
    #: it returns a class with instance methods, not an instance
    RETURNS_CLASS = "returns-class"
    #: it returns a function, not what the function makes
    RETURNS_FUNCTION = "returns-function"


@dataclass(frozen=True)
class EntryProblem:
    """Something wrong with the entry point, where it is and what to say about it."""

    kind: EntryProblemKind
    span: Span
    message: str


@dataclass
class Analysis:
    """The plugin's interface as the host gets it (see the module docstring)."""

    index: Index
    #: what ``get_plugin_interface`` in ``__init__.py`` denotes
    entry: Symbol | None = None
    #: ``__init__.py`` binds ``get_plugin_interface``
    entry_found: bool = False
    entry_span: Span | None = None
    #: the classes whose instances the host gets
    implementations: list[Implementation] = field(default_factory=list)
    #: every class that subclasses ``PluginInterface``
    explicit: list[ClassRef] = field(default_factory=list)
    problems: list[EntryProblem] = field(default_factory=list)
    #: some of what the entry point returns cannot be followed statically
    unresolved: bool = False

    def add_problem(self, kind: EntryProblemKind, span: Span, message: str) -> None:
        self.problems.append(EntryProblem(kind, span, message))


def analyse(plugin: PluginContext) -> Analysis:
    """The plugin's interface, resolved (the engine computes it once per plugin:
    rules read ``plugin.facts.interface``)."""
    index = Index(plugin)
    analysis = Analysis(index)
    if plugin.model.kind is PluginKind.PLUGIN:
        _resolve_entry(plugin, index, analysis)
    for cls in index.classes.values():
        if index.mro(cls).interface:
            analysis.explicit.append(cls)
    if not analysis.implementations:
        for cls in analysis.explicit:
            derived = any(
                other is not cls and cls in index.mro(other).classes for other in analysis.explicit
            )
            protocol = any(c in _PROTOCOLS for base in cls.fact.bases for c in base)
            if not derived and not protocol:
                analysis.implementations.append(Implementation(cls, index.mro(cls), None))
    return analysis


def _resolve_entry(plugin: PluginContext, index: Index, analysis: Analysis) -> None:
    init = index.module_of_path("__init__.py")
    if init is None:
        return
    module = init[0]
    qualname = f"{module}.{ENTRY_POINT}"
    present = index.has_name(module, ENTRY_POINT)
    if present is False:
        return
    analysis.entry_found = True
    symbol = index.resolve(qualname)
    analysis.entry = symbol
    if symbol is None and present is None:
        analysis.entry_found = False  # a star import may or may not provide it
        analysis.unresolved = True
        return
    if isinstance(symbol, FunctionRef):
        analysis.entry_span = symbol.fact.span or Span(symbol.path)
        _check_entry_function(analysis, symbol)
        _collect_returns(index, analysis, symbol, 0)
    elif isinstance(symbol, ClassRef):
        analysis.entry_span = symbol.fact.span or Span(symbol.path)
        init_method = index.mro(symbol).lookup("__init__")
        if init_method is not None and init_method[1] is not None:
            problems = call_problems(init_method[1].params, 0, 1)
            if problems and decorator_kind(init_method[1]) != "unknown":
                analysis.add_problem(
                    EntryProblemKind.CLASS_REQUIRES_ARGUMENTS,
                    init_method[1].span or analysis.entry_span,
                    f"`{ENTRY_POINT}` is the class `{symbol.fact.name}`, which the host calls without "
                    f"arguments, but its `__init__`: {'; '.join(problems)}",
                )
        analysis.implementations.append(Implementation(symbol, index.mro(symbol), analysis.entry_span))
    elif isinstance(symbol, ValueRef):
        analysis.entry_span = symbol.fact.span or Span(symbol.path)
        if symbol.fact.kind in (ReturnKind.LITERAL, ReturnKind.NONE):
            analysis.add_problem(
                EntryProblemKind.NOT_CALLABLE,
                analysis.entry_span,
                f"`{ENTRY_POINT}` is bound to a literal, not a function: the host calls it",
            )
        else:
            analysis.unresolved = True
    else:
        analysis.entry_span = Span("__init__.py", 1, 1)
        analysis.unresolved = True


def _check_entry_function(analysis: Analysis, entry: FunctionRef) -> None:
    fact = entry.fact
    span = fact.span or Span(entry.path)
    kind = decorator_kind(fact)
    if kind == "unknown":
        return
    if fact.is_async:
        analysis.add_problem(
            EntryProblemKind.ASYNC,
            span,
            f"`{ENTRY_POINT}` is `async def`: the host calls it without awaiting and gets a "
            f"coroutine, not the plugin; expected `def {ENTRY_POINT}()`",
        )
    problems = call_problems(fact.params, 0, 0)
    if problems:
        analysis.add_problem(
            EntryProblemKind.REQUIRED_PARAMETERS,
            span,
            f"the host calls `{ENTRY_POINT}()` without arguments, but {'; '.join(problems)}; "
            f"expected `def {ENTRY_POINT}()`",
        )


def _collect_returns(index: Index, analysis: Analysis, function: FunctionRef, depth: int) -> None:
    fact = function.fact
    fallback = fact.span or analysis.entry_span or Span(function.path)
    if not fact.returns_value and not fact.is_generator and not fact.is_lambda:
        analysis.add_problem(
            EntryProblemKind.NO_RETURN_VALUE,
            fallback,
            f"`{fact.name}` never returns a value: the host gets None and the plugin has no interface",
        )
        return
    for ret in fact.returns:
        span = ret.span or fallback
        if ret.kind is ReturnKind.NONE:
            analysis.add_problem(
                EntryProblemKind.RETURNS_NONE, span, f"`{fact.name}` returns None: the plugin has no interface"
            )
        elif ret.kind is ReturnKind.LITERAL:
            value = ret.literal.value if ret.literal is not None else NOT_STATIC
            what = json_type(value) if value is not NOT_STATIC else "literal"
            analysis.add_problem(
                EntryProblemKind.RETURNS_LITERAL,
                span,
                f"`{fact.name}` returns a {what}, not an object implementing PluginInterface",
            )
        elif ret.kind is ReturnKind.CALL:
            _follow_call(index, analysis, index.resolve(ret.target), span, depth)
        elif ret.kind is ReturnKind.NAME:
            symbol = index.resolve(ret.target)
            if isinstance(symbol, InstanceRef):
                _follow_call(index, analysis, index.resolve(symbol.fact.target), span, depth)
            elif isinstance(symbol, ClassRef):
                mro = index.mro(symbol)
                if index.has_instance_methods(mro):
                    analysis.add_problem(
                        EntryProblemKind.RETURNS_CLASS,
                        span,
                        f"`{fact.name}` returns the class `{symbol.fact.name}` itself, not an instance: "
                        f"write `{ret.name or symbol.fact.name}()`",
                    )
                else:
                    analysis.implementations.append(Implementation(symbol, mro, span))
            elif isinstance(symbol, FunctionRef):
                analysis.add_problem(
                    EntryProblemKind.RETURNS_FUNCTION,
                    span,
                    f"`{fact.name}` returns the function `{symbol.fact.name}` itself, not the plugin object",
                )
            else:
                analysis.unresolved = True
        else:
            analysis.unresolved = True


def _follow_call(index: Index, analysis: Analysis, callee: Symbol | None, span: Span, depth: int) -> None:
    """What calling ``callee`` gives the host: an instance of a plugin class, or what a function returns."""
    if isinstance(callee, ClassRef):
        analysis.implementations.append(Implementation(callee, index.mro(callee), span))
    elif isinstance(callee, FunctionRef) and depth < 5:
        _collect_returns(index, analysis, callee, depth + 1)
    else:
        analysis.unresolved = True


@dataclass(frozen=True)
class MethodUse:
    """An interface method as the host reaches it on an implementation."""

    impl: Implementation
    owner: ClassRef
    method: FunctionFact


def resolved_methods(plugin: PluginContext, name: str) -> list[MethodUse]:
    """The definition of ``name`` the host calls on each implementation (MRO order)."""
    analysis = plugin.facts.interface
    out: list[MethodUse] = []
    seen: set[tuple[str, str]] = set()
    for impl in analysis.implementations:
        found = impl.order.lookup(name)
        if found is None or found[1] is None:
            continue
        key = (found[0].qualname, name)
        if key in seen:
            continue
        seen.add(key)
        out.append(MethodUse(impl, found[0], found[1]))
    return out


@dataclass(frozen=True)
class CheckedMethod:
    """An interface method definition whose shape matters, and the host profile's shape of it."""

    owner: ClassRef
    method: FunctionFact
    #: the host profile's entry: ``{"async": bool, "params": [...]}``
    shape: Mapping[str, Any]

    @property
    def label(self) -> str:
        """How findings name it: ``Owner.method``."""
        return f"{self.owner.fact.name}.{self.method.name}"

    @property
    def span(self) -> Span:
        return self.method.span or self.owner.fact.span or Span(self.owner.path)

    @property
    def expected(self) -> str:
        """The shape the host expects, as code."""
        return expected_shape(self.method.name, self.shape)


def checked_methods(plugin: PluginContext) -> list[CheckedMethod]:
    """Every interface method definition whose shape matters, once each.

    The definitions the host reaches on each implementation, plus every
    interface-named method of a class that subclasses ``PluginInterface``
    (an override must keep the protocol's shape even if it is overridden again).
    """
    analysis = plugin.facts.interface
    spec = plugin.host.plugin_interface
    out: list[CheckedMethod] = []
    seen: set[tuple[str, str]] = set()

    def add(owner: ClassRef, method: FunctionFact) -> None:
        key = (owner.qualname, method.name)
        if key not in seen:
            seen.add(key)
            out.append(CheckedMethod(owner, method, spec[method.name]))

    for impl in analysis.implementations:
        for name in spec:
            found = impl.order.lookup(name)
            if found is not None and found[1] is not None:
                add(found[0], found[1])
    for cls in analysis.explicit:
        for name in spec:
            method = cls.fact.method(name)
            if method is not None:
                add(cls, method)
    return out


# ---------------------------------------------------------------------------
# literal values compared with the manifest (metadata drift, the interface rules) and config schemas


def manifest_label(plugin: PluginContext) -> str:
    """How findings name the plugin's manifest."""
    return plugin.model.manifest_path or "the manifest"


def normal_requirement(text: str) -> str:
    """A requirement in a normal form (canonical name, sorted extras), for comparing lists."""
    try:
        req = Requirement(text)
    except InvalidRequirement:
        return " ".join(text.split())
    extras = f"[{','.join(sorted(req.extras))}]" if req.extras else ""
    marker = f"; {req.marker}" if req.marker else ""
    return f"{canonicalize_name(req.name)}{extras}{req.specifier}{marker}"


def same_field(key: str, mine: Any, theirs: Any) -> bool:
    """Whether a value from code and the manifest's ``key`` agree (versions and lists compared as such)."""
    if key == "version" and isinstance(mine, str) and isinstance(theirs, str):
        try:
            return Version(mine) == Version(theirs)
        except InvalidVersion:
            return mine == theirs
    if isinstance(mine, list) and isinstance(theirs, list):
        if key == "dependencies":
            return sorted(map(normal_requirement, map(str, mine))) == sorted(
                map(normal_requirement, map(str, theirs))
            )
        return sorted(map(str, mine)) == sorted(map(str, theirs))
    return bool(mine == theirs)


def metadata_drift(plugin: PluginContext) -> list[tuple[Span, str]]:
    """Literal ``PluginMetadata(...)`` fields returned by ``get_metadata()`` that disagree with the manifest.

    The manifest's metadata-drift rule reports them; they are computed here,
    where the interface is resolved.
    """
    model = plugin.model
    if model.kind is not PluginKind.PLUGIN or model.source is ManifestSource.NONE:
        return []
    metadata_names = public_names(plugin, "PluginMetadata")
    out: list[tuple[Span, str]] = []
    for use in resolved_methods(plugin, "get_metadata"):
        for ret in use.method.returns:
            if ret.kind is not ReturnKind.CALL or ret.target is None:
                continue
            symbol = plugin.facts.interface.index.resolve(ret.target)
            if not (isinstance(symbol, External) and symbol.qualname in metadata_names):
                continue
            for key, literal in ret.kwargs:
                located = model.fields.get(key)
                if located is None or not literal.complete:
                    continue
                theirs = located.value
                if theirs is NOT_STATIC or theirs is None:
                    continue
                if not same_field(key, literal.value, theirs):
                    span = literal.span_map().get("") or ret.span or use.method.span or Span(use.owner.path)
                    out.append(
                        (
                            span,
                            f"`get_metadata()` returns PluginMetadata({key}={literal.value!r}) but "
                            f"{manifest_label(plugin)} says {key} {theirs!r}",
                        )
                    )
    return out


def config_schema_literals(plugin: PluginContext) -> list[tuple[str, LiteralFact, str]]:
    """Literal schemas returned by ``get_config_schema()``: (path, literal, who returns it)."""
    out: list[tuple[str, LiteralFact, str]] = []
    seen: set[tuple[str, int]] = set()
    if plugin.model.kind is PluginKind.PLUGIN:
        for use in resolved_methods(plugin, "get_config_schema"):
            for ret in use.method.returns:
                if ret.literal is None:
                    continue
                span = ret.span or use.method.span
                key = (use.owner.path, span.line if span else 0)
                if key not in seen:
                    seen.add(key)
                    out.append((use.owner.path, ret.literal, f"`{use.owner.fact.name}.get_config_schema()`"))
    else:
        for path, function in bottle_functions(plugin, "get_config_schema"):
            for ret in function.returns:
                if ret.literal is not None:
                    out.append((path, ret.literal, "`get_config_schema()`"))
    return out

