"""Worker processes for the per-file pass, each file under a time and a memory ceiling.

A process pool from the standard library cannot stop one task: a file that
hangs the parser, or needs gigabytes, holds the whole run. Here each worker
takes one file at a time over a pipe, and the parent watches every busy
worker:

* a file whose analysis runs longer than ``max_seconds`` has its worker
  killed, and is reported as not analysed (MB003);
* a worker whose resident memory passes ``max_mib`` while analysing a file is
  killed, and that file is reported as not analysed (MB003); the run's peak is
  then at most the workers' ceilings plus the main process;
* a worker that dies on its own (a crash in native code) costs only the file
  it held (MB005).

A killed or dead worker is replaced and the run goes on with the other files.
Outcomes come back in the order of the jobs, whatever order the workers
finish in, so a report does not depend on the number of workers.

Memory is read from ``/proc/<pid>/statm`` (Linux); where that does not exist
the memory ceiling is not enforced, the time ceiling still is.

A worker may load the analysis itself (``warm``) before it takes a file: it
says when it is ready, and no file is sent to it (nor its clock started)
before. :func:`prestart` forks such a worker at start-up, so that loading the
parser and the rules overlaps with the caller's own start (arguments, config,
planning the run); the next :func:`run_pool` takes it.
"""

from __future__ import annotations

import atexit
import hashlib
import multiprocessing
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

from mbcheck.context import FileOutcome
from mbcheck.model import Finding, Span
from mbcheck.rules.base import Rule
from mbcheck.rules.core import AnalysisFailed, FileNotAnalysed

#: how often busy workers' memory is read (seconds)
POLL_SECONDS = 0.05
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096

Analyse = Callable[[Any], FileOutcome]
Progress = Callable[[int, int], None]
Warm = Callable[[], None]

#: what a worker sends once it has loaded the analysis (a job index is never negative)
_READY = -1
#: workers that may fail while loading the analysis, per worker of a run, before the run gives up
_WARM_FAILURES = 2


@dataclass(frozen=True)
class Limits:
    """Per-file ceilings: seconds of analysis, MiB of a worker's resident memory (0: none)."""

    max_seconds: float = 0
    max_mib: int = 0


def _serve(conn: Connection, analyse: Analyse, warm: Warm | None = None, other: Connection | None = None) -> None:
    """A worker: (load the analysis, say so,) analyse the files sent until told to stop
    (``None``) or the pipe closes."""
    if other is not None:
        other.close()  # the parent's end: the pipe closes when the parent is gone, however it ends
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C stops
    if warm is not None:
        warm()
        conn.send((_READY, None))
    while True:
        try:
            item = conn.recv()
        except (EOFError, OSError):
            return
        if item is None:
            return
        index, job = item
        conn.send((index, analyse(job)))


