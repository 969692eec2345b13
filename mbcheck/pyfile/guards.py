"""Guards: the tests that decide whether a piece of code runs, answered once for every theme.

Each question has one implementation here, on libcst nodes, for the
collectors and source rules of every theme:

- :func:`is_type_checking`: is this test ``TYPE_CHECKING`` (``if TYPE_CHECKING:``
  blocks never run); :func:`is_main_guard`: is it ``__name__ == "__main__"``
  (the block runs only as a script);
- :func:`version_condition`: which Python 3 minor releases a version check
  lets through (``sys.version_info >= (3, 11)``, ``sys.version_info[:2]``,
  ``[0]``/``[1]``, ``.minor``/``.major``, ``sys.hexversion``, either operand
  order, chained comparisons), as :class:`Releases` for the ``if`` and the
  ``else`` branch;
- :func:`caught` / :func:`catches_import_error`: what the ``except`` clauses
  of a ``try`` catch (an optional import is one under ``except ImportError``);
  :func:`suppressed`: what a ``with contextlib.suppress(...)`` item catches;
- :func:`hasattr_name`: the name a ``hasattr(module, "name")`` check shows
  to exist.

Name resolution is the caller's (the shared name table, or a theme's own
resolver that follows more spellings); these functions only read the tree.

:func:`guards_of` reads the module's ``if TYPE_CHECKING:`` and
``if sys.version_info[:n] <op> (...)`` statements from CPython's ``ast`` tree
with their line ranges (a per-file fact, :class:`~mbcheck.pyfile.facts.GuardFact`,
which the dependency analysis evaluates against the host's Pythons). It reads
the tests as written (``TYPE_CHECKING`` or ``<anything>.TYPE_CHECKING``,
``sys.version_info`` by that name) and shares the comparison operators with
the libcst side; line ranges are what CPython's tree gives for free.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import libcst as cst

from mbcheck.pyfile.facts import GuardFact
from mbcheck.pyfile.literals import literal_string, literal_value

#: a Python 3 release by (major, minor)
Minor = tuple[int, int]
#: the qualified name an expression denotes, when known
Qualify = Callable[[cst.BaseExpression], str | None]

TYPE_CHECKING = "TYPE_CHECKING"
TYPE_CHECKING_NAMES = frozenset({"typing.TYPE_CHECKING", "typing_extensions.TYPE_CHECKING"})
VERSION_INFO = "sys.version_info"

#: comparison operators by their symbol, on both trees
_CST_OPERATORS: dict[type[cst.BaseCompOp], str] = {
    cst.LessThan: "<", cst.LessThanEqual: "<=", cst.GreaterThan: ">", cst.GreaterThanEqual: ">=",
    cst.Equal: "==", cst.NotEqual: "!=",
}
_AST_OPERATORS: dict[type[ast.cmpop], str] = {
    ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=",
}
#: ``a OP b`` is ``b FLIPPED[OP] a``
_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}

#: exceptions whose handler makes the imports of a ``try`` optional
IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})


# --------------------------------------------------------------------------
# TYPE_CHECKING, handlers, hasattr


def is_type_checking(test: cst.BaseExpression, qualified: str | None) -> bool:
    """Whether ``test`` (denoting ``qualified``) is ``typing.TYPE_CHECKING`` or a bare ``TYPE_CHECKING``."""
    return qualified in TYPE_CHECKING_NAMES or (type(test) is cst.Name and test.value == TYPE_CHECKING)


def is_main_guard(test: cst.BaseExpression) -> bool:
    """``if __name__ == "__main__":`` (also as one side of an ``and``): code that runs only as a script."""
    if type(test) is cst.BooleanOperation and type(test.operator) is cst.And:
        return is_main_guard(test.left) or is_main_guard(test.right)
    if type(test) is not cst.Comparison or len(test.comparisons) != 1:
        return False
    target = test.comparisons[0]
    if type(target.operator) is not cst.Equal:
        return False
    sides = (test.left, target.comparator)
    names = [s for s in sides if type(s) is cst.Name and s.value == "__name__"]
    texts = [literal_string(s) for s in sides]
    return bool(names) and "__main__" in texts


def caught(handlers: Sequence[cst.ExceptHandler] | Sequence[cst.ExceptStarHandler]) -> frozenset[str] | None:
    """The exceptions ``except`` clauses name (the last part of a dotted name);
    None when one of them is a bare ``except:`` (it catches everything)."""
    names: set[str] = set()
    for handler in handlers:
        if handler.type is None:
            return None
        kinds = [e.value for e in handler.type.elements] if type(handler.type) is cst.Tuple else [handler.type]
        for kind in kinds:
            if type(kind) is cst.Name:
                names.add(kind.value)
            elif type(kind) is cst.Attribute:
                names.add(kind.attr.value)
    return frozenset(names)


def catches_import_error(handlers: Sequence[cst.ExceptHandler] | Sequence[cst.ExceptStarHandler]) -> bool:
    """Whether one of the handlers catches a failed import."""
    names = caught(handlers)
    return names is None or not names.isdisjoint(IMPORT_ERRORS)


def suppressed(expression: cst.BaseExpression, qualify: Qualify) -> tuple[str, ...]:
    """The exceptions a ``with contextlib.suppress(...)`` item names (plain names only); () for any other item."""
    if type(expression) is not cst.Call or qualify(expression.func) != "contextlib.suppress":
        return ()
    return tuple(arg.value.value for arg in expression.args if type(arg.value) is cst.Name)


def hasattr_name(test: cst.BaseExpression, qualify: Qualify) -> str | None:
    """``hasattr(module, "name")`` -> ``"<module's qualified name>.name"``; None for any other test."""
    if type(test) is not cst.Call or len(test.args) != 2 or qualify(test.func) != "builtins.hasattr":
        return None
    base = qualify(test.args[0].value)
    attr = literal_string(test.args[1].value)
    return None if base is None or attr is None else f"{base}.{attr}"


# --------------------------------------------------------------------------
# Version checks


@dataclass(frozen=True, slots=True)
class Releases:
    """The Python 3 minor releases a region may run on: ``>= low`` and ``< high``; none when ``never``."""

    low: Minor | None = None
    high: Minor | None = None
    never: bool = False

    def meet(self, other: Releases) -> Releases:
        """Both hold (nested regions, ``and``)."""
        if other == ANY:
            return self
        low = other.low if self.low is None else self.low if other.low is None else max(self.low, other.low)
        high = other.high if self.high is None else self.high if other.high is None else min(self.high, other.high)
        return Releases(low, high, self.never or other.never)

    def join(self, other: Releases) -> Releases:
        """One of them holds (``or``): only what both guarantee."""
        if self.never:
            return other
        if other.never:
            return self
        low = None if self.low is None or other.low is None else min(self.low, other.low)
        high = None if self.high is None or other.high is None else max(self.high, other.high)
        return Releases(low, high)


#: every release (nothing known)
ANY = Releases()
#: no release (the region never runs)
NEVER = Releases(never=True)
#: the releases where a test is true, and where it is false
Condition = tuple[Releases, Releases]


def _between(low: int | None = None, high: int | None = None) -> Releases:
    return Releases(None if low is None else (3, low), None if high is None else (3, high))


def _exact(op: str, minor: int) -> Condition:
    """``(major, minor) OP (3, minor)`` compared exactly (slices, ``.minor``)."""
    if op == ">=":
        return _between(low=minor), _between(high=minor)
    if op == ">":
        return _between(low=minor + 1), _between(high=minor + 1)
    if op == "<":
        return _between(high=minor), _between(low=minor)
    if op == "<=":
        return _between(high=minor + 1), _between(low=minor + 1)
    if op == "==":
        return _between(minor, minor + 1), ANY
    return ANY, _between(minor, minor + 1)


def _full(op: str, minor: int, rest_zero: bool) -> Condition | None:
    """``sys.version_info OP (3, minor, ...)``: the 5-tuple is longer than the literal.

    ``sys.version_info > (3, 10)`` holds on 3.10.0 (a longer tuple with an
    equal prefix is greater), so ``>`` and ``>=`` both mean "3.10 or newer".
    When the literal names a patch release (``(3, 10, 2)``), the false branch
    may still run on some 3.10 release.
    """
    newer, older = _between(low=minor), _between(high=minor if rest_zero else minor + 1)
    if op in (">=", ">"):
        return newer, older
    if op in ("<", "<="):
        return older, newer
    return None


def _constant(op: str, sign: int) -> Condition:
    """A comparison whose outcome is fixed on Python 3 (``sign``: running vs literal)."""
    runs = {"==": sign == 0, "!=": sign != 0, ">=": sign >= 0, ">": sign > 0, "<": sign < 0, "<=": sign <= 0}[op]
    return (ANY, NEVER) if runs else (NEVER, ANY)


def _major(op: str, major: int) -> Condition:
    """Comparisons of the major version: Python 2 branches never run."""
    return _constant(op, (major < 3) - (major > 3))


def _ints(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in value)


def _subscript(left: cst.Subscript, op: str, value: Any) -> Condition | None:
    """``sys.version_info[...] OP value``."""
    if len(left.slice) != 1:
        return None
    inner = left.slice[0].slice
    if type(inner) is cst.Index:
        index = literal_value(inner.value)
        if index == 0 and _ints([value]):
            return _major(op, value)
        if index == 1 and _ints([value]):
            return _exact(op, value)
        return None
    if type(inner) is cst.Slice and inner.step is None:
        lower = 0 if inner.lower is None else literal_value(inner.lower)
        upper = None if inner.upper is None else literal_value(inner.upper)
        if lower != 0 or not _ints(value) or not value:
            return None
        if upper == 1 and len(value) == 1:
            return _major(op, value[0])
        if upper == 2 and len(value) == 2 and value[0] == 3:
            return _exact(op, value[1])
        longer = upper is None or (isinstance(upper, int) and not isinstance(upper, bool) and upper > len(value))
        if value[0] == 3 and 2 <= len(value) <= 3 and longer:
            return _full(op, value[1], all(v == 0 for v in value[2:]))
    return None


def _compare(left: cst.BaseExpression, op: str, right: cst.BaseExpression, qualify: Qualify) -> Condition | None:
    """``left OP right`` as a version check with the version on the left; None when it is not one."""
    value = literal_value(right)
    qname = qualify(left)
    if qname == VERSION_INFO:
        if _ints(value) and value:
            if value[0] != 3:
                return _major(op, value[0])
            if len(value) == 1:  # (3, minor, ...) is longer than (3,): always greater
                return _constant(op, 1)
            if len(value) > 3:
                return None
            return _full(op, value[1], all(v == 0 for v in value[2:]))
        return None
    if qname == "sys.hexversion" and _ints([value]):
        major, minor = value >> 24, (value >> 16) & 0xFF
        if major != 3:
            return _major(op, major)
        return _full(op, minor, value & 0xFFFF == 0)
    if qname in ("sys.version_info.minor", "sys.version_info.major"):
        if _ints([value]):
            return _exact(op, value) if qname.endswith("minor") else _major(op, value)
        return None
    if type(left) is cst.Subscript and qualify(left.value) == VERSION_INFO:
        return _subscript(left, op, value)
    return None


def version_condition(test: cst.Comparison, qualify: Qualify) -> Condition:
    """Where a comparison is true and where it is false, as far as it checks the Python version.

    Every link of a chain (``(3, 8) <= sys.version_info < (3, 12)``) must
    hold; a link that checks no version constrains nothing.
    """
    operands = [test.left, *(target.comparator for target in test.comparisons)]
    then, otherwise = ANY, NEVER
    for index, target in enumerate(test.comparisons):
        left, right = operands[index], operands[index + 1]
        op = _CST_OPERATORS.get(type(target.operator))
        result = None
        if op is not None:
            result = _compare(left, op, right, qualify)
            if result is None:
                result = _compare(right, _FLIPPED[op], left, qualify)
        then = then.meet(result[0] if result is not None else ANY)
        otherwise = otherwise.join(result[1] if result is not None else ANY)
    return then, otherwise


# --------------------------------------------------------------------------
# The guard fact, from CPython's ``ast`` tree


def _block(body: Sequence[ast.stmt]) -> tuple[int, int] | None:
    if not body:
        return None
    return body[0].lineno, max(stmt.end_lineno or stmt.lineno for stmt in body)


def _ast_type_checking(test: ast.expr) -> bool:
    """``TYPE_CHECKING`` or ``<anything>.TYPE_CHECKING``, as written."""
    if isinstance(test, ast.Name):
        return test.id == TYPE_CHECKING
    return isinstance(test, ast.Attribute) and test.attr == TYPE_CHECKING


def _version_info_length(node: ast.expr) -> int | None:
    """``sys.version_info`` -> 5 (its length), ``sys.version_info[:2]`` -> 2; None otherwise."""
    length = 5
    if isinstance(node, ast.Subscript):
        cut = node.slice
        if not (
            isinstance(cut, ast.Slice)
            and cut.lower is None
            and cut.step is None
            and isinstance(cut.upper, ast.Constant)
            and type(cut.upper.value) is int
        ):
            return None
        length = min(cut.upper.value, 5)
        node = node.value
    if (
        isinstance(node, ast.Attribute)
        and node.attr == "version_info"
        and isinstance(node.value, ast.Name)
        and node.value.id == "sys"
    ):
        return length
    return None


def _ast_version_test(test: ast.expr) -> tuple[int, str, tuple[int, ...]] | None:
    """``sys.version_info[:length] <op> bound`` as written -> (length, op, bound); None for any other test."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return None
    length = _version_info_length(test.left)
    op = _AST_OPERATORS.get(type(test.ops[0]))
    right = test.comparators[0]
    if length is None or op is None or not isinstance(right, ast.Tuple) or not 0 < len(right.elts) <= 3:
        return None
    bound: list[int] = []
    for element in right.elts:
        if not isinstance(element, ast.Constant) or type(element.value) is not int:
            return None
        bound.append(element.value)
    return length, op, tuple(bound)


