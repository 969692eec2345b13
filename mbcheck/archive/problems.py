"""What inspecting a plugin archive reports: problem codes, limits and results.

Every :class:`ArchiveProblem` is an error; each problem code is described in
:data:`CODES` (codes are never reused). ``FOLDER_WRAPPED`` is not a defect of
the archive's content: :func:`mbcheck.archive.inspect.read_archive` reports it
from the plugin root the inspection found. :class:`ArchiveContents` is what an
inspection hands on: the plugin's safe files, in memory, and the problems.
:mod:`mbcheck.archive.inspect` produces them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from mbcheck.model import Category, Confidence, Finding, Severity, Span

__all__ = [
    "CODES",
    "DEFAULT_LIMITS",
    "ArchiveContents",
    "ArchiveLimits",
    "ArchiveProblem",
]

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
FOLDER_WRAPPED: Final = "MBA019"

#: every problem code: name and one-line description (codes are never reused)
CODES: Final[dict[str, tuple[str, str]]] = {
    UNREADABLE: ("unreadable-archive", "The file is not a readable archive: corrupt, truncated, or of an unknown format."),
    PATH_TRAVERSAL: ("path-traversal", "An entry name climbs out of the extraction directory with `..` (zip-slip)."),
    ABSOLUTE_PATH: ("absolute-path", "An entry name is an absolute path, a drive-letter path or a UNC path."),
    UNSAFE_NAME: ("unsafe-name", "An entry name holds a backslash, a control character, undecodable bytes or a dots-only component, which extractors interpret differently."),
    SYMLINK: ("symlink", "An entry is a symbolic link."),
    HARD_LINK: ("hard-link", "An entry is a hard link."),
    SPECIAL_FILE: ("special-file", "An entry is a device, FIFO, socket or another kind of file that is not regular."),
    DUPLICATE_NAME: ("duplicate-name", "Two entries name the same path after normalisation (case and Unicode form included), or a file is also used as a directory."),
    ENCRYPTED: ("encrypted-entry", "An entry is encrypted, so its content cannot be checked."),
    TOO_MANY_MEMBERS: ("too-many-members", "The archive has more members than the limit."),
    MEMBER_TOO_LARGE: ("member-too-large", "An entry's uncompressed size, declared or counted, is beyond the limit."),
    ARCHIVE_TOO_LARGE: ("archive-too-large", "The archive's total uncompressed size, declared or counted, is beyond the limit."),
    COMPRESSION_RATIO: ("compression-ratio", "An entry or the whole archive expands beyond the allowed ratio (a zip bomb)."),
    INCONSISTENT_ENTRY: ("inconsistent-entry", "An entry's headers disagree with each other or with its data (name, method, sizes, CRC), or its data is corrupt."),
    UNSUPPORTED_COMPRESSION: ("unsupported-compression", "An entry uses a compression method whose size mbcheck cannot count safely."),
    OVERLAPPING_ENTRIES: ("overlapping-entries", "Entries share or overlap their data in the archive (a zip bomb technique)."),
    MULTIPLE_ROOTS: ("multiple-plugin-roots", "The archive holds more than one plugin root at its shallowest level."),
    FOLDER_WRAPPED: ("folder-wrapped", "The plugin's files sit in a folder inside the archive, not at its root, where the host's installers need `__init__.py`."),
    AMBIGUOUS_FORMAT: ("ambiguous-format", "The file reads as more than one archive format, or has data before its first zip entry, so different tools see different contents."),
}


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

    def expansion_bound(self, compressed: int) -> int:
        """The most bytes ``compressed`` bytes may expand to before the ratio is judged exceeded."""
        return max(self.ratio_floor_bytes, int(self.max_ratio * max(compressed, 1)))

    def over_ratio(self, expanded: int, compressed: int) -> bool:
        """Whether ``compressed`` bytes expanding to ``expanded`` is beyond the ratio (and the floor)."""
        return expanded > self.ratio_floor_bytes and expanded > self.max_ratio * max(compressed, 1)


#: the limits an inspection applies unless it is given others
DEFAULT_LIMITS: Final = ArchiveLimits()


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
