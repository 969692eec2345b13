"""A tiny job runner whose jobs have `exec` and `eval` methods of their own.

Nothing here uses eval(), exec() or the subprocess module: the words appear in
names, strings and this docstring only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Job:
    name: str
    action: Callable[..., Any]
    args: tuple[Any, ...] = ()
    log: list[str] = field(default_factory=list)

    def exec(self) -> Any:
        """Run the job (named after the shell's `exec`, it runs no shell)."""
        self.log.append(f"exec {self.name}")
        return self.action(*self.args)

    def eval(self, expected: Any) -> bool:
        """Evaluate the result against an expectation; no eval() involved."""
        return self.exec() == expected

    def compile(self) -> str:
        return f"job {self.name} with {len(self.args)} argument(s)"


class Runner:
    """Runs jobs in order; `run_all` reports which failed."""

    HELP = "Use `runner exec NAME` to run a job; subprocess support is not included."

    def __init__(self) -> None:
        self.jobs: dict[str, Job] = {}

    def add(self, job: Job) -> None:
        self.jobs[job.name] = job

    def exec(self, name: str) -> Any:
        return self.jobs[name].exec()

    def run_all(self) -> dict[str, bool]:
        results = {}
        for name, job in self.jobs.items():
            try:
                job.exec()
                results[name] = True
            except Exception:  # a failing job must not stop the others
                results[name] = False
        return results


def describe(exec: str = "exec", eval: str = "eval") -> str:
    return f"{exec} and {eval} are method names here"


runner = Runner()
runner.add(Job("double", lambda x: 2 * x, (21,)))
