"""What the checks take from the host profile: the compared version, the environment, the API, the aliases."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from helpers import ROOT, run, write_plugin
from mbcheck.api import Policy, admit, check, report_json
from mbcheck.config import DEFAULT_HOST_PROFILE, ConfigError, from_mapping
from mbcheck.engine import load_host_profile
from mbcheck.model import Finding, Report
from mbcheck.resources import load_json
from mbcheck.rules.base import EXAMPLE_INIT, EXAMPLE_MANIFEST

HOST = ROOT / "tests" / "fixtures" / "milkbottle_host"
DEPS = "dependencies:\n  - click>=8.1\n"


def _manifest(extra: str = "") -> str:
    lines = [line for line in EXAMPLE_MANIFEST.splitlines() if not line.startswith(("dependencies", "  - "))]
    return "\n".join(lines) + "\n" + DEPS + extra


def _found(report: Report, *codes: str) -> list[Finding]:
    return [f for f in report.plugins[0].findings if f.rule in codes]


def _old_style_profile(tmp_path: Path, **changes: Any) -> str:
    """A hand-written profile as they were before generation: required keys and a text source only."""
    data = load_json(f"rules/hosts/{DEFAULT_HOST_PROFILE}.json")
    keep = ("name", "milkbottle_version", "requires_python", "python_versions", "requirements", "public_api",
            "plugin_interface")
    old = {key: data[key] for key in keep} | {"source": "written by hand"} | changes
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old))
    return str(path)


# --------------------------------------------------------------------------- the compared version


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        # the real host compares with MilkBottleConfig.version 5.0.0 (config.py:81): 1.9.0 is below it
        ("min_milkbottle_version: 1.0.0\nmax_milkbottle_version: 1.9.0\n", ["MB110"]),
        ("min_milkbottle_version: 5.0.0\nmax_milkbottle_version: 5.9.0\n", []),
        # its __version__ (1.0.0) is not what the host compares: a minimum of 2.0 loads on it
        ("min_milkbottle_version: 2.0.0\n", []),
        ("min_milkbottle_version: 5.1.0\n", ["MB109"]),
    ],
)
def test_the_host_range_is_compared_with_the_config_version(tmp_path: Path, fields: str, expected: list[str]) -> None:
    root = write_plugin(tmp_path, {"plugin.yaml": _manifest(fields), "__init__.py": ""})
    report = run(root, {"select": ["MB109", "MB110"]})
    assert [f.rule for f in report.plugins[0].findings] == expected
    for finding in report.plugins[0].findings:
        assert "MilkBottle 5.0.0 (`MilkBottleConfig.version`, the version the host's plugin compatibility check " \
               f"compares with; host profile {DEFAULT_HOST_PROFILE})" in finding.message


def test_an_old_profile_without_versions_still_loads_and_names_its_version(tmp_path: Path) -> None:
    profile = _old_style_profile(tmp_path, name="handmade", milkbottle_version="1.0.0")
    host = load_host_profile(profile)
    assert (host.source, host.commit, host.versions, host.environment) == ("written by hand", None, {}, ())
    assert host.distribution_version == "1.0.0"
    root = write_plugin(tmp_path, {"plugin.yaml": _manifest("min_milkbottle_version: 2.0.0\n"), "__init__.py": ""})
    (finding,) = run(root, {"select": ["MB109"], "host-profile": profile}).plugins[0].findings
    assert finding.message == "requires MilkBottle >= 2.0.0, but the host is MilkBottle 1.0.0 (host profile handmade)"


# --------------------------------------------------------------------------- the environment


def test_what_the_host_imports_is_provided_by_the_host(tmp_path: Path) -> None:
    code = "import aiohttp\nimport jinja2\nimport cryptography.fernet\nimport aiofiles\nimport click\n"
    root = write_plugin(tmp_path / "a", {"plugin.yaml": _manifest(), "__init__.py": code})
    report = run(root, {"select": ["MB501"]})
    assert _found(report, "MB501") == []
    assert report.plugins[0].dependencies["host_provided"] == ["aiofiles", "aiohttp", "click", "cryptography", "jinja2"]
    # a profile that does not know the host's imports (the hand-written one) calls them missing
    old = _old_style_profile(tmp_path)
    report = run(root, {"select": ["MB501"], "host-profile": old})
    assert sorted(f.message.split("`")[1] for f in _found(report, "MB501")) == [
        "import aiofiles", "import aiohttp", "import cryptography.fernet", "import jinja2"]


def test_the_host_s_own_tree_is_not_provided_with_its_undeclared_imports() -> None:
    """The host checked as a distribution: `pip install milkbottle` does not install aiohttp."""
    report = run(HOST, {"select": ["MB501"]})
    assert report.plugins[0].name == "milkbottle"
    missing = {(f.span.path, f.message.split("`")[3]) for f in _found(report, "MB501")}
    assert {("src/milkbottle/plugin_system/core.py", "aiohttp"),
            ("src/milkbottle/deployment/security.py", "cryptography"),
            ("src/milkbottle/plugin_sdk/templates.py", "jinja2")} <= missing


def test_milkbottle_is_pinned_to_the_version_pip_sees(tmp_path: Path) -> None:
    root = write_plugin(tmp_path, {"plugin.yaml": _manifest().replace(DEPS, DEPS + "  - milkbottle>=0.1\n"),
                                   "__init__.py": "import click\nimport milkbottle\n"})
    assert _found(run(root, {"select": ["MB503"]}), "MB503") == []
    root = write_plugin(tmp_path / "b", {"plugin.yaml": _manifest().replace(DEPS, DEPS + "  - milkbottle>=1.0\n"),
                                         "__init__.py": "import click\nimport milkbottle\n"})
    (finding,) = _found(run(root, {"select": ["MB503"]}), "MB503")
    assert "installs the `milkbottle` distribution 0.1.0 (the version pip sees)" in finding.message


# --------------------------------------------------------------------------- the public API (MB406)


def test_names_the_real_host_exports_are_not_reported(tmp_path: Path) -> None:
    code = (
        "from milkbottle import get_registry, list_bottles, MilkBottleConfig, __version__\n"
        "from milkbottle.plugin_system import PluginDiscovery, PluginValidator, PluginHealthMonitor, __version__ as v\n"
        "from milkbottle.plugin_system.validation import PluginValidator as V\n"
        "from milkbottle.config import get_config, build_config, DEFAULTS\n"
        "from milkbottle.utils import slugify, get_console, hash_file\n"
        "from milkbottle.errors import PluginError, BottleNotFound\n"
        "from milkbottle.registry import ENTRY_POINT_GROUP, get_bottle\n"
        "from milkbottle.plugin_sdk import create_plugin, get_sdk\n"
        "from milkbottle.plugin_system import core\n"
    )
    root = write_plugin(tmp_path, {"plugin.yaml": _manifest(), "__init__.py": code})
    assert _found(run(root, {"select": ["MB406"]}), "MB406") == []
    # and names it does not export still are
    root = write_plugin(tmp_path / "b", {"plugin.yaml": _manifest(),
                                         "__init__.py": "from milkbottle.errors import AnyError\n"})
    (finding,) = _found(run(root, {"select": ["MB406"]}), "MB406")
    assert "`AnyError` is not a public name of `milkbottle.errors`" in finding.message


# --------------------------------------------------------------------------- the alias


def test_the_old_name_is_an_alias_of_the_shipped_profile(tmp_path: Path) -> None:
    assert load_host_profile("milkbottle-1.0.0") == load_host_profile(DEFAULT_HOST_PROFILE)
    assert from_mapping({"host-profile": "milkbottle-1.0.0"}).host_profile == DEFAULT_HOST_PROFILE
    root = write_plugin(tmp_path, {"plugin.yaml": _manifest(), "__init__.py": EXAMPLE_INIT})
    report = report_json(check(root, {"host-profile": "milkbottle-1.0.0"}, jobs=1, use_cache=False))
    # the report names the profile it was judged against, not the alias
    assert report["tool"]["host_profile"] == DEFAULT_HOST_PROFILE
    assert report["tool"]["settings"]["host_profile"] == DEFAULT_HOST_PROFILE
    # a policy may still name the alias
    assert admit(root, report, Policy(host_profile="milkbottle-1.0.0")).allowed
    refused = admit(root, report, Policy(host_profile="milkbottle-9.9.9"))
    assert not refused.allowed and any("milkbottle-9.9.9" in reason for reason in refused.reasons)
    with pytest.raises(ConfigError, match=re.escape("aliases: milkbottle-1.0.0 = milkbottle-5.0.0-fb2eb2c")):
        load_host_profile("milkbottle-0.0.1")


def test_the_cli_resolves_the_alias(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from mbcheck.cli import app

    root = write_plugin(tmp_path, {"plugin.yaml": _manifest(), "__init__.py": EXAMPLE_INIT})
    out = tmp_path / "r.json"
    result = CliRunner().invoke(app, ["lint", str(root), "--isolated", "--no-cache", "-f", "json", "-o", str(out),
                                      "--host-profile", "milkbottle-1.0.0"])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["tool"]["host_profile"] == DEFAULT_HOST_PROFILE
