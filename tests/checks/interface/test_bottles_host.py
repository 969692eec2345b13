"""Bottles as MilkBottle's registry finds and calls them: fixture trees in the host's real shapes.

The shapes are those of the host's in-tree bottles (``src/milkbottle/modules/{fontmilker,
pdfmilker,venvmilker}``) and its own ``pyproject.toml`` (setuptools, ``where = ["src"]``,
a stale ``build/lib`` copy and tests beside the package)."""

from __future__ import annotations

from pathlib import Path

from helpers import run, write_plugin
from mbcheck.config import Config
from mbcheck.discovery import discover, module_name
from mbcheck.distribution import outside, shipped_predicate
from mbcheck.model import PluginKind

GET_CLI = '''

def get_cli():
    """Return the CLI defined in ``{name}.cli``."""
    cli_module: ModuleType = importlib.import_module("milkbottle.modules.{name}.cli")
    if hasattr(cli_module, "app"):
        return cli_module.app
    raise RuntimeError("{name}.cli does not define 'app'.")
'''

INIT = '''import importlib
from types import ModuleType

__version__: str = "1.0.0"
__alias__ = "{name}"


def get_metadata():
    return {{"name": __alias__, "version": __version__, "dependencies": get_dependencies()}}


def get_dependencies():
    return [
        {deps}
    ]
''' + GET_CLI

#: fontmilker: a click group, re-bound as `app`
FONT_CLI = "import click\n\n\n@click.group()\ndef cli():\n    pass\n\n\napp = cli\n"
#: pdfmilker: a click group named `cli`, no `app`
PDF_CLI = "import click\n\n\n@click.group()\ndef cli():\n    pass\n\n\n@cli.command()\ndef extract():\n    pass\n"
#: venvmilker: a typer app
VENV_CLI = 'import typer\n\napp = typer.Typer(name="venvmilker")\n\n\n@app.callback(invoke_without_command=True)\ndef main():\n    pass\n'

HOST_PYPROJECT = '''[project]
name = "milkbottle"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["click>=8.0.0", "typer>=0.16.0", "rich>=13.7.1", "pillow>=10.3.0"]

[project.entry-points.'milkbottle.bottles']
venvmilker = "milkbottle.modules.venvmilker:get_cli"
pdfmilker = "milkbottle.modules.pdfmilker:get_cli"

[tool.setuptools.packages.find]
where = ["src"]

[build-system]
requires = ["setuptools>=61.0"]
build-backend = "setuptools.build_meta"
'''


def bottle_files(prefix: str = "src/milkbottle/modules/") -> dict[str, str]:
    files: dict[str, str] = {}
    for name, cli, deps in (
        ("fontmilker", FONT_CLI, '"rich>=13.0.0", "PIL>=10.0.0"'),
        ("pdfmilker", PDF_CLI, '"PyMuPDF>=1.23.0", "Rich>=13.0.0"'),
        ("venvmilker", VENV_CLI, '"python-slugify>=8.0.0", "typer~=0.9"'),
    ):
        files[f"{prefix}{name}/__init__.py"] = INIT.format(name=name, deps=deps)
        files[f"{prefix}{name}/cli.py"] = cli
    return files


def host_tree(tmp_path: Path) -> Path:
    files = {
        "pyproject.toml": HOST_PYPROJECT,
        "src/milkbottle/__init__.py": '__version__ = "1.0.0"\n',
        "src/milkbottle/registry.py": "MODULES = 'modules'\n",
        # a stale copy in build output and tests beside the package: never installed
        "build/lib/milkbottle/__init__.py": "from src.milkbottle import registry\n",
        "build/lib/milkbottle/modules/pdfmilker/cli.py": "app = (\n",
        "tests/test_registry.py": "import pytest\n",
        "src/milkbottle/modules/pdfmilker/tests/__init__.py": "",
        **bottle_files(),
    }
    return write_plugin(tmp_path, files, name="MilkBottle")


def summary(report, *codes: str) -> set[tuple[str, str, str, int]]:  # type: ignore[no-untyped-def]
    return {
        (p.name, f.rule, f.span.path, f.span.line)
        for p in report.plugins
        for f in p.findings
        if not codes or f.rule in codes
    }


