"""Reflective access on the syntax tree: every spelling Python has for "the attribute named N".

A malicious plugin rarely writes ``os.system(cmd)``; it writes
``vars(os)['sys' + 'tem'](cmd)``, ``os.__dict__.get('system')``,
``operator.attrgetter('system')(os)``, ``pkgutil.resolve_name('os:system')``,
``globals()['__builtins__']['exec']``. :func:`reach` recognises these forms
and names what they reach, folding the key with
:func:`~mbcheck.checks.security.values.fold_string` (nothing is run); the
resolver (:func:`~mbcheck.checks.security.values.resolve`) asks it last, so a
call through any of them is classified like the direct call.

:func:`code_uses` names the other ways code is made or loaded at run time that
are no call of a listed function: the ``().__class__.__base__.__subclasses__()``
gadget, ``f.__code__`` and ``code.replace(co_code=...)``, a loader's
``exec_module``/``load_module``, ``timeit`` running a string, and
``InteractiveInterpreter.runsource``. :class:`PathTrick` records code put on
``sys.path`` (``sys.path.insert(0, 'vendor.zip')``, ``site.addsitedir``,
``zipimport.zipimporter``); it counts when an import follows it.

Only collectors and source rules use this module (it imports libcst).
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from mbcheck.checks.security import values
from mbcheck.checks.security.facts import IMPORTABLE_ARCHIVES
from mbcheck.pyfile.names import BUILTINS, ident
from mbcheck.pyfile.traverse import FileContext

#: pseudo-bases: the module's own namespace, and the table of loaded modules
GLOBALS = "<globals>"
MODULES = "<modules>"
_NAMESPACES = frozenset({"builtins.globals", "builtins.locals", "builtins.vars"})
_GETATTRIBUTE = frozenset({"builtins.object.__getattribute__", "builtins.type.__getattribute__"})
#: calls that put code on the import path (the argument is the entry)
_PATH_CALLS = {"sys.path.insert": 1, "sys.path.append": 0, "sys.path.extend": 0, "site.addsitedir": 0,
               "zipimport.zipimporter": 0}
_TIMEIT = {"timeit.timeit": ("stmt", "setup"), "timeit.repeat": ("stmt", "setup"),
           "timeit.Timer": ("stmt", "setup")}


@dataclass(frozen=True, slots=True)
class Reach:
    """A reflective lookup: in ``base`` (a qualified name, :data:`GLOBALS` or :data:`MODULES`),
    the attribute named by ``key``; ``target`` is what it reaches when the key folds."""

    form: str
    base: str
    key: cst.BaseExpression
    target: str | None
    #: ``methodcaller(name)(obj)`` calls what it reaches
    calls: bool = False


def _index(node: cst.Subscript) -> cst.BaseExpression | None:
    if len(node.slice) == 1 and type(node.slice[0].slice) is cst.Index:
        return node.slice[0].slice.value
    return None


def _container(ctx: FileContext, node: cst.BaseExpression) -> tuple[str, str] | None:
    """``(base, form)`` when ``node`` is a namespace dictionary: ``vars(m)``, ``m.__dict__``,
    ``globals()``, ``sys.modules``, ``__builtins__`` (a dict in an imported module)."""
    if type(node) is cst.Call:
        func = values.resolve(ctx, node.func)
        if func not in _NAMESPACES:
            return None
        if not node.args:
            return GLOBALS, f"{func.removeprefix('builtins.')}()"
        if func == "builtins.vars" and len(node.args) == 1:
            base = values.resolve(ctx, node.args[0].value)
            return (base, "vars()") if base is not None else None
        return None
    name = values.resolve(ctx, node)
    if name is None:
        return None
    if name == "sys.modules":
        return MODULES, "sys.modules"
    if name == "builtins":
        return "builtins", "__builtins__"
    if name.endswith(".__dict__"):
        return name.removesuffix(".__dict__"), "__dict__"
    return None


def _target(ctx: FileContext, base: str, key: str) -> str | None:
    key = ".".join(ident(part) for part in key.replace(":", ".").split("."))
    if not key or not all(part.isidentifier() for part in key.split(".")):
        return None
    if base == MODULES:
        return key
    if base == GLOBALS:
        top, _, rest = key.partition(".")
        if top == "__builtins__":
            return "builtins" + ("." + rest if rest else "")
        scope = ctx.names.scopes[0].bindings
        if top in scope:
            found = scope[top]
            return None if found is None else found + ("." + rest if rest else "")
        return f"builtins.{key}" if top in BUILTINS else None
    return f"{base}.{key}"


def _make(ctx: FileContext, base: str, form: str, key: cst.BaseExpression, calls: bool = False) -> Reach:
    folded = values.fold_string(ctx, key)
    return Reach(form, base, key, _target(ctx, base, folded) if folded is not None else None, calls)


def reach(ctx: FileContext, node: cst.BaseExpression) -> Reach | None:
    """The reflective lookup ``node`` is, or None (see the module docstring)."""
    if type(node) is cst.Subscript:
        key = _index(node)
        found = _container(ctx, node.value) if key is not None else None
        if found is None or key is None:
            return None
        return _make(ctx, found[0], f"{found[1]}[...]", key)
    if type(node) is not cst.Call or not node.args:
        return None
    func = node.func
    if type(func) is cst.Attribute:
        attr = ident(func.attr.value)
        if attr != "get" and attr != "__getattribute__" and attr != "resolve_name":
            return None
    if type(func) is cst.Attribute and ident(func.attr.value) == "get" and len(node.args) <= 2:
        found = _container(ctx, func.value)
        if found is not None:
            return _make(ctx, found[0], f"{found[1]}.get(...)", node.args[0].value)
    if type(func) is cst.Name:
        held = values.single_value(ctx, func.value)  # ``get = attrgetter('system')`` then ``get(os)``
        if type(held) is cst.Call:
            func = held
    if type(func) is cst.Call and func.args and len(node.args) == 1:
        maker = values.resolve(ctx, func.func)
        if maker in ("operator.attrgetter", "operator.methodcaller"):
            base = values.resolve(ctx, node.args[0].value)
            if base is not None and (maker == "operator.methodcaller" or len(func.args) == 1):
                short = maker.removeprefix("operator.")
                return _make(ctx, base, f"{short}(...)", func.args[0].value, calls=short == "methodcaller")
        return None
    name = values.resolve(ctx, func)
    if name is None:
        return None
    if name == "pkgutil.resolve_name":
        return _make(ctx, MODULES, "pkgutil.resolve_name(...)", node.args[0].value)
    if name in _GETATTRIBUTE and len(node.args) == 2:
        base = values.resolve(ctx, node.args[0].value)
        if base is not None:
            return _make(ctx, base, "__getattribute__(...)", node.args[1].value)
        return None
    if name.endswith(".__getattribute__") and len(node.args) == 1:
        return _make(ctx, name.removesuffix(".__getattribute__"), "__getattribute__(...)", node.args[0].value)
    return None


def resolve_reflective(ctx: FileContext, node: cst.BaseExpression) -> str | None:
    """What a reflective lookup reaches, for the resolver (None when not one or not folded)."""
    found = reach(ctx, node)
    return None if found is None or found.calls else found.target


# --------------------------------------------------------------------------
# Code made or loaded at run time without a listed call


def _chain(node: cst.BaseExpression) -> list[str]:
    """The attribute names of a chain, innermost last (``().__class__.__base__`` -> both)."""
    names: list[str] = []
    while True:
        if type(node) is cst.Attribute:
            names.append(ident(node.attr.value))
            node = node.value
        elif type(node) is cst.Subscript:
            node = node.value
        elif type(node) is cst.Call:
            node = node.func
        else:
            return names


def subclasses_gadget(ctx: FileContext, call: cst.Call) -> bool:
    """``().__class__.__base__.__subclasses__()`` / ``object.__subclasses__()``: every class
    loaded in the process, reached without naming one (a sandbox escape)."""
    func = call.func
    if type(func) is not cst.Attribute or ident(func.attr.value) != "__subclasses__":
        return False
    if values.resolve(ctx, func.value) in ("builtins.object", "builtins.type"):
        return True
    chain = _chain(func.value)
    return "__class__" in chain and bool({"__base__", "__bases__", "__mro__"} & set(chain))


#: fields of a code object that change what it runs (``co_name``, ``co_filename`` do not)
_BYTECODE_FIELDS = frozenset({"co_code", "co_consts", "co_names"})


#: method names :func:`code_uses` looks at (any other attribute call is only a ``timeit`` candidate)
_CODE_METHODS = frozenset({"__subclasses__", "replace", "exec_module", "load_module", "runsource", "runcode"})


def code_uses(ctx: FileContext, call: cst.Call) -> str | None:
    """What a call that makes or runs code without a listed name does (for messages), or None."""
    func = call.func
    if type(func) is cst.Attribute:
        method = ident(func.attr.value)
        if method in _CODE_METHODS:
            found = _code_method(ctx, call, method)
            if found is not None:
                return found
        elif method not in ("timeit", "repeat", "Timer"):
            return None
    elif type(func) is not cst.Name:
        return None
    name = values.resolve(ctx, func)
    return _timeit(ctx, call, name) if name in _TIMEIT else None


def _code_method(ctx: FileContext, call: cst.Call, method: str) -> str | None:
    if method == "__subclasses__":
        return "`__subclasses__()` of `object`" if subclasses_gadget(ctx, call) else None
    if method == "replace":
        if any(a.keyword is not None and a.keyword.value in _BYTECODE_FIELDS for a in call.args):
            return "`code.replace()` of its bytecode"
        return None
    if method in ("exec_module", "load_module"):
        return f"a loader's `{method}()`" if len(call.args) <= 1 and _loads_from_paths(ctx) else None
    return f"an interpreter's `{method}()`" if call.args else None


#: what makes a loader or spec from a file path (a loader made by name, ``find_spec('html.parser')``, is an import)
_PATH_LOADERS = ("spec_from_file_location", "SourceFileLoader", "SourcelessFileLoader", "ExtensionFileLoader",
                 "spec_from_loader", "FileFinder", "zipimporter", "load_source", "load_compiled", "load_package")


def _loads_from_paths(ctx: FileContext) -> bool:
    """Whether the file names a path-based loader anywhere (a cheap per-file test on its text;
    the calls themselves are classified by the table)."""
    text = ctx.positions.text
    return text is None or any(name in text for name in _PATH_LOADERS)


def _timeit(ctx: FileContext, call: cst.Call, name: str | None) -> str | None:
    keywords = _TIMEIT.get(name) if name is not None else None
    if keywords is None:
        return None
    for position, keyword in enumerate(keywords):
        for index, arg in enumerate(call.args):
            if arg.star:
                return None
            named = arg.keyword is not None and arg.keyword.value == keyword
            if (named or (arg.keyword is None and index == position)) and _stringy(ctx, arg.value):
                return f"`{name}` of a string (it runs the string as code)"
    return None


def _stringy(ctx: FileContext, node: cst.BaseExpression) -> bool:
    """Whether an expression is a string: folded, an f-string, or built with ``+``/``%``/``.format``."""
    if type(node) is cst.FormattedString or values.fold_string(ctx, node) is not None:
        return True
    if type(node) is cst.BinaryOperation and (type(node.operator) is cst.Add or type(node.operator) is cst.Modulo):
        return _stringy(ctx, node.left) or (type(node.operator) is cst.Add and _stringy(ctx, node.right))
    return (type(node) is cst.Call and type(node.func) is cst.Attribute
            and node.func.attr.value == "format" and _stringy(ctx, node.func.value))


def code_assignment(target: cst.BaseExpression) -> bool:
    """``f.__code__ = ...``: replaces a function's bytecode."""
    return type(target) is cst.Attribute and ident(target.attr.value) == "__code__"


