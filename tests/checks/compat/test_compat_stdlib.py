"""Standard-library requirements: every table entry is found through imports and attributes.

``rules/compat/stdlib.json`` dates modules and members (added, removed,
backported). The collector must find every entry however the code reaches
it (``import``, ``from ... import``, aliases, attribute chains, builtins) and
only where the name really is the standard library's.
"""

from __future__ import annotations

from typing import Any

import pytest
from packaging.version import Version

from mbcheck.checks.compat.collect import analyse_source
from mbcheck.checks.compat.facts import (
    SPAN_FLOOR,
    Requirement,
    minor_text,
    parse_minor,
    required,
    threshold,
)
from mbcheck.resources import load_json

TABLE: dict[str, Any] = load_json("rules/compat/stdlib.json")
MODULES: dict[str, dict[str, Any]] = TABLE["modules"]
MEMBERS: dict[str, dict[str, Any]] = TABLE["members"]


def found(source: str) -> dict[str, list[Requirement]]:
    out: dict[str, list[Requirement]] = {}
    for req in analyse_source(source).requirements:
        out.setdefault(req.what, []).append(req)
    return out


def bounds(reqs: list[Requirement]) -> dict[str, str]:
    return {r.bound: minor_text(r.version) for r in reqs}


def expected(entry: dict[str, Any]) -> dict[str, str]:
    out = {}
    if "added" in entry:
        out["min"] = entry["added"]
    if "removed" in entry:
        out["max"] = entry["removed"]
    return out


def test_every_module_entry_is_found_through_import() -> None:
    source = "".join(f"import {name}\n" for name in MODULES)
    seen = found(source)
    wrong = {name: bounds(seen.get(name, [])) for name in MODULES if bounds(seen.get(name, [])) != expected(MODULES[name])}
    assert wrong == {}


def test_every_member_entry_is_found_through_from_import() -> None:
    lines = []
    for name in MEMBERS:
        parent, _, last = name.rpartition(".")
        lines.append(f"from {parent} import {last}\n")
    seen = found("".join(lines))
    wrong = {name: bounds(seen.get(name, [])) for name in MEMBERS if bounds(seen.get(name, [])) != expected(MEMBERS[name])}
    assert wrong == {}


def test_every_member_entry_is_found_through_attribute_access() -> None:
    lines: list[str] = []
    tops = sorted({name.split(".", 1)[0] for name in MEMBERS if not name.startswith("builtins.")})
    lines.extend(f"import {top}\n" for top in tops)
    for name in MEMBERS:
        expression = name.removeprefix("builtins.")
        lines.append(f"_ = {expression}\n")
    seen = found("".join(lines))
    wrong = {name: bounds(seen.get(name, [])) for name in MEMBERS if bounds(seen.get(name, [])) != expected(MEMBERS[name])}
    assert wrong == {}


@pytest.mark.parametrize(
    ("source", "name", "line"),
    [
        ("import functools as ft\n\nx = ft.cache\n", "functools.cache", 3),
        ("from functools import cache as memo\n", "functools.cache", 1),
        ("import functools\nft = functools\nx = ft.cache\n", "functools.cache", 3),
        ("import importlib.resources.abc\n", "importlib.resources.abc", 1),
        ("from importlib.resources import abc\n", "importlib.resources.abc", 1),
        ("import asyncio\n\nasync def main():\n    async with asyncio.TaskGroup() as g:\n        pass\n", "asyncio.TaskGroup", 4),
        ("import os.path\nos.path.isjunction('x')\n", "os.path.isjunction", 2),
        ("try:\n    pass\nexcept* ExceptionGroup:\n    pass\n", "builtins.ExceptionGroup", 3),
        ("x = str.removeprefix('ab', 'a')\n", "builtins.str.removeprefix", 1),
        ("x = 'abc'.removeprefix('a')\n", "builtins.str.removeprefix", 1),
        ("import functools\nf = getattr(functools, 'cache')\n", "functools.cache", 2),
        ("import sys\n\ndef f():\n    return sys.set_int_max_str_digits\n", "sys.set_int_max_str_digits", 4),
    ],
)
def test_uses_are_resolved_through_aliases(source: str, name: str, line: int) -> None:
    reqs = found(source).get(name, [])
    assert reqs, f"{name} not found"
    located = [r for r in reqs if r.located]
    if reqs[0].version > SPAN_FLOOR:
        assert [r.span.line for r in located] == [line]


