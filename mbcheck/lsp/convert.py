"""Findings as the Language Server Protocol shows them: diagnostics, code actions, hover text.

Pure functions of a finding and the text of the file it is in. Spans are
1-based with the end exclusive and count characters; LSP positions are 0-based
and count code units of the encoding the client and server agreed on (UTF-16
unless the client offers another), so every column is converted through the
line's text.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from mbcheck.model import Applicability, Category, Edit, Finding, Severity, Span

#: the tool name editors show beside each diagnostic
SOURCE = "mbcheck"

_SEVERITIES = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}
#: the comment mbcheck reads (``mbcheck.pyfile.suppressions`` and the dependency rules' reader)
_SUPPRESSION = re.compile(r"#\s*mbcheck:\s*(ignore-file|ignore)\b(?:\[([^\]]*)\])?", re.IGNORECASE)
_CODING = re.compile(r"^[ \t\f]*#.*?coding[:=]")
#: rules about suppression comments themselves: suppressing them with another comment helps no one
_NOT_SUPPRESSIBLE = frozenset({"MB002", "MB013"})


@dataclass(frozen=True)
class FileText:
    """The text of one file of a plugin, as the analysis read it, split into lines."""

    text: str

    @property
    def lines(self) -> list[str]:
        return self.text.splitlines(keepends=True) or [""]

    def line(self, number: int) -> str:
        """Line ``number`` (1-based) without its line break; "" past the end."""
        lines = self.lines
        return lines[number - 1].rstrip("\r\n") if 0 < number <= len(lines) else ""


def to_range(span: Span, text: FileText | None, codec: PositionCodec) -> types.Range:
    """A span as an LSP range: 0-based lines, columns in the client's code units.

    A span of the file as a whole, or one without width, covers the rest of
    its line, so the editor has something to underline.
    """
    line = max(span.line, 1) - 1
    column = max(span.column, 1) - 1
    end_line = max(span.end_line, span.line, 1) - 1
    end_column = max(span.end_column, 1) - 1
    if text is None:
        return types.Range(types.Position(line, column), types.Position(end_line, max(end_column, column)))
    if end_line == line and end_column <= column:
        end_column = max(len(text.line(line + 1)), column)
    lines = text.lines
    return types.Range(
        _position(lines, line, column, codec),
        _position(lines, end_line, end_column, codec),
    )


def _position(lines: Sequence[str], line: int, column: int, codec: PositionCodec) -> types.Position:
    if line >= len(lines):
        return types.Position(line, column)
    content = lines[line].rstrip("\r\n")
    # a column past the end (a span ending at a line break) keeps its place beyond the text
    extra = max(0, column - len(content))
    converted = codec.position_to_client_units([content], types.Position(0, min(column, len(content))))
    return types.Position(line, converted.character + extra)


def from_position(position: types.Position, text: FileText, codec: PositionCodec) -> tuple[int, int]:
    """An LSP position as a 1-based (line, column in characters)."""
    server = codec.position_from_client_units(text.lines, types.Position(position.line, position.character))
    return server.line + 1, server.character + 1


def diagnostic(
    finding: Finding,
    text: FileText | None,
    codec: PositionCodec,
    help_uri: Callable[[str], str],
    uri_of: Callable[[str], str | None],
    texts: Callable[[str], FileText | None] | None = None,
) -> types.Diagnostic:
    """The diagnostic of one finding (``uri_of`` names the document of a plugin path, for related places)."""
    related: list[types.DiagnosticRelatedInformation] = []
    for span in finding.related:
        uri = uri_of(span.path)
        if uri is None:
            continue
        other = text if span.path == finding.span.path else (texts(span.path) if texts else None)
        related.append(types.DiagnosticRelatedInformation(
            types.Location(uri, to_range(span, other, codec)), f"{finding.rule}: the same problem here"
        ))
    href = help_uri(finding.rule)
    return types.Diagnostic(
        range=to_range(finding.span, text, codec),
        message=finding.message,
        severity=_SEVERITIES[finding.severity],
        code=finding.rule,
        code_description=types.CodeDescription(href=href) if href else None,
        source=SOURCE,
        related_information=related or None,
    )


# ---------------------------------------------------------------------------
# code actions


def fix_action(
    finding: Finding,
    diagnostic: types.Diagnostic,
    uri_of: Callable[[str], str | None],
    texts: Callable[[str], FileText | None],
    codec: PositionCodec,
) -> types.CodeAction | None:
    """The finding's fix as a quick fix (None when it has none, or an edit is outside the plugin)."""
    fix = finding.fix
    if fix is None or not fix.edits:
        return None
    changes: dict[str, list[types.TextEdit]] = {}
    for edit in fix.edits:
        uri = uri_of(edit.span.path)
        if uri is None:
            return None
        changes.setdefault(uri, []).append(text_edit(edit, texts(edit.span.path), codec))
    safe = fix.applicability is Applicability.SAFE
    return types.CodeAction(
        title=f"{fix.title} ({finding.rule})" if safe else f"{fix.title} ({finding.rule}, unsafe: changes behaviour)",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        edit=types.WorkspaceEdit(changes=changes),
        is_preferred=safe,
    )


