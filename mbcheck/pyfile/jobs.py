"""What the engine hands to the per-file pass (plain data: no libcst here)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FileOptions:
    max_bytes: int = 1_000_000
    #: bandit test ids not to run (all of them: bandit is skipped)
    bandit_skip: frozenset[str] = frozenset()
    bandit: bool = True


@dataclass(frozen=True)
class FileJob:
    path: str
    data: bytes
    module_name: str
    package: str
    is_package: bool
    options: FileOptions = field(default_factory=FileOptions)
