"""admit(): digest binding, plugin identity, verdicts, blocking findings, permissions."""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from helpers import HOST_TOOL_INFO
from mbcheck.api import (
    GateError,
    Policy,
    PolicyError,
    admit,
    check,
    policy_from_mapping,
    report_json,
)
from mbcheck.digest import digest_directory
from mbcheck.model import Severity

PluginFactory = Callable[..., Path]
SUPPRESSION = "x = 1  # mbcheck: ignore[MB001]\n"  # MB002, info


def _report(plugin: Path, config: dict[str, Any] | None = None) -> dict[str, Any]:
    return report_json(check(plugin, config, jobs=1, use_cache=False))


def test_unchanged_clean_plugin_is_admitted(make_plugin: PluginFactory) -> None:
    plugin = make_plugin("clean")
    report = _report(plugin)
    assert report["plugins"][0]["verdict"] == "pass", report["plugins"][0]["findings"]
    decision = admit(plugin, report, Policy())
    assert decision.allowed and decision.reasons == ()


def test_report_object_and_policy_path_are_accepted(make_plugin: PluginFactory, tmp_path: Path) -> None:
    plugin = make_plugin("clean")
    policy = tmp_path / "policy.toml"
    policy.write_text("allow-warn = false\n")
    assert admit(str(plugin), check(plugin, jobs=1), policy).allowed


@pytest.mark.parametrize(
    "change",
    [
        lambda root: (root / "__init__.py").write_text("VALUE = 2\n"),
        lambda root: (root / "extra.py").write_text("import os\n"),
        lambda root: (root / "__init__.py").unlink(),
        lambda root: (root / "data.txt").rename(root / "data2.txt"),
    ],
    ids=["edited", "added", "removed", "renamed"],
)
def test_any_change_after_the_check_is_refused(make_plugin: PluginFactory, change: Callable[[Path], Any]) -> None:
    plugin = make_plugin("clean", {"data.txt": "hello\n"})
    report = _report(plugin)
    change(plugin)
    decision = admit(plugin, report, Policy())
    assert not decision.allowed
    assert any("digest mismatch" in r for r in decision.reasons), decision.reasons


def test_byte_caches_do_not_change_the_digest(make_plugin: PluginFactory) -> None:
    plugin = make_plugin("clean")
    report = _report(plugin)
    cache = plugin / "__pycache__"
    cache.mkdir()
    (cache / "clean.cpython-311.pyc").write_bytes(b"\0compiled")
    assert admit(plugin, report, Policy()).allowed


def test_files_excluded_from_analysis_are_still_bound(make_plugin: PluginFactory) -> None:
    plugin = make_plugin("clean", {"vendor/lib.py": "X = 1\n"})
    report = _report(plugin, {"exclude": ["vendor"]})
    assert report["plugins"][0]["digest"] == digest_directory(plugin)
    # excluded from analysis = not analysed: refused unless the policy allows it
    assert report["plugins"][0]["not_analysed"] == [{"path": "vendor/lib.py", "reason": "excluded"}]
    refused = admit(plugin, report, Policy())
    assert not refused.allowed and any("`vendor/lib.py` was not analysed (excluded" in r for r in refused.reasons)
    assert admit(plugin, report, Policy(allow_unanalysed=True)).allowed
    (plugin / "vendor" / "lib.py").write_text("X = 2\n")
    assert not admit(plugin, report, Policy(allow_unanalysed=True)).allowed


def test_report_for_another_plugin_is_refused(make_plugin: PluginFactory) -> None:
    first = make_plugin("first")
    second = make_plugin("second")
    decision = admit(second, _report(first), Policy())
    assert not decision.allowed
    assert any("different plugin" in r and "`first`" in r for r in decision.reasons), decision.reasons


def test_report_of_several_plugins_picks_the_right_one(make_plugin: PluginFactory, tmp_path: Path) -> None:
    make_plugin("first")
    second = make_plugin("second", {"__init__.py": "def f(:\n"})
    report = report_json(check(tmp_path / "plugins", jobs=1, use_cache=False))
    assert [p["name"] for p in report["plugins"]] == ["first", "second"]
    assert admit(tmp_path / "plugins" / "first", report, Policy()).allowed
    decision = admit(second, report, Policy())
    assert not decision.allowed
    assert any(r.startswith("MB001 at __init__.py:") for r in decision.reasons), decision.reasons


