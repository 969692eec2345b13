"""mbcheck.documents: YAML/TOML values with the exact span of every part."""

from __future__ import annotations

import datetime
import json
import math
import pickle
import re
import time
import tomllib
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mbcheck.documents.pointers import (
    DocumentError,
    LoadedDocument,
    LoadLimits,
    join_pointer,
    load_toml,
    load_yaml,
    parent_pointer,
)
from mbcheck.model import Span


def walk(value: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    """Every (pointer, value) inside a JSON-like value, the root first."""
    yield pointer, value
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from walk(sub, pointer + join_pointer([key]))
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            yield from walk(sub, f"{pointer}/{index}")


#: what YAML counts as a line break (TOML: only "\n")
YAML_BREAKS = re.compile("\r\n|[\n\r\x85\u2028\u2029]")
TOML_BREAKS = re.compile("\n")


def line_starts(text: str, breaks: re.Pattern[str]) -> list[int]:
    return [0, *(match.end() for match in breaks.finditer(text))]


def text_at(text: str, span: Span, breaks: re.Pattern[str] = YAML_BREAKS) -> str:
    starts = line_starts(text, breaks)
    start = starts[span.line - 1] + span.column - 1
    end = starts[span.end_line - 1] + span.end_column - 1
    return text[start:end]


def line_count(text: str, breaks: re.Pattern[str] = YAML_BREAKS) -> int:
    return len(line_starts(text, breaks))


# ---------------------------------------------------------------------------
# YAML: round trip against yaml.safe_load

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=30)
)
json_data = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=25,
)


def same(a: Any, b: Any) -> bool:
    """Equality that also checks types (True != 1) and -0.0 == 0.0."""
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return type(a) is type(b) and a == b


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=json_data,
    flow=st.sampled_from([None, False, True]),
    unicode=st.booleans(),
)
def test_yaml_round_trip_matches_safe_load(data: Any, flow: bool | None, unicode: bool) -> None:
    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=unicode, width=40)
    document = load_yaml(text, "plugin.yaml")
    expected = yaml.safe_load(text)
    assert same(document.value, expected)
    assert document.duplicates == ()
    lines = line_count(text)
    for pointer, value in walk(document.value):
        assert pointer in document.pointers, pointer
        span = document.pointers[pointer]
        assert span.path == "plugin.yaml"
        assert 1 <= span.line <= span.end_line <= lines
        if pointer and isinstance(parent_value(document, pointer), dict):
            key_span = document.key_spans[pointer]
            assert (key_span.line, key_span.column) <= (span.line, span.column)
            assert document.key_span(pointer) == key_span
            if pointer + "#key" not in dict(walk(document.value)):
                assert document.pointers[pointer + "#key"] == key_span
        if pointer and not isinstance(value, (dict, list)):
            # the span covers exactly the scalar as written: it reads back alone
            assert same(yaml.safe_load(text_at(text, span)), value), (pointer, text_at(text, span))


def parent_value(document: LoadedDocument, pointer: str) -> Any:
    parent = parent_pointer(pointer)
    return dict(walk(document.value))[parent]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200) | st.binary(max_size=200))
def test_yaml_never_raises_anything_but_document_error(text: str | bytes) -> None:
    try:
        document = load_yaml(text, "plugin.yaml")
    except DocumentError as exc:
        assert exc.span.path == "plugin.yaml"
        assert exc.span.line >= 1 and exc.span.column >= 1
        assert exc.message
    else:
        assert "" in document.pointers
        for pointer, _ in walk(document.value):
            assert pointer in document.pointers


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "a",
                ":",
                " ",
                "\n",
                "- ",
                "[",
                "]",
                "{",
                "}",
                ",",
                "&x ",
                "*x",
                "<<: ",
                "'",
                '"',
                "#",
                "\t",
                "? ",
                "!!str ",
                "---\n",
                "|\n",
                "1",
            ]
        ),
        max_size=40,
    ).map("".join)
)
def test_yaml_syntax_soup_never_crashes(text: str) -> None:
    try:
        document = load_yaml(text, "p.yaml")
    except DocumentError as exc:
        assert 1 <= exc.span.line <= line_count(text) + 1
    else:
        expected = yaml.safe_load(text)
        if not _has_datetime(expected):
            assert same(document.value, expected)


