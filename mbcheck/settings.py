"""``mbcheck lint --show-settings``: the resolved settings and where each one came from.

Each setting is shown under its config-file key with the value the run would
use and its origin: the default (the :class:`~mbcheck.config.Config` class's),
the config file, a ``--profile``, or a command-line option (which wins).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from mbcheck.config import BUILTIN_PROFILES, SETTINGS, Config, ConfigError, read_file

#: command-line options -> the config keys they set
_OPTIONS: Mapping[str, tuple[str, ...]] = {
    "select": ("select",),
    "extend_select": ("select",),
    "ignore": ("ignore",),
    "fail_on": ("fail-on",),
    "host_profile": ("host-profile",),
    "exclude": ("exclude",),
    "extend_exclude": ("exclude",),
    "cache_dir": ("cache-dir",),
    "advisories": ("advisories",),
    "jobs": ("jobs",),
    "no_cache": ("cache",),
}
#: settings only the command line sets (no config key)
_CLI_ONLY = {"advisories": "advisories"}


def _value(value: Any) -> str:
    if isinstance(value, tuple | list):
        return json.dumps([str(v) for v in value])
    if isinstance(value, Mapping):
        return json.dumps({str(k): (list(v) if isinstance(v, tuple) else str(v) if not isinstance(v, Mapping | list) else v)
                           for k, v in value.items()}, sort_keys=True)
    return json.dumps(value)


def origins(config: Config, *, profile: str | None, options: Mapping[str, Any]) -> dict[str, str]:
    """Config key -> where its value came from."""
    out: dict[str, str] = {}
    data: Mapping[str, Any] = {}
    if config.path is not None:
        try:
            data = read_file(Path(config.path)) or {}
        except ConfigError:  # it was read once already; show the defaults then
            data = {}
    for key in ("select", *SETTINGS):
        if key in data or (key == "select" and "extend-select" in data):
            out[key] = f"config file {config.path}"
    if profile is not None:
        table = {**BUILTIN_PROFILES, **data.get("profiles", {})}.get(profile, {})
        for key in table:
            out["select" if key == "extend-select" else key] = f"profile {profile}"
    for option, keys in _OPTIONS.items():
        if option in options:
            for key in keys:
                out[key] = f"command line (--{option.replace('_', '-')})"
    return out


def show(
    config: Config, *, config_file: Path | None, profile: str | None, isolated: bool, options: Mapping[str, Any]
) -> str:
    """The settings as ``key = value  # origin`` lines, after a line naming the config file."""
    if isolated:
        head = "# config file: none (--isolated)"
    elif config.path is not None:
        head = f"# config file: {config.path}" + (" (--config)" if config_file is not None else " (found from the current directory)")
    else:
        head = "# config file: none found from the current directory upwards"
    where = origins(config, profile=profile, options=options)
    keys = {name: key for key, (name, _convert) in SETTINGS.items()}
    keys.update({"select": "select", **_CLI_ONLY})
    rows: list[tuple[str, str, str]] = []
    for item in fields(Config):
        key = keys.get(item.name)
        if key is None:
            continue
        rows.append((key, _value(getattr(config, item.name)), where.get(key, "default")))
    width = max(len(key) for key, _value_text, _origin in rows)
    value_width = min(60, max(len(text) for _key, text, _origin in rows))
    lines = [head]
    lines += [f"{key:<{width}} = {text:<{value_width}}  # {origin}" for key, text, origin in rows]
    return "\n".join(lines) + "\n"
