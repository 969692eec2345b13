"""Worker processes: a file that runs too long, needs too much memory or crashes costs only itself."""

from __future__ import annotations

import faulthandler
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import MINIMAL_INIT, run, write_plugin
from mbcheck import pool
from mbcheck.cli import _wants_workers
from mbcheck.config import Config
from mbcheck.context import FileOutcome
from mbcheck.pool import Limits, resident_mib, run_pool
from mbcheck.pyfile.jobs import FileJob

LINUX_PROC = Path("/proc/self/statm").exists()


def _job(path: str) -> FileJob:
    return FileJob(path, path.encode(), path.removesuffix(".py"), "", False)


def _behave(job: FileJob) -> FileOutcome:
    """What a worker does with each test file: its name says how it misbehaves."""
    name = job.path
    if name.startswith("slow"):
        time.sleep(30)
    elif name.startswith("hog"):
        hog = bytearray(400 * 1024 * 1024)  # touched: resident, not just reserved
        for offset in range(0, len(hog), 4096):
            hog[offset] = 1
        time.sleep(30)
    elif name.startswith("segv"):
        faulthandler.disable()  # pytest's handler would print the worker's stack
        os.kill(os.getpid(), signal.SIGSEGV)
    elif name.startswith("exit"):
        os._exit(3)
    elif name.startswith("late"):
        time.sleep(0.3)
    return FileOutcome(job.path, f"pid {os.getpid()}")  # the worker that took the file


def _rules(outcomes: list[FileOutcome]) -> dict[str, list[str]]:
    return {o.path: [f"{f.rule}: {f.message}" for f in o.findings] for o in outcomes}


def test_a_file_beyond_the_time_ceiling_is_stopped_and_reported_alone() -> None:
    jobs = [_job(n) for n in ("a.py", "slow.py", "b.py", "c.py")]
    started = time.monotonic()
    outcomes = run_pool(jobs, 2, _behave, Limits(max_seconds=0.5))
    assert time.monotonic() - started < 20  # the 30 s sleeper was stopped, not waited for
    found = _rules(outcomes)
    assert [o.path for o in outcomes] == ["a.py", "slow.py", "b.py", "c.py"]
    assert found["slow.py"] == [
        "MB003: file not analysed: its analysis took longer than 0.5 s (raise `max-file-seconds` to analyse it)"
    ]
    assert all(found[name] == [] for name in ("a.py", "b.py", "c.py"))
    assert not outcomes[1].cacheable and outcomes[0].cacheable


@pytest.mark.skipif(not LINUX_PROC, reason="resident memory is read from /proc (Linux)")
def test_a_file_beyond_the_memory_ceiling_is_stopped_and_reported_alone() -> None:
    baseline = resident_mib(os.getpid())
    assert baseline is not None
    ceiling = int(baseline) + 200
    jobs = [_job(n) for n in ("a.py", "hog.py", "b.py")]
    outcomes = run_pool(jobs, 2, _behave, Limits(max_seconds=25, max_mib=ceiling))
    found = _rules(outcomes)
    assert found["hog.py"] == [
        f"MB003: file not analysed: its analysis needed more than {ceiling} MiB of memory "
        "(raise `max-file-memory` to analyse it)"
    ]
    assert found["a.py"] == found["b.py"] == []


@pytest.mark.parametrize(("name", "how"), [("segv.py", "signal 11"), ("exit.py", "exit status 3")])
def test_a_crashing_worker_costs_only_its_file(name: str, how: str) -> None:
    jobs = [_job(n) for n in ("a.py", name, "b.py", "c.py", "d.py")]
    outcomes = run_pool(jobs, 2, _behave, Limits())
    found = _rules(outcomes)
    assert found[name] == [f"MB005: analysis crashed the worker process ({how}); the file was not analysed"]
    assert all(found[n] == [] for n in ("a.py", "b.py", "c.py", "d.py"))
    assert not outcomes[1].cacheable


def test_outcomes_keep_the_order_of_the_jobs_whoever_finishes_first() -> None:
    names = ["late1.py", "x.py", "late2.py", "y.py", "z.py"]
    outcomes = run_pool([_job(n) for n in names], 2, _behave, Limits(max_seconds=10))
    assert [o.path for o in outcomes] == names
    assert len({o.sha256 for o in outcomes}) == 2  # both workers took files


def test_a_timed_out_file_is_not_cached_and_the_rest_of_the_run_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mbcheck.pyfile import analyse as filepass

    original = filepass.analyse_file

    def slow_b(job: FileJob) -> FileOutcome:
        if job.path == "b.py":
            time.sleep(30)
        return original(job)

    root = write_plugin(tmp_path / "src", {"__init__.py": MINIMAL_INIT, "a.py": "x = 1\n", "b.py": "y = 2\n"})
    config = Config(cache_dir=str(tmp_path / "cache"), max_file_seconds=0.5, jobs=2)
    monkeypatch.setattr(filepass, "analyse_file", slow_b)  # workers are forked: they see the patch
    report = run([root], config, use_cache=True, jobs=2)
    messages = [f.message for f in report.plugins[0].findings if f.rule == "MB003"]
    assert messages == ["file not analysed: its analysis took longer than 0.5 s (raise `max-file-seconds` to analyse it)"]
    assert [f.span.path for f in report.plugins[0].findings if f.rule == "MB003"] == ["b.py"]
    monkeypatch.setattr(filepass, "analyse_file", original)
    again = run([root], config, use_cache=True, jobs=2)
    assert again.context["cache"] == {"hits": 2, "misses": 1}  # b.py analysed now, not served from the cache
    assert not [f for f in again.plugins[0].findings if f.rule == "MB003"]


