"""Inspect plugin archives without extracting them.

MilkBottle's marketplace installer downloads ``plugin.zip`` and extracts it
with no path checks. mbcheck judges such an archive *before* anything is
written: it reads the archive's headers and streams each member's data
through a decompressor with running byte counters, so a zip bomb or a header
that lies about sizes is stopped as soon as a limit is crossed. Nothing is
ever extracted to disk; the plugin's files are handed on in memory.

Supported: zip archives (``.zip``) and wheels (``.whl``), and tar archives,
plain or compressed with gzip (``.tar.gz``, ``.tgz``), bzip2 or xz. The format
is recognised from the file's content, not its name.

Every :class:`ArchiveProblem` is an error. Each problem code is described in
:data:`CODES`. Entries that cause a problem are left out of
:attr:`ArchiveContents.files`; when a problem concerns the archive as a whole
(unreadable, too many members, too large, too compressed, ambiguous format)
no files are handed on at all.
"""

from __future__ import annotations

import bisect
import bz2
import gzip
import io
import lzma
import re
import stat
import struct
import tarfile
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Final, Protocol

from mbcheck.model import Category, Confidence, Finding, Severity, Span

__all__ = [
    "ARCHIVE_SUFFIXES",
    "CODES",
    "ArchiveContents",
    "ArchiveLimits",
    "ArchiveProblem",
    "inspect_archive",
    "is_archive",
]

#: file names treated as archives by :func:`is_archive`
ARCHIVE_SUFFIXES: Final = (".zip", ".whl", ".tar.gz", ".tgz", ".tar")

UNREADABLE: Final = "MBA001"
PATH_TRAVERSAL: Final = "MBA002"
ABSOLUTE_PATH: Final = "MBA003"
UNSAFE_NAME: Final = "MBA004"
SYMLINK: Final = "MBA005"
HARD_LINK: Final = "MBA006"
SPECIAL_FILE: Final = "MBA007"
DUPLICATE_NAME: Final = "MBA008"
ENCRYPTED: Final = "MBA009"
TOO_MANY_MEMBERS: Final = "MBA010"
MEMBER_TOO_LARGE: Final = "MBA011"
ARCHIVE_TOO_LARGE: Final = "MBA012"
COMPRESSION_RATIO: Final = "MBA013"
INCONSISTENT_ENTRY: Final = "MBA014"
UNSUPPORTED_COMPRESSION: Final = "MBA015"
OVERLAPPING_ENTRIES: Final = "MBA016"
MULTIPLE_ROOTS: Final = "MBA017"
AMBIGUOUS_FORMAT: Final = "MBA018"

#: every problem code: name and one-line description (codes are never reused)
CODES: Final[dict[str, tuple[str, str]]] = {
    UNREADABLE: (
        "unreadable-archive",
        "The file is not a readable archive: corrupt, truncated, or of an unknown format.",
    ),
    PATH_TRAVERSAL: (
        "path-traversal",
        "An entry name climbs out of the extraction directory with `..` (zip-slip).",
    ),
    ABSOLUTE_PATH: (
        "absolute-path",
        "An entry name is an absolute path, a drive-letter path or a UNC path.",
    ),
    UNSAFE_NAME: (
        "unsafe-name",
        "An entry name holds a backslash, a control character, undecodable bytes or a "
        "dots-only component, which extractors interpret differently.",
    ),
    SYMLINK: ("symlink", "An entry is a symbolic link."),
    HARD_LINK: ("hard-link", "An entry is a hard link."),
    SPECIAL_FILE: (
        "special-file",
        "An entry is a device, FIFO, socket or another kind of file that is not regular.",
    ),
    DUPLICATE_NAME: (
        "duplicate-name",
        "Two entries name the same path after normalisation (case and Unicode form "
        "included), or a file is also used as a directory.",
    ),
    ENCRYPTED: ("encrypted-entry", "An entry is encrypted, so its content cannot be checked."),
    TOO_MANY_MEMBERS: ("too-many-members", "The archive has more members than the limit."),
    MEMBER_TOO_LARGE: (
        "member-too-large",
        "An entry's uncompressed size, declared or counted, is beyond the limit.",
    ),
    ARCHIVE_TOO_LARGE: (
        "archive-too-large",
        "The archive's total uncompressed size, declared or counted, is beyond the limit.",
    ),
    COMPRESSION_RATIO: (
        "compression-ratio",
        "An entry or the whole archive expands beyond the allowed ratio (a zip bomb).",
    ),
    INCONSISTENT_ENTRY: (
        "inconsistent-entry",
        "An entry's headers disagree with each other or with its data (name, method, "
        "sizes, CRC), or its data is corrupt.",
    ),
    UNSUPPORTED_COMPRESSION: (
        "unsupported-compression",
        "An entry uses a compression method whose size mbcheck cannot count safely.",
    ),
    OVERLAPPING_ENTRIES: (
        "overlapping-entries",
        "Entries share or overlap their data in the archive (a zip bomb technique).",
    ),
    MULTIPLE_ROOTS: (
        "multiple-plugin-roots",
        "The archive holds more than one plugin root at its shallowest level.",
    ),
    AMBIGUOUS_FORMAT: (
        "ambiguous-format",
        "The file reads as more than one archive format, or has data before its first "
        "zip entry, so different tools see different contents.",
    ),
}

