"""Dependency findings real users accept: one per distribution with every import as a
related place, first-party imports never named as distributions, bottle advice that
names the bottle's real declaration site, and the host's environment read from its
profile. The fixtures reproduce the shapes of MilkBottle's own tree (``src/milkbottle``
with in-tree bottles under ``modules/``, ``from src.milkbottle... import``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from helpers import ROOT, run, write_plugin
from mbcheck.config import DEFAULT_HOST_PROFILE, Config
from mbcheck.model import Finding, PluginReport
from mbcheck.reporters import github, sarif, text
from mbcheck.reporters.json import report_dict
from mbcheck.resources import load_json
from mbcheck.rules.base import EXAMPLE_MANIFEST


def manifest(*dependencies: str) -> str:
    text_ = EXAMPLE_MANIFEST
    if dependencies:
        text_ += "dependencies:\n" + "".join(f"  - {d}\n" for d in dependencies)
    return text_


def lint(root: Path, **settings: Any) -> PluginReport:
    settings.setdefault("select", ("MB5", "MB002"))
    report = run(root, Config(**settings))
    assert not report.errors, report.errors
    (plugin,) = report.plugins
    return plugin


def findings(plugin: PluginReport, code: str = "MB501") -> list[Finding]:
    return [f for f in plugin.findings if f.rule == code]


def by_distribution(plugin: PluginReport) -> dict[str, Finding]:
    out: dict[str, Finding] = {}
    for finding in findings(plugin):
        name = finding.message.split("`")[3]
        assert name not in out, f"two findings for {name}"
        out[name] = finding
    return out


KEYRING_FILES = {f"store{n}.py": f'"""Store {n}."""\n\nimport keyring\n' for n in range(1, 6)}
FASTAPI = "from fastapi import FastAPI, File, HTTPException, Query, Request, UploadFile\n"


def plugin_with_repeated_imports(tmp_path: Path, **extra: str) -> Path:
    files = {"plugin.yaml": manifest(), "__init__.py": "", "api.py": FASTAPI, **KEYRING_FILES, **extra}
    return write_plugin(tmp_path, files)


# ---------------------------------------------------------------------------
# one finding per distribution


def test_one_finding_per_distribution_with_every_other_import_related(tmp_path: Path) -> None:
    plugin = lint(plugin_with_repeated_imports(tmp_path))
    found = by_distribution(plugin)
    assert sorted(found) == ["fastapi", "keyring"]
    fastapi = found["fastapi"]
    # six names on one line are one place: no related locations
    assert (fastapi.span.path, fastapi.span.line, fastapi.related) == ("api.py", 1, ())
    assert fastapi.message.startswith("`from fastapi import FastAPI, File, HTTPException, ...` needs `fastapi`")
    assert "other place" not in fastapi.message
    keyring = found["keyring"]
    assert (keyring.span.path, keyring.span.line) == ("store1.py", 3)
    assert [(r.path, r.line) for r in keyring.related] == [(f"store{n}.py", 3) for n in range(2, 6)]
    assert "4 other places import it too (store2.py:3, store3.py:3, store4.py:3 and 1 more)" in keyring.message
    # the dependency section still lists every import
    assert [m["path"] for m in plugin.dependencies["missing"] if m["distribution"] == "keyring"] == [
        f"store{n}.py" for n in range(1, 6)
    ]


def test_the_severity_is_the_most_severe_import_and_the_message_says_where(tmp_path: Path) -> None:
    files = {
        "a.py": "try:\n    import requests\nexcept ImportError:\n    requests = None\n",
        "b.py": "def fetch():\n    import requests\n",
        "c.py": "import requests\n",
    }
    (finding,) = findings(lint(write_plugin(tmp_path, {"plugin.yaml": manifest(), "__init__.py": "", **files})))
    assert (finding.span.path, finding.span.line, finding.severity.value) == ("a.py", 2, "error")
    assert "imported at module level in c.py:1: the plugin cannot load without it" in finding.message


def test_related_places_in_every_report_format(tmp_path: Path) -> None:
    root = plugin_with_repeated_imports(tmp_path)
    report = run(root, Config(select=("MB501",)))
    document = report_dict(report)
    (keyring,) = [f for f in document["plugins"][0]["findings"] if "keyring" in f["message"]]
    assert keyring["related"][0] == {"path": "store2.py", "line": 3, "column": 8, "end_line": 3, "end_column": 15}
    assert len(keyring["related"]) == 4
    (fastapi,) = [f for f in document["plugins"][0]["findings"] if "fastapi" in f["message"]]
    assert "related" not in fastapi
    Draft202012Validator(load_json("schemas/report.schema.json")).validate(document)
    results = json.loads(sarif.render(report))["runs"][0]["results"]
    (result,) = [r for r in results if "keyring" in r["message"]["text"]]
    uris = [loc["physicalLocation"]["artifactLocation"]["uri"] for loc in result["relatedLocations"]]
    assert uris == [f"{report.plugins[0].path}/store{n}.py" for n in range(2, 6)]
    assert [loc["id"] for loc in result["relatedLocations"]] == [1, 2, 3, 4]
    assert "4 other places import it too" in text.render(report)
    assert "4 other places import it too" in github.render(report)


def test_one_fingerprint_per_distribution_stable_when_more_imports_appear(tmp_path: Path) -> None:
    before = by_distribution(lint(plugin_with_repeated_imports(tmp_path / "a")))
    after = by_distribution(lint(plugin_with_repeated_imports(tmp_path / "b", **{"store9.py": "import keyring\n"})))
    assert before["keyring"].fingerprint == after["keyring"].fingerprint
    assert len(after["keyring"].related) == 5
    assert len({f.fingerprint for f in before.values()}) == 2


# ---------------------------------------------------------------------------
# suppression comments


def test_an_import_with_a_suppression_comment_is_not_counted(tmp_path: Path) -> None:
    extra = {"store1.py": "import keyring  # mbcheck: ignore[MB501]\n"}
    plugin = lint(plugin_with_repeated_imports(tmp_path, **extra))
    keyring = by_distribution(plugin)["keyring"]
    # the finding moves to the next import that has no comment
    assert (keyring.span.path, [r.path for r in keyring.related]) == ("store2.py", ["store3.py", "store4.py", "store5.py"])
    assert "3 other places" in keyring.message
    # the comment did its work: it is not an unused suppression, and nothing is suppressed
    assert findings(plugin, "MB002") == []
    assert plugin.suppressed == ()


def test_when_every_import_has_a_comment_the_finding_is_suppressed(tmp_path: Path) -> None:
    extra = {name: "import keyring  # mbcheck: ignore[MB501]\n" for name in KEYRING_FILES}
    plugin = lint(plugin_with_repeated_imports(tmp_path, **extra))
    assert sorted(by_distribution(plugin)) == ["fastapi"]
    (silenced,) = plugin.suppressed
    assert (silenced.finding.rule, silenced.by.path, len(silenced.finding.related)) == ("MB501", "store1.py", 4)
    assert findings(plugin, "MB002") == []


def test_a_comment_on_a_line_without_the_distribution_is_still_unused(tmp_path: Path) -> None:
    extra = {"other.py": "import os  # mbcheck: ignore[MB501]\n"}
    plugin = lint(plugin_with_repeated_imports(tmp_path, **extra))
    assert [(f.span.path, f.span.line) for f in findings(plugin, "MB002")] == [("other.py", 1)]


def test_a_file_the_config_ignores_is_not_counted(tmp_path: Path) -> None:
    plugin = lint(plugin_with_repeated_imports(tmp_path), per_file_ignores={"store1.py": ("MB501",)})
    keyring = by_distribution(plugin)["keyring"]
    assert (keyring.span.path, len(keyring.related)) == ("store2.py", 3)


def test_checking_one_file_keeps_a_finding_one_of_whose_imports_is_in_it(tmp_path: Path) -> None:
    root = plugin_with_repeated_imports(tmp_path)
    report = run(root / "store3.py", Config(select=("MB501",)))
    (plugin,) = report.plugins
    assert [f.message.split("`")[3] for f in plugin.findings] == ["keyring"]


# ---------------------------------------------------------------------------
# first-party imports never name a distribution


def test_src_layout_relative_and_own_package_imports_are_first_party(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": (
            '[project]\nname = "mytool"\nversion = "1.0.0"\ndependencies = []\n\n'
            '[project.entry-points."milkbottle.bottles"]\nmytool = "mytool.cli:get_cli"\n'
        ),
        "src/mytool/__init__.py": "from . import cli\nfrom .cli import get_cli\nfrom mytool.sub import helpers\n",
        "src/mytool/cli.py": "from src.mytool.sub.helpers import tidy\nimport src.mytool.sub\nfrom milkbottle.config import MilkBottleConfig\n\ndef get_cli():\n    return None\n",
        "src/mytool/sub/__init__.py": "",
        "src/mytool/sub/helpers.py": "from ..cli import get_cli\n\ndef tidy():\n    return get_cli\n",
        "build/lib/mytool/legacy.py": "from src.mytool import cli\nfrom mytool import sub\n",
    }
    plugin = lint(write_plugin(tmp_path, files, name="mytool"))
    assert findings(plugin) == []
    assert "src" not in plugin.dependencies["imported"]
    assert all(m["distribution"] != "src" for m in plugin.dependencies["missing"])


def test_src_is_never_advised_as_a_distribution(tmp_path: Path) -> None:
    files = {"plugin.yaml": manifest(), "__init__.py": "from src.helpers import x\nimport src\n"}
    plugin = lint(write_plugin(tmp_path, files))
    assert findings(plugin) == []


# ---------------------------------------------------------------------------
# where a bottle declares its requirements


def host_tree(tmp_path: Path) -> Path:
    """MilkBottle's shape: a bottle distribution named milkbottle with in-tree bottles."""
    files = {
        "pyproject.toml": (
            '[project]\nname = "milkbottle"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
            'dependencies = [\n  "click>=8.0.0",\n  "rich>=13.7.1",\n]\n\n'
            '[project.entry-points."milkbottle.bottles"]\npdfmilker = "milkbottle.modules.pdfmilker:get_cli"\n'
        ),
        "src/milkbottle/__init__.py": "import click\nimport rich\n",
        "src/milkbottle/api.py": "import aiohttp\nimport yaml\n",
        "src/milkbottle/modules/__init__.py": "",
        "src/milkbottle/modules/pdfmilker/__init__.py": (
            '__version__ = "1.0.0"\n__author__ = "MilkBottle Team"\n__description__ = "PDF tools"\n'
            "import click\n\n\ndef get_cli():\n    return click.group()(lambda: None)\n"
        ),
        "src/milkbottle/modules/pdfmilker/cli.py": "import click\n\n\n@click.group()\ndef cli() -> None:\n    pass\n",
        "src/milkbottle/modules/pdfmilker/config_validator.py": "import requests\nimport subprocess\nimport os\nHOME = os.environ['HOME']\n",
        "src/milkbottle/modules/pdfmilker/mathpix.py": "import requests\nfrom milkbottle.modules.pdfmilker import config_validator\n",
    }
    return write_plugin(tmp_path, files, name="host")


