"""Applying the fixes findings carry: `mbcheck lint --fix`, `--diff`, `--fix-only`.

A fix is plain data on its finding (:class:`~mbcheck.model.Fix`: edits, each a span and
the text that replaces it), built by the rule where it reports. This module only applies
them, the way ruff does:

- a run reads every text file of each plugin once (:func:`read_inside`) and analyses those
  bytes (they are the plan's overlay), so the edits apply to exactly what was analysed;
- each pass takes the fixes that are enabled (safe ones; unsafe ones too when asked) in
  order of position and keeps those whose edits overlap no edit already kept (a fix is
  kept whole or not at all); the others wait for the next pass, which analyses the edited
  text again. Passes stop when nothing more applies, after :data:`MAX_PASSES` at most;
- edits are applied to the decoded text and encoded back the way the file was written
  (its encoding, byte order mark and newline style are kept);
- files are written only at the end (:func:`write_atomic`): a temporary file in the same
  directory renamed over the original, and only when the file on disk still has the bytes
  that were read. Nothing outside a plugin root is touched and no symbolic link is
  followed: a path with a link in it is refused, as is a file that does not exist yet.

Plugins read from archives are never changed.
"""

from __future__ import annotations

import codecs
import contextlib
import difflib
import hashlib
import io
import itertools
import os
import re
import stat
import tempfile
import tokenize
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from mbcheck.model import Applicability, Edit, Finding, Fix, Report, Span

if TYPE_CHECKING:
    from mbcheck.config import Config
    from mbcheck.context import HostProfile
    from mbcheck.discovery import Discovery, PluginTarget

#: at most this many analyse-and-fix passes (ruff stops after 100; plugin fixes settle in two or three)
MAX_PASSES = 10
#: the files a run reads up front so fixes apply to the very bytes analysed
TEXT_SUFFIXES = (".py", ".pyi", ".yaml", ".yml", ".toml", ".txt", ".cfg", ".json")

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
#: the sort key of a fix without edits
_EMPTY = Span("")


class FixRefused(Exception):
    """A file a fix would change cannot be changed safely (the message says why)."""


def enabled(fix: Fix | None, unsafe: bool) -> bool:
    """Whether ``fix`` is applied: safe fixes always, unsafe ones only when asked."""
    return fix is not None and (unsafe or fix.applicability is Applicability.SAFE)


# -- text ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TextFile:
    """A file's text with how it was written: encoding (a BOM included) and newline."""

    text: str
    encoding: str
    newline: str


def decode(data: bytes, path: str) -> TextFile:
    """``data`` as text: Python files in their declared encoding (PEP 263), others in UTF-8;
    a byte order mark is remembered (``utf-8-sig``) and not part of the text."""
    if path.endswith((".py", ".pyi")):
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        except SyntaxError as exc:
            raise FixRefused(f"{path}: {exc}") from None
    else:
        encoding = "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise FixRefused(f"{path}: cannot be decoded as {encoding}: {exc}") from None
    match = _LINE_BREAK.search(text)
    return TextFile(text, encoding, match.group(0) if match else "\n")


def encode(file: TextFile, text: str) -> bytes:
    return text.encode(file.encoding)


def _line_starts(text: str) -> list[int]:
    return [0, *(match.end() for match in _LINE_BREAK.finditer(text))]


def _offset(text: str, starts: list[int], line: int, column: int, path: str) -> int:
    """The character offset of a 1-based line and column (a column past the line's end is refused)."""
    if not 1 <= line <= len(starts):
        raise FixRefused(f"{path}: an edit starts or ends on line {line}, which the file does not have")
    start = starts[line - 1]
    end = starts[line] if line < len(starts) else len(text)
    body = _LINE_BREAK.sub("", text[start:end])
    if not 1 <= column <= len(body) + 1:
        raise FixRefused(f"{path}: an edit names column {column} of line {line}, which has {len(body)} characters")
    return start + column - 1


def apply_edits(data: bytes, path: str, edits: Sequence[Edit]) -> bytes:
    """``data`` with non-overlapping ``edits`` applied, written as ``data`` was written.

    Edit content is written with ``\\n`` line breaks; they become the file's own newline.
    """
    file = decode(data, path)
    text = file.text
    starts = _line_starts(text)
    ranges = []
    for edit in edits:
        span = edit.span
        begin = _offset(text, starts, span.line, span.column, path)
        end = _offset(text, starts, span.end_line, span.end_column, path)
        if end < begin:
            raise FixRefused(f"{path}: an edit ends before it starts")
        content = edit.content.replace("\r\n", "\n")
        if file.newline != "\n":
            content = content.replace("\n", file.newline)
        ranges.append((begin, end, content))
    ranges.sort(key=lambda item: (item[0], item[1]))
    for (_b1, e1, _c1), (b2, _e2, _c2) in itertools.pairwise(ranges):
        if b2 < e1:
            raise FixRefused(f"{path}: edits overlap")
    pieces: list[str] = []
    cursor = 0
    for begin, end, content in ranges:
        pieces += [text[cursor:begin], content]
        cursor = end
    pieces.append(text[cursor:])
    return encode(file, "".join(pieces))


