"""The README's pre-commit setups work as written.

- The local hook the README shows (``repo: local``, ``language: system``) runs the ``mbcheck``
  on PATH: here, this checkout's. No network needed.
- ``.pre-commit-hooks.yaml`` (the ``repo:``/``rev:`` form) is tried with ``pre-commit try-repo``
  against this checkout, as pre-commit would install it: that needs the package index.

Both need pre-commit (in the test extras); the second also the network to PyPI.
"""

from __future__ import annotations

import importlib.util
import os
import shlex
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from helpers import EXAMPLES, ROOT

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("pre_commit") is None,
    reason="pre-commit is not installed (it is in the test extras: pip install -e '.[test]')",
)


def _pypi_reachable() -> bool:
    try:
        with socket.create_connection(("pypi.org", 443), timeout=5):
            return True
    except OSError:
        return False


def _readme_hook_config() -> dict[str, object]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## pre-commit\n") :]
    block = section[section.index("```yaml\n") + len("```yaml\n") : section.index("```", section.index("```yaml\n") + 7)]
    config: dict[str, object] = yaml.safe_load(block)
    return config


def _repository(tmp_path: Path, plugins: dict[str, str]) -> tuple[Path, dict[str, str]]:
    """A git repository holding copies of the named example plugins, and the environment to
    run pre-commit in (its home, git identity and this checkout's mbcheck first on PATH)."""
    repo = tmp_path / "repo"
    for name, source in plugins.items():
        shutil.copytree(EXAMPLES / "plugins" / source, repo / name)
    shim = tmp_path / "bin" / "mbcheck"
    shim.parent.mkdir()
    shim.write_text(f"#!/bin/sh\nPYTHONPATH={shlex.quote(str(ROOT))} exec {shlex.quote(sys.executable)} -P -m mbcheck \"$@\"\n")
    shim.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{shim.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
    }
    env.pop("PYTHONPATH", None)
    for command in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-q", "-m", "plugins"]):
        subprocess.run(command, cwd=repo, env=env, check=True, capture_output=True)
    return repo, env


def _pre_commit(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args], cwd=repo, env=env, capture_output=True, text=True, timeout=900, check=False
    )


def test_the_readme_local_hook_runs_mbcheck(tmp_path: Path) -> None:
    repo, env = _repository(tmp_path, {"hello_world": "hello_world", "bad": "bad_manifest"})
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(_readme_hook_config()), encoding="utf-8")
    result = _pre_commit(repo, env, "run", "--all-files")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "mbcheck" in result.stdout and "Failed" in result.stdout
    assert "bad/plugin.yaml:3:10: MB103 error version 'one point oh' is not a valid PEP 440 version" in result.stdout
    assert "hello_world (plugin, hello_world): PASS" in result.stdout
    good = _pre_commit(repo, env, "run", "--files", "hello_world/__init__.py", "hello_world/plugin.yaml")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout


@pytest.mark.skipif(not _pypi_reachable(), reason="pre-commit try-repo installs mbcheck's dependencies: PyPI is not reachable")
@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="pre-commit try-repo needs a git checkout (this is not one)")
def test_the_published_hook_definition_installs_and_runs(tmp_path: Path) -> None:
    repo, env = _repository(tmp_path, {"bad": "old_python"})
    result = _pre_commit(repo, env, "try-repo", str(ROOT), "mbcheck", "--all-files")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "bad/__init__.py:5:8: MB402 error module `imp` was removed in Python 3.12" in result.stdout