def text_edit(edit: Edit, text: FileText | None, codec: PositionCodec) -> types.TextEdit:
    """One edit of a fix, exactly at its span (an insertion keeps its zero width)."""
    span = edit.span
    start = _position(text.lines, span.line - 1, span.column - 1, codec) if text else types.Position(span.line - 1, span.column - 1)
    end = _position(text.lines, span.end_line - 1, span.end_column - 1, codec) if text else types.Position(
        span.end_line - 1, span.end_column - 1
    )
    return types.TextEdit(types.Range(start, end), edit.content)


def suppressible(finding: Finding) -> bool:
    """Whether a ``# mbcheck: ignore`` comment can silence the finding where it is reported.

    mbcheck reads suppression comments in Python files for every rule; in
    ``plugin.yaml``, ``pyproject.toml`` and requirements files the dependency
    rules read them. A finding about the plugin as a whole has no line.
    """
    if not finding.span.path or finding.rule in _NOT_SUPPRESSIBLE or finding.category is Category.SYNTAX:
        return False
    return finding.span.path.endswith(".py") or finding.category is Category.DEPENDENCY


def suppress_line_action(
    finding: Finding, diagnostic: types.Diagnostic, uri: str, text: FileText, codec: PositionCodec
) -> types.CodeAction | None:
    """"Suppress MBxxx on this line": a ``# mbcheck: ignore[CODE]`` comment, merged into one already there."""
    if not suppressible(finding):
        return None
    python = finding.span.path.endswith(".py")
    line = _comment_line(finding, text) if python else finding.span.line
    if line is None:
        return None
    edit = _line_comment_edit(text, line, finding.rule, python)
    if edit is None:
        return None
    return types.CodeAction(
        title=f"Suppress {finding.rule} on this line",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        edit=types.WorkspaceEdit(changes={uri: [text_edit(edit, text, codec)]}),
    )


def suppress_file_action(
    finding: Finding, diagnostic: types.Diagnostic, uri: str, text: FileText, codec: PositionCodec
) -> types.CodeAction | None:
    """"Suppress MBxxx in this file": a ``# mbcheck: ignore-file[CODE]`` comment at the top of the file."""
    if not suppressible(finding):
        return None
    code = finding.rule
    lines = text.lines
    # merge into an ignore-file comment that is a line of its own
    for number, raw in enumerate(lines, 1):
        content = raw.rstrip("\r\n")
        if not content.lstrip().startswith("#"):
            continue
        match = _SUPPRESSION.search(content)
        if match and match.group(1).lower() == "ignore-file" and match.group(2) is not None:
            edit = _merge(content, number, match, code, finding.span.path)
            if edit is None:
                return None
            break
    else:
        number = 1
        if finding.span.path.endswith(".py"):
            # after a shebang and an encoding declaration, which must stay first
            while number <= min(2, len(lines)) and (
                (number == 1 and lines[0].startswith("#!")) or _CODING.match(lines[number - 1])
            ):
                number += 1
        newline = _newline(text)
        edit = Edit(Span(finding.span.path, number, 1, number, 1), f"# mbcheck: ignore-file[{code}]{newline}")
        if number > len(lines) and lines[-1] and not lines[-1].endswith(("\n", "\r")):
            edit = Edit(Span(finding.span.path, len(lines), len(lines[-1]) + 1, len(lines), len(lines[-1]) + 1),
                        f"{newline}# mbcheck: ignore-file[{code}]{newline}")
    return types.CodeAction(
        title=f"Suppress {code} in this file",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        edit=types.WorkspaceEdit(changes={uri: [text_edit(edit, text, codec)]}),
    )


def _newline(text: FileText) -> str:
    first = text.lines[0]
    return "\r\n" if first.endswith("\r\n") else "\n"


