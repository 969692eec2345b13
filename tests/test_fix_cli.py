"""`mbcheck lint --fix`, `--unsafe-fixes`, `--diff`, `--fix-only`, `--add-noqa`: what each writes, prints and exits with."""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import pytest
from jsonschema.validators import validator_for
from typer.testing import CliRunner

from helpers import EXAMPLES, SARIF_SCHEMA, run
from mbcheck.cli import app
from mbcheck.resources import load_json

GOOD = EXAMPLES / "plugins" / "hello_world"
TOOL = """\
import tempfile

import yaml


def read(text):
    return yaml.load(text)


def scratch():
    return tempfile.mktemp()
"""


def lint(*args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `mbcheck lint ARGS`."""
    result = CliRunner().invoke(app, ["lint", *args, "--no-cache", "--jobs", "1", "--isolated"], input=stdin)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def plugin(tmp_path: Path) -> Path:
    """The good example plugin with a module that has a safe fix (MB314) and an unsafe one (MB317)."""
    root = tmp_path / "hello_world"
    shutil.copytree(GOOD, root, ignore=shutil.ignore_patterns("__pycache__"))
    (root / "tool.py").write_text(TOOL, encoding="utf-8")
    return root


def rules_of(root: Path) -> set[str]:
    return {f.rule for p in run(root).plugins for f in p.findings}


def test_the_text_report_marks_fixable_findings_and_counts_them(plugin: Path) -> None:
    code, out, _ = lint(str(plugin))
    assert code == 1
    assert "tool.py:7:12: MB314 [*] warning" in out
    assert "tool.py:11:12: MB317 warning" in out  # unsafe: not marked without --unsafe-fixes
    assert "[*] 1 fixable with --fix (2 more with --unsafe-fixes)" in out
    _, out, _ = lint(str(plugin), "--unsafe-fixes")
    assert "MB317 [*] warning" in out and "[*] 3 fixable with --fix\n" in out


def test_diff_prints_the_fixes_and_changes_nothing(plugin: Path) -> None:
    before = (plugin / "tool.py").read_bytes()
    code, out, err = lint(str(plugin), "--diff")
    assert code == 1
    assert out.startswith("--- a/") and "tool.py\n+++ b/" in out
    assert "-    return yaml.load(text)\n+    return yaml.safe_load(text)\n" in out
    assert "mkstemp" not in out  # unsafe
    assert "would fix 1 finding in 1 file" in err
    assert (plugin / "tool.py").read_bytes() == before
    code, out, _ = lint(str(plugin), "--diff", "--unsafe-fixes")
    assert code == 1 and "+    return tempfile.mkstemp()\n" in out and "plugin.yaml" in out
    assert (plugin / "tool.py").read_bytes() == before


def test_diff_with_nothing_to_fix_exits_zero(tmp_path: Path) -> None:
    root = tmp_path / "hello_world"
    shutil.copytree(GOOD, root, ignore=shutil.ignore_patterns("__pycache__"))
    code, out, _ = lint(str(root), "--diff")
    assert (code, out) == (0, "")


def test_fix_applies_safe_fixes_and_reports_what_is_left(plugin: Path) -> None:
    code, out, err = lint(str(plugin), "--fix")
    assert "return yaml.safe_load(text)" in (plugin / "tool.py").read_text()
    assert "tempfile.mktemp()" in (plugin / "tool.py").read_text()
    assert "fixed 1 finding in 1 file" in err
    assert "MB314" not in out and "MB317 warning" in out
    assert code == 0  # only a warning is left (MB300 went with `yaml.load`)
    assert "MB314" not in rules_of(plugin)


def test_unsafe_fixes_apply_too_and_passes_settle(plugin: Path) -> None:
    code, out, err = lint(str(plugin), "--fix", "--unsafe-fixes")
    assert code == 0, out + err
    text = (plugin / "tool.py").read_text()
    assert "yaml.safe_load(text)" in text and "tempfile.mkstemp()" in text
    ast.parse(text)
    assert "permissions: [fs-write]\n" in (plugin / "plugin.yaml").read_text()
    assert not rules_of(plugin) & {"MB300", "MB301", "MB314", "MB317"}


def test_fix_only_applies_and_reports_nothing(plugin: Path) -> None:
    code, out, err = lint(str(plugin), "--fix-only")
    assert (code, out) == (0, "")
    assert "fixed 1 finding" in err
    assert "yaml.safe_load" in (plugin / "tool.py").read_text()


def test_fixes_from_stdin_go_to_stdout_and_never_to_the_file(plugin: Path) -> None:
    before = (plugin / "tool.py").read_bytes()
    code, out, err = lint("-", "--stdin-filename", str(plugin / "tool.py"), "--fix", stdin=TOOL.encode())
    assert out == TOOL.replace("yaml.load", "yaml.safe_load")
    assert "MB317" in err  # what is left is reported on stderr
    assert code == 0  # a warning is left
    assert (plugin / "tool.py").read_bytes() == before
    code, out, err = lint("-", "--stdin-filename", str(plugin / "tool.py"), "--fix-only", "--unsafe-fixes", stdin=TOOL.encode())
    assert code == 0 and "yaml.safe_load" in out and "mkstemp" in out and "MB317" not in err
    assert (plugin / "plugin.yaml").read_text() == (GOOD / "plugin.yaml").read_text()  # only the stdin file is fixed


def test_json_findings_carry_their_fix_and_validate(plugin: Path) -> None:
    _code, out, _ = lint(str(plugin), "-f", "json")
    data = json.loads(out)
    schema = load_json("schemas/report.schema.json")
    validator_for(schema)(schema).validate(data)
    fixes = {f["rule"]: f["fix"] for f in data["plugins"][0]["findings"] if "fix" in f}
    assert fixes["MB314"] == {
        "title": "Use `yaml.safe_load`",
        "applicability": "safe",
        "edits": [{"path": "tool.py", "line": 7, "column": 17, "end_line": 7, "end_column": 21, "content": "safe_load"}],
    }
    assert fixes["MB317"]["applicability"] == "unsafe"


def test_sarif_results_carry_fixes_valid_against_the_sarif_schema(plugin: Path) -> None:
    _, out, _ = lint(str(plugin), "-f", "sarif")
    data = json.loads(out)
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator_for(schema)(schema).validate(data)
    result = next(r for r in data["runs"][0]["results"] if r["ruleId"] == "MB314")
    change = result["fixes"][0]["artifactChanges"][0]
    assert change["artifactLocation"]["uri"].endswith("hello_world/tool.py")
    assert change["replacements"] == [{
        "deletedRegion": {"startLine": 7, "startColumn": 17, "endLine": 7, "endColumn": 21},
        "insertedContent": {"text": "safe_load"},
    }]


def test_fix_modes_cannot_be_combined(plugin: Path) -> None:
    code, _, err = lint(str(plugin), "--fix", "--diff")
    assert code == 2 and "--fix and --diff cannot be combined" in err
    code, _, err = lint(str(plugin), "--add-noqa", "--fix")
    assert code == 2
    code, _, err = lint(str(plugin), "--fix", "--statistics")
    assert code == 2 and "--statistics" in err


def test_crlf_newlines_survive_a_fix(plugin: Path) -> None:
    (plugin / "tool.py").write_bytes(TOOL.replace("\n", "\r\n").encode())
    lint(str(plugin), "--fix")
    assert (plugin / "tool.py").read_bytes() == TOOL.replace("\n", "\r\n").replace("yaml.load", "yaml.safe_load").encode()


def test_a_file_reached_through_a_symbolic_link_is_not_fixed(plugin: Path) -> None:
    (plugin / "pkg").mkdir()
    (plugin / "tool.py").rename(plugin / "pkg" / "tool.py")
    (plugin / "alias").symlink_to(plugin / "pkg", target_is_directory=True)
    _code, _out, err = lint(str(plugin), "--fix")
    assert "alias/tool.py: alias is a symbolic link; fixes never follow links" in err
    assert (plugin / "alias").is_symlink()
    assert (plugin / "pkg" / "tool.py").read_text() == TOOL.replace("yaml.load", "yaml.safe_load")


def test_add_noqa_silences_every_current_finding(plugin: Path) -> None:
    (plugin / "tool.py").write_text(TOOL.replace("return yaml.load(text)", "return yaml.load(text)  # mbcheck: ignore[MB300]"))
    code, out, err = lint(str(plugin), "--add-noqa")
    assert code == 0, err
    assert "added 2 suppression comments in 1 file" in err  # one per line
    text = (plugin / "tool.py").read_text()
    assert "    return yaml.load(text)  # mbcheck: ignore[MB300, MB314]\n" in text
    assert "    return tempfile.mktemp()  # mbcheck: ignore[MB317]\n" in text
    code, out, _ = lint(str(plugin))
    assert code == 0, out
    # a second run has nothing to add
    _, _, err = lint(str(plugin), "--add-noqa")
    assert "added 0 suppression comments" in err


def test_add_noqa_in_plugin_yaml_only_where_mbcheck_reads_the_comment(tmp_path: Path) -> None:
    root = tmp_path / "hello_world"
    shutil.copytree(GOOD, root, ignore=shutil.ignore_patterns("__pycache__"))
    manifest = (root / "plugin.yaml").read_text()
    manifest = manifest.replace("permissions: []\n", "permissions: [network]\ndependencies:\n  - numpy>=1.26\n")
    (root / "plugin.yaml").write_text(manifest)
    code, _out, err = lint(str(root), "--add-noqa")
    assert code == 0
    text = (root / "plugin.yaml").read_text()
    assert "  - numpy>=1.26  # mbcheck: ignore[MB502, MB509]\n" in text  # a dependency finding: emit() reads it
    assert "permissions: [network]\n" in text  # MB301: no comment there silences it
    assert "MB301 not suppressed" in err
    assert "MB502" not in rules_of(root)


def test_examples_fixed_then_linted_again_report_only_what_is_left(tmp_path: Path) -> None:
    """`--fix --unsafe-fixes` on copies of the broken example plugins: everything fixable is fixed,
    every changed file still parses, and the rest is reported as before."""
    copies = tmp_path / "plugins"
    shutil.copytree(EXAMPLES / "plugins", copies, ignore=shutil.ignore_patterns("__pycache__"))
    before = {(p.name, f.rule, f.span.path, f.span.line) for p in run(copies).plugins for f in p.findings}
    fixable = {(p.name, f.rule) for p in run(copies).plugins for f in p.findings if f.fix is not None}
    assert {("broken_interface", "MB205"), ("broken_interface", "MB204"), ("old_python", "MB401")} <= fixable
    code, _out, err = lint(str(copies), "--fix-only", "--unsafe-fixes")
    assert code == 0, err
    after = run(copies)
    assert not [f for p in after.plugins for f in p.findings if f.fix is not None]
    left = {(p.name, f.rule) for p in after.plugins for f in p.findings}
    assert not {("broken_interface", "MB204"), ("old_python", "MB401")} & left
    assert "- numpy" not in (copies / "deps_trouble" / "plugin.yaml").read_text()  # unused: removed
    assert "reqeusts>=2.31" in (copies / "deps_trouble" / "plugin.yaml").read_text()  # a misspelling: the author's call
    assert {("half_broken", "MB001"), ("bad_manifest", "MB103")} <= left  # nothing fixes these
    assert len(left) < len({(n, r) for n, r, _, _ in before})
    for path in copies.rglob("*.py"):
        if path.name != "broken.py":  # half_broken's planted syntax error stays
            ast.parse(path.read_text(encoding="utf-8"))
    init = (copies / "broken_interface" / "plugin.py").read_text()
    assert "async def initialize" in init and "def get_error_log(self):\n        raise NotImplementedError" in init
    assert 'python_version: "3.11"' in (copies / "old_python" / "plugin.yaml").read_text()


def test_an_archive_is_never_changed(plugin: Path, tmp_path: Path) -> None:
    archive = Path(shutil.make_archive(str(tmp_path / "hello_world"), "zip", plugin))
    before = archive.read_bytes()
    code, _out, err = lint(str(archive), "--fix")
    assert "read from an archive, which fixes never change (1 not applied" in err
    assert archive.read_bytes() == before
    assert code in (0, 1)
