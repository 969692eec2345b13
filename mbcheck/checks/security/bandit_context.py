"""bandit's results judged in their context: what bandit's pattern cannot see.

bandit matches one node at a time. Several of its tests then report honest
code: a ``/tmp`` string that is only compared or listed (B108), a SHA-1 used
as a cache key (B324), ``urlopen(url)`` right after the function checked that
``url`` is ``http(s)://`` or of a constant ``https://`` address (B310), ``import Crypto`` that pycryptodome
provides (B413), any function named ``extra`` outside Django (B610). The
per-file bandit hook asks :func:`judge` about each result of these tests, on
the file's ``ast`` tree, and drops it or lowers it to ``info`` with the
reason :func:`judge` gives. Every other test's results are kept as they are.

The judgements are conservative: a result is kept whenever the code does
something the rule cannot follow (a value stored in an attribute, passed on
to an unknown function that might create a file, a guard in another function).
This module imports no libcst and no bandit.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

__all__ = ["JUDGED", "Judgement", "TreeIndex", "judge"]

#: what happens to a result: dropped, or kept at info severity
Action = Literal["drop", "info"]


@dataclass(frozen=True, slots=True)
class Judgement:
    """What to do with one bandit result, and why (the reason is added to the message)."""

    action: Action
    reason: str


#: bandit tests :func:`judge` looks at (the hook asks about no other)
JUDGED = frozenset({"B108", "B310", "B324", "B413", "B610", "B611", "B701", "B703", "B704", "B308"})

#: temporary directories bandit's B108 matches by default
_TMP_PREFIXES = ("/tmp", "/var/tmp", "/dev/shm")

#: calls (last name) that create, open or write a file or directory at a path argument
_CREATES = frozenset({
    "open", "mkdir", "makedirs", "mkstemp", "mkdtemp", "NamedTemporaryFile", "TemporaryFile",
    "SpooledTemporaryFile", "TemporaryDirectory", "write_text", "write_bytes", "touch", "copy", "copy2",
    "copyfile", "copytree", "move", "rename", "renames", "replace", "symlink", "symlink_to", "hardlink_to",
    "link", "chmod", "chown", "mkfifo", "mknod", "FileHandler", "RotatingFileHandler",
    "TimedRotatingFileHandler", "WatchedFileHandler", "basicConfig", "extract", "extractall",
    "unpack_archive", "make_archive", "ZipFile", "TarFile", "connect", "savefig", "save", "dump",
    "to_csv", "to_json", "to_parquet", "to_pickle", "urlretrieve", "chdir", "mount", "bind",
    # a process may create anything at a path it is given
    "run", "call", "check_call", "check_output", "Popen", "system", "popen", "spawnv", "execv", "execvp",
})

#: calls that only build a path from their arguments: the path's use is what matters
_PATH_BUILDERS = frozenset({
    "Path", "PurePath", "PosixPath", "PurePosixPath", "join", "joinpath", "fspath", "str", "abspath",
    "realpath", "normpath", "expanduser", "resolve", "with_name", "with_suffix", "format",
})

#: words (parts of identifiers) that say a digest protects something
_SECURITY_WORDS = frozenset({
    "password", "passwd", "pwd", "passphrase", "secret", "token", "signature", "sign", "signed", "signing",
    "hmac", "mac", "auth", "authenticate", "authentication", "credential", "credentials", "salt", "otp",
    "session", "cookie", "csrf", "verify", "verification", "integrity", "checksum", "tamper", "cert",
    "certificate", "fingerprint", "license", "crypt", "encrypt", "decrypt", "cipher",
})

#: words that name a change-detection digest: security only when the function compares it
_CHANGE_WORDS = frozenset({"checksum"})


def _compares(scope: ast.AST) -> bool:
    """Whether a function compares values (``==``, ``!=``, ``hmac.compare_digest``)."""
    for node in ast.walk(scope):
        if isinstance(node, ast.Compare) and any(isinstance(op, (ast.Eq, ast.NotEq)) for op in node.ops):
            return True
        if isinstance(node, ast.Call) and "compare_digest" in ast.unparse(node.func):
            return True
    return False


#: bandit tests about escaping HTML output: a weakness of the pages a plugin renders
_HTML_ESCAPING = frozenset({"B308", "B701", "B703", "B704"})

_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_SCHEMES = frozenset({"http", "https"})
_SCHEME_PREFIXES = ("http://", "https://")


class TreeIndex:
    """Parents of an ``ast`` tree's nodes and the nodes of each line, built once per file on first need."""

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self._parents: dict[int, ast.AST] | None = None
        self._lines: dict[int, list[ast.AST]] | None = None

    def parent(self, node: ast.AST) -> ast.AST | None:
        """The node ``node`` is a child of (None for the module). bandit's walk has marked
        each node of a tree it checked with its parent (``_bandit_parent``); a tree it
        has not walked gets a table of parents built on first need."""
        if node is self.tree:
            return None
        marked = getattr(node, "_bandit_parent", None)
        if marked is not None:
            return marked  # type: ignore[no-any-return]
        if self._parents is None:
            self._parents = {
                id(child): node for node in ast.walk(self.tree) for child in ast.iter_child_nodes(node)
            }
        return self._parents.get(id(node))

    def ancestors(self, node: ast.AST) -> Iterator[ast.AST]:
        current = self.parent(node)
        while current is not None:
            yield current
            current = self.parent(current)

    def scope(self, node: ast.AST) -> ast.AST:
        """The function (or module) ``node`` runs in."""
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                return ancestor
        return self.tree

    def at_line(self, line: int, kind: type[ast.AST] | tuple[type[ast.AST], ...]) -> list[ast.AST]:
        """The nodes of ``kind`` starting on ``line``, in ``ast.walk`` order (one walk per file, not per call)."""
        if self._lines is None:
            self._lines = {}
            for node in ast.walk(self.tree):
                start = getattr(node, "lineno", None)
                if start is not None:
                    self._lines.setdefault(start, []).append(node)
        return [n for n in self._lines.get(line, ()) if isinstance(n, kind)]