# --------------------------------------------------------------------------
# Code put on the import path


@dataclass(frozen=True, slots=True)
class PathTrick:
    """``sys.path.insert(0, 'vendor.zip')`` and its kin: ``entry`` is the folded path (or None)."""

    node: cst.CSTNode
    via: str
    entry: str | None
    function: str = ""

    @property
    def archive(self) -> bool:
        return self.entry is not None and self.entry.lower().endswith(IMPORTABLE_ARCHIVES)


def _first_entry(value: cst.BaseExpression) -> cst.BaseExpression | None:
    """The first entry a list expression puts on the path: ``['x.egg']``, ``['x.egg'] + sys.path``."""
    if (type(value) is cst.List or type(value) is cst.Tuple):
        return value.elements[0].value if value.elements else None
    if type(value) is cst.BinaryOperation and type(value.operator) is cst.Add:
        return _first_entry(value.left) or _first_entry(value.right)
    return None


def path_assignment(ctx: FileContext, node: cst.Assign | cst.AugAssign) -> PathTrick | None:
    """``sys.path[0:0] = [...]``, ``sys.path = [...] + sys.path``, ``sys.path += [...]``: an import-path change."""
    targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
    for target in targets:
        base = target.value if type(target) is cst.Subscript else target
        if not (type(base) is cst.Attribute and base.attr.value == "path"):
            continue  # a plain name is never `sys.path` itself (`from sys import path` cannot rebind it)
        if values.resolve(ctx, base) != "sys.path":
            continue
        entry = _first_entry(node.value)
        if entry is None:
            return None
        via = "sys.path[...] = ..." if type(target) is cst.Subscript else (
            "sys.path = ..." if isinstance(node, cst.Assign) else "sys.path += ...")
        return PathTrick(node, via, values.fold_string(ctx, entry))
    return None