def _line_comment_edit(text: FileText, line: int, code: str, python: bool) -> Edit | None:
    """The edit that makes line ``line`` carry ``# mbcheck: ignore[code]``."""
    content = text.line(line)
    path = ""
    comment_at = _comment_start(content) if python else content.find("#")
    if comment_at is not None and comment_at >= 0:
        for match in _SUPPRESSION.finditer(content, comment_at):
            if match.group(1).lower() != "ignore":
                continue
            if match.group(2) is None:
                return None  # a bare comment silences every code already
            return _merge(content, line, match, code, path)
    stripped = content.rstrip()
    return Edit(Span(path, line, len(stripped) + 1, line, len(content) + 1), f"  # mbcheck: ignore[{code}]")


def _merge(content: str, line: int, match: re.Match[str], code: str, path: str) -> Edit | None:
    """Add ``code`` to the codes of an existing ``ignore[...]`` / ``ignore-file[...]`` comment."""
    codes = [c.strip() for c in (match.group(2) or "").split(",") if c.strip()]
    if code in (c.upper() for c in codes):
        return None
    close = match.end() - 1  # the "]"
    prefix = ", " if codes else ""
    return Edit(Span(path, line, close + 1, line, close + 1), f"{prefix}{code}")


def _comment_start(content: str) -> int | None:
    """Where a Python line's comment starts (None: it has none), strings skipped."""
    try:
        for token in tokenize.generate_tokens(io.StringIO(content + "\n").readline):
            if token.type == tokenize.COMMENT:
                return token.start[1]
    except (tokenize.TokenError, SyntaxError):
        pass
    return content.find("#") if "#" in content and "'" not in content and '"' not in content else None


def _comment_line(finding: Finding, text: FileText) -> int | None:
    """The line a ``# mbcheck: ignore`` comment for the finding goes on: its own line, or the
    first line of its statement (which covers the whole statement) when a comment cannot
    end the finding's line (inside a multi-line string, after a backslash)."""
    inside = _lines_in_strings(text.text)
    candidates = [finding.span.line]
    if finding.statement_line and finding.statement_line != finding.span.line:
        candidates.append(finding.statement_line)
    for line in candidates:
        if line in inside or text.line(line).rstrip().endswith("\\"):
            continue
        if 0 < line <= len(text.lines):
            return line
    return None


def _lines_in_strings(source: str) -> set[int]:
    """Lines whose end lies inside a string (a triple-quoted string, an f-string over several lines)."""
    inside: set[int] = set()
    starts: list[int] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            name = tokenize.tok_name.get(token.type, "")
            if name == "FSTRING_START":
                starts.append(token.start[0])
            elif name == "FSTRING_END" and starts:
                inside.update(range(starts.pop(), token.end[0]))
            elif token.type == tokenize.STRING and token.end[0] > token.start[0]:
                inside.update(range(token.start[0], token.end[0]))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass
    return inside


# ---------------------------------------------------------------------------
# hover


def hover_text(code: str, rule: object | None, href: str) -> str:
    """Markdown for a rule: what it reports, why it matters, what to do instead, its page."""
    if rule is None:
        return f"**{code}**" + (f"\n\n[Documentation]({href})" if href else "")
    name = getattr(rule, "name", "")
    category = getattr(getattr(rule, "category", None), "value", "")
    severity = getattr(getattr(rule, "severity", None), "value", "")
    parts = [f"**{code}** `{name}` ({category}, {severity})", str(getattr(rule, "what", "")).strip()]
    why = str(getattr(rule, "why", "")).strip()
    instead = str(getattr(rule, "instead", "")).strip()
    if why:
        parts.append(f"**Why:** {_sentence(why)}")
    if instead:
        parts.append(f"**Instead:** {_sentence(instead)}")
    if href:
        parts.append(f"[Documentation]({href})")
    return "\n\n".join(part for part in parts if part)


def _sentence(text: str) -> str:
    """A docstring paragraph joined into one line, with a capital first letter."""
    joined = " ".join(text.split())
    return joined[:1].upper() + joined[1:]


def contains(range_: types.Range, position: types.Position) -> bool:
    """Whether ``position`` lies in ``range_`` (its end included: the cursor just after a word)."""
    start, end = range_.start, range_.end
    after_start = (position.line, position.character) >= (start.line, start.character)
    before_end = (position.line, position.character) <= (end.line, end.character)
    return after_start and before_end


def overlaps(a: types.Range, b: types.Range) -> bool:
    return (a.start.line, a.start.character) <= (b.end.line, b.end.character) and (
        b.start.line, b.start.character) <= (a.end.line, a.end.character)


__all__ = [
    "SOURCE",
    "FileText",
    "contains",
    "diagnostic",
    "fix_action",
    "from_position",
    "hover_text",
    "overlaps",
    "suppress_file_action",
    "suppress_line_action",
    "suppressible",
    "to_range",
]
