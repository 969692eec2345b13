"""bandit's own checks, run in this process on source already in memory.

The bandit command line discovers files, reads each from disk, tokenizes it for
``# nosec`` comments and hands it to a ``BanditNodeVisitor`` that runs every
test of a ``BanditTestSet``. This module keeps only the last two steps:

* bandit is imported lazily, the first time a check runs or the test list is
  asked for; a run that never calls bandit never pays for it;
* the ``BanditConfig`` is built once per process, and one ``BanditTestSet`` per
  distinct set of skipped ids (a skipped test is not in the set, so it never
  runs);
* per file: ``# nosec`` comments are collected exactly as bandit's manager does
  (with bandit's own comment parser, and only when the text contains
  ``nosec`` at all), then bandit's visitor parses and checks the source (a
  visitor trimmed to the nodes bandit's tests check, which calls a test only
  on the nodes it can report on: ``bandit_visitor.py``, ``bandit_gates.py``).

Two pieces of bandit's global state are handled here. Building a test set
stores the filtered blacklist data (B3xx/B4xx) on the module-level
``bandit.core.blacklisting.blacklist`` function, so a second test set would
silently change the first one's blacklist: each cached set gets its own bound
copy and the function's attributes are restored. And bandit logs warnings
(unknown ``# nosec`` ids, ``nosec`` matching nothing, internal errors of a
test): while a check runs, records from bandit's loggers are dropped by a
filter, so nothing reaches stderr through logging's last-resort handler; no
logger level, handler or propagation flag is changed. Warnings the compiler
emits while bandit parses (invalid escape sequences) are ignored for the
duration of the check. Importing bandit replaces ``warnings.formatwarning``;
the original is put back.

Nothing here raises for bad input: source bandit cannot parse gives ``[]``
(mbcheck reports syntax errors itself).
"""

from __future__ import annotations

import ast
import contextlib
import contextvars
import inspect
import io
import logging
import re
import sys
import threading
import tokenize
import warnings
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from types import ModuleType
from typing import Any

from mbcheck.checks.security.bandit_visitor import cannot_match, fast_visitor

__all__ = ["BanditIssue", "bandit_blacklist_severities", "bandit_tests", "bandit_version", "run_bandit"]

_SEVERITY = {"HIGH": "error", "MEDIUM": "warning", "LOW": "info"}
_CONFIDENCE = {"HIGH": "high", "MEDIUM": "medium", "LOW": "low"}
#: tests that report a 1-based character column instead of ast's byte offset
_ONE_BASED_COLUMNS = frozenset({"B613"})
_NEWLINE = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True, slots=True)
class BanditIssue:
    """One bandit finding. Lines and columns are 1-based; ``end_col`` is exclusive.

    ``severity`` is ``error`` / ``warning`` / ``info`` (bandit's HIGH / MEDIUM /
    LOW), ``confidence`` is ``high`` / ``medium`` / ``low``. ``test_name`` is the
    name ``bandit -h`` lists (for blacklist tests the entry's name, e.g.
    ``pickle``, where bandit's own report says ``blacklist``). Columns count
    characters; the end is bandit's best guess (the end of the node it visited,
    or the end of the line when it has none).
    """

    test_id: str
    test_name: str
    severity: str
    confidence: str
    cwe: int | None
    text: str
    line: int
    col: int
    end_line: int
    end_col: int
    #: the line of a ``# nosec`` comment that silences it (only with ``keep_nosec``)
    nosec_line: int | None = None


# --------------------------------------------------------------------------
# Quiet bandit: a filter on bandit's loggers that drops records while a check
# of ours runs (per thread / task), and is a no-op otherwise.

_QUIET: contextvars.ContextVar[bool] = contextvars.ContextVar("mbcheck_bandit_quiet", default=False)


