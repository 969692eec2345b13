"""What keeps a keystroke cheap: outcomes kept by the session, bytecode proved once per process."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mbcheck import bytecode
from mbcheck.context import FileOutcome
from mbcheck.lsp.server import SessionCache


def test_outcomes_of_unsaved_text_stay_in_memory(tmp_path: Path) -> None:
    session = SessionCache(tmp_path / "cache")
    assert session.enabled and session.disabled_reason is None
    saved = FileOutcome("tools.py", hashlib.sha256(b"saved").hexdigest())
    unsaved = FileOutcome("tools.py", hashlib.sha256(b"typing").hexdigest())
    session.unsaved = {unsaved.sha256}
    session.put("a" * 64, saved)
    session.put("b" * 64, unsaved)
    assert session.get("a" * 64) == saved and session.get("b" * 64) == unsaved
    session.close()
    # a later run (`mbcheck lint`) finds the saved file's outcome on disk, never the buffer's
    disk = SessionCache(tmp_path / "cache")
    disk._memory.clear()
    assert disk.get("a" * 64) == saved
    assert disk.get("b" * 64) is None
    disk.close()


def test_without_a_disk_cache_the_memory_still_serves() -> None:
    session = SessionCache(None)
    outcome = FileOutcome("tools.py", "0" * 64)
    session.put("c" * 64, outcome)
    assert session.enabled and session.get("c" * 64) == outcome and session.disabled_reason


def test_bytecode_is_proved_once_per_process(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import py_compile

    source = b"VALUE = 1\n"
    (tmp_path / "m.py").write_bytes(source)
    py_compile.compile(str(tmp_path / "m.py"), cfile=str(tmp_path / "m.pyc"), doraise=True,
                       invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)
    pyc = (tmp_path / "m.pyc").read_bytes()
    runs: list[Any] = []
    real = subprocess.run

    def counting(*args: Any, **kwargs: Any) -> Any:
        runs.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(bytecode.subprocess, "run", counting)
    monkeypatch.setattr(bytecode, "_PROVEN", set())
    foreign = (0, b"not a pyc", source)
    assert bytecode.prove([(0, pyc, source), foreign]) == [True, False]
    assert len(runs) == 1
    assert bytecode.prove([(0, pyc, source)]) == [True]
    assert len(runs) == 1  # proved before: no interpreter started
    assert bytecode.prove([foreign]) == [False]  # what was not proved is tried again
    assert len(runs) == 2
    assert sys.executable in runs[0][0]
