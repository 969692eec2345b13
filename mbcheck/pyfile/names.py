"""Qualified names for one module, built in the same traversal as the rules.

libcst's stock ``ScopeProvider`` + ``QualifiedNameProvider`` cost several
parses' worth of time per file. Almost every question mbcheck asks is "does this
expression denote ``subprocess.Popen``?", which an import/alias table answers.
:class:`NameTracker` keeps that table, with function/class scopes, as the
batched traversal walks the tree (it runs as the traversal's ``before_visit`` /
``after_leave`` hook, so rules always see the bindings in force at the node).

What is followed: ``import a.b as c``, ``from a import b as c``, relative imports
(against the plugin's own package), simple re-bindings (``sp = subprocess``),
``__import__("os")`` / ``importlib.import_module("os")`` with a literal name,
``getattr(x, "name")`` with a literal name, and local definitions or parameters
that shadow a builtin or an import (so a plugin's own ``exec`` method or an
``eval`` parameter are never taken for the builtins). Identifiers are
NFKC-normalised as Python's tokenizer does (PEP 3131): ``eval`` in full-width
letters is ``eval``.
"""

from __future__ import annotations

import builtins
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any

import libcst as cst

from mbcheck.pyfile.literals import literal_string

BUILTINS = frozenset(dir(builtins))
#: names that denote a value, never a qualified name
CONSTANTS = frozenset({"None", "True", "False", "__debug__", "Ellipsis", "NotImplemented"})
_DYNAMIC_IMPORTERS = frozenset({"builtins.__import__", "importlib.import_module"})

#: A binding: the qualified name it denotes, or ``None`` for "local, unknown".
Binding = str | None


def ident(name: str) -> str:
    """An identifier as Python reads it: NFKC-normalised (PEP 3131), so full-width ``eval`` is ``eval``."""
    return name if name.isascii() else unicodedata.normalize("NFKC", name)


def dotted(node: cst.BaseExpression) -> str | None:
    """``a.b.c`` as Python reads it (identifiers normalised), or None when not a plain chain."""
    parts: list[str] = []
    while type(node) is cst.Attribute:
        parts.append(ident(node.attr.value))
        node = node.value
    if type(node) is cst.Name:
        parts.append(ident(node.value))
        return ".".join(reversed(parts))
    return None


def written(node: cst.Name | cst.Attribute) -> str:
    """A dotted name's text as written (what ``cst.Module([]).code_for_node(node)`` gives), read
    from its parts when it has no parentheses and no line break: no code is generated."""
    parts: list[str] = []
    current: cst.BaseExpression = node
    while type(current) is cst.Attribute:
        dot = current.dot
        before, after = dot.whitespace_before, dot.whitespace_after
        if (current.lpar or current.rpar or current.attr.lpar or current.attr.rpar
                or type(before) is not cst.SimpleWhitespace or type(after) is not cst.SimpleWhitespace):
            return cst.Module([]).code_for_node(node)
        parts.append(f"{before.value}.{after.value}{current.attr.value}")
        current = current.value
    if type(current) is not cst.Name or current.lpar or current.rpar:
        return cst.Module([]).code_for_node(node)
    return current.value + "".join(reversed(parts))


def _import_name(node: cst.Attribute | cst.Name) -> str:
    name = dotted(node)
    assert name is not None
    return name


class _Scope:
    __slots__ = ("bindings", "is_class")

    def __init__(self, is_class: bool = False) -> None:
        self.bindings: dict[str, Binding] = {}
        self.is_class = is_class


