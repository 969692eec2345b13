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


def test_the_shipped_rule_catalog_is_current() -> None:
    """``rules/catalog.json`` (what reporters read) matches the rule classes."""
    import json

    from helpers import ROOT
    from mbcheck.rules.catalog import generate

    shipped = json.loads((ROOT / "rules" / "catalog.json").read_text(encoding="utf-8"))
    assert shipped == json.loads(json.dumps(generate())), (
        "rules/catalog.json is out of date: run `python -m mbcheck.rules.catalog > rules/catalog.json`"
    )
