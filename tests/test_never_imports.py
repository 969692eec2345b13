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
            [sys.executable, "-P", "-m", "mbcheck", "lint", str(root), "--no-cache", "-f", fmt, "--jobs", "2"],
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


def test_bytecode_pth_build_and_linked_code_never_run(tmp_path: Path) -> None:
    """Code only the import system would run (byte caches, sourceless modules, .pth files,
    build output, a directory linked in from .git) never runs during lint or verify."""
    import py_compile

    marker = tmp_path / "marker.txt"
    trap = TRAP.format(marker=str(marker))
    root = write_plugin(
        tmp_path,
        {
            "__init__.py": "from . import helpers\nfrom .build import helper\n",
            "evil.pth": f"import pathlib; pathlib.Path({str(marker)!r}).write_text('pth!')\n",
            "build/helper.py": trap,
            ".git/modules/helpers/__init__.py": trap,
        },
        name="trap_plugin",
    )
    (root / "helpers").symlink_to(".git/modules/helpers", target_is_directory=True)
    source = tmp_path / "trap_source.py"
    source.write_text(trap, encoding="utf-8")
    (root / "__pycache__").mkdir()
    py_compile.compile(str(source), cfile=str(root / "__pycache__" / f"__init__.{sys.implementation.cache_tag}.pyc"),
                       invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH, doraise=True)
    py_compile.compile(str(source), cfile=str(root / "legacy.pyc"), doraise=True)
    source.unlink()
    report_path = tmp_path / "report.json"
    lint = subprocess.run(
        [sys.executable, "-P", "-m", "mbcheck", "lint", str(root), "--no-cache", "-f", "json", "--jobs", "2"],
        capture_output=True, text=True, timeout=120,
    )
    assert lint.returncode == 1, lint.stderr
    report_path.write_text(lint.stdout, encoding="utf-8")
    verify = subprocess.run(
        [sys.executable, "-P", "-m", "mbcheck", "verify", str(root), str(report_path)],
        capture_output=True, text=True, timeout=120,
    )
    assert verify.returncode == 1, verify.stdout + verify.stderr
    assert "is not the compilation of that source" in verify.stdout
    assert not marker.exists(), "plugin code ran during lint or verify"
    assert "trap_plugin" not in sys.modules


#: modules a plugin might ship that mbcheck (or Python itself) imports by name
SHADOWED = ("operator", "warnings", "jsonschema", "yaml", "typer", "libcst")
TRIPWIRE = """\
with open({marker!r}, "w") as marker:  # builtins only: the standard library may be what is shadowed
    marker.write("imported {name}")
"""


def _tripwire_plugin(tmp_path: Path, shadowed: tuple[str, ...] = SHADOWED) -> tuple[Path, Path]:
    """A plugin whose own modules shadow the standard library's and mbcheck's dependencies."""
    markers = tmp_path / "markers"
    markers.mkdir()
    files: dict[str, str] = {"__init__.py": "", "plugin.yaml": "name: tripwire\nversion: 1.0.0\n"}
    for name in shadowed:
        files[f"{name}.py"] = TRIPWIRE.format(marker=str(markers / name), name=name)
    return write_plugin(tmp_path, files, name="tripwire"), markers


def _env() -> dict[str, str]:
    """The subprocess finds this checkout's mbcheck (an editable install finds the same code)."""
    import os

    from helpers import ROOT

    return {**os.environ, "PYTHONPATH": str(ROOT)}


def _console_script() -> str:
    import shutil
    import sysconfig

    found = shutil.which("mbcheck", path=sysconfig.get_path("scripts")) or shutil.which("mbcheck")
    assert found, "the mbcheck console script is not installed"
    return found


def _lint_here(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*command, "lint", ".", "--no-cache", "-f", "json"],
        capture_output=True, text=True, timeout=120, cwd=cwd, env=_env(), check=False,
    )


def _assert_normal_report(result: subprocess.CompletedProcess[str]) -> None:
    import json

    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    assert [plugin["name"] for plugin in report["plugins"]] == ["tripwire"]


def test_the_console_script_inside_a_plugin_imports_none_of_its_modules(tmp_path: Path) -> None:
    root, markers = _tripwire_plugin(tmp_path)
    result = _lint_here([_console_script()], root)
    _assert_normal_report(result)
    assert sorted(p.name for p in markers.iterdir()) == []
    assert "python -m mbcheck" not in result.stderr


def test_safe_path_module_form_inside_a_plugin_imports_none_of_its_modules(tmp_path: Path) -> None:
    root, markers = _tripwire_plugin(tmp_path)
    result = _lint_here([sys.executable, "-P", "-m", "mbcheck"], root)
    _assert_normal_report(result)
    assert sorted(p.name for p in markers.iterdir()) == []
    assert "warning" not in result.stderr


def test_plain_module_form_inside_a_plugin_warns(tmp_path: Path) -> None:
    """`python -m mbcheck` there is the documented unsafe form: it says so (its modules may already be imported).

    Without `operator.py`: with it, Python's own `runpy` fails to import before any of
    mbcheck's code runs, which is exactly why the form is unsafe.
    """
    root, _markers = _tripwire_plugin(tmp_path, tuple(name for name in SHADOWED if name != "operator"))
    result = _lint_here([sys.executable, "-m", "mbcheck"], root)
    assert "mbcheck: warning: `python -m mbcheck` puts the current directory first on sys.path" in result.stderr
    assert "`python -P -m mbcheck`" in result.stderr


def test_plain_module_form_elsewhere_does_not_warn(tmp_path: Path) -> None:
    root, _markers = _tripwire_plugin(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run(
        [sys.executable, "-P", "-m", "mbcheck", "lint", str(root), "--no-cache", "-f", "json"],
        capture_output=True, text=True, timeout=120, cwd=elsewhere, env=_env(), check=False,
    )
    _assert_normal_report(result)
    assert "warning" not in result.stderr


def test_a_warm_cache_never_imports_plugin_code(tmp_path: Path) -> None:
    """Served from the cache (per file, then whole), a run still never runs the plugin."""
    root, marker = _trap_plugin(tmp_path)
    cache_dir = tmp_path / "cache"
    command = [sys.executable, "-P", "-m", "mbcheck", "lint", str(root), "--cache-dir", str(cache_dir), "--jobs", "2",
               "--timings", "-f", "json", "-o", str(tmp_path / "report.json")]
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
