"""Configuration: find -> read -> validate (JSON Schema) -> merge -> frozen Config."""

from __future__ import annotations

import fnmatch
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from mbcheck.digest import FILE_SETTINGS, config_digest
from mbcheck.documents.schema import did_you_mean, first_error, path_text, unknown_keys
from mbcheck.model import Severity

#: the shipped profile of the real host (generated from its source: rules/hosts/README.md)
DEFAULT_HOST_PROFILE = "milkbottle-5.0.0-fb2eb2c"
#: older profile names -> the shipped profile that now answers for them (a name, never a second copy)
HOST_PROFILE_ALIASES: Mapping[str, str] = {
    # the hand-written profile of the same host: named after its package __version__
    "milkbottle-1.0.0": DEFAULT_HOST_PROFILE,
}


def canonical_host_profile(name: str) -> str:
    """A host profile name with aliases resolved (a path or unknown name unchanged)."""
    return HOST_PROFILE_ALIASES.get(name, name)


BUILTIN_PROFILES: dict[str, dict[str, Any]] = {
    # local commits: everything reported, only errors block
    "pre-commit": {"fail-on": "error"},
    # CI: warnings block too
    "ci": {"fail-on": "warning"},
    # publishing to the marketplace: warnings block, info stays info
    "publish": {"fail-on": "warning"},
}


class ConfigError(Exception):
    """A configuration that cannot be used; the message names the key and file."""


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    per_file_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    fail_on: str = "error"
    exclude: tuple[str, ...] = ()
    host_profile: str = DEFAULT_HOST_PROFILE
    max_file_size: int = 1_000_000
    #: seconds one file's analysis may take in a worker process (0: no limit)
    max_file_seconds: float = 60
    #: MiB a worker process may reach while analysing one file (0: no limit)
    max_file_memory: int = 1024
    jobs: int = 0
    cache: bool = True
    cache_dir: str | None = None
    plugins: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    profiles: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: the absolute path of the config file the settings came from (None: no file)
    path: str | None = None
    #: whether config files were ignored (``--isolated``)
    isolated: bool = False
    #: an OSV JSON file of known vulnerabilities (``--advisories``; MB510)
    advisories: str | None = None

    # -- queries ---------------------------------------------------------------
    def enabled(self, code: str, plugin: str | Iterable[str] | None = None) -> bool:
        """Whether a code is selected, not ignored, and not ignored for the plugin.

        ``plugin`` is the plugin's name (or several: its manifest name and its
        directory name; the ``plugins`` table may use either).
        """
        if not _matches(code, self.select):
            return False
        if _matches(code, self.ignore):
            return False
        names = (plugin,) if isinstance(plugin, str) else (plugin or ())
        for name in names:
            if _matches(code, self.plugins.get(name, {}).get("ignore", ())):
                return False
        return True

    def plugin_setting(self, names: Iterable[str], key: str) -> list[Any]:
        """A list setting of the ``plugins`` table, merged over the plugin's names."""
        out: list[Any] = []
        for name in names:
            out.extend(self.plugins.get(name, {}).get(key, ()))
        return out

    def ignored_in_file(self, code: str, path: str) -> bool:
        for pattern, codes in self.per_file_ignores.items():
            if _glob_match(path, pattern) and _matches(code, codes):
                return True
        return False

    def excluded(self, path: str) -> bool:
        return any(_glob_match(path, pattern) for pattern in self.exclude)

    def severity_for(self, code: str, default: Severity) -> Severity:
        return self.severity.get(code, default)

    def digest(self) -> str:
        """What in the config can change a file's analysis (part of the cache key)."""
        return config_digest(self, FILE_SETTINGS)

    def with_overrides(self, **changes: Any) -> Config:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def _matches(code: str, selectors: Iterable[str]) -> bool:
    return any(sel == "ALL" or code == sel or code.startswith(sel) for sel in selectors)


def _glob_match(path: str, pattern: str) -> bool:
    pattern = pattern.rstrip("/")
    if fnmatch.fnmatchcase(path, pattern) or fnmatch.fnmatchcase(path, f"*/{pattern}"):
        return True
    # a directory pattern covers everything below it
    parts = path.split("/")
    return any(
        fnmatch.fnmatchcase("/".join(parts[:i]), pattern)
        or fnmatch.fnmatchcase(parts[i - 1], pattern)
        for i in range(1, len(parts))
    )


#: the keys of a settings table that hold lists of rule selectors
_SELECTOR_LISTS = ("select", "extend-select", "ignore")


def _selector_places(data: Mapping[str, Any], prefix: str = "") -> Iterable[tuple[str, list[str]]]:
    """(key, selectors) for every place in a config table that names rules (ill-typed values skipped:
    the schema reports them)."""

    def strings(value: Any) -> list[str]:
        return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []

    for key in _SELECTOR_LISTS:
        if key in data:
            yield f"{prefix}{key}", strings(data[key])
    severity = data.get("severity")
    if isinstance(severity, Mapping):
        yield f"{prefix}severity", [key for key in severity if isinstance(key, str)]
    ignores = data.get("per-file-ignores")
    if isinstance(ignores, Mapping):
        for pattern, codes in ignores.items():
            yield f'{prefix}per-file-ignores."{pattern}"', strings(codes)
    if prefix:
        return
    plugins = data.get("plugins")
    if isinstance(plugins, Mapping):
        for name, table in plugins.items():
            if isinstance(table, Mapping) and "ignore" in table:
                yield f"plugins.{name}.ignore", strings(table["ignore"])
    profiles = data.get("profiles")
    if isinstance(profiles, Mapping):
        for name, table in profiles.items():
            if isinstance(table, Mapping):
                yield from _selector_places(table, f"profiles.{name}.")