def _last_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return None if base is None else f"{base}.{node.attr}"
    return None


def judge(test_id: str, line: int, index: TreeIndex) -> Judgement | None:
    """What to do with bandit's ``test_id`` result at ``line``, or None to keep it as it is."""
    if test_id == "B108":
        return _temp_path(line, index)
    if test_id == "B324":
        return _weak_hash(line, index)
    if test_id == "B310":
        return _url_scheme(line, index)
    if test_id == "B413":
        return _pycrypto(line, index)
    if test_id in ("B610", "B611"):
        return _django_sql(index)
    if test_id in _HTML_ESCAPING:
        return Judgement("info", "HTML escaping of the pages the plugin renders: a weakness of its output, "
                                 "not something the plugin does to the host; review it if the plugin serves HTML")
    return None


# --------------------------------------------------------------------------
# B108: a temporary directory in a literal


def _path_use(node: ast.AST, index: TreeIndex) -> tuple[str, ast.AST]:
    """How the path value ``node`` is used, through the calls that only build paths:
    ``creates`` / ``reads`` (a call that does or does not create there), ``stored``
    (a name, to follow), ``other`` (kept: an attribute, a return, a default)."""
    current = node
    while True:
        parent = index.parent(current)
        if parent is None:
            return "other", current
        if isinstance(parent, (ast.JoinedStr, ast.FormattedValue, ast.BinOp, ast.IfExp, ast.BoolOp, ast.Starred,
                               ast.List, ast.Tuple, ast.Set)):
            current = parent
            continue
        if isinstance(parent, ast.keyword):
            call = index.parent(parent)
            if isinstance(call, ast.Call):
                name = _last_name(call.func)
                if name in _PATH_BUILDERS:
                    current = call
                    continue
                return ("creates" if name in _CREATES or parent.arg == "dir" else "reads"), call
            return "other", parent
        if isinstance(parent, ast.Call):
            if current is parent.func:
                return "other", parent
            name = _last_name(parent.func)
            if name in _PATH_BUILDERS:
                current = parent
                continue
            return ("creates" if name in _CREATES else "reads"), parent
        if isinstance(parent, ast.Attribute):
            call = index.parent(parent)
            if isinstance(call, ast.Call) and call.func is parent:
                if parent.attr in _PATH_BUILDERS:
                    current = call
                    continue
                return ("creates" if parent.attr in _CREATES else "reads"), call
            return "reads", parent  # `.name`, `.parent`, `.exists` read without a call
        if isinstance(parent, (ast.Compare, ast.Subscript, ast.Assert, ast.comprehension, ast.Dict)) or (
            isinstance(parent, (ast.For, ast.AsyncFor)) and current is parent.iter
        ):
            return "reads", parent
        if isinstance(parent, (ast.Assign, ast.AnnAssign, ast.NamedExpr)):
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            if all(isinstance(t, ast.Name) for t in targets):
                return "stored", parent
        return "other", parent


def _stored_names(statement: ast.AST) -> set[str]:
    if isinstance(statement, ast.Assign):
        return {t.id for t in statement.targets if isinstance(t, ast.Name)}
    if isinstance(statement, (ast.AnnAssign, ast.NamedExpr)) and isinstance(statement.target, ast.Name):
        return {statement.target.id}
    return set()