def resident_mib(pid: int) -> float | None:
    """A process's resident memory in MiB (None where ``/proc`` cannot tell)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            fields = handle.read().split()
        return int(fields[1]) * _PAGE / (1024 * 1024)
    except (OSError, IndexError, ValueError):
        return None


class _Worker:
    def __init__(self, context: Any, analyse: Analyse, warm: Warm | None = None) -> None:
        parent, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, analyse, warm, parent), daemon=True)
        self.process.start()
        child.close()
        self.analyse = analyse
        self.conn: Connection = parent
        #: (job index, start time) of the file being analysed
        self.busy: tuple[int, float] | None = None
        #: whether it has loaded the analysis (a worker forked warm is ready at once)
        self.ready = warm is None

    def send(self, index: int, job: Any) -> None:
        self.conn.send((index, job))
        self.busy = (index, time.monotonic())

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.conn.send(None)
            except (OSError, ValueError):
                self.process.kill()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


def _not_analysed(job: Any, message: str, rule: type[Rule] = FileNotAnalysed) -> FileOutcome:
    finding: Finding = rule.finding(Span(job.path), message)
    return FileOutcome(job.path, hashlib.sha256(job.data).hexdigest(), (finding,), parsed=False, cacheable=False)


def _context() -> Any:
    # fork: a worker starts with everything the parent imported (the parser
    # included), in milliseconds; elsewhere the platform's safe default
    if sys.platform == "linux":
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


#: workers forked by :func:`prestart`, not yet taken by a run
_prestarted: list[_Worker] = []


def prestart(analyse: Analyse, warm: Warm) -> None:
    """Fork one worker now that loads the analysis (``warm``) while this process goes on;
    the next :func:`run_pool` with the same ``analyse`` takes it. One only, and only
    with a second core idle to run it on: it must not slow down a run that turns out
    to need no analysis at all (everything cached). Unused, it is stopped at exit."""
    if _prestarted or not _spare_core():
        return
    _prestarted.append(_Worker(_context(), analyse, warm))
    if len(_prestarted) == 1:
        atexit.register(discard_prestarted)


def prestarted() -> bool:
    """Whether a worker forked by :func:`prestart` is waiting for a run."""
    return bool(_prestarted)


def discard_prestarted() -> None:
    """Stop the workers :func:`prestart` forked that no run took."""
    while _prestarted:
        _prestarted.pop().stop(kill=True)


def _spare_core() -> bool:
    """Whether a core is idle besides the one this process runs on: the processes running
    right now (Linux's ``/proc/loadavg``, which counts this one), else the load average."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    try:
        with open("/proc/loadavg", encoding="ascii") as handle:
            others = float(handle.read().split()[3].split("/")[0]) - 1
    except (OSError, IndexError, ValueError):
        try:
            others = os.getloadavg()[0]
        except (AttributeError, OSError):
            others = 0.0
    return cores - others >= 2


def run_pool(
    jobs: Sequence[Any],
    workers: int,
    analyse: Analyse,
    limits: Limits,
    progress: Progress | None = None,
    size: Callable[[Any], int] | None = None,
    warm: Warm | None = None,
    idle: Callable[[], None] | None = None,
) -> list[FileOutcome]:
    """Analyse ``jobs`` with ``workers`` processes; outcomes in the order of ``jobs``.

    With ``warm`` each worker loads the analysis itself before it takes a file
    (the caller has not); a worker :func:`prestart` forked for the same
    ``analyse`` is used first.

    With ``size`` (a job's expected cost, e.g. its bytes) the largest jobs are sent
    first: a large file taken last would keep one worker busy while the others
    are idle, and the run would wait for it.
    """
    results: list[FileOutcome | None] = [None] * len(jobs)
    order = list(range(len(jobs)))
    if size is not None:
        order.sort(key=lambda index: -size(jobs[index]))
    pending = deque(order)
    context = _context()
    count = max(1, min(workers, len(jobs)))
    pool: list[_Worker] = []
    while _prestarted and len(pool) < count:
        early = _prestarted.pop()
        if early.analyse is analyse and early.process.is_alive():
            pool.append(early)
        else:
            early.stop(kill=True)
    pool.extend(_Worker(context, analyse, warm) for _ in range(count - len(pool)))
    done = 0
    warm_failures = 0

    def finish(worker: _Worker, outcome: FileOutcome) -> None:
        nonlocal done
        assert worker.busy is not None
        results[worker.busy[0]] = outcome
        worker.busy = None
        done += 1
        if progress:
            progress(done, len(jobs))

    def respawn(worker: _Worker) -> None:
        worker.stop(kill=True)
        pool[pool.index(worker)] = _Worker(context, analyse, warm)

    def loading(worker: _Worker, ready: list[Any]) -> None:
        """A worker still loading the analysis: ready now, or dead (replaced, within reason)."""
        nonlocal warm_failures
        if worker.conn not in ready and worker.process.sentinel not in ready:
            return
        try:
            if worker.conn.poll():
                index, _ = worker.conn.recv()
                worker.ready = index == _READY
                return
        except (EOFError, OSError):
            pass
        warm_failures += 1
        if warm_failures > _WARM_FAILURES * len(pool):
            raise RuntimeError("worker processes keep failing while loading the analysis")
        respawn(worker)

    try:
        while pending or any(w.busy for w in pool):
            for worker in pool:
                if worker.ready and worker.busy is None and pending:
                    index = pending.popleft()
                    worker.send(index, jobs[index])
            if idle is not None:
                idle()
                idle = None
            busy = [w for w in pool if w.busy is not None]
            starting = [w for w in pool if not w.ready]
            timeout = POLL_SECONDS if limits.max_mib else None
            if limits.max_seconds and busy:
                now = time.monotonic()
                left = min(w.busy[1] + limits.max_seconds - now for w in busy if w.busy)
                timeout = max(0.0, left) if timeout is None else max(0.0, min(timeout, left))
            watched = busy + starting
            ready = wait([w.conn for w in watched] + [w.process.sentinel for w in watched], timeout)
            for worker in starting:
                loading(worker, ready)
            for worker in busy:
                assert worker.busy is not None
                index, started = worker.busy
                job = jobs[index]
                if worker.conn in ready or worker.process.sentinel in ready:
                    try:
                        if worker.conn.poll():
                            _, outcome = worker.conn.recv()
                            finish(worker, outcome)
                            continue
                    except (EOFError, OSError):
                        pass
                    worker.process.join(timeout=5)  # the pipe may close before the exit is known
                    code = worker.process.exitcode
                    how = "no exit status" if code is None else f"signal {-code}" if code < 0 else f"exit status {code}"
                    finish(worker, _not_analysed(
                        job, f"analysis crashed the worker process ({how}); the file was not analysed", AnalysisFailed
                    ))
                    respawn(worker)
                    continue
                if limits.max_seconds and time.monotonic() - started > limits.max_seconds:
                    finish(worker, _not_analysed(
                        job,
                        f"file not analysed: its analysis took longer than {limits.max_seconds:g} s "
                        "(raise `max-file-seconds` to analyse it)",
                    ))
                    respawn(worker)
                    continue
                if limits.max_mib:
                    used = resident_mib(worker.process.pid or 0)
                    if used is not None and used > limits.max_mib:
                        finish(worker, _not_analysed(
                            job,
                            f"file not analysed: its analysis needed more than {limits.max_mib} MiB of memory "
                            "(raise `max-file-memory` to analyse it)",
                        ))
                        respawn(worker)
    finally:
        for worker in pool:
            worker.stop(kill=worker.busy is not None or not worker.ready)
    return [r for r in results if r is not None]


__all__ = ["Limits", "discard_prestarted", "prestart", "prestarted", "resident_mib", "run_pool"]
