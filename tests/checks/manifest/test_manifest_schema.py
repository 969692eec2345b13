"""schemas/plugin-manifest.schema.json against the example manifests in cases/.

Every file in ``cases/valid`` must validate. Every file in ``cases/invalid``
must fail, and starts with ``# expect: <text>``: a substring of one error's
message, or the JSON Schema keyword that failed. An optional ``# line: N``
says on which line the failing value (or, for an unknown key, the key) is
written, as located through :mod:`mbcheck.documents.pointers`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from mbcheck.documents.pointers import LoadedDocument, join_pointer, load_yaml
from mbcheck.model import Span
from mbcheck.resources import load_json

CASES = Path(__file__).resolve().parent / "cases"
VALID = sorted((CASES / "valid").glob("*.yaml"))
INVALID = sorted((CASES / "invalid").glob("*.yaml"))
HEADER = re.compile(r"^#\s*(?P<name>expect|line):\s*(?P<value>.+?)\s*$")

#: the host's PluginMetadata fields and mbcheck's additions (the contract)
METADATA_FIELDS = {
    "name",
    "version",
    "description",
    "author",
    "email",
    "license",
    "dependencies",
    "capabilities",
    "tags",
    "repository",
    "documentation",
    "homepage",
    "min_milkbottle_version",
    "max_milkbottle_version",
    "python_version",
    "keywords",
    "classifiers",
}
MBCHECK_FIELDS = {"permissions", "default_config", "requires_plugins"}
PERMISSIONS = ["network", "subprocess", "fs-write", "dynamic-code", "native-code", "env", "desktop"]

MINIMAL = {
    "name": "hello",
    "version": "1.0.0",
    "description": "Says hello to the user.",
    "author": "Jane Doe",
    "email": "jane@example.com",
    "license": "MIT",
}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = load_json("schemas/plugin-manifest.schema.json")
    return loaded


@pytest.fixture(scope="module")
def validator(schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def headers(path: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = HEADER.match(line)
        if match is None:
            break
        found[match.group("name")] = match.group("value")
    return found


def error_span(document: LoadedDocument, error: jsonschema.ValidationError) -> Span:
    """Where a finding about ``error`` points: the value, or an unexpected key."""
    pointer = join_pointer(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        extra = [key for key in error.instance if key not in known]
        if extra:
            return document.key_span(pointer + join_pointer([extra[0]]))
    return document.span(pointer)


def test_schema_is_valid_2020_12(schema: dict[str, Any]) -> None:
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "https://mbcheck.dev/schemas/plugin-manifest.schema.json"
    assert schema["additionalProperties"] is False


def test_schema_covers_the_contract(schema: dict[str, Any]) -> None:
    assert set(schema["properties"]) == METADATA_FIELDS | MBCHECK_FIELDS
    assert set(schema["required"]) == {
        "name",
        "version",
        "description",
        "author",
        "email",
        "license",
    }
    permission_items = schema["properties"]["permissions"]["items"]
    assert permission_items["enum"] == PERMISSIONS


def test_every_property_is_documented(schema: dict[str, Any]) -> None:
    for name, definition in schema["properties"].items():
        assert len(definition.get("description", "")) >= 20, name
    description = schema["properties"]["default_config"]["description"]
    assert "config.yaml" in description and "__init__.py" in description


def test_there_are_cases() -> None:
    assert len(VALID) >= 3
    assert len(INVALID) >= 10


@pytest.mark.parametrize("path", VALID, ids=[p.name for p in VALID])
def test_valid_case(path: Path, validator: Draft202012Validator) -> None:
    document = load_yaml(path.read_bytes(), path.name)
    assert document.value == yaml.safe_load(path.read_text(encoding="utf-8"))
    errors = [error.message for error in validator.iter_errors(document.value)]
    assert errors == []


@pytest.mark.parametrize("path", INVALID, ids=[p.name for p in INVALID])
def test_invalid_case(path: Path, validator: Draft202012Validator) -> None:
    expected = headers(path)
    assert "expect" in expected, f"{path.name} needs a first line '# expect: ...'"
    document = load_yaml(path.read_bytes(), path.name)
    errors = list(validator.iter_errors(document.value))
    assert errors, f"{path.name} validates"
    matching = [
        error
        for error in errors
        if expected["expect"] in error.message or expected["expect"] == error.validator
    ]
    assert matching, (expected["expect"], [(e.validator, e.message) for e in errors])
    if "line" in expected:
        lines = {error_span(document, error).line for error in matching}
        assert int(expected["line"]) in lines


@pytest.mark.parametrize("field", sorted(METADATA_FIELDS | MBCHECK_FIELDS))
def test_each_field_rejects_a_wrong_type(field: str, validator: Draft202012Validator) -> None:
    manifest = {**MINIMAL, field: 12345}
    assert not validator.is_valid(manifest)


@pytest.mark.parametrize("field", sorted(MINIMAL))
def test_each_required_field_is_required(field: str, validator: Draft202012Validator) -> None:
    manifest = {key: value for key, value in MINIMAL.items() if key != field}
    errors = list(validator.iter_errors(manifest))
    assert [error.validator for error in errors] == ["required"]
    assert repr(field) in errors[0].message


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1, max_size=20))
def test_unknown_keys_are_refused(key: str) -> None:
    validator = Draft202012Validator(load_json("schemas/plugin-manifest.schema.json"))
    if key in METADATA_FIELDS | MBCHECK_FIELDS:
        return
    errors = list(validator.iter_errors({**MINIMAL, key: "x"}))
    assert [error.validator for error in errors] == ["additionalProperties"]


@pytest.mark.parametrize(
    ("email", "ok"),
    [
        ("jane@example.com", True),
        ("j.d+tag_1%x@sub.example.co", True),
        ("jane@localhost", False),
        ("jane@example.c", False),
        ("jane example@example.com", False),
        ("@example.com", False),
    ],
)
def test_email_pattern(email: str, ok: bool, validator: Draft202012Validator) -> None:
    assert validator.is_valid({**MINIMAL, "email": email}) is ok


@pytest.mark.parametrize(
    ("path", "ok"),
    [
        ("config.yaml", True),
        ("config.json", True),
        ("defaults/config.yaml", True),
        ("./config.json", True),
        ("/etc/config.yaml", False),
        ("../config.yaml", False),
        ("a/../../config.yaml", False),
        ("C:/config.yaml", False),
        ("sub\\config.yaml", False),
        ("myconfig.yaml", False),
        ("config.yml", False),
        ("config.toml", False),
    ],
)
def test_default_config_path(path: str, ok: bool, validator: Draft202012Validator) -> None:
    assert validator.is_valid({**MINIMAL, "default_config": path}) is ok


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://github.com/example/plugin", True),
        ("http://example.com", True),
        (None, True),
        ("ftp://example.com", False),
        ("github.com/example", False),
        ("https://", False),
        ("https://exa mple.com", False),
    ],
)
def test_url_fields(url: str | None, ok: bool, validator: Draft202012Validator) -> None:
    for field in ("repository", "documentation", "homepage"):
        assert validator.is_valid({**MINIMAL, field: url}) is ok, field


def test_permissions_are_unique_and_known(validator: Draft202012Validator) -> None:
    assert validator.is_valid({**MINIMAL, "permissions": PERMISSIONS})
    assert not validator.is_valid({**MINIMAL, "permissions": ["network", "network"]})
    assert not validator.is_valid({**MINIMAL, "permissions": ["Network"]})
    assert not validator.is_valid({**MINIMAL, "permissions": "network"})
