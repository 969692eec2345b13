"""Security rules on the syntax tree: changes to the shared interpreter (MB340, MB341).

A plugin runs inside the host's process: replacing the host's functions,
builtins or the import system, installing audit or trace hooks (MB340), or
monkey-patching a library every plugin shares (MB341) changes what the host
and every other plugin do.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import ClassVar

import libcst as cst

from mbcheck.checks.security.classify import IMPORT_SYSTEM, short_name, tampered
from mbcheck.checks.security.tables import tables
from mbcheck.checks.security.values import fold_string, plugin_internal, resolve, single_value
from mbcheck.model import Category, Confidence, Severity
from mbcheck.pyfile.traverse import FileContext, SourceRule, visit_readonly
from mbcheck.rules.base import Invalid, Valid

_MUTATORS = frozenset({"insert", "append", "extend", "__setitem__", "update", "setdefault", "__init__"})
_TRACERS = frozenset({"sys.settrace", "sys.setprofile", "threading.settrace", "threading.setprofile",
                      "threading.settrace_all_threads", "threading.setprofile_all_threads"})


_SETTERS = frozenset({"builtins.setattr", "builtins.delattr"})


def _set_by_name(ctx: FileContext, call: cst.Call) -> str | None:
    """What ``setattr(obj, name, value)`` / ``delattr(obj, name)`` changes: ``obj.name``, or
    ``obj`` when the name is not static; None when ``obj`` is not resolved."""
    base = resolve(ctx, call.args[0].value)
    if base is None:
        return None
    attr = fold_string(ctx, call.args[1].value)
    return f"{base}.{attr}" if attr else base


# --------------------------------------------------------------------------
# What is not a change: putting back a saved original, configuration objects

#: hook setters and the call that reads the hook they set
_HOOK_READERS = {
    "sys.gettrace": "sys.settrace", "sys.getprofile": "sys.setprofile",
    "threading.gettrace": "threading.settrace", "threading.getprofile": "threading.setprofile",
}

#: lowercase names that by convention hold a configuration object, not a module
#: (``django.conf.settings``): attributes set on them are configuration values
_CONFIG_OBJECTS = frozenset({"settings", "config", "conf", "cfg", "configuration", "options", "opts"})


def _read_of(ctx: FileContext, value: cst.BaseExpression) -> str | None:
    """The shared target an expression reads: ``X.a`` / ``getattr(X, 'a')`` is ``X.a``,
    ``sys.gettrace()`` is ``sys.settrace`` (the hook it reads); None for anything else."""
    if type(value) is cst.Attribute:
        return resolve(ctx, value)
    if type(value) is cst.Call:
        func = resolve(ctx, value.func)
        if func in _HOOK_READERS and not value.args:
            return _HOOK_READERS[func]
        if func == "builtins.getattr" and len(value.args) == 2:
            return _set_by_name(ctx, value)
    return None


def _enclosing(ctx: FileContext, kind: type[cst.CSTNode]) -> cst.CSTNode | None:
    """The innermost enclosing statement of ``kind`` (a ``def`` or a ``class``)."""
    for statement in reversed(ctx.statements):
        if isinstance(statement, kind):
            return statement
    return None


class _Bindings(cst.CSTVisitor):
    """Every value bound to each local name, or to each ``self.<attr>``, of one scope (nested
    ``def``s and ``class``es are their own scopes, except for ``self.<attr>`` in a class)."""

    def __init__(self, root: cst.CSTNode, attributes: bool) -> None:
        super().__init__()
        self.root = root
        self.attributes = attributes
        self.values: dict[str, list[cst.BaseExpression | None]] = {}

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        if not self.attributes:
            if node is not self.root:
                return False
            for param in (*node.params.params, *node.params.posonly_params, *node.params.kwonly_params):
                self.values.setdefault(param.name.value, []).append(None)
        return True

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return node is self.root

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def _key(self, target: cst.BaseExpression) -> str | None:
        if self.attributes:
            if (type(target) is cst.Attribute and type(target.value) is cst.Name
                    and target.value.value == "self"):
                return target.attr.value
            return None
        return target.value if type(target) is cst.Name else None

    def _bind(self, target: cst.BaseExpression, value: cst.BaseExpression | None) -> None:
        if (type(target) is cst.Tuple or type(target) is cst.List):
            for element in target.elements:
                self._bind(element.value, None)
            return
        key = self._key(target)
        if key is not None:
            self.values.setdefault(key, []).append(value)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._bind(node.target, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind(node.target, None)

    def visit_For(self, node: cst.For) -> None:
        self._bind(node.target, None)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind(node.asname.name, None)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind(node.target, None)


def _saved_from(ctx: FileContext, scope: cst.CSTNode, key: str, attributes: bool) -> set[str]:
    """The targets every binding of ``key`` in ``scope`` reads (``None`` values, the initial
    state of ``self.prev = None``, are allowed for attributes); empty when one binding is
    anything else (a parameter, a new function, ...)."""
    visitor = _Bindings(scope, attributes)
    visit_readonly(scope, visitor)
    found: set[str] = set()
    for value in visitor.values.get(key, []):
        if value is None:
            return set()
        if attributes and type(value) is cst.Name and value.value == "None":
            continue
        read = _read_of(ctx, value)
        if read is None:
            return set()
        found.add(read)
    return found


def restores(ctx: FileContext, target: str, value: cst.BaseExpression) -> bool:
    """Whether assigning ``value`` to ``target`` puts back the original saved from it: ``old = X.a``
    then ``X.a = old`` in the same function (a ``finally:`` or teardown), or ``self.prev =
    sys.gettrace()`` then ``sys.settrace(self.prev)`` in the same class (``__enter__``/``__exit__``).
    Every binding of the name (or attribute) must be such a read: ``old = spy`` anywhere makes it a patch."""
    if type(value) is cst.Name:
        function = _enclosing(ctx, cst.FunctionDef)
        return _saved_from(ctx, function or ctx.module, value.value, attributes=False) == {target}
    if type(value) is cst.Attribute and type(value.value) is cst.Name and value.value.value == "self":
        scope = _enclosing(ctx, cst.ClassDef)
        return scope is not None and _saved_from(ctx, scope, value.attr.value, attributes=True) == {target}
    return False


def _single_index(target: cst.Subscript) -> bool:
    return len(target.slice) == 1 and type(target.slice[0].slice) is cst.Index


def _key_prefix(ctx: FileContext, key: cst.BaseExpression, depth: int = 0) -> tuple[str, bool] | None:
    """A ``sys.modules`` key's text and whether it is complete, or its static start
    (``f"pkg.{name}"`` is ``("pkg.", False)``, a name bound once is followed); None when unknown."""
    text = fold_string(ctx, key)
    if text is not None:
        return text, True
    if depth > 5:
        return None
    if type(key) is cst.FormattedString:
        start = ""
        for part in key.parts:
            if type(part) is not cst.FormattedStringText:
                break
            start += part.value
        return (start, False) if start else None
    if type(key) is cst.BinaryOperation and type(key.operator) is cst.Add:
        left = _key_prefix(ctx, key.left, depth + 1)
        return None if left is None else (left[0], False)
    if type(key) is cst.Name:
        value = _local_value(ctx, key.value)
        return None if value is None else _key_prefix(ctx, value, depth + 1)
    return None


def _local_value(ctx: FileContext, name: str) -> cst.BaseExpression | None:
    """The value of ``name`` when the enclosing function binds it exactly once (and it is not a
    parameter); at module level, when the file binds it exactly once."""
    function = _enclosing(ctx, cst.FunctionDef)
    if function is None:
        return single_value(ctx, name, lookups_only=False)
    visitor = _Bindings(function, attributes=False)
    visit_readonly(function, visitor)
    values = visitor.values.get(name, [])
    return values[0] if len(values) == 1 else None


def _known_modules(ctx: FileContext) -> frozenset[str]:
    """Top-level names of modules whose ``sys.modules`` entry is known to exist: the standard
    library, the host, every module the security table names, every module the file imports."""
    imported = {name.split(".", 1)[0] for name, _ in ctx.names.imported}
    return frozenset(sys.stdlib_module_names) | tables().sensitive_modules | imported | {"milkbottle"}


def _displayhooks(ctx: FileContext) -> frozenset[str]:
    """Names of the functions the file assigns to ``sys.displayhook``."""
    found: set[str] = set()
    for node in _walk_assignments(ctx.module):
        for target in node.targets:
            if resolve(ctx, target.target) == "sys.displayhook" and type(node.value) is cst.Name:
                found.add(node.value.value)
    return frozenset(found)


def _walk_assignments(module: cst.Module) -> list[cst.Assign]:
    found: list[cst.Assign] = []

    class _Visitor(cst.CSTVisitor):
        def visit_Assign(self, node: cst.Assign) -> None:
            found.append(node)

    visit_readonly(module, _Visitor())
    return found


def _configuration_object(ctx: FileContext, owner: str) -> bool:
    """Whether ``owner`` (what an attribute is set on) is a configuration object, not a module or
    a class: a lowercase name conventionally holding one (``django.conf.settings``) that the file
    does not import as a module and the standard library does not have as one. A module (``import x``), a CamelCase name (a class:
    ``requests.Session``) and any other lowercase name (it may be a module: ``from django.core
    import mail``) are patched."""
    last = owner.rsplit(".", 1)[-1]
    if last not in _CONFIG_OBJECTS or owner.split(".", 1)[0] in sys.stdlib_module_names:
        return False  # the standard library's are modules (``logging.config``)
    return not any(name == owner and isinstance(node, cst.Import) for name, node in ctx.names.imported)


class _AssignmentRule(SourceRule):
    """A rule that judges every target a statement assigns (``a.b = ...``, ``a, b.c = ...``, ``x += ...``)."""

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._unpack(target.target, node.value if len(node.targets) == 1 else None)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._unpack(node.target, None)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._unpack(node.target, node.value)

    def _unpack(self, target: cst.BaseExpression, value: cst.BaseExpression | None) -> None:
        if (type(target) is cst.Tuple or type(target) is cst.List):
            for element in target.elements:
                self._unpack(element.value, None)
        else:
            self.assigned(target, value)

    def assigned(self, target: cst.BaseExpression, value: cst.BaseExpression | None) -> None:
        """One target (never a tuple or list of them) and the value it gets, when known."""
        raise NotImplementedError


class HostTampering(_AssignmentRule):
    """Changes the host or the interpreter it runs in: `milkbottle.*`, builtins, imports, audit hooks.

    Assigning into `milkbottle` modules or classes, into `builtins`
    (`builtins.open = ...`, `__builtins__['print'] = ...`, `setattr(builtins, ...)`),
    into `sys.modules`, `sys.meta_path`, `sys.path_hooks` or
    `sys.path_importer_cache` (assignment, `insert`/`append`/`update`), and installing
    audit hooks (`sys.addaudithook`, an error) or trace/profile hooks (`sys.settrace`,
    a warning). Not reported: putting back the original saved from the same target
    (`prev = sys.gettrace()` ... `sys.settrace(prev)`, also kept on `self`),
    `sys.modules` entries under the plugin's own package or a private `_` name, and
    `builtins._` in a display hook (the last-result variable). A new top-level
    `sys.modules` name is a warning; a well-known module's entry or a key that is
    not static is an error.
    Why: a plugin runs inside the host's process. Replacing the host's functions
    or builtins, intercepting imports or hooking audit events lets it change what
    the host and every other plugin do, and hide from the host's own checks; an
    audit hook cannot be removed once installed.
    Instead: use the host's public API (`milkbottle.plugin_system`); keep changes
    inside the plugin's own objects.
    """

    code = "MB340"
    name = "host-tampering"
    category = Category.SECURITY
    severity = Severity.ERROR
    other_severities: ClassVar[Mapping[Severity, str]] = {
        Severity.WARNING: "a tracing or profiling hook that observes the host's code, or a new "
                          "top-level module registered in `sys.modules`",
    }
    confidence = Confidence.HIGH
    VALID = (
        Valid("import sys\n\ndef version():\n    return sys.version_info[:2]\n"),
        Valid("import sys\n\ndef pause_tracing():\n    sys.settrace(None)\n    sys.setprofile(None)\n"),
        Valid("from milkbottle.plugin_system import PluginInterface\n\nclass P(PluginInterface):\n"
              "    name = 'p'\n"),
        Valid("import sys\n\ndef quietly(run):\n    prev = sys.gettrace()\n    sys.settrace(None)\n"
              "    try:\n        run()\n    finally:\n        sys.settrace(prev)\n"),
        Valid("import sys\nimport types\nsys.modules['_hello_templates'] = types.ModuleType('_hello_templates')\n"),
    )
    INVALID = (
        Invalid("import milkbottle.plugin_system.core as core\ncore.PluginManager.validate = lambda *a: True\n",
                line=2),
        Invalid("import builtins\n\ndef patch(hook):\n    builtins.__import__ = hook\n", line=4),
        Invalid("import sys\n\nclass Finder:\n    pass\n\nsys.meta_path.insert(0, Finder())\n", line=6),
        Invalid("import sys\nsys.modules['requests'] = object()\n", line=2),
        Invalid("import sys\nsys.addaudithook(lambda event, args: None)\n", line=2),
        Invalid("def hide():\n    __builtins__['open'] = None\n", line=2),
        Invalid("import sys\n\ndef spy(*args):\n    pass\n\ndef watch():\n    prev = spy\n    sys.settrace(prev)\n",
                line=8),
    )

    def assigned(self, target: cst.BaseExpression, value: cst.BaseExpression | None) -> None:
        name: str | None = None
        if type(target) is cst.Attribute:
            name = resolve(self.ctx, target)
            if name == "builtins._" and self._in_display_hook():
                return  # the interactive "last result" variable the standard display hook sets
        elif type(target) is cst.Subscript:
            base = resolve(self.ctx, target.value)
            if base in ("builtins", "builtins.__dict__"):
                name = resolve(self.ctx, target) or "builtins.__dict__"
            elif base == "sys.modules":
                self._module_entry(target)
                return
            elif base is not None:
                name = base
        if name is None:
            return
        what = tampered(name, self.ctx.package)
        if what is not None and not (value is not None and restores(self.ctx, name, value)):
            self.report(target, f"replaces {what}")

    def _own_entry(self, target: cst.Subscript) -> bool:
        """``sys.modules[__name__] = ...``: a module replacing itself (lazy loading), or a plugin module."""
        if not _single_index(target):
            return False
        index = target.slice[0].slice
        assert type(index) is cst.Index
        key = index.value
        if type(key) is cst.Name and key.value == "__name__":
            return self.ctx.names.lookup("__name__") in (None, "builtins.__name__")
        text = fold_string(self.ctx, key)
        return text is not None and plugin_internal(self.ctx, text)

    def _in_display_hook(self) -> bool:
        """Whether the current code is a display hook: a function named so, or one the file
        installs as ``sys.displayhook``."""
        function = _enclosing(self.ctx, cst.FunctionDef)
        if type(function) is not cst.FunctionDef:
            return False
        if function.name.value.replace("_", "").lower().endswith("displayhook"):
            return True
        return function.name.value in _displayhooks(self.ctx)

    def _module_entry(self, target: cst.Subscript) -> None:
        """``sys.modules[key] = ...``: a module replacing itself, an entry under the plugin's own
        package or a private (``_``) name is not reported; a new top-level name is a warning;
        a well-known module (the standard library, one the file imports, one the security
        table names) or a key that is not static is an error."""
        if self._own_entry(target):
            return
        index = target.slice[0].slice if _single_index(target) else None
        key = _key_prefix(self.ctx, index.value) if type(index) is cst.Index else None
        if key is None:
            self.report(target, "replaces an entry of the import system (`sys.modules`)")
            return
        text, complete = key
        top, dot, _ = text.partition(".")
        own = self.ctx.package.split(".", 1)[0]
        if own and (top == own and (dot or complete)):
            return
        known = _known_modules(self.ctx)
        if top.startswith("_") and top not in known and (dot or complete or not any(
                name.startswith(top) for name in known)):
            return
        if not (dot or complete) or top in known:
            self.report(target, f"replaces the import system's entry for `{text}{'' if complete else '...'}` "
                                "(`sys.modules`): every later import of it gets this object")
            return
        self.report(target, f"registers a new top-level module `{top}` in `sys.modules`: it shadows any "
                            f"installed module named `{top}` for the host and every plugin; register it "
                            "under the plugin's own package instead", severity=Severity.WARNING)

    def visit_Call(self, node: cst.Call) -> None:
        name = resolve(self.ctx, node.func)
        if name is None:
            return
        if name in _SETTERS and len(node.args) >= 2:
            changed = _set_by_name(self.ctx, node)
            if changed is None or (len(node.args) >= 3 and restores(self.ctx, changed, node.args[2].value)):
                return
            what = tampered(changed, self.ctx.package)
            if what is not None:
                self.report(node, f"`{short_name(name)}` changes {what}")
            return
        if name == "sys.addaudithook":
            self.report(node, "installs an audit hook: it sees every audited event of the host and cannot be removed")
            return
        if name in _TRACERS:
            if node.args and type(node.args[0].value) is cst.Name and node.args[0].value.value == "None":
                return  # removes the hook: observes nothing
            if len(node.args) == 1 and restores(self.ctx, name, node.args[0].value):
                return  # puts back the hook that was there before
            self.report(node, f"`{name}` installs a hook that observes all of the host's code",
                        severity=Severity.WARNING)
            return
        owner, _, method = name.rpartition(".")
        if method in _MUTATORS and owner in IMPORT_SYSTEM:
            self.report(node, f"changes the import system: `{owner}.{method}`")


class SharedModulePatch(_AssignmentRule):
    """Monkey-patches a module or class the plugin imports (`requests.Session.request = ...`).

    Assignment to an attribute of an imported module or class, or `setattr` on one;
    the host itself, builtins and the import system are MB340. Of `sys`, only the
    hooks (`sys.excepthook`, `sys.displayhook`, ...) and `sys.path` count:
    redirecting `sys.stdout` and the like is routine in command-line code.
    Not reported: putting back the original saved from the same target
    (`old = X.a` ... `X.a = old` in a `finally:` or teardown), and attributes set on
    a configuration object rather than a module or class: a lowercase name that
    conventionally holds one (`settings`, `config`, `conf`, `options`, ... as in
    `django.conf.settings.DEBUG = True`) and is not imported as a module. A CamelCase
    name is taken for a class, and any other lowercase name for a module.
    Why: the host and every plugin share one interpreter: the patch changes the
    library for all of them, often in ways they cannot detect (logging,
    networking, serialisation).
    Instead: wrap or subclass the library object inside the plugin, or pass
    options per call.
    """

    code = "MB341"
    name = "shared-module-patch"
    category = Category.SECURITY
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    VALID = (
        Valid("import requests\n\nclass Session(requests.Session):\n    timeout = 10\n"),
        Valid("from . import settings\nsettings.DEBUG = True\n", path="cli.py",
              files={"__init__.py": "", "settings.py": "DEBUG = False\n"}),
        Valid("from django.conf import settings\n\ndef use_urls(urls):\n    settings.ROOT_URLCONF = urls\n"),
    )
    INVALID = (
        Invalid("import requests\n\ndef spy(*args, **kwargs):\n    return None\n\n"
                "requests.Session.request = spy\n", line=6),
        Invalid("import json\nsetattr(json, 'dumps', repr)\n", line=2),
        Invalid("import socket\nsocket.socket = object\n", line=2),
    )

    def assigned(self, target: cst.BaseExpression, value: cst.BaseExpression | None) -> None:
        if type(target) is not cst.Attribute:
            return
        base = resolve(self.ctx, target.value)
        if base is None or _configuration_object(self.ctx, base):
            return
        self._check(target, f"{base}.{target.attr.value}", value)

    def _check(self, node: cst.CSTNode, name: str, value: cst.BaseExpression | None) -> None:
        if plugin_internal(self.ctx, name) or tampered(name, self.ctx.package) is not None:
            return
        if name.startswith(self.ctx.module_name + ".") or name == "ssl._create_default_https_context":
            return
        if name.startswith("__main__."):
            return
        if name.startswith("sys.") and not (name.endswith("hook") or name == "sys.path"):
            return  # interpreter state (sys.stdout, sys.last_value, ...): routine in command-line code
        if value is not None and restores(self.ctx, name, value):
            return  # puts back the original saved from the same target
        self.report(node, f"patches `{name}`, shared with the host and every other plugin")

    def visit_Call(self, node: cst.Call) -> None:
        if resolve(self.ctx, node.func) not in _SETTERS or len(node.args) < 2:
            return
        owner = resolve(self.ctx, node.args[0].value)
        changed = _set_by_name(self.ctx, node)
        if changed is None or owner is None or _configuration_object(self.ctx, owner):
            return
        self._check(node, changed, node.args[2].value if len(node.args) >= 3 else None)


__all__ = [
    "HostTampering",
    "SharedModulePatch",
]
