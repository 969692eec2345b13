"""Imports that never run on the host: ``if TYPE_CHECKING:`` and ``sys.version_info`` guards.

:func:`guards_of` finds a module's guards in its ``ast`` tree (in the per-file
pass: a fact, cached with the file); :func:`never_run` says which of their
line ranges no Python of the host runs. The dependency analysis does not ask
for what is imported only there. This module imports no libcst.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

#: line ranges, first and last line included
Ranges = list[tuple[int, int]]


def _block(body: Sequence[ast.stmt]) -> tuple[int, int] | None:
    if not body:
        return None
    return body[0].lineno, max(stmt.end_lineno or stmt.lineno for stmt in body)


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


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


@dataclass(frozen=True)
class Guard:
    """An ``if`` that decides whether its imports run: ``if TYPE_CHECKING:``
    (``kind="typing"``) or ``if sys.version_info[:length] <op> bound:``
    (``kind="version"``), with the line ranges of its branches.

    Taken from each file's ``ast`` tree in the per-file pass (a fact, cached
    with the file); what it means depends on the host's Pythons, which the
    plugin-level analysis knows.
    """

    kind: str
    body: tuple[int, int] | None
    orelse: tuple[int, int] | None
    length: int = 0
    op: str = ""
    bound: tuple[int, ...] = ()


_OPS: dict[type[ast.cmpop], str] = {
    ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=",
}
_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq, "!=": operator.ne,
}


def _version_test(test: ast.expr) -> tuple[int, str, tuple[int, ...]] | None:
    """``sys.version_info[:length] <op> bound`` -> (length, op, bound); None for any other test."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return None
    length = _version_info_length(test.left)
    op = _OPS.get(type(test.ops[0]))
    right = test.comparators[0]
    if length is None or op is None or not isinstance(right, ast.Tuple) or not 0 < len(right.elts) <= 3:
        return None
    bound: list[int] = []
    for element in right.elts:
        if not isinstance(element, ast.Constant) or type(element.value) is not int:
            return None
        bound.append(element.value)
    return length, op, tuple(bound)


def guards_of(tree: ast.Module) -> tuple[Guard, ...]:
    """Every ``TYPE_CHECKING`` and ``sys.version_info`` guard of a module (statements only: an
    ``if`` is always a statement)."""
    out: list[Guard] = []
    pending: list[ast.stmt] = list(reversed(tree.body))
    while pending:
        node = pending.pop()
        if isinstance(node, ast.If):
            if _is_type_checking(node.test):
                out.append(Guard("typing", _block(node.body), _block(node.orelse)))
            else:
                test = _version_test(node.test)
                if test is not None:
                    out.append(Guard("version", _block(node.body), _block(node.orelse), *test))
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


def _version_outcomes(guard: Guard, pythons: Sequence[tuple[int, int]]) -> set[bool]:
    """What the guard's test gives on the host's Pythons."""
    compare = _COMPARE[guard.op]
    outcomes: set[bool] = set()
    for major, minor in pythons:
        for micro in (0, 99):  # micro releases the profile does not name
            version: tuple[int | str, ...] = (major, minor, micro, "final", 0)
            outcomes.add(bool(compare(version[: guard.length], guard.bound)))
    return outcomes


def never_run(guards: Iterable[Guard], pythons: Sequence[tuple[int, int]]) -> tuple[Ranges, Ranges]:
    """Line ranges under ``if TYPE_CHECKING:``, and ranges no host Python runs
    (``if sys.version_info < (3, 11):`` on a host that runs 3.11 and later)."""
    typing_only: Ranges = []
    dead: Ranges = []
    for guard in guards:
        if guard.kind == "typing":
            if guard.body is not None:
                typing_only.append(guard.body)
            continue
        outcomes = _version_outcomes(guard, pythons)
        block = guard.body if outcomes == {False} else guard.orelse if outcomes == {True} else None
        if block is not None:
            dead.append(block)
    return typing_only, dead


def never_run_lines(text: str, pythons: Sequence[tuple[int, int]]) -> tuple[Ranges, Ranges]:
    """:func:`never_run` for a module's source text."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return [], []
    return never_run(guards_of(tree), pythons)


def within(line: int, ranges: Ranges) -> bool:
    """Whether ``line`` lies in one of ``ranges``."""
    return any(start <= line <= end for start, end in ranges)


__all__ = ["Guard", "Ranges", "guards_of", "never_run", "never_run_lines", "within"]
