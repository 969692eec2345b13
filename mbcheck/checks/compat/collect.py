"""The compatibility collector: what each file needs from the Python version.

It runs in the shared batched traversal on the libcst tree (libcst parses
3.12+ syntax while mbcheck runs on 3.11; ``ast`` would not) and records
:class:`~mbcheck.checks.compat.facts.Requirement` facts:

* syntax forms, looked up by feature id in ``rules/compat/syntax.json``
  (found by :class:`~mbcheck.checks.compat.collect_syntax.SyntaxFeatures`);
* standard-library modules and members added or removed
  (``rules/compat/stdlib.json``), resolved through ``import ... as``,
  ``from ... import`` and aliases by the shared name table;
* ``milkbottle`` names the plugin imports or uses (checked against the host
  API catalogue at plugin level).

Guards are respected (tracked by
:class:`~mbcheck.checks.compat.collect_guards.GuardTracker`): code under
``if sys.version_info >= (3, 11):`` (its ``else`` for the opposite
direction, ``sys.version_info[:2]``, ``.minor``, ``sys.hexversion``,
``and``/``or``/``not``, flags such as ``PY311 = sys.version_info >= (3, 11)``),
the body of ``try`` with a handler for ``ImportError`` (imports),
``AttributeError`` (attribute uses) or ``NameError`` (builtins),
``with contextlib.suppress(ImportError):``, ``if hasattr(mod, "name"):`` and
``if TYPE_CHECKING:``. Syntax is never guarded: a file that does not parse
fails before any check runs.
"""

from __future__ import annotations

from typing import Any

import libcst as cst

from mbcheck.checks.compat.collect_annotations import RuntimeAnnotations
from mbcheck.checks.compat.collect_guards import GuardTracker
from mbcheck.checks.compat.collect_keywords import KeywordArguments
from mbcheck.checks.compat.collect_receivers import ReceiverTypes
from mbcheck.checks.compat.collect_syntax import SyntaxFeatures
from mbcheck.checks.compat.facts import (
    SPAN_FLOOR,
    Bound,
    CompatFacts,
    HostApiUse,
    Kind,
    Minor,
    Requirement,
)
from mbcheck.checks.compat.tables import builtin_names, feature, member_tails, stdlib_entry
from mbcheck.model import Applicability, Edit, Fix, Span
from mbcheck.pyfile.names import dotted
from mbcheck.pyfile.traverse import FileContext, child_nodes, collector, visit_readonly


def _first_line(span: Span, width: int) -> Span:
    """A span over several lines cut to its first ``width`` characters (a statement's keyword)."""
    if span.end_line == span.line:
        return span
    return Span(span.path, span.line, span.column, span.line, span.column + width)


