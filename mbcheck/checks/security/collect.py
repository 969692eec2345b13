"""Security analysis on the syntax tree: shared helpers, the permission collector, the bandit hook.

What the security source rules (``security_source``) and the permission
collector below share, per file:

* :func:`resolve` — the qualified name an expression denotes, following what
  :class:`~mbcheck.pyfile.names.NameTracker` follows plus the obfuscated spellings
  (``__import__('o' + 's')``, ``getattr(builtins, 'ev' + 'al')``,
  ``__builtins__['exec']``, ``sys.modules['os']``);
* :func:`fold_string` — the value of an expression that is a string in
  disguise (concatenations, ``''.join``, reversal, ``chr`` codes, literal
  base64 / hex decoded as data — never run);
* :func:`static_path` — a file system path known statically (``Path.home() /
  '.ssh' / 'authorized_keys'``, ``os.path.expanduser('~/.bashrc')``);
* :func:`classify_call` — which permissions a call shows, by the table.

The collector (``security``) records one :class:`~mbcheck.checks.security.facts.Evidence`
per use of a permission, with whether it runs while the module is imported:
module and class bodies, decorators and default values run then; function
bodies, lambda bodies and ``if __name__ == "__main__":`` blocks do not.

Nothing here imports bandit; the bandit hook imports it on first use.
"""

from __future__ import annotations

import base64
import binascii
import codecs
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

import libcst as cst

from mbcheck.checks.security.facts import Evidence, FunctionSummary, ImportTimeCall, SecurityFacts
from mbcheck.checks.security.patterns import StaticPath, parse_path
from mbcheck.checks.security.tables import SIDE_EFFECT_PERMISSIONS, ModeCall, tables
from mbcheck.model import Category, Confidence, Finding, Severity, Span
from mbcheck.pyfile.analyse import FILE_HOOKS, HookInput
from mbcheck.pyfile.names import literal_string
from mbcheck.pyfile.traverse import Collector, FileContext, collector

DYNAMIC_IMPORTERS = frozenset({"builtins.__import__", "importlib.import_module", "importlib.__import__"})
PATH_TYPES = frozenset(
    {"pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "pathlib.PurePosixPath",
     "pathlib.WindowsPath", "pathlib.PureWindowsPath"}
)
#: path methods that return another path (``p.expanduser()``, ``p.joinpath('x')``)
_PATH_RETURNING = frozenset({"expanduser", "resolve", "absolute", "joinpath", "with_name", "with_suffix",
                             "with_stem", "relative_to", "parent"})
_PASS_THROUGH = frozenset({"os.path.abspath", "os.path.realpath", "os.path.normpath", "os.fspath", "builtins.str"})
_EXPANDERS = frozenset({"os.path.expanduser", "os.path.expandvars"})
_HOME_VARIABLES = frozenset({"HOME", "USERPROFILE"})
_MAX_FOLD = 65_536

# --------------------------------------------------------------------------
# Call arguments


ArgState = Literal["given", "missing", "unknown"]


def argument(call: cst.Call, position: int | None, keyword: str | None) -> tuple[ArgState, cst.BaseExpression | None]:
    """An argument by keyword or position: given, missing, or unknown (``*args`` / ``**kwargs``)."""
    starred = False
    index = 0
    for arg in call.args:
        if arg.star == "**":
            starred = True
            continue
        if arg.star == "*":
            starred = True
            continue
        if arg.keyword is not None:
            if keyword is not None and arg.keyword.value == keyword:
                return "given", arg.value
            continue
        if not starred and position is not None and index == position:
            return "given", arg.value
        index += 1
    return ("unknown", None) if starred else ("missing", None)


def first_argument(call: cst.Call, *keywords: str) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.star:
            return None
        if arg.keyword is None:
            return arg.value
        if arg.keyword.value in keywords:
            return arg.value
    return None


def keyword_value(call: cst.Call, keyword: str) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg.value
    return None


def is_false(node: cst.BaseExpression | None) -> bool:
    if isinstance(node, cst.Name):
        return node.value in ("False", "None")
    if isinstance(node, cst.Integer):
        return node.value == "0"
    return False


def is_true(node: cst.BaseExpression | None) -> bool:
    if isinstance(node, cst.Name):
        return node.value == "True"
    if isinstance(node, cst.Integer):
        return node.value not in ("0",)
    return False


# --------------------------------------------------------------------------
# Per-file state shared by every security visitor of one file


@dataclass
class FileState:
    """Derived facts about one file, computed once and shared by the security visitors."""

    constants: dict[str, str]
    star_modules: tuple[str, ...] = ()
    resolved: dict[int, str | None] = field(default_factory=dict)
    #: names known to hold a path: name -> its static value (None: a path, value unknown)
    path_names: dict[str, StaticPath | None] = field(default_factory=dict)
    #: ``self.<name>`` attributes assigned a path anywhere in the file
    path_attrs: dict[str, StaticPath | None] = field(default_factory=dict)
    seen: set[int] = field(default_factory=set)
    #: names holding decoded data: name -> the decoder (``base64.b64decode``)
    tainted: dict[str, str] = field(default_factory=dict)
    #: statements (by id) that call a decoder or use decoded data -> the decoder
    decoder_statements: dict[int, str] = field(default_factory=dict)


def _module_constants(module: cst.Module) -> dict[str, str]:
    """Module-level names assigned exactly once, to a plain string literal."""
    values: dict[str, str | None] = {}
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            targets: list[cst.BaseExpression] = []
            value: cst.BaseExpression | None = None
            if isinstance(small, cst.Assign):
                targets = [t.target for t in small.targets]
                value = small.value
            elif isinstance(small, cst.AnnAssign):
                targets = [small.target]
                value = small.value
            elif isinstance(small, cst.AugAssign):
                targets = [small.target]
            for target in targets:
                if not isinstance(target, cst.Name):
                    continue
                text = literal_string(value) if value is not None and len(targets) == 1 else None
                name = target.value
                values[name] = None if name in values else text
    return {k: v for k, v in values.items() if v is not None}