def test_the_command_line_reports_a_slow_file_and_checks_the_others(tmp_path: Path) -> None:
    """A real file that takes long to analyse, under a tiny ceiling set in the config."""
    big = "".join(f"value_{i} = call_{i}(arg, key={i}, other=[{i}, {i + 1}])\n" for i in range(8_000))
    root = write_plugin(tmp_path / "p", {"__init__.py": MINIMAL_INIT, "generated.py": big, "small.py": "x = 1\n"})
    (tmp_path / "mbcheck.toml").write_text("max-file-seconds = 0.05\nselect = ['MB0']\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mbcheck", "lint", str(root), "--no-cache", "--jobs", "2",
         "--config", str(tmp_path / "mbcheck.toml")],
        capture_output=True, text=True, check=False, cwd=tmp_path, timeout=120,
    )
    assert "Traceback" not in result.stderr
    assert "generated.py:1:1: MB003 warning file not analysed: its analysis took longer than 0.05 s" in result.stdout
    assert "small.py" not in result.stdout
    assert result.returncode == 0  # a warning: the gate's default fails on errors only


def _stamp(job: FileJob) -> FileOutcome:
    """Returns when (in nanoseconds) the worker took the file."""
    return FileOutcome(job.path, str(time.monotonic_ns()))


def test_the_largest_files_are_sent_first_and_outcomes_keep_the_order_of_the_jobs() -> None:
    sizes = {"small.py": 10, "huge.py": 5000, "medium.py": 300, "large.py": 900, "tiny.py": 1}
    jobs = [FileJob(name, b"x" * size, name[:-3], "", False) for name, size in sizes.items()]
    outcomes = run_pool(jobs, 1, _stamp, Limits(), size=lambda job: len(job.data))
    assert [o.path for o in outcomes] == list(sizes)  # the order of the jobs
    taken = sorted(outcomes, key=lambda o: int(o.sha256))
    assert [o.path for o in taken] == ["huge.py", "large.py", "medium.py", "small.py", "tiny.py"]
    # without sizes, in the order given
    outcomes = run_pool(jobs, 1, _stamp, Limits())
    assert [o.path for o in sorted(outcomes, key=lambda o: int(o.sha256))] == list(sizes)


_WARM_MARK = "MBCHECK_TEST_WARMED"


def _warm() -> None:
    """Loads "the analysis": marks this process (a worker) as warmed."""
    os.environ[_WARM_MARK] = str(os.getpid())


def _warmed(job: FileJob) -> FileOutcome:
    """The file's outcome says whether its worker loaded the analysis before taking it."""
    return FileOutcome(job.path, f"{os.getpid()} {os.environ.get(_WARM_MARK) == str(os.getpid())}")


def _broken_warm() -> None:
    os._exit(7)


def test_workers_that_warm_themselves_take_files_only_when_ready(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(_WARM_MARK, raising=False)
    names = [f"m{i}.py" for i in range(6)]
    outcomes = run_pool([_job(n) for n in names], 2, _warmed, Limits(max_seconds=20), warm=_warm)
    assert [o.path for o in outcomes] == names
    assert all(o.sha256.endswith(" True") for o in outcomes)
    assert _WARM_MARK not in os.environ  # loaded in the workers, not here


def test_a_prestarted_worker_is_taken_by_the_next_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool, "_spare_core", lambda: True)
    pool.prestart(_warmed, _warm)
    assert pool.prestarted()
    early = pool._prestarted[0].process.pid
    outcomes = run_pool([_job("a.py")], 2, _warmed, Limits(), warm=_warm)
    assert not pool.prestarted()
    assert outcomes[0].sha256 == f"{early} True"  # one file: the early worker took it


def test_a_prestarted_worker_for_another_analysis_is_not_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool, "_spare_core", lambda: True)
    pool.prestart(_behave, _warm)
    early = pool._prestarted[0].process
    outcomes = run_pool([_job("a.py")], 2, _warmed, Limits(), warm=_warm)
    assert not outcomes[0].sha256.startswith(f"{early.pid} ")
    early.join(timeout=5)
    assert not early.is_alive() and not pool.prestarted()


def test_an_unused_prestarted_worker_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool, "_spare_core", lambda: True)
    pool.prestart(_warmed, _warm)
    pool.prestart(_warmed, _warm)  # one only
    assert len(pool._prestarted) == 1
    early = pool._prestarted[0].process
    pool.discard_prestarted()
    early.join(timeout=5)
    assert not early.is_alive() and not pool.prestarted()


