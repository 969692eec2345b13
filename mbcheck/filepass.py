"""The per-file pass: guard, parse once, one batched traversal, facts out.

``analyse_file`` is a pure function of a :class:`FileJob` (bytes in, frozen
:class:`~mbcheck.context.FileOutcome` out), which makes it safe to run in a
process pool and to cache by content. It never raises for bad input: a file
that cannot be read as Python becomes a ``syntax`` finding.
"""

from __future__ import annotations

import ast
import hashlib
import io
import re
import sys
import tokenize
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import libcst as cst

from mbcheck.context import FileOutcome, Suppression
from mbcheck.jobs import FileJob
from mbcheck.model import Finding, Span
from mbcheck.rules import load_source_rules
from mbcheck.rules.base import Rule
from mbcheck.rules.core import (
    AnalysisFailed,
    FileNotAnalysed,
    SyntaxErrorRule,
    TooDeeplyNested,
)
from mbcheck.rules.source import COLLECTORS, FileContext, SourceRule

#: CPython's own parser gives up beyond these; libcst's native parser would
#: crash the process on such input, so the guard refuses it first.
_NESTING_MESSAGES = ("too many nested parentheses", "too many statically nested blocks")
MAX_BRACKET_DEPTH = 200
MAX_OPERATOR_RUN = 1000


@dataclass(frozen=True)
class HookInput:
    """What a per-file hook (bandit) gets: text, the ``ast`` tree, the job."""

    job: FileJob
    text: str
    tree: ast.Module


#: extra analysers run on each file that parsed (bandit registers here)
FILE_HOOKS: list[Callable[[HookInput], list[Finding]]] = []


def _line_col_of_offset(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    return line, offset - start + 1


def decode_source(job: FileJob) -> tuple[str | None, Finding | None]:
    data = job.data
    if b"\x00" in data:
        line, col = _line_col_of_offset(data, data.index(b"\x00"))
        return None, _finding(SyntaxErrorRule, Span(job.path, line, col), "file contains NUL bytes: not Python source")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        encoding = "utf-8"  # an undecodable first line: the decode below says where
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        start = exc.start if isinstance(exc, UnicodeDecodeError) else 0
        line, col = _line_col_of_offset(data, start)
        return None, _finding(
            SyntaxErrorRule,
            Span(job.path, line, col),
            f"file is not valid {encoding}: cannot decode byte at line {line}, column {col}",
        )
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, None


def _finding(rule: type[Rule], span: Span, message: str) -> Finding:
    return rule.finding(span, message)


def _nesting_problem(text: str) -> str | None:
    """A cheap token scan for nesting no parser should be asked to handle."""
    depth = 0
    run = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.OP:
                if token.string in "([{":
                    depth += 1
                    if depth > MAX_BRACKET_DEPTH:
                        return f"brackets nested more than {MAX_BRACKET_DEPTH} deep"
                elif token.string in ")]}":
                    depth -= 1
                if token.string in {"-", "+", "~", "*", "**", "/", "|", "&", "^", "%", "@", "<<", ">>", "//", "."}:
                    run += 1
                    if run > MAX_OPERATOR_RUN:
                        return f"an expression chains more than {MAX_OPERATOR_RUN} operators"
                    continue
            elif token.type == tokenize.NAME and token.string in {"not", "await", "lambda", "and", "or", "if", "else"}:
                run += 1
                if run > MAX_OPERATOR_RUN:
                    return f"an expression chains more than {MAX_OPERATOR_RUN} operators"
                continue
            if token.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
                run = 0
    except (tokenize.TokenError, SyntaxError, IndentationError, RecursionError, MemoryError):
        return None
    return None


def guard(text: str, path: str) -> tuple[ast.Module | None, Finding | None]:
    """Parse with ``ast`` first: cheap, and it refuses pathological nesting safely.

    Returns the ``ast`` tree when CPython can parse the file (bandit reuses it),
    or a finding when the file must not reach libcst's native parser.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return ast.parse(text, filename=path), None
        except (RecursionError, MemoryError):
            return None, _finding(TooDeeplyNested, Span(path), "file is nested too deeply to analyse safely")
        except SyntaxError as exc:
            if any(m in (exc.msg or "") for m in _NESTING_MESSAGES):
                return None, _finding(
                    TooDeeplyNested, Span(path, exc.lineno or 1, exc.offset or 1), f"not analysed: {exc.msg}"
                )
        except ValueError:
            pass
    # CPython 3.11 rejects newer syntax; libcst may still parse it. Make sure
    # the file cannot crash the native parser before handing it over.
    problem = _nesting_problem(text)
    if problem is not None:
        return None, _finding(TooDeeplyNested, Span(path), f"not analysed: {problem}")
    return None, None


_SUPPRESS = re.compile(r"#\s*mbcheck:\s*(ignore-file|ignore)\b(?:\[([^\]]*)\])?", re.IGNORECASE)


def parse_suppressions(text: str, path: str) -> tuple[Suppression, ...]:
    """``# mbcheck: ignore[CODE, ...]`` and ``# mbcheck: ignore-file[CODE]`` comments."""
    if "mbcheck:" not in text:
        return ()
    comments: list[tuple[int, int, str]] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                comments.append((token.start[0], token.start[1], token.string))
    except (tokenize.TokenError, SyntaxError, IndentationError, RecursionError, MemoryError):
        comments = [
            (number, line.index("#"), line[line.index("#"):])
            for number, line in enumerate(text.splitlines(), 1)
            if "#" in line
        ]
    out: list[Suppression] = []
    for line, col, comment in comments:
        for match in _SUPPRESS.finditer(comment):
            kind, codes = match.group(1).lower(), match.group(2)
            parsed = frozenset(c.strip().upper() for c in (codes or "").split(",") if c.strip())
            span = Span(path, line, col + match.start() + 1, line, col + match.end() + 1)
            out.append(Suppression(line, parsed, kind == "ignore-file", span))
    return tuple(out)


_COMPOUND = (
    ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If, ast.For, ast.AsyncFor, ast.While,
    ast.With, ast.AsyncWith, ast.Try, ast.Match,
)


def _extend_to_statements(suppressions: tuple[Suppression, ...], tree: ast.Module) -> tuple[Suppression, ...]:
    """A comment on a statement's first line covers the whole statement.

    For compound statements only the header counts (decorators included), so a
    comment on ``def f(...):`` does not silence the function body.
    """
    lines = {s.line for s in suppressions if not s.file_level}
    if not lines:
        return suppressions
    ends: dict[int, int] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.stmt):
            continue
        first = node.lineno
        decorators = getattr(node, "decorator_list", None)
        if decorators:
            first = min(first, *(d.lineno for d in decorators))
        if first not in lines:
            continue
        if isinstance(node, _COMPOUND):
            body = getattr(node, "body", None) or getattr(node, "cases", None)
            end = body[0].lineno - 1 if body else node.lineno
            end = max(end, node.lineno)
        else:
            end = node.end_lineno or node.lineno
        ends[first] = max(ends.get(first, first), end)
    return tuple(
        replace(s, end_line=ends.get(s.line, s.line)) if not s.file_level else s for s in suppressions
    )