#: entries skipped without a problem
_SKIPPED_DIRS: Final = frozenset({"__MACOSX"})
_SKIPPED_FILES: Final = frozenset({".DS_Store"})
#: files that mark a plugin root
_ROOT_MARKERS: Final = frozenset({"plugin.yaml", "__init__.py"})

_IN_CHUNK: Final = 64 * 1024
_OUT_CHUNK: Final = 256 * 1024
#: the largest single read tarfile may ask for (pax and GNU long-name headers)
_MAX_TAR_HEADER_READ: Final = 1024 * 1024
#: central directory bytes allowed per permitted member before the zip is refused unread
_DIRECTORY_BYTES_PER_MEMBER: Final = 1024
#: tar headers and padding allowed per permitted member on top of the data limit
_TAR_BYTES_PER_MEMBER: Final = 1024

_ZIP_LOCAL: Final = b"PK\x03\x04"
_ZIP_CENTRAL: Final = b"PK\x01\x02"
_ZIP_END: Final = b"PK\x05\x06"
_ZIP64_LOCATOR: Final = b"PK\x06\x07"
_ZIP64_END: Final = b"PK\x06\x06"
_LOCAL_HEADER: Final = struct.Struct("<4s2B4HL2L2H")
_END_RECORD: Final = struct.Struct("<4s4H2LH")
_ZIP64_END_RECORD: Final = struct.Struct("<4sQ2H2L4Q")
_ZIP64_LOCATOR_RECORD: Final = struct.Struct("<4sLQL")
_FLAG_ENCRYPTED: Final = 0x0001
_FLAG_DESCRIPTOR: Final = 0x0008
_FLAG_STRONG_ENCRYPTION: Final = 0x0040
_FLAG_UTF8: Final = 0x0800
_UNICODE_PATH_EXTRA: Final = 0x7075
_COUNTED_METHODS: Final = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2})

_DRIVE: Final = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    """Bounds beyond which an archive is reported (and reading stops)."""

    #: total uncompressed bytes of all members
    max_total_bytes: int = 200 * 1024 * 1024
    max_member_bytes: int = 50 * 1024 * 1024
    #: uncompressed / compressed, for each member and for the archive as a whole
    max_ratio: float = 100.0
    max_members: int = 10_000
    #: a member (or archive) expanding to fewer bytes than this is never judged by
    #: its ratio: a few kilobytes of blank lines legitimately compress 1000:1
    ratio_floor_bytes: int = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ArchiveProblem:
    """One finding about an archive. Every problem is an error."""

    code: str
    message: str
    #: the entry name as written in the archive ("" for the archive as a whole)
    member: str = ""

    @property
    def name(self) -> str:
        return CODES[self.code][0]

    def to_finding(self) -> Finding:
        """The problem as a :class:`~mbcheck.model.Finding` about the plugin as a whole."""
        return Finding(
            rule=self.code,
            category=Category.ARCHIVE,
            severity=Severity.ERROR,
            message=self.message,
            span=Span(""),
            confidence=Confidence.HIGH,
        )


@dataclass(frozen=True, slots=True)
class ArchiveContents:
    """What an archive holds, judged without extracting it."""

    #: POSIX path relative to ``root`` -> content; only safe regular files
    files: Mapping[str, bytes]
    #: the plugin root inside the archive ("" if at top level, and for wheels)
    root: str
    problems: tuple[ArchiveProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def is_archive(path: Path) -> bool:
    """Whether ``path`` is a file whose name says it is an archive mbcheck inspects."""
    return path.name.lower().endswith(ARCHIVE_SUFFIXES) and path.is_file()


def inspect_archive(path: Path, limits: ArchiveLimits = ArchiveLimits()) -> ArchiveContents:
    """Judge the archive at ``path`` and return its plugin's files, in memory.

    Never extracts anything and never raises for a bad archive: every defect
    becomes an :class:`ArchiveProblem`.
    """
    out = _Collector()
    try:
        _inspect(path, limits, out)
    except Exception as exc:  # a defect no specific check anticipated: still a report, never a crash
        out.abort(UNREADABLE, f"{_show(path.name)} cannot be inspected: {type(exc).__name__}: {exc}")
    return out.result(wheel=path.name.lower().endswith(".whl"))


# --------------------------------------------------------------------------- names


@dataclass(frozen=True, slots=True)
class _Name:
    """An entry name judged: its normalised path, or the problem with it."""

    path: str | None
    code: str = ""
    why: str = ""


def _normalise(name: str) -> _Name:
    """The relative POSIX path an entry name denotes, if it is safe to write."""
    if not name:
        return _Name(None, UNSAFE_NAME, "has an empty name")
    slashed = name.replace("\\", "/")
    if slashed.startswith("/") or _DRIVE.match(slashed):
        return _Name(None, ABSOLUTE_PATH, "is an absolute path")
    parts = slashed.split("/")
    if ".." in parts:
        return _Name(None, PATH_TRAVERSAL, "climbs out of the extraction directory with `..`")
    if "\\" in name:
        return _Name(None, UNSAFE_NAME, "uses a backslash, which is a separator on Windows")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in name):
        return _Name(None, UNSAFE_NAME, "holds a control character")
    if any(0xD800 <= ord(c) <= 0xDFFF for c in name):
        return _Name(None, UNSAFE_NAME, "is not valid UTF-8")
    if any(p not in ("", ".") and not p.rstrip(". ") for p in parts):
        return _Name(None, UNSAFE_NAME, "has a component made only of dots and spaces")
    return _Name("/".join(p for p in parts if p not in ("", ".")))


