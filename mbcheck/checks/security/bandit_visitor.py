"""bandit's node visitor and tester, trimmed to what can change a result.

bandit's stock ``BanditNodeVisitor`` builds a context for every node of the
tree, a fresh dict and ``Context`` for every test of it, calls every test of
the node's type, and tallies scores; :func:`fast_visitor` derives a visitor
class that walks the tree with a plan per node type, builds a context only
for nodes some test checks, and a tester that builds one ``Context`` per node,
calls only the tests whose gate lets them report on it
(:mod:`~mbcheck.checks.security.bandit_gates`: by the call's name, its
keywords, a check) and skips the bookkeeping of tests that found nothing. The
tests themselves are bandit's, unchanged; tests compare the results with the
stock visitor's on real code. :func:`cannot_match` names tests that cannot
report on a source at all.

bandit is imported only inside these functions (the caller has loaded it).
"""

from __future__ import annotations

import ast
import re
from functools import cache
from typing import Any

from mbcheck.checks.security.bandit_gates import call_names, core_matches, digest, gate_of


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


#: ASDL types of ``ast`` fields that never hold a node of their own: plain values,
#: and the operator and context leaves ``ast.parse`` shares across the tree
#: (``Load``, ``Add``, ``Eq`` ...), which no test reads
_LEAF_FIELD_TYPES = frozenset({
    "identifier", "string", "constant", "int", "expr_context", "operator", "unaryop", "cmpop", "boolop",
})
_SIGNATURE = re.compile(r"^\w+\((.*)\)$")


@cache
def _child_fields(node_type: type) -> tuple[str, ...]:
    """The fields of ``node_type`` that hold the nodes bandit's walk visits, in ``_fields`` order.

    Read from the ASDL signature ``ast`` gives each node class as its
    docstring (``Compare(expr left, cmpop* ops, expr* comparators)``): fields
    of a :data:`_LEAF_FIELD_TYPES` type are left out. A class without a
    readable signature keeps every field but ``ctx``, ``op`` and ``ops``.
    """
    fields = tuple(getattr(node_type, "_fields", ()))
    match = _SIGNATURE.match(((node_type.__doc__ or "").splitlines() or [""])[0].strip())
    if match is None:
        return tuple(name for name in fields if name not in ("ctx", "op", "ops"))
    declared: dict[str, str] = {}
    for part in match.group(1).split(","):
        words = part.split()
        if len(words) == 2:
            declared[words[1]] = words[0].rstrip("?*")
    return tuple(name for name in fields if declared.get(name) not in _LEAF_FIELD_TYPES)


@cache
def _context_class(base: type) -> type:
    """bandit's ``Context`` for one node, shared by every test of that node.

    bandit builds a fresh dict copy and ``Context`` for each test of each node;
    no test writes to either, so one per node gives the same answers. The
    values bandit's properties only look up in the dict (``node``, the call's
    names, the string) are read once; ``is_module_imported_like`` (a substring
    scan of every import, asked by several tests of every call) is answered
    from a per-file table, valid while the file's import set has not grown.
    """

    class NodeContext(base):  # type: ignore[misc]
        # plain attributes shadowing bandit's properties of the same value
        node: Any = None
        call_function_name: Any = None
        call_function_name_qual: Any = None
        string_val: Any = None
        bytes_val: Any = None
        import_aliases: Any = None

        def __init__(self, context: dict[str, Any], like: dict[str, tuple[int, bool]]) -> None:
            self._context = context
            self._like = like
            get = context.get
            self.node = get("node")
            self.call_function_name = get("name")
            self.call_function_name_qual = get("qualname")
            self.string_val = get("str")
            self.bytes_val = get("bytes")
            self.import_aliases = get("import_aliases")

        def is_module_imported_like(self, module: str) -> bool:
            imports = self._context.get("imports")
            if imports is None:
                return False
            known = self._like.get(module)
            size = len(imports)
            if known is not None and known[0] == size:
                return known[1]
            found = bool(super().is_module_imported_like(module))
            self._like[module] = (size, found)
            return found

    return NodeContext


#: flags of a node type in the walk: it gets a context and a visit; only when it is
#: text or bytes outside an expression statement; it opens a namespace
_VISITED, _TEXT_ONLY, _SCOPED = 1, 2, 4
_UNKNOWN = object()

#: per test to call on a node: the test, its ``_config`` (or :data:`_NO_CONFIG`), and
#: the keywords and check of its gate, if any
_Plan = tuple[tuple[Any, Any, "frozenset[str] | None", Any], ...]

#: SHA-256 (first 16 hex digits) of bandit's ``visit_Str`` and ``visit_Bytes`` sources
_STRING_VISITS_DIGEST = "c17c743c3c746d3b:084ae941d0592a20"

#: plans kept per test set (distinct call names seen) before they are rebuilt
_MAX_PLANS = 20_000

