"""The run: discover plugins, analyse their files (cached, in parallel), run
plugin-level rules, then apply config and suppressions once, here.

This module imports no libcst: when every file's outcome comes from the cache,
the parser is never loaded. Workers import :mod:`mbcheck.pyfile.analyse` on demand.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from mbcheck.cache import Cache, default_cache_dir, file_key, run_key
from mbcheck.config import Config, ConfigError
from mbcheck.context import FileOutcome, HostProfile, PluginContext, Suppression
from mbcheck.digest import PluginDigest, add_unlisted, config_digest
from mbcheck.discovery import (
    Discovery,
    FileListing,
    PluginTarget,
    discover,
    list_files,
    module_name,
)
from mbcheck.model import (
    Finding,
    ManifestSource,
    PluginKind,
    PluginReport,
    Report,
    Severity,
    Span,
    verdict_for,
)
from mbcheck.pool import Limits, Progress, run_pool
from mbcheck.pyfile.jobs import FileJob, FileOptions
from mbcheck.resources import data_digest, list_dir, load_json
from mbcheck.rules import load_plugin_rules
from mbcheck.rules.base import PluginRule, RunRule
from mbcheck.rules.core import AnalysisFailed, UnreadableFile, UnusedSuppression

#: (files done, files in all), called as the per-file pass goes
ProgressCallback = Progress


class PluginFiles(Protocol):
    """Where a plugin's bytes come from: a directory, or an archive in memory."""

    def listing(self) -> FileListing: ...

    def read(self, rel: str) -> bytes: ...


@dataclass
class DirectoryFiles:
    root: Path
    config: Config

    def listing(self) -> FileListing:
        return list_files(self.root, self.config.excluded)

    def read(self, rel: str) -> bytes:
        return (self.root / rel).read_bytes()


@dataclass
class MemoryFiles:
    files: Mapping[str, bytes]
    problems: list[Finding] = field(default_factory=list)

    def listing(self) -> FileListing:
        return FileListing(sorted(self.files), list(self.problems))

    def read(self, rel: str) -> bytes:
        try:
            return self.files[rel]
        except KeyError:
            raise FileNotFoundError(rel) from None


def _open_archive(target: PluginTarget) -> tuple[MemoryFiles, str]:
    """An archive's files in memory (never extracted); its problems become MB6xx findings."""
    from mbcheck.archive.inspect import read_archive

    files, problems, package = read_archive(target.archive or target.root)
    return MemoryFiles(files, problems), package


#: turns an archive target into in-memory files (installed by mbcheck.archive.inspect support)
ARCHIVE_OPENER: list[Callable[[PluginTarget], tuple[MemoryFiles, str]]] = [_open_archive]


def load_host_profile(name: str) -> HostProfile:
    """A shipped profile by name, or a profile JSON file by path."""
    import json

    from jsonschema import Draft202012Validator

    candidate = Path(name)
    if name.endswith(".json") and candidate.is_file():
        try:
            data = json.loads(candidate.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"host profile {name}: cannot read: {exc}") from None
    else:
        known = [n[:-5] for n in list_dir("rules/hosts") if n.endswith(".json")]
        if name not in known:
            raise ConfigError(f"unknown host profile `{name}` (shipped: {', '.join(known)}; or give a path to a .json file)")
        data = load_json(f"rules/hosts/{name}.json")
    errors = list(Draft202012Validator(load_json("schemas/host-profile.schema.json")).iter_errors(data))
    if errors:
        raise ConfigError(f"host profile {name}: {errors[0].message}")
    return HostProfile.from_data(data)


def _safe_analyse(job: Any) -> FileOutcome:
    from mbcheck.pyfile.analyse import analyse_file

    return analyse_file(job)


def run_jobs(
    jobs: Sequence[Any],
    workers: int,
    progress: ProgressCallback | None = None,
    limits: Limits | None = None,
) -> list[FileOutcome]:
    """Analyse files: in this process with one worker (for debugging: no ceilings),
    else in worker processes that enforce the per-file time and memory ceilings
    and isolate a crashing file."""
    if workers <= 1:
        results: list[FileOutcome] = []
        for index, job in enumerate(jobs):
            results.append(_safe_analyse(job))
            if progress:
                progress(index + 1, len(jobs))
        return results
    if jobs:
        # warm up here: the parser, bandit and the rules are loaded once and
        # every (forked) worker starts with them, so no file's time ceiling
        # pays for loading them
        first = jobs[0]
        _safe_analyse(replace(first, path="__warmup__.py", data=b"import os\nos.getcwd()\n"))
    return run_pool(jobs, workers, _safe_analyse, limits or Limits(), progress)


