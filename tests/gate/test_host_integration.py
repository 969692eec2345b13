"""A host plays the whole flow: check plugins at install time, admit them at load time.

The loader below is what MilkBottle's plugin manager would do with mbcheck:
check every plugin once, keep its JSON report, and before loading re-verify
it with ``admit``. Only admitted plugins are imported — in a subprocess, with
a stub ``milkbottle`` package on ``sys.path`` — and their interface is
initialised. A refused plugin is never imported: its import-time side effect
(a marker file) never happens.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from helpers import EXAMPLES
from mbcheck.api import Decision, Policy, admit, check, load_report, report_json

PluginFactory = Callable[..., Path]

STUB_CORE = '''\
"""Stub of MilkBottle's plugin system: just what a plugin imports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


@dataclass
class PluginMetadata:
    name: str
    version: str
    description: str
    author: str
    email: str
    license: str = "MIT"
    dependencies: list[str] = field(default_factory=list)
    capabilities: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    repository: str | None = None
    documentation: str | None = None
    homepage: str | None = None
    min_milkbottle_version: str | None = None
    max_milkbottle_version: str | None = None
    python_version: str | None = None


@runtime_checkable
class PluginInterface(Protocol):
    def get_cli(self) -> Any: ...
    def get_metadata(self) -> PluginMetadata: ...
    def validate_config(self, config: dict[str, Any]) -> bool: ...
    def health_check(self) -> dict[str, Any]: ...
    async def initialize(self) -> bool: ...
    async def shutdown(self) -> None: ...
    def get_capabilities(self) -> list[str]: ...
    def get_dependencies(self) -> list[str]: ...
    def get_config_schema(self) -> dict[str, Any]: ...
    def get_performance_metrics(self) -> dict[str, float]: ...
    def get_error_log(self) -> list[dict[str, Any]]: ...
'''

LOADER = '''\
"""Import each named plugin, get its interface and await initialize()."""

import asyncio
import importlib
import json
import sys

host, plugins, names = sys.argv[1], sys.argv[2], sys.argv[3:]
sys.path[:0] = [host, plugins]
from milkbottle.plugin_system.core import PluginInterface  # noqa: E402

results = {}
for name in names:
    interface = importlib.import_module(name).get_plugin_interface()
    results[name] = {
        "is_interface": isinstance(interface, PluginInterface),
        "initialized": asyncio.run(interface.initialize()),
        "status": interface.health_check()["status"],
        "metadata": interface.get_metadata().name,
    }
print(json.dumps(results))
'''


def _writes_marker(marker: Path) -> str:
    return (
        "from pathlib import Path\n\n"
        f"Path({str(marker)!r}).write_text('imported at load time')\n\n\n"
        "def get_plugin_interface() -> None:\n"
        "    return None\n"
    )


def _stub_host(base: Path) -> Path:
    host = base / "host"
    core = host / "milkbottle" / "plugin_system"
    core.mkdir(parents=True)
    (host / "milkbottle" / "__init__.py").write_text('__version__ = "1.0.0"\n')
    (core / "__init__.py").write_text("from .core import PluginInterface, PluginMetadata\n")
    (core / "core.py").write_text(STUB_CORE)
    return host


def _load(base: Path, plugins: Path, names: list[str]) -> dict[str, Any]:
    """The host's loader: run in a fresh interpreter, as the host process would."""
    loader = base / "loader.py"
    loader.write_text(LOADER)
    result = subprocess.run(
        [sys.executable, str(loader), str(_stub_host(base)), str(plugins), *names],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    loaded: dict[str, Any] = json.loads(result.stdout)
    return loaded


class Host:
    """A minimal plugin manager: install (check + keep the report), then gate every load."""

    def __init__(self, plugins: Path, reports: Path, policy: Policy) -> None:
        self.plugins = plugins
        self.reports = reports
        self.policy = policy
        reports.mkdir(exist_ok=True)

    def candidates(self) -> list[Path]:
        return sorted(d for d in self.plugins.iterdir() if (d / "__init__.py").is_file())

    def install(self) -> None:
        for plugin in self.candidates():
            report = report_json(check(plugin, jobs=1))
            (self.reports / f"{plugin.name}.json").write_text(json.dumps(report))

    def decide(self) -> dict[str, Decision]:
        return {
            plugin.name: admit(plugin, load_report(self.reports / f"{plugin.name}.json"), self.policy)
            for plugin in self.candidates()
        }


def test_host_loads_only_admitted_plugins(tmp_path: Path, make_plugin: PluginFactory) -> None:
    plugins = tmp_path / "plugins"
    shutil.copytree(EXAMPLES / "plugins" / "hello_world", plugins / "hello_world")
    broken_marker = tmp_path / "markers" / "broken-imported"
    tampered_marker = tmp_path / "markers" / "tampered-imported"
    broken_marker.parent.mkdir()
    # an error (invalid version) and an import-time side effect
    make_plugin("broken", {"__init__.py": _writes_marker(broken_marker)}, version="not a version")
    # harmless when checked; changed afterwards to act at import time
    tampered = make_plugin("tampered", {"__init__.py": "def get_plugin_interface() -> None:\n    return None\n"})

    host = Host(plugins, tmp_path / "reports", Policy())
    host.install()
    (tampered / "__init__.py").write_text(_writes_marker(tampered_marker))
    decisions = host.decide()

    assert decisions["hello_world"].allowed, decisions["hello_world"].reasons
    assert not decisions["broken"].allowed
    assert any("verdict is fail" in r for r in decisions["broken"].reasons)
    assert any(r.startswith("MB103 ") for r in decisions["broken"].reasons)
    assert not decisions["tampered"].allowed
    assert any("digest mismatch" in r for r in decisions["tampered"].reasons), decisions["tampered"].reasons

    admitted = [name for name, decision in decisions.items() if decision.allowed]
    loaded = _load(tmp_path, plugins, admitted)

    assert loaded == {
        "hello_world": {"is_interface": True, "initialized": True, "status": "healthy", "metadata": "hello_world"}
    }
    assert not broken_marker.exists()
    assert not tampered_marker.exists()


def test_the_marker_proves_an_import(tmp_path: Path, make_plugin: PluginFactory) -> None:
    """Control: loading a plugin without the gate does run its import-time code."""
    marker = tmp_path / "control-imported"
    plugin = make_plugin("control", {"__init__.py": _writes_marker(marker)})
    result = subprocess.run(
        [sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); import control", str(plugin.parent)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert marker.exists()


def test_checking_never_imports_the_plugin(tmp_path: Path, make_plugin: PluginFactory) -> None:
    marker = tmp_path / "checked-imported"
    plugin = make_plugin("sneaky", {"__init__.py": _writes_marker(marker)})
    report = report_json(check(plugin, jobs=1))
    admit(plugin, report, Policy())
    assert not marker.exists()
