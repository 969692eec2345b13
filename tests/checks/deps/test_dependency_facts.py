"""The `dependencies` report section is a fact: it does not depend on which rules run."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from helpers import run, write_plugin
from mbcheck.checks.deps import environment, rules_plugins
from mbcheck.config import Config, from_mapping
from mbcheck.context import PluginContext
from mbcheck.model import Report
from mbcheck.rules.base import EXAMPLE_MANIFEST

FIRST = EXAMPLE_MANIFEST.count("\n") + 2
ADVISORY = {
    "id": "GHSA-j8r2-6x86-q33q",
    "summary": "Unintended leak of Proxy-Authorization header in requests",
    "affected": [
        {
            "package": {"ecosystem": "PyPI", "name": "requests"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2.3.0"}, {"fixed": "2.31.0"}]}],
        }
    ],
}


def manifest(name: str, *dependencies: str) -> str:
    text = EXAMPLE_MANIFEST.replace("name: example", f"name: {name}")
    return text + "dependencies:\n" + "".join(f"  - {d}\n" for d in dependencies)


def sections(report: Report) -> dict[str, Any]:
    return {plugin.name: plugin.dependencies for plugin in report.plugins}


def plugins_in_conflict(base: Path) -> Path:
    """Two plugins whose `requests` cannot be installed together, one clashing with itself too,
    and a group of three that overlaps pairwise but not as a whole."""
    root = base / "plugins"
    write_plugin(root, {"plugin.yaml": manifest("alpha", "requests<2", "tool>=1,<=2"), "__init__.py": "import requests\n"}, name="alpha")
    write_plugin(
        root,
        {"plugin.yaml": manifest("beta", "requests>=2.31", "requests==2.30.0", "tool>=2,<3"), "__init__.py": "import requests\n"},
        name="beta",
    )
    write_plugin(root, {"plugin.yaml": manifest("gamma", "tool!=2.0")}, name="gamma")
    return root


@pytest.mark.parametrize("config", [{"ignore": ["ALL"]}, {"select": ["MB505"]}, {"select": ["MB1"]}])
def test_conflicts_between_plugins_do_not_depend_on_the_rules(tmp_path: Path, config: dict[str, Any]) -> None:
    root = plugins_in_conflict(tmp_path)
    everything = run(root, Config())
    assert sections(run(root, from_mapping(config))) == sections(everything)
    found = sections(everything)
    assert found["alpha"]["conflicts"] == [
        {"requirement": "requests<2", "path": "plugin.yaml", "line": FIRST, "with": "beta", "other": "requests>=2.31"},
        {"requirement": "requests<2", "path": "plugin.yaml", "line": FIRST, "with": "beta", "other": "requests==2.30.0"},
        {"requirement": "tool>=1,<=2", "path": "plugin.yaml", "line": FIRST + 1, "with": "several", "other": "tool>=2,<3, tool!=2.0"},
    ]
    assert {"requirement": "requests==2.30.0", "path": "plugin.yaml", "line": FIRST + 1, "with": "self",
            "other": "requests>=2.31"} in found["beta"]["conflicts"]
    assert found["gamma"]["conflicts"] == [
        {"requirement": "tool!=2.0", "path": "plugin.yaml", "line": FIRST, "with": "several", "other": "tool>=1,<=2, tool>=2,<3"}
    ]


def test_recording_the_conflicts_again_adds_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = plugins_in_conflict(tmp_path)
    once = run(root, Config())

    def twice(plugins: Sequence[PluginContext]) -> list[environment.Clash]:
        environment.environment_conflicts(plugins)
        return environment.environment_conflicts(plugins)

    monkeypatch.setattr(rules_plugins, "environment_conflicts", twice)
    again = run(root, Config())
    assert sections(again) == sections(once)
    assert [p.findings for p in again.plugins] == [p.findings for p in once.plugins]


def test_vulnerable_requirements_do_not_depend_on_the_rules(tmp_path: Path) -> None:
    advisories = tmp_path / "osv.json"
    advisories.write_text(json.dumps({"vulns": [ADVISORY]}))
    files = {"plugin.yaml": manifest("example", "requests==2.30.0"), "__init__.py": "import requests\n",
             "requirements.txt": "requests>=2.5\n"}
    root = write_plugin(tmp_path, files)
    selected = run(root, Config(advisories=str(advisories)))
    ignored = run(root, Config(ignore=("ALL",), advisories=str(advisories)))
    assert sections(ignored) == sections(selected)
    assert selected.plugins[0].dependencies["vulnerable"] == [
        {"requirement": "requests==2.30.0", "id": "GHSA-j8r2-6x86-q33q", "path": "plugin.yaml", "line": FIRST, "fixed": ["2.31.0"]},
        {"requirement": "requests>=2.5", "id": "GHSA-j8r2-6x86-q33q", "path": "requirements.txt", "line": 1, "fixed": ["2.31.0"]},
    ]
    assert ignored.plugins[0].findings == ()
    # without advisories there is nothing to list
    assert "vulnerable" not in run(root, Config()).plugins[0].dependencies
