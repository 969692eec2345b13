"""Load YAML and TOML documents so that every value knows where it was written.

:func:`load_yaml` and :func:`load_toml` return a :class:`LoadedDocument`: the
plain JSON-like value plus a map from JSON pointers (RFC 6901) to
:class:`~mbcheck.model.Span`. A finding about ``/dependencies/2`` can then
point at that item's own line and column instead of line 1.

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

YAML is read from the event stream of PyYAML's pure-Python ``SafeLoader`` --
the parser the host itself runs through ``yaml.safe_load``. (libyaml's
``CSafeLoader`` is faster but accepts some text ``safe_load`` rejects, such as
a tab after a plain scalar, and a checker must not pass a manifest the host
cannot read.) The value is built here with the semantics of
``yaml.safe_load``: scalars are constructed by PyYAML's
``SafeConstructor`` for the resolved tag, merge keys (``<<``) are applied and
timestamps become ISO 8601 strings. Building from events instead of a
composed node tree keeps the work iterative: no recursion, so no
``RecursionError`` however deep the input nests, and alias expansion is
counted (and refused past the limit) as it happens.

TOML is parsed by :mod:`tomllib`, which keeps no positions; a small scanner
over the (already valid) text places keys and values. Whatever it cannot
place falls back to the span of its nearest parent.
"""

from __future__ import annotations

import base64
import bisect
import contextlib
import datetime
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from mbcheck.model import Span