#: a test without ``_config`` (bandit calls it with the context alone)
_NO_CONFIG = object()


@cache
def _fast_tester(base: type) -> type:
    """bandit's tester, for a caller that reads results and never scores.

    ``run_tests`` is bandit's, less the bookkeeping of a test that found
    nothing (a ``# nosec`` lookup that only feeds a log warning and bandit's
    metrics) and the score tally, with one context per node (see
    :func:`_context_class`); a test that reports goes through bandit's own
    ``# nosec`` handling unchanged.
    """
    from bandit.core.context import Context
    from bandit.core.node_visitor import BanditNodeVisitor

    node_context = _context_class(Context)
    gated = core_matches(Context, BanditNodeVisitor)

    class FastTester(base):  # type: ignore[misc]
        #: tests that cannot report on this file (see :func:`cannot_match`)
        cannot_match: frozenset[str] = frozenset()
        #: keep results a ``# nosec`` comment silences (marked ``mbcheck_nosec``)
        keep_nosec: bool = False
        #: module -> (size of the import set when asked, answer), for this file
        _like: dict[str, tuple[int, bool]]
        #: the test set's plans (see :meth:`_plan`), shared by the files it checks
        _plans: dict[tuple[str, str | None, frozenset[str]], _Plan]
        #: the test set's tests per check type, with their gates (see :meth:`_gated`)
        _rows: dict[tuple[str, frozenset[str]], tuple[tuple[Any, Any, frozenset[str] | None, Any, Any], ...]]

        def _gated(self, checktype: str) -> tuple[tuple[Any, Any, frozenset[str] | None, Any, Any], ...]:
            """The tests of ``checktype`` that can report on this file, in bandit's order, each
            with its ``_config`` and its gate's call names, keywords and check (None: none)."""
            key = (checktype, self.cannot_match)
            found = self._rows.get(key)
            if found is None:
                rows = []
                for test in self.testset.get_tests(checktype):
                    if test._test_id in self.cannot_match:
                        continue
                    gate = gate_of(test) if gated else None
                    names = keywords = check = None
                    if gate is not None:
                        if checktype == "Call":
                            names = call_names(gate, test)
                            keywords = gate.keywords
                        check = gate.check
                    rows.append((test, getattr(test, "_config", _NO_CONFIG), names, keywords, check))
                found = self._rows[key] = tuple(rows)
            return found

        def _plan(self, checktype: str, name: str | None) -> _Plan:
            """The tests to call on a node of ``checktype`` (a call: named ``name``), in
            bandit's order, each with its ``_config`` and the parts of its gate
            (:mod:`~mbcheck.checks.security.bandit_gates`) left to check per node."""
            return tuple(
                (test, config, keywords, check)
                for test, config, names, keywords, check in self._gated(checktype)
                if names is None or name in names
            )

        def run_tests(self, raw_context: dict[str, Any], checktype: str) -> None:
            name = raw_context.get("name") if checktype == "Call" else None
            key = (checktype, name, self.cannot_match)
            try:
                tests = self._plans[key]
            except AttributeError:
                self._like = {}
                self._plans = self.testset.__dict__.setdefault("_mbcheck_plans", {})
                self._rows = self.testset.__dict__.setdefault("_mbcheck_rows", {})
                tests = None
            except KeyError:
                tests = None
            if tests is None:
                if len(self._plans) >= _MAX_PLANS:  # one per call name seen: bounded all the same
                    self._plans.clear()
                tests = self._plans[key] = self._plan(checktype, name)
            if not tests:
                return
            context = node_context(raw_context, self._like)
            for test, config, keywords, check in tests:
                try:
                    if keywords is not None and not (
                        context.node.keywords and any(k.arg in keywords for k in context.node.keywords)
                    ):
                        continue
                    if check is not None and not check(context, test):
                        continue
                    result = test(context) if config is _NO_CONFIG else test(context, config)
                    if result is None:
                        continue
                    self._keep(result, test, raw_context)
                except Exception:  # bandit logs a test's internal error and goes on
                    continue

        def _keep(self, result: Any, test: Any, temp_context: dict[str, Any]) -> None:
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
                    return
                # kept, with the line of the comment that silences it
                result.mbcheck_nosec = _nosec_line(self.nosec_lines, result, temp_context)
            self.results.append(result)

    return FastTester


