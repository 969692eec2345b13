"""Golden end-to-end outputs for fixtures shaped like the real MilkBottle host.

``tests/fixtures/host_shapes/`` copies, in a few lines each, the shapes MilkBottle (commit
fb2eb2c) really has: its three in-tree bottles under ``src/milkbottle/modules/``, a bottle
distribution found through an entry point, and plugins as its plugin loader and installers read
them. Each case is linted the way a user would (the bottle's directory, the ``modules``
directory, the distribution root, the plugin directory, the archive).

Regenerate after an intended change with
``MBCHECK_UPDATE_GOLDEN=1 pytest tests/test_host_shapes_golden.py`` and review the diff like
code: every finding must be what the host would really do.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest

from helpers import ROOT, run
from mbcheck.model import Verdict
from mbcheck.reporters.json import report_dict

GOLDEN = Path(__file__).parent / "golden"
SHAPES = ROOT / "tests" / "fixtures" / "host_shapes"
HOST = SHAPES / "milkbottle"
MODULES = HOST / "src" / "milkbottle" / "modules"

#: a fixed timestamp for archive entries, so the archive is the same on every run
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def _plugin_summary(plugin: dict[str, Any]) -> dict[str, Any]:
    keep = ("name", "kind", "verdict", "manifest", "metadata", "readers")
    out = {k: plugin[k] for k in keep if k in plugin}
    out["findings"] = [
        f"{f['path']}:{f['line']}:{f['column']}: {f['rule']} {f['severity']} {f['message']}"
        for f in plugin["findings"]
    ]
    return out


def _summary(path: Path) -> dict[str, Any]:
    """Every plugin the path holds, by name: what the golden file keeps of the JSON report."""
    data = report_dict(run(path))
    return {plugin["name"]: _plugin_summary(plugin) for plugin in data["plugins"]}


def _folder_wrapped_zip(source: Path, archive: Path) -> Path:
    """Zip ``source`` as ``cd parent && zip -r archive name`` does: every entry under its folder."""
    entries = sorted(p for p in source.rglob("*") if "__pycache__" not in p.parts)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo(f"{source.name}/", ZIP_DATE), b"")
        for path in entries:
            name = path.relative_to(source.parent).as_posix()
            if path.is_dir():
                zf.writestr(zipfile.ZipInfo(f"{name}/", ZIP_DATE), b"")
            else:
                info = zipfile.ZipInfo(name, ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, path.read_bytes())
    return archive


CASES: dict[str, Path] = {
    "fontmilker": MODULES / "fontmilker",
    "venvmilker": MODULES / "venvmilker",
    "pdfmilker": MODULES / "pdfmilker",
    "modules": MODULES,
    "milkbottle": HOST,
    "tool_bottle": SHAPES / "tool_bottle",
    "dunder_only": SHAPES / "dunder_only",
    "yaml_only": SHAPES / "yaml_only",
    "json": SHAPES / "json",
    "wrapped_zip": SHAPES / "wrapped" / "wrapped_plugin",
}


def _case_path(case: str, tmp_path: Path) -> Path:
    if case == "wrapped_zip":
        return _folder_wrapped_zip(CASES[case], tmp_path / "wrapped_plugin.zip")
    return CASES[case]


def _rules(summary: dict[str, Any], name: str) -> list[tuple[str, str]]:
    return [(line.split(" ")[1], line.split(" ")[2]) for line in summary[name]["findings"]]


@pytest.mark.parametrize("case", sorted(CASES))
def test_host_shape_matches_golden(case: str, tmp_path: Path) -> None:
    actual = _summary(_case_path(case, tmp_path))
    text = json.dumps(actual, indent=2, sort_keys=True) + "\n"
    assert str(tmp_path) not in text and str(ROOT) not in text, "golden paths must be relative"
    golden = GOLDEN / f"host_shapes-{case}.json"
    if os.environ.get("MBCHECK_UPDATE_GOLDEN"):
        golden.write_text(text)
    assert golden.is_file(), f"no golden file for {case}: run with MBCHECK_UPDATE_GOLDEN=1"
    assert actual == json.loads(golden.read_text())


# The key behaviour of each case, asserted directly so that a regenerated golden cannot bless a
# regression unnoticed.


def test_click_group_bottle_with_dict_metadata_is_a_clean_bottle(tmp_path: Path) -> None:
    summary = _summary(_case_path("fontmilker", tmp_path))["fontmilker"]
    assert summary["kind"] == "bottle"
    assert summary["verdict"] == Verdict.PASS.value
    assert summary["findings"] == []


def test_typer_bottle_is_an_mb216_error(tmp_path: Path) -> None:
    assert _rules(_summary(_case_path("venvmilker", tmp_path)), "venvmilker") == [("MB216", "error")]


def test_missing_cli_attribute_and_distribution_names(tmp_path: Path) -> None:
    rules = _rules(_summary(_case_path("pdfmilker", tmp_path)), "pdfmilker")
    assert sorted(rules) == [("MB215", "warning"), ("MB215", "warning"), ("MB216", "error")]


def test_modules_dir_and_distribution_root_see_the_same_bottles(tmp_path: Path) -> None:
    modules = _summary(_case_path("modules", tmp_path))
    assert sorted(modules) == ["fontmilker", "pdfmilker", "venvmilker"]
    assert all(p["kind"] == "bottle" for p in modules.values())
    root = _summary(_case_path("milkbottle", tmp_path))
    assert sorted(rule for rule, _ in _rules(root, "milkbottle")) == ["MB215", "MB215", "MB216", "MB216"]


def test_entry_point_attribute_other_than_get_cli_is_not_reported(tmp_path: Path) -> None:
    rules = _rules(_summary(_case_path("tool_bottle", tmp_path)), "milkbottle-tool")
    assert not {"MB210", "MB211"} & {rule for rule, _ in rules}


def test_dunder_only_plugin_passes_the_install_reader(tmp_path: Path) -> None:
    summary = _summary(_case_path("dunder_only", tmp_path))["dunder_only"]
    assert summary["verdict"] == Verdict.PASS.value
    assert "MB116" not in {rule for rule, _ in _rules({"p": summary}, "p")}


def test_plugin_yaml_only_plugin_is_rejected_by_install(tmp_path: Path) -> None:
    assert ("MB116", "error") in _rules(_summary(_case_path("yaml_only", tmp_path)), "yaml_only")


def test_folder_wrapped_archive_is_mb619(tmp_path: Path) -> None:
    summary = _summary(_case_path("wrapped_zip", tmp_path))
    (name,) = summary
    assert ("MB619", "error") in _rules(summary, name)


def test_plugin_named_json_is_mb121(tmp_path: Path) -> None:
    assert ("MB121", "error") in _rules(_summary(_case_path("json", tmp_path)), "json")


def test_folder_wrapped_archive_is_not_installable(tmp_path: Path) -> None:
    """No installer reaches the loader: the install view says so rather than reading the folder."""
    (plugin,) = _summary(_case_path("wrapped_zip", tmp_path)).values()
    install = plugin["readers"]["install"]
    assert install["outcome"] == "not installable"
    assert install["errors"][0].startswith("the archive holds the plugin in the folder `wrapped_plugin/`")
