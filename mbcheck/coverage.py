"""What a run did not analyse, and why: the report's ``not_analysed`` field.

A host may load any file its import system can find in a plugin, so a report
says which of them mbcheck did not judge. The list is computed from what the
run did (each file's outcome, the plan's listing), never from the findings
that reach the report: ignoring a rule (``--ignore MB003``) or a suppression
comment cannot hide a file from it. The gate refuses a plugin with files in
it unless the policy says ``allow-unanalysed = true``.

The reasons are a closed vocabulary (:data:`REASONS`; the report schema's
enum is compared with it). This module imports no libcst.
"""

from __future__ import annotations

import importlib.machinery
from typing import Final

from mbcheck.context import FileOutcome
from mbcheck.model import Unanalysed
from mbcheck.rules.core import AnalysisFailed, FileNotAnalysed, SyntaxErrorRule, TooDeeplyNested

#: reason -> what it means (shown by the gate next to each refused file)
REASONS: Final[dict[str, str]] = {
    "too-large": "larger than `max-file-size`",
    "timeout": "its analysis took longer than `max-file-seconds`",
    "memory": "its analysis needed more than `max-file-memory`",
    "crash": "its analysis crashed the worker process",
    "analysis-failed": "mbcheck failed while analysing it (internal error)",
    "syntax-error": "it does not parse on the Python mbcheck runs on",
    "undecodable": "it is not text in its declared encoding",
    "too-deeply-nested": "it nests too deeply to parse safely",
    "unreadable": "it cannot be read",
    "excluded": "the configuration's `exclude` leaves it out",
    "environment": "a virtual environment inside the plugin, hashed but not analysed",
    "sourceless-bytecode": "compiled bytecode without its source, which Python loads as a module",
    "extension-module": "a native extension module (machine code)",
    "pth": "a path-configuration file (.pth), whose `import` lines Python runs at startup",
    "unverified-bytecode": "bytecode in `__pycache__` that is not provably the compilation of its source",
    "foreign-bytecode": "bytecode in `__pycache__` for another Python, which this mbcheck cannot verify",
}

#: suffixes of native extension modules, on any platform (the host may not run this one's)
_EXTENSION_SUFFIXES: Final = tuple(sorted({*importlib.machinery.EXTENSION_SUFFIXES, ".so", ".pyd"}))


def outcome_reason(outcome: FileOutcome) -> str | None:
    """Why a Python file's outcome holds no (or incomplete) analysis; None when it was analysed.

    Read from the findings the per-file pass and the worker pool themselves
    make (before the configuration filters anything).
    """
    rules = {finding.rule: finding.message for finding in outcome.findings}
    if outcome.parsed:
        return "analysis-failed" if AnalysisFailed.code in rules else None
    if FileNotAnalysed.code in rules:
        message = rules[FileNotAnalysed.code]
        if "longer than" in message:
            return "timeout"
        if "MiB" in message:
            return "memory"
        return "too-large"
    if AnalysisFailed.code in rules:
        return "crash"
    if TooDeeplyNested.code in rules:
        return "too-deeply-nested"
    if SyntaxErrorRule.code in rules:
        message = rules[SyntaxErrorRule.code]
        return "undecodable" if "NUL bytes" in message or "is not valid" in message else "syntax-error"
    return "analysis-failed"


def code_kind(rel: str, names: frozenset[str] | set[str]) -> str | None:
    """The kind of code mbcheck cannot read that the file at ``rel`` is, if it is one.

    ``names`` are the plugin's other files (a legacy ``mod.pyc`` is loaded
    only when there is no ``mod.py`` beside it). Bytecode named like a cache
    file (``__pycache__/mod.cpython-311.pyc``) is not listed here: see
    :mod:`mbcheck.bytecode`.
    """
    name = rel.rsplit("/", 1)[-1]
    lowered = name.lower()
    if lowered.endswith(".pth"):
        return "pth"
    if lowered.endswith(_EXTENSION_SUFFIXES):
        return "extension-module"
    if lowered.endswith(".pyc"):
        stem = name[:-4]
        if "." in stem:
            return None  # not a module name: the import system never loads it by name
        if f"{rel[:-4]}.py" in names:
            return None  # the source wins: Python never loads a legacy .pyc beside it
        return "sourceless-bytecode"
    return None


__all__ = ["REASONS", "Unanalysed", "code_kind", "outcome_reason"]
