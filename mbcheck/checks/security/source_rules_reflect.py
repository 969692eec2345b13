# ruff: noqa: RUF001, RUF002  (look-alike letters are what these rules are about)
"""Security rules on the syntax tree: names Python sees that a reader does not (MB360-MB363).

Identifiers spelled in look-alike letters (Python NFKC-normalises them), reflective
lookups that reach a dangerous function without naming it, code objects made or
loaded at run time, and code put on ``sys.path`` before an import. The forms and
their folding live in :mod:`mbcheck.checks.security.reflect`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from typing import ClassVar

import libcst as cst

from mbcheck.checks.security.calls import first_argument
from mbcheck.checks.security.classify import short_name
from mbcheck.checks.security.reflect import (
    GLOBALS,
    MODULES,
    PathTricks,
    Reach,
    code_assignment,
    code_uses,
    reach,
    reach_permission,
)
from mbcheck.checks.security.tables import tables
from mbcheck.checks.security.values import is_constant, is_plain_literal, resolve
from mbcheck.model import Category, Confidence, Severity
from mbcheck.pyfile.traverse import FileContext, SourceRule, child_nodes
from mbcheck.rules.base import Invalid, Valid

#: at most this many look-alike identifiers are reported per file
_MAX_CONFUSABLE = 20


def _names(node: cst.CSTNode) -> Iterator[cst.Name]:
    pending: list[cst.CSTNode] = [node]
    while pending:
        current = pending.pop()
        if type(current) is cst.Name:
            yield current
        else:
            pending.extend(reversed(child_nodes(current)))


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _may_hide_names(text: str) -> bool:
    """Whether the source has a run of non-ASCII letters that NFKC turns into ASCII name
    characters (a cheap test on the text before the tree is walked for names)."""
    if text.isascii():
        return False
    for match in _NON_ASCII.finditer(text):
        run = match.group(0)
        if not ("_" + run).isidentifier():
            continue  # emoji, symbols, punctuation: never part of a name
        read = unicodedata.normalize("NFKC", run)
        if read == run or not read.isascii():
            continue
        start, end = match.span()
        beside = text[start - 1: start] + text[end: end + 1]
        if len(read) > 1 or any(c.isascii() and (c.isalnum() or c == "_") for c in beside):
            return True
    return False


class ConfusableIdentifier(SourceRule):
    """An identifier written in look-alike letters that Python reads as a different, plain name.

    Python normalises identifiers (NFKC, PEP 3131) before it looks them up: `ｅｖａｌ(s)`
    (full-width letters), `𝑒𝑥𝑒𝑐(s)` (mathematical italics) and `os.ｓｙｓｔｅｍ(c)` are
    `eval`, `exec` and `os.system`; `import ｓｕｂｐｒｏｃｅｓｓ` imports `subprocess`.
    mbcheck resolves them as Python does; this rule reports the spelling itself.
    Why: there is no honest reason to spell `exec` in full-width letters: it hides
    the call from a reader, from `grep`, and from tools that compare text.
    Instead: write the name in plain letters. Identifiers in other scripts that
    stay themselves after normalisation (`größe`, `число`) are not reported.
    """

    code = "MB360"
    name = "confusable-identifier"
    category = Category.SECURITY
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid("def größe(wert):\n    return wert\n"),
        Valid("TEXT = 'ｅｖａｌ is only text here'\n"),
    )
    INVALID = (
        Invalid("def run(source):\n    ｅｖａｌ(source)\n", line=2),
        Invalid("import os\n\ndef run(cmd):\n    os.ｓｙｓｔｅｍ(cmd)\n", line=4),
        Invalid("import ｓｕｂｐｒｏｃｅｓｓ\n", line=1),
        Invalid("def run(source):\n    𝑒𝑥𝑒𝑐(source)\n", line=2),
    )

    def finish(self) -> None:
        text = self.ctx.positions.text
        if text is not None and not _may_hide_names(text):
            return
        reported = 0
        for node in _names(self.ctx.module):
            written = node.value
            if written.isascii():
                continue
            read = unicodedata.normalize("NFKC", written)
            if read == written or not read.isascii():
                continue
            self.report(node, f"`{written}` is read by Python as `{read}` (NFKC normalisation): "
                        f"a name disguised in look-alike letters; write `{read}`")
            reported += 1
            if reported >= _MAX_CONFUSABLE:
                return


class ReflectiveAccess(SourceRule):
    """Reaches a function or module through a reflective lookup instead of naming it.

    Covers `vars(mod)[...]`, `mod.__dict__[...]` / `.get(...)`, `globals()[...]`,
    `vars(__builtins__).get(...)`, `sys.modules[...]`, `mod.__getattribute__(...)`,
    `object.__getattribute__(mod, ...)`, `operator.attrgetter(...)(mod)`,
    `operator.methodcaller(...)(mod)` and `pkgutil.resolve_name(...)`, with the key
    folded as a constant (`'sys' + 'tem'`, `'metsys'[::-1]`). What a folded key
    reaches counts as that call for the permissions (`vars(os)['system']` is
    `subprocess`); a key that cannot be folded on builtins or a listed module is
    `dynamic-code`. `getattr(mod, ...)` and `__builtins__[computed]` are MB312's.
    Why: honest code names what it calls; a lookup through a namespace dictionary
    exists to hide `os.system` or `eval` from a reader and from `grep`.
    Instead: import the function and call it by name.
    """

    code = "MB361"
    name = "reflective-access"
    category = Category.SECURITY
    severity = Severity.ERROR
    other_severities: ClassVar[Mapping[Severity, str]] = {
        Severity.WARNING: "the key cannot be folded: a computed lookup in a module the permission table lists",
    }
    confidence = Confidence.HIGH
    VALID = (
        Valid("import sys\n\ndef this_module():\n    return sys.modules[__name__]\n"),
        Valid("HANDLERS = {}\n\ndef handler(name):\n    return globals()[f'handle_{name}']\n"),
        Valid("import json\n\ndef dumps(obj):\n    return vars(json)['dumps'](obj)\n"),
        Valid("import operator\n\ndef by_name(items):\n    return sorted(items, key=operator.attrgetter('name'))\n"),
    )
    INVALID = (
        Invalid("import os\n\ndef run(cmd):\n    vars(os)['sys' + 'tem'](cmd)\n", line=4),
        Invalid("import os\n\ndef run(cmd):\n    os.__dict__.get('system')(cmd)\n", line=4),
        Invalid("import operator, os\n\ndef run(cmd):\n    operator.methodcaller('system', cmd)(os)\n", line=4),
        Invalid("def run(src):\n    vars(__builtins__).get('ex' + 'ec')(src)\n", line=2),
        Invalid("import pkgutil\n\ndef run(cmd):\n    pkgutil.resolve_name('os:system')(cmd)\n", line=4),
        Invalid("import sys\n\ndef run(cmd):\n    sys.modules['subprocess'].run(cmd)\n", line=4),
        Invalid("import os\n\ndef call(name, arg):\n    return vars(os)[name](arg)\n", line=4),
    )

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if resolve(self.ctx, node.value) in ("builtins", "builtins.__dict__"):
            key = node.slice[0].slice if len(node.slice) == 1 else None
            if not (type(key) is cst.Index and is_plain_literal(key.value)):
                return  # MB312 reports a computed lookup in the builtins dictionary
        self._check(node, reach(self.ctx, node))

    def visit_Call(self, node: cst.Call) -> None:
        self._check(node, reach(self.ctx, node))

    def _check(self, node: cst.CSTNode, found: Reach | None) -> None:
        if found is None:
            return
        hit = reach_permission(self.ctx, found)
        if hit is None:
            target = found.target
            if (target is not None and not is_plain_literal(found.key)
                    and target.split(".", 1)[0] in tables().sensitive_modules):
                self.report(node, f"reaches `{short_name(target)}` through `{found.form}` with a name assembled "
                            "from pieces: obfuscation")
            return
        permission, via = hit
        if found.target is not None:
            how = "calls" if found.calls else "reaches"
            self.report(node, f"{how} `{short_name(via)}` ({permission}) through `{found.form}` instead of "
                        f"naming it: a reflective lookup that hides it; name `{short_name(via)}` directly")
        elif found.base == "builtins":
            self.report(node, f"looks up a builtin by a computed name through `{found.form}` "
                        "(any of eval, exec, __import__)")
        else:
            where = "a module named at run time" if found.base in (GLOBALS, MODULES) else f"`{found.base}`"
            self.report(node, f"looks up an attribute of {where} by a computed name through `{found.form}`: "
                        "it may reach any function (dynamic-code)", severity=Severity.WARNING,
                        confidence=Confidence.MEDIUM)


def _reuses_bytecode(node: cst.BaseExpression) -> bool:
    """``other.co_code``: a code object rebuilt around existing bytecode (to rename it)."""
    return type(node) is cst.Attribute and node.attr.value == "co_code"


class RuntimeCodeObject(SourceRule):
    """Makes or loads code at run time without `eval`/`exec`/`import`.

    Covers the `().__class__.__base__.__subclasses__()` gadget (every class in the
    process, reached without naming one), assigning `f.__code__`, rebuilding a code
    object (`code.replace(co_code=...)`, `types.CodeType(...)`), `timeit` running a
    string, an interpreter's `runsource()`/`runcode()`, and a loader's
    `exec_module()`/`load_module()` (`importlib.util.spec_from_file_location`,
    `SourceFileLoader`, `zipimporter`; a spec found by name is an import). Loading a
    module from a file path is a warning (plugins that load user scripts do it honestly); the others are errors.
    Why: each runs code that no `import` statement names: bytecode written by hand
    or a string, out of reach of review and of mbcheck.
    Instead: import modules by name; call functions directly; pass `timeit` a callable.
    """

    code = "MB362"
    name = "runtime-code-object"
    category = Category.SECURITY
    severity = Severity.ERROR
    other_severities: ClassVar[Mapping[Severity, str]] = {
        Severity.WARNING: "a module loaded from a file path (`exec_module`/`load_module`), or `timeit` of a literal string",
    }
    confidence = Confidence.HIGH
    VALID = (
        Valid("import timeit\n\ndef bench(fn):\n    return timeit.timeit(fn, number=10)\n"),
        Valid("def registry(cls):\n    return cls.__subclasses__()\n"),
        Valid("def title(text):\n    return text.replace('a', 'b')\n"),
    )
    INVALID = (
        Invalid("def escape():\n    return ().__class__.__base__.__subclasses__()\n", line=2),
        Invalid("def patch(f, g):\n    f.__code__ = g.__code__\n", line=2),
        Invalid("def patch(f, blob):\n    return f.__code__.replace(co_code=blob)\n", line=2),
        Invalid("import timeit\ntimeit.timeit('__imp' + 'ort__(\"os\").system(\"id\")', number=1)\n", line=2),
        Invalid("import importlib.util\n\ndef load(path):\n    spec = importlib.util.spec_from_file_location('m', path)\n"
                "    module = importlib.util.module_from_spec(spec)\n    spec.loader.exec_module(module)\n", line=6),
    )

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if code_assignment(target.target):
                self.report(target.target, "replaces a function's `__code__`: the function now runs other bytecode")

    def visit_Call(self, node: cst.Call) -> None:
        name = resolve(self.ctx, node.func)
        if name == "types.CodeType" and not any(_reuses_bytecode(a.value) for a in node.args):
            self.report(node, "builds a code object by hand (`types.CodeType`): bytecode that no source shows")
            return
        what = code_uses(self.ctx, node)
        if what is None:
            return
        if "loader" in what:
            self.report(node, f"{what} runs a module loaded from a path, not imported by name; mbcheck "
                        "analyses it only if it ships in the plugin", severity=Severity.WARNING,
                        confidence=Confidence.MEDIUM)
        elif what.startswith("`timeit"):
            arg = first_argument(node, "stmt")
            plain = arg is not None and is_plain_literal(arg)
            self.report(node, f"{what}", severity=Severity.WARNING if plain else None)
        elif "interpreter" in what:
            arg = first_argument(node, "source", "code")
            constant = arg is not None and is_constant(self.ctx, arg)
            self.report(node, f"{what} runs a string as code", severity=Severity.WARNING if constant else None)
        else:
            self.report(node, f"{what}: code reached or rebuilt at run time (a sandbox-escape gadget)")


class ImportPathTrick(SourceRule):
    """Puts code on the import path (`sys.path`, `site.addsitedir`, `zipimport`) and then imports.

    `sys.path.insert(0, "vendor.zip")` / `sys.path.append(...)` / `sys.path.extend(...)`,
    `sys.path[0:0] = [...]` / `sys.path = [...] + sys.path` / `sys.path += [...]`,
    `site.addsitedir(...)` and `zipimport.zipimporter(...)`, followed by an import in
    the same function (or at module level after a change made there), are `dynamic-code`. An archive
    (`.zip`, `.egg`, `.whl`, `.pyz`) is an error: its code is not source mbcheck reads;
    a directory is a warning.
    Why: an import after the change can load code from anywhere: an archive shipped
    beside the plugin, a directory outside it, a path built at run time. None of
    it is the plugin's reviewed source.
    Instead: ship dependencies as requirements the installer resolves; import the
    plugin's own modules relatively.
    """

    code = "MB363"
    name = "import-path-trick"
    category = Category.SECURITY
    severity = Severity.ERROR
    other_severities: ClassVar[Mapping[Severity, str]] = {
        Severity.WARNING: "the entry is a directory (or computed), not an archive",
    }
    confidence = Confidence.HIGH
    VALID = (
        Valid("import sys\n\ndef where():\n    return list(sys.path)\n"),
        Valid("import sys\nfrom . import util\n\ndef main():\n    sys.path.append('/opt/data')\n    return util\n"),
    )
    INVALID = (
        Invalid("import sys\nsys.path.insert(0, 'vendor.zip')\nimport vendored\n", line=2),
        Invalid("import sys, os\n\ndef load(name):\n    sys.path.append(os.path.expanduser('~/.cache/x'))\n"
                "    return __import__(name)\n", line=4),
        Invalid("import zipimport\nloader = zipimport.zipimporter('lib.egg')\nmod = loader.load_module('lib')\n",
                line=2),
        Invalid("import pathlib, sys\nhere = pathlib.Path(__file__).parent\nsys.path[0:0] = ['lib.egg']\n"
                "from fastjson import speedups\n", line=3),
    )

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self.tricks = PathTricks()
        self.functions: list[str] = []

    @property
    def _function(self) -> str:
        return self.functions[-1] if self.functions else ""

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.functions.append(str(id(node)))

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.functions.pop()

    def visit_Import(self, node: cst.Import) -> None:
        self.tricks.imported(self._function)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self.tricks.imported(self._function)

    def visit_Call(self, node: cst.Call) -> None:
        self.tricks.call(self.ctx, node, resolve(self.ctx, node.func), self._function)

    def visit_Assign(self, node: cst.Assign) -> None:
        self.tricks.assigned(self.ctx, node, self._function)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.tricks.assigned(self.ctx, node, self._function)

    def finish(self) -> None:
        for trick in self.tricks.followed():
            entry = f"`{trick.entry}`" if trick.entry is not None else "a path computed at run time"
            if trick.archive:
                self.report(trick.node, f"`{trick.via}` puts the archive {entry} on the import path and an import "
                            "follows: code from an archive mbcheck does not read")
            else:
                self.report(trick.node, f"`{trick.via}` puts {entry} on the import path and an import follows: "
                            "code loaded from outside the plugin's reviewed source (dynamic-code)",
                            severity=Severity.WARNING)


__all__ = ["ConfusableIdentifier", "ImportPathTrick", "ReflectiveAccess", "RuntimeCodeObject"]
