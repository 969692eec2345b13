"""The shared guard predicates and literal evaluation of the per-file pass."""

from __future__ import annotations

import libcst as cst
import pytest

from mbcheck.model import NOT_STATIC
from mbcheck.pyfile.guards import (
    ANY,
    NEVER,
    Releases,
    catches_import_error,
    caught,
    hasattr_name,
    is_main_guard,
    is_type_checking,
    suppressed,
    version_condition,
)
from mbcheck.pyfile.literals import literal_string, literal_value
from mbcheck.pyfile.names import NameTracker


def _names(code: str = "import sys, os, typing\n") -> NameTracker:
    names = NameTracker("m", "m", False)
    names.prebind_module(cst.parse_module(code))
    return names


@pytest.mark.parametrize(
    ("test", "expected"),
    [("TYPE_CHECKING", True), ("typing.TYPE_CHECKING", True), ("typing.cast", False), ("CHECKING", False)],
)
def test_type_checking(test: str, expected: bool) -> None:
    names = _names()
    node = cst.parse_expression(test)
    assert is_type_checking(node, names.qualified_name(node)) is expected


@pytest.mark.parametrize(
    ("test", "expected"),
    [("__name__ == '__main__'", True), ("'__main__' == __name__ and x", True), ("__name__ != '__main__'", False)],
)
def test_main_guard(test: str, expected: bool) -> None:
    assert is_main_guard(cst.parse_expression(test)) is expected


def _handlers(code: str) -> tuple[cst.ExceptHandler, ...]:
    statement = cst.parse_module(code).body[0]
    assert isinstance(statement, cst.Try)
    return tuple(statement.handlers)


def test_except_clauses() -> None:
    assert caught(_handlers("try:\n    pass\nexcept (ImportError, errors.Boom):\n    pass\n")) == {"ImportError", "Boom"}
    assert caught(_handlers("try:\n    pass\nexcept ValueError:\n    pass\nexcept:\n    pass\n")) is None
    assert catches_import_error(_handlers("try:\n    pass\nexcept Exception:\n    pass\n"))
    assert not catches_import_error(_handlers("try:\n    pass\nexcept ValueError:\n    pass\n"))


def test_hasattr_names_the_qualified_attribute() -> None:
    names = _names("import os as system\n")
    assert hasattr_name(cst.parse_expression("hasattr(system, 'sched_getaffinity')"), names.qualified_name) == (
        "os.sched_getaffinity"
    )
    assert hasattr_name(cst.parse_expression("hasattr(system, name)"), names.qualified_name) is None


@pytest.mark.parametrize(
    ("test", "then", "otherwise"),
    [
        ("sys.version_info >= (3, 11)", Releases(low=(3, 11)), Releases(high=(3, 11))),
        ("(3, 8) <= sys.version_info < (3, 12)", Releases((3, 8), (3, 12)), Releases()),
        ("sys.version_info[0] == 2", NEVER, ANY),
        ("x < 3", ANY, ANY),
    ],
)
def test_version_conditions(test: str, then: Releases, otherwise: Releases) -> None:
    node = cst.parse_expression(test)
    assert isinstance(node, cst.Comparison)
    assert version_condition(node, _names().qualified_name) == (then, otherwise)


@pytest.mark.parametrize(
    ("code", "value"),
    [
        ("'a' 'b'", "ab"),
        ("b'x'", b"x"),
        ("-1.5", -1.5),
        ("[1, (None, True)]", [1, [None, True]]),
        ("{'k': {1, 2}}", {"k": [1, 2]}),
        ("f'{x}'", NOT_STATIC),
        ("-True", NOT_STATIC),
        ("{[1]: 2}", NOT_STATIC),
    ],
)
def test_literal_values(code: str, value: object) -> None:
    assert literal_value(cst.parse_expression(code)) == value


def test_literal_strings_are_never_bytes_or_formatted() -> None:
    assert literal_string(cst.parse_expression("'a' 'b'")) == "ab"
    assert literal_string(cst.parse_expression("b'a'")) is None
    assert literal_string(cst.parse_expression("f'a'")) is None


def test_suppress_names_its_exceptions() -> None:
    names = _names("import contextlib\n")
    item = cst.parse_expression("contextlib.suppress(ImportError, errors.Boom)")
    assert suppressed(item, names.qualified_name) == ("ImportError",)
    assert suppressed(cst.parse_expression("open(path)"), names.qualified_name) == ()
