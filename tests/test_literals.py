"""String literals read without compiling them give the value Python gives them."""

from __future__ import annotations

import ast

import libcst as cst
import pytest

from mbcheck.pyfile.literals import literal_bytes, literal_string, string_value

LITERALS = [
    "'plain'", '"plain"', "''", '""', "''''''", '""""""', "'''multi\nline'''", '"""a "quoted" word"""',
    "'''it''s'''", "\"'\"", "'\"'", "r'C:\\dir'", "R'\\d+'", "u'caf\u00e9'", "U'x'", "'tab\\there'",
    "'\\N{BULLET}'", "'\\x41'", "'line\\\ncontinued'", "b'bytes'", "rb'\\d'", "Br'\\w'", "b'\\x00\\xff'",
    "'''\"\"\"'''", "'\U0001f600'",
]


@pytest.mark.parametrize("source", LITERALS)
def test_string_value_is_the_literal_value(source: str) -> None:
    node = cst.parse_expression(source)
    assert isinstance(node, cst.SimpleString)
    assert string_value(node) == ast.literal_eval(source)
    assert type(string_value(node)) is type(ast.literal_eval(source))


def test_carriage_return_in_a_triple_quoted_string_is_read_as_python_reads_it() -> None:
    module = cst.parse_module("X = '''a\r\nb'''\n")
    assign = module.body[0].body[0]  # type: ignore[attr-defined]
    value = assign.value
    assert string_value(value) == value.evaluated_value


def test_literal_helpers_tell_strings_from_bytes() -> None:
    assert literal_string(cst.parse_expression("'a' 'b'")) == "ab"
    assert literal_string(cst.parse_expression("b'a'")) is None
    assert literal_bytes(cst.parse_expression("b'a'")) == b"a"
    assert literal_bytes(cst.parse_expression("'a'")) is None
