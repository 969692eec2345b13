"""Reading a Python file safely: decode it, guard the native parser, parse it once.

CPython's ``ast`` parses first: it is cheap, it refuses pathological nesting
without crashing, and its tree serves bandit and the position shortcuts.
libcst then parses what CPython accepted (or newer syntax it does not know)
into the tree every rule and collector reads.
"""

from __future__ import annotations

import ast
import io
import re
import threading
import tokenize
import warnings

import libcst as cst

from mbcheck.model import Finding, Span
from mbcheck.pyfile.jobs import FileJob
from mbcheck.rules.core import SyntaxErrorRule, TooDeeplyNested

#: CPython's own parser gives up beyond these; libcst's native parser would
#: crash the process on such input, so the guard refuses it first.
_NESTING_MESSAGES = ("too many nested parentheses", "too many statically nested blocks")
MAX_BRACKET_DEPTH = 200
MAX_OPERATOR_RUN = 1000


def _line_col_of_offset(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    return line, offset - start + 1


def decode_source(job: FileJob) -> tuple[str | None, Finding | None]:
    data = job.data
    if b"\x00" in data:
        line, col = _line_col_of_offset(data, data.index(b"\x00"))
        return None, SyntaxErrorRule.finding(Span(job.path, line, col), "file contains NUL bytes: not Python source")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        encoding = "utf-8"  # an undecodable first line: the decode below says where
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        start = exc.start if isinstance(exc, UnicodeDecodeError) else 0
        line, col = _line_col_of_offset(data, start)
        return None, SyntaxErrorRule.finding(
            Span(job.path, line, col),
            f"file is not valid {encoding}: cannot decode byte at line {line}, column {col}",
        )
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, None


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
            return None, TooDeeplyNested.finding(Span(path), "file is nested too deeply to analyse safely")
        except SyntaxError as exc:
            if any(m in (exc.msg or "") for m in _NESTING_MESSAGES):
                return None, TooDeeplyNested.finding(Span(path, exc.lineno or 1, exc.offset or 1), f"not analysed: {exc.msg}"
                )
        except ValueError:
            pass
    # CPython 3.11 rejects newer syntax; libcst may still parse it. Make sure
    # the file cannot crash the native parser before handing it over.
    problem = _nesting_problem(text)
    if problem is not None:
        return None, TooDeeplyNested.finding(Span(path), f"not analysed: {problem}")
    return None, None


def cpython_syntax_error(text: str, path: str) -> tuple[Span, str] | None:
    """CPython's own ``SyntaxError`` for ``text`` (its message, at its position), or None when it parses.

    Used when libcst rejects a file CPython rejected too: CPython's message is
    the one the host's import would raise (``'(' was never closed``, a TabError
    on the line that mixes tabs and spaces), at the place it names.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ast.parse(text, filename=path)
        except SyntaxError as exc:  # IndentationError and TabError too
            line = max(exc.lineno or 1, 1)
            column = max(exc.offset or 1, 1)
            end_line = exc.end_lineno or line
            end_column = exc.end_offset or 0
            if (end_line, end_column) <= (line, column):
                end_line, end_column = line, column
            return Span(path, line, column, end_line, end_column), exc.msg or "invalid syntax"
        except (ValueError, RecursionError, MemoryError):
            return None
    return None


_AT = re.compile(r"^(?:parser error: )?error at (\d+):(\d+): ")


def syntax_error(path: str, exc: cst.ParserSyntaxError) -> tuple[Span, str]:
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


def libcst_parse(text: str, *, validated: bool) -> cst.Module:
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
