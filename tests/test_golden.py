"""Golden end-to-end outputs for the bundled example plugins.

Regenerate after an intended change with ``MBCHECK_UPDATE_GOLDEN=1 pytest tests/test_golden.py``
and review the diff like code.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from helpers import EXAMPLES, run
from mbcheck.model import Verdict
from mbcheck.reporters.json import report_dict

GOLDEN = Path(__file__).parent / "golden"
EXAMPLE_DIRS = sorted(p for group in ("plugins", "bottles") if (EXAMPLES / group).is_dir() for p in (EXAMPLES / group).iterdir() if p.is_dir())


def _summary(path: Path) -> dict[str, Any]:
    data = report_dict(run(path))
    plugin = data["plugins"][0]
    keep = ("name", "kind", "verdict", "manifest", "metadata", "readers", "permissions", "compatibility", "dependencies", "not_analysed")
    out = {k: plugin[k] for k in keep if k in plugin}
    out["findings"] = [
        f"{f['path']}:{f['line']}:{f['column']}: {f['rule']} {f['severity']} {f['message']}" for f in plugin["findings"]
    ]
    return out


@pytest.mark.parametrize("example", EXAMPLE_DIRS, ids=[p.name for p in EXAMPLE_DIRS])
def test_example_matches_golden(example: Path) -> None:
    actual = _summary(example)
    golden = GOLDEN / f"{example.parent.name}-{example.name}.json"
    if os.environ.get("MBCHECK_UPDATE_GOLDEN"):
        golden.write_text(json.dumps(actual, indent=2, sort_keys=True) + "\n")
    assert golden.is_file(), f"no golden file for {example.name}: run with MBCHECK_UPDATE_GOLDEN=1"
    assert actual == json.loads(golden.read_text())


def test_the_correct_example_passes_without_warnings() -> None:
    report = run(EXAMPLES / "plugins" / "hello_world")
    assert report.plugins[0].verdict is Verdict.PASS
    assert [f.rule for f in report.plugins[0].findings if f.severity.value != "info"] == []


def test_every_broken_example_fails_or_warns() -> None:
    for example in EXAMPLE_DIRS:
        if example.name == "hello_world":
            continue
        verdict = run(example).plugins[0].verdict
        assert verdict is not Verdict.PASS, f"{example.name} is meant to show problems"


def test_the_correct_example_passes_beside_the_broken_ones() -> None:
    """Cross-plugin rules see every example at once: hello_world must still pass."""
    report = run(EXAMPLES / "plugins")
    verdicts = {p.name: p.verdict for p in report.plugins}
    assert verdicts["hello_world"] is Verdict.PASS
    assert len(verdicts) == len([p for p in (EXAMPLES / "plugins").iterdir() if p.is_dir()])