def guards_of(tree: ast.Module) -> tuple[GuardFact, ...]:
    """Every ``TYPE_CHECKING`` and ``sys.version_info`` guard of a module (statements only: an
    ``if`` is always a statement)."""
    out: list[GuardFact] = []
    pending: list[ast.stmt] = list(reversed(tree.body))
    while pending:
        node = pending.pop()
        if isinstance(node, ast.If):
            if _ast_type_checking(node.test):
                out.append(GuardFact("typing", _block(node.body), _block(node.orelse)))
            else:
                test = _ast_version_test(node.test)
                if test is not None:
                    out.append(GuardFact("version", _block(node.body), _block(node.orelse), *test))
        for name in ("body", "orelse", "handlers", "finalbody", "cases"):
            value = getattr(node, name, None)
            if not value:
                continue
            for item in reversed(value):
                if isinstance(item, ast.stmt):
                    pending.append(item)
                else:  # an except handler or a match case: its body holds statements
                    pending.extend(reversed(item.body))
    return tuple(out)


__all__ = [
    "ANY",
    "IMPORT_ERRORS",
    "NEVER",
    "TYPE_CHECKING_NAMES",
    "Condition",
    "Releases",
    "catches_import_error",
    "caught",
    "guards_of",
    "hasattr_name",
    "is_main_guard",
    "is_type_checking",
    "suppressed",
    "version_condition",
]