@collector
class CompatCollector(KeywordArguments, ReceiverTypes, RuntimeAnnotations, SyntaxFeatures, GuardTracker):
    """Python-version requirements and ``milkbottle`` names of one module.

    One visitor in the shared traversal: :class:`SyntaxFeatures` finds the
    syntax forms, :class:`RuntimeAnnotations` the generics and unions that
    run, :class:`ReceiverTypes` the class of receivers (``"s".removeprefix``)
    and dict unions, :class:`GuardTracker` keeps the guard of the region
    being visited, and this class records them with the standard-library and
    ``milkbottle`` names the module uses.
    """

    key = "compat"

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._skip: set[int] = set()
        self._seen: set[tuple[str, str, str, bool]] = set()
        self._pending: list[tuple[Kind, str, Bound, Minor, tuple[Any, ...], bool, cst.CSTNode, cst.CSTNode | None, int]] = []
        self._host: list[tuple[str, cst.CSTNode, cst.CSTNode | None]] = []
        self._annotations = 0
        self._future_annotations = False
        self._own_package = ctx.package == "milkbottle" or ctx.module_name.startswith("milkbottle.")
        self._builtin_names = builtin_names()  # asked at every name
        self._member_tails = member_tails()  # and at every attribute
        # a recorded builtin is written with its own name: a file whose text holds none of
        # them (nearly every file) has nothing for the name visits to find
        text = ctx.positions.text
        if text is not None and not any(name in text for name in self._builtin_names):
            self.idle = frozenset({"visit_Name"})

    # -- recording -----------------------------------------------------------
    def _syntax(self, node: cst.CSTNode, fid: str, width: int = 0) -> None:
        self._record("syntax", fid, "min", feature(fid).version, (), False, node, width)

    def _runtime(self, node: cst.CSTNode, fid: str) -> None:
        """A run-time feature (``rules/compat/runtime.json``): guarded by version checks and
        ``TYPE_CHECKING`` like a name (no handler catches a ``TypeError`` on purpose)."""
        version = feature(fid).version
        guard = self.guard
        guarded = guard.never or (guard.low is not None and guard.low >= version)
        self._record("syntax", fid, "min", version, (), guarded, node)

    def _stdlib(self, node: cst.CSTNode, name: str, use: str, aliases: tuple[str, ...] = ()) -> bool:
        """Record a tabled module or member; True when ``name`` is in the tables.

        ``aliases``: other names of the same use a ``hasattr`` check may name
        (a member reached through a receiver: its class and each base)."""
        found = stdlib_entry(name)
        if found is None:
            return False
        kind, entry = found
        if kind == "module" and use != "import":
            return True  # ``importlib.metadata.x``: the import statement is the use
        guard = self.guard
        runtime_free = self._annotations > 0 and self._future_annotations and use != "import"
        if runtime_free:
            return True
        protected = guard.protects(name, use) or any(guard.protects(alias, use) for alias in aliases)
        if entry.added is not None:
            guarded = protected or (guard.low is not None and guard.low >= entry.added) or guard.implies(entry)
            self._record(kind, name, "min", entry.added, entry.backported, guarded, node)
            self._detected(use, entry.added, entry.backported)
        if entry.removed is not None:
            guarded = protected or (guard.high is not None and guard.high <= entry.removed)
            self._record(kind, name, "max", entry.removed, (), guarded, node)
        return True

    def _record(
        self,
        kind: Kind,
        what: str,
        bound: Bound,
        version: Minor,
        backported: tuple[Any, ...],
        guarded: bool,
        node: cst.CSTNode,
        width: int = 0,
    ) -> None:
        located = not guarded and (bound == "max" or version > SPAN_FLOOR)
        if not located:
            key = (what, bound, kind, guarded)
            if key in self._seen:
                return
            self._seen.add(key)
        self._pending.append((kind, what, bound, version, backported, guarded, node, self.ctx.statement, width))

    def _host_use(self, name: str, node: cst.CSTNode, use: str = "import") -> None:
        if self._own_package or self.guard.protects(name, use):
            return
        self._host.append((name, node, self.ctx.statement))

    def result(self) -> CompatFacts:
        requirements = []
        for kind, what, bound, version, backported, guarded, node, statement, width in self._pending:
            located = not guarded and (bound == "max" or version > SPAN_FLOOR)
            if located:
                span = self.ctx.span(node)
                if width:
                    span = _first_line(span, width)
                statement_line = min(self.ctx.line(statement), span.line) if statement is not None else span.line
            else:
                span, statement_line = Span(self.ctx.path), 0
            fix = _imp_fix(self.ctx, node) if located and what == "imp" and bound == "max" else None
            requirements.append(
                Requirement(kind, what, bound, version, span, statement_line, guarded, located, backported, fix)
            )
        uses = []
        for name, node, statement in self._host:
            span = self.ctx.span(node)
            statement_line = min(self.ctx.line(statement), span.line) if statement is not None else span.line
            uses.append(HostApiUse(name, span, statement_line))
        return CompatFacts(tuple(requirements), tuple(uses))

    # -- imports -------------------------------------------------------------
    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            name = dotted(alias.name)
            self._skip_subtree(alias)
            if name is None:
                continue
            parts = name.split(".")
            if parts[0] == "milkbottle":
                self._host_use(name, alias)
                continue
            for cut in range(1, len(parts) + 1):
                self._stdlib(alias, ".".join(parts[:cut]), "import")

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.relative:
            self._skip_names(node)
            return
        module = dotted(node.module) if node.module is not None else None
        self._skip_names(node)
        if module is None:
            return
        if module == "__future__" and not isinstance(node.names, cst.ImportStar):
            for alias in node.names:
                if dotted(alias.name) == "annotations":
                    self._future_annotations = True
                    self._syntax(alias, "future_annotations")
            return
        parts = module.split(".")
        if parts[0] == "milkbottle":
            if isinstance(node.names, cst.ImportStar):
                self._host_use(module, node)
                return
            for alias in node.names:
                member = dotted(alias.name)
                if member is not None:
                    self._host_use(f"{module}.{member}", alias)
            return
        for cut in range(1, len(parts) + 1):
            self._stdlib(node, ".".join(parts[:cut]), "import")
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            member = dotted(alias.name)
            if member is not None:
                self._stdlib(alias, f"{module}.{member}", "import")

    def _skip_names(self, node: cst.ImportFrom) -> None:
        if node.module is not None:
            self._skip_subtree(node.module)
        if not isinstance(node.names, cst.ImportStar):
            for alias in node.names:
                self._skip_subtree(alias)

    def _skip_subtree(self, node: cst.CSTNode) -> None:
        pending = [node]
        while pending:
            current = pending.pop()
            if type(current) is cst.Name:
                self._skip.add(id(current))
            elif type(current) is cst.Attribute:
                self._skip.add(id(current))
                pending.append(current.value)
                self._skip.add(id(current.attr))
            elif (type(current) is cst.ImportAlias or type(current) is cst.AsName):
                pending.extend(child_nodes(current))

    # -- names and attributes --------------------------------------------------
    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._skip.add(id(node.attr))
        if id(node) in self._skip:
            return
        root: cst.BaseExpression = node
        while type(root) is cst.Attribute:
            root = root.value
        host = False
        if type(root) is cst.Name:
            binding = self.ctx.names.lookup(root.value)
            host = binding is not None and (binding == "milkbottle" or binding.startswith("milkbottle."))
        if not host and node.attr.value not in self._member_tails:
            return
        qname = self.ctx.qualified_name(node)
        if qname is None:
            found = self.receiver_member(node)
            if found is not None:
                self._stdlib(node, found[0], "attribute", found[1])
            return
        if host:
            self._skip.add(id(node.value))  # the whole chain is one use
            self._host_use(qname, node, "attribute")
        else:
            self._stdlib(node, qname, "attribute")

    def visit_Name(self, node: cst.Name) -> None:
        if node.value not in self._builtin_names or id(node) in self._skip:
            return
        names = self.ctx.names
        binding = names.lookup(node.value)
        # builtins newer than the running interpreter are unbound names here
        unbound = binding is None and not any(node.value in scope.bindings for scope in names.scopes)
        if binding == f"builtins.{node.value}" or unbound:
            self._stdlib(node, f"builtins.{node.value}", "name")

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self._skip.add(id(node.keyword))
        super().visit_Arg(node)

    def visit_Param(self, node: cst.Param) -> None:
        self._skip.add(id(node.name))
        super().visit_Param(node)

    def visit_Global(self, node: cst.Global) -> None:
        for item in node.names:
            self._skip.add(id(item.name))
        super().visit_Global(node)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        for item in node.names:
            self._skip.add(id(item.name))
        super().visit_Nonlocal(node)

    def visit_Annotation(self, node: cst.Annotation) -> None:
        self._annotations += 1
        super().visit_Annotation(node)

    def leave_Annotation(self, original_node: cst.Annotation) -> None:
        self._annotations -= 1
        super().leave_Annotation(original_node)

    # -- nodes the syntax features also visit ----------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._skip.add(id(node.name))
        super().visit_FunctionDef(node)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._skip.add(id(node.name))
        super().visit_ClassDef(node)

    def visit_Call(self, node: cst.Call) -> None:
        super().visit_Call(node)
        if self._deferred:
            self._type_hints_call(node)
        if len(node.args) == 2 and self.ctx.qualified_name(node.func) == "builtins.getattr":
            qname = self.ctx.qualified_name(node)
            if qname is not None and qname.rsplit(".", 1)[-1] in member_tails():
                self._stdlib(node, qname, "attribute")


