"""Rules the engine itself reports: files it cannot read or parse, suppressions, unused plugin configs."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import ClassVar

from mbcheck.model import Category, Severity
from mbcheck.rules.base import EXAMPLE_MANIFEST, Invalid, Rule, Valid

_TAG = sys.implementation.cache_tag


class EngineRule(Rule):
    """A rule whose findings the engine produces while reading files."""


class SyntaxErrorRule(EngineRule):
    """A Python file of the plugin cannot be parsed.

    Why: the host imports the plugin package; a file that does not parse makes
    the import fail on the user's machine (or, for a module imported lazily,
    later, in the middle of a command). The rest of the plugin is still checked.
    Instead: fix the syntax; if the file is not Python, give it another suffix.
    """

    code = "MB001"
    name = "syntax-error"
    category = Category.SYNTAX
    severity = Severity.ERROR
    VALID = (Valid("def greet(name):\n    return f'hello {name}'\n"),)
    INVALID = (
        Invalid("def greet(name:\n    return name\n", line=1),
        Invalid("x = 1\nprint('\x00')\n", line=2),
    )


class UnusedSuppression(EngineRule):
    """A `# mbcheck: ignore[...]` comment suppresses nothing.

    Why: stale suppressions hide future problems on that line and mislead
    readers about what the code does.
    Instead: remove the comment, or the codes in it that no longer match.
    """

    code = "MB002"
    name = "unused-suppression"
    category = Category.SYNTAX
    severity = Severity.INFO
    VALID = (Valid("x = 1\n"),)
    INVALID = (Invalid("x = 1  # mbcheck: ignore[MB001]\n", line=1),)


class UnknownSuppressionCode(EngineRule):
    """A `# mbcheck: ignore[...]` comment names a code no rule has.

    The comment names a code (or prefix) that no rule of mbcheck or bandit
    has, usually a typo (`MB3O1`, `MB9999`) or a code of another tool. It
    silences nothing, so the finding it was written for is still reported,
    or, worse, the reader believes a check was considered that never ran.
    Why: a typo in a suppression looks like a decision that was made; it hides
    nothing and explains nothing.
    Instead: write the code `mbcheck rules` lists (the message suggests the
    nearest one), or remove the comment.
    """

    code = "MB013"
    name = "unknown-suppression-code"
    category = Category.SYNTAX
    severity = Severity.WARNING
    VALID = (Valid("import subprocess\nsubprocess.call('ls', shell=True)  # mbcheck: ignore[B602]\n"),)
    INVALID = (Invalid("x = 1  # mbcheck: ignore[MB9999]\n", line=1),)


class FileNotAnalysed(EngineRule):
    """A file exceeds a per-file limit (size, analysis time or memory) and was not analysed.

    Files larger than `max-file-size` bytes are not read as Python. In worker
    processes (any `--jobs` but 1), a file whose analysis runs longer than
    `max-file-seconds`, or makes its worker pass `max-file-memory` MiB, is
    stopped; the worker is replaced and the run goes on. A virtual environment
    inside the plugin (`venv/`, `.venv/`, any directory with a `pyvenv.cfg`) is
    digested but not analysed, and reported here too.

    Every such file is also listed in the report's `not_analysed` field,
    whatever the rule selection, and the gate refuses the plugin unless its
    policy says `allow-unanalysed = true`.

    Why: one huge (usually generated) file would set the whole run's time and
    memory; mbcheck skips it and says so rather than judging it silently.
    Instead: exclude generated files with `exclude`, or raise the limit the
    message names; do not ship a virtual environment inside a plugin.
    """

    code = "MB003"
    name = "file-not-analysed"
    category = Category.SYNTAX
    severity = Severity.WARNING
    VALID = (Valid("DATA = [1, 2, 3]\n"),)
    INVALID = (Invalid("x = 1\n" * 200_000, path="big.py", line=1),)


class TooDeeplyNested(EngineRule):
    """A file nests expressions or blocks too deeply to be analysed safely.

    Why: such code (often obfuscated or generated) crashes parsers; CPython
    itself refuses most of it. mbcheck refuses it without risking the run.
    Instead: flatten the expression; generated data belongs in a data file.
    """

    code = "MB004"
    name = "too-deeply-nested"
    category = Category.SYNTAX
    severity = Severity.ERROR
    VALID = (Valid("x = ((((1))))\n"),)
    INVALID = (Invalid("x = " + "(" * 300 + "1" + ")" * 300 + "\n", line=1),)


class AnalysisFailed(EngineRule):
    """mbcheck failed while analysing a file (an internal error).

    Why: the file's findings may be incomplete; the rest of the run goes on.
    Instead: report the message to the mbcheck maintainers with the file.
    """

    code = "MB005"
    name = "analysis-failed"
    category = Category.SYNTAX
    severity = Severity.WARNING


class UnreadableFile(EngineRule):
    """A file of the plugin cannot be read (permissions, I/O error).

    Why: what mbcheck cannot read it cannot judge, and neither can the host load it.
    Instead: fix the file's permissions, or exclude it.
    """

    code = "MB006"
    name = "unreadable-file"
    category = Category.SYNTAX
    severity = Severity.ERROR


class SymlinkOutsideRoot(EngineRule):
    """A symbolic link points outside the plugin, or forms a loop.

    Why: a plugin is installed and judged as one directory; a link out of it
    makes the plugin depend on (or expose) files mbcheck did not judge, and a
    loop hangs naive tools. mbcheck never follows such links.
    Instead: ship the file itself inside the plugin.
    """

    code = "MB007"
    name = "symlink-outside-root"
    category = Category.ARCHIVE
    severity = Severity.ERROR


class UnverifiedBytecode(EngineRule):
    """Bytecode in `__pycache__` that Python would run instead of its source is not provably compiled from it.

    CPython imports `mod.py` by running `__pycache__/mod.<tag>.pyc` when that
    file claims to be current: a timestamp pyc by the source's mtime and size,
    a checked-hash pyc by the source's hash, an unchecked-hash pyc by nothing.
    Each claim is the file's own, so a pyc beside a clean source can run other
    code. mbcheck accepts a pyc only when its code equals the compilation of
    its source (compared in an isolated interpreter); the gate checks again
    before admitting the plugin. Bytecode for another Python (another `<tag>`)
    cannot be verified by this one and is a warning (this Python never loads
    it; the gate refuses it).

    Why: the host would run code mbcheck never saw.
    Instead: ship sources only: delete every `__pycache__` directory before
    packaging (the host writes its own).
    """

    code = "MB008"
    name = "unverified-bytecode"
    category = Category.SECURITY
    severity = Severity.ERROR
    other_severities: ClassVar[Mapping[Severity, str]] = {
        Severity.WARNING: "the bytecode is for another Python than the one mbcheck runs on"
    }
    VALID = (
        Valid("x = 1\n", path="mod.py"),
        Valid(files={f"__pycache__/gone.{_TAG}.pyc": "no source beside it: never loaded"}),
    )
    INVALID = (
        Invalid(files={f"__pycache__/__init__.{_TAG}.pyc": "not the compilation of __init__.py"},
                path=f"__pycache__/__init__.{_TAG}.pyc"),
    )


class SourcelessModule(EngineRule):
    """A compiled `.pyc` module without its source, which Python imports as a module.

    A legacy `mod.pyc` with no `mod.py` beside it is loaded by `import mod`
    (and `pkg/__init__.pyc` makes `pkg` a package). mbcheck reads source, not
    bytecode, so the code it runs is not judged.

    Why: the host would run code mbcheck cannot read.
    Instead: ship the module's source instead of its bytecode.
    """

    code = "MB009"
    name = "sourceless-module"
    category = Category.SECURITY
    severity = Severity.ERROR
    VALID = (Valid(files={"helper.py": "x = 1\n", "helper.pyc": "ignored: the source wins"}),)
    INVALID = (Invalid(files={"helper.pyc": "compiled code"}, path="helper.pyc"),)


class NativeExtension(EngineRule):
    """A native extension module (`.so`, `.pyd`), which Python imports as machine code.

    Why: mbcheck cannot read machine code; the host would run it unjudged,
    with the host's rights.
    Instead: ship pure Python, or depend on a published distribution that
    provides the extension (declared in `dependencies`).
    """

    code = "MB010"
    name = "native-extension"
    category = Category.SECURITY
    severity = Severity.ERROR
    VALID = (Valid("import json\n"),)
    INVALID = (
        Invalid(files={"fast.so": "machine code"}, path="fast.so"),
        Invalid(files={"fast.pyd": "machine code"}, path="fast.pyd"),
    )


class PathConfigurationFile(EngineRule):
    """A path-configuration file (`.pth`), whose `import` lines Python runs at every start.

    `site` runs a `.pth` file's lines that begin with `import` in every
    interpreter started with that directory on its site path, and adds its
    other lines to `sys.path` (where unjudged code can be imported from).

    Why: an installer or a host that treats the plugin's directory as a site
    directory would run its code before any plugin is loaded.
    Instead: remove the `.pth` file; a plugin needs no path configuration.
    """

    code = "MB011"
    name = "path-configuration-file"
    category = Category.SECURITY
    severity = Severity.ERROR
    VALID = (Valid("import json\n"),)
    INVALID = (Invalid(files={"evil.pth": "import os; os.system('id')\n"}, path="evil.pth"),)


class UnusedPluginConfig(EngineRule):
    """A configuration file inside the checked plugin was not used.

    mbcheck reads its configuration from the current directory (walking up to
    the first `mbcheck.toml`, or `pyproject.toml` with a `[tool.mbcheck]`
    table) or from `--config FILE`, never from the plugin it checks. A
    plugin's own `mbcheck.toml`, or the `[tool.mbcheck]` table of its
    `pyproject.toml`, therefore changes nothing: it cannot ignore rules,
    exclude files, lower severities or limits, or move the cache. The file is
    reported so that whoever reads the report sees its settings did not apply.

    Why: whoever ships a plugin must not decide how it is judged. Settings read
    from next to the code would let any plugin switch its own checks off and
    pass the host's gate. A plugin author who runs `mbcheck lint .` in their
    own repository still gets their config; that run does not report it.
    Instead: keep settings in the config of the directory mbcheck runs from, or
    pass `--config FILE`; leave the file out of the plugin you distribute if it
    is only for development.
    """

    code = "MB012"
    name = "unused-plugin-config"
    category = Category.CONFIG
    severity = Severity.INFO
    VALID = (
        Valid("x = 1\n"),
        Valid(path="pyproject.toml", code='[tool.ruff]\nline-length = 100\n', files={"plugin.yaml": EXAMPLE_MANIFEST}),
    )
    INVALID = (
        Invalid(path="mbcheck.toml", code='ignore = ["ALL"]\n', line=1),
        Invalid(
            path="pyproject.toml",
            code='[tool.ruff]\nline-length = 100\n\n[tool.mbcheck]\nexclude = ["evil.py"]\n',
            files={"plugin.yaml": EXAMPLE_MANIFEST},
            line=4,
        ),
    )
