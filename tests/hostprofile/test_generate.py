"""`mbcheck host-profile`: a profile read statically from a MilkBottle tree (a miniature one under tests/fixtures)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from helpers import ROOT
from mbcheck.cli import app
from mbcheck.config import DEFAULT_HOST_PROFILE
from mbcheck.engine import load_host_profile
from mbcheck.hostprofile import HostProfileError, generate, render
from mbcheck.resources import list_dir, load_json

HOST = ROOT / "tests" / "fixtures" / "milkbottle_host"
COMMIT = "0123456789abcdef0123456789abcdef01234567"
#: 2024-01-02 (UTC)
EPOCH = "1704196800"

#: what the miniature host states, read from its files (see each comment's file)
EXPECTED: dict[str, Any] = {
    "$schema": "../../schemas/host-profile.schema.json",
    "name": "milkbottle-5.0.0",
    "source": {
        "commit": None,
        "layout": "repository",
        "generated": "2024-01-02",
        "generator": "",
        "command": "",
    },
    # MilkBottleConfig.version (config.py) is what plugin compatibility compares with
    "milkbottle_version": "5.0.0",
    "milkbottle_version_from": "config",
    "versions": {"distribution": "0.1.0", "package": "1.0.0", "config": "5.0.0"},
    "version_sources": {
        "distribution": "pyproject.toml:4",
        "package": "src/milkbottle/__init__.py:3",
        "config": "src/milkbottle/config.py:16",
    },
    "requires_python": ">=3.11",
    "python_versions": ["3.11", "3.12", "3.13", "3.14"],
    # the dev extra is not installed with the host
    "requirements": ["click>=8.0.0", "typer>=0.16.0", "pyyaml>=6.0.1", "tqdm>=4.66.2"],
    "requirements_from": "pyproject.toml:6",
    "environment": {
        "roots": {"startup": "milkbottle.cli", "plugin_system": "milkbottle.plugin_system"},
        # not counted: pandas (if TYPE_CHECKING), requests (try/except ImportError), fastapi (in a function),
        # virtualenv (a bottle nothing imports at startup), rich/slugify (utils: nothing imports it)
        "imports": {
            "aiohttp": {"distribution": "aiohttp", "declared": False, "imported_by": ["plugin_system"],
                        "first_import": "src/milkbottle/plugin_system/core.py:7"},
            "click": {"distribution": "click", "declared": True, "imported_by": ["startup"],
                      "first_import": "src/milkbottle/cli.py:7"},
            "cryptography": {"distribution": "cryptography", "declared": False, "imported_by": ["startup"],
                             "first_import": "src/milkbottle/deployment/security.py:1"},
            "jinja2": {"distribution": "jinja2", "declared": False, "imported_by": ["startup"],
                       "first_import": "src/milkbottle/plugin_sdk/templates.py:3"},
            # registry is imported by milkbottle/__init__, which every milkbottle import runs first
            "typer": {"distribution": "typer", "declared": True, "imported_by": ["plugin_system", "startup"],
                      "first_import": "src/milkbottle/registry.py:8"},
            "yaml": {"distribution": "pyyaml", "declared": True, "imported_by": ["plugin_system"],
                     "first_import": "src/milkbottle/plugin_system/core.py:8"},
        },
        "undeclared": ["aiohttp", "cryptography", "jinja2"],
    },
    "public_api": {
        # __all__ plus the public submodules
        "milkbottle": ["MilkBottleConfig", "MilkBottleError", "__author__", "__version__", "cli", "config",
                       "deployment", "errors", "get_config", "get_registry", "plugin_sdk", "plugin_system",
                       "registry", "utils"],
        "milkbottle.cli": ["cli", "create_plugin", "deployment", "get_registry"],
        "milkbottle.config": ["DEFAULTS", "MilkBottleConfig", "get_config"],
        "milkbottle.deployment": ["SecurityManager", "security"],
        "milkbottle.deployment.security": ["SecurityManager"],
        "milkbottle.errors": ["MilkBottleError", "PluginError"],
        "milkbottle.plugin_sdk": ["TemplateManager", "create_plugin", "templates"],
        # templates.py wins over the templates/ namespace directory: no templates.basic
        "milkbottle.plugin_sdk.templates": ["TemplateManager"],
        # the package wins over plugin_system.py (no `shadowed`); __version__ beside __all__
        "milkbottle.plugin_system": ["PluginInterface", "PluginManager", "__version__", "core", "get_plugin_manager"],
        "milkbottle.plugin_system.core": ["MilkBottleConfig", "PluginInterface", "PluginManager", "get_plugin_manager"],
        "milkbottle.registry": ["BottleRegistry", "ENTRY_POINT_GROUP", "MODULES_PATH", "get_registry"],
        # no __all__: own public names and re-exports of the host's names; not rich's Console, not _cache
        "milkbottle.utils": ["UtilsError", "get_console", "logger", "slugify"],
    },
    "plugin_interface": {
        "get_cli": {"async": False, "params": []},
        "validate_config": {"async": False, "params": ["config"]},
        "initialize": {"async": True, "params": []},
        "shutdown": {"async": True, "params": ["timeout"]},
        "get_dependencies": {"async": False, "params": []},
    },
    "plugin_interface_from": "src/milkbottle/plugin_system/core.py PluginInterface",
    "bottles": {
        "entry_point_groups": ["milkbottle.bottles"],
        "modules_dir": "milkbottle/modules",
        "cli_file": "cli.py",
        "read_from": {
            "entry_point_groups": "src/milkbottle/registry.py:11",
            "modules_dir": "src/milkbottle/registry.py MODULES_PATH",
            "cli_file": "src/milkbottle/registry.py",
        },
        "registered": {"venvmilker": "milkbottle.modules.venvmilker:get_cli"},
    },
}


@pytest.fixture(autouse=True)
def _fixed_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def _validator() -> Draft202012Validator:
    return Draft202012Validator(load_json("schemas/host-profile.schema.json"))


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "host"
    shutil.copytree(HOST, target)
    return target


def test_every_field_is_read_from_the_host_s_source() -> None:
    profile = generate(HOST)
    assert profile == EXPECTED
    assert list(_validator().iter_errors(profile)) == []


def test_regenerating_is_deterministic() -> None:
    first = render(generate(HOST, commit=COMMIT, command="c", generator="g"))
    assert render(generate(HOST, commit=COMMIT, command="c", generator="g")) == first
    assert first.endswith("}\n") and json.loads(first)["name"] == "milkbottle-5.0.0-0123456"


def test_the_commit_is_read_from_git_files(tmp_path: Path) -> None:
    host = _copy(tmp_path)
    git = host / ".git"
    (git / "refs" / "heads").mkdir(parents=True)
    (git / "HEAD").write_text("ref: refs/heads/main\n")
    (git / "refs" / "heads" / "main").write_text(f"{COMMIT}\n")
    profile = generate(host)
    assert profile["source"]["commit"] == COMMIT and profile["name"] == "milkbottle-5.0.0-0123456"
    # a packed ref, and a detached HEAD
    (git / "refs" / "heads" / "main").unlink()
    other = "f" * 40
    (git / "packed-refs").write_text(f"# pack-refs with: peeled\n{other} refs/heads/main\n")
    assert generate(host)["source"]["commit"] == other
    (git / "HEAD").write_text(f"{COMMIT}\n")
    assert generate(host)["source"]["commit"] == COMMIT
    # --commit wins; a worktree's .git file points to its git directory
    assert generate(host, commit="abcdef1")["source"]["commit"] == "abcdef1"
    shutil.move(str(git), str(tmp_path / "gitdir"))
    (host / ".git").write_text(f"gitdir: {tmp_path / 'gitdir'}\n")
    assert generate(host)["source"]["commit"] == COMMIT


def test_an_unpacked_sdist(tmp_path: Path) -> None:
    host = _copy(tmp_path)
    pyproject = host / "pyproject.toml"
    # a dynamic version: PKG-INFO states it
    pyproject.write_text(pyproject.read_text().replace('version = "0.1.0"\n', 'dynamic = ["version"]\n'))
    (host / "PKG-INFO").write_text(
        "Metadata-Version: 2.1\nName: milkbottle\nVersion: 0.1.1\nRequires-Python: >=3.12\n"
        "Requires-Dist: click>=8.0.0\nRequires-Dist: pytest>=7.4.0; extra == \"dev\"\n"
    )
    profile = generate(host)
    assert profile["source"]["layout"] == "sdist"
    assert profile["versions"] == {"distribution": "0.1.1", "package": "1.0.0", "config": "5.0.0"}
    assert profile["version_sources"]["distribution"] == "PKG-INFO"
    # pyproject.toml states the rest
    assert profile["requires_python"] == ">=3.11" and profile["requirements"] == EXPECTED["requirements"]
    assert profile["public_api"] == EXPECTED["public_api"]
    assert list(_validator().iter_errors(profile)) == []


def test_an_installed_distribution(tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    shutil.copytree(HOST / "src" / "milkbottle", site / "milkbottle")
    info = site / "milkbottle-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: milkbottle\nVersion: 0.1.0\nRequires-Python: >=3.11\n"
        "Requires-Dist: click>=8.0.0\nRequires-Dist: typer>=0.16.0\nRequires-Dist: pyyaml>=6.0.1\n"
        "Requires-Dist: pytest>=7.4.0; extra == \"dev\"\n"
    )
    (info / "entry_points.txt").write_text(
        "[console_scripts]\nmilk = milkbottle.cli:cli\n\n"
        "[milkbottle.bottles]\nvenvmilker = milkbottle.modules.venvmilker:get_cli\n"
    )
    profile = generate(site)
    assert profile["source"]["layout"] == "installed"
    assert profile["versions"] == {"distribution": "0.1.0", "package": "1.0.0", "config": "5.0.0"}
    assert profile["version_sources"] == {
        "distribution": "milkbottle-0.1.0.dist-info/METADATA",
        "package": "milkbottle/__init__.py:3",
        "config": "milkbottle/config.py:16",
    }
    assert profile["requirements"] == ["click>=8.0.0", "typer>=0.16.0", "pyyaml>=6.0.1"]
    assert profile["requires_python"] == ">=3.11"
    assert profile["environment"]["undeclared"] == ["aiohttp", "cryptography", "jinja2"]
    assert profile["bottles"]["registered"] == {"venvmilker": "milkbottle.modules.venvmilker:get_cli"}
    assert profile["public_api"] == EXPECTED["public_api"]
    assert profile["plugin_interface"] == EXPECTED["plugin_interface"]
    # two distributions of the host side by side: which one is meant is unclear
    (site / "milkbottle-0.0.9.dist-info").mkdir()
    with pytest.raises(HostProfileError, match="several milkbottle distributions"):
        generate(site)


def test_fallbacks_when_the_host_states_less(tmp_path: Path) -> None:
    host = _copy(tmp_path)
    package = host / "src" / "milkbottle"
    config = package / "config.py"
    config.write_text(config.read_text().replace('    version: str = "5.0.0"\n', ""))
    registry = package / "registry.py"
    registry.write_text(registry.read_text().replace('ENTRY_POINT_GROUP = "milkbottle.bottles"', 'ENTRY_POINT_GROUP = make()'))
    profile = generate(host)
    # no config version: the package's __version__ is the compared version
    assert profile["milkbottle_version"] == "1.0.0" and profile["milkbottle_version_from"] == "package"
    assert "config" not in profile["versions"]
    assert profile["bottles"]["entry_point_groups"] == ["milkbottle.bottles"]
    assert profile["bottles"]["read_from"]["entry_point_groups"] == "default"
    (package / "broken.py").write_text("def (:\n")
    assert generate(host)["unreadable"] == ["milkbottle.broken"]


def test_a_tree_that_is_not_milkbottle_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(HostProfileError, match="not a MilkBottle tree"):
        generate(tmp_path)
    host = _copy(tmp_path)
    core = host / "src" / "milkbottle" / "plugin_system" / "core.py"
    core.write_text(core.read_text().replace("class PluginInterface(Protocol)", "class Other(Protocol)"))
    with pytest.raises(HostProfileError, match="no class PluginInterface"):
        generate(host)


def test_the_command_writes_a_profile_mbcheck_loads(tmp_path: Path) -> None:
    out = tmp_path / "profiles" / "mini.json"
    result = CliRunner().invoke(app, ["host-profile", str(HOST), "--commit", COMMIT, "--name", "mini", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "imported but not required: aiohttp, cryptography, jinja2" in result.output
    data = json.loads(out.read_text())
    assert data["source"]["command"] == f"mbcheck host-profile {HOST} --commit {COMMIT} --name mini -o {out}"
    assert data["source"]["generator"].startswith("mbcheck ") and data["source"]["generated"] == "2024-01-02"
    host = load_host_profile(str(out))
    assert (host.name, host.milkbottle_version, host.distribution_version, host.commit) == ("mini", "5.0.0", "0.1.0", COMMIT)
    assert host.environment == ("aiohttp", "click", "cryptography", "jinja2", "pyyaml", "typer")
    assert host.bottle_groups == ("milkbottle.bottles",)
    # to stdout without -o
    result = CliRunner().invoke(app, ["host-profile", str(HOST)])
    assert result.exit_code == 0 and json.loads(result.stdout)["name"] == "milkbottle-5.0.0"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["host-profile", "/nonexistent/milkbottle"], "is not a directory"),
        (["host-profile", "."], "is not a MilkBottle tree"),
        (["host-profile", str(HOST), "--commit", "main"], "--commit must be a hexadecimal commit id"),
    ],
)
def test_bad_input_is_an_error_not_a_traceback(arguments: list[str], message: str, tmp_path: Path) -> None:
    if arguments[1] == ".":
        arguments = ["host-profile", str(tmp_path)]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)  # typer.Exit, not a traceback
    assert "mbcheck: error: " in result.output and message in result.output


# --------------------------------------------------------------------------- the shipped profile


@pytest.mark.parametrize("name", sorted(n[:-5] for n in list_dir("rules/hosts") if n.endswith(".json")))
def test_every_shipped_profile_is_valid(name: str) -> None:
    """Shipped profiles are trusted at run time (not validated on every run): they are valid."""
    assert list(_validator().iter_errors(load_json(f"rules/hosts/{name}.json"))) == []
    assert load_host_profile(name).name == name


def test_the_shipped_profile_is_the_real_host_s() -> None:
    """The real host is not in the checkout: its profile is checked for what it records."""
    data = load_json(f"rules/hosts/{DEFAULT_HOST_PROFILE}.json")
    assert list(_validator().iter_errors(data)) == []
    source = data["source"]
    assert source["commit"] == "fb2eb2c0227b63dc2f7ffaee284662387b612479" and source["layout"] == "repository"
    assert source["command"].startswith("mbcheck host-profile ") and f"--commit {source['commit']}" in source["command"]
    assert data["name"] == f"milkbottle-{data['milkbottle_version']}-{source['commit'][:7]}" == DEFAULT_HOST_PROFILE
    assert data["versions"] == {"distribution": "0.1.0", "package": "1.0.0", "config": "5.0.0"}
    assert data["milkbottle_version"] == data["versions"]["config"]
    assert data["version_sources"]["config"] == "src/milkbottle/config.py:81"
    assert data["environment"]["undeclared"] == ["aiofiles", "aiohttp", "cryptography", "jinja2"]
    api = data["public_api"]
    assert {"get_registry", "list_bottles", "get_bottle", "MilkBottleConfig", "MilkBottleError"} <= set(api["milkbottle"])
    assert {"PluginDiscovery", "PluginValidator", "PluginMarketplace", "PluginHealthMonitor"} <= set(
        api["milkbottle.plugin_system"]
    )
    assert api["milkbottle.errors"] == ["BottleNotFound", "MilkBottleError", "PluginError", "UserAbort", "ValidationError"]
    assert len(data["plugin_interface"]) == 11
    assert data["plugin_interface"]["initialize"] == {"async": True, "params": []}
    assert data["bottles"]["entry_point_groups"] == ["milkbottle.bottles"]
    assert not any(module.startswith("milkbottle.modules") for module in api)
