"""Access to the data mbcheck ships: ``schemas/`` and ``rules/``.

In an installed wheel both live in ``mbcheck/_data`` and are read through
:mod:`importlib.resources`; in a source checkout (or an editable install) they
are the top-level folders beside the package.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any


@cache
def data_root() -> Traversable:
    packaged = resources.files("mbcheck").joinpath("_data")
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent


def data_file(relpath: str) -> Traversable:
    node = data_root()
    for part in relpath.split("/"):
        node = node.joinpath(part)
    return node


@cache
def load_text(relpath: str) -> str:
    return data_file(relpath).read_text(encoding="utf-8")


@cache
def load_json(relpath: str) -> Any:
    return json.loads(load_text(relpath))


def list_dir(relpath: str) -> list[str]:
    node = data_file(relpath)
    if not node.is_dir():
        return []
    return sorted(child.name for child in node.iterdir())


@cache
def data_digest() -> str:
    """sha256 over every shipped data file: part of the cache key and the report."""
    digest = hashlib.sha256()

    def walk(node: Traversable, prefix: str) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            name = f"{prefix}/{child.name}"
            if child.is_dir():
                walk(child, name)
            elif child.name.endswith((".json", ".yaml", ".toml")):
                digest.update(name.encode())
                digest.update(child.read_bytes())

    for top in ("schemas", "rules"):
        node = data_file(top)
        if node.is_dir():
            walk(node, top)
    return digest.hexdigest()
