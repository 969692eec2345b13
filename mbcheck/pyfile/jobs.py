"""What the engine hands to the per-file pass (plain data: no libcst here)."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from mbcheck.model import Finding


@dataclass(frozen=True)
class FileHook:
    """An analyser of CPython's ``ast`` tree run on each file that parsed (bandit's checks).

    Plain data, so jobs cross process boundaries and the cache key covers it:
    ``function`` names mbcheck's own implementation (``module:function``,
    called with a :class:`HookInput` and this hook), ``skip`` what it leaves
    out, ``version`` the version of the tool behind it.
    """

    function: str
    skip: frozenset[str] = frozenset()
    version: str = ""

    def key(self) -> str:
        """What the hook's results depend on besides the file."""
        return f"{self.function}|{self.version}|{','.join(sorted(self.skip))}"


@dataclass(frozen=True)
class FileOptions:
    max_bytes: int = 1_000_000
    #: the ``ast`` hooks to run (none: only mbcheck's own rules and collectors)
    hooks: tuple[FileHook, ...] = ()
    #: the interface method names of the run's host profile (None: every shipped profile's)
    interface_methods: frozenset[str] | None = None

    def key(self) -> str:
        """What a file's outcome depends on besides its bytes and mbcheck itself."""
        methods = ",".join(sorted(self.interface_methods)) if self.interface_methods is not None else "*"
        return "|".join((str(self.max_bytes), methods, *(hook.key() for hook in self.hooks)))


@dataclass(frozen=True)
class FileJob:
    path: str
    data: bytes
    module_name: str
    package: str
    is_package: bool
    options: FileOptions = field(default_factory=FileOptions)


@dataclass(frozen=True)
class HookInput:
    """What a :class:`FileHook` gets: text, the ``ast`` tree, the job, and the
    file's findings so far (a hook drops what a rule already reports)."""

    job: FileJob
    text: str
    tree: ast.Module
    findings: tuple[Finding, ...] = ()