def _star_modules(module: cst.Module) -> tuple[str, ...]:
    """Modules a file imports with ``from m import *`` at its top level."""
    found: list[str] = []
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if (
                    isinstance(small, cst.ImportFrom)
                    and isinstance(small.names, cst.ImportStar)
                    and not small.relative
                    and small.module is not None
                ):
                    found.append(cst.Module([]).code_for_node(small.module))
    return tuple(found)


@cache
def _known_names() -> frozenset[str]:
    """Every qualified name the security table mentions (for ``from m import *``)."""
    data = tables()
    return frozenset({*data.calls, *data.shell_calls, *data.timeout_calls, *data.write_methods,
                      *data.decoders, *data.conditions})


def state(ctx: FileContext) -> FileState:
    return ctx.shared(
        "security",
        lambda: FileState(constants=_module_constants(ctx.module), star_modules=_star_modules(ctx.module)),
    )


def _bound_locally(ctx: FileContext, name: str) -> bool:
    """Whether ``name`` is bound in a function or class scope enclosing the current node."""
    return any(name in scope.bindings for scope in ctx.names.scopes[1:])


def _bound_anywhere(ctx: FileContext, name: str) -> bool:
    return any(name in scope.bindings for scope in ctx.names.scopes)


# --------------------------------------------------------------------------
# Folding strings in disguise


def _int_literal(node: cst.BaseExpression) -> int | None:
    if isinstance(node, cst.Integer):
        value = node.evaluated_value
        return value if isinstance(value, int) else None
    return None


def _is_builtin(ctx: FileContext, node: cst.BaseExpression, name: str) -> bool:
    return isinstance(node, cst.Name) and node.value == name and ctx.names.lookup(name) == f"builtins.{name}"


def _fold_sequence(ctx: FileContext, node: cst.BaseExpression, depth: int) -> list[str] | None:
    if isinstance(node, (cst.List, cst.Tuple)):
        out: list[str] = []
        for element in node.elements:
            if not isinstance(element, cst.Element):
                return None
            text = fold_string(ctx, element.value, depth + 1)
            if text is None:
                return None
            out.append(text)
        return out
    # chr(c) for c in [111, 115]  /  map(chr, [111, 115])
    codes: cst.BaseExpression | None = None
    if isinstance(node, (cst.GeneratorExp, cst.ListComp)):
        elt, comp = node.elt, node.for_in
        if (
            isinstance(elt, cst.Call)
            and _is_builtin(ctx, elt.func, "chr")
            and len(elt.args) == 1
            and isinstance(comp.target, cst.Name)
            and isinstance(elt.args[0].value, cst.Name)
            and elt.args[0].value.value == comp.target.value
            and comp.inner_for_in is None
            and not comp.ifs
        ):
            codes = comp.iter
    elif (
        isinstance(node, cst.Call)
        and _is_builtin(ctx, node.func, "map")
        and len(node.args) == 2
        and _is_builtin(ctx, node.args[0].value, "chr")
    ):
        codes = node.args[1].value
    if isinstance(codes, (cst.List, cst.Tuple)):
        chars: list[str] = []
        for element in codes.elements:
            number = _int_literal(element.value) if isinstance(element, cst.Element) else None
            if number is None or not 0 <= number < 0x110000:
                return None
            chars.append(chr(number))
        return chars
    return None


def _decode_literal(name: str, data: bytes | str) -> bytes | None:
    raw = data.encode("latin-1", errors="ignore") if isinstance(data, str) else data
    try:
        if name in ("base64.b64decode", "base64.standard_b64decode", "base64.decodebytes", "binascii.a2b_base64"):
            return base64.b64decode(raw)
        if name == "base64.urlsafe_b64decode":
            return base64.urlsafe_b64decode(raw)
        if name == "base64.b32decode":
            return base64.b32decode(raw)
        if name == "base64.b16decode":
            return base64.b16decode(raw, casefold=True)
        if name == "base64.b85decode":
            return base64.b85decode(raw)
        if name == "base64.a85decode":
            return base64.a85decode(raw)
        if name in ("binascii.unhexlify", "binascii.a2b_hex", "builtins.bytes.fromhex", "builtins.bytearray.fromhex"):
            return binascii.unhexlify(raw.replace(b" ", b""))
    except (ValueError, binascii.Error):
        return None
    return None


def fold_bytes(ctx: FileContext, node: cst.BaseExpression, depth: int = 0) -> bytes | None:
    """Static bytes: a bytes literal, or a literal decoded by base64/hex (as data)."""
    if depth > 20:
        return None
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, bytes) and len(value) <= _MAX_FOLD else None
    if isinstance(node, cst.Call) and node.args:
        if isinstance(node.func, cst.Attribute) and node.func.attr.value == "encode" and not node.args[1:]:
            text = fold_string(ctx, node.func.value, depth + 1)
            return text.encode("utf-8") if text is not None else None
        name = resolve(ctx, node.func)
        if name is None:
            return None
        arg = node.args[0].value
        source: bytes | str | None = fold_bytes(ctx, arg, depth + 1)
        if source is None:
            source = fold_string(ctx, arg, depth + 1)
        if source is None or len(source) > _MAX_FOLD:
            return None
        return _decode_literal(name, source)
    return None


