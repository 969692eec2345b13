"""``path:line:col: CODE severity message``, then a summary per plugin."""

from __future__ import annotations

from mbcheck.model import Report


def _join(root: str, path: str) -> str:
    if not path:
        return root
    return path if root in ("", ".") else f"{root}/{path}"


def render(report: Report) -> str:
    lines: list[str] = []
    for plugin in report.plugins:
        for f in plugin.findings:
            where = _join(plugin.path, f.span.path)
            lines.append(f"{where}:{f.span.line}:{f.span.column}: {f.rule} {f.severity.value} {f.message}")
    if lines:
        lines.append("")
    for plugin in report.plugins:
        counts = {"error": 0, "warning": 0, "info": 0}
        for f in plugin.findings:
            counts[f.severity.value] += 1
        detail = ", ".join(f"{n} {k}{'s' if n != 1 else ''}" for k, n in counts.items() if n)
        lines.append(f"{plugin.name} ({plugin.kind.value}, {plugin.path}): {plugin.verdict.value.upper()}" + (f" - {detail}" if detail else ""))
    for error in report.errors:
        lines.append(f"error: {error}")
    silenced = sum(len(plugin.suppressed) for plugin in report.plugins)
    if silenced:
        lines.append(
            f"note: {silenced} finding{'s' if silenced != 1 else ''} suppressed by comments in the source "
            "(`# mbcheck: ignore`, `# nosec`; listed under `suppressed` in the JSON report; `mbcheck verify` judges them unless the policy "
            "sets honour-suppressions)"
        )
    stale = report.context.get("baseline", {}).get("stale", [])
    if stale:
        lines.append(f"note: {len(stale)} baseline entr{'ies' if len(stale) != 1 else 'y'} no longer occur (record the baseline again to drop them):")
        for entry in stale:
            times = f" (x{entry['count']})" if entry.get("count", 1) != 1 else ""
            lines.append(f"  {entry['plugin']}: {entry.get('path') or '(plugin)'} {entry['rule']} {entry.get('message', '')}{times}")
    total = report.counts()
    lines.append(
        f"{len(report.plugins)} plugin{'s' if len(report.plugins) != 1 else ''} checked: "
        f"{total['error']} errors, {total['warning']} warnings, {total['info']} info"
    )
    return "\n".join(lines) + "\n"
