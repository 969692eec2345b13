"""Findings as LSP data: ranges in UTF-16, fixes and suppressions as code actions, hover text."""

from __future__ import annotations

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from mbcheck.lsp import convert
from mbcheck.lsp.convert import FileText
from mbcheck.model import Applicability, Category, Edit, Finding, Fix, Severity, Span
from server.lsp_client import apply_edits

UTF16 = PositionCodec(types.PositionEncodingKind.Utf16)
UTF8 = PositionCodec(types.PositionEncodingKind.Utf8)
URI = "file:///plugin/tools.py"


def _finding(span: Span, rule: str = "MB310", *, fix: Fix | None = None, statement_line: int = 0,
             category: Category = Category.SECURITY) -> Finding:
    return Finding(rule, category, Severity.ERROR, "a message", span, statement_line=statement_line, fix=fix)


def _diagnostic(finding: Finding, text: FileText | None) -> types.Diagnostic:
    return convert.diagnostic(finding, text, UTF16, lambda code: f"https://docs/{code}.md", lambda rel: f"file:///plugin/{rel}")


def _r(r: types.Range) -> tuple[int, int, int, int]:
    return (r.start.line, r.start.character, r.end.line, r.end.character)


def test_columns_are_utf16_code_units_after_non_ascii_text() -> None:
    text = FileText('x = "é😀"; eval(x)\n')
    # characters: `eval(x)` starts at column 11 (1-based) and ends before column 18
    span = Span("tools.py", 1, 11, 1, 18)
    assert _r(convert.to_range(span, text, UTF16)) == (0, 11, 0, 18)  # the emoji is two UTF-16 units
    assert _r(convert.to_range(span, text, UTF8)) == (0, 14, 0, 21)  # é is 2 bytes, the emoji 4
    ascii_text = FileText("x = 1; eval(x)\n")
    assert _r(convert.to_range(Span("tools.py", 1, 8, 1, 15), ascii_text, UTF16)) == (0, 7, 0, 14)
    assert convert.from_position(types.Position(0, 11), text, UTF16) == (1, 11)


def test_a_span_without_width_covers_the_rest_of_its_line() -> None:
    text = FileText("first line\nsecond\n")
    assert _r(convert.to_range(Span("plugin.yaml"), text, UTF16)) == (0, 0, 0, 10)
    assert _r(convert.to_range(Span("plugin.yaml", 2, 3), text, UTF16)) == (1, 2, 1, 6)


def test_diagnostic_fields() -> None:
    finding = Finding("MB311", Category.SECURITY, Severity.WARNING, "eval of data", Span("tools.py", 2, 1, 2, 8),
                      related=(Span("other.py", 4, 1, 4, 5),))
    diagnostic = _diagnostic(finding, FileText("import os\neval(x)\n"))
    assert diagnostic.code == "MB311" and diagnostic.source == "mbcheck"
    assert diagnostic.severity == types.DiagnosticSeverity.Warning
    assert diagnostic.code_description is not None and diagnostic.code_description.href == "https://docs/MB311.md"
    assert diagnostic.related_information is not None
    assert diagnostic.related_information[0].location.uri == "file:///plugin/other.py"
    assert _r(diagnostic.related_information[0].location.range) == (3, 0, 3, 4)


def test_every_fix_is_a_quick_fix_safe_ones_preferred() -> None:
    source = "import yaml\ndata = yaml.load(stream)\n"
    text = FileText(source)
    safe = Fix("Use `yaml.safe_load`", (Edit(Span("tools.py", 2, 13, 2, 17), "safe_load"),))
    finding = _finding(Span("tools.py", 2, 8, 2, 25), "MB314", fix=safe)
    action = convert.fix_action(finding, _diagnostic(finding, text), lambda rel: f"file:///plugin/{rel}",
                                lambda rel: text, UTF16)
    assert action is not None and action.is_preferred
    assert action.kind == types.CodeActionKind.QuickFix
    assert action.title == "Use `yaml.safe_load` (MB314)"
    assert action.edit is not None and action.edit.changes is not None
    assert apply_edits(source, list(action.edit.changes[URI])) == "import yaml\ndata = yaml.safe_load(stream)\n"

    unsafe = Fix("Add `timeout=10`", (Edit(Span("tools.py", 2, 24, 2, 24), ", timeout=10"),), Applicability.UNSAFE)
    finding = _finding(Span("tools.py", 2, 8, 2, 25), "MB340", fix=unsafe)
    action = convert.fix_action(finding, _diagnostic(finding, text), lambda rel: f"file:///plugin/{rel}",
                                lambda rel: text, UTF16)
    assert action is not None and not action.is_preferred
    assert action.title == "Add `timeout=10` (MB340, unsafe: changes behaviour)"
    assert action.edit is not None and action.edit.changes is not None
    assert apply_edits(source, list(action.edit.changes[URI])) == "import yaml\ndata = yaml.load(stream, timeout=10)\n"
    assert convert.fix_action(_finding(Span("tools.py", 1)), _diagnostic(_finding(Span("tools.py", 1)), text),
                              lambda rel: rel, lambda rel: text, UTF16) is None


