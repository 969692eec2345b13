# permissions: subprocess
"""Shows the git status of the current project."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def git_available() -> bool:
    return shutil.which("git") is not None


def status(repo: Path) -> list[str]:
    result = subprocess.run(
        ["git", "-C", str(repo), "status", "--porcelain"],
        check=True,
        capture_output=True,
        text=True,
    )
    return [line for line in result.stdout.splitlines() if line.strip()]


def current_branch(repo: Path) -> str:
    output = subprocess.check_output(["git", "-C", str(repo), "rev-parse", "--abbrev-ref", "HEAD"], text=True)
    return output.strip()


def version() -> str:
    return subprocess.run(["git", "--version"], check=True, capture_output=True, text=True).stdout.strip()
