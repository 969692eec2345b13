"""Read a zip archive (or wheel) entry by entry, with running byte counters.

The central directory is judged first: member count, declared sizes and
ratios, overlapping or misplaced entries, each entry's name, type,
encryption and compression method. Then each readable entry's local header is
checked against the directory and its data is decompressed in bounded chunks
(:class:`_Decoder`), counting every byte, so a zip bomb or a header that lies
about sizes is stopped as soon as a limit is crossed.
"""

from __future__ import annotations

import bisect
import bz2
import io
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, Final

from mbcheck.archive.entries import (
    OUT_CHUNK,
    Abort,
    Collector,
    Entry,
    Reader,
    normalise,
    show,
    skipped,
)
from mbcheck.archive.problems import (
    AMBIGUOUS_FORMAT,
    ARCHIVE_TOO_LARGE,
    COMPRESSION_RATIO,
    ENCRYPTED,
    INCONSISTENT_ENTRY,
    MEMBER_TOO_LARGE,
    OVERLAPPING_ENTRIES,
    SPECIAL_FILE,
    SYMLINK,
    TOO_MANY_MEMBERS,
    UNREADABLE,
    UNSUPPORTED_COMPRESSION,
    ArchiveLimits,
)

__all__ = ["SIGNATURES", "end_record", "inspect_zip"]

_IN_CHUNK: Final = 64 * 1024
#: central directory bytes allowed per permitted member before the zip is refused unread
_DIRECTORY_BYTES_PER_MEMBER: Final = 1024

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

#: how a zip file starts: a local header, or the end record of an empty zip
SIGNATURES: Final = (_ZIP_LOCAL, _ZIP_END)


@dataclass(frozen=True, slots=True)
class _EndRecord:
    entries: int
    directory_size: int
    #: where the central directory begins in the file
    directory_start: int


def end_record(fp: BinaryIO, size: int) -> _EndRecord | None:
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


def inspect_zip(fp: BinaryIO, size: int, end: _EndRecord | None, limits: ArchiveLimits, out: Collector, label: str) -> None:
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
    _ZipReader(out, label, size, limits, fp, end, infos).run()


@dataclass
class _ZipReader(Reader):
    """Judges a zip's entries by their headers, then reads the readable ones with counters."""

    fp: BinaryIO
    end: _EndRecord
    infos: list[zipfile.ZipInfo]
    #: the archive's entries expanding beyond this many bytes exceed max_ratio
    overall_bound: int = field(init=False)
    #: where each entry's local header starts, in order
    offsets: list[int] = field(init=False)

    def __post_init__(self) -> None:
        self.overall_bound = self.limits.expansion_bound(self.size)
        self.offsets = sorted({i.header_offset for i in self.infos})

    def run(self) -> None:
        """Judge every entry by its headers, then read the readable ones with counters."""
        plans = [plan for plan in map(self._judge, self.infos) if plan is not None]
        self._check_layout()
        try:
            self._check_declared([info for info, _ in plans])
            for info, path in plans:
                self._load(info, path)
        except Abort:
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
            raise Abort
        if self.limits.over_ratio(declared, self.size):
            self.out.abort(COMPRESSION_RATIO, self._overall_ratio_message(declared, declared=True))
            raise Abort

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
                    f"entry {show(info.orig_filename)!r} shares its data with entry {show(other.orig_filename)!r}",
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
        shown = show(member)
        out = self.out
        path = out.path_of(member)
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
            alias = normalise(unicode_path)
            if alias.path is None:
                out.add(alias.code, f"entry {shown!r} has a Unicode path field {show(unicode_path)!r} that {alias.why}", member)
        if path is not None:
            out.see(member, path, is_dir and ftype in (0, stat.S_IFDIR))
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
        if self.limits.over_ratio(info.file_size, info.compress_size):
            refused = True
            out.add(
                COMPRESSION_RATIO,
                f"entry {shown!r} declares {info.file_size} bytes from {info.compress_size} "
                f"({info.file_size / max(info.compress_size, 1):.0f}:1); the limit is {self.limits.max_ratio:g}:1",
                member,
            )
        if refused:
            return None
        wanted = path is not None and not is_dir and ftype in (0, stat.S_IFREG) and not skipped(path)
        return info, path if wanted else None

    def _load(self, info: zipfile.ZipInfo, path: str | None) -> None:
        """Read an entry with counters; keep its bytes if it is a safe file."""
        data_start = self._local_header(info)
        if data_start is None:
            return
        data = self._read(info, data_start)
        if data is not None and path is not None and not self.out.has_problem(info.orig_filename):
            self.out.entries.append(Entry(info.orig_filename, path, data))

    def _local_header(self, info: zipfile.ZipInfo) -> int | None:
        """Check the entry's local header against the central directory; where its data starts."""
        member = info.orig_filename
        shown = show(member)
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
            problems.append(f"its local header names it {show(local_name)!r}")
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
        if alias is not None and normalise(alias).path is None:
            verdict = normalise(alias)
            self.out.add(verdict.code, f"entry {shown!r} has a Unicode path field {show(alias)!r} that {verdict.why}", member)
        return int(info.header_offset + _LOCAL_HEADER.size + name_len + extra_len)

    def _read(self, info: zipfile.ZipInfo, data_start: int) -> bytes | None:
        """Decode the entry's data with running counters; its bytes if they are whole and within limits."""
        member = info.orig_filename
        shown = show(member)
        limits = self.limits
        bound, bound_is_entry = self._bound(info.header_offset)
        if info.compress_type == zipfile.ZIP_STORED:
            stop = min(data_start + info.compress_size, bound)
            if data_start + info.compress_size > bound:
                self._past_bound(info, bound_is_entry)
        else:
            stop = bound
        available = max(stop - data_start, 1)
        member_bound = limits.expansion_bound(available)
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
                    raise Abort
                if self.total > self.overall_bound:
                    self.out.abort(COMPRESSION_RATIO, self._overall_ratio_message(self.total) + " (counted while reading)")
                    raise Abort
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
        if limits.over_ratio(produced, decoder.consumed):
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
            self.out.add(OVERLAPPING_ENTRIES, f"entry {show(member)!r} runs into the next entry's data", member)
        else:
            self.out.add(INCONSISTENT_ENTRY, f"entry {show(member)!r} is truncated: its data runs past the entries", member)


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
            out = inflater.decompress(data, OUT_CHUNK)
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
            out = unzipper.decompress(data, OUT_CHUNK)
            self.consumed = fed - len(unzipper.unused_data)
            if out:
                yield out
        self.ended = True