def _has_datetime(value: Any) -> bool:
    return any(isinstance(v, (datetime.date, set, tuple, bytes)) for _, v in walk(value))


# ---------------------------------------------------------------------------
# YAML: exact spans

MANIFEST = """\
name: demo
version: "1.2.0"
description: >-
  A demo plugin
  for the tests.
dependencies:
  - requests>=2.31
  - 'PyYAML'
  -   rich   # pretty output
capabilities: [greeting, "pdf_extraction"]
"""


def test_nested_list_item_points_at_its_own_line_and_column() -> None:
    document = load_yaml(MANIFEST, "plugin.yaml")
    assert document.value["dependencies"] == ["requests>=2.31", "PyYAML", "rich"]
    assert document.pointers["/dependencies/2"] == Span("plugin.yaml", 9, 7, 9, 11)
    assert document.pointers["/dependencies/1"] == Span("plugin.yaml", 8, 5, 8, 13)
    assert document.pointers["/dependencies"].line == 7
    assert document.pointers["/dependencies#key"] == Span("plugin.yaml", 6, 1, 6, 13)
    assert document.pointers["/capabilities/1"] == Span("plugin.yaml", 10, 26, 10, 42)
    assert document.pointers["/version"] == Span("plugin.yaml", 2, 10, 2, 17)
    assert document.pointers["/name#key"] == Span("plugin.yaml", 1, 1, 1, 5)
    # a folded block scalar ends on its last line, not on the next key's
    assert document.pointers["/description"] == Span("plugin.yaml", 3, 14, 5, 17)
    assert document.pointers[""].line == 1


def test_span_falls_back_to_the_closest_parent() -> None:
    document = load_yaml(MANIFEST, "plugin.yaml")
    assert document.span("/dependencies/7/x") == document.pointers["/dependencies"]
    assert document.span("/nothing") == document.pointers[""]
    assert document.key_span("/dependencies") == document.pointers["/dependencies#key"]


def test_columns_count_characters_not_bytes() -> None:
    document = load_yaml("name: ünïcödé\nx: [é, b]\n".encode(), "p.yaml")
    assert document.pointers["/x/1"] == Span("p.yaml", 2, 8, 2, 9)
    assert document.pointers["/name"] == Span("p.yaml", 1, 7, 1, 14)


def test_pointer_tokens_are_escaped() -> None:
    document = load_yaml('"a/b": 1\n"c~d": {e: 2}\n3: x\ntrue: y\n', "p.yaml")
    assert document.pointers["/a~1b"].line == 1
    assert document.pointers["/c~0d/e"].line == 2
    assert document.pointers["/3"].line == 3
    assert document.pointers["/true"].line == 4
    assert document.value[3] == "x"
    assert join_pointer(["a/b", 0, "c~d", True, None]) == "/a~1b/0/c~0d/true/null"


def test_scalars_are_constructed_like_safe_load() -> None:
    text = (
        "a: yes\nb: 0x1F\nc: 1_000\nd: .inf\ne: ~\nf: 1:30\ng: '007'\n"
        "h: 2001-12-14\ni: 2001-12-14t21:59:43.10-05:00\nj: !!str 12\nk: !!binary aGVsbG8=\n"
    )
    value = load_yaml(text, "p.yaml").value
    expected = yaml.safe_load(text)
    for key in "abcdefgj":
        assert same(value[key], expected[key]), key
    assert value["h"] == "2001-12-14"
    assert value["i"] == expected["i"].isoformat()
    assert value["k"] == "aGVsbG8="


