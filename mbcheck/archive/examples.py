"""The example archives of the MB6xx rules, built in memory when they are asked for.

:mod:`mbcheck.archive.rules` describes each rule's examples as a function of
a :class:`Make`; they are built the first time a rule's ``VALID`` or
``INVALID`` is read (the example tests, ``mbcheck explain``), never when the
rules are imported. Each archive is a few kilobytes and nothing is written to
disk. Where a limit would take hundreds of megabytes to cross, the example's
headers declare the sizes, which the inspection judges before reading any data.
"""

from __future__ import annotations

import io
import lzma
import stat
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from functools import cached_property
from gzip import compress as gzip_compress

from mbcheck.rules.base import EXAMPLE_INIT, EXAMPLE_MANIFEST, Invalid, Valid

__all__ = ["MAKE", "Make", "ZipEntry"]

#: a zip entry to write: its name (or prepared header) and its data
ZipEntry = tuple[str | zipfile.ZipInfo, bytes]
#: a tar member to write: name, tar type, data, link target
TarMember = tuple[str, bytes, bytes, str]

_DATE = (1980, 1, 1, 0, 0, 0)

#: header fields of a zip entry: (offset in the central header, offset in the local header or -1, format)
_FIELDS = {
    "flag_bits": (8, 6, "<H"),
    "compress_type": (10, 8, "<H"),
    "crc": (16, 14, "<L"),
    "compress_size": (20, 18, "<L"),
    "file_size": (24, 22, "<L"),
    "header_offset": (42, -1, "<L"),
}


class Make:
    """Builders of example archives; the common ones are built once and kept."""

    #: tar member types and zip compression methods the examples name
    LNKTYPE = tarfile.LNKTYPE
    FIFOTYPE = tarfile.FIFOTYPE
    ZIP_STORED = zipfile.ZIP_STORED
    ZIP_BZIP2 = zipfile.ZIP_BZIP2

    def plugin(self, root: str = "example") -> list[ZipEntry]:
        """The example plugin's files under the directory ``root`` (``""``: at the archive's root)."""
        prefix = f"{root}/" if root else ""
        return [(f"{prefix}plugin.yaml", EXAMPLE_MANIFEST.encode()), (f"{prefix}__init__.py", EXAMPLE_INIT.encode())]

    def zip(self, entries: Iterable[ZipEntry], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
        """A zip archive of ``entries`` (names or prepared headers, and data), built in memory."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as zf:
            for name, data in entries:
                info = zipfile.ZipInfo(name, _DATE) if isinstance(name, str) else name
                if isinstance(name, str):
                    info.external_attr = (stat.S_IFREG | 0o644) << 16
                zf.writestr(info, data, compress_type=compression)
        return buffer.getvalue()

    def tar_gz(self, members: Iterable[TarMember]) -> bytes:
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

    def tar_plugin(self, *extra: TarMember) -> bytes:
        """The example plugin as a .tar.gz, with ``extra`` members after its files."""
        files = [(str(name), tarfile.REGTYPE, data, "") for name, data in self.plugin()]
        return self.tar_gz([*files, *extra])

    def patched(self, data: bytes, name: str, *, local: bool = True, **fields: int) -> bytes:
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

    def lzma_zip(self, entries: Iterable[tuple[str, bytes]]) -> bytes:
        """A zip of LZMA-compressed entries (method 14), with a small dictionary so building is cheap."""
        filters = [{"id": lzma.FILTER_LZMA1, "dict_size": 4096, "lc": 3, "lp": 0, "pb": 2}]
        header = struct.pack("<BBHBI", 9, 4, 5, (2 * 5 + 0) * 9 + 3, 4096)  # LZMA SDK 9.4, the 5 property bytes
        files = [(name, data, lzma.LZMACompressor(lzma.FORMAT_RAW, filters=filters)) for name, data in entries]
        data = self.zip([(name, header + packer.compress(raw) + packer.flush()) for name, raw, packer in files], zipfile.ZIP_STORED)
        for name, raw, _ in files:
            data = self.patched(data, name, compress_type=zipfile.ZIP_LZMA, flag_bits=0x2, file_size=len(raw), crc=zlib.crc32(raw))
        return data

    def declaring_members(self, data: bytes, count: int) -> bytes:
        """``data`` (a zip without comment) whose end record declares ``count`` members."""
        end = len(data) - 22
        return data[: end + 8] + struct.pack("<2H", count, count) + data[end + 12 :]

    def symlink(self, name: str) -> zipfile.ZipInfo:
        """The header of a zip entry that is a symbolic link."""
        info = zipfile.ZipInfo(name, _DATE)
        info.create_system = 3
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        return info

    def declared(self, sizes: Mapping[str, int]) -> bytes:
        """A zip whose stored entries' headers declare ``sizes``; the data is not there to read."""
        data = self.zip([*self.plugin(), *((name, b"\0" * 16) for name in sizes)], zipfile.ZIP_STORED)
        for name, size in sizes.items():
            data = self.patched(data, name, file_size=size, compress_size=size)
        return data

    def flagged(self, archive: bytes, archive_name: str = "example.zip") -> Invalid:
        """An INVALID archive example: every archive finding is about the archive as a whole."""
        return Invalid(archive=archive, archive_name=archive_name, path="")

    @cached_property
    def clean(self) -> bytes:
        """The example plugin as a zip."""
        return self.zip(self.plugin())

    @cached_property
    def clean_tar(self) -> bytes:
        """The example plugin as a .tar.gz."""
        return self.tar_plugin()

    @cached_property
    def plain(self) -> bytes:
        """The example plugin with one more module, as a zip."""
        return self.zip([*self.plugin(), ("example/cli.py", b"def main() -> None:\n    print('hello')\n")])

    @property
    def fine(self) -> Valid:
        return Valid(archive=self.clean)

    @property
    def fine_tar(self) -> Valid:
        return Valid(archive=self.clean_tar, archive_name="example.tar.gz")


#: the builder every rule's examples are made with
MAKE = Make()
