"""Security rules on the syntax tree: network use (MB315, MB316).

TLS certificate or host name verification turned off (by keyword, attribute,
call or the process-wide default context), and network calls that can wait
forever for a server that does not answer.
"""

from __future__ import annotations

import re

import libcst as cst

from mbcheck.checks.security.calls import argument, keyword_value
from mbcheck.checks.security.tables import tables
from mbcheck.checks.security.values import resolve
from mbcheck.model import Category, Confidence, Fix, Severity
from mbcheck.pyfile import edits
from mbcheck.pyfile.literals import literal_string
from mbcheck.pyfile.names import written
from mbcheck.pyfile.traverse import FileContext, SourceRule, child_nodes
from mbcheck.rules.base import Invalid, Valid


class TlsVerificationDisabled(SourceRule):
    """Turns off TLS certificate or host name verification.

    `verify=False` (requests, httpx), `ssl=False` (aiohttp), `cert_reqs='CERT_NONE'`,
    `check_hostname=False`, `ssl.CERT_NONE`, `ssl._create_unverified_context`, and
    replacing `ssl._create_default_https_context` for the whole process.
    Why: without verification anyone on the network path can read and change
    the traffic (credentials, downloaded code); a plugin that changes the
    default context does it for the host and every other plugin too.
    Not reported: code that only runs when a test of the enclosing function's own
    parameter named like `verify`, `ssl_verify` or `insecure` chooses it (a client
    library honouring its caller's `verify=False`); the caller's literal `verify=False`
    is reported where it is written.
    Instead: keep verification on; for a private CA pass its bundle:
    `requests.get(url, verify="/path/ca.pem", timeout=10)`.
    """

    code = "MB315"
    name = "tls-verification-disabled"
    category = Category.SECURITY
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid("import requests\n\ndef get(url):\n    return requests.get(url, timeout=10)\n"),
        Valid("def check(data, verify=False):\n    return data\n\ncheck({}, verify=False)\n"),
        Valid("import ssl\n\ndef context(verify=True):\n    c = ssl.create_default_context()\n"
              "    if verify is False:\n        c.check_hostname = False\n        c.verify_mode = ssl.CERT_NONE\n"
              "    return c\n"),
    )
    INVALID = (
        Invalid("import requests\n\ndef get(url):\n    return requests.get(url, verify=False, timeout=5)\n", line=4),
        Invalid("import ssl\nssl._create_default_https_context = ssl._create_unverified_context\n", line=2),
        Invalid("import ssl\n\ndef ctx():\n    c = ssl.create_default_context()\n    c.check_hostname = False\n"
                "    c.verify_mode = ssl.CERT_NONE\n    return c\n", line=5),
    )

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._skip: set[int] = set()
        self._imports: set[str] | None = None
        data = tables()
        self._keywords = [p for p in data.tls_patterns if p.kind == "keyword"]
        self._keyword_names = {p.keyword for p in self._keywords}
        self._attributes = {p.attribute: p for p in data.tls_patterns if p.kind == "attribute-assignment"}
        self._names = {p.name: p for p in data.tls_patterns if p.kind in ("call", "name")}
        #: the last part of every tabled name: a reference ending otherwise cannot match
        self._last_parts = {name.rsplit(".", 1)[-1] for name in self._names}
        # a reported reference is written with one of those words; in a file whose text holds
        # none (most files) the name and attribute visits have nothing to do
        text = ctx.positions.text
        if text is not None and not any(part in text for part in self._last_parts):
            self.idle = frozenset({"visit_Name", "visit_Attribute"})
        self._network_tops = {name.split(".", 1)[0] for name in data.network_modules}
        #: parameters of the enclosing functions, and the tests of the enclosing ``if``s
        self._params: list[set[str]] = []
        self._tests: list[tuple[int, cst.BaseExpression]] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        params = node.params
        self._params.append({p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)})

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._params.pop()

    def visit_If(self, node: cst.If) -> None:
        self._tests.append((len(self._params), node.test))

    def leave_If(self, original_node: cst.If) -> None:
        self._tests.pop()

    def _caller_choice(self) -> bool:
        """Whether the current statement runs only as a test of the enclosing function's own
        verification parameter (``if verify is False:``, ``if not verify:``) decides: the
        function honours its caller's choice, which is reported where the caller makes it."""
        if not self._params:
            return False
        params = {p for p in self._params[-1] if _VERIFY_PARAMETER.search(p.lower())}
        if not params:
            return False
        depth = len(self._params)
        return any(
            level == depth and any(type(n) is cst.Name and n.value in params for n in _names(test))
            for level, test in self._tests
        )

    def _imported(self) -> set[str]:
        if self._imports is None:
            self._imports = _imported_tops(self.ctx.module)
        return self._imports

    def visit_Call(self, node: cst.Call) -> None:
        name = resolve(self.ctx, node.func)
        self._skip.add(id(node.func))
        if name in self._names:
            if not self._caller_choice():
                self.report(node, f"`{name}`: {self._names[name].description}")
            return
        passed = {arg.keyword.value for arg in node.args if arg.keyword is not None}
        if not passed & self._keyword_names:
            return
        for pattern in self._keywords:
            value = keyword_value(node, pattern.keyword)
            if value is None or not self._matches(value, pattern.value):
                continue
            if pattern.requires_import and pattern.requires_import.split(".", 1)[0] not in self._imported():
                continue
            confidence = None
            if name is not None:
                if name.split(".", 1)[0] not in self._network_tops | {"ssl"}:
                    continue
            elif not (self._imported() & (self._network_tops | {"ssl"})):
                continue
            else:
                confidence = Confidence.MEDIUM
            self.report(node, f"`{pattern.keyword}={literal_string(value) or _expr_text(value)}`: "
                        f"{pattern.description}", confidence=confidence)
            return

    @staticmethod
    def _matches(value: cst.BaseExpression, expected: bool | str | None) -> bool:
        if expected is False:
            return type(value) is cst.Name and value.value == "False"
        if isinstance(expected, str):
            return literal_string(value) == expected
        return False

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._target(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._target(node.target, node.value)

    def _target(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if type(target) is not cst.Attribute:
            return
        self._skip.add(id(target))
        if resolve(self.ctx, target) == "ssl._create_default_https_context":
            self.report(target, "replaces the default HTTPS context for the whole process (the host and "
                        "every plugin)")
            return
        pattern = self._attributes.get(target.attr.value)
        if pattern is not None and self._matches(value, pattern.value) and not self._caller_choice():
            self.report(target, f"`.{pattern.attribute} = False`: {pattern.description}")

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._skip.add(id(node.value))
        if id(node) not in self._skip:
            self._reference(node)

    def visit_Name(self, node: cst.Name) -> None:
        if node.value in self._last_parts and id(node) not in self._skip:
            self._reference(node)

    def _reference(self, node: cst.Name | cst.Attribute) -> None:
        if type(node) is cst.Name and node.value not in self._last_parts:
            return
        if type(node) is cst.Attribute and node.attr.value not in self._last_parts:
            return
        name = resolve(self.ctx, node)
        if name in self._names and not self._caller_choice():
            self.report(node, f"`{name}`: {self._names[name].description}")


#: parameter names that carry a caller's choice to verify certificates (or not)
_VERIFY_PARAMETER = re.compile(r"(^|_)(verify|insecure|unverified|check_hostname)(_|$)|^(ssl|tls)_?verif")


def _names(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The nodes of a (small) test expression."""
    found: list[cst.CSTNode] = []
    pending: list[cst.CSTNode] = [node]
    while pending and len(found) < 500:
        current = pending.pop()
        found.append(current)
        pending.extend(child_nodes(current))
    return found


def _expr_text(node: cst.BaseExpression) -> str:
    return cst.Module([]).code_for_node(node)


def _imported_tops(module: cst.Module) -> set[str]:
    """Top-level names of every module a file imports (any depth of statement nesting)."""
    found: set[str] = set()
    pending: list[cst.CSTNode] = list(module.body)
    while pending:
        node = pending.pop()
        if type(node) is cst.SimpleStatementLine:
            for small in node.body:
                if type(small) is cst.Import:
                    for alias in small.names:
                        name = written(alias.name)
                        found.add(name.split(".", 1)[0])
                elif type(small) is cst.ImportFrom and not small.relative and small.module is not None:
                    found.add(written(small.module).split(".", 1)[0])
        elif isinstance(node, cst.BaseCompoundStatement):
            pending.extend(c for c in child_nodes(node) if isinstance(c, (cst.BaseSuite, cst.BaseCompoundStatement,
                                                                       cst.Else, cst.ExceptHandler, cst.Finally)))
        elif isinstance(node, (cst.IndentedBlock, cst.Else, cst.ExceptHandler, cst.Finally)):
            pending.extend(child_nodes(node))
    return found


#: the timeout (seconds) MB316's fix writes: long enough for a slow server, short of a hang
TIMEOUT = "30"


class NetworkCallWithoutTimeout(SourceRule):
    """Makes a network call that can wait forever (no timeout, or `timeout=None`).

    Covers `requests.*`, `urllib.request.urlopen`, `http.client` connections,
    `socket.create_connection`, `smtplib`, `ftplib`, `imaplib`, `poplib`, `telnetlib`;
    `httpx` only with an explicit `timeout=None` (it defaults to 5 seconds).
    Why: a server that accepts the connection and never answers hangs the plugin,
    and with it the host's command line, with no way out but killing it.
    Instead: pass a timeout: `requests.get(url, timeout=10)`, `urlopen(url, timeout=10)`.
    """

    code = "MB316"
    name = "network-call-without-timeout"
    category = Category.SECURITY
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    VALID = (
        Valid("import requests\n\ndef get(url):\n    return requests.get(url, timeout=10)\n"),
        Valid("import httpx\n\ndef get(url):\n    return httpx.get(url)\n"),
        Valid("from urllib.request import urlopen\n\ndef get(url):\n    return urlopen(url, None, 5)\n"),
    )
    INVALID = (
        Invalid(
            "import requests as r\n\ndef get(url):\n    return r.post(url, json={})\n",
            line=4,
            fixed="import requests as r\n\ndef get(url):\n    return r.post(url, json={}, timeout=30)\n",
        ),
        Invalid(
            "from urllib.request import urlopen\n\ndef get(url):\n    return urlopen(url)\n",
            line=4,
            fixed="from urllib.request import urlopen\n\ndef get(url):\n    return urlopen(url, timeout=30)\n",
        ),
        Invalid(
            "import httpx\n\ndef get(url):\n    return httpx.get(url, timeout=None)\n",
            line=4,
            fixed="import httpx\n\ndef get(url):\n    return httpx.get(url, timeout=30)\n",
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        name = resolve(self.ctx, node.func)
        if name is None:
            return
        spec = tables().timeout_calls.get(name)
        if spec is None:
            return
        status, value = argument(node, spec.position, spec.keyword)
        if status == "unknown":
            return
        if status == "given":
            if type(value) is cst.Name and value.value == "None":
                self.report(node, f"`{name}(..., {spec.keyword}=None)` waits forever for a server that does not answer",
                            fix=edits.fix(f"Set `{spec.keyword}={TIMEOUT}`", edits.replace(self.ctx, value, TIMEOUT), unsafe=True))
            return
        if spec.default_seconds is not None:
            return
        self.report(node, f"`{name}` without a timeout waits forever for a server that does not answer; "
                    f"pass `{spec.keyword}=`", fix=self.fix_missing(node, spec.keyword))

    def fix_missing(self, node: cst.Call, keyword: str | None) -> Fix | None:
        """Pass `timeout=30` after the last argument: unsafe, the value is a choice (and a call that
        ran long now raises)."""
        if keyword is None or not node.args:
            return None
        return edits.fix(f"Pass `{keyword}={TIMEOUT}`", edits.insert_after(self.ctx, node.args[-1].value, f", {keyword}={TIMEOUT}"),
                         unsafe=True)


__all__ = [
    "NetworkCallWithoutTimeout",
    "TlsVerificationDisabled",
]
