"""Plugins as each of the host's metadata readers sees them (MB116-MB122, MB619, the ``readers`` section).

The fixtures reproduce the host's shapes: metadata only in plugin.yaml (rejected by the install
path, which reads only dunders), the SDK template's explicit ``__name__``, annotated dunders,
each ``python_version`` form, folder-wrapped and root archives, and module-name collisions.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from helpers import run, write_plugin
from mbcheck.model import Finding, PluginReport, Report, Severity
from mbcheck.reporters.json import report_dict
from mbcheck.resources import load_json
from mbcheck.rules.base import EXAMPLE_INIT, EXAMPLE_MANIFEST

#: the metadata block EXAMPLE_INIT starts with; fixtures vary it
DUNDERS = (
    '__version__ = "1.0.0"\n__description__ = "An example plugin for the rule documentation."\n'
    '__author__ = "Example Author"\n__email__ = "author@example.com"\n'
)
BODY = EXAMPLE_INIT.replace(DUNDERS, "")
#: what the SDK template writes (plugin_sdk/templates/basic/__init__.py): every SDK check passes
SDK_INIT = '''\
"""An example plugin for the rule documentation."""

from milkbottle.plugin_system.core import PluginInterface

__name__ = "example"
''' + DUNDERS + '''

class Plugin(PluginInterface):
    def get_metadata(self): ...
    def validate_config(self, config): ...
    def health_check(self): ...


def get_plugin_interface():
    return Plugin()


def get_cli(): ...
'''
SDK_FILES = {"cli.py": "", "README.md": "# example\n", "requirements.txt": "", "tests/__init__.py": ""}


def _plugin(report: Report) -> PluginReport:
    assert not report.errors, report.errors
    (plugin,) = report.plugins
    return plugin


def _found(report: Report, code: str) -> list[Finding]:
    return [f for f in _plugin(report).findings if f.rule == code]


def _lint(tmp_path: Path, files: dict[str, str], name: str = "example") -> Report:
    return run(write_plugin(tmp_path, files, name=name))


# --- install and discovery: PluginManager._load_plugin_info reads only dunders -----------------


def test_plugin_yaml_only_is_rejected_by_the_install_path(tmp_path: Path) -> None:
    report = _lint(tmp_path, {"plugin.yaml": EXAMPLE_MANIFEST, "__init__.py": BODY})
    (finding,) = _found(report, "MB116")
    assert finding.severity is Severity.ERROR and finding.span.path == "__init__.py"
    for dunder in ("`__description__`", "`__author__`", "`__email__`"):
        assert dunder in finding.message
    assert "never reads plugin.yaml" in finding.message and "`__version__`" not in finding.message
    readers = _plugin(report).readers
    assert readers is not None and readers["install"]["outcome"] == "rejected"
    assert readers["install"]["metadata"]["description"] == "" and readers["install"]["metadata"]["license"] == "MIT"
    assert readers["metadata_from"].startswith("plugin.yaml")
    assert readers["marketplace_validate"]["reads"] == "plugin.yaml"


def test_dunders_are_accepted_and_the_directory_name_is_the_name(tmp_path: Path) -> None:
    report = _lint(tmp_path, {"__init__.py": EXAMPLE_INIT}, name="greeter")
    assert _found(report, "MB116") == []
    readers = _plugin(report).readers
    assert readers is not None and readers["install"]["outcome"] == "accepted"
    assert readers["install"]["metadata"]["name"] == "greeter"
    assert set(readers["install"]["defaulted"]) == {"name", "license"}
    assert readers["metadata_from"].startswith("__init__.py dunders")


@pytest.mark.parametrize(
    ("line", "expected"),
    [('__license__ = ""\n', "`__license__` is empty"), ("__email__ = 42\n", "`__email__` is int, not a string")],
)
def test_an_empty_or_non_string_dunder_is_rejected_at_its_line(tmp_path: Path, line: str, expected: str) -> None:
    report = _lint(tmp_path, {"__init__.py": DUNDERS + line + BODY})
    (finding,) = _found(report, "MB116")
    assert finding.severity is Severity.ERROR and finding.span.line == 5 and expected in finding.message


def test_a_missing_version_is_accepted_as_0_0_0(tmp_path: Path) -> None:
    report = _lint(tmp_path, {"__init__.py": EXAMPLE_INIT.replace('__version__ = "1.0.0"\n', "")})
    (finding,) = _found(report, "MB116")
    assert finding.severity is Severity.WARNING and "0.0.0" in finding.message


def test_an_annotated_version_loads_but_the_sdk_validator_cannot_see_it(tmp_path: Path) -> None:
    init = SDK_INIT.replace('__version__ = "1.0.0"', '__version__: str = "1.0.0"')
    report = _lint(tmp_path, {"__init__.py": init, **SDK_FILES})
    assert _found(report, "MB116") == []
    (finding,) = _found(report, "MB117")
    assert finding.severity is Severity.INFO and finding.span.line == 6
    assert "annotation" in finding.message and "`__version__`" in finding.message


def test_the_sdk_template_passes_sdk_validate(tmp_path: Path) -> None:
    report = _lint(tmp_path, {"__init__.py": SDK_INIT, **SDK_FILES})
    assert _found(report, "MB117") == [] and _found(report, "MB112") == []
    readers = _plugin(report).readers
    assert readers is not None and readers["sdk_validate"]["outcome"] == "passes"


def test_sdk_validate_fails_when_its_score_cannot_reach_the_pass_mark(tmp_path: Path) -> None:
    report = _lint(tmp_path, {"__init__.py": EXAMPLE_INIT})
    (finding,) = _found(report, "MB117")
    assert "missing required files" in finding.message and "`__name__ = \"...\"`" in finding.message
    assert "reports the plugin invalid" in finding.message
    readers = _plugin(report).readers
    assert readers is not None and readers["sdk_validate"]["outcome"] == "fails"
    assert readers["sdk_validate"]["score_at_most"] < 0.8


def test_marketplace_validate_needs_plugin_yaml_or_pyproject(tmp_path: Path) -> None:
    report = _lint(tmp_path / "a", {"__init__.py": EXAMPLE_INIT, "cli.py": ""})
    (finding,) = _found(report, "MB118")
    assert "No metadata found" in finding.message
    pyproject = '[project]\nname = "example"\nversion = "1.0"\ndescription = "d"\nauthors = [{name = "A"}]\n'
    report = _lint(tmp_path / "b", {"__init__.py": EXAMPLE_INIT, "cli.py": "", "pyproject.toml": pyproject})
    (finding,) = _found(report, "MB118")
    assert "Missing required field: name" in finding.message and "[project]" in finding.message
    report = _lint(tmp_path / "c", {"__init__.py": EXAMPLE_INIT, "cli.py": "", "plugin.yaml": EXAMPLE_MANIFEST})
    assert _found(report, "MB118") == []


def test_drift_names_the_path_that_reads_each_value(tmp_path: Path) -> None:
    manifest = EXAMPLE_MANIFEST.replace("version: 1.0.0", "version: 1.3.0")
    report = _lint(tmp_path, {"plugin.yaml": manifest, "__init__.py": EXAMPLE_INIT})
    (finding,) = _found(report, "MB111")
    assert "install and discovery record" in finding.message and "`milk marketplace validate` reads" in finding.message


def test_the_readers_section_matches_the_report_schema(tmp_path: Path) -> None:
    report = _lint(tmp_path, {"plugin.yaml": EXAMPLE_MANIFEST, "__init__.py": BODY})
    Draft202012Validator(load_json("schemas/report.schema.json")).validate(report_dict(report))


# --- python_version: only plugin_system.validation reads it -------------------------------------


@pytest.mark.parametrize(
    ("written", "severity", "expected"),
    [
        ('">=3.11"', Severity.WARNING, "enforces nothing"),
        ('"~=3.11"', Severity.WARNING, "enforces nothing"),
        ('"3.11.4"', Severity.WARNING, "every Python 3.11.x"),
        ("3.11", Severity.ERROR, "uncaught TypeError"),
        ("3.10", Severity.ERROR, "uncaught TypeError"),
    ],
)
def test_each_python_version_form_says_what_the_host_does(
    tmp_path: Path, written: str, severity: Severity, expected: str
) -> None:
    manifest = EXAMPLE_MANIFEST.replace('python_version: "3.11"', f"python_version: {written}")
    report = _lint(tmp_path, {"plugin.yaml": manifest, "__init__.py": EXAMPLE_INIT})
    (finding,) = _found(report, "MB119")
    assert finding.severity is severity and expected in finding.message and finding.span.path == "plugin.yaml"


def test_a_wildcard_is_not_a_version_for_the_host_either(tmp_path: Path) -> None:
    manifest = EXAMPLE_MANIFEST.replace('python_version: "3.11"', 'python_version: "3.11.*"')
    report = _lint(tmp_path, {"plugin.yaml": manifest, "__init__.py": EXAMPLE_INIT})
    (finding,) = _found(report, "MB108")
    assert "enforces nothing" in finding.message and 'python_version: "3.11"' in finding.message


@pytest.mark.parametrize("written", ['"3.11"', '"3.11.0"', '"3"'])
def test_a_bare_minimum_is_the_form_the_host_enforces(tmp_path: Path, written: str) -> None:
    manifest = EXAMPLE_MANIFEST.replace('python_version: "3.11"', f"python_version: {written}")
    report = _lint(tmp_path, {"plugin.yaml": manifest, "__init__.py": EXAMPLE_INIT})
    assert _found(report, "MB119") == [] and _found(report, "MB108") == []


# --- dependencies: install __import__s each entry verbatim --------------------------------------


def test_dependencies_must_be_import_names(tmp_path: Path) -> None:
    line = '__dependencies__ = ["yaml", "requests>=2.31", "pyyaml", "python-slugify"]\n'
    report = _lint(tmp_path, {"__init__.py": DUNDERS + line + BODY})
    found = sorted((f.span.column, f.message) for f in _found(report, "MB120"))
    assert len(found) == 3
    assert "write `requests`" in found[0][1] and "write `yaml`" in found[1][1] and "write `slugify`" in found[2][1]


# --- module names: the host imports the plugin under its directory name -------------------------


@pytest.mark.parametrize(
    ("directory", "severity", "kind"),
    [
        ("json", Severity.ERROR, "standard-library"),
        ("click", Severity.ERROR, "the host imports"),
        ("aiohttp", Severity.ERROR, "the host imports"),
        ("requests", Severity.WARNING, "popular distribution"),
    ],
)
def test_directory_names_that_collide(tmp_path: Path, directory: str, severity: Severity, kind: str) -> None:
    report = _lint(tmp_path, {"__init__.py": EXAMPLE_INIT}, name=directory)
    (finding,) = _found(report, "MB121")
    assert finding.severity is severity and kind in finding.message and f"`{directory}`" in finding.message


def test_a_colliding_metadata_name_is_a_warning_at_its_line(tmp_path: Path) -> None:
    report = _lint(tmp_path, {"plugin.yaml": EXAMPLE_MANIFEST.replace("name: example", "name: yaml"), "__init__.py": EXAMPLE_INIT})
    (finding,) = _found(report, "MB121")
    assert finding.severity is Severity.WARNING and finding.span.path == "plugin.yaml"
    assert "plugin_system.validation" in finding.message
    assert _found(_lint(tmp_path / "ok", {"__init__.py": EXAMPLE_INIT}, name="greeter_tools"), "MB121") == []


def _zip(path: Path, files: dict[str, str]) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    path.write_bytes(buffer.getvalue())
    return path


def test_directory_names_that_do_not_import(tmp_path: Path) -> None:
    dotted = run(_zip(tmp_path / "a.zip", {"my.plugin/__init__.py": EXAMPLE_INIT}))
    (finding,) = _found(dotted, "MB122")
    assert finding.severity is Severity.ERROR and "has a dot" in finding.message
    hyphen = _lint(tmp_path, {"__init__.py": EXAMPLE_INIT}, name="my-plugin")
    (finding,) = _found(hyphen, "MB122")
    assert finding.severity is Severity.WARNING and "`my_plugin`" in finding.message


# --- archives: the installers need __init__.py at the archive's root ----------------------------


def test_a_folder_wrapped_zip_fails_to_install_and_a_root_zip_does_not(tmp_path: Path) -> None:
    files = {"plugin.yaml": EXAMPLE_MANIFEST, "__init__.py": EXAMPLE_INIT}
    wrapped = run(_zip(tmp_path / "example.zip", {f"example/{k}": v for k, v in files.items()}))
    (finding,) = _found(wrapped, "MB619")
    assert finding.severity is Severity.ERROR and finding.span.path == "" and "'example'" in finding.message
    (tmp_path / "root").mkdir()
    rooted = run(_zip(tmp_path / "root" / "example.zip", files))
    assert _found(rooted, "MB619") == []
    # the same files give the same findings otherwise
    assert sorted((f.rule, f.message) for f in _plugin(rooted).findings) == sorted(
        (f.rule, f.message) for f in _plugin(wrapped).findings if f.rule != "MB619"
    )
