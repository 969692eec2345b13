"""Members reached through receivers, operators on built-in types, and annotations that run.

``"s".removeprefix()`` (3.9), ``p = PurePath(); p.with_stem()`` (3.9),
``def f(p: Path): p.with_stem()``, ``{} | {}`` (3.9), ``-> list[str]``
without ``from __future__ import annotations`` (3.9) and
``isinstance(x, int | str)`` (3.10) need a newer Python than any qualified
name in them says. The members used here are dated by the standard-library
table (``builtins.str.removeprefix`` 3.9, ``builtins.int.bit_count`` 3.10,
``builtins.bytes.isascii`` 3.7, ``pathlib.PurePath.with_stem`` 3.9,
``asyncio.Task.cancelling`` 3.11).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import run, write_plugin
from mbcheck.checks.compat.collect import analyse_source
from mbcheck.checks.compat.collect_receivers import classes_of, member_of
from mbcheck.checks.compat.facts import Requirement
from mbcheck.rules.base import EXAMPLE_MANIFEST


def effective(source: str) -> dict[str, list[Requirement]]:
    out: dict[str, list[Requirement]] = {}
    for req in analyse_source(source).requirements:
        out.setdefault(req.what, []).append(req)
    return out


def needs(source: str, what: str) -> list[int]:
    """Lines where ``source`` needs ``what`` (unguarded)."""
    return [r.span.line for r in effective(source).get(what, []) if not r.guarded]


# --- receivers ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "what", "line"),
    [
        ("x = 'abc'.removeprefix('a')\n", "builtins.str.removeprefix", 1),
        ("x = f'{1}a'.removesuffix('a')\n", "builtins.str.removesuffix", 1),
        ("x = ('a' 'b').removeprefix('a')\n", "builtins.str.removeprefix", 1),
        ("x = b'abc'.isascii()\n", "builtins.bytes.isascii", 1),
        ("x = (5).bit_count()\n", "builtins.int.bit_count", 1),
        ("from pathlib import PurePath\n\np = PurePath('a.txt')\nq = p.with_stem('b')\n", "pathlib.PurePath.with_stem", 4),
        ("import pathlib\n\nq = pathlib.Path('a.txt').with_stem('b')\n", "pathlib.Path.with_stem", 3),
        ("from pathlib import Path\n\ndef f(p: Path):\n    return p.with_stem('b')\n", "pathlib.Path.with_stem", 4),
        (
            "from typing import Optional\nfrom pathlib import Path\n\ndef f(p: Optional[Path]):\n    return p.with_stem('b')\n",
            "pathlib.Path.with_stem",
            5,
        ),
        ("from pathlib import Path\n\ndef f(p: 'Path'):\n    return p.with_stem('b')\n", "pathlib.Path.with_stem", 4),
        ("text: str = load()\ntext.removeprefix('a')\n", "builtins.str.removeprefix", 2),
        (
            "import asyncio\n\nasync def main(coro):\n    task = asyncio.create_task(coro)\n    return task.cancelling()\n",
            "asyncio.Task.cancelling",
            5,
        ),
        ("import asyncio\n\ndef f(task: asyncio.Task):\n    return task.cancelling()\n", "asyncio.Task.cancelling", 4),
        ("if (n := 5).bit_count():\n    pass\n", "builtins.int.bit_count", 1),
    ],
)
def test_members_of_evident_receivers_are_dated(source: str, what: str, line: int) -> None:
    assert needs(source, what) == [line]


@pytest.mark.parametrize(
    ("source", "what"),
    [
        # the receiver's class is not evident
        ("def f(text):\n    return text.removeprefix('a')\n", "builtins.str.removeprefix"),
        ("x = load()\nx.removeprefix('a')\n", "builtins.str.removeprefix"),
        # rebound in a branch: the class after the ``if`` is not known
        ("x = 'abc'\nif flag:\n    x = load()\nx.removeprefix('a')\n", "builtins.str.removeprefix"),
        ("if flag:\n    x = 'abc'\nelse:\n    x = load()\nx.removeprefix('a')\n", "builtins.str.removeprefix"),
        # rebound later in the same block, by a loop, or shadowed by an import
        ("x = 'abc'\nx = load()\nx.removeprefix('a')\n", "builtins.str.removeprefix"),
        ("x = 'abc'\nfor x in items:\n    x.removeprefix('a')\n", "builtins.str.removeprefix"),
        ("x = 'abc'\nfrom helpers import x\nx.removeprefix('a')\n", "builtins.str.removeprefix"),
        # another scope: a module-level binding is not followed into a function
        ("x = 'abc'\n\ndef f():\n    return x.removeprefix('a')\n", "builtins.str.removeprefix"),
        # a plugin's own class with the same method name
        ("class Thing:\n    def with_stem(self, s): ...\n\nThing().with_stem('b')\n", "pathlib.PurePath.with_stem"),
    ],
)
def test_receivers_of_unknown_class_are_not_dated(source: str, what: str) -> None:
    assert needs(source, what) == []


@pytest.mark.parametrize(
    "source",
    [
        "import sys\n\nif sys.version_info >= (3, 9):\n    x = 'abc'.removeprefix('a')\n",
        "x = 'abc'\nif hasattr(x, 'removeprefix'):\n    x = x.removeprefix('a')\n",
        "if hasattr(str, 'removeprefix'):\n    y = 'abc'.removeprefix('a')\n",
        "try:\n    y = 'abc'.removeprefix('a')\nexcept AttributeError:\n    y = 'bc'\n",
        "from pathlib import Path\n\ndef f(p: Path):\n    if hasattr(p, 'with_stem'):\n        return p.with_stem('b')\n",
    ],
)
def test_guards_protect_receiver_members(source: str) -> None:
    found = [r for r in analyse_source(source).requirements if r.what.startswith(("builtins.str", "pathlib."))]
    assert found and all(r.guarded for r in found)


def test_members_are_looked_up_on_the_bases() -> None:
    assert classes_of("pathlib.PosixPath")[:2] == ("pathlib.PosixPath", "pathlib.Path")
    assert "pathlib.PurePath" in classes_of("pathlib.PosixPath")
    # the generated table lists inherited members on subclasses too: the member is named on
    # the first class of the chain that lists it
    for cls, member in (("pathlib.Path", "with_stem"), ("pathlib.PosixPath", "with_stem"), ("builtins.bool", "bit_count")):
        found = member_of(cls, member)
        assert found is not None and found.rsplit(".", 1)[1] == member
        assert found.rsplit(".", 1)[0] in classes_of(cls)
    assert member_of("pathlib.Path", "no_such_member") is None


# --- operators ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ("merged = {'a': 1} | {'b': 2}\n", 1),
        ("a = {}\nb = dict(x=1)\nc = a | b\n", 3),
        ("a = {}\na |= {'b': 2}\n", 2),
        ("def f():\n    a = {1: 2}\n    return a | {3: 4}\n", 3),
    ],
)
def test_dict_union_needs_3_9(source: str, line: int) -> None:
    assert needs(source, "dict_union_operator") == [line]


@pytest.mark.parametrize(
    "source",
    [
        "x = {1} | {2}\n",  # sets: always
        "x = 1 | 2\n",
        "def f(a):\n    return a | {'b': 2}\n",  # a may be any mapping with __or__
        "a = {}\nif flag:\n    a = load()\nb = a | {}\n",
        "import sys\nif sys.version_info >= (3, 9):\n    x = {} | {}\nelse:\n    x = {}\n",
    ],
)
def test_other_or_operators_are_not_dict_unions(source: str) -> None:
    assert needs(source, "dict_union_operator") == []


# --- annotations that run ----------------------------------------------------


@pytest.mark.parametrize(
    ("source", "what", "lines"),
    [
        ("def f() -> list[str]:\n    return []\n", "builtin_generic_alias", [1]),
        ("def f(x: dict[str, int]):\n    pass\n", "builtin_generic_alias", [1]),
        ("def f(*args: tuple[int, ...], **kw: type[int]):\n    pass\n", "builtin_generic_alias", [1, 1]),
        ("import collections.abc\n\ndef f(x: collections.abc.Iterable[int]):\n    pass\n", "builtin_generic_alias", [3]),
        ("from collections.abc import Iterable\nItems = Iterable[int]\n", "builtin_generic_alias", [2]),
        ("names: list[str] = []\n", "builtin_generic_alias", [1]),
        ("class C:\n    names: list[str] = []\n", "builtin_generic_alias", [2]),
        ("class C(list[int]):\n    pass\n", "builtin_generic_alias", [1]),
        ("from typing import cast\n\ny = cast(dict[str, int], load())\n", "builtin_generic_alias", [3]),
        ("def f(x: int | None):\n    pass\n", "union_type_operator", [1]),
        ("def f(x: int | str | None):\n    pass\n", "union_type_operator", [1]),
        ("isinstance(1, int | str)\n", "union_type_operator", [1]),
        ("Number = int | float\n", "union_type_operator", [1]),
        ("from pathlib import Path\n\ndef f() -> Path | None:\n    pass\n", "union_type_operator", [3]),
        (
            "from __future__ import annotations\nimport typing\n\ndef f(x: int | None) -> list[str]:\n"
            "    return []\n\nhints = typing.get_type_hints(f)\n",
            "union_type_operator",
            [4],
        ),
    ],
)
def test_generics_and_unions_that_run(source: str, what: str, lines: list[int]) -> None:
    assert needs(source, what) == lines


@pytest.mark.parametrize(
    "source",
    [
        # local variable annotations are never evaluated
        "def f():\n    x: list[int] = []\n    y: int | None = None\n",
        # string annotations are not code
        "def f(x: 'list[int]') -> 'int | None':\n    pass\n",
        # postponed evaluation
        "from __future__ import annotations\n\ndef f(x: list[int]) -> int | None:\n    pass\n\nclass C:\n    y: dict[str, int]\n",
        # under TYPE_CHECKING or a version check
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    Alias = list[int]\n",
        "import sys\nif sys.version_info >= (3, 10):\n    Alias = int | None\n",
        # typing's own generics and unions of values
        "from typing import List, Optional\n\ndef f(x: List[int]) -> Optional[int]:\n    pass\n",
        "flags = 1 | 2\nx = a | b\n",
    ],
)
def test_generics_and_unions_that_do_not_run(source: str) -> None:
    found = effective(source)
    assert not [r for what in ("builtin_generic_alias", "union_type_operator") for r in found.get(what, []) if not r.guarded]


# --- end to end ---------------------------------------------------------------


def test_mb401_reports_receivers_operators_and_annotations(tmp_path: Path) -> None:
    manifest = "\n".join(line for line in EXAMPLE_MANIFEST.splitlines() if not line.startswith("python_version"))
    source = (
        "from pathlib import Path\n"
        "\n"
        "def rename(p: Path, extra: dict) -> list[str]:\n"
        "    q = p.with_stem('new')\n"
        "    merged = {'a': 1} | {'b': 2}\n"
        "    return [q.name.removeprefix('x'), 'abc'.removeprefix('a')]\n"
    )
    root = write_plugin(tmp_path, {"plugin.yaml": manifest + "\npython_version: '>=3.8'\n", "__init__.py": source})
    report = run(root, {"select": ["MB401"]})
    found = sorted((f.span.line, f.message.split(",")[0]) for f in report.plugins[0].findings)
    assert found == [
        (3, "A built-in collection subscripted at run time"),
        (4, "`pathlib.Path.with_stem` needs Python 3.9"),
        (5, "The dict union operator `|` or `|=` (PEP 584) needs Python 3.9"),
        (6, "`str.removeprefix` needs Python 3.9"),
    ]


def test_nested_forms_are_one_use_unless_they_need_a_newer_release() -> None:
    source = "def f(x: dict[str, list[int]], y: dict[str, int | None]) -> list[int] | None:\n    pass\n"
    found = sorted((r.span.column, source[r.span.column - 1 : r.span.end_column - 1]) for r in analyse_source(source).requirements)
    assert found == [(10, "dict[str, list[int]]"), (35, "dict[str, int | None]"), (45, "int | None"), (61, "list[int] | None")]


def test_the_table_names_the_class_a_callable_returns() -> None:
    from mbcheck.checks.compat.tables import stdlib_returns

    returns = stdlib_returns()
    assert returns["re.compile"] == "re.Pattern"
    assert returns["os.stat"] == "os.stat_result"  # the public name in the callable's own module
    assert returns["pathlib.Path.cwd"] == "pathlib.Path"  # ``Self``
    # built-in types are left out (most callables return one)
    assert not any(cls.startswith("builtins.") for cls in returns.values())


def test_a_member_of_what_a_stdlib_callable_returns_is_dated() -> None:
    from mbcheck.checks.compat.collect import analyse_source

    def found(code: str) -> list[tuple[str, tuple[int, int]]]:
        return [(r.what, r.version) for r in analyse_source(code).requirements if r.kind != "syntax"]

    assert found("import os\nos.stat('f').st_birthtime_ns\n") == [("os.stat_result.st_birthtime_ns", (3, 12))]
    # a method's result, through a receiver of evident class
    assert ("pathlib.Path.is_file(follow_symlinks=)", (3, 13)) in found(
        "from pathlib import Path\nPath.cwd().resolve().is_file(follow_symlinks=True)\n"
    )
    # a callable whose result is not evident says nothing
    assert found("def f(g):\n    g().st_birthtime_ns\n") == []


@pytest.mark.parametrize(
    "source",
    [
        "{}.items().mapping\n",
        "d = {}\nd.keys().mapping\n",
        "d = dict(a=1)\nview = d.values()\nview.mapping\n",
        "def f(d: dict[str, int]):\n    return d.items().mapping\n",
        "import collections\ncollections.Counter('ab').keys().mapping\n",  # a dict subclass
    ],
)
def test_dict_views_are_the_class_dict_methods_return(source: str) -> None:
    """``dict.items()`` returns a ``dict_items`` (a class of the private ``_collections_abc`` in
    the stubs); its ``mapping`` attribute is 3.10 (the library reference on ``dictview.mapping``:
    "Added in version 3.10.")."""
    dated = [(r.what.rsplit(".", 1)[-1], r.version, r.guarded) for r in analyse_source(source).requirements if r.kind == "member"]
    assert dated == [("mapping", (3, 10), False)]


def test_dict_views_under_hasattr_and_unknown_receivers_are_not_reported() -> None:
    guarded = "d = {}\nif hasattr(d.items(), 'mapping'):\n    d.items().mapping\n"
    assert [r for r in analyse_source(guarded).requirements if not r.guarded and r.kind == "member"] == []
    assert [r for r in analyse_source("def f(d):\n    return d.items().mapping\n").requirements if r.kind == "member"] == []


def test_a_dict_view_member_is_named_as_the_interpreter_names_it(tmp_path: Path) -> None:
    manifest = "\n".join(line for line in EXAMPLE_MANIFEST.splitlines() if not line.startswith("python_version"))
    source = "def owner(d: dict) -> object:\n    return d.items().mapping\n"
    root = write_plugin(tmp_path, {"plugin.yaml": manifest + "\npython_version: '>=3.8'\n", "__init__.py": source})
    report = run(root, {"select": ["MB401"]})
    assert [(f.span.line, f.message.split(",")[0]) for f in report.plugins[0].findings] == [
        (2, "`dict_items.mapping` needs Python 3.10")
    ]