def fold_string(ctx: FileContext, node: cst.BaseExpression, depth: int = 0) -> str | None:
    """The value of an expression that is statically a string, or None.

    Follows literals, module-level string constants, ``+``, ``''.join([...])``,
    ``[::-1]``, ``chr(n)``, ``.lower()``/``.upper()``, f-strings without
    fields, ``codecs.decode(s, 'rot13')`` and ``.decode()`` of static bytes.
    Nothing is executed.
    """
    if depth > 40:
        return None
    text = literal_string(node)
    if text is not None:
        return text
    if isinstance(node, cst.Name):
        if node.value in state(ctx).constants and not _bound_locally(ctx, node.value):
            return state(ctx).constants[node.value]
        return None
    if isinstance(node, cst.FormattedString):
        parts: list[str] = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                parts.append(part.value)
            elif isinstance(part, cst.FormattedStringExpression) and part.format_spec is None and part.conversion is None:
                inner = fold_string(ctx, part.expression, depth + 1)
                if inner is None:
                    return None
                parts.append(inner)
            else:
                return None
        return "".join(parts)
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        left = fold_string(ctx, node.left, depth + 1)
        if left is None:
            return None
        right = fold_string(ctx, node.right, depth + 1)
        return None if right is None or len(left) + len(right) > _MAX_FOLD else left + right
    if isinstance(node, cst.Subscript) and len(node.slice) == 1:
        inner_slice = node.slice[0].slice
        if (
            isinstance(inner_slice, cst.Slice)
            and inner_slice.lower is None
            and inner_slice.upper is None
            and isinstance(inner_slice.step, cst.UnaryOperation)
            and isinstance(inner_slice.step.operator, cst.Minus)
            and _int_literal(inner_slice.step.expression) == 1
        ):
            value = fold_string(ctx, node.value, depth + 1)
            return value[::-1] if value is not None else None
        return None
    if isinstance(node, cst.Call):
        func = node.func
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            if method == "join" and len(node.args) == 1:
                separator = fold_string(ctx, func.value, depth + 1)
                items = _fold_sequence(ctx, node.args[0].value, depth + 1) if separator is not None else None
                return separator.join(items) if separator is not None and items is not None else None
            if method in ("lower", "upper", "strip") and not node.args:
                value = fold_string(ctx, func.value, depth + 1)
                return None if value is None else getattr(value, method)()
            if method == "decode":
                data = fold_bytes(ctx, func.value, depth + 1)
                if data is not None:
                    try:
                        return data.decode("utf-8")
                    except UnicodeDecodeError:
                        return data.decode("latin-1")
        if _is_builtin(ctx, func, "chr") and len(node.args) == 1:
            number = _int_literal(node.args[0].value)
            return chr(number) if number is not None and 0 <= number < 0x110000 else None
        if len(node.args) == 2 and resolve(ctx, func) == "codecs.decode":
            encoding = fold_string(ctx, node.args[1].value, depth + 1)
            value = fold_string(ctx, node.args[0].value, depth + 1)
            if value is not None and encoding is not None and encoding.lower().replace("-", "_") in ("rot13", "rot_13"):
                return codecs.decode(value, "rot13")
    return None


def is_plain_literal(node: cst.BaseExpression) -> bool:
    """A string literal as written (not assembled, not decoded)."""
    return literal_string(node) is not None


def is_constant(ctx: FileContext, node: cst.BaseExpression) -> bool:
    """Whether an expression's value is fixed in the source (strings, numbers, lists of them)."""
    if fold_string(ctx, node) is not None:
        return True
    if isinstance(node, (cst.Integer, cst.Float)):
        return True
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return True
    if isinstance(node, (cst.List, cst.Tuple)):
        return all(isinstance(e, cst.Element) and is_constant(ctx, e.value) for e in node.elements)
    return False


# --------------------------------------------------------------------------
# Qualified names, including obfuscated spellings


def resolve(ctx: FileContext, node: cst.BaseExpression) -> str | None:
    """The fully qualified name an expression denotes (see the module docstring)."""
    memo = state(ctx).resolved
    key = id(node)
    if key in memo:
        return memo[key]
    found = _resolve(ctx, node)
    if found is not None and found.split(".", 2)[:2] in _CONSTANT_BUILTINS:
        found = None  # ``x = None`` then ``x.attr``: a value, not the builtins module
    memo[key] = found
    return found


_CONSTANT_BUILTINS = [["builtins", name] for name in ("None", "True", "False", "Ellipsis", "NotImplemented")]


def _resolve(ctx: FileContext, node: cst.BaseExpression) -> str | None:
    found = ctx.qualified_name(node)
    if found is not None:
        return found
    if isinstance(node, cst.Name):
        if _bound_anywhere(ctx, node.value):
            return None
        if node.value == "__builtins__":
            return "builtins"
        for module in state(ctx).star_modules:
            candidate = f"{module}.{node.value}"
            if candidate in _known_names():
                return candidate  # ``from os import *`` then ``system(cmd)``
        return None
    if isinstance(node, cst.Attribute):
        base = resolve(ctx, node.value)
        if base is None:
            return None
        if base == "builtins" and node.attr.value == "__dict__":
            return "builtins.__dict__"
        return f"{base}.{node.attr.value}"
    if isinstance(node, cst.Call):
        func = resolve(ctx, node.func)
        if func in DYNAMIC_IMPORTERS and node.args:
            return fold_string(ctx, node.args[0].value)
        if func == "builtins.getattr" and len(node.args) >= 2:
            base = resolve(ctx, node.args[0].value)
            attr = fold_string(ctx, node.args[1].value)
            if base is not None and attr is not None:
                return f"{base}.{attr}"
        if func == "builtins.vars" and len(node.args) == 1 and resolve(ctx, node.args[0].value) == "builtins":
            return "builtins.__dict__"
        return None
    if isinstance(node, cst.Subscript) and len(node.slice) == 1:
        index = node.slice[0].slice
        if not isinstance(index, cst.Index):
            return None
        if (
            isinstance(node.value, cst.Call)
            and resolve(ctx, node.value.func) in ("builtins.globals", "builtins.vars", "builtins.locals")
            and not node.value.args
        ):
            return "builtins" if fold_string(ctx, index.value) == "__builtins__" else None
        base = resolve(ctx, node.value)
        if base in ("builtins", "builtins.__dict__"):
            key = fold_string(ctx, index.value)
            return f"builtins.{key}" if key else None
        if base == "sys.modules":
            return fold_string(ctx, index.value)
    return None


