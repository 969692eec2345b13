"""The test suite reads nothing outside the checkout: a clone runs every test the same way."""

from __future__ import annotations

import re
from pathlib import Path

from helpers import ROOT

#: places outside the checkout that tests once read (a development machine's folders)
OUTSIDE = re.compile(r"""["'](?:/work/|\.\./shared)|ROOT\.parent\b""")


def test_no_test_names_a_path_outside_the_checkout() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "tests").rglob("*.py"))
        if path != Path(__file__).resolve() and "fixtures" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if OUTSIDE.search(line)
    ]
    assert offenders == []


def test_the_sarif_schema_fixture_is_the_oasis_schema() -> None:
    from helpers import SARIF_SCHEMA

    text = SARIF_SCHEMA.read_text(encoding="utf-8")
    assert '"id": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/' in text
    assert (SARIF_SCHEMA.parent / "README.md").is_file()
