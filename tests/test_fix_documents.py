"""Fixes of manifests (ruamel.yaml, tomlkit), the interface and `--add-noqa` comments, on their own."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import EXAMPLES, run, write_plugin
from mbcheck.config import Config
from mbcheck.discovery import discover
from mbcheck.engine import load_host_profile
from mbcheck.fix import FixRefused, fix_targets, write_changes
from mbcheck.model import Applicability
from mbcheck.noqa import comment_lines
from mbcheck.rules.base import EXAMPLE_INIT, EXAMPLE_MANIFEST


def fix(root: Path, select: tuple[str, ...], unsafe: bool = True) -> list[str]:
    config = Config(select=select)
    result = fix_targets(discover([root]), config, load_host_profile(config.host_profile), unsafe=unsafe, jobs=1, use_cache=False)
    assert not write_changes(result.changes)
    return sorted(change.path for change in result.changes)


def findings(root: Path, code: str) -> list[object]:
    return [f for p in run(root).plugins for f in p.findings if f.rule == code]


def test_a_crlf_manifest_keeps_its_newlines_and_comments(tmp_path: Path) -> None:
    manifest = "# top comment\r\n" + EXAMPLE_MANIFEST.replace("\n", "\r\n") + "permissions: []  # reviewed 2024\r\n"
    root = write_plugin(tmp_path, {"plugin.yaml": manifest.encode(), "__init__.py": "import subprocess\nsubprocess.run(['ls'])\n"})
    assert fix(root, ("MB300",)) == ["plugin.yaml"]
    # ruamel keeps the comment where it was, or one space after a value that now reaches past it
    assert (root / "plugin.yaml").read_bytes() == manifest.replace("permissions: []  #", "permissions: [subprocess] #").encode()


def test_a_fix_that_would_reformat_other_keys_is_not_offered(tmp_path: Path) -> None:
    # ruamel would rewrite the odd flow mapping on another key: no fix rather than a surprise
    manifest = EXAMPLE_MANIFEST + "extra: {a:   1,    b: 2}\npermissions: []\n"
    root = write_plugin(tmp_path, {"plugin.yaml": manifest, "__init__.py": "import subprocess\nsubprocess.run(['ls'])\n"})
    found = findings(root, "MB300")
    assert found
    fixed = [f for f in found if f.fix is not None]  # type: ignore[attr-defined]
    for finding in fixed:
        (edit,) = finding.fix.edits  # type: ignore[attr-defined]
        assert edit.span.line >= manifest.count("\n")  # only the permissions line
    fix(root, ("MB300",))
    assert "extra: {a:   1,    b: 2}\n" in (root / "plugin.yaml").read_text()


def test_a_dunder_only_plugin_never_gets_a_plugin_yaml(tmp_path: Path) -> None:
    init = '__version__ = "1.0.0"\n__description__ = "d"\n__author__ = "a"\n__email__ = "a@example.com"\nimport os\nos.environ.get("X")\n'
    root = write_plugin(tmp_path, {"__init__.py": init}, name="dunders")
    found = findings(root, "MB302")
    assert found and all(f.fix is None for f in found)  # type: ignore[attr-defined]
    assert fix(root, ("MB302", "MB405")) == []
    assert not (root / "plugin.yaml").exists()


def test_requires_python_goes_into_a_bottles_pyproject_with_tomlkit(tmp_path: Path) -> None:
    bottle = tmp_path / "textmilker"
    shutil.copytree(EXAMPLES / "bottles" / "textmilker", bottle, ignore=shutil.ignore_patterns("__pycache__"))
    pyproject = (bottle / "pyproject.toml").read_text()
    (bottle / "pyproject.toml").write_text(pyproject.replace('requires-python = ">=3.11"\n', ""))
    init = bottle / "src" / "textmilker" / "__init__.py"
    init.write_text(init.read_text() + "\n\ntype Pair = tuple[int, int]\n")
    assert fix(bottle, ("MB405",)) == ["pyproject.toml"]
    text = (bottle / "pyproject.toml").read_text()
    assert 'requires-python = ">=3.12"\n' in text
    assert text.replace('requires-python = ">=3.12"\n', "") == pyproject.replace('requires-python = ">=3.11"\n', "")
    assert text.startswith("# A MilkBottle bottle")  # comments kept


def test_async_initialize_is_safe_only_when_the_body_returns_literals(tmp_path: Path) -> None:
    literal = EXAMPLE_INIT.replace("    async def initialize(self) -> bool:\n", "    def initialize(self) -> bool:\n")
    root = write_plugin(tmp_path, {"__init__.py": literal}, name="literal")
    (finding,) = [f for f in findings(root, "MB205")]
    assert finding.fix.applicability is Applicability.SAFE  # type: ignore[attr-defined]
    computed = literal.replace("    def initialize(self) -> bool:\n        return True\n",
                               "    def initialize(self) -> bool:\n        return self.start()\n")
    root = write_plugin(tmp_path, {"__init__.py": computed}, name="computed")
    (finding,) = [f for f in findings(root, "MB205")]
    assert finding.fix.applicability is Applicability.UNSAFE  # type: ignore[attr-defined]
    assert fix(root, ("MB205",), unsafe=False) == []


def test_all_missing_methods_get_stubs_in_one_pass(tmp_path: Path) -> None:
    init = "class Plugin:\n    pass\n\n\ndef get_plugin_interface():\n    return Plugin()\n"
    root = write_plugin(tmp_path, {"__init__.py": init})
    assert len(findings(root, "MB204")) == 11
    fix(root, ("MB204",))
    text = (root / "__init__.py").read_text()
    assert text.count("raise NotImplementedError") == 11
    assert "    async def initialize(self):\n        raise NotImplementedError\n" in text
    assert "    def validate_config(self, config):\n" in text
    assert not findings(root, "MB204") and not findings(root, "MB205") and not findings(root, "MB206")


def test_noqa_comments_merge_and_skip_lines_that_cannot_take_one() -> None:
    source = b'x = eval(a)  # mbcheck: ignore[MB311]\ny = """\nz"""\nw = 1 + \\\n    2\n'
    out, count, skipped = comment_lines(source, "a.py", {1: {"B307"}, 2: {"MB001"}, 4: {"MB001"}, 5: {"MB311"}})
    assert out == b'x = eval(a)  # mbcheck: ignore[B307, MB311]\ny = """\nz"""\nw = 1 + \\\n    2  # mbcheck: ignore[MB311]\n'
    assert (count, skipped) == (2, [2, 4])


def test_noqa_in_yaml_refuses_a_comment_inside_a_block_scalar() -> None:
    text = b"description: |\n  line one\n  line two\ndependencies:\n  - numpy\n"
    with pytest.raises(FixRefused, match="change the document"):
        comment_lines(text, "plugin.yaml", {2: {"MB502"}})
    out, _, _ = comment_lines(text, "plugin.yaml", {5: {"MB502"}})
    assert out.endswith(b"  - numpy  # mbcheck: ignore[MB502]\n")