def plugin_internal(ctx: FileContext, name: str) -> bool:
    package = ctx.package
    return bool(package) and (name == package or name.startswith(package + "."))


def own_module_name(ctx: FileContext, call: cst.Call, arg: cst.BaseExpression) -> bool:
    """A computed module name that stays inside the plugin (``f'.{name}'``, ``'pkg.' + name``).

    A relative name counts only against the plugin's own package (``__package__``,
    ``__name__`` or the package's name as a literal): ``import_module('.' + x,
    'urllib')`` reaches outside.
    """
    prefix = ""
    if isinstance(arg, cst.FormattedString) and arg.parts and isinstance(arg.parts[0], cst.FormattedStringText):
        prefix = arg.parts[0].value
    elif isinstance(arg, cst.BinaryOperation) and isinstance(arg.operator, cst.Add):
        prefix = fold_string(ctx, arg.left) or ""
    if prefix.startswith("."):
        status, anchor = argument(call, 1, "package")
        if status != "given" or anchor is None:
            return False
        if isinstance(anchor, cst.Name) and anchor.value in ("__package__", "__name__"):
            return True
        text = fold_string(ctx, anchor)
        return text is not None and plugin_internal(ctx, text)
    package = ctx.package
    return bool(package) and prefix.startswith(package + ".")


# --------------------------------------------------------------------------
# Static paths


def _path_parts(ctx: FileContext, nodes: Sequence[cst.BaseExpression], expanded: bool) -> StaticPath | None:
    if not nodes:
        return None
    base = static_path(ctx, nodes[0], expanded)
    if base is None:
        return None
    parts: list[str] = []
    for node in nodes[1:]:
        text = fold_string(ctx, node)
        if text is None:
            return None
        parts.append(text)
    return base.join(*parts)


def _home_variable(ctx: FileContext, node: cst.BaseExpression) -> bool:
    """``os.environ['HOME']``, ``os.environ.get('HOME')``, ``os.getenv('HOME')``."""
    if isinstance(node, cst.Subscript) and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        return resolve(ctx, node.value) == "os.environ" and fold_string(ctx, node.slice[0].slice.value) in _HOME_VARIABLES
    if isinstance(node, cst.Call) and node.args:
        name = resolve(ctx, node.func)
        if name in ("os.getenv", "os.environ.get"):
            return fold_string(ctx, node.args[0].value) in _HOME_VARIABLES
    return False


def static_path(ctx: FileContext, node: cst.BaseExpression, expanded: bool = False) -> StaticPath | None:
    """An absolute or home-relative path known statically, or None.

    ``~`` and ``$HOME`` count only once expanded (``os.path.expanduser``,
    ``Path.expanduser()``): ``open('~/.bashrc')`` opens a relative file.
    """
    text = fold_string(ctx, node)
    if text is not None:
        parsed = parse_path(text)
        if parsed is None or (parsed.home and not expanded):
            return None
        return parsed
    if isinstance(node, cst.Name):
        return state(ctx).path_names.get(node.value)
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == "self":
        return state(ctx).path_attrs.get(node.attr.value)
    if _home_variable(ctx, node):
        return StaticPath(True, "")
    if isinstance(node, cst.BinaryOperation):
        if isinstance(node.operator, cst.Divide):
            left = static_path(ctx, node.left, expanded)
            right = fold_string(ctx, node.right)
            return left.join(right) if left is not None and right is not None else None
        if isinstance(node.operator, cst.Add):
            left = static_path(ctx, node.left, expanded)
            right = fold_string(ctx, node.right)
            if left is None or right is None:
                return None
            return left.concat(right)
    if isinstance(node, cst.FormattedString) and node.parts:
        first = node.parts[0]
        if not isinstance(first, cst.FormattedStringExpression):
            return None
        base = static_path(ctx, first.expression, expanded)
        rest: list[str] = []
        for part in node.parts[1:]:
            if isinstance(part, cst.FormattedStringText):
                rest.append(part.value)
            elif isinstance(part, cst.FormattedStringExpression):
                value = fold_string(ctx, part.expression)
                if value is None:
                    return None
                rest.append(value)
        if base is None:
            return None
        return base.concat("".join(rest))
    if isinstance(node, cst.Call):
        name = resolve(ctx, node.func)
        args = [a.value for a in node.args if not a.star and a.keyword is None]
        if name in _EXPANDERS and args:
            return static_path(ctx, args[0], True)
        if name in _PASS_THROUGH and args:
            return static_path(ctx, args[0], expanded)
        if name == "os.path.join":
            return _path_parts(ctx, args, expanded)
        if name in PATH_TYPES:
            return _path_parts(ctx, args, expanded)
        if name in ("pathlib.Path.home", "pathlib.PosixPath.home", "pathlib.WindowsPath.home"):
            return StaticPath(True, "")
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in ("expanduser", "resolve", "absolute", "joinpath"):
            receiver = static_path(ctx, node.func.value, expanded or node.func.attr.value == "expanduser")
            if receiver is None:
                return None
            parts = [fold_string(ctx, a) for a in args]
            if any(p is None for p in parts):
                return None
            return receiver.join(*[p for p in parts if p is not None])
    return None