def test_merge_keys_and_aliases() -> None:
    text = """\
base: &base
  license: MIT
  author: A
other: &other {author: B, email: b@example.com}
plugin:
  <<: [*base, *other]
  author: C
copy: *base
"""
    document = load_yaml(text, "p.yaml")
    assert document.value["plugin"] == {"license": "MIT", "author": "C", "email": "b@example.com"}
    assert document.value["copy"] == {"license": "MIT", "author": "A"}
    # explicit keys point at themselves, merged ones at their definition
    assert document.pointers["/plugin/author"].line == 7
    assert document.pointers["/plugin/license"].line == 2
    assert document.pointers["/plugin/email"].line == 4
    # an alias points at the alias; what it contains at the anchored values
    assert document.pointers["/copy"] == Span("p.yaml", 8, 7, 8, 12)
    assert document.pointers["/copy/author"].line == 3


def test_duplicate_keys_keep_the_last_value_and_are_exposed() -> None:
    text = "name: a\nversion: '1'\nname: b\nmeta:\n  k: [1, 2, 3]\n  k: [4]\n"
    document = load_yaml(text, "p.yaml")
    assert document.value == yaml.safe_load(text)
    assert document.duplicates == (Span("p.yaml", 3, 1, 3, 5), Span("p.yaml", 6, 3, 6, 4))
    assert document.duplicate_pointers == ("/name", "/meta/k")
    assert document.pointers["/name"].line == 3
    assert document.pointers["/meta/k/0"].line == 6
    assert "/meta/k/2" not in document.pointers


def test_top_level_need_not_be_a_mapping() -> None:
    assert load_yaml("- a\n- b\n", "p.yaml").value == ["a", "b"]
    assert load_yaml("just text", "p.yaml").value == "just text"
    empty = load_yaml("# only a comment\n", "p.yaml")
    assert empty.value is None
    assert empty.pointers[""].line == 1


def test_byte_order_mark_is_ignored() -> None:
    document = load_yaml(b"\xef\xbb\xbfname: x\n", "p.yaml")
    assert document.value == {"name": "x"}
    assert document.pointers["/name"] == Span("p.yaml", 1, 7, 1, 8)


# ---------------------------------------------------------------------------
# YAML: refusals


def refused(text: str | bytes, limits: LoadLimits | None = None) -> DocumentError:
    with pytest.raises(DocumentError) as info:
        load_yaml(text, "plugin.yaml", limits or LoadLimits())
    return info.value


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 9):
        name, previous = chr(ord("a") + level), chr(ord("a") + level - 1)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    started = time.monotonic()
    error = refused("\n".join(lines) + "\n")
    assert time.monotonic() - started < 10  # a guard against hangs, not a benchmark
    assert "more than 100000 values" in error.message
    assert error.span.line > 1


def test_deep_nesting_is_refused_without_crashing() -> None:
    error = refused("[" * 10_000 + "]" * 10_000)
    assert "nesting too deep" in error.message
    assert error.span == Span("plugin.yaml", 1, 101)
    error = refused("{a: " * 10_000 + "}" * 10_000)
    assert "nesting too deep" in error.message
    block = "".join("  " * depth + "-\n" for depth in range(200))
    assert "nesting too deep" in refused(block).message


def test_depth_counts_expanded_aliases() -> None:
    text = "a: &a [[[[1]]]]\nb: [[[[*a]]]]\n"
    assert load_yaml(text, "p.yaml", LoadLimits(max_depth=10)).value["b"] == [[[[[[[[1]]]]]]]]
    assert "nesting too deep" in refused(text, LoadLimits(max_depth=8)).message


def test_node_limit_applies_to_plain_data() -> None:
    text = "[" + ", ".join(["1"] * 50) + "]"
    assert len(load_yaml(text, "p.yaml", LoadLimits(max_nodes=51)).value) == 50
    assert "more than 50 values" in refused(text, LoadLimits(max_nodes=50)).message


