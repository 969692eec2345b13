"""`mbcheck lint --add-noqa`: a `# mbcheck: ignore[CODE]` comment on the line of every current finding.

The gentle way to adopt mbcheck on an old plugin (ruff's flag): today's findings are
silenced where they are, so only new ones are reported. The comments are the ones the
engine reads:

- **Python files**: on the first line of the finding's statement (a comment there covers the
  whole statement), merged into a `# mbcheck: ignore[...]` comment already on that line. A
  line that ends inside a multi-line string or with a backslash cannot take a comment; its
  findings are listed as not suppressed.
- **`plugin.yaml`, `pyproject.toml`, requirements files**: mbcheck honours a comment there only
  for dependency findings (``checks/deps/emit.py``), so only those get one; the document must
  read the same after the edit, or the file is left as it was. Other findings in these files
  (manifest fields, permissions) are listed as not suppressed: no comment there silences them.

Files are written like fixes (:func:`mbcheck.fix.write_changes`): atomically, inside the
plugin roots, through no symbolic link, only when unchanged since read.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from mbcheck.fix import FileChange, FixRefused, _preread, decode
from mbcheck.model import Category, Finding

if TYPE_CHECKING:
    from mbcheck.config import Config
    from mbcheck.context import HostProfile
    from mbcheck.discovery import Discovery

_COMMENT = re.compile(r"#\s*mbcheck:\s*ignore\[([^\]]*)\]", re.IGNORECASE)
_DOCUMENTS = (".yaml", ".yml", ".toml", ".txt", ".in")
#: findings about suppression comments themselves (unused, unknown code): silencing them hides a stale comment
_STALE = frozenset({"MB002", "MB013"})


@dataclass
class NoqaResult:
    """The files that get comments, how many comments, and the findings left without one (why)."""

    changes: list[FileChange] = field(default_factory=list)
    comments: int = 0
    refused: list[str] = field(default_factory=list)


def add_noqa(
    discovery: Discovery, config: Config, host: HostProfile, *, jobs: int | None = None, use_cache: bool | None = None
) -> NoqaResult:
    """Every current finding's comment, computed (nothing written; see :func:`mbcheck.fix.write_changes`)."""
    from mbcheck.engine import check_targets

    targets = list(discovery.targets)
    files = [_preread(target, config) for target in targets]
    shown = replace(discovery, targets=tuple(
        replace(target, overlay=tuple(sorted(read.items()))) for target, read in zip(targets, files, strict=True)
    ))
    report = check_targets(shown, config, host, jobs=jobs, use_cache=use_cache)
    result = NoqaResult()
    for target, read, plugin in zip(targets, files, report.plugins, strict=True):
        wanted: dict[str, dict[int, set[str]]] = {}
        for finding in plugin.findings:
            problem = _why_not(finding, target.archive is not None, read)
            if problem is not None:
                result.refused.append(f"{plugin.name}: {finding.span.path or '(plugin)'}:{finding.span.line}: "
                                      f"{finding.rule} not suppressed: {problem}")
                continue
            line = finding.statement_line or finding.span.line if finding.span.path.endswith(".py") else finding.span.line
            wanted.setdefault(finding.span.path, {}).setdefault(line, set()).add(finding.rule)
        for rel, lines in sorted(wanted.items()):
            try:
                after, count, blocked = comment_lines(read[rel], rel, lines)
            except FixRefused as exc:
                result.refused.append(f"{plugin.name}: {exc}")
                continue
            for number in blocked:
                codes = ", ".join(sorted(lines[number]))
                result.refused.append(f"{plugin.name}: {rel}:{number}: {codes} not suppressed: the line cannot take a "
                                      "comment (it ends inside a string or with a backslash)")
            if after != read[rel]:
                result.changes.append(FileChange(target.root, target.display, rel, read[rel], after))
                result.comments += count
    return result


def _why_not(finding: Finding, archived: bool, read: dict[str, bytes]) -> str | None:
    path = finding.span.path
    if archived:
        return "the plugin is an archive"
    if not path or finding.span.line < 1:
        return "it concerns the plugin as a whole (no line to comment; use `ignore` in the config)"
    if path not in read:
        return "the file cannot be read safely (a symbolic link, or excluded)"
    if finding.rule in _STALE:
        return "the comment is stale or names an unknown code: edit the comment instead"
    if path.endswith(".py"):
        return None
    if path.endswith(_DOCUMENTS) and finding.category is Category.DEPENDENCY:
        return None
    return "mbcheck reads no suppression comment for this finding in this file (use `ignore` or `per-file-ignores` in the config)"


def comment_lines(data: bytes, path: str, lines: dict[int, set[str]]) -> tuple[bytes, int, list[int]]:
    """``data`` with ``# mbcheck: ignore[CODES]`` on each of ``lines`` (codes merged into an
    existing comment); the new bytes, how many lines got a comment, and the lines that cannot
    take one (left as they are)."""
    file = decode(data, path)
    text = file.text
    rows = text.splitlines(keepends=True)
    blocked = _blocked_lines(text, path) if path.endswith(".py") else set()
    count = 0
    skipped: list[int] = []
    for number, codes in sorted(lines.items()):
        if number > len(rows) or number in blocked:
            skipped.append(number)
            continue
        row = rows[number - 1]
        body = row.rstrip("\r\n")
        ending = row[len(body):]
        match = _COMMENT.search(body) if "#" in body else None
        if match is not None:
            merged = sorted({c.strip().upper() for c in match.group(1).split(",") if c.strip()} | codes)
            body = body[:match.start(1)] + ", ".join(merged) + body[match.end(1):]
        else:
            body = body.rstrip() + f"  # mbcheck: ignore[{', '.join(sorted(codes))}]"
        rows[number - 1] = body + ending
        count += 1
    new = "".join(rows)
    if not path.endswith(".py"):
        _same_document(text, new, path)
    return new.encode(file.encoding), count, skipped


def _blocked_lines(text: str, path: str) -> set[int]:
    """Lines of Python source where a comment cannot go: inside a multi-line token, or continued with a backslash."""
    blocked: set[int] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.start[0] != token.end[0]:
                blocked.update(range(token.start[0], token.end[0]))
    except (tokenize.TokenError, SyntaxError) as exc:
        raise FixRefused(f"{path}: cannot be tokenized ({exc}); no comment added") from None
    for number, line in enumerate(text.splitlines(), 1):
        if line.rstrip().endswith("\\") and "#" not in line:
            blocked.add(number)
    return blocked


def _same_document(before: str, after: str, path: str) -> None:
    """Refuse a comment that changes what a YAML or TOML document says (a comment inside a string)."""
    loaded: list[Any] = []
    for text in (before, after):
        try:
            if path.endswith((".yaml", ".yml")):
                import yaml

                loaded.append(yaml.safe_load(text))
            elif path.endswith(".toml"):
                import tomllib

                loaded.append(tomllib.loads(text))
            else:
                loaded.append([line.split("#", 1)[0].strip() for line in text.splitlines()])
        except Exception as exc:  # any failure to read the document back: leave the file
            raise FixRefused(f"{path}: a comment would make the document unreadable ({type(exc).__name__}); none added") from None
    if loaded[0] != loaded[1]:
        raise FixRefused(f"{path}: a comment would change the document's values; none added")