@cache
def fast_visitor(base: type, checked: frozenset[str]) -> type:
    """bandit's node visitor, without the work that cannot change a result.

    bandit's visitor builds a context (a dict, a line range, three debug log
    calls) for every node of the tree, asks the test set for that node type's
    tests, and adds up a score nobody reads here. Only nodes of a type some
    test checks (``checked``: ``Call``, ``Str`` ...) or that a ``visit_``
    method handles can produce a result, so only they get a context and
    tests; a constant that is neither text nor bytes, or a string that is a
    statement of its own (bandit skips docstrings), gets neither. Everything
    else bandit's tests can read is kept: every node still gets
    ``_bandit_parent`` and ``_bandit_sibling`` before its subtree is visited
    (except the operator and context leaves ``ast`` shares between nodes, whose
    values bandit overwrites at every use and no test reads), the import
    tables and the function/class namespace are kept as bandit keeps them,
    and the visit order is bandit's. The tests themselves are bandit's,
    unchanged; a test compares the results with the stock visitor's on real code.
    """
    visited = {name[6:] for name in dir(base) if name.startswith("visit_") and name != "visit_"}
    active_names = frozenset(checked | visited)
    from bandit.core.utils import linerange
    from bandit.core.utils import namespace_path_split as namespace_split

    AST = ast.AST
    Expr = ast.Expr
    #: bandit's visit_Str / visit_Bytes are the code the overrides below repeat
    strings_pinned = (
        f"{digest(getattr(base, 'visit_Str', None))}:{digest(getattr(base, 'visit_Bytes', None))}"
        == _STRING_VISITS_DIGEST
    )
    #: node type -> (fields to walk, flags); built on first sight of each type
    plans: dict[type, tuple[tuple[str, ...], int]] = {}
    #: node type -> bandit's ``visit_`` method for it, or None
    methods: dict[type, Any] = {}

    def plan(kind: type) -> tuple[tuple[str, ...], int]:
        flags = 0
        if kind.__name__ in active_names:
            flags |= _VISITED
            # without a test of every constant, only text and bytes outside expression
            # statements (bandit skips docstrings) reach a test, through visit_Constant
            if kind is ast.Constant and "Constant" not in checked:
                flags |= _TEXT_ONLY
        if kind in (ast.FunctionDef, ast.ClassDef):  # bandit leaves their namespace after them
            flags |= _SCOPED
        plans[kind] = found = (_child_fields(kind), flags)
        return found

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

        if strings_pinned:

            def visit_Str(self, node: ast.Constant) -> None:
                """bandit's ``visit_Str``, with the line range of the string's parent built
                once per parent (every string of a literal dict or list shares it; bandit
                builds the whole range again for each)."""
                self.context["str"] = node.value
                self._run_string(node, "Str")

            def visit_Bytes(self, node: ast.Constant) -> None:
                """bandit's ``visit_Bytes``, as :meth:`visit_Str`."""
                self.context["bytes"] = node.value
                self._run_string(node, "Bytes")

            def _run_string(self, node: ast.Constant, checktype: str) -> None:
                parent = node._bandit_parent  # type: ignore[attr-defined]
                if isinstance(parent, Expr):  # a docstring or a string as a statement
                    return
                ranges = self.__dict__.setdefault("_parent_ranges", {})
                lines = ranges.get(parent)
                if lines is None:
                    lines = ranges[parent] = linerange(parent)
                self.context["linerange"] = lines
                self.tester.run_tests(self.context, checktype)

        def visit(self, node: ast.AST) -> None:
            """bandit's dispatch (its ``visit_`` method for the node's type, else the type's
            tests), with the method looked up once per type."""
            kind = type(node)
            method = methods.get(kind, _UNKNOWN)
            if method is _UNKNOWN:
                method = methods[kind] = getattr(type(self), "visit_" + kind.__name__, None)
            if method is not None:
                method(self, node)
            else:
                self.tester.run_tests(self.context, kind.__name__)

        def generic_visit(self, node: ast.AST) -> None:
            """Visit ``node``'s subtree in bandit's order: children in field order, each
            annotated with its parent and next sibling before its own subtree."""
            self._walk(node, (plans.get(type(node)) or plan(type(node)))[0])

        def _walk(self, node: ast.AST, fields: tuple[str, ...]) -> None:
            for name in fields:
                value = getattr(node, name, None)
                items: list[Any] | tuple[ast.AST]
                if isinstance(value, list):
                    items = value
                    last = len(value) - 1
                elif isinstance(value, AST):
                    items = (value,)
                    last = 0
                else:
                    continue
                for index, item in enumerate(items):
                    if not isinstance(item, AST):
                        continue
                    item._bandit_sibling = items[index + 1] if index < last else None  # type: ignore[attr-defined]
                    item._bandit_parent = node  # type: ignore[attr-defined]
                    children, flags = plans.get(type(item)) or plan(type(item))
                    if flags:
                        if flags & _VISITED and (
                            not flags & _TEXT_ONLY
                            or (isinstance(item.value, (str, bytes)) and not isinstance(node, Expr))  # type: ignore[attr-defined]
                        ):
                            self.pre_visit(item)
                            self.visit(item)
                        if children:
                            self._walk(item, children)
                        if flags & _SCOPED:
                            self.namespace = namespace_split(self.namespace)[0]
                    elif children:
                        self._walk(item, children)

    return FastVisitor


__all__ = ["cannot_match", "fast_visitor"]
