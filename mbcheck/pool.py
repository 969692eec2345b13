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
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class Limits:
    """Per-file ceilings: seconds of analysis, MiB of a worker's resident memory (0: none)."""

    max_seconds: float = 0
    max_mib: int = 0


def _serve(conn: Connection, analyse: Analyse) -> None:
    """A worker: analyse the files sent until told to stop (``None``) or the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C stops
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
    def __init__(self, context: Any, analyse: Analyse) -> None:
        parent, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, analyse), daemon=True)
        self.process.start()
        child.close()
        self.conn: Connection = parent
        #: (job index, start time) of the file being analysed
        self.busy: tuple[int, float] | None = None

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


def run_pool(
    jobs: Sequence[Any],
    workers: int,
    analyse: Analyse,
    limits: Limits,
    progress: Progress | None = None,
    size: Callable[[Any], int] | None = None,
) -> list[FileOutcome]:
    """Analyse ``jobs`` with ``workers`` processes; outcomes in the order of ``jobs``.

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
    pool = [_Worker(context, analyse) for _ in range(max(1, min(workers, len(jobs))))]
    done = 0

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
        pool[pool.index(worker)] = _Worker(context, analyse)

    try:
        while pending or any(w.busy for w in pool):
            for worker in pool:
                if worker.busy is None and pending:
                    index = pending.popleft()
                    worker.send(index, jobs[index])
            busy = [w for w in pool if w.busy is not None]
            timeout = POLL_SECONDS if limits.max_mib else None
            if limits.max_seconds:
                now = time.monotonic()
                left = min(w.busy[1] + limits.max_seconds - now for w in busy if w.busy)
                timeout = max(0.0, left) if timeout is None else max(0.0, min(timeout, left))
            ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout)
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
            worker.stop(kill=worker.busy is not None)
    return [r for r in results if r is not None]


__all__ = ["Limits", "resident_mib", "run_pool"]
