"""Read a TOML document with :mod:`tomllib`, with a best-effort span for every value.

:mod:`tomllib` keeps no positions; a small scanner over the (already valid)
text places keys and values. Whatever it cannot place falls back to the span
of its nearest parent. Dates and times become ISO 8601 strings.

The public entry point is :func:`mbcheck.documents.pointers.load_toml`.
"""

from __future__ import annotations

import contextlib
import datetime
import itertools
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from mbcheck.documents.pointers import (
    DocumentError,
    Lines,
    LoadLimits,
    escape_pointer_token,
    refusing_exhaustion,
    too_deep,
)
from mbcheck.model import Span

__all__ = ["read_toml"]

_TOML_ERROR = re.compile(
    r"^(?P<problem>.*?)\s*\(at (?:line (?P<line>\d+), column (?P<column>\d+)|end of document)\)\s*$",
    re.S,
)
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_BARE_VALUE_END = frozenset(",]}\n\r#")


def read_toml(
    lines: Lines, path: str, limits: LoadLimits
) -> tuple[Any, dict[str, Span], dict[str, Span]]:
    """Read the TOML document in ``lines`` (checked text) with :mod:`tomllib`.

    The value (dates and times as ISO 8601 strings), and a best-effort value
    span and key span for every pointer into it. Raises :class:`DocumentError`
    for invalid input or input beyond ``limits``.
    """
    with refusing_exhaustion(limits, path):
        try:
            raw = tomllib.loads(lines.text)
        except tomllib.TOMLDecodeError as exc:
            raise _toml_error(str(exc), lines, path) from None
    value = _plain_toml(raw, limits, path)
    scanner = _TomlScanner(lines, path)
    # best effort: what was placed before a surprise stays, the rest falls back
    with contextlib.suppress(
        RecursionError, _ScanStop, IndexError, ValueError, tomllib.TOMLDecodeError
    ):
        scanner.run()
    values, keys = _complete_pointers(value, scanner.values, scanner.keys, lines.whole(path))
    return value, values, keys


def _toml_error(message: str, lines: Lines, path: str) -> DocumentError:
    match = _TOML_ERROR.match(message)
    if match is None:
        return DocumentError(f"invalid TOML: {message}", Span(path))
    problem = match.group("problem")
    if match.group("line") is None:
        line, column = lines.position(len(lines.text))
    else:
        line, column = int(match.group("line")), int(match.group("column"))
    return DocumentError(f"invalid TOML: {problem}", Span(path, line, column))


def _plain_toml(raw: Any, limits: LoadLimits, path: str) -> Any:
    """Dates and times -> ISO strings; enforce the node and depth limits."""
    count = 0

    def convert(item: Any, depth: int) -> Any:
        nonlocal count
        count += 1
        if count > limits.max_nodes:
            raise DocumentError(
                f"the document holds more than {limits.max_nodes} values", Span(path)
            )
        if isinstance(item, (dict, list)):
            if depth + 1 > limits.max_depth:
                raise too_deep(limits, path)
            if isinstance(item, dict):
                return {key: convert(sub, depth + 1) for key, sub in item.items()}
            return [convert(sub, depth + 1) for sub in item]
        if isinstance(item, (datetime.date, datetime.time)):
            return item.isoformat()
        return item

    try:
        return convert(raw, 0)
    except RecursionError:
        raise too_deep(limits, path) from None


def _complete_pointers(
    value: Any, found: Mapping[str, Span], found_keys: Mapping[str, Span], root: Span
) -> tuple[dict[str, Span], dict[str, Span]]:
    """Value and key spans of every pointer into ``value``; unplaced ones get the parent's.

    Pointers the scanner produced that are not in ``value`` are dropped.
    """
    out: dict[str, Span] = {"": root}
    keys: dict[str, Span] = {}
    stack: list[tuple[Any, str, Span]] = [(value, "", root)]
    while stack:
        item, pointer, span = stack.pop()
        if isinstance(item, dict):
            entries: Iterable[tuple[Any, Any]] = item.items()
        elif isinstance(item, list):
            entries = enumerate(item)
        else:
            continue
        for key, sub in entries:
            child = f"{pointer}/{escape_pointer_token(key)}"
            child_span = found.get(child, span)
            out[child] = child_span
            if isinstance(item, dict):
                keys[child] = found_keys.get(child, child_span)
            stack.append((sub, child, child_span))
    return out, keys


class _ScanStop(Exception):
    """The scanner met text it does not understand: keep what it has."""


