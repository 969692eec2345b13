"""Git helpers: run git with argument lists, never through a shell."""
# declares: subprocess
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def _git(repo: Path, *args: str) -> str:
    git = shutil.which("git")
    if git is None:
        raise RuntimeError("git is not installed")
    result = subprocess.run([git, "-C", str(repo), *args], capture_output=True, text=True, check=True, timeout=30)
    return result.stdout


def current_branch(repo: Path) -> str:
    return _git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip()


def changed_files(repo: Path) -> list[str]:
    return [line[3:] for line in _git(repo, "status", "--porcelain").splitlines()]


def log(repo: Path, count: int = 10) -> list[str]:
    return _git(repo, "log", f"-{int(count)}", "--oneline").splitlines()
