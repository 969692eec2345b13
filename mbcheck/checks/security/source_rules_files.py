"""Security rules on the syntax tree: files (MB317-MB319).

Temporary file names another process can create first, writes to sensitive
paths (shell start-up files, SSH and credential files, system paths), and
reads of the user's credential files. Paths must be known statically (see
:mod:`mbcheck.checks.security.paths`).
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from mbcheck.checks.security.behaviours import autostart_entry, registry_autostart, startup_file
from mbcheck.checks.security.calls import classify_call, first_argument
from mbcheck.checks.security.classify import StaticPath, classify_path, is_secret_file
from mbcheck.checks.security.partial import UNKNOWN, partial_path
from mbcheck.checks.security.paths import observe_assignment, observe_function, static_path
from mbcheck.checks.security.tables import tables
from mbcheck.checks.security.values import fold_string, resolve
from mbcheck.model import Category, Confidence, Fix, Severity
from mbcheck.pyfile import edits
from mbcheck.pyfile.traverse import FileContext, SourceRule
from mbcheck.rules.base import Invalid, Valid


class InsecureTempFile(SourceRule):
    """Uses `tempfile.mktemp`, which returns a name without creating the file.

    Why: between the call and the file's creation another process can create
    the same path (often a symbolic link), so the plugin writes where an
    attacker chose.
    Instead: `tempfile.NamedTemporaryFile(delete=False)`, `tempfile.mkstemp()` or
    `tempfile.TemporaryDirectory()`.
    """

    code = "MB317"
    name = "insecure-temp-file"
    category = Category.SECURITY
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    VALID = (Valid("import tempfile\n\ndef scratch():\n    return tempfile.mkstemp(suffix='.txt')\n"),)
    INVALID = (
        Invalid(
            "import tempfile\n\ndef scratch():\n    return tempfile.mktemp()\n",
            line=4,
            fixed="import tempfile\n\ndef scratch():\n    return tempfile.mkstemp()\n",
        ),
        Invalid("from tempfile import mktemp as mk\n\ndef scratch():\n    return mk('.txt')\n", line=4),
    )

    def visit_Call(self, node: cst.Call) -> None:
        if resolve(self.ctx, node.func) == "tempfile.mktemp":
            self.report(node, "`tempfile.mktemp` returns a path another process can create first; "
                        "use `tempfile.mkstemp` or `NamedTemporaryFile`", fix=self.fix_call(node))

    def fix_call(self, node: cst.Call) -> Fix | None:
        """`tempfile.mktemp(...)` -> `tempfile.mkstemp(...)`: unsafe, it returns `(fd, path)`, not a path."""
        return edits.fix("Use `tempfile.mkstemp` (returns an open descriptor and the path)",
                         edits.rename_attribute(self.ctx, node.func, "mktemp", "mkstemp"), unsafe=True)


# --------------------------------------------------------------------------
# Sensitive paths (MB318 writes, MB319 reads)

_COPIES = frozenset({"shutil.copy", "shutil.copy2", "shutil.copyfile", "shutil.copytree", "shutil.copymode",
                     "shutil.copystat"})
_MOVES = frozenset({"shutil.move", "os.rename", "os.renames", "os.replace"})
_DESTINATION_ONLY = frozenset({"os.link", "os.symlink"})
_READ_METHODS = frozenset({"read_text", "read_bytes"})
_PATH_ARGUMENT_NAMES = ("file", "filename", "path", "name", "fileobj")


def path_accesses(ctx: FileContext, node: cst.Call) -> list[tuple[cst.BaseExpression, str]]:
    """The path arguments of a file system call, each with ``write`` or ``read``."""
    data = tables()
    name = resolve(ctx, node.func)
    out: list[tuple[cst.BaseExpression, str]] = []
    positional = [a.value for a in node.args if a.keyword is None and not a.star]
    if name is not None:
        spec = data.write_methods.get(name)
        if spec is not None:
            target = first_argument(node, *_PATH_ARGUMENT_NAMES)
            if target is None:
                return out
            uses = classify_call(ctx, node, name)
            out.append((target, "write" if uses else "read"))
            return out
        if name in _COPIES:
            if positional:
                out.append((positional[0], "read"))
            if len(positional) > 1:
                out.append((positional[1], "write"))
            return out
        if name in _MOVES:
            out.extend((p, "write") for p in positional[:2])
            return out
        if name in _DESTINATION_ONLY:
            if len(positional) > 1:
                out.append((positional[1], "write"))
            return out
        if data.calls.get(name) == "fs-write" and positional and name.split(".", 1)[0] in ("os", "shutil"):
            out.append((positional[0], "write"))
            return out
    func = node.func
    if type(func) is cst.Attribute and (name is None or name.startswith("pathlib.")):
        method = func.attr.value
        receiver = func.value
        if method in _READ_METHODS:
            out.append((receiver, "read"))
        elif method == "open" or method in data.path_methods:
            uses = classify_call(ctx, node, None)
            if uses:
                out.append((receiver, "write"))
            elif method == "open":
                out.append((receiver, "read"))
    return out


class _PathRule(SourceRule):
    """A rule on the static paths file system calls write or read (it keeps the path tracking current)."""

    def visit_Assign(self, node: cst.Assign) -> None:
        observe_assignment(self.ctx, node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        observe_assignment(self.ctx, node)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        observe_function(self.ctx, node)

    def accesses(self, node: cst.Call) -> Iterator[tuple[StaticPath, str]]:
        for expr, access in path_accesses(self.ctx, node):
            path = static_path(self.ctx, expr)
            if path is not None:
                yield path, access


class SensitivePathWrite(_PathRule):
    """Writes to a shell start-up file, an SSH or credential file, a system path, or an autostart location.

    The path must be known statically: `Path.home() / '.bashrc'`,
    `os.path.expanduser('~/.ssh/authorized_keys')`, `open('/etc/hosts', 'a')`, also
    through a variable or a `self.` attribute holding it. Writing, appending,
    copying or moving onto, linking, deleting or changing permissions all count.
    Autostart locations (`rules/security/behaviours.json`) count too: XDG
    autostart and systemd user units, macOS LaunchAgents, the Windows Startup
    folder, cron spools; and, wherever they are, interpreter start-up files
    (`*.pth`, `sitecustomize.py`, `usercustomize.py`) and values under the
    registry's `...\\CurrentVersion\\Run` keys (`winreg`).
    Why: a line added to `~/.bashrc` runs in every new shell (persistence); a key
    added to `authorized_keys` opens the account to someone else; system paths
    belong to the operating system; an autostart entry or a `.pth` file runs its
    program at every session or interpreter start. A plugin has no business there.
    Instead: keep the plugin's files in its own data directory (e.g. from
    `platformdirs.user_data_dir`), and tell the user what to change themselves.
    """

    code = "MB318"
    name = "sensitive-path-write"
    category = Category.SECURITY
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid("from pathlib import Path\n\ndef save(text):\n    (Path.home() / '.cache' / 'hello' / 'last.txt')"
              ".write_text(text)\n"),
        Valid("def show():\n    with open('/etc/os-release') as f:\n        return f.read()\n"),
        Valid("def save(text):\n    with open('~/.bashrc', 'a') as f:\n        f.write(text)\n"),
    )
    INVALID = (
        Invalid("import os\n\ndef persist(line):\n    with open(os.path.expanduser('~/.bashrc'), 'a') as f:\n"
                "        f.write(line)\n", line=4),
        Invalid("from pathlib import Path\nKEYS = Path.home() / '.ssh' / 'authorized_keys'\n\ndef add(key):\n"
                "    KEYS.write_text(key)\n", line=5),
        Invalid("import shutil\n\ndef install(src):\n    shutil.copy(src, '/usr/local/bin/helper')\n", line=4),
        Invalid("import os\n\ndef autostart():\n    p = os.path.expanduser('~/.config/autostart/notifier.desktop')\n"
                "    with open(p, 'w') as fh:\n        fh.write('[Desktop Entry]\\nExec=sh ~/.u\\n')\n", line=5),
        Invalid("import site\n\ndef persist():\n    with open(site.getsitepackages()[0] + '/zz-init.pth', 'w') as fh:\n"
                "        fh.write('import os; os.system(\\'sh ~/.u\\')')\n", line=4),
        Invalid("import winreg\n\ndef stay(exe):\n    key = winreg.OpenKey(winreg.HKEY_CURRENT_USER, "
                "r'Software\\Microsoft\\Windows\\CurrentVersion\\Run', 0, winreg.KEY_SET_VALUE)\n"
                "    winreg.SetValueEx(key, 'Updater', 0, winreg.REG_SZ, exe)\n", line=4),
    )

    def visit_Call(self, node: cst.Call) -> None:
        if self._registry(node):
            return
        for expr, access in path_accesses(self.ctx, node):
            if access != "write":
                continue
            path = static_path(self.ctx, expr)
            if path is None:
                name = startup_file(partial_path(self.ctx, expr, follow=True))
                if name is not None:
                    self.report(node, f"writes the interpreter start-up file `{name.replace(UNKNOWN, '…')}`: "
                                "its code runs whenever Python starts")
                    return
                continue
            found = classify_path(path)
            if found is not None:
                what = {"system": "a system path", "shell-startup": "a shell start-up file",
                        "credentials": "an SSH or credential file"}[found.kind]
                self.report(node, f"writes to {what}: `{path.display()}`")
                return
            entry = autostart_entry(path.home, path.path)
            if entry is not None:
                self.report(node, f"writes to an autostart location: `{path.display()}` (a program there starts "
                            "on its own)")
                return
            name = startup_file(path.path)
            if name is not None:
                self.report(node, f"writes the interpreter start-up file `{path.display()}`: its code runs "
                            "whenever Python starts")
                return

    def _registry(self, node: cst.Call) -> bool:
        """``winreg.CreateKey(..., r"...\\Run")`` or ``OpenKey`` of such a key for writing."""
        name = resolve(self.ctx, node.func)
        if name not in _REGISTRY_OPENERS:
            return False
        positional = [a.value for a in node.args if a.keyword is None and not a.star]
        sub_key = first_argument(node, "sub_key") if len(positional) < 2 else positional[1]
        text = fold_string(self.ctx, sub_key) if sub_key is not None else None
        if text is None or registry_autostart(text) is None:
            return False
        if name.rsplit(".", 1)[-1].startswith("Open"):
            access = positional[3] if len(positional) > 3 else first_argument(node, "access")
            rights = resolve(self.ctx, access) if access is not None else None
            if rights not in _REGISTRY_WRITE_RIGHTS and not (access is not None and _mentions_write(self.ctx, access)):
                return False
        self.report(node, f"opens the registry autostart key `{text}` for writing: a value there starts a "
                    "program at every logon")
        return True


_REGISTRY_OPENERS = frozenset({"winreg.CreateKey", "winreg.CreateKeyEx", "winreg.OpenKey", "winreg.OpenKeyEx",
                               "_winreg.CreateKey", "_winreg.CreateKeyEx", "_winreg.OpenKey", "_winreg.OpenKeyEx"})
_REGISTRY_WRITE_RIGHTS = frozenset({f"{m}.{r}" for m in ("winreg", "_winreg")
                                    for r in ("KEY_SET_VALUE", "KEY_WRITE", "KEY_ALL_ACCESS", "KEY_CREATE_SUB_KEY")})


def _mentions_write(ctx: FileContext, node: cst.BaseExpression) -> bool:
    """``KEY_READ | KEY_SET_VALUE``: a combination of rights that includes a write right."""
    if type(node) is cst.BinaryOperation and type(node.operator) is cst.BitOr:
        return _mentions_write(ctx, node.left) or _mentions_write(ctx, node.right)
    return resolve(ctx, node) in _REGISTRY_WRITE_RIGHTS


class CredentialFileRead(_PathRule):
    """Reads a private key or credential file of the user (`~/.ssh/id_*`, `~/.aws/credentials`, ...).

    Reads by `open`, `Path.read_text/read_bytes/open` and copies (`shutil.copy`) of a
    statically known path. `~/.ssh/known_hosts`, `~/.ssh/config`, public keys and
    tool configuration without secrets (`~/.gitconfig`, `~/.aws/config`) are not
    reported.
    Why: reading the user's keys and tokens is the first half of stealing them; a
    plugin that needs a credential should be given one, not take it.
    Instead: ask for the credential in the plugin's configuration or through an
    environment variable the user sets, or use the tool's own library (which reads
    its own files).
    """

    code = "MB319"
    name = "credential-file-read"
    category = Category.SECURITY
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    VALID = (
        Valid("from pathlib import Path\n\ndef hosts():\n    return (Path.home() / '.ssh' / 'known_hosts').read_text()\n"),
        Valid("import os\n\ndef token():\n    return os.environ.get('GITHUB_TOKEN')\n"),
    )
    INVALID = (
        Invalid("from pathlib import Path\n\ndef key():\n    return (Path.home() / '.ssh' / 'id_rsa').read_text()\n",
                line=4),
        Invalid("import os\n\ndef creds():\n    return open(os.path.join(os.path.expanduser('~'), '.aws', "
                "'credentials')).read()\n", line=4),
    )

    def visit_Call(self, node: cst.Call) -> None:
        for path, access in self.accesses(node):
            if access == "read" and is_secret_file(path):
                self.report(node, f"reads the credential file `{path.display()}`")
                return


__all__ = [
    "CredentialFileRead",
    "InsecureTempFile",
    "SensitivePathWrite",
    "path_accesses",
]
