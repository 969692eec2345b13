"""Paths -> plugins: plugin dirs, dirs of plugins, bottles, single files."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from helpers import EXAMPLES, run, write_plugin
from mbcheck.cli import app
from mbcheck.discovery import discover, list_files, module_name, plugin_root_of
from mbcheck.model import PluginKind

runner = CliRunner()
MANIFEST = (EXAMPLES / "plugins" / "hello_world" / "plugin.yaml").read_text()


def test_directory_of_plugins(tmp_path: Path) -> None:
    write_plugin(tmp_path, {"__init__.py": ""}, name="one")
    write_plugin(tmp_path, {"plugin.yaml": MANIFEST}, name="two")
    (tmp_path / "not_a_plugin").mkdir()
    (tmp_path / "notes.txt").write_text("hi")
    found = discover([tmp_path])
    assert [t.root.name for t in found.targets] == ["one", "two"]
    assert found.errors == ()


def test_plugin_dir_and_bottle_distribution(tmp_path: Path) -> None:
    bottle = write_plugin(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "venvmilker"\nversion = "1.0.0"\n'
            '[project.entry-points."milkbottle.bottles"]\nvenvmilker = "venvmilker.cli:get_cli"\n',
            "venvmilker/__init__.py": '__alias__ = "venv"\n',
            "venvmilker/cli.py": "def get_cli():\n    return None\n",
        },
        name="dist",
    )
    targets = discover([bottle]).targets
    assert len(targets) == 1 and targets[0].kind is PluginKind.BOTTLE and targets[0].package == "venvmilker"
    assert module_name("venvmilker/cli.py", PluginKind.BOTTLE, "venvmilker") == ("venvmilker.cli", False)
    assert module_name("src/venvmilker/__init__.py", PluginKind.BOTTLE, "venvmilker") == ("venvmilker", True)
    report = run(bottle)
    assert report.plugins[0].kind is PluginKind.BOTTLE
    assert report.plugins[0].name == "venvmilker"
    assert report.plugins[0].metadata["version"] == "1.0.0"


def test_single_files_map_to_their_plugin(tmp_path: Path) -> None:
    root = write_plugin(tmp_path, {"plugin.yaml": MANIFEST, "__init__.py": "", "pkg/deep/mod.py": "x = (\n", "other.py": "y = (\n"})
    assert plugin_root_of(root / "pkg" / "deep" / "mod.py") == root
    found = discover([root / "pkg" / "deep" / "mod.py", root / "plugin.yaml"])
    assert len(found.targets) == 1
    assert found.targets[0].only == frozenset({"pkg/deep/mod.py", "plugin.yaml"})
    # findings for the files given plus plugin-level ones, not for other.py
    report = run([root / "pkg" / "deep" / "mod.py"])
    paths = {f.span.path for f in report.plugins[0].findings}
    assert "pkg/deep/mod.py" in paths and "other.py" not in paths
    # a file outside any plugin is skipped quietly (pre-commit passes everything)
    loose = tmp_path / "loose.py"
    loose.write_text("x = 1\n")
    assert discover([loose]).targets == ()


def test_skipped_directories(tmp_path: Path) -> None:
    root = write_plugin(
        tmp_path,
        {
            "__init__.py": "",
            "mod.py": "",
            ".git/config": "",
            "__pycache__/mod.cpython-311.pyc": "",
            "build/lib/x.py": "",
            "env/pyvenv.cfg": "",
            "env/lib/site.py": "",
            "thing.egg-info/PKG-INFO": "",
            "node_modules/a.js": "",
        },
    )
    listing = list_files(root)
    # only version control and tool caches are skipped: no import reaches them
    assert listing.files == [
        "__init__.py", "build/lib/x.py", "env/lib/site.py", "env/pyvenv.cfg", "mod.py", "node_modules/a.js",
        "thing.egg-info/PKG-INFO",
    ]
    assert listing.bytecode == ["__pycache__/mod.cpython-311.pyc"]
    assert listing.environments == ["env/"]


def test_bottle_and_plugins_in_one_run_via_cli(tmp_path: Path) -> None:
    write_plugin(tmp_path, {"plugin.yaml": MANIFEST, "__init__.py": ""}, name="a_plugin")
    result = runner.invoke(app, ["lint", str(tmp_path), "--no-cache", "-f", "json", "--select", "MB0"])
    assert result.exit_code == 0, result.output


def test_build_output_is_analysed_and_digested(tmp_path: Path) -> None:
    from mbcheck.digest import digest_directory

    root = write_plugin(tmp_path, {"__init__.py": "", "build/evil.py": "x = (\n", ".git/HEAD": "ref"})
    assert list_files(root).files == ["__init__.py", "build/evil.py"]
    assert any(f.rule == "MB001" and f.span.path == "build/evil.py" for f in run(root).plugins[0].findings)
    before = digest_directory(root)
    (root / "build" / "evil.py").write_text("import os\n")
    assert digest_directory(root) != before
    (root / ".git" / "HEAD").write_text("other")
    after = digest_directory(root)
    assert digest_directory(root) == after
    assert run(root).plugins[0].digest == after
