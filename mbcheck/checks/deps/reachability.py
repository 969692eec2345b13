"""Imports that never run on the host: the module's guards against the host's Pythons.

Each file's ``if TYPE_CHECKING:`` and ``if sys.version_info ...:`` statements
are a per-file fact (:class:`~mbcheck.pyfile.facts.GuardFact`, read by
:func:`mbcheck.pyfile.guards.guards_of`); :func:`never_run` says which of
their line ranges no Python of the host runs. The dependency analysis does
not ask for what is imported only there. This module imports no libcst.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from mbcheck.pyfile.facts import GuardFact

#: line ranges, first and last line included
Ranges = list[tuple[int, int]]

_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq, "!=": operator.ne,
}


def _version_outcomes(guard: GuardFact, pythons: Sequence[tuple[int, int]]) -> set[bool]:
    """What the guard's test gives on the host's Pythons."""
    compare = _COMPARE[guard.op]
    outcomes: set[bool] = set()
    for major, minor in pythons:
        for micro in (0, 99):  # micro releases the profile does not name
            version: tuple[int | str, ...] = (major, minor, micro, "final", 0)
            outcomes.add(bool(compare(version[: guard.length], guard.bound)))
    return outcomes


def never_run(guards: Iterable[GuardFact], pythons: Sequence[tuple[int, int]]) -> tuple[Ranges, Ranges]:
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


def within(line: int, ranges: Ranges) -> bool:
    """Whether ``line`` lies in one of ``ranges``."""
    return any(start <= line <= end for start, end in ranges)


__all__ = ["Ranges", "never_run", "within"]
