"""Archives through the engine and the gate: judged in memory, never extracted."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpers import ROOT, run
from mbcheck.api import Policy, admit, check, report_json
from mbcheck.archive import problems as archive
from mbcheck.archive.rules import RULES, ArchiveRule, finding_for
from mbcheck.cli import app
from mbcheck.model import Category, PluginReport, Severity
from mbcheck.rules import all_rules

PluginFactory = Callable[..., Path]
runner = CliRunner()


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _zip(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def _tar_gz(path: Path, files: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tf:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return path


def _comparable(plugin: PluginReport) -> tuple[object, ...]:
    findings = tuple(
        (f.rule, f.severity, f.span, f.message, f.fingerprint) for f in plugin.findings
    )
    return (plugin.name, plugin.verdict, plugin.digest, dict(plugin.metadata), findings)


@pytest.fixture
def flawed(make_plugin: PluginFactory) -> Path:
    """A plugin with findings of several kinds, so the comparison means something."""
    return make_plugin(
        "flawed",
        {"__init__.py": "x = 1  # mbcheck: ignore[MB001]\n", "sub/bad.py": "def f(:\n", "data/notes.txt": "hi\n"},
        description="short",
    )


def test_clean_archive_gives_the_directory_s_findings(flawed: Path, tmp_path: Path) -> None:
    files = _files(flawed)
    rooted = _zip(tmp_path / "flawed.zip", files)
    flat = _tar_gz(tmp_path / "flawed.tar.gz", files)
    directory = run(flawed).plugins[0]
    assert {f.rule for f in directory.findings} >= {"MB001", "MB002", "MB114"}
    for packed in (rooted, flat):
        report = run(packed)
        assert not report.errors, report.errors
        assert _comparable(report.plugins[0]) == _comparable(directory), packed.name


def test_folder_wrapped_archive_fails_to_install_and_is_still_analysed(flawed: Path, tmp_path: Path) -> None:
    """The host's installers need __init__.py at the archive's root: a wrapped archive gets MB619,
    and the files under the folder get the directory's findings all the same."""
    files = _files(flawed)
    (tmp_path / "wrapped").mkdir()
    nested = _zip(tmp_path / "wrapped" / "flawed.zip", {f"flawed/{rel}": data for rel, data in files.items()})
    directory = run(flawed).plugins[0]
    plugin = run(nested).plugins[0]
    wrapped = [f for f in plugin.findings if f.rule == "MB619"]
    assert len(wrapped) == 1 and wrapped[0].severity.value == "error" and wrapped[0].span.path == ""
    assert "'flawed'" in wrapped[0].message and "__init__.py" in wrapped[0].message
    rest = replace(plugin, findings=tuple(f for f in plugin.findings if f.rule != "MB619"))
    assert _comparable(rest) == _comparable(directory)


def test_archive_report_admits_the_archive_and_its_extracted_directory(make_plugin: PluginFactory, tmp_path: Path) -> None:
    plugin = make_plugin("neat")
    packed = _zip(tmp_path / "neat.zip", _files(plugin))
    report = report_json(check(packed, jobs=1, use_cache=False))
    assert report["plugins"][0]["verdict"] == "pass", report["plugins"][0]["findings"]
    assert admit(packed, report, Policy()).allowed
    assert admit(plugin, report, Policy()).allowed  # the same files, extracted by the host
    _zip(packed, {rel: data + b"\n" for rel, data in _files(plugin).items()})
    decision = admit(packed, report, Policy())
    assert any("digest mismatch" in r for r in decision.reasons), decision.reasons


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*")}


