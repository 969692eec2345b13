"""The permission collector: evidence of every permission a module uses, and when it runs.

The collector (``security``) records one :class:`~mbcheck.checks.security.facts.Evidence`
per use of a permission (an import, a call, a name used as a value), with
whether it runs while the module is imported (see
:mod:`~mbcheck.checks.security.collect_scope`): module and class bodies,
decorators and default values run then; function bodies, lambda bodies and
``if __name__ == "__main__":`` blocks do not. It also records the plugin's
internal call graph and the calls of the plugin's own functions made at import
time, which the plugin-level analysis follows across modules.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import libcst as cst

from mbcheck.checks.security.calls import classify_call
from mbcheck.checks.security.classify import import_permission
from mbcheck.checks.security.collect_scope import ScopeTracker
from mbcheck.checks.security.facts import Evidence, FunctionSummary, ImportTimeCall, SecurityFacts
from mbcheck.checks.security.paths import observe_assignment, observe_function
from mbcheck.checks.security.reflect import PathTricks, code_assignment, reach, reach_permission
from mbcheck.checks.security.tables import SIDE_EFFECT_PERMISSIONS, tables
from mbcheck.checks.security.values import (
    DYNAMIC_IMPORTERS,
    is_plain_literal,
    plugin_internal,
    resolve,
)
from mbcheck.model import Span
from mbcheck.pyfile.names import dotted
from mbcheck.pyfile.traverse import Collector, FileContext, collector


@dataclass
class _Pending:
    permission: str
    via: str
    kind: str
    node: cst.CSTNode
    statement: cst.CSTNode | None
    at_import_time: bool
    certain: bool
    function: str


def _import_names(node: cst.Import | cst.ImportFrom) -> Iterator[tuple[str, cst.CSTNode]]:
    """The qualified names an import statement imports, each with its alias node."""
    if isinstance(node, cst.Import):
        for alias in node.names:
            name = dotted(alias.name) or ""
            if name:
                yield name, alias
        return
    if node.relative:
        return
    module = (dotted(node.module) or "") if node.module is not None else ""
    if isinstance(node.names, cst.ImportStar):
        yield module, node
        return
    for alias in node.names:
        member = dotted(alias.name) or ""
        yield (f"{module}.{member}" if module else member), alias


_TYPE_CHECKS = frozenset({"builtins.isinstance", "builtins.issubclass"})


@lru_cache(maxsize=65_536)
def _used_permission(name: str) -> tuple[str, str] | None:
    """The permission a qualified name used as a value shows, with the table key it matched
    (None for a name whose use the table makes conditional). The same few thousand names
    recur in every file: each is looked up once."""
    if name in tables().conditions:
        return None
    return tables().permission_of(name)


@collector
class SecurityCollector(ScopeTracker, Collector):
    """Evidence of every permission a module uses, and its plugin-internal call graph."""

    key = "security"

    def __init__(self, ctx: FileContext) -> None:
        Collector.__init__(self, ctx)
        self.init_scope()
        self.pending: list[_Pending] = []
        self.calls: dict[str, set[str]] = {}
        self.import_calls: list[tuple[str, cst.CSTNode, cst.CSTNode | None]] = []
        self.dynamic_import = False
        #: functions, methods and classes this module defines (qualified)
        self.defined: set[str] = set()
        self._skip: set[int] = set()
        self._in_import = 0
        self._in_annotation = 0
        self.path_tricks = PathTricks()

    # -- evidence ----------------------------------------------------------
    def _add(self, permission: str, via: str, kind: str, node: cst.CSTNode, certain: bool = True) -> None:
        self.pending.append(
            _Pending(permission, via, kind, node, self.ctx.statement, self.at_import_time, certain, self.function)
        )

    def visit_Import(self, node: cst.Import) -> None:
        self._in_import += 1
        self.path_tricks.imported(self.function)
        self._imports(node)

    def leave_Import(self, original_node: cst.Import) -> None:
        self._in_import -= 1

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self._in_import += 1
        self.path_tricks.imported(self.function)
        self._imports(node)

    def leave_ImportFrom(self, original_node: cst.ImportFrom) -> None:
        self._in_import -= 1

    def _imports(self, node: cst.Import | cst.ImportFrom) -> None:
        if self.type_checking:
            return
        for name, alias in _import_names(node):
            found = import_permission(name)
            if found is not None:
                self._add(found[0], found[1], "import", alias)

    def visit_Assign(self, node: cst.Assign) -> None:
        observe_assignment(self.ctx, node)
        self.path_tricks.assigned(self.ctx, node, self.function)
        for target in node.targets:
            if code_assignment(target.target):
                self._add("dynamic-code", "__code__", "attribute", target.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.path_tricks.assigned(self.ctx, node, self.function)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        observe_assignment(self.ctx, node)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.defined.add(self._qualname(node.name.value))
        ScopeTracker.visit_FunctionDef(self, node)
        observe_function(self.ctx, node)
        self._skip.add(id(node.name))

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.defined.add(self._qualname(node.name.value))
        ScopeTracker.visit_ClassDef(self, node)
        self._skip.add(id(node.name))

    def visit_Param(self, node: cst.Param) -> None:
        self._skip.add(id(node.name))

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self._skip.add(id(node.keyword))

    def visit_Decorator(self, node: cst.Decorator) -> None:
        target = node.decorator
        if (type(target) is cst.Name or type(target) is cst.Attribute):
            name = resolve(self.ctx, target)
            if name is not None:
                self._edge(name, node)

    def visit_Call(self, node: cst.Call) -> None:
        ScopeTracker.visit_Call(self, node)
        self._skip.add(id(node.func))
        name = resolve(self.ctx, node.func)
        if name in _TYPE_CHECKS and len(node.args) >= 2:
            kinds = node.args[1].value
            elements = [e.value for e in kinds.elements] if type(kinds) is cst.Tuple else [kinds]
            self._skip.update(id(e) for e in elements)
        for use in classify_call(self.ctx, node, name):
            # ``import_module(name)`` of each name of a literal loop: an import of that module
            kind = "import" if name in DYNAMIC_IMPORTERS and use.via != name else "call"
            self._add(use.permission, use.via, kind, node, use.certain)
        if (name in DYNAMIC_IMPORTERS and node.args and not is_plain_literal(node.args[0].value)
                and self.ctx.at_import_time):
            self.dynamic_import = True
        self.path_tricks.call(self.ctx, node, name, self.function)
        callee = name
        func = node.func
        if callee is None and type(func) is cst.Attribute and type(func.value) is cst.Name:
            owner = self.enclosing_class()
            if owner is not None and func.value.value in ("self", "cls"):
                callee = f"{owner}.{func.attr.value}"
        if callee is not None:
            self._edge(callee, node)

    def _edge(self, callee: str, node: cst.CSTNode) -> None:
        if not plugin_internal(self.ctx, callee):
            return
        caller = self.function
        if caller:
            self.calls.setdefault(caller, set()).add(callee)
        elif self.at_import_time:
            self.import_calls.append((callee, node, self.ctx.statement))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._skip.add(id(node.value))
        self._skip.add(id(node.attr))
        if id(node) in self._skip:
            return
        self._reference(node)

    def visit_Name(self, node: cst.Name) -> None:
        if id(node) in self._skip or self._in_import or self._in_annotation:
            return
        name = resolve(self.ctx, node)
        if name is not None:
            found = _used_permission(name)
            if found is not None:
                self._add(found[0], found[1], "attribute", node)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        """``__builtins__['exec']``: a builtin reached through the builtins dictionary;
        ``vars(os)['system']``, ``sys.modules['os']``: what a reflective lookup reaches."""
        if id(node) in self._skip:
            return
        if resolve(self.ctx, node.value) not in ("builtins", "builtins.__dict__"):
            reached = reach(self.ctx, node)
            hit = reach_permission(self.ctx, reached) if reached is not None else None
            if hit is not None:
                self._add(hit[0], hit[1], "attribute", node)
            return
        name = resolve(self.ctx, node)
        if name is None:
            self._add("dynamic-code", "builtins.__dict__", "attribute", node)
            return
        found = tables().permission_of(name)
        if found is not None and name not in tables().conditions:
            self._add(found[0], name, "attribute", node)

    def visit_Annotation(self, node: cst.Annotation) -> None:
        self._in_annotation += 1

    def leave_Annotation(self, original_node: cst.Annotation) -> None:
        self._in_annotation -= 1

    def _reference(self, node: cst.Name | cst.Attribute) -> None:
        """A name used as a value: ``os.environ``, or ``map(os.system, cmds)``.

        Annotations and ``isinstance``/``issubclass`` checks only name a type;
        they do not use it.
        """
        if self._in_import or self._in_annotation:
            return
        name = resolve(self.ctx, node)
        found = _used_permission(name) if name is not None else None
        if found is not None:
            self._add(found[0], found[1], "attribute", node)

    # -- result ------------------------------------------------------------
    def _needs_span(self, callee: str, summaries: dict[str, set[str]], effects: set[str]) -> bool:
        """Whether an import-time call may reach a side effect (only then is its position resolved)."""
        seen: set[str] = set()
        todo = [callee]
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            if name not in self.defined:
                return True  # another module of the plugin: decided per plugin
            for suffix in ("", ".__init__", ".__new__", ".__post_init__", ".__call__"):
                if name + suffix in effects:
                    return True
                todo.extend(summaries.get(name + suffix, ()))
        return False

    def result(self) -> SecurityFacts:
        ctx = self.ctx
        evidence: list[Evidence] = []
        seen: set[tuple[str, str, int, int]] = set()
        for item in self.pending:
            span = ctx.span(item.node)
            key = (item.permission, item.via, span.line, span.column)
            if key in seen:
                continue
            seen.add(key)
            statement_line = ctx.line(item.statement) if item.statement is not None else span.line
            evidence.append(
                Evidence(item.permission, item.via, item.kind, span, min(statement_line, span.line),
                         item.at_import_time, item.certain, item.function)
            )
        effects = {e.function for e in evidence if e.kind == "call" and e.permission in SIDE_EFFECT_PERMISSIONS and e.function}
        calls: list[ImportTimeCall] = []
        for callee, node, statement in self.import_calls:
            if self._needs_span(callee, self.calls, effects):
                span = ctx.span(node)
                line = ctx.line(statement) if statement is not None else span.line
                calls.append(ImportTimeCall(callee, span, min(line, span.line)))
        functions = tuple(FunctionSummary(name, tuple(sorted(callees))) for name, callees in sorted(self.calls.items()))
        entries: list[tuple[str, Span]] = []
        for trick in self.path_tricks.followed():
            span = ctx.span(trick.node)
            entries.append((trick.entry or "", span))
            # "attribute": the path change itself runs nothing (MB362 reports it, not MB330)
            evidence.append(Evidence("dynamic-code", trick.via, "attribute", span, span.line,
                                     not trick.function, True, trick.function))
        return SecurityFacts(ctx.module_name, tuple(evidence), functions, tuple(calls), self.dynamic_import,
                             tuple(entries))


__all__ = ["SecurityCollector"]