def _bounds(edit: Edit) -> tuple[tuple[int, int], tuple[int, int]]:
    span = edit.span
    return (span.line, span.column), (span.end_line, span.end_column)


def overlaps(a: Edit, b: Edit) -> bool:
    """Whether two edits touch the same text (two insertions at one place do: their order is a choice)."""
    if a.span.path != b.span.path:
        return False
    (a0, a1), (b0, b1) = _bounds(a), _bounds(b)
    if a0 == a1 or b0 == b1:
        return a0 == b0 or (a0 < b0 < a1) or (b0 < a0 < b1)
    return a0 < b1 and b0 < a1


def select(fixes: Iterable[Fix]) -> tuple[list[Fix], list[Fix]]:
    """The fixes to apply now (in order of position, none overlapping another) and those left
    for a later pass. Identical fixes (one repair reported twice) are applied once."""
    unique: dict[tuple[Edit, ...], Fix] = {}
    for fix in fixes:
        unique.setdefault(tuple(sorted(fix.edits)), fix)
    ordered = sorted(unique.values(), key=lambda fix: min(fix.edits) if fix.edits else Edit(_EMPTY, ""))
    kept: list[Fix] = []
    later: list[Fix] = []
    taken: list[Edit] = []
    for fix in ordered:
        if not fix.edits:
            continue
        if any(overlaps(edit, other) for edit in fix.edits for other in taken) or _self_overlap(fix):
            later.append(fix)
            continue
        kept.append(fix)
        taken.extend(fix.edits)
    return kept, later


def _self_overlap(fix: Fix) -> bool:
    return any(overlaps(a, b) for i, a in enumerate(fix.edits) for b in fix.edits[i + 1:])


# -- files ----------------------------------------------------------------------------


def _checked(root: Path, rel: str) -> Path:
    """``root/rel`` when it is a regular file below ``root`` reached through no symbolic link."""
    parts = rel.split("/")
    if not rel or rel.startswith("/") or "\\" in rel or any(part in ("", ".", "..") for part in parts):
        raise FixRefused(f"{rel or '(plugin)'}: not a file path inside the plugin")
    if root.is_symlink():
        raise FixRefused(f"{root}: the plugin root is a symbolic link; fixes never follow links")
    path = root
    for index, part in enumerate(parts):
        path = path / part
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            raise FixRefused(f"{rel}: does not exist (fixes change files, they never create one)") from None
        except OSError as exc:
            raise FixRefused(f"{rel}: {exc.strerror or exc}") from None
        if stat.S_ISLNK(info.st_mode):
            raise FixRefused(f"{rel}: {'/'.join(parts[:index + 1])} is a symbolic link; fixes never follow links")
        if index == len(parts) - 1 and not stat.S_ISREG(info.st_mode):
            raise FixRefused(f"{rel}: not a regular file")
    return path


def read_inside(root: Path, rel: str) -> bytes:
    """The bytes of a file of the plugin at ``root``, refused when outside it or behind a link."""
    path = _checked(root, rel)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        raise FixRefused(f"{rel}: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as handle:
        return handle.read()


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_atomic(root: Path, rel: str, expected: bytes, new: bytes) -> None:
    """Replace ``root/rel`` with ``new``: a temporary file in the same directory renamed over it,
    keeping its permissions. Refused when the file no longer holds ``expected`` (it changed
    since it was read), and checked again just before the rename."""
    path = _checked(root, rel)
    if digest(read_inside(root, rel)) != digest(expected):
        raise FixRefused(f"{rel}: changed since it was read; not written (run again)")
    mode = stat.S_IMODE(os.lstat(path).st_mode)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".mbcheck-fix")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(new)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        if digest(read_inside(root, rel)) != digest(expected):
            raise FixRefused(f"{rel}: changed since it was read; not written (run again)")
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


# -- the run ------------------------------------------------------------------------


