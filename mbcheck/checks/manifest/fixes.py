"""Fixes that edit a plugin's manifest: `plugin.yaml` with ruamel.yaml, `pyproject.toml` with tomlkit.

Both are round-trip libraries: the document is loaded with its comments, quoting and
layout, one key is changed, and the document is written again. The fix is the one
region where the new text differs from the old (common prefix and suffix trimmed), so it
is exact and small. It is offered only when that region lies within the changed key
(or, for a new key, at the end of the document): if the library would reformat
anything else, there is no fix. The new text is read back with the parser the host
uses (``yaml.safe_load``, ``tomllib``) and must equal the old document with only that
key changed.

A fix never creates a manifest: a plugin described by ``__init__.py`` dunders only gets
no ``plugin.yaml`` (that would change which metadata reader the host uses).
Imported lazily by the rules (a cached run loads neither library).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, MutableMapping
from typing import TYPE_CHECKING, Any

from mbcheck.model import Applicability, Edit, Fix, ManifestSource, Span

if TYPE_CHECKING:
    from mbcheck.context import PluginContext

Change = Callable[[MutableMapping[str, Any]], None]


def _minimal_edit(path: str, old: str, new: str) -> tuple[Edit, int, int] | None:
    """The single edit turning ``old`` into ``new`` and the (first, last) old lines it touches."""
    if old == new:
        return None
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    end_old, end_new = len(old), len(new)
    while end_old > start and end_new > start and old[end_old - 1] == new[end_new - 1]:
        end_old -= 1
        end_new -= 1
    # whole lines read best in a diff and an editor's preview: widen to the line starts
    while start > 0 and old[start - 1] != "\n":
        start -= 1
    line, column = _position(old, start)
    end_line, end_column = _position(old, end_old)
    edit = Edit(Span(path, line, column, end_line, end_column), new[start:end_new])
    return edit, line, end_line


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _text(plugin: PluginContext, path: str) -> str | None:
    text = plugin.text(path)
    if text is None:
        return None
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def _key_lines(plugin: PluginContext, key: str, text: str) -> tuple[int, int]:
    """The lines a top-level key of the manifest occupies (its key line to its value's end);
    for a missing key, the end of the document."""
    located = plugin.model.fields.get(key)
    if located is None or located.span.path != plugin.model.manifest_path:
        last = text.count("\n") + 1
        return last - 1 if text.endswith("\n") else last, last
    span = located.span
    first = span.line
    lines = text.split("\n")
    # the key may sit on the line above a block value
    while first > 1 and not re.match(rf"^['\"]?{re.escape(key)}['\"]?\s*:", lines[first - 1]):
        first -= 1
    return first, span.end_line


def yaml_fix(plugin: PluginContext, key: str, change: Change, title: str, *, unsafe: bool) -> Fix | None:
    """A fix changing top-level ``key`` of ``plugin.yaml`` (``change`` edits the mapping), or None."""
    model = plugin.model
    if model.source is not ManifestSource.PLUGIN_YAML or model.unreadable:
        return None
    path = model.manifest_path or "plugin.yaml"
    text = _text(plugin, path)
    if text is None:
        return None
    import yaml
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError as RuamelError

    loader = YAML(typ="rt")
    loader.preserve_quotes = True
    loader.width = 4096
    indent = re.search(r"^[^\s#][^\n]*:\s*(?:#[^\n]*)?\n( *)- ", text, re.MULTILINE)
    offset = len(indent.group(1)) if indent else 0
    loader.indent(mapping=2, sequence=offset + 2, offset=offset)
    try:
        document = loader.load(text)
        before = yaml.safe_load(text)
    except (RuamelError, yaml.YAMLError, ValueError, TypeError):
        return None
    if not isinstance(document, MutableMapping) or not isinstance(before, dict):
        return None
    change(document)
    out = io.StringIO()
    try:
        loader.dump(document, out)
        after = yaml.safe_load(out.getvalue())
    except (RuamelError, yaml.YAMLError, ValueError, TypeError):
        return None
    expected = dict(before)
    change(expected)
    if after != expected:
        return None
    return _fix(plugin, path, key, text, out.getvalue(), title, unsafe)


def toml_fix(plugin: PluginContext, table: tuple[str, ...], key: str, change: Change, title: str, *,
             unsafe: bool) -> Fix | None:
    """A fix changing ``key`` of the ``table`` of ``pyproject.toml`` (``change`` edits that table), or None."""
    path = "pyproject.toml"
    if path not in plugin.files:
        return None
    text = _text(plugin, path)
    if text is None:
        return None
    import tomllib

    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        document = tomlkit.parse(text)
        before = tomllib.loads(text)
    except (TOMLKitError, tomllib.TOMLDecodeError, ValueError):
        return None

    def within(data: MutableMapping[str, Any]) -> MutableMapping[str, Any] | None:
        for name in table:
            data = data.get(name)  # type: ignore[assignment]
            if not isinstance(data, MutableMapping):
                return None
        return data

    target = within(document)
    expected_table = within(before)
    if target is None or expected_table is None:
        return None
    change(target)
    change(expected_table)
    new = tomlkit.dumps(document)
    try:
        if tomllib.loads(new) != before:
            return None
    except tomllib.TOMLDecodeError:
        return None
    found = _minimal_edit(path, text, new)
    if found is None:
        return None
    edit, _first, _last = found
    return Fix(title, (edit,), Applicability.UNSAFE if unsafe else Applicability.SAFE)


def _fix(plugin: PluginContext, path: str, key: str, old: str, new: str, title: str, unsafe: bool) -> Fix | None:
    found = _minimal_edit(path, old, new)
    if found is None:
        return None
    edit, first, last = found
    low, high = _key_lines(plugin, key, old)
    if first < low or last > high + 1:
        return None  # the library would change more than this key: no fix
    return Fix(title, (edit,), Applicability.UNSAFE if unsafe else Applicability.SAFE)


def set_scalar(key: str, value: Any) -> Change:
    """A change setting ``key`` to a scalar ``value``."""

    def change(data: MutableMapping[str, Any]) -> None:
        data[key] = value if type(data).__module__.startswith(("ruamel", "tomlkit")) else _plain(value)

    return change


def set_list(key: str, values: list[str]) -> Change:
    """A change making ``key`` hold ``values``: entries already there keep their place (and their
    comments), the others are appended; a new or flow sequence is written ``[a, b]``."""

    def change(data: MutableMapping[str, Any]) -> None:
        existing = data.get(key)
        if not isinstance(existing, list):
            existing = None
        if type(data).__module__.startswith("ruamel"):
            from ruamel.yaml.comments import CommentedSeq

            if isinstance(existing, CommentedSeq) and existing and not existing.fa.flow_style():
                for index in reversed(range(len(existing))):
                    if existing[index] not in values:
                        del existing[index]
                existing.extend(v for v in values if v not in existing)
                if not existing:
                    flow = CommentedSeq()
                    flow.fa.set_flow_style()
                    data[key] = flow
                return
            seq = CommentedSeq(_merged(existing, values))
            seq.fa.set_flow_style()
            data[key] = seq
            return
        if type(data).__module__.startswith("tomlkit"):
            import tomlkit

            if existing is not None:
                for index in reversed(range(len(existing))):
                    if existing[index] not in values:
                        del existing[index]
                for value in values:
                    if value not in existing:
                        existing.append(value)
                return
            array = tomlkit.array()
            array.extend(values)
            data[key] = array
            return
        data[key] = _merged(existing, values)

    return change


def _merged(existing: list[Any] | None, values: list[str]) -> list[Any]:
    kept = [v for v in existing or [] if v in values]
    return kept + [v for v in values if v not in kept]


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, str) else value


def quoted(value: str) -> Any:
    """``value`` as a double-quoted YAML scalar (reads back as this very string: ``"3.10"`` stays text)."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    return DoubleQuotedScalarString(value)


def field_fix(plugin: PluginContext, key: str, value: str, title: str, *, unsafe: bool, quote: bool = False) -> Fix | None:
    """Set a metadata field where it is written: in ``plugin.yaml`` (``quote``: as a double-quoted
    scalar), or as the string literal of its ``__init__.py`` dunder (replaced by a new literal)."""
    located = plugin.model.fields.get(key)
    if located is not None and located.span.path.endswith(".py"):
        span = located.span
        text = plugin.text(span.path)
        if text is None or span.line != span.end_line:
            return None
        lines = text.splitlines()
        if span.line > len(lines):
            return None
        old = lines[span.line - 1][span.column - 1:span.end_column - 1]
        if not re.fullmatch(r"""[rRuU]?(['"])[^'"\\\n]*\1""", old) or not value.isascii():
            return None  # only a plain one-line literal is replaced
        quote_char = old[-1]
        if quote_char in value or "\\" in value:
            return None
        return Fix(title, (Edit(span, f"{quote_char}{value}{quote_char}"),),
                   Applicability.UNSAFE if unsafe else Applicability.SAFE)
    return yaml_fix(plugin, key, set_scalar(key, quoted(value) if quote else value), title, unsafe=unsafe)