def test_an_in_tree_bottle_is_told_to_use_the_hosts_pyproject(tmp_path: Path) -> None:
    bottle = host_tree(tmp_path) / "src" / "milkbottle" / "modules" / "pdfmilker"
    report = run(bottle, Config())
    (plugin,) = report.plugins
    (finding,) = findings(plugin)
    assert finding.message.split("`")[3] == "requests"
    assert "`[project] dependencies` in the host's pyproject.toml" in finding.message
    assert "plugin.yaml" not in finding.message and "__dependencies__" not in finding.message
    assert [r.path for r in finding.related] == ["mathpix.py"]
    # no advice to add a plugin.yaml field it cannot have
    for other in plugin.findings:
        assert "plugin.yaml" not in other.message, other
    assert not [f for f in plugin.findings if f.rule in ("MB302", "MB405")]


def test_a_bottle_distribution_is_told_to_use_its_pyproject(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": (
            '[project]\nname = "mytool"\nversion = "1.0.0"\ndependencies = []\n\n'
            '[project.entry-points."milkbottle.bottles"]\nmytool = "mytool:get_cli"\n'
        ),
        "src/mytool/__init__.py": "import requests\n\ndef get_cli():\n    return None\n",
    }
    (finding,) = findings(lint(write_plugin(tmp_path, files, name="mytool")))
    assert finding.message.endswith("the bottle cannot load without it); add it to [project].dependencies in pyproject.toml")


