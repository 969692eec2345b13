"""Interface rules (category ``interface``): plugins and bottles keep the host's contract.

The host imports a plugin package, calls its module-level
``get_plugin_interface()`` and then the methods of ``PluginInterface`` on what
it gets (awaiting ``initialize`` and ``shutdown``). The bottle registry imports
each ``milkbottle.bottles`` entry point's module, reads ``__alias__`` and
``__version__`` and calls ``get_cli()``. These rules check that contract
statically, from the facts :mod:`mbcheck.checks.interface.collect` records for
every module: classes with their bases and methods, module-level functions,
instances and names, and the literal values some methods return.

The method shapes come from the host profile (``plugin.host.plugin_interface``);
nothing here restates them. This module imports no libcst: it runs on cached
facts.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from mbcheck.context import PluginContext
from mbcheck.model import (
    NOT_STATIC,
    Category,
    Confidence,
    ManifestSource,
    PluginKind,
    Severity,
    Span,
)
from mbcheck.resources import list_dir, load_json
from mbcheck.rules.base import EXAMPLE_MANIFEST, Invalid, PluginRule, Valid

#: the fact key the collector stores its :class:`ModuleFacts` under
FACT_KEY = "interface"
#: the module-level function the host calls to get the plugin object
ENTRY_POINT = "get_plugin_interface"
#: the entry-point group of bottles in ``pyproject.toml``
BOTTLE_GROUP = "milkbottle.bottles"
#: module-level functions the bottle registry looks up on a bottle module, with
#: the positional arguments it passes (the registry, not the host profile,
#: defines these: see the MilkBottle contract, "Bottles")
BOTTLE_FUNCTIONS: Mapping[str, tuple[str, ...]] = {
    "get_cli": (),
    "validate_config": ("config",),
    "health_check": (),
    "get_metadata": (),
    "get_capabilities": (),
    "get_dependencies": (),
    "get_config_schema": (),
}
#: module attributes the registry reads, and what it uses when one is missing
BOTTLE_DUNDERS: Mapping[str, str] = {"__alias__": "the entry-point name", "__version__": 'version "0.0.0"'}
#: methods/functions whose literal return values the rules compare with the manifest
LITERAL_RETURNS = frozenset(
    {"get_capabilities", "get_dependencies", "health_check", "get_metadata", "get_config_schema"}
)
#: names of module-level functions whose facts are always recorded with positions
TRACKED_FUNCTIONS = frozenset({ENTRY_POINT, *BOTTLE_FUNCTIONS})

#: decorators that keep a method's call shape
TRANSPARENT_DECORATORS = frozenset(
    {
        "abc.abstractmethod",
        "typing.override",
        "typing_extensions.override",
        "typing.final",
        "typing_extensions.final",
        "functools.cache",
        "functools.lru_cache",
        "builtins.staticmethod",
        "builtins.classmethod",
    }
)
PROPERTY_DECORATORS = frozenset({"builtins.property", "functools.cached_property", "abc.abstractproperty"})
OVERLOAD_DECORATORS = frozenset({"typing.overload", "typing_extensions.overload"})
#: return annotations under which a plain ``def`` still hands the host an awaitable
AWAITABLE_ANNOTATIONS = frozenset(
    {
        "typing.Awaitable",
        "typing.Coroutine",
        "collections.abc.Awaitable",
        "collections.abc.Coroutine",
        "asyncio.Future",
        "asyncio.Task",
    }
)
_PROTOCOLS = frozenset({"typing.Protocol", "typing_extensions.Protocol"})
#: bases that define none of the interface methods (``PluginInterface`` itself only has stubs)
_EMPTY_BASES = frozenset(
    {"abc.ABC", "typing.Protocol", "typing.Generic", "typing_extensions.Protocol", "typing_extensions.Generic"}
)


@cache
def known_interface_methods() -> frozenset[str]:
    """Every interface method name of the shipped host profiles (data, not code)."""
    names: set[str] = set()
    for entry in list_dir("rules/hosts"):
        if entry.endswith(".json"):
            data = load_json(f"rules/hosts/{entry}")
            if isinstance(data, dict) and isinstance(data.get("plugin_interface"), dict):
                names.update(data["plugin_interface"])
    return frozenset(names)


# ---------------------------------------------------------------------------
# facts (recorded per module by mbcheck.checks.interface.collect; plain data)


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
class ModuleFacts:
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
# calls


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


def expected_shape(name: str, spec: Mapping[str, Any], method: bool = True) -> str:
    params = [str(p) for p in spec.get("params", ())]
    if method:
        params.insert(0, "self")
    keyword = "async def" if spec.get("async") else "def"
    return f"{keyword} {name}({', '.join(params)})"


def _decorator_kind(function: FunctionFact) -> str:
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


# ---------------------------------------------------------------------------
# the plugin's symbols


@dataclass(frozen=True)
class ClassRef:
    path: str
    module: str
    fact: ClassFact

    @property
    def qualname(self) -> str:
        return f"{self.module}.{self.fact.name}"


@dataclass(frozen=True)
class FunctionRef:
    path: str
    module: str
    fact: FunctionFact


@dataclass(frozen=True)
class InstanceRef:
    path: str
    module: str
    fact: InstanceFact


@dataclass(frozen=True)
class ValueRef:
    path: str
    module: str
    fact: ValueFact


@dataclass(frozen=True)
class ModuleRef:
    path: str
    module: str


@dataclass(frozen=True)
class External:
    """A name outside the plugin (a library, the host)."""

    qualname: str


Symbol = ClassRef | FunctionRef | InstanceRef | ValueRef | ModuleRef | External


class Index:
    """The plugin's modules, classes and functions by qualified name."""

    def __init__(self, plugin: PluginContext) -> None:
        #: the host's interface table: method name -> {"async": bool, "params": [...]}
        self.spec: Mapping[str, Mapping[str, Any]] = plugin.host.plugin_interface
        #: qualified names of ``PluginInterface`` in the host's public API
        self.interface_names = public_names(plugin, "PluginInterface")
        self._mros: dict[str, Linearization] = {}
        self.modules: dict[str, tuple[str, ModuleFacts]] = {}
        self.classes: dict[str, ClassRef] = {}
        self.functions: dict[str, FunctionRef] = {}
        self.names: dict[str, dict[str, tuple[str, ...]]] = {}
        self.instances: dict[str, InstanceRef] = {}
        self.values: dict[str, ValueRef] = {}
        for path, facts in plugin.file_facts(FACT_KEY):
            if not isinstance(facts, ModuleFacts):
                continue
            self.modules[facts.module] = (path, facts)
            self.names[facts.module] = dict(facts.names)
            for cls in facts.classes:
                self.classes[f"{facts.module}.{cls.name}"] = ClassRef(path, facts.module, cls)
            for function in facts.functions:
                self.functions[f"{facts.module}.{function.name}"] = FunctionRef(path, facts.module, function)
            for instance in facts.instances:
                self.instances[f"{facts.module}.{instance.name}"] = InstanceRef(path, facts.module, instance)
            for value in facts.values:
                self.values[f"{facts.module}.{value.name}"] = ValueRef(path, facts.module, value)
        self.tops = {name.split(".", 1)[0] for name in self.modules} | {plugin.package}

    def module_of_path(self, path: str) -> tuple[str, ModuleFacts] | None:
        for module, (module_path, facts) in self.modules.items():
            if module_path == path:
                return module, facts
        return None

    def first_party(self, qualname: str) -> bool:
        return qualname.split(".", 1)[0] in self.tops

    def has_name(self, module: str, name: str, depth: int = 0) -> bool | None:
        """Whether a module binds ``name`` at module level (None: cannot tell)."""
        if module not in self.modules or depth > 8:
            return None
        facts = self.modules[module][1]
        if name in self.names[module] or f"{module}.{name}" in self.modules:
            return True
        if "__getattr__" in self.names[module]:
            return None
        answer: bool | None = False
        for star in facts.star_imports:
            found = self.has_name(star, name, depth + 1) if star in self.modules else None
            if found:
                return True
            if found is None:
                answer = None
        return answer

    def resolve(self, qualname: str | None, depth: int = 0) -> Symbol | None:
        """What a qualified name denotes; None when it cannot be told statically."""
        if qualname is None or qualname.startswith("?") or depth > 12:
            return None
        if qualname in self.classes:
            return self.classes[qualname]
        if qualname in self.functions:
            return self.functions[qualname]
        if qualname in self.instances:
            return self.instances[qualname]
        if qualname in self.values:
            value = self.values[qualname]
            if value.fact.kind is ReturnKind.NAME and value.fact.target not in (None, qualname):
                return self.resolve(value.fact.target, depth + 1) or value
            return value
        if qualname in self.modules:
            return ModuleRef(self.modules[qualname][0], qualname)
        module, _, attr = qualname.rpartition(".")
        if module in self.modules:
            candidates = self.names[module].get(attr)
            if candidates is not None:
                for candidate in candidates:
                    if candidate != qualname:
                        found = self.resolve(candidate, depth + 1)
                        if found is not None:
                            return found
                return None
            for star in self.modules[module][1].star_imports:
                found = self.resolve(f"{star}.{attr}", depth + 1)
                if found is not None:
                    return found
            return None
        if self.first_party(qualname):
            return None
        return External(qualname)

    # -- classes ---------------------------------------------------------------
    def base_symbols(self, cls: ClassRef) -> list[tuple[Symbol | None, bool]]:
        """Each base of a class, and whether any name it may denote is ``PluginInterface``.

        A base bound twice (``try: from milkbottle... import PluginInterface as
        Base`` / ``except ImportError: Base = object``) is the interface when
        the host is installed, which is when the host loads the plugin.
        """
        out: list[tuple[Symbol | None, bool]] = []
        for candidates in cls.fact.bases:
            chosen: Symbol | None = None
            interface = False
            for candidate in candidates:
                found = self.resolve(candidate)
                if found is None and not candidate.startswith("?") and not self.first_party(candidate):
                    found = External(candidate)
                if isinstance(found, External) and found.qualname in self.interface_names:
                    interface = True
                if chosen is None and isinstance(found, (ClassRef, External)):
                    chosen = found
            out.append((chosen, interface))
        return out

    def mro(self, cls: ClassRef) -> Linearization:
        """The method resolution order of a plugin class (C3, as Python computes it)."""
        return self._mro(cls, frozenset())

    def _mro(self, cls: ClassRef, seen: frozenset[str]) -> Linearization:
        if cls.qualname in self._mros:
            return self._mros[cls.qualname]
        if cls.qualname in seen:
            return Linearization((cls,), open=True)
        seen = seen | {cls.qualname}
        interface = False
        is_open = False
        parents: list[list[ClassRef]] = []
        direct: list[ClassRef] = []
        for base, names_interface in self.base_symbols(cls):
            interface = interface or names_interface
            if isinstance(base, ClassRef):
                sub = self._mro(base, seen)
                parents.append(list(sub.classes))
                direct.append(base)
                interface = interface or sub.interface
                is_open = is_open or sub.open
            elif isinstance(base, External):
                name = base.qualname
                if name in self.interface_names:
                    interface = True
                elif not (name.startswith("builtins.") or name in _EMPTY_BASES):
                    is_open = True
            else:
                is_open = True
        merged = _c3([*parents, direct])
        if merged is None:  # inconsistent hierarchy: depth-first order is good enough here
            merged = []
            for chain in parents:
                merged.extend(c for c in chain if c not in merged)
        result = Linearization((cls, *merged), interface=interface, open=is_open)
        self._mros[cls.qualname] = result
        return result

    def has_instance_methods(self, mro: Linearization) -> bool:
        """Whether some interface method along ``mro`` needs an instance (not static/class)."""
        for name in self.spec:
            found = mro.lookup(name)
            if found is not None and found[1] is not None and _decorator_kind(found[1]) not in ("static", "class"):
                return True
        return False


