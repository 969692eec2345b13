"""Text helpers: literal parsing, regular expressions, a compiled template class."""

from __future__ import annotations

import ast
import re
import string
from typing import Any

WORD = re.compile(r"\w+")


def parse_literal(text: str) -> Any:
    """Parse a Python literal safely (no eval)."""
    return ast.literal_eval(text)


def words(text: str) -> list[str]:
    return WORD.findall(text)


class Template:
    """A `string.Template` with a `compile` step of its own."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._compiled: string.Template | None = None

    def compile(self) -> string.Template:
        if self._compiled is None:
            self._compiled = string.Template(self.source)
        return self._compiled

    def render(self, **values: str) -> str:
        return self.compile().safe_substitute(values)


def slug(text: str) -> str:
    return "-".join(w.lower() for w in words(text))
