"""bandit, run on each file in the same pass: which of its tests run, and the per-file hook.

:func:`file_hook` turns the settings into a :class:`~mbcheck.pyfile.jobs.FileHook`
(or None when no bandit test is selected); the per-file pass calls
:func:`bandit_hook` with it, which runs bandit's checks on the file's source
and tree and drops a bandit result where an mbcheck rule of
:data:`~mbcheck.checks.security.bandit_policy.SUPERSEDED_BY` already reports
the same lines, and drops or lowers to ``info`` a result that
:func:`~mbcheck.checks.security.bandit_context.judge` finds honest in its
context (a ``/tmp`` string only compared, a scheme-checked ``urlopen``). A result a ``# nosec`` comment silences is kept, marked with
the comment's location (``Finding.silenced_at``): like a ``# mbcheck: ignore``
comment, it is the plugin author's claim, which the report lists and the gate
judges. bandit itself is imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mbcheck.model import Category, Confidence, Finding, Severity, Span
from mbcheck.pyfile.jobs import FileHook, HookInput

if TYPE_CHECKING:
    from mbcheck.config import Config


def selection(config: Config) -> tuple[bool, frozenset[str]]:
    """Whether bandit runs at all, and which of its tests are left out."""
    selected = any(sel == "ALL" or sel == "B" or (sel.startswith("B") and sel[1:2].isdigit()) for sel in config.select)
    if not selected or "B" in config.ignore or "ALL" in config.ignore:
        return False, frozenset()
    from mbcheck.checks.security.bandit_policy import default_skip

    # tests that are off by default (B101) run only when selected by their exact code
    ignored = frozenset(code for code in config.ignore if code.startswith("B") and len(code) == 4)
    return True, ignored | default_skip(config.select)


def file_hook(config: Config) -> FileHook | None:
    """The bandit hook the settings ask for, or None."""
    run, skip = selection(config)
    if not run:
        return None
    from mbcheck.checks.security.bandit_policy import installed_version

    return FileHook(f"{__name__}:bandit_hook", skip, installed_version())


def _overlaps(issue_line: int, issue_end: int, finding: Finding) -> bool:
    start, end = finding.span.line, max(finding.span.end_line, finding.span.line)
    return start <= issue_end and issue_line <= end


def bandit_hook(hook_input: HookInput, hook: FileHook) -> list[Finding]:
    """bandit's findings for one file, minus those an mbcheck rule already reports there."""
    from mbcheck.checks.security.bandit import run_bandit
    from mbcheck.checks.security.bandit_context import JUDGED, TreeIndex, judge
    from mbcheck.checks.security.bandit_policy import SUPERSEDED_BY

    job = hook_input.job
    source: str | bytes = hook_input.text or job.data
    issues = run_bandit(source, job.path, skip=hook.skip, tree=hook_input.tree, keep_nosec=True)
    lines = hook_input.text.splitlines()
    already = [f for f in hook_input.findings if f.category is Category.SECURITY]
    out: list[Finding] = []
    index: TreeIndex | None = None
    for issue in issues:
        superseding = SUPERSEDED_BY.get(issue.test_id, ())
        if superseding and any(
            f.rule in superseding and _overlaps(issue.line, issue.end_line, f) for f in already
        ):
            continue
        severity = Severity(issue.severity)
        message = issue.text.strip()
        if issue.cwe:
            message = f"{message} (CWE-{issue.cwe})"
        if issue.test_id in JUDGED:
            index = index or TreeIndex(hook_input.tree)
            judgement = judge(issue.test_id, issue.line, index)
            if judgement is not None and judgement.action == "drop":
                continue
            if judgement is not None:
                severity = Severity.INFO
                message = f"{message}; reported as info: {judgement.reason}"
        out.append(
            Finding(
                rule=issue.test_id,
                category=Category.SECURITY,
                severity=severity,
                message=message,
                span=Span(job.path, issue.line, issue.col, issue.end_line, issue.end_col),
                confidence=Confidence(issue.confidence),
                statement_line=issue.line,
                name=issue.test_name.replace("_", "-"),
                silenced_at=None if issue.nosec_line is None else _comment_span(job.path, issue.nosec_line, lines),
            )
        )
    return out


def _comment_span(path: str, line: int, lines: list[str]) -> Span:
    """Where the ``# nosec`` comment on ``line`` is written (the whole line when not found)."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    word = text.lower().rfind("nosec")
    start = text.rfind("#", 0, word) if word >= 0 else -1
    if start < 0:
        return Span(path, line, 1, line, len(text) + 1)
    return Span(path, line, start + 1, line, len(text.rstrip()) + 1)


__all__ = ["bandit_hook", "file_hook", "selection"]
