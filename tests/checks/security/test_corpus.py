"""The labelled security corpora: clean plugins must stay quiet, attacks must be caught.

``corpus/clean/*.py``: realistic plugin modules. Each becomes a plugin's
``__init__.py``, with ``permissions`` from a ``# permissions: a, b`` header line;
no security finding at warning or above may be reported (bandit included).

``corpus/attack/*.py``: one technique per file, each attack line marked with a
trailing ``# attack: MBxxx`` (or ``# attack: any``). Every marked line must be
caught by a finding of that rule covering the line. A ``# path: setup.py``
header places the file elsewhere in the plugin.

Both rates are printed (``pytest -s``) and appear in the assertion messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers import run, write_plugin
from mbcheck.config import Config
from mbcheck.model import Category, Finding, Report, Severity
from mbcheck.rules.base import EXAMPLE_MANIFEST

CORPUS = Path(__file__).parent / "corpus"
HEADER = re.compile(r"^#\s*(permissions|path):\s*(.*?)\s*$")
MARK = re.compile(r"#\s*attack:\s*(MB\d{3}|B\d{3}|any)\s*$")
#: the security rules and bandit, with mbcheck's defaults otherwise
SECURITY = Config(select=("MB3", "B"))


@dataclass(frozen=True)
class Case:
    source: Path
    path: str
    permissions: tuple[str, ...]
    marks: dict[int, str]

    @property
    def name(self) -> str:
        return self.source.stem


def load_case(source: Path) -> Case:
    text = source.read_text(encoding="utf-8")
    permissions: tuple[str, ...] = ()
    path = "__init__.py"
    marks: dict[int, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        header = HEADER.match(line) if number <= 5 else None
        if header is not None:
            key, value = header.groups()
            if key == "permissions":
                permissions = tuple(p.strip() for p in value.split(",") if p.strip())
            else:
                path = value
        mark = MARK.search(line)
        if mark is not None:
            marks[number] = mark.group(1)
    return Case(source, path, permissions, marks)


def plugin_files(case: Case) -> dict[str, str]:
    manifest = EXAMPLE_MANIFEST.replace("name: example", f"name: {case.name}")
    manifest += f"permissions: [{', '.join(case.permissions)}]\n"
    files = {"plugin.yaml": manifest, case.path: case.source.read_text(encoding="utf-8")}
    files.setdefault("__init__.py", "")
    return files


def run_corpus(tmp_path: Path, kind: str) -> tuple[list[Case], Report]:
    cases = [load_case(p) for p in sorted((CORPUS / kind).glob("*.py"))]
    roots = [write_plugin(tmp_path, plugin_files(case), name=case.name) for case in cases]
    report = run(roots, SECURITY)
    assert not report.errors, report.errors
    assert len(report.plugins) == len(cases)
    return cases, report


def _findings(report: Report, case: Case) -> list[Finding]:
    found = [p for p in report.plugins if p.name == case.name]
    assert len(found) == 1, case.name
    return list(found[0].findings)


def _covers(finding: Finding, line: int) -> bool:
    span = finding.span
    return span.line <= line <= max(span.end_line, span.line) or finding.statement_line == line


def test_clean_corpus_has_no_security_warnings(tmp_path: Path) -> None:
    cases, report = run_corpus(tmp_path, "clean")
    assert len(cases) >= 10
    noisy: dict[str, list[str]] = {}
    for case in cases:
        for finding in _findings(report, case):
            if finding.category is Category.SECURITY and finding.severity.rank >= Severity.WARNING.rank:
                noisy.setdefault(case.name, []).append(
                    f"{finding.span.path}:{finding.span.line} {finding.rule} {finding.message}"
                )
    clean = len(cases) - len(noisy)
    rate = f"precision corpus: {clean}/{len(cases)} clean files without security warnings ({clean / len(cases):.0%})"
    print(f"\n{rate}")
    assert not noisy, f"{rate}; false alarms: {noisy}"


def test_attack_corpus_every_marked_line_is_caught(tmp_path: Path) -> None:
    cases, report = run_corpus(tmp_path, "attack")
    total = sum(len(case.marks) for case in cases)
    assert total >= 100
    missed: list[str] = []
    for case in cases:
        findings = _findings(report, case)
        for line, code in sorted(case.marks.items()):
            hits = [
                f
                for f in findings
                if f.span.path == case.path
                and _covers(f, line)
                and (f.rule == code or (code == "any" and f.category is Category.SECURITY
                                         and f.severity.rank >= Severity.WARNING.rank))
            ]
            if not hits:
                near = sorted({f"{f.rule}@{f.span.line}" for f in findings if f.span.path == case.path})
                missed.append(f"{case.source.name}:{line} {code} (found: {near})")
    caught = total - len(missed)
    rate = f"attack corpus: {caught}/{total} marked attack lines caught ({caught / total:.0%})"
    print(f"\n{rate}")
    assert not missed, f"{rate}; missed: {missed}"


@pytest.mark.parametrize("kind", ["clean", "attack"])
def test_corpus_files_are_valid_python(kind: str) -> None:
    import ast

    for source in sorted((CORPUS / kind).glob("*.py")):
        ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
