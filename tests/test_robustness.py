"""Bad input gets a finding or a clear error: never a traceback, never a hang.

Each case runs together with a good plugin, which must still be reported.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import EXAMPLES, run, write_plugin
from mbcheck.config import Config
from mbcheck.model import Verdict
from mbcheck.plan import DirectoryFiles

GOOD = EXAMPLES / "plugins" / "hello_world"


def _bomb(levels: int = 9) -> str:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


CASES: dict[str, tuple[dict[str, str | bytes], str, str]] = {
    # name: (files, expected rule, expected message fragment)
    "broken_yaml": ({"plugin.yaml": "name: x\nversion: [1\n", "__init__.py": ""}, "MB101", "invalid YAML"),
    "alias_bomb": ({"plugin.yaml": _bomb(), "__init__.py": ""}, "MB101", "expands to more than"),
    "huge_manifest": ({"plugin.yaml": "name: x\n" + "k: " + "y" * 2_000_000 + "\n", "__init__.py": ""}, "MB101", "too large"),
    "nul_bytes": ({"__init__.py": b"x = 1\n\x00\n"}, "MB001", "NUL bytes"),
    "invalid_utf8": ({"__init__.py": b'x = "\xff\xfe"\n'}, "MB001", "not valid utf-8"),
    "deep_parens": ({"__init__.py": "x = " + "(" * 100_000 + "1" + ")" * 100_000 + "\n"}, "MB004", "nested"),
    "deep_unary": ({"__init__.py": "x = " + "-" * 100_000 + "1\n"}, "MB004", "nested"),
    "long_chain": ({"__init__.py": "x = " + "1+" * 100_000 + "1\n"}, "MB004", "nested"),
    "deep_new_syntax": ({"__init__.py": "type X = " + "[" * 100_000 + "]" * 100_000 + "\n"}, "MB004", "nested"),
    "binary_file": ({"__init__.py": bytes(range(256)) * 40}, "MB001", ""),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_a_finding_and_others_still_reported(tmp_path: Path, case: str) -> None:
    files, rule, fragment = CASES[case]
    bad = write_plugin(tmp_path, files, name=case)
    start = time.monotonic()
    report = run([bad, GOOD], Config(ignore=("B",)))
    elapsed = time.monotonic() - start
    assert elapsed < 30, f"{case} took {elapsed:.1f}s"
    by_path = {p.path.rsplit("/", 1)[-1]: p for p in report.plugins}
    assert by_path["hello_world"].verdict is Verdict.PASS
    found = [f for f in by_path[case].findings if f.rule == rule]
    assert found, [(f.rule, f.message) for f in by_path[case].findings]
    assert any(fragment in f.message for f in found), [f.message for f in found]


def test_deep_nesting_in_a_subprocess_does_not_crash(tmp_path: Path) -> None:
    """The native parser would segfault on this; the CLI must exit normally."""
    bad = write_plugin(tmp_path, {"__init__.py": "x = " + "[" * 100_000 + "]" * 100_000 + "\n"}, name="deep")
    result = subprocess.run(
        [sys.executable, "-m", "mbcheck", "lint", str(bad), str(GOOD), "--no-cache", "--jobs", "1"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert "MB004" in result.stdout
    assert "hello_world" in result.stdout
    assert "Traceback" not in result.stderr


def test_symlink_loop_and_escape(tmp_path: Path) -> None:
    root = write_plugin(tmp_path, {"__init__.py": "", "plugin.yaml": (GOOD / "plugin.yaml").read_text()}, name="links")
    os.symlink("loop", root / "loop")
    os.symlink("/etc/hostname", root / "outside")
    os.symlink(".", root / "here")  # a directory link inside the root: not followed twice
    report = run([root, GOOD], Config(select=("MB007",)))
    messages = sorted(f.message for p in report.plugins for f in p.findings)
    assert any("forms a loop" in m for m in messages), messages
    assert any("outside the plugin root" in m for m in messages), messages
    assert len(report.plugins) == 2


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_plugin(tmp_path, {"__init__.py": "", "secret.py": "x = 1\n"}, name="locked")
    original = DirectoryFiles.read

    def read(self: DirectoryFiles, rel: str) -> bytes:
        if rel == "secret.py":
            raise PermissionError(13, "Permission denied")
        return original(self, rel)

    monkeypatch.setattr(DirectoryFiles, "read", read)
    report = run([root, GOOD], Config(select=("MB006",)))
    locked = next(p for p in report.plugins if p.path.endswith("locked"))
    assert [(f.rule, f.span.path) for f in locked.findings] == [("MB006", "secret.py")]
    assert "Permission denied" in locked.findings[0].message


def test_empty_directory_and_missing_path_are_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    report = run([empty, tmp_path / "missing", GOOD])
    assert len(report.plugins) == 1
    assert any("no MilkBottle plugin found" in e for e in report.errors)
    assert any("no such file or directory" in e for e in report.errors)


def test_failing_rule_is_a_finding_not_a_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mbcheck.checks.manifest.rules import ShortDescription

    def boom(self: object, plugin: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(ShortDescription, "check", boom)
    report = run([GOOD])
    messages = [f.message for f in report.plugins[0].findings if f.rule == "MB005"]
    assert messages == ["rule MB114 failed: RuntimeError: kaboom"]


def test_failing_source_rule_keeps_other_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import libcst

    from mbcheck.pyfile import names

    def broken(self: object, node: object) -> None:
        raise RuntimeError("visitor exploded")

    root = write_plugin(tmp_path, {"__init__.py": "x = 1\n"}, name="boom")
    monkeypatch.setitem(names._BEFORE, libcst.Assign, broken)
    report = run([root, GOOD], Config(select=("MB005",)))
    boom = next(p for p in report.plugins if p.path.endswith("boom"))
    assert any("visitor exploded" in f.message for f in boom.findings)
    good = next(p for p in report.plugins if p.path.endswith("hello_world"))
    assert all("visitor exploded" in f.message for f in good.findings)
