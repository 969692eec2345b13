"""A plugin's config schema cannot make mbcheck run unbounded (ReDoS, `$ref` fan-out and loops, remote refs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import ROOT, run, write_plugin
from mbcheck.checks.config.bounded import (
    MAX_SUBSCHEMAS,
    Unbounded,
    static_problems,
    validate,
    validator_for,
)
from mbcheck.checks.deps.requirements import parse_requirements_file
from mbcheck.checks.interface.examples import example_plugin
from mbcheck.config import Config
from mbcheck.rules.base import EXAMPLE_MANIFEST

#: the attack: Python's `re` needs minutes for this default against this pattern
EVIL = repr({"type": "object", "properties": {"name": {"type": "string", "pattern": "^(a+)+$", "default": "a" * 34 + "!"}}})
#: a regression must fail, not hang the suite
TIMEOUT = 120


def _plugin(tmp_path: Path, schema: str, **files: str) -> Path:
    init = example_plugin(replace={"get_config_schema": f"    def get_config_schema(self):\n        return {schema}\n"})
    return write_plugin(tmp_path, {"plugin.yaml": EXAMPLE_MANIFEST, "__init__.py": init, **files})


def _findings(root: Path) -> list[tuple[str, str, int]]:
    report = run(root, Config(select=("MB25",)))
    return [(f.rule, f.message, f.span.line) for f in report.plugins[0].findings]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "MBCHECK_CACHE_DIR": ""}


def test_the_redos_schema_through_mbcheck_lint_finishes_fast(tmp_path: Path) -> None:
    root = _plugin(tmp_path, EVIL)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-P", "-m", "mbcheck", "lint", str(root), "-f", "json", "--no-cache", "--select", "MB25"],
        capture_output=True, text=True, timeout=TIMEOUT, cwd=tmp_path, env=_env(), check=False,
    )
    assert done.returncode == 1, done.stderr
    assert time.monotonic() - started < TIMEOUT
    findings = json.loads(done.stdout)["plugins"][0]["findings"]
    assert [(f["rule"], f["line"]) for f in findings] == [("MB251", 22)]
    assert "does not match '^(a+)+$'" in findings[0]["message"]


def test_the_redos_schema_through_the_api_finishes_fast(tmp_path: Path) -> None:
    root = _plugin(tmp_path, EVIL)
    script = (
        "import json, sys\n"
        "from mbcheck.api import check, report_json\n"
        "report = report_json(check(sys.argv[1], {'select': ['MB25']}, jobs=1, use_cache=False))\n"
        "print(json.dumps([f['rule'] for f in report['plugins'][0]['findings']]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-P", "-c", script, str(root)],
        capture_output=True, text=True, timeout=TIMEOUT, cwd=tmp_path, env=_env(), check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == ["MB251"]


def test_a_pattern_re2_cannot_run_is_reported_and_not_evaluated(tmp_path: Path) -> None:
    schema = "{'type': 'object', 'properties': {'name': {'type': 'string', 'pattern': '^(?!admin).*$', 'default': 'admin'}}}"
    root = _plugin(tmp_path, schema, **{"config.yaml": "name: admin\n"})
    findings = _findings(root)
    assert [(rule, line) for rule, _, line in findings] == [("MB255", 22)]
    assert "pattern '^(?!admin).*$' cannot be checked in bounded time" in findings[0][1]
    assert "was not evaluated" in findings[0][1]


def test_validation_goes_on_without_the_pattern(tmp_path: Path) -> None:
    schema = "{'type': 'object', 'properties': {'name': {'type': 'string', 'pattern': '(a)\\\\1', 'default': 3}}}"
    rules = sorted(rule for rule, _, _ in _findings(_plugin(tmp_path, schema)))
    assert rules == ["MB251", "MB255"]


def test_a_valid_pattern_still_catches_bad_defaults(tmp_path: Path) -> None:
    schema = "{'type': 'object', 'properties': {'name': {'type': 'string', 'pattern': '^[a-z]+$', 'default': 'Not Lower'}}}"
    root = _plugin(tmp_path, schema, **{"config.yaml": "name: ALSO BAD\n"})
    found = {(rule, line) for rule, _, line in _findings(root)}
    assert found == {("MB251", 22), ("MB252", 1)}
    good = _plugin(tmp_path / "good", schema.replace("Not Lower", "lower"), **{"config.yaml": "name: fine\n"})
    assert _findings(good) == []


def test_pattern_properties_run_on_re2(tmp_path: Path) -> None:
    schema = (
        "{'type': 'object', 'patternProperties': {'^(a+)+$': {'type': 'integer'}}, 'additionalProperties': False}"
    )
    root = _plugin(tmp_path, schema, **{"config.yaml": f"{'a' * 34}!: 1\n{'a' * 30}: x\n"})
    messages = sorted(message for _, message, _ in _findings(root))
    assert len(messages) == 2, messages
    assert "unknown key" in messages[1] or "unknown key" in messages[0]
    assert any("is not of type 'integer'" in m for m in messages)


def test_ref_fan_out_and_loops_are_stopped_and_reported(tmp_path: Path) -> None:
    defs = ", ".join(f"'a{i}': {{'anyOf': [{{'$ref': '#/$defs/a{i + 1}'}}, {{'$ref': '#/$defs/a{i + 1}'}}]}}" for i in range(30))
    fan_out = f"{{'$defs': {{{defs}, 'a30': {{'type': 'string'}}}}, 'properties': {{'x': {{'$ref': '#/$defs/a0', 'default': 1}}}}}}"
    started = time.monotonic()
    findings = _findings(_plugin(tmp_path / "fan", fan_out))
    assert time.monotonic() - started < 30
    assert [rule for rule, _, _ in findings] == ["MB255"]
    assert "could not be checked against the schema in bounded time" in findings[0][1]

    loop = "{'$defs': {'a': {'$ref': '#/$defs/a'}}, 'properties': {'x': {'$ref': '#/$defs/a', 'default': 1}}}"
    findings = _findings(_plugin(tmp_path / "loop", loop))
    assert [rule for rule, _, _ in findings] == ["MB255"]
    assert "nests too deeply" in findings[0][1]


def test_a_huge_or_deep_schema_is_not_validated(tmp_path: Path) -> None:
    many = "{'type': 'object', 'properties': {" + ", ".join(f"'p{i}': {{'default': 'x', 'type': 'integer'}}" for i in range(MAX_SUBSCHEMAS + 1)) + "}}"
    findings = _findings(_plugin(tmp_path / "many", many))
    assert [rule for rule, _, _ in findings] == ["MB255"]
    assert f"more than {MAX_SUBSCHEMAS:,} subschemas" in findings[0][1]

    deep = "{'not': " * 49 + "{}" + "}" * 49
    findings = _findings(_plugin(tmp_path / "deep", deep))
    assert [rule for rule, _, _ in findings] == ["MB255"]
    assert "nest deeper than" in findings[0][1]


def test_a_remote_ref_is_never_retrieved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import urllib.request

    def no_network(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("mbcheck fetched a plugin's $ref")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    schema = "{'properties': {'x': {'$ref': 'http://127.0.0.1:9/schema.json', 'default': 1}}}"
    assert _findings(_plugin(tmp_path, schema, **{"config.yaml": "x: 2\n"})) == []


def test_unique_items_is_linear_and_keeps_json_equality() -> None:
    from jsonschema import Draft202012Validator

    validator = validator_for(Draft202012Validator, {"uniqueItems": True})
    assert validate(lambda: list(validator.iter_errors([1, 1.0]))) != []
    assert validate(lambda: list(validator.iter_errors([1, True, {"a": [1]}, {"a": [True]}]))) == []
    items = [{"k": i} for i in range(100_000)]
    started = time.monotonic()
    assert validate(lambda: list(validator.iter_errors(items))) == []
    assert time.monotonic() - started < 10  # pairwise comparison would take hours


def test_requirement_lines_are_parsed_in_linear_time() -> None:
    """Our own patterns meet plugin data too: none may backtrack quadratically."""
    texts = {"requirements.txt": "requests" + " " * 200_000 + "x\n" + "a" * 100_000 + " " * 100_000 + "\n"}
    started = time.monotonic()
    parse_requirements_file("requirements.txt", texts.get)
    assert time.monotonic() - started < 10


def test_a_long_homepage_is_checked_in_linear_time(tmp_path: Path) -> None:
    manifest = EXAMPLE_MANIFEST + "homepage: http://" + "a" * 200_000 + " x\n"
    root = write_plugin(tmp_path, {"plugin.yaml": manifest, "__init__.py": example_plugin()})
    started = time.monotonic()
    run(root, Config(select=("MB1",)))
    assert time.monotonic() - started < 10


_KEYWORDS = st.sampled_from(
    ["type", "pattern", "patternProperties", "properties", "additionalProperties", "unevaluatedProperties", "items",
     "anyOf", "allOf", "oneOf", "not", "$ref", "enum", "uniqueItems", "default", "$defs", "minLength", "required"]
)
_LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.text(max_size=8),
    st.sampled_from(["^(a+)+$", "(?=x)", "(a)\\1", "[", "#", "#/$defs/x", "#/properties", "string", "object"]),
)
_SCHEMAS = st.recursive(
    _LEAVES,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.one_of(_KEYWORDS, st.text(max_size=3)), children, max_size=5)),
    max_leaves=30,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schema=_SCHEMAS, instance=_SCHEMAS)
def test_any_schema_is_judged_without_crashing_or_hanging(schema: Any, instance: Any) -> None:
    from jsonschema import Draft202012Validator

    static_problems(schema)
    meta = validator_for(Draft202012Validator, Draft202012Validator.META_SCHEMA)
    try:
        if not isinstance(schema, dict) or validate(lambda: list(meta.iter_errors(schema))):
            return  # the config rules validate only with schemas that pass their metaschema
        validator = validator_for(Draft202012Validator, schema)
        validate(lambda: list(validator.iter_errors(instance)))
    except Unbounded:
        pass
    except Exception as error:  # an unresolvable `$ref`: the rules skip the check
        assert type(error).__module__.split(".")[0] in ("jsonschema", "referencing"), repr(error)