def public_names(plugin: PluginContext, member: str) -> frozenset[str]:
    """Qualified names of a public API member (``PluginInterface``) in the host profile."""
    return frozenset(f"{module}.{member}" for module, names in plugin.host.public_api.items() if member in names)


def _c3(sequences: list[list[ClassRef]]) -> list[ClassRef] | None:
    result: list[ClassRef] = []
    pending = [list(s) for s in sequences if s]
    while pending:
        for seq in pending:
            head = seq[0]
            if not any(head in other[1:] for other in pending):
                break
        else:
            return None
        result.append(head)
        pending = [[c for c in seq if c != head] for seq in pending]
        pending = [seq for seq in pending if seq]
    return result


@dataclass(frozen=True)
class Linearization:
    classes: tuple[ClassRef, ...]
    #: some ancestor is ``PluginInterface``
    interface: bool = False
    #: some ancestor is outside the plugin (or unknown): inherited methods are not all known
    open: bool = False

    def lookup(self, name: str) -> tuple[ClassRef, FunctionFact | None] | None:
        """Where ``name`` is defined along the MRO: (class, method or None for an attribute)."""
        for cls in self.classes:
            method = cls.fact.method(name)
            if method is not None:
                return cls, method
            if name in cls.fact.attributes:
                return cls, None
        return None


# ---------------------------------------------------------------------------
# the analysis shared by the rules


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


@dataclass(frozen=True)
class EntryProblem:
    code: str
    span: Span
    message: str


