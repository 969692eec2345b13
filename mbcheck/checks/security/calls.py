"""Calls on the syntax tree: their arguments, and which permissions a call shows.

:func:`argument` and its siblings read a call's arguments as written (by
keyword or position, ``unknown`` behind ``*args`` / ``**kwargs``);
:func:`classify_call` says which permissions a call shows, by the table
(``open(p, 'w')`` writes, ``open(p)`` reads, ``os.system`` runs a process,
``x.mkdir(parents=True)`` is pathlib's); :func:`own_module_name` tells a
computed import that stays inside the plugin.

Only collectors and source rules use this module (it imports libcst).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import libcst as cst

from mbcheck.checks.security.classify import import_permission
from mbcheck.checks.security.paths import is_path_expr
from mbcheck.checks.security.reflect import extra_uses
from mbcheck.checks.security.tables import ModeCall, tables
from mbcheck.checks.security.values import (
    DYNAMIC_IMPORTERS,
    fold_string,
    is_plain_literal,
    loop_choices,
    plugin_internal,
    resolve,
    single_value,
    state,
)
from mbcheck.pyfile.traverse import FileContext, child_nodes, visit_readonly

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
    if type(node) is cst.Name:
        return node.value in ("False", "None")
    if type(node) is cst.Integer:
        return node.value == "0"
    return False


def is_true(node: cst.BaseExpression | None) -> bool:
    if type(node) is cst.Name:
        return node.value == "True"
    if type(node) is cst.Integer:
        return node.value not in ("0",)
    return False


def own_module_name(ctx: FileContext, call: cst.Call, arg: cst.BaseExpression) -> bool:
    """A computed module name that stays inside the plugin (``f'.{name}'``, ``'pkg.' + name``).

    A relative name counts only against the plugin's own package (``__package__``,
    ``__name__`` or the package's name as a literal): ``import_module('.' + x,
    'urllib')`` reaches outside. A name the file binds once (``module_name =
    f'.unicode{v}'``) counts as its value.
    """
    if type(arg) is cst.Name:
        bound = single_value(ctx, arg.value, lookups_only=False)
        if bound is None or type(bound) is cst.Name:
            return False
        arg = bound
    prefix = ""
    if type(arg) is cst.FormattedString and arg.parts and type(arg.parts[0]) is cst.FormattedStringText:
        prefix = arg.parts[0].value
    elif type(arg) is cst.BinaryOperation and type(arg.operator) is cst.Add:
        prefix = fold_string(ctx, arg.left) or ""
    if prefix.startswith("."):
        status, anchor = argument(call, 1, "package")
        if status != "given" or anchor is None:
            return False
        if type(anchor) is cst.Name and anchor.value in ("__package__", "__name__"):
            return True
        text = fold_string(ctx, anchor)
        return text is not None and plugin_internal(ctx, text)
    package = ctx.package
    return bool(package) and prefix.startswith(package + ".")


# --------------------------------------------------------------------------
# Which permissions a call shows


@dataclass(frozen=True, slots=True)
class Use:
    """One permission a call shows: ``via`` is the name that matched the table; ``certain``
    is false when it depends on a value that is not static (``open(p, mode)``)."""

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
            if type(item) is cst.BinaryOperation and type(item.operator) is cst.BitOr:
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


_CALLABLE_DUNDERS = frozenset({"__init__", "__new__", "__call__", "__getattr__", "__import__", "__enter__"})


def _own_definition(ctx: FileContext, name: str, key: str) -> bool:
    """Whether ``name`` is not the API the table's ``key`` names: a module's data
    (``urllib3.__version__.split``), or the plugin's own definition that only shares its first part
    with ``key``: a plugin packaged as ``httpx/httpx/_client.py`` defines
    ``httpx.httpx._client.UseClientDefault``, which is not httpx's network API. Only
    names under the current module's parent package count, and never under the
    plugin's root package itself (``subprocess.run`` in a plugin named ``subprocess``
    is still the standard library's)."""
    rest = name[len(key) + 1:].split(".") if name.startswith(key + ".") else []
    if any(part.startswith("__") and part.endswith("__") and part not in _CALLABLE_DUNDERS for part in rest):
        return True  # `urllib3.__version__.split()`: the module's data, not its API
    parent = ctx.module_name if ctx.is_package else ctx.module_name.rpartition(".")[0]
    if not parent or parent == ctx.package or not name.startswith(parent + "."):
        return False
    return len(parent) > len(key) and parent.startswith(key + ".")


