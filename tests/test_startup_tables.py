"""Tables computed when a worker starts are the ones the straightforward definitions give."""

from __future__ import annotations

from typing import Any

import libcst as cst

from mbcheck.checks.security import values
from mbcheck.pyfile.analyse import load_source_rules
from mbcheck.pyfile.traverse import COLLECTORS, NODE_TYPES, _visitor_names


def _by_dir(cls: type) -> tuple[tuple[str, Any, str | None, bool], ...]:
    """Every overridden visitor method, found with ``dir``/``getattr`` and ABC ``issubclass``."""
    out = []
    for name in dir(cls):
        if not name.startswith(("visit_", "leave_")):
            continue
        function = getattr(cls, name, None)
        if function is None or getattr(function, "_is_no_op", False) or not callable(function):
            continue
        type_name, _, attribute = name[6:].partition("_")
        node_type = getattr(cst, type_name, None)
        if isinstance(node_type, type) and issubclass(node_type, cst.CSTNode):
            out.append((name, node_type, attribute or None, name.startswith("leave_")))
    return tuple(out)


def test_visitor_methods_are_those_dir_finds() -> None:
    class Base(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None: ...
        def leave_Call_func(self, node: cst.Call) -> None: ...

    class Derived(Base):
        visit_Name = cst.CSTVisitor.visit_Name  # back to libcst's no-op
        def visit_Attribute(self, node: cst.Attribute) -> None: ...
        def visit_NotANode(self, node: cst.CSTNode) -> None: ...

    classes = [Base, Derived, *load_source_rules(), *COLLECTORS.values()]
    for cls in classes:
        assert _visitor_names(cls) == _by_dir(cls), cls
    assert [name for name, *_ in _visitor_names(Derived)] == ["leave_Call_func", "visit_Attribute"]


def test_expression_and_statement_types_are_the_abc_subclasses() -> None:
    assert {kind for kind in NODE_TYPES if issubclass(kind, cst.BaseExpression)} == values._EXPRESSIONS
    assert {
        kind for kind in NODE_TYPES if issubclass(kind, (cst.BaseStatement, cst.BaseSmallStatement))
    } == values._STATEMENTS
