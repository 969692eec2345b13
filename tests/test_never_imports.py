"""mbcheck never imports, executes or __import__s the code it checks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from helpers import run, write_plugin

TRAP = """\
import pathlib
pathlib.Path({marker!r}).write_text("imported!")
__version__ = "1.0.0"
__dependencies__ = [__import__("os").getcwd()]

def get_plugin_interface():
    pathlib.Path({marker!r}).write_text("called!")
"""


def _trap_plugin(tmp_path: Path) -> tuple[Path, Path]:
    marker = tmp_path / "marker.txt"
    root = write_plugin(
        tmp_path,
        {
            "__init__.py": TRAP.format(marker=str(marker)),
            "cli.py": TRAP.format(marker=str(marker)),
            "setup.py": TRAP.format(marker=str(marker)),
            "requirements.txt": "os\nsubprocess\n",
        },
        name="trap_plugin",
    )
    return root, marker


def test_cli_never_imports_plugin_code(tmp_path: Path) -> None:
    root, marker = _trap_plugin(tmp_path)
    for fmt in ("text", "json", "sarif", "github"):
        result = subprocess.run(
            [sys.executable, "-m", "mbcheck", "lint", str(root), "--no-cache", "-f", fmt, "--jobs", "2"],
            capture_output=True, text=True, timeout=120,
        )
        assert result.returncode in (0, 1), result.stderr
        assert not marker.exists(), f"plugin code ran during `mbcheck lint -f {fmt}`"


def test_api_never_imports_plugin_code(tmp_path: Path) -> None:
    root, marker = _trap_plugin(tmp_path)
    report = run(root)
    assert report.plugins[0].name == "trap_plugin"
    assert not marker.exists()
    assert "trap_plugin" not in sys.modules
    # the dunder that is not a literal is "not statically known", never evaluated
    assert report.plugins[0].metadata["dependencies"] is None
    assert report.plugins[0].metadata["version"] == "1.0.0"


def test_a_file_hook_names_only_mbchecks_own_code() -> None:
    """The per-file pass imports a hook's module by name: only mbcheck's own modules, never a
    path or a module a plugin could provide."""
    import pytest

    from mbcheck.pyfile.analyse import _hook_function
    from mbcheck.pyfile.jobs import FileHook

    for name in ("os:system", "evil:run", "mbcheck_evil.hook:run", "mbcheck.checks.security.bandit_hook"):
        with pytest.raises(ValueError, match="not an mbcheck hook"):
            _hook_function(FileHook(name))
    assert callable(_hook_function(FileHook("mbcheck.checks.security.bandit_hook:bandit_hook")))


def test_a_warm_cache_never_imports_plugin_code(tmp_path: Path) -> None:
    """Served from the cache (per file, then whole), a run still never runs the plugin."""
    root, marker = _trap_plugin(tmp_path)
    cache_dir = tmp_path / "cache"
    command = [sys.executable, "-m", "mbcheck", "lint", str(root), "--cache-dir", str(cache_dir), "--jobs", "2",
               "--statistics", "-f", "json", "-o", str(tmp_path / "report.json")]
    outputs, stderrs = [], []
    for run_index in range(3):
        if run_index == 1:  # the second run from the per-file entries, the third whole
            for entry in (cache_dir / "ru").glob("*.bin"):
                entry.unlink()
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode in (0, 1), result.stderr
        assert "cache not used" not in result.stderr
        stderrs.append(result.stderr)
        outputs.append((tmp_path / "report.json").read_text())
        assert not marker.exists(), f"plugin code ran during run {run_index + 1}"
    assert "(0 from the cache, 3 analysed)" in stderrs[0]
    assert "(3 from the cache, 0 analysed)" in stderrs[1]
    assert "(3 from the cache, 0 analysed; the whole report from the cache)" in stderrs[2]
    assert outputs[0] == outputs[1] == outputs[2]
    assert "trap_plugin" not in sys.modules
