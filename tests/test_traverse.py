"""The per-file traversal visits nodes as libcst's own traversal does (whitespace skipped only when unwanted)."""

from __future__ import annotations

import libcst as cst

from mbcheck.pyfile.traverse import Collector, FileContext, Traversal

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
