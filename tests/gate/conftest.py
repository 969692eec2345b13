"""Plugins for the loader-gate tests, built in tmp_path.

Their `__init__.py` carries the metadata dunders the host's install path reads, agreeing with
the manifest. Like most small plugins, they lack what `milk sdk validate` and `milk marketplace
validate` also want (cli.py, README.md, ...): :data:`HOST_TOOL_INFO` names those information
findings, which tests about other behaviour leave out of their exact lists.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from helpers import MINIMAL_INIT, write_plugin

MANIFEST = """\
name: {name}
version: {version}
description: {description}
author: Example Author
email: author@example.com
license: MIT
capabilities: [example]
tags: [example]
python_version: "3.11"
"""

PluginFactory = Callable[..., Path]


def _init(fields: Mapping[str, str]) -> str:
    """The minimal __init__.py with the dunders the host's install path reads, agreeing with the manifest."""
    text = MINIMAL_INIT
    if "version" in fields:
        text = text.replace('__version__ = "1.0.0"', f'__version__ = "{fields["version"]}"')
    if "description" in fields:
        old = '__description__ = "An example plugin for the rule documentation."'
        text = text.replace(old, f"__description__ = {fields['description']!r}")
    return text


def manifest(
    name: str,
    version: str = "1.0.0",
    description: str = "An example plugin for the rule documentation.",
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
        init_text = _init(fields)
        content = {"plugin.yaml": manifest(name, **fields), "__init__.py": init_text}
        content.update(files or {})
        init = content.get("__init__.py", "")
        if "get_plugin_interface" not in init:
            # keep the contract, after the test's own lines (their numbers stay)
            content["__init__.py"] = init + ("\n" if init and not init.endswith("\n") else "") + init_text
        return write_plugin(base or tmp_path / "plugins", content, name=name)

    return make