def _key(path: str) -> str:
    """What two paths share when they would land on the same file somewhere."""
    folded = unicodedata.normalize("NFC", path).casefold()
    return "/".join(part.rstrip(". ") or part for part in folded.split("/"))


def _show(text: str) -> str:
    """``text`` safe to print: non-printable characters escaped."""
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}" for c in text)


def _skipped(path: str) -> bool:
    parts = path.split("/")
    return parts[0] in _SKIPPED_DIRS or parts[-1] in _SKIPPED_FILES


# --------------------------------------------------------------------------- results


class _Abort(Exception):
    """Stop inspecting: a problem with the archive as a whole was recorded."""


@dataclass(slots=True)
class _Entry:
    member: str
    path: str
    data: bytes


@dataclass(slots=True)
class _Collector:
    """Problems (one per code and member) and the data of entries read so far."""

    problems: dict[tuple[str, str], ArchiveProblem] = field(default_factory=dict)
    entries: list[_Entry] = field(default_factory=list)
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
            self.add(DUPLICATE_NAME, f"entry {_show(member)!r} names the same path{how} as the earlier entry {_show(first)!r}", member)
        earlier.append((member, path))

    def result(self, wheel: bool) -> ArchiveContents:
        """The safe files under the plugin root; none once the archive as a whole is refused."""
        if self.aborted:
            return ArchiveContents({}, "", tuple(self.problems.values()))
        for entry in self.entries:
            key = _key(entry.path)
            if key in self.dir_keys and key in self.file_keys:
                self.add(DUPLICATE_NAME, f"entry {_show(entry.member)!r} is a file but is also used as a directory", entry.member)
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
        shown = ", ".join(repr(_show(r)) for r in roots)
        self.add(MULTIPLE_ROOTS, f"the archive holds {len(roots)} plugin roots ({shown}); a plugin archive holds one")
        return ""


# --------------------------------------------------------------------------- dispatch


def _inspect(path: Path, limits: ArchiveLimits, out: _Collector) -> None:
    label = _show(path.name)
    try:
        fp = path.open("rb")
    except OSError as exc:
        out.abort(UNREADABLE, f"{label} cannot be opened: {exc.strerror or exc}")
        return
    with fp:
        size = path.stat().st_size
        head = fp.read(512)
        kind = _sniff(head)
        end = _end_record(fp, size)
        if kind in (None, "zip") and end is not None:
            _inspect_zip(fp, size, end, limits, out, label)
        elif kind == "zip":
            _inspect_zip(fp, size, None, limits, out, label)
        elif kind is not None and end is not None:
            out.abort(AMBIGUOUS_FORMAT, f"{label} is both a {kind} archive and a zip archive; tools disagree on what it holds")
        elif kind is not None:
            _inspect_tar(fp, size, kind, limits, out, label)
        elif path.name.lower().endswith(".tar") and len(head) == 512:
            _inspect_tar(fp, size, "tar", limits, out, label)
        elif not head:
            out.abort(UNREADABLE, f"{label} is empty")
        else:
            out.abort(UNREADABLE, f"{label} is not an archive of a supported format (zip, wheel, tar, tar.gz)")


def _sniff(head: bytes) -> str | None:
    if head.startswith((_ZIP_LOCAL, _ZIP_END)):
        return "zip"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"BZh"):
        return "bzip2"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if head[257:262] == b"ustar":
        return "tar"
    return None


# --------------------------------------------------------------------------- zip


@dataclass(frozen=True, slots=True)
class _EndRecord:
    entries: int
    directory_size: int
    #: where the central directory begins in the file
    directory_start: int