def _lint_isolated(tmp_path: Path, archive_path: Path) -> tuple[subprocess.CompletedProcess[str], Path]:
    """Run mbcheck from this checkout in a new interpreter (``python -P -m mbcheck``, as the
    README says to), with every writable location pointed into tmp_path."""
    scratch = tmp_path / "scratch"
    for name in ("home", "tmp", "cache"):
        (scratch / name).mkdir(parents=True)
    env = {
        **{k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL")},
        "PYTHONPATH": str(ROOT),
        "HOME": str(scratch / "home"),
        "TMPDIR": str(scratch / "tmp"),
        "XDG_CACHE_HOME": str(scratch / "cache"),
        "MBCHECK_CACHE_DIR": str(scratch / "cache"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    before = _snapshot(tmp_path)
    result = subprocess.run(
        [sys.executable, "-P", "-m", "mbcheck", "lint", archive_path.name, "--no-cache"],
        cwd=archive_path.parent, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert _snapshot(tmp_path) == before, "the run wrote files"
    return result, scratch


def test_lint_zip_bomb_reports_and_writes_nothing(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    bomb = _zip(
        work / "bomb.zip",
        {"bomb/plugin.yaml": b"name: bomb\n", "bomb/__init__.py": b"", "bomb/data.txt": b"\0" * (30 * 1024 * 1024)},
    )
    assert bomb.stat().st_size < 100_000
    result, scratch = _lint_isolated(tmp_path, bomb)
    assert result.returncode == 1, result.stderr
    assert "bomb.zip:1:1: MB613 error entry 'bomb/data.txt'" in result.stdout
    assert not [p for p in scratch.rglob("*") if p.is_file()], "something was written to the scratch locations"


def test_lint_zip_slip_reports_and_extracts_nothing(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    slip = _zip(work / "slip.zip", {"slip/__init__.py": b"", "../escaped.py": b"X = 1\n", "/abs.py": b""})
    result, _ = _lint_isolated(tmp_path, slip)
    assert result.returncode == 1
    assert "MB602 error entry '../escaped.py' climbs out of the extraction directory" in result.stdout
    assert "MB603 error" in result.stdout
    assert not (tmp_path / "escaped.py").exists() and not (work / "escaped.py").exists()


def test_corrupt_archive_is_a_clear_finding(tmp_path: Path) -> None:
    corrupt = tmp_path / "broken.zip"
    corrupt.write_bytes(b"PK\x03\x04" + b"\xff" * 200)
    result = runner.invoke(app, ["lint", str(corrupt), "--no-cache", "-j", "1"])
    assert result.exit_code == 1, result.output
    assert "MB601 error broken.zip is not a readable zip archive" in result.output
    report = report_json(check(corrupt, jobs=1, use_cache=False))
    decision = admit(corrupt, report, Policy())
    assert not decision.allowed
    assert any("cannot be verified" in r for r in decision.reasons)


def test_every_archive_problem_has_a_documented_rule() -> None:
    assert set(RULES) == set(archive.CODES)
    registered = all_rules()
    for problem, rule in RULES.items():
        assert rule.code == f"MB6{problem[-2:]}", (problem, rule.code)
        assert registered[rule.code] is rule
        assert issubclass(rule, ArchiveRule) and rule.category is Category.ARCHIVE
        docs = rule.docs()
        assert docs.summary and docs.why and docs.instead, rule.code
    assert len({rule.name for rule in RULES.values()}) == len(RULES)


def test_problems_become_findings_about_the_whole_plugin() -> None:
    finding = finding_for(archive.PATH_TRAVERSAL, "entry '../x' climbs out")
    assert (finding.rule, finding.severity, finding.span.path, finding.message) == (
        "MB602", Severity.ERROR, "", "entry '../x' climbs out",
    )
    unknown = finding_for("MBA999", "something new")
    assert unknown.rule == "MB601" and unknown.message == "something new (MBA999)"


def test_explain_archive_rule() -> None:
    result = runner.invoke(app, ["explain", "MB613"])
    assert result.exit_code == 0
    assert result.output.startswith("MB613 archive-compression-ratio (archive, default severity error)")
    assert "Why:" in result.output and "Instead:" in result.output


def test_archive_findings_carry_their_rule_name(tmp_path: Path) -> None:
    corrupt = tmp_path / "broken.zip"
    corrupt.write_bytes(b"not an archive at all")
    findings = [f for f in run(corrupt).plugins[0].findings if f.rule == "MB601"]
    assert [(f.name, f.confidence) for f in findings] == [("unreadable-archive", RULES[archive.UNREADABLE].confidence)]
