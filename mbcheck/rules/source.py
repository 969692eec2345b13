"""Source rules and fact collectors: libcst visitors run in one batched traversal."""

from __future__ import annotations

from typing import Any, ClassVar

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from mbcheck.model import Confidence, Finding, Severity, Span
from mbcheck.names import NameTracker
from mbcheck.rules.base import Rule


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
        self._positions: Any = None

    # -- names -------------------------------------------------------------
    def qualified_name(self, node: cst.BaseExpression) -> str | None:
        return self.names.qualified_name(node)

    @property
    def at_import_time(self) -> bool:
        """True when the current node runs when the module is imported."""
        return self.names.function_depth == 0

    # -- positions -----------------------------------------------------------
    def _range(self, node: cst.CSTNode) -> CodeRange | None:
        if self._positions is None:
            wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
            self._positions = wrapper.resolve(PositionProvider)
        result = self._positions.get(node)
        return result if isinstance(result, CodeRange) else None

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