def path_trick(ctx: FileContext, call: cst.Call, name: str | None) -> PathTrick | None:
    """The import-path change ``call`` makes, or None."""
    if name is None or name not in _PATH_CALLS:
        return None
    position = _PATH_CALLS[name]
    args = [a for a in call.args if a.keyword is None and not a.star]
    if len(args) <= position:
        return None
    value = args[position].value
    if name == "sys.path.extend" and (type(value) is cst.List or type(value) is cst.Tuple) and value.elements:
        value = value.elements[0].value
    return PathTrick(call, name, values.fold_string(ctx, value))


__all__ = [
    "GLOBALS",
    "MODULES",
    "PathTrick",
    "PathTricks",
    "Reach",
    "code_assignment",
    "code_uses",
    "extra_uses",
    "path_assignment",
    "path_trick",
    "reach",
    "reach_permission",
    "resolve_reflective",
    "subclasses_gadget",
]


# --------------------------------------------------------------------------
# Permissions these forms show (the permission collector asks for every call)

#: methods that read or write the desktop's clipboard, on objects of these modules
_CLIPBOARD_METHODS = {"clipboard_get": ("tkinter", "Tkinter", "customtkinter"),
                      "clipboard_append": ("tkinter", "Tkinter", "customtkinter"),
                      "to_clipboard": ("pandas",)}


