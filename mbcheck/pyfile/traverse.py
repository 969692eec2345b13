"""Source rules and fact collectors: libcst visitors run in one batched traversal.

:class:`FileContext` is what every visitor sees of the module (names,
statement stack, positions, findings); :class:`Traversal` walks the tree
once and dispatches to every visitor by node type.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import re
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar

import libcst as cst
from libcst._nodes.base import BaseLeaf

from mbcheck.model import Confidence, Finding, Fix, Severity, Span
from mbcheck.pyfile.facts import COLLECTED
from mbcheck.pyfile.jobs import FileOptions
from mbcheck.pyfile.names import SCOPED_NODES, NameTracker, before_handler
from mbcheck.pyfile.positions import EXPR_SHORTCUT, Positions
from mbcheck.rules.base import Rule

if TYPE_CHECKING:
    from mbcheck.checks.security.values import FileState


class FileContext:
    """One module under analysis: its names, its statement stack, its findings.

    Positions are resolved lazily (see :mod:`mbcheck.pyfile.positions`), only
    when a rule reports or a collector asks for one.
    """

    def __init__(
        self,
        module: cst.Module,
        path: str,
        module_name: str,
        package: str,
        is_package: bool,
        tree: ast.Module | None = None,
        text: str | None = None,
        options: FileOptions | None = None,
    ) -> None:
        self.module = module
        #: the run's settings for the per-file pass
        self.options = options or FileOptions()
        self.path = path
        self.module_name = module_name
        self.package = package
        self.is_package = is_package
        self.names = NameTracker(module_name, package, is_package)
        #: enclosing statements, outermost first (maintained by the engine)
        self.statements: list[cst.CSTNode] = []
        self._pending: list[
            tuple[type[Rule], cst.CSTNode, cst.CSTNode | None, str, Severity | None, Confidence | None,
                  tuple[cst.CSTNode, ...], Fix | None]
        ] = []
        #: where each node is (filled as the traversal goes; resolved on demand)
        self.positions = Positions(module, path, tree, text)
        #: what the security collector and rules derive about this file and
        #: share (made on first use by :func:`mbcheck.checks.security.values.state`)
        self.security_state: FileState | None = None

    # -- names -------------------------------------------------------------
    def qualified_name(self, node: cst.BaseExpression) -> str | None:
        return self.names.qualified_name(node)

    @property
    def at_import_time(self) -> bool:
        """True when the current node runs when the module is imported."""
        return self.names.function_depth == 0

    # -- positions -----------------------------------------------------------
    def span(self, node: cst.CSTNode) -> Span:
        """Where ``node`` is in the file.

        Asked during the traversal about a node it has not reached (a rule's fix at the
        arguments of the call it visits), the innermost statement is taken to hold it: only
        that statement's code is generated, not the file's (a wrong guess finds nothing
        there and falls back to the whole file, as before)."""
        positions = self.positions
        if self.statements and id(node) not in positions.tops:
            positions.tops[id(node)] = self.statements[-1]
        return positions.span(node)

    def line(self, node: cst.CSTNode) -> int:
        """The first line of ``node`` (a statement's keyword line, after its decorators)."""
        return self.positions.line(node)

    # -- reporting -----------------------------------------------------------
    @property
    def statement(self) -> cst.CSTNode | None:
        return self.statements[-1] if self.statements else None

    def report(
        self,
        rule: type[Rule] | Rule,
        node: cst.CSTNode,
        message: str,
        *,
        severity: Severity | None = None,
        confidence: Confidence | None = None,
        related: tuple[cst.CSTNode, ...] = (),
        fix: Fix | None = None,
    ) -> None:
        """Record a finding at ``node``; ``related`` are the other places of the same problem."""
        rule_cls = rule if isinstance(rule, type) else type(rule)
        self._pending.append((rule_cls, node, self.statement, message, severity, confidence, related, fix))

    def findings(self) -> list[Finding]:
        out: list[Finding] = []
        for rule, node, statement, message, severity, confidence, related, fix in self._pending:
            span = self.span(node)
            statement_line = self.line(statement) if statement is not None else span.line
            out.append(
                rule.finding(
                    span,
                    message,
                    severity=severity,
                    confidence=confidence,
                    statement_line=min(statement_line, span.line),
                    related=tuple(self.span(other) for other in related),
                    fix=fix,
                )
            )
        return out


class EnclosingFunctions:
    """For a source rule: the function definitions the traversal is inside.

    Mixed into a :class:`SourceRule` (listed first), it keeps the stack with its
    own ``visit_FunctionDef``/``leave_FunctionDef``; :attr:`function` is the
    innermost one, None at module level.
    """

    _enclosing: list[cst.FunctionDef] | None = None

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self._enclosing is None:
            self._enclosing = []
        self._enclosing.append(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        if self._enclosing:
            self._enclosing.pop()

    @property
    def function(self) -> cst.FunctionDef | None:
        return self._enclosing[-1] if self._enclosing else None


class SourceRule(Rule, cst.BatchableCSTVisitor):
    """A rule over one module's syntax tree (``visit_<Node>`` methods).

    All source rules share one parse and one traversal; ``self.ctx`` answers
    name questions (``self.ctx.qualified_name(node.func)``) and positions.
    """

    #: this visitor's ``visit_``/``leave_`` methods that have nothing to do for this file
    #: (set in ``__init__``): :class:`Traversal` does not call them. They must still be
    #: no-ops when called (a plain ``module.visit(rule)`` does), so results never depend on it
    idle: frozenset[str] = frozenset()
    #: for a visitor with methods for :data:`TRIVIA` (e.g. ``visit_Comment``): the node types
    #: inside which they have something to do. Elsewhere the traversal does not enter trivia.
    #: Empty: everywhere
    trivia_within: ClassVar[frozenset[type[cst.CSTNode]]] = frozenset()

    def __init__(self, ctx: FileContext) -> None:
        super().__init__()
        self.ctx = ctx

    def report(
        self,
        node: cst.CSTNode,
        message: str,
        *,
        severity: Severity | None = None,
        confidence: Confidence | None = None,
        related: tuple[cst.CSTNode, ...] = (),
        fix: Fix | None = None,
    ) -> None:
        """Report ``node``; ``related`` are other places of the same problem; ``fix`` (built with
        the rule's positions, see :mod:`mbcheck.fix`) repairs it."""
        self.ctx.report(self, node, message, severity=severity, confidence=confidence, related=related, fix=fix)

    def finish(self) -> None:
        """Called after the traversal, before findings are collected."""


class Collector(cst.BatchableCSTVisitor):
    """Gathers picklable facts about one module for plugin-level rules.

    ``key`` names the field of :class:`~mbcheck.pyfile.facts.ModuleFacts`
    that :meth:`result` fills.
    """

    key: ClassVar[str]
    #: as :attr:`SourceRule.idle`
    idle: frozenset[str] = frozenset()
    #: as :attr:`SourceRule.trivia_within`
    trivia_within: ClassVar[frozenset[type[cst.CSTNode]]] = frozenset()

    def __init__(self, ctx: FileContext) -> None:
        super().__init__()
        self.ctx = ctx

    def result(self) -> Any:
        raise NotImplementedError


#: collectors by key, filled as their modules are imported
COLLECTORS: dict[str, type[Collector]] = {}


def collector(cls: type[Collector]) -> type[Collector]:
    """Class decorator registering a collector (its ``key`` must name a field of ModuleFacts)."""
    if cls.key not in COLLECTED:
        raise ValueError(f"collector key {cls.key!r} is not a collected field of ModuleFacts: {sorted(COLLECTED)}")
    if cls.key in COLLECTORS and COLLECTORS[cls.key] is not cls:
        raise ValueError(f"collector key {cls.key!r} registered twice")
    COLLECTORS[cls.key] = cls
    return cls


_STATEMENTS: frozenset[type[cst.CSTNode]] = frozenset(
    {cst.SimpleStatementLine, *(c for c in vars(cst).values() if isinstance(c, type) and issubclass(c, cst.BaseCompoundStatement))}
)


#: leaves that are only whitespace (the walk skips them when nothing visits them)
_WHITESPACE_LEAVES: frozenset[type[cst.CSTNode]] = frozenset({cst.SimpleWhitespace, cst.Newline})

_Method = Callable[[cst.CSTNode], Any]
#: per node type: visit methods, child fields, leave methods, is a statement,
#: the name table's handler, whether the name table leaves a scope there,
#: whether its span may come from ast (calls and import aliases are listed), whether
#: trivia are walked inside it
_Plan = tuple[tuple[_Method, ...], "tuple[str, ...] | None", tuple[_Method, ...], bool, Any, bool, bool, bool]


def _subclasses(base: type) -> set[type]:
    out: set[type] = set()
    pending = [base]
    while pending:
        sub: type
        for sub in pending.pop().__subclasses__():
            if sub not in out:
                out.add(sub)
                pending.append(sub)
    return out


#: every concrete libcst node class (a set lookup instead of an ABC isinstance)
NODE_TYPES: frozenset[type] = frozenset(
    cls for cls in _subclasses(cst.CSTNode) if cls.__module__.startswith("libcst.")
)


#: node types that only lay the code out: whitespace, comments, punctuation and the spelling
#: of operators. Their fields hold only trivia (tests check it), no rule reports one, and the
#: name table and positions need none of them: the walk passes them by unless a visitor asks.
TRIVIA: frozenset[type] = frozenset({
    cst.SimpleWhitespace, cst.ParenthesizedWhitespace, cst.Newline, cst.TrailingWhitespace, cst.EmptyLine,
    cst.Comment, cst.Comma, cst.Dot, cst.Colon, cst.Semicolon, cst.AssignEqual, cst.LeftParen, cst.RightParen,
    cst.LeftSquareBracket, cst.RightSquareBracket, cst.LeftCurlyBrace, cst.RightCurlyBrace,
    *(kind for kind in NODE_TYPES
      if issubclass(kind, (cst.BaseBinaryOp, cst.BaseBooleanOp, cst.BaseCompOp, cst.BaseUnaryOp, cst.BaseAugOp))),
})


@cache
def _declared(klass: type) -> dict[str, Any]:
    """The ``visit_``/``leave_`` attributes one class itself defines (libcst's bases define
    hundreds of no-op ones: read once per class, not once per visitor)."""
    return {name: value for name, value in vars(klass).items() if name.startswith(("visit_", "leave_"))}


@cache
def _visitor_names(cls: type) -> tuple[tuple[str, type[cst.CSTNode], str | None, bool], ...]:
    """(method name, node type, attribute, is_leave) of every visitor method a class overrides.

    The names are those ``dir(cls)`` lists, each resolved along the MRO as ``getattr`` does
    (the most derived definition wins), in ``dir``'s sorted order."""
    resolved: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        resolved.update(_declared(klass))
    out = []
    for name in sorted(resolved):
        if getattr(resolved[name], "_is_no_op", False):
            continue
        function = getattr(cls, name, None)
        if function is None or getattr(function, "_is_no_op", False) or not callable(function):
            continue
        leave = name.startswith("leave_")
        rest = name[6:]
        type_name, _, attribute = rest.partition("_")
        node_type = getattr(cst, type_name, None)
        if not isinstance(node_type, type) or not issubclass(node_type, cst.CSTNode):
            continue
        out.append((name, node_type, attribute or None, leave))
    return tuple(out)


_FIELD = re.compile(r'visit_\w+\(\s*self,\s*"(\w+)"')


@cache
def child_fields(node_type: type[cst.CSTNode]) -> tuple[str, ...] | None:
    """The fields holding children, in the order libcst's traversal visits them.

    Read from the node class's own ``_visit_and_replace_children``; None when
    that source is not available (then ``node.children`` is used).
    """
    if issubclass(node_type, BaseLeaf):
        return ()  # no children
    try:
        source = inspect.getsource(node_type._visit_and_replace_children)
    except (OSError, TypeError):
        return None
    names = {f.name for f in dataclasses.fields(node_type)}
    order = [name for name in dict.fromkeys(_FIELD.findall(source)) if name in names]
    if not order and names and "return" in source and "visit_" in source:
        return None
    return tuple(order)


def child_nodes(node: cst.CSTNode) -> list[cst.CSTNode]:
    """A node's children in libcst's order, read from its fields (``node.children`` rebuilds
    the node to find them): the cheap step of :class:`Traversal`'s walk, for helpers that
    need parts of a file before the main traversal reaches them."""
    fields = child_fields(type(node))
    if fields is None:
        return list(node.children)
    out: list[cst.CSTNode] = []
    node_types = NODE_TYPES
    for name in fields:
        value = getattr(node, name)
        if type(value) in node_types:
            out.append(value)
        elif type(value) is list or type(value) is tuple:
            out.extend(item for item in value if type(item) in node_types)
    return out


def visit_readonly(node: cst.CSTNode, visitor: cst.CSTVisitor) -> None:
    """``node.visit(visitor)`` for a visitor that only reads the tree, without libcst rebuilding
    (and re-validating) every node it passes.

    The same calls in the same order: ``visit_<Node>`` (children are skipped when it returns
    False), then the children in libcst's order, then ``leave_<Node>``. Attribute-level methods
    (``visit_<Node>_<field>``) are not called.
    """
    methods: dict[type, tuple[_Method | None, _Method | None]] = {}

    def method(name: str) -> _Method | None:
        found = getattr(visitor, name, None)
        return None if found is None or getattr(found, "_is_no_op", False) else found

    def walk(current: cst.CSTNode) -> None:
        kind = type(current)
        pair = methods.get(kind)
        if pair is None:
            pair = methods[kind] = (method(f"visit_{kind.__name__}"), method(f"leave_{kind.__name__}"))
        visit, leave = pair
        if visit is None or visit(current) is not False:
            for child in child_nodes(current):
                walk(child)
        if leave is not None:
            leave(current)

    walk(node)


class Traversal:
    """One batched traversal: every visitor's methods, dispatched by node type.

    libcst's ``visit_batched`` rebuilds its method table with ``inspect`` for
    every file and formats a method name for every node; here the table is
    built from per-class caches and keyed by the node's class. Along the way
    the traversal keeps the file's statement stack and name table, and maps
    every node to its innermost statement (the unit whose code is generated
    when one of its nodes needs a position) and every statement to the
    top-level statement holding it.
    """

    def __init__(self, visitors: list[cst.BatchableCSTVisitor], ctx: FileContext) -> None:
        self.ctx = ctx
        self.visits: dict[type, list[_Method]] = {}
        self.leaves: dict[type, list[_Method]] = {}
        #: node types inside which trivia are walked (None: everywhere)
        self.trivia_within: set[type] | None = set()
        for visitor in visitors:
            idle: frozenset[str] = getattr(visitor, "idle", frozenset())
            within: frozenset[type] = getattr(visitor, "trivia_within", frozenset())
            for name, node_type, attribute, leave in _visitor_names(type(visitor)):
                if name in idle:
                    continue
                if node_type in TRIVIA and self.trivia_within is not None:
                    if within:
                        self.trivia_within.update(within)
                    else:
                        self.trivia_within = None
                if attribute is not None:
                    raise TypeError(
                        f"{type(visitor).__name__}.{name}: attribute-level visitor methods are not "
                        "supported by the per-file traversal; use visit_/leave_<Node>"
                    )
                (self.leaves if leave else self.visits).setdefault(node_type, []).append(getattr(visitor, name))

    def walk(self, module: cst.Module) -> None:
        """Visit every node in libcst's order without rebuilding the tree.

        ``CSTNode.visit`` reconstructs (and re-validates) every node even for a
        read-only visitor; this walk reads the children in the order libcst's
        own traversal visits them and costs a quarter as much. The per-type
        work is looked up once per node type: a plugin file has hundreds of
        thousands of nodes and a few dozen types.
        """
        ctx = self.ctx
        names = ctx.names
        statements, positions = ctx.statements, ctx.positions
        tops, outer, expr_nodes = positions.tops, positions.outer, positions.expr_nodes
        plans: dict[type, _Plan] = {}
        # whitespace leaves (four in ten nodes of a file) are not visited when no visitor
        # asks for them: nothing else happens at them, and no rule reports one
        everywhere = NODE_TYPES - {kind for kind in _WHITESPACE_LEAVES if self._idle(kind)}
        # and trivia (a third of the other nodes) only inside the nodes whose visitors want them
        outside = everywhere if self.trivia_within is None else everywhere - TRIVIA

        def walk(node: cst.CSTNode, node_types: frozenset[type]) -> None:
            kind = type(node)
            plan = plans.get(kind)
            if plan is None:
                plan = plans[kind] = self._plan(kind)
            visits, fields, leaves, statement, named, scoped, expression, layout = plan
            if layout:
                node_types = everywhere
            if statement:
                statements.append(node)
                outer[id(node)] = statements[0]
            if statements:
                tops[id(node)] = statements[-1]
                if expression:
                    key = id(statements[0])
                    found = expr_nodes.get(key)
                    if found is None:
                        expr_nodes[key] = [node]
                    else:
                        found.append(node)
            if named is not None:
                named(names, node)
            for method in visits:
                method(node)
            if fields is None:
                for child in node.children:
                    if type(child) in node_types:
                        walk(child, node_types)
            else:
                for name in fields:
                    value = getattr(node, name)
                    if type(value) in node_types:
                        walk(value, node_types)
                    elif type(value) is list or type(value) is tuple:
                        for item in value:
                            if type(item) in node_types:
                                walk(item, node_types)
            for method in leaves:
                method(node)
            if scoped:
                names.after_leave(node)
            if statement:
                statements.pop()

        walk(module, outside)

    def _idle(self, kind: type) -> bool:
        """True when the walk does nothing at a node of type ``kind`` (no visitor, no bookkeeping)."""
        visits, _fields, leaves, statement, named, scoped, expression, _layout = self._plan(kind)
        return not (visits or leaves or statement or named is not None or scoped or expression)

    def _plan(self, kind: type) -> _Plan:
        """What the walk does at a node of type ``kind``."""
        return (
            tuple(self.visits.get(kind, ())),
            child_fields(kind),
            tuple(self.leaves.get(kind, ())),
            kind in _STATEMENTS,
            before_handler(kind),
            kind in SCOPED_NODES,
            kind in EXPR_SHORTCUT,
            self.trivia_within is not None and kind in self.trivia_within,
        )
