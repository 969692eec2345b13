"""`# mbcheck: ignore` comments are the plugin author's claim: reported, and judged by the gate.

A plugin that silences its own findings still passes `mbcheck lint` (the author's
tool honours the comments), but the report lists what was silenced and where,
and `mbcheck verify` / `admit` refuse it unless the policy honours suppressions.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jsonschema.validators import validator_for
from typer.testing import CliRunner

from helpers import SARIF_SCHEMA
from mbcheck.api import Policy, admit, check, policy_from_mapping, report_json, validate_report
from mbcheck.cli import app

PluginFactory = Callable[..., Path]
runner = CliRunner()

#: a plugin that hides a shell command and an eval behind one comment on its first line
FILE_LEVEL = (
    "# mbcheck: ignore-file\n"
    "import os\n"
    "\n"
    "\n"
    "def run() -> None:\n"
    '    os.system("ls " + input())\n'
    "    eval(input())\n"
)
#: the same code with the comment on the eval line only
LINE_LEVEL = (
    "import os\n"
    "\n"
    "\n"
    "def run() -> None:\n"
    "    eval(input())  # mbcheck: ignore[MB311]\n"
)
DECLARES = "permissions: [subprocess, dynamic-code]\n"


def _lint_json(plugin: Path, out: Path) -> dict[str, Any]:
    result = runner.invoke(app, ["lint", str(plugin), "-f", "json", "-o", str(out), "--no-cache", "-j", "1"])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(out.read_text())
    return data


def _verify(plugin: Path, report: Path, *policy: str) -> tuple[int, str]:
    result = runner.invoke(app, ["verify", str(plugin), str(report), *policy])
    return result.exit_code, result.stdout  # the report is unsigned: stderr notes it was not authenticated


def test_file_level_comment_passes_lint_but_every_silenced_finding_is_listed(
    make_plugin: PluginFactory, tmp_path: Path
) -> None:
    plugin = make_plugin("hider", {"__init__.py": FILE_LEVEL}, extra=DECLARES)
    data = _lint_json(plugin, tmp_path / "report.json")
    entry = data["plugins"][0]
    assert entry["verdict"] == "pass"
    assert [f for f in entry["findings"] if f["severity"] != "info"] == []
    silenced = {f["rule"]: f for f in entry["suppressed"]}
    assert {"MB310", "MB311"} <= set(silenced)
    evaluated = silenced["MB311"]
    assert (evaluated["path"], evaluated["line"], evaluated["column"]) == ("__init__.py", 7, 5)
    assert evaluated["severity"] == "error" and evaluated["category"] == "security"
    assert evaluated["name"] == "dynamic-code-execution" and evaluated["end_line"] == 7
    assert len(evaluated["fingerprint"]) >= 8
    assert evaluated["suppressed_by"] == {"path": "__init__.py", "line": 1, "column": 1, "codes": None, "scope": "file"}
    assert silenced["MB310"]["line"] == 6
    # counted, apart from the findings
    assert entry["counts"]["suppressed"] == len(entry["suppressed"])
    assert data["summary"]["suppressed"] == len(entry["suppressed"])
    assert data["summary"]["findings"] == len(entry["findings"])
    validate_report(data)


def test_file_level_comment_is_refused_by_the_default_policy(make_plugin: PluginFactory, tmp_path: Path) -> None:
    plugin = make_plugin("hider", {"__init__.py": FILE_LEVEL}, extra=DECLARES)
    report = tmp_path / "report.json"
    _lint_json(plugin, report)
    code, out = _verify(plugin, report)
    assert code == 1, out
    assert out.startswith(f"refused: {plugin}\n")
    assert "the verdict is fail (2 errors, 2 of them suppressed in the source; the policy does not honour suppressions)" in out
    assert (
        "MB311 at __init__.py:7: `eval` runs code that is not a constant: anything that reaches it runs inside the "
        "host (severity error is at or above block-severity error; suppressed in the source at __init__.py:1; "
        "the policy does not honour suppressions)"
    ) in out
    assert "MB310 at __init__.py:6: " in out


def test_a_policy_that_honours_suppressions_admits_it(make_plugin: PluginFactory, tmp_path: Path) -> None:
    plugin = make_plugin("hider", {"__init__.py": FILE_LEVEL}, extra=DECLARES)
    report = tmp_path / "report.json"
    _lint_json(plugin, report)
    policy = tmp_path / "policy.toml"
    policy.write_text("honour-suppressions = true\n")
    assert _verify(plugin, report, "--policy", str(policy)) == (0, f"admitted: {plugin}\n")
    # and an explicit `false` is the default
    policy.write_text("honour-suppressions = false\n")
    assert _verify(plugin, report, "--policy", str(policy))[0] == 1


def test_line_level_comment_is_listed_and_judged(make_plugin: PluginFactory) -> None:
    plugin = make_plugin("liner", {"__init__.py": LINE_LEVEL}, extra=DECLARES)
    report = report_json(check(plugin, jobs=1, use_cache=False))
    entry = report["plugins"][0]
    assert entry["verdict"] == "pass"
    [silenced] = [f for f in entry["suppressed"] if f["rule"] == "MB311"]
    assert silenced["line"] == 5
    assert silenced["suppressed_by"] == {"path": "__init__.py", "line": 5, "column": 20, "codes": ["MB311"], "scope": "statement"}

    refused = admit(plugin, report)
    assert not refused.allowed
    assert any("suppressed in the source at __init__.py:5" in reason for reason in refused.reasons), refused.reasons
    assert admit(plugin, report, Policy(honour_suppressions=True)).allowed


def test_suppressed_warnings_and_blocked_rules_count_too(make_plugin: PluginFactory) -> None:
    code = "import pickle\n\n\ndef load(data: bytes) -> object:\n    return pickle.loads(data)  # mbcheck: ignore\n"
    plugin = make_plugin("warner", {"__init__.py": code}, extra="permissions: [dynamic-code]\n")
    report = report_json(check(plugin, {"select": ["MB314"]}, jobs=1, use_cache=False))
    entry = report["plugins"][0]
    assert entry["verdict"] == "pass"
    assert [(f["rule"], f["severity"]) for f in entry["suppressed"]] == [("MB314", "warning")]

    strict = admit(plugin, report, policy_from_mapping({"allow-warn": False}))
    assert not strict.allowed
    assert any("allow-warn: false" in r and "suppressed in the source" in r for r in strict.reasons), strict.reasons
    blocked = admit(plugin, report, policy_from_mapping({"block-rules": ["MB314"]}))
    assert [r for r in blocked.reasons if r.startswith("MB314 at __init__.py:5")], blocked.reasons
    assert admit(plugin, report).allowed  # a warning does not block the default policy
    assert admit(plugin, report, policy_from_mapping({"allow-warn": False, "honour-suppressions": True})).allowed


def test_settings_are_not_suppressions(make_plugin: PluginFactory) -> None:
    """Findings the host's own configuration removes are not listed as suppressed."""
    plugin = make_plugin("hider", {"__init__.py": FILE_LEVEL.replace("# mbcheck: ignore-file\n", "# plain\n")}, extra=DECLARES)
    report = report_json(check(plugin, {"ignore": ["MB31", "B6"]}, jobs=1, use_cache=False))
    entry = report["plugins"][0]
    assert entry["suppressed"] == [] and report["summary"]["suppressed"] == 0
    assert not [f for f in entry["findings"] if f["rule"].startswith("MB31")]


