"""Permission inference (the loader's consent data) and import-time side effects, end to end."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from helpers import EXAMPLES, run, write_plugin
from mbcheck.cli import app
from mbcheck.config import Config
from mbcheck.model import Finding, PluginReport, Severity
from mbcheck.reporters.json import report_dict
from mbcheck.resources import load_json
from mbcheck.rules.base import EXAMPLE_MANIFEST

SECURITY = Config(select=("MB3",))


def manifest(permissions: list[str] | None) -> str:
    if permissions is None:
        return EXAMPLE_MANIFEST
    return EXAMPLE_MANIFEST + f"permissions: [{', '.join(permissions)}]\n"


def check(tmp_path: Path, files: dict[str, str], permissions: list[str] | None = None,
          config: Config = SECURITY) -> PluginReport:
    files = {"plugin.yaml": manifest(permissions), **files}
    files.setdefault("__init__.py", "")
    report = run(write_plugin(tmp_path, files), config)
    assert not report.errors, report.errors
    return report.plugins[0]


def inferred(plugin: PluginReport) -> list[str]:
    return list(plugin.permissions["inferred"])


def rules(plugin: PluginReport, code: str) -> list[Finding]:
    return [f for f in plugin.findings if f.rule == code]


# --------------------------------------------------------------------------
# inference follows names, never text


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import subprocess as sp\n\ndef f(c):\n    sp.Popen(c)\n", ["subprocess"]),
        ("from subprocess import run as go\n\ndef f():\n    go(['ls'])\n", ["subprocess"]),
        ("import os\nsh = os.system\n\ndef f(c):\n    sh(c)\n", ["subprocess"]),
        ("def f(c):\n    getattr(__import__('o' + 's'), 'system')(c)\n", ["dynamic-code", "subprocess"]),
        ("from urllib.request import urlopen\n", ["network"]),
        ("import urllib.parse\nurllib.parse.quote('x')\n", []),
        ("import os\n\ndef f():\n    return os.environ.get('HOME')\n", ["env"]),
        ("from os import getenv\n\ndef f():\n    return getenv('HOME')\n", ["env"]),
        ("def f(p):\n    with open(p, 'w') as h:\n        h.write('x')\n", ["fs-write"]),
        ("def f(p):\n    with open(p) as h:\n        return h.read()\n", []),
        ("def f(p):\n    with open(p, 'rb') as h:\n        return h.read()\n", []),
        ("from pathlib import Path\n\ndef f(p: Path):\n    p.unlink()\n", ["fs-write"]),
        ("def f(s):\n    return s.replace('a', 'b')\n", []),
        ("def f(out):\n    out.mkdir(parents=True, exist_ok=True)\n", ["fs-write"]),
        ("import ctypes\n", ["native-code"]),
        ("import importlib\nm = importlib.import_module('json')\n", []),
        ("import importlib\n\ndef f(n):\n    return importlib.import_module(n)\n", ["dynamic-code"]),
        ("import yaml\n\ndef f(t):\n    return yaml.safe_load(t)\n", []),
        ("import yaml\n\ndef f(t):\n    return yaml.load(t, Loader=yaml.SafeLoader)\n", []),
        ("import yaml\n\ndef f(t):\n    return yaml.load(t)\n", ["dynamic-code"]),
        ("def f(t):\n    return eval(t)\n", ["dynamic-code"]),
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import requests\n", []),
    ],
)
def test_inferred_permissions_follow_resolved_names(tmp_path: Path, source: str, expected: list[str]) -> None:
    assert inferred(check(tmp_path, {"__init__.py": source})) == expected


def test_words_in_strings_comments_docstrings_and_own_methods_are_not_uses(tmp_path: Path) -> None:
    source = (
        '"""Uses subprocess? No: eval, exec, socket and os.system are only words here."""\n'
        "# import subprocess\n"
        "HELP = 'run `subprocess.run(cmd, shell=True)` yourself; eval(x) is dangerous'\n\n"
        "class Job:\n"
        "    def exec(self, code):\n"
        "        return code\n\n"
        "    def eval(self, expr):\n"
        "        return self.exec(expr)\n\n"
        "def run(job, eval=None):\n"
        "    return job.exec('import os; os.system(\"id\")'), eval\n"
    )
    plugin = check(tmp_path, {"__init__.py": source}, permissions=[])
    assert inferred(plugin) == []
    assert plugin.findings == ()


def test_evidence_lists_every_use_with_file_line_column_and_name(tmp_path: Path) -> None:
    files = {
        "__init__.py": "from .net import fetch\n",
        # `socket` shows network by its calls (`gethostname()` is none); `ssl` by its import
        "net.py": "import ssl, socket\n\ndef fetch(host):\n    return socket.create_connection((host, 80), 5)\n",
        "env.py": "import os\nHOME = os.environ['HOME']\n",
    }
    plugin = check(tmp_path, files, permissions=["network", "env"])
    assert inferred(plugin) == ["env", "network"]
    evidence = plugin.permissions["evidence"]
    assert {"permission": "network", "path": "net.py", "line": 1, "column": 8, "via": "ssl",
            "kind": "import"} in evidence
    assert {"permission": "network", "path": "net.py", "line": 4, "column": 12,
            "via": "socket.create_connection", "kind": "call"} in evidence
    assert {"permission": "env", "path": "env.py", "line": 2, "column": 8, "via": "os.environ",
            "kind": "attribute"} in evidence
    assert plugin.findings == ()


def test_test_files_and_setup_py_do_not_count_unless_the_plugin_imports_them(tmp_path: Path) -> None:
    files = {
        "__init__.py": "from .testing import helper\n",
        "tests/test_plugin.py": "import subprocess\nsubprocess.run(['pytest'])\n",
        "conftest.py": "import socket\n",
        "setup.py": "import urllib.request\n",
        "testing/__init__.py": "",
        "testing/helper.py": "import os\nX = os.environ.get('X')\n",
    }
    plugin = check(tmp_path, files, permissions=[])
    assert inferred(plugin) == ["env"]


# --------------------------------------------------------------------------
# MB300 / MB301 / MB302


def test_undeclared_permission_is_reported_at_the_first_use_per_file(tmp_path: Path) -> None:
    files = {
        "__init__.py": "import os\n\ndef a():\n    return os.environ['A']\n\ndef b():\n    return os.getenv('B')\n",
        "more.py": "import os\n\n\ndef c():\n    return os.environ.get('C')\n",
    }
    plugin = check(tmp_path, files, permissions=["network"])
    found = rules(plugin, "MB300")
    assert [(f.span.path, f.span.line) for f in found] == [("__init__.py", 4), ("more.py", 5)]
    assert all(f.severity is Severity.ERROR and "`env`" in f.message for f in found)


def test_a_use_that_depends_on_a_computed_mode_is_a_warning(tmp_path: Path) -> None:
    source = "def save(path, mode, text):\n    with open(path, mode) as f:\n        f.write(text)\n"
    plugin = check(tmp_path, {"__init__.py": source}, permissions=[])
    (finding,) = rules(plugin, "MB300")
    assert finding.severity is Severity.WARNING and finding.span.line == 2


def test_unused_permission_points_at_its_manifest_line(tmp_path: Path) -> None:
    plugin = check(tmp_path, {"__init__.py": "import ssl\n"}, permissions=["network", "subprocess"])
    (finding,) = rules(plugin, "MB301")
    assert finding.span.path == "plugin.yaml" and finding.span.line == 10
    assert "`subprocess`" in finding.message and finding.severity is Severity.INFO


def test_missing_permissions_key_is_said_once_and_nothing_is_undeclared(tmp_path: Path) -> None:
    source = "import os, ssl, subprocess\nX = os.environ.get('X')\n"
    plugin = check(tmp_path, {"__init__.py": source}, permissions=None)
    assert inferred(plugin) == ["env", "network", "subprocess"]
    assert rules(plugin, "MB300") == []
    (info,) = rules(plugin, "MB302")
    assert info.span.path == "plugin.yaml" and info.severity is Severity.INFO
    assert "env, network, subprocess" in info.message


def test_inference_survives_the_cache(tmp_path: Path) -> None:
    root = write_plugin(tmp_path, {"plugin.yaml": manifest([]), "__init__.py": "import ssl\n"})
    config = Config(select=("MB3",), cache_dir=str(tmp_path / "cache"))
    first = run(root, config, use_cache=True)
    second = run(root, config, use_cache=True)
    assert second.context["cache"]["hits"] == 1
    assert first.plugins[0].permissions == second.plugins[0].permissions
    assert [f.rule for f in second.plugins[0].findings] == ["MB300"]


# --------------------------------------------------------------------------
# MB330: import time


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ("import subprocess\nsubprocess.run(['id'])\n", 2),
        ("import subprocess\n\nclass C:\n    out = subprocess.check_output(['id'])\n", 4),
        ("import subprocess\n\ndef f(x=subprocess.check_output(['id'])):\n    return x\n", 3),
        ("import subprocess\n\ndef deco(v):\n    return lambda f: f\n\n@deco(subprocess.run(['id']))\ndef g():\n    pass\n",
         6),
        ("import os\n(lambda: os.system('id'))()\n", 2),
        ("import os\n\ndef f(cb=lambda: None, x=os.remove('f')):\n    pass\n", 3),
        ("import subprocess\n\nclass C:\n    def __init__(self):\n        self.go()\n\n    def go(self):\n"
         "        subprocess.run(['id'])\n\nINSTANCE = C()\n", 10),
    ],
)
def test_import_time_side_effects(tmp_path: Path, source: str, line: int) -> None:
    plugin = check(tmp_path, {"__init__.py": source})
    assert line in [f.span.line for f in rules(plugin, "MB330")], plugin.findings


@pytest.mark.parametrize(
    "source",
    [
        "import subprocess\n\ndef f():\n    subprocess.run(['id'])\n",
        "import subprocess\n\nif __name__ == '__main__':\n    subprocess.run(['id'])\n",
        "import os\nf = lambda: os.system('id')\n",
        "import os\nHOME = os.environ.get('HOME')\n",
        "import socket\n",
        "import subprocess\n\ndef f():\n    subprocess.run(['id'])\n\nclass C:\n    run = f\n",
    ],
)
def test_deferred_code_is_not_an_import_time_side_effect(tmp_path: Path, source: str) -> None:
    assert rules(check(tmp_path, {"__init__.py": source}), "MB330") == []


def test_import_time_calls_are_followed_across_modules(tmp_path: Path) -> None:
    files = {
        "__init__.py": "from . import boot\n",
        "boot.py": "from .net import beacon\n\nbeacon()\n",
        "net.py": "import requests\n\ndef beacon():\n    _send()\n\ndef _send():\n"
                  "    requests.post('https://x.example', timeout=3)\n",
        "lazy.py": "import subprocess\nsubprocess.run(['id'])\n",
    }
    plugin = check(tmp_path, files)
    found = {(f.span.path, f.span.line): f for f in rules(plugin, "MB330")}
    assert set(found) == {("boot.py", 3), ("lazy.py", 2)}
    assert found[("boot.py", 3)].severity is Severity.ERROR
    assert "requests.post` at net.py:7" in found[("boot.py", 3)].message
    # lazy.py is not imported while the host discovers the plugin: a warning
    assert found[("lazy.py", 2)].severity is Severity.WARNING


# --------------------------------------------------------------------------
# examples and the report


EXPECTED_INFERRED = {
    "hello_world": [],
    "bad_manifest": [],
    "broken_interface": [],
    "half_broken": [],
    "legacy_dunders": [],
    "old_python": [],
    "phone_home": ["env", "network"],
    "deps_trouble": ["network"],
}


@pytest.mark.parametrize("name", sorted(EXPECTED_INFERRED))
def test_inferred_permissions_of_the_example_plugins(name: str) -> None:
    path = EXAMPLES / "plugins" / name
    if not path.is_dir():
        pytest.skip(f"example {name} not present")
    report = run(path)
    assert report.plugins[0].permissions["inferred"] == EXPECTED_INFERRED[name]


def test_every_example_plugin_has_an_expectation() -> None:
    present = {p.name for p in (EXAMPLES / "plugins").iterdir() if p.is_dir()}
    assert present <= set(EXPECTED_INFERRED), sorted(present - set(EXPECTED_INFERRED))


def test_hello_world_passes_with_bandit_and_no_warnings() -> None:
    plugin = run(EXAMPLES / "plugins" / "hello_world").plugins[0]
    assert plugin.verdict.value == "pass"
    assert [f.rule for f in plugin.findings if f.severity is not Severity.INFO] == []


def test_phone_home_json_shows_the_import_time_call_and_network(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["lint", str(EXAMPLES / "plugins" / "phone_home"), "--format", "json", "--no-cache", "--jobs", "1"]
    )
    data: dict[str, Any] = json.loads(result.stdout)
    Draft202012Validator(load_json("schemas/report.schema.json")).validate(data)
    (plugin,) = data["plugins"]
    assert "network" in plugin["permissions"]["inferred"]
    assert plugin["permissions"]["declared"] == ["network"]
    import_time = [f for f in plugin["findings"] if f["rule"] == "MB330"]
    assert {f["line"] for f in import_time} >= {35, 36}
    assert all(f["severity"] == "error" and f["category"] == "security" for f in import_time)
    assert any(e["via"] == "urllib.request.urlopen" and e["line"] == 35 for e in plugin["permissions"]["evidence"])
    assert plugin["verdict"] == "fail"


def test_report_with_evidence_matches_the_schema(tmp_path: Path) -> None:
    plugin_root = write_plugin(tmp_path, {"plugin.yaml": manifest([]), "__init__.py": "import ssl\n"})
    data = report_dict(run(plugin_root))
    Draft202012Validator(load_json("schemas/report.schema.json")).validate(data)
    assert data["plugins"][0]["permissions"]["evidence"][0]["via"] == "ssl"


@pytest.mark.parametrize(
    "source",
    [
        "import types\n\ndef is_function(x):\n    return isinstance(x, (types.FunctionType, types.LambdaType))\n",
        "import types\n\ndef call(cb: types.FunctionType) -> None:\n    cb()\n",
    ],
)
def test_naming_a_type_is_not_using_it(tmp_path: Path, source: str) -> None:
    assert inferred(check(tmp_path, {"__init__.py": source})) == []


def test_passing_a_dangerous_function_as_a_value_is_a_use(tmp_path: Path) -> None:
    source = "import os\n\ndef run_all(commands):\n    return list(map(os.system, commands))\n"
    assert inferred(check(tmp_path, {"__init__.py": source})) == ["subprocess"]
