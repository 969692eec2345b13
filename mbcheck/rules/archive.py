"""Archive rules (MB6xx): what :mod:`mbcheck.archive` finds in a plugin archive.

The archive inspection reports problems with its own codes (``MBA0nn``);
each maps to the rule ``MB6nn`` here, which documents it. The findings are
made before any file of the archive is analysed (nothing is ever extracted)
and concern the archive as a whole; the entry's name is in the message.

This module imports no libcst.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

from mbcheck.model import Category, Confidence, Finding, Severity, Span
from mbcheck.rules.base import ExternalRule


class ArchiveRule(ExternalRule):
    """A problem :mod:`mbcheck.archive` finds while reading an archive (never extracted).

    Why: the host's installer extracts archives without checks.
    Instead: build the archive with standard tools from the plugin directory.
    """

    category = Category.ARCHIVE
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    #: the archive module's problem code this rule documents
    problem: ClassVar[str] = ""


class UnreadableArchive(ArchiveRule):
    """The file is not a readable archive: corrupt, truncated, empty, or of an unsupported format.

    Why: what cannot be read cannot be judged; an installer that tries anyway
    may extract part of it, or something other than what a checker saw.
    Instead: rebuild the archive as a zip, wheel or (gzip-compressed) tar from the plugin directory.
    """

    code = "MB601"
    name = "unreadable-archive"
    problem = "MBA001"


class ArchivePathTraversal(ArchiveRule):
    """An entry name climbs out of the extraction directory with `..` (zip-slip).

    Why: an extractor without path checks (a tar without an extraction filter,
    a hand-written installer loop) writes an entry named `../../.bashrc`
    outside the plugin directory, anywhere the user can write.
    Instead: archive the plugin directory itself; entry names are relative paths below it.
    """

    code = "MB602"
    name = "archive-path-traversal"
    problem = "MBA002"


class ArchiveAbsolutePath(ArchiveRule):
    """An entry name is an absolute path, a drive-letter path or a UNC path.

    Why: extracted naively, such an entry is written wherever its name says,
    outside the plugin directory.
    Instead: use relative entry names (archive from inside the parent directory).
    """

    code = "MB603"
    name = "archive-absolute-path"
    problem = "MBA003"


class ArchiveUnsafeName(ArchiveRule):
    """An entry name holds a backslash, a control character, undecodable bytes or a dots-only part.

    Why: extractors on different systems read such names differently (a
    backslash is a separator on Windows; `...` and trailing dots are stripped),
    so the files written are not the files checked.
    Instead: use plain POSIX names: letters, digits, `_`, `-`, `.` and `/` as the separator.
    """

    code = "MB604"
    name = "archive-unsafe-name"
    problem = "MBA004"


class ArchiveSymlink(ArchiveRule):
    """An entry is a symbolic link.

    Why: a link extracted into the plugin can point anywhere on the user's
    system; a later entry written through it escapes the plugin directory.
    Instead: put the file itself in the archive.
    """

    code = "MB605"
    name = "archive-symlink"
    problem = "MBA005"


class ArchiveHardLink(ArchiveRule):
    """An entry is a hard link.

    Why: a hard link extracted from a tar archive can make a plugin file share
    its content with a file outside the plugin, which extraction then overwrites.
    Instead: put the file itself in the archive.
    """

    code = "MB606"
    name = "archive-hard-link"
    problem = "MBA006"


class ArchiveSpecialFile(ArchiveRule):
    """An entry is a device, FIFO, socket or another kind of file that is not regular.

    Why: a plugin is Python source and data files; a device node or FIFO has
    no business in it and can block or harm the extracting process.
    Instead: ship only regular files and directories.
    """

    code = "MB607"
    name = "archive-special-file"
    problem = "MBA007"


class ArchiveDuplicateName(ArchiveRule):
    """Two entries name the same path (after case and Unicode folding), or a file is also a directory.

    Why: which entry wins depends on the extractor and the file system, so the
    file the host loads may not be the one that was checked.
    Instead: give every file one unique name.
    """

    code = "MB608"
    name = "archive-duplicate-name"
    problem = "MBA008"


class ArchiveEncryptedEntry(ArchiveRule):
    """An entry is encrypted, so its content cannot be checked.

    Why: an encrypted entry hides its code from every check, including this one.
    Instead: publish the archive unencrypted; use the marketplace's transport for confidentiality.
    """

    code = "MB609"
    name = "archive-encrypted-entry"
    problem = "MBA009"


class ArchiveTooManyMembers(ArchiveRule):
    """The archive has more members than the limit.

    Why: a huge number of tiny entries exhausts the extractor (and the file
    system's inodes); no plugin needs that many files.
    Instead: ship only the plugin's files; leave caches and build output out of the archive.
    """

    code = "MB610"
    name = "archive-too-many-members"
    problem = "MBA010"


class ArchiveMemberTooLarge(ArchiveRule):
    """An entry's uncompressed size, declared or counted while reading, is beyond the limit.

    Why: one oversized entry fills the user's disk when extracted.
    Instead: download large data at run time to a cache the user controls, not inside the plugin.
    """

    code = "MB611"
    name = "archive-member-too-large"
    problem = "MBA011"


class ArchiveTooLarge(ArchiveRule):
    """The archive's total uncompressed size, declared or counted while reading, is beyond the limit.

    Why: extraction would fill the user's disk; the inspection stops reading
    as soon as the limit is crossed.
    Instead: keep the plugin small; ship data separately.
    """

    code = "MB612"
    name = "archive-too-large"
    problem = "MBA012"


class ArchiveCompressionRatio(ArchiveRule):
    """An entry or the whole archive expands beyond the allowed ratio (a zip bomb).

    Why: a few kilobytes that expand to gigabytes exhaust the disk or memory
    of whatever extracts them; the inspection counts the bytes it decompresses
    and stops at the limit.
    Instead: ordinary source and data compress far below the limit; remove the padding.
    """

    code = "MB613"
    name = "archive-compression-ratio"
    problem = "MBA013"


class ArchiveInconsistentEntry(ArchiveRule):
    """An entry's headers disagree with each other or with its data (name, method, sizes, CRC), or its data is corrupt.

    Why: tools that trust different headers see different files: what a
    checker reads may not be what the installer writes.
    Instead: rebuild the archive with a standard tool.
    """

    code = "MB614"
    name = "archive-inconsistent-entry"
    problem = "MBA014"


class ArchiveUnsupportedCompression(ArchiveRule):
    """An entry uses a compression method whose size mbcheck cannot count safely.

    Why: an entry that cannot be decompressed with bounded memory cannot be
    checked without risking a bomb.
    Instead: use deflate (the zip default), bzip2 or no compression.
    """

    code = "MB615"
    name = "archive-unsupported-compression"
    problem = "MBA015"


class ArchiveOverlappingEntries(ArchiveRule):
    """Entries share or overlap their data in the archive (a zip bomb technique).

    Why: overlapping entries let a small file expand to many times its size,
    and make different tools see different contents.
    Instead: rebuild the archive with a standard tool.
    """

    code = "MB616"
    name = "archive-overlapping-entries"
    problem = "MBA016"


class ArchiveMultipleRoots(ArchiveRule):
    """The archive holds more than one plugin root at its shallowest level.

    Why: an installer expects one plugin per archive; which one it installs
    (and which one was checked) is ambiguous.
    Instead: publish one archive per plugin, with the plugin directory (or its files) at the top.
    """

    code = "MB617"
    name = "archive-multiple-roots"
    problem = "MBA017"


class ArchiveAmbiguousFormat(ArchiveRule):
    """The file reads as more than one archive format, or has data before its first zip entry.

    Why: a polyglot file shows one content to a checker and another to an
    installer that recognises it differently.
    Instead: publish a plain zip, wheel or tar archive.
    """

    code = "MB618"
    name = "archive-ambiguous-format"
    problem = "MBA018"


#: the archive module's problem code -> the rule documenting it
RULES: Mapping[str, type[ArchiveRule]] = {
    cls.problem: cls
    for cls in (
        UnreadableArchive, ArchivePathTraversal, ArchiveAbsolutePath, ArchiveUnsafeName, ArchiveSymlink,
        ArchiveHardLink, ArchiveSpecialFile, ArchiveDuplicateName, ArchiveEncryptedEntry, ArchiveTooManyMembers,
        ArchiveMemberTooLarge, ArchiveTooLarge, ArchiveCompressionRatio, ArchiveInconsistentEntry,
        ArchiveUnsupportedCompression, ArchiveOverlappingEntries, ArchiveMultipleRoots, ArchiveAmbiguousFormat,
    )
}


def finding_for(code: str, message: str) -> Finding:
    """An archive problem as a finding about the plugin as a whole (unknown codes: unreadable)."""
    rule = RULES.get(code, UnreadableArchive)
    text = message if code in RULES else f"{message} ({code})"
    return rule.finding(Span(""), text)


def default_package(archive: Path) -> str:
    """The import name of a plugin whose files sit at the archive's top level."""
    name = archive.name
    if name.lower().endswith(".whl"):
        return name.split("-", 1)[0]
    return name.split(".", 1)[0]


def read_archive(archive: Path) -> tuple[dict[str, bytes], list[Finding], str]:
    """The plugin's files in ``archive`` (in memory), its problems as findings, and its package name."""
    from mbcheck.archive import inspect_archive

    contents = inspect_archive(archive)
    problems = [finding_for(problem.code, problem.message) for problem in contents.problems]
    package = contents.root.rsplit("/", 1)[-1] if contents.root else default_package(archive)
    return dict(contents.files), problems, package


__all__ = ["RULES", "ArchiveRule", "default_package", "finding_for", "read_archive"]
