"""The text report, in two layouts.

- **plain** (a pipe, a file, ``--color never`` off a terminal): one line per finding,
  ``path:line:col: CODE severity message``, then a summary per plugin; stable, for scripts
  and editors.
- **terminal** (stdout is a terminal, or colour is forced): findings grouped per file, each
  with its source line and a caret under the reported columns (as ruff shows them),
  coloured by severity unless ``NO_COLOR`` is set or ``--color never`` is given.

The source lines are read from disk while rendering, only in the terminal layout, and only
from regular files inside a plugin directory: a file that is gone, unreadable, too large,
or inside an archive simply has no source line. Everything printed from a plugin (paths,
messages, source lines) goes through :func:`mbcheck.display.printable`, so a plugin cannot
send escape sequences to the terminal.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from mbcheck.display import cell_width, printable
from mbcheck.model import Finding, PluginReport, Report, Severity, Verdict

#: --color's values
COLOR_CHOICES = ("auto", "always", "never")
#: a source file larger than this is not read for its excerpt
MAX_SOURCE_BYTES = 8 * 1024 * 1024
#: a source line wider than this is shown as a window around the reported column
MAX_LINE_CELLS = 120
TAB_CELLS = 4

_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # Python's and YAML's line breaks (not str.splitlines's)

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_DIM = "\x1b[2m"
_SEVERITY_SGR = {Severity.ERROR: "\x1b[1;31m", Severity.WARNING: "\x1b[1;33m", Severity.INFO: "\x1b[1;36m"}
_VERDICT_SGR = {Verdict.PASS: "\x1b[1;32m", Verdict.WARN: "\x1b[1;33m", Verdict.FAIL: "\x1b[1;31m"}
_GUTTER_SGR = "\x1b[34m"


@dataclass(frozen=True)
class Style:
    """How to lay out the text report: ``source`` (grouped per file, with source lines and
    carets) and ``colour`` (ANSI colours; only with ``source``)."""

    source: bool = False
    colour: bool = False


PLAIN = Style()


def style_for(stream: TextIO | None, color: str = "auto", environ: Mapping[str, str] | None = None) -> Style:
    """The layout for output to ``stream`` (``None``: a file). ``--color always`` (or a
    non-empty ``FORCE_COLOR`` other than ``0``) gives the terminal layout in colour anywhere;
    ``never`` gives no colour; ``auto`` uses the terminal layout on a terminal, in colour
    unless ``NO_COLOR`` is set (https://no-color.org)."""
    env = os.environ if environ is None else environ
    if color == "never":
        return Style(source=_is_terminal(stream, env), colour=False)
    if color == "always" or env.get("FORCE_COLOR", "") not in ("", "0"):
        return Style(source=True, colour=True)
    terminal = _is_terminal(stream, env)
    return Style(source=terminal, colour=terminal and not env.get("NO_COLOR"))


def _is_terminal(stream: TextIO | None, env: Mapping[str, str]) -> bool:
    if stream is None or env.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def _join(root: str, path: str) -> str:
    if not path:
        return root
    return path if root in ("", ".") else f"{root}/{path}"


def _plural(count: int, noun: str) -> str:
    """``1 error``, ``2 errors``; ``info`` is uncountable (``2 info``)."""
    if noun == "info" or count == 1:
        return f"{count} {noun}"
    return f"{count} {noun}s"


def _shown(text: str) -> str:
    return printable(text)[0]


class _Painter:
    """ANSI colour when enabled, nothing otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, sgr: str, text: str) -> str:
        return f"{sgr}{text}{_RESET}" if self.enabled and text else text


class _Sources:
    """The lines of a plugin's files, read once each while rendering; ``None`` for a file
    that cannot be shown (not a regular file, unreadable, too large, inside an archive)."""

    def __init__(self) -> None:
        self._files: dict[str, list[str] | None] = {}

    def line(self, plugin: PluginReport, path: str, number: int) -> str | None:
        if not path:
            return None
        where = _join(plugin.path, path)
        if where not in self._files:
            self._files[where] = self._read(Path(plugin.path), path)
        lines = self._files[where]
        if lines is None or not 1 <= number <= len(lines):
            return None
        return lines[number - 1]

    @staticmethod
    def _read(root: Path, path: str) -> list[str] | None:
        try:
            if not root.is_dir():  # an archive or a single file: its members are not on disk
                return None
            target = root / path
            info = target.stat()
            if not target.is_file() or info.st_size > MAX_SOURCE_BYTES:
                return None
            data = target.read_bytes()
        except (OSError, ValueError):
            return None
        text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
        return _LINE_BREAK.split(text)


def _excerpt(line: str, finding: Finding) -> tuple[str, int, int]:
    """The line as displayed (tabs expanded, escapes for invisible characters, a window
    around the column when long) and the caret's start and width in cells."""
    span = finding.span
    start = max(span.column - 1, 0)
    end = span.end_column - 1 if span.end_line == span.line else len(line)
    end = max(min(end, len(line)), start + 1)
    if len(line) > MAX_LINE_CELLS:
        left = max(0, min(start - MAX_LINE_CELLS // 3, len(line) - MAX_LINE_CELLS))
        right = left + MAX_LINE_CELLS
        prefix, suffix = ("…" if left else ""), ("…" if right < len(line) else "")
        line, start, end = prefix + line[left:right] + suffix, start - left + len(prefix), min(end - left, right - left) + len(prefix)
    shown: list[str] = []
    cells = caret_start = caret_end = 0
    for index, char in enumerate(line):
        if index == start:
            caret_start = cells
        if index == end:
            caret_end = cells
        piece = " " * TAB_CELLS if char == "\t" else _shown(char)
        shown.append(piece)
        cells += sum(cell_width(c) for c in piece)
    if start >= len(line):
        caret_start = cells
    if end >= len(line):
        caret_end = max(cells, caret_start + 1)
    return "".join(shown).rstrip(), caret_start, max(caret_end - caret_start, 1)


def _mark(finding: Finding, unsafe_fixes: bool) -> str:
    """`` [*]`` after the code of a finding the enabled fixes repair (ruff's mark)."""
    from mbcheck.fix import enabled

    return " [*]" if enabled(finding.fix, unsafe_fixes) else ""


def _finding_line(finding: Finding, paint: _Painter, width: int, unsafe_fixes: bool = False) -> str:
    location = f"{finding.span.line}:{finding.span.column}"
    severity = paint(_SEVERITY_SGR[finding.severity], f"{finding.severity.value:<7}")
    code = paint(_BOLD, finding.rule) + _mark(finding, unsafe_fixes)
    return f"  {location:<{width}}  {severity} {code}  {_shown(finding.message)}"


def _terminal_findings(report: Report, style: Style, unsafe_fixes: bool = False) -> list[str]:
    paint = _Painter(style.colour)
    sources = _Sources()
    lines: list[str] = []
    for plugin in report.plugins:
        groups: dict[str, list[Finding]] = {}
        for finding in plugin.findings:
            groups.setdefault(finding.span.path, []).append(finding)
        for path, findings in groups.items():
            lines.append(paint(_BOLD, _shown(_join(plugin.path, path))))
            width = max(len(f"{f.span.line}:{f.span.column}") for f in findings)
            gutter = max(len(str(f.span.line)) for f in findings)
            previous = None
            for finding in findings:
                lines.append(_finding_line(finding, paint, width, unsafe_fixes))
                source = sources.line(plugin, path, finding.span.line)
                if source is None or finding.span == previous:
                    continue  # nothing to show, or the excerpt just above is this one
                previous = finding.span
                text, caret_start, caret_width = _excerpt(source, finding)
                bar = paint(_GUTTER_SGR, f"{'':>{gutter}} |")
                number = paint(_GUTTER_SGR, f"{finding.span.line:>{gutter}} |")
                caret = paint(_SEVERITY_SGR[finding.severity], "^" * caret_width)
                lines += [f"    {number} {text}", f"    {bar} {' ' * caret_start}{caret}"]
            lines.append("")
    return lines


def _plain_findings(report: Report, unsafe_fixes: bool = False) -> list[str]:
    lines = [
        f"{_shown(_join(plugin.path, f.span.path))}:{f.span.line}:{f.span.column}: {f.rule}{_mark(f, unsafe_fixes)} "
        f"{f.severity.value} {_shown(f.message)}"
        for plugin in report.plugins
        for f in plugin.findings
    ]
    if lines:
        lines.append("")
    return lines


def render(report: Report, style: Style = PLAIN, unsafe_fixes: bool = False) -> str:
    """The text report in the given layout (plain unless told otherwise); findings the enabled
    fixes repair (safe ones, and unsafe ones with ``unsafe_fixes``) are marked ``[*]``."""
    paint = _Painter(style.colour)
    lines = _terminal_findings(report, style, unsafe_fixes) if style.source else _plain_findings(report, unsafe_fixes)
    for plugin in report.plugins:
        counts = {"error": 0, "warning": 0, "info": 0}
        for f in plugin.findings:
            counts[f.severity.value] += 1
        detail = ", ".join(_plural(n, k) for k, n in counts.items() if n)
        verdict = paint(_VERDICT_SGR[plugin.verdict], plugin.verdict.value.upper())
        lines.append(f"{_shown(plugin.name)} ({plugin.kind.value}, {_shown(plugin.path)}): {verdict}" + (f" - {detail}" if detail else ""))
    for error in report.errors:
        lines.append(f"{paint(_SEVERITY_SGR[Severity.ERROR], 'error')}: {_shown(error)}")
    silenced = sum(len(plugin.suppressed) for plugin in report.plugins)
    if silenced:
        lines.append(
            f"note: {_plural(silenced, 'finding')} suppressed by comments in the source "
            "(`# mbcheck: ignore`, `# nosec`; listed under `suppressed` in the JSON report; `mbcheck verify` judges them unless the policy "
            "sets honour-suppressions)"
        )
    stale = report.context.get("baseline", {}).get("stale", [])
    if stale:
        entries = f"{len(stale)} baseline entries no longer occur" if len(stale) != 1 else "1 baseline entry no longer occurs"
        lines.append(f"note: {entries} (record the baseline again to drop them):")
        for entry in stale:
            times = f" (x{entry['count']})" if entry.get("count", 1) != 1 else ""
            lines.append(f"  {entry['plugin']}: {entry.get('path') or '(plugin)'} {entry['rule']} {entry.get('message', '')}{times}")
    from mbcheck.fix import fixable_counts

    fixable, hidden = fixable_counts((f for _plugin, f in report.findings()), unsafe_fixes)
    if fixable or hidden:
        more = f" ({hidden} more with --unsafe-fixes)" if hidden else ""
        lines.append(f"[*] {fixable} fixable with --fix{more}" if fixable else
                     f"No fixes available with --fix ({hidden} with --unsafe-fixes)")
    total = report.counts()
    lines.append(
        f"{_plural(len(report.plugins), 'plugin')} checked: "
        f"{_plural(total['error'], 'error')}, {_plural(total['warning'], 'warning')}, {_plural(total['info'], 'info')}"
    )
    return "\n".join(lines) + "\n"
