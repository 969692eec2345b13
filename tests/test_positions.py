"""The position API (:class:`mbcheck.pyfile.positions.Positions` through a
:class:`FileContext`) gives libcst's own positions for every node, on a fixed
corpus of layouts, without falling back to libcst's whole-file metadata."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from helpers import ROOT
from mbcheck.model import Span
from mbcheck.pyfile.traverse import FileContext, Traversal

#: a fixed corpus: the example plugins and the security corpus (real-looking plugin code)
FIXED = sorted(
    p for p in [*ROOT.glob("examples/**/*.py"), *ROOT.glob("tests/checks/security/corpus/**/*.py")]
    if p.name != "broken.py"
)

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

CALLS = [
    "d = {f(1): g(2), h(3): i(4)}\nx = a(b(c(1)), *e(), k=m(), **n())\ny = p(q=1, *r(s()))\n",
    "@deco(1)\n@other.deco(x(2))\ndef f(a=g(), *, b=h()) -> t():\n    return [k(v) for v in w() if z(v)]\n",
    "x = f(1)(2)(3)\ny = (a.b)(c)\nz = (m(\n    1,\n    n(2),\n))\nq = lambda: r(s(t()))\n",
    "v = 'é' + f('ü', g('ß'))\nw = a() if b() else c()\nimport os.path as p, sys\nfrom . import (x as y, z)\n",
    "from x import *\nimport a.b.c\nfrom ..m import n as o\nx = getattr(os, 'path')(1)[k()](2)\n",
]
ANNOTATIONS = (
    "def f(a: int | None, /, b: list[int] = [], *args: (str | bytes), k: 'T' = 1,\n"
    "      **kw: os.PathLike[str]) -> dict[str, (int)] | None:\n    return a\n"
    "async def g(x: (int) | None, *, y: é.Ü | (str)) -> \\\n        typing.Optional[int]: pass\n"
    "class C:\n    def m(self, v: list[\n            int], w: int | str = 2) -> None | int: pass\n"
)
FSTRINGS = "s = f'{a(1)} and {b(c(2))!r:>{d()}}'\nt = e(f'{g()}')\nu = h()\n"


def _walked(code: str, with_tree: bool = True) -> tuple[cst.Module, FileContext, Mapping[cst.CSTNode, CodeRange]]:
    """The module walked as the per-file pass walks it, and libcst's own positions."""
    module = cst.parse_module(code)
    tree: ast.Module | None = None
    if with_tree:
        try:
            tree = ast.parse(code)
        except SyntaxError:
            tree = None  # newer syntax than this Python's: the pass has no ast tree either
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    ctx = FileContext(module, "m.py", "pkg.m", "pkg", False, tree, code if with_tree else None)
    Traversal([], ctx).walk(module)
    return module, ctx, expected


def _span(want: CodeRange) -> Span:
    return Span("m.py", want.start.line, want.start.column + 1, want.end.line, want.end.column + 1)


def _compare(code: str, with_tree: bool = True) -> int:
    module, ctx, expected = _walked(code, with_tree)
    checked = 0
    for node, want in expected.items():
        if node is module or (id(node) not in ctx.positions.tops and node not in module.body):
            continue  # module header/footer comments: no rule reports on them
        assert ctx.span(node) == _span(want), (type(node).__name__, ctx.span(node), want)
        checked += 1
    assert not ctx.positions.used_whole_file or not module.body, "fell back to whole-file positions"
    return checked


@pytest.mark.parametrize("path", FIXED, ids=[str(p.relative_to(ROOT)) for p in FIXED])
def test_spans_match_libcst_on_plugin_code(path: Path) -> None:
    assert _compare(path.read_text(encoding="utf-8")) > 0


@pytest.mark.parametrize("code", [*TRICKY, *CALLS, FSTRINGS, ANNOTATIONS])
def test_spans_match_libcst_on_tricky_layouts(code: str) -> None:
    assert _compare(code) > 5


