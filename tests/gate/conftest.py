"""Plugins for the loader-gate tests, built in tmp_path."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from helpers import MINIMAL_INIT, write_plugin

MANIFEST = """\
name: {name}
version: {version}
description: {description}
author: Ada Example
email: ada@example.com
license: MIT
capabilities: [example]
tags: [example]
python_version: ">=3.11"
"""

PluginFactory = Callable[..., Path]


def manifest(
    name: str,
    version: str = "1.0.0",
    description: str = "A plugin the gate tests build.",
    extra: str = "",
) -> str:
    return MANIFEST.format(name=name, version=version, description=description) + extra


@pytest.fixture
def make_plugin(tmp_path: Path) -> PluginFactory:
    """``make_plugin(name, files=None, base=None, **manifest_fields)`` -> the plugin directory."""

    def make(
        name: str,
        files: Mapping[str, str] | None = None,
        base: Path | None = None,
        **fields: str,
    ) -> Path:
        content = {"plugin.yaml": manifest(name, **fields), "__init__.py": MINIMAL_INIT}
        content.update(files or {})
        init = content.get("__init__.py", "")
        if "get_plugin_interface" not in init:
            # keep the contract, after the test's own lines (their numbers stay)
            content["__init__.py"] = init + ("\n" if init and not init.endswith("\n") else "") + MINIMAL_INIT
        return write_plugin(base or tmp_path / "plugins", content, name=name)

    return make