def _temp_path(line: int, index: TreeIndex) -> Judgement | None:
    literals = [
        n for n in index.at_line(line, ast.Constant)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value.startswith(_TMP_PREFIXES)
    ]
    if not literals:
        return None
    for literal in literals:
        use, where = _path_use(literal, index)
        if use == "stored":
            names = _stored_names(where)
            uses = [
                n for n in ast.walk(index.scope(where))
                if isinstance(n, ast.Name) and n.id in names and isinstance(n.ctx, ast.Load)
            ]
            if any(_path_use(n, index)[0] != "reads" for n in uses):
                return None
        elif use != "reads":
            return None
    return Judgement("drop", "the temporary directory is only compared, listed or read, not created or written")


# --------------------------------------------------------------------------
# B324: MD5 / SHA-1


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


def _weak_hash(line: int, index: TreeIndex) -> Judgement | None:
    calls = index.at_line(line, ast.Call)
    if not calls:
        return None
    call = calls[0]
    if any(k.arg == "usedforsecurity" and isinstance(k.value, ast.Constant) and k.value.value is False
           for c in calls if isinstance(c, ast.Call) for k in c.keywords):
        return Judgement("info", "the digest is declared not for security (usedforsecurity=False)")
    scope = index.scope(call)
    statement = next((a for a in index.ancestors(call) if isinstance(a, ast.stmt)), call)
    context = ast.unparse(statement) if not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) else ""
    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
        context += " " + scope.name
    found = _words(context) & _SECURITY_WORDS
    if found and not (found <= _CHANGE_WORDS and isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef))
                      and not _compares(scope)):
        return None
    return Judgement("info", "the digest is an identifier (a cache key, a file name): nothing in the function "
                             "protects with it; pass usedforsecurity=False to say so")


# --------------------------------------------------------------------------
# B310: urlopen of a constant http(s) URL, or after a check that the URL is http(s)


def _url_names(arg: ast.expr, scope: ast.AST) -> set[str]:
    """The names the URL argument comes from: ``url``, and ``url`` of ``req = Request(url)``."""
    if not isinstance(arg, ast.Name):
        if isinstance(arg, ast.Call) and arg.args and isinstance(arg.args[0], ast.Name):
            return {arg.args[0].id}
        return set()
    names = {arg.id}
    for node in ast.walk(scope):
        if (
            isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == arg.id for t in node.targets)
            and isinstance(node.value, ast.Call) and _last_name(node.value.func) == "Request"
            and node.value.args and isinstance(node.value.args[0], ast.Name)
        ):
            names.add(node.value.args[0].id)
    return names


def _strings(node: ast.expr) -> set[str] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        out: set[str] = set()
        for item in node.elts:
            inner = _strings(item)
            if inner is None:
                return None
            out |= inner
        return out
    return None


def _parsed_names(scope: ast.AST, urls: set[str]) -> set[str]:
    """Names bound to ``urlparse(url)`` / ``urlsplit(url)`` in the function."""
    out: set[str] = set()
    for node in ast.walk(scope):
        if (
            isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
            and _last_name(node.value.func) in ("urlparse", "urlsplit")
            and node.value.args and isinstance(node.value.args[0], ast.Name) and node.value.args[0].id in urls
        ):
            out |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return out


def _is_scheme(node: ast.expr, urls: set[str], parsed: set[str]) -> bool:
    """``urlparse(url).scheme`` or ``parts.scheme`` of ``parts = urlparse(url)``."""
    if not (isinstance(node, ast.Attribute) and node.attr == "scheme"):
        return False
    base = node.value
    if isinstance(base, ast.Name):
        return base.id in parsed
    return (isinstance(base, ast.Call) and _last_name(base.func) in ("urlparse", "urlsplit")
            and bool(base.args) and isinstance(base.args[0], ast.Name) and base.args[0].id in urls)