__all__ = [
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
# text helpers

_YAML_BREAKS = re.compile("\r\n|[\n\r\x85\u2028\u2029]")
_TOML_BREAKS = re.compile("\n")
_BOM = "\ufeff"


class _Lines:
    """Character offset -> 1-based line and column."""

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
    """Check size, encoding and NUL bytes; return the text without a UTF-8 BOM."""
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
        lines = _Lines(decoded, breaks)
        raise DocumentError(
            "NUL byte in the file: it is not a text file", lines.span(path, nul, nul + 1)
        )
    return decoded


def _encoding_error(
    data: bytes, exc: UnicodeDecodeError, path: str, breaks: re.Pattern[str]
) -> DocumentError:
    offset = exc.start
    before = data[:offset].decode("utf-8", "replace")
    line, column = _Lines(before, breaks).position(len(before))
    hint = ""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        hint = " (the file looks like UTF-16)"
    message = (
        f"the file is not valid UTF-8{hint}: byte 0x{data[offset]:02x} "
        f"at offset {offset} (line {line}) cannot be decoded"
    )
    return DocumentError(message, Span(path, line, column, line, column + 1))


# ---------------------------------------------------------------------------
# YAML

_TAG = "tag:yaml.org,2002:"
_MERGE_TAG = _TAG + "merge"
_SCALAR_TAGS = frozenset(
    _TAG + name for name in ("null", "bool", "int", "float", "str", "timestamp", "binary")
)
_SEQUENCE_TAGS = frozenset(_TAG + name for name in ("seq", "omap", "pairs"))
_MAPPING_TAGS = frozenset(_TAG + name for name in ("map", "set"))
#: tags PyYAML accepts only on mapping keys (``<<`` merges, ``=`` is read as a string)
_KEY_ONLY_TAGS = frozenset((_MERGE_TAG, _TAG + "value"))


class _Built:
    """A constructed YAML value with its span and the spans of its children."""

    __slots__ = ("children", "depth", "key_span", "size", "span", "tag", "value")

    def __init__(
        self,
        value: Any,
        span: Span,
        tag: str,
        size: int = 1,
        depth: int = 0,
        children: dict[Any, _Built] | list[_Built] | None = None,
    ) -> None:
        self.value = value
        self.span = span
        self.tag = tag
        self.size = size
        self.depth = depth
        self.children = children
        #: set on values that are stored under a mapping key
        self.key_span: Span | None = None

    def with_span(self, span: Span) -> _Built:
        copy = _Built(self.value, span, self.tag, self.size, self.depth, self.children)
        copy.key_span = self.key_span
        return copy


class _Frame:
    """An open sequence or mapping while its events are read."""

    __slots__ = ("anchor", "flow", "is_mapping", "items", "start", "tag")

    def __init__(self, event: CollectionStartEvent, tag: str, is_mapping: bool) -> None:
        self.anchor: str | None = event.anchor
        self.start: Any = event.start_mark
        self.flow = bool(event.flow_style)
        self.tag = tag
        self.is_mapping = is_mapping
        self.items: list[_Built] = []


class _YamlBuilder:
    def __init__(self, text: str, path: str, limits: LoadLimits) -> None:
        self.text = text
        self.path = path
        self.limits = limits
        self.lines = _Lines(text, _YAML_BREAKS)
        self.resolver = Resolver()
        self.constructor = SafeConstructor()
        self.anchors: dict[str, _Built] = {}
        self.open_anchors: set[str] = set()
        self.count = 0
        #: (span of the repeated key, pointer of the entry)
        self.duplicates: list[tuple[Span, str]] = []

    # -- spans -------------------------------------------------------------------
    def _span(self, start: Any, end: Any) -> Span:
        return Span(self.path, start.line + 1, start.column + 1, end.line + 1, end.column + 1)

    def _error(self, message: str, mark: Any) -> DocumentError:
        if mark is None:
            return DocumentError(message, Span(self.path))
        return DocumentError(message, self._span(mark, mark))

    def _scalar_span(self, event: ScalarEvent) -> Span:
        """The scalar's span; a block scalar ends on its last line, not the next one."""
        start: Any = event.start_mark
        end: Any = event.end_mark
        line: int = end.line
        column: int = end.column
        starts = self.lines.starts
        while column == 0 and line > start.line and line < len(starts):
            line -= 1
            content = self.text[starts[line] : starts[line + 1]].rstrip("\r\n\x85\u2028\u2029")
            column = len(content)
        return Span(self.path, start.line + 1, start.column + 1, line + 1, column + 1)

    # -- limits ------------------------------------------------------------------
    def _add_nodes(self, amount: int, mark: Any) -> None:
        self.count += amount
        if self.count > self.limits.max_nodes:
            raise self._error(
                f"the document expands to more than {self.limits.max_nodes} values "
                "(too many aliases or too much data)",
                mark,
            )

    def _check_depth(self, depth: int, mark: Any) -> None:
        if depth > self.limits.max_depth:
            raise self._error(f"nesting too deep: more than {self.limits.max_depth} levels", mark)

    # -- events ------------------------------------------------------------------
    def load(self) -> LoadedDocument:
        loader = yaml.SafeLoader(self.text)
        try:
            root = self.build(loader)
        finally:
            loader.dispose()
        if root is None:
            return LoadedDocument(None, {"": self.lines.whole(self.path)})
        values, keys = self.pointers(root)
        duplicates = sorted(self.duplicates)
        return LoadedDocument(
            root.value,
            _with_key_pointers(values, keys),
            key_spans=keys,
            duplicates=tuple(span for span, _ in duplicates),
            duplicate_pointers=tuple(pointer for _, pointer in duplicates),
        )

    def build(self, loader: Any) -> _Built | None:
        self._expect(loader.get_event(), StreamStartEvent)
        first = loader.get_event()
        if isinstance(first, StreamEndEvent):
            return None
        self._expect(first, DocumentStartEvent)
        root = self._build_node(loader)
        self._expect(loader.get_event(), DocumentEndEvent)
        after = loader.get_event()
        if isinstance(after, DocumentStartEvent):
            raise self._error(
                "several YAML documents in one file: a manifest holds exactly one",
                after.start_mark,
            )
        self._expect(after, StreamEndEvent)
        return root

    def _expect(self, event: Event | None, kind: type[Event]) -> None:
        if not isinstance(event, kind):  # pragma: no cover - the parser guarantees it
            mark = getattr(event, "start_mark", None)
            raise self._error(f"invalid YAML: unexpected {type(event).__name__}", mark)

    def _build_node(self, loader: Any) -> _Built:
        """Read the events of one node (iteratively: no recursion) and build it."""
        stack: list[_Frame] = []
        while True:
            event = loader.get_event()
            anchor: str | None = None
            if isinstance(event, AliasEvent):
                done = self._alias(event, len(stack))
            elif isinstance(event, ScalarEvent):
                anchor = event.anchor
                done = self._scalar(event)
            elif isinstance(event, (SequenceStartEvent, MappingStartEvent)):
                self._open(event, stack)
                continue
            elif isinstance(event, (SequenceEndEvent, MappingEndEvent)):
                frame = stack.pop()
                anchor = frame.anchor
                done = self._close(frame, event, stack)
                if anchor is not None:
                    self.open_anchors.discard(anchor)
            else:  # pragma: no cover - the parser guarantees node events here
                raise self._error(
                    f"invalid YAML: unexpected {type(event).__name__}",
                    getattr(event, "start_mark", None),
                )
            if anchor is not None:
                self.anchors[anchor] = done
            parent = stack[-1] if stack else None
            is_key = parent is not None and parent.is_mapping and len(parent.items) % 2 == 0
            if done.tag in _KEY_ONLY_TAGS and not is_key:
                raise DocumentError(
                    f"invalid YAML: {done.value!r} may only be used as a mapping key", done.span
                )
            if parent is None:
                return done
            parent.items.append(done)

    def _open(self, event: SequenceStartEvent | MappingStartEvent, stack: list[_Frame]) -> None:
        self._add_nodes(1, event.start_mark)
        self._check_depth(len(stack) + 1, event.start_mark)
        is_mapping = isinstance(event, MappingStartEvent)
        tag = event.tag
        if tag is None or tag == "!":
            tag = self._resolve(MappingNode if is_mapping else SequenceNode, None, event.implicit)
        if tag not in (_MAPPING_TAGS if is_mapping else _SEQUENCE_TAGS):
            kind = "mapping" if is_mapping else "sequence"
            raise self._error(f"unsupported YAML tag {tag!r} on a {kind}", event.start_mark)
        if event.anchor is not None:
            self._check_new_anchor(event.anchor, event.start_mark)
            self.open_anchors.add(event.anchor)
        stack.append(_Frame(event, tag, is_mapping))

    def _resolve(self, kind: type[Node], value: str | None, implicit: Any) -> str:
        tag: str = self.resolver.resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
        return tag

    def _check_new_anchor(self, anchor: str, mark: Any) -> None:
        if anchor in self.anchors or anchor in self.open_anchors:
            raise self._error(f"invalid YAML: found duplicate anchor {anchor!r}", mark)

    def _alias(self, event: AliasEvent, depth: int) -> _Built:
        anchor = event.anchor
        if anchor in self.open_anchors:
            raise self._error(
                f"invalid YAML: alias *{anchor} refers to a value that contains it "
                "(recursive structure)",
                event.start_mark,
            )
        target = self.anchors.get(anchor) if anchor is not None else None
        if target is None:
            raise self._error(f"invalid YAML: found undefined alias {anchor!r}", event.start_mark)
        self._add_nodes(target.size, event.start_mark)
        self._check_depth(depth + target.depth, event.start_mark)
        return target.with_span(self._span(event.start_mark, event.end_mark))

    def _scalar(self, event: ScalarEvent) -> _Built:
        self._add_nodes(1, event.start_mark)
        if event.anchor is not None:
            self._check_new_anchor(event.anchor, event.start_mark)
        tag = event.tag
        if tag is None or tag == "!":
            tag = self._resolve(ScalarNode, event.value, event.implicit)
        span = self._scalar_span(event)
        if tag in _KEY_ONLY_TAGS:
            # ``<<`` and ``=``: meaningful only as mapping keys (checked on attach)
            return _Built(event.value, span, tag)
        if tag not in _SCALAR_TAGS:
            raise self._error(
                f"unsupported YAML tag {tag!r} (yaml.safe_load cannot construct it)",
                event.start_mark,
            )
        node = ScalarNode(tag, event.value, style=event.style)
        try:
            value = self._construct_scalar(tag, node)
        except (ValueError, TypeError, KeyError, OverflowError, yaml.YAMLError) as exc:
            raise self._error(
                f"invalid YAML: cannot read {event.value!r} as {tag.removeprefix(_TAG)}: {exc}",
                event.start_mark,
            ) from None
        return _Built(value, span, tag)

    def _construct_scalar(self, tag: str, node: ScalarNode) -> Any:
        short = tag.removeprefix(_TAG)
        constructor = self.constructor
        if short == "str":
            return node.value
        if short == "null":
            return constructor.construct_yaml_null(node)
        if short == "bool":
            return constructor.construct_yaml_bool(node)
        if short == "int":
            return constructor.construct_yaml_int(node)
        if short == "float":
            return constructor.construct_yaml_float(node)
        if short == "binary":
            raw = constructor.construct_yaml_binary(node)
            return base64.b64encode(raw).decode("ascii")
        stamp = constructor.construct_yaml_timestamp(node)
        return stamp.isoformat()

    def _pointer_of(self, stack: list[_Frame]) -> str:
        """The pointer of the node being completed inside the open frames."""
        pointer = ""
        for frame in stack:
            if frame.is_mapping:
                key = frame.items[-1] if frame.items else None
                pointer += "/" + escape_pointer_token(None if key is None else key.value)
            else:
                pointer += f"/{len(frame.items)}"
        return pointer

    def _close(self, frame: _Frame, event: Event, stack: list[_Frame]) -> _Built:
        items = frame.items
        if frame.flow or not items:
            span = self._span(frame.start, event.end_mark)
        else:
            # a block collection ends with its last item, not at the next token
            last = items[-1].span
            span = Span(
                self.path,
                frame.start.line + 1,
                frame.start.column + 1,
                last.end_line,
                last.end_column,
            )
        depth = 1 + max((item.depth for item in items), default=0)
        size = 1 + sum(item.size for item in items)
        if not frame.is_mapping:
            return _Built([item.value for item in items], span, frame.tag, size, depth, items)
        children = self._entries(items, stack)
        value: dict[Any, Any]
        if frame.tag == _TAG + "set":
            value = dict.fromkeys(children)
        else:
            value = {key: child.value for key, child in children.items()}
        return _Built(value, span, frame.tag, size, depth, children)

    def _entries(self, items: list[_Built], stack: list[_Frame]) -> dict[Any, _Built]:
        """Key -> value of a closed mapping, with merge keys applied like ``safe_load``."""
        merged: dict[Any, _Built] = {}
        explicit: dict[Any, _Built] = {}
        for index in range(0, len(items) - 1, 2):
            key, item = items[index], items[index + 1]
            if key.tag == _MERGE_TAG:
                for source in self._merge_sources(item):
                    assert isinstance(source.children, dict)
                    for merged_key, merged_child in source.children.items():
                        # the first mapping that has a key wins
                        merged.setdefault(merged_key, merged_child)
                continue
            if isinstance(key.value, (list, dict)):
                kind = "sequence" if isinstance(key.value, list) else "mapping"
                raise DocumentError(
                    f"invalid YAML: a mapping key must be a scalar, not a {kind}", key.span
                )
            entry = item.with_span(item.span)
            entry.key_span = key.span
            if key.value in explicit:
                pointer = self._pointer_of(stack) + "/" + escape_pointer_token(key.value)
                self.duplicates.append((key.span, pointer))
            explicit[key.value] = entry
        if not merged:
            return explicit
        # merged keys come first, explicit keys override them (flatten_mapping)
        entries = dict(merged)
        entries.update(explicit)
        return entries

    def _merge_sources(self, item: _Built) -> list[_Built]:
        if isinstance(item.children, dict):
            return [item]
        if isinstance(item.children, list):
            for sub in item.children:
                if not isinstance(sub.children, dict):
                    raise DocumentError(
                        "invalid YAML: expected a mapping for merging (<<)", sub.span
                    )
            return list(item.children)
        raise DocumentError(
            "invalid YAML: expected a mapping or list of mappings for merging (<<)", item.span
        )

    # -- pointers ----------------------------------------------------------------
    def pointers(self, root: _Built) -> tuple[dict[str, Span], dict[str, Span]]:
        """Value spans and key spans of every pointer into the built value."""
        out: dict[str, Span] = {"": root.span}
        keys: dict[str, Span] = {}
        stack: list[tuple[_Built, str]] = [(root, "")]
        while stack:
            node, pointer = stack.pop()
            children = node.children
            if isinstance(children, list):
                for index, child in enumerate(children):
                    child_pointer = f"{pointer}/{index}"
                    out[child_pointer] = child.span
                    stack.append((child, child_pointer))
            elif isinstance(children, dict):
                for key, child in children.items():
                    child_pointer = f"{pointer}/{escape_pointer_token(key)}"
                    out[child_pointer] = child.span
                    if child.key_span is not None:
                        keys[child_pointer] = child.key_span
                    stack.append((child, child_pointer))
        return out, keys


def _yaml_error(exc: yaml.YAMLError, builder: _YamlBuilder) -> DocumentError:
    if isinstance(exc, yaml.MarkedYAMLError):
        problem = exc.problem or exc.context or "syntax error"
        message = f"invalid YAML: {problem}"
        if exc.context and exc.problem:
            message += f" ({exc.context})"
        mark = exc.problem_mark or exc.context_mark
        return builder._error(message, mark)
    if isinstance(exc, yaml.reader.ReaderError):
        offset = exc.position if isinstance(exc.position, int) else 0
        character = exc.character
        if isinstance(character, str):
            character = ord(character)
        shown = f"#x{character:04x}" if isinstance(character, int) else repr(character)
        message = f"invalid YAML: unacceptable character {shown}: {exc.reason}"
        return DocumentError(message, builder.lines.span(builder.path, offset, offset + 1))
    return DocumentError(f"invalid YAML: {exc}", Span(builder.path))


def load_yaml(text: str | bytes, path: str, limits: LoadLimits = LoadLimits()) -> LoadedDocument:
    """Load one YAML document like ``yaml.safe_load``, with a span for every value.

    Raises :class:`DocumentError` for anything that is not a loadable,
    reasonably sized, single YAML document.
    """
    decoded = _decode(text, path, limits, _YAML_BREAKS)
    builder = _YamlBuilder(decoded, path, limits)
    try:
        return builder.load()
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, builder) from None
    except RecursionError:  # pragma: no cover - the builder does not recurse
        raise DocumentError(
            f"nesting too deep: more than {limits.max_depth} levels", Span(path)
        ) from None
    except MemoryError:  # pragma: no cover - the limits keep documents small
        raise DocumentError("the document is too large to load", Span(path)) from None


