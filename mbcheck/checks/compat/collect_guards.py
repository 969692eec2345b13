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
:attr:`GuardTracker.guard` whether a requirement is guarded. What each test
means (version checks, ``TYPE_CHECKING``, handlers, ``hasattr``) is answered
by :mod:`mbcheck.pyfile.guards`; this module combines the answers into regions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import libcst as cst

from mbcheck.checks.compat.facts import Minor, Patch
from mbcheck.checks.compat.tables import StdlibEntry, stdlib_entry
from mbcheck.pyfile.guards import (
    Releases,
    caught,
    hasattr_name,
    is_type_checking,
    suppressed,
    version_condition,
)
from mbcheck.pyfile.literals import literal_string
from mbcheck.pyfile.traverse import Collector, FileContext

#: what a ``try`` handler (or ``suppress``) catches, by the use it protects
_CATCHES: dict[str, frozenset[str]] = {
    "ImportError": frozenset({"import"}),
    "ModuleNotFoundError": frozenset({"import"}),
    "AttributeError": frozenset({"attribute"}),
    "NameError": frozenset({"name"}),
    "TypeError": frozenset({"keyword"}),
    "Exception": frozenset({"import", "attribute", "name", "keyword"}),
    "BaseException": frozenset({"import", "attribute", "name", "keyword"}),
}
_ALL_CATCHES = frozenset({"import", "attribute", "name", "keyword"})

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

    @property
    def releases(self) -> Releases:
        """The releases the region may run on."""
        return Releases(self.low, self.high, self.never)

    def meet(self, other: Guard) -> Guard:
        """Both hold (nested regions, ``and``)."""
        if other.empty:
            return self
        releases = self.releases.meet(other.releases)
        return Guard(
            releases.low,
            releases.high,
            self.names | other.names,
            self.catches | other.catches,
            releases.never,
            self.implied | other.implied,
        )

    def join(self, other: Guard) -> Guard:
        """One of them holds (``or``): only what both guarantee."""
        if self.never:
            return other
        if other.never:
            return self
        releases = self.releases.join(other.releases)
        return Guard(
            releases.low, releases.high, self.names & other.names, self.catches & other.catches, False,
            self.implied & other.implied,
        )

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


def _uses(exceptions: Iterable[str] | None) -> frozenset[str]:
    """The uses whose failure catching these exceptions protects (None: every exception)."""
    if exceptions is None:
        return _ALL_CATCHES
    uses: set[str] = set()
    for name in exceptions:
        uses |= _CATCHES.get(name, frozenset())
    return frozenset(uses)


def _guard(releases: Releases) -> Guard:
    """The guard of a region a version check confines to ``releases``."""
    return Guard(releases.low, releases.high, never=releases.never)


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

    def condition(self, test: cst.BaseExpression, depth: int = 0) -> Condition:
        """What holds where ``test`` is true and where it is false: (then, else) guards."""
        if depth > 20:
            return _UNKNOWN
        if type(test) is cst.UnaryOperation and type(test.operator) is cst.Not:
            then, otherwise = self.condition(test.expression, depth + 1)
            return otherwise, then
        if type(test) is cst.BooleanOperation:
            left = self.condition(test.left, depth + 1)
            right = self.condition(test.right, depth + 1)
            if type(test.operator) is cst.And:
                return left[0].meet(right[0]), left[1].join(right[1])
            return left[0].join(right[0]), left[1].meet(right[1])
        if type(test) is cst.Comparison:
            releases = version_condition(test, self.ctx.qualified_name)
            return _guard(releases[0]), _guard(releases[1])
        if type(test) is cst.Call:
            name = hasattr_name(test, self.ctx.qualified_name) or self._hasattr_receiver(test)
            if name is None:
                return _UNKNOWN
            found = stdlib_entry(name)
            implied: frozenset[Detected] = frozenset()
            if found is not None and found[1].added is not None:
                implied = frozenset({(found[1].added, found[1].backported)})
            return Guard(names=frozenset({name}), implied=implied), _NOTHING
        if (type(test) is cst.Name or type(test) is cst.Attribute):
            if is_type_checking(test, self.ctx.qualified_name(test)):
                return _NEVER, _NOTHING
            if type(test) is cst.Name and test.value in self._flags:
                return self._flags[test.value]
        return _UNKNOWN

    def _receiver_name(self, node: cst.BaseExpression) -> str | None:
        """The class of an object the code makes evident (the receiver types override it)."""
        return None

    def _hasattr_receiver(self, test: cst.Call) -> str | None:
        """``hasattr(path, "with_stem")`` on an object of a known class -> ``"pathlib.Path.with_stem"``."""
        if len(test.args) != 2 or self.ctx.qualified_name(test.func) != "builtins.hasattr":
            return None
        cls = self._receiver_name(test.args[0].value)
        attr = literal_string(test.args[1].value)
        return None if cls is None or attr is None else f"{cls}.{attr}"

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

    def visit_Try(self, node: cst.Try) -> None:
        self._region(node.body, Guard(catches=_uses(caught(node.handlers))))
        detected: list[Detected] = []
        self._try_bodies[id(node.body)] = detected
        if node.orelse is not None:
            self._try_else[id(node.orelse)] = detected

    def visit_TryStar(self, node: cst.TryStar) -> None:
        self._region(node.body, Guard(catches=_uses(caught(node.handlers))))
        super().visit_TryStar(node)

    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) == 1 and type(node.targets[0].target) is cst.Name:
            name = node.targets[0].target.value
            condition = self.condition(node.value)
            if condition != _UNKNOWN:
                self._flags[name] = condition
            else:
                self._flags.pop(name, None)

    def visit_With(self, node: cst.With) -> None:
        uses = _uses(name for item in node.items for name in suppressed(item.item, self.ctx.qualified_name))
        if uses:
            self._region(node.body, Guard(catches=uses))
        super().visit_With(node)


__all__ = ["Condition", "Detected", "Guard", "GuardTracker"]
