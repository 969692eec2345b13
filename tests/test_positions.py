"""Positions computed per top-level statement equal libcst's whole-file positions."""

from __future__ import annotations

import ast
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from helpers import ROOT
from mbcheck.filepass import _Hooks
from mbcheck.rules.source import FileContext

SOURCES = sorted(p for p in [*ROOT.glob("mbcheck/**/*.py"), *ROOT.glob("examples/**/*.py")] if p.name != "broken.py")

TRICKY = [
    "# header comment\n\n\nimport os\n\n\n@dec\n# between\n@dec2(1,\n  2)\ndef f(a,\n      b):\n    return a; b\nx = 1; y = 2\n",
    "class A:\n    '''doc'''\n\n    @property\n    def p(self): return 1\n\n\nif x:\n    pass\nelif y:\n    pass\nelse:\n    z = (1,\n  2)\n",
    "try:\n    import tomllib\nexcept ImportError:  # old\n    tomllib = None\nfinally:\n    pass\ns = '''a\nb'''\nt = 1\n",
    "x = 1 \\\n    + 2\nwith open(a) as f, open(b) as g:\n    pass\nasync def h():\n    async with a:\n        await b\n",
    "match p:\n    case [1, *rest]:\n        pass\n    case _:\n        pass\ntype X = list[int]\ndef g[T](x: T) -> T: return x\n",
    "\ufeffx = 1\r\ny = 2\r\n",
    "x = 'é'\ndef café(a='é'): return 'ü'\nclass Ça: pass\nif x: y = 1\nelif z:\n    def q(): pass\nelse: pass\n",
]


def _compare(code: str) -> int:
    module = cst.parse_module(code)
    try:
        tree: ast.Module | None = ast.parse(code)
    except SyntaxError:
        tree = None
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    ctx = FileContext(module, "m.py", "pkg.m", "pkg", False, tree)
    hooks = _Hooks(ctx)
    cst.visit_batched(module, [], before_visit=hooks.before, after_leave=hooks.after)
    checked = 0
    for node, want in expected.items():
        if node is module or (node not in ctx.tops and node not in module.body):
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
    from mbcheck.filepass import _Traversal

    module = cst.parse_module(path.read_text(encoding="utf-8"))
    expected = _Recorder()
    module.visit(expected)
    seen: list[cst.CSTNode] = []
    ctx = FileContext(module, "m.py", "pkg.m", "pkg", False)
    hooks = _Hooks(ctx)
    original = hooks.before

    def before(node: cst.CSTNode) -> None:
        seen.append(node)
        original(node)

    hooks.before = before  # type: ignore[method-assign]
    _Traversal([], hooks).walk(module)
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
    from mbcheck.rules.source import _SAME_SPAN

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