def test_a_plugin_keeps_its_manifest_advice(tmp_path: Path) -> None:
    (finding,) = findings(lint(write_plugin(tmp_path, {"plugin.yaml": manifest(), "__init__.py": "import requests\n"})))
    assert finding.message.endswith("the plugin cannot load without it); add it to dependencies in plugin.yaml")


# ---------------------------------------------------------------------------
# the environment the host provides


def profile_with(tmp_path: Path, *requirements: str) -> str:
    data = load_json(f"rules/hosts/{DEFAULT_HOST_PROFILE}.json")
    data = {**data, "requirements": [*data["requirements"], *requirements]}
    data.pop("$schema", None)
    data.pop("environment", None)  # only what the requirements install
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_what_the_host_profile_requires_is_available_to_plugins(tmp_path: Path) -> None:
    root = write_plugin(tmp_path, {"plugin.yaml": manifest(), "__init__.py": "import aiohttp\nimport jinja2\n"})
    assert sorted(by_distribution(lint(root, host_profile=profile_with(tmp_path)))) == ["aiohttp", "jinja2"]
    # the shipped profile knows the host imports both at startup
    assert findings(lint(root)) == []
    wider = lint(root, host_profile=profile_with(tmp_path, "aiohttp>=3.9.0", "jinja2"))
    assert findings(wider) == []
    assert set(wider.dependencies["host_provided"]) == {"aiohttp", "jinja2"}


