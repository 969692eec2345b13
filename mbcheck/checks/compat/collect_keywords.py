"""Keyword arguments newer than the Python a plugin declares (a part of the compatibility collector).

A call to a standard-library callable, resolved through the shared name
table (``subprocess.run``, ``from dataclasses import dataclass``, the builtin
``zip``), with a keyword the table dates later than the callable itself
(``rules/compat/stdlib.json``'s ``keywords``: ``zip(strict=)`` is 3.10,
``subprocess.run(capture_output=)`` 3.7) is a requirement on the Python
version at the keyword. So is a method call whose receiver's class is
evident (:class:`~mbcheck.checks.compat.collect_receivers.ReceiverTypes`:
``p = Path("x"); p.exists(follow_symlinks=False)`` is 3.12,
``logging.getLogger().info(..., stacklevel=2)`` 3.8), the method looked up
on the class and then on its bases as for other members. Each is reported
by MB401 like any other too-new use. Guards count as for other names: a version check, ``TYPE_CHECKING``, a ``try``
whose handler catches ``TypeError`` (what an unknown keyword raises), or the
``else`` of a ``try`` or a ``hasattr`` check that found a name added in the same
releases.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import libcst as cst

from mbcheck.checks.compat.collect_guards import GuardTracker
from mbcheck.checks.compat.collect_receivers import ReceiverTypes, classes_of
from mbcheck.checks.compat.facts import Bound, Kind, Minor
from mbcheck.checks.compat.tables import StdlibEntry, keyword_names, stdlib_keywords


class KeywordArguments(ReceiverTypes, GuardTracker):
    """Records ``min`` requirements for dated keyword arguments of standard-library calls.

    A mixin of :class:`~mbcheck.checks.compat.collect.CompatCollector`: it
    records through the collector's ``_record`` under the guard
    :class:`GuardTracker` keeps.
    """

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
        """Record a requirement (the collector this is part of implements it)."""
        raise NotImplementedError

    def visit_Call(self, node: cst.Call) -> None:
        super().visit_Call(node)
        dated = keyword_names()
        keywords = [arg for arg in node.args if arg.keyword is not None and arg.keyword.value in dated]
        if not keywords:
            return
        callee = self.ctx.qualified_name(node.func)
        table = stdlib_keywords(callee) if callee is not None else {}
        if not table and type(node.func) is cst.Attribute:
            callee, table = self._method_keywords(node.func)
        if callee is None or not table:
            return
        guard = self.guard
        for arg in keywords:
            assert arg.keyword is not None
            entry = table.get(arg.keyword.value)
            if entry is None or entry.added is None:
                continue
            what = f"{callee}({arg.keyword.value}=)"
            guarded = (
                guard.protects(what, "keyword")
                or (guard.low is not None and guard.low >= entry.added)
                # the ``else`` of a ``try`` that found a name of the same releases
                # (``tarfile.data_filter`` and ``extractall(filter=)``, PEP 706)
                or guard.implies(entry)
            )
            self._record("keyword", what, "min", entry.added, entry.backported, guarded, arg.keyword)

    def _method_keywords(self, func: cst.Attribute) -> tuple[str | None, Mapping[str, StdlibEntry]]:
        """The dated keywords of a method called on a receiver of evident class (its class's
        entry, else the nearest base's), with the method's qualified name."""
        cls = self.class_of(func.value)
        if cls is None:
            return None, {}
        for owner in classes_of(cls):
            name = f"{owner}.{func.attr.value}"
            table = stdlib_keywords(name)
            if table:
                return name, table
        return None, {}


__all__ = ["KeywordArguments"]
