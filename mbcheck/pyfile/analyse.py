"""The per-file pass: guard, parse once, one batched traversal, facts out.

``analyse_file`` is a pure function of a :class:`FileJob` (bytes in, frozen
:class:`~mbcheck.context.FileOutcome` out), which makes it safe to run in a
process pool and to cache by content. It never raises for bad input: a file
that cannot be read as Python becomes a ``syntax`` finding.
"""

from __future__ import annotations

import gc
import hashlib
import importlib
import sys
from collections.abc import Callable
from typing import Any

import libcst as cst

from mbcheck.context import FileOutcome
from mbcheck.model import Finding, Span
from mbcheck.pyfile.facts import ModuleFacts
from mbcheck.pyfile.guards import guards_of
from mbcheck.pyfile.jobs import FileHook, FileJob, FileOptions, HookInput
from mbcheck.pyfile.parse import (
    cpython_syntax_error,
    decode_source,
    guard,
    libcst_parse,
    syntax_error,
)
from mbcheck.pyfile.suppressions import extend_to_statements, parse_suppressions
from mbcheck.pyfile.traverse import COLLECTORS, FileContext, SourceRule, Traversal
from mbcheck.rules import load_source_rules
from mbcheck.rules.core import AnalysisFailed, FileNotAnalysed, SyntaxErrorRule, TooDeeplyNested


def _hook_function(hook: FileHook) -> Callable[[HookInput, FileHook], list[Finding]]:
    """The implementation a hook names: a function of mbcheck's own modules, never anything else."""
    module, _, name = hook.function.partition(":")
    if not module.startswith("mbcheck.") or not name:
        raise ValueError(f"not an mbcheck hook: {hook.function!r}")
    function = getattr(importlib.import_module(module), name)
    return function  # type: ignore[no-any-return]


def analyse_file(job: FileJob) -> FileOutcome:
    """Everything mbcheck keeps from one Python file (never raises for bad input).

    The cyclic garbage collector is paused for the file: parsing builds tens of
    thousands of nodes, each allocation counts towards a collection, and the
    collections' passes over the young tree cost a fifth of the per-file pass.
    The tree holds no reference cycles and is freed by reference counting when
    the pass ends; the collector resumes after it (when it was running before).
    """
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        return _analyse_file(job)
    finally:
        if paused:
            gc.enable()


def _analyse_file(job: FileJob) -> FileOutcome:
    digest = hashlib.sha256(job.data).hexdigest()
    if len(job.data) > job.options.max_bytes:
        finding = FileNotAnalysed.finding(
            Span(job.path),
            f"file not analysed: {len(job.data)} bytes exceeds the limit of {job.options.max_bytes} "
            "(raise `max-file-size` to analyse it)",
        )
        return FileOutcome(job.path, digest, (finding,), parsed=False)
    text, problem = decode_source(job)
    if text is None:
        return FileOutcome(job.path, digest, (problem,) if problem else (), parsed=False)
    suppressions = parse_suppressions(text, job.path)
    tree, problem = guard(text, job.path)
    if suppressions and tree is not None:
        suppressions = extend_to_statements(suppressions, tree)
    if problem is not None:
        return FileOutcome(job.path, digest, (problem,), suppressions=suppressions, parsed=False)
    try:
        module = libcst_parse(text, validated=tree is not None)
    except cst.ParserSyntaxError as exc:
        # both parsers reject it: CPython's message and position (the import would raise it);
        # only libcst rejects it: libcst's
        cpython = cpython_syntax_error(text, job.path) if tree is None else None
        span, message = cpython or syntax_error(job.path, exc)
        finding = SyntaxErrorRule.finding(span, f"syntax error: {message}")
        return FileOutcome(job.path, digest, (finding,), suppressions=suppressions, parsed=False)
    except (RecursionError, MemoryError):
        finding = TooDeeplyNested.finding(Span(job.path), "file is nested too deeply to analyse safely")
        return FileOutcome(job.path, digest, (finding,), suppressions=suppressions, parsed=False)
    except Exception as exc:  # libcst validation errors on odd input (e.g. exotic identifiers)
        cpython = cpython_syntax_error(text, job.path) if tree is None else None
        if cpython is not None:
            finding = SyntaxErrorRule.finding(cpython[0], f"syntax error: {cpython[1]}")
        else:
            finding = SyntaxErrorRule.finding(Span(job.path), f"cannot parse: {exc}".splitlines()[0])
        return FileOutcome(job.path, digest, (finding,), suppressions=suppressions, parsed=False)

    findings: list[Finding] = []
    #: ModuleFacts' fields, as far as the analysis gets
    facts: dict[str, Any] = {}
    ctx = FileContext(module, job.path, job.module_name, job.package, job.is_package, tree, text, job.options)
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, 20_000))
    try:
        if tree is not None:  # from the ast tree, first: they hold whatever a collector does
            facts["guards"] = guards_of(tree)
        ctx.names.prebind_module(module)
        rules: list[SourceRule] = [cls(ctx) for cls in load_source_rules()]
        collectors = [cls(ctx) for cls in COLLECTORS.values()]
        Traversal([*rules, *collectors], ctx).walk(module)
        for rule in rules:
            rule.finish()
        for coll in collectors:
            facts[coll.key] = coll.result()
        findings.extend(ctx.findings())
    except RecursionError:
        findings = [TooDeeplyNested.finding(Span(job.path), "file is nested too deeply to analyse safely")]
    except Exception as exc:  # one broken analysis must not stop the run
        findings.append(
            AnalysisFailed.finding(Span(job.path), f"analysis failed: {type(exc).__name__}: {exc}")
        )
    finally:
        sys.setrecursionlimit(old_limit)

    if tree is not None and job.options.hooks:
        hook_input = HookInput(job, text, tree, tuple(findings))
        for hook in job.options.hooks:
            try:
                findings.extend(_hook_function(hook)(hook_input, hook))
            except Exception as exc:  # pragma: no cover - defensive
                findings.append(
                    AnalysisFailed.finding(Span(job.path), f"analysis failed: {type(exc).__name__}: {exc}")
                )
    findings.sort(key=Finding.sort_key)
    return FileOutcome(job.path, digest, tuple(findings), ModuleFacts(**facts), suppressions)


__all__ = ["FileHook", "FileJob", "FileOptions", "HookInput", "analyse_file"]
