"""Archive inspection: every archive is built here, in memory or under tmp_path."""

from __future__ import annotations

import gzip
import io
import random
import stat
import struct
import tarfile
import time
import tracemalloc
import warnings
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mbcheck.archive.inspect import inspect_archive, is_archive
from mbcheck.archive.problems import CODES, ArchiveContents, ArchiveLimits, ArchiveProblem
from mbcheck.model import Category, Severity

UNREADABLE = "MBA001"
TRAVERSAL = "MBA002"
ABSOLUTE = "MBA003"
UNSAFE_NAME = "MBA004"
SYMLINK = "MBA005"
HARD_LINK = "MBA006"
SPECIAL = "MBA007"
DUPLICATE = "MBA008"
ENCRYPTED = "MBA009"
TOO_MANY = "MBA010"
MEMBER_TOO_LARGE = "MBA011"
TOO_LARGE = "MBA012"
RATIO = "MBA013"
INCONSISTENT = "MBA014"
UNSUPPORTED = "MBA015"
OVERLAP = "MBA016"
ROOTS = "MBA017"
AMBIGUOUS = "MBA018"

MIB = 1024 * 1024

PLUGIN = {
    "plugin.yaml": b"name: hello\nversion: 1.0.0\n",
    "__init__.py": b"def get_plugin_interface():\n    return None\n",
    "cli.py": b"import typer\napp = typer.Typer()\n",
    "sub/__init__.py": b"",
    "sub/helpers.py": b"def helper() -> int:\n    return 1\n",
    "data/blob.bin": random.Random(7).randbytes(70_000),
    "data/blank.txt": b"\n" * 50_000,
}


# --------------------------------------------------------------------------- builders


def write_tree(base: Path, files: dict[str, bytes]) -> Path:
    for rel, data in files.items():
        target = base / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return base


def read_tree(base: Path) -> dict[str, bytes]:
    return {p.relative_to(base).as_posix(): p.read_bytes() for p in base.rglob("*") if p.is_file()}


Entry = tuple[str | zipfile.ZipInfo, bytes]


