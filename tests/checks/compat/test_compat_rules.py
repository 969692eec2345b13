"""The compatibility rules MB401-MB406 end to end, and the report's ``compatibility`` section."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from packaging.version import Version

from helpers import EXAMPLES, run, write_plugin
from mbcheck.checks.compat import rules as compat
from mbcheck.checks.compat.tables import HostApi, host_api_catalogue
from mbcheck.config import DEFAULT_HOST_PROFILE
from mbcheck.model import Finding, Report, Severity, Verdict
from mbcheck.reporters.json import report_dict
from mbcheck.resources import load_json
from mbcheck.rules.base import EXAMPLE_MANIFEST

COMPAT = ("MB401", "MB402", "MB403", "MB404", "MB405", "MB406")


def manifest(python_version: str | None = ">=3.11", extra: str = "") -> str:
    lines = [line for line in EXAMPLE_MANIFEST.splitlines() if not line.startswith("python_version")]
    if python_version is not None:
        lines.append(f"python_version: '{python_version}'")
    return "\n".join(lines) + "\n" + extra


def lint(
    tmp_path: Path,
    files: Mapping[str, str],
    config: Mapping[str, Any] | None = None,
    name: str = "example",
) -> Report:
    root = write_plugin(tmp_path, files, name=name)
    return run(root, {"select": [*COMPAT, "MB108", "MB109", "MB110"], **(config or {})})


def findings(report: Report, code: str) -> list[Finding]:
    return [f for f in report.plugins[0].findings if f.rule == code]


def section(report: Report) -> dict[str, Any]:
    value: dict[str, Any] = report.plugins[0].compatibility
    return value


def host_profile(tmp_path: Path, **changes: Any) -> str:
    data = dict(load_json(f"rules/hosts/{DEFAULT_HOST_PROFILE}.json"))
    data.pop("$schema", None)
    data.update(changes)
    path = tmp_path / f"host-{abs(hash(json.dumps(changes, sort_keys=True)))}.json"
    path.write_text(json.dumps(data))
    return str(path)


# --- MB401: newer than declared ---------------------------------------------


def test_each_use_above_the_declared_minimum_is_reported_at_its_line(tmp_path: Path) -> None:
    code = "import os\nimport tomllib\n\nmatch os.name:\n    case _:\n        pass\n"
    report = lint(tmp_path, {"plugin.yaml": manifest(">=3.8"), "__init__.py": code})
    found = {(f.span.path, f.span.line): f for f in findings(report, "MB401")}
    assert set(found) == {("__init__.py", 2), ("__init__.py", 4)}
    assert "module `tomllib` needs Python 3.11" in found[("__init__.py", 2)].message
    assert "'>=3.8' admits 3.8 to 3.10" in found[("__init__.py", 2)].message
    assert "PEP 634" in found[("__init__.py", 4)].message and "admits 3.8, 3.9" in found[("__init__.py", 4)].message
    # the host runs 3.11 and newer: only releases it never runs break -> warnings
    assert {f.severity for f in found.values()} == {Severity.WARNING}


def test_a_use_that_breaks_on_a_python_the_host_runs_is_an_error(tmp_path: Path) -> None:
    report = lint(tmp_path, {"plugin.yaml": manifest(">=3.11"), "__init__.py": "x = 1\ntype Pair = tuple[int, int]\n"})
    (finding,) = findings(report, "MB401")
    assert finding.severity is Severity.ERROR and finding.span.line == 2
    assert "needs Python 3.12" in finding.message and "admits 3.11" in finding.message


def test_a_bare_version_means_at_least_that_version(tmp_path: Path) -> None:
    report = lint(tmp_path, {"plugin.yaml": manifest("3.12"), "__init__.py": "type Pair = tuple[int, int]\n"})
    assert findings(report, "MB401") == []


def test_features_older_than_the_position_floor_are_reported_at_the_manifest(tmp_path: Path) -> None:
    files = {"plugin.yaml": manifest(">=3.6"), "__init__.py": "if (n := 1):\n    pass\n", "cli.py": "x = (y := 2)\n"}
    report = lint(tmp_path, files)
    (finding,) = findings(report, "MB401")
    assert finding.span.path == "plugin.yaml" and finding.span.line == 9
    assert "needs Python 3.8" in finding.message and "(used in __init__.py, cli.py)" in finding.message


def test_guarded_uses_are_not_reported(tmp_path: Path) -> None:
    code = (
        "import sys\n\nif sys.version_info >= (3, 11):\n    import tomllib\nelse:\n    import tomli as tomllib\n"
        "try:\n    from typing import Self\nexcept ImportError:\n    from typing_extensions import Self\n"
    )
    report = lint(tmp_path, {"plugin.yaml": manifest(">=3.8"), "__init__.py": code})
    assert findings(report, "MB401") == []
    assert section(report)["python_required"]["min"] == "3.6"


def test_a_backported_name_is_a_warning_and_a_patch_minimum_satisfies_it(tmp_path: Path) -> None:
    code = "import tarfile\n\nFILTER = tarfile.data_filter\n"
    report = lint(tmp_path / "a", {"plugin.yaml": manifest(">=3.11"), "__init__.py": code})
    (finding,) = findings(report, "MB401")
    assert finding.severity is Severity.WARNING and "patch release from 3.11.4" in finding.message
    assert section(report)["python_required"]["min"] == "3.11.4"
    report = lint(tmp_path / "b", {"plugin.yaml": manifest(">=3.11.4"), "__init__.py": code})
    assert findings(report, "MB401") == []


def test_a_suppression_comment_silences_one_line(tmp_path: Path) -> None:
    code = "import tomllib  # mbcheck: ignore[MB401]\nimport graphlib\n"
    report = lint(tmp_path, {"plugin.yaml": manifest(">=3.8"), "__init__.py": code})
    assert [f.span.line for f in findings(report, "MB401")] == [2]


# --- MB402: removed in the declared range -------------------------------------


def test_a_removed_module_in_the_declared_range_is_reported(tmp_path: Path) -> None:
    report = lint(tmp_path, {"plugin.yaml": manifest(">=3.8"), "__init__.py": "import os\nimport imp\n"})
    (finding,) = findings(report, "MB402")
    assert finding.span.line == 2 and finding.severity is Severity.ERROR
    assert "removed in Python 3.12" in finding.message and "admits 3.12 and newer" in finding.message


def test_an_upper_bound_before_the_removal_is_fine(tmp_path: Path) -> None:
    report = lint(tmp_path, {"plugin.yaml": manifest(">=3.11,<3.12"), "__init__.py": "import imp\n"})
    assert findings(report, "MB402") == []
    assert section(report)["python_required"] == {"min": "3.6", "max": "<3.12"}


def test_a_removal_the_host_never_runs_is_a_warning(tmp_path: Path) -> None:
    profile = host_profile(tmp_path, requires_python=">=3.11,<3.12", python_versions=["3.11"])
    report = lint(tmp_path, {"plugin.yaml": manifest(">=3.11"), "__init__.py": "import imp\n"}, {"host-profile": profile})
    (finding,) = findings(report, "MB402")
    assert finding.severity is Severity.WARNING


def test_removed_members_are_reported_too(tmp_path: Path) -> None:
    code = "import asyncio\n\nwatcher = asyncio.ThreadedChildWatcher()\n"
    report = lint(tmp_path, {"plugin.yaml": manifest(">=3.8"), "__init__.py": code})
    (finding,) = findings(report, "MB402")
    assert finding.span.line == 3 and "`asyncio.ThreadedChildWatcher` was removed in Python 3.14" in finding.message


# --- MB403: cannot run on the host ------------------------------------------


def test_a_module_removed_before_the_host_python_cannot_run(tmp_path: Path) -> None:
    report = lint(tmp_path, {"plugin.yaml": manifest(">=3.8"), "__init__.py": "import parser\n"})
    (finding,) = findings(report, "MB403")
    assert finding.severity is Severity.ERROR and finding.span.line == 1
    assert "removed in Python 3.10" in finding.message and "host profile runs Python 3.11 to 3.14" in finding.message
    assert findings(report, "MB402") == []  # the same use is not reported twice
    assert section(report)["host_ok"] is False


def test_code_newer_than_every_host_python_cannot_run(tmp_path: Path) -> None:
    profile = host_profile(tmp_path, requires_python=">=3.9,<3.11", python_versions=["3.9", "3.10"])
    files = {"plugin.yaml": manifest(None), "__init__.py": "import tomllib\n"}
    report = lint(tmp_path, files, {"host-profile": profile})
    (finding,) = findings(report, "MB403")
    assert "needs Python 3.11" in finding.message and "3.9, 3.10" in finding.message
    assert findings(report, "MB405") == []  # MB403 already says it


def test_requirements_that_exclude_each_other_cannot_run(tmp_path: Path) -> None:
    code = "import imp\n\ntype Pair = tuple[int, int]\n"
    report = lint(tmp_path, {"plugin.yaml": manifest(">=3.12"), "__init__.py": code})
    (finding,) = findings(report, "MB403")
    assert finding.span.line == 1 and "no Python runs both" in finding.message and "__init__.py:3" in finding.message
    assert findings(report, "MB402") == []


# --- MB404: declared range vs host ------------------------------------------


@pytest.mark.parametrize("declared", ["<3.10", ">=3.12,<3.11", "==3.9.*"])
def test_a_declared_range_the_host_never_runs_is_an_error(tmp_path: Path, declared: str) -> None:
    report = lint(tmp_path, {"plugin.yaml": manifest(declared), "__init__.py": ""})
    (finding,) = findings(report, "MB404")
    assert finding.span.path == "plugin.yaml" and finding.span.line == 9
    assert section(report)["host_ok"] is False


@pytest.mark.parametrize("declared", [">=3.8", "3.11", ">=3.11,<3.12", "~=3.13.0"])
def test_a_declared_range_the_host_runs_is_fine(tmp_path: Path, declared: str) -> None:
    report = lint(tmp_path, {"plugin.yaml": manifest(declared), "__init__.py": ""})
    assert findings(report, "MB404") == []


def test_an_invalid_python_version_is_left_to_mb108(tmp_path: Path) -> None:
    report = lint(tmp_path, {"plugin.yaml": manifest(">=3.8 or so"), "__init__.py": "type X = int\n"})
    assert [f.rule for f in report.plugins[0].findings if f.rule.startswith("MB4")] == []
    assert findings(report, "MB108")


# --- MB405: undeclared ------------------------------------------------------------


def test_no_declared_python_suggests_what_the_code_needs(tmp_path: Path) -> None:
    report = lint(tmp_path / "a", {"plugin.yaml": manifest(None), "__init__.py": "import graphlib\n"})
    (finding,) = findings(report, "MB405")
    assert finding.severity is Severity.INFO and finding.span.path == "plugin.yaml"
    # the form the host's validator understands: a bare, quoted minimum
    assert 'declare python_version: "3.9"' in finding.message
    assert section(report)["python_declared"] is None
    # a removal becomes the upper bound; the host also runs 3.12+, where `imp` is gone
    report = lint(tmp_path / "b", {"plugin.yaml": manifest(None), "__init__.py": "import imp\nimport tomllib\n"})
    (finding,) = findings(report, "MB405")
    assert finding.severity is Severity.WARNING
    assert 'declare python_version: "3.11"' in finding.message and "3.12 to 3.14" in finding.message
    assert "<3.12" in finding.message and "cannot express" in finding.message


def test_no_declared_python_is_a_warning_when_the_host_runs_a_python_that_breaks(tmp_path: Path) -> None:
    report = lint(tmp_path, {"plugin.yaml": manifest(None), "__init__.py": "type Pair = tuple[int, int]\n"})
    (finding,) = findings(report, "MB405")
    assert finding.severity is Severity.WARNING and '"3.12"' in finding.message and "3.11" in finding.message


def test_dunder_manifests_get_the_suggestion_only_when_the_code_breaks_on_the_host(tmp_path: Path) -> None:
    # no dunder carries a Python requirement; code that runs on every host Python needs none
    report = lint(tmp_path / "a", {"__init__.py": '__version__ = "1.0"\n__author__ = "A"\nimport graphlib\n'})
    assert findings(report, "MB405") == []
    report = lint(tmp_path / "b", {"__init__.py": '__version__ = "1.0"\n__author__ = "A"\ntype Pair = tuple[int, int]\n'})
    (finding,) = findings(report, "MB405")
    assert finding.severity is Severity.WARNING
    assert 'python_version: "3.12" in a plugin.yaml' in finding.message


# --- MB406: host API ------------------------------------------------------------


def test_names_outside_the_public_api_are_reported(tmp_path: Path) -> None:
    code = (
        "from milkbottle.internal import loader\n"
        "from milkbottle.plugin_system.core import PluginInterface, NotAThing\n"
        "import milkbottle.plugin_system as ps\n"
        "Base = ps.core.PluginInterface\n"
        "Other = ps.core.Hidden.attribute\n"
        "from milkbottle.errors import AnyError\n"
        "from milkbottle import __version__, plugin_system\n"
    )
    report = lint(tmp_path, {"plugin.yaml": manifest(), "__init__.py": code})
    messages = {(f.span.line, f.message) for f in findings(report, "MB406")}
    assert messages == {
        (1, "`milkbottle.internal` is not part of MilkBottle's public API (host profile milkbottle-5.0.0-fb2eb2c)"),
        (2, "`NotAThing` is not a public name of `milkbottle.plugin_system.core` in the host profile milkbottle-5.0.0-fb2eb2c"),
        (5, "`Hidden` is not a public name of `milkbottle.plugin_system.core` in the host profile milkbottle-5.0.0-fb2eb2c"),
        # milkbottle.errors defines five exceptions and no __all__: any other name fails to import
        (6, "`AnyError` is not a public name of `milkbottle.errors` in the host profile milkbottle-5.0.0-fb2eb2c"),
    }
    assert all(f.severity is Severity.ERROR for f in findings(report, "MB406"))
    assert section(report)["host_ok"] is False


def test_guarded_host_imports_are_not_reported(tmp_path: Path) -> None:
    code = "try:\n    from milkbottle.plugin_system import Future\nexcept ImportError:\n    Future = None\n"
    report = lint(tmp_path, {"plugin.yaml": manifest(), "__init__.py": code})
    assert findings(report, "MB406") == []


def test_every_catalogued_release_in_the_declared_range_is_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    current = host_api_catalogue()
    older = HostApi(
        Version("0.9.0"),
        {"milkbottle": frozenset({"__version__"}), "milkbottle.plugin_system": frozenset({"PluginInterface"})},
        "MilkBottle 0.9.0",
    )
    monkeypatch.setattr(compat, "host_api_catalogue", lambda: (older, *current))
    code = "from milkbottle.plugin_system import PluginInterface, PluginMetadata\n"
    extra = "min_milkbottle_version: 0.9.0\nmax_milkbottle_version: 1.9.0\n"
    report = lint(tmp_path / "a", {"plugin.yaml": manifest(extra=extra), "__init__.py": code})
    (finding,) = findings(report, "MB406")
    assert finding.severity is Severity.WARNING
    assert finding.message == (
        "`milkbottle.plugin_system.PluginMetadata` is not in MilkBottle 0.9.0, which the declared MilkBottle range "
        "(0.9.0 to 1.9.0) admits"
    )
    # without a declared minimum the range starts at the host profile's version
    report = lint(tmp_path / "b", {"plugin.yaml": manifest(), "__init__.py": code})
    assert findings(report, "MB406") == []


def test_the_shipped_catalogue_matches_the_host_profile_of_the_same_release() -> None:
    profile = load_json(f"rules/hosts/{DEFAULT_HOST_PROFILE}.json")
    (api,) = [a for a in host_api_catalogue() if str(a.version) == profile["milkbottle_version"]]
    assert {k: sorted(v) for k, v in api.modules.items()} == {k: sorted(v) for k, v in profile["public_api"].items()}


def test_every_catalogued_api_is_a_valid_host_profile_s() -> None:
    from mbcheck.checks.compat.tables import catalogue_documents

    validator = Draft202012Validator(load_json("schemas/host-profile.schema.json"))
    Draft202012Validator.check_schema(validator.schema)
    documents = catalogue_documents()
    assert documents and all(path.startswith("rules/hosts/") for path, _version, _modules in documents)
    for path, _version, _modules in documents:
        assert list(validator.iter_errors(load_json(path))) == [], path
    # the API's module names are milkbottle's, its names identifiers (or `*`)
    bad = dict(load_json(f"rules/hosts/{DEFAULT_HOST_PROFILE}.json"), public_api={"requests": ["get"]})
    assert not validator.is_valid(bad)
    bad["public_api"] = {"milkbottle": ["not a name"]}
    assert not validator.is_valid(bad)


# --- the host range (MB109/MB110) and host_ok ------------------------------------


def test_a_host_range_that_excludes_the_host_is_an_error_reported_once(tmp_path: Path) -> None:
    report = lint(tmp_path, {"plugin.yaml": manifest(extra="max_milkbottle_version: 0.5.0\n"), "__init__.py": ""})
    assert [(f.rule, f.severity) for f in report.plugins[0].findings] == [("MB110", Severity.ERROR)]
    assert section(report)["host_ok"] is False
    assert section(report)["milkbottle_declared"] == {"min": None, "max": "0.5.0"}


# --- the report ---------------------------------------------------------------------


def test_the_old_python_example_reports_each_problem_at_its_line() -> None:
    report = run(EXAMPLES / "plugins" / "old_python")
    plugin = report.plugins[0]
    compat_findings = sorted((f.rule, f.span.line, f.severity.value) for f in plugin.findings if f.rule.startswith("MB4"))
    text = (EXAMPLES / "plugins" / "old_python" / "__init__.py").read_text().splitlines()
    line_of = {key: next(i for i, line in enumerate(text, 1) if line.strip().startswith(key)) for key in ("import imp", "import tomllib", "match ")}
    assert compat_findings == sorted(
        [
            ("MB402", line_of["import imp"], "error"),
            ("MB401", line_of["import tomllib"], "warning"),
            ("MB401", line_of["match "], "warning"),
        ]
    )
    assert plugin.verdict is Verdict.FAIL
    assert plugin.compatibility == {
        "python_declared": "3.8",
        "python_required": {"min": "3.11", "max": "<3.12"},
        "milkbottle_declared": {"min": "5.0.0", "max": "5.9.0"},
        "host_ok": True,
    }


def test_hello_world_stays_clean() -> None:
    report = run(EXAMPLES / "plugins" / "hello_world")
    plugin = report.plugins[0]
    assert plugin.verdict is Verdict.PASS
    assert [f for f in plugin.findings if f.severity is not Severity.INFO] == []
    assert plugin.compatibility["host_ok"] is True


def test_the_json_report_with_the_section_matches_the_report_schema(tmp_path: Path) -> None:
    report = run([EXAMPLES / "plugins" / "old_python", EXAMPLES / "plugins" / "hello_world"])
    data = report_dict(report)
    validator = Draft202012Validator(load_json("schemas/report.schema.json"))
    assert list(validator.iter_errors(data)) == []
    assert all("compatibility" in plugin for plugin in data["plugins"])
    broken = json.loads(json.dumps(data))
    broken["plugins"][0]["compatibility"]["python_required"]["max"] = "3.12"
    assert not validator.is_valid(broken)


def test_a_file_only_python_3_12_parses_is_checked_not_rejected(tmp_path: Path) -> None:
    code = (
        "def first[T](items: list[T]) -> T:\n"
        "    return items[0]\n"
        "\n"
        "names = ['a', 'b']\n"
        "label = f\"{\", \".join(names)}\"\n"
    )
    report = run(write_plugin(tmp_path, {"plugin.yaml": manifest(">=3.11"), "__init__.py": code}))
    rules = [(f.rule, f.span.line) for f in report.plugins[0].findings]
    assert ("MB001", 1) not in rules and not any(rule == "MB001" for rule, _ in rules)
    assert ("MB401", 1) in rules and ("MB401", 5) in rules
    assert report.plugins[0].compatibility["python_required"]["min"] == "3.12"
