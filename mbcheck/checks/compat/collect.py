"""The compatibility collector: what each file needs from the Python version.

It runs in the shared batched traversal on the libcst tree (libcst parses
3.12+ syntax while mbcheck runs on 3.11; ``ast`` would not) and records
:class:`~mbcheck.checks.compat.facts.Requirement` facts:

* syntax forms, looked up by feature id in ``rules/compat/syntax.json``;
* standard-library modules and members added or removed
  (``rules/compat/stdlib.json``), resolved through ``import ... as``,
  ``from ... import`` and aliases by the shared name table;
* ``milkbottle`` names the plugin imports or uses (checked against the host
  API catalogue at plugin level).

Guards are respected: code under ``if sys.version_info >= (3, 11):`` (its
``else`` for the opposite direction, ``sys.version_info[:2]``, ``.minor``,
``sys.hexversion``, ``and``/``or``/``not``, flags such as
``PY311 = sys.version_info >= (3, 11)``), the body of ``try`` with a handler
for ``ImportError`` (imports), ``AttributeError`` (attribute uses) or
``NameError`` (builtins), ``with contextlib.suppress(ImportError):``,
``if hasattr(mod, "name"):`` and ``if TYPE_CHECKING:``. Syntax is never
guarded: a file that does not parse fails before any check runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import libcst as cst

from mbcheck.checks.compat.facts import (
    FACT_KEY,
    SPAN_FLOOR,
    Bound,
    CompatFacts,
    HostApiUse,
    Kind,
    Minor,
    Patch,
    Requirement,
)
from mbcheck.checks.compat.tables import (
    StdlibEntry,
    builtin_names,
    feature,
    member_tails,
    stdlib_entry,
)
from mbcheck.model import Span
from mbcheck.pyfile.collect import literal_value
from mbcheck.pyfile.names import dotted, literal_string
from mbcheck.pyfile.traverse import Collector, FileContext, collector

#: what a ``try`` handler (or ``suppress``) catches, by the use it protects
_CATCHES: dict[str, frozenset[str]] = {
    "ImportError": frozenset({"import"}),
    "ModuleNotFoundError": frozenset({"import"}),
    "AttributeError": frozenset({"attribute"}),
    "NameError": frozenset({"name"}),
    "Exception": frozenset({"import", "attribute", "name"}),
    "BaseException": frozenset({"import", "attribute", "name"}),
}
_ALL_CATCHES = frozenset({"import", "attribute", "name"})
_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)
_MAX_ARGUMENTS = 255


Detected = tuple[Minor, tuple[Patch, ...]]


@dataclass(frozen=True, slots=True)
class Guard:
    """What holds in a region of code.

    ``low``/``high``: the running minor release is ``>= low`` / ``< high``;
    ``names``: qualified names a ``hasattr`` check showed to exist;
    ``catches``: uses whose failure a surrounding handler catches;
    ``never``: the region never runs (``if TYPE_CHECKING:``, Python 2 branches);
    ``implied``: tabled names known to exist here (a ``hasattr`` check, or the
    ``else`` of a ``try`` that detected them), as (added, backports): whatever
    came with them in the same releases exists too.
    """

    low: Minor | None = None
    high: Minor | None = None
    names: frozenset[str] = frozenset()
    catches: frozenset[str] = frozenset()
    never: bool = False
    implied: frozenset[Detected] = frozenset()

    @property
    def empty(self) -> bool:
        return self == _NOTHING

    def meet(self, other: Guard) -> Guard:
        """Both hold (nested regions, ``and``)."""
        if other.empty:
            return self
        low = other.low if self.low is None else self.low if other.low is None else max(self.low, other.low)
        high = other.high if self.high is None else self.high if other.high is None else min(self.high, other.high)
        return Guard(
            low,
            high,
            self.names | other.names,
            self.catches | other.catches,
            self.never or other.never,
            self.implied | other.implied,
        )

    def join(self, other: Guard) -> Guard:
        """One of them holds (``or``): only what both guarantee."""
        if self.never:
            return other
        if other.never:
            return self
        low = None if self.low is None or other.low is None else min(self.low, other.low)
        high = None if self.high is None or other.high is None else max(self.high, other.high)
        return Guard(low, high, self.names & other.names, self.catches & other.catches, False, self.implied & other.implied)

    def implies(self, entry: StdlibEntry) -> bool:
        """Whether a name detected here guarantees ``entry`` was added (see ``implied``)."""
        assert entry.added is not None
        for added, backports in self.implied:
            if added < entry.added:
                continue
            if all(
                entry.added <= patch[:2] or any(b[:2] == patch[:2] and b <= patch for b in entry.backported)
                for patch in backports
            ):
                return True
        return False


_NOTHING = Guard()
_NEVER = Guard(never=True)
Condition = tuple[Guard, Guard]
_UNKNOWN: Condition = (_NOTHING, _NOTHING)


def _between(low: int | None = None, high: int | None = None) -> Guard:
    return Guard(None if low is None else (3, low), None if high is None else (3, high))


def _exact_condition(op: cst.BaseCompOp, minor: int) -> Condition:
    """``(major, minor) OP (3, minor)`` compared exactly (slices, ``.minor``)."""
    if isinstance(op, cst.GreaterThanEqual):
        return _between(low=minor), _between(high=minor)
    if isinstance(op, cst.GreaterThan):
        return _between(low=minor + 1), _between(high=minor + 1)
    if isinstance(op, cst.LessThan):
        return _between(high=minor), _between(low=minor)
    if isinstance(op, cst.LessThanEqual):
        return _between(high=minor + 1), _between(low=minor + 1)
    if isinstance(op, cst.Equal):
        return _between(minor, minor + 1), _NOTHING
    if isinstance(op, cst.NotEqual):
        return _NOTHING, _between(minor, minor + 1)
    return _UNKNOWN


def _full_condition(op: cst.BaseCompOp, minor: int, rest_zero: bool) -> Condition:
    """``sys.version_info OP (3, minor, ...)``: the 5-tuple is longer than the literal.

    ``sys.version_info > (3, 10)`` holds on 3.10.0 (a longer tuple with an
    equal prefix is greater), so ``>`` and ``>=`` both mean "3.10 or newer".
    When the literal names a patch release (``(3, 10, 2)``), the false branch
    may still run on some 3.10 release.
    """
    if isinstance(op, (cst.GreaterThanEqual, cst.GreaterThan)):
        return _between(low=minor), _between(high=minor if rest_zero else minor + 1)
    if isinstance(op, (cst.LessThan, cst.LessThanEqual)):
        then, otherwise = _full_condition(
            cst.GreaterThanEqual() if isinstance(op, cst.LessThan) else cst.GreaterThan(), minor, rest_zero
        )
        return otherwise, then
    return _UNKNOWN


def _constant_condition(op: cst.BaseCompOp, sign: int) -> Condition:
    """A comparison whose outcome is fixed on Python 3 (``sign``: running vs literal)."""
    runs = {
        cst.Equal: sign == 0,
        cst.NotEqual: sign != 0,
        cst.GreaterThanEqual: sign >= 0,
        cst.GreaterThan: sign > 0,
        cst.LessThan: sign < 0,
        cst.LessThanEqual: sign <= 0,
    }.get(type(op))
    if runs is None:
        return _UNKNOWN
    return (_NOTHING, _NEVER) if runs else (_NEVER, _NOTHING)


def _major_condition(op: cst.BaseCompOp, major: int) -> Condition:
    """Comparisons of the major version: Python 2 branches never run."""
    return _constant_condition(op, (major < 3) - (major > 3))


def _ints(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in value)


_FLIPPED: dict[type[cst.BaseCompOp], type[cst.BaseCompOp]] = {
    cst.LessThan: cst.GreaterThan,
    cst.LessThanEqual: cst.GreaterThanEqual,
    cst.GreaterThan: cst.LessThan,
    cst.GreaterThanEqual: cst.LessThanEqual,
    cst.Equal: cst.Equal,
    cst.NotEqual: cst.NotEqual,
}


def _has_star(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Tuple) and any(isinstance(e, cst.StarredElement) for e in node.elements)


def _bare_tuple(node: cst.BaseExpression | None) -> bool:
    return isinstance(node, cst.Tuple) and not node.lpar


def _dotted_chain(node: cst.BaseExpression) -> bool:
    """``a.b.c`` without parentheses: the only decorator form before 3.9."""
    while isinstance(node, cst.Attribute):
        if node.lpar:
            return False
        node = node.value
    return isinstance(node, cst.Name) and not node.lpar


def _first_line(span: Span, width: int) -> Span:
    if span.end_line == span.line:
        return span
    return Span(span.path, span.line, span.column, span.line, span.column + width)


class _Frame:
    """A comprehension being visited (for async comprehensions nested in sync ones)."""

    __slots__ = ("awaits", "inner_async", "node")

    def __init__(self, node: cst.CSTNode) -> None:
        self.node = node
        self.awaits: list[cst.Await] = []
        self.inner_async: list[cst.CSTNode] = []


def _awaits_in(node: cst.CSTNode) -> set[int]:
    found: set[int] = set()
    pending: list[cst.CSTNode] = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, cst.Await):
            found.add(id(current))
        if isinstance(current, (*_COMPREHENSIONS, cst.Lambda)):
            continue
        pending.extend(current.children)
    return found


@collector
class CompatCollector(Collector):
    """Python-version requirements and ``milkbottle`` names of one module."""

    key = FACT_KEY

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._guards: list[Guard] = [_NOTHING]
        self._regions: dict[int, Guard] = {}
        self._pushed: set[int] = set()
        #: names a ``try`` body detected (guarded by its handlers), for its ``else``
        self._try_bodies: dict[int, list[Detected]] = {}
        self._try_else: dict[int, list[Detected]] = {}
        self._detecting: list[list[Detected]] = []
        self._pushed_bodies: set[int] = set()
        self._flags: dict[str, Condition] = {}
        self._skip: set[int] = set()
        self._seen: set[tuple[str, str, str, bool]] = set()
        self._pending: list[tuple[Kind, str, Bound, Minor, tuple[Any, ...], bool, cst.CSTNode, cst.CSTNode | None, int]] = []
        self._host: list[tuple[str, cst.CSTNode, cst.CSTNode | None]] = []
        self._functions: list[bool] = []
        self._blocks: list[str] = []
        self._frames: list[_Frame | None] = []
        self._fstring_expressions = 0
        self._annotations = 0
        self._future_annotations = False
        self._own_package = ctx.package == "milkbottle" or ctx.module_name.startswith("milkbottle.")

    # -- recording -----------------------------------------------------------
    @property
    def guard(self) -> Guard:
        return self._guards[-1]

    def _syntax(self, node: cst.CSTNode, fid: str, width: int = 0) -> None:
        self._record("syntax", fid, "min", feature(fid).version, (), False, node, width)

    def _stdlib(self, node: cst.CSTNode, name: str, use: str) -> bool:
        """Record a tabled module or member; True when ``name`` is in the tables."""
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
        protected = guard.never or use in guard.catches or any(
            name == known or name.startswith(known + ".") for known in guard.names
        )
        if entry.added is not None:
            guarded = protected or (guard.low is not None and guard.low >= entry.added) or guard.implies(entry)
            self._record(kind, name, "min", entry.added, entry.backported, guarded, node)
            if use in guard.catches and self._detecting:
                self._detecting[-1].append((entry.added, entry.backported))
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
        if self._own_package or self.guard.never or use in self.guard.catches:
            return
        if any(name == known or name.startswith(known + ".") for known in self.guard.names):
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
            requirements.append(
                Requirement(kind, what, bound, version, span, statement_line, guarded, located, backported)
            )
        uses = []
        for name, node, statement in self._host:
            span = self.ctx.span(node)
            statement_line = min(self.ctx.line(statement), span.line) if statement is not None else span.line
            uses.append(HostApiUse(name, span, statement_line))
        return CompatFacts(tuple(requirements), tuple(uses))

    # -- guards --------------------------------------------------------------
    def _version_condition(self, left: cst.BaseExpression, op: cst.BaseCompOp, right: cst.BaseExpression) -> Condition:
        value = literal_value(right)
        qname = self.ctx.qualified_name(left)
        if qname == "sys.version_info":
            if _ints(value) and value:
                if value[0] != 3:
                    return _major_condition(op, value[0])
                if len(value) == 1:  # (3, minor, ...) is longer than (3,): always greater
                    return _constant_condition(op, 1)
                if len(value) > 3:
                    return _UNKNOWN
                return _full_condition(op, value[1], all(v == 0 for v in value[2:]))
            return _UNKNOWN
        if qname == "sys.hexversion" and _ints([value]):
            major, minor = value >> 24, (value >> 16) & 0xFF
            if major != 3:
                return _major_condition(op, major)
            return _full_condition(op, minor, value & 0xFFFF == 0)
        if qname in ("sys.version_info.minor", "sys.version_info.major"):
            if _ints([value]):
                return _exact_condition(op, value) if qname.endswith("minor") else _major_condition(op, value)
            return _UNKNOWN
        if isinstance(left, cst.Subscript) and self.ctx.qualified_name(left.value) == "sys.version_info":
            return self._subscript_condition(left, op, value)
        return _UNKNOWN

    def _subscript_condition(self, left: cst.Subscript, op: cst.BaseCompOp, value: Any) -> Condition:
        if len(left.slice) != 1:
            return _UNKNOWN
        inner = left.slice[0].slice
        if isinstance(inner, cst.Index):
            index = literal_value(inner.value)
            if index == 0 and _ints([value]):
                return _major_condition(op, value)
            if index == 1 and _ints([value]):
                return _exact_condition(op, value)
            return _UNKNOWN
        if isinstance(inner, cst.Slice) and inner.step is None:
            lower = 0 if inner.lower is None else literal_value(inner.lower)
            upper = None if inner.upper is None else literal_value(inner.upper)
            if lower != 0 or not _ints(value) or not value:
                return _UNKNOWN
            if upper == 1 and len(value) == 1:
                return _major_condition(op, value[0])
            if upper == 2 and len(value) == 2 and value[0] == 3:
                return _exact_condition(op, value[1])
            longer = upper is None or (isinstance(upper, int) and not isinstance(upper, bool) and upper > len(value))
            if value[0] == 3 and 2 <= len(value) <= 3 and longer:
                return _full_condition(op, value[1], all(v == 0 for v in value[2:]))
        return _UNKNOWN

    def condition(self, test: cst.BaseExpression, depth: int = 0) -> Condition:
        """What holds where ``test`` is true and where it is false: (then, else) guards."""
        if depth > 20:
            return _UNKNOWN
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            then, otherwise = self.condition(test.expression, depth + 1)
            return otherwise, then
        if isinstance(test, cst.BooleanOperation):
            left = self.condition(test.left, depth + 1)
            right = self.condition(test.right, depth + 1)
            if isinstance(test.operator, cst.And):
                return left[0].meet(right[0]), left[1].join(right[1])
            return left[0].join(right[0]), left[1].meet(right[1])
        if isinstance(test, cst.Comparison):
            return self._comparison(test)
        if isinstance(test, cst.Call):
            if self.ctx.qualified_name(test.func) == "builtins.hasattr" and len(test.args) == 2:
                base = self.ctx.qualified_name(test.args[0].value)
                attr = literal_string(test.args[1].value)
                if base is not None and attr is not None:
                    name = f"{base}.{attr}"
                    found = stdlib_entry(name)
                    implied: frozenset[Detected] = frozenset()
                    if found is not None and found[1].added is not None:
                        implied = frozenset({(found[1].added, found[1].backported)})
                    return Guard(names=frozenset({name}), implied=implied), _NOTHING
            return _UNKNOWN
        if isinstance(test, (cst.Name, cst.Attribute)):
            qname = self.ctx.qualified_name(test)
            if qname in ("typing.TYPE_CHECKING", "typing_extensions.TYPE_CHECKING") or (
                isinstance(test, cst.Name) and test.value == "TYPE_CHECKING"
            ):
                return _NEVER, _NOTHING
            if isinstance(test, cst.Name) and test.value in self._flags:
                return self._flags[test.value]
        return _UNKNOWN

    def _comparison(self, test: cst.Comparison) -> Condition:
        operands = [test.left, *(target.comparator for target in test.comparisons)]
        then, otherwise = _NOTHING, _NEVER
        for index, target in enumerate(test.comparisons):
            left, right, op = operands[index], operands[index + 1], target.operator
            result = self._version_condition(left, op, right)
            if result == _UNKNOWN and type(op) in _FLIPPED:
                result = self._version_condition(right, _FLIPPED[type(op)](), left)
            then = then.meet(result[0])
            otherwise = otherwise.join(result[1])
        return then, otherwise

    def _region(self, node: cst.CSTNode, guard: Guard) -> None:
        if not guard.empty:
            self._regions[id(node)] = guard

    def _enter(self, node: cst.CSTNode) -> None:
        detected = self._try_else.pop(id(node), None)
        if detected:
            self._region(node, Guard(implied=frozenset(detected)))
        guard = self._regions.pop(id(node), None)
        if guard is not None:
            self._pushed.add(id(node))
            self._guards.append(self.guard.meet(guard))
        if id(node) in self._try_bodies:
            self._detecting.append(self._try_bodies.pop(id(node)))
            self._pushed_bodies.add(id(node))

    def _leave(self, node: cst.CSTNode) -> None:
        if id(node) in self._pushed:
            self._pushed.discard(id(node))
            self._guards.pop()
        if id(node) in self._pushed_bodies:
            self._pushed_bodies.discard(id(node))
            self._detecting.pop()

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._enter(node)

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock) -> None:
        self._leave(original_node)

    def visit_SimpleStatementSuite(self, node: cst.SimpleStatementSuite) -> None:
        self._enter(node)

    def leave_SimpleStatementSuite(self, original_node: cst.SimpleStatementSuite) -> None:
        self._leave(original_node)

    def visit_Else(self, node: cst.Else) -> None:
        self._enter(node)

    def leave_Else(self, original_node: cst.Else) -> None:
        self._leave(original_node)

    def visit_If(self, node: cst.If) -> None:
        self._enter(node)  # an ``elif``: the region of the ``if`` it continues
        then, otherwise = self.condition(node.test)
        self._region(node.body, then)
        if node.orelse is not None:
            self._region(node.orelse, otherwise)

    def leave_If(self, original_node: cst.If) -> None:
        self._leave(original_node)

    @staticmethod
    def _caught(handlers: Any) -> frozenset[str]:
        caught: set[str] = set()
        for handler in handlers:
            if handler.type is None:
                return _ALL_CATCHES
            kinds = [e.value for e in handler.type.elements] if isinstance(handler.type, cst.Tuple) else [handler.type]
            for kind in kinds:
                name = kind.value if isinstance(kind, cst.Name) else kind.attr.value if isinstance(kind, cst.Attribute) else ""
                caught |= _CATCHES.get(name, frozenset())
        return frozenset(caught)

    def visit_Try(self, node: cst.Try) -> None:
        self._region(node.body, Guard(catches=self._caught(node.handlers)))
        detected: list[Detected] = []
        self._try_bodies[id(node.body)] = detected
        if node.orelse is not None:
            self._try_else[id(node.orelse)] = detected

    def visit_TryStar(self, node: cst.TryStar) -> None:
        self._region(node.body, Guard(catches=self._caught(node.handlers)))
        handler = node.handlers[0] if node.handlers else node
        self._syntax(handler, "except_star", width=7)

    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            name = node.targets[0].target.value
            condition = self.condition(node.value)
            if condition != _UNKNOWN:
                self._flags[name] = condition
            else:
                self._flags.pop(name, None)

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
            if isinstance(current, cst.Name):
                self._skip.add(id(current))
            elif isinstance(current, cst.Attribute):
                self._skip.add(id(current))
                pending.append(current.value)
                self._skip.add(id(current.attr))
            elif isinstance(current, (cst.ImportAlias, cst.AsName)):
                pending.extend(current.children)

    # -- names and attributes --------------------------------------------------
    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._skip.add(id(node.attr))
        if id(node) in self._skip:
            return
        root: cst.BaseExpression = node
        while isinstance(root, cst.Attribute):
            root = root.value
        host = False
        if isinstance(root, cst.Name):
            binding = self.ctx.names.lookup(root.value)
            host = binding is not None and (binding == "milkbottle" or binding.startswith("milkbottle."))
        if not host and node.attr.value not in member_tails():
            return
        qname = self.ctx.qualified_name(node)
        if qname is None:
            return
        if host:
            self._skip.add(id(node.value))  # the whole chain is one use
            self._host_use(qname, node, "attribute")
        else:
            self._stdlib(node, qname, "attribute")

    def visit_Name(self, node: cst.Name) -> None:
        if node.value not in builtin_names() or id(node) in self._skip:
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

    def visit_Param(self, node: cst.Param) -> None:
        self._skip.add(id(node.name))

    def visit_Global(self, node: cst.Global) -> None:
        for item in node.names:
            self._skip.add(id(item.name))

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        for item in node.names:
            self._skip.add(id(item.name))

    def visit_Annotation(self, node: cst.Annotation) -> None:
        self._annotations += 1

    def leave_Annotation(self, original_node: cst.Annotation) -> None:
        self._annotations -= 1

    # -- syntax ----------------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._skip.add(id(node.name))
        self._functions.append(node.asynchronous is not None)
        self._blocks.append("scope")
        self._frames.append(None)
        if node.type_parameters is not None:
            self._syntax(node.type_parameters, "type_parameters")

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._functions.pop()
        self._blocks.pop()
        self._frames.pop()

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._functions.append(False)
        self._blocks.append("scope")
        self._frames.append(None)

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self._functions.pop()
        self._blocks.pop()
        self._frames.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._skip.add(id(node.name))
        self._blocks.append("scope")
        if node.type_parameters is not None:
            self._syntax(node.type_parameters, "type_parameters")

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._blocks.pop()

    def visit_Parameters(self, node: cst.Parameters) -> None:
        if node.posonly_params or isinstance(node.posonly_ind, cst.ParamSlash):
            target = node.posonly_ind if isinstance(node.posonly_ind, cst.ParamSlash) else node
            self._syntax(target, "positional_only_params")
        star = node.star_arg
        if (
            isinstance(star, cst.Param)
            and star.annotation is not None
            and isinstance(star.annotation.annotation, cst.StarredElement)
        ):
            self._syntax(star.annotation, "starred_varargs_annotation")
        count = len(node.posonly_params) + len(node.params) + len(node.kwonly_params)
        count += sum(isinstance(p, cst.Param) for p in (node.star_arg, node.star_kwarg))
        if count > _MAX_ARGUMENTS:
            self._syntax(node, "more_than_255_arguments", width=1)

    def visit_TypeParam(self, node: cst.TypeParam) -> None:
        if node.default is not None:
            self._syntax(node, "type_param_defaults")

    def visit_TypeAlias(self, node: cst.TypeAlias) -> None:
        self._syntax(node, "type_alias_statement", width=4)

    def visit_Match(self, node: cst.Match) -> None:
        self._syntax(node, "match_statement", width=5)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.type is not None and _bare_tuple(node.type):
            self._syntax(node.type, "except_without_parens")

    def visit_ExceptStarHandler(self, node: cst.ExceptStarHandler) -> None:
        if _bare_tuple(node.type):
            self._syntax(node.type, "except_without_parens")

    def visit_With(self, node: cst.With) -> None:
        if isinstance(node.lpar, cst.LeftParen) and (
            len(node.items) > 1
            or any(item.asname is not None for item in node.items)
            or isinstance(node.items[-1].comma, cst.Comma)
        ):
            self._syntax(node, "parenthesized_context_managers", width=4)
        caught: set[str] = set()
        for item in node.items:
            call = item.item
            if isinstance(call, cst.Call) and self.ctx.qualified_name(call.func) == "contextlib.suppress":
                for arg in call.args:
                    name = arg.value.value if isinstance(arg.value, cst.Name) else ""
                    caught |= _CATCHES.get(name, frozenset())
        if caught:
            self._region(node.body, Guard(catches=frozenset(caught)))

    def visit_Decorator(self, node: cst.Decorator) -> None:
        expr = node.decorator
        if isinstance(expr, cst.Call) and not expr.lpar:
            expr = expr.func
        if not _dotted_chain(expr):
            self._syntax(node, "relaxed_decorators")

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._syntax(node, "walrus")

    def visit_Set(self, node: cst.Set) -> None:
        for element in node.elements:
            if isinstance(element.value, cst.NamedExpr) and not element.value.lpar:
                self._syntax(element.value, "walrus_in_set")

    def visit_SetComp(self, node: cst.SetComp) -> None:
        if isinstance(node.elt, cst.NamedExpr) and not node.elt.lpar:
            self._syntax(node.elt, "walrus_in_set")
        self._push_frame(node)

    def leave_SetComp(self, original_node: cst.SetComp) -> None:
        self._pop_frame(original_node)

    def visit_SubscriptElement(self, node: cst.SubscriptElement) -> None:
        index = node.slice
        if isinstance(index, cst.Index):
            if index.star is not None:
                self._syntax(node, "starred_subscript")
            if isinstance(index.value, cst.NamedExpr) and not index.value.lpar:
                self._syntax(index.value, "walrus_in_set_and_index")

    def visit_For(self, node: cst.For) -> None:
        self._blocks.append("loop")
        if _bare_tuple(node.iter) and _has_star(node.iter):
            self._syntax(node.iter, "starred_for_iterable")

    def leave_For(self, original_node: cst.For) -> None:
        self._blocks.pop()

    def visit_While(self, node: cst.While) -> None:
        self._blocks.append("loop")

    def leave_While(self, original_node: cst.While) -> None:
        self._blocks.pop()

    def visit_Finally(self, node: cst.Finally) -> None:
        self._blocks.append("finally")

    def leave_Finally(self, original_node: cst.Finally) -> None:
        self._blocks.pop()

    def visit_Continue(self, node: cst.Continue) -> None:
        for block in reversed(self._blocks):
            if block == "finally":
                self._syntax(node, "continue_in_finally")
            if block in ("finally", "loop", "scope"):
                return

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is not None and _bare_tuple(node.value) and _has_star(node.value):
            self._syntax(node.value, "generalized_unpacking_return")

    def visit_Yield(self, node: cst.Yield) -> None:
        if self._functions and self._functions[-1]:
            self._syntax(node, "async_generator")
        value = node.value
        if isinstance(value, cst.BaseExpression) and _bare_tuple(value) and _has_star(value):
            self._syntax(value, "generalized_unpacking_return")

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._syntax(node, "variable_annotation")

    def _number(self, node: cst.Integer | cst.Float | cst.Imaginary) -> None:
        if "_" in node.value:
            self._syntax(node, "underscore_numeric_literal")

    def visit_Integer(self, node: cst.Integer) -> None:
        self._number(node)

    def visit_Float(self, node: cst.Float) -> None:
        self._number(node)

    def visit_Imaginary(self, node: cst.Imaginary) -> None:
        self._number(node)

    def visit_Call(self, node: cst.Call) -> None:
        if len(node.args) > _MAX_ARGUMENTS:
            self._syntax(node, "more_than_255_arguments", width=1)
        if len(node.args) == 2 and self.ctx.qualified_name(node.func) == "builtins.getattr":
            qname = self.ctx.qualified_name(node)
            if qname is not None and qname.rsplit(".", 1)[-1] in member_tails():
                self._stdlib(node, qname, "attribute")

    # -- f-strings and t-strings ------------------------------------------------
    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        self._syntax(node, "fstring")
        quote = node.end
        for part in node.parts:
            if isinstance(part, cst.FormattedStringExpression):
                self._fstring_part(part, quote)

    def _fstring_part(self, part: cst.FormattedStringExpression, quote: str, nested: bool = False) -> None:
        code = self.ctx.module.code_for_node
        if part.equal is not None:
            self._syntax(part, "fstring_self_documenting")
        if "\\" in code(part.expression):
            self._syntax(part, "fstring_backslash_expr")
        if not nested:
            whole = code(part)
            if quote in whole:
                self._syntax(part, "fstring_nested_quotes")
            if len(quote) == 1 and "\n" in whole:
                self._syntax(part, "fstring_multiline_expr", width=1)
        for spec in part.format_spec or ():
            if isinstance(spec, cst.FormattedStringExpression):
                self._fstring_part(spec, quote, nested=True)

    def visit_FormattedStringExpression(self, node: cst.FormattedStringExpression) -> None:
        self._fstring_expressions += 1

    def leave_FormattedStringExpression(self, original_node: cst.FormattedStringExpression) -> None:
        self._fstring_expressions -= 1

    def visit_Comment(self, node: cst.Comment) -> None:
        if self._fstring_expressions:
            self._syntax(node, "fstring_comment")

    def visit_TemplatedString(self, node: cst.TemplatedString) -> None:
        self._syntax(node, "template_string")

    # -- comprehensions ----------------------------------------------------------
    def _push_frame(self, node: cst.CSTNode) -> None:
        self._frames.append(_Frame(node))

    def _pop_frame(self, node: cst.BaseComp | cst.BaseSimpleComp | cst.DictComp) -> None:
        frame = self._frames.pop()
        if frame is None or frame.node is not node:  # pragma: no cover - defensive
            return
        parent = self._frames[-1] if self._frames else None
        own = frame.awaits
        if own:
            # the first iterable is evaluated in the enclosing scope
            outer = _awaits_in(node.for_in.iter)
            own = [a for a in frame.awaits if id(a) not in outer]
            if parent is not None:
                parent.awaits.extend(a for a in frame.awaits if id(a) in outer)
        is_async = bool(own)
        clause: cst.CompFor | None = node.for_in
        while clause is not None:
            is_async = is_async or clause.asynchronous is not None
            clause = clause.inner_for_in
        if not is_async and frame.inner_async:
            for inner in frame.inner_async:
                self._syntax(inner, "async_comprehension_nested")
        if is_async and not isinstance(node, cst.GeneratorExp) and parent is not None:
            parent.inner_async.append(node)

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._push_frame(node)

    def leave_ListComp(self, original_node: cst.ListComp) -> None:
        self._pop_frame(original_node)

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self._push_frame(node)

    def leave_DictComp(self, original_node: cst.DictComp) -> None:
        self._pop_frame(original_node)

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self._push_frame(node)

    def leave_GeneratorExp(self, original_node: cst.GeneratorExp) -> None:
        self._pop_frame(original_node)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        if node.asynchronous is not None:
            self._syntax(node, "async_comprehension")

    def visit_Await(self, node: cst.Await) -> None:
        if self._frames and self._frames[-1] is not None:
            self._frames[-1].awaits.append(node)
            self._syntax(node, "async_comprehension")


def analyse_source(text: str, path: str = "module.py", module_name: str = "module", package: str = "module") -> CompatFacts:
    """The compatibility facts of one source text, through the engine's per-file pass.

    For tests and tools: the same guard, parse and shared traversal as a
    ``lint`` run (bandit off). Raises ``ValueError`` when the text cannot be
    analysed (it does not parse, or the analysis failed).
    """
    from mbcheck.pyfile.analyse import analyse_file
    from mbcheck.pyfile.jobs import FileJob, FileOptions

    job = FileJob(path, text.encode("utf-8"), module_name, package, path.endswith("__init__.py"), FileOptions(bandit=False))
    outcome = analyse_file(job)
    facts = outcome.facts.get(FACT_KEY)
    if not isinstance(facts, CompatFacts):
        raise ValueError("; ".join(f.message for f in outcome.findings) or "not analysed")
    return facts


__all__ = ["CompatCollector", "Guard", "analyse_source"]
