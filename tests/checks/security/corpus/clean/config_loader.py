"""Loads the plugin's configuration (YAML or JSON) and its optional formatters."""

from __future__ import annotations

import importlib
import json
import logging
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

DEFAULTS: dict[str, Any] = {"language": "en", "formatter": "plain", "log_level": "warning"}


def read_config(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yaml", ".yml"):
        data = yaml.safe_load(text)
    elif path.suffix == ".toml":
        data = tomllib.loads(text)
    else:
        data = json.loads(text)
    return {**DEFAULTS, **(data or {})}


def read_all(text: str) -> list[Any]:
    return list(yaml.load_all(text, Loader=yaml.SafeLoader))


def read_fast(text: str) -> Any:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)


def log_level(config: dict[str, Any]) -> int:
    return getattr(logging, str(config["log_level"]).upper(), logging.WARNING)


def formatter(name: str) -> ModuleType:
    """Formatters are modules of this plugin: `formatters/<name>.py`."""
    return importlib.import_module(f".formatters.{name}", __package__)


def optional_speedups() -> ModuleType | None:
    try:
        return importlib.import_module("orjson")
    except ImportError:
        return None
