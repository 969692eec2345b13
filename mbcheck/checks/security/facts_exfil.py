"""What the exfiltration collector keeps about one module (plain data: no libcst here).

The flows found within the module are kept as finished findings; what other
modules of the plugin need to follow a flow across modules is kept as a summary:
the module's functions that return sensitive data, their parameters that reach a
sink, the calls that pass sensitive data to another module's function, and the
sinks fed by what another module's function returns.
"""

from __future__ import annotations

from dataclasses import dataclass

from mbcheck.model import Span


@dataclass(frozen=True, slots=True)
class ExfilFlow:
    """A flow found within the module: where it is sent, the message, where the data was read."""

    span: Span
    message: str
    related: tuple[Span, ...] = ()


@dataclass(frozen=True, slots=True)
class ExfilSource:
    """Sensitive data and where it was read (``what`` as a message names it)."""

    what: str
    span: Span
    listed: bool = False


@dataclass(frozen=True, slots=True)
class ExfilParamSink:
    """A parameter of a function that reaches a sink: ``position`` counts from the first
    parameter a caller passes (a method's receiver is not counted)."""

    param: str
    position: int
    span: Span
    sink: str
    argument: str


@dataclass(frozen=True, slots=True)
class ExfilExport:
    """One function of the module as other modules see it (qualified ``name``)."""

    name: str
    returns: tuple[ExfilSource, ...] = ()
    params: tuple[ExfilParamSink, ...] = ()


@dataclass(frozen=True, slots=True)
class ExfilCall:
    """A call of another module's function passing sensitive data as one argument
    (``position`` for a positional argument, -1 for a keyword)."""

    callee: str
    position: int
    keyword: str
    sources: tuple[ExfilSource, ...]
    line: int


@dataclass(frozen=True, slots=True)
class ExfilImportedSink:
    """A sink fed by what other modules' functions (``callees``) return."""

    span: Span
    sink: str
    argument: str
    callees: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ExfilFacts:
    flows: tuple[ExfilFlow, ...] = ()
    exports: tuple[ExfilExport, ...] = ()
    calls: tuple[ExfilCall, ...] = ()
    imported_sinks: tuple[ExfilImportedSink, ...] = ()


__all__ = [
    "ExfilCall",
    "ExfilExport",
    "ExfilFacts",
    "ExfilFlow",
    "ExfilImportedSink",
    "ExfilParamSink",
    "ExfilSource",
]
