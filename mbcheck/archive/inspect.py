"""Inspect plugin archives without extracting them.

MilkBottle's marketplace installer downloads ``plugin.zip`` and extracts it
with no path checks. mbcheck judges such an archive *before* anything is
written: it reads the archive's headers and streams each member's data
through a decompressor with running byte counters, so a zip bomb or a header
that lies about sizes is stopped as soon as a limit is crossed. Nothing is
ever extracted to disk; the plugin's files are handed on in memory.

Supported: zip archives (``.zip``) and wheels (``.whl``), and tar archives,
plain or compressed with gzip (``.tar.gz``, ``.tgz``), bzip2 or xz. The format
is recognised from the file's content, not its name; :mod:`mbcheck.archive.zip`
and :mod:`mbcheck.archive.tar` read them.

Every :class:`~mbcheck.archive.problems.ArchiveProblem` is an error. Entries
that cause a problem are left out of
:attr:`~mbcheck.archive.problems.ArchiveContents.files`; when a problem
concerns the archive as a whole (unreadable, too many members, too large, too
compressed, ambiguous format) no files are handed on at all.
:func:`read_archive` gives the engine the files and the problems as MB6xx
findings.
"""

from __future__ import annotations

from pathlib import Path

from mbcheck.archive.entries import Collector, show, wrapped_message
from mbcheck.archive.formats import has_archive_name, is_wheel
from mbcheck.archive.problems import (
    AMBIGUOUS_FORMAT,
    DEFAULT_LIMITS,
    FOLDER_WRAPPED,
    UNREADABLE,
    ArchiveContents,
    ArchiveLimits,
)
from mbcheck.archive.rules import finding_for
from mbcheck.archive.tar import inspect_tar
from mbcheck.archive.zip import SIGNATURES, end_record, inspect_zip
from mbcheck.model import Finding

__all__ = ["default_package", "inspect_archive", "is_archive", "read_archive"]


def is_archive(path: Path) -> bool:
    """Whether ``path`` is a file whose name says it is an archive mbcheck inspects."""
    return has_archive_name(path.name) and path.is_file()


def inspect_archive(path: Path, limits: ArchiveLimits = DEFAULT_LIMITS) -> ArchiveContents:
    """Judge the archive at ``path`` and return its plugin's files, in memory.

    Never extracts anything and never raises for a bad archive: every defect
    becomes an :class:`~mbcheck.archive.problems.ArchiveProblem`.
    """
    out = Collector()
    try:
        _inspect(path, limits, out)
    except Exception as exc:  # a defect no specific check anticipated: still a report, never a crash
        out.abort(UNREADABLE, f"{show(path.name)} cannot be inspected: {type(exc).__name__}: {exc}")
    return out.result(wheel=is_wheel(path.name))



def _inspect(path: Path, limits: ArchiveLimits, out: Collector) -> None:
    label = show(path.name)
    try:
        fp = path.open("rb")
    except OSError as exc:
        out.abort(UNREADABLE, f"{label} cannot be opened: {exc.strerror or exc}")
        return
    with fp:
        size = path.stat().st_size
        head = fp.read(512)
        kind = _sniff(head)
        end = end_record(fp, size)
        if kind in (None, "zip") and end is not None:
            inspect_zip(fp, size, end, limits, out, label)
        elif kind == "zip":
            inspect_zip(fp, size, None, limits, out, label)
        elif kind is not None and end is not None:
            out.abort(AMBIGUOUS_FORMAT, f"{label} is both a {kind} archive and a zip archive; tools disagree on what it holds")
        elif kind is not None:
            inspect_tar(fp, size, kind, limits, out, label)
        elif path.name.lower().endswith(".tar") and len(head) == 512:
            inspect_tar(fp, size, "tar", limits, out, label)
        elif not head:
            out.abort(UNREADABLE, f"{label} is empty")
        else:
            out.abort(UNREADABLE, f"{label} is not an archive of a supported format (zip, wheel, tar, tar.gz)")


def _sniff(head: bytes) -> str | None:
    if head.startswith(SIGNATURES):
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


def read_archive(archive: Path) -> tuple[dict[str, bytes], list[Finding], str, str]:
    """The plugin's files in ``archive`` (in memory), its problems as findings, its package name,
    and the folder the archive wraps them in (empty when they sit at its root, as the host's
    installers need them)."""
    contents = inspect_archive(archive)
    problems = [finding_for(problem.code, problem.message) for problem in contents.problems]
    if contents.root:
        # the host's installers need __init__.py at the archive's root; the files are still analysed
        problems.append(finding_for(FOLDER_WRAPPED, wrapped_message(contents.root)))
    package = contents.root.rsplit("/", 1)[-1] if contents.root else default_package(archive)
    return dict(contents.files), problems, package, contents.root


def default_package(archive: Path) -> str:
    """The import name of a plugin whose files sit at the archive's top level."""
    name = archive.name
    if is_wheel(name):
        return name.split("-", 1)[0]
    return name.split(".", 1)[0]
