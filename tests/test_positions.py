"""Positions computed per top-level statement equal libcst's whole-file positions."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from helpers import ROOT
from mbcheck.pyfile.analyse import _Traversal
from mbcheck.pyfile.traverse import FileContext

SOURCES = sorted(p for p in [*ROOT.glob("mbcheck/**/*.py"), *ROOT.glob("examples/**/*.py")] if p.name != "broken.py")

TRICKY = [
    "# header comment\n\n\nimport os\n\n\n@dec\n# between\n@dec2(1,\n  2)\ndef f(a,\n      b):\n    return a; b\nx = 1; y = 2\n",
    "class A:\n    '''doc'''\n\n    @property\n    def p(self): return 1\n\n\nif x:\n    pass\nelif y:\n    pass\nelse:\n    z = (1,\n  2)\n",
    "try:\n    import tomllib\nexcept ImportError:  # old\n    tomllib = None\nfinally:\n    pass\ns = '''a\nb'''\nt = 1\n",
    "x = 1 \\\n    + 2\nwith open(a) as f, open(b) as g:\n    pass\nasync def h():\n    async with a:\n        await b\n",
    "match p:\n    case [1, *rest]:\n        pass\n    case _:\n        pass\ntype X = list[int]\ndef g[T](x: T) -> T: return x\n",
    "\ufeffx = 1\r\ny = 2\r\n",
    "x = 'é'\ndef café(a='é'): return 'ü'\nclass Ça: pass\nif x: y = 1\nelif z:\n    def q(): pass\nelse: pass\n",
    # nested statements, each generated on its own: elif chains with comments,
    # tabs, odd comment indentation, continuation lines, semicolons, handlers
    "def f(a):\n    if a:\n        b = g(a)\n    # about the elif\n    elif a > 1:  # trailing\n        c = h(a); d = 2\n"
    "\n\n    elif (a <\n          3):\n        pass\n    else:\n        e = [\n  1,\n]\n    return b\n",
    "class K:\n\tdef m(self):\n\t\tx = 1\n\t\tif x:\n\t\t\treturn open('p')\n# dedented comment\n\t\ty = 2\n",
    "def g():\n    try:\n        import os\n    except (ImportError,\n            OSError) as exc:  # why\n        raise RuntimeError(exc)\n"
    "    else:\n        x = os.getcwd()\n    finally:\n        pass\n    with open(a) as f, \\\n            open(b) as g:\n        h(f, g)\n",
    "async def a():\n    async for x in y():\n        await z(x)\n    while True:\n        break\n    else:\n        q = 1\n"
    "    for i in range(3): print(i)\n    @d\n    # c\n    @e(1)\n    class Inner:\n        \"\"\"doc\"\"\"\n        v: int = 1\n",
    "if a:\r\n    if b:\r\n        c = 1\r\n    elif d:\r\n        e = 2\r\n",
    "\x0c\nx = 1  # page\x0c break\ndef f():\n    s = 'a\u2028b'  # a line separator in a string\n    return open(s)\n",
]


def _compare(code: str, with_text: bool = True) -> int:
    module = cst.parse_module(code)
    try:
        tree: ast.Module | None = ast.parse(code)
    except SyntaxError:
        tree = None
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    ctx = FileContext(module, "m.py", "pkg.m", "pkg", False, tree, code if with_text else None)
    _Traversal([], ctx).walk(module)
    if with_text and tree is not None:
        # every statement's own code is generated on its own: none falls back
        # to its top-level statement
        statements = {id(unit): unit for unit in ctx.tops.values()}
        assert set(statements) <= set(ctx._unit_starts()), "a statement has no start from ast"
        for unit in statements.values():
            assert ctx.line(unit) == expected[unit].start.line, type(unit).__name__
    checked = 0
    for node, want in expected.items():
        if node is module or (id(node) not in ctx.tops and node not in module.body):
            continue  # module header/footer comments: no rule reports on them
        got = ctx._range(node)
        assert got == want, (type(node).__name__, got, want)
        checked += 1
    assert not ctx._whole_file or not module.body, "fell back to whole-file positions"
    return checked


@pytest.mark.parametrize("path", SOURCES, ids=[p.name for p in SOURCES])
def test_positions_match_libcst_on_real_files(path: Path) -> None:
    _compare(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("code", TRICKY)
def test_positions_match_libcst_on_tricky_layouts(code: str) -> None:
    assert _compare(code) > 5


@pytest.mark.parametrize("code", TRICKY)
def test_positions_without_ast_fall_back_to_top_level_statements(code: str) -> None:
    assert _compare(code, with_text=False) > 5


class _Recorder(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.seen.append(node)
        return True


@pytest.mark.parametrize("path", SOURCES[:40], ids=[p.name for p in SOURCES[:40]])
def test_walk_visits_in_libcsts_order(path: Path) -> None:
    """The fast walk sees exactly the nodes libcst's traversal sees, in the same order."""
    from mbcheck.pyfile.analyse import _Traversal

    module = cst.parse_module(path.read_text(encoding="utf-8"))
    expected = _Recorder()
    module.visit(expected)
    seen: list[cst.CSTNode] = []

    def record(self: object, node: cst.CSTNode) -> None:
        seen.append(node)

    methods = {
        f"visit_{name}": record
        for name, kind in vars(cst).items()
        if isinstance(kind, type) and issubclass(kind, cst.CSTNode)
    }
    recorder = type("EveryNode", (cst.BatchableCSTVisitor,), methods)()
    ctx = FileContext(module, "m.py", "pkg.m", "pkg", False)
    _Traversal([recorder], ctx).walk(module)
    assert len(seen) == len(expected.seen)
    assert all(a is b for a, b in zip(seen, expected.seen, strict=True))