@pytest.mark.parametrize(
    ("source", "name"),
    [
        ("ExceptionGroup = None\nx = ExceptionGroup\n", "builtins.ExceptionGroup"),
        ("def f(ExceptionGroup):\n    return ExceptionGroup\n", "builtins.ExceptionGroup"),
        ("x = thing.ExceptionGroup\n", "builtins.ExceptionGroup"),
        ("f(aiter=1)\n", "builtins.aiter"),
        ("class anext:\n    pass\n", "builtins.anext"),
        ("x = text.removeprefix('a')\n", "builtins.str.removeprefix"),
        ("def f(text):\n    return text.removeprefix('a')\n", "builtins.str.removeprefix"),
        ("import functools\nf = getattr(functools, 'cache', None)\n", "functools.cache"),
        ("from . import tomllib\n", "tomllib"),
        ("from .helpers import cache\n", "functools.cache"),
        ("from __future__ import annotations\nimport typing\n\ndef f() -> typing.Self: ...\n", "typing.Self"),
        ("def f() -> 'typing.Self': ...\n", "typing.Self"),
        ("import tomli as tomllib\ntomllib.loads('')\n", "tomllib"),
    ],
)
def test_names_that_are_not_the_standard_library_are_ignored(source: str, name: str) -> None:
    assert name not in found(source)


def test_a_module_used_through_attributes_counts_once_at_its_import() -> None:
    source = "import importlib.resources.abc\n\nx = importlib.resources.abc.Traversable\ny = importlib.resources.abc\n"
    reqs = found(source)["importlib.resources.abc"]
    assert [r.span.line for r in reqs] == [1]


def test_a_name_added_and_later_removed_gives_both_bounds() -> None:
    reqs = found("import pathlib\np = pathlib.Path.link_to\n")["pathlib.Path.link_to"]
    assert bounds(reqs) == {"min": "3.8", "max": "3.12"}
    needed = required(reqs)
    assert (needed.min_text, needed.max_text) == ("3.8", "<3.12")


def test_backported_names_need_the_first_patch_release_of_the_line_before() -> None:
    reqs = found("import tarfile\nf = tarfile.data_filter\n")["tarfile.data_filter"]
    entry = MEMBERS["tarfile.data_filter"]
    assert reqs[0].backported and len(reqs[0].backported) == len(entry["backported"])
    # added in 3.12, backported to 3.11.4 (and older lines): 3.11.4 and every later release have it
    line_before = [p for p in entry["backported"] if parse_minor(p) == (3, parse_minor(entry["added"])[1] - 1)]
    assert threshold(reqs[0]) == Version(line_before[0])
    assert required(reqs).min_text == line_before[0]


def test_removed_modules_are_located_even_when_old() -> None:
    reqs = found("import macpath\n")["macpath"]
    assert reqs[0].bound == "max" and reqs[0].located and reqs[0].span.line == 1


def test_modules_older_than_the_floor_are_recorded_once_without_position() -> None:
    reqs = found("import dataclasses\nimport dataclasses as dc\n")["dataclasses"]
    assert len(reqs) == 1 and not reqs[0].located


def test_required_takes_the_newest_minimum_and_the_oldest_removal() -> None:
    source = "import tomllib\nimport graphlib\nimport imp\nimport asynchat\nimport cgi\n"
    needed = required(analyse_source(source).requirements)
    assert (needed.min_text, needed.max_text) == ("3.11", "<3.12")
    assert needed.specifier() == ">=3.11,<3.12"