@pytest.mark.parametrize("code", TRICKY)
def test_spans_without_an_ast_tree_match_libcst(code: str) -> None:
    assert _compare(code, with_tree=False) > 5


@pytest.mark.parametrize("code", TRICKY)
def test_statement_lines_are_their_keyword_lines(code: str) -> None:
    """``line()`` of a statement is where its keyword is (after decorators)."""
    _, ctx, expected = _walked(code)
    statements = {id(unit): unit for unit in ctx.positions.tops.values()}
    assert statements
    for unit in statements.values():
        want = expected[unit].start.line
        if isinstance(unit, (cst.FunctionDef, cst.ClassDef)) and unit.decorators:
            want = expected[unit.name].start.line
        assert ctx.line(unit) == want, type(unit).__name__


def _calls(module: cst.Module) -> list[cst.CSTNode]:
    found: list[cst.CSTNode] = []

    class Collect(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            if isinstance(node, (cst.Call, cst.ImportAlias)):
                found.append(node)
            return True

    module.visit(Collect())
    return found


@pytest.mark.parametrize("code", CALLS)
def test_calls_and_aliases_are_placed_from_the_ast_tree(code: str) -> None:
    module, ctx, expected = _walked(code)
    nodes = _calls(module)
    for node in nodes:
        assert ctx.span(node) == _span(expected[node])
    assert ctx.positions.from_ast == len(nodes)


def test_calls_inside_fstrings_keep_libcsts_positions() -> None:
    module, ctx, expected = _walked(FSTRINGS)
    nodes = _calls(module)
    for node in nodes:
        assert ctx.span(node) == _span(expected[node])
    assert ctx.positions.from_ast == 1  # only `h()`: statements with f-strings are left to libcst


def test_annotations_are_placed_from_the_ast_tree() -> None:
    """Unparenthesised parameter and return annotations take ``ast``'s position (no def
    header generated); parenthesised ones and the nodes inside keep libcst's."""
    module, ctx, expected = _walked(ANNOTATIONS)
    annotations: list[cst.CSTNode] = []

    class Collect(cst.CSTVisitor):
        def visit_Annotation(self, node: cst.Annotation) -> None:
            annotations.append(node.annotation)

    module.visit(Collect())
    kinds = (cst.BinaryOperation, cst.Subscript, cst.Name, cst.Attribute)
    quick = [node for node in annotations if isinstance(node, kinds) and not node.lpar]
    assert len(quick) == 10
    for node in quick:
        assert ctx.span(node) == _span(expected[node]), type(node).__name__
    assert ctx.positions.from_ast == len(quick)
    assert not ctx.positions._headers_done  # no def header's code generated so far
    for node, want in expected.items():
        if id(node) in ctx.positions.tops:
            assert ctx.span(node) == _span(want), type(node).__name__


def test_returned_names_are_placed_from_the_ast_tree() -> None:
    """A name a ``return`` gives back, unparenthesised, takes ``ast``'s position."""
    code = "def f(é):\n    x = 1; return é\ndef g(y):\n    return (y)\ndef h(z):\n    return z\n"
    module, ctx, expected = _walked(code)
    returned = [
        small.value
        for small in (
            stmt for line in (s for f in module.body for s in f.body.body) for stmt in line.body
        )
        if isinstance(small, cst.Return) and small.value is not None
    ]
    assert len(returned) == 3
    for node in returned:
        assert ctx.span(node) == _span(expected[node])
    assert ctx.positions.from_ast == 2  # `(y)`: libcst's span holds the parentheses


class _Recorder(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.seen.append(node)
        return True


@pytest.mark.parametrize("code", [*TRICKY, *(p.read_text(encoding="utf-8") for p in FIXED[:10])])
def test_walk_visits_in_libcsts_order(code: str) -> None:
    """The fast walk sees exactly the nodes libcst's traversal sees, in the same order."""
    module = cst.parse_module(code)
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
    Traversal([recorder], ctx).walk(module)
    assert len(seen) == len(expected.seen)
    assert all(a is b for a, b in zip(seen, expected.seen, strict=True))
