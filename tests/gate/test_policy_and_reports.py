"""Policies and reports from files: parsing, validation and the messages people see."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from mbcheck.api import (
    Policy,
    PolicyError,
    ReportError,
    check,
    load_policy,
    load_report,
    report_json,
)
from mbcheck.gate import permission_vocabulary, policy_from_mapping
from mbcheck.model import Severity
from mbcheck.resources import load_json

CONTRACT_PERMISSIONS = {"network", "subprocess", "fs-write", "dynamic-code", "native-code", "env", "desktop"}


def test_schemas_are_valid_json_schemas() -> None:
    for name in ("policy", "baseline", "report"):
        Draft202012Validator.check_schema(load_json(f"schemas/{name}.schema.json"))


def test_vocabulary_is_the_contract_s() -> None:
    assert set(permission_vocabulary()) == CONTRACT_PERMISSIONS


def test_yaml_and_toml_policies_mean_the_same(tmp_path: Path) -> None:
    (tmp_path / "p.toml").write_text(
        'allow-permissions = ["network", "env"]\nblock-severity = "warning"\n'
        'block-rules = ["MB3", "B602"]\nallow-warn = false\nhost-profile = "milkbottle-1.0.0"\n'
    )
    (tmp_path / "p.yaml").write_text(
        "allow-permissions: [network, env]\nblock-severity: warning\nblock-rules: [MB3, B602]\n"
        "allow-warn: false\nhost-profile: milkbottle-1.0.0\n"
    )
    toml, yaml = load_policy(tmp_path / "p.toml"), load_policy(tmp_path / "p.yaml")
    assert toml.allow_permissions == yaml.allow_permissions == frozenset({"network", "env"})
    assert toml.block_severity is yaml.block_severity is Severity.WARNING
    assert toml.block_rules == yaml.block_rules == ("MB3", "B602")
    assert toml.allow_warn is yaml.allow_warn is False
    assert toml.host_profile == yaml.host_profile == "milkbottle-1.0.0"
    assert toml.source == str(tmp_path / "p.toml")


def test_empty_policy_is_the_default(tmp_path: Path) -> None:
    (tmp_path / "empty.yaml").write_text("")
    (tmp_path / "empty.toml").write_text("")
    default = Policy()
    for name in ("empty.yaml", "empty.toml"):
        policy = load_policy(tmp_path / name)
        assert (policy.allow_permissions, policy.block_severity, policy.block_rules, policy.allow_warn) == (
            default.allow_permissions, default.block_severity, default.block_rules, default.allow_warn,
        )


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("p.toml", 'allow-permissions = ["netwrk"]\n', "unknown permission `netwrk` in allow-permissions (did you mean `network`?)"),
        ("p.yaml", "allow-permissions: [network, camera]\n", "unknown permission `camera` in allow-permissions; known permissions: network, "),
        ("p.yaml", "allow-warning: true\n", "unknown key `allow-warning` (did you mean `allow-warn`?)"),
        ("p.toml", 'block-severity = "fatal"\n', "invalid value for `block-severity`: 'fatal' is not one of"),
        ("p.toml", 'block-rules = ["shell"]\n', "block-rules: `shell` is not a rule code or prefix"),
        ("p.toml", "allow-warn = 1\n", "invalid value for `allow-warn`"),
        ("p.toml", "allow-warn = \n", "invalid TOML"),
        ("p.yaml", "allow-permissions: [network\n", "invalid YAML"),
        ("p.yaml", "- network\n", "a policy must be a table of settings, not list"),
        ("p.ini", "allow-warn = true\n", "must end in .toml, .yaml, .yml or .json"),
    ],
)
def test_bad_policies_name_the_problem(tmp_path: Path, name: str, text: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    assert str(info.value).startswith(f"{path}: ")
    assert message in str(info.value)


def test_missing_policy_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="policy file not found"):
        load_policy(tmp_path / "nope.yaml")


def test_policy_from_mapping_validates_too() -> None:
    with pytest.raises(PolicyError, match="unknown permission `root`"):
        policy_from_mapping({"allow-permissions": ["root"]})
    assert policy_from_mapping({"allow-permissions": ["fs-write"]}).allow_permissions == {"fs-write"}


@pytest.fixture
def report_data(tmp_path: Path) -> dict[str, object]:
    root = tmp_path / "plugins" / "clean"
    root.mkdir(parents=True)
    (root / "__init__.py").write_text("__version__ = '1.0.0'\n")
    return report_json(check(root, jobs=1, use_cache=False))


def test_load_report_from_dict_and_file(tmp_path: Path, report_data: dict[str, object]) -> None:
    assert load_report(report_data) == report_data
    path = tmp_path / "r.json"
    path.write_text(json.dumps(report_data))
    assert load_report(path) == load_report(str(path)) == report_data


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not JSON (line 1, column 2"),
        ("", "not JSON (line 1, column 1"),
        ("[]", "not an mbcheck report (a JSON object is expected, got list)"),
        ('{"schema_version": "1.0"}', "does not match the mbcheck report schema at `/`: 'tool' is a required property"),
        ('{"schema_version": "2.0"}', "report schema version 2.0 is not supported"),
    ],
)
def test_bad_reports_name_the_problem(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "r.json"
    path.write_text(content)
    with pytest.raises(ReportError) as info:
        load_report(path)
    assert str(info.value).startswith(f"{path}: ")
    assert message in str(info.value)


def test_schema_errors_point_at_the_field(report_data: dict[str, object]) -> None:
    data = json.loads(json.dumps(report_data))
    data["plugins"][0]["digest"] = "md5:abc"
    with pytest.raises(ReportError, match=r"at `/plugins/0/digest`: 'md5:abc' does not match"):
        load_report(data)


def test_missing_report_file(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="report file not found"):
        load_report(tmp_path / "missing.json")
