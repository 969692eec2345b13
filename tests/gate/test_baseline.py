"""Baselines: record findings, report only new ones, list the ones that went away."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from helpers import HOST_TOOL_INFO, MINIMAL_INIT, run
from mbcheck.baseline import (
    apply_baseline,
    filter_report,
    from_report,
    load_baseline,
    write_baseline,
)
from mbcheck.cli import app
from mbcheck.model import (
    Category,
    Finding,
    PluginKind,
    PluginReport,
    Report,
    Severity,
    Span,
    Verdict,
)
from mbcheck.reporters import text
from mbcheck.resources import load_json

PluginFactory = Callable[..., Path]
runner = CliRunner()
NOISE = "x = 1  # mbcheck: ignore[MB001]\n"  # one MB002 finding per line
SYNTAX = "def broken(:\n"


def _rules(report: Report) -> list[tuple[str, str, int]]:
    return [(f.rule, f.span.path, f.span.line) for _, f in report.findings() if f.rule not in HOST_TOOL_INFO]


def test_baseline_hides_recorded_findings_only(make_plugin: PluginFactory, tmp_path: Path) -> None:
    plugin = make_plugin("legacy", {"__init__.py": NOISE, "bad.py": SYNTAX})
    baseline = tmp_path / "baseline.json"
    before = run(plugin)
    assert {r for r, _, _ in _rules(before)} == {"MB001", "MB002"}
    write_baseline(before, baseline)
    Draft202012Validator(load_json("schemas/baseline.schema.json")).validate(json.loads(baseline.read_text()))

    after = apply_baseline(run(plugin), baseline)
    assert _rules(after) == []
    assert after.plugins[0].verdict is Verdict.PASS
    # MB001, MB002 and the recorded MB117/MB118 information findings
    assert after.context["baseline"] == {"path": str(baseline), "suppressed": 2 + len(HOST_TOOL_INFO), "stale": []}


def test_fingerprints_survive_unrelated_lines_moving(make_plugin: PluginFactory, tmp_path: Path) -> None:
    plugin = make_plugin("legacy", {"__init__.py": "import os\n" + NOISE})
    baseline = tmp_path / "baseline.json"
    write_baseline(run(plugin), baseline)
    (plugin / "__init__.py").write_text('"""Docs."""\n\n\nimport os\n\nY = 2\n' + NOISE + MINIMAL_INIT)
    assert _rules(apply_baseline(run(plugin), baseline)) == []


def test_one_recorded_finding_does_not_hide_two_new_ones(make_plugin: PluginFactory, tmp_path: Path) -> None:
    plugin = make_plugin("legacy", {"__init__.py": NOISE})
    baseline = tmp_path / "baseline.json"
    write_baseline(run(plugin), baseline)
    (plugin / "__init__.py").write_text(NOISE + "y = 2\n" + NOISE + NOISE + MINIMAL_INIT)
    new = apply_baseline(run(plugin), baseline)
    assert [rule for rule, _, _ in _rules(new)] == ["MB002", "MB002"]
    assert new.context["baseline"]["suppressed"] == 1 + len(HOST_TOOL_INFO)


def test_findings_in_another_plugin_are_not_hidden(make_plugin: PluginFactory, tmp_path: Path) -> None:
    first = make_plugin("first", {"__init__.py": NOISE})
    second = make_plugin("second", {"__init__.py": NOISE})
    baseline = tmp_path / "baseline.json"
    write_baseline(run(first), baseline)
    report = apply_baseline(run([first, second]), baseline)
    counts = [(p.name, len([f for f in p.findings if f.rule not in HOST_TOOL_INFO])) for p in report.plugins]
    assert counts == [("first", 0), ("second", 1)]


def test_fixed_findings_are_listed_as_stale(make_plugin: PluginFactory, tmp_path: Path) -> None:
    plugin = make_plugin("legacy", {"__init__.py": NOISE * 2, "bad.py": SYNTAX})
    other = make_plugin("other", {"__init__.py": NOISE})
    baseline = tmp_path / "baseline.json"
    write_baseline(run([plugin, other]), baseline)
    (plugin / "bad.py").write_text("def fixed():\n    pass\n")
    (plugin / "__init__.py").write_text(NOISE)
    report = apply_baseline(run(plugin), baseline)  # `other` was not checked: its entries are not stale
    stale = report.context["baseline"]["stale"]
    assert sorted((e["plugin"], e["rule"], e["path"], e["count"]) for e in stale) == [
        ("legacy", "MB001", "bad.py", 1),
        ("legacy", "MB002", "__init__.py", 1),
    ]
    rendered = text.render(report)
    assert "note: 2 baseline entries no longer occur" in rendered
    assert "  legacy: bad.py MB001 syntax error" in rendered


def test_recorded_counts_group_equal_fingerprints() -> None:
    def finding(fingerprint: str) -> Finding:
        return Finding("MB002", Category.SYNTAX, Severity.INFO, "m", Span("a.py"), fingerprint=fingerprint)

    plugin = PluginReport("p", PluginKind.PLUGIN, "p", Verdict.PASS, {}, {}, (finding("f1"), finding("f1"), finding("f2")))
    entries = from_report(Report((plugin,))).entries
    assert [(e.fingerprint, e.count) for e in entries] == [("f1", 2), ("f2", 1)]


@given(
    recorded=st.lists(st.sampled_from(["a", "b", "c"]), max_size=8),
    current=st.lists(st.sampled_from(["a", "b", "c", "d"]), max_size=8),
)
def test_baseline_is_a_multiset_difference(recorded: list[str], current: list[str]) -> None:
    def report(fingerprints: list[str]) -> Report:
        findings = tuple(
            Finding("MB002", Category.SYNTAX, Severity.WARNING, "m", Span("a.py", i + 1), fingerprint=f"fp-{fp}")
            for i, fp in enumerate(fingerprints)
        )
        return Report((PluginReport("p", PluginKind.PLUGIN, "p", Verdict.PASS, {}, {}, findings),))

    from collections import Counter

    result = filter_report(report(current), from_report(report(recorded)))
    remaining = Counter(f.fingerprint for _, f in result.findings())
    assert remaining == Counter(f"fp-{x}" for x in current) - Counter(f"fp-{x}" for x in recorded)
    stale = Counter({e["fingerprint"]: e["count"] for e in result.context["baseline"]["stale"]})
    assert stale == Counter(f"fp-{x}" for x in recorded) - Counter(f"fp-{x}" for x in current)
    assert result.plugins[0].verdict is (Verdict.WARN if remaining else Verdict.PASS)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{oops", "not JSON (line 1, column 2"),
        ("[]", "not an mbcheck baseline"),
        ('{"version": 2, "findings": []}', "baseline version 2 is not supported"),
        ('{"findings": []}', "'version' is a required property"),
        ('{"version": 1, "findings": [{"plugin": "p", "fingerprint": "abcdefgh", "rule": "MB1", "count": 1}]}',
         "at `/findings/0/rule`"),
        ('{"version": 1, "findings": [{"plugin": "p", "fingerprint": "abcdefgh", "rule": "MB101", "count": 0}]}',
         "at `/findings/0/count`"),
    ],
)
def test_bad_baseline_files_raise_value_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(content)
    with pytest.raises(ValueError) as info:
        load_baseline(path)
    assert str(info.value).startswith(f"{path}: ") and message in str(info.value)


def test_missing_baseline_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="baseline file not found"):
        load_baseline(tmp_path / "nope.json")


def _cli(*args: Any) -> tuple[int, str]:
    result = runner.invoke(app, [*map(str, args)])
    return result.exit_code, result.output


def test_cli_baseline_then_lint(make_plugin: PluginFactory, tmp_path: Path) -> None:
    plugin = make_plugin("legacy", {"__init__.py": NOISE, "bad.py": SYNTAX})
    baseline = tmp_path / "b" / ".mbcheck-baseline.json"
    baseline.parent.mkdir()
    code, out = _cli("baseline", plugin, "-o", baseline, "--no-cache", "-j", "1")
    assert code == 0, out
    assert f"recorded {2 + len(HOST_TOOL_INFO)} findings of 1 plugin -> {baseline}" in out
    assert _cli("lint", plugin, "--no-cache", "-j", "1")[0] == 1
    code, out = _cli("lint", plugin, "--no-cache", "-j", "1", "--baseline", baseline)
    assert code == 0, out
    (plugin / "new.py").write_text(SYNTAX)
    code, out = _cli("lint", plugin, "--no-cache", "-j", "1", "--baseline", baseline)
    assert code == 1 and "new.py" in out and "bad.py" not in out


def test_cli_bad_baseline_exits_two(make_plugin: PluginFactory, tmp_path: Path) -> None:
    plugin = make_plugin("legacy")
    bad = tmp_path / "baseline.json"
    bad.write_text('{"version": "one"}')
    code, out = _cli("lint", plugin, "--no-cache", "--baseline", bad)
    assert code == 2
    assert f"mbcheck: error: {bad}: baseline version 'one' is not supported" in out


def test_cli_baseline_of_missing_path_writes_nothing(tmp_path: Path) -> None:
    out_file = tmp_path / "baseline.json"
    code, out = _cli("baseline", tmp_path / "missing", "-o", out_file, "--no-cache")
    assert code == 2 and "no such file or directory" in out
    assert not out_file.exists()
