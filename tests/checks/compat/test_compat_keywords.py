"""Keyword arguments newer than the declared Python: MB401 at the keyword, guards respected."""

from __future__ import annotations

from pathlib import Path

from helpers import run, write_plugin
from mbcheck.checks.compat.collect import analyse_source
from mbcheck.checks.compat.tables import stdlib_keywords
from mbcheck.model import Finding, Report
from mbcheck.rules.base import EXAMPLE_MANIFEST


def _lint(tmp_path: Path, code: str, python_version: str = "3.8") -> Report:
    manifest = EXAMPLE_MANIFEST.replace('python_version: "3.11"', f'python_version: "{python_version}"')
    root = write_plugin(tmp_path, {"plugin.yaml": manifest, "__init__.py": code})
    return run(root, {"select": ["MB401", "MB402"]})


def _mb401(report: Report) -> list[Finding]:
    return [f for f in report.plugins[0].findings if f.rule == "MB401"]


def test_the_table_dates_the_issue_s_keywords() -> None:
    assert stdlib_keywords("builtins.zip")["strict"].added == (3, 10)
    assert stdlib_keywords("dataclasses.dataclass")["slots"].added == (3, 10)
    assert stdlib_keywords("subprocess.run")["capture_output"].added == (3, 7)
    assert stdlib_keywords("typing.get_type_hints")["include_extras"].added == (3, 9)
    # a keyword as old as its callable is not dated
    assert "check" not in stdlib_keywords("subprocess.run")


def test_zip_strict_is_reported_at_the_keyword(tmp_path: Path) -> None:
    code = "def pairs(a, b):\n    return list(zip(a, b, strict=True))\n"
    found = _mb401(_lint(tmp_path, code))
    assert len(found) == 1
    finding = found[0]
    assert (finding.span.line, finding.span.column) == (2, 27)  # 1-based: the `s` of `strict`
    assert "keyword argument `zip(strict=)` needs Python 3.10" in finding.message


def test_dataclass_slots_through_a_from_import(tmp_path: Path) -> None:
    code = "from dataclasses import dataclass\n\n@dataclass(slots=True)\nclass Point:\n    x: int = 0\n"
    found = _mb401(_lint(tmp_path, code))
    assert [(f.span.line, "dataclasses.dataclass(slots=)" in f.message) for f in found] == [(3, True)]


def test_get_type_hints_include_extras_through_a_module_alias(tmp_path: Path) -> None:
    code = "import typing as t\n\ndef hints(obj):\n    return t.get_type_hints(obj, include_extras=True)\n"
    found = _mb401(_lint(tmp_path, code))
    assert len(found) == 1 and found[0].span.line == 4
    assert "typing.get_type_hints(include_extras=)` needs Python 3.9" in found[0].message


def test_a_keyword_the_declared_python_has_is_not_reported(tmp_path: Path) -> None:
    code = "def pairs(a, b):\n    return list(zip(a, b, strict=True))\n"
    assert _mb401(_lint(tmp_path, code, python_version="3.10")) == []


def test_a_version_check_guards_the_keyword(tmp_path: Path) -> None:
    code = (
        "import sys\n\ndef pairs(a, b):\n"
        "    if sys.version_info >= (3, 10):\n        return list(zip(a, b, strict=True))\n"
        "    return list(zip(a, b))\n"
    )
    assert _mb401(_lint(tmp_path, code)) == []


def test_a_type_error_handler_guards_the_keyword(tmp_path: Path) -> None:
    code = (
        "def pairs(a, b):\n    try:\n        return list(zip(a, b, strict=True))\n"
        "    except TypeError:\n        return list(zip(a, b))\n"
    )
    assert _mb401(_lint(tmp_path, code)) == []


def test_a_local_name_that_shadows_the_builtin_is_not_the_builtin() -> None:
    facts = analyse_source("def f(zip):\n    return zip(strict=True)\n")
    assert [r for r in facts.requirements if r.kind == "keyword"] == []


def test_an_unknown_callable_or_an_undated_keyword_is_not_a_requirement() -> None:
    facts = analyse_source("import subprocess\nsubprocess.run(['x'], check=True)\nfoo(strict=True)\n")
    assert [r for r in facts.requirements if r.kind == "keyword"] == []
