"""Fixes of the plugin interface (MB201, MB204, MB205): text edits placed with CPython's `ast`.

The rules read facts, not trees, so these fixes read the file's text (``plugin.text``) and
find where to write with :mod:`ast` (the standard library's parser; never libcst here, so a
cached run loads no parser it does not need). Each edit is an insertion: `async ` before a
`def`, a stub method after a class's last line, a `get_plugin_interface()` at the end of
`__init__.py`; nothing else of the file changes.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from mbcheck.checks.interface.contract import expected_shape
from mbcheck.checks.interface.facts import FunctionFact, ReturnKind
from mbcheck.model import Applicability, Edit, Fix, Span

if TYPE_CHECKING:
    from mbcheck.checks.interface.symbols import ClassRef
    from mbcheck.context import PluginContext


def _parse(plugin: PluginContext, path: str) -> tuple[str, ast.Module] | None:
    text = plugin.text(path)
    if text is None:
        return None
    try:
        return text, ast.parse(text.removeprefix("\ufeff"))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def make_async(plugin: PluginContext, method: FunctionFact, span: Span) -> Fix | None:
    """`def initialize` -> `async def initialize`. Safe when the body needs no change: every
    `return` gives a literal or None and it does not yield (awaiting it then gives what calling
    it gave); unsafe when it returns something else (that may itself be awaitable)."""
    if method.is_async or method.is_generator or method.is_lambda:
        return None
    text = plugin.text(span.path)
    lines = text.splitlines() if text else []
    if not 0 < span.line <= len(lines) or not lines[span.line - 1][span.column - 1:].startswith("def "):
        return None
    safe = all(ret.kind in (ReturnKind.LITERAL, ReturnKind.NONE) for ret in method.returns)
    return Fix(
        f"Make `{method.name}` `async def`" + ("" if safe else " (check what its body returns)"),
        (Edit(Span(span.path, span.line, span.column, span.line, span.column), "async "),),
        Applicability.SAFE if safe else Applicability.UNSAFE,
    )


def add_stubs(plugin: PluginContext, cls: ClassRef, missing: Sequence[str], spec: Mapping[str, Mapping[str, Any]]) -> Fix | None:
    """Stubs for the interface methods ``cls`` lacks, with the host's signatures, raising
    `NotImplementedError`, after the class's last line. Unsafe: a stub is not an implementation
    (the host's call now raises `NotImplementedError` instead of `AttributeError`)."""
    parsed = _parse(plugin, cls.path)
    span = cls.fact.span
    if parsed is None or span is None or not missing:
        return None
    text, tree = parsed
    node = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls.fact.name
                 and n.lineno <= span.line <= (n.end_lineno or n.lineno)), None)
    if node is None or node.end_lineno is None or not node.body or node.body[0].lineno == node.lineno:
        return None  # a one-line class body (`class A: pass`) gets no stub
    lines = text.splitlines(keepends=True)
    first = lines[node.body[0].lineno - 1]
    indent = first[: len(first) - len(first.lstrip())]
    if not indent or indent.strip():
        return None
    step = indent[: len(indent) - node.col_offset] if len(indent) > node.col_offset else "    "
    body = "".join(
        f"\n{indent}{expected_shape(name, spec[name])}:\n{indent}{step}raise NotImplementedError\n"
        for name in missing
    )
    where, body = _after_line(cls.path, lines, node.end_lineno, body)
    names = ", ".join(f"`{name}`" for name in missing)
    return Fix(f"Add stubs for {names} to `{cls.fact.name}`", (Edit(where, body),), Applicability.UNSAFE)


def add_entry_point(plugin: PluginContext, classes: Sequence[ClassRef]) -> Fix | None:
    """`def get_plugin_interface(): return Plugin()` at the end of `__init__.py`, for the one class
    of `__init__.py` that subclasses `PluginInterface`. Unsafe: the host starts creating the
    object (its `__init__` runs). None when there is no such class or more than one."""
    mine = [cls for cls in classes if cls.path == "__init__.py"]
    if len(mine) != 1:
        return None
    parsed = _parse(plugin, "__init__.py")
    if parsed is None:
        return None
    text, tree = parsed
    node = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == mine[0].fact.name), None)
    if node is None or any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == "__init__"
                           and _required(n) for n in node.body):
        return None  # its constructor needs arguments: which ones is the author's choice
    lines = text.splitlines(keepends=True)
    if not lines:
        return None
    where, code = _after_line("__init__.py", lines, len(lines), f"\n\ndef get_plugin_interface():\n    return {node.name}()\n")
    return Fix(f"Add `get_plugin_interface()` returning `{node.name}()`", (Edit(where, code),), Applicability.UNSAFE)


def _after_line(path: str, lines: list[str], line: int, text: str) -> tuple[Span, str]:
    """Where to insert ``text`` so it follows line ``line`` (1-based), and the text to insert
    (a line break first when the file's last line has none)."""
    if line < len(lines) or lines[-1].endswith(("\n", "\r")):
        return Span(path, line + 1, 1, line + 1, 1), text
    end = len(lines[-1]) + 1
    return Span(path, line, end, line, end), "\n" + text


def _required(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether ``__init__`` has a required parameter besides ``self``."""
    args = function.args
    positional = [*args.posonlyargs, *args.args][1:]
    required = len(positional) - len(args.defaults)
    return required > 0 or any(default is None for default in args.kw_defaults)