def test_same_name_elsewhere_with_other_content_is_a_digest_mismatch(make_plugin: PluginFactory, tmp_path: Path) -> None:
    original = make_plugin("twin")
    copy_ = make_plugin("twin", {"__init__.py": "VALUE = 'other'\n"}, base=tmp_path / "elsewhere")
    decision = admit(copy_, _report(original), Policy())
    assert any("digest mismatch" in r for r in decision.reasons)


def test_failing_plugin_is_refused_whatever_the_policy(make_plugin: PluginFactory) -> None:
    plugin = make_plugin("bad", version="not a version")
    report = _report(plugin)
    decision = admit(plugin, report, Policy(allow_warn=True, block_severity=Severity.ERROR, allow_permissions=frozenset({"network"})))
    assert not decision.allowed
    assert decision.reasons[0] == "the verdict is fail (1 error)"
    assert any(r.startswith("MB103 at plugin.yaml:2:") for r in decision.reasons)


def test_warn_plugin_follows_allow_warn_and_block_severity(make_plugin: PluginFactory) -> None:
    plugin = make_plugin("terse", description="short")
    report = _report(plugin)
    assert report["plugins"][0]["verdict"] == "warn"
    assert admit(plugin, report, Policy()).allowed
    refused = admit(plugin, report, Policy(allow_warn=False))
    assert not refused.allowed
    assert refused.reasons == ("the verdict is warn and the policy does not admit warnings (allow-warn: false)",)
    blocked = admit(plugin, report, Policy(block_severity=Severity.WARNING))
    assert [r.split(" ")[0] for r in blocked.reasons] == ["MB114"]


def test_block_severity_info_and_block_rules(make_plugin: PluginFactory) -> None:
    plugin = make_plugin("noisy", {"__init__.py": SUPPRESSION})
    report = _report(plugin)
    assert report["plugins"][0]["verdict"] == "pass"
    assert [f["rule"] for f in report["plugins"][0]["findings"] if f["rule"] not in HOST_TOOL_INFO] == ["MB002"]
    assert admit(plugin, report, Policy()).allowed
    assert not admit(plugin, report, Policy(block_severity=Severity.INFO)).allowed
    by_prefix = admit(plugin, report, Policy(block_rules=("MB00",)))  # MB002; the MB11x infos are not blocked
    assert not by_prefix.allowed and "block-rules" in by_prefix.reasons[0]
    assert admit(plugin, report, Policy(block_rules=("MB3", "MB001"))).allowed


def test_many_blocking_findings_are_summarised(make_plugin: PluginFactory) -> None:
    plugin = make_plugin("noisy", {"__init__.py": SUPPRESSION * 30})
    decision = admit(plugin, _report(plugin), Policy(block_severity=Severity.INFO))
    assert len(decision.reasons) == 21
    # 30 MB002 and the MB117/MB118 information findings (every finding is blocked at info)
    assert decision.reasons[-1] == f"and {30 + len(HOST_TOOL_INFO) - 20} more blocking findings"


def test_inferred_permissions_need_a_declaration(make_plugin: PluginFactory) -> None:
    plugin = make_plugin("clean", extra="permissions: [subprocess]\n")
    report = _report(plugin)
    inferred = copy.deepcopy(report)
    inferred["plugins"][0]["permissions"]["inferred"] = ["network", "subprocess"]
    # the default policy grants what the plugin declares, never more
    decision = admit(plugin, inferred, Policy())
    assert decision.reasons == ("the plugin uses permission `network` but does not declare it",)
    # whatever allow-permissions grants: code beyond its declaration is always refused
    everything = Policy(allow_permissions=frozenset({"network", "subprocess"}))
    assert admit(plugin, inferred, everything).reasons == decision.reasons
    inferred["plugins"][0]["permissions"]["declared"] = ["network", "subprocess"]
    assert admit(plugin, inferred, Policy()).allowed
    assert admit(plugin, inferred, everything).allowed


def test_allow_permissions_narrows_what_a_declaration_grants(make_plugin: PluginFactory) -> None:
    plugin = make_plugin("asks", extra="permissions: [network]\n")
    report = _report(plugin)
    assert report["plugins"][0]["permissions"]["declared"] == ["network"]
    assert admit(plugin, report, Policy()).allowed
    decision = admit(plugin, report, Policy(allow_permissions=frozenset({"env"})))
    assert decision.reasons == ("the plugin declares permission `network`, which the policy does not grant",)
    assert admit(plugin, report, Policy(allow_permissions=frozenset({"network"}))).allowed