class _Hooks:
    """The traversal's before/after hooks: names and the statement stack."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.names = ctx.names
        self.statements = ctx.statements

    def before(self, node: cst.CSTNode) -> None:
        if isinstance(node, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            self.statements.append(node)
        self.names.before_visit(node)

    def after(self, node: cst.CSTNode) -> None:
        self.names.after_leave(node)
        if isinstance(node, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            self.statements.pop()


_AT = re.compile(r"^(?:parser error: )?error at (\d+):(\d+): ")


def _syntax_error(path: str, exc: cst.ParserSyntaxError) -> tuple[Span, str]:
    text = str(exc.message).strip().splitlines()[0] if exc.message else "invalid syntax"
    match = _AT.match(text)
    if match:
        line, column = int(match.group(1)), int(match.group(2)) + 1
        text = text[match.end():]
    else:
        line, column = exc.raw_line, exc.raw_column + 1
    return Span(path, max(line, 1), max(column, 1)), text


def analyse_file(job: FileJob) -> FileOutcome:
    digest = hashlib.sha256(job.data).hexdigest()
    if len(job.data) > job.options.max_bytes:
        finding = _finding(
            FileNotAnalysed,
            Span(job.path),
            f"file not analysed: {len(job.data)} bytes exceeds the limit of {job.options.max_bytes} "
            "(raise `max-file-size` to analyse it)",
        )
        return FileOutcome(job.path, digest, (finding,), parsed=False)
    text, problem = decode_source(job)
    if text is None:
        return FileOutcome(job.path, digest, (problem,) if problem else (), parsed=False)
    suppressions = parse_suppressions(text, job.path)
    tree, problem = guard(text, job.path)
    if suppressions and tree is not None:
        suppressions = _extend_to_statements(suppressions, tree)
    if problem is not None:
        return FileOutcome(job.path, digest, (problem,), suppressions=suppressions, parsed=False)
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        span, message = _syntax_error(job.path, exc)
        finding = _finding(SyntaxErrorRule, span, f"syntax error: {message}")
        return FileOutcome(job.path, digest, (finding,), suppressions=suppressions, parsed=False)
    except (RecursionError, MemoryError):
        finding = _finding(TooDeeplyNested, Span(job.path), "file is nested too deeply to analyse safely")
        return FileOutcome(job.path, digest, (finding,), suppressions=suppressions, parsed=False)
    except Exception as exc:  # libcst validation errors on odd input (e.g. exotic identifiers)
        finding = _finding(SyntaxErrorRule, Span(job.path), f"cannot parse: {exc}".splitlines()[0])
        return FileOutcome(job.path, digest, (finding,), suppressions=suppressions, parsed=False)

    findings: list[Finding] = []
    facts: dict[str, Any] = {}
    ctx = FileContext(module, job.path, job.module_name, job.package, job.is_package)
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, 20_000))
    try:
        ctx.names.prebind_module(module)
        rules: list[SourceRule] = [cls(ctx) for cls in load_source_rules()]
        collectors = [cls(ctx) for cls in COLLECTORS.values()]
        hooks = _Hooks(ctx)
        cst.visit_batched(module, [*rules, *collectors], before_visit=hooks.before, after_leave=hooks.after)
        for rule in rules:
            rule.finish()
        for coll in collectors:
            facts[coll.key] = coll.result()
        findings.extend(ctx.findings())
    except RecursionError:
        findings = [_finding(TooDeeplyNested, Span(job.path), "file is nested too deeply to analyse safely")]
    except Exception as exc:  # one broken analysis must not stop the run
        findings.append(
            _finding(AnalysisFailed, Span(job.path), f"analysis failed: {type(exc).__name__}: {exc}")
        )
    finally:
        sys.setrecursionlimit(old_limit)

    if tree is not None and FILE_HOOKS and job.options.bandit:
        hook_input = HookInput(job, text, tree)
        for hook in FILE_HOOKS:
            try:
                findings.extend(hook(hook_input))
            except Exception as exc:  # pragma: no cover - defensive
                findings.append(
                    _finding(AnalysisFailed, Span(job.path), f"analysis failed: {type(exc).__name__}: {exc}")
                )
    findings.sort(key=Finding.sort_key)
    return FileOutcome(job.path, digest, tuple(findings), facts, suppressions)