class NameTracker:
    """Scopes and import bindings of one module; see the module docstring."""

    def __init__(self, module_name: str, package: str, is_package: bool) -> None:
        #: dotted name of this module inside the plugin, e.g. ``hello.cli``
        self.module_name = module_name
        #: the plugin's top-level package name
        self.package = package
        self.is_package = is_package
        self.scopes: list[_Scope] = [_Scope()]
        #: how many function scopes enclose the current node
        self.function_depth = 0
        self.class_depth = 0
        #: every import seen: (qualified module or member, node)
        self.imported: list[tuple[str, cst.CSTNode]] = []

    # -- resolution ---------------------------------------------------------
    def lookup(self, name: str) -> Binding:
        if not name.isascii():
            name = unicodedata.normalize("NFKC", name)
        scopes = self.scopes
        bindings = scopes[-1].bindings  # the innermost scope, even a class body
        if name in bindings:
            return bindings[name]
        for index in range(len(scopes) - 2, -1, -1):
            scope = scopes[index]
            if not scope.is_class and name in scope.bindings:
                return scope.bindings[name]
        if name in BUILTINS:
            return f"builtins.{name}"
        return None

    def qualified_name(self, node: cst.BaseExpression) -> str | None:
        """The fully qualified name an expression denotes, when statically known."""
        if type(node) is cst.Name:
            if node.value in CONSTANTS:
                return None  # `x = None` binds a value, not the name `builtins.None`
            return self.lookup(node.value)
        if type(node) is cst.Attribute:
            base = self.qualified_name(node.value)
            return None if base is None else f"{base}.{ident(node.attr.value)}"
        if type(node) is cst.Call:
            func = self.qualified_name(node.func)
            if func in _DYNAMIC_IMPORTERS and node.args:
                return literal_string(node.args[0].value)
            if func == "builtins.getattr" and len(node.args) >= 2:
                base = self.qualified_name(node.args[0].value)
                attr = literal_string(node.args[1].value)
                if base is not None and attr is not None:
                    return f"{base}.{attr}"
        return None

    def resolve_relative(self, level: int, module: str | None) -> str:
        parts = self.module_name.split(".")
        if not self.is_package:
            parts = parts[:-1]
        if level > 1:
            parts = parts[: max(len(parts) - (level - 1), 0)]
        base = ".".join(parts)
        if module:
            return f"{base}.{module}" if base else module
        return base

    # -- binding ------------------------------------------------------------
    def bind(self, name: str, target: Binding) -> None:
        self.scopes[-1].bindings[ident(name)] = target

    def bind_import(self, node: cst.Import | cst.ImportFrom) -> None:
        if isinstance(node, cst.Import):
            for alias in node.names:
                full = _import_name(alias.name)
                self.imported.append((full, node))
                if alias.asname is not None and type(alias.asname.name) is cst.Name:
                    self.bind(alias.asname.name.value, full)
                else:
                    top = full.split(".", 1)[0]
                    self.bind(top, top)
            return
        module = _import_name(node.module) if node.module is not None else None
        level = len(node.relative)
        base = self.resolve_relative(level, module) if level else (module or "")
        if isinstance(node.names, cst.ImportStar):
            self.imported.append((base, node))
            return
        for alias in node.names:
            member = _import_name(alias.name)
            full = f"{base}.{member}" if base else member
            self.imported.append((full, node))
            if alias.asname is not None and type(alias.asname.name) is cst.Name:
                self.bind(alias.asname.name.value, full)
            else:
                self.bind(member.split(".", 1)[0], full)

    def bind_target(self, target: cst.BaseExpression, value: cst.BaseExpression | None) -> None:
        if type(target) is cst.Name:
            self.bind(target.value, self.qualified_name(value) if value is not None else None)
        elif (type(target) is cst.Tuple or type(target) is cst.List):
            for element in target.elements:
                self.bind_target(element.value, None)
        elif type(target) is cst.StarredElement:
            self.bind_target(target.value, None)

    def bind_parameters(self, params: cst.Parameters) -> None:
        every: Sequence[cst.Param] = (
            *params.posonly_params,
            *params.params,
            *params.kwonly_params,
        )
        for param in every:
            self.bind(param.name.value, None)
        for star in (params.star_arg, params.star_kwarg):
            if type(star) is cst.Param:
                self.bind(star.name.value, None)

    # -- the traversal hooks -----------------------------------------------
    def prebind_module(self, module: cst.Module) -> None:
        """Bind module-level imports and aliases before the traversal.

        Functions can use a module imported further down the file; Python
        resolves such names at call time, so the table must know them up front.
        """
        pending: list[cst.BaseStatement | cst.BaseSmallStatement] = list(module.body)
        while pending:
            stmt = pending.pop(0)
            if type(stmt) is cst.SimpleStatementLine:
                pending[0:0] = list(stmt.body)
            elif (isinstance(stmt, cst.Import) or type(stmt) is cst.ImportFrom):
                self.bind_import(stmt)
            elif type(stmt) is cst.Assign and len(stmt.targets) == 1:
                self.bind_target(stmt.targets[0].target, stmt.value)
            elif (type(stmt) is cst.FunctionDef or type(stmt) is cst.ClassDef):
                self.bind(stmt.name.value, f"{self.module_name}.{ident(stmt.name.value)}")
            elif isinstance(stmt, (cst.If, cst.Try, cst.TryStar, cst.With)):
                body = stmt.body
                if type(body) is cst.IndentedBlock:
                    pending[0:0] = list(body.body)
                if (type(stmt) is cst.Try or type(stmt) is cst.TryStar):
                    for handler in stmt.handlers:
                        if type(handler.body) is cst.IndentedBlock:
                            pending.extend(handler.body.body)
                orelse = getattr(stmt, "orelse", None)
                while (type(orelse) is cst.If or type(orelse) is cst.Else):
                    if type(orelse.body) is cst.IndentedBlock:
                        pending.extend(orelse.body.body)
                    orelse = getattr(orelse, "orelse", None)
        self.imported.clear()

    def before_visit(self, node: cst.CSTNode) -> None:
        handler = _BEFORE.get(type(node))
        if handler is not None:
            handler(self, node)

    def _enter_function(self, node: cst.FunctionDef) -> None:
        self.bind(node.name.value, f"{self.module_name}.{ident(node.name.value)}")
        self.scopes.append(_Scope())
        self.function_depth += 1
        self.bind_parameters(node.params)

    def _enter_lambda(self, node: cst.Lambda) -> None:
        self.scopes.append(_Scope())
        self.function_depth += 1
        self.bind_parameters(node.params)

    def _enter_class(self, node: cst.ClassDef) -> None:
        self.bind(node.name.value, f"{self.module_name}.{ident(node.name.value)}")
        self.scopes.append(_Scope(is_class=True))
        self.class_depth += 1

    def _assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self.bind_target(target.target, node.value if len(node.targets) == 1 else None)

    def _ann_assign(self, node: cst.AnnAssign) -> None:
        self.bind_target(node.target, node.value)

    def _aug_assign(self, node: cst.AugAssign) -> None:
        self.bind_target(node.target, None)

    def _loop(self, node: cst.For | cst.CompFor) -> None:
        self.bind_target(node.target, None)

    def _as_name(self, node: cst.WithItem | cst.ExceptHandler | cst.ExceptStarHandler) -> None:
        asname = node.asname if isinstance(node, cst.WithItem) else node.name
        if asname is not None:
            self.bind_target(asname.name, None)

    def _named_expr(self, node: cst.NamedExpr) -> None:
        self.bind_target(node.target, node.value)

    def after_leave(self, node: cst.CSTNode) -> None:
        kind = type(node)
        if kind is cst.FunctionDef or kind is cst.Lambda:
            self.scopes.pop()
            self.function_depth -= 1
        elif kind is cst.ClassDef:
            self.scopes.pop()
            self.class_depth -= 1


_BEFORE: dict[type, Callable[[NameTracker, Any], None]] = {
    cst.Import: NameTracker.bind_import,
    cst.ImportFrom: NameTracker.bind_import,
    cst.FunctionDef: NameTracker._enter_function,
    cst.Lambda: NameTracker._enter_lambda,
    cst.ClassDef: NameTracker._enter_class,
    cst.Assign: NameTracker._assign,
    cst.AnnAssign: NameTracker._ann_assign,
    cst.AugAssign: NameTracker._aug_assign,
    cst.For: NameTracker._loop,
    cst.CompFor: NameTracker._loop,
    cst.WithItem: NameTracker._as_name,
    cst.ExceptHandler: NameTracker._as_name,
    cst.ExceptStarHandler: NameTracker._as_name,
    cst.NamedExpr: NameTracker._named_expr,
}


#: node types after which the name table leaves a scope
SCOPED_NODES: frozenset[type] = frozenset({cst.FunctionDef, cst.Lambda, cst.ClassDef})


def before_handler(kind: type) -> Callable[[NameTracker, Any], None] | None:
    """What the name table does when the traversal enters a node of type ``kind``."""
    return _BEFORE.get(kind)
