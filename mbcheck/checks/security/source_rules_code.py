"""Security rules on the syntax tree: code that runs code (MB311-MB314).

Dynamic code execution (``eval``/``exec``/``compile`` of input that is not a
constant), imports and builtins reached through computed names, decoded or
assembled payloads that are run or unpickled, and deserialisers that can
construct arbitrary objects. Every rule matches on resolved qualified names,
never on source text (see :mod:`mbcheck.checks.security.values`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import ClassVar

import libcst as cst

from mbcheck.checks.security.calls import argument, first_argument, own_module_name, value_is_called
from mbcheck.checks.security.classify import short_name
from mbcheck.checks.security.tables import tables
from mbcheck.checks.security.values import (
    DYNAMIC_IMPORTERS,
    fold_bytes,
    fold_string,
    is_constant,
    is_plain_literal,
    loop_choices,
    plugin_internal,
    resolve,
    state,
)
from mbcheck.model import Category, Confidence, Edit, Fix, Severity, Span
from mbcheck.pyfile import edits
from mbcheck.pyfile.traverse import EnclosingFunctions, FileContext, SourceRule, child_nodes
from mbcheck.rules.base import Invalid, Valid

_EXEC_SINKS = {"builtins.eval": "eval", "builtins.exec": "exec", "builtins.compile": "compile"}
#: calls that turn data into running code (sinks of decoded payloads)
_PAYLOAD_SINKS = frozenset({*_EXEC_SINKS, "types.FunctionType", "types.CodeType", "types.LambdaType"})


def _walk(node: cst.CSTNode, limit: int = 2000) -> Iterator[cst.CSTNode]:
    """The nodes of a (small) expression, outermost first, at most ``limit``."""
    pending: list[cst.CSTNode] = [node]
    count = 0
    while pending and count < limit:
        current = pending.pop()
        count += 1
        yield current
        if (type(current) is cst.Lambda or type(current) is cst.FunctionDef):
            continue
        pending.extend(reversed(child_nodes(current)))


# --------------------------------------------------------------------------
# Code built only from constants (MB311)

_ARITHMETIC = (cst.Add, cst.Subtract, cst.Multiply, cst.FloorDivide, cst.Modulo)


def _is_count(node: cst.BaseExpression) -> bool:
    """Whether an expression is a whole number: a literal, ``len(...)``, or arithmetic on a
    literal (``lineno - 1``): a string repeated by it is the same constant text repeated."""
    if type(node) is cst.Integer:
        return True
    if type(node) is cst.UnaryOperation and type(node.operator) is cst.Minus:
        return _is_count(node.expression)
    if type(node) is cst.Call and type(node.func) is cst.Name and node.func.value in ("len", "int"):
        return True
    if type(node) is cst.BinaryOperation and isinstance(node.operator, _ARITHMETIC):
        sides = (node.left, node.right)
        plain = all(isinstance(s, (cst.Integer, cst.Name, cst.Attribute, cst.BinaryOperation, cst.Call,
                                   cst.UnaryOperation)) for s in sides)
        return plain and any(_is_count(s) for s in sides) and all(
            _is_count(s) or (type(s) is cst.Name or type(s) is cst.Attribute) for s in sides)
    return False


def constant_code(ctx: FileContext, node: cst.BaseExpression, depth: int = 0) -> bool:
    """Whether source text is made only of constants: a constant, constants concatenated, or a
    constant string repeated a number of times (``"\\n" * (lineno - 1) + "raise exc"``)."""
    if depth > 20:
        return False
    if is_constant(ctx, node):
        return True
    if type(node) is cst.BinaryOperation:
        if type(node.operator) is cst.Add:
            return constant_code(ctx, node.left, depth + 1) and constant_code(ctx, node.right, depth + 1)
        if type(node.operator) is cst.Multiply:
            for text, count in ((node.left, node.right), (node.right, node.left)):
                if fold_string(ctx, text) is not None and _is_count(count):
                    return True
    return False


def _assigned_values(body: cst.CSTNode, name: str) -> list[cst.BaseExpression] | None:
    """Every value a function assigns to the local ``name``, or None when it is bound any
    other way (a parameter, a loop, an augmented assignment, ``global``)."""
    values: list[cst.BaseExpression] = []
    for node in _walk(body, limit=20000):
        if type(node) is cst.Assign:
            if any(type(t.target) is cst.Name and t.target.value == name for t in node.targets):
                if len(node.targets) != 1:
                    return None
                values.append(node.value)
        elif type(node) is cst.AnnAssign and type(node.target) is cst.Name and node.target.value == name:
            if node.value is None:
                continue
            values.append(node.value)
        elif (type(node) is cst.Global or type(node) is cst.Nonlocal):
            if any(n.name.value == name for n in node.names):
                return None
        elif isinstance(node, (cst.AugAssign, cst.For, cst.NamedExpr, cst.AsName)):
            target = node.name if isinstance(node, cst.AsName) else node.target
            if any(type(n) is cst.Name and n.value == name for n in _walk(target, limit=200)):
                return None
    return values


def _rebuilt_code(call: cst.Call, name: str) -> bool:
    """Whether ``types.CodeType(...)`` copies the code object ``name`` with at most its name
    changed: every argument is ``name.co_*`` but one plain name or string."""
    def own(arg: cst.BaseExpression) -> bool:
        return (type(arg) is cst.Attribute and type(arg.value) is cst.Name and arg.value.value == name
                and arg.attr.value.startswith("co_"))
    if any(a.star or a.keyword is not None for a in call.args):
        return False
    others = [a.value for a in call.args if not own(a.value)]
    copied = {a.value.attr.value for a in call.args if type(a.value) is cst.Attribute and own(a.value)}
    return (len(others) <= 1 and all((type(o) is cst.Name or type(o) is cst.SimpleString) for o in others)
            and {"co_code", "co_consts", "co_names"} <= copied)


def constant_code_object(ctx: FileContext, function: cst.FunctionDef | None, node: cst.BaseExpression) -> bool:
    """Whether a local name run by ``exec`` only ever holds a code object compiled from
    constant text in this function, or that object with its name or position replaced
    (``code = compile(CONST, ...)``, ``code = code.replace(co_name=...)``)."""
    if function is None or type(node) is not cst.Name:
        return False
    if any(p.name.value == node.value for p in (*function.params.params, *function.params.posonly_params,
                                                 *function.params.kwonly_params)):
        return False
    values = _assigned_values(function.body, node.value)
    if not values:
        return False
    compiled = False
    for value in values:
        if type(value) is not cst.Call:
            return False
        if resolve(ctx, value.func) == "types.CodeType" and _rebuilt_code(value, node.value):
            continue
        if resolve(ctx, value.func) == "builtins.compile":
            source = first_argument(value)
            if source is None or not constant_code(ctx, source):
                return False
            compiled = True
        elif not (type(value.func) is cst.Attribute and value.func.attr.value == "replace"
                  and type(value.func.value) is cst.Name and value.func.value.value == node.value
                  and all(a.keyword is not None and a.keyword.value != "co_code" for a in value.args)):
            return False
    return compiled


# --------------------------------------------------------------------------
# In-process pickle round-trips (MB314)

_SERIALISERS = frozenset({"pickle.dumps", "_pickle.dumps", "cPickle.dumps", "dill.dumps", "cloudpickle.dumps"})


def _all_nodes(module: cst.Module) -> Iterator[cst.CSTNode]:
    """Every node of a module, functions included."""
    pending: list[cst.CSTNode] = [module]
    while pending:
        current = pending.pop()
        yield current
        pending.extend(child_nodes(current))


def _serialised(ctx: FileContext, value: cst.BaseExpression, attr: str | None) -> bool:
    """Whether a value assigned to the round-trip's holder is the serialiser's output, nothing,
    or (for an attribute) the same attribute of another object."""
    if type(value) is cst.Name and value.value == "None":
        return True
    if type(value) is cst.IfExp:
        return _serialised(ctx, value.body, attr) and _serialised(ctx, value.orelse, attr)
    if type(value) is cst.BooleanOperation:  # ``self._meta or style._meta``
        return _serialised(ctx, value.left, attr) and _serialised(ctx, value.right, attr)
    if type(value) is cst.Call:
        return resolve(ctx, value.func) in _SERIALISERS
    return attr is not None and type(value) is cst.Attribute and value.attr.value == attr


def pickled_here(ctx: FileContext, function: cst.FunctionDef | None, node: cst.BaseExpression) -> bool:
    """Whether the bytes a deserialiser loads are only ever this process's own ``dumps`` output:
    a local every assignment of which (in the function) is ``dumps(...)``, or a private attribute
    (``self._meta``) every assignment of which in the file is ``dumps(...)``, ``None`` or a copy
    of the same attribute, and that no ``setattr`` names."""
    if type(node) is cst.Name:
        if function is None or any(p.name.value == node.value for p in (
                *function.params.params, *function.params.posonly_params, *function.params.kwonly_params)):
            return False
        values = _assigned_values(function.body, node.value)
        return values is not None and bool(values) and all(_serialised(ctx, v, None) for v in values)
    if type(node) is not cst.Attribute or not node.attr.value.startswith("_"):
        return False
    attr = node.attr.value
    assigned = False
    for current in _all_nodes(ctx.module):
        targets: list[cst.BaseExpression] = []
        if type(current) is cst.Assign:
            targets = [t.target for t in current.targets]
        elif (type(current) is cst.AnnAssign or type(current) is cst.AugAssign):
            targets = [current.target]
        elif type(current) is cst.Call and type(current.func) is cst.Name and current.func.value == "setattr":
            if any(fold_string(ctx, a.value) == attr for a in current.args):
                return False
            continue
        else:
            continue
        for target in targets:
            if not any(type(n) is cst.Attribute and n.attr.value == attr for n in _walk(target, limit=200)):
                continue
            if type(current) is cst.AugAssign or type(target) is not cst.Attribute:
                return False
            value = current.value
            if value is None or not _serialised(ctx, value, attr):
                return False
            assigned = True
    return assigned


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
        if type(node) is cst.Call:
            decoder = _is_decoder(ctx, node)
            if decoder is not None:
                return decoder
        elif type(node) is cst.Name and node.value in tainted:
            return tainted[node.value]
    if not is_plain_literal(expr) and fold_string(ctx, expr) is not None and type(expr) is not cst.Name:
        return "string assembly"
    return None


def _payload_argument(node: cst.Call, name: str) -> cst.BaseExpression | None:
    if name in _EXEC_SINKS:
        return first_argument(node, "source", "expression", "object")
    return first_argument(node, "code", "data", "s", "file", "stream")


class DynamicCodeExecution(EnclosingFunctions, SourceRule):
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
    other_severities: ClassVar[Mapping[Severity, str]] = {
        Severity.WARNING: "`compile()` of code that is not a constant: it runs only when a later call executes the result",
    }
    confidence = Confidence.HIGH
    VALID = (
        Valid("import ast\n\ndef parse(text):\n    return ast.literal_eval(text)\n"),
        Valid("class Runner:\n    def exec(self, job):\n        return job\n\nRunner().exec('eval')\n"),
        Valid("RESULT = eval('1 + 2')\n"),
        Valid("def fake_frame(lineno, exc):\n    code = compile('\\n' * (lineno - 1) + 'raise exc', 'f', 'exec')\n"
              "    code = code.replace(co_name='template')\n    exec(code, {'exc': exc})\n"),
    )
    INVALID = (
        Invalid("def calc(expression):\n    return eval(expression)\n", line=2),
        Invalid("def run(lineno, body):\n    code = compile('\\n' * lineno + body, 'f', 'exec')\n"
                "    exec(code)\n", line=2),
        Invalid("ev = eval\n\ndef run(src):\n    ev(src)\n", line=4),
        Invalid("import builtins\n\ndef run(src):\n    getattr(builtins, 'exec')(src)\n", line=4),
    )

    def visit_Call(self, node: cst.Call) -> None:
        name = resolve(self.ctx, node.func)
        if name not in _EXEC_SINKS:
            return
        arg = _payload_argument(node, name)
        if arg is None or constant_code(self.ctx, arg) or _decoded_by(self.ctx, arg) is not None:
            return
        if constant_code_object(self.ctx, self.function, arg):
            return
        if type(arg) is cst.Call and resolve(self.ctx, arg.func) in _EXEC_SINKS:
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
    (`import_module(f'.{name}', __package__)`) is not reported, nor is a computed
    lookup whose value is never called (`issubclass(getattr(builtins, name, type), E)`,
    a dictionary keyed by `getattr(types, name)`): it finds a class or a constant to
    compare with, and runs nothing.
    Why: a computed name hides which module or function runs, from review and from
    mbcheck; spelling `os` as `'o' + 's'` has no purpose but hiding it.
    Instead: import what you use with an `import` statement; dispatch with a dict of
    functions.
    """

    code = "MB312"
    name = "computed-import"
    category = Category.SECURITY
    severity = Severity.WARNING
    other_severities: ClassVar[Mapping[Severity, str]] = {
        Severity.ERROR: "the name folds to a constant through an assembled string, or a builtin is looked up by a computed name: obfuscation",
    }
    confidence = Confidence.MEDIUM
    VALID = (
        Valid("import importlib\nyaml = importlib.import_module('yaml')\n"),
        Valid("import importlib\n\ndef load(name):\n    return importlib.import_module(f'.{name}', __package__)\n"),
        Valid("import logging\n\ndef level(name):\n    return getattr(logging, name.upper())\n"),
        Valid("import builtins\n\ndef redundant(name, other):\n"
              "    return issubclass(getattr(builtins, name, type), getattr(builtins, other, ()))\n"),
        Valid("import builtins\n\ndef is_exception(name):\n    exc = getattr(builtins, name, None)\n"
              "    return isinstance(exc, type) and issubclass(exc, BaseException)\n"),
        Valid("import types\n\nNAMES = {getattr(types, name): name for name in types.__all__}\n"),
        Valid("import importlib\n\ndef json_backend():\n    for name in ('orjson', 'ujson'):\n        try:\n"
              "            return importlib.import_module(name)\n        except ImportError:\n            continue\n"
              "    return importlib.import_module('json')\n"),
    )
    INVALID = (
        Invalid("def load(name):\n    return __import__(name)\n", line=2),
        Invalid("mod = __import__('o' + 's')\n", line=1),
        Invalid("import builtins\n\ndef call(name, arg):\n    return getattr(builtins, name)(arg)\n", line=4),
        Invalid("def f():\n    return __builtins__['ex' + 'ec']\n", line=2),
        Invalid("import builtins\n\ndef call(name, arg):\n    fn = getattr(builtins, name, None)\n"
                "    if fn is not None:\n        return fn(arg)\n", line=4),
    )

    def visit_Call(self, node: cst.Call) -> None:
        name = resolve(self.ctx, node.func)
        if name in DYNAMIC_IMPORTERS and node.args:
            self._import(node, name, node.args[0].value)
        elif name == "builtins.getattr" and len(node.args) >= 2:
            self._getattr(node, node.args[0].value, node.args[1].value)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if len(node.slice) != 1 or type(node.slice[0].slice) is not cst.Index:
            return
        if resolve(self.ctx, node.value) not in ("builtins", "builtins.__dict__"):
            return
        self._getattr(node, node.value, node.slice[0].slice.value)

    def _import(self, node: cst.Call, name: str, arg: cst.BaseExpression) -> None:
        if is_plain_literal(arg):
            return
        folded = fold_string(self.ctx, arg)
        if folded is not None:
            self.report(node, f"`{short_name(name)}` imports `{folded}` through an assembled string: "
                        "obfuscation", severity=Severity.ERROR, confidence=Confidence.HIGH)
            return
        if own_module_name(self.ctx, node, arg) or loop_choices(self.ctx, arg) is not None:
            return  # a plugin module, or each of a literal list of names (optional accelerators)
        self.report(node, f"`{short_name(name)}` imports a module whose name is computed at run time")

    def _getattr(self, node: cst.CSTNode, base_expr: cst.BaseExpression, attr: cst.BaseExpression) -> None:
        if is_plain_literal(attr):
            return
        base = resolve(self.ctx, base_expr)
        if base is None or plugin_internal(self.ctx, base):
            return
        folded = fold_string(self.ctx, attr)
        top = base.split(".", 1)[0]
        if folded is not None:
            self.report(node, f"reaches `{short_name(base)}.{folded}` through an assembled string: obfuscation",
                        severity=Severity.ERROR, confidence=Confidence.HIGH)
        elif isinstance(node, cst.BaseExpression) and not value_is_called(self.ctx, node):
            return  # a type check or a lookup table: nothing runs what the name finds
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
        st = self.ctx.security_state  # not made yet: nothing is tainted
        if st is not None and node.value in st.tainted and self.ctx.statement is not None:
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
            if type(target) is not cst.Name:
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
            if type(inner) is cst.Call:
                self._covered.add(id(inner))
        literal = fold_bytes(self.ctx, arg) is not None or fold_string(self.ctx, arg) is not None
        hidden = "a payload hidden in the source" if literal else "decoded data"
        self.report(node, f"`{short_name(name)}` runs {hidden} (via `{short_name(decoder)}`): obfuscated code")