class _DropWhileQuiet(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not _QUIET.get()


_FILTER = _DropWhileQuiet()
_LOCK = threading.RLock()


def _silence(prefixes: tuple[str, ...]) -> None:
    for name, logger in list(logging.Logger.manager.loggerDict.items()):
        if (
            isinstance(logger, logging.Logger)
            and name.split(".", 1)[0] in prefixes
            and _FILTER not in logger.filters
        ):
            logger.addFilter(_FILTER)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    token = _QUIET.set(True)
    try:
        yield
    finally:
        _QUIET.reset(token)


# --------------------------------------------------------------------------
# Lazy access to bandit.


@dataclass(frozen=True, slots=True)
class _Bandit:
    version: str
    extensions: Any
    config_module: ModuleType
    test_set_module: ModuleType
    node_visitor_module: ModuleType
    metrics_module: ModuleType
    meta_ast_module: ModuleType
    blacklist: Any
    parse_nosec_comment: Callable[[str], set[str] | None]


def _no_entry_point_cache() -> None:
    """Keep stevedore (bandit's plugin loader) from writing its cache to the user's home.

    mbcheck writes nothing but its own report and cache; a read-only check must
    not leave files behind in ``~/.cache``.
    """
    try:
        from stevedore import _cache

        _cache._c._disable_caching = True
    except (ImportError, AttributeError):  # a stevedore without that cache
        pass


@cache
def _bandit() -> _Bandit:
    with _LOCK, _quiet(), warnings.catch_warnings():
        # stevedore warns about an argument bandit passes; not ours to show
        warnings.simplefilter("ignore")
        import stevedore.extension  # noqa: F401  (bandit's plugin loader: silence it first)
        _no_entry_point_cache()

        _silence(("stevedore",))
        formatwarning = warnings.formatwarning
        try:
            import bandit
            from bandit.core import (
                blacklisting,
                extension_loader,
                manager,
                meta_ast,
                metrics,
                node_visitor,
                test_set,
            )
            from bandit.core import config as config_module
        finally:
            warnings.formatwarning = formatwarning
        _silence(("bandit", "stevedore"))
    return _Bandit(
        version=str(getattr(bandit, "__version__", "")),
        extensions=extension_loader.MANAGER,
        config_module=config_module,
        test_set_module=test_set,
        node_visitor_module=node_visitor,
        metrics_module=metrics,
        meta_ast_module=meta_ast,
        blacklist=blacklisting.blacklist,
        parse_nosec_comment=manager._parse_nosec_comment,
    )


def bandit_version() -> str:
    """The version of the bandit whose checks run (part of any result cache key)."""
    return _bandit().version


@cache
def _config() -> Any:
    """bandit's default configuration (no config file), once per process."""
    with _LOCK, _quiet():
        return _bandit().config_module.BanditConfig()


class _BoundBlacklist:
    """bandit's blacklist test (B001) bound to one test set's blacklist data.

    bandit's tester calls ``test(context, test._config)`` and reads
    ``test.__name__`` and ``test._test_id``; this object answers all three
    without touching the shared function. For a call, bandit's test compares
    the call's qualified name with every name of every blacklist entry (and an
    import's names with every prefix); here a call whose name no entry lists,
    or an import none of whose names starts with a listed prefix, is answered
    from a set or one ``startswith``, and every other node (``__import__``,
    ``importlib.import_module``, a listed name) goes to bandit's test, which
    finds the entry and builds the result.
    """

    __name__ = "blacklist"
    _test_id = "B001"
    #: calls whose blacklisted name is their first argument, not their own
    _IMPORTERS = frozenset({"importlib.import_module", "importlib.__import__"})

    def __init__(self, func: Callable[..., Any], config: Any) -> None:
        self._func = func
        self._config = config
        self._checks = tuple(config)
        calls = config.get("Call") if isinstance(config, dict) else None
        self._call_names: frozenset[str] | None = None
        if isinstance(calls, list):
            self._call_names = frozenset(qn for check in calls for qn in check["qualnames"])
        #: import node type -> every listed prefix (bandit's test matches ``startswith``)
        self._import_prefixes: dict[str, tuple[str, ...]] = {}
        for node_type in ("Import", "ImportFrom"):
            checks = config.get(node_type) if isinstance(config, dict) else None
            if isinstance(checks, list):
                prefixes = tuple(qn for check in checks for qn in check["qualnames"])
                if all(isinstance(qn, str) for qn in prefixes):
                    self._import_prefixes[node_type] = prefixes

    def __call__(self, context: Any, config: Any) -> Any:
        node = context.node
        if config is not self._config:
            return self._func(context, config)
        if self._call_names is not None and type(node) is ast.Call:
            func = node.func
            name = context.call_function_name_qual
            if (
                not (isinstance(func, ast.Name) and func.id == "__import__")
                and isinstance(name, str)
                and name not in self._IMPORTERS
                and name not in self._call_names
            ):
                return None
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            prefixes = self._import_prefixes.get(type(node).__name__)
            if prefixes is not None:
                module = node.module if isinstance(node, ast.ImportFrom) else None
                prefix = "" if module is None else module + "."
                if not any((prefix + alias.name).startswith(prefixes) for alias in node.names):
                    return None
        return self._func(context, config)


@lru_cache(maxsize=32)
def _test_set(skip: frozenset[str]) -> Any:
    """A ``BanditTestSet`` of every available test except ``skip``."""
    b = _bandit()
    config = _config()
    shared = b.blacklist
    names = ("_test_id", "_checks", "_config")
    with _LOCK, _quiet():
        saved = {name: getattr(shared, name) for name in names if hasattr(shared, name)}
        try:
            tests = b.test_set_module.BanditTestSet(
                config, {"include": set(), "exclude": set(skip)}
            )
            bound: _BoundBlacklist | None = None
            for check, functions in tests.tests.items():
                if shared in functions:
                    if bound is None:
                        bound = _BoundBlacklist(shared, shared._config)
                    tests.tests[check] = [bound if f is shared else f for f in functions]
        finally:
            for name in names:
                if name in saved:
                    setattr(shared, name, saved[name])
                elif hasattr(shared, name):
                    delattr(shared, name)
    return tests


# --------------------------------------------------------------------------
# The test list.

_HEADING_MARKUP = re.compile(r"^\*\*|\*\*$")
_HEADING = re.compile(r"^(?:\*\*)?B(\d+)(?:\s*-\s*B(\d+))?\s*:")
_UNDERLINE = re.compile(r"^([=\-~^*+#])\1+$")


def _heading_covers(line: str, test_id: str) -> bool:
    """Whether ``line`` is a heading ``Bnnn: ...`` or ``Bnnn - Bmmm: ...`` covering ``test_id``."""
    match = _HEADING.match(line.strip())
    if match is None:
        return False
    first, last = match.group(1), match.group(2) or match.group(1)
    return int(first) <= int(test_id[1:]) <= int(last)


@cache
def _clean_lines(doc: str) -> tuple[str, ...]:
    """A docstring's lines, cleaned once (a blacklist module's doc is searched for each of its tests)."""
    return tuple(inspect.cleandoc(doc).splitlines())


def _first_paragraph(doc: str | None, test_id: str, *, section: bool = False) -> str:
    """The prose after the heading of ``test_id`` in a docstring.

    Only the first paragraph, or with ``section`` every paragraph up to the
    first table, directive or example (blacklist sections are short).
    """
    if not doc or not test_id[1:].isdigit():
        return ""
    lines = _clean_lines(doc)
    start = next((i for i, line in enumerate(lines) if _heading_covers(line, test_id)), None)
    if start is None:
        return ""
    title = _HEADING_MARKUP.sub("", lines[start].strip()).split(":", 1)[-1].strip()
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines[start + 1 :]:
        text = line.strip()
        if not paragraphs and not current and (not text or _UNDERLINE.match(text)):
            continue
        if text.startswith((":", "..", "+", "|", ">>")) or _HEADING.match(text):
            break
        if text:
            current.append(text)
            continue
        if current:
            paragraphs.append(" ".join(current))
            current = []
            if not section:
                break
    if current:
        paragraphs.append(" ".join(current))
    found = " ".join(paragraphs).replace("``", "`").replace("\\*", "*")
    return found or title


def _module_doc(obj: Any) -> str | None:
    module = sys.modules.get(getattr(obj, "__module__", "") or "")
    return None if module is None else module.__doc__


@cache
def _tests_table() -> tuple[tuple[str, str, str], ...]:
    b = _bandit()
    extensions = b.extensions
    rows: dict[str, tuple[str, str, str]] = {}
    for plugin in extensions.plugins:
        func = plugin.plugin
        test_id = str(func._test_id)
        doc = _first_paragraph(func.__doc__, test_id) or _first_paragraph(
            _module_doc(func), test_id
        )
        rows[test_id] = (test_id, str(plugin.name), doc)
    blacklist_docs = [_module_doc(item.plugin) for item in extensions.blacklists_mgr]
    for test_id, entry in extensions.blacklist_by_id.items():
        doc = ""
        for module_doc in blacklist_docs:
            doc = _first_paragraph(module_doc, test_id, section=True)
            if doc:
                break
        if not doc:
            doc = str(entry.get("message", "")).replace("{name}", "this name")
        rows[str(test_id)] = (str(test_id), str(entry["name"]), doc)
    return tuple(rows[key] for key in sorted(rows))


def bandit_tests() -> list[tuple[str, str, str]]:
    """``(test_id, name, first paragraph of its doc)`` for every bandit test installed.

    Plugin tests (B1xx, B5xx, B6xx, ...) and blacklist entries (B3xx, B4xx),
    sorted by id; the same list ``bandit -h`` prints. Nothing is downloaded.
    """
    return list(_tests_table())


def bandit_blacklist_severities() -> dict[str, str]:
    """Blacklist test id -> the severity bandit gives its findings (``error``/``warning``/``info``).

    Only blacklist tests (B3xx, B4xx) have one fixed severity; plugin tests
    decide per finding.
    """
    out: dict[str, str] = {}
    for test_id, entry in _bandit().extensions.blacklist_by_id.items():
        level = _SEVERITY.get(str(entry.get("level", "")))
        if level is not None:
            out[str(test_id)] = level
    return out


@cache
def _blacklist_names() -> dict[str, str]:
    return {
        str(test_id): str(entry["name"])
        for test_id, entry in _bandit().extensions.blacklist_by_id.items()
    }


# --------------------------------------------------------------------------
# Running.


def _nosec_lines(
    source: str | bytes, parse: Callable[[str], set[str] | None]
) -> dict[int, set[str]]:
    """Line -> tests its ``# nosec`` comment names (empty: all), as bandit's manager builds it."""
    if isinstance(source, bytes):
        if b"nosec" not in source:
            return {}
        tokens = tokenize.tokenize(io.BytesIO(source).readline)
    else:
        if "nosec" not in source:
            return {}
        tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    lines: dict[int, set[str]] = {}
    try:
        for token in tokens:
            if token.type == tokenize.COMMENT:
                tests = parse(token.string)
                if tests is not None:
                    lines[token.start[0]] = tests
    except tokenize.TokenError:
        pass
    return lines


class _Lines:
    """The source's lines as text, decoded only when a column needs converting."""

    def __init__(self, source: str | bytes) -> None:
        self._source = source
        self._lines: list[str] | None = None

    def get(self, line: int) -> str:
        if self._lines is None:
            source = self._source
            if isinstance(source, bytes):
                try:
                    encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
                    text = source.decode(encoding, errors="replace")
                except (SyntaxError, LookupError):
                    text = source.decode("utf-8", errors="replace")
                text = text.removeprefix("\ufeff")
            else:
                text = source
            self._lines = _NEWLINE.split(text)
        if 1 <= line <= len(self._lines):
            return self._lines[line - 1]
        return ""

    def column(self, line: int, byte_offset: int) -> int:
        """0-based character column of a UTF-8 byte offset into ``line``."""
        text = self.get(line)
        if text.isascii():
            return byte_offset
        return len(text.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))