def test_a_silenced_finding_keeps_its_fingerprint(make_plugin: PluginFactory, tmp_path: Path) -> None:
    hidden = make_plugin("hider", {"__init__.py": FILE_LEVEL}, extra=DECLARES, base=tmp_path / "a")
    shown = make_plugin(
        "hider", {"__init__.py": FILE_LEVEL.replace("# mbcheck: ignore-file\n", "# plain\n")}, extra=DECLARES,
        base=tmp_path / "b",
    )
    silenced = {f["rule"]: f["fingerprint"] for f in report_json(check(hidden, jobs=1, use_cache=False))["plugins"][0]["suppressed"]}
    reported = {f["rule"]: f["fingerprint"] for f in report_json(check(shown, jobs=1, use_cache=False))["plugins"][0]["findings"]}
    assert silenced["MB311"] == reported["MB311"]


def test_lint_still_honours_the_comments(make_plugin: PluginFactory) -> None:
    plugin = make_plugin("hider", {"__init__.py": FILE_LEVEL}, extra=DECLARES)
    result = runner.invoke(app, ["lint", str(plugin), "--no-cache", "-j", "1"])
    assert result.exit_code == 0, result.output
    assert "hider (plugin, " in result.output and "): PASS" in result.output
    assert "MB311" not in result.output
    # the file-level comment also silences the MB117/MB118 information findings at __init__.py:1
    assert "note: 4 findings suppressed by comments in the source (`# mbcheck: ignore`, `# nosec`;" in result.output


