"""The per-file pass: guard, parse once, one batched traversal, facts out.

``analyse_file`` is a pure function of a :class:`FileJob` (bytes in, frozen
:class:`~mbcheck.context.FileOutcome` out), which makes it safe to run in a
process pool and to cache by content. It never raises for bad input: a file
that cannot be read as Python becomes a ``syntax`` finding.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import inspect
import io
import re
import sys
import threading
import tokenize
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

import libcst as cst
from libcst._nodes.base import BaseLeaf

from mbcheck.checks.deps.guards import guards_of
from mbcheck.context import FileOutcome, Suppression
from mbcheck.model import Finding, Span
from mbcheck.pyfile.jobs import FileJob, FileOptions
from mbcheck.pyfile.names import SCOPED_NODES, before_handler
from mbcheck.pyfile.traverse import _EXPR_SHORTCUT, COLLECTORS, FileContext, SourceRule
from mbcheck.rules import load_source_rules
from mbcheck.rules.base import Rule
from mbcheck.rules.core import (
    AnalysisFailed,
    FileNotAnalysed,
    SyntaxErrorRule,
    TooDeeplyNested,
)

#: CPython's own parser gives up beyond these; libcst's native parser would
#: crash the process on such input, so the guard refuses it first.
_NESTING_MESSAGES = ("too many nested parentheses", "too many statically nested blocks")
MAX_BRACKET_DEPTH = 200
MAX_OPERATOR_RUN = 1000


@dataclass(frozen=True)
class HookInput:
    """What a per-file hook (bandit) gets: text, the ``ast`` tree, the job, and
    the file's findings so far (a hook drops what a rule already reports)."""

    job: FileJob
    text: str
    tree: ast.Module
    findings: tuple[Finding, ...] = ()


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


_STATEMENTS: frozenset[type[cst.CSTNode]] = frozenset(
    {cst.SimpleStatementLine, *(c for c in vars(cst).values() if isinstance(c, type) and issubclass(c, cst.BaseCompoundStatement))}
)


_Method = Callable[[cst.CSTNode], Any]
#: per node type: visit methods, child fields, leave methods, is a statement,
#: the name table's handler, whether the name table leaves a scope there,
#: whether its span may come from ast (calls and import aliases are listed)
_Plan = tuple[tuple[_Method, ...], "tuple[str, ...] | None", tuple[_Method, ...], bool, Any, bool, bool]


def _subclasses(base: type) -> set[type]:
    out: set[type] = set()
    pending = [base]
    while pending:
        sub: type
        for sub in pending.pop().__subclasses__():
            if sub not in out:
                out.add(sub)
                pending.append(sub)
    return out


#: every concrete libcst node class (a set lookup instead of an ABC isinstance)
_NODE_TYPES: frozenset[type] = frozenset(
    cls for cls in _subclasses(cst.CSTNode) if cls.__module__.startswith("libcst.")
)


@cache
def _visitor_names(cls: type) -> tuple[tuple[str, type[cst.CSTNode], str | None, bool], ...]:
    """(method name, node type, attribute, is_leave) of every visitor method a class overrides."""
    out = []
    for name in dir(cls):
        if not name.startswith(("visit_", "leave_")):
            continue
        function = getattr(cls, name, None)
        if function is None or getattr(function, "_is_no_op", False) or not callable(function):
            continue
        leave = name.startswith("leave_")
        rest = name[6:]
        type_name, _, attribute = rest.partition("_")
        node_type = getattr(cst, type_name, None)
        if not isinstance(node_type, type) or not issubclass(node_type, cst.CSTNode):
            continue
        out.append((name, node_type, attribute or None, leave))
    return tuple(out)


_FIELD = re.compile(r'visit_\w+\(\s*self,\s*"(\w+)"')


@cache
def _child_fields(node_type: type[cst.CSTNode]) -> tuple[str, ...] | None:
    """The fields holding children, in the order libcst's traversal visits them.

    Read from the node class's own ``_visit_and_replace_children``; None when
    that source is not available (then ``node.children`` is used).
    """
    if issubclass(node_type, BaseLeaf):
        return ()  # no children
    try:
        source = inspect.getsource(node_type._visit_and_replace_children)
    except (OSError, TypeError):
        return None
    names = {f.name for f in dataclasses.fields(node_type)}
    order = [name for name in dict.fromkeys(_FIELD.findall(source)) if name in names]
    if not order and names and "return" in source and "visit_" in source:
        return None
    return tuple(order)