BOTTLE_CODES = ("MB210", "MB211", "MB212", "MB213", "MB214", "MB215", "MB216")


# ---------------------------------------------------------------------------
# the two forms of bottle


def test_in_tree_bottle_directory_is_a_bottle_imported_as_milkbottle_modules(tmp_path: Path) -> None:
    root = host_tree(tmp_path)
    pdf = root / "src" / "milkbottle" / "modules" / "pdfmilker"
    (target,) = discover([pdf]).targets
    assert target.kind is PluginKind.BOTTLE and target.package == "milkbottle.modules.pdfmilker"
    assert module_name("cli.py", target.kind, target.package) == ("milkbottle.modules.pdfmilker.cli", False)
    assert module_name("__init__.py", target.kind, target.package) == ("milkbottle.modules.pdfmilker", True)
    report = run(pdf)
    (plugin,) = report.plugins
    assert plugin.kind is PluginKind.BOTTLE and plugin.name == "pdfmilker"
    # the plugin contract does not apply: no get_plugin_interface, plugin.yaml or host-API advice
    rules = {f.rule for f in plugin.findings}
    assert not rules & {"MB201", "MB115", "MB405", "MB406"}, rules


def test_modules_directory_lists_only_directories_with_a_cli(tmp_path: Path) -> None:
    root = host_tree(tmp_path)
    write_plugin(root / "src" / "milkbottle" / "modules", {"__init__.py": ""}, name="helpers")
    targets = discover([root / "src" / "milkbottle" / "modules"]).targets
    assert [(t.root.name, t.kind, t.package) for t in targets] == [
        (name, PluginKind.BOTTLE, f"milkbottle.modules.{name}") for name in ("fontmilker", "pdfmilker", "venvmilker")
    ]


def test_modules_directory_outside_a_milkbottle_package_is_not_special(tmp_path: Path) -> None:
    files = {"mypkg/__init__.py": "", "mypkg/modules/x/__init__.py": "", "mypkg/modules/x/cli.py": ""}
    root = write_plugin(tmp_path, files, name="other")
    (target,) = discover([root / "mypkg" / "modules" / "x"]).targets
    assert target.kind is PluginKind.PLUGIN


def test_host_tree_checks_in_tree_bottles_as_bottles(tmp_path: Path) -> None:
    report = run(host_tree(tmp_path), Config(select=BOTTLE_CODES))
    base = "src/milkbottle/modules/"
    assert summary(report) == {
        # pdfmilker: cli.py defines `cli`, not `app`
        ("milkbottle", "MB216", f"{base}pdfmilker/__init__.py", 22),
        # venvmilker: a typer.Typer has no .main
        ("milkbottle", "MB216", f"{base}venvmilker/__init__.py", 22),
        ("milkbottle", "MB215", f"{base}pdfmilker/__init__.py", 14),
        ("milkbottle", "MB215", f"{base}pdfmilker/__init__.py", 14),
        ("milkbottle", "MB215", f"{base}venvmilker/__init__.py", 14),
    }
    messages = [f.message for f in report.plugins[0].findings if f.rule == "MB216"]
    assert any("typer.main.get_command(app)" in m for m in messages)
    assert any("defines no `app`" in m and "`cli`" in m for m in messages)


def test_host_tree_without_entry_points_is_still_a_bottle_distribution(tmp_path: Path) -> None:
    root = host_tree(tmp_path)
    text = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(text.split("[project.entry-points")[0] + text.split("get_cli\"\n", 2)[2])
    (target,) = discover([root]).targets
    assert target.kind is PluginKind.BOTTLE and target.package == "milkbottle"
    found = summary(run(root, Config(select=("MB216",))))
    assert {path for _, _, path, _ in found} == {
        "src/milkbottle/modules/pdfmilker/__init__.py", "src/milkbottle/modules/venvmilker/__init__.py"
    }


def test_in_tree_bottle_without_init_is_a_namespace_package_without_get_cli(tmp_path: Path) -> None:
    root = host_tree(tmp_path)
    write_plugin(root / "src" / "milkbottle" / "modules", {"cli.py": FONT_CLI}, name="bare")
    found = summary(run(root, Config(select=("MB211",))))
    assert found == {("milkbottle", "MB211", "src/milkbottle/modules/bare/cli.py", 1)}