def test_without_grant_declared_only_allow_permissions_grants(make_plugin: PluginFactory) -> None:
    plugin = make_plugin("asks", extra="permissions: [network]\n")
    report = _report(plugin)
    strict = Policy(grant_declared=False)
    decision = admit(plugin, report, strict)
    assert decision.reasons == ("the plugin declares permission `network`, which the policy does not grant",)
    assert admit(plugin, report, Policy(grant_declared=False, allow_permissions=frozenset({"network"}))).allowed
    inferred = copy.deepcopy(report)
    inferred["plugins"][0]["permissions"]["inferred"] = ["subprocess"]
    both = admit(plugin, inferred, Policy(grant_declared=False, allow_permissions=frozenset({"network"})))
    assert both.reasons == ("the plugin uses permission `subprocess`, which the policy does not grant",)


def test_grant_declared_policy_key() -> None:
    assert policy_from_mapping({}).grant_declared is True
    assert policy_from_mapping({}).allow_permissions is None
    assert policy_from_mapping({"grant-declared": False}).grant_declared is False
    assert policy_from_mapping({"allow-permissions": []}).allow_permissions == frozenset()
    with pytest.raises(PolicyError):
        policy_from_mapping({"grant-declared": "yes"})


def test_host_profile_requirement(make_plugin: PluginFactory) -> None:
    plugin = make_plugin("clean")
    report = _report(plugin)
    assert admit(plugin, report, Policy(host_profile=report["tool"]["host_profile"])).allowed
    decision = admit(plugin, report, Policy(host_profile="milkbottle-9.0.0"))
    assert any("host profile" in r and "milkbottle-9.0.0" in r for r in decision.reasons)


def test_report_names_tool_rules_config_and_host(make_plugin: PluginFactory) -> None:
    plugin = make_plugin("clean")
    tool = _report(plugin)["tool"]
    assert {"name", "version", "rules_digest", "config_digest", "host_profile"} <= set(tool)
    assert tool["config_digest"].startswith("sha256:")
    assert _report(plugin)["tool"]["config_digest"] == tool["config_digest"]
    assert _report(plugin, {"ignore": ["MB114"]})["tool"]["config_digest"] != tool["config_digest"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_link_out_of_the_plugin_cannot_be_verified(make_plugin: PluginFactory, tmp_path: Path) -> None:
    plugin = make_plugin("clean")
    report = _report(plugin)
    outside = tmp_path / "outside.py"
    outside.write_text("X = 1\n")
    (plugin / "linked.py").symlink_to(outside)
    decision = admit(plugin, report, Policy())
    assert not decision.allowed
    assert any("cannot be verified" in r and "outside the plugin root" in r for r in decision.reasons)


def test_bad_input_raises_value_errors(make_plugin: PluginFactory, tmp_path: Path) -> None:
    plugin = make_plugin("clean")
    report = _report(plugin)
    with pytest.raises(GateError, match="no such plugin"):
        admit(tmp_path / "missing", report, Policy())
    broken = copy.deepcopy(report)
    del broken["plugins"][0]["digest"]
    with pytest.raises(ValueError, match=r"report schema at `/plugins/0`: 'digest' is a required property"):
        admit(plugin, broken, Policy())
    with pytest.raises(ValueError, match="policy file not found"):
        admit(plugin, report, tmp_path / "nope.toml")


def test_report_written_from_inside_the_plugin(make_plugin: PluginFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    plugin = make_plugin("dirname", {"plugin.yaml": manifest_named("Display Name")})
    monkeypatch.chdir(plugin)
    report = report_json(check(Path("."), jobs=1, use_cache=False))
    assert (report["plugins"][0]["path"], report["plugins"][0]["name"]) == (".", "Display Name")
    monkeypatch.chdir(plugin.parent)
    assert admit(plugin, report, Policy()).allowed
    (plugin / "__init__.py").write_text("VALUE = 3\n")
    # matched by its manifest name, the changed plugin is refused for what it is: changed since the check
    assert any("digest mismatch" in r for r in admit(plugin, report, Policy()).reasons)


def test_a_file_that_is_not_an_archive_is_bad_input(make_plugin: PluginFactory) -> None:
    plugin = make_plugin("clean")
    with pytest.raises(GateError, match="not a plugin directory or archive"):
        admit(plugin / "__init__.py", _report(plugin), Policy())


def manifest_named(name: str) -> str:
    return (
        f"name: {name}\nversion: 1.0.0\ndescription: A plugin the gate tests build.\nauthor: Ada Example\n"
        "email: ada@example.com\nlicense: MIT\ncapabilities: [greeting]\ntags: [example]\npython_version: \">=3.11\"\n"
    )