def test_sarif_marks_silenced_results_as_suppressed_in_source(make_plugin: PluginFactory) -> None:
    plugin = make_plugin("hider", {"__init__.py": FILE_LEVEL}, extra=DECLARES)
    result = runner.invoke(app, ["lint", str(plugin), "-f", "sarif", "--no-cache", "-j", "1"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    schema = json.loads(SARIF_SCHEMA.read_text())
    validator_for(schema)(schema).validate(data)
    run = data["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    [evaluated] = [r for r in run["results"] if r["ruleId"] == "MB311"]
    assert rule_ids[evaluated["ruleIndex"]] == "MB311"
    [suppression] = evaluated["suppressions"]
    assert suppression["kind"] == "inSource"
    assert suppression["location"]["physicalLocation"]["region"]["startLine"] == 1
    assert all(r.get("suppressions") for r in run["results"])


def test_comments_in_requirements_files_are_listed_and_judged(make_plugin: PluginFactory) -> None:
    """Dependency findings in requirements.txt honour `# mbcheck: ignore` there too: same treatment."""
    plugin = make_plugin(
        "pinned",
        {"__init__.py": "import rich\n", "requirements.txt": "# mbcheck: ignore-file[MB5]\nrich==12.0\n"},
    )
    report = report_json(check(plugin, {"select": ["MB503"]}, jobs=1, use_cache=False))
    entry = report["plugins"][0]
    assert entry["findings"] == [] and entry["verdict"] == "pass"
    [silenced] = entry["suppressed"]
    assert (silenced["rule"], silenced["path"], silenced["line"]) == ("MB503", "requirements.txt", 2)
    assert silenced["suppressed_by"] == {"path": "requirements.txt", "line": 1, "column": 1, "codes": ["MB5"], "scope": "file"}
    refused = admit(plugin, report)
    assert not refused.allowed
    assert any("suppressed in the source at requirements.txt:1" in r for r in refused.reasons), refused.reasons
    assert admit(plugin, report, Policy(honour_suppressions=True)).allowed


#: bandit's own comments: a bare `# nosec` and one naming its test
NOSEC = (
    "import hashlib\n"
    "\n"
    "\n"
    "def password_digest(data: bytes) -> str:\n"
    "    return hashlib.md5(data).hexdigest()  # nosec\n"
    "\n"
    "\n"
    "def short_token(data: bytes) -> str:\n"
    "    value = hashlib.sha1(data).hexdigest()  # nosec B324 -- a cache key\n"
    "    return value[:8]\n"
)


def test_bandit_nosec_comments_are_claims_too(make_plugin: PluginFactory, tmp_path: Path) -> None:
    plugin = make_plugin("quiet", {"__init__.py": NOSEC})
    report = report_json(check(plugin, jobs=1, use_cache=False))
    entry = report["plugins"][0]
    assert not any(f["rule"].startswith("B") for f in entry["findings"])  # lint honours them
    silenced = {(s["rule"], s["line"]): s["suppressed_by"] for s in entry["suppressed"]}
    assert silenced[("B324", 5)] == {"path": "__init__.py", "line": 5, "column": 43, "codes": ["B324"], "scope": "statement"}
    assert silenced[("B324", 9)]["column"] == 45 and silenced[("B324", 9)]["codes"] == ["B324"]
    decision = admit(plugin, report)
    assert not decision.allowed
    assert any(r.startswith("B324 at __init__.py:5") and "suppressed in the source at __init__.py:5" in r for r in decision.reasons)
    assert admit(plugin, report, Policy(honour_suppressions=True)).allowed