def is_path_expr(ctx: FileContext, node: cst.BaseExpression) -> bool:
    """Whether an expression is known to be a pathlib path (its value may be unknown)."""
    if isinstance(node, cst.Name):
        return node.value in state(ctx).path_names
    if isinstance(node, cst.Attribute):
        if isinstance(node.value, cst.Name) and node.value.value == "self" and node.attr.value in state(ctx).path_attrs:
            return True
        if node.attr.value == "parent":
            return is_path_expr(ctx, node.value)
        return False
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide):
        return is_path_expr(ctx, node.left)
    if isinstance(node, cst.Call):
        name = resolve(ctx, node.func)
        if name in PATH_TYPES:
            return True
        if name is not None and "." in name:
            owner, method = name.rsplit(".", 1)
            if owner in PATH_TYPES and method in ("home", "cwd"):
                return True
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in _PATH_RETURNING:
            return is_path_expr(ctx, node.func.value)
    return False


def _path_annotation(ctx: FileContext, annotation: cst.Annotation | None) -> bool:
    if annotation is None:
        return False
    expr = annotation.annotation
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.BitOr):
        return _path_annotation(ctx, cst.Annotation(expr.left)) or _path_annotation(ctx, cst.Annotation(expr.right))
    text = literal_string(expr)
    if text is not None:
        return text.split(".")[-1] in ("Path", "PurePath", "PosixPath")
    return resolve(ctx, expr) in PATH_TYPES


def observe_assignment(ctx: FileContext, node: cst.Assign | cst.AnnAssign) -> None:
    """Track names (and ``self`` attributes) that hold paths; idempotent per node."""
    st = state(ctx)
    if id(node) in st.seen:
        return
    st.seen.add(id(node))
    value = node.value
    targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
    is_path = value is not None and is_path_expr(ctx, value)
    if isinstance(node, cst.AnnAssign) and _path_annotation(ctx, node.annotation):
        is_path = True
    known = static_path(ctx, value) if value is not None else None
    for target in targets:
        if isinstance(target, cst.Name):
            if is_path or known is not None:
                st.path_names[target.value] = known
            else:
                st.path_names.pop(target.value, None)
        elif (
            isinstance(target, cst.Attribute)
            and isinstance(target.value, cst.Name)
            and target.value.value == "self"
            and (is_path or known is not None)
        ):
            st.path_attrs[target.attr.value] = known
    if isinstance(node, cst.AnnAssign) and isinstance(node.target, cst.Name) and ctx.names.class_depth and is_path:
        st.path_attrs[node.target.value] = known  # a dataclass field ``root: Path``


def observe_function(ctx: FileContext, node: cst.FunctionDef) -> None:
    """Parameters shadow earlier path names; ``p: Path`` parameters are paths."""
    st = state(ctx)
    if id(node) in st.seen:
        return
    st.seen.add(id(node))
    params = node.params
    for param in (*params.posonly_params, *params.params, *params.kwonly_params):
        if _path_annotation(ctx, param.annotation):
            st.path_names[param.name.value] = None
        else:
            st.path_names.pop(param.name.value, None)


# --------------------------------------------------------------------------
# Which permissions a call shows


@dataclass(frozen=True, slots=True)
class Use:
    permission: str
    via: str
    certain: bool = True


def _mode_writes(ctx: FileContext, call: cst.Call, spec: ModeCall) -> bool | None:
    """True (writes), False (reads) or None (mode not static)."""
    status, value = argument(call, spec.position, spec.keyword)
    if spec.uses_flags:
        if status != "given" or value is None:
            return None if status == "unknown" else False
        names: list[str | None] = []
        pending: list[cst.BaseExpression] = [value]
        while pending:
            item = pending.pop()
            if isinstance(item, cst.BinaryOperation) and isinstance(item.operator, cst.BitOr):
                pending += [item.left, item.right]
            else:
                names.append(resolve(ctx, item))
        if any(n in spec.write_flags for n in names):
            return True
        return None if any(n is None for n in names) else False
    if status == "unknown":
        return None
    mode = spec.default_mode if status == "missing" else fold_string(ctx, value) if value is not None else None
    if mode is None:
        return None
    return any(c in spec.write_chars for c in mode)


def _path_method_use(ctx: FileContext, call: cst.Call, method: str, receiver: cst.BaseExpression) -> Use | None:
    data = tables()
    if method == "open" and is_path_expr(ctx, receiver):
        spec = data.write_methods.get("pathlib.Path.open")
        if spec is None:
            return None
        writes = _mode_writes(ctx, call, spec)
        if writes is False:
            return None
        return Use(spec.permission, "pathlib.Path.open", writes is True)
    entry = data.path_methods.get(method)
    if entry is None:
        return None
    permission, unambiguous = entry
    if unambiguous or is_path_expr(ctx, receiver) or _pathlib_signature(call, method):
        return Use(permission, f"pathlib.Path.{method}")
    return None


def _pathlib_signature(call: cst.Call, method: str) -> bool:
    """A call whose arguments only make sense for pathlib (``x.mkdir(parents=True)``)."""
    positional = [a for a in call.args if a.keyword is None and not a.star]
    keywords = {a.keyword.value for a in call.args if a.keyword is not None}
    if any(a.star for a in call.args):
        return False
    if method in ("mkdir", "touch", "unlink", "rmdir"):
        return not positional and keywords <= {"parents", "exist_ok", "mode", "missing_ok"}
    if method == "chmod":
        return len(positional) == 1 and not keywords
    if method in ("rename", "replace"):
        return len(positional) == 1 and not keywords
    return False


