"""Every rule's VALID and INVALID examples, run through the whole pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import run, write_plugin
from mbcheck.config import Config
from mbcheck.rules import all_rules
from mbcheck.rules.base import Example, ExternalRule

#: rules whose findings need a file system state an example cannot express;
#: each is tested elsewhere (named here so the exemption stays honest)
NO_EXAMPLES = {
    "MB005": "internal errors: tests/test_robustness.py injects a failing rule",
    "MB006": "unreadable files: tests/test_robustness.py removes read permission",
    "MB007": "symlinks: tests/test_discovery.py creates links and loops",
}


def _cases() -> list[tuple[str, str, int, Example]]:
    cases = []
    for code, rule in all_rules().items():
        if issubclass(rule, ExternalRule):
            continue
        for kind, examples in (("valid", rule.VALID), ("invalid", rule.INVALID)):
            for index, example in enumerate(examples):
                cases.append((code, kind, index, example))
    return cases


CASES = _cases()


def test_every_rule_has_examples_and_docs() -> None:
    for code, rule in all_rules().items():
        if issubclass(rule, ExternalRule):
            continue
        docs = rule.docs()
        assert docs.summary, f"{code} has no summary"
        assert docs.why, f"{code} has no 'Why:' section"
        assert docs.instead, f"{code} has no 'Instead:' section"
        if code in NO_EXAMPLES:
            continue
        assert rule.VALID, f"{code} has no VALID example"
        assert rule.INVALID, f"{code} has no INVALID example"


@pytest.mark.parametrize(("code", "kind", "index", "example"), CASES, ids=[f"{c}-{k}-{i}" for c, k, i, _ in CASES])
def test_rule_example(tmp_path: Path, code: str, kind: str, index: int, example: Example) -> None:
    if example.archive is not None:
        root = tmp_path / example.archive_name
        root.write_bytes(example.archive)
    else:
        root = write_plugin(tmp_path, example.plugin_files())
    settings = {key: value.format(root=root) for key, value in example.config.items()}
    report = run(root, Config(select=(code,)).with_overrides(**settings))
    assert not report.errors, report.errors
    found = [f for p in report.plugins for f in p.findings if f.rule == code]
    if kind == "valid":
        assert not found, f"{code} reported on a VALID example: {found}"
        return
    assert found, f"{code} did not report on INVALID example {index}"
    expected_path = example.path
    assert any(f.span.path == expected_path for f in found), [f.span for f in found]
    if example.line is not None:
        lines = sorted({f.span.line for f in found if f.span.path == expected_path})
        assert example.line in lines, f"{code}: expected line {example.line}, got {lines}"
    expected = example.fixed_files()
    if expected is None:
        assert not any(f.fix for f in found), f"{code}: INVALID example {index} offers a fix; state its FIXED result (`fixed=`)"
        return
    assert any(f.fix for f in found), f"{code}: INVALID example {index} states a FIXED result, but no finding carries a fix"
    _check_fixed(root, code, Config(select=(code,)).with_overrides(**settings), example, expected)


def _check_fixed(root: Path, code: str, config: Config, example: Example, expected: dict[str, str]) -> None:
    """Applying the rule's fixes (unsafe ones too) gives FIXED, which parses and the rule no
    longer reports; fixing FIXED again changes nothing (idempotent)."""
    import ast
    import tomllib

    import yaml

    from mbcheck.discovery import discover
    from mbcheck.engine import load_host_profile
    from mbcheck.fix import fix_targets, write_changes

    host = load_host_profile(config.host_profile)
    result = fix_targets(discover([root]), config, host, unsafe=True, jobs=1, use_cache=False)
    assert not result.refused, result.refused
    assert not write_changes(result.changes)
    for rel, text in expected.items():
        assert (root / rel).read_text(encoding="utf-8") == text, f"{code}: {rel} after the fix"
    for change in result.changes:
        text = (root / change.path).read_text(encoding="utf-8")
        if change.path.endswith(".py"):
            ast.parse(text)
        elif change.path.endswith((".yaml", ".yml")):
            yaml.safe_load(text)
        elif change.path.endswith(".toml"):
            tomllib.loads(text)
    changed = {change.path for change in result.changes}
    assert changed <= set(expected), f"{code}: the fix changed {sorted(changed - set(expected))}, which FIXED does not state"
    again = run(root, config)
    assert not [f for p in again.plugins for f in p.findings if f.rule == code], f"{code} still reported after its fix"
    assert not fix_targets(discover([root]), config, host, unsafe=True, jobs=1, use_cache=False).changes


def test_the_shipped_rule_catalog_is_current() -> None:
    """``rules/catalog.json`` (what reporters read) matches the rule classes."""
    import json

    from helpers import ROOT
    from mbcheck.rules.catalog import generate

    shipped = json.loads((ROOT / "rules" / "catalog.json").read_text(encoding="utf-8"))
    assert shipped == json.loads(json.dumps(generate())), (
        "rules/catalog.json is out of date: run `python -m mbcheck.rules.catalog > rules/catalog.json`"
    )
