"""Load YAML and TOML documents so that every value knows where it was written.

:func:`load_yaml` and :func:`load_toml` return a :class:`LoadedDocument`: the
plain JSON-like value plus a map from JSON pointers (RFC 6901) to
:class:`~mbcheck.model.Span`. A finding about ``/dependencies/2`` can then
point at that item's own line and column instead of line 1. This module holds
that public API and what both formats share (pointers, limits, the checks on
the raw text); :mod:`mbcheck.documents.yaml` and
:mod:`mbcheck.documents.toml` read the formats themselves.

Pointer conventions:

* ``""`` is the whole document, ``"/dependencies/0"`` the first item of
  ``dependencies``, ``"/a~1b"`` the key ``a/b`` (``~`` is written ``~0``).
* For a mapping entry ``"/key"`` spans the *value*; ``"/key#key"`` spans the
  key itself. (A document that really has a key ending in ``#key`` could make
  these collide: then the value wins, and :attr:`LoadedDocument.key_spans`,
  which maps the entry's own pointer to its key's span, stays exact.)

Bad input never raises anything but :class:`DocumentError`: undecodable
bytes, NUL bytes, syntax errors, several YAML documents, alias bombs,
nesting that is too deep and files that are too large are all refused with
a user-facing message and the position of the problem.
"""

from __future__ import annotations

import bisect
import contextlib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from mbcheck.model import Span

__all__ = [
    "DEFAULT_LIMITS",
    "DocumentError",
    "LoadLimits",
    "LoadedDocument",
    "escape_pointer_token",
    "join_pointer",
    "load_toml",
    "load_yaml",
    "parent_pointer",
]

# ---------------------------------------------------------------------------
# public data


@dataclass(frozen=True)
class LoadLimits:
    """Resource limits applied while loading one document."""

    #: larger inputs are refused before parsing
    max_bytes: int = 1_000_000
    #: values visited while building the result, counting every expansion of
    #: an alias (so "billion laughs" documents are refused early)
    max_nodes: int = 100_000
    #: deepest nesting of sequences/mappings (arrays/tables), aliases expanded
    max_depth: int = 100


@dataclass(frozen=True)
class LoadedDocument:
    """A parsed document: its value and where each part of it was written."""

    #: plain JSON-like data (dict/list/str/int/float/bool/None)
    value: Any
    #: JSON pointer -> span of that value; ``"/key#key"`` -> span of the key
    pointers: Mapping[str, Span]
    #: pointer of a mapping entry (``"/key"``) -> span of its key
    key_spans: Mapping[str, Span] = field(default_factory=dict)
    #: spans of mapping keys that repeat an earlier key of the same mapping
    #: (the value keeps the last occurrence, as ``yaml.safe_load`` does)
    duplicates: tuple[Span, ...] = ()
    #: the pointer of each duplicated key, in the order of ``duplicates``
    duplicate_pointers: tuple[str, ...] = ()

    def span(self, pointer: str = "") -> Span:
        """The span of ``pointer``, or of its closest parent that has one."""
        probe = pointer
        while probe:
            found = self.pointers.get(probe)
            if found is not None:
                return found
            probe = parent_pointer(probe)
        root = self.pointers.get("")
        if root is None:  # pragma: no cover - the loaders always set the root
            raise KeyError(pointer)
        return root

    def key_span(self, pointer: str) -> Span:
        """The span of the key of a mapping entry (its value's span if unknown)."""
        return self.key_spans.get(pointer) or self.span(pointer)


#: the limits a loader applies unless it is given others
DEFAULT_LIMITS = LoadLimits()


class DocumentError(Exception):
    """A document that cannot be loaded: a user-facing message and where."""

    def __init__(self, message: str, span: Span) -> None:
        super().__init__(message, span)
        self.message = message
        self.span = span

    def __str__(self) -> str:
        return f"{self.span.path}:{self.span.line}:{self.span.column}: {self.message}"


# ---------------------------------------------------------------------------
# JSON pointers


def escape_pointer_token(key: Any) -> str:
    """One reference token of a JSON pointer for a mapping key or list index.

    Non-string YAML keys are written as JSON would write them
    (``true``, ``null``, ``1.5``).
    """
    if isinstance(key, bool):
        text = "true" if key else "false"
    elif key is None:
        text = "null"
    else:
        text = str(key)
    return text.replace("~", "~0").replace("/", "~1")


def join_pointer(parts: Iterable[Any]) -> str:
    """The JSON pointer for a path of keys and indexes (``("a", 0)`` -> ``/a/0``).

    ``jsonschema`` errors give such a path as ``error.absolute_path``.
    """
    return "".join("/" + escape_pointer_token(part) for part in parts)


def parent_pointer(pointer: str) -> str:
    """The pointer of the value that contains ``pointer`` (``""`` for top-level keys)."""
    return pointer.rsplit("/", 1)[0]


def _with_key_pointers(values: dict[str, Span], keys: Mapping[str, Span]) -> dict[str, Span]:
    """Add the ``"/key#key"`` entries to ``values``; a real value pointer always wins."""
    for pointer, span in keys.items():
        values.setdefault(pointer + "#key", span)
    return values