def test_the_hosts_own_tree_must_declare_what_it_imports(tmp_path: Path) -> None:
    root = host_tree(tmp_path)
    profile = profile_with(tmp_path, "aiohttp>=3.9.0")
    plugin = lint(root, host_profile=profile)
    # the profile lists aiohttp and PyYAML, but the host's own pyproject does not
    assert sorted(by_distribution(plugin)) == ["aiohttp", "pyyaml", "requests"]
    requests = by_distribution(plugin)["requests"]
    assert requests.span.path == "src/milkbottle/modules/pdfmilker/config_validator.py"
    assert "src" not in plugin.dependencies["imported"]


def test_the_report_schema_describes_related_places() -> None:
    schema = json.loads((ROOT / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
    related = schema["$defs"]["finding"]["properties"]["related"]
    assert related["items"]["required"] == ["path", "line", "column", "end_line", "end_column"]
    assert "related" not in schema["$defs"]["finding"]["required"]


def test_modules_python_itself_provides_are_never_distributions(tmp_path: Path) -> None:
    code = (
        "import sys\n\nif sys.version_info >= (3, 14):\n    import annotationlib\n"
        "try:\n    from __pypy__.time import clock_gettime\nexcept ImportError:\n    clock_gettime = None\n"
    )
    plugin = lint(write_plugin(tmp_path, {"plugin.yaml": manifest(), "__init__.py": code}))
    assert findings(plugin) == []
    assert plugin.dependencies["missing"] == []
