"""Entries of an archive judged the same way whatever its format.

The zip and tar readers (:mod:`mbcheck.archive.zip`, :mod:`mbcheck.archive.tar`)
are :class:`Reader` subclasses. They judge each entry's name here
(:func:`normalise`) and record problems and the files worth keeping in a
:class:`Collector`, which also finds duplicate names and the plugin root and
builds the :class:`~mbcheck.archive.problems.ArchiveContents`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Final

from mbcheck.archive.problems import (
    ABSOLUTE_PATH,
    DUPLICATE_NAME,
    MULTIPLE_ROOTS,
    PATH_TRAVERSAL,
    UNSAFE_NAME,
    ArchiveContents,
    ArchiveLimits,
    ArchiveProblem,
)

#: the most decompressed bytes read at once
OUT_CHUNK: Final = 256 * 1024

#: entries skipped without a problem
_SKIPPED_DIRS: Final = frozenset({"__MACOSX"})
_SKIPPED_FILES: Final = frozenset({".DS_Store"})
#: files that mark a plugin root
_ROOT_MARKERS: Final = frozenset({"plugin.yaml", "__init__.py"})

_DRIVE: Final = re.compile(r"^[A-Za-z]:")


# --------------------------------------------------------------------------- names


@dataclass(frozen=True, slots=True)
class Name:
    """An entry name judged: its normalised path, or the problem with it."""

    path: str | None
    code: str = ""
    why: str = ""


def normalise(name: str) -> Name:
    """The relative POSIX path an entry name denotes, if it is safe to write."""
    if not name:
        return Name(None, UNSAFE_NAME, "has an empty name")
    slashed = name.replace("\\", "/")
    if slashed.startswith("/") or _DRIVE.match(slashed):
        return Name(None, ABSOLUTE_PATH, "is an absolute path")
    parts = slashed.split("/")
    if ".." in parts:
        return Name(None, PATH_TRAVERSAL, "climbs out of the extraction directory with `..`")
    if "\\" in name:
        return Name(None, UNSAFE_NAME, "uses a backslash, which is a separator on Windows")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in name):
        return Name(None, UNSAFE_NAME, "holds a control character")
    if any(0xD800 <= ord(c) <= 0xDFFF for c in name):
        return Name(None, UNSAFE_NAME, "is not valid UTF-8")
    if any(p not in ("", ".") and not p.rstrip(". ") for p in parts):
        return Name(None, UNSAFE_NAME, "has a component made only of dots and spaces")
    return Name("/".join(p for p in parts if p not in ("", ".")))


def _key(path: str) -> str:
    """What two paths share when they would land on the same file somewhere."""
    folded = unicodedata.normalize("NFC", path).casefold()
    return "/".join(part.rstrip(". ") or part for part in folded.split("/"))


def show(text: str) -> str:
    """``text`` safe to print: non-printable characters escaped."""
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}" for c in text)


def skipped(path: str) -> bool:
    """Whether an entry is left out without a problem (macOS metadata)."""
    parts = path.split("/")
    return parts[0] in _SKIPPED_DIRS or parts[-1] in _SKIPPED_FILES


# --------------------------------------------------------------------------- results


class Abort(Exception):
    """Stop inspecting: a problem with the archive as a whole was recorded."""


@dataclass(slots=True)
class Entry:
    member: str
    path: str
    data: bytes


@dataclass(slots=True)
class Collector:
    """Problems (one per code and member) and the data of entries read so far."""

    problems: dict[tuple[str, str], ArchiveProblem] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)
    #: entries that are files (any kind but a directory) by key: (entry name, normalised path)
    file_keys: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    #: keys of directories, given or implied by a deeper entry
    dir_keys: set[str] = field(default_factory=set)
    #: entry names with at least one problem
    flagged: set[str] = field(default_factory=set)
    aborted: bool = False

    def add(self, code: str, message: str, member: str = "") -> None:
        self.problems.setdefault((code, member), ArchiveProblem(code, message, member))
        self.flagged.add(member)

    def abort(self, code: str, message: str) -> None:
        self.add(code, message)
        self.aborted = True

    def path_of(self, member: str) -> str | None:
        """The safe relative path the entry name ``member`` denotes; else ``None``, the problem recorded."""
        name = normalise(member)
        if name.path is None:
            self.add(name.code, f"entry {show(member)!r} {name.why}", member)
        return name.path

    def has_problem(self, member: str) -> bool:
        return member in self.flagged

    def see(self, member: str, path: str, is_dir: bool) -> None:
        """Record where an entry lands, for duplicate and conflict detection."""
        parts = path.split("/") if path else []
        for depth in range(1, len(parts)):
            self.dir_keys.add(_key("/".join(parts[:depth])))
        if not path:
            return
        if is_dir:
            self.dir_keys.add(_key(path))
            return
        earlier = self.file_keys.setdefault(_key(path), [])
        if earlier:
            first, first_path = earlier[0]
            how = "" if first_path == path else " (ignoring case, Unicode form and trailing dots)"
            self.add(DUPLICATE_NAME, f"entry {show(member)!r} names the same path{how} as the earlier entry {show(first)!r}", member)
        earlier.append((member, path))

    def result(self, wheel: bool) -> ArchiveContents:
        """The safe files under the plugin root; none once the archive as a whole is refused."""
        if self.aborted:
            return ArchiveContents({}, "", tuple(self.problems.values()))
        for entry in self.entries:
            key = _key(entry.path)
            if key in self.dir_keys and key in self.file_keys:
                self.add(DUPLICATE_NAME, f"entry {show(entry.member)!r} is a file but is also used as a directory", entry.member)
        keep = {
            e.path: e.data
            for e in self.entries
            if len(self.file_keys.get(_key(e.path), ())) == 1 and _key(e.path) not in self.dir_keys
        }
        root = "" if wheel else self._root(keep)
        prefix = f"{root}/" if root else ""
        files = {p[len(prefix):]: keep[p] for p in sorted(keep) if p.startswith(prefix)}
        return ArchiveContents(files, root, tuple(self.problems.values()))

    def _root(self, paths: Mapping[str, bytes]) -> str:
        candidates = {str(PurePosixPath(p).parent) for p in paths if PurePosixPath(p).name in _ROOT_MARKERS}
        candidates = {"" if c == "." else c for c in candidates}
        if not candidates:
            return ""
        shallowest = min(c.count("/") + (1 if c else 0) for c in candidates)
        roots = sorted(c for c in candidates if c.count("/") + (1 if c else 0) == shallowest)
        if len(roots) == 1:
            return roots[0]
        shown = ", ".join(repr(show(r)) for r in roots)
        self.add(MULTIPLE_ROOTS, f"the archive holds {len(roots)} plugin roots ({shown}); a plugin archive holds one")
        return ""


def wrapped_message(root: str) -> str:
    """What installing an archive whose plugin sits in the folder ``root`` does (MB619)."""
    shown = show(root)
    return (
        f"the plugin's files sit in the folder {shown!r}, not at the archive's root: both host installers extract "
        f"the archive into <plugin_dir>/<name> and need <plugin_dir>/<name>/__init__.py, so `milk marketplace "
        f"install` stops (no __init__.py) and `PluginManager` imports an empty namespace package and rejects it; "
        f"build the archive from inside the plugin directory (cd {shown} && zip -r ../plugin.zip .). mbcheck "
        f"checks the files under {shown!r}"
    )


@dataclass
class Reader:
    """One archive being read: where its problems go, its name as shown, its size and the limits."""

    out: Collector
    #: the archive's file name, safe to print
    label: str
    #: the archive's size in bytes
    size: int
    limits: ArchiveLimits
    #: uncompressed bytes of member data read so far
    total: int = field(default=0, init=False)