class _Traversal:
    """One batched traversal: every visitor's methods, dispatched by node type.

    libcst's ``visit_batched`` rebuilds its method table with ``inspect`` for
    every file and formats a method name for every node; here the table is
    built from per-class caches and keyed by the node's class. Along the way
    the traversal keeps the file's statement stack and name table, and maps
    every node to its innermost statement (the unit whose code is generated
    when one of its nodes needs a position) and every statement to the
    top-level statement holding it.
    """

    def __init__(self, visitors: list[cst.BatchableCSTVisitor], ctx: FileContext) -> None:
        self.ctx = ctx
        self.visits: dict[type, list[_Method]] = {}
        self.leaves: dict[type, list[_Method]] = {}
        for visitor in visitors:
            for name, node_type, attribute, leave in _visitor_names(type(visitor)):
                if attribute is not None:
                    raise TypeError(
                        f"{type(visitor).__name__}.{name}: attribute-level visitor methods are not "
                        "supported by the per-file traversal; use visit_/leave_<Node>"
                    )
                (self.leaves if leave else self.visits).setdefault(node_type, []).append(getattr(visitor, name))

    def walk(self, module: cst.Module) -> None:
        """Visit every node in libcst's order without rebuilding the tree.

        ``CSTNode.visit`` reconstructs (and re-validates) every node even for a
        read-only visitor; this walk reads the children in the order libcst's
        own traversal visits them and costs a quarter as much. The per-type
        work is looked up once per node type: a plugin file has hundreds of
        thousands of nodes and a few dozen types.
        """
        ctx = self.ctx
        names = ctx.names
        statements, tops, outer, expr_nodes = ctx.statements, ctx.tops, ctx.outer, ctx.expr_nodes
        plans: dict[type, _Plan] = {}
        node_types = _NODE_TYPES

        def walk(node: cst.CSTNode) -> None:
            kind = type(node)
            plan = plans.get(kind)
            if plan is None:
                plan = plans[kind] = self._plan(kind)
            visits, fields, leaves, statement, named, scoped, expression = plan
            if statement:
                statements.append(node)
                outer[id(node)] = statements[0]
            if statements:
                tops[id(node)] = statements[-1]
                if expression:
                    key = id(statements[0])
                    found = expr_nodes.get(key)
                    if found is None:
                        expr_nodes[key] = [node]
                    else:
                        found.append(node)
            if named is not None:
                named(names, node)
            for method in visits:
                method(node)
            if fields is None:
                for child in node.children:
                    walk(child)
            else:
                for name in fields:
                    value = getattr(node, name)
                    if type(value) in node_types:
                        walk(value)
                    elif type(value) is list or type(value) is tuple:
                        for item in value:
                            if type(item) in node_types:
                                walk(item)
            for method in leaves:
                method(node)
            if scoped:
                names.after_leave(node)
            if statement:
                statements.pop()

        walk(module)

    def _plan(self, kind: type) -> _Plan:
        """What the walk does at a node of type ``kind``."""
        return (
            tuple(self.visits.get(kind, ())),
            _child_fields(kind),
            tuple(self.leaves.get(kind, ())),
            kind in _STATEMENTS,
            before_handler(kind),
            kind in SCOPED_NODES,
            kind in _EXPR_SHORTCUT,
        )


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


_VALIDATION_LOCK = threading.Lock()


def _no_validation(self: cst.CSTNode) -> None:
    """Stands in for ``CSTNode.__post_init__`` while a checked source is parsed."""


def _parse(text: str, *, validated: bool) -> cst.Module:
    """libcst's parse; without its per-node validation when CPython already accepted ``text``.

    Every node libcst's parser builds re-checks its own fields (whitespace
    patterns, parentheses, operator spacing) in ``__post_init__``: about a
    sixth of the parse. For source CPython has parsed, the nodes come from
    valid code and the checks cannot fail, so they are skipped (libcst's own
    comment on ``__post_init__`` suggests it). Source only libcst accepts (a
    newer grammar than the running Python's) is parsed with the checks.
    """
    if not validated:
        return cst.parse_module(text)
    with _VALIDATION_LOCK:
        post_init = cst.CSTNode.__dict__["__post_init__"]
        cst.CSTNode.__post_init__ = _no_validation  # type: ignore[method-assign]
        try:
            return cst.parse_module(text)
        finally:
            cst.CSTNode.__post_init__ = post_init  # type: ignore[method-assign]


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
        module = _parse(text, validated=tree is not None)
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
    ctx = FileContext(module, job.path, job.module_name, job.package, job.is_package, tree, text)
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, 20_000))
    try:
        ctx.names.prebind_module(module)
        rules: list[SourceRule] = [cls(ctx) for cls in load_source_rules()]
        collectors = [cls(ctx) for cls in COLLECTORS.values()]
        _Traversal([*rules, *collectors], ctx).walk(module)
        for rule in rules:
            rule.finish()
        for coll in collectors:
            facts[coll.key] = coll.result()
        if tree is not None:
            facts["guards"] = guards_of(tree)
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
        hook_input = HookInput(job, text, tree, tuple(findings))
        for hook in FILE_HOOKS:
            try:
                findings.extend(hook(hook_input))
            except Exception as exc:  # pragma: no cover - defensive
                findings.append(
                    _finding(AnalysisFailed, Span(job.path), f"analysis failed: {type(exc).__name__}: {exc}")
                )
    findings.sort(key=Finding.sort_key)
    return FileOutcome(job.path, digest, tuple(findings), facts, suppressions)


__all__ = ["FILE_HOOKS", "FileJob", "FileOptions", "HookInput", "analyse_file"]