def test_invalid_utf8_reports_the_line() -> None:
    error = refused(b"name: x\nauthor: J\xe9r\xf4me\n")
    assert "not valid UTF-8" in error.message
    assert "offset 17" in error.message
    assert (error.span.line, error.span.column) == (2, 10)
    utf16 = "name: x\n".encode("utf-16")
    assert "UTF-16" in refused(utf16).message


def test_nul_bytes_are_refused() -> None:
    error = refused(b"name: x\nversion: \x00\n")
    assert "NUL" in error.message
    assert (error.span.line, error.span.column) == (2, 10)


def test_tabs_and_syntax_errors_report_their_line() -> None:
    error = refused("name: x\ndependencies:\n\t- requests\n")
    assert error.message.startswith("invalid YAML:")
    assert "'\\t'" in error.message
    assert (error.span.line, error.span.column) == (3, 1)
    error = refused("name: x\nversion: 1: 2\n")
    assert error.message == "invalid YAML: mapping values are not allowed here"
    assert (error.span.line, error.span.column) == (2, 11)
    error = refused("name: [a, b\nversion: 1\n")
    assert error.span.line == 2


def test_control_characters_are_refused() -> None:
    error = refused("name: x\nauthor: a\x07b\n")
    assert "#x0007" in error.message
    assert (error.span.line, error.span.column) == (2, 10)


def test_several_documents_are_refused() -> None:
    error = refused("name: a\n---\nname: b\n")
    assert "several YAML documents" in error.message
    assert error.span.line == 2


def test_size_limit() -> None:
    big = "name: x\ndescription: " + "x" * 2_000_000 + "\n"
    error = refused(big)
    assert "too large" in error.message
    assert "too large" in refused(big.encode()).message
    assert "too large" in refused("é" * 600_000).message  # 1.2 MB once encoded
    assert load_yaml("a: " + "x" * 90, "p.yaml", LoadLimits(max_bytes=93)).value
    assert "too large" in refused("a: " + "x" * 91, LoadLimits(max_bytes=93)).message


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("a: !!python/object/apply:os.system ['true']\n", "unsupported YAML tag", 1),
        ("a: 1\nb: !custom 1\n", "unsupported YAML tag", 2),
        ("a: !!map [1]\n", "unsupported YAML tag", 1),
        ("a: 1\nb: *nowhere\n", "undefined alias", 2),
        ("a: &x 1\nb: &x 2\n", "duplicate anchor", 2),
        ("? [1]\n: 2\n", "must be a scalar", 1),
        ("a: <<\n", "only be used as a mapping key", 1),
        ("a:\n  <<: 3\n", "for merging", 2),
    ],
)
def test_what_safe_load_rejects_is_refused(text: str, message: str, line: int) -> None:
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load(text)
    error = refused(text)
    assert message in error.message
    assert error.span.line == line


def test_recursive_structures_are_refused() -> None:
    # safe_load builds a list that contains itself: no JSON-like value can
    error = refused("a: 1\nb: &x [1, *x]\n")
    assert "recursive" in error.message
    assert (error.span.line, error.span.column) == (2, 11)


def test_document_error_pickles_and_prints() -> None:
    error = refused("a: b: c\n")
    copy = pickle.loads(pickle.dumps(error))
    assert copy.message == error.message and copy.span == error.span
    assert str(error).startswith("plugin.yaml:1:5: invalid YAML")


# ---------------------------------------------------------------------------
# TOML

PYPROJECT = """\
[build-system]
requires = ["hatchling>=1.24"]

[project]
name = "milkbottle-demo"
version = "0.1.0"  # keep in sync
dependencies = [
    "requests>=2.31",
    'rich',  # pretty output
    \"\"\"typer>=0.12\"\"\",
]
authors = [{ name = "Jane Doe", email = "jane@example.com" }]
optional-dependencies.dev = ["pytest"]

[project.entry-points."milkbottle.bottles"]
demo = "demo.cli:get_cli"
"pdf.tools" = 'pdf_tools.cli:get_cli'

[[tool.mbcheck.plugins]]
name = "a"
[[tool.mbcheck.plugins]]
name = "b"
when = 1979-05-27T07:32:00Z
"""