def _imports_any(ctx: FileContext, tops: tuple[str, ...]) -> bool:
    return any(bound is not None and bound.split(".", 1)[0] in tops
               for bound in ctx.names.scopes[0].bindings.values())


def reach_permission(ctx: FileContext, found: Reach) -> tuple[str, str] | None:
    """``(permission, via)`` a reflective lookup shows: what it reaches, or ``dynamic-code``
    when its key cannot be folded and the base is builtins or a module the table lists."""
    from mbcheck.checks.security.tables import tables

    data = tables()
    if found.target is not None:
        target = data.canonical(found.target)
        if target in data.conditions:
            return None
        hit = data.permission_of(target)
        return (hit[0], target) if hit is not None else None
    if found.base == "builtins" or found.form.startswith("pkgutil"):
        return "dynamic-code", found.form
    if found.base not in (GLOBALS, MODULES) and found.base.split(".", 1)[0] in data.sensitive_modules:
        return "dynamic-code", found.form
    return None


def extra_uses(ctx: FileContext, call: cst.Call) -> list[tuple[str, str]]:
    """``(permission, via)`` of a call that no table name covers: a reflective lookup
    (``methodcaller('system', c)(os)``), code made or loaded at run time, a clipboard method."""
    out: list[tuple[str, str]] = []
    found = reach(ctx, call)
    if found is None and (type(call.func) is cst.Subscript or type(call.func) is cst.Call):
        found = reach(ctx, call.func)  # ``vars(os)[name](arg)``: unfolded, the call is what counts
        found = found if found is not None and found.target is None else None
    if found is not None:
        hit = reach_permission(ctx, found)
        if hit is not None:
            out.append(hit)
    made = code_uses(ctx, call)
    if made is not None:
        out.append(("dynamic-code", made.split("`")[1]))
    func = call.func
    if type(func) is cst.Attribute:
        method = ident(func.attr.value)
        owners = _CLIPBOARD_METHODS.get(method)
        if owners is not None and _imports_any(ctx, owners):
            out.append(("desktop", f"{owners[0]}.{method}"))
    return out


class PathTricks:
    """The import-path changes of one file, and whether an import follows each.

    An import follows a change when an ``import`` statement, a dynamic import or a
    loader call comes after it in the same function (or at module level, for a
    change made there): that import may load what the change put on the path.
    """

    def __init__(self) -> None:
        self.tricks: list[tuple[PathTrick, int]] = []
        #: imports seen so far, per function (``""``: module level)
        self.imports: dict[str, int] = {}

    def call(self, ctx: FileContext, node: cst.Call, name: str | None, function: str) -> None:
        """Record a call: an import-path change (made in ``function``, ``""`` at module level) or an import."""
        found = path_trick(ctx, node, name)
        if found is not None:
            trick = PathTrick(found.node, found.via, found.entry, function)
            self.tricks.append((trick, self.imports.get(function, 0)))
        elif name in values.DYNAMIC_IMPORTERS or (
            type(node.func) is cst.Attribute and node.func.attr.value in ("exec_module", "load_module")
            and code_uses(ctx, node) in _LOADERS
        ):
            self.imported(function)

    def assigned(self, ctx: FileContext, node: cst.Assign | cst.AugAssign, function: str) -> None:
        """Record an assignment to ``sys.path`` or a slice of it (made in ``function``)."""
        found = path_assignment(ctx, node)
        if found is not None:
            self.tricks.append((PathTrick(found.node, found.via, found.entry, function),
                                self.imports.get(function, 0)))

    def imported(self, function: str) -> None:
        self.imports[function] = self.imports.get(function, 0) + 1

    def followed(self) -> list[PathTrick]:
        # a zipimporter exists only to load from its archive: it needs no later import
        return [trick for trick, before in self.tricks
                if trick.via == "zipimport.zipimporter" or self.imports.get(trick.function, 0) > before]


_LOADERS = frozenset({"a loader's `exec_module()`", "a loader's `load_module()`"})
