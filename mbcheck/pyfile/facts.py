"""Facts the shared collectors record (plain data: no libcst here)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mbcheck.model import Span


@dataclass(frozen=True, slots=True)
class DunderFact:
    name: str
    value: Any
    span: Span
    #: spans of list items (for ``__dependencies__ = ["a", "b"]``)
    item_spans: tuple[Span, ...] = ()


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


__all__ = ["DunderFact", "GuardFact", "ImportFact"]