def classify_call(ctx: FileContext, call: cst.Call, name: str | None) -> list[Use]:
    """The permissions a call shows (``name`` is its resolved function name, or None)."""
    data = tables()
    uses: list[Use] = []
    if name is not None:
        spec = data.write_methods.get(name)
        if spec is not None:
            writes = _mode_writes(ctx, call, spec)
            if writes is not False:
                uses.append(Use(spec.permission, name, writes is True))
            return uses
        condition = data.conditions.get(name)
        if condition is not None:
            status, value = argument(call, condition.position, condition.keyword)
            if condition.kind == "argument-not-literal":
                if status == "given" and value is not None and (
                    is_plain_literal(value) or own_module_name(ctx, call, value)
                ):
                    return uses
                if status == "missing":
                    return uses
            elif condition.kind == "argument-not-in":
                if status == "missing" and not condition.when_missing:
                    return uses
                if status == "given" and value is not None and resolve(ctx, value) in condition.safe_values:
                    return uses
        found = data.permission_of(name)
        if found is not None:
            uses.append(Use(found[0], name))
            return uses
        if name == "builtins.getattr" and len(call.args) >= 2:
            base = resolve(ctx, call.args[0].value)
            if base in ("builtins", "builtins.__dict__") and fold_string(ctx, call.args[1].value) is None:
                uses.append(Use("dynamic-code", "builtins.getattr"))
            return uses
    func = call.func
    if isinstance(func, cst.Attribute):
        use = _path_method_use(ctx, call, func.attr.value, func.value)
        if use is not None and (name is None or not name.startswith(ctx.module_name + ".")):
            receiver = resolve(ctx, func.value)
            if receiver is None or receiver.split(".", 1)[0] == "pathlib":
                uses.append(use)
    return uses


# --------------------------------------------------------------------------
# Import-time tracking


def _is_main_guard(ctx: FileContext, test: cst.BaseExpression) -> bool:
    """``if __name__ == "__main__":`` (also as one side of an ``and``)."""
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        return _is_main_guard(ctx, test.left) or _is_main_guard(ctx, test.right)
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    target = test.comparisons[0]
    if not isinstance(target.operator, cst.Equal):
        return False
    sides = (test.left, target.comparator)
    names = [s for s in sides if isinstance(s, cst.Name) and s.value == "__name__"]
    texts = [literal_string(s) for s in sides]
    return bool(names) and "__main__" in texts


def _is_type_checking(ctx: FileContext, test: cst.BaseExpression) -> bool:
    name = resolve(ctx, test)
    if name in ("typing.TYPE_CHECKING", "typing_extensions.TYPE_CHECKING"):
        return True
    return isinstance(test, cst.Name) and test.value == "TYPE_CHECKING"


@dataclass
class _Frame:
    kind: str  # "function" or "class"
    name: str


class ScopeTracker(cst.BatchableCSTVisitor):
    """When code runs: at import (module/class bodies, decorators, defaults) or later.

    A mixin for visitors (its ``visit_``/``leave_`` methods join the batched
    traversal). ``deferred`` counts enclosing function bodies, lambda bodies
    and ``if __name__ == "__main__":`` blocks; ``frames`` names the enclosing
    functions and classes (for call-graph facts); ``type_checking`` counts
    enclosing ``if TYPE_CHECKING:`` blocks.
    """

    ctx: FileContext

    def init_scope(self) -> None:
        self.deferred = 0
        self.type_checking = 0
        self.frames: list[_Frame] = []
        self._blocks: dict[int, tuple[str, str]] = {}
        self._immediate: set[int] = set()
        self._lambda_params: set[int] = set()
        self._deferred_lambdas: set[int] = set()

    @property
    def at_import_time(self) -> bool:
        return self.deferred == 0

    @property
    def function(self) -> str:
        for frame in reversed(self.frames):
            if frame.kind == "function":
                return frame.name
        return ""

    def enclosing_class(self) -> str | None:
        """The class whose method body encloses the current node."""
        for index in range(len(self.frames) - 1, -1, -1):
            if self.frames[index].kind == "function":
                if index > 0 and self.frames[index - 1].kind == "class":
                    return self.frames[index - 1].name
                return None
        return None

    def _qualname(self, name: str) -> str:
        if self.frames and self.frames[-1].kind == "class":
            return f"{self.frames[-1].name}.{name}"
        return f"{self.ctx.module_name}.{name}"

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._blocks[id(node.body)] = ("function", self._qualname(node.name.value))

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.frames.append(_Frame("class", self._qualname(node.name.value)))

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.frames.pop()

    def visit_If(self, node: cst.If) -> None:
        if _is_main_guard(self.ctx, node.test):
            self._blocks[id(node.body)] = ("main", "")
        elif _is_type_checking(self.ctx, node.test):
            self._blocks[id(node.body)] = ("typing", "")

    def _enter(self, node: cst.CSTNode) -> None:
        block = self._blocks.get(id(node))
        if block is None:
            return
        kind, name = block
        if kind == "typing":
            self.type_checking += 1
            return
        self.deferred += 1
        if kind == "function":
            self.frames.append(_Frame("function", name))

    def _leave(self, node: cst.CSTNode) -> None:
        block = self._blocks.get(id(node))
        if block is None:
            return
        kind, _ = block
        if kind == "typing":
            self.type_checking -= 1
            return
        self.deferred -= 1
        if kind == "function":
            self.frames.pop()

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._enter(node)

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock) -> None:
        self._leave(original_node)

    def visit_SimpleStatementSuite(self, node: cst.SimpleStatementSuite) -> None:
        self._enter(node)

    def leave_SimpleStatementSuite(self, original_node: cst.SimpleStatementSuite) -> None:
        self._leave(original_node)

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Lambda):
            self._immediate.add(id(node.func))

    def visit_Lambda(self, node: cst.Lambda) -> None:
        if id(node) not in self._immediate:
            self._deferred_lambdas.add(id(node))
            self._lambda_params.add(id(node.params))
            self.deferred += 1

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        if id(original_node) in self._deferred_lambdas:
            self.deferred -= 1

    def visit_Parameters(self, node: cst.Parameters) -> None:
        if id(node) in self._lambda_params:
            self.deferred -= 1  # a lambda's defaults run where the lambda is made

    def leave_Parameters(self, original_node: cst.Parameters) -> None:
        if id(original_node) in self._lambda_params:
            self.deferred += 1


