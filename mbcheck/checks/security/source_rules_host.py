"""Security rules on the syntax tree: changes to the shared interpreter (MB340, MB341).

A plugin runs inside the host's process: replacing the host's functions,
builtins or the import system, installing audit or trace hooks (MB340), or
monkey-patching a library every plugin shares (MB341) changes what the host
and every other plugin do.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import libcst as cst

from mbcheck.checks.security.classify import IMPORT_SYSTEM, short_name, tampered
from mbcheck.checks.security.values import fold_string, plugin_internal, resolve
from mbcheck.model import Category, Confidence, Severity
from mbcheck.pyfile.traverse import FileContext, SourceRule
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


class _AssignmentRule(SourceRule):
    """A rule that judges every target a statement assigns (``a.b = ...``, ``a, b.c = ...``, ``x += ...``)."""

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._unpack(target.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._unpack(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._unpack(node.target)

    def _unpack(self, target: cst.BaseExpression) -> None:
        if isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._unpack(element.value)
        else:
            self.assigned(target)

    def assigned(self, target: cst.BaseExpression) -> None:
        """One target (never a tuple or list of them)."""
        raise NotImplementedError


class HostTampering(_AssignmentRule):
    """Changes the host or the interpreter it runs in: `milkbottle.*`, builtins, imports, audit hooks.

    Assigning into `milkbottle` modules or classes, into `builtins`
    (`builtins.open = ...`, `__builtins__['print'] = ...`, `setattr(builtins, ...)`),
    into `sys.modules`, `sys.meta_path`, `sys.path_hooks` or
    `sys.path_importer_cache` (assignment, `insert`/`append`/`update`), and installing
    audit hooks (`sys.addaudithook`, an error) or trace/profile hooks (`sys.settrace`,
    a warning).
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
        Severity.WARNING: "a tracing or profiling hook that observes the host's code",
    }
    confidence = Confidence.HIGH
    VALID = (
        Valid("import sys\n\ndef version():\n    return sys.version_info[:2]\n"),
        Valid("import sys\n\ndef pause_tracing():\n    sys.settrace(None)\n    sys.setprofile(None)\n"),
        Valid("from milkbottle.plugin_system import PluginInterface\n\nclass P(PluginInterface):\n"
              "    name = 'p'\n"),
    )
    INVALID = (
        Invalid("import milkbottle.plugin_system.core as core\ncore.PluginManager.validate = lambda *a: True\n",
                line=2),
        Invalid("import builtins\n\ndef patch(hook):\n    builtins.__import__ = hook\n", line=4),
        Invalid("import sys\n\nclass Finder:\n    pass\n\nsys.meta_path.insert(0, Finder())\n", line=6),
        Invalid("import sys\nsys.modules['requests'] = object()\n", line=2),
        Invalid("import sys\nsys.addaudithook(lambda event, args: None)\n", line=2),
        Invalid("def hide():\n    __builtins__['open'] = None\n", line=2),
    )

    def assigned(self, target: cst.BaseExpression) -> None:
        name: str | None = None
        if isinstance(target, cst.Attribute):
            name = resolve(self.ctx, target)
        elif isinstance(target, cst.Subscript):
            base = resolve(self.ctx, target.value)
            if base in ("builtins", "builtins.__dict__"):
                name = resolve(self.ctx, target) or "builtins.__dict__"
            elif base == "sys.modules" and self._own_entry(target):
                return
            elif base is not None:
                name = base
        if name is None:
            return
        what = tampered(name, self.ctx.package)
        if what is not None:
            self.report(target, f"replaces {what}")

    def _own_entry(self, target: cst.Subscript) -> bool:
        """``sys.modules[__name__] = ...``: a module replacing itself (lazy loading), or a plugin module."""
        if len(target.slice) != 1 or not isinstance(target.slice[0].slice, cst.Index):
            return False
        key = target.slice[0].slice.value
        if isinstance(key, cst.Name) and key.value == "__name__":
            return self.ctx.names.lookup("__name__") in (None, "builtins.__name__")
        text = fold_string(self.ctx, key)
        return text is not None and plugin_internal(self.ctx, text)

    def visit_Call(self, node: cst.Call) -> None:
        name = resolve(self.ctx, node.func)
        if name is None:
            return
        if name in _SETTERS and len(node.args) >= 2:
            changed = _set_by_name(self.ctx, node)
            if changed is None:
                return
            what = tampered(changed, self.ctx.package)
            if what is not None:
                self.report(node, f"`{short_name(name)}` changes {what}")
            return
        if name == "sys.addaudithook":
            self.report(node, "installs an audit hook: it sees every audited event of the host and cannot be removed")
            return
        if name in _TRACERS:
            if node.args and isinstance(node.args[0].value, cst.Name) and node.args[0].value.value == "None":
                return  # removes the hook: observes nothing
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
    )
    INVALID = (
        Invalid("import requests\n\ndef spy(*args, **kwargs):\n    return None\n\n"
                "requests.Session.request = spy\n", line=6),
        Invalid("import json\nsetattr(json, 'dumps', repr)\n", line=2),
    )

    def assigned(self, target: cst.BaseExpression) -> None:
        if not isinstance(target, cst.Attribute):
            return
        base = resolve(self.ctx, target.value)
        if base is None:
            return
        self._check(target, f"{base}.{target.attr.value}")

    def _check(self, node: cst.CSTNode, name: str) -> None:
        if plugin_internal(self.ctx, name) or tampered(name, self.ctx.package) is not None:
            return
        if name.startswith(self.ctx.module_name + ".") or name == "ssl._create_default_https_context":
            return
        if name.startswith("__main__."):
            return
        if name.startswith("sys.") and not (name.endswith("hook") or name == "sys.path"):
            return  # interpreter state (sys.stdout, sys.last_value, ...): routine in command-line code
        self.report(node, f"patches `{name}`, shared with the host and every other plugin")

    def visit_Call(self, node: cst.Call) -> None:
        if resolve(self.ctx, node.func) not in _SETTERS or len(node.args) < 2:
            return
        changed = _set_by_name(self.ctx, node)
        if changed is not None:
            self._check(node, changed)


__all__ = [
    "HostTampering",
    "SharedModulePatch",
]
