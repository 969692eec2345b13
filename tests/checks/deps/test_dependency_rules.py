"""Dependency rules (MB500-MB511) end to end, and the requirements / advisories parsers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version
from typer.testing import CliRunner

from helpers import EXAMPLES, run, write_plugin
from mbcheck.checks.deps.advisories import (
    Advisory,
    AdvisoryError,
    AdvisoryIndex,
    AffectedRange,
    admits_affected,
    load_advisories,
    parse_advisories,
)
from mbcheck.checks.deps.imports import resolve_import
from mbcheck.checks.deps.requirements import marker_may_apply, parse_requirements_file, suppressed
from mbcheck.cli import app
from mbcheck.config import Config
from mbcheck.model import Finding, PluginReport, Severity
from mbcheck.reporters.json import report_dict
from mbcheck.resources import load_json
from mbcheck.rules.base import EXAMPLE_MANIFEST

runner = CliRunner()
#: the line of the first item under ``dependencies:`` appended to EXAMPLE_MANIFEST
FIRST = EXAMPLE_MANIFEST.count("\n") + 2


def manifest(*dependencies: str, extra: str = "", name: str = "example") -> str:
    text = EXAMPLE_MANIFEST.replace("name: example", f"name: {name}")
    if dependencies:
        text += "dependencies:\n" + "".join(f"  - {d}\n" for d in dependencies)
    return text + extra


def check(
    tmp_path: Path,
    files: dict[str, str],
    *,
    select: tuple[str, ...] = ("MB5",),
    config: dict[str, Any] | None = None,
    name: str = "example",
) -> PluginReport:
    files = dict(files)
    files.setdefault("plugin.yaml", manifest())
    files.setdefault("__init__.py", "")
    root = write_plugin(tmp_path, files, name=name)
    settings_ = Config(select=select, **(config or {}))
    report = run(root, settings_)
    assert not report.errors, report.errors
    assert len(report.plugins) == 1
    return report.plugins[0]


def codes(plugin: PluginReport, code: str | None = None) -> list[Finding]:
    return [f for f in plugin.findings if code is None or f.rule == code]


def where(findings: list[Finding]) -> list[tuple[str, str, int]]:
    return sorted((f.rule, f.span.path, f.span.line) for f in findings)


# ---------------------------------------------------------------------------
# classification of imports


def test_stdlib_first_party_and_host_imports_are_fine(tmp_path: Path) -> None:
    code = (
        "import os\nimport json as j\nfrom __future__ import annotations\n"
        "import yaml\nfrom PIL import Image\nimport fitz\nfrom slugify import slugify\nimport click\n"
        "import pandas as pd\nfrom milkbottle.plugin_system.core import PluginInterface\n"
        "from . import helpers\nfrom .sub.mod import thing\nimport example.helpers\nimport localmod\n"
    )
    plugin = check(tmp_path, {"__init__.py": code, "helpers.py": "", "localmod.py": ""})
    assert codes(plugin) == []
    section = plugin.dependencies
    assert section["missing"] == []
    assert set(section["host_provided"]) == {"pyyaml", "pillow", "pymupdf", "python-slugify", "click", "pandas", "milkbottle"}
    # stdlib and first-party imports are not listed; host ones are, with their lines
    assert "os" not in section["imported"] and "localmod" not in section["imported"]
    assert section["imported"]["pyyaml"] == [{"path": "__init__.py", "line": 4}]


def test_a_host_package_imported_without_declaring_it_is_fine(tmp_path: Path) -> None:
    plugin = check(tmp_path, {"__init__.py": "import yaml\nimport rich.console\nfrom tqdm import tqdm\n"})
    assert codes(plugin) == []
    assert plugin.dependencies["host_provided"] == ["pyyaml", "rich", "tqdm"]


def test_missing_import_at_module_level_is_an_error_at_its_line(tmp_path: Path) -> None:
    plugin = check(tmp_path, {"__init__.py": '"""Doc."""\n\nimport requests\n'})
    (finding,) = codes(plugin, "MB501")
    assert (finding.span.path, finding.span.line, finding.severity) == ("__init__.py", 3, Severity.ERROR)
    assert "requests" in finding.message and "plugin.yaml" in finding.message
    missing = plugin.dependencies["missing"]
    assert missing == [
        {"distribution": "requests", "module": "requests", "path": "__init__.py", "line": 3,
         "optional": False, "module_level": True}
    ]


def test_aliased_imports_resolve_to_their_distribution(tmp_path: Path) -> None:
    code = "import requests as r\nfrom bs4 import BeautifulSoup as Soup\nimport numpy as np\n"
    plugin = check(tmp_path, {"__init__.py": code, "plugin.yaml": manifest("numpy")})
    found = {(f.span.line, f.message.split("`")[3]) for f in codes(plugin, "MB501")}
    assert found == {(1, "requests"), (2, "beautifulsoup4")}


def test_dotted_import_maps_by_its_top_level_name(tmp_path: Path) -> None:
    plugin = check(tmp_path, {"__init__.py": "import a.b.c\nimport dateutil.parser\n"})
    names = {f.span.line: f.message for f in codes(plugin, "MB501")}
    assert "`a`" in names[1]
    assert "python-dateutil" in names[2]
    declared = check(tmp_path / "2", {"__init__.py": "import dateutil.parser\n", "plugin.yaml": manifest("python-dateutil")})
    assert codes(declared) == []


def test_namespace_packages_map_to_their_own_distribution(tmp_path: Path) -> None:
    code = "from google.cloud import storage\nimport google.cloud.storage.blob\n"
    missing = check(tmp_path, {"__init__.py": code})
    # one finding for the distribution, the second import as a related place
    assert [(f.span.line, [r.line for r in f.related]) for f in codes(missing, "MB501")] == [(1, [2])]
    assert all("google-cloud-storage" in f.message for f in codes(missing, "MB501"))
    declared = check(tmp_path / "2", {"__init__.py": code, "plugin.yaml": manifest("google-cloud-storage>=2")})
    assert codes(declared) == []
    # another distribution of the same namespace does not provide it
    other = check(tmp_path / "3", {"__init__.py": code, "plugin.yaml": manifest("google-cloud-bigquery")})
    assert {f.rule for f in codes(other)} == {"MB501", "MB502"}


def test_unknown_namespace_module_is_named_with_dashes(tmp_path: Path) -> None:
    resolution = resolve_import("google.cloud.widgets.Client")
    assert resolution is not None and resolution.distribution == "google-cloud-widgets"
    plugin = check(tmp_path, {"__init__.py": "from google.cloud.widgets import Client\n", "plugin.yaml": manifest("google-cloud-widgets")})
    assert codes(plugin) == []


def test_import_inside_a_function_is_a_warning_and_optional_import_info(tmp_path: Path) -> None:
    code = (
        "def fetch(url):\n    import httpx\n    return httpx.get(url)\n\n"
        "try:\n    import ujson as json\nexcept ImportError:\n    import json\n"
    )
    plugin = check(tmp_path, {"__init__.py": code})
    severities = {f.span.line: f.severity for f in codes(plugin, "MB501")}
    assert severities == {2: Severity.WARNING, 6: Severity.INFO}
    missing = {m["line"]: m for m in plugin.dependencies["missing"]}
    assert missing[6]["optional"] and not missing[2]["module_level"]


def test_type_checking_and_version_guarded_imports_are_not_missing(tmp_path: Path) -> None:
    code = (
        "import sys\nimport typing\n"
        "if typing.TYPE_CHECKING:\n    from mypy_boto3_s3 import S3Client\n"
        "if sys.version_info < (3, 11):\n    import tomli\nelse:\n    import tomllib\n"
        "if sys.version_info[:2] >= (3, 12):\n    import needs_312\nelse:\n    import before_312\n"
        "if sys.version_info >= (3, 99):\n    import future_only\nelse:\n    import always\n"
    )
    plugin = check(tmp_path, {"__init__.py": code})
    # the host runs 3.11 to 3.14: both sides of the 3.12 test run somewhere
    assert sorted(f.span.line for f in codes(plugin, "MB501")) == [10, 12, 16]


def test_test_files_docs_and_setup_py_are_not_checked_for_missing(tmp_path: Path) -> None:
    files = {
        "tests/test_it.py": "import pytest\n",
        "test_root.py": "import hypothesis\n",
        "conftest.py": "import pytest\n",
        "setup.py": "import setuptools\n",
        "docs/conf.py": "import sphinx\n",
    }
    plugin = check(tmp_path, files)
    assert codes(plugin) == []
    assert "pytest" in plugin.dependencies["imported"]


def test_bottle_src_packages_are_first_party(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": (
            '[project]\nname = "venvmilker"\nversion = "1.0.0"\n'
            'dependencies = [\n  "requests>=2.31",\n  "numpy",\n]\n\n'
            '[project.optional-dependencies]\nfast = ["orjson"]\n\n'
            '[project.entry-points."milkbottle.bottles"]\nvenv = "venvmilker.cli:get_cli"\n'
        ),
        "src/venvmilker/__init__.py": "from venvmilker.cli import get_cli\nimport helperpkg.util\n",
        "src/venvmilker/cli.py": "import requests\nimport orjson\n\ndef get_cli():\n    return None\n",
        "src/helperpkg/util.py": "",
    }
    root = write_plugin(tmp_path, files, name="venvmilker")
    report = run(root, Config(select=("MB5",)))
    (plugin,) = report.plugins
    assert where(codes(plugin)) == [("MB502", "pyproject.toml", 6)]
    declared = plugin.dependencies["declared"]
    assert [d["requirement"] for d in declared] == ["requests>=2.31", "numpy", "orjson"]
    assert declared[2]["extra"] == "fast"


def test_dunder_dependencies_are_the_manifest_without_plugin_yaml(tmp_path: Path) -> None:
    code = '__version__ = "1.0"\n__author__ = "A"\n__dependencies__ = [\n    "requests>=2",\n    "numpy",\n]\nimport requests\n'
    root = write_plugin(tmp_path, {"__init__.py": code})
    (plugin,) = run(root, Config(select=("MB5",))).plugins
    assert where(codes(plugin)) == [("MB502", "__init__.py", 5)]
    assert "`numpy`" in codes(plugin)[0].message


def test_non_literal_dependencies_are_not_judged(tmp_path: Path) -> None:
    code = '__version__ = "1.0"\n__dependencies__ = list(DEPS)\nimport requests\n'
    root = write_plugin(tmp_path, {"__init__.py": code})
    (plugin,) = run(root, Config(select=("MB5",))).plugins
    assert codes(plugin) == []


# ---------------------------------------------------------------------------
# unused, ignores, suppressions


def test_unused_dependency_and_the_ignore_list(tmp_path: Path) -> None:
    files = {"__init__.py": "import click\n", "plugin.yaml": manifest("click>=8.1", "numpy>=1.26", "uvicorn")}
    plugin = check(tmp_path, files)
    assert where(codes(plugin)) == [("MB502", "plugin.yaml", FIRST + 1), ("MB502", "plugin.yaml", FIRST + 2)]
    ignored = check(
        tmp_path / "2", files, config={"plugins": {"example": {"ignore-unused-dependencies": ["UVICORN", "numpy"]}}}
    )
    assert codes(ignored) == []
    assert ignored.dependencies["unused"] == []


def test_unused_is_not_reported_while_a_file_cannot_be_parsed(tmp_path: Path) -> None:
    plugin = check(tmp_path, {"__init__.py": "", "broken.py": "def f(:\n", "plugin.yaml": manifest("numpy")})
    assert codes(plugin, "MB502") == []


def test_used_only_by_tests_is_still_unused_with_a_hint(tmp_path: Path) -> None:
    plugin = check(tmp_path, {"tests/test_x.py": "import pytest\n", "plugin.yaml": manifest("pytest")})
    (finding,) = codes(plugin, "MB502")
    assert "tests" in finding.message


def test_inline_ignores_on_imports_and_requirement_lines(tmp_path: Path) -> None:
    files = {
        "__init__.py": "import requests  # mbcheck: ignore[MB501]\nfrom bs4 import (  # mbcheck: ignore[MB501]\n    BeautifulSoup,\n)\n",
        "plugin.yaml": manifest("numpy  # mbcheck: ignore[MB502]", "reqeusts  # mbcheck: ignore[MB508, MB502]"),
        "requirements.txt": "numpy\nreqeusts  # mbcheck: ignore[MB508]\nrich==12.0  # mbcheck: ignore[MB503]\n",
    }
    plugin = check(tmp_path, files, select=("MB501", "MB502", "MB503", "MB508"))
    assert codes(plugin) == []
    unsuppressed = check(
        tmp_path / "2",
        {**files, "__init__.py": "import requests\n", "requirements.txt": "numpy\nreqeusts\nrich==12.0\n"},
        select=("MB501", "MB502", "MB503", "MB508"),
    )
    assert where(codes(unsuppressed)) == [
        ("MB501", "__init__.py", 1),
        ("MB503", "requirements.txt", 3),
        ("MB508", "requirements.txt", 2),
    ]


def test_suppression_grammar() -> None:
    text = "a\nb  # mbcheck: ignore[MB502,MB508]\nc # mbcheck: ignore\n"
    assert suppressed(text, 2, "MB502") and suppressed(text, 2, "MB508")
    assert not suppressed(text, 2, "MB501") and not suppressed(text, 1, "MB502")
    assert suppressed(text, 3, "MB999")
    assert suppressed("# mbcheck: ignore-file[MB5]\nx\n", 2, "MB501")
    assert not suppressed(None, 1, "MB501")


# ---------------------------------------------------------------------------
# conflicts


def test_conflict_with_the_host_and_with_milkbottle_itself(tmp_path: Path) -> None:
    plugin = check(tmp_path, {"plugin.yaml": manifest("click<8", "milkbottle>=2", "rich>=13")}, select=("MB503",))
    assert where(codes(plugin)) == [("MB503", "plugin.yaml", FIRST), ("MB503", "plugin.yaml", FIRST + 1)]
    assert "click>=8.0.0" in codes(plugin)[0].message
    # pip sees the host's distribution version (0.1.0), not the version its compatibility check compares
    assert "installs the `milkbottle` distribution 0.1.0" in codes(plugin)[1].message
    conflicts = plugin.dependencies["conflicts"]
    assert conflicts[0] == {"requirement": "click<8", "path": "plugin.yaml", "line": FIRST, "with": "host", "other": "click>=8.0.0"}


def test_marker_that_never_holds_on_the_host_is_not_a_conflict(tmp_path: Path) -> None:
    plugin = check(
        tmp_path, {"plugin.yaml": manifest("'click<8; python_version < \"3.8\"'", "'click<8; sys_platform == \"win32\"'")},
        select=("MB503",),
    )
    assert where(codes(plugin)) == [("MB503", "plugin.yaml", FIRST + 1)]


def test_empty_specifier_is_reported_once(tmp_path: Path) -> None:
    plugin = check(tmp_path, {"plugin.yaml": manifest("click>=9,<8")}, select=("MB503", "MB504", "MB505"))
    assert where(codes(plugin)) == [("MB504", "plugin.yaml", FIRST)]


def test_two_plugins_of_a_directory_conflict_with_each_other(tmp_path: Path) -> None:
    a = write_plugin(tmp_path, {"plugin.yaml": manifest("requests<2", name="alpha"), "__init__.py": "import requests\n"}, name="alpha")
    b = write_plugin(
        tmp_path, {"plugin.yaml": manifest("requests>=2.31", "rich", name="beta"), "__init__.py": "import requests, rich\n"}, name="beta"
    )
    write_plugin(tmp_path, {"plugin.yaml": manifest("requests", name="gamma"), "__init__.py": "import requests\n"}, name="gamma")
    report = run(tmp_path, Config(select=("MB505",)))
    by_name = {p.name: p for p in report.plugins}
    assert set(by_name) == {"alpha", "beta", "gamma"}
    (on_a,) = codes(by_name["alpha"])
    (on_b,) = codes(by_name["beta"])
    assert (on_a.span.path, on_a.span.line) == ("plugin.yaml", FIRST)
    assert (on_b.span.path, on_b.span.line) == ("plugin.yaml", FIRST)
    assert "`beta`" in on_a.message and "requests>=2.31" in on_a.message
    assert "`alpha`" in on_b.message and "requests<2" in on_b.message
    assert codes(by_name["gamma"]) == []
    assert by_name["alpha"].dependencies["conflicts"] == [
        {"requirement": "requests<2", "path": "plugin.yaml", "line": FIRST, "with": "beta", "other": "requests>=2.31"}
    ]
    # one plugin alone has nothing to conflict with
    assert codes(run(a, Config(select=("MB505",))).plugins[0]) == []
    assert codes(run(b, Config(select=("MB505",))).plugins[0]) == []


def test_one_finding_per_declaration_however_many_it_conflicts_with(tmp_path: Path) -> None:
    write_plugin(tmp_path, {"plugin.yaml": manifest("requests<2", name="old")}, name="old")
    for index in range(4):
        write_plugin(tmp_path, {"plugin.yaml": manifest(f"requests>=2.{index}", name=f"new{index}")}, name=f"new{index}")
    report = run(tmp_path, Config(select=("MB505",)))
    by_name = {p.name: p for p in report.plugins}
    (finding,) = codes(by_name["old"])
    assert "and 1 more" in finding.message
    assert len(by_name["old"].dependencies["conflicts"]) == 4
    assert all(len(codes(by_name[f"new{i}"])) == 1 for i in range(4))


def test_group_without_a_common_version_is_reported_on_each_member(tmp_path: Path) -> None:
    # every pair overlaps, the three together do not
    write_plugin(tmp_path, {"plugin.yaml": manifest("tool>=1,<3", name="a")}, name="a")
    write_plugin(tmp_path, {"plugin.yaml": manifest("tool>=2,<4", name="b")}, name="b")
    write_plugin(tmp_path, {"plugin.yaml": manifest("tool<2.0; python_version >= '3'", "other", name="c")}, name="c")
    write_plugin(tmp_path, {"plugin.yaml": manifest("tool>=1.5,!=1.6", name="d")}, name="d")
    report = run(tmp_path, Config(select=("MB505",)))
    # c<2 and b>=2 clash pairwise: only those two are reported
    assert {p.name: len(codes(p)) for p in report.plugins} == {"a": 0, "b": 1, "c": 1, "d": 0}
    write_plugin(tmp_path / "x", {"plugin.yaml": manifest("tool>=1,<=2", name="p")}, name="p")
    write_plugin(tmp_path / "x", {"plugin.yaml": manifest("tool>=2,<3", name="q")}, name="q")
    write_plugin(tmp_path / "x", {"plugin.yaml": manifest("tool!=2.0", name="r")}, name="r")
    grouped = run(tmp_path / "x", Config(select=("MB505",)))
    assert all(len(codes(p)) == 1 and "together" in codes(p)[0].message for p in grouped.plugins)


# ---------------------------------------------------------------------------
# requires_plugins


def test_required_plugins_missing_and_cycles(tmp_path: Path) -> None:
    write_plugin(tmp_path, {"plugin.yaml": manifest(name="alpha", extra="requires_plugins: [beta, pdf-tools]\n")}, name="alpha")
    write_plugin(tmp_path, {"plugin.yaml": manifest(name="beta", extra="requires_plugins:\n  - Alpha\n")}, name="beta")
    write_plugin(tmp_path, {"plugin.yaml": manifest(name="gamma", extra="requires_plugins: [beta]\n")}, name="gamma")
    report = run(tmp_path, Config(select=("MB506", "MB507")))
    by_name = {p.name: p for p in report.plugins}
    (missing,) = codes(by_name["alpha"], "MB506")
    assert missing.severity is Severity.ERROR and "pdf-tools" in missing.message
    cycles = {name: [f.message for f in codes(p, "MB507")] for name, p in by_name.items()}
    assert cycles["alpha"] == ["required plugins form a cycle: alpha -> beta -> alpha"]
    assert cycles["beta"] == ["required plugins form a cycle: beta -> alpha -> beta"]
    assert cycles["gamma"] == []
    assert codes(by_name["gamma"]) == []


def test_required_plugin_checked_alone_is_information(tmp_path: Path) -> None:
    plugin = check(tmp_path, {"plugin.yaml": manifest(extra="requires_plugins: [other]\n")}, select=("MB506",))
    (finding,) = codes(plugin)
    assert finding.severity is Severity.INFO


# ---------------------------------------------------------------------------
# names


def test_lookalike_and_import_names(tmp_path: Path) -> None:
    plugin = check(
        tmp_path,
        {"__init__.py": "import yaml\nimport requests\nimport cv2\n", "plugin.yaml": manifest("reqeusts", "yaml", "cv2", "colorama")},
        select=("MB501", "MB502", "MB508", "MB511"),
    )
    assert where(codes(plugin)) == [
        ("MB501", "__init__.py", 2),
        ("MB502", "plugin.yaml", FIRST),
        ("MB502", "plugin.yaml", FIRST + 3),
        ("MB508", "plugin.yaml", FIRST),
        ("MB511", "plugin.yaml", FIRST + 1),
        ("MB511", "plugin.yaml", FIRST + 2),
    ]
    messages = {f.rule + str(f.span.line): f.message for f in codes(plugin)}
    assert "`requests`" in messages[f"MB508{FIRST}"]
    assert "PyYAML" in messages[f"MB511{FIRST + 1}"]
    assert "reqeusts" in messages["MB5012"]  # the missing import points at the likely typo


def test_standard_library_names_as_requirements(tmp_path: Path) -> None:
    plugin = check(
        tmp_path,
        {"__init__.py": "import json\n", "plugin.yaml": manifest("json", "typing>=3.7", "requests-toolbelt")},
    )
    assert where(codes(plugin)) == [
        ("MB502", "plugin.yaml", FIRST + 2),
        ("MB511", "plugin.yaml", FIRST),
        ("MB511", "plugin.yaml", FIRST + 1),
    ]
    assert "standard-library" in codes(plugin, "MB511")[0].message


# ---------------------------------------------------------------------------
# sources: requirements.txt, invalid requirements


def test_requirements_txt_disagreement(tmp_path: Path) -> None:
    files = {
        "__init__.py": "import requests\nimport rich\nimport tqdm\n",
        "plugin.yaml": manifest("requests>=2.31", "rich>=13", "tqdm"),
        "requirements.txt": "# runtime\nrequests==2.32.3 \\\n    --hash=sha256:abc\n-r extra.txt\nrich<13\n",
        "extra.txt": "-i https://pypi.org/simple\nnumpy\n",
    }
    plugin = check(tmp_path, files, select=("MB509",))
    assert where(codes(plugin)) == [
        ("MB509", "extra.txt", 2),
        ("MB509", "plugin.yaml", FIRST + 2),
        ("MB509", "requirements.txt", 5),
    ]
    messages = {f.span.path: f.message for f in codes(plugin)}
    assert "not declared in plugin.yaml" in messages["extra.txt"]
    assert "rich>=13" in messages["requirements.txt"]
    assert "missing from requirements.txt" in messages["plugin.yaml"]


def test_bottle_get_dependencies_are_import_names_not_compared_with_pyproject(tmp_path: Path) -> None:
    """The registry imports each entry of a bottle's `get_dependencies()`: they are module names, so MB509 does
    not compare them with `[project].dependencies`; MB215 reports the entries it can never import."""
    files = {
        "pyproject.toml": (
            '[project]\nname = "b"\nversion = "1.0.0"\ndependencies = ["requests>=2.31"]\n\n'
            '[project.entry-points."milkbottle.bottles"]\nb = "bmod:get_cli"\n'
        ),
        "src/bmod/__init__.py": (
            "import requests\n\ndef get_cli():\n    return None\n\n"
            "def get_dependencies():\n    return [\n        'requests<2',\n        'rich',\n    ]\n"
        ),
    }
    root = write_plugin(tmp_path, files, name="b")
    (plugin,) = run(root, Config(select=("MB509", "MB215"))).plugins
    assert where(codes(plugin)) == [("MB215", "src/bmod/__init__.py", 8)]


def test_invalid_requirements_everywhere(tmp_path: Path) -> None:
    files = {
        "plugin.yaml": manifest("requests>=>2", "click"),
        "requirements.txt": "ok\nnot valid!!\n-r missing.txt\n./local/path\nhttps://example.com/x.whl\nname @ https://example.com/n.whl\n",
    }
    plugin = check(tmp_path, files, select=("MB500",))
    assert where(codes(plugin)) == [
        ("MB500", "plugin.yaml", FIRST),
        ("MB500", "requirements.txt", 2),
        ("MB500", "requirements.txt", 3),
    ]


def test_requirements_file_parser() -> None:
    files = {
        "requirements.txt": "a==1  # c\n-rsub/b.txt\n--requirement=sub/b.txt\nc \\\n  >=2\n-e git+https://x/y#egg=z\n-c constraints.txt\n",
        "sub/b.txt": "-r ../requirements.txt\nd[x]>=1; python_version >= '3'\n-r ../../outside.txt\n",
    }
    parsed = parse_requirements_file("requirements.txt", files.get)
    texts = [(e.path, e.line, e.text) for e in parsed.entries]
    assert texts == [
        ("requirements.txt", 1, "a==1"),
        ("sub/b.txt", 2, "d[x]>=1; python_version >= '3'"),
        ("sub/b.txt", 2, "d[x]>=1; python_version >= '3'"),
        ("requirements.txt", 4, "c   >=2"),
    ]
    assert all(e.requirement is not None for e in parsed.entries)
    messages = sorted(p.message for p in parsed.problems)
    assert any("includes a file that includes it" in m for m in messages)
    assert any("outside the plugin" in m for m in messages)


def test_marker_may_apply() -> None:
    def marker(text: str) -> Any:
        return Requirement(f"x; {text}").marker

    versions = ["3.11", "3.12"]
    assert marker_may_apply(None, versions)
    assert marker_may_apply(marker('python_version >= "3.12"'), versions)
    assert not marker_may_apply(marker('python_version < "3.8"'), versions)
    assert marker_may_apply(marker('sys_platform == "win32"'), versions)
    assert not marker_may_apply(marker('extra == "dev"'), versions)


# ---------------------------------------------------------------------------
# advisories

REQUESTS_ADVISORY = {
    "id": "GHSA-j8r2-6x86-q33q",
    "aliases": ["CVE-2023-32681"],
    "summary": "Unintended leak of Proxy-Authorization header in requests",
    "affected": [
        {
            "package": {"ecosystem": "PyPI", "name": "requests"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2.3.0"}, {"fixed": "2.31.0"}]}],
            "versions": ["2.3.0", "2.30.0"],
        }
    ],
}
CLICK_ADVISORY = {
    "id": "PYSEC-0000-1",
    "affected": [
        {"package": {"ecosystem": "PyPI", "name": "Click"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"last_affected": "8.1.3"}]}]},
        {"package": {"ecosystem": "npm", "name": "click"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}]},
    ],
}


def test_advisories_match_pins_and_ranges(tmp_path: Path) -> None:
    advisories = tmp_path / "osv.json"
    advisories.write_text(json.dumps({"vulns": [REQUESTS_ADVISORY, CLICK_ADVISORY]}))
    files = {
        "__init__.py": "import requests, click\n",
        "plugin.yaml": manifest("requests==2.30.0", "click>=8.0"),
        "requirements.txt": "requests>=2.31\nclick>=8.1.4\n",
    }
    plugin = check(tmp_path / "p", files, select=("MB510",), config={"advisories": str(advisories)})
    found = {(f.span.path, f.span.line): f for f in codes(plugin)}
    assert set(found) == {("plugin.yaml", FIRST), ("plugin.yaml", FIRST + 1)}
    pin, rng = found[("plugin.yaml", FIRST)], found[("plugin.yaml", FIRST + 1)]
    assert pin.severity is Severity.ERROR and "CVE-2023-32681" in pin.message and "2.31.0" in pin.message
    assert rng.severity is Severity.WARNING and "PYSEC-0000-1" in rng.message
    vulnerable = plugin.dependencies["vulnerable"]
    assert {v["id"] for v in vulnerable} == {"GHSA-j8r2-6x86-q33q", "PYSEC-0000-1"}
    # a single record and a plain list are accepted too
    advisories.write_text(json.dumps(REQUESTS_ADVISORY))
    assert len(load_advisories(advisories)) == 1
    advisories.write_text(json.dumps([REQUESTS_ADVISORY, CLICK_ADVISORY]))
    assert len(load_advisories(advisories)) == 2


def test_advisories_cli_option_and_bad_files(tmp_path: Path) -> None:
    plugin = write_plugin(tmp_path, {"plugin.yaml": manifest("requests==2.30.0"), "__init__.py": "import requests\n"})
    good = tmp_path / "osv.json"
    good.write_text(json.dumps([REQUESTS_ADVISORY]))
    result = runner.invoke(app, ["lint", str(plugin), "--no-cache", "--jobs", "1", "--select", "MB510", "--advisories", str(good)])
    assert result.exit_code == 1, result.output
    assert "MB510 error" in result.output
    bad = {
        "invalid.json": "{not json",
        "shape.json": json.dumps({"something": 1}),
        "record.json": json.dumps([{"id": "X", "affected": {"package": "requests"}}]),
        "events.json": json.dumps({"id": "X", "affected": [{"package": {"ecosystem": "PyPI", "name": "r"}, "ranges": [{"type": "ECOSYSTEM", "events": "0"}]}]}),
    }
    for name, text in bad.items():
        path = tmp_path / name
        path.write_text(text)
        result = runner.invoke(app, ["lint", str(plugin), "--no-cache", "--advisories", str(path)])
        assert result.exit_code == 2, (name, result.output)
        assert "advisories file" in result.output and name in result.output
    result = runner.invoke(app, ["lint", str(plugin), "--no-cache", "--advisories", str(tmp_path / "absent.json")])
    assert result.exit_code == 2 and "cannot read" in result.output


def test_osv_events() -> None:
    (advisory,) = parse_advisories(
        {
            "id": "A",
            "affected": [
                {
                    "package": {"ecosystem": "PyPI", "name": "Foo_Bar"},
                    "ranges": [
                        {"type": "ECOSYSTEM", "events": [{"introduced": "1.0"}, {"fixed": "1.2"}, {"introduced": "2.0"}, {"last_affected": "2.1"}, {"introduced": "3.0"}]},
                        {"type": "GIT", "events": [{"introduced": "abc"}]},
                        {"type": "SEMVER", "events": [{"introduced": "not-a-version"}, {"fixed": "9"}]},
                    ],
                }
            ],
        }
    )
    assert advisory.package == "foo-bar"
    assert [str(r.specifier()) for r in advisory.ranges] == ["<1.2,>=1.0", "<=2.1,>=2.0", ">=3.0"]
    for spec, expected in [("<1", False), ("==1.1", True), ("~=1.2.0", False), (">1.9,<2.0.1", True), ("==2.5", False), (">=2.5", True)]:
        assert admits_affected(SpecifierSet(spec), advisory) is expected, spec
    assert parse_advisories({"id": "W", "withdrawn": "2024-01-01T00:00:00Z", "affected": []}) == ()
    with pytest.raises(AdvisoryError, match="has no `id`"):
        parse_advisories([{"affected": []}])


_GRID = [Version(f"{a}.{b}") for a in range(5) for b in range(4)] + [Version(f"{a}.{b}.1") for a in range(5) for b in range(4)]
_texts = st.sampled_from([str(v) for v in _GRID if len(v.release) == 2])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from([">=", "<", "<=", ">", "==", "!="]), _texts), max_size=3),
    st.one_of(st.none(), _texts),
    st.one_of(st.none(), _texts),
    st.booleans(),
)
def test_admits_affected_agrees_with_brute_force(
    specs: list[tuple[str, str]], introduced: str | None, end: str | None, inclusive: bool
) -> None:
    spec = SpecifierSet(",".join(op + v for op, v in specs))
    bounds = AffectedRange(
        Version(introduced) if introduced else None,
        fixed=Version(end) if end and not inclusive else None,
        last_affected=Version(end) if end and inclusive else None,
    )
    advisory = Advisory("X", "pkg", ranges=(bounds,))
    in_range = bounds.specifier()
    expected = any(spec.contains(v) and in_range.contains(v) for v in [*_GRID, Version("9.0")])
    assert admits_affected(spec, advisory) is expected


def test_advisory_index_matches_by_normalized_name() -> None:
    index = AdvisoryIndex(parse_advisories([CLICK_ADVISORY]))
    assert [m.advisory.id for m in index.matches(Requirement("CLICK>=8"))] == ["PYSEC-0000-1"]
    assert index.matches(Requirement("click>8.1.3")) == []
    assert index.matches(Requirement("click==8.0.0"))[0].pinned


# ---------------------------------------------------------------------------
# the examples and the report


def test_deps_trouble_example_reports_each_problem() -> None:
    report = run(EXAMPLES / "plugins" / "deps_trouble", Config(select=("MB5",)))
    (plugin,) = report.plugins
    assert where(codes(plugin)) == [
        ("MB501", "cli.py", 8),
        ("MB502", "plugin.yaml", 13),
        ("MB502", "plugin.yaml", 14),
        ("MB503", "plugin.yaml", 12),
        ("MB508", "plugin.yaml", 13),
    ]


def test_hello_world_has_no_dependency_findings_and_a_valid_section() -> None:
    report = run(EXAMPLES / "plugins" / "hello_world")
    (plugin,) = report.plugins
    assert codes(plugin) == [] or all(not f.rule.startswith("MB5") for f in codes(plugin))
    data = report_dict(report)
    Draft202012Validator(load_json("schemas/report.schema.json")).validate(data)
    section = data["plugins"][0]["dependencies"]
    assert section["declared"] == [{"requirement": "click>=8.1", "distribution": "click", "path": "plugin.yaml", "line": 9}]
    assert section["missing"] == section["unused"] == section["conflicts"] == []


def test_report_section_validates_for_a_troubled_directory(tmp_path: Path) -> None:
    advisories = tmp_path / "osv.json"
    advisories.write_text(json.dumps(REQUESTS_ADVISORY))
    write_plugin(tmp_path / "plugins", {"plugin.yaml": manifest("requests<2", "x>=2,<1", name="a"), "__init__.py": "import bs4\n"}, name="a")
    write_plugin(tmp_path / "plugins", {"plugin.yaml": manifest("requests>=2.5", name="b")}, name="b")
    report = run(tmp_path / "plugins", Config(advisories=str(advisories)))
    data = report_dict(report)
    Draft202012Validator(load_json("schemas/report.schema.json")).validate(data)
    sections = {p["name"]: p["dependencies"] for p in data["plugins"]}
    assert sections["a"]["conflicts"][0]["with"] == "b"
    assert sections["b"]["vulnerable"][0]["id"] == "GHSA-j8r2-6x86-q33q"


def test_a_host_conflict_is_not_also_blamed_on_the_neighbours(tmp_path: Path) -> None:
    """`click<8` is MB503 (the host needs click>=8); a neighbour's `click>=8.1` is fine."""
    from mbcheck.rules.base import EXAMPLE_MANIFEST

    for name, spec in (("old", "click<8"), ("new", "click>=8.1")):
        write_plugin(
            tmp_path,
            {"plugin.yaml": EXAMPLE_MANIFEST.replace("name: example", f"name: {name}")
             + f"dependencies:\n  - {spec}\n", "__init__.py": "import click\n"},
            name=name,
        )
    report = run(tmp_path, Config(select=("MB503", "MB505")))
    found = {p.name: sorted(f.rule for f in p.findings) for p in report.plugins}
    assert found == {"new": [], "old": ["MB503"]}