# ---------------------------------------------------------------------------
# text shared by the loaders

_BOM = "\ufeff"


class Lines:
    """Character offset -> 1-based line and column (``breaks``: the format's line breaks)."""

    def __init__(self, text: str, breaks: re.Pattern[str]) -> None:
        self.text = text
        self.starts = [0, *(match.end() for match in breaks.finditer(text))]

    def position(self, offset: int) -> tuple[int, int]:
        offset = max(0, min(offset, len(self.text)))
        index = bisect.bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index] + 1

    def span(self, path: str, start: int, end: int | None = None) -> Span:
        line, column = self.position(start)
        end_line, end_column = self.position(start if end is None else end)
        return Span(path, line, column, end_line, end_column)

    def whole(self, path: str) -> Span:
        return self.span(path, 0, len(self.text))


def _decode(text: str | bytes, path: str, limits: LoadLimits, breaks: re.Pattern[str]) -> str:
    """Check size, encoding and NUL bytes; return the text without a UTF-8 BOM.

    ``breaks`` are the format's line breaks, to place a bad byte.
    """
    if isinstance(text, bytes) or len(text) > limits.max_bytes:
        size = len(text)
    else:
        size = len(text.encode("utf-8", "surrogatepass"))
    if size > limits.max_bytes:
        raise DocumentError(
            f"file is too large: {size} bytes (the limit is {limits.max_bytes})", Span(path)
        )
    if isinstance(text, bytes):
        try:
            decoded = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _encoding_error(text, exc, path, breaks) from None
    else:
        decoded = text
    if decoded.startswith(_BOM):
        decoded = decoded[1:]
    nul = decoded.find("\x00")
    if nul >= 0:
        lines = Lines(decoded, breaks)
        raise DocumentError(
            "NUL byte in the file: it is not a text file", lines.span(path, nul, nul + 1)
        )
    return decoded


def _encoding_error(
    data: bytes, exc: UnicodeDecodeError, path: str, breaks: re.Pattern[str]
) -> DocumentError:
    offset = exc.start
    before = data[:offset].decode("utf-8", "replace")
    line, column = Lines(before, breaks).position(len(before))
    hint = ""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        hint = " (the file looks like UTF-16)"
    message = (
        f"the file is not valid UTF-8{hint}: byte 0x{data[offset]:02x} "
        f"at offset {offset} (line {line}) cannot be decoded"
    )
    return DocumentError(message, Span(path, line, column, line, column + 1))


def too_deep(limits: LoadLimits, path: str) -> DocumentError:
    """The error for a document nested deeper than ``limits`` allow (no precise position)."""
    return DocumentError(f"nesting too deep: more than {limits.max_depth} levels", Span(path))


@contextlib.contextmanager
def refusing_exhaustion(limits: LoadLimits, path: str) -> Iterator[None]:
    """Turn running out of stack or memory while parsing into a :class:`DocumentError`."""
    try:
        yield
    except RecursionError:
        raise too_deep(limits, path) from None
    except MemoryError:  # pragma: no cover - the limits keep documents small
        raise DocumentError("the document is too large to load", Span(path)) from None


# ---------------------------------------------------------------------------
# loading (the format readers import this module, so they are imported when
# first used; a run that reads no YAML never imports PyYAML)

_YAML_BREAKS = re.compile("\r\n|[\n\r\x85\u2028\u2029]")
_TOML_BREAKS = re.compile("\n")


def load_yaml(text: str | bytes, path: str, limits: LoadLimits = DEFAULT_LIMITS) -> LoadedDocument:
    """Load one YAML document like ``yaml.safe_load``, with a span for every value.

    Raises :class:`DocumentError` for anything that is not a loadable,
    reasonably sized, single YAML document.
    """
    from mbcheck.documents.yaml import read_yaml

    lines = Lines(_decode(text, path, limits, _YAML_BREAKS), _YAML_BREAKS)
    with refusing_exhaustion(limits, path):
        return _document(*read_yaml(lines, path, limits))


def load_toml(text: str | bytes, path: str, limits: LoadLimits = DEFAULT_LIMITS) -> LoadedDocument:
    """Load a TOML document with :mod:`tomllib`, with a best-effort span for every value.

    Dates and times become ISO 8601 strings. Raises :class:`DocumentError`
    for invalid or oversized input.
    """
    from mbcheck.documents.toml import read_toml

    lines = Lines(_decode(text, path, limits, _TOML_BREAKS), _TOML_BREAKS)
    return _document(*read_toml(lines, path, limits))


def _document(
    value: Any,
    values: dict[str, Span],
    keys: dict[str, Span],
    duplicates: Iterable[tuple[Span, str]] = (),
) -> LoadedDocument:
    """The loaded document: key pointers added, repeated keys in document order."""
    ordered = sorted(duplicates)
    return LoadedDocument(
        value,
        _with_key_pointers(values, keys),
        key_spans=keys,
        duplicates=tuple(span for span, _ in ordered),
        duplicate_pointers=tuple(pointer for _, pointer in ordered),
    )