# --------------------------------------------------------------------------
# The collector


@dataclass
class _Pending:
    permission: str
    via: str
    kind: str
    node: cst.CSTNode
    statement: cst.CSTNode | None
    at_import_time: bool
    certain: bool
    function: str


def _import_names(node: cst.Import | cst.ImportFrom, ctx: FileContext) -> Iterator[tuple[str, cst.CSTNode]]:
    if isinstance(node, cst.Import):
        for alias in node.names:
            name = _dotted(alias.name)
            if name:
                yield name, alias
        return
    if node.relative:
        return
    module = _dotted(node.module) if node.module is not None else ""
    if isinstance(node.names, cst.ImportStar):
        yield module, node
        return
    for alias in node.names:
        member = _dotted(alias.name)
        yield (f"{module}.{member}" if module else member), alias


def _dotted(node: cst.BaseExpression | None) -> str:
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return ""


def _module_permission(name: str) -> tuple[str, str] | None:
    """The permission an import shows: only ``modules`` entries count for imports."""
    data = tables()
    probe = name
    while True:
        found = data.modules.get(probe)
        if found is not None:
            return found, probe
        if "." not in probe:
            return None
        probe = probe.rsplit(".", 1)[0]


_TYPE_CHECKS = frozenset({"builtins.isinstance", "builtins.issubclass"})


