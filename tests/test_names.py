"""Qualified names through imports, aliases and scopes."""

from __future__ import annotations

import libcst as cst
import pytest

from mbcheck.pyfile.names import NameTracker, written


class _Calls(cst.BatchableCSTVisitor):
    def __init__(self, tracker: NameTracker) -> None:
        super().__init__()
        self.tracker = tracker
        self.names: list[str | None] = []

    def visit_Call(self, node: cst.Call) -> None:
        self.names.append(self.tracker.qualified_name(node.func))


def calls(code: str, module: str = "pkg.mod", is_package: bool = False) -> list[str | None]:
    tree = cst.parse_module(code)
    tracker = NameTracker(module, module.split(".")[0], is_package)
    tracker.prebind_module(tree)
    visitor = _Calls(tracker)
    cst.visit_batched(tree, [visitor], before_visit=tracker.before_visit, after_leave=tracker.after_leave)
    return visitor.names


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("import subprocess\nsubprocess.run()\n", ["subprocess.run"]),
        ("import subprocess as sp\nsp.Popen()\n", ["subprocess.Popen"]),
        ("from subprocess import Popen as P\nP()\n", ["subprocess.Popen"]),
        ("import os.path\nos.path.join()\n", ["os.path.join"]),
        ("import os.path as p\np.join()\n", ["os.path.join"]),
        ("import subprocess\nsp = subprocess\nsp.call()\n", ["subprocess.call"]),
        ("eval()\n", ["builtins.eval"]),
        ("def eval(x):\n    pass\neval()\n", ["pkg.mod.eval"]),
        ("class A:\n    def exec(self):\n        self.exec()\n", [None]),
        ("def f(eval):\n    eval()\n", [None]),
        ("__import__('os').system()\n", ["os.system", "builtins.__import__"]),
        ("import importlib\nimportlib.import_module('os').popen()\n", ["os.popen", "importlib.import_module"]),
        ("import os\ngetattr(os, 'system')()\n", ["os.system", "builtins.getattr"]),
        ("from . import helpers\nhelpers.go()\n", ["pkg.helpers.go"]),
        ("from .core import run\nrun()\n", ["pkg.core.run"]),
        ("from ..x import y\ny()\n", ["x.y"]),
        ("def f():\n    return subprocess.run()\nimport subprocess\n", ["subprocess.run"]),
        ("def f():\n    import shutil as s\n    s.rmtree()\ns.rmtree()\n", ["shutil.rmtree", None]),
        ("with open('f') as fh:\n    fh.write()\n", ["builtins.open", None]),
        ("for os in []:\n    os.system()\n", [None]),
        ("try:\n    import tomllib\nexcept ImportError:\n    import tomli as tomllib\ntomllib.loads()\n", ["tomli.loads"]),
    ],
)
def test_qualified_names(code: str, expected: list[str | None]) -> None:
    assert calls(code) == expected


def test_relative_import_from_package_init() -> None:
    assert calls("from .cli import build\nbuild()\n", module="hello", is_package=True) == ["hello.cli.build"]


@pytest.mark.parametrize(
    "source",
    ["import os\n", "import os.path\n", "import a . b .c\n", "from a.b import c\n", "from a .  b import c\n",
     "from .x import y\n", "import \uff45\uff56\uff41\uff4c.x\n"],
)
def test_written_is_the_generated_code_of_an_import_name(source: str) -> None:
    statement = cst.parse_module(source).body[0]
    assert isinstance(statement, cst.SimpleStatementLine)
    small = statement.body[0]
    if isinstance(small, cst.Import):
        targets: list[cst.Name | cst.Attribute] = [alias.name for alias in small.names]
    else:
        assert isinstance(small, cst.ImportFrom)
        targets = [small.module] if small.module is not None else []
    for target in targets:
        assert written(target) == cst.Module([]).code_for_node(target)


def test_written_generates_the_code_of_a_parenthesized_name() -> None:
    expression = cst.parse_expression("(a).b")
    assert isinstance(expression, cst.Attribute)
    assert written(expression) == "(a).b"
