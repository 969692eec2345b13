"""The README's configuration and policy examples are valid for this mbcheck."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from helpers import ROOT
from mbcheck.config import from_mapping
from mbcheck.gate import policy_from_mapping

BLOCKS = re.findall(r"```toml\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)


def test_readme_config_example_is_a_valid_config(tmp_path: Path) -> None:
    tables = [tomllib.loads(block) for block in BLOCKS if "[tool.mbcheck]" in block]
    assert tables, "the README has a [tool.mbcheck] example"
    for table in tables:
        config = from_mapping(table["tool"]["mbcheck"], "README.md")
        assert config.fail_on == "error"
        assert "B101" in config.ignore


def test_readme_policy_example_is_a_valid_policy() -> None:
    policies = [tomllib.loads(block) for block in BLOCKS if "allow-permissions" in block]
    assert policies, "the README has a policy example"
    for data in policies:
        policy = policy_from_mapping(data)
        assert "network" in policy.allow_permissions
