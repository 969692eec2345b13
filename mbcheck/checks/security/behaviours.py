"""The behaviour table (``rules/security/behaviours.json``): what malicious packages do, as data.

Command lines that download and run code, open a reverse shell, install
persistence or send secrets (MB370); the files credential and wallet stealers
read (MB372); the places that start a program with the session or the
interpreter (MB318); the public DNS resolvers an honest "what is my address"
socket connects to (MB373). This module holds no libcst: it only loads and
matches the table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from mbcheck.resources import load_json

TABLE = "rules/security/behaviours.json"

#: the longest command line searched (a longer text is cut: the patterns look at its start)
MAX_COMMAND = 8192


@dataclass(frozen=True, slots=True)
class CommandPattern:
    """A kind of command line and what it does (``what`` is said in the finding)."""

    kind: str
    what: str
    pattern: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class StealerTarget:
    """Path segments naming a store stealers read, and what the store holds."""

    segments: tuple[str, ...]
    what: str


@dataclass(frozen=True, slots=True)
class Autostart:
    """Where a written file makes a program start with the session, the system or the interpreter."""

    home: tuple[str, ...]
    system: tuple[str, ...]
    file_names: frozenset[str]
    suffixes: tuple[str, ...]
    registry_keys: tuple[str, ...]


@cache
def command_patterns() -> tuple[CommandPattern, ...]:
    """The command-line patterns, compiled (case-insensitive)."""
    section = load_json(TABLE)["command_lines"]["patterns"]
    return tuple(CommandPattern(p["kind"], p["what"], re.compile(p["pattern"], re.IGNORECASE)) for p in section)


def match_command(text: str) -> CommandPattern | None:
    """The first pattern a command line matches, or None."""
    text = text[:MAX_COMMAND]
    for pattern in command_patterns():
        if pattern.pattern.search(text):
            return pattern
    return None


def _segments(text: str) -> tuple[str, ...]:
    return tuple(s for s in text.replace("\\", "/").lower().split("/") if s)


@cache
def stealer_targets() -> tuple[StealerTarget, ...]:
    return tuple(
        StealerTarget(_segments(m["marker"]), m["what"]) for m in load_json(TABLE)["stealer_targets"]["markers"]
    )


def match_stealer_target(path_text: str) -> StealerTarget | None:
    """The store a path (``/`` or ``\\`` separated, pieces unknown as anything) names, or None.

    A marker matches whole consecutive segments; the path must have at least two
    segments, so a lone word (``"Exodus"`` in a message) is no path.
    """
    segments = _segments(path_text)
    if len(segments) < 2:
        return None
    for target in stealer_targets():
        size = len(target.segments)
        for start in range(len(segments) - size + 1):
            if segments[start:start + size] == target.segments:
                return target
    return None


@cache
def autostart() -> Autostart:
    section = load_json(TABLE)["autostart"]
    return Autostart(
        home=tuple(section["home"]),
        system=tuple(section["system"]),
        file_names=frozenset(n.lower() for n in section["file_names"]),
        suffixes=tuple(s.lower() for s in section["suffixes"]),
        registry_keys=tuple(k.lower() for k in section["registry_keys"]),
    )


@cache
def public_resolvers() -> frozenset[str]:
    return frozenset(load_json(TABLE)["public_resolvers"]["addresses"])


def autostart_entry(home: bool, path: str) -> str | None:
    """The autostart location a static path is in (home-relative or absolute), or None."""
    table = autostart()
    normal = path.replace("\\", "/")
    if home:
        for entry in table.home:
            if normal == entry.rstrip("/") or normal.startswith(entry):
                return entry
        return None
    lowered = normal.lower()
    for entry in table.system:
        low = entry.replace("\\", "/").lower()
        if lowered == low or lowered.startswith(low + "/"):
            return entry
    return None


def startup_file(path_text: str) -> str | None:
    """The interpreter start-up file a path names (``x.pth``, ``sitecustomize.py``), or None."""
    table = autostart()
    name = path_text.replace("\\", "/").rsplit("/", 1)[-1].lower()
    if name in table.file_names:
        return name
    if any(name.endswith(suffix) and len(name) > len(suffix) for suffix in table.suffixes):
        return name
    return None


def registry_autostart(key: str) -> str | None:
    """The autostart key a registry path ends with (``...\\CurrentVersion\\Run``), or None."""
    lowered = key.replace("/", "\\").rstrip("\\").lower()
    for entry in autostart().registry_keys:
        if lowered.endswith(entry):
            return entry
    return None


__all__ = [
    "MAX_COMMAND",
    "TABLE",
    "Autostart",
    "CommandPattern",
    "StealerTarget",
    "autostart",
    "autostart_entry",
    "command_patterns",
    "match_command",
    "match_stealer_target",
    "public_resolvers",
    "registry_autostart",
    "startup_file",
    "stealer_targets",
]
