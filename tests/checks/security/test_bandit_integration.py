"""bandit as a library: its findings in every output, deduplicated, configurable, cached."""

from __future__ import annotations

import json
import socket
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from helpers import run, write_plugin
from mbcheck.checks.security import bandit_policy
from mbcheck.checks.security.bandit import bandit_tests
from mbcheck.checks.security.bandit_hook import selection as _bandit_skip
from mbcheck.cli import app
from mbcheck.config import Config, from_mapping
from mbcheck.model import Category, Confidence, PluginReport, Severity
from mbcheck.reporters import sarif
from mbcheck.rules import all_rules
from mbcheck.rules.base import EXAMPLE_MANIFEST, ExternalRule

SHELL = "import subprocess\n\n\ndef run(cmd):\n    subprocess.Popen(cmd, shell=True)\n"


def lint(tmp_path: Path, source: str, config: Config | dict[str, Any] | None = None) -> PluginReport:
    root = write_plugin(tmp_path, {"plugin.yaml": EXAMPLE_MANIFEST + "permissions: [subprocess]\n",
                                   "__init__.py": source})
    report = run(root, config if config is not None else Config())
    assert not report.errors
    return report.plugins[0]


def codes(plugin: PluginReport) -> list[str]:
    return [f.rule for f in plugin.findings]


def test_bandit_findings_keep_id_severity_confidence_and_span(tmp_path: Path) -> None:
    source = "import subprocess\n\n\ndef run():\n    subprocess.call('ls -l', shell=True)\n"
    plugin = lint(tmp_path, source)
    (finding,) = [f for f in plugin.findings if f.rule == "B602"]
    assert finding.category is Category.SECURITY
    assert (finding.severity, finding.confidence) == (Severity.INFO, Confidence.HIGH)  # a constant command: LOW
    assert (finding.span.line, finding.span.column) == (5, 5)
    assert "CWE-78" in finding.message
    assert "B404" in codes(plugin)


def test_a_bandit_result_an_mbcheck_rule_reports_is_dropped(tmp_path: Path) -> None:
    plugin = lint(tmp_path, SHELL)
    assert "MB310" in codes(plugin)
    assert "B602" not in codes(plugin)
    # the same bandit test elsewhere in the file, where mbcheck has nothing to say, stays
    plugin = lint(tmp_path / "b", SHELL + "\n\ndef const():\n    subprocess.Popen('ls', shell=True)\n")
    assert [f.span.line for f in plugin.findings if f.rule == "B602"] == [9]


def test_nosec_and_suppression_comments_silence_bandit(tmp_path: Path) -> None:
    source = "import subprocess  # nosec B404\n\n\ndef run():\n    subprocess.call('ls', shell=True)  # mbcheck: ignore[B602]\n"
    plugin = lint(tmp_path, source)
    assert "B404" not in codes(plugin) and "B602" not in codes(plugin)
    assert "MB002" not in codes(plugin)


def test_bandit_ids_can_be_ignored_like_any_code(tmp_path: Path) -> None:
    plugin = lint(tmp_path, "import subprocess\nimport pickle\n", {"ignore": ["B404"]})
    assert "B404" not in codes(plugin) and "B403" in codes(plugin)
    assert _bandit_skip(from_mapping({"ignore": ["B404"]}))[1] >= {"B404"}
    plugin = lint(tmp_path / "b", "import subprocess\n", {"ignore": ["B"]})
    assert not [c for c in codes(plugin) if c.startswith("B")]


def test_b101_and_replaced_tests_are_off_unless_selected_by_exact_code(tmp_path: Path) -> None:
    source = "def check(x):\n    assert x > 0\n    return eval('1 + 2')\n"
    assert not {"B101", "B307"} & set(codes(lint(tmp_path, source)))
    selected = lint(tmp_path / "b", source, {"extend-select": ["B101", "B307"]})
    assert {"B101", "B307"} <= set(codes(selected))
    assert _bandit_skip(Config())[1] >= bandit_policy.OFF_BY_DEFAULT
    assert "B101" not in _bandit_skip(from_mapping({"select": ["B101"]}))[1]


def test_bandit_does_not_run_when_no_bandit_code_is_selected(tmp_path: Path) -> None:
    plugin = lint(tmp_path, SHELL, {"select": ["MB3"]})
    assert not [c for c in codes(plugin) if c.startswith("B")]
    assert _bandit_skip(from_mapping({"select": ["MB"]})) == (False, frozenset())


def test_every_bandit_test_is_a_documented_rule() -> None:
    rules = all_rules()
    for test_id, name, _doc in bandit_tests():
        rule = rules[test_id]
        assert issubclass(rule, ExternalRule)
        assert rule.category is Category.SECURITY
        assert rule.name == name.replace("_", "-")
        docs = rule.docs()
        assert docs.summary and docs.why and docs.instead, test_id
    assert "Off by default" in rules["B101"].docs().what
    assert "MB310" in rules["B602"].docs().what


def test_rules_and_explain_cover_bandit() -> None:
    runner = CliRunner()
    listing = runner.invoke(app, ["rules", "--format", "json"])
    assert "B602" in {row["code"] for row in json.loads(listing.stdout)}
    explained = runner.invoke(app, ["explain", "B602"])
    assert explained.exit_code == 0
    assert "subprocess-popen-with-shell-equals-true" in explained.stdout and "Why:" in explained.stdout


def test_sarif_has_rule_metadata_for_bandit_findings(tmp_path: Path) -> None:
    root = write_plugin(tmp_path, {"plugin.yaml": EXAMPLE_MANIFEST, "__init__.py": "import pickle\n"})
    document = json.loads(sarif.render(run(root)))
    rules = {r["id"]: r for r in document["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["B403"]["name"] == "import-pickle"
    assert rules["B403"]["properties"]["category"] == "security"
    assert rules["B403"]["help"]["text"]
    assert any(r["ruleId"] == "B403" for r in document["runs"][0]["results"])


def test_bandit_runs_in_process_and_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("no process and no network while checking")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    plugin = lint(tmp_path, "import pickle\n")
    assert "B403" in codes(plugin)


def test_the_bandit_version_is_part_of_the_cache_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_plugin(tmp_path, {"plugin.yaml": EXAMPLE_MANIFEST, "__init__.py": "import pickle\n"})
    config = Config(cache_dir=str(tmp_path / "cache"))
    run(root, config, use_cache=True)
    assert run(root, config, use_cache=True).context["cache"]["hits"] == 1
    monkeypatch.setattr(bandit_policy, "installed_version", lambda: "0.0-other")
    again = run(root, config, use_cache=True)
    assert again.context["cache"] == {"hits": 0, "misses": 1}
