"""The plugin's symbols: every module's classes, functions and names, resolved across modules.

:class:`Index` gathers the interface facts of all of a plugin's modules and
answers what a qualified name denotes (following imports, re-exports, star
imports and ``name = other`` bindings), which names a module binds, and a
plugin class's method resolution order (C3, as Python computes it), with
whether ``PluginInterface`` is among its ancestors and whether some ancestor
lies outside the plugin. No libcst.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from mbcheck.checks.interface.contract import public_names
from mbcheck.checks.interface.facts import (
    ClassFact,
    FunctionFact,
    InstanceFact,
    InterfaceFacts,
    ReturnKind,
    ValueFact,
    decorator_kind,
)

if TYPE_CHECKING:
    from mbcheck.context import PluginContext

#: bases that define none of the interface methods (``PluginInterface`` itself only has stubs)
_EMPTY_BASES = frozenset(
    {"abc.ABC", "typing.Protocol", "typing.Generic", "typing_extensions.Protocol", "typing_extensions.Generic"}
)


_Fact = TypeVar("_Fact", ClassFact, FunctionFact, InstanceFact, ValueFact)


@dataclass(frozen=True)
class _Ref(Generic[_Fact]):
    """Something a plugin module defines at module level: the module's file and name, and its fact."""

    path: str
    module: str
    fact: _Fact


class ClassRef(_Ref[ClassFact]):
    """A module-level class."""

    @property
    def qualname(self) -> str:
        return f"{self.module}.{self.fact.name}"


class FunctionRef(_Ref[FunctionFact]):
    """A module-level function (or a lambda bound to a name)."""


class InstanceRef(_Ref[InstanceFact]):
    """A module-level ``name = Callee(...)``."""


class ValueRef(_Ref[ValueFact]):
    """A module-level assignment to a tracked name that is not a function."""


@dataclass(frozen=True)
class ModuleRef:
    """A module of the plugin, named where a class or function was expected."""

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
        self.modules: dict[str, tuple[str, InterfaceFacts]] = {}
        self.classes: dict[str, ClassRef] = {}
        self.functions: dict[str, FunctionRef] = {}
        self.names: dict[str, dict[str, tuple[str, ...]]] = {}
        self.instances: dict[str, InstanceRef] = {}
        self.values: dict[str, ValueRef] = {}
        for path, module in plugin.module_facts():
            facts = module.interface
            if facts is None:
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

    def module_of_path(self, path: str) -> tuple[str, InterfaceFacts] | None:
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
            if found is not None and found[1] is not None and decorator_kind(found[1]) not in ("static", "class"):
                return True
        return False



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