def _suppress(source: str, finding: Finding, file_level: bool = False) -> str | None:
    text = FileText(source)
    make = convert.suppress_file_action if file_level else convert.suppress_line_action
    action = make(finding, _diagnostic(finding, text), URI, text, UTF16)
    if action is None:
        return None
    assert action.edit is not None and action.edit.changes is not None
    return apply_edits(source, list(action.edit.changes[URI]))


def test_suppress_on_this_line_appends_or_merges() -> None:
    assert _suppress("x = eval(data)   \n", _finding(Span("tools.py", 1, 5, 1, 15))) == (
        "x = eval(data)  # mbcheck: ignore[MB310]\n"
    )
    assert _suppress("x = eval(d)  # mbcheck: ignore[B307]\n", _finding(Span("tools.py", 1, 5, 1, 12))) == (
        "x = eval(d)  # mbcheck: ignore[B307, MB310]\n"
    )
    # a `#` inside a string is not a comment
    assert _suppress('x = eval("#1")\n', _finding(Span("tools.py", 1, 5, 1, 15))) == (
        'x = eval("#1")  # mbcheck: ignore[MB310]\n'
    )
    # already silenced by a bare comment: nothing to offer
    assert _suppress("x = eval(d)  # mbcheck: ignore\n", _finding(Span("tools.py", 1, 5, 1, 12))) is None


def test_suppress_goes_to_the_statement_line_when_the_line_is_inside_a_string() -> None:
    source = 'run(\n    """\n    echo $USER\n    """, shell=True)\n'
    suppressed = _suppress(source, _finding(Span("tools.py", 3, 5, 3, 15), statement_line=1))
    assert suppressed == 'run(  # mbcheck: ignore[MB310]\n    """\n    echo $USER\n    """, shell=True)\n'
    continued = "x = 1 + \\\n    eval(d)\n"
    assert _suppress(continued, _finding(Span("tools.py", 2, 5, 2, 12), statement_line=1)) == (
        "x = 1 + \\\n    eval(d)  # mbcheck: ignore[MB310]\n"
    )


def test_suppress_in_this_file() -> None:
    finding = _finding(Span("tools.py", 3, 1, 3, 8))
    assert _suppress("import os\n\neval(x)\n", finding, file_level=True) == (
        "# mbcheck: ignore-file[MB310]\nimport os\n\neval(x)\n"
    )
    # a shebang and an encoding declaration stay first
    assert _suppress("#!/usr/bin/env python\n# -*- coding: utf-8 -*-\neval(x)\n", finding, file_level=True) == (
        "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n# mbcheck: ignore-file[MB310]\neval(x)\n"
    )
    assert _suppress("# mbcheck: ignore-file[MB300]\neval(x)\n", finding, file_level=True) == (
        "# mbcheck: ignore-file[MB300, MB310]\neval(x)\n"
    )


def test_what_a_comment_cannot_suppress_gets_no_suppression_action() -> None:
    yaml_text = "name: x\nversion: 1\n"
    manifest = _finding(Span("plugin.yaml", 2, 10, 2, 11), "MB104", category=Category.MANIFEST)
    assert _suppress(yaml_text, manifest) is None  # manifest rules do not read comments
    dependency = _finding(Span("plugin.yaml", 2, 10, 2, 11), "MB501", category=Category.DEPENDENCY)
    assert _suppress(yaml_text, dependency) == "name: x\nversion: 1  # mbcheck: ignore[MB501]\n"
    assert _suppress("import os  # mbcheck: ignore[MB9]\n", _finding(Span("tools.py", 1, 12, 1, 34), "MB002")) is None
    assert _suppress("def f(:\n", _finding(Span("tools.py", 1, 7, 1, 8), "MB001", category=Category.SYNTAX)) is None


def test_hover_text_shows_what_why_and_instead() -> None:
    from mbcheck.rules.catalog import describe

    text = convert.hover_text("MB310", describe(["MB310"])["MB310"], "https://docs/MB310.md")
    assert text.startswith("**MB310** `shell-command-from-data` (security, error)")
    assert "**Why:**" in text and "**Instead:**" in text and text.endswith("[Documentation](https://docs/MB310.md)")
    assert convert.hover_text("MB999", None, "") == "**MB999**"