@dataclass
class Analysis:
    index: Index
    entry: Symbol | None = None
    entry_found: bool = False
    entry_span: Span | None = None
    implementations: list[Implementation] = field(default_factory=list)
    explicit: list[ClassRef] = field(default_factory=list)
    problems: list[EntryProblem] = field(default_factory=list)
    unresolved: bool = False


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
            if problems and _decorator_kind(init_method[1]) != "unknown":
                analysis.problems.append(
                    EntryProblem(
                        EntryPointSignature.code,
                        init_method[1].span or analysis.entry_span,
                        f"`{ENTRY_POINT}` is the class `{symbol.fact.name}`, which the host calls without "
                        f"arguments, but its `__init__`: {'; '.join(problems)}",
                    )
                )
        analysis.implementations.append(Implementation(symbol, index.mro(symbol), analysis.entry_span))
    elif isinstance(symbol, ValueRef):
        analysis.entry_span = symbol.fact.span or Span(symbol.path)
        if symbol.fact.kind in (ReturnKind.LITERAL, ReturnKind.NONE):
            analysis.problems.append(
                EntryProblem(
                    EntryPointSignature.code,
                    analysis.entry_span,
                    f"`{ENTRY_POINT}` is bound to a literal, not a function: the host calls it",
                )
            )
        else:
            analysis.unresolved = True
    else:
        analysis.entry_span = Span("__init__.py", 1, 1)
        analysis.unresolved = True


def _check_entry_function(analysis: Analysis, entry: FunctionRef) -> None:
    fact = entry.fact
    span = fact.span or Span(entry.path)
    kind = _decorator_kind(fact)
    if kind == "unknown":
        return
    if fact.is_async:
        analysis.problems.append(
            EntryProblem(
                EntryPointSignature.code,
                span,
                f"`{ENTRY_POINT}` is `async def`: the host calls it without awaiting and gets a "
                f"coroutine, not the plugin; expected `def {ENTRY_POINT}()`",
            )
        )
    problems = call_problems(fact.params, 0, 0)
    if problems:
        analysis.problems.append(
            EntryProblem(
                EntryPointSignature.code,
                span,
                f"the host calls `{ENTRY_POINT}()` without arguments, but {'; '.join(problems)}; "
                f"expected `def {ENTRY_POINT}()`",
            )
        )


def _collect_returns(index: Index, analysis: Analysis, function: FunctionRef, depth: int) -> None:
    fact = function.fact
    fallback = fact.span or analysis.entry_span or Span(function.path)
    if not fact.returns_value and not fact.is_generator and not fact.is_lambda:
        analysis.problems.append(
            EntryProblem(
                EntryPointReturn.code,
                fallback,
                f"`{fact.name}` never returns a value: the host gets None and the plugin has no interface",
            )
        )
        return
    for ret in fact.returns:
        span = ret.span or fallback
        if ret.kind is ReturnKind.NONE:
            analysis.problems.append(
                EntryProblem(EntryPointReturn.code, span, f"`{fact.name}` returns None: the plugin has no interface")
            )
        elif ret.kind is ReturnKind.LITERAL:
            value = ret.literal.value if ret.literal is not None else NOT_STATIC
            what = _json_type(value) if value is not NOT_STATIC else "literal"
            analysis.problems.append(
                EntryProblem(
                    EntryPointReturn.code,
                    span,
                    f"`{fact.name}` returns a {what}, not an object implementing PluginInterface",
                )
            )
        elif ret.kind is ReturnKind.CALL:
            symbol = index.resolve(ret.target)
            if isinstance(symbol, ClassRef):
                analysis.implementations.append(Implementation(symbol, index.mro(symbol), span))
            elif isinstance(symbol, FunctionRef) and depth < 5:
                _collect_returns(index, analysis, symbol, depth + 1)
            else:
                analysis.unresolved = True
        elif ret.kind is ReturnKind.NAME:
            symbol = index.resolve(ret.target)
            if isinstance(symbol, InstanceRef):
                made = index.resolve(symbol.fact.target)
                if isinstance(made, ClassRef):
                    analysis.implementations.append(Implementation(made, index.mro(made), span))
                elif isinstance(made, FunctionRef) and depth < 5:
                    _collect_returns(index, analysis, made, depth + 1)
                else:
                    analysis.unresolved = True
            elif isinstance(symbol, ClassRef):
                mro = index.mro(symbol)
                if index.has_instance_methods(mro):
                    analysis.problems.append(
                        EntryProblem(
                            EntryPointReturn.code,
                            span,
                            f"`{fact.name}` returns the class `{symbol.fact.name}` itself, not an instance: "
                            f"write `{ret.name or symbol.fact.name}()`",
                        )
                    )
                else:
                    analysis.implementations.append(Implementation(symbol, mro, span))
            elif isinstance(symbol, FunctionRef):
                analysis.problems.append(
                    EntryProblem(
                        EntryPointReturn.code,
                        span,
                        f"`{fact.name}` returns the function `{symbol.fact.name}` itself, not the plugin object",
                    )
                )
            else:
                analysis.unresolved = True
        else:
            analysis.unresolved = True


def _json_type(value: Any) -> str:
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


def checked_methods(plugin: PluginContext) -> list[tuple[ClassRef, FunctionFact, str]]:
    """Every interface method definition whose shape matters, once each.

    The definitions the host reaches on each implementation, plus every
    interface-named method of a class that subclasses ``PluginInterface``
    (an override must keep the protocol's shape even if it is overridden again).
    """
    analysis = plugin.facts.interface
    spec = plugin.host.plugin_interface
    out: list[tuple[ClassRef, FunctionFact, str]] = []
    seen: set[tuple[str, str]] = set()

    def add(owner: ClassRef, method: FunctionFact) -> None:
        key = (owner.qualname, method.name)
        if key not in seen:
            seen.add(key)
            out.append((owner, method, method.name))

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
# literal comparisons (shared with MB111 and the config rules)


def _manifest_label(plugin: PluginContext) -> str:
    return plugin.model.manifest_path or "the manifest"


def _normal_requirement(text: str) -> str:
    try:
        req = Requirement(text)
    except InvalidRequirement:
        return " ".join(text.split())
    extras = f"[{','.join(sorted(req.extras))}]" if req.extras else ""
    marker = f"; {req.marker}" if req.marker else ""
    return f"{canonicalize_name(req.name)}{extras}{req.specifier}{marker}"


def _same_field(key: str, mine: Any, theirs: Any) -> bool:
    if key == "version" and isinstance(mine, str) and isinstance(theirs, str):
        try:
            return Version(mine) == Version(theirs)
        except InvalidVersion:
            return mine == theirs
    if isinstance(mine, list) and isinstance(theirs, list):
        if key == "dependencies":
            return sorted(map(_normal_requirement, map(str, mine))) == sorted(
                map(_normal_requirement, map(str, theirs))
            )
        return sorted(map(str, mine)) == sorted(map(str, theirs))
    return bool(mine == theirs)


