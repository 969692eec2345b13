"""Suppression comments: applied once, in the engine; unused ones reported."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from helpers import run, write_plugin
from mbcheck.config import Config
from mbcheck.pyfile.suppressions import parse_suppressions

SYNTAX_ERR = "x = (\n"


def _findings(tmp_path: Path, files: dict[str, str], select: tuple[str, ...] = ("MB001", "MB002", "MB112")) -> list[tuple[str, int]]:
    root = write_plugin(tmp_path, files)
    report = run(root, Config(select=select))
    return sorted((f.rule, f.span.line) for f in report.plugins[0].findings)


def test_line_suppression(tmp_path: Path) -> None:
    assert _findings(tmp_path, {"__init__.py": '__name__ = "x"  # mbcheck: ignore[MB112]\n'}) == []
    assert _findings(tmp_path, {"__init__.py": '__name__ = "x"\n'}) == [("MB112", 1)]


def test_first_line_of_multiline_statement(tmp_path: Path) -> None:
    code = '__name__ = (  # mbcheck: ignore[MB112]\n    "x"\n)\n'
    assert _findings(tmp_path, {"__init__.py": code}) == []


def test_prefix_and_bare_and_file_level(tmp_path: Path) -> None:
    assert _findings(tmp_path, {"__init__.py": '__name__ = "x"  # mbcheck: ignore[MB1]\n'}) == []
    assert _findings(tmp_path, {"__init__.py": '__name__ = "x"  # mbcheck: ignore\n'}) == []
    code = '# mbcheck: ignore-file[MB112]\n\n__name__ = "x"\n'
    assert _findings(tmp_path, {"__init__.py": code}) == []


def test_other_codes_are_not_suppressed_and_unused_ones_are_reported(tmp_path: Path) -> None:
    code = '__name__ = "x"  # mbcheck: ignore[MB301]\n'
    assert _findings(tmp_path, {"__init__.py": code}) == [("MB002", 1), ("MB112", 1)]


def test_partially_used_suppression_names_the_unused_code(tmp_path: Path) -> None:
    root = write_plugin(tmp_path, {"__init__.py": '__name__ = "x"  # mbcheck: ignore[MB112, MB301]\n'})
    report = run(root, Config(select=("MB002", "MB112")))
    messages = [f.message for f in report.plugins[0].findings]
    assert messages == ["suppression of MB301 matches no finding"]


def test_words_in_strings_are_not_suppressions(tmp_path: Path) -> None:
    code = 'NOTE = "# mbcheck: ignore[MB112]"\n__name__ = "x"\n'
    assert _findings(tmp_path, {"__init__.py": code}) == [("MB112", 2)]


@given(
    codes=st.lists(st.from_regex(r"MB[0-9]{3}", fullmatch=True), max_size=4),
    spaces=st.sampled_from(["", " ", "  "]),
    kind=st.sampled_from(["ignore", "ignore-file"]),
    line=st.integers(min_value=0, max_value=5),
)
def test_suppression_grammar_round_trips(codes: list[str], spaces: str, kind: str, line: int) -> None:
    inner = f",{spaces}".join(codes)
    comment = f"#{spaces}mbcheck:{spaces}{kind}[{inner}]" if codes else f"# mbcheck: {kind}"
    text = "\n" * line + f"x = 1  {comment}\n"
    parsed = parse_suppressions(text, "m.py")
    assert len(parsed) == 1
    assert parsed[0].line == line + 1
    assert parsed[0].codes == frozenset(codes)
    assert parsed[0].file_level is (kind == "ignore-file")


@given(st.text(max_size=200))
def test_suppression_parser_never_crashes(text: str) -> None:
    for sup in parse_suppressions(text + "\n# mbcheck: ignore", "m.py"):
        assert sup.line >= 1