def build_zip(path: Path, entries: Iterable[Entry], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate names some tests need
        with zipfile.ZipFile(path, "w", compression) as zf:
            for name, data in entries:
                zf.writestr(name, data)
    return path


def zip_tree(path: Path, base: Path, prefix: str = "") -> Path:
    entries: list[Entry] = []
    for item in sorted(base.rglob("*")):
        rel = prefix + item.relative_to(base).as_posix()
        entries.append((rel + "/", b"") if item.is_dir() else (rel, item.read_bytes()))
    if prefix:
        entries.insert(0, (prefix, b""))
    return build_zip(path, entries)


def tar_member(name: str, data: bytes = b"", kind: bytes = tarfile.REGTYPE, linkname: str = "") -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    info.mode = 0o644
    return info, data


def build_tar(path: Path, members: Iterable[tuple[tarfile.TarInfo, bytes]], mode: str = "w:gz") -> Path:
    with tarfile.open(path, mode) as tf:  # type: ignore[call-overload]
        for info, data in members:
            tf.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return path


def codes(contents: ArchiveContents, member: str | None = None) -> set[str]:
    return {p.code for p in contents.problems if member is None or p.member == member}


def central_entries(data: bytes) -> Iterator[tuple[int, str]]:
    """(offset, name) of every central directory entry of a zip held in ``data``."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        at = zf.start_dir
    while data[at : at + 4] == b"PK\x01\x02":
        name_len, extra_len, comment_len = struct.unpack_from("<3H", data, at + 28)
        yield at, data[at + 46 : at + 46 + name_len].decode("cp437")
        at += 46 + name_len + extra_len + comment_len


def patch_zip(path: Path, name: str, *, central: bool = True, local: bool = True, **fields: int) -> None:
    """Overwrite header fields of entry ``name``: flag_bits, crc, compress_size, file_size, header_offset."""
    data = bytearray(path.read_bytes())
    central_at = {"flag_bits": (8, "<H"), "crc": (16, "<L"), "compress_size": (20, "<L"), "file_size": (24, "<L"), "header_offset": (42, "<L")}
    local_at = {"flag_bits": (6, "<H"), "crc": (14, "<L"), "compress_size": (18, "<L"), "file_size": (22, "<L")}
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        header = zf.getinfo(name).header_offset
    (entry_at,) = [at for at, n in central_entries(bytes(data)) if n == name]
    for key, value in fields.items():
        if central:
            offset, fmt = central_at[key]
            struct.pack_into(fmt, data, entry_at + offset, value)
        if local and key in local_at:
            offset, fmt = local_at[key]
            struct.pack_into(fmt, data, header + offset, value)
    path.write_bytes(bytes(data))


def zeros_zip(path: Path, name: str, size: int) -> Path:
    """A zip whose one member is ``size`` zero bytes, streamed so they never exist at once."""
    chunk = bytes(MIB)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, zf.open(name, "w") as out:
        for _ in range(size // MIB):
            out.write(chunk)
    return path


# --------------------------------------------------------------------------- clean archives


def test_clean_zip_with_a_plugin_directory_holds_the_tree(tmp_path: Path) -> None:
    tree = write_tree(tmp_path / "src", PLUGIN)
    archive = zip_tree(tmp_path / "plugin.zip", tree, prefix="hello/")

    contents = inspect_archive(archive)

    assert contents.problems == ()
    assert contents.ok
    assert contents.root == "hello"
    assert dict(contents.files) == read_tree(tree)


def test_clean_zip_at_top_level_has_an_empty_root(tmp_path: Path) -> None:
    tree = write_tree(tmp_path / "src", PLUGIN)
    contents = inspect_archive(zip_tree(tmp_path / "plugin.zip", tree))
    assert contents.problems == ()
    assert contents.root == ""
    assert dict(contents.files) == read_tree(tree)


@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_BZIP2])
def test_stored_and_bzip2_members_are_read(tmp_path: Path, compression: int) -> None:
    archive = build_zip(tmp_path / "p.zip", [(f"p/{k}", v) for k, v in PLUGIN.items()], compression)
    contents = inspect_archive(archive)
    assert contents.problems == ()
    assert dict(contents.files) == PLUGIN


@pytest.mark.parametrize(("suffix", "mode"), [(".tar.gz", "w:gz"), (".tgz", "w:gz"), (".tar", "w")])
def test_clean_tarball_holds_the_tree(tmp_path: Path, suffix: str, mode: str) -> None:
    tree = write_tree(tmp_path / "src" / "hello", PLUGIN)
    archive = tmp_path / f"hello{suffix}"
    with tarfile.open(archive, mode) as tf:  # type: ignore[call-overload]
        tf.add(tree, arcname="./hello")

    contents = inspect_archive(archive)

    assert contents.problems == ()
    assert contents.root == "hello"
    assert dict(contents.files) == read_tree(tree)


def test_macos_metadata_is_skipped_without_a_problem(tmp_path: Path) -> None:
    archive = build_zip(
        tmp_path / "p.zip",
        [
            ("p/__init__.py", b"x = 1\n"),
            ("p/.DS_Store", b"\0\0\0\1Bud1"),
            ("__MACOSX/", b""),
            ("__MACOSX/p/._init__.py", b"\0\5\26\7"),
        ],
    )
    contents = inspect_archive(archive)
    assert contents.problems == ()
    assert dict(contents.files) == {"__init__.py": b"x = 1\n"}


def test_files_outside_the_plugin_root_are_not_handed_on(tmp_path: Path) -> None:
    archive = build_zip(
        tmp_path / "p.zip",
        [("README.md", b"# hi"), ("p/__init__.py", b""), ("p/inner/__init__.py", b"y = 2\n")],
    )
    contents = inspect_archive(archive)
    assert contents.problems == ()
    assert contents.root == "p"
    assert dict(contents.files) == {"__init__.py": b"", "inner/__init__.py": b"y = 2\n"}


def test_wheel_keeps_its_paths_and_has_an_empty_root(tmp_path: Path) -> None:
    entries = {
        "venvmilker/__init__.py": b"__version__ = '1.0'\n",
        "venvmilker/cli.py": b"def get_cli():\n    return None\n",
        "venvmilker-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: venvmilker\nVersion: 1.0\n",
        "venvmilker-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\n",
        "venvmilker-1.0.dist-info/entry_points.txt": b"[milkbottle.bottles]\nvenvmilker = venvmilker:get_cli\n",
        "venvmilker-1.0.dist-info/RECORD": b"",
    }
    archive = build_zip(tmp_path / "venvmilker-1.0-py3-none-any.whl", entries.items())
    contents = inspect_archive(archive)
    assert contents.problems == ()
    assert contents.root == ""
    assert dict(contents.files) == entries


def test_two_plugin_roots_are_reported(tmp_path: Path) -> None:
    archive = build_zip(
        tmp_path / "p.zip",
        [("one/__init__.py", b""), ("two/plugin.yaml", b"name: two\n"), ("deeper/x/__init__.py", b"")],
    )
    contents = inspect_archive(archive)
    assert codes(contents) == {ROOTS}
    (problem,) = contents.problems
    assert "'one'" in problem.message and "'two'" in problem.message
    assert problem.member == ""


# --------------------------------------------------------------------------- names and kinds


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("../evil.py", TRAVERSAL),
        ("p/../../evil.py", TRAVERSAL),
        ("..\\evil.py", TRAVERSAL),
        ("/etc/x", ABSOLUTE),
        ("C:/Windows/evil.py", ABSOLUTE),
        ("c:evil.py", ABSOLUTE),
        ("\\\\server\\share\\evil.py", ABSOLUTE),
        ("p\\evil.py", UNSAFE_NAME),
        ("p/evil.py\x00.txt", UNSAFE_NAME),
        ("p/\x1b[2Jevil.py", UNSAFE_NAME),
        ("p/.../evil.py", UNSAFE_NAME),
    ],
)
def test_unsafe_zip_names_are_reported_and_left_out(tmp_path: Path, name: str, code: str) -> None:
    written = name.replace("\x00", "\x01")  # zipfile cuts names at NUL when writing: patch it in after
    archive = build_zip(tmp_path / "p.zip", [("p/__init__.py", b"ok = 1\n"), (written, b"import os\n")])
    archive.write_bytes(archive.read_bytes().replace(written.encode(), name.encode()))

    contents = inspect_archive(archive)

    (problem,) = contents.problems
    assert problem.code == code
    assert problem.member == name
    assert "\x1b" not in problem.message and "\x00" not in problem.message
    assert dict(contents.files) == {"__init__.py": b"ok = 1\n"}


@pytest.mark.parametrize(("name", "code"), [("../evil.py", TRAVERSAL), ("/etc/x", ABSOLUTE), ("./p/../../x", TRAVERSAL)])
def test_unsafe_tar_names_are_reported_and_left_out(tmp_path: Path, name: str, code: str) -> None:
    archive = build_tar(tmp_path / "p.tar.gz", [tar_member("p/__init__.py", b"ok = 1\n"), tar_member(name, b"evil")])
    contents = inspect_archive(archive)
    assert codes(contents) == {code}
    assert contents.problems[0].member == name
    assert dict(contents.files) == {"__init__.py": b"ok = 1\n"}


def test_zip_symlink_entry_is_reported(tmp_path: Path) -> None:
    link = zipfile.ZipInfo("p/config.py")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    archive = build_zip(tmp_path / "p.zip", [("p/__init__.py", b""), (link, b"/home/user/.ssh/id_rsa")])

    contents = inspect_archive(archive)

    assert codes(contents) == {SYMLINK}
    assert contents.problems[0].member == "p/config.py"
    assert "config.py" not in contents.files


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        (tarfile.SYMTYPE, SYMLINK),
        (tarfile.LNKTYPE, HARD_LINK),
        (tarfile.CHRTYPE, SPECIAL),
        (tarfile.BLKTYPE, SPECIAL),
        (tarfile.FIFOTYPE, SPECIAL),
    ],
)
def test_tar_links_and_devices_are_reported(tmp_path: Path, kind: bytes, code: str) -> None:
    archive = build_tar(
        tmp_path / "p.tar.gz",
        [tar_member("p/__init__.py", b""), tar_member("p/odd", kind=kind, linkname="/etc/passwd")],
    )
    contents = inspect_archive(archive)
    assert codes(contents) == {code}
    assert contents.problems[0].member == "p/odd"
    assert dict(contents.files) == {"__init__.py": b""}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("p/mod.py", "p/mod.py"),
        ("p/mod.py", "p/./mod.py"),
        ("p/mod.py", "p//mod.py"),
        ("p/mod.py", "p/MOD.py"),
        ("p/caf\u00e9.py", "p/cafe\u0301.py"),
    ],
)
def test_duplicate_names_are_reported_and_neither_is_kept(tmp_path: Path, first: str, second: str) -> None:
    archive = build_zip(
        tmp_path / "p.zip",
        [("p/__init__.py", b""), (first, b"print('seen by mbcheck')\n"), (second, b"print('installed')\n")],
    )
    contents = inspect_archive(archive)
    assert codes(contents) == {DUPLICATE}
    assert contents.problems[0].member == second
    assert dict(contents.files) == {"__init__.py": b""}


def test_duplicate_names_in_a_tarball_are_reported(tmp_path: Path) -> None:
    archive = build_tar(
        tmp_path / "p.tar",
        [tar_member("p/__init__.py", b""), tar_member("p/a.py", b"1"), tar_member("./p/a.py", b"2")],
        mode="w",
    )
    contents = inspect_archive(archive)
    assert codes(contents) == {DUPLICATE}
    assert dict(contents.files) == {"__init__.py": b""}


def test_a_file_also_used_as_a_directory_is_reported(tmp_path: Path) -> None:
    archive = build_zip(tmp_path / "p.zip", [("p/__init__.py", b""), ("p/x", b"file"), ("p/x/y.py", b"inside")])
    contents = inspect_archive(archive)
    assert codes(contents) == {DUPLICATE}
    assert "x" not in contents.files


@pytest.mark.parametrize("where", [{"central": True, "local": True}, {"central": True, "local": False}, {"central": False, "local": True}])
def test_encrypted_entries_are_reported(tmp_path: Path, where: dict[str, bool]) -> None:
    archive = build_zip(tmp_path / "p.zip", [("p/__init__.py", b""), ("p/secret.py", b"payload = 1\n")])
    patch_zip(archive, "p/secret.py", flag_bits=0x1, **where)

    contents = inspect_archive(archive)

    assert ENCRYPTED in codes(contents, "p/secret.py")
    assert "secret.py" not in contents.files
    assert contents.files["__init__.py"] == b""


def test_unsupported_compression_is_reported(tmp_path: Path) -> None:
    archive = build_zip(tmp_path / "p.zip", [("p/__init__.py", b"x = 1\n")], zipfile.ZIP_LZMA)
    contents = inspect_archive(archive)
    assert codes(contents) == {UNSUPPORTED}
    assert contents.files == {}


# --------------------------------------------------------------------------- unreadable input


def _valid_zip_bytes(tmp_path: Path) -> bytes:
    return build_zip(tmp_path / "valid.zip", [(f"p/{k}", v) for k, v in PLUGIN.items()]).read_bytes()


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: random.Random(1).randbytes(4096), id="random-bytes"),
        pytest.param(lambda data: b"", id="empty"),
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: b"PK\x03\x04" + bytes(100), id="local-header-only"),
        pytest.param(lambda data: data.replace(b"PK\x01\x02", b"PK\x01\x09"), id="bad-central-directory"),
        pytest.param(lambda data: gzip.compress(b"not a tarball at all " * 100), id="gzip-of-text"),
    ],
)
def test_corrupt_archives_give_one_problem(tmp_path: Path, damage: object) -> None:
    assert callable(damage)
    archive = tmp_path / "plugin.zip"
    archive.write_bytes(damage(_valid_zip_bytes(tmp_path)))

    contents = inspect_archive(archive)

    assert [p.code for p in contents.problems] == [UNREADABLE]
    assert contents.problems[0].member == ""
    assert contents.files == {}


def test_corrupt_member_data_is_reported(tmp_path: Path) -> None:
    archive = build_zip(tmp_path / "p.zip", [("p/__init__.py", b""), ("p/mod.py", b"x = 1\n" * 2000)])
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo("p/mod.py")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start : start + 8] = b"\xff" * 8
    archive.write_bytes(bytes(data))

    contents = inspect_archive(archive)

    assert codes(contents) == {INCONSISTENT}
    assert "mod.py" not in contents.files


def test_truncated_tar_gz_is_reported(tmp_path: Path) -> None:
    archive = build_tar(tmp_path / "p.tar.gz", [tar_member(f"p/{k}", v) for k, v in PLUGIN.items()])
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) * 2 // 3])

    contents = inspect_archive(archive)

    assert [p.code for p in contents.problems] == [UNREADABLE]
    assert contents.files == {}


def test_missing_file_is_reported_not_raised(tmp_path: Path) -> None:
    contents = inspect_archive(tmp_path / "nowhere.zip")
    assert [p.code for p in contents.problems] == [UNREADABLE]


def test_tarball_with_a_zip_appended_is_ambiguous(tmp_path: Path) -> None:
    tarball = build_tar(tmp_path / "p.tar.gz", [tar_member("p/__init__.py", b"")]).read_bytes()
    archive = tmp_path / "both.tar.gz"
    archive.write_bytes(tarball + _valid_zip_bytes(tmp_path))
    contents = inspect_archive(archive)
    assert codes(contents) == {AMBIGUOUS}
    assert contents.files == {}


def test_zip_with_data_before_its_first_entry_is_ambiguous(tmp_path: Path) -> None:
    archive = tmp_path / "p.zip"
    archive.write_bytes(b"#!/bin/sh\necho hi\n" + _valid_zip_bytes(tmp_path))
    contents = inspect_archive(archive)
    assert codes(contents) == {AMBIGUOUS}
    assert dict(contents.files) == PLUGIN


# --------------------------------------------------------------------------- sizes and bombs


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 MiB of zeros deflated about 1000:1, written without ever holding them."""
    return zeros_zip(tmp_path_factory.mktemp("bomb") / "bomb.zip", "p/__init__.py", 300 * MIB)


def _measure(path: Path) -> tuple[ArchiveContents, float, int]:
    """Inspect with the default limits; the result, the seconds taken and the peak traced memory."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        contents = inspect_archive(path)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return contents, elapsed, peak


def test_zip_bomb_is_reported_quickly_and_in_little_memory(bomb: Path) -> None:
    with zipfile.ZipFile(bomb) as zf:
        (info,) = zf.infolist()
    assert info.file_size == 300 * MIB
    assert info.file_size / info.compress_size > 900

    contents, elapsed, peak = _measure(bomb)

    assert {MEMBER_TOO_LARGE, RATIO} <= codes(contents, "p/__init__.py")
    assert contents.files == {}
    assert elapsed < 5
    assert peak < 64 * MIB


def test_lying_sizes_are_caught_by_counting(bomb: Path, tmp_path: Path) -> None:
    liar = tmp_path / "liar.zip"
    liar.write_bytes(bomb.read_bytes())
    patch_zip(liar, "p/__init__.py", file_size=1000, crc=zlib.crc32(bytes(1000)))
    # the headers now fool a reader that trusts them: it sees 1000 harmless bytes
    with zipfile.ZipFile(liar) as zf:
        assert zf.read("p/__init__.py") == bytes(1000)

    contents, elapsed, peak = _measure(liar)

    found = codes(contents, "p/__init__.py")
    assert INCONSISTENT in found
    assert RATIO in found
    assert contents.files == {}
    assert elapsed < 5
    assert peak < 64 * MIB


def test_lying_sizes_hit_the_member_limit_while_counting(tmp_path: Path) -> None:
    liar = zeros_zip(tmp_path / "liar.zip", "p/__init__.py", 8 * MIB)
    patch_zip(liar, "p/__init__.py", file_size=10, crc=zlib.crc32(bytes(10)))
    contents = inspect_archive(liar, ArchiveLimits(max_member_bytes=2 * MIB, max_ratio=10_000))
    assert {INCONSISTENT, MEMBER_TOO_LARGE} <= codes(contents, "p/__init__.py")
    assert contents.files == {}


def test_lying_compressed_size_is_caught(tmp_path: Path) -> None:
    archive = build_zip(tmp_path / "p.zip", [("p/__init__.py", b""), ("p/mod.py", b"print(1)\n" * 500)])
    with zipfile.ZipFile(archive) as zf:
        real = zf.getinfo("p/mod.py").compress_size
    patch_zip(archive, "p/mod.py", compress_size=real - 5)
    contents = inspect_archive(archive)
    assert INCONSISTENT in codes(contents, "p/mod.py")
    assert "mod.py" not in contents.files


def test_total_limit_is_enforced_from_the_headers(tmp_path: Path) -> None:
    noise = random.Random(3)
    archive = build_zip(tmp_path / "p.zip", [(f"p/{i}.bin", noise.randbytes(300_000)) for i in range(4)])
    contents = inspect_archive(archive, ArchiveLimits(max_total_bytes=1_000_000))
    assert codes(contents) == {TOO_LARGE}
    assert contents.files == {}


def test_too_many_members(tmp_path: Path) -> None:
    archive = build_zip(tmp_path / "p.zip", [(f"p/m{i}.py", b"") for i in range(12)])
    contents = inspect_archive(archive, ArchiveLimits(max_members=10))
    assert codes(contents) == {TOO_MANY}
    assert contents.files == {}
    tarball = build_tar(tmp_path / "p.tar.gz", [tar_member(f"p/m{i}.py") for i in range(12)])
    assert codes(inspect_archive(tarball, ArchiveLimits(max_members=10))) == {TOO_MANY}


def test_many_small_tar_members_are_not_a_bomb(tmp_path: Path) -> None:
    """Tar headers and padding compress to almost nothing; only member data counts for the ratio."""
    archive = build_tar(tmp_path / "p.tar.gz", [tar_member("p/__init__.py")] + [tar_member(f"p/m/{i}.py", b"x = 1\n") for i in range(3000)])
    assert archive.stat().st_size * 100 < 3000 * 1024  # the stream itself expands more than 100:1
    contents = inspect_archive(archive)
    assert contents.problems == ()
    assert len(contents.files) == 3001


def test_small_blank_files_are_not_judged_by_ratio(tmp_path: Path) -> None:
    archive = build_zip(tmp_path / "p.zip", [("p/__init__.py", b" " * 200_000)])
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo("p/__init__.py")
    assert info.file_size / info.compress_size > 100
    assert inspect_archive(archive).problems == ()


def test_tar_gz_bomb_is_stopped_by_counting(tmp_path: Path) -> None:
    archive = tmp_path / "bomb.tar.gz"
    with gzip.open(archive, "wb") as raw, tarfile.open(fileobj=raw, mode="w|") as tf:
        info = tarfile.TarInfo("p/__init__.py")
        info.size = 40 * MIB
        tf.addfile(info, io.BytesIO(bytes(info.size)))
    contents, elapsed, peak = _measure(archive)
    assert RATIO in codes(contents)
    assert contents.files == {}
    assert elapsed < 5
    assert peak < 64 * MIB


def test_tar_member_over_the_limit_is_not_read(tmp_path: Path) -> None:
    archive = build_tar(tmp_path / "p.tar", [tar_member("p/__init__.py", b""), tar_member("p/big.bin", bytes(3 * MIB))], mode="w")
    contents = inspect_archive(archive, ArchiveLimits(max_member_bytes=MIB))
    assert codes(contents) == {MEMBER_TOO_LARGE}
    assert dict(contents.files) == {"__init__.py": b""}


def test_giant_tar_header_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "p.tar"
    with tarfile.open(archive, "w", format=tarfile.PAX_FORMAT) as tf:
        info = tarfile.TarInfo("p/__init__.py")
        info.pax_headers = {"comment": "x" * (3 * MIB)}
        tf.addfile(info, io.BytesIO(b""))
    contents = inspect_archive(archive)
    assert codes(contents) == {MEMBER_TOO_LARGE}
    assert contents.files == {}


def test_entries_sharing_their_data_are_reported(tmp_path: Path) -> None:
    archive = build_zip(tmp_path / "p.zip", [("p/__init__.py", b"x = 1\n"), ("p/b.py", b"y = 2\n")])
    with zipfile.ZipFile(archive) as zf:
        first = zf.getinfo("p/__init__.py").header_offset
    patch_zip(archive, "p/b.py", local=False, header_offset=first)
    contents = inspect_archive(archive)
    assert OVERLAP in codes(contents, "p/b.py")
    assert "b.py" not in contents.files


def test_local_header_naming_another_file_is_reported(tmp_path: Path) -> None:
    archive = build_zip(tmp_path / "p.zip", [("p/__init__.py", b""), ("p/good.py", b"x = 1\n")])
    data = archive.read_bytes()
    first = data.index(b"p/good.py")  # the local header comes first
    archive.write_bytes(data[:first] + b"p/evil.py" + data[first + 9 :])
    contents = inspect_archive(archive)
    assert INCONSISTENT in codes(contents, "p/good.py")
    assert "good.py" not in contents.files


# --------------------------------------------------------------------------- no side effects


def test_inspecting_malicious_archives_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cwd = tmp_path / "work" / "cwd"
    cwd.mkdir(parents=True)
    archives = tmp_path / "archives"
    archives.mkdir()
    escape = tmp_path / "work" / "escaped.py"
    link = zipfile.ZipInfo("p/link")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    samples = [
        build_zip(archives / "slip.zip", [("p/__init__.py", b""), ("../escaped.py", b"x"), ("../../escaped.py", b"x")]),
        build_zip(archives / "abs.zip", [(str(escape), b"x"), (str(tmp_path / "abs.py"), b"x")]),
        build_zip(archives / "link.zip", [(link, str(escape).encode())]),
        build_tar(
            archives / "links.tar.gz",
            [
                tar_member("../escaped.py", b"x"),
                tar_member(str(escape), b"x"),
                tar_member("p/l", kind=tarfile.SYMTYPE, linkname=str(escape)),
                tar_member("p/h", kind=tarfile.LNKTYPE, linkname=str(escape)),
                tar_member("p/f", kind=tarfile.FIFOTYPE),
            ],
        ),
    ]
    monkeypatch.chdir(cwd)
    before = sorted(tmp_path.rglob("*"))

    for sample in samples:
        assert inspect_archive(sample).problems

    assert sorted(tmp_path.rglob("*")) == before
    assert not escape.exists()
    assert list(cwd.iterdir()) == []


# --------------------------------------------------------------------------- API details


def test_is_archive(tmp_path: Path) -> None:
    for name in ("a.zip", "b.WHL", "c.tar.gz", "d.tgz", "e.tar"):
        (tmp_path / name).write_bytes(b"")
        assert is_archive(tmp_path / name)
    (tmp_path / "f.py").write_bytes(b"")
    (tmp_path / "dir.zip").mkdir()
    assert not is_archive(tmp_path / "f.py")
    assert not is_archive(tmp_path / "dir.zip")
    assert not is_archive(tmp_path / "missing.zip")


def test_codes_table_is_complete_and_stable() -> None:
    assert sorted(CODES) == [f"MBA{n:03d}" for n in range(1, len(CODES) + 1)]
    names = [name for name, _ in CODES.values()]
    assert len(set(names)) == len(names)
    assert all(desc.endswith(".") for _, desc in CODES.values())


def test_problem_becomes_an_error_finding() -> None:
    finding = ArchiveProblem(TRAVERSAL, "entry '../x' climbs out", "../x").to_finding()
    assert finding.rule == TRAVERSAL
    assert finding.category is Category.ARCHIVE
    assert finding.severity is Severity.ERROR
    assert finding.span.path == ""
    assert ArchiveProblem(TRAVERSAL, "m").name == "path-traversal"


NAME_PARTS = st.sampled_from(["p", "a.py", "..", ".", "", "C:", "\\", "..\\x", "x\x00", "~", " ", "...", "__MACOSX", "A.PY"])


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(st.lists(NAME_PARTS, min_size=1, max_size=4).map("/".join).filter(bool), min_size=1, max_size=6))
def test_any_entry_names_give_only_safe_relative_paths(tmp_path: Path, names: list[str]) -> None:
    archive = build_zip(tmp_path / "fuzz.zip", [(name, name.encode("utf-8", "replace")) for name in names])
    with zipfile.ZipFile(archive) as zf:
        written = {info.orig_filename.rstrip("/") for info in zf.infolist()}

    contents = inspect_archive(archive)

    assert all(p.code in CODES for p in contents.problems)
    for rel in contents.files:
        parts = rel.split("/")
        assert rel and not rel.startswith("/") and "\\" not in rel and "\x00" not in rel
        assert ".." not in parts and "" not in parts and "." not in parts
        full = f"{contents.root}/{rel}" if contents.root else rel
        assert any(full == "/".join(q for q in n.split("/") if q not in ("", ".")) for n in written)