class _TomlScanner:
    """Places keys and values of a *valid* TOML document (no validation here)."""

    def __init__(self, lines: Lines, path: str) -> None:
        self.text = lines.text
        self.lines = lines
        self.path = path
        #: pointer -> span of the value / of the key
        self.values: dict[str, Span] = {}
        self.keys: dict[str, Span] = {}
        self.table = ""
        #: pointer of an array of tables -> number of elements so far
        self.arrays: dict[str, int] = {}

    def span(self, start: int, end: int) -> Span:
        return self.lines.span(self.path, start, end)

    # -- low level ---------------------------------------------------------------
    def skip_blank(self, i: int, newlines: bool) -> int:
        text = self.text
        while i < len(text):
            char = text[i]
            if char in " \t" or (newlines and char in "\r\n"):
                i += 1
            elif char == "#":
                while i < len(text) and text[i] != "\n":
                    i += 1
            else:
                break
        return i

    def string_end(self, i: int) -> int:
        text = self.text
        for delimiter in ('"""', "'''"):
            if text.startswith(delimiter, i):
                j = i + 3
                while j < len(text):
                    if delimiter == '"""' and text[j] == "\\":
                        j += 2
                        continue
                    if text.startswith(delimiter, j):
                        end = j + 3
                        while end < len(text) and text[end] == delimiter[0] and end - j < 5:
                            end += 1
                        return end
                    j += 1
                raise _ScanStop
        quote = text[i]
        j = i + 1
        while j < len(text) and text[j] != "\n":
            if quote == '"' and text[j] == "\\":
                j += 2
                continue
            if text[j] == quote:
                return j + 1
            j += 1
        raise _ScanStop

    def key(self, i: int) -> tuple[list[tuple[str, int, int]], int]:
        """A dotted key at ``i``: its parts with their offsets, and the offset after it."""
        parts: list[tuple[str, int, int]] = []
        text = self.text
        while True:
            i = self.skip_blank(i, newlines=False)
            if i < len(text) and text[i] in "\"'":
                end = self.string_end(i)
                name = tomllib.loads("k = " + text[i:end])["k"]
                if not isinstance(name, str):  # pragma: no cover - a string literal
                    raise _ScanStop
            else:
                match = _BARE_KEY.match(text, i)
                if match is None:
                    raise _ScanStop
                end = match.end()
                name = match.group()
            parts.append((name, i, end))
            i = self.skip_blank(end, newlines=False)
            if i < len(text) and text[i] == ".":
                i += 1
                continue
            return parts, i

    # -- structure ---------------------------------------------------------------
    def run(self) -> None:
        text = self.text
        i = 0
        while True:
            i = self.skip_blank(i, newlines=True)
            if i >= len(text):
                return
            start = i
            if text.startswith("[[", i):
                i = self.header(i, array=True)
            elif text[i] == "[":
                i = self.header(i, array=False)
            else:
                i = self.pair(i, self.table)
            if i <= start:
                raise _ScanStop

    def header(self, i: int, array: bool) -> int:
        start = i
        parts, i = self.key(i + (2 if array else 1))
        close = "]]" if array else "]"
        if not self.text.startswith(close, i):
            raise _ScanStop
        end = i + len(close)
        header_span = self.span(start, end)
        pointer = ""
        for index, (name, key_start, key_end) in enumerate(parts):
            pointer += "/" + escape_pointer_token(name)
            last = index == len(parts) - 1
            self.keys.setdefault(pointer, self.span(key_start, key_end))
            if last and array:
                self.values.setdefault(pointer, header_span)
                count = self.arrays.get(pointer, 0)
                self.arrays[pointer] = count + 1
                pointer += f"/{count}"
                self.values[pointer] = header_span
            elif last:
                self.values[pointer] = header_span
                self.keys[pointer] = self.span(key_start, key_end)
            else:
                self.values.setdefault(pointer, header_span)
                if pointer in self.arrays:
                    pointer += f"/{self.arrays[pointer] - 1}"
        self.table = pointer
        return end

    def pair(self, i: int, table: str) -> int:
        parts, i = self.key(i)
        if i >= len(self.text) or self.text[i] != "=":
            raise _ScanStop
        value_start = self.skip_blank(i + 1, newlines=False)
        pointer = table
        for name, _, _ in parts:
            pointer += "/" + escape_pointer_token(name)
        end = self.value(value_start, pointer)
        prefix = table
        for index, (name, key_start, key_end) in enumerate(parts):
            prefix += "/" + escape_pointer_token(name)
            if index == len(parts) - 1:
                self.keys[prefix] = self.span(key_start, key_end)
            else:
                self.values.setdefault(prefix, self.span(key_start, end))
                self.keys.setdefault(prefix, self.span(key_start, key_end))
        return end

    def value(self, i: int, pointer: str) -> int:
        text = self.text
        if i >= len(text):
            raise _ScanStop
        char = text[i]
        if char in "\"'":
            end = self.string_end(i)
        elif char == "[":
            end = self.array(i, pointer)
        elif char == "{":
            end = self.inline_table(i, pointer)
        else:
            end = i
            while end < len(text) and text[end] not in _BARE_VALUE_END:
                end += 1
            while end > i and text[end - 1] in " \t":
                end -= 1
            if end == i:
                raise _ScanStop
        self.values[pointer] = self.span(i, end)
        return end

    def array(self, i: int, pointer: str) -> int:
        index = itertools.count()
        return self.items(i, "]", lambda at: self.value(at, f"{pointer}/{next(index)}"))

    def inline_table(self, i: int, pointer: str) -> int:
        return self.items(i, "}", lambda at: self.pair(at, pointer))

    def items(self, i: int, close: str, item: Callable[[int], int]) -> int:
        """The comma-separated items after the opening bracket at ``i``, up to ``close``."""
        text = self.text
        i += 1
        while True:
            i = self.skip_blank(i, newlines=True)
            if i >= len(text):
                raise _ScanStop
            if text[i] == close:
                return i + 1
            i = item(i)
            i = self.skip_blank(i, newlines=True)
            if i < len(text) and text[i] == ",":
                i += 1
            elif i >= len(text) or text[i] != close:
                raise _ScanStop
