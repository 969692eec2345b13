"""The command line: formats, exit codes, rules and explain."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from jsonschema import Draft202012Validator
from jsonschema.validators import validator_for
from typer.testing import CliRunner

from helpers import EXAMPLES, SARIF_SCHEMA, write_plugin
from mbcheck.cli import app
from mbcheck.resources import load_json
from mbcheck.rules import all_rules

runner = CliRunner()
GOOD = EXAMPLES / "plugins" / "hello_world"
PLUGINS = EXAMPLES / "plugins"


def lint(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["lint", *args, "--no-cache", "--jobs", "1"])
    return result.exit_code, result.output


def test_good_plugin_exits_zero_with_text_summary() -> None:
    code, out = lint(str(GOOD))
    assert code == 0, out
    assert "hello_world (plugin" in out and "PASS" in out


def test_findings_exit_one_and_fail_on_controls_it(tmp_path: Path) -> None:
    bad = write_plugin(tmp_path, {"__init__.py": "def f(:\n"}, name="bad")
    code, out = lint(str(bad))
    assert code == 1
    assert "bad/__init__.py:" in out and "MB001 error" in out
    code, _ = lint(str(bad), "--fail-on", "never")
    assert code == 0
    warn_only = write_plugin(tmp_path, {"plugin.yaml": (GOOD / "plugin.yaml").read_text().replace("Greets people by name, in several languages.", "Hi"), "__init__.py": ""}, name="warn_only")
    assert lint(str(warn_only), "--select", "MB114")[0] == 0
    assert lint(str(warn_only), "--select", "MB114", "--fail-on", "warning")[0] == 1


def test_usage_errors_exit_two() -> None:
    assert lint(str(GOOD), "-f", "xml")[0] == 2
    assert lint("/no/such/path")[0] == 2
    assert lint(str(GOOD), "--fail-on", "sometimes")[0] == 2
    assert lint(str(GOOD), "--host-profile", "milkbottle-0.0.1")[0] == 2


def test_json_output_matches_report_schema() -> None:
    code, out = lint(str(PLUGINS), "-f", "json")
    assert code in (0, 1)
    data = json.loads(out)
    Draft202012Validator(load_json("schemas/report.schema.json")).validate(data)
    assert data["schema_version"] == "1.2"
    assert data["tool"]["name"] == "mbcheck"
    names = [p["name"] for p in data["plugins"]]
    assert "hello_world" in names
    for plugin in data["plugins"]:
        for finding in plugin["findings"]:
            assert finding["line"] >= 1 and finding["column"] >= 1
    # deterministic: the same input gives byte-identical output
    assert lint(str(PLUGINS), "-f", "json")[1] == out


def test_sarif_output_matches_official_schema() -> None:
    _code, out = lint(str(PLUGINS), "-f", "sarif")
    data = json.loads(out)
    schema = json.loads(SARIF_SCHEMA.read_text())
    validator_for(schema)(schema).validate(data)  # draft-04, as published
    run = data["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert run["results"], "the examples have findings"
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert result["partialFingerprints"]["mbcheck/v1"]
    for rule in run["tool"]["driver"]["rules"]:
        assert rule["help"]["text"]


def test_github_annotations(tmp_path: Path) -> None:
    bad = write_plugin(tmp_path, {"__init__.py": "def f(:\n"}, name="bad")
    code, out = lint(str(bad), "-f", "github", "--select", "MB001")
    assert code == 1
    line = out.strip().splitlines()[0]
    assert line.startswith("::error file=")
    assert "bad/__init__.py,line=" in line and "title=MB001 (syntax)::" in line


def test_output_file(tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.json"
    code, _ = lint(str(GOOD), "-f", "json", "-o", str(target))
    assert code == 0
    assert json.loads(target.read_text())["summary"]["plugins"] == 1


def test_rules_lists_every_rule_and_explain_works_for_each() -> None:
    result = runner.invoke(app, ["rules", "--format", "json"])
    assert result.exit_code == 0
    rows = json.loads(result.output)
    assert [r["code"] for r in rows] == sorted(all_rules())
    for code in all_rules():
        explained = runner.invoke(app, ["explain", code])
        assert explained.exit_code == 0, code
        assert explained.output.startswith(code)
        assert "Why:" in explained.output
    assert runner.invoke(app, ["explain", "MB999"]).exit_code == 2


def test_console_script_runs() -> None:
    result = subprocess.run([sys.executable, "-m", "mbcheck", "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.startswith("mbcheck ")