@dataclass
class _Plan:
    target: PluginTarget
    files: PluginFiles
    listing: FileListing
    problems: list[Finding]
    outcomes: dict[str, FileOutcome] = field(default_factory=dict)
    digest: str = ""
    name: str = ""
    bytes_cache: dict[str, bytes] = field(default_factory=dict)

    def read_bytes(self, rel: str) -> bytes | None:
        if rel in self.bytes_cache:
            return self.bytes_cache[rel]
        try:
            return self.files.read(rel)
        except OSError:
            return None

    def read_text(self, rel: str) -> str | None:
        data = self.read_bytes(rel)
        if data is None:
            return None
        return data.decode("utf-8", errors="replace")


def _worker_count(config: Config, jobs: int | None) -> int:
    wanted = config.jobs if jobs is None else jobs
    if wanted <= 0:
        wanted = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, wanted)


def _bandit_skip(config: Config) -> tuple[bool, frozenset[str]]:
    """Whether bandit runs at all, and which of its tests are ignored by code."""
    selected = any(sel == "ALL" or sel == "B" or (sel.startswith("B") and sel[1:2].isdigit()) for sel in config.select)
    if not selected or "B" in config.ignore or "ALL" in config.ignore:
        return False, frozenset()
    from mbcheck.checks.security.bandit_policy import default_skip

    # tests that are off by default (B101) run only when selected by their exact code
    ignored = frozenset(code for code in config.ignore if code.startswith("B") and len(code) == 4)
    return True, ignored | default_skip(config.select)


def check(
    paths: Sequence[Path],
    config: Config,
    *,
    jobs: int | None = None,
    use_cache: bool | None = None,
    progress: ProgressCallback | None = None,
) -> Report:
    """Check plugins; never imports or runs plugin code."""
    host = load_host_profile(config.host_profile)
    discovery = discover(paths)
    return check_targets(discovery, config, host, jobs=jobs, use_cache=use_cache, progress=progress)


