"""The per-file pass pauses the cyclic garbage collector only while it runs."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from mbcheck.pyfile.analyse import analyse_file
from mbcheck.pyfile.jobs import FileJob

SOURCE = b"import subprocess\n\n\ndef run(cmd):\n    subprocess.run(cmd, shell=True)\n"


@pytest.fixture
def collector_state() -> Iterator[None]:
    was = gc.isenabled()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def test_collector_paused_during_the_pass_and_running_after(
    collector_state: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mbcheck.pyfile.analyse as analyse

    seen: list[bool] = []
    original = analyse._analyse_file

    def spy(job: FileJob) -> object:
        seen.append(gc.isenabled())
        return original(job)

    gc.enable()
    monkeypatch.setattr(analyse, "_analyse_file", spy)
    outcome = analyse_file(FileJob("m.py", SOURCE, "m", "", False))
    assert seen == [False]
    assert gc.isenabled()
    assert outcome.parsed and outcome.findings


def test_collector_left_paused_when_the_caller_paused_it(collector_state: None) -> None:
    gc.disable()
    analyse_file(FileJob("m.py", SOURCE, "m", "", False))
    assert not gc.isenabled()
