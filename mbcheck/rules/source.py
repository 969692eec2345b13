"""Source rules and fact collectors: libcst visitors run in one batched traversal."""

from __future__ import annotations

import ast
from typing import Any, ClassVar

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider
from libcst.metadata.position_provider import PositionProvidingCodegenState

from mbcheck.model import Confidence, Finding, Severity, Span
from mbcheck.names import NameTracker
from mbcheck.rules.base import Rule


class _Shim:
    """Stands in for a metadata provider: the codegen state records into ``_computed``."""

    def __init__(self) -> None:
        self._computed: dict[cst.CSTNode, CodeRange] = {}


class FileContext:
    """One module under analysis: its names, its statement stack, its findings.

    Positions are resolved lazily, once per file, and only when a rule reports
    or a collector asks for one: libcst's position metadata costs about two
    parses, and most files of a clean plugin need none.
    """

    def __init__(
        self,
        module: cst.Module,
        path: str,
        module_name: str,
        package: str,
        is_package: bool,
        tree: ast.Module | None = None,
    ) -> None:
        self.module = module
        self.path = path
        self.module_name = module_name
        self.package = package
        self.is_package = is_package
        self.names = NameTracker(module_name, package, is_package)
        #: enclosing statements, outermost first (maintained by the engine)
        self.statements: list[cst.CSTNode] = []
        self._pending: list[tuple[type[Rule], cst.CSTNode, cst.CSTNode | None, str, Severity | None, Confidence | None]] = []
        self._tree = tree
        #: node -> the top-level statement holding it (filled by the traversal)
        self.tops: dict[cst.CSTNode, cst.CSTNode] = {}
        self._positions: dict[cst.CSTNode, CodeRange] = {}
        self._done_tops: set[cst.CSTNode] = set()
        self._starts: dict[cst.CSTNode, int] | None = None
        self._whole_file = False

    # -- names -------------------------------------------------------------
    def qualified_name(self, node: cst.BaseExpression) -> str | None:
        return self.names.qualified_name(node)

    @property
    def at_import_time(self) -> bool:
        """True when the current node runs when the module is imported."""
        return self.names.function_depth == 0

    # -- positions -----------------------------------------------------------
    def _start_lines(self) -> dict[cst.CSTNode, int]:
        """The first line (leading blank/comment lines included) of each top-level statement.

        Taken from the ``ast`` tree when CPython parsed the file (free), else by
        generating the code of each statement once.
        """
        if self._starts is not None:
            return self._starts
        starts: dict[cst.CSTNode, int] = {}
        body = list(self.module.body)
        if self._tree is not None:
            nodes = self._tree.body
            index = 0
            for stmt in body:
                if index >= len(nodes):
                    starts = {}
                    break
                first = nodes[index]
                line = first.lineno
                lead = len(stmt.leading_lines)
                decorators = getattr(stmt, "decorators", ())
                if decorators:
                    line = min([line, *(d.lineno for d in getattr(first, "decorator_list", ()))])
                    lead += len(decorators[0].leading_lines)
                starts[stmt] = line - lead
                index += len(stmt.body) if isinstance(stmt, cst.SimpleStatementLine) else 1
            if index != len(nodes):
                starts = {}
        if not starts and body:
            line = 1 + len(self.module.header)
            for stmt in body:
                starts[stmt] = line
                line += self.module.code_for_node(stmt).count("\n")
        self._starts = starts
        return starts

    def _resolve_top(self, top: cst.CSTNode) -> bool:
        start = self._start_lines().get(top)
        if start is None:
            return False
        provider = _Shim()
        state = PositionProvidingCodegenState(
            default_indent=self.module.default_indent,
            default_newline=self.module.default_newline,
            provider=provider,  # type: ignore[arg-type]
            line=start,
        )
        top._codegen(state)
        self._positions.update(provider._computed)
        self._done_tops.add(top)
        return True

    def _range(self, node: cst.CSTNode) -> CodeRange | None:
        found = self._positions.get(node)
        if found is not None:
            return found
        top = self.tops.get(node, node)
        if top not in self._done_tops and top in self._start_lines() and self._resolve_top(top):
            found = self._positions.get(node)
            if found is not None:
                return found
        if not self._whole_file:
            # a node outside any statement (or a tree the traversal did not
            # see): libcst's whole-file positions, once
            self._whole_file = True
            wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
            for key, value in wrapper.resolve(PositionProvider).items():
                self._positions.setdefault(key, value)
        return self._positions.get(node)

    def span(self, node: cst.CSTNode) -> Span:
        found = self._range(node)
        if found is None:
            return Span(self.path)
        return Span(
            self.path,
            found.start.line,
            found.start.column + 1,
            found.end.line,
            found.end.column + 1,
        )

    def line(self, node: cst.CSTNode) -> int:
        return self.span(node).line

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
    ) -> None:
        rule_cls = rule if isinstance(rule, type) else type(rule)
        self._pending.append((rule_cls, node, self.statement, message, severity, confidence))

    def findings(self) -> list[Finding]:
        out: list[Finding] = []
        for rule, node, statement, message, severity, confidence in self._pending:
            span = self.span(node)
            statement_line = self.line(statement) if statement is not None else span.line
            out.append(
                rule.finding(
                    span,
                    message,
                    severity=severity,
                    confidence=confidence,
                    statement_line=min(statement_line, span.line),
                )
            )
        return out


class SourceRule(Rule, cst.BatchableCSTVisitor):
    """A rule over one module's syntax tree (``visit_<Node>`` methods).

    All source rules share one parse and one traversal; ``self.ctx`` answers
    name questions (``self.ctx.qualified_name(node.func)``) and positions.
    """

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
    ) -> None:
        self.ctx.report(self, node, message, severity=severity, confidence=confidence)

    def finish(self) -> None:
        """Called after the traversal, before findings are collected."""


class Collector(cst.BatchableCSTVisitor):
    """Gathers picklable facts about one module for plugin-level rules."""

    key: ClassVar[str]

    def __init__(self, ctx: FileContext) -> None:
        super().__init__()
        self.ctx = ctx

    def result(self) -> Any:
        raise NotImplementedError


#: collectors by key, filled as their modules are imported
COLLECTORS: dict[str, type[Collector]] = {}


def collector(cls: type[Collector]) -> type[Collector]:
    """Class decorator registering a collector."""
    if cls.key in COLLECTORS and COLLECTORS[cls.key] is not cls:
        raise ValueError(f"collector key {cls.key!r} registered twice")
    COLLECTORS[cls.key] = cls
    return cls