# ---------------------------------------------------------------------------
# TOML

_TOML_ERROR = re.compile(
    r"^(?P<problem>.*?)\s*\(at (?:line (?P<line>\d+), column (?P<column>\d+)|end of document)\)\s*$",
    re.S,
)
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_BARE_VALUE_END = frozenset(",]}\n\r#")


def load_toml(text: str | bytes, path: str, limits: LoadLimits = LoadLimits()) -> LoadedDocument:
    """Load a TOML document with :mod:`tomllib`, with a best-effort span for every value.

    Dates and times become ISO 8601 strings. Raises :class:`DocumentError`
    for invalid or oversized input.
    """
    decoded = _decode(text, path, limits, _TOML_BREAKS)
    lines = _Lines(decoded, _TOML_BREAKS)
    try:
        raw = tomllib.loads(decoded)
    except tomllib.TOMLDecodeError as exc:
        raise _toml_error(str(exc), lines, path) from None
    except RecursionError:
        raise DocumentError(
            f"nesting too deep: more than {limits.max_depth} levels", Span(path)
        ) from None
    except MemoryError:  # pragma: no cover - the size limit keeps documents small
        raise DocumentError("the document is too large to load", Span(path)) from None
    value = _plain_toml(raw, limits, path)
    scanner = _TomlScanner(decoded, path, lines)
    # best effort: what was placed before a surprise stays, the rest falls back
    with contextlib.suppress(
        RecursionError, _ScanStop, IndexError, ValueError, tomllib.TOMLDecodeError
    ):
        scanner.run()
    values, keys = _complete_pointers(value, scanner.values, scanner.keys, lines.whole(path))
    return LoadedDocument(value, _with_key_pointers(values, keys), key_spans=keys)