def check_selectors(data: Mapping[str, Any], source: str) -> None:
    """Every rule code or prefix the config names must name a rule (a typo would check nothing)."""
    from mbcheck.rules.selectors import SelectorError
    from mbcheck.rules.selectors import check_selectors as check

    for where, selectors in _selector_places(data):
        try:
            check(selectors, f"`{where}`")
        except SelectorError as exc:
            raise ConfigError(f"{source}: {exc}") from None


def validate(data: Mapping[str, Any], source: str) -> None:
    check_selectors(data, source)
    found = first_error("config", data, "path")
    if found is None:
        return
    error, _count = found
    where = path_text(error, ".") or "(top level)"
    extra = unknown_keys(error)
    if extra:
        hint = did_you_mean(extra[0], sorted(error.schema.get("properties", {})))
        prefix = f"{where}." if where != "(top level)" else ""
        raise ConfigError(f"{source}: unknown key `{prefix}{extra[0]}`{hint}")
    raise ConfigError(f"{source}: invalid value for `{where}`: {error.message}")


def _same(value: Any) -> Any:
    return value


#: a config file's keys (besides ``select``/``extend-select``) -> the Config field and how the value becomes it;
#: a key left out keeps the field's default (the defaults are the Config class's, nowhere else)
SETTINGS: Mapping[str, tuple[str, Callable[[Any], Any]]] = {
    "ignore": ("ignore", tuple),
    "severity": ("severity", lambda value: {k: Severity(v) for k, v in value.items()}),
    "per-file-ignores": ("per_file_ignores", lambda value: {k: tuple(v) for k, v in value.items()}),
    "fail-on": ("fail_on", _same),
    "exclude": ("exclude", tuple),
    "host-profile": ("host_profile", canonical_host_profile),
    "max-file-size": ("max_file_size", _same),
    "max-file-seconds": ("max_file_seconds", _same),
    "max-file-memory": ("max_file_memory", _same),
    "jobs": ("jobs", _same),
    "cache": ("cache", _same),
    "cache-dir": ("cache_dir", _same),
    "plugins": ("plugins", _same),
    "profiles": ("profiles", _same),
}


def from_mapping(data: Mapping[str, Any], source: str = "<config>", profile: str | None = None) -> Config:
    if data:  # no settings are valid settings: the schema is not loaded for them
        validate(data, source)
    merged: dict[str, Any] = dict(data)
    if profile is not None:
        profiles = {**BUILTIN_PROFILES, **data.get("profiles", {})}
        if profile not in profiles:
            raise ConfigError(
                f"{source}: unknown profile `{profile}` (known: {', '.join(sorted(profiles))})"
            )
        merged.update(profiles[profile])
    select = tuple(merged.get("select", Config.select)) + tuple(merged.get("extend-select", ()))
    values = {name: convert(merged[key]) for key, (name, convert) in SETTINGS.items() if key in merged}
    return Config(select=select, path=None if source == "<config>" else source, **values)


def read_file(path: Path) -> dict[str, Any] | None:
    """The mbcheck table of a config file, or None when it has none."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("mbcheck")
        if table is None:
            return None
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [tool.mbcheck] must be a table")
        return table
    return data


def find_config_file(start: Path) -> Path | None:
    """Walk up from the directory ``start``: the first ``mbcheck.toml``, or ``pyproject.toml`` with [tool.mbcheck]."""
    current = start if start.is_dir() else start.parent
    current = current.resolve()
    for directory in (current, *current.parents):
        candidate = directory / "mbcheck.toml"
        if candidate.is_file():
            return candidate
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            try:
                if read_file(candidate) is not None:
                    return candidate
            except ConfigError:
                return candidate
    return None


def load(
    path: Path | None = None,
    *,
    cwd: Path | None = None,
    profile: str | None = None,
    isolated: bool = False,
) -> Config:
    """The config for a run: ``path`` (``--config``), else the one found walking up from ``cwd``.

    The checked paths never take part: a plugin's own ``mbcheck.toml`` (or one in
    a directory above it) cannot change how it is judged; it is read only when
    it is the file of the current directory (a plugin author running mbcheck in
    their own repository). With ``cwd`` None no file is searched for, and with
    ``isolated`` (``--isolated``) no file is read at all: the defaults apply.
    """
    if isolated:
        if path is not None:
            raise ConfigError(f"{path}: --config cannot be used with --isolated (which reads no config file)")
        return replace(from_mapping({}, profile=profile), isolated=True)
    config_path = path
    if config_path is None and cwd is not None:
        config_path = find_config_file(cwd)
    if config_path is None:
        return from_mapping({}, profile=profile)
    if not config_path.is_file():
        raise ConfigError(f"{config_path}: config file not found")
    data = read_file(config_path)
    if data is None:
        if path is not None:  # --config names a pyproject.toml without the table: nothing would apply
            raise ConfigError(f"{config_path}: no [tool.mbcheck] table; add one, or pass an mbcheck.toml")
        data = {}
    config = from_mapping(data, str(config_path), profile=profile)
    return replace(config, path=str(config_path.resolve()))