# ---------------------------------------------------------------------------
# entry points: the attribute is ignored, get_cli is required on the module


def _dist(entry: str, init: str) -> dict[str, str]:
    return {
        "pyproject.toml": f'[project]\nname = "b"\nversion = "1"\n\n[project.entry-points."milkbottle.bottles"]\nb = "{entry}"\n',
        "bpkg/__init__.py": init,
        "bpkg/cli.py": FONT_CLI,
    }


def test_entry_point_attribute_need_not_exist(tmp_path: Path) -> None:
    init = "__alias__ = 'b'\n__version__ = '1'\n\n\ndef get_cli():\n    from .cli import app\n\n    return app\n"
    root = write_plugin(tmp_path, _dist("bpkg:does_not_exist", init), name="d")
    assert summary(run(root, Config(select=BOTTLE_CODES))) == set()


def test_entry_point_module_without_get_cli_is_reported_at_the_entry_point(tmp_path: Path) -> None:
    root = write_plugin(tmp_path, _dist("bpkg.cli:app", "__alias__ = 'b'\n__version__ = '1'\n"), name="d")
    (finding,) = [f for p in run(root, Config(select=("MB210", "MB211"))).plugins for f in p.findings]
    assert (finding.rule, finding.span.path, finding.span.line) == ("MB211", "pyproject.toml", 6)
    assert "bpkg.cli" in finding.message


# ---------------------------------------------------------------------------
# call order: get_metadata replaces the dunders


def test_get_metadata_makes_dunders_unneeded_and_is_the_metadata(tmp_path: Path) -> None:
    init = (
        "def get_cli():\n    from .cli import app\n\n    return app\n\n\n"
        "def get_metadata():\n    return {'name': 'bee', 'version': '2.0', 'description': 'd'}\n"
    )
    root = write_plugin(tmp_path, {"modules/b/__init__.py": init, "modules/b/cli.py": FONT_CLI, "__init__.py": ""},
                        name="milkbottle")
    report = run(root / "modules" / "b", Config(select=BOTTLE_CODES))
    (plugin,) = report.plugins
    assert plugin.findings == ()
    assert plugin.metadata["name"] == "bee" and plugin.metadata["version"] == "2.0"


def test_get_metadata_returning_plugin_metadata_is_invalid(tmp_path: Path) -> None:
    init = (
        "from milkbottle.plugin_system import PluginMetadata\n\n\n"
        "def get_cli():\n    from .cli import app\n\n    return app\n\n\n"
        "def get_metadata():\n    return PluginMetadata(name='b', version='1')\n"
    )
    root = write_plugin(tmp_path, _dist("bpkg:get_cli", init), name="d")
    found = summary(run(root, Config(select=BOTTLE_CODES)))
    assert found == {("b", "MB214", "bpkg/__init__.py", 11)}


def test_module_level_capabilities_and_schema_are_not_required_nor_judged(tmp_path: Path) -> None:
    init = (
        "__alias__ = 'b'\n__version__ = '1'\n\n\ndef get_cli():\n    from .cli import app\n\n    return app\n\n\n"
        "def get_capabilities(required):\n    return []\n\n\nasync def get_config_schema():\n    return {}\n"
    )
    root = write_plugin(tmp_path, _dist("bpkg:get_cli", init), name="d")
    assert summary(run(root, Config(select=BOTTLE_CODES))) == set()


# ---------------------------------------------------------------------------
# get_dependencies lists import names


