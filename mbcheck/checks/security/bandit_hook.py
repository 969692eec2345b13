"""bandit, run on each file in the same pass: the per-file hook and its registration.

:func:`bandit_hook` is registered in :data:`mbcheck.pyfile.analyse.FILE_HOOKS`
when this module is imported (it is listed with the source-rule modules). It
runs bandit's checks on the file's source and tree (``FileOptions.bandit``,
``FileOptions.bandit_skip``) and drops a bandit result where an mbcheck rule
of :data:`~mbcheck.checks.security.bandit_policy.SUPERSEDED_BY` already reports
the same lines. bandit itself is imported on first use.
"""

from __future__ import annotations

from mbcheck.model import Category, Confidence, Finding, Severity, Span
from mbcheck.pyfile.analyse import FILE_HOOKS, HookInput


def _overlaps(issue_line: int, issue_end: int, finding: Finding) -> bool:
    start, end = finding.span.line, max(finding.span.end_line, finding.span.line)
    return start <= issue_end and issue_line <= end


def bandit_hook(hook_input: HookInput) -> list[Finding]:
    """bandit's findings for one file, minus those an mbcheck rule already reports there."""
    from mbcheck.checks.security.bandit import run_bandit
    from mbcheck.checks.security.bandit_policy import SUPERSEDED_BY

    job = hook_input.job
    source: str | bytes = hook_input.text or job.data
    issues = run_bandit(source, job.path, skip=job.options.bandit_skip, tree=hook_input.tree)
    already = [f for f in hook_input.findings if f.category is Category.SECURITY]
    out: list[Finding] = []
    for issue in issues:
        superseding = SUPERSEDED_BY.get(issue.test_id, ())
        if superseding and any(
            f.rule in superseding and _overlaps(issue.line, issue.end_line, f) for f in already
        ):
            continue
        message = issue.text.strip()
        if issue.cwe:
            message = f"{message} (CWE-{issue.cwe})"
        out.append(
            Finding(
                rule=issue.test_id,
                category=Category.SECURITY,
                severity=Severity(issue.severity),
                message=message,
                span=Span(job.path, issue.line, issue.col, issue.end_line, issue.end_col),
                confidence=Confidence(issue.confidence),
                statement_line=issue.line,
                name=issue.test_name.replace("_", "-"),
            )
        )
    return out


if bandit_hook not in FILE_HOOKS:
    FILE_HOOKS.append(bandit_hook)


__all__ = ["bandit_hook"]
