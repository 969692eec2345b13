"""What the per-file pass keeps about one module: :class:`ModuleFacts` (plain data: no libcst here).

One typed field per fact, each filled by the collector whose ``key`` names
it (or, for ``guards``, read from CPython's ``ast`` tree), and read by the
plugin-level analyses as attributes (``outcome.facts.security``). The facts
of the shared collectors (dunders, imports, guards) are defined here; the
themes' own fact types are imported for type checking only, so this module
imports no theme at run time.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from mbcheck.model import Span

if TYPE_CHECKING:
    from mbcheck.checks.compat.facts import CompatFacts
    from mbcheck.checks.interface.facts import InterfaceFacts
    from mbcheck.checks.security.facts import SecurityFacts
    from mbcheck.checks.security.facts_exfil import ExfilFacts


@dataclass(frozen=True, slots=True)
class DunderFact:
    name: str
    value: Any
    span: Span
    #: spans of list items (for ``__dependencies__ = ["a", "b"]``)
    item_spans: tuple[Span, ...] = ()
    #: written with an annotation (``__version__: str = "1.0"``): the import system
    #: sets it, but readers of plain ``ast.Assign`` nodes (``milk sdk validate``) miss it
    annotated: bool = False


@dataclass(frozen=True, slots=True)
class ImportFact:
    """One imported name: ``module`` is the qualified module or member."""

    module: str
    #: the module part for ``from m import x`` (``m``); equals ``module`` for ``import``
    source_module: str
    top: str
    relative: bool
    stdlib: bool
    at_module_level: bool
    #: inside ``try: ... except ImportError`` (an optional import)
    optional: bool
    span: Span
    statement_line: int


@dataclass(frozen=True, slots=True)
class GuardFact:
    """An ``if`` that decides whether its imports run: ``if TYPE_CHECKING:``
    (``kind="typing"``) or ``if sys.version_info[:length] <op> bound:``
    (``kind="version"``), with the line ranges of its branches (first and last
    line included).

    Read from each file's ``ast`` tree (:func:`mbcheck.pyfile.guards.guards_of`);
    what it means depends on the host's Pythons, which the plugin-level
    dependency analysis knows.
    """

    kind: str
    body: tuple[int, int] | None
    orelse: tuple[int, int] | None
    length: int = 0
    op: str = ""
    bound: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class ModuleFacts:
    """Every fact of one module. A field is None when it was not collected (the
    file was not analysed, or its analysis failed before that fact)."""

    #: module-level ``__name__ = <literal>`` assignments (:mod:`mbcheck.pyfile.collect`)
    dunders: tuple[DunderFact, ...] | None = None
    #: every import (:mod:`mbcheck.pyfile.collect`)
    imports: tuple[ImportFact, ...] | None = None
    #: ``if TYPE_CHECKING:`` and ``sys.version_info`` guards (:func:`mbcheck.pyfile.guards.guards_of`)
    guards: tuple[GuardFact, ...] | None = None
    #: what the module offers the host's loader (:mod:`mbcheck.checks.interface.collect`)
    interface: InterfaceFacts | None = None
    #: evidence of the permissions it uses (:mod:`mbcheck.checks.security.collect`)
    security: SecurityFacts | None = None
    #: what it needs from the Python version (:mod:`mbcheck.checks.compat.collect`)
    compat: CompatFacts | None = None
    #: sensitive data it sends, and what a flow across modules needs (:mod:`mbcheck.checks.security.collect_exfil`)
    exfil: ExfilFacts | None = None


#: the fields collectors fill, by their ``key`` (the guards come from the ``ast`` tree)
COLLECTED = frozenset(f.name for f in fields(ModuleFacts)) - {"guards"}


__all__ = ["COLLECTED", "DunderFact", "GuardFact", "ImportFact", "ModuleFacts"]