def _end_record(fp: BinaryIO, size: int) -> _EndRecord | None:
    """The zip end-of-central-directory record, found exactly as zipfile finds it."""
    if size < _END_RECORD.size:
        return None
    fp.seek(size - _END_RECORD.size)
    record = fp.read(_END_RECORD.size)
    record_at = size - _END_RECORD.size
    if not (record.startswith(_ZIP_END) and record.endswith(b"\0\0")):
        tail_start = max(size - 0x10000 - _END_RECORD.size, 0)
        fp.seek(tail_start)
        tail = fp.read()
        at = tail.rfind(_ZIP_END)
        if at < 0 or at + _END_RECORD.size > len(tail):
            return None
        record = tail[at : at + _END_RECORD.size]
        record_at = tail_start + at
    _, _, _, _, entries, dir_size, _, _ = _END_RECORD.unpack(record)
    end_at = record_at
    locator_at = record_at - _ZIP64_LOCATOR_RECORD.size
    end64_at = locator_at - _ZIP64_END_RECORD.size
    if end64_at >= 0:
        fp.seek(locator_at)
        if fp.read(4) == _ZIP64_LOCATOR:
            fp.seek(end64_at)
            end64 = fp.read(_ZIP64_END_RECORD.size)
            if len(end64) == _ZIP64_END_RECORD.size and end64.startswith(_ZIP64_END):
                fields = _ZIP64_END_RECORD.unpack(end64)
                entries, dir_size, end_at = fields[7], fields[8], end64_at
    start = end_at - dir_size
    if start < 0:
        return None
    if entries or dir_size:
        fp.seek(start)
        if fp.read(4) != _ZIP_CENTRAL:
            return None
    return _EndRecord(entries, dir_size, start)


def _inspect_zip(fp: BinaryIO, size: int, end: _EndRecord | None, limits: ArchiveLimits, out: _Collector, label: str) -> None:
    if end is not None:
        if end.entries > limits.max_members:
            out.abort(TOO_MANY_MEMBERS, f"{label} declares {end.entries} members; the limit is {limits.max_members}")
            return
        if end.directory_size > limits.max_members * _DIRECTORY_BYTES_PER_MEMBER:
            out.abort(
                TOO_MANY_MEMBERS,
                f"{label} has a central directory of {end.directory_size} bytes, too large for "
                f"{limits.max_members} members",
            )
            return
    try:
        fp.seek(0)
        with zipfile.ZipFile(fp) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, struct.error, UnicodeError, NotImplementedError) as exc:
        out.abort(UNREADABLE, f"{label} is not a readable zip archive: {exc}")
        return
    if end is None:  # zipfile accepted what our own reading of the end record did not
        out.abort(UNREADABLE, f"{label} is not a readable zip archive: its central directory cannot be located")
        return
    if len(infos) > limits.max_members:
        out.abort(TOO_MANY_MEMBERS, f"{label} has {len(infos)} members; the limit is {limits.max_members}")
        return
    _ZipReader(fp, size, end, infos, limits, out, label).run()


