"""The exfiltration collector: sensitive data followed to the network within a module, and a summary for the others.

The flow is :mod:`mbcheck.checks.security.taint` (run in the file's one
traversal); this module decides which flows are findings (kept as
:class:`~mbcheck.checks.security.facts_exfil.ExfilFlow`) and what another module
needs to follow a flow across modules (:class:`~mbcheck.checks.security.facts_exfil.ExfilFacts`).
The rule that reports them is :class:`mbcheck.checks.security.rules_exfil.Exfiltration` (MB323).

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
from dataclasses import dataclass

from mbcheck.checks.security.classify import short_name
from mbcheck.checks.security.endpoints import find_endpoint
from mbcheck.checks.security.facts_exfil import (
    ExfilCall,
    ExfilExport,
    ExfilFacts,
    ExfilFlow,
    ExfilImportedSink,
    ExfilParamSink,
    ExfilSource,
)
from mbcheck.checks.security.taint import (
    MAX_DEPTH,
    MODULE,
    Args,
    Client,
    Concrete,
    External,
    FlowVisitor,
    Function,
    SensitivePath,
    Sink,
    Source,
)
from mbcheck.pyfile.traverse import Collector, FileContext, collector

#: how a message names a client's kind
_CLIENT_NOUNS = {
    "http": "an HTTP session", "http-connection": "an HTTP connection", "socket": "a socket",
    "smtp": "an SMTP client", "ftp": "an FTP client", "telnet": "a Telnet client", "dns": "a DNS resolver",
    "websocket": "a WebSocket", "webhook": "a webhook client", "ssh": "an SSH client",
}
#: methods whose first argument is an address: a name in it is looked up in the DNS
_ADDRESS_METHODS = frozenset({"connect", "connect_ex", "resolve", "query", "gethostbyname", "open"})
#: what a finding's message ends with
ADVICE = ("a plugin has no reason to send this. Remove the upload; send only what the user chose to share, "
          "to the plugin's own service, and say so in the plugin's description")
_PROBE = "probe"

Env = Mapping[str, frozenset[Concrete]]
Via = tuple[tuple[str, int], ...]
Seen = set[tuple[str, frozenset[tuple[str, frozenset[Concrete]]]]]


@dataclass(frozen=True)
class _Judged:
    """What a sink sends, judged: the sources that make it a finding, and other modules' results it sends."""

    kind: str
    described: str
    sources: tuple[tuple[Source, int | str], ...]
    external: tuple[tuple[str, int | str], ...]
    probes: tuple[tuple[str, int | str], ...]


def argument_text(argument: int | str, kind: str) -> str:
    """How a message names the argument that carries the data."""
    if argument == 0:
        names = {"dns": "the host name it looks up", "http": "the URL or request", "command": "the command line"}
        return names.get(kind, "argument 1")
    if isinstance(argument, int):
        return f"argument {argument + 1}"
    if argument in ("*", "**"):
        return "unpacked arguments"
    return f"`{argument}=`"


