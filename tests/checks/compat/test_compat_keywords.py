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


def _keywords_found(code: str) -> list[tuple[str, tuple[int, int], int, bool]]:
    return [
        (r.what, r.version, r.span.line, r.guarded)
        for r in analyse_source(code).requirements
        if r.kind == "keyword"
    ]


def test_a_method_keyword_through_a_constructed_receiver() -> None:
    code = "from pathlib import Path\np = Path('plugin.yaml')\np.exists(follow_symlinks=False)\n"
    assert _keywords_found(code) == [("pathlib.Path.exists(follow_symlinks=)", (3, 12), 3, False)]


def test_a_method_keyword_through_a_factory_and_an_annotation() -> None:
    code = (
        "import logging\n"
        "logging.getLogger(__name__).info('x', stacklevel=2)\n"
        "def f(log: logging.Logger):\n"
        "    log.warning('y', stacklevel=2)\n"
    )
    # (3.8 is old: such requirements are kept once per module, without a line)
    found = _keywords_found(code)
    assert [(what, version) for what, version, _line, _g in found] == [
        ("logging.Logger.info(stacklevel=)", (3, 8)),
        ("logging.Logger.warning(stacklevel=)", (3, 8)),
    ]


def test_a_method_keyword_on_a_base_of_the_receiver_class() -> None:
    # PurePath.match(case_sensitive=) reached through a Path (BASES: Path inherits PurePath)
    found = _keywords_found("from pathlib import Path\nPath('a').match('*.py', case_sensitive=True)\n")
    assert [(what.endswith(".match(case_sensitive=)"), version) for what, version, _l, _g in found] == [(True, (3, 12))]


def test_a_method_keyword_on_an_unknown_receiver_is_not_reported() -> None:
    # the receiver's class is not evident: nothing is said
    assert _keywords_found("def f(p):\n    p.exists(follow_symlinks=False)\n") == []
    # a rebound name forgets its class
    code = "from pathlib import Path\np = Path('a')\np = object()\np.exists(follow_symlinks=False)\n"
    assert _keywords_found(code) == []


def test_a_method_keyword_under_a_version_check_is_guarded() -> None:
    code = (
        "import sys\nfrom pathlib import Path\np = Path('a')\n"
        "if sys.version_info >= (3, 12):\n    p.exists(follow_symlinks=False)\n"
    )
    assert [guarded for *_rest, guarded in _keywords_found(code)] == [True]


def test_a_keyword_of_the_releases_a_try_else_detected_is_guarded() -> None:
    # pip's shape: the PEP 706 filter is used only where tarfile.data_filter exists
    code = (
        "import tarfile\n"
        "def unpack(path, where):\n"
        "    tar = tarfile.open(path)\n"
        "    try:\n"
        "        data_filter = tarfile.data_filter\n"
        "    except AttributeError:\n"
        "        tar.extractall(where)\n"
        "    else:\n"
        "        tar.extractall(where, filter=data_filter)\n"
    )
    found = _keywords_found(code)
    assert [(what, guarded) for what, _v, _l, guarded in found] == [("tarfile.TarFile.extractall(filter=)", True)]
    # without the detection it is reported
    bare = "import tarfile\ndef unpack(path, where):\n    tarfile.open(path).extractall(where, filter='data')\n"
    assert [(what, guarded) for what, _v, _l, guarded in _keywords_found(bare)] == [("tarfile.TarFile.extractall(filter=)", False)]