def check_targets(
    discovery: Discovery,
    config: Config,
    host: HostProfile,
    *,
    jobs: int | None = None,
    use_cache: bool | None = None,
    progress: ProgressCallback | None = None,
) -> Report:
    bandit_on, bandit_skip = _bandit_skip(config)
    options = FileOptions(max_bytes=config.max_file_size, bandit_skip=bandit_skip, bandit=bandit_on)
    from mbcheck.checks.security.bandit_policy import installed_version

    salt = "|".join((data_digest(), config.digest(), str(bandit_on), ",".join(sorted(bandit_skip)),
                     installed_version() if bandit_on else ""))
    cache_on = config.cache if use_cache is None else use_cache
    cache = Cache(Path(config.cache_dir) if config.cache_dir else default_cache_dir(), salt) if cache_on else None

    plans: list[_Plan] = []
    pending: list[tuple[_Plan, str, Any]] = []
    errors = list(discovery.errors)
    sources: list[list[tuple[str, bytes]]] = []
    for target in discovery.targets:
        problems: list[Finding] = []
        files: PluginFiles
        if target.archive is not None:
            if not ARCHIVE_OPENER:
                errors.append(f"{target.display}: archives are not supported by this installation")
                continue
            memory, package = ARCHIVE_OPENER[0](target)
            files = memory
            target = PluginTarget(target.root, target.kind, target.display, package, target.only, target.archive)
        else:
            files = DirectoryFiles(target.root, config)
        listing = files.listing()
        problems.extend(listing.problems)
        plan = _Plan(target, files, listing, problems)
        digest = PluginDigest()
        python: list[tuple[str, bytes]] = []
        for rel in listing.files:
            try:
                data = files.read(rel)
            except OSError as exc:
                problems.append(
                    UnreadableFile.finding(Span(rel), f"cannot read file: {exc.strerror or exc}")
                )
                continue
            digest.add(rel, data)
            if rel.endswith(".py"):
                python.append((rel, data))
            elif rel in ("plugin.yaml", "pyproject.toml") or rel.endswith((".yaml", ".yml", ".json", ".toml", ".txt", ".cfg")):
                plan.bytes_cache[rel] = data
        if isinstance(files, DirectoryFiles):
            # excluded files and build output are digested too: the digest
            # does not depend on the config, and it covers all importable code
            add_unlisted(digest, files.root)
        plan.digest = digest.value()
        plans.append(plan)
        sources.append(python)

    # nothing changed since a previous run with the same settings: its report
    run_key = _run_key(plans, errors, config, host, salt) if cache is not None else ""
    if cache is not None:
        previous = cache.get_report(run_key)
        if previous is not None:
            files_total = sum(len(python) for python in sources)
            return replace(
                previous,
                context={**previous.context, "cache": {"hits": files_total, "misses": 0, "run": True}},
            )

    for plan, python in zip(plans, sources, strict=True):
        target = plan.target
        for rel, data in python:
            name, is_package = module_name(rel, target.kind, target.package)
            job = FileJob(rel, data, name, target.package, is_package, options)
            key = ""
            if cache is not None:
                key = file_key(hashlib.sha256(data).hexdigest(), name, is_package, salt)
                cached = cache.get(key)
                if cached is not None and cached.path == rel:
                    plan.outcomes[rel] = cached
                    continue
            pending.append((plan, key, job))
    del sources

    if pending:
        limits = Limits(max_seconds=config.max_file_seconds, max_mib=config.max_file_memory)
        outcomes = run_jobs([job for _, _, job in pending], _worker_count(config, jobs), progress, limits)
        for (plan, key, _job), outcome in zip(pending, outcomes, strict=True):
            plan.outcomes[outcome.path] = outcome
            if cache is not None and key and outcome.cacheable:
                cache.put(key, outcome)

    contexts = [_plugin_context(plan, config, host) for plan in plans]
    for ctx in contexts:
        # what the plugin does, whatever the rule selection: the report's facts
        for name, error in ctx.facts.compute():
            ctx.report(AnalysisFailed, Span(""), f"{name} analysis failed: {type(error).__name__}: {error}")
    rules = load_plugin_rules()
    for ctx in contexts:
        for rule_cls in rules:
            if issubclass(rule_cls, PluginRule) and config.enabled(rule_cls.code, (ctx.model.name, ctx.package)):
                try:
                    rule_cls().check(ctx)
                except Exception as exc:  # a broken rule must not stop the run
                    ctx.report(AnalysisFailed, Span(""), f"rule {rule_cls.code} failed: {type(exc).__name__}: {exc}")
    for rule_cls in rules:
        if issubclass(rule_cls, RunRule) and config.enabled(rule_cls.code):
            try:
                rule_cls().check_run(contexts)
            except Exception as exc:
                for ctx in contexts:
                    ctx.report(AnalysisFailed, Span(""), f"rule {rule_cls.code} failed: {type(exc).__name__}: {exc}")

    reports = tuple(_finalize(plan, ctx, config) for plan, ctx in zip(plans, contexts, strict=True))
    context: dict[str, Any] = {"host_profile": host.name, "config": config.path, "rules_digest": data_digest(),
                               "config_digest": config_digest(config)}
    context["files"] = sum(len(plan.outcomes) for plan in plans)
    if cache is not None:
        context["cache"] = {"hits": cache.hits, "misses": cache.misses}
    report = Report(reports, tuple(errors), context)
    if cache is not None and all(o.cacheable for plan in plans for o in plan.outcomes.values()):
        cache.put_report(run_key, report)
    return report


def _run_key(plans: list[_Plan], errors: list[str], config: Config, host: HostProfile, salt: str) -> str:
    """What a whole run's report depends on: every plugin's bytes, the settings, the host,
    mbcheck itself and the environment whose distribution metadata the dependency rules read."""
    material = {
        "salt": salt,
        "config": config_digest(config),
        "host": repr(host),
        "environment": _environment_stamp(),
        "errors": errors,
        "plugins": [
            (p.target.display, p.target.kind.value, p.target.package, sorted(p.target.only or ()), p.digest,
             [(f.rule, f.message, f.span.path) for f in p.problems])
            for p in plans
        ],
    }
    return run_key(json.dumps(material, sort_keys=True, default=str))


def _environment_stamp() -> list[tuple[str, float]]:
    """Modification times of the import path's directories: installing or removing a
    distribution changes them (cheap; no metadata is read)."""
    stamp = []
    for entry in sys.path:
        try:
            stamp.append((entry, os.stat(entry or ".").st_mtime))
        except OSError:
            continue
    return stamp


def _plugin_context(plan: _Plan, config: Config, host: HostProfile) -> PluginContext:
    from mbcheck.checks.manifest.analysis import build_model

    result = build_model(
        plan.target.package,
        plan.target.kind,
        plan.listing.files,
        plan.read_bytes,
        plan.outcomes.get("__init__.py") or plan.outcomes.get(f"src/{plan.target.package}/__init__.py"),
    )
    plan.problems.extend(result.problems)
    plan.name = result.model.name
    return PluginContext(
        model=result.model,
        root=plan.target.display,
        modules=plan.outcomes,
        files=tuple(plan.listing.files),
        config=config,
        host=host,
        package=plan.target.package,
        read_text=plan.read_text,
        manifest=result,
    )


