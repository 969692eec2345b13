"""A data-flow of sensitive values through one module: labels, per-function summaries, a bounded fixpoint.

:class:`FlowVisitor` is a mixin for a source rule. As the file's one traversal
goes, it turns every statement into a summary of its enclosing function
(``"<module>"`` for the top level): what each local name may hold, what the
function returns, which calls send data (sinks), which of the plugin's own
functions it calls and with what. A value is a set of *labels*:

* concrete ones: :class:`Source` (a sensitive value and where it was read),
  :class:`SensitivePath` (a path naming a sensitive file or folder), :class:`Client`
  (a session, socket or resolver);
* symbolic ones, resolved after the traversal: :class:`Param` (a parameter of the
  function), :class:`Global` (a module-level name, or a ``self.`` attribute),
  :class:`Returned` (what a call of one of the module's functions returns, given
  its arguments), :class:`FileRead` and :class:`Listing` (the content of the file,
  or the names in the folder, a value names).

Values flow through assignments (a name accumulates what it is assigned; a branch
never untaints it), ``with ... as``, ``for`` targets, comprehensions, containers,
f-strings, ``%``/``+``/``.format``, any call of a library function (its result holds
what its arguments hold, unless it is a sanitiser such as a digest), method calls
(the receiver's and arguments' content), and mutating methods (``d.update(x)``,
``l.append(x)``, ``d[k] = x``). After the traversal, :meth:`FlowVisitor.resolve_flows`
evaluates every function with unbound parameters, then again for every call that
passes it something sensitive (a parameter that reaches a sink), to a bounded
depth; module-level names and ``self.`` attributes are flow-insensitive.

The tables (what is sensitive, what sends, what sanitises) are data:
``rules/security/exfiltration.json``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache

import libcst as cst

from mbcheck.checks.security.tables import tables
from mbcheck.checks.security.values import fold_string, plugin_internal, resolve
from mbcheck.pyfile.literals import literal_string
from mbcheck.pyfile.traverse import FileContext
from mbcheck.resources import load_json

TABLE = "rules/security/exfiltration.json"
MODULE = "<module>"
#: calls whose result is the host's name: looking it up is how a plugin finds its own address
HOST_NAME_CALLS = frozenset({"socket.gethostname", "socket.getfqdn", "platform.node"})
#: how deep calls of the module's own functions are followed
MAX_DEPTH = 6
_MAX_EXPR_DEPTH = 60
#: calls that open a file (or an archive) that writes go to
_OPENERS = frozenset({"builtins.open", "io.open", "codecs.open", "gzip.open", "bz2.open", "lzma.open",
                      "zipfile.ZipFile", "tarfile.open", "tarfile.TarFile"})
_WRITERS = frozenset({"write", "writelines", "writestr", "add"})
_MUTATORS = frozenset({"append", "extend", "insert", "update", "add", "setdefault", "appendleft", "extendleft",
                       "write", "writelines", "__setitem__"})


# --------------------------------------------------------------------------
# The table


@dataclass(frozen=True)
class ExfilTables:
    """``rules/security/exfiltration.json``, indexed."""

    env_names: frozenset[str]
    env_key_calls: frozenset[str]
    credential_words: tuple[str, ...]
    harvest: int
    source_calls: Mapping[str, str]
    fragments: tuple[tuple[tuple[str, ...], str], ...]
    readers: frozenset[str]
    reader_methods: frozenset[str]
    listers: frozenset[str]
    lister_methods: frozenset[str]
    sanitisers: tuple[str, ...]
    sanitiser_set: frozenset[str]
    sanitiser_methods: frozenset[str]
    clients: Mapping[str, str]
    client_methods: Mapping[str, frozenset[str]]
    #: every method some client sends with (a method call on anything else is no sink)
    sending_methods: frozenset[str]
    http_sinks: frozenset[str]
    dns_sinks: frozenset[str]
    auth_keywords: frozenset[str]
    request_builders: frozenset[str]
    recon: Mapping[str, str]
    login_names: frozenset[str]
    deferred: Mapping[str, str]
    deferred_methods: frozenset[str]
    network_programs: frozenset[str]
    process_calls: frozenset[str]

    def sanitises(self, name: str) -> bool:
        if name in self.sanitiser_set:
            return True
        while "." in name:
            name = name.rsplit(".", 1)[0]
            if name in self.sanitiser_set:
                return True
        return False

    def credential_like(self, key: str) -> bool:
        upper = key.upper()
        return any(word in upper for word in self.credential_words)


def _components(text: str) -> tuple[str, ...]:
    return tuple(part for part in text.lower().replace("\\", "/").split("/") if part and part not in (".", "~"))


@cache
def exfil_tables() -> ExfilTables:
    """The exfiltration table, loaded once."""
    data = load_json(TABLE)
    env, paths, clients, sinks = data["environment"], data["paths"], data["clients"], data["sinks"]
    return ExfilTables(
        env_names=frozenset(env["names"]),
        env_key_calls=frozenset(env["key_calls"]),
        credential_words=tuple(env["credential_words"]),
        harvest=int(env["harvest"]),
        source_calls=dict(data["calls"]["names"]),
        fragments=tuple((_components(k), v) for k, v in paths["fragments"].items()),
        readers=frozenset(paths["readers"]),
        reader_methods=frozenset(paths["reader_methods"]),
        listers=frozenset(paths["listers"]),
        lister_methods=frozenset(paths["lister_methods"]),
        sanitisers=tuple(data["sanitisers"]["names"]),
        sanitiser_set=frozenset(data["sanitisers"]["names"]),
        sanitiser_methods=frozenset(data["sanitisers"]["methods"]),
        clients=dict(clients["constructors"]),
        client_methods={k: frozenset(v) for k, v in clients["methods"].items()},
        sending_methods=frozenset(m for methods in clients["methods"].values() for m in methods),
        http_sinks=frozenset(sinks["http"]),
        dns_sinks=frozenset(sinks["dns"]),
        auth_keywords=frozenset(sinks["auth_keywords"]),
        request_builders=frozenset(sinks["request_builders"]),
        recon=dict(data["commands"]["recon"]),
        login_names=frozenset(sinks["login_names"]),
        deferred=dict(sinks["deferred"]),
        deferred_methods=frozenset(sinks["deferred_methods"]),
        network_programs=frozenset(data["commands"]["network"]),
        process_calls=frozenset({*tables().shell_calls, "asyncio.create_subprocess_exec"}),
    )


@cache
def _fragment_words() -> frozenset[str]:
    return frozenset(word for fragment, _ in exfil_tables().fragments for word in fragment)


@lru_cache(maxsize=65_536)
def sensitive_fragment(text: str) -> str | None:
    """What a path-like literal names when one of its component runs is in the table (``~/.ssh/id_rsa``).
    The same literals recur across files: each text is read once per process."""
    if len(text) > 400 or not text:
        return None
    parts = _components(text)
    if not parts or _fragment_words().isdisjoint(parts):
        return None
    best: tuple[int, str] | None = None  # the deepest match names the file (``id_rsa`` over ``.ssh``)
    for fragment, what in exfil_tables().fragments:
        size = len(fragment)
        for start in range(len(parts) - size + 1):
            if parts[start:start + size] == fragment and (best is None or start + size > best[0]):
                best = (start + size, what)
    return best[1] if best is not None else None


# --------------------------------------------------------------------------
# Labels


@dataclass(frozen=True, slots=True)
class Source:
    """A sensitive value: ``kind`` is ``environment``, ``env-key``, ``login``, ``call``, ``file`` or ``listing``."""

    kind: str
    what: str
    node: int
    key: str = ""


@dataclass(frozen=True, slots=True)
class SensitivePath:
    what: str
    node: int


@dataclass(frozen=True, slots=True)
class Client:
    kind: str


@dataclass(frozen=True, slots=True)
class External:
    """What a function of another module of the plugin returns (known only across modules)."""

    callee: str


@dataclass(frozen=True, slots=True)
class Param:
    name: str


@dataclass(frozen=True, slots=True)
class Global:
    name: str


Args = tuple[tuple["int | str", "Value"], ...]


@dataclass(frozen=True, slots=True)
class Returned:
    callee: str
    args: Args


@dataclass(frozen=True, slots=True)
class FileRead:
    path: Value
    node: int


@dataclass(frozen=True, slots=True)
class Listing:
    path: Value
    node: int


Label = Source | SensitivePath | Client | External | Param | Global | Returned | FileRead | Listing
Value = frozenset[Label]
EMPTY: Value = frozenset()
Concrete = Source | SensitivePath | Client | External


def _union(values: Iterable[Value]) -> Value:
    out: set[Label] = set()
    for value in values:
        out |= value
    return frozenset(out)


# --------------------------------------------------------------------------
# Summaries


@dataclass(frozen=True, slots=True)
class Sink:
    """A call that sends its arguments: ``name`` as reported, ``kind`` (``http``, ``dns``,
    or a client kind), ``receiver`` for a method of a client (resolved after the traversal)."""

    node: int
    name: str
    kind: str
    args: Args
    method: str = ""
    receiver: Value = EMPTY
    destination: str | None = None
    #: the looked-up name is the host's own name, unchanged (``gethostbyname(gethostname())``)
    own_host: bool = False


@dataclass(frozen=True, slots=True)
class Call:
    """A call of one of the module's functions (``callee`` qualified), with its arguments."""

    callee: str
    args: Args
    node: int


