"""Which bandit tests can report on a node, decided before they are called.

Most of bandit's call tests report only for calls of a few names: B610 only
for ``.extra(...)``, B607 only for the process-starting functions of its
configuration, B501 only for ``requests``/``httpx`` verbs. bandit still calls
each of its ~30 call tests on every call of the file. A :class:`Gate` states,
for one test, a condition without which the test returns nothing (the call's
last name is one of a set, the call has one of some keywords, a cheap check on
the context); the tester does not call the test when it does not hold. The
result is the same by construction: each gate was written by reading the
test's code, and it states a condition the test itself requires before it can
return an issue (a test that would raise instead is silenced by bandit's
tester too).

A gate is bound to the exact code it was read from: the SHA-256 of the test
function's source, and of bandit's ``Context`` class and
``BanditNodeVisitor.visit_Call`` (which define the names and keywords a gate
reads). When bandit changes any of them, the gates concerned are not used and
every test runs on every node, as bandit runs them: slower, never different.
``tests/checks/security/test_bandit_bridge.py`` checks that the installed
bandit matches, so a change is noticed.

bandit is imported only by the caller; this module reads the functions it is given.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import cache
from typing import Any

__all__ = ["CORE_DIGEST", "GATES", "Gate", "call_names", "core_matches", "digest", "gate_of"]

#: the context a test reads, the call's last name (``Context.call_function_name``)
#: and its keywords, as bandit 1.9 defines them (``Context`` and ``visit_Call``)
CORE_DIGEST = "6f2b51b93135ec68:71f66aa4d03e1496"


@dataclass(frozen=True, slots=True)
class Gate:
    """A condition a bandit test needs before it can report (see the module doc).

    ``digest``: the first 16 hex digits of the SHA-256 of the test's source.
    ``names``: from the test's ``_config``, the last names of the calls it can
    report on (``None``: any). ``keywords``: it reports only on a call with one
    of these keyword arguments. ``check``: it reports only when this holds of
    the node's context (and the test function, for its module's constants).
    """

    digest: str
    names: Callable[[Any], Collection[str]] | None = None
    keywords: frozenset[str] | None = None
    check: Callable[[Any, Any], bool] | None = None


def _named(*names: str) -> Callable[[Any], Collection[str]]:
    fixed = frozenset(names)
    return lambda config: fixed


def _configured(*keys: str, extra: tuple[str, ...] = (), optional: str = "") -> Callable[[Any], Collection[str]]:
    """Last names of the qualified names the test's configuration lists under ``keys``
    (the test compares the call's qualified name with them), and ``extra``.
    ``optional`` is a key the test reads with ``config.get(key, [])``."""

    def names(config: Any) -> Collection[str]:
        if not config:
            return frozenset(extra)  # every gated test returns nothing without a configuration
        qualified = [name for key in keys for name in config[key]]
        if optional:
            qualified.extend(config.get(optional, []))
        return frozenset({*(str(name).split(".")[-1] for name in qualified), *extra})

    return names


def _password_dict_key(context: Any, test: Any) -> bool:
    """B105 reports a string that is a dict's key only when the key looks like a password;
    it scans the dict's keys for the node first (quadratic on large literal dicts)."""
    node = context.node
    if not isinstance(node._bandit_parent, ast.Dict):
        return True
    return bool(test.__globals__["RE_CANDIDATES"].search(node.value))


_HTTP_VERBS = ("get", "options", "head", "post", "put", "patch", "delete")
_HTTPX_NAMES = (*_HTTP_VERBS, "request", "stream", "Client", "AsyncClient")

#: test id -> its gate; see each test's code in bandit (``bandit/plugins``)
GATES: dict[str, Gate] = {
    "B102": Gate("f5eb426b651b0762", names=_named("exec")),
    "B105": Gate("218ccf93be9b2fc4", check=_password_dict_key),
    "B113": Gate("cbc3a6e810672058", names=_named(*_HTTPX_NAMES)),
    "B201": Gate("977bcd573b800ad3", names=_named("run")),
    "B501": Gate("d242b0f5d96bc50a", names=_named(*_HTTPX_NAMES)),
    "B502": Gate("d7369b9beef82552", keywords=frozenset({"method", "ssl_version"})),
    "B504": Gate("910bb90f06b493b1", names=_named("wrap_socket")),
    "B506": Gate("e0a15efccb33d6c5", names=_named("load")),
    "B507": Gate("6c5081e664a81279", names=_named("set_missing_host_key_policy")),
    "B508": Gate("e32f598d638aaea7", names=_named("CommunityData")),
    "B509": Gate("e1172ad0df2a866e", names=_named("UsmUserData")),
    "B601": Gate("e034507107f36574", names=_named("exec_command")),
    "B602": Gate("17647b3ec8aa750b", names=_configured("subprocess")),
    "B603": Gate("f87eba7ca1337f79", names=_configured("subprocess")),
    "B605": Gate("5d636ac4a681bde5", names=_configured("shell")),
    "B606": Gate("d96b49dbc00632b6", names=_configured("no_shell")),
    "B607": Gate("6103696b907ad940", names=_configured("subprocess", "shell", "no_shell")),
    "B609": Gate("a3eca33cdd4bf60b", names=_configured("shell", "subprocess")),
    "B610": Gate("5ea0cd874f578e3e", names=_named("extra")),
    "B611": Gate("d0e566d0c4d4e389", names=_named("RawSQL")),
    "B612": Gate("0994602b6311ae04", names=_named("listen")),
    "B614": Gate("a301feeddc0bf5a6", names=_named("load")),
    "B615": Gate(
        "1348e543fdf01b9a",
        names=_named("from_pretrained", "load_dataset", "hf_hub_download", "snapshot_download", "repository_id"),
    ),
    "B701": Gate("2464015d9d99e0ea", names=_named("Environment")),
    "B702": Gate("4792990b1d855281", names=_named("Template")),
    "B703": Gate("7daf0b008b1dc0d8", names=_named("mark_safe", "SafeText", "SafeUnicode", "SafeString", "SafeBytes")),
    "B704": Gate("f7716e72c787e58a", names=_configured(extra=("Markup",), optional="extend_markup_names")),
}


@cache
def _definition_ends(filename: str, text: str) -> dict[int, int]:
    """First line (decorators included) -> last line of every ``def``/``class`` of a file."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return {}
    ends: dict[int, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.end_lineno is not None:
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            ends.setdefault(first, node.end_lineno)
    return ends


def source_of(obj: Any) -> str:
    """The source of a function or class, as :func:`inspect.getsource` gives it.

    The definition is found as ``inspect`` finds it; where it ends is read from the
    file's ``ast`` tree (parsed once per file) instead of tokenizing the block, which
    is most of what ``getsource`` costs. A definition the tree does not place falls
    back to ``getsource``. Either way the text is the definition's code: a change to
    it changes the digest.
    """
    lines, start = inspect.findsource(inspect.unwrap(obj) if inspect.isfunction(obj) else obj)
    filename = inspect.getsourcefile(obj) or ""
    end = _definition_ends(filename, "".join(lines)).get(start + 1)
    if end is None or start < 0:
        return inspect.getsource(obj)
    return "".join(lines[start:end])


def digest(obj: Any) -> str:
    """The first 16 hex digits of the SHA-256 of the source of ``obj`` ('' without one)."""
    try:
        return hashlib.sha256(source_of(obj).encode("utf-8")).hexdigest()[:16]
    except (OSError, TypeError):
        return ""


@cache
def core_matches(context_class: type, visitor_class: type) -> bool:
    """Whether bandit's ``Context`` and ``visit_Call`` are the code the gates were read against."""
    visit_call = getattr(visitor_class, "visit_Call", None)
    return f"{digest(context_class)}:{digest(visit_call)}" == CORE_DIGEST


@cache
def _source_matches(test: Callable[..., Any], expected: str) -> bool:
    return digest(test) == expected


def gate_of(test: Any) -> Gate | None:
    """The gate of a bandit test function, or None when it has none or its code is not the one read."""
    gate = GATES.get(str(getattr(test, "_test_id", "")))
    if gate is None or not inspect.isfunction(test) or not _source_matches(test, gate.digest):
        return None
    return gate


def call_names(gate: Gate, test: Any) -> frozenset[str] | None:
    """The call names ``test`` can report on (None: any, or a configuration the gate cannot read)."""
    if gate.names is None:
        return None
    try:
        return frozenset(gate.names(getattr(test, "_config", None)))
    except (KeyError, TypeError, AttributeError):
        return None
