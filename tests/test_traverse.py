"""The per-file traversal visits nodes as libcst's own traversal does (whitespace skipped only when unwanted)."""

from __future__ import annotations

import dataclasses
import inspect
import typing

import libcst as cst

from mbcheck.model import Span
from mbcheck.pyfile.traverse import (
    NODE_TYPES,
    TRIVIA,
    Collector,
    FileContext,
    Traversal,
    visit_readonly,
)

SOURCE = "import os\n\n\ndef f(a, b=1):  # note\n    return os.path.join(a, str(b)) + 'x'\n"


class _Order(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.seen.append(type(node).__name__)
        return True


class _Names(Collector):
    key = "imports"

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self.seen: list[str] = []

    def visit_Name(self, node: cst.Name) -> None:
        self.seen.append(node.value)

    def visit_Comment(self, node: cst.Comment) -> None:
        self.seen.append(node.value)


class _Whitespace(_Names):
    def visit_SimpleWhitespace(self, node: cst.SimpleWhitespace) -> None:
        self.seen.append(f"ws:{node.value}")


def _walk(visitor_type: type[_Names]) -> list[str]:
    module = cst.parse_module(SOURCE)
    ctx = FileContext(module, "m.py", "m", "", False)
    visitor = visitor_type(ctx)
    Traversal([visitor], ctx).walk(module)
    return visitor.seen


def test_names_and_comments_are_visited_in_libcst_order() -> None:
    assert _walk(_Names) == ["os", "f", "a", "b", "# note", "os", "path", "join", "a", "str", "b"]


def test_a_visitor_that_asks_for_whitespace_gets_every_whitespace_leaf() -> None:
    order = _Order()
    cst.parse_module(SOURCE).visit(order)
    seen = _walk(_Whitespace)
    assert sum(1 for item in seen if item.startswith("ws:")) == order.seen.count("SimpleWhitespace")
    assert [item for item in seen if not item.startswith("ws:")] == _walk(_Names)


# -- trivia, idle methods, read-only visits, positions during the walk ------------------------

FSTRING = 'x = f"""{1  # one\n}"""\n# outside\ny = 2  # trailing\n'


class _FStringComments(_Names):
    trivia_within = frozenset({cst.FormattedStringExpression})


class _Idle(_Names):
    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self.idle = frozenset({"visit_Comment"})


def _walk_source(visitor_type: type[_Names], source: str) -> list[str]:
    module = cst.parse_module(source)
    ctx = FileContext(module, "m.py", "m", "", False)
    visitor = visitor_type(ctx)
    Traversal([visitor], ctx).walk(module)
    return visitor.seen


def _concrete(hint: object) -> set[type]:
    if typing.get_origin(hint) is not None:
        return set().union(*(_concrete(arg) for arg in typing.get_args(hint)))
    if isinstance(hint, type) and issubclass(hint, cst.CSTNode):
        # libcst's public classes (its dataclass machinery leaves older copies behind)
        return {kind for kind in NODE_TYPES if issubclass(kind, hint) and getattr(cst, kind.__name__, None) is kind
                and not inspect.isabstract(kind)}
    return set()


def test_trivia_hold_nothing_but_trivia() -> None:
    """What the walk passes by holds no name, no statement, nothing a rule reports."""
    for kind in TRIVIA:
        hints = typing.get_type_hints(kind)
        for field in dataclasses.fields(kind):
            assert _concrete(hints[field.name]) <= TRIVIA, f"{kind.__name__}.{field.name}"


def test_trivia_are_walked_only_inside_the_nodes_a_visitor_names() -> None:
    assert _walk_source(_Names, FSTRING) == ["x", "# one", "# outside", "y", "# trailing"]
    assert _walk_source(_FStringComments, FSTRING) == ["x", "# one", "y"]


def test_idle_methods_are_not_called() -> None:
    assert _walk(_Idle) == [name for name in _walk(_Names) if not name.startswith("#")]


class _Recorder(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.calls.append(f"visit def {node.name.value}")
        return node.name.value != "skipped"

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.calls.append(f"leave def {original_node.name.value}")

    def visit_Name(self, node: cst.Name) -> None:
        self.calls.append(f"visit {node.value}")

    def leave_Comment(self, original_node: cst.Comment) -> None:
        self.calls.append(original_node.value)


def test_a_read_only_visit_calls_what_libcst_visit_calls() -> None:
    module = cst.parse_module(SOURCE + "\n\ndef skipped(c):\n    return c  # hidden\n")
    plain, fast = _Recorder(), _Recorder()
    module.visit(plain)
    visit_readonly(module, fast)
    assert fast.calls == plain.calls
    assert "visit def skipped" in fast.calls and "visit c" not in fast.calls and "# hidden" not in fast.calls


class _ArgumentSpans(Collector):
    """Asks, at each call, where its last argument is: a node the walk has not reached yet."""

    key = "imports"

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self.asked: list[tuple[cst.CSTNode, Span]] = []

    def visit_Call(self, node: cst.Call) -> None:
        if node.args:
            last = node.args[-1]
            self.asked.append((last.value, self.ctx.span(last.value)))
            if last.comma is not cst.MaybeSentinel.DEFAULT:
                self.asked.append((last.comma, self.ctx.span(last.comma)))


def test_a_span_asked_before_the_walk_reaches_the_node_is_exact() -> None:
    source = "import os\n\n\ndef f(a):\n    return os.path.join(a, str(1),)\n"
    module = cst.parse_module(source)
    ctx = FileContext(module, "m.py", "m", "", False)
    visitor = _ArgumentSpans(ctx)
    Traversal([visitor], ctx).walk(module)
    assert len(visitor.asked) == 3
    fresh = FileContext(module, "m.py", "m", "", False)  # nothing walked: the whole file's positions
    for node, span in visitor.asked:
        assert span == fresh.span(node)
    assert visitor.asked[0][1] == Span("m.py", 5, 28, 5, 34)  # `str(1)`