class _ZipReader:
    def __init__(
        self,
        fp: BinaryIO,
        size: int,
        end: _EndRecord,
        infos: list[zipfile.ZipInfo],
        limits: ArchiveLimits,
        out: _Collector,
        label: str,
    ) -> None:
        self.fp = fp
        self.size = size
        self.end = end
        self.infos = infos
        self.limits = limits
        self.out = out
        self.label = label
        self.total = 0
        self.overall_bound = max(limits.ratio_floor_bytes, int(limits.max_ratio * max(size, 1)))
        self.offsets = sorted({i.header_offset for i in infos})

    def run(self) -> None:
        """Judge every entry by its headers, then read the readable ones with counters."""
        plans = [plan for plan in map(self._judge, self.infos) if plan is not None]
        self._check_layout()
        try:
            self._check_declared([info for info, _ in plans])
            for info, path in plans:
                self._load(info, path)
        except _Abort:
            return

    # -- whole-archive checks on the headers

    def _check_declared(self, readable: list[zipfile.ZipInfo]) -> None:
        """The totals the headers declare for the entries not already refused on their own."""
        declared = sum(i.file_size for i in readable)
        if declared > self.limits.max_total_bytes:
            self.out.abort(
                ARCHIVE_TOO_LARGE,
                f"{self.label} declares {declared} uncompressed bytes; the limit is {self.limits.max_total_bytes}",
            )
            raise _Abort
        if declared > self.limits.ratio_floor_bytes and declared > self.limits.max_ratio * max(self.size, 1):
            self.out.abort(COMPRESSION_RATIO, self._overall_ratio_message(declared, declared=True))
            raise _Abort

    def _overall_ratio_message(self, count: int, declared: bool = False) -> str:
        how = "declares" if declared else "expands to"
        return (
            f"{self.label} {how} {count} bytes from {self.size} ({count / max(self.size, 1):.0f}:1); "
            f"the limit is {self.limits.max_ratio:g}:1"
        )

    def _check_layout(self) -> None:
        if not self.infos:
            return
        first = min(i.header_offset for i in self.infos)
        if first > 0:
            self.out.add(AMBIGUOUS_FORMAT, f"{self.label} has {first} bytes of other data before its first entry")
        owner: dict[int, zipfile.ZipInfo] = {}
        for info in self.infos:
            other = owner.setdefault(info.header_offset, info)
            if other is not info:
                self.out.add(
                    OVERLAPPING_ENTRIES,
                    f"entry {_show(info.orig_filename)!r} shares its data with entry {_show(other.orig_filename)!r}",
                    info.orig_filename,
                )

    def _bound(self, offset: int) -> tuple[int, bool]:
        """Where the data of the entry at ``offset`` must end; whether that is another entry."""
        at = bisect.bisect_right(self.offsets, offset)
        if at < len(self.offsets) and self.offsets[at] < self.end.directory_start:
            return self.offsets[at], True
        return self.end.directory_start, False

    # -- one entry

    def _judge(self, info: zipfile.ZipInfo) -> tuple[zipfile.ZipInfo, str | None] | None:
        """Check an entry's headers; the entry and the path of a file worth keeping, if it must be read."""
        member = info.orig_filename
        shown = _show(member)
        out = self.out
        name = _normalise(member)
        if name.path is None:
            out.add(name.code, f"entry {shown!r} {name.why}", member)
        mode = info.external_attr >> 16
        ftype = stat.S_IFMT(mode)
        is_dir = member.endswith("/")
        if ftype == stat.S_IFLNK:
            out.add(SYMLINK, f"entry {shown!r} is a symbolic link", member)
        elif ftype in (stat.S_IFCHR, stat.S_IFBLK, stat.S_IFIFO, stat.S_IFSOCK):
            out.add(SPECIAL_FILE, f"entry {shown!r} is a device, FIFO or socket", member)
        elif ftype == stat.S_IFDIR and not is_dir:
            out.add(INCONSISTENT_ENTRY, f"entry {shown!r} is marked as a directory but named as a file", member)
        elif ftype not in (0, stat.S_IFREG, stat.S_IFDIR):
            out.add(SPECIAL_FILE, f"entry {shown!r} has the unknown file type {ftype:o}", member)
        unicode_path = _unicode_path(info.extra)
        if unicode_path is not None:
            alias = _normalise(unicode_path)
            if alias.path is None:
                out.add(alias.code, f"entry {shown!r} has a Unicode path field {_show(unicode_path)!r} that {alias.why}", member)
        if name.path is not None:
            out.see(member, name.path, is_dir and ftype in (0, stat.S_IFDIR))
        if info.flag_bits & (_FLAG_ENCRYPTED | _FLAG_STRONG_ENCRYPTION):
            out.add(ENCRYPTED, f"entry {shown!r} is encrypted", member)
            return None
        if info.compress_type not in _COUNTED_METHODS:
            out.add(
                UNSUPPORTED_COMPRESSION,
                f"entry {shown!r} uses compression method {info.compress_type}; only stored, deflate and bzip2 are checked",
                member,
            )
            return None
        refused = False
        if info.file_size > self.limits.max_member_bytes:
            refused = True
            out.add(
                MEMBER_TOO_LARGE,
                f"entry {shown!r} declares {info.file_size} bytes; the limit is {self.limits.max_member_bytes}",
                member,
            )
        if info.file_size > self.limits.ratio_floor_bytes and info.file_size > self.limits.max_ratio * max(info.compress_size, 1):
            refused = True
            out.add(
                COMPRESSION_RATIO,
                f"entry {shown!r} declares {info.file_size} bytes from {info.compress_size} "
                f"({info.file_size / max(info.compress_size, 1):.0f}:1); the limit is {self.limits.max_ratio:g}:1",
                member,
            )
        if refused:
            return None
        wanted = name.path is not None and not is_dir and ftype in (0, stat.S_IFREG) and not _skipped(name.path)
        return info, name.path if wanted else None

    def _load(self, info: zipfile.ZipInfo, path: str | None) -> None:
        """Read an entry with counters; keep its bytes if it is a safe file."""
        data_start = self._local_header(info)
        if data_start is None:
            return
        data = self._read(info, data_start)
        if data is not None and path is not None and not self.out.has_problem(info.orig_filename):
            self.out.entries.append(_Entry(info.orig_filename, path, data))

    def _local_header(self, info: zipfile.ZipInfo) -> int | None:
        """Check the entry's local header against the central directory; where its data starts."""
        member = info.orig_filename
        shown = _show(member)
        if info.header_offset < 0 or info.header_offset + _LOCAL_HEADER.size > self.end.directory_start:
            self.out.add(INCONSISTENT_ENTRY, f"entry {shown!r} points into the central directory", member)
            return None
        self.fp.seek(info.header_offset)
        head = self.fp.read(_LOCAL_HEADER.size)
        if len(head) < _LOCAL_HEADER.size or not head.startswith(_ZIP_LOCAL):
            self.out.add(INCONSISTENT_ENTRY, f"entry {shown!r} has no local header where the directory says", member)
            return None
        _, _, _, flags, method, _, _, crc, csize, usize, name_len, extra_len = _LOCAL_HEADER.unpack(head)
        raw_name = self.fp.read(name_len)
        extra = self.fp.read(extra_len)
        local_name = raw_name.decode("utf-8" if flags & _FLAG_UTF8 else "cp437", errors="replace")
        problems: list[str] = []
        if local_name != member:
            problems.append(f"its local header names it {_show(local_name)!r}")
        if method != info.compress_type:
            problems.append(f"its local header says compression method {method}, the directory {info.compress_type}")
        if not flags & _FLAG_DESCRIPTOR:
            for what, local, central in (("CRC", crc, info.CRC), ("compressed size", csize, info.compress_size), ("size", usize, info.file_size)):
                if local != central and local != 0xFFFFFFFF:
                    problems.append(f"its local header says {what} {local}, the directory {central}")
        if problems:
            self.out.add(INCONSISTENT_ENTRY, f"entry {shown!r}: " + "; ".join(problems), member)
        if flags & (_FLAG_ENCRYPTED | _FLAG_STRONG_ENCRYPTION):
            self.out.add(ENCRYPTED, f"entry {shown!r} is encrypted (local header)", member)
            return None
        alias = _unicode_path(extra)
        if alias is not None and _normalise(alias).path is None:
            verdict = _normalise(alias)
            self.out.add(verdict.code, f"entry {shown!r} has a Unicode path field {_show(alias)!r} that {verdict.why}", member)
        return int(info.header_offset + _LOCAL_HEADER.size + name_len + extra_len)

    def _read(self, info: zipfile.ZipInfo, data_start: int) -> bytes | None:
        """Decode the entry's data with running counters; its bytes if they are whole and within limits."""
        member = info.orig_filename
        shown = _show(member)
        limits = self.limits
        bound, bound_is_entry = self._bound(info.header_offset)
        if info.compress_type == zipfile.ZIP_STORED:
            stop = min(data_start + info.compress_size, bound)
            if data_start + info.compress_size > bound:
                self._past_bound(info, bound_is_entry)
        else:
            stop = bound
        available = max(stop - data_start, 1)
        member_bound = max(limits.ratio_floor_bytes, int(limits.max_ratio * available))
        decoder = _Decoder(info.compress_type, _Source(self.fp, data_start, stop))
        buffer: io.BytesIO | None = io.BytesIO()
        produced = 0
        crc = 0
        try:
            for chunk in decoder.chunks():
                produced += len(chunk)
                self.total += len(chunk)
                crc = zlib.crc32(chunk, crc)
                if buffer is not None and produced <= info.file_size:
                    buffer.write(chunk)
                elif produced > info.file_size:
                    buffer = None
                    self.out.add(
                        INCONSISTENT_ENTRY,
                        f"entry {shown!r} holds more data than the {info.file_size} bytes its header declares",
                        member,
                    )
                if produced > limits.max_member_bytes:
                    self.out.add(
                        MEMBER_TOO_LARGE,
                        f"entry {shown!r} expands beyond {limits.max_member_bytes} bytes (counted while reading)",
                        member,
                    )
                    return None
                if produced > member_bound:
                    self.out.add(
                        COMPRESSION_RATIO,
                        f"entry {shown!r} expands beyond {limits.max_ratio:g}:1 (counted {produced} bytes "
                        f"from at most {available} compressed)",
                        member,
                    )
                    return None
                if self.total > limits.max_total_bytes:
                    self.out.abort(
                        ARCHIVE_TOO_LARGE,
                        f"{self.label} expands beyond {limits.max_total_bytes} bytes (counted while reading)",
                    )
                    raise _Abort
                if self.total > self.overall_bound:
                    self.out.abort(COMPRESSION_RATIO, self._overall_ratio_message(self.total) + " (counted while reading)")
                    raise _Abort
        except (zlib.error, OSError, EOFError, ValueError) as exc:
            self.out.add(INCONSISTENT_ENTRY, f"entry {shown!r} has corrupt compressed data: {exc}", member)
            return None
        if not decoder.ended:
            self._past_bound(info, bound_is_entry)
            return None
        problems: list[str] = []
        if decoder.consumed != info.compress_size:
            problems.append(f"its data is {decoder.consumed} compressed bytes, the header says {info.compress_size}")
        if produced != info.file_size:
            problems.append(f"it expands to {produced} bytes, the header says {info.file_size}")
        if crc != info.CRC:
            problems.append(f"its CRC is {crc:08x}, the header says {info.CRC:08x}")
        if problems:
            self.out.add(INCONSISTENT_ENTRY, f"entry {shown!r}: " + "; ".join(problems), member)
            return None
        if produced > limits.ratio_floor_bytes and produced > limits.max_ratio * max(decoder.consumed, 1):
            self.out.add(
                COMPRESSION_RATIO,
                f"entry {shown!r} expands {produced} bytes from {decoder.consumed} "
                f"({produced / max(decoder.consumed, 1):.0f}:1); the limit is {limits.max_ratio:g}:1",
                member,
            )
            return None
        return buffer.getvalue() if buffer is not None else None

    def _past_bound(self, info: zipfile.ZipInfo, bound_is_entry: bool) -> None:
        member = info.orig_filename
        if bound_is_entry:
            self.out.add(OVERLAPPING_ENTRIES, f"entry {_show(member)!r} runs into the next entry's data", member)
        else:
            self.out.add(INCONSISTENT_ENTRY, f"entry {_show(member)!r} is truncated: its data runs past the entries", member)


