"""Context profiles: the same rules warn on a developer's machine and block publication."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpers import HOST_TOOL_INFO
from mbcheck.api import Policy, admit, check, load_report, report_json
from mbcheck.cli import app

PluginFactory = Callable[..., Path]
runner = CliRunner()


def lint(*args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, ["lint", *map(str, args), "--no-cache", "-j", "1"])
    return result.exit_code, result.output


@pytest.fixture
def terse(make_plugin: PluginFactory) -> Path:
    """A plugin with one warning: its description is too short (MB114)."""
    return make_plugin("terse", description="short")


def test_builtin_profiles_warn_locally_and_block_publication(terse: Path) -> None:
    outcomes = {profile: lint(terse, "--profile", profile) for profile in ("pre-commit", "ci", "publish")}
    for _code, out in outcomes.values():
        assert "MB114 warning" in out  # the same finding everywhere
    assert {profile: code for profile, (code, _) in outcomes.items()} == {"pre-commit": 0, "ci": 1, "publish": 1}
    assert lint(terse)[0] == 0  # no profile: errors only


def test_config_profiles_raise_severity_for_publication(terse: Path, tmp_path: Path) -> None:
    config = tmp_path / "mbcheck.toml"
    config.write_text('[profiles.publish]\nseverity = {MB114 = "error"}\n\n[profiles.pre-commit]\nfail-on = "never"\n')
    local = lint(terse, "--config", config, "--profile", "pre-commit")
    publish = lint(terse, "--config", config, "--profile", "publish")
    assert local[0] == 0 and "MB114 warning" in local[1]
    assert publish[0] == 1 and "MB114 error" in publish[1]


def test_a_publish_report_is_refused_where_a_local_one_is_admitted(terse: Path, tmp_path: Path) -> None:
    config = tmp_path / "mbcheck.toml"
    config.write_text('[profiles.publish]\nseverity = {MB114 = "error"}\n')
    reports = {}
    for profile in ("pre-commit", "publish"):
        out = tmp_path / f"{profile}.json"
        result = runner.invoke(
            app, ["lint", str(terse), "--config", str(config), "--profile", profile, "-f", "json", "-o", str(out), "--no-cache"]
        )
        assert result.exit_code in (0, 1), result.output
        reports[profile] = load_report(out)
    assert reports["pre-commit"]["plugins"][0]["verdict"] == "warn"
    assert reports["publish"]["plugins"][0]["verdict"] == "fail"
    assert reports["pre-commit"]["tool"]["config_digest"] != reports["publish"]["tool"]["config_digest"]
    assert admit(terse, reports["pre-commit"], Policy()).allowed
    assert not admit(terse, reports["publish"], Policy()).allowed


def test_api_check_takes_a_config_file_and_ignores_the_plugin_s_own(terse: Path, tmp_path: Path) -> None:
    (terse / "mbcheck.toml").write_text('ignore = ["MB"]\n')  # a plugin cannot switch its checks off
    # the plugin's config changes nothing, and is reported as unused (MB012)
    found = report_json(check(terse, jobs=1))["plugins"][0]["findings"]
    assert [f["rule"] for f in found if f["rule"] not in HOST_TOOL_INFO] == ["MB012", "MB114"]
    config = tmp_path / "host.toml"
    config.write_text('severity = {MB114 = "error"}\n')
    data = report_json(check(terse, config, jobs=1))
    assert data["plugins"][0]["verdict"] == "fail"
    ignored = report_json(check(terse, {"ignore": ["MB114"]}, jobs=1))["plugins"][0]["findings"]
    assert [f["rule"] for f in ignored if f["rule"] not in HOST_TOOL_INFO] == ["MB012"]
    with pytest.raises(ValueError, match="unknown key `ignor`"):
        check(terse, {"ignor": ["MB114"]})
    with pytest.raises(ValueError, match="config file not found"):
        check(terse, tmp_path / "missing.toml")
    json.dumps(data)  # plain JSON data