def test_no_prestart_without_a_spare_core(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool, "_spare_core", lambda: False)
    pool.prestart(_warmed, _warm)
    assert not pool.prestarted()


def test_workers_that_cannot_load_the_analysis_end_the_run_with_an_error() -> None:
    with pytest.raises(RuntimeError, match="loading the analysis"):
        run_pool([_job("a.py"), _job("b.py")], 2, _warmed, Limits(max_seconds=20), warm=_broken_warm)


@pytest.mark.parametrize(
    ("args", "wanted"),
    [
        (["lint", "plugin"], True),
        (["lint", "--jobs", "2", "plugin"], True),
        (["lint", "--jobs", "1", "plugin"], False),
        (["lint", "-j", "1", "plugin"], False),
        (["lint", "--jobs=1", "plugin"], False),
        (["lint", "-j1", "plugin"], False),
        (["lint", "-", "--stdin-filename", "p/__init__.py"], False),
        (["lint", "--help"], False),
        (["verify", "plugin", "report.json"], False),
        ([], False),
    ],
)
def test_which_command_lines_start_a_worker_early(args: list[str], wanted: bool) -> None:
    assert _wants_workers(args) is wanted


def test_a_lint_run_with_a_worker_started_early_reports_what_one_process_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from helpers import EXAMPLES
    from mbcheck import cli, engine

    monkeypatch.setattr(pool, "_spare_core", lambda: True)
    forked: list[int] = []

    def recording(analyse: pool.Analyse, warm: pool.Warm) -> None:
        pool.prestart(analyse, warm)
        forked.extend(w.process.pid or 0 for w in pool._prestarted)

    monkeypatch.setattr(engine, "prestart", recording)
    plugins = sorted(str(p) for p in (EXAMPLES / "plugins").iterdir())
    reports = {}
    for mode, extra in (("early", ["--jobs", "2"]), ("single", ["--jobs", "1"])):
        out = tmp_path / f"{mode}.json"
        monkeypatch.setattr(sys, "argv", ["mbcheck", "lint", *plugins, "--isolated", "--no-cache", "-f", "json",
                                          "-o", str(out), "--fail-on", "never", *extra])
        started = len(pool._prestarted) if mode == "early" else None
        with pytest.raises(SystemExit) as exit_info:
            cli.main()
        assert exit_info.value.code == 0
        assert not pool.prestarted()  # taken (or stopped) by the run
        if started is not None:
            assert started == 0  # nothing was waiting before main() started one
        reports[mode] = out.read_text(encoding="utf-8")
        assert len(forked) == 1  # started for the first run only
    assert reports["early"] == reports["single"]


def test_the_caller_s_idle_work_runs_once_while_the_workers_have_files() -> None:
    calls: list[int] = []
    names = ["late1.py", "late2.py", "x.py"]
    outcomes = run_pool([_job(n) for n in names], 2, _behave, Limits(), idle=lambda: calls.append(len(calls)))
    assert calls == [0]
    assert [o.path for o in outcomes] == names


def test_a_worker_ends_when_its_parent_is_killed(tmp_path: Path) -> None:
    """The worker holds no copy of the parent's end of its pipe: killed parent, closed pipe."""
    script = (
        "import os, signal, sys, time\n"
        "from mbcheck import pool\n"
        "pool._spare_core = lambda: True\n"
        "pool.prestart(lambda job: None, lambda: None)\n"
        "print(pool._prestarted[0].process.pid, flush=True)\n"
        "time.sleep(0.5)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False)
    worker = int(done.stdout.split()[0])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            break
        if Path(f"/proc/{worker}/stat").exists() and Path(f"/proc/{worker}/stat").read_text().split()[2] == "Z":
            break  # ended (a zombie until init reaps it)
        time.sleep(0.05)
    else:
        os.kill(worker, signal.SIGKILL)
        pytest.fail("the worker outlived its killed parent")


def test_the_console_script_ends_with_the_run_s_code_and_whole_output(tmp_path: Path) -> None:
    from helpers import EXAMPLES

    plugin = EXAMPLES / "plugins" / "hello_world"
    code = "import sys\nfrom mbcheck.cli import entry\nsys.argv = ['mbcheck', *sys.argv[1:]]\nentry()\n"
    env = {**os.environ, "MBCHECK_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-P", "-c", code, "lint", str(plugin), "--isolated", "-f", "json"],
                          capture_output=True, text=True, timeout=120, check=False, env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["plugins"][0]["verdict"] == "pass"
    bad = EXAMPLES / "plugins" / "broken_interface"
    done = subprocess.run([sys.executable, "-P", "-c", code, "lint", str(bad), "--isolated"],
                          capture_output=True, text=True, timeout=120, check=False, env=env)
    assert done.returncode == 1, done.stderr
    assert done.stdout.rstrip().splitlines()[-1].startswith("1 plugin checked: ")  # the last line written
    done = subprocess.run([sys.executable, "-P", "-c", code, "lint", str(tmp_path / "missing")],
                          capture_output=True, text=True, timeout=120, check=False, env=env)
    assert done.returncode == 2 and "no such file or directory" in done.stderr