@collector
class ExfilCollector(FlowVisitor, Collector):
    """Sensitive data sent over the network, within the module and as a summary for the others."""

    key = "exfil"

    def __init__(self, ctx: FileContext) -> None:
        Collector.__init__(self, ctx)
        self.init_flow()
        self._flows: dict[int, ExfilFlow] = {}
        self._imported: dict[int, ExfilImportedSink] = {}
        self._calls: dict[tuple[str, int, str, int], set[ExfilSource]] = {}

    # -- judging a sink ---------------------------------------------------------
    def _judge(self, sink: Sink, env: Env) -> _Judged | None:
        data = self.tables
        kind = sink.kind
        described = f"`{short_name(sink.name)}`"
        if sink.method:
            clients = [c.kind for c in self.concrete(sink.receiver, env) if isinstance(c, Client)]
            kind = next((k for k in clients if sink.method in data.client_methods.get(k, ())), "")
            if not kind:
                return None
            described = f"`.{sink.method}()` of {_CLIENT_NOUNS.get(kind, 'a network client')}"
            if sink.method in _ADDRESS_METHODS:
                kind = "dns"
        strong: list[tuple[Source, int | str]] = []
        keys: dict[str, tuple[Source, int | str]] = {}
        external: list[tuple[str, int | str]] = []
        probes: list[tuple[str, int | str]] = []
        for argument, value in sink.args:
            for label in self.concrete(value, env):
                if isinstance(label, External):
                    external.append((label.callee, argument))
                    continue
                if isinstance(label, SensitivePath) and kind == "command":
                    label = Source("file", label.what, label.node)  # `curl -F f=@~/.aws/credentials`
                if not isinstance(label, Source):
                    continue
                if label.kind == _PROBE:
                    probes.append((label.key, argument))
                elif label.kind == "login" and argument in data.auth_keywords:
                    continue  # `auth=(getpass.getuser(), password)`: the user logs in
                elif label.kind != "env-key":
                    strong.append((label, argument))
                elif argument not in data.auth_keywords and data.credential_like(label.key):
                    keys.setdefault(label.key, (label, argument))
        if not strong and keys:
            suspicious = sink.destination is not None and find_endpoint(sink.destination) is not None
            if kind == "dns" or suspicious or len(keys) >= data.harvest:
                strong = list(keys.values())
        if sink.own_host and kind == "dns" and all(s.what == "the host name" for s, _ in strong):
            strong = []  # gethostbyname(gethostname()): the plugin looks up its own address
        return _Judged(kind, described, tuple(strong), tuple(external), tuple(probes))

    # -- within the module --------------------------------------------------------
    def _analyse(self, function: Function, env: Env, depth: int, via: Via, seen: Seen) -> None:
        key = (function.name, frozenset(env.items()))
        if key in seen or depth > MAX_DEPTH:
            return
        seen.add(key)
        for sink in function.sinks:
            self._check(sink, env, via)
        for call in function.calls:
            callee = self.callee(call.callee)
            if callee is None:
                self._outgoing(call.callee, call.args, env, call.node)
                continue
            bound = self.bind_call(callee, call.args, env)
            if bound:
                self._analyse(callee, bound, depth + 1, (*via, (call.callee, call.node)), seen)

    def _outgoing(self, callee: str, args: Args, env: Env, node: int) -> None:
        """A call of another module's function: the sensitive data each argument passes."""
        for argument, value in args:
            sources = {self._source(label) for label in self.concrete(value, env)
                       if isinstance(label, Source) and label.kind not in ("env-key", _PROBE)}
            if not sources or argument in ("*", "**"):
                continue
            position, keyword = (argument, "") if isinstance(argument, int) else (-1, argument)
            line = self.ctx.line(self.nodes[node])
            self._calls.setdefault((callee, position, keyword, line), set()).update(sources)

    def _line(self, node: int) -> int:
        return self.ctx.line(self.nodes[node])

    def _source(self, label: Source) -> ExfilSource:
        return ExfilSource(label.what, self.ctx.span(self.nodes[label.node]), label.kind == "listing")

    def _check(self, sink: Sink, env: Env, via: Via) -> None:
        if sink.node in self._flows:
            return
        judged = self._judge(sink, env)
        if judged is None:
            return
        if not judged.sources:
            if judged.external and sink.node not in self._imported:
                text = argument_text(judged.external[0][1], judged.kind)
                callees = tuple(dict.fromkeys(c for c, _ in judged.external))
                self._imported[sink.node] = ExfilImportedSink(self.ctx.span(self.nodes[sink.node]), judged.described,
                                                              text, callees)
            return
        line = self._line
        strong = sorted(judged.sources, key=lambda item: (line(item[0].node), item[0].what))
        source, argument = strong[0]
        whats = list(dict.fromkeys(s.what for s, _ in strong))
        what = whats[0] if len(whats) == 1 else ", ".join(whats[:-1][:3]) + " and " + whats[-1]
        verb = "listed" if source.kind == "listing" else "read"
        through = "".join(f" through `{short_name(name.rsplit('.', 1)[-1])}()` called at line {line(node)}"
                          for name, node in via[:3])
        message = (f"sends {what} ({verb} at line {line(source.node)}) over the network at line {line(sink.node)} "
                   f"({judged.described}, {argument_text(argument, judged.kind)}){through}: {ADVICE}")
        related = tuple(dict.fromkeys(self.ctx.span(self.nodes[s.node]) for s, _ in strong))[:5]
        self._flows[sink.node] = ExfilFlow(self.ctx.span(self.nodes[sink.node]), message, related)

    # -- for the other modules ------------------------------------------------------
    def _probe(self, function: Function, env: Env, depth: int, seen: Seen,
               found: dict[tuple[str, int], tuple[Sink, _Judged, int | str]]) -> None:
        """Which sinks the probed parameters reach (``found``: by parameter and sink)."""
        key = (function.name, frozenset(env.items()))
        if key in seen or depth > MAX_DEPTH:
            return
        seen.add(key)
        for sink in function.sinks:
            judged = self._judge(sink, env)
            if judged is not None:
                for param, argument in judged.probes:
                    found.setdefault((param, sink.node), (sink, judged, argument))
        for call in function.calls:
            callee = self.callee(call.callee)
            if callee is not None:
                bound = self.bind_call(callee, call.args, env)
                if bound:
                    self._probe(callee, bound, depth + 1, seen, found)

    def _sending(self) -> set[str]:
        """The functions that send something, themselves or through the module's functions they call."""
        sending = {name for name, function in self.functions.items() if function.sinks}
        if not sending:
            return sending
        changed = True
        while changed:
            changed = False
            for name, function in self.functions.items():
                if name not in sending and any(
                        (c.callee in sending or f"{c.callee}.__init__" in sending) for c in function.calls):
                    sending.add(name)
                    changed = True
        return sending

    def _export(self, function: Function, sends: bool) -> ExfilExport | None:
        if not function.returns and not sends:
            return None
        returns = tuple(sorted({self._source(label) for label in self.concrete(frozenset(function.returns), {})
                                if isinstance(label, Source) and label.kind != "env-key"},
                               key=lambda s: (s.span.line, s.what)))
        params: list[ExfilParamSink] = []
        names = function.params[1:] if function.method and function.params else function.params
        if sends:
            for position, name in enumerate(names):
                probe = frozenset({Source(_PROBE, name, 0, name)})
                found: dict[tuple[str, int], tuple[Sink, _Judged, int | str]] = {}
                self._probe(function, {name: probe}, 0, set(), found)
                for sink, judged, argument in found.values():
                    params.append(ExfilParamSink(name, position, self.ctx.span(self.nodes[sink.node]),
                                                 judged.described, argument_text(argument, judged.kind)))
        if not returns and not params:
            return None
        return ExfilExport(function.name, returns, tuple(params))

    def result(self) -> ExfilFacts:
        seen: Seen = set()
        for function in list(self.functions.values()):
            self._analyse(function, {}, 0, (), seen)
        sending = self._sending()
        exports = [found for function in self.functions.values() if function.name != MODULE
                   for found in [self._export(function, function.name in sending)] if found is not None]
        calls = tuple(ExfilCall(callee, position, keyword, tuple(sorted(sources, key=lambda s: (s.span.line, s.what))),
                                line)
                      for (callee, position, keyword, line), sources in sorted(self._calls.items()))
        imported = tuple(sink for node, sink in self._imported.items() if node not in self._flows)
        return ExfilFacts(tuple(self._flows.values()), tuple(exports), calls, imported)


__all__ = ["ADVICE", "ExfilCollector", "argument_text"]
