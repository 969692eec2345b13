"""Digests that bind a report to exactly what it judged.

A plugin's digest is ``sha256:`` + the SHA-256 over its files, in sorted order
of their relative POSIX paths, each contributing ``path NUL sha256(content)``.
It covers every file the host's import system could load (see
:func:`mbcheck.discovery.list_files`): sources anywhere in the plugin, build
output and virtual environments inside it, and directories reached through a
symbolic link inside the plugin, under the link's name. Only two things are
left out:

* version control and tool caches (``.git``, ``.mypy_cache``, …): no import
  reaches them by name (a link into one is followed under its own name);
* bytecode caches (``__pycache__/mod.<tag>[.opt-N].pyc``): the host writes them
  when it imports the plugin, so the digest cannot cover them. They are not
  trusted for that: CPython runs such a file instead of its source when the
  file says it is current, which an attacker's file can claim. Each one whose
  source exists is checked when the plugin is linted and again when the gate
  admits it (:mod:`mbcheck.bytecode`), and refused unless it is provably the
  compilation of its source. Anything else in ``__pycache__`` (a ``.py`` file,
  a ``mod.pyc`` that ``from .__pycache__ import mod`` loads) is digested.

A directory and an archive holding the same files have the same digest.

The digest covers every file the plugin directory lists, including files the
configuration excludes from analysis, so it does not depend on the
configuration and the host can recompute it without knowing how the plugin
was checked.

The configuration digest names the settings that decide what a report says
(rule selection, severities, ignores, host profile, limits), so two reports
can be compared for "judged the same way".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mbcheck.config import Config

PREFIX = "sha256:"


def counted(rel: str) -> bool:
    """Whether the file at ``rel`` (relative POSIX path) is part of the digest (not a bytecode cache)."""
    from mbcheck.bytecode import is_cache_file

    return not is_cache_file(rel)


@dataclass
class PluginDigest:
    """Accumulates ``(path, content)`` pairs in any order; :meth:`value` is order-free."""

    _entries: dict[str, bytes] = field(default_factory=dict)

    def add(self, rel: str, data: bytes) -> None:
        if counted(rel):
            self._entries[rel] = hashlib.sha256(data).digest()

    def __contains__(self, rel: str) -> bool:
        return rel in self._entries

    def value(self) -> str:
        digest = hashlib.sha256()
        for rel in sorted(self._entries):
            digest.update(rel.encode("utf-8", "surrogateescape") + b"\0")
            digest.update(self._entries[rel])
        return f"{PREFIX}{digest.hexdigest()}"


def digest_files(files: Mapping[str, bytes] | Iterable[tuple[str, bytes]]) -> str:
    """The digest of in-memory files (relative POSIX path -> content)."""
    builder = PluginDigest()
    items = files.items() if isinstance(files, Mapping) else files
    for rel, data in items:
        builder.add(rel, data)
    return builder.value()


class DigestError(Exception):
    """The plugin's files cannot all be read or listed, so no digest can vouch for them."""


def digest_directory(root: Path) -> str:
    """The digest of a plugin directory as it is on disk now.

    Raises :class:`DigestError` when a file cannot be read, or when the
    directory holds a symbolic link that leaves it (or forms a loop): such a
    link is never covered by a digest, so nothing can vouch for what it reaches.
    """
    from mbcheck.discovery import list_files

    listing = list_files(root)
    if listing.problems:
        raise DigestError("; ".join(problem.message for problem in listing.problems))
    builder = PluginDigest()
    for rel in listing.files:
        try:
            builder.add(rel, (root / rel).read_bytes())
        except OSError as exc:
            raise DigestError(f"cannot read `{rel}`: {exc.strerror or exc}") from None
    return builder.value()


def add_unlisted(builder: PluginDigest, root: Path, files: Iterable[str]) -> None:
    """Add the ``files`` of ``root`` the builder has not seen (those excluded from analysis).

    Unreadable files are skipped here: they are digested (or reported) where
    they are read for analysis.
    """
    for rel in files:
        if rel in builder or not counted(rel):
            continue
        try:
            builder.add(rel, (root / rel).read_bytes())
        except OSError:
            continue


def _file_digest(path: str | None) -> str | None:
    """The content digest of a file the config names (None when unset or unreadable)."""
    if path is None:
        return None
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


#: the settings that change one file's analysis (so they are part of the per-file cache key)
FILE_SETTINGS: tuple[str, ...] = ("max_file_size", "max_file_seconds", "max_file_memory")
#: the settings that decide a report's findings and verdicts (the report's ``config_digest``)
REPORT_SETTINGS: tuple[str, ...] = (
    "select", "ignore", "severity", "per_file_ignores", "fail_on", "exclude", "host_profile",
    *FILE_SETTINGS, "plugins", "advisories",
)


def _setting(config: Config, name: str) -> Any:
    """One setting as it enters a digest (a file a setting names: its content's digest)."""
    value = getattr(config, name)
    if name == "severity":
        return {code: severity.value for code, severity in sorted(value.items())}
    if name == "per_file_ignores":
        return {glob: list(codes) for glob, codes in sorted(value.items())}
    if name == "plugins":
        return {plugin: dict(settings) for plugin, settings in sorted(value.items())}
    if name == "advisories":
        return _file_digest(value)
    return list(value) if isinstance(value, tuple) else value


def report_settings(config: Config, settings: Iterable[str] = REPORT_SETTINGS) -> dict[str, Any]:
    """``settings`` of ``config`` as JSON data, as a digest covers them (the report's ``tool.settings``).

    A setting that names a file (``advisories``) appears as its content's SHA-256.
    """
    return {name: _setting(config, name) for name in settings}


def settings_digest(settings: Mapping[str, Any]) -> str:
    """``sha256:`` over settings as :func:`report_settings` gives them (canonical JSON)."""
    encoded = json.dumps(settings, sort_keys=True, separators=(",", ":"), default=str).encode()
    return f"{PREFIX}{hashlib.sha256(encoded).hexdigest()}"


def config_digest(config: Config, settings: Iterable[str] = REPORT_SETTINGS) -> str:
    """``sha256:`` over ``settings`` of ``config``: by default those that decide a report's findings and verdicts."""
    return settings_digest(report_settings(config, settings))


__all__ = [
    "FILE_SETTINGS",
    "REPORT_SETTINGS",
    "DigestError",
    "PluginDigest",
    "add_unlisted",
    "config_digest",
    "counted",
    "digest_directory",
    "digest_files",
    "report_settings",
    "settings_digest",
]
