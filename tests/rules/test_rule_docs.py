"""Rule documentation: `mbcheck explain`, the generated pages under docs/rules/, SARIF's helpUri."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpers import ROOT, write_plugin
from mbcheck.cli import app
from mbcheck.display import printable
from mbcheck.rules import all_rules
from mbcheck.rules.base import ExternalRule, Invalid, Valid
from mbcheck.rules.catalog import REPOSITORY_URL, RULE_DOCS_URL, help_uri
from mbcheck.rules.docs import example_files, pages, stale_pages

runner = CliRunner()
OWN_RULES = [code for code, rule in all_rules().items() if not issubclass(rule, ExternalRule)]
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _explain(code: str) -> str:
    result = runner.invoke(app, ["explain", code])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("code", sorted(all_rules()))
def test_explain_prints_no_empty_example_block_and_no_control_character(code: str) -> None:
    out = _explain(code)
    assert not CONTROL.search(out), f"{code}: control character in {out!r}"
    lines = out.split("\n")
    for number, line in enumerate(lines):
        if re.match(r"(Flagged|Fine) \(", line):
            assert lines[number + 1].startswith("    ") and lines[number + 1].strip(), f"{code}: empty block after {line!r}"


def test_explain_shows_the_file_an_example_is_about_not_the_empty_init() -> None:
    out = _explain("MB105")  # its examples are plugin.yaml files; the example's __init__.py is empty
    assert "Fine (__init__.py):" not in out
    assert "Fine (plugin.yaml):" in out and "Flagged (plugin.yaml):" in out


def test_explain_escapes_the_nul_byte_of_mb001() -> None:
    out = _explain("MB001")
    assert "print('\\x00')" in out
    assert "invisible characters shown as escapes" in out


def test_explain_ends_with_the_rule_page() -> None:
    assert _explain("MB102").rstrip().endswith(f"Documentation: {RULE_DOCS_URL}/MB102.md")


def test_no_rule_tells_the_reader_to_read_itself() -> None:
    for code, rule in all_rules().items():
        instead = rule.docs().instead
        assert not re.search(rf"(explain|docs/rules/|see) `?{code}\b", instead), (code, instead)


def test_examples_show_what_they_bring() -> None:
    [only] = example_files(Valid(files={"config.yaml": "level: 3\n"}))
    assert only.name == "config.yaml" and only.text == "level: 3\n" and only.language == "yaml"
    shown = example_files(Invalid("import os\n", files={"data.json": "{}"}))
    assert [f.name for f in shown] == ["__init__.py", "data.json"]  # the reported file first; no default manifest
    [empty] = example_files(Valid(bare=True))
    assert empty.text == "(empty file)"


def test_printable_escapes_control_and_invisible_characters() -> None:
    assert printable("a\x00b\tc\n\u200b\x1b[31m") == ("a\\x00b\tc\n\\u200b\\x1b[31m", True)
    assert printable("plain\n") == ("plain\n", False)


def test_the_committed_rule_pages_are_current() -> None:
    """docs/rules/ matches the rule classes (regenerate: python -m mbcheck.rules.docs)."""
    assert stale_pages(ROOT / "docs" / "rules") == []


def test_every_own_rule_has_a_page_with_the_sections_and_the_index_links_it() -> None:
    generated = pages()
    index = generated["README.md"]
    for code in OWN_RULES:
        page = generated[f"{code}.md"]
        for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Severity"):
            assert heading in page, (code, heading)
        assert f"[{code}]({code}.md)" in index
        assert not CONTROL.search(page), code
    page = generated["MB102.md"]
    assert "**Reported at `plugin.yaml:10`**" in page and "dependancies: [requests]" in page
    assert "Category: `manifest` · default severity: `error`" in page
    assert "- `error` by default\n- `warning` when" in generated["MB008.md"]


def test_the_docs_command_writes_and_checks_pages(tmp_path: Path) -> None:
    target = tmp_path / "rules"
    command = [sys.executable, "-P", "-m", "mbcheck.rules.docs", "--output", str(target)]
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    stale = subprocess.run([*command, "--check"], env=env, capture_output=True, text=True, check=False)
    assert stale.returncode == 1 and "run `python -m mbcheck.rules.docs`" in stale.stderr
    subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    (target / "MB999.md").write_text("a rule that no longer exists\n", encoding="utf-8")
    assert stale_pages(target) == ["MB999.md"]
    subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    assert not (target / "MB999.md").exists()
    assert subprocess.run([*command, "--check"], env=env, capture_output=True, check=False).returncode == 0


def test_the_repository_url_is_the_one_pyproject_names() -> None:
    urls = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["urls"]
    assert urls["Repository"] == REPOSITORY_URL
    assert f"{REPOSITORY_URL}/blob/main/docs/rules" == RULE_DOCS_URL


def test_sarif_rules_carry_a_help_uri_to_their_page(tmp_path: Path) -> None:
    plugin = write_plugin(tmp_path, {"__init__.py": "import pickle\nimport subprocess\nsubprocess.call('ls', shell=True)\n"}, name="risky")
    result = runner.invoke(app, ["lint", str(plugin), "-f", "sarif", "--no-cache", "-j", "1"])
    driver = json.loads(result.stdout)["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == REPOSITORY_URL
    uris = {rule["id"]: rule["helpUri"] for rule in driver["rules"]}
    assert any(code.startswith("B") for code in uris) and any(code.startswith("MB") for code in uris)
    for code, uri in uris.items():
        if code.startswith("MB"):
            assert uri == f"{RULE_DOCS_URL}/{code}.md"
            assert (ROOT / "docs" / "rules" / f"{code}.md").is_file()
        else:
            assert uri.startswith("https://bandit.readthedocs.io/") and code.lower() in uri


def test_bandit_help_uri_leaves_bandits_tables_as_they_were() -> None:
    from bandit.core import extension_loader

    before = dict(extension_loader.MANAGER.blacklist_by_id["B403"])
    assert help_uri("B403").endswith("blacklist_imports.html#b403-import-pickle")
    assert extension_loader.MANAGER.blacklist_by_id["B403"] == before
    assert help_uri("B101").endswith("plugins/b101_assert_used.html")