def _suppressed(finding: Finding, suppressions: Iterable[Suppression], used: dict[int, set[str]]) -> bool:
    hit = False
    for index, sup in enumerate(suppressions):
        if not sup.matches(finding.rule):
            continue
        if sup.file_level or sup.line == finding.statement_line or sup.line <= finding.span.line <= sup.end_line:
            used.setdefault(index, set()).add(finding.rule)
            hit = True
    return hit


def _fingerprint(finding: Finding, line_text: str, occurrence: int) -> str:
    material = "\0".join((finding.rule, finding.span.path, " ".join(line_text.split()), str(occurrence)))
    return hashlib.sha256(material.encode()).hexdigest()[:20]


def _finalize(plan: _Plan, ctx: PluginContext, config: Config) -> PluginReport:
    name = ctx.model.name
    names = (name, ctx.package)
    raw: list[Finding] = [*plan.problems, *ctx.findings]
    for outcome in plan.outcomes.values():
        raw.extend(outcome.findings)
    suppressions = {path: outcome.suppressions for path, outcome in plan.outcomes.items() if outcome.suppressions}
    used: dict[str, dict[int, set[str]]] = {}
    kept: list[Finding] = []
    for finding in raw:
        if not config.enabled(finding.rule, names) or config.ignored_in_file(finding.rule, finding.span.path):
            continue
        if finding.span.path in suppressions and _suppressed(
            finding, suppressions[finding.span.path], used.setdefault(finding.span.path, {})
        ):
            continue
        severity = config.severity_for(finding.rule, finding.severity)
        if severity is not finding.severity:
            finding = _replace(finding, severity=severity)
        kept.append(finding)
    if config.enabled(UnusedSuppression.code, names):
        for path, sups in suppressions.items():
            for index, sup in enumerate(sups):
                matched = used.get(path, {}).get(index, set())
                if not sup.codes:
                    if not matched:
                        kept.append(_unused(sup, "suppression comment matches no finding"))
                    continue
                unused = sorted(c for c in sup.codes if not any(m == c or m.startswith(c) for m in matched))
                if unused:
                    kept.append(_unused(sup, f"suppression of {', '.join(unused)} matches no finding"))
    only = plan.target.only
    if only is not None:
        kept = [f for f in kept if f.span.path in only or not f.span.path.endswith(".py")]
    kept.sort(key=Finding.sort_key)
    lines: dict[str, list[str]] = {}
    seen: dict[tuple[str, str, str], int] = {}
    final: list[Finding] = []
    for finding in kept:
        path = finding.span.path
        if path not in lines:
            text = plan.read_text(path) if path else None
            lines[path] = text.splitlines() if text else []
        file_lines = lines[path]
        line_text = file_lines[finding.span.line - 1] if 0 < finding.span.line <= len(file_lines) else ""
        key = (finding.rule, path, " ".join(line_text.split()))
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        final.append(_replace(finding, fingerprint=_fingerprint(finding, line_text, occurrence)))
    findings = tuple(final)
    declared = ctx.model.value("permissions")
    permissions: dict[str, Any] = {
        "declared": sorted(p for p in declared if isinstance(p, str)) if isinstance(declared, list) else [],
        "inferred": [],
    }
    facts = ctx.facts
    if facts.computed("permissions") is not None:
        permissions.update(facts.permissions.section())
    compatibility = facts.compatibility.section if facts.computed("compatibility") is not None else None
    dependencies = facts.dependencies.section if facts.computed("dependencies") is not None else None
    return PluginReport(
        name=name,
        kind=ctx.model.kind,
        path=plan.target.display,
        verdict=verdict_for(findings),
        metadata=ctx.model.metadata(),
        permissions=permissions,
        findings=findings,
        digest=plan.digest,
        manifest=ctx.model.source.value,
        compatibility=compatibility,
        dependencies=dependencies,
    )


def _unused(sup: Suppression, message: str) -> Finding:
    return UnusedSuppression.finding(sup.span, message, statement_line=sup.line)


def _replace(finding: Finding, **changes: Any) -> Finding:
    from dataclasses import replace

    return replace(finding, **changes)


def failing(report: Report, fail_on: str) -> bool:
    if fail_on == "never":
        return False
    threshold = Severity(fail_on).rank
    return any(f.severity.rank >= threshold for _, f in report.findings())


__all__ = ["ManifestSource", "PluginKind", "check", "check_targets", "failing", "load_host_profile"]