def _scheme_test(test: ast.expr, urls: set[str], parsed: set[str]) -> bool | None:
    """True when ``test`` holds only for http(s) URLs, False when only for others, None otherwise."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = _scheme_test(test.operand, urls, parsed)
        return None if inner is None else not inner
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        # `a and b` true only for http(s) when one of them is
        return True if any(_scheme_test(v, urls, parsed) is True for v in test.values) else None
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
        return False if any(_scheme_test(v, urls, parsed) is False for v in test.values) else None
    if (
        isinstance(test, ast.Call) and isinstance(test.func, ast.Attribute) and test.func.attr == "startswith"
        and isinstance(test.func.value, ast.Name) and test.func.value.id in urls and len(test.args) == 1
    ):
        prefixes = _strings(test.args[0])
        if prefixes and all(p.lower().startswith(_SCHEME_PREFIXES) for p in prefixes):
            return True
        return None
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and _is_scheme(test.left, urls, parsed):
        values = _strings(test.comparators[0])
        if not values or not {v.lower() for v in values} <= _SCHEMES:
            return None
        op = test.ops[0]
        if isinstance(op, (ast.In, ast.Eq)):
            return True
        if isinstance(op, (ast.NotIn, ast.NotEq)):
            return False
    return None


def _leaves(body: list[ast.stmt]) -> bool:
    """Whether a block always leaves (ends in raise / return / continue / break)."""
    return bool(body) and isinstance(body[-1], (ast.Raise, ast.Return, ast.Continue, ast.Break))


_WEB_SCHEMES = ("http://", "https://")


def _constant_web_url(arg: ast.expr, index: TreeIndex) -> bool:
    """``urlopen("https://...")``, or of a module-level name bound once to such a literal."""
    if isinstance(arg, ast.Constant):
        return isinstance(arg.value, str) and arg.value.lower().startswith(_WEB_SCHEMES)
    if not isinstance(arg, ast.Name):
        return False
    bound: list[ast.expr | None] = []
    for node in ast.walk(index.tree):
        if isinstance(node, ast.Assign):
            if any(isinstance(t, ast.Name) and t.id == arg.id for t in node.targets):
                bound.append(node.value if len(node.targets) == 1 else None)
            elif any(arg.id in {n.id for n in ast.walk(t) if isinstance(n, ast.Name)} for t in node.targets):
                bound.append(None)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.For, ast.NamedExpr)):
            if any(isinstance(n, ast.Name) and n.id == arg.id for n in ast.walk(node.target)):
                bound.append(None)
        elif isinstance(node, ast.arg) and node.arg == arg.id:
            bound.append(None)
    if len(bound) != 1 or bound[0] is None:
        return False
    value = bound[0]
    return isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value.lower().startswith(_WEB_SCHEMES)


def _url_scheme(line: int, index: TreeIndex) -> Judgement | None:
    calls = [c for c in index.at_line(line, ast.Call) if isinstance(c, ast.Call) and c.args]
    for call in calls:
        if _constant_web_url(call.args[0], index):
            return Judgement("drop", "the URL is a constant http:// or https:// address")
        scope = index.scope(call)
        urls = _url_names(call.args[0], scope)
        if not urls:
            continue
        parsed = _parsed_names(scope, urls)
        if _guarded(call, index, urls, parsed):
            return Judgement("drop", "the function checks that the URL is http:// or https:// first")
    return None


def _guarded(call: ast.Call, index: TreeIndex, urls: set[str], parsed: set[str]) -> bool:
    """Whether a scheme check dominates ``call``: an enclosing ``if <check>:``, or an earlier
    ``if not <check>: raise`` / ``assert <check>`` in an enclosing block of the same function."""
    child: ast.AST = call
    for ancestor in index.ancestors(call):
        if isinstance(ancestor, ast.If):
            outcome = _scheme_test(ancestor.test, urls, parsed)
            if (outcome is True and child in ancestor.body) or (outcome is False and child in ancestor.orelse):
                return True
        for field in ("body", "orelse", "finalbody"):
            block = getattr(ancestor, field, None)
            if isinstance(block, list) and child in block:
                for statement in block[: block.index(child)]:
                    if isinstance(statement, ast.Assert) and _scheme_test(statement.test, urls, parsed) is True:
                        return True
                    if (isinstance(statement, ast.If) and _scheme_test(statement.test, urls, parsed) is False
                            and _leaves(statement.body)):
                        return True
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return False
        child = ancestor
    return False


# --------------------------------------------------------------------------
# B413: import Crypto


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    kind = handler.type
    if kind is None:
        return True
    names = kind.elts if isinstance(kind, ast.Tuple) else [kind]
    return any(_dotted(n) in ("ImportError", "ModuleNotFoundError", "Exception", "BaseException") for n in names)


def _pycrypto(line: int, index: TreeIndex) -> Judgement | None:
    for node in index.at_line(line, (ast.Import, ast.ImportFrom)):
        for ancestor in index.ancestors(node):
            if isinstance(ancestor, ast.Try) and any(_catches_import_error(h) for h in ancestor.handlers):
                return Judgement("info", "an optional import guarded by `except ImportError`: the `Crypto` "
                                         "package is also pycryptodome's (maintained); declare which one you need")
    return None


# --------------------------------------------------------------------------
# B610 / B611: Django's QuerySet.extra / RawSQL


def _django_sql(index: TreeIndex) -> Judgement | None:
    for node in ast.walk(index.tree):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "django" for a in node.names):
            return None
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "django":
            return None
    return Judgement("drop", "the module does not use Django: the call is not Django's `extra`/`RawSQL`")