def _unicode_path(extra: bytes) -> str | None:
    """The Info-ZIP Unicode path extra field (0x7075) some extractors prefer to the name."""
    at = 0
    while at + 4 <= len(extra):
        header_id, length = struct.unpack_from("<HH", extra, at)
        body = extra[at + 4 : at + 4 + length]
        if header_id == _UNICODE_PATH_EXTRA and len(body) >= 5 and body[0] == 1:
            return body[5:].decode("utf-8", errors="surrogateescape")
        at += 4 + length
    return None


class _Source:
    """The compressed bytes of one zip entry, read in chunks, never past ``stop``."""

    def __init__(self, fp: BinaryIO, start: int, stop: int) -> None:
        self.fp = fp
        self.pos = start
        self.stop = stop
        fp.seek(start)

    def read(self) -> bytes:
        want = min(_IN_CHUNK, self.stop - self.pos)
        if want <= 0:
            return b""
        data = self.fp.read(want)
        self.pos += len(data)
        return data


class _Decoder:
    """Decompresses one zip entry in bounded chunks, trusting no declared size."""

    def __init__(self, method: int, source: _Source) -> None:
        self.method = method
        self.source = source
        #: compressed bytes the stream used, known once it ended
        self.consumed = 0
        #: the stream reached its own end (stored data: the declared size)
        self.ended = False

    def chunks(self) -> Iterator[bytes]:
        if self.method == zipfile.ZIP_STORED:
            while data := self.source.read():
                self.consumed += len(data)
                yield data
            self.ended = self.source.pos == self.source.stop
        elif self.method == zipfile.ZIP_DEFLATED:
            yield from self._inflate()
        else:
            yield from self._bunzip()

    def _inflate(self) -> Iterator[bytes]:
        inflater = zlib.decompressobj(-15)
        fed = 0
        while not inflater.eof:
            if inflater.unconsumed_tail:
                data = inflater.unconsumed_tail
            else:
                data = self.source.read()
                if not data:
                    return
                fed += len(data)
            out = inflater.decompress(data, _OUT_CHUNK)
            self.consumed = fed - len(inflater.unconsumed_tail) - len(inflater.unused_data)
            if out:
                yield out
        self.ended = True

    def _bunzip(self) -> Iterator[bytes]:
        unzipper = bz2.BZ2Decompressor()
        fed = 0
        while not unzipper.eof:
            if unzipper.needs_input:
                data = self.source.read()
                if not data:
                    return
                fed += len(data)
            else:
                data = b""
            out = unzipper.decompress(data, _OUT_CHUNK)
            self.consumed = fed - len(unzipper.unused_data)
            if out:
                yield out
        self.ended = True


