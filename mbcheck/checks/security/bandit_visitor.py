"""bandit's node visitor and tester, trimmed to what can change a result.

bandit's stock ``BanditNodeVisitor`` builds a context for every node of the
tree and tallies scores; :func:`fast_visitor` derives a visitor class that
builds one only for nodes some test checks, and a tester that skips the
bookkeeping of tests that found nothing. The tests themselves are bandit's,
unchanged; a test compares the results with the stock visitor's on real code.
:func:`cannot_match` names tests that cannot report on a source at all.

bandit is imported only inside these functions (the caller has loaded it).
"""

from __future__ import annotations

import ast
from functools import cache
from typing import Any


def cannot_match(source: str | bytes) -> frozenset[str]:
    """bandit tests that cannot report on ``source``: B613 (trojansource) reports
    bidirectional control characters and nothing else, and reads the whole
    file line by line to look for them; a text without any is skipped."""
    try:
        from bandit.plugins.trojansource import BIDI_CHARACTERS
    except ImportError:  # pragma: no cover - a bandit without that test
        return frozenset()
    if isinstance(source, bytes):
        if not source.isascii():
            return frozenset()  # its encoding decides; let the test decode it
        return frozenset({"B613"})
    if any(char in source for char in BIDI_CHARACTERS):
        return frozenset()
    return frozenset({"B613"})


def _nosec_line(nosec_lines: dict[int, set[str]], result: Any, context: dict[str, Any]) -> int:
    """The line of the ``# nosec`` comment that silences ``result``: its own line, else the
    first line of its statement's range that carries one (as bandit looks them up)."""
    if result.lineno in nosec_lines:
        return int(result.lineno)
    for line in context.get("linerange") or ():
        if line in nosec_lines:
            return int(line)
    return int(result.lineno or 1)


@cache
def _fast_tester(base: type) -> type:
    """bandit's tester, for a caller that reads results and never scores.

    ``run_tests`` is bandit's, less the bookkeeping of a test that found
    nothing (a ``# nosec`` lookup that only feeds a log warning and bandit's
    metrics) and the score tally; a test that reports goes through bandit's
    own ``# nosec`` handling unchanged.
    """
    from bandit.core.context import Context

    class FastTester(base):  # type: ignore[misc]
        #: tests that cannot report on this file (see :func:`cannot_match`)
        cannot_match: frozenset[str] = frozenset()
        #: keep results a ``# nosec`` comment silences (marked ``mbcheck_nosec``)
        keep_nosec: bool = False

        def run_tests(self, raw_context: dict[str, Any], checktype: str) -> None:
            for test in self.testset.get_tests(checktype):
                if test._test_id in self.cannot_match:
                    continue
                temp_context = dict(raw_context)
                context = Context(temp_context)
                try:
                    if hasattr(test, "_config"):
                        result = test(context, test._config)
                    else:
                        result = test(context)
                    if result is None:
                        continue
                    skip = self._get_nosecs_from_contexts(temp_context, test_result=result)
                    filename = temp_context["filename"]
                    result.fname = filename.decode("utf-8") if isinstance(filename, bytes) else filename
                    result.fdata = temp_context["file_data"]
                    if result.lineno is None:
                        result.lineno = temp_context["lineno"]
                    if result.linerange == []:
                        result.linerange = temp_context["linerange"]
                    if result.col_offset == -1:
                        result.col_offset = temp_context["col_offset"]
                    result.end_col_offset = temp_context.get("end_col_offset", 0)
                    result.test = test.__name__
                    if result.test_id == "":
                        result.test_id = test._test_id
                    if skip is not None and (not skip or result.test_id in skip):
                        if not self.keep_nosec:
                            continue
                        # kept, with the line of the comment that silences it
                        result.mbcheck_nosec = _nosec_line(self.nosec_lines, result, temp_context)
                    self.results.append(result)
                except Exception:  # bandit logs a test's internal error and goes on
                    continue

    return FastTester


@cache
def fast_visitor(base: type, checked: frozenset[str]) -> type:
    """bandit's node visitor, without the work that cannot change a result.

    bandit's visitor builds a context (a dict, a line range, three debug log
    calls) for every node of the tree, asks the test set for that node type's
    tests, and adds up a score nobody reads here. Only nodes of a type some
    test checks (``checked``: ``Call``, ``Str`` ...) or that a ``visit_``
    method handles can produce a result, so only they get a context and
    tests. Everything else bandit's tests can read is kept: every node still
    gets ``_bandit_parent`` and ``_bandit_sibling``, the import tables and the
    function/class namespace are kept as bandit keeps them, and the visit
    order is bandit's. The tests themselves are bandit's, unchanged; a test
    compares the results with the stock visitor's on real code.
    """
    visited = {name[6:] for name in dir(base) if name.startswith("visit_") and name != "visit_"}
    if "Constant" in visited:  # strings and bytes reach their tests through visit_Constant
        visited |= {"Constant"}
    active = frozenset(checked | visited)
    scoped = (ast.FunctionDef, ast.ClassDef)
    from bandit.core.utils import linerange
    from bandit.core.utils import namespace_path_split as namespace_split

    class FastVisitor(base):  # type: ignore[misc]
        namespace: str

        def __init__(self, *args: Any) -> None:
            super().__init__(*args)
            tester: type = type(self.tester)
            self.tester.__class__ = _fast_tester(tester)

        def pre_visit(self, node: ast.AST) -> bool:
            context: dict[str, Any] = {"imports": self.imports, "import_aliases": self.import_aliases}
            lineno = getattr(node, "lineno", None)
            if lineno is not None:
                context["lineno"] = lineno
            if hasattr(node, "col_offset"):
                context["col_offset"] = node.col_offset
            if hasattr(node, "end_col_offset"):
                context["end_col_offset"] = node.end_col_offset
            context["node"] = node
            if lineno is not None and getattr(node, "end_lineno", None) is not None:
                context["linerange"] = list(range(lineno, node.end_lineno + 1))  # type: ignore[attr-defined]
            else:
                context["linerange"] = linerange(node)
            context["filename"] = self.fname
            context["file_data"] = self.fdata
            self.context = context
            return True

        def update_scores(self, scores: Any) -> None:
            """Scores are bandit's summary for its own report; mbcheck does not read them."""

        def generic_visit(self, node: ast.AST) -> None:
            for _, value in ast.iter_fields(node):
                if isinstance(value, list):
                    last = len(value) - 1
                    for index, item in enumerate(value):
                        if isinstance(item, ast.AST):
                            item._bandit_sibling = value[index + 1] if index < last else None  # type: ignore[attr-defined]
                            item._bandit_parent = node  # type: ignore[attr-defined]
                            self._step(item)
                elif isinstance(value, ast.AST):
                    value._bandit_sibling = None  # type: ignore[attr-defined]
                    value._bandit_parent = node  # type: ignore[attr-defined]
                    self._step(value)

        def _step(self, node: ast.AST) -> None:
            if type(node).__name__ in active:
                self.pre_visit(node)
                self.visit(node)
            self.generic_visit(node)
            if isinstance(node, scoped):
                self.namespace = namespace_split(self.namespace)[0]

    return FastVisitor


__all__ = ["cannot_match", "fast_visitor"]