def _toml_error(message: str, lines: _Lines, path: str) -> DocumentError:
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
                raise DocumentError(
                    f"nesting too deep: more than {limits.max_depth} levels", Span(path)
                )
            if isinstance(item, dict):
                return {key: convert(sub, depth + 1) for key, sub in item.items()}
            return [convert(sub, depth + 1) for sub in item]
        if isinstance(item, (datetime.date, datetime.time)):
            return item.isoformat()
        return item

    try:
        return convert(raw, 0)
    except RecursionError:
        raise DocumentError(
            f"nesting too deep: more than {limits.max_depth} levels", Span(path)
        ) from None


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

    def __init__(self, text: str, path: str, lines: _Lines) -> None:
        self.text = text
        self.path = path
        self.lines = lines
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
        text = self.text
        i += 1
        index = 0
        while True:
            i = self.skip_blank(i, newlines=True)
            if i >= len(text):
                raise _ScanStop
            if text[i] == "]":
                return i + 1
            i = self.value(i, f"{pointer}/{index}")
            index += 1
            i = self.skip_blank(i, newlines=True)
            if i < len(text) and text[i] == ",":
                i += 1
            elif i >= len(text) or text[i] != "]":
                raise _ScanStop

    def inline_table(self, i: int, pointer: str) -> int:
        text = self.text
        i += 1
        while True:
            i = self.skip_blank(i, newlines=True)
            if i >= len(text):
                raise _ScanStop
            if text[i] == "}":
                return i + 1
            i = self.pair(i, pointer)
            i = self.skip_blank(i, newlines=True)
            if i < len(text) and text[i] == ",":
                i += 1
            elif i >= len(text) or text[i] != "}":
                raise _ScanStop
