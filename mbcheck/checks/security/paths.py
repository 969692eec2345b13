"""Static paths on the syntax tree: file system paths known without running the code.

:func:`static_path` folds an expression into a :class:`~mbcheck.checks.security.classify.StaticPath`
(``Path.home() / '.ssh' / 'authorized_keys'``, ``os.path.expanduser('~/.bashrc')``);
:func:`is_path_expr` tells a pathlib path whose value is unknown. Names and
``self.`` attributes that hold a path are tracked per file as the traversal
assigns them (:func:`observe_assignment`, :func:`observe_function`, shared by
every visitor that asks).

Only collectors and source rules use this module (it imports libcst).
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from mbcheck.checks.security.classify import StaticPath, parse_path
from mbcheck.checks.security.values import fold_string, resolve, state
from mbcheck.pyfile.literals import literal_string
from mbcheck.pyfile.traverse import FileContext

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
    if type(node) is cst.Subscript and len(node.slice) == 1 and type(node.slice[0].slice) is cst.Index:
        return resolve(ctx, node.value) == "os.environ" and fold_string(ctx, node.slice[0].slice.value) in _HOME_VARIABLES
    if type(node) is cst.Call and node.args:
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
    if type(node) is cst.Name:
        return state(ctx).path_names.get(node.value)
    if type(node) is cst.Attribute and type(node.value) is cst.Name and node.value.value == "self":
        return state(ctx).path_attrs.get(node.attr.value)
    if _home_variable(ctx, node):
        return StaticPath(True, "")
    if type(node) is cst.BinaryOperation:
        if type(node.operator) is cst.Divide:
            left = static_path(ctx, node.left, expanded)
            right = fold_string(ctx, node.right)
            return left.join(right) if left is not None and right is not None else None
        if type(node.operator) is cst.Add:
            left = static_path(ctx, node.left, expanded)
            right = fold_string(ctx, node.right)
            if left is None or right is None:
                return None
            return left.concat(right)
    if type(node) is cst.FormattedString and node.parts:
        first = node.parts[0]
        if type(first) is not cst.FormattedStringExpression:
            return None
        base = static_path(ctx, first.expression, expanded)
        rest: list[str] = []
        for part in node.parts[1:]:
            if type(part) is cst.FormattedStringText:
                rest.append(part.value)
            elif type(part) is cst.FormattedStringExpression:
                value = fold_string(ctx, part.expression)
                if value is None:
                    return None
                rest.append(value)
        if base is None:
            return None
        return base.concat("".join(rest))
    if type(node) is cst.Call:
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
        if type(node.func) is cst.Attribute and node.func.attr.value in ("expanduser", "resolve", "absolute", "joinpath"):
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
    if type(node) is cst.Name:
        return node.value in state(ctx).path_names
    if type(node) is cst.Attribute:
        if type(node.value) is cst.Name and node.value.value == "self" and node.attr.value in state(ctx).path_attrs:
            return True
        if node.attr.value == "parent":
            return is_path_expr(ctx, node.value)
        return False
    if type(node) is cst.BinaryOperation and type(node.operator) is cst.Divide:
        return is_path_expr(ctx, node.left)
    if type(node) is cst.Call:
        name = resolve(ctx, node.func)
        if name in PATH_TYPES:
            return True
        if name is not None and "." in name:
            owner, method = name.rsplit(".", 1)
            if owner in PATH_TYPES and method in ("home", "cwd"):
                return True
        if type(node.func) is cst.Attribute and node.func.attr.value in _PATH_RETURNING:
            return is_path_expr(ctx, node.func.value)
    return False


def _path_annotation(ctx: FileContext, annotation: cst.Annotation | None) -> bool:
    if annotation is None:
        return False
    expr = annotation.annotation
    if type(expr) is cst.BinaryOperation and type(expr.operator) is cst.BitOr:
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
    if type(node) is cst.AnnAssign and _path_annotation(ctx, node.annotation):
        is_path = True
    known = static_path(ctx, value) if value is not None else None
    for target in targets:
        if type(target) is cst.Name:
            if is_path or known is not None:
                st.path_names[target.value] = known
            else:
                st.path_names.pop(target.value, None)
        elif (
            type(target) is cst.Attribute
            and type(target.value) is cst.Name
            and target.value.value == "self"
            and (is_path or known is not None)
        ):
            st.path_attrs[target.attr.value] = known
    if type(node) is cst.AnnAssign and type(node.target) is cst.Name and ctx.names.class_depth and is_path:
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


__all__ = [
    "PATH_TYPES",
    "is_path_expr",
    "observe_assignment",
    "observe_function",
    "static_path",
]
