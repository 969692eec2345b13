"""Read one YAML document like ``yaml.safe_load``, with a span for every value.

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

The public entry point is :func:`mbcheck.documents.pointers.load_yaml`.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
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

from mbcheck.documents.pointers import DocumentError, Lines, LoadLimits, escape_pointer_token
from mbcheck.model import Span

__all__ = ["read_yaml"]

#: the value, value spans and key spans by pointer, (span, pointer) of each repeated key
Read = tuple[Any, dict[str, Span], dict[str, Span], list[tuple[Span, str]]]

_TAG = "tag:yaml.org,2002:"
_MERGE_TAG = _TAG + "merge"
_SCALAR_TAGS = frozenset(
    _TAG + name for name in ("null", "bool", "int", "float", "str", "timestamp", "binary")
)
_SEQUENCE_TAGS = frozenset(_TAG + name for name in ("seq", "omap", "pairs"))
_MAPPING_TAGS = frozenset(_TAG + name for name in ("map", "set"))
#: tags PyYAML accepts only on mapping keys (``<<`` merges, ``=`` is read as a string)
_KEY_ONLY_TAGS = frozenset((_MERGE_TAG, _TAG + "value"))


@dataclass(slots=True, eq=False)
class _Built:
    """A constructed YAML value with its span and the spans of its children."""

    value: Any
    span: Span
    tag: str
    size: int = 1
    depth: int = 0
    children: dict[Any, _Built] | list[_Built] | None = None
    #: set on values that are stored under a mapping key
    key_span: Span | None = None

    def with_span(self, span: Span) -> _Built:
        return _Built(
            self.value, span, self.tag, self.size, self.depth, self.children, self.key_span
        )


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
    def __init__(self, lines: Lines, path: str, limits: LoadLimits) -> None:
        self.text = lines.text
        self.path = path
        self.limits = limits
        self.lines = lines
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
    def read(self) -> Read:
        loader = yaml.SafeLoader(self.text)
        try:
            root = self.build(loader)
        finally:
            loader.dispose()
        if root is None:
            return None, {"": self.lines.whole(self.path)}, {}, []
        values, keys = self.pointers(root)
        return root.value, values, keys, self.duplicates

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


def read_yaml(lines: Lines, path: str, limits: LoadLimits) -> Read:
    """Read the one YAML document in ``lines`` (checked text) like ``yaml.safe_load``.

    Raises :class:`DocumentError` for anything that is not a loadable single
    YAML document within ``limits``.
    """
    builder = _YamlBuilder(lines, path, limits)
    try:
        return builder.read()
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, builder) from None