def analyse_source(text: str, path: str = "module.py", module_name: str = "module", package: str = "module") -> CompatFacts:
    """The compatibility facts of one source text, through the engine's per-file pass.

    For tests and tools: the same guard, parse and shared traversal as a
    ``lint`` run (bandit off). Raises ``ValueError`` when the text cannot be
    analysed (it does not parse, or the analysis failed).
    """
    from mbcheck.pyfile.analyse import analyse_file
    from mbcheck.pyfile.jobs import FileJob, FileOptions

    job = FileJob(path, text.encode("utf-8"), module_name, package, path.endswith("__init__.py"), FileOptions())
    outcome = analyse_file(job)
    facts = outcome.facts.compat
    if facts is None:
        raise ValueError("; ".join(f.message for f in outcome.findings) or "not analysed")
    return facts


__all__ = ["CompatCollector", "analyse_source"]


class _ImpUses(cst.CSTVisitor):
    """Every ``imp`` name of a module, and those that are ``imp.reload``."""

    def __init__(self) -> None:
        self.names = 0
        self.reloads: list[cst.Name] = []

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == "imp":
            self.names += 1

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if type(node.value) is cst.Name and node.value.value == "imp" and node.attr.value == "reload":
            self.reloads.append(node.value)


def _imp_fix(ctx: FileContext, node: cst.CSTNode) -> Fix | None:
    """``import imp`` used only as ``imp.reload(m)`` becomes ``import importlib`` and
    ``importlib.reload(m)``: safe, ``importlib.reload`` is what ``imp.reload`` called."""
    if type(node) is not cst.ImportAlias or node.asname is not None or type(node.name) is not cst.Name:
        return None
    uses = _ImpUses()
    visit_readonly(ctx.module, uses)
    if not uses.reloads or uses.names != len(uses.reloads) + 1:
        return None  # `imp` is used for something else (or rebound): no exact replacement
    edits = [Edit(ctx.span(node.name), "importlib"), *(Edit(ctx.span(name), "importlib") for name in uses.reloads)]
    return Fix("Use `importlib.reload` (and `import importlib`)", tuple(edits), Applicability.SAFE)