def _issue(result: Any, lines: _Lines) -> BanditIssue:
    test_id = str(result.test_id)
    line = max(1, int(result.lineno or 1))
    col_offset = max(0, int(result.col_offset))
    linerange = [int(n) for n in (result.linerange or ())]
    end_line = max([line, *linerange])
    if test_id in _ONE_BASED_COLUMNS:
        col = max(1, col_offset)
        end_line, end_col = line, col + 1
    else:
        col = lines.column(line, col_offset) + 1
        end_offset = int(result.end_col_offset or 0)
        if end_offset > 0:
            end_col = lines.column(end_line, end_offset) + 1
        else:
            end_line, end_col = line, len(lines.get(line)) + 1
        if (end_line, end_col) <= (line, col):
            end_line, end_col = line, max(col + 1, len(lines.get(line)) + 1)
    cwe = getattr(result.cwe, "id", 0)
    test_name = _blacklist_names().get(test_id) or str(result.test)
    return BanditIssue(
        test_id=test_id,
        test_name=test_name,
        severity=_SEVERITY.get(str(result.severity), "info"),
        confidence=_CONFIDENCE.get(str(result.confidence), "low"),
        cwe=int(cwe) if cwe else None,
        text=str(result.text),
        line=line,
        col=col,
        end_line=end_line,
        end_col=end_col,
        nosec_line=getattr(result, "mbcheck_nosec", None),
    )