@pytest.mark.parametrize("code", [*TRICKY, *(p.read_text(encoding="utf-8") for p in SOURCES[:30])])
def test_def_spans_from_ast_match_libcst(code: str) -> None:
    module = cst.parse_module(code)
    try:
        tree: ast.Module | None = ast.parse(code)
    except SyntaxError:
        return
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    ctx = FileContext(module, "m.py", "pkg.m", "pkg", False, tree, code)
    quick = ctx._def_spans()
    from mbcheck.pyfile.traverse import _SAME_SPAN

    defs = [n for n in expected if isinstance(n, (cst.FunctionDef, cst.ClassDef))]
    others = [n for n in expected if type(n) in _SAME_SPAN]
    assert len(quick) == 2 * len(defs) + len(others)
    for node in [*defs, *others]:
        for target in (node, node.name) if node in defs else (node,):
            want = expected[target]
            got = quick[target]
            assert (got.line, got.column, got.end_line, got.end_column) == (
                want.start.line, want.start.column + 1, want.end.line, want.end.column + 1
            ), type(target).__name__


def _walked(code: str) -> tuple[cst.Module, FileContext, Mapping[cst.CSTNode, CodeRange]] | None:
    """The module walked as the per-file pass walks it, and libcst's own positions (None: not
    valid for this Python's ``ast``)."""
    module = cst.parse_module(code)
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    ctx = FileContext(module, "m.py", "pkg.m", "pkg", False, tree, code)
    _Traversal([], ctx).walk(module)
    return module, ctx, expected


def _header_nodes(node: cst.FunctionDef | cst.ClassDef) -> list[cst.CSTNode]:
    """The nodes of a ``def``/``class`` header (its own unit's nodes outside the body)."""
    out: list[cst.CSTNode] = []

    class Collect(cst.CSTVisitor):
        def on_visit(self, child: cst.CSTNode) -> bool:
            if child is node.body:
                return False
            if child is not node:
                out.append(child)
            return True

    node.visit(Collect())
    return out


@pytest.mark.parametrize("code", [*TRICKY, *(p.read_text(encoding="utf-8") for p in SOURCES[:20])])
def test_def_and_class_headers_are_placed_without_their_bodies(code: str) -> None:
    """A header's positions (decorators, parameters, bases) come from its header alone."""
    walked = _walked(code)
    if walked is None:
        return
    _, ctx, expected = walked
    defs = [n for n in expected if isinstance(n, (cst.FunctionDef, cst.ClassDef))]
    checked = 0
    for node in defs:
        for child in _header_nodes(node):
            if ctx.tops.get(id(child)) is not node or child not in expected:
                continue
            assert ctx._range(child) == expected[child], type(child).__name__
            checked += 1
        assert id(node) not in ctx._done_tops, "the whole body was generated"
    assert checked >= len(defs)


CALLS = [
    "d = {f(1): g(2), h(3): i(4)}\nx = a(b(c(1)), *e(), k=m(), **n())\ny = p(q=1, *r(s()))\n",
    "@deco(1)\n@other.deco(x(2))\ndef f(a=g(), *, b=h()) -> t():\n    return [k(v) for v in w() if z(v)]\n",
    "x = f(1)(2)(3)\ny = (a.b)(c)\nz = (m(\n    1,\n    n(2),\n))\nq = lambda: r(s(t()))\n",
    "v = 'é' + f('ü', g('ß'))\nw = a() if b() else c()\nimport os.path as p, sys\nfrom . import (x as y, z)\n",
    "s = f'{a(1)} and {b(c(2))!r:>{d()}}'\nt = e(f'{g()}')\nu = h()\n",
    "from x import *\nimport a.b.c\nfrom ..m import n as o\nx = getattr(os, 'path')(1)[k()](2)\n",
]


def _expr_nodes(module: cst.Module) -> list[cst.CSTNode]:
    found: list[cst.CSTNode] = []

    class Collect(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            if isinstance(node, (cst.Call, cst.ImportAlias)):
                found.append(node)
            return True

    module.visit(Collect())
    return found


@pytest.mark.parametrize("code", [*CALLS, *TRICKY, *(p.read_text(encoding="utf-8") for p in SOURCES)])
def test_call_and_alias_spans_from_ast_match_libcst(code: str) -> None:
    walked = _walked(code)
    if walked is None:
        return
    module, ctx, expected = walked
    nodes = _expr_nodes(module)
    quick = 0
    for node in nodes:
        got = ctx._expr_span(node)
        if got is None:
            continue
        want = expected[node]
        assert (got.line, got.column, got.end_line, got.end_column) == (
            want.start.line, want.start.column + 1, want.end.line, want.end.column + 1
        ), (type(node).__name__, cst.Module([]).code_for_node(node))
        quick += 1
    in_fstrings = code.count("f'") + code.count('f"')
    if not in_fstrings:
        assert quick == len(nodes)  # every call and alias outside f-strings is placed from ast


def test_calls_inside_fstrings_keep_libcsts_positions() -> None:
    code = CALLS[4]
    module = cst.parse_module(code)
    ctx = FileContext(module, "m.py", "pkg.m", "pkg", False, ast.parse(code), code)
    _Traversal([], ctx).walk(module)
    nodes = _expr_nodes(module)
    placed = [cst.Module([]).code_for_node(n) for n in nodes if ctx._expr_span(n) is not None]
    assert placed == ["h()"]  # the statements with f-strings are left to libcst
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    for node in nodes:
        want = expected[node]
        got = ctx.span(node)
        assert (got.line, got.column) == (want.start.line, want.start.column + 1)