def test_toml_spans_of_a_pyproject() -> None:
    document = load_toml(PYPROJECT, "pyproject.toml")
    assert document.value == _plain(tomllib.loads(PYPROJECT))
    pointers = document.pointers
    entry = "/project/entry-points/milkbottle.bottles"
    assert pointers[entry] == Span("pyproject.toml", 15, 1, 15, 44)
    assert pointers[entry + "#key"] == Span("pyproject.toml", 15, 23, 15, 43)
    assert pointers[entry + "/demo"] == Span("pyproject.toml", 16, 8, 16, 26)
    assert pointers[entry + "/demo#key"] == Span("pyproject.toml", 16, 1, 16, 5)
    assert pointers[entry + "/pdf.tools"] == Span("pyproject.toml", 17, 15, 17, 38)
    assert pointers[entry + "/pdf.tools#key"] == Span("pyproject.toml", 17, 1, 17, 12)
    assert pointers["/project/dependencies"] == Span("pyproject.toml", 7, 16, 11, 2)
    assert pointers["/project/dependencies/0"] == Span("pyproject.toml", 8, 5, 8, 21)
    assert pointers["/project/dependencies/1"] == Span("pyproject.toml", 9, 5, 9, 11)
    assert pointers["/project/dependencies/2"] == Span("pyproject.toml", 10, 5, 10, 22)
    assert pointers["/project/version"] == Span("pyproject.toml", 6, 11, 6, 18)
    assert pointers["/project/authors/0/email"] == Span("pyproject.toml", 12, 41, 12, 59)
    assert pointers["/project/optional-dependencies/dev/0"].line == 13
    assert pointers["/project"] == Span("pyproject.toml", 4, 1, 4, 10)
    assert pointers["/tool/mbcheck/plugins/0/name"].line == 20
    assert pointers["/tool/mbcheck/plugins/1"].line == 21
    assert pointers["/tool/mbcheck/plugins/1/name"].line == 22
    assert document.value["tool"]["mbcheck"]["plugins"][1]["when"] == "1979-05-27T07:32:00+00:00"
    assert pointers["/tool/mbcheck/plugins/1/when"] == Span("pyproject.toml", 23, 8, 23, 28)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return value


def test_invalid_toml_reports_line_and_column() -> None:
    with pytest.raises(DocumentError) as info:
        load_toml('[project]\nname = "x"\nversion = \n', "pyproject.toml")
    assert info.value.message == "invalid TOML: Invalid value"
    assert (info.value.span.line, info.value.span.column) == (3, 11)
    with pytest.raises(DocumentError) as info:
        load_toml('a = "unterminated', "pyproject.toml")
    assert info.value.span.line == 1 and info.value.message.startswith("invalid TOML:")


@pytest.mark.parametrize(
    "text",
    [
        "a = " + "[" * 10_000 + "]" * 10_000,
        "a = " + "{b = " * 10_000 + "1" + "}" * 10_000,
        "a = " + "[" * 150 + "]" * 150,
    ],
)
def test_deep_toml_is_refused(text: str) -> None:
    with pytest.raises(DocumentError) as info:
        load_toml(text, "pyproject.toml")
    assert "nesting too deep" in info.value.message


def test_toml_refuses_bad_bytes_and_size() -> None:
    with pytest.raises(DocumentError, match="UTF-8"):
        load_toml(b'a = "\xff"', "pyproject.toml")
    with pytest.raises(DocumentError, match="NUL"):
        load_toml(b'a = "\x00"', "pyproject.toml")
    with pytest.raises(DocumentError, match="too large"):
        load_toml("a = 1\n" * 200_000, "pyproject.toml")


