"""Fact collectors shared by plugin-level rules: dunders and imports.

Dunder values are read by literal evaluation
(:func:`~mbcheck.pyfile.literals.literal_value`): strings, numbers, booleans,
``None`` and lists/tuples/sets/dicts of them. Anything else is
:data:`~mbcheck.model.NOT_STATIC` — present, but never evaluated.
"""

from __future__ import annotations

import sys

import libcst as cst
from libcst.helpers import get_full_name_for_node

from mbcheck.model import Span
from mbcheck.pyfile.facts import DunderFact, ImportFact
from mbcheck.pyfile.guards import catches_import_error
from mbcheck.pyfile.literals import literal_value
from mbcheck.pyfile.traverse import Collector, FileContext, collector

STDLIB = frozenset(sys.stdlib_module_names) | {"__future__"}


@collector
class DunderCollector(Collector):
    """Module-level ``__name__ = <literal>`` assignments (module top level only)."""

    key = "dunders"

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self.found: list[tuple[str, cst.BaseExpression, bool]] = []

    def visit_Assign(self, node: cst.Assign) -> None:
        if self.ctx.names.function_depth or self.ctx.names.class_depth:
            return
        for target in node.targets:
            if type(target.target) is cst.Name:
                name = target.target.value
                if name.startswith("__") and name.endswith("__") and len(name) > 4:
                    self.found.append((name, node.value, False))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if self.ctx.names.function_depth or self.ctx.names.class_depth or node.value is None:
            return
        if type(node.target) is cst.Name:
            name = node.target.value
            if name.startswith("__") and name.endswith("__") and len(name) > 4:
                self.found.append((name, node.value, True))

    def result(self) -> tuple[DunderFact, ...]:
        out = []
        for name, value, annotated in self.found:
            items: tuple[Span, ...] = ()
            if (type(value) is cst.List or type(value) is cst.Tuple):
                items = tuple(self.ctx.span(element.value) for element in value.elements)
            out.append(DunderFact(name, literal_value(value), self.ctx.span(value), items, annotated))
        return tuple(out)


@collector
class ImportCollector(Collector):
    """Every import, with whether it runs at import time and whether it is optional."""

    key = "imports"

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self.optional_depth = 0
        self.raw: list[tuple[str, str, bool, bool, cst.CSTNode, cst.CSTNode | None, bool]] = []

    def visit_Try(self, node: cst.Try) -> None:
        if catches_import_error(node.handlers):
            self.optional_depth += 1

    def leave_Try(self, original_node: cst.Try) -> None:
        if catches_import_error(original_node.handlers):
            self.optional_depth -= 1

    def _add(self, module: str, source: str, relative: bool, node: cst.CSTNode) -> None:
        self.raw.append(
            (
                module,
                source,
                relative,
                self.ctx.at_import_time,
                node,
                self.ctx.statement,
                self.optional_depth > 0,
            )
        )

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            name = get_full_name_for_node(alias.name) or ""
            self._add(name, name, False, alias)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        level = len(node.relative)
        module = get_full_name_for_node(node.module) if node.module is not None else None
        source = self.ctx.names.resolve_relative(level, module) if level else module or ""
        if isinstance(node.names, cst.ImportStar):
            self._add(source, source, bool(level), node)
            return
        for alias in node.names:
            member = get_full_name_for_node(alias.name) or ""
            self._add(f"{source}.{member}" if source else member, source, bool(level), alias)

    def result(self) -> tuple[ImportFact, ...]:
        out = []
        for module, source, relative, module_level, node, statement, optional in self.raw:
            top = source.split(".", 1)[0] if source else module.split(".", 1)[0]
            stdlib = not relative and top in STDLIB
            # positions only where a plugin-level rule may report: third-party
            # imports (stdlib and first-party ones would cost a position pass)
            local = stdlib or relative or top == self.ctx.package
            span = Span(self.ctx.path) if local else self.ctx.span(node)
            statement_line = span.line if local or statement is None else self.ctx.line(statement)
            out.append(
                ImportFact(
                    module=module,
                    source_module=source,
                    top=top,
                    relative=relative,
                    stdlib=stdlib,
                    at_module_level=module_level,
                    optional=optional,
                    span=span,
                    statement_line=statement_line,
                )
            )
        return tuple(out)
