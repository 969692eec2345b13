"""The README's snippets work as written: configuration and policy examples, the commands and
their output, the CI workflow (pre-commit: tests/test_precommit.py)."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import tomllib
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from helpers import EXAMPLES, ROOT
from mbcheck.cli import app
from mbcheck.config import from_mapping
from mbcheck.gate import policy_from_mapping
from mbcheck.rules.catalog import REPOSITORY_URL

BLOCKS = re.findall(r"```toml\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)


def test_readme_config_example_is_a_valid_config(tmp_path: Path) -> None:
    tables = [tomllib.loads(block) for block in BLOCKS if "[tool.mbcheck]" in block]
    assert tables, "the README has a [tool.mbcheck] example"
    for table in tables:
        config = from_mapping(table["tool"]["mbcheck"], "README.md")
        assert config.fail_on == "error"
        assert "B101" in config.ignore


def test_readme_policy_example_is_a_valid_policy() -> None:
    policies = [tomllib.loads(block) for block in BLOCKS if "allow-permissions" in block]
    assert policies, "the README has a policy example"
    for data in policies:
        policy = policy_from_mapping(data)
        assert "network" in policy.allow_permissions


# -- the command-line snippets, run as written -------------------------------------------------

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _block_after(marker: str, fence: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(marker)
    match = re.compile(rf"```{fence}\n(.*?)```", re.S).search(text, start)
    assert match is not None, f"no ```{fence} block after {marker!r}"
    return match.group(1)


def test_readme_terminal_output_is_real(monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's terminal example is what that command prints (colour codes removed)."""
    command = "mbcheck lint examples/plugins/old_python --select MB4"
    shown = _block_after(f"`{command}` (colour codes removed here)", "text")
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(app, [*shlex.split(command)[1:], "--color", "always", "--no-cache", "-j", "1"])
    assert result.exit_code == 1
    assert "\x1b[" in result.stdout
    assert ANSI.sub("", result.stdout) == shown


def test_readme_hello_world_passes_and_the_examples_fail_on_purpose(monkeypatch: pytest.MonkeyPatch) -> None:
    shown = _block_after("**exits 1 on purpose**", "console")
    lines = shown.splitlines()
    assert lines[0] == "$ mbcheck lint examples/plugins/hello_world"
    monkeypatch.chdir(ROOT)
    runner = CliRunner()
    passing = runner.invoke(app, ["lint", "examples/plugins/hello_world", "--no-cache", "-j", "1"])
    assert passing.exit_code == 0
    assert passing.stdout.splitlines() == lines[1 : lines.index("$ echo $?")]
    assert lines[-1] == "0"
    assert runner.invoke(app, ["lint", "examples/plugins", "--no-cache", "-j", "1"]).exit_code == 1


def test_readme_ci_workflow_installs_from_the_repository_and_its_lint_step_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workflow = yaml.safe_load(_block_after("## CI (GitHub Actions", "yaml"))
    steps = [step["run"] for step in workflow["jobs"]["mbcheck"]["steps"] if "run" in step]
    install, lint = steps
    assert shlex.split(install) == ["pip", "install", f"git+{REPOSITORY_URL}@main"], "mbcheck is not on PyPI yet"
    plugins = tmp_path / "plugins"
    shutil.copytree(EXAMPLES / "plugins" / "hello_world", plugins / "hello_world")
    monkeypatch.chdir(tmp_path)
    words = shlex.split(lint)
    assert words[:2] == ["mbcheck", "lint"]
    result = CliRunner().invoke(app, [*words[1:], "--no-cache", "-j", "1"])
    assert result.exit_code == 0, result.output
    sarif = json.loads((tmp_path / "mbcheck.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"


def _security_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("### Security: the permission vocabulary")
    return text[start:text.index("\n### ", start + 1)]


def test_readme_security_section_lists_every_security_rule_with_its_severity() -> None:
    """The behaviour-rule table names every security rule of the catalog, with its default severity."""
    catalog = json.loads((ROOT / "rules" / "catalog.json").read_text(encoding="utf-8"))
    rows = {
        match.group(1): match.group(2)
        for match in re.finditer(r"^\| (MB\d{3}) `[a-z-]+` \|.*\| (error|warning|info)\b[^|]*\|$", _security_section(), re.M)
    }
    security = {rule["code"]: rule["severity"] for rule in catalog["rules"] if rule["category"] == "security"}
    assert security, "the catalog lists no security rule"
    missing = sorted(set(security) - set(rows))
    assert not missing, f"README security section: no row for {missing}"
    wrong = {code: (rows[code], severity) for code, severity in security.items() if rows[code] != severity}
    assert not wrong, f"README security section: severities differ from the catalog: {wrong}"


def test_readme_security_section_lists_the_whole_permission_vocabulary() -> None:
    vocabulary = json.loads((ROOT / "rules" / "permissions.json").read_text(encoding="utf-8"))["permissions"]
    listed = re.findall(r"^\| `([a-z-]+)` \|", _security_section(), re.M)
    assert listed == list(vocabulary)