# --------------------------------------------------------------------------- tar


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class _StreamLimit(Exception):
    """The decompressed tar stream crossed a limit."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class _Bounded:
    """A forward-only view of the decompressed tar stream that counts every byte.

    tarfile reads headers through it; a single read larger than any sane header
    (a giant pax or GNU long-name header) or a stream longer than the limits
    raises :class:`_StreamLimit` before the bytes are allocated.
    """

    mode = "rb"

    def __init__(self, raw: _Readable, limit: int, ratio_bound: int | None, label: str, limits: ArchiveLimits) -> None:
        self.raw = raw
        self.pos = 0
        self.limit = limit
        self.ratio_bound = ratio_bound
        self.label = label
        self.limits = limits

    def read(self, size: int = -1, /) -> bytes:
        if size < 0 or size > max(_MAX_TAR_HEADER_READ, _OUT_CHUNK):
            raise _StreamLimit(
                MEMBER_TOO_LARGE, f"{self.label} holds a header of {size} bytes; headers over {_MAX_TAR_HEADER_READ} bytes are refused"
            )
        data = self.raw.read(size)
        self.pos += len(data)
        if self.pos > self.limit:
            raise _StreamLimit(ARCHIVE_TOO_LARGE, f"{self.label} expands beyond {self.limit} bytes (counted while reading)")
        if self.ratio_bound is not None and self.pos > self.ratio_bound:
            raise _StreamLimit(
                COMPRESSION_RATIO,
                f"{self.label} expands beyond {self.limits.max_ratio:g}:1 (counted {self.pos} bytes while reading)",
            )
        return data

    def seek(self, pos: int, whence: int = 0, /) -> int:
        target = pos if whence == io.SEEK_SET else self.pos + pos if whence == io.SEEK_CUR else -1
        if target < self.pos:
            raise OSError("the archive stream cannot be read backwards")
        while self.pos < target:
            if not self.read(min(_OUT_CHUNK, target - self.pos)):
                break
        return self.pos

    def tell(self) -> int:
        return self.pos

    def write(self, b: bytes, /) -> int:
        raise OSError("read-only")

    def close(self) -> None:
        """The underlying streams are closed by their owner."""

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True


def _inspect_tar(fp: BinaryIO, size: int, kind: str, limits: ArchiveLimits, out: _Collector, label: str) -> None:
    fp.seek(0)
    with ExitStack() as stack:
        raw: _Readable
        if kind == "gzip":
            raw = stack.enter_context(gzip.GzipFile(fileobj=fp, mode="rb"))
        elif kind == "bzip2":
            raw = stack.enter_context(bz2.BZ2File(fp))
        elif kind == "xz":
            raw = stack.enter_context(lzma.LZMAFile(fp))
        else:
            raw = fp
        # headers and padding compress to almost nothing: the ratio is judged on member data,
        # and the stream as a whole may exceed that bound by the structure of max_members members
        overhead = _TAR_BYTES_PER_MEMBER * limits.max_members
        data_bound = None if kind == "tar" else max(limits.ratio_floor_bytes, int(limits.max_ratio * max(size, 1)))
        stream_ratio_bound = None if data_bound is None else data_bound + overhead
        stream = _Bounded(raw, limits.max_total_bytes + overhead, stream_ratio_bound, label, limits)
        try:
            with tarfile.open(fileobj=stream, mode="r:") as tf:
                _TarReader(tf, limits, out, label, size, data_bound).run()
            while stream.read(_OUT_CHUNK):  # the rest of the stream: counted, and checked whole
                pass
        except _StreamLimit as exc:
            out.abort(exc.code, exc.message)
        except _Abort:
            return
        except (tarfile.TarError, EOFError, OSError, zlib.error, lzma.LZMAError, ValueError, UnicodeError, struct.error) as exc:
            out.abort(UNREADABLE, f"{label} is not a readable tar archive: {exc or type(exc).__name__}")


class _TarReader:
    def __init__(
        self, tf: tarfile.TarFile, limits: ArchiveLimits, out: _Collector, label: str, size: int, ratio_bound: int | None
    ) -> None:
        self.tf = tf
        self.limits = limits
        self.out = out
        self.label = label
        self.size = size
        #: member data beyond this many bytes means the archive expands beyond max_ratio
        self.ratio_bound = ratio_bound
        self.declared = 0
        self.total = 0

    def run(self) -> None:
        for count, member in enumerate(self.tf, start=1):
            if count > self.limits.max_members:
                self.out.abort(TOO_MANY_MEMBERS, f"{self.label} has more than {self.limits.max_members} members")
                raise _Abort
            self._member(member)

    def _member(self, info: tarfile.TarInfo) -> None:
        member = info.name
        shown = _show(member)
        out = self.out
        name = _normalise(member)
        if name.path is None:
            out.add(name.code, f"entry {shown!r} {name.why}", member)
        if info.issym():
            out.add(SYMLINK, f"entry {shown!r} is a symbolic link to {_show(info.linkname)!r}", member)
        elif info.islnk():
            out.add(HARD_LINK, f"entry {shown!r} is a hard link to {_show(info.linkname)!r}", member)
        elif info.ischr() or info.isblk() or info.isfifo():
            out.add(SPECIAL_FILE, f"entry {shown!r} is a device or FIFO", member)
        elif not info.isreg() and not info.isdir():
            out.add(SPECIAL_FILE, f"entry {shown!r} has the unsupported tar type {info.type!r}", member)
        if name.path is not None:
            out.see(member, name.path, info.isdir())
        if not info.isreg():
            return
        self.declared += info.size
        if self.declared > self.limits.max_total_bytes:
            out.abort(
                ARCHIVE_TOO_LARGE,
                f"{self.label} declares more than {self.limits.max_total_bytes} uncompressed bytes",
            )
            raise _Abort
        if info.size > self.limits.max_member_bytes:
            out.add(
                MEMBER_TOO_LARGE,
                f"entry {shown!r} declares {info.size} bytes; the limit is {self.limits.max_member_bytes}",
                member,
            )
            return
        data = self._read(info)
        if name.path is not None and not _skipped(name.path) and not out.has_problem(member):
            out.entries.append(_Entry(member, name.path, data))

    def _read(self, info: tarfile.TarInfo) -> bytes:
        handle = self.tf.extractfile(info)
        if handle is None:  # pragma: no cover - regular members always have a handle
            return b""
        buffer = io.BytesIO()
        with handle:
            while chunk := handle.read(_OUT_CHUNK):
                self.total += len(chunk)
                if buffer.tell() + len(chunk) > self.limits.max_member_bytes:
                    self.out.add(
                        MEMBER_TOO_LARGE,
                        f"entry {_show(info.name)!r} expands beyond {self.limits.max_member_bytes} bytes",
                        info.name,
                    )
                    return b""
                if self.total > self.limits.max_total_bytes:
                    self.out.abort(ARCHIVE_TOO_LARGE, f"{self.label} expands beyond {self.limits.max_total_bytes} bytes")
                    raise _Abort
                if self.ratio_bound is not None and self.total > self.ratio_bound:
                    self.out.abort(
                        COMPRESSION_RATIO,
                        f"{self.label} expands beyond {self.limits.max_ratio:g}:1 (counted {self.total} bytes "
                        f"of member data from {self.size})",
                    )
                    raise _Abort
                buffer.write(chunk)
        if buffer.tell() != info.size:
            self.out.add(
                INCONSISTENT_ENTRY,
                f"entry {_show(info.name)!r} holds {buffer.tell()} bytes, its header says {info.size}",
                info.name,
            )
        return buffer.getvalue()
