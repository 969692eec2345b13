"""Read a tar archive (plain, gzip, bzip2 or xz) member by member, with running byte counters.

tarfile reads the headers through :class:`_Bounded`, a forward-only view of
the decompressed stream that counts every byte and refuses a giant header
before it is allocated; member data is read in chunks against the member,
total and ratio limits.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import struct
import tarfile
import zlib
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import BinaryIO, Final, Protocol

from mbcheck.archive.entries import OUT_CHUNK, Abort, Collector, Entry, Reader, show, skipped
from mbcheck.archive.problems import (
    ARCHIVE_TOO_LARGE,
    COMPRESSION_RATIO,
    HARD_LINK,
    INCONSISTENT_ENTRY,
    MEMBER_TOO_LARGE,
    SPECIAL_FILE,
    SYMLINK,
    TOO_MANY_MEMBERS,
    UNREADABLE,
    ArchiveLimits,
)

__all__ = ["inspect_tar"]

#: the largest single read tarfile may ask for (pax and GNU long-name headers)
_MAX_TAR_HEADER_READ: Final = 1024 * 1024
#: tar headers and padding allowed per permitted member on top of the data limit
_TAR_BYTES_PER_MEMBER: Final = 1024


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
        if size < 0 or size > max(_MAX_TAR_HEADER_READ, OUT_CHUNK):
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
            if not self.read(min(OUT_CHUNK, target - self.pos)):
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


def inspect_tar(fp: BinaryIO, size: int, kind: str, limits: ArchiveLimits, out: Collector, label: str) -> None:
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
        data_bound = None if kind == "tar" else limits.expansion_bound(size)
        stream_ratio_bound = None if data_bound is None else data_bound + overhead
        stream = _Bounded(raw, limits.max_total_bytes + overhead, stream_ratio_bound, label, limits)
        try:
            with tarfile.open(fileobj=stream, mode="r:") as tf:
                _TarReader(out, label, size, limits, tf, data_bound).run()
            while stream.read(OUT_CHUNK):  # the rest of the stream: counted, and checked whole
                pass
        except _StreamLimit as exc:
            out.abort(exc.code, exc.message)
        except Abort:
            return
        except (tarfile.TarError, EOFError, OSError, zlib.error, lzma.LZMAError, ValueError, UnicodeError, struct.error) as exc:
            out.abort(UNREADABLE, f"{label} is not a readable tar archive: {exc or type(exc).__name__}")


@dataclass
class _TarReader(Reader):
    """Judges and reads a tar's members one by one, as tarfile finds them."""

    tf: tarfile.TarFile
    #: member data beyond this many bytes means the archive expands beyond max_ratio
    ratio_bound: int | None
    #: the member sizes the headers declared so far
    declared: int = field(default=0, init=False)

    def run(self) -> None:
        for count, member in enumerate(self.tf, start=1):
            if count > self.limits.max_members:
                self.out.abort(TOO_MANY_MEMBERS, f"{self.label} has more than {self.limits.max_members} members")
                raise Abort
            self._member(member)

    def _member(self, info: tarfile.TarInfo) -> None:
        member = info.name
        shown = show(member)
        out = self.out
        path = out.path_of(member)
        if info.issym():
            out.add(SYMLINK, f"entry {shown!r} is a symbolic link to {show(info.linkname)!r}", member)
        elif info.islnk():
            out.add(HARD_LINK, f"entry {shown!r} is a hard link to {show(info.linkname)!r}", member)
        elif info.ischr() or info.isblk() or info.isfifo():
            out.add(SPECIAL_FILE, f"entry {shown!r} is a device or FIFO", member)
        elif not info.isreg() and not info.isdir():
            out.add(SPECIAL_FILE, f"entry {shown!r} has the unsupported tar type {info.type!r}", member)
        if path is not None:
            out.see(member, path, info.isdir())
        if not info.isreg():
            return
        self.declared += info.size
        if self.declared > self.limits.max_total_bytes:
            out.abort(
                ARCHIVE_TOO_LARGE,
                f"{self.label} declares more than {self.limits.max_total_bytes} uncompressed bytes",
            )
            raise Abort
        if info.size > self.limits.max_member_bytes:
            out.add(
                MEMBER_TOO_LARGE,
                f"entry {shown!r} declares {info.size} bytes; the limit is {self.limits.max_member_bytes}",
                member,
            )
            return
        data = self._read(info)
        if path is not None and not skipped(path) and not out.has_problem(member):
            out.entries.append(Entry(member, path, data))

    def _read(self, info: tarfile.TarInfo) -> bytes:
        handle = self.tf.extractfile(info)
        if handle is None:  # pragma: no cover - regular members always have a handle
            return b""
        buffer = io.BytesIO()
        with handle:
            while chunk := handle.read(OUT_CHUNK):
                self.total += len(chunk)
                if buffer.tell() + len(chunk) > self.limits.max_member_bytes:
                    self.out.add(
                        MEMBER_TOO_LARGE,
                        f"entry {show(info.name)!r} expands beyond {self.limits.max_member_bytes} bytes",
                        info.name,
                    )
                    return b""
                if self.total > self.limits.max_total_bytes:
                    self.out.abort(ARCHIVE_TOO_LARGE, f"{self.label} expands beyond {self.limits.max_total_bytes} bytes")
                    raise Abort
                if self.ratio_bound is not None and self.total > self.ratio_bound:
                    self.out.abort(
                        COMPRESSION_RATIO,
                        f"{self.label} expands beyond {self.limits.max_ratio:g}:1 (counted {self.total} bytes "
                        f"of member data from {self.size})",
                    )
                    raise Abort
                buffer.write(chunk)
        if buffer.tell() != info.size:
            self.out.add(
                INCONSISTENT_ENTRY,
                f"entry {show(info.name)!r} holds {buffer.tell()} bytes, its header says {info.size}",
                info.name,
            )
        return buffer.getvalue()