def metadata_drift(plugin: PluginContext) -> list[tuple[Span, str]]:
    """Literal ``PluginMetadata(...)`` fields returned by ``get_metadata()`` that disagree with the manifest.

    MB111 (metadata drift) reports them; they are computed here, where the
    interface is resolved.
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
                if not _same_field(key, literal.value, theirs):
                    span = literal.span_map().get("") or ret.span or use.method.span or Span(use.owner.path)
                    out.append(
                        (
                            span,
                            f"`get_metadata()` returns PluginMetadata({key}={literal.value!r}) but "
                            f"{_manifest_label(plugin)} says {key} {theirs!r}",
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


# ---------------------------------------------------------------------------
# bottles


@dataclass(frozen=True)
class BottleEntry:
    name: str
    value: str
    module: str
    attr: str
    span: Span
    #: the module's file in the distribution, if found
    path: str | None


def _entry_point_pointer(name: str) -> str:
    from mbcheck.documents.pointers import join_pointer

    return join_pointer(("project", "entry-points", BOTTLE_GROUP, name))


def bottle_entries(plugin: PluginContext) -> list[BottleEntry]:
    document = getattr(plugin.manifest, "document", None)
    value = getattr(document, "value", None)
    if plugin.model.kind is not PluginKind.BOTTLE or not isinstance(value, dict):
        return []
    project = value.get("project")
    groups = project.get("entry-points") if isinstance(project, dict) else None
    entries = groups.get(BOTTLE_GROUP) if isinstance(groups, dict) else None
    if not isinstance(entries, dict):
        return []
    files = set(plugin.files)
    out: list[BottleEntry] = []
    for name, raw in entries.items():
        pointer = _entry_point_pointer(str(name))
        span = document.span(pointer) if document is not None else Span("pyproject.toml")
        text = str(raw).split("[", 1)[0].strip()
        module, _, attr = (part.strip() for part in text.partition(":"))
        out.append(BottleEntry(str(name), str(raw), module, attr, span, _module_file(module, files)))
    return out


def module_candidates(module: str) -> list[str]:
    base = module.replace(".", "/")
    return [f"{base}.py", f"{base}/__init__.py", f"src/{base}.py", f"src/{base}/__init__.py"]


def _module_file(module: str, files: set[str]) -> str | None:
    if not module or not all(part.isidentifier() for part in module.split(".")):
        return None
    return next((c for c in module_candidates(module) if c in files), None)


def bottle_functions(plugin: PluginContext, name: str) -> list[tuple[str, FunctionFact]]:
    """The module-level function ``name`` of each bottle module (following imports)."""
    index = plugin.facts.interface.index
    out: list[tuple[str, FunctionFact]] = []
    seen: set[str] = set()
    for entry in bottle_entries(plugin):
        if entry.path is None or entry.module in seen or entry.module not in index.modules:
            continue
        seen.add(entry.module)
        symbol = index.resolve(f"{entry.module}.{name}")
        if isinstance(symbol, FunctionRef):
            out.append((symbol.path, symbol.fact))
    return out


# ---------------------------------------------------------------------------
# examples

_PI = "from milkbottle.plugin_system.core import PluginInterface, PluginMetadata\n"

_METHODS = {
    "get_cli": "    def get_cli(self):\n        return None\n",
    "get_metadata": "    def get_metadata(self):\n        return None\n",
    "validate_config": "    def validate_config(self, config):\n        return True\n",
    "health_check": "    def health_check(self):\n        return {'status': 'healthy'}\n",
    "initialize": "    async def initialize(self):\n        return True\n",
    "shutdown": "    async def shutdown(self):\n        return None\n",
    "get_capabilities": "    def get_capabilities(self):\n        return ['example']\n",
    "get_dependencies": "    def get_dependencies(self):\n        return []\n",
    "get_config_schema": "    def get_config_schema(self):\n        return {'type': 'object'}\n",
    "get_performance_metrics": "    def get_performance_metrics(self):\n        return {}\n",
    "get_error_log": "    def get_error_log(self):\n        return []\n",
}


def example_class(
    name: str = "Plugin",
    bases: str = "PluginInterface",
    replace: Mapping[str, str] | None = None,
    drop: Sequence[str] = (),
) -> str:
    """A complete implementation (for the examples), with methods replaced or dropped."""
    replace = replace or {}
    body = "".join(replace.get(m, text) for m, text in _METHODS.items() if m not in drop)
    extra = "".join(text for m, text in replace.items() if m not in _METHODS)
    header = f"class {name}({bases}):\n" if bases else f"class {name}:\n"
    return header + (body + extra or "    pass\n")


def example_plugin(
    replace: Mapping[str, str] | None = None,
    drop: Sequence[str] = (),
    entry: str = "def get_plugin_interface():\n    return Plugin()\n",
    bases: str = "PluginInterface",
) -> str:
    return _PI + "\n\n" + example_class(bases=bases, replace=replace, drop=drop) + "\n\n" + entry


_GOOD = example_plugin()


def _line(text: str, needle: str, last: bool = False) -> int:
    """The 1-based line of ``text`` holding ``needle`` (its last occurrence if ``last``)."""
    index = text.rfind(needle) if last else text.find(needle)
    if index < 0:
        raise ValueError(f"{needle!r} not in example")
    return text.count("\n", 0, index) + 1


def _invalid(code: str, needle: str, last: bool = False, **kwargs: Any) -> Invalid:
    """An INVALID example whose finding is on the line holding ``needle``."""
    return Invalid(code, line=_line(code, needle, last), **kwargs)


# ---------------------------------------------------------------------------
# rules: the entry point


class MissingEntryPoint(PluginRule):
    """The plugin's `__init__.py` defines no module-level `get_plugin_interface`.

    The function may be defined in `__init__.py` or imported there from the
    plugin's own modules (`from .core import get_plugin_interface`).
    Why: the host imports the plugin package and calls
    `get_plugin_interface()`; without it the plugin "has no interface" and is
    never loaded.
    Instead: define `def get_plugin_interface():` at module level in
    `__init__.py`, returning an instance of your `PluginInterface` class.
    """

    code = "MB201"
    name = "missing-plugin-entry-point"
    category = Category.INTERFACE
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid(_GOOD),
        Valid(
            "from .core import get_plugin_interface\n",
            files={"core.py": example_plugin()},
        ),
        Valid(
            "from .core import make as get_plugin_interface\n",
            files={"core.py": example_plugin(entry="def make():\n    return Plugin()\n")},
        ),
    )
    INVALID = (
        Invalid(_PI + "\n\n" + example_class() + "\n\ndef get_interface():\n    return Plugin()\n", line=1),
        Invalid(
            "from .core import Plugin\n",
            files={"core.py": example_plugin()},
            line=1,
        ),
        Invalid(
            "class Holder:\n    def get_plugin_interface(self):\n        return None\n",
            line=1,
        ),
    )

    def check(self, plugin: PluginContext) -> None:
        if plugin.model.kind is not PluginKind.PLUGIN:
            return
        if "__init__.py" not in plugin.files:
            plugin.report(
                self,
                Span(plugin.model.manifest_path if plugin.model.manifest_path != "__init__.py" else ""),
                f"the plugin has no `__init__.py`: the host cannot import it or call `{ENTRY_POINT}()`",
            )
            return
        init = plugin.modules.get("__init__.py")
        if init is None or not init.parsed or FACT_KEY not in init.facts:
            return  # a file that does not parse is reported as such
        analysis = plugin.facts.interface
        if analysis.entry_found or analysis.unresolved:
            return
        plugin.report(
            self,
            Span("__init__.py", 1, 1),
            f"`__init__.py` defines no module-level `{ENTRY_POINT}()`: the host cannot load the plugin",
        )


class EntryPointSignature(PluginRule):
    """`get_plugin_interface` cannot be called the way the host calls it.

    The host calls `get_plugin_interface()` with no arguments and without
    `await`. A required parameter, an `async def`, or a name bound to
    something that is not callable all fail at load time.
    Why: the plugin fails to load, with an error only the user sees.
    Instead: `def get_plugin_interface():` with no required parameters,
    returning the plugin object.
    """

    code = "MB202"
    name = "entry-point-signature"
    category = Category.INTERFACE
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid(_GOOD),
        Valid(example_plugin(entry="def get_plugin_interface(config=None, *args, **kwargs):\n    return Plugin()\n")),
        Valid(example_plugin(entry="get_plugin_interface = Plugin\n")),
    )
    INVALID = (
        _invalid(example_plugin(entry="def get_plugin_interface(config):\n    return Plugin()\n"), "def get_plugin_"),
        _invalid(example_plugin(entry="async def get_plugin_interface():\n    return Plugin()\n"), "async def get_"),
        _invalid(example_plugin(entry="get_plugin_interface = None\n"), "get_plugin_interface = None"),
        _invalid(
            example_plugin(
                replace={"__init__": "    def __init__(self, name):\n        self.name = name\n"},
                entry="get_plugin_interface = Plugin\n",
            ),
            "def __init__",
        ),
    )

    def check(self, plugin: PluginContext) -> None:
        _report_entry_problems(self, plugin)


class EntryPointReturn(PluginRule):
    """`get_plugin_interface()` returns something that is not a plugin object.

    Reports a `return None` (or no return at all), a literal, the class
    itself instead of an instance, or a function instead of what it makes.
    Why: the host calls the interface methods on the returned value; on
    `None` or a class they fail (`get_cli()` of a class lacks `self`).
    Instead: return an instance: `return MyPlugin()`, or a module-level
    `plugin = MyPlugin()` returned by name.
    """

    code = "MB203"
    name = "entry-point-return"
    category = Category.INTERFACE
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid(_GOOD),
        Valid(example_plugin(entry="plugin = Plugin()\n\n\ndef get_plugin_interface():\n    return plugin\n")),
        Valid(
            example_plugin(
                entry="_plugin = None\n\n\ndef get_plugin_interface():\n    global _plugin\n"
                "    if _plugin is None:\n        _plugin = Plugin()\n    return _plugin\n"
            )
        ),
    )
    INVALID = (
        _invalid(example_plugin(entry="def get_plugin_interface():\n    return None\n"), "return None", last=True),
        _invalid(example_plugin(entry="def get_plugin_interface():\n    return Plugin\n"), "return Plugin", last=True),
        _invalid(example_plugin(entry="def get_plugin_interface():\n    Plugin()\n"), "def get_plugin_interface"),
        _invalid(example_plugin(entry="def get_plugin_interface():\n    return {'name': 'x'}\n"), "{'name'"),
    )

    def check(self, plugin: PluginContext) -> None:
        _report_entry_problems(self, plugin)


def _report_entry_problems(rule: PluginRule, plugin: PluginContext) -> None:
    if plugin.model.kind is not PluginKind.PLUGIN:
        return
    seen: set[tuple[Span, str]] = set()
    for problem in plugin.facts.interface.problems:
        if problem.code == rule.code and (problem.span, problem.message) not in seen:
            seen.add((problem.span, problem.message))
            plugin.report(rule, problem.span, problem.message)


# ---------------------------------------------------------------------------
# rules: the methods


class MissingInterfaceMethod(PluginRule):
    """The plugin class lacks a method of `PluginInterface`.

    Checked on the class `get_plugin_interface()` returns (or, when that is
    not statically known, on each class that subclasses `PluginInterface`),
    with methods inherited from the plugin's own base classes counted, in any
    module. The required methods come from the host profile.
    Why: the host calls every method of the protocol; a missing one raises
    `AttributeError` (or, inherited from the protocol, silently returns None)
    in the middle of loading or running the plugin.
    Instead: implement the method with the shape the finding names.
    """

    code = "MB204"
    name = "interface-method-missing"
    category = Category.INTERFACE
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid(_GOOD),
        Valid(
            "from .core import get_plugin_interface\n",
            files={
                "base.py": example_class("Base", drop=("get_cli",)),
                "core.py": "from milkbottle.plugin_system.core import PluginInterface\n"
                "from .base import Base as B\n\n\nclass Plugin(B):\n    def get_cli(self):\n        return None\n\n\n"
                "def get_plugin_interface():\n    return Plugin()\n",
            },
        ),
        Valid(example_plugin(drop=("get_error_log",), bases="Mixin") + "\n\nclass Mixin:\n    def get_error_log(self):\n        return []\n"),
        Valid(example_plugin(drop=("get_error_log",), bases="SomeSDKBase").replace(_PI, _PI + "from sdk import SomeSDKBase\n")),
    )
    INVALID = (
        _invalid(example_plugin(drop=("get_error_log",)), "class Plugin"),
        _invalid(
            "from milkbottle.plugin_system import PluginInterface as PI\n\n\n"
            + example_class(bases="PI", drop=("shutdown",))
            + "\n\nplugin = Plugin()\n\n\ndef get_plugin_interface():\n    return plugin\n",
            "class Plugin",
        ),
        Invalid(
            example_class(bases="", drop=("get_cli", "health_check")),
            files={"__init__.py": "from .impl import Plugin\n\n\ndef get_plugin_interface():\n    return Plugin()\n"},
            path="impl.py",
            line=1,
        ),
    )

    def check(self, plugin: PluginContext) -> None:
        if plugin.model.kind is not PluginKind.PLUGIN:
            return
        analysis = plugin.facts.interface
        spec = plugin.host.plugin_interface
        seen: set[tuple[str, str]] = set()
        for impl in analysis.implementations:
            if impl.order.lookup("__getattr__") is not None:
                continue
            for name, shape in spec.items():
                if impl.order.lookup(name) is not None or impl.order.open:
                    continue
                key = (impl.cls.qualname, name)
                if key in seen:
                    continue
                seen.add(key)
                plugin.report(
                    self,
                    impl.span,
                    f"`{impl.cls.fact.name}` does not define `{name}`: the host calls it; "
                    f"expected `{expected_shape(name, shape)}`",
                )


class InterfaceMethodAsync(PluginRule):
    """An interface method is `async def` where the host does not await it, or the reverse.

    The host profile says which methods the host awaits: with MilkBottle 1.0
    `initialize` and `shutdown` must be `async def` (or a plain `def`
    annotated to return an awaitable), and every other method a plain `def`.
    Why: calling an `async def` without `await` returns a coroutine, never
    the value (and the work never runs); awaiting a plain value raises
    `TypeError`. An async generator cannot be awaited at all.
    Instead: use the shape the finding names.
    """

    code = "MB205"
    name = "interface-method-async"
    category = Category.INTERFACE
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid(_GOOD),
        Valid(
            example_plugin(
                replace={
                    "initialize": "    def initialize(self) -> Awaitable[bool]:\n        return self._start()\n"
                }
            ).replace(_PI, _PI + "from typing import Awaitable\n")
        ),
    )
    INVALID = (
        _invalid(example_plugin(replace={"initialize": "    def initialize(self):\n        return True\n"}), "def initialize"),
        _invalid(example_plugin(replace={"get_cli": "    async def get_cli(self):\n        return None\n"}), "async def get_cli"),
        _invalid(
            example_plugin(replace={"shutdown": "    async def shutdown(self):\n        yield None\n"}),
            "async def shutdown",
        ),
    )

    def check(self, plugin: PluginContext) -> None:
        if plugin.model.kind is not PluginKind.PLUGIN:
            return
        spec = plugin.host.plugin_interface
        for owner, method, name in checked_methods(plugin):
            shape = spec[name]
            kind = _decorator_kind(method)
            if kind in ("unknown", "property"):
                continue
            span = method.span or owner.fact.span or Span(owner.path)
            expected = expected_shape(name, shape)
            wants_async = bool(shape.get("async"))
            if wants_async and not method.is_async:
                if method.returns_annotation in AWAITABLE_ANNOTATIONS:
                    continue
                plugin.report(
                    self,
                    span,
                    f"`{owner.fact.name}.{name}` is a plain `def`, but the host awaits it; expected `{expected}`",
                )
            elif wants_async and method.is_generator:
                plugin.report(
                    self,
                    span,
                    f"`{owner.fact.name}.{name}` is an async generator (it yields), which cannot be awaited; "
                    f"expected `{expected}` returning its result",
                )
            elif not wants_async and method.is_async:
                plugin.report(
                    self,
                    span,
                    f"`{owner.fact.name}.{name}` is `async def`, but the host calls it without awaiting and "
                    f"gets a coroutine; expected `{expected}`",
                )


class InterfaceMethodSignature(PluginRule):
    """An interface method's parameters do not accept the host's call.

    The host profile gives the arguments of each call: with MilkBottle 1.0 the
    host calls `validate_config(config)` with one positional argument and
    every other method with none. Extra required parameters (positional or
    keyword-only), too few positional parameters, a missing `self`, or a
    `@property` in place of a method all fail. `*args`, `**kwargs` and
    parameters with defaults are fine; `@staticmethod` and `@classmethod` are
    understood.
    Why: the call raises `TypeError` when the host reaches it, usually far from
    the plugin's own tests.
    Instead: use the shape the finding names; give extra parameters defaults.
    """

    code = "MB206"
    name = "interface-method-signature"
    category = Category.INTERFACE
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid(_GOOD),
        Valid(
            example_plugin(
                replace={
                    "validate_config": "    def validate_config(self, cfg, strict=False, *, log=None, **kw):\n"
                    "        return True\n",
                    "get_capabilities": "    @staticmethod\n    def get_capabilities():\n        return ['example']\n",
                    "get_dependencies": "    @classmethod\n    def get_dependencies(cls, *extra):\n        return []\n",
                }
            )
        ),
    )
    INVALID = (
        _invalid(
            example_plugin(replace={"validate_config": "    def validate_config(self):\n        return True\n"}),
            "def validate_config",
        ),
        _invalid(
            example_plugin(replace={"get_cli": "    def get_cli(self, verbose):\n        return None\n"}), "def get_cli"
        ),
        _invalid(example_plugin(replace={"get_cli": "    def get_cli():\n        return None\n"}), "def get_cli"),
        _invalid(
            example_plugin(replace={"get_cli": "    @property\n    def get_cli(self):\n        return None\n"}),
            "def get_cli",
        ),
        _invalid(
            example_plugin(
                replace={"health_check": "    def health_check(self, *, deep):\n        return {'status': 'ok'}\n"}
            ),
            "def health_check",
        ),
    )

    def check(self, plugin: PluginContext) -> None:
        if plugin.model.kind is not PluginKind.PLUGIN:
            return
        spec = plugin.host.plugin_interface
        for owner, method, name in checked_methods(plugin):
            shape = spec[name]
            kind = _decorator_kind(method)
            span = method.span or owner.fact.span or Span(owner.path)
            expected = expected_shape(name, shape)
            call = f"{name}({', '.join(str(p) for p in shape.get('params', ()))})"
            if kind == "unknown":
                continue
            if kind == "property":
                plugin.report(
                    self,
                    span,
                    f"`{owner.fact.name}.{name}` is a property, but the host calls `{call}`; expected `{expected}`",
                )
                continue
            implicit = 0 if kind == "static" else 1
            problems = call_problems(method.params, len(shape.get("params", ())), implicit)
            if problems:
                plugin.report(
                    self,
                    span,
                    f"`{owner.fact.name}.{name}` cannot take the host's call `{call}`: {'; '.join(problems)}; "
                    f"expected `{expected}`",
                )


# ---------------------------------------------------------------------------
# rules: literal return values


class InterfaceManifestDrift(PluginRule):
    """`get_capabilities()` or `get_dependencies()` returns a list the manifest does not declare.

    Compared when the method returns a list literal: capabilities as names,
    dependencies as normalized requirements, order ignored.
    Why: the host and the marketplace read the manifest, the running plugin
    answers from code; two lists mean one of them is wrong (a dependency the
    installer never installs, a capability nobody can search for).
    Instead: keep the lists equal, or return the manifest's list.
    """

    code = "MB207"
    name = "interface-manifest-drift"
    category = Category.INTERFACE
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    VALID = (
        Valid(_GOOD),
        Valid(
            example_plugin(
                replace={"get_dependencies": "    def get_dependencies(self):\n        return ['Requests >= 2.0']\n"}
            ),
            files={"plugin.yaml": EXAMPLE_MANIFEST + "dependencies: [requests>=2.0]\n"},
        ),
    )
    INVALID = (
        _invalid(
            example_plugin(
                replace={"get_capabilities": "    def get_capabilities(self):\n        return ['example', 'pdf']\n"}
            ),
            "['example', 'pdf']",
        ),
        _invalid(
            example_plugin(
                replace={"get_dependencies": "    def get_dependencies(self):\n        return ['requests']\n"}
            ),
            "['requests']",
        ),
    )

    def check(self, plugin: PluginContext) -> None:
        model = plugin.model
        if model.kind is not PluginKind.PLUGIN or model.source is ManifestSource.NONE:
            return
        for method, key in (("get_capabilities", "capabilities"), ("get_dependencies", "dependencies")):
            declared = model.value(key, [])
            if declared is NOT_STATIC or not isinstance(declared, list):
                continue
            for use in resolved_methods(plugin, method):
                for ret in use.method.returns:
                    literal = ret.literal
                    if literal is None or not literal.complete or not isinstance(literal.value, list):
                        continue
                    if _same_field(key, literal.value, declared):
                        continue
                    normal = _normal_requirement if key == "dependencies" else str
                    mine = {normal(str(v)) for v in literal.value}
                    theirs = {normal(str(v)) for v in declared}
                    parts = []
                    if mine - theirs:
                        parts.append(f"{sorted(mine - theirs)} not declared there")
                    if theirs - mine:
                        parts.append(f"{sorted(theirs - mine)} missing")
                    span = literal.span_map().get("") or ret.span or use.method.span or Span(use.owner.path)
                    plugin.report(
                        self,
                        span,
                        f"`{method}()` disagrees with {key} in {_manifest_label(plugin)}: "
                        + ("; ".join(parts) or "the lists differ"),
                    )


class HealthCheckStatus(PluginRule):
    """`health_check()` returns a dict literal without a `status` key, or not a dict.

    Why: the host reads `status` (`healthy`, `initializing`, `critical`, …)
    to show and act on the plugin's health; without it the plugin is
    reported unhealthy or the monitor fails.
    Instead: return `{"status": "healthy", ...}`.
    """

    code = "MB208"
    name = "health-check-status"
    category = Category.INTERFACE
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    VALID = (
        Valid(_GOOD),
        Valid(
            example_plugin(
                replace={
                    "health_check": "    def health_check(self):\n        state = 'ok'\n"
                    "        return {'status': state, **self.extra()}\n"
                }
            )
        ),
    )
    INVALID = (
        _invalid(
            example_plugin(replace={"health_check": "    def health_check(self):\n        return {'ok': True}\n"}),
            "{'ok': True}",
        ),
        _invalid(
            example_plugin(replace={"health_check": "    def health_check(self):\n        return 'healthy'\n"}),
            "'healthy'",
        ),
    )

    def check(self, plugin: PluginContext) -> None:
        if plugin.model.kind is not PluginKind.PLUGIN:
            return
        for use in resolved_methods(plugin, "health_check"):
            for ret in use.method.returns:
                span = ret.span or use.method.span or Span(use.owner.path)
                where = f"`{use.owner.fact.name}.health_check()`"
                if ret.kind is ReturnKind.NONE:
                    plugin.report(self, span, f"{where} returns None; the host expects a dict with a `status` key")
                    continue
                literal = ret.literal
                if literal is None or literal.value is NOT_STATIC:
                    continue
                if not isinstance(literal.value, dict):
                    plugin.report(
                        self,
                        span,
                        f"{where} returns a {_json_type(literal.value)}; the host expects a dict with a `status` key",
                    )
                    continue
                if "" in literal.open or "status" in literal.value or "/status" in literal.holes:
                    continue
                plugin.report(
                    self,
                    literal.span_map().get("") or span,
                    f"{where} returns a dict without a `status` key (the host reads `status`: healthy, "
                    "initializing, critical, …)",
                )


class InterfaceUnresolved(PluginRule):
    """What `get_plugin_interface()` returns is not statically known; its methods were not checked.

    Why: mbcheck checks the interface methods of the class the entry point
    returns. When it cannot tell which class that is (a factory from another
    library, a value computed at run time) and no class subclasses
    `PluginInterface`, none of the interface checks ran.
    Instead: subclass `PluginInterface` explicitly, or return an instance of a
    class defined in the plugin (`return MyPlugin()`).
    """

    code = "MB209"
    name = "interface-unresolved"
    category = Category.INTERFACE
    severity = Severity.INFO
    confidence = Confidence.MEDIUM
    VALID = (Valid(_GOOD), Valid(example_plugin(bases="")))
    INVALID = (
        Invalid(
            "from sdk import make_plugin\n\n\ndef get_plugin_interface():\n    return make_plugin('x')\n",
            line=4,
        ),
    )

    def check(self, plugin: PluginContext) -> None:
        if plugin.model.kind is not PluginKind.PLUGIN:
            return
        analysis = plugin.facts.interface
        if not analysis.entry_found or analysis.implementations or not analysis.unresolved:
            return
        plugin.report(
            self,
            analysis.entry_span or Span("__init__.py", 1, 1),
            f"cannot tell statically which class `{ENTRY_POINT}()` returns; its interface methods were not checked",
        )


# ---------------------------------------------------------------------------
# rules: bottles

_BOTTLE_PYPROJECT = """\
[project]
name = "milkbottle-example"
version = "1.0.0"
description = "An example bottle."
requires-python = ">=3.11"

