"""The plugin's shipped default configuration, and where a validation error points in it.

The default configuration is ``default_config`` in ``plugin.yaml`` (the
mapping itself, or the path of a YAML/JSON file), else a ``config.yaml`` or
``config.json`` beside ``__init__.py``. :func:`default_config` finds and loads
it, or says what makes it unusable; :func:`error_spans` places a JSON Schema
validation error in it (an unknown key at the key itself). No libcst.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mbcheck.checks.config.bounded import search
from mbcheck.checks.interface.facts import json_type
from mbcheck.context import PluginContext
from mbcheck.documents.pointers import (
    DocumentError,
    LoadedDocument,
    LoadLimits,
    join_pointer,
    load_yaml,
)
from mbcheck.model import PluginKind, Span

#: the conventional default-config files beside ``__init__.py``, in the order they are looked for
DEFAULT_CONFIG_FILES = ("config.yaml", "config.json")


@dataclass(frozen=True)
class DefaultConfig:
    """A shipped default configuration and how to place a pointer in it."""

    label: str
    value: Any
    span: Callable[[str], Span]
    key_span: Callable[[str], Span]


def _inline_config(plugin: PluginContext) -> DefaultConfig | None:
    document = getattr(plugin.manifest, "document", None)
    if not isinstance(document, LoadedDocument):
        return None
    base = "/default_config"
    return DefaultConfig(
        "`default_config` in plugin.yaml",
        plugin.model.value("default_config"),
        lambda pointer: document.span(base + pointer),
        lambda pointer: document.key_span(base + pointer),
    )


def default_config(plugin: PluginContext) -> tuple[DefaultConfig | None, tuple[Span, str] | None]:
    """The plugin's default config, or the problem that makes it unusable."""
    if plugin.model.kind is not PluginKind.PLUGIN:
        return None, None
    declared = plugin.model.fields.get("default_config")
    path: str | None = None
    if declared is not None:
        if isinstance(declared.value, dict):
            return _inline_config(plugin), None
        if not isinstance(declared.value, str):
            return None, None  # the manifest schema rule reports the type
        path = posixpath.normpath(declared.value.strip())
        if declared.value.startswith("/") or path.startswith("../") or path == "..":
            return None, (declared.span, f"default_config {declared.value!r} points outside the plugin")
        if path not in plugin.files:
            return None, (declared.span, f"default_config {declared.value!r}: no such file in the plugin")
    else:
        path = next((name for name in DEFAULT_CONFIG_FILES if name in plugin.files), None)
        if path is None:
            return None, None
    text = plugin.text(path)
    if text is None:
        return None, None
    try:
        document = load_yaml(text, path, LoadLimits())
    except DocumentError as error:
        return None, (error.span, f"default config `{path}` cannot be read: {error.message}")
    if not isinstance(document.value, dict):
        return None, (
            document.span(""),
            f"default config `{path}` is a {json_type(document.value)}, not a mapping: "
            "the host passes the config to `validate_config` as a dict",
        )
    return DefaultConfig(f"`{path}`", document.value, document.span, document.key_span), None


def error_spans(config: DefaultConfig, error: Any) -> list[tuple[Span, str]]:
    """Where a validation error points in the config, and what to say there (one per unknown key)."""
    pointer = join_pointer(error.absolute_path)
    if error.validator in ("additionalProperties", "unevaluatedProperties") and isinstance(error.instance, dict):
        schema = error.schema if isinstance(error.schema, dict) else {}
        known = set(schema.get("properties", {})) if isinstance(schema.get("properties"), dict) else set()
        patterns = list(schema.get("patternProperties", {})) if isinstance(schema.get("patternProperties"), dict) else []
        unknown = [
            key for key in error.instance
            if key not in known and not any(_search(p, str(key)) for p in patterns)
        ]
        if unknown:
            return [
                (config.key_span(join_pointer([*error.absolute_path, key])), f"unknown key `{key}`")
                for key in unknown
            ]
    return [(config.span(pointer), error.message)]


def _search(pattern: Any, text: str) -> bool:
    """Whether a ``patternProperties`` pattern matches ``text`` (on RE2; one it cannot run matches nothing)."""
    return isinstance(pattern, str) and search(pattern, text) is True

