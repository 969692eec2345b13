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


__all__ = ["DunderFact", "ImportFact"]