[project.entry-points."milkbottle.bottles"]
example = "example_bottle:get_cli"
"""

_BOTTLE_INIT = """\
__alias__ = "example"
__version__ = "1.0.0"


def get_cli():
    from .cli import app

    return app
"""


def _bottle(init: str = _BOTTLE_INIT, pyproject: str = _BOTTLE_PYPROJECT, **files: str) -> dict[str, str]:
    out = {"pyproject.toml": pyproject, "src/example_bottle/__init__.py": init}
    out.update({f"src/example_bottle/{name}.py": text for name, text in files.items()})
    return out


class BottleEntryPointUnresolved(PluginRule):
    """A `milkbottle.bottles` entry point names a module or attribute the distribution lacks.

    The module `pkg.mod` must be `pkg/mod.py` or `pkg/mod/__init__.py` (or
    under `src/`), and the attribute after `:` must be defined (or imported)
    at its module level.
    Why: the registry imports each entry point's module when MilkBottle
    starts; a missing module or attribute logs an error and the bottle
    silently disappears from the menu.
    Instead: fix the `module:attribute` reference in `pyproject.toml`.
    """

    code = "MB210"
    name = "bottle-entry-point-unresolved"
    category = Category.INTERFACE
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid(path="src/example_bottle/__init__.py", files=_bottle(cli="app = None\n")),
        Valid(
            path="src/example_bottle/__init__.py",
            files=_bottle(
                init=_BOTTLE_INIT,
                pyproject=_BOTTLE_PYPROJECT.replace("example_bottle:get_cli", "example_bottle.cli:app"),
                cli="import typer\n\napp = typer.Typer()\n",
            ),
        ),
    )
    INVALID = (
        Invalid(
            path="pyproject.toml",
            files=_bottle(pyproject=_BOTTLE_PYPROJECT.replace("example_bottle:get_cli", "example_bottle:main")),
            line=8,
        ),
        Invalid(
            path="pyproject.toml",
            files=_bottle(pyproject=_BOTTLE_PYPROJECT.replace("example_bottle:get_cli", "example_botle:get_cli")),
            line=8,
        ),
    )

    def check(self, plugin: PluginContext) -> None:
        index = plugin.facts.interface.index
        for entry in bottle_entries(plugin):
            if entry.path is None:
                looked = ", ".join(module_candidates(entry.module)) if entry.module else "nothing"
                plugin.report(
                    self,
                    entry.span,
                    f"entry point `{entry.name}` names module `{entry.module}`, which is not in the "
                    f"distribution (looked for {looked})",
                )
                continue
            if not entry.attr:
                continue
            known = index.module_of_path(entry.path)
            if known is None:
                continue  # the module did not parse; that is reported on its own
            first = entry.attr.split(".", 1)[0]
            if index.has_name(known[0], first) is False:
                plugin.report(
                    self,
                    entry.span,
                    f"entry point `{entry.name}` names `{entry.module}:{entry.attr}`, but `{entry.path}` "
                    f"defines no `{first}`",
                )


def _bottle_modules(plugin: PluginContext) -> Iterator[tuple[Any, tuple[str, Any]]]:
    """Each bottle entry point whose module file is in the distribution, once per file,
    with that module as the interface index knows it."""
    index = plugin.facts.interface.index
    seen: set[str] = set()
    for entry in bottle_entries(plugin):
        if entry.path is None or entry.path in seen:
            continue
        seen.add(entry.path)
        known = index.module_of_path(entry.path)
        if known is not None:
            yield entry, known


class BottleMissingCli(PluginRule):
    """A bottle module defines no `get_cli`.

    Why: the registry loads a bottle by calling `get_cli()` on the entry
    point's module; without it the bottle "has no CLI interface" and cannot
    be run.
    Instead: define `def get_cli():` returning the bottle's typer/click app.
    """

    code = "MB211"
    name = "bottle-missing-cli"
    category = Category.INTERFACE
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid(path="src/example_bottle/__init__.py", files=_bottle(cli="app = None\n")),
        Valid(
            path="src/example_bottle/__init__.py",
            files=_bottle(init='__alias__ = "x"\n__version__ = "1"\nfrom .cli import get_cli\n', cli="def get_cli():\n    return None\n"),
        ),
    )
    INVALID = (
        Invalid(
            path="src/example_bottle/cli.py",
            files=_bottle(
                pyproject=_BOTTLE_PYPROJECT.replace("example_bottle:get_cli", "example_bottle.cli:app"),
                cli='__alias__ = "x"\n__version__ = "1"\napp = None\n',
            ),
            line=1,
        ),
    )

    def check(self, plugin: PluginContext) -> None:
        index = plugin.facts.interface.index
        for entry, known in _bottle_modules(plugin):
            if entry.attr.split(".", 1)[0] == "get_cli" and index.has_name(known[0], "get_cli") is False:
                continue  # MB210 reports the entry point itself
            if index.has_name(known[0], "get_cli") is False:
                plugin.report(
                    self,
                    Span(entry.path, 1, 1),
                    f"bottle module `{entry.module}` defines no `get_cli()`: the registry cannot load its CLI",
                )


class BottleMissingDunder(PluginRule):
    """A bottle module does not set `__alias__` or `__version__`.

    Why: the registry lists bottles by `__alias__` and shows `__version__`;
    without them it falls back to the entry-point name and "0.0.0".
    Instead: set `__alias__ = "name"` and `__version__ = "1.0.0"` in the
    bottle module.
    """

    code = "MB212"
    name = "bottle-missing-dunder"
    category = Category.INTERFACE
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    VALID = (Valid(path="src/example_bottle/__init__.py", files=_bottle(cli="app = None\n")),)
    INVALID = (
        Invalid(
            path="src/example_bottle/__init__.py",
            files=_bottle(init=_BOTTLE_INIT.replace('__alias__ = "example"\n', "")),
            line=1,
        ),
    )

    def check(self, plugin: PluginContext) -> None:
        index = plugin.facts.interface.index
        for entry, known in _bottle_modules(plugin):
            for name, fallback in BOTTLE_DUNDERS.items():
                if index.has_name(known[0], name) is False:
                    plugin.report(
                        self,
                        Span(entry.path, 1, 1),
                        f"bottle module `{entry.module}` does not set `{name}`: the registry falls back to {fallback}",
                    )


class BottleFunctionSignature(PluginRule):
    """A bottle's module-level `get_cli`, `validate_config`, `health_check`, … has the wrong shape.

    The registry calls `get_cli()`, `get_metadata()`, `get_capabilities()`,
    `get_dependencies()`, `get_config_schema()`, `health_check()` with no
    arguments and `validate_config(config)` with one, never awaiting them.
    Why: a required parameter, an `async def` or a non-function (`get_cli = app`
    calls the app itself) fails when the registry reaches it.
    Instead: plain module-level functions with the shape the finding names.
    """

    code = "MB213"
    name = "bottle-function-signature"
    category = Category.INTERFACE
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid(
            path="src/example_bottle/__init__.py",
            files=_bottle(
                init=_BOTTLE_INIT + "\n\ndef validate_config(config, strict=False):\n    return True\n",
                cli="app = None\n",
            ),
        ),
    )
    INVALID = (
        Invalid(
            path="src/example_bottle/__init__.py",
            files=_bottle(init=_BOTTLE_INIT + "\n\ndef validate_config():\n    return True\n"),
            line=11,
        ),
        Invalid(
            path="src/example_bottle/__init__.py",
            files=_bottle(init=_BOTTLE_INIT + "\n\nasync def health_check():\n    return {}\n"),
            line=11,
        ),
        Invalid(
            path="src/example_bottle/__init__.py",
            files=_bottle(
                init='import typer\n\n__alias__ = "example"\n__version__ = "1.0.0"\nget_cli = typer.Typer()\n'
            ),
            line=5,
        ),
    )

    def check(self, plugin: PluginContext) -> None:
        index = plugin.facts.interface.index
        seen: set[tuple[str, str]] = set()
        for entry in bottle_entries(plugin):
            if entry.path is None or entry.module not in index.modules:
                continue
            for name, params in BOTTLE_FUNCTIONS.items():
                symbol = index.resolve(f"{entry.module}.{name}")
                call = f"{name}({', '.join(params)})"
                expected = f"def {call}"
                if isinstance(symbol, FunctionRef):
                    key = (symbol.path, f"{symbol.fact.name}@{symbol.fact.span}")
                    if key in seen:
                        continue
                    seen.add(key)
                    for message in _function_problems(symbol.fact, params, call):
                        plugin.report(
                            self, symbol.fact.span or Span(symbol.path), f"`{name}` {message}; expected `{expected}`"
                        )
                elif isinstance(symbol, (InstanceRef, ValueRef)):
                    span = symbol.fact.span or Span(symbol.path)
                    key = (symbol.path, f"{name}@{span}")
                    if key in seen:
                        continue
                    seen.add(key)
                    if isinstance(symbol, InstanceRef):
                        made = index.resolve(symbol.fact.target)
                        if isinstance(made, (External, ClassRef)) and (
                            not isinstance(made, ClassRef) or index.mro(made).lookup("__call__") is None
                        ):
                            what = made.qualname if isinstance(made, External) else made.fact.name
                            plugin.report(
                                self,
                                span,
                                f"`{name}` is an instance of `{what}`, not a function: the registry calls "
                                f"`{call}`; expected `{expected}`",
                            )
                    elif symbol.fact.kind in (ReturnKind.LITERAL, ReturnKind.NONE):
                        plugin.report(self, span, f"`{name}` is a literal, not a function; expected `{expected}`")


def _function_problems(fact: FunctionFact, params: tuple[str, ...], call: str) -> list[str]:
    kind = _decorator_kind(fact)
    if kind == "unknown":
        return []
    out: list[str] = []
    if fact.is_async:
        out.append("is `async def`, but the registry calls it without awaiting and gets a coroutine")
    problems = call_problems(fact.params, len(params), 0)
    if problems:
        out.append(f"cannot take the registry's call `{call}`: {'; '.join(problems)}")
    return out