def test_dependency_entries_must_be_import_names(tmp_path: Path) -> None:
    entries = ["PIL>=10.0", "fitz", "slugify", "rich==13.7", "Pillow>=10.0.0", "PyMuPDF>=1.23.0",
               "python-slugify>=8.0.0", "Rich>=13.0.0", "Click>=8.0.0", "rich~=13.0", "requests[socks]>=2",
               "rich; python_version < '3.12'"]
    listed = "".join(f"        {e!r},\n" for e in entries)
    init = (
        "__alias__ = 'b'\n__version__ = '1'\n\n\ndef get_cli():\n    from .cli import app\n\n    return app\n\n\n"
        f"def get_dependencies():\n    return [\n{listed}    ]\n"
    )
    root = write_plugin(tmp_path, _dist("bpkg:get_cli", init), name="d")
    findings = [f for p in run(root, Config(select=("MB215",))).plugins for f in p.findings]
    first = 13  # line of the first entry
    assert sorted(f.span.line - first for f in findings) == list(range(4, len(entries)))
    fixes = {entries[f.span.line - first]: f.message.rsplit("write ", 1)[-1] for f in findings}
    assert fixes["Pillow>=10.0.0"] == '"PIL>=10.0.0"'
    assert fixes["PyMuPDF>=1.23.0"] == '"fitz>=1.23.0"'
    assert fixes["python-slugify>=8.0.0"] == '"slugify>=8.0.0"'
    assert fixes["Rich>=13.0.0"] == '"rich>=13.0.0"'
    assert fixes["rich~=13.0"] == '"rich>=13.0"'
    assert fixes["requests[socks]>=2"] == '"requests>=2"'


# ---------------------------------------------------------------------------
# a bottle distribution is what its build ships


def test_setuptools_where_scopes_the_distribution(tmp_path: Path) -> None:
    root = host_tree(tmp_path)
    report = run(root)
    (plugin,) = report.plugins
    assert plugin.outside_distribution == ("build/", "tests/")
    paths = {f.span.path for f in plugin.findings}
    assert not any(p.startswith(("build/", "tests/")) for p in paths), paths
    assert not any(item.path.startswith(("build/", "tests/")) for item in plugin.not_analysed)
    # the tests inside the package are shipped (setuptools finds namespace packages): analysed
    assert "src/milkbottle/modules/pdfmilker/tests/__init__.py" not in {i.path for i in plugin.not_analysed}


def test_outside_files_stay_in_the_digest(tmp_path: Path) -> None:
    root = host_tree(tmp_path)
    before = run(root).plugins[0].digest
    (root / "build" / "lib" / "milkbottle" / "__init__.py").write_text("import os\nos.system('x')\n")
    assert run(root).plugins[0].digest != before


def test_setuptools_include_exclude_and_packages_list() -> None:
    files = ["src/a/__init__.py", "src/a/x.py", "src/a/tests/t.py", "src/b/__init__.py", "scripts/s.py", "top.py"]
    find = {"build-system": {"build-backend": "setuptools.build_meta"},
            "tool": {"setuptools": {"packages": {"find": {"where": ["src"], "include": ["a*"], "exclude": ["a.tests"]}}}}}
    ships = shipped_predicate(files, find)
    assert ships is not None
    assert [f for f in files if ships(f)] == ["src/a/__init__.py", "src/a/x.py"]
    assert outside(files, ships) == ("scripts/", "src/a/tests/", "src/b/", "top.py")
    listed = {"tool": {"setuptools": {"packages": ["a"], "package-dir": {"": "src"}, "py-modules": []}}}
    ships = shipped_predicate(files, listed)
    assert ships is not None and [f for f in files if ships(f)] == ["src/a/__init__.py", "src/a/x.py"]


def test_other_backends_and_flat_layout() -> None:
    files = ["src/pkg/__init__.py", "src/pkg/m.py", "tests/test_m.py", "docs/conf.py"]
    hatch = {"build-system": {"build-backend": "hatchling.build"},
             "tool": {"hatch": {"build": {"targets": {"wheel": {"packages": ["src/pkg"]}}}}}}
    flit = {"build-system": {"build-backend": "flit_core.buildapi"}, "project": {"name": "pkg"}}
    poetry = {"build-system": {"build-backend": "poetry.core.masonry.api"},
              "tool": {"poetry": {"packages": [{"include": "pkg", "from": "src"}]}}}
    for data in (hatch, flit, poetry):
        ships = shipped_predicate(files, data)
        assert ships is not None and [f for f in files if ships(f)] == files[:2], data
    flat = ["pkg/__init__.py", "tests/__init__.py", "tests/t.py", "docs/conf.py", "setup.py", "mod.py"]
    ships = shipped_predicate(flat, {"project": {"name": "pkg"}})
    assert ships is not None and [f for f in flat if ships(f)] == ["pkg/__init__.py", "mod.py"]
    assert shipped_predicate(files, {"build-system": {"build-backend": "maturin"}}) is None