def classify_call(ctx: FileContext, call: cst.Call, name: str | None) -> tuple[Use, ...]:
    """The permissions a call shows (``name`` is its resolved function name, or None).

    Several rules and the permission collector ask, each while the traversal is at the call
    (what the answer reads, the paths assigned so far, does not change there): it is worked
    out once per call and name."""
    memo = state(ctx).call_uses
    key = (id(call), name)
    found = memo.get(key)
    if found is None:
        found = memo[key] = tuple(_classify_call(ctx, call, name))
    return found


def _classify_call(ctx: FileContext, call: cst.Call, name: str | None) -> list[Use]:
    data = tables()
    uses: list[Use] = [Use(permission, via) for permission, via in extra_uses(ctx, call)]
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
                choices = loop_choices(ctx, value) if status == "given" and value is not None else None
                if choices is not None and name in DYNAMIC_IMPORTERS:
                    # ``for name in ('orjson', 'ujson'): import_module(name)``: each import as written
                    for choice in choices:
                        shown = import_permission(choice)
                        if shown is not None:
                            uses.append(Use(shown[0], choice))
                    return uses
                if status == "missing":
                    return uses
            elif condition.kind == "argument-not-in":
                if status == "missing" and not condition.when_missing:
                    return uses
                if status == "given" and value is not None and resolve(ctx, value) in condition.safe_values:
                    return uses
        found = data.permission_of(name)
        if found is not None and not _own_definition(ctx, name, found[1]):
            uses.append(Use(found[0], name))
            return uses
        if name == "builtins.getattr" and len(call.args) >= 2:
            base = resolve(ctx, call.args[0].value)
            if (base in ("builtins", "builtins.__dict__") and fold_string(ctx, call.args[1].value) is None
                    and value_is_called(ctx, call)):
                uses.append(Use("dynamic-code", "builtins.getattr"))
            return uses
    func = call.func
    if type(func) is cst.Attribute:
        use = _path_method_use(ctx, call, func.attr.value, func.value)
        if use is not None and (name is None or not name.startswith(ctx.module_name + ".")):
            receiver = resolve(ctx, func.value)
            if receiver is None or receiver.split(".", 1)[0] == "pathlib":
                uses.append(use)
    return uses


def _parent(statement: cst.CSTNode, node: cst.CSTNode) -> cst.CSTNode | None:
    """The parent of ``node`` inside ``statement`` (None for the statement itself, or outside it)."""
    pending = [statement]
    while pending:
        current = pending.pop()
        for child in child_nodes(current):
            if child is node:
                return current
            pending.append(child)
    return None


class _CalledNames(cst.CSTVisitor):
    """Names called anywhere in a module (``f(...)``)."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_Call(self, node: cst.Call) -> None:
        if type(node.func) is cst.Name:
            self.names.add(node.func.value)


def value_is_called(ctx: FileContext, node: cst.BaseExpression) -> bool:
    """Whether the value of ``node`` (a lookup such as ``getattr(builtins, name)``) may be called:
    it is called in place (``getattr(...)(x)``), or bound to a name the module calls
    (``f = getattr(...)`` then ``f(x)``), or returned or stored where the analysis
    cannot follow it. A value only compared, tested with ``isinstance``/``issubclass``,
    passed as an argument or used as a dictionary key is not called here."""
    statement = ctx.statement
    if statement is None:
        return True
    parent = _parent(statement, node)
    if type(parent) is cst.Call:
        return parent.func is node
    if isinstance(parent, (cst.Arg, cst.Comparison, cst.ComparisonTarget, cst.DictComp, cst.DictElement,
                           cst.Element, cst.If, cst.IfExp, cst.Assert)):
        return False
    targets: list[cst.BaseExpression] = []
    if type(parent) is cst.Assign:
        targets = [t.target for t in parent.targets]
    elif (type(parent) is cst.AnnAssign or type(parent) is cst.NamedExpr):
        targets = [parent.target]
    if targets and all(type(t) is cst.Name for t in targets):
        shared = state(ctx)
        called = shared.called_names
        if called is None:
            finder = _CalledNames()
            visit_readonly(ctx.module, finder)
            called = shared.called_names = finder.names
        return any(type(t) is cst.Name and t.value in called for t in targets)
    return True


__all__ = [
    "ArgState",
    "Use",
    "argument",
    "classify_call",
    "first_argument",
    "is_false",
    "is_true",
    "keyword_value",
    "own_module_name",
    "value_is_called",
]
