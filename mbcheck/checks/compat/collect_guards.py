"""Guard tracking for the compatibility collector: what holds in the region being visited.

:class:`GuardTracker` follows the traversal and keeps a :class:`Guard` for
the code being visited: the Python releases a version check lets through
(``if sys.version_info >= (3, 11):`` and its ``else``, ``sys.version_info[:2]``,
``.minor``, ``sys.hexversion``, ``and``/``or``/``not``, flags such as
``PY311 = sys.version_info >= (3, 11)``), the failures a surrounding
``try`` handler or ``with contextlib.suppress(...)`` catches (``ImportError``
for imports, ``AttributeError`` for attributes, ``NameError`` for
builtins), names a ``hasattr`` check showed to exist, and regions that never
run (``if TYPE_CHECKING:``, Python 2 branches). The collector asks
:attr:`GuardTracker.guard` whether a requirement is guarded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import libcst as cst

from mbcheck.checks.compat.facts import Minor, Patch
from mbcheck.checks.compat.tables import StdlibEntry, stdlib_entry
from mbcheck.pyfile.literals import literal_string, literal_value
from mbcheck.pyfile.traverse import Collector, FileContext

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

    def protects(self, name: str, use: str) -> bool:
        """Whether a ``use`` of ``name`` here cannot fail: the region never runs, a
        handler catches the failure, or a ``hasattr`` check showed the name exists."""
        return self.never or use in self.catches or any(
            name == known or name.startswith(known + ".") for known in self.names
        )

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


class GuardTracker(Collector):
    """Keeps the :class:`Guard` of the region being visited (:attr:`guard`).

    Regions are the blocks of ``if``/``else``, ``try`` bodies and ``with``
    bodies: a statement that opens one registers the guard of each of its
    blocks, and the block pushes it (met with the enclosing guard) when the
    traversal enters it. Names a ``try`` body uses under a handler that
    catches their absence are *detected*: its ``else`` block knows they exist.
    A part of the collector: its visits of nodes the syntax features also
    visit (``with``, ``try``/``except*``) pass them on with ``super()``.
    """

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

    @property
    def guard(self) -> Guard:
        return self._guards[-1]

    def _detected(self, use: str, added: Minor, backported: tuple[Patch, ...]) -> None:
        """A tabled name (added in ``added``) used here: when a handler catches the
        failure of this ``use``, the ``else`` of its ``try`` knows the name exists."""
        if use in self.guard.catches and self._detecting:
            self._detecting[-1].append((added, backported))

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
        super().visit_TryStar(node)

    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            name = node.targets[0].target.value
            condition = self.condition(node.value)
            if condition != _UNKNOWN:
                self._flags[name] = condition
            else:
                self._flags.pop(name, None)

    def visit_With(self, node: cst.With) -> None:
        caught: set[str] = set()
        for item in node.items:
            call = item.item
            if isinstance(call, cst.Call) and self.ctx.qualified_name(call.func) == "contextlib.suppress":
                for arg in call.args:
                    name = arg.value.value if isinstance(arg.value, cst.Name) else ""
                    caught |= _CATCHES.get(name, frozenset())
        if caught:
            self._region(node.body, Guard(catches=frozenset(caught)))
        super().visit_With(node)


__all__ = ["Condition", "Detected", "Guard", "GuardTracker"]