@collector
class SecurityCollector(ScopeTracker, Collector):
    """Evidence of every permission a module uses, and its plugin-internal call graph."""

    key = "security"

    def __init__(self, ctx: FileContext) -> None:
        Collector.__init__(self, ctx)
        self.init_scope()
        self.pending: list[_Pending] = []
        self.calls: dict[str, set[str]] = {}
        self.import_calls: list[tuple[str, cst.CSTNode, cst.CSTNode | None]] = []
        self.dynamic_import = False
        #: functions, methods and classes this module defines (qualified)
        self.defined: set[str] = set()
        self._skip: set[int] = set()
        self._in_import = 0
        self._in_annotation = 0

    # -- evidence ----------------------------------------------------------
    def _add(self, permission: str, via: str, kind: str, node: cst.CSTNode, certain: bool = True) -> None:
        self.pending.append(
            _Pending(permission, via, kind, node, self.ctx.statement, self.at_import_time, certain, self.function)
        )

    def visit_Import(self, node: cst.Import) -> None:
        self._in_import += 1
        self._imports(node)

    def leave_Import(self, original_node: cst.Import) -> None:
        self._in_import -= 1

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self._in_import += 1
        self._imports(node)

    def leave_ImportFrom(self, original_node: cst.ImportFrom) -> None:
        self._in_import -= 1

    def _imports(self, node: cst.Import | cst.ImportFrom) -> None:
        if self.type_checking:
            return
        for name, alias in _import_names(node, self.ctx):
            found = _module_permission(name)
            if found is not None:
                self._add(found[0], found[1], "import", alias)

    def visit_Assign(self, node: cst.Assign) -> None:
        observe_assignment(self.ctx, node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        observe_assignment(self.ctx, node)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.defined.add(self._qualname(node.name.value))
        ScopeTracker.visit_FunctionDef(self, node)
        observe_function(self.ctx, node)
        self._skip.add(id(node.name))

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.defined.add(self._qualname(node.name.value))
        ScopeTracker.visit_ClassDef(self, node)
        self._skip.add(id(node.name))

    def visit_Param(self, node: cst.Param) -> None:
        self._skip.add(id(node.name))

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self._skip.add(id(node.keyword))

    def visit_Decorator(self, node: cst.Decorator) -> None:
        target = node.decorator
        if isinstance(target, (cst.Name, cst.Attribute)):
            name = resolve(self.ctx, target)
            if name is not None:
                self._edge(name, node)

    def visit_Call(self, node: cst.Call) -> None:
        ScopeTracker.visit_Call(self, node)
        self._skip.add(id(node.func))
        name = resolve(self.ctx, node.func)
        if name in _TYPE_CHECKS and len(node.args) >= 2:
            kinds = node.args[1].value
            elements = [e.value for e in kinds.elements] if isinstance(kinds, cst.Tuple) else [kinds]
            self._skip.update(id(e) for e in elements)
        for use in classify_call(self.ctx, node, name):
            self._add(use.permission, use.via, "call", node, use.certain)
        if name in DYNAMIC_IMPORTERS and node.args and not is_plain_literal(node.args[0].value):
            self.dynamic_import = True
        callee = name
        func = node.func
        if callee is None and isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            owner = self.enclosing_class()
            if owner is not None and func.value.value in ("self", "cls"):
                callee = f"{owner}.{func.attr.value}"
        if callee is not None:
            self._edge(callee, node)

    def _edge(self, callee: str, node: cst.CSTNode) -> None:
        if not plugin_internal(self.ctx, callee):
            return
        caller = self.function
        if caller:
            self.calls.setdefault(caller, set()).add(callee)
        elif self.at_import_time:
            self.import_calls.append((callee, node, self.ctx.statement))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._skip.add(id(node.value))
        self._skip.add(id(node.attr))
        if id(node) in self._skip:
            return
        self._reference(node)

    def visit_Name(self, node: cst.Name) -> None:
        if id(node) in self._skip:
            return
        self._reference(node)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        """``__builtins__['exec']``: a builtin reached through the builtins dictionary."""
        if id(node) in self._skip or resolve(self.ctx, node.value) not in ("builtins", "builtins.__dict__"):
            return
        name = resolve(self.ctx, node)
        if name is None:
            self._add("dynamic-code", "builtins.__dict__", "attribute", node)
            return
        found = tables().permission_of(name)
        if found is not None and name not in tables().conditions:
            self._add(found[0], name, "attribute", node)

    def visit_Annotation(self, node: cst.Annotation) -> None:
        self._in_annotation += 1

    def leave_Annotation(self, original_node: cst.Annotation) -> None:
        self._in_annotation -= 1

    def _reference(self, node: cst.Name | cst.Attribute) -> None:
        """A name used as a value: ``os.environ``, or ``map(os.system, cmds)``.

        Annotations and ``isinstance``/``issubclass`` checks only name a type;
        they do not use it.
        """
        if self._in_import or self._in_annotation:
            return
        name = resolve(self.ctx, node)
        if name is None or name in tables().conditions:
            return
        found = tables().permission_of(name)
        if found is not None:
            self._add(found[0], found[1], "attribute", node)

    # -- result ------------------------------------------------------------
    def _needs_span(self, callee: str, summaries: dict[str, set[str]], effects: set[str]) -> bool:
        """Whether an import-time call may reach a side effect (only then is its position resolved)."""
        seen: set[str] = set()
        todo = [callee]
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            if name not in self.defined:
                return True  # another module of the plugin: decided per plugin
            for suffix in ("", ".__init__", ".__new__", ".__post_init__", ".__call__"):
                if name + suffix in effects:
                    return True
                todo.extend(summaries.get(name + suffix, ()))
        return False

    def result(self) -> SecurityFacts:
        ctx = self.ctx
        evidence: list[Evidence] = []
        seen: set[tuple[str, str, int, int]] = set()
        for item in self.pending:
            span = ctx.span(item.node)
            key = (item.permission, item.via, span.line, span.column)
            if key in seen:
                continue
            seen.add(key)
            statement_line = ctx.line(item.statement) if item.statement is not None else span.line
            evidence.append(
                Evidence(item.permission, item.via, item.kind, span, min(statement_line, span.line),
                         item.at_import_time, item.certain, item.function)
            )
        effects = {e.function for e in evidence if e.kind == "call" and e.permission in SIDE_EFFECT_PERMISSIONS and e.function}
        calls: list[ImportTimeCall] = []
        for callee, node, statement in self.import_calls:
            if self._needs_span(callee, self.calls, effects):
                span = ctx.span(node)
                line = ctx.line(statement) if statement is not None else span.line
                calls.append(ImportTimeCall(callee, span, min(line, span.line)))
        functions = tuple(FunctionSummary(name, tuple(sorted(callees))) for name, callees in sorted(self.calls.items()))
        return SecurityFacts(ctx.module_name, tuple(evidence), functions, tuple(calls), self.dynamic_import)


# --------------------------------------------------------------------------
# bandit, run on the same file in the same pass


def _overlaps(issue_line: int, issue_end: int, finding: Finding) -> bool:
    start, end = finding.span.line, max(finding.span.end_line, finding.span.line)
    return start <= issue_end and issue_line <= end


def bandit_hook(hook_input: HookInput) -> list[Finding]:
    """bandit's findings for one file, minus those an mbcheck rule already reports there."""
    from mbcheck.checks.security.bandit import run_bandit
    from mbcheck.checks.security.bandit_policy import SUPERSEDED_BY

    job = hook_input.job
    source: str | bytes = hook_input.text or job.data
    issues = run_bandit(source, job.path, skip=job.options.bandit_skip, tree=hook_input.tree)
    already = [f for f in hook_input.findings if f.category is Category.SECURITY]
    out: list[Finding] = []
    for issue in issues:
        superseding = SUPERSEDED_BY.get(issue.test_id, ())
        if superseding and any(
            f.rule in superseding and _overlaps(issue.line, issue.end_line, f) for f in already
        ):
            continue
        message = issue.text.strip()
        if issue.cwe:
            message = f"{message} (CWE-{issue.cwe})"
        out.append(
            Finding(
                rule=issue.test_id,
                category=Category.SECURITY,
                severity=Severity(issue.severity),
                message=message,
                span=Span(job.path, issue.line, issue.col, issue.end_line, issue.end_col),
                confidence=Confidence(issue.confidence),
                statement_line=issue.line,
                name=issue.test_name.replace("_", "-"),
            )
        )
    return out


if bandit_hook not in FILE_HOOKS:
    FILE_HOOKS.append(bandit_hook)


__all__ = [
    "DYNAMIC_IMPORTERS",
    "FileState",
    "ScopeTracker",
    "SecurityCollector",
    "Use",
    "argument",
    "bandit_hook",
    "classify_call",
    "fold_bytes",
    "fold_string",
    "is_constant",
    "is_path_expr",
    "is_plain_literal",
    "observe_assignment",
    "observe_function",
    "own_module_name",
    "plugin_internal",
    "resolve",
    "state",
    "static_path",
]