#: PyYAML's own loaders that construct Python objects: `yaml.safe_load` replaces them (unsafely)
_PYYAML_LOADERS = frozenset({"yaml.Loader", "yaml.UnsafeLoader", "yaml.FullLoader", "yaml.CLoader",
                             "yaml.CUnsafeLoader", "yaml.CFullLoader"})


class UnsafeDeserialisation(EnclosingFunctions, SourceRule):
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
        Valid("import pickle\n\nclass Style:\n    def __init__(self, meta):\n        self._meta = pickle.dumps(meta)\n\n"
              "    @property\n    def meta(self):\n        return pickle.loads(self._meta)\n"),
    )
    INVALID = (
        Invalid("import pickle\n\ndef read(blob):\n    return pickle.loads(blob)\n", line=4),
        Invalid("import pickle\n\nclass Style:\n    def __init__(self, meta):\n        self._meta = meta\n\n"
                "    @property\n    def meta(self):\n        return pickle.loads(self._meta)\n", line=9),
        Invalid("from yaml import load\n\ndef read(text):\n    return load(text)\n", line=4),
        Invalid("import yaml\n\ndef read(text):\n    return yaml.load(text, Loader=yaml.Loader)\n", line=4,
                fixed="import yaml\n\ndef read(text):\n    return yaml.safe_load(text)\n"),
        Invalid(  # the project's own loader: no fix (dropping it is not a replacement)
            "import yaml\n\nfrom .loaders import ProjectLoader\n\ndef read(text):\n    return yaml.load(text, Loader=ProjectLoader)\n",
            line=6,
        ),
        Invalid(
            "import yaml\n\ndef read(text):\n    return yaml.load(text)\n",
            line=4,
            fixed="import yaml\n\ndef read(text):\n    return yaml.safe_load(text)\n",
        ),
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
        if arg is not None and name.endswith(".loads") and pickled_here(
                self.ctx, self.function, arg):
            return  # bytes this process pickled itself: a copy, not outside data
        confidence = Confidence.MEDIUM if name.startswith(("shelve.", "joblib.", "pandas.")) else None
        self.report(node, f"`{name}` can run arbitrary code from the data it loads", confidence=confidence,
                    fix=self.fix_call(node, name))

    def fix_call(self, node: cst.Call, name: str) -> Fix | None:
        """`yaml.load(x)` -> `yaml.safe_load(x)` (and `load_all`): safe when the call names no loader
        (PyYAML 6 refuses such a call, so nothing that worked changes); unsafe when it drops a
        `Loader=` (documents with Python tags stop loading)."""
        if name not in ("yaml.load", "yaml.load_all") or not node.args or node.args[0].keyword or node.args[0].star:
            return None
        leaf = name.rsplit(".", 1)[1]
        rename = edits.rename_attribute(self.ctx, node.func, leaf, f"safe_{leaf}")
        if len(node.args) == 1:
            return edits.fix(f"Use `yaml.safe_{leaf}`", rename)
        loader = node.args[1]
        if len(node.args) != 2 or loader.star or (loader.keyword is not None and loader.keyword.value != "Loader"):
            return None
        if resolve(self.ctx, loader.value) not in _PYYAML_LOADERS:
            return None  # a loader of the project's own (custom tags): dropping it is not a replacement
        first, second = self.ctx.span(node.args[0].value), self.ctx.span(loader.value)
        drop = Edit(Span(first.path, first.end_line, first.end_column, second.end_line, second.end_column), "")
        return edits.fix(f"Use `yaml.safe_{leaf}` (drops the loader)", rename, drop, unsafe=True)


__all__ = [
    "ComputedImport",
    "DecodedCodeExecution",
    "DynamicCodeExecution",
    "UnsafeDeserialisation",
]