def toml_string(text: str) -> str:
    out = []
    for char in text:
        if char in '"\\' or ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def toml_inline(value: Any, multiline: bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if not math.isinf(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list):
        items = [toml_inline(item, multiline) for item in value]
        if multiline and items:
            return "[\n" + "".join(f"    {item},  # item\n" for item in items) + "]"
        return "[" + ", ".join(items) + "]"
    pairs = [f"{toml_key(k)} = {toml_inline(v, False)}" for k, v in value.items()]
    return "{ " + ", ".join(pairs) + " }"


def toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else toml_string(key)


def dotted_lines(prefix: list[str], table: dict[str, Any], multiline: bool) -> Iterator[str]:
    for key, value in table.items():
        path = [*prefix, toml_key(key)]
        if isinstance(value, dict) and value:
            yield from dotted_lines(path, value, multiline)
        else:
            yield " . ".join(path) + " = " + toml_inline(value, multiline)


def toml_document(data: dict[str, Any], style: str, multiline: bool) -> str:
    """``data`` written as TOML: nested tables inline, as [sections] or as dotted keys."""
    if style == "dotted":
        return "\n".join(dotted_lines([], data, multiline)) + "\n"
    lines = ["# generated"]
    tables = []
    for key, value in data.items():
        if style == "sections" and isinstance(value, dict):
            tables.append((key, value))
        else:
            lines.append(f"{toml_key(key)} = {toml_inline(value, multiline)}")
    for key, table in tables:
        lines.append(f"\n[ {toml_key(key)} ]  # a table")
        lines.extend(f"{toml_key(k)}={toml_inline(v, multiline)}" for k, v in table.items())
    return "\n".join(lines) + "\n"


toml_scalars = (
    st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
)
toml_values = st.recursive(
    toml_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(
    data=st.dictionaries(st.text(max_size=8), toml_values, max_size=6),
    style=st.sampled_from(["inline", "sections", "dotted"]),
    multiline=st.booleans(),
)
def test_toml_every_pointer_is_placed(data: dict[str, Any], style: str, multiline: bool) -> None:
    text = toml_document(data, style, multiline)
    document = load_toml(text, "pyproject.toml")
    assert document.value == tomllib.loads(text)
    lines = line_count(text, TOML_BREAKS)
    for pointer, value in walk(document.value):
        span = document.pointers[pointer]
        assert 1 <= span.line <= span.end_line <= lines
        if pointer and not isinstance(value, (dict, list)):
            # the scanner found the value itself: its text reads back as the value
            written = text_at(text, span, TOML_BREAKS)
            assert same(tomllib.loads("x = " + written)["x"], value), pointer
        if pointer in document.key_spans:
            # and the key is the quoted key as written
            key_text = text_at(text, document.key_spans[pointer], TOML_BREAKS)
            assert (
                tomllib.loads(key_text + " = 1") == {pointer.rsplit("/", 1)[1]: 1} or "~" in pointer
            )


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "a",
                " = ",
                "1",
                "\n",
                "[",
                "]",
                "[[",
                "]]",
                "{",
                "}",
                ",",
                ".",
                '"',
                "'",
                '"""',
                "#",
                "x.y",
                "true",
                "1979-05-27",
            ]
        ),
        max_size=40,
    ).map("".join)
    | st.text(max_size=100)
)
def test_toml_never_raises_anything_but_document_error(text: str) -> None:
    try:
        document = load_toml(text, "pyproject.toml")
    except DocumentError as exc:
        assert exc.span.line >= 1
    else:
        for pointer, _ in walk(document.value):
            assert pointer in document.pointers


def test_toml_json_like_values() -> None:
    document = load_toml("a = 1979-05-27\nb = 07:32:00\nc = 1.5\n", "pyproject.toml")
    assert json.loads(json.dumps(document.value)) == {"a": "1979-05-27", "b": "07:32:00", "c": 1.5}