@dataclass
class FileChange:
    """One file a fix run changes: its bytes as read and as fixed."""

    root: Path
    #: the plugin's path as reports show it (``display``)
    display: str
    path: str
    before: bytes
    after: bytes

    def diff(self) -> str:
        """A unified diff of the change (``a/`` and ``b/`` paths, as git writes them)."""
        name = self.path if self.display in ("", ".") else f"{self.display.rstrip('/')}/{self.path}"
        before = decode(self.before, self.path).text.splitlines(keepends=True)
        after = decode(self.after, self.path).text.splitlines(keepends=True)
        lines = list(difflib.unified_diff(before, after, f"a/{name}", f"b/{name}"))
        return "".join(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n" for line in lines)


@dataclass
class FixResult:
    """What a fix run did: the report of what is left, the changed files, the fixes applied
    (by rule), and the fixes or files refused, with why."""

    report: Report
    changes: list[FileChange] = field(default_factory=list)
    applied: Counter[str] = field(default_factory=Counter)
    refused: list[str] = field(default_factory=list)
    passes: int = 0

    @property
    def fixed(self) -> int:
        return sum(self.applied.values())


def _wanted(target: PluginTarget, finding: Finding, unsafe: bool) -> bool:
    if not enabled(finding.fix, unsafe) or target.archive is not None:
        return False
    assert finding.fix is not None
    only = target.only
    return only is None or all(edit.span.path in only for edit in finding.fix.edits)


def _preread(target: PluginTarget, config: Config) -> dict[str, bytes]:
    """Every text file of a directory plugin, read once (a file behind a link is left to the plan)."""
    from mbcheck.discovery import list_files

    if target.archive is not None:
        return {}
    files: dict[str, bytes] = {}
    if target.stdin is not None:
        files[target.stdin[0]] = target.stdin[1]
    for rel in list_files(target.root, config.excluded).files:
        if rel in files or not rel.endswith(TEXT_SUFFIXES):
            continue
        with contextlib.suppress(FixRefused):
            files[rel] = read_inside(target.root, rel)
    return files


def fix_targets(
    discovery: Discovery,
    config: Config,
    host: HostProfile,
    *,
    unsafe: bool = False,
    jobs: int | None = None,
    use_cache: bool | None = None,
) -> FixResult:
    """Analyse and fix in passes until nothing more applies; nothing is written
    (:func:`write_changes` writes ``result.changes``)."""
    from mbcheck.engine import check_targets

    targets = list(discovery.targets)
    current = [_preread(target, config) for target in targets]
    read = [dict(files) for files in current]
    result = FixResult(Report(()))
    stuck: set[tuple[int, tuple[Edit, ...]]] = set()
    for number in range(MAX_PASSES + 1):
        shown = replace(discovery, targets=tuple(
            replace(target, overlay=tuple(sorted(files.items()))) for target, files in zip(targets, current, strict=True)
        ))
        report = check_targets(shown, config, host, jobs=jobs, use_cache=use_cache)
        result.report, result.passes = report, number + 1
        if number == MAX_PASSES:
            break
        applied = False
        for index, (target, plugin) in enumerate(zip(targets, report.plugins, strict=True)):
            if number == 0 and target.archive is not None:
                count = sum(1 for f in plugin.findings if enabled(f.fix, unsafe))
                if count:
                    result.refused.append(f"{plugin.name}: read from an archive, which fixes never change "
                                          f"({count} not applied; fix the sources it is built from)")
            candidates = [f for f in plugin.findings if _wanted(target, f, unsafe)]
            rules = {tuple(sorted(f.fix.edits)): f.rule for f in candidates if f.fix is not None}
            chosen, _later = select(f.fix for f in candidates if f.fix is not None and (index, f.fix.edits) not in stuck)
            by_file: dict[str, list[Edit]] = {}
            usable: list[Fix] = []
            for fix in chosen:
                problem = _unreadable(target, fix, current[index], read[index])
                if problem is not None:
                    result.refused.append(f"{plugin.name}: {fix.title}: {problem}")
                    stuck.add((index, fix.edits))
                    continue
                usable.append(fix)
                for edit in fix.edits:
                    by_file.setdefault(edit.span.path, []).append(edit)
            failed: set[str] = set()
            for rel, edits in by_file.items():
                try:
                    current[index][rel] = apply_edits(current[index][rel], rel, edits)
                except FixRefused as exc:
                    result.refused.append(f"{plugin.name}: {exc}")
                    failed.add(rel)
            for fix in usable:
                if any(edit.span.path in failed for edit in fix.edits):
                    stuck.add((index, fix.edits))
                    continue
                result.applied[rules.get(tuple(sorted(fix.edits)), "")] += 1
                applied = True
        if not applied:
            break
    for target, files, before in zip(targets, current, read, strict=True):
        for rel in sorted(files):
            if rel in before and files[rel] != before[rel]:
                result.changes.append(FileChange(target.root, target.display, rel, before[rel], files[rel]))
    return result


def _unreadable(target: PluginTarget, fix: Fix, current: dict[str, bytes], read: dict[str, bytes]) -> str | None:
    """Why a fix cannot be applied (a file it edits cannot be read safely), or None."""
    for rel in {edit.span.path for edit in fix.edits}:
        if rel in current:
            continue
        if target.stdin is not None:
            return f"{rel}: only the file read from stdin is fixed"
        try:
            current[rel] = read[rel] = read_inside(target.root, rel)
        except FixRefused as exc:
            return str(exc)
    return None


def write_changes(changes: Sequence[FileChange]) -> list[str]:
    """Write every change (atomically, each only if unchanged since read); why any was not written."""
    problems: list[str] = []
    for change in changes:
        try:
            write_atomic(change.root, change.path, change.before, change.after)
        except FixRefused as exc:
            problems.append(str(exc))
        except OSError as exc:
            problems.append(f"{change.path}: cannot be written: {exc.strerror or exc}")
    return problems


def fixable_counts(findings: Iterable[Finding], unsafe: bool) -> tuple[int, int]:
    """How many findings the enabled fixes repair, and how many more ``--unsafe-fixes`` would."""
    now = more = 0
    for finding in findings:
        if finding.fix is None:
            continue
        if enabled(finding.fix, unsafe):
            now += 1
        else:
            more += 1
    return now, more