@dataclass
class Function:
    """What one function (or the module's top level) does with values."""

    name: str
    params: tuple[str, ...] = ()
    star: str = ""
    star_star: str = ""
    method: bool = False
    locals: dict[str, Value] = field(default_factory=dict)
    returns: set[Label] = field(default_factory=set)
    sinks: list[Sink] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    declared_global: set[str] = field(default_factory=set)
    is_class: bool = False
    #: names assigned only the host's own name, unchanged
    host_names: set[str] = field(default_factory=set)
    #: open files (and archives) by the name holding them -> the name holding their path
    handles: dict[str, str] = field(default_factory=dict)
    #: what was written to the file a name's path names
    written: dict[str, Value] = field(default_factory=dict)


def _params(node: cst.FunctionDef) -> tuple[tuple[str, ...], str, str]:
    params = node.params
    names = tuple(p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params))
    star = params.star_arg.name.value if type(params.star_arg) is cst.Param else ""
    star_star = params.star_kwarg.name.value if params.star_kwarg is not None else ""
    return names, star, star_star


class FlowVisitor:
    """The traversal half of the flow (a mixin for a :class:`~mbcheck.pyfile.traverse.SourceRule`)."""

    ctx: FileContext

    def init_flow(self) -> None:
        self.functions: dict[str, Function] = {MODULE: Function(MODULE)}
        self.frames: list[Function] = [self.functions[MODULE]]
        self.module_values: dict[str, set[Label]] = {}
        self.nodes: dict[int, cst.CSTNode] = {}
        self._sink_seen: set[int] = set()
        self._global_memo: dict[str, frozenset[Concrete]] = {}
        self._returned_memo: dict[tuple[str, frozenset[tuple[str, frozenset[Concrete]]]], frozenset[Concrete]] = {}
        self.tables = exfil_tables()

    # -- frames ---------------------------------------------------------------
    @property
    def frame(self) -> Function:
        return self.frames[-1]

    def _key(self, node: cst.CSTNode) -> int:
        self.nodes[id(node)] = node
        return id(node)

    def _class_prefix(self) -> str:
        names = [f.name for f in self.frames if f.is_class]
        return names[-1] if names else self.ctx.module_name

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        enclosing = self.frame
        qual = f"{self._class_prefix()}.{node.name.value}" if enclosing.is_class else \
            f"{self.ctx.module_name}.{node.name.value}"
        params, star, star_star = _params(node)
        function = self.functions.get(qual)
        if function is None:
            function = self.functions[qual] = Function(qual, params, star, star_star, enclosing.is_class)
        for name in (*params, star, star_star):
            if name:
                function.locals[name] = frozenset({Param(name)})
        self.frames.append(function)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.frames.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        qual = f"{self.ctx.module_name}.{node.name.value}"
        frame = self.functions.get(qual)
        if frame is None or not frame.is_class:
            frame = self.functions[qual] = Function(qual, is_class=True)
        self.frames.append(frame)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.frames.pop()

    def visit_Global(self, node: cst.Global) -> None:
        self.frame.declared_global.update(item.name.value for item in node.names)

    # -- statements -------------------------------------------------------------
    def leave_Assign(self, original_node: cst.Assign) -> None:
        value = self.value(original_node.value)
        own = self._own_host(original_node.value)
        for target in original_node.targets:
            self.bind(target.target, value)
            if type(target.target) is cst.Name:
                (self.frame.host_names.add if own else self.frame.host_names.discard)(target.target.value)
                self._handle(target.target, original_node.value)

    def leave_AnnAssign(self, original_node: cst.AnnAssign) -> None:
        if original_node.value is not None:
            self.bind(original_node.target, self.value(original_node.value))

    def leave_AugAssign(self, original_node: cst.AugAssign) -> None:
        self.bind(original_node.target, self.value(original_node.value))

    def leave_Expr(self, original_node: cst.Expr) -> None:
        value = self.value(original_node.value)
        if (type(original_node.value) is cst.Yield or type(original_node.value) is cst.Await) and not self.frame.is_class:
            self.frame.returns |= value

    def leave_Return(self, original_node: cst.Return) -> None:
        if original_node.value is not None:
            self.frame.returns |= self.value(original_node.value)

    def visit_If(self, node: cst.If) -> None:
        self.value(node.test)

    def visit_While(self, node: cst.While) -> None:
        self.value(node.test)

    def visit_With(self, node: cst.With) -> None:
        for item in node.items:
            value = self.value(item.item)
            if item.asname is not None:
                self.bind(item.asname.name, value)
                self._handle(item.asname.name, item.item)

    def visit_For(self, node: cst.For) -> None:
        self.bind(node.target, self.value(node.iter))

    # -- bindings -------------------------------------------------------------
    def bind(self, target: cst.BaseExpression, value: Value) -> None:
        if type(target) is cst.Name:
            frame = self.frame
            name = target.value
            if frame.name == MODULE or name in frame.declared_global:
                if value:
                    self.module_values.setdefault(name, set()).update(value)
            elif frame.is_class:
                if value:  # a class attribute, read as ``self.name`` or ``Class.name``
                    self.module_values.setdefault(f"self.{name}", set()).update(value)
            elif value or name not in frame.locals:
                frame.locals[name] = frame.locals.get(name, EMPTY) | value
        elif (type(target) is cst.Tuple or type(target) is cst.List):
            for element in target.elements:
                self.bind(element.value, value)
        elif (type(target) is cst.StarredElement or type(target) is cst.Subscript):
            self.bind(target.value, value)
        elif type(target) is cst.Attribute:
            if type(target.value) is cst.Name and target.value.value in ("self", "cls"):
                if value:
                    self.module_values.setdefault(f"self.{target.attr.value}", set()).update(value)
            else:
                self.bind(target.value, value)

    def _lookup(self, name: str) -> Value:
        for frame in reversed(self.frames):
            if frame.is_class or frame.name == MODULE:
                continue
            if name in frame.declared_global:
                break
            found = frame.locals.get(name)
            if found is not None:
                return found
        return frozenset({Global(name)})

    # -- values -----------------------------------------------------------------
    def value(self, expr: cst.BaseExpression, depth: int = 0) -> Value:
        """What an expression may hold (labels), recording the sinks and calls it makes."""
        if depth > _MAX_EXPR_DEPTH:
            return EMPTY
        kind = type(expr)
        if kind is cst.Name:
            assert type(expr) is cst.Name
            if resolve(self.ctx, expr) in self.tables.env_names:
                return self._env(expr)
            return self._lookup(expr.value)
        if kind is cst.Attribute:
            assert type(expr) is cst.Attribute
            if resolve(self.ctx, expr) in self.tables.env_names:
                return self._env(expr)
            if type(expr.value) is cst.Name and expr.value.value in ("self", "cls"):
                return frozenset({Global(f"self.{expr.attr.value}")})
            owner = resolve(self.ctx, expr.value) if type(expr.value) is cst.Name else None
            if owner is not None and owner in self.functions and self.functions[owner].is_class:
                return frozenset({Global(f"self.{expr.attr.value}")})  # ``Config.DATA``: a class attribute
            return self.value(expr.value, depth + 1)
        if kind is cst.Call:
            assert type(expr) is cst.Call
            return self._call(expr, depth)
        if kind is cst.SimpleString or kind is cst.ConcatenatedString:
            text = literal_string(expr)
            what = sensitive_fragment(text) if text is not None else None
            if what is not None:
                return frozenset({SensitivePath(what, self._key(expr))})
            return EMPTY
        if kind is cst.Subscript:
            assert type(expr) is cst.Subscript
            if resolve(self.ctx, expr.value) in self.tables.env_names:
                index = expr.slice[0].slice if len(expr.slice) == 1 else None
                key = fold_string(self.ctx, index.value) if type(index) is cst.Index else None
                return self._env(expr, key)
            return self.value(expr.value, depth + 1)
        if kind is cst.BinaryOperation:
            assert type(expr) is cst.BinaryOperation
            return self.value(expr.left, depth + 1) | self.value(expr.right, depth + 1)
        if kind is cst.BooleanOperation:
            assert type(expr) is cst.BooleanOperation
            return self.value(expr.left, depth + 1) | self.value(expr.right, depth + 1)
        if kind is cst.IfExp:
            assert type(expr) is cst.IfExp
            self.value(expr.test, depth + 1)
            return self.value(expr.body, depth + 1) | self.value(expr.orelse, depth + 1)
        if kind is cst.FormattedString:
            assert type(expr) is cst.FormattedString
            return _union(self.value(part.expression, depth + 1) for part in expr.parts
                          if type(part) is cst.FormattedStringExpression)
        if kind in (cst.List, cst.Tuple, cst.Set):
            assert (type(expr) is cst.List or type(expr) is cst.Tuple or type(expr) is cst.Set)
            return _union(self.value(element.value, depth + 1) for element in expr.elements)
        if kind is cst.Dict:
            assert type(expr) is cst.Dict
            out: set[Label] = set()
            for element in expr.elements:
                if type(element) is cst.DictElement:
                    out |= self.value(element.key, depth + 1)
                out |= self.value(element.value, depth + 1)
            return frozenset(out)
        if kind in (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp):
            assert isinstance(expr, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp))
            return self._comprehension(expr, depth)
        if kind is cst.Await:
            assert type(expr) is cst.Await
            return self.value(expr.expression, depth + 1)
        if kind is cst.Yield:
            assert type(expr) is cst.Yield
            inner = expr.value
            return self.value(inner, depth + 1) if isinstance(inner, cst.BaseExpression) else EMPTY
        if kind is cst.NamedExpr:
            assert type(expr) is cst.NamedExpr
            found = self.value(expr.value, depth + 1)
            self.bind(expr.target, found)
            return found
        if kind is cst.StarredElement:
            assert type(expr) is cst.StarredElement
            return self.value(expr.value, depth + 1)
        return EMPTY

    def _comprehension(self, expr: cst.ListComp | cst.SetComp | cst.GeneratorExp | cst.DictComp,
                       depth: int) -> Value:
        comp: cst.CompFor | None = expr.for_in
        while comp is not None:
            self.bind(comp.target, self.value(comp.iter, depth + 1))
            for condition in comp.ifs:
                self.value(condition.test, depth + 1)
            comp = comp.inner_for_in
        if isinstance(expr, cst.DictComp):
            return self.value(expr.key, depth + 1) | self.value(expr.value, depth + 1)
        return self.value(expr.elt, depth + 1)

    def _env(self, node: cst.CSTNode, key: str | None = None, computed: bool = False) -> Value:
        if key is not None:
            return frozenset({Source("env-key", f"the environment variable `{key}`", self._key(node), key)})
        what = "environment variables named by the code" if computed else "the environment variables"
        return frozenset({Source("environment", what, self._key(node))})

    def _args(self, call: cst.Call, depth: int) -> Args:
        out: list[tuple[int | str, Value]] = []
        position = 0
        for arg in call.args:
            value = self.value(arg.value, depth + 1)
            if arg.keyword is not None:
                out.append((arg.keyword.value, value))
            elif arg.star:
                out.append(("*" if arg.star == "*" else "**", value))
            else:
                out.append((position, value))
                position += 1
        return tuple(out)

    def _call(self, call: cst.Call, depth: int) -> Value:
        data = self.tables
        name = resolve(self.ctx, call.func)
        args = self._args(call, depth)
        values = _union(v for _, v in args)
        line = self._key(call)  # the call's node (its line is resolved only for a finding)
        if name is not None:
            if name in data.source_calls:
                kind = "login" if name in data.login_names else "call"
                return frozenset({Source(kind, data.source_calls[name], line)})
            if name in data.env_key_calls:
                first = call.args[0].value if call.args else None
                key = fold_string(self.ctx, first) if first is not None else None
                return self._env(call, key, computed=key is None)
            base, _, _ = name.rpartition(".")
            if base in data.env_names:
                return self._env(call)  # os.environ.copy(), .items(), .keys()
            if data.sanitises(name):
                return EMPTY
            if name in data.readers:
                return self._read(call, args, FileRead) | self._written(call)
            if name in data.listers:
                return self._read(call, args, Listing)
            if name in data.clients:
                self._sink(call, name, data.clients[name], args)
                return frozenset({Client(data.clients[name])})
            if name in data.http_sinks:
                self._sink(call, name, "http", args)
                return EMPTY
            if name in data.dns_sinks:
                self._sink(call, name, "dns", args)
                return EMPTY
            if name in data.process_calls and call.args:
                program = self._program(call)
                if program in data.recon:
                    what = f"{data.recon[program]} (the output of `{program}`)"
                    return frozenset({Source("call", what, line)})
                if program in data.network_programs:
                    self._sink(call, f"{name}` running `{program}", "command", args[:1])
                return EMPTY
            if name in data.deferred:
                self._defer(call, data.deferred[name], args)
            if plugin_internal(self.ctx, name) and name != self.ctx.module_name:
                self.frame.calls.append(Call(name, args, line))
                return frozenset({Returned(name, args)})
        func = call.func
        if type(func) is cst.Attribute:
            method = func.attr.value
            if method in data.sanitiser_methods:
                return EMPTY
            if method in data.deferred_methods:
                self._defer(call, "1" if method == "run_in_executor" else "0", args)
            if type(func.value) is cst.Name and func.value.value in ("self", "cls") and self._class_prefix() != \
                    self.ctx.module_name:
                callee = f"{self._class_prefix()}.{method}"
                self.frame.calls.append(Call(callee, args, line))
                return frozenset({Returned(callee, args)})
            receiver = self.value(func.value, depth + 1)
            if receiver and method in data.sending_methods:
                node_key = self._key(call)
                if node_key not in self._sink_seen:
                    self._sink_seen.add(node_key)
                    own = bool(call.args) and self._own_host(call.args[0].value)
                    self.frame.sinks.append(Sink(node_key, method, "", args, method, receiver,
                                                 self._destination(call), own))
            if method in data.reader_methods:
                return frozenset({FileRead(receiver, line)}) if receiver else EMPTY
            if method in data.lister_methods:
                return frozenset({Listing(receiver, line)}) if receiver else EMPTY
            if method in _MUTATORS and values:
                self.bind(func.value, values)
                self._write(func.value, method, values, call)
            return frozenset(label for label in receiver | values if not isinstance(label, Client))
        return values

    def _write(self, handle: cst.BaseExpression, method: str, values: Value, call: cst.Call) -> None:
        """``f.write(data)``, ``zip.write(path)``: the file now holds the data (or the named file's content)."""
        if method not in _WRITERS:
            return
        path: str | None = None
        if type(handle) is cst.Name:
            path = self.frame.handles.get(handle.value)
        elif type(handle) is cst.Call and handle.args and type(handle.args[0].value) is cst.Name and \
                resolve(self.ctx, handle.func) in _OPENERS:
            path = handle.args[0].value.value
        if path is None:
            return
        held = values | frozenset({FileRead(values, self._key(call))})
        self.frame.written[path] = self.frame.written.get(path, EMPTY) | held

    def _written(self, call: cst.Call) -> Value:
        """What the plugin wrote earlier to the file a reader opens (by the name holding its path)."""
        first = call.args[0].value if call.args else None
        if type(first) is cst.Name:
            return self.frame.written.get(first.value, EMPTY)
        return EMPTY

    def _defer(self, call: cst.Call, where: str, args: Args) -> None:
        """``Thread(target=f, args=(x,))``, ``pool.submit(f, x)``: a later call of ``f`` with those arguments."""
        target: cst.BaseExpression | None = None
        rest: list[tuple[int | str, Value]] = []
        if where.isdigit():
            index = int(where)
            positional = [arg for arg in call.args if arg.keyword is None and not arg.star]
            if len(positional) > index:
                target = positional[index].value
            rest = [(k - index - 1, v) for k, v in args if isinstance(k, int) and k > index]
            rest += [(k, v) for k, v in args if isinstance(k, str)]
        else:
            for arg in call.args:
                if arg.keyword is None:
                    continue
                if arg.keyword.value == where:
                    target = arg.value
                elif arg.keyword.value == "args":
                    if (type(arg.value) is cst.Tuple or type(arg.value) is cst.List):
                        rest += [(i, self.value(e.value)) for i, e in enumerate(arg.value.elements)]
                    else:
                        rest.append(("*", self.value(arg.value)))
                elif arg.keyword.value == "kwargs":
                    rest.append(("**", self.value(arg.value)))
        if target is None:
            return
        callee = resolve(self.ctx, target)
        if type(target) is cst.Attribute and type(target.value) is cst.Name and target.value.value == "self":
            callee = f"{self._class_prefix()}.{target.attr.value}"
        if callee is not None and plugin_internal(self.ctx, callee):
            self.frame.calls.append(Call(callee, tuple(rest), self._key(call)))

    def _read(self, call: cst.Call, args: Args, kind: type[FileRead] | type[Listing]) -> Value:
        path = _union(v for k, v in args if k in (0, "file", "path", "top", "pathname", "database", "src"))
        return frozenset({kind(path, self._key(call))}) if path else EMPTY

    def _handle(self, target: cst.BaseExpression, expr: cst.BaseExpression) -> None:
        """``f = open(path, 'w')``, ``with ZipFile(path, 'w') as z``: writes to ``f`` go to ``path``'s file."""
        if type(target) is not cst.Name or type(expr) is not cst.Call or not expr.args:
            return
        path = expr.args[0].value
        if type(path) is cst.Name and resolve(self.ctx, expr.func) in _OPENERS:
            self.frame.handles[target.value] = path.value

    def _own_host(self, expr: cst.BaseExpression) -> bool:
        """Whether an expression is the host's own name, unchanged."""
        if type(expr) is cst.Name:
            return expr.value in self.frame.host_names
        return type(expr) is cst.Call and resolve(self.ctx, expr.func) in HOST_NAME_CALLS

    def _program(self, call: cst.Call) -> str:
        """The program a process call runs (its first word's base name, lower-case, no ``.exe``)."""
        first = call.args[0].value
        if (type(first) is cst.List or type(first) is cst.Tuple) and first.elements:
            first = first.elements[0].value
        text: str | None
        if type(first) is cst.FormattedString:
            head = first.parts[0] if first.parts else None
            text = head.value if type(head) is cst.FormattedStringText else None
        else:
            text = fold_string(self.ctx, first)
        words = text.split() if text else []
        if not words:
            return ""
        return words[0].replace("\\", "/").rsplit("/", 1)[-1].lower().removesuffix(".exe")

    def _destination(self, call: cst.Call) -> str | None:
        """The URL or host a sending call names, when it folds to a string."""
        for index, arg in enumerate(call.args):
            if (arg.keyword is None and index == 0) or (arg.keyword is not None and arg.keyword.value in ("url", "host")):
                return fold_string(self.ctx, arg.value)
        return None

    def _sink(self, call: cst.Call, name: str, kind: str, args: Args) -> None:
        key = self._key(call)
        if key in self._sink_seen:
            return
        self._sink_seen.add(key)
        own = bool(call.args) and kind == "dns" and self._own_host(call.args[0].value)
        self.frame.sinks.append(Sink(key, name, kind, args, destination=self._destination(call),
                                     own_host=own))

    # -- after the traversal: resolving the symbolic labels ---------------------
    def concrete(self, value: Value, env: Mapping[str, frozenset[Concrete]], depth: int = 0) -> frozenset[Concrete]:
        """The concrete labels a value may hold, parameters bound by ``env``."""
        out: set[Concrete] = set()
        for label in value:
            if isinstance(label, (Source, SensitivePath, Client, External)):
                out.add(label)
            elif isinstance(label, Param):
                out |= env.get(label.name, frozenset())
            elif isinstance(label, Global):
                out |= self._global(label.name)
            elif isinstance(label, Returned):
                out |= self._returned(label, env, depth)
            elif isinstance(label, FileRead):
                # a sensitive path, or a name found by listing a sensitive folder; one file is
                # named by its most specific part (``~/.ssh/id_rsa`` is a key, not the folder)
                whats = sorted({inner.what for inner in self.concrete(label.path, env, depth)
                                if isinstance(inner, SensitivePath)
                                or (isinstance(inner, Source) and inner.kind in ("listing", "file"))},
                               key=lambda what: ("folder" in what, what))
                if whats:
                    out.add(Source("file", whats[0], label.node))
            elif isinstance(label, Listing):
                for inner in self.concrete(label.path, env, depth):
                    if isinstance(inner, SensitivePath):
                        out.add(Source("listing", inner.what, label.node))
                    elif isinstance(inner, Source) and inner.kind == "listing":
                        out.add(inner)
        return frozenset(out)

    def _global(self, name: str) -> frozenset[Concrete]:
        found = self._global_memo.get(name)
        if found is not None:
            return found
        self._global_memo[name] = frozenset()  # a cycle adds nothing
        value = self.module_values.get(name)
        result = self.concrete(frozenset(value), {}) if value else frozenset()
        self._global_memo[name] = result
        return result

    def callee(self, name: str) -> Function | None:
        """The function a call of ``name`` runs (a class's ``__init__``)."""
        found = self.functions.get(name)
        if found is None or found.is_class:
            found = self.functions.get(f"{name}.__init__")
        return found

    def bind_call(self, function: Function, args: Args, env: Mapping[str, frozenset[Concrete]],
                  depth: int = 0) -> dict[str, frozenset[Concrete]]:
        """The parameters of ``function`` bound to what the call's arguments hold (a method's
        first parameter is its receiver)."""
        params = function.params
        if function.method and params:
            params = params[1:]
        out: dict[str, set[Concrete]] = {}
        spread: set[Concrete] = set()
        for key, value in args:
            held = self.concrete(value, env, depth + 1)
            if not held:
                continue
            if isinstance(key, int):
                target = params[key] if key < len(params) else function.star
            elif key in ("*", "**"):
                spread |= held
                continue
            else:
                target = key if key in params else function.star_star
            if target:
                out.setdefault(target, set()).update(held)
        if spread:
            for name in (*params, function.star, function.star_star):
                if name:
                    out.setdefault(name, set()).update(spread)
        return {k: frozenset(v) for k, v in out.items()}

    def _returned(self, label: Returned, env: Mapping[str, frozenset[Concrete]], depth: int) -> frozenset[Concrete]:
        function = self.callee(label.callee)
        if function is None:  # another module's (or a library's) function: what it is given, and what it returns
            passed = self.concrete(_union(v for _, v in label.args), env, depth + 1)
            return passed | frozenset({External(label.callee)})
        if depth > MAX_DEPTH:
            return frozenset()
        bound = self.bind_call(function, label.args, env, depth)
        key = (function.name, frozenset(bound.items()))
        found = self._returned_memo.get(key)
        if found is not None:
            return found
        self._returned_memo[key] = frozenset()
        result = self.concrete(frozenset(function.returns), bound, depth + 1)
        self._returned_memo[key] = result
        return result


__all__ = [
    "EMPTY",
    "MAX_DEPTH",
    "MODULE",
    "TABLE",
    "Args",
    "Call",
    "Client",
    "Concrete",
    "ExfilTables",
    "External",
    "FlowVisitor",
    "Function",
    "SensitivePath",
    "Sink",
    "Source",
    "Value",
    "exfil_tables",
    "sensitive_fragment",
]
