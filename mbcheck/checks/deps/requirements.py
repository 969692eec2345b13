"""Requirement strings: pip requirements files, markers, inline suppressions.

Pure functions over text. :func:`parse_requirements_file` reads a
``requirements.txt`` the way pip does for the parts that name distributions
(comments, line continuations, ``-r`` includes, per-line options), keeping
the line and columns of every requirement so findings can point at it.
Lines pip accepts but that name no distribution (paths, bare URLs, editable
installs, options) are skipped, not reported.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import product

from packaging.markers import Marker, UndefinedComparison, UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement

#: ``# mbcheck: ignore[MB502]`` and ``# mbcheck: ignore-file[...]`` (as in Python files)
SUPPRESSION = re.compile(r"#\s*mbcheck:\s*(ignore-file|ignore)\b(?:\[([^\]]*)\])?", re.IGNORECASE)

#: pip: a comment starts with ``#`` at the start of a line or after whitespace
_COMMENT = re.compile(r"(^|(?<!\s)\s+)#.*$")
_INCLUDE_OPTIONS = {"-r", "--requirement"}
#: (the lookbehinds start a match only where a run of whitespace starts: linear time)
_OPTION = re.compile(r"(?<!\s)\s+--?[A-Za-z]")
_ARCHIVE_SUFFIXES = (".whl", ".zip", ".tar.gz", ".tgz", ".tar.bz2", ".tar")
#: include depth beyond which ``-r`` chains are not followed
MAX_INCLUDE_DEPTH = 10

#: platforms a marker is tried on: the host runs wherever its users do
_PLATFORMS: tuple[dict[str, str], ...] = (
    {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix", "platform_machine": "x86_64"},
    {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix", "platform_machine": "aarch64"},
    {"sys_platform": "darwin", "platform_system": "Darwin", "os_name": "posix", "platform_machine": "arm64"},
    {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt", "platform_machine": "AMD64"},
)
_IMPLEMENTATIONS: tuple[dict[str, str], ...] = (
    {"implementation_name": "cpython", "platform_python_implementation": "CPython"},
    {"implementation_name": "pypy", "platform_python_implementation": "PyPy"},
)


@dataclass(frozen=True, slots=True)
class RequirementLine:
    """One requirement of a requirements file.

    ``text`` is the requirement without options and comments; ``requirement``
    is None when it is not valid PEP 508 (``error`` says why). ``line`` and
    the columns locate ``text`` in ``path`` (1-based, end exclusive).
    """

    path: str
    line: int
    column: int
    end_column: int
    text: str
    requirement: Requirement | None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class FileProblem:
    """A line of a requirements file mbcheck cannot follow (a missing ``-r`` file)."""

    path: str
    line: int
    column: int
    end_column: int
    message: str


@dataclass(frozen=True, slots=True)
class RequirementsFile:
    entries: tuple[RequirementLine, ...]
    problems: tuple[FileProblem, ...] = ()
    #: every file read, the first one first (``-r`` includes after it)
    files: tuple[str, ...] = ()


def parse_requirement(text: str) -> tuple[Requirement | None, str | None]:
    """A PEP 508 requirement, or None and why it is not one."""
    try:
        return Requirement(text), None
    except InvalidRequirement as exc:
        message = str(exc).splitlines()[0] if str(exc) else "not a PEP 508 requirement"
        return None, message


def _logical_lines(text: str) -> list[tuple[int, str, list[tuple[int, int]]]]:
    """Lines joined at trailing backslashes: (first line, text, [(line, offset)...]).

    The offsets map positions of the joined text back to physical lines.
    """
    out: list[tuple[int, str, list[tuple[int, int]]]] = []
    buffer = ""
    starts: list[tuple[int, int]] = []
    first = 0
    for number, raw in enumerate(text.splitlines(), 1):
        if not buffer:
            first = number
            starts = []
        starts.append((number, len(buffer)))
        if raw.endswith("\\") and not _COMMENT.search(raw):
            buffer += raw[:-1]
            continue
        buffer += raw
        out.append((first, buffer, starts))
        buffer = ""
    if buffer:
        out.append((first, buffer, starts))
    return out


def _position(starts: list[tuple[int, int]], offset: int) -> tuple[int, int]:
    line, base = starts[0]
    for number, start in starts:
        if start <= offset:
            line, base = number, start
    return line, offset - base + 1


_NAMED_URL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\s*(?:\[[^\]]*\]\s*)?@")


def _names_no_distribution(text: str) -> bool:
    """Paths, archives and bare URLs: pip installs them, but they name no distribution."""
    if text.startswith((".", "/", "~", "\\")) or "${" in text:
        return True
    if _NAMED_URL.match(text):
        return False  # ``name @ url``: PEP 508
    if "://" in text:
        return True
    return text.split(";", 1)[0].strip().lower().endswith(_ARCHIVE_SUFFIXES)


def _split_options(body: str) -> str:
    """The requirement part of a line: before ``--hash=...`` and other options."""
    match = _OPTION.search(body)
    return body[: match.start()] if match else body


def parse_requirements_file(
    path: str,
    read: Callable[[str], str | None],
    _depth: int = 0,
    _seen: frozenset[str] = frozenset(),
) -> RequirementsFile:
    """The requirements of ``path`` and of every file it includes with ``-r``.

    ``read`` returns a file's text by its POSIX path (None when it does not
    exist); included paths are relative to the including file and must stay
    inside the plugin.
    """
    text = read(path)
    if text is None:
        return RequirementsFile((), (), ())
    entries: list[RequirementLine] = []
    problems: list[FileProblem] = []
    files = [path]
    seen = _seen | {path}
    for _first, logical, starts in _logical_lines(text):
        stripped_comment = _COMMENT.sub("", logical)
        body = stripped_comment.rstrip()
        offset = len(body) - len(body.lstrip())
        body = body.strip()
        if not body:
            continue
        if body.startswith("-"):
            option, _, value = body.partition(" ")
            if "=" in option and option.startswith("--"):
                option, _, value = option.partition("=")
            attached = option.startswith("-r") and len(option) > 2
            if option in _INCLUDE_OPTIONS or attached:
                target = option[2:].strip() if attached else value.strip()
                line, column = _position(starts, offset)
                problems.extend(
                    _include(path, target, (line, column, column + len(body)), read, _depth, seen, entries, files)
                )
            continue  # -c, -e, -i, --index-url, --hash, ...: no requirement of its own
        requirement_text = _split_options(body).strip()
        if not requirement_text or _names_no_distribution(requirement_text):
            continue
        line, column = _position(starts, offset)
        requirement, error = parse_requirement(requirement_text)
        end = column + len(requirement_text)
        entries.append(RequirementLine(path, line, column, end, requirement_text, requirement, error))
    return RequirementsFile(tuple(entries), tuple(problems), tuple(files))


def _include(
    path: str,
    target: str,
    where: tuple[int, int, int],
    read: Callable[[str], str | None],
    depth: int,
    seen: frozenset[str],
    entries: list[RequirementLine],
    files: list[str],
) -> list[FileProblem]:
    line, column, end_column = where

    def problem(message: str) -> list[FileProblem]:
        return [FileProblem(path, line, column, end_column, message)]

    if not target:
        return problem("`-r` names no file")
    if "://" in target:
        return []  # a remote file: nothing to read offline
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
    if posixpath.isabs(target) or joined == ".." or joined.startswith("../"):
        return problem(f"`-r {target}` points outside the plugin: not followed")
    if joined in seen:
        return problem(f"`-r {target}` includes a file that includes it: not followed")
    if depth >= MAX_INCLUDE_DEPTH:
        return problem(f"`-r {target}`: includes nested too deeply, not followed")
    if read(joined) is None:
        return problem(f"`-r {target}`: no such file in the plugin")
    included = parse_requirements_file(joined, read, depth + 1, seen)
    entries.extend(included.entries)
    files.extend(included.files)
    return list(included.problems)


def suppressed(text: str | None, line: int, code: str) -> bool:
    """Whether an ``# mbcheck: ignore[...]`` comment on ``line`` of ``text`` (or an
    ``ignore-file`` comment anywhere in it) covers ``code``.

    Used for the files the engine does not tokenize: requirements files,
    ``plugin.yaml`` and ``pyproject.toml``.
    """
    return suppression_comment(text, line, code) is not None


def suppression_comment(text: str | None, line: int, code: str) -> tuple[int, int, tuple[str, ...], bool] | None:
    """The comment :func:`suppressed` finds: (line, column, codes, whether ``ignore-file``), or None.

    Columns are 1-based; ``codes`` is empty for a bare comment (every code).
    """
    if not text or "mbcheck:" not in text:
        return None
    lines = text.splitlines()
    for number, content in enumerate(lines, 1):
        if "mbcheck:" not in content:
            continue
        for match in SUPPRESSION.finditer(content):
            kind = match.group(1).lower()
            if kind == "ignore" and number != line:
                continue
            codes = [c.strip().upper() for c in (match.group(2) or "").split(",") if c.strip()]
            if not codes or any(code == c or code.startswith(c) for c in codes):
                return number, match.start() + 1, tuple(codes), kind == "ignore-file"
    return None


def marker_may_apply(marker: Marker | None, python_versions: Sequence[str]) -> bool:
    """Whether ``marker`` holds on some host Python (any common platform).

    Tried on every version in ``python_versions`` (``3.11`` ...) on Linux,
    macOS and Windows, CPython and PyPy; ``extra`` markers never hold for a
    plain install. No marker, or no versions to try: True.
    """
    if marker is None:
        return True
    versions = list(python_versions) or ["3"]
    for version, platform, implementation in product(versions, _PLATFORMS, _IMPLEMENTATIONS):
        environment = {
            "python_version": ".".join(version.split(".")[:2]),
            "python_full_version": version if version.count(".") >= 2 else f"{version}.0",
            "implementation_version": version if version.count(".") >= 2 else f"{version}.0",
            "extra": "",
            **platform,
            **implementation,
        }
        try:
            if marker.evaluate(environment):
                return True
        except (UndefinedComparison, UndefinedEnvironmentName, ValueError):
            return True  # cannot tell: assume it applies
    return False


def requirement_names(entries: Iterable[RequirementLine]) -> list[str]:
    """The names of the valid requirements among ``entries`` (as written)."""
    return [entry.requirement.name for entry in entries if entry.requirement is not None]


__all__ = [
    "SUPPRESSION",
    "FileProblem",
    "RequirementLine",
    "RequirementsFile",
    "marker_may_apply",
    "parse_requirement",
    "parse_requirements_file",
    "requirement_names",
    "suppressed",
    "suppression_comment",
]