def _run(
    source: str | bytes, filename: str, skip: frozenset[str], tree: ast.Module | None = None, keep_nosec: bool = False
) -> list[BanditIssue]:
    b = _bandit()
    tests = _test_set(skip)
    data = source.encode("utf-8") if isinstance(source, str) else source
    with _quiet(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nosec_lines = _nosec_lines(source, b.parse_nosec_comment)
        metrics = b.metrics_module.Metrics()
        metrics.begin(filename)
        visitor = fast_visitor(b.node_visitor_module.BanditNodeVisitor, frozenset(tests.tests))(
            filename,
            io.BytesIO(data),
            b.meta_ast_module.BanditMetaAst(),
            tests,
            False,
            nosec_lines,
            metrics,
        )
        visitor.tester.cannot_match = cannot_match(source)
        visitor.tester.keep_nosec = keep_nosec
        if tree is None:
            visitor.process(source)
        else:
            # what BanditNodeVisitor.process does, on the tree mbcheck already parsed
            visitor.generic_visit(tree)
            visitor.context = {
                "file_data": visitor.fdata,
                "filename": visitor.fname,
                "lineno": 0,
                "linerange": [0, 1],
                "col_offset": 0,
            }
            visitor.update_scores(visitor.tester.run_tests(visitor.context, "File"))
        results = list(visitor.tester.results)
    lines = _Lines(source)
    issues = [_issue(result, lines) for result in results]
    issues.sort(key=lambda i: (i.line, i.col, i.test_id, i.text))
    return issues


def run_bandit(
    source: str | bytes,
    filename: str,
    *,
    skip: Collection[str] = (),
    tree: ast.Module | None = None,
    keep_nosec: bool = False,
) -> list[BanditIssue]:
    """bandit's findings for one file's source, sorted by position.

    ``source`` is the file's content (bytes are decoded as Python does, coding
    cookie included; prefer them to text). ``filename`` is only what bandit's
    tests see as the file name (B101's path exclusions match it); the file is
    not read. ``skip`` holds bandit test ids that must not run (``B001`` skips
    every blacklist test). ``# nosec`` and ``# nosec B602, eval`` comments are
    honoured as bandit honours them; with ``keep_nosec`` the results they silence
    are kept, each with its comment's line in ``nosec_line``. Never raises: source bandit cannot parse,
    or an internal bandit failure, gives ``[]``. ``tree``, the file's ``ast``
    tree when the caller already parsed it, saves bandit a second parse (bandit
    annotates its nodes: pass a tree nothing else will read afterwards).
    """
    try:
        return _run(source, filename, frozenset(str(s).strip().upper() for s in skip), tree, keep_nosec)
    except Exception:
        return []
