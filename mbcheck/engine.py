"""The run: plan -> analyse -> judge -> finalise.

- **plan** (:mod:`mbcheck.plan`): each plugin's files, read once and digested;
- **analyse**: each Python file through the per-file pass
  (:mod:`mbcheck.pyfile`), from the cache or in worker processes;
- **judge**: every theme's facts about each plugin (:mod:`mbcheck.checks`),
  whatever the rule selection, then the selected plugin-level rules;
- **finalise** (:mod:`mbcheck.finalise`): settings and suppressions applied
  once, fingerprints, the frozen report.

This module imports no libcst: when every file's outcome comes from the cache,
the parser is never loaded. Workers import :mod:`mbcheck.pyfile.analyse` on demand.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from mbcheck.cache import Cache, default_cache_dir, file_key, run_key
from mbcheck.checks import analyse_run, file_hooks
from mbcheck.config import Config, ConfigError
from mbcheck.context import FileOutcome, HostProfile, PluginContext
from mbcheck.digest import config_digest, report_settings
from mbcheck.discovery import (
    Discovery,
    discover,
    module_name,
)
from mbcheck.finalise import finalise
from mbcheck.model import (
    ManifestSource,
    PluginKind,
    Report,
    Severity,
    Span,
)
from mbcheck.plan import MemoryFiles, PluginPlan, plan_targets
from mbcheck.pool import Limits, Progress, discard_prestarted, prestart, prestarted, run_pool
from mbcheck.pyfile.jobs import FileJob, FileOptions
from mbcheck.resources import data_digest, list_dir, load_json
from mbcheck.rules import load_plugin_rules
from mbcheck.rules.base import PluginRule, RunRule
from mbcheck.rules.core import AnalysisFailed

#: (files done, files in all), called as the per-file pass goes
ProgressCallback = Progress


def load_host_profile(name: str) -> HostProfile:
    """A shipped profile by name (an alias names the profile it stands for), or a profile JSON file by path."""
    from mbcheck.config import HOST_PROFILE_ALIASES, canonical_host_profile
    from mbcheck.documents.schema import first_error

    name = canonical_host_profile(name)
    candidate = Path(name)
    if name.endswith(".json") and candidate.is_file():
        try:
            data = json.loads(candidate.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"host profile {name}: cannot read: {exc}") from None
    else:
        known = [n[:-5] for n in list_dir("rules/hosts") if n.endswith(".json")]
        if name not in known:
            aliases = ", ".join(f"{alias} = {target}" for alias, target in sorted(HOST_PROFILE_ALIASES.items()))
            raise ConfigError(
                f"unknown host profile `{name}` (shipped: {', '.join(known)}; aliases: {aliases}; "
                "or give a path to a .json file)"
            )
        # a shipped profile is part of mbcheck's own install, validated by its tests:
        # not validated again on every run (the schema costs more than a cached run)
        return HostProfile.from_data(load_json(f"rules/hosts/{name}.json"))
    problem = first_error("host-profile", data)
    if problem is not None:
        raise ConfigError(f"host profile {name}: {problem[0].message}")
    return HostProfile.from_data(data)


def _safe_analyse(job: Any) -> FileOutcome:
    from mbcheck.pyfile.analyse import analyse_file

    return analyse_file(job)


def _job_size(job: Any) -> int:
    data = getattr(job, "data", b"")
    return len(data) if isinstance(data, bytes) else 0


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
        discard_prestarted()
        results: list[FileOutcome] = []
        for index, job in enumerate(jobs):
            results.append(_safe_analyse(job))
            if progress:
                progress(index + 1, len(jobs))
        return results
    if jobs and prestarted():
        # a worker forked at start-up is loading the analysis already: every
        # worker loads it itself, in parallel, and says when it is ready (no
        # file's time ceiling pays for loading it)
        return run_pool(jobs, workers, _safe_analyse, limits or Limits(), progress, size=_job_size, warm=warm_up,
                        idle=prepare_judgement)
    if jobs:
        # warm up here: the parser, bandit and the rules are loaded once and
        # every (forked) worker starts with them, so no file's time ceiling
        # pays for loading them
        warm_up(jobs[0].options)
    return run_pool(jobs, workers, _safe_analyse, limits or Limits(), progress, size=_job_size,
                    idle=prepare_judgement)


def prepare_judgement() -> None:
    """Load what judging the plugins needs (the plugin-level analyses and rules, the
    installed distributions' names), while the workers analyse the files."""
    from mbcheck.checks.compat import analysis as _compat  # noqa: F401
    from mbcheck.checks.deps import analysis as _deps  # noqa: F401
    from mbcheck.checks.deps.imports import environment_distributions
    from mbcheck.checks.interface import analysis as _interface  # noqa: F401
    from mbcheck.checks.manifest import readers as _readers  # noqa: F401
    from mbcheck.checks.security import analysis as _security  # noqa: F401
    from mbcheck.documents.schema import validator

    load_plugin_rules()
    environment_distributions()
    validator("plugin-manifest")  # jsonschema, and the manifest's schema compiled


def warm_up(options: FileOptions | None = None) -> None:
    """Load what the per-file pass needs (the parser, the rules and their tables, and
    bandit when ``options`` run it: by default they do) by analysing a two-line file of
    mbcheck's own."""
    if options is None:
        options = FileOptions(hooks=file_hooks(Config()))
    _safe_analyse(FileJob("__warmup__.py", b"import os\nos.getcwd()\n", "__warmup__", "", False, options))


def prestart_worker() -> None:
    """Fork a worker that loads the per-file pass while this process starts the run
    (see :func:`mbcheck.pool.prestart`)."""
    prestart(_safe_analyse, warm_up)


def _worker_count(config: Config, jobs: int | None) -> int:
    wanted = config.jobs if jobs is None else jobs
    if wanted <= 0:
        wanted = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, wanted)


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
    cache: Cache | None = None,
) -> Report:
    """plan -> analyse -> judge -> finalise: the four phases of a run.

    ``cache`` is a cache the caller keeps open across runs (the language server's,
    which keeps outcomes in memory too); otherwise the run opens the configured one.
    """
    options = FileOptions(
        max_bytes=config.max_file_size, hooks=file_hooks(config), interface_methods=frozenset(host.plugin_interface)
    )
    salt = "|".join((data_digest(), config.digest(), options.key()))
    if cache is not None:
        given = cache if cache.enabled else None
        return _run(discovery, config, host, options, salt, given, cache.disabled_reason, jobs, progress)
    cache_on = config.cache if use_cache is None else use_cache
    cache = Cache(Path(config.cache_dir) if config.cache_dir else default_cache_dir(), salt) if cache_on else None
    #: why the cache was wanted but not used (reported in the context; the CLI warns)
    cache_disabled = cache.disabled_reason if cache is not None else None
    if cache is not None and not cache.enabled:
        cache = None
    try:
        return _run(discovery, config, host, options, salt, cache, cache_disabled, jobs, progress)
    finally:
        if cache is not None:
            cache.close()


def _run(
    discovery: Discovery,
    config: Config,
    host: HostProfile,
    options: FileOptions,
    salt: str,
    cache: Cache | None,
    cache_disabled: str | None,
    jobs: int | None,
    progress: ProgressCallback | None,
) -> Report:
    """The four phases with the cache (None: no cache) already opened."""
    plans, errors = plan_targets(discovery, config)
    # nothing changed since a previous run with the same settings: its report
    key = _run_key(plans, errors, config, host, salt) if cache is not None else ""
    if cache is not None:
        previous = cache.get_report(key)
        if previous is not None:
            files_total = sum(len(plan.sources) for plan in plans)
            return replace(previous, context={**previous.context, "cache": {"hits": files_total, "misses": 0, "run": True}})

    analyse(plans, options, config, cache, salt, jobs=jobs, progress=progress)
    contexts = [_plugin_context(plan, config, host) for plan in plans]
    judge(contexts, config)
    reports = tuple(finalise(plan, ctx, config) for plan, ctx in zip(plans, contexts, strict=True))

    context: dict[str, Any] = {"host_profile": host.name, "rules_digest": data_digest(),
                               "config_digest": config_digest(config)}
    context.update(config_record(config))
    context["files"] = sum(len(plan.outcomes) for plan in plans)
    if cache is not None:
        context["cache"] = {"hits": cache.hits, "misses": cache.misses}
    elif cache_disabled is not None:
        context["cache"] = {"hits": 0, "misses": 0, "disabled": cache_disabled}
    report = Report(reports, tuple(errors), context)
    if cache is not None and all(o.cacheable for plan in plans for o in plan.outcomes.values()):
        cache.put_report(key, report)
    return report


def config_record(config: Config) -> dict[str, Any]:
    """Where a run's config came from and its effective settings (the report's ``tool.config``
    and ``tool.settings``; ``config_digest`` is the digest of exactly these settings)."""
    return {
        "config": {"source": config.path, "isolated": config.isolated},
        "settings": report_settings(config),
    }


def analyse(
    plans: Sequence[PluginPlan],
    options: FileOptions,
    config: Config,
    cache: Cache | None,
    salt: str,
    *,
    jobs: int | None = None,
    progress: ProgressCallback | None = None,
) -> None:
    """Every plugin's Python files analysed once (from the cache where it has them), in parallel."""
    pending: list[tuple[PluginPlan, str, FileJob]] = []
    for plan in plans:
        target = plan.target
        for rel, data in plan.sources:
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
        plan.sources = []
    if not pending:
        return
    limits = Limits(max_seconds=config.max_file_seconds, max_mib=config.max_file_memory)
    outcomes = run_jobs([job for _, _, job in pending], _worker_count(config, jobs), progress, limits)
    for (plan, key, _job), outcome in zip(pending, outcomes, strict=True):
        plan.outcomes[outcome.path] = outcome
        if cache is not None and key and outcome.cacheable:
            cache.put(key, outcome)


def judge(contexts: Sequence[PluginContext], config: Config) -> None:
    """What each plugin does (its facts, whatever the rule selection), then the selected rules."""
    for ctx, failures in zip(contexts, analyse_run(contexts), strict=True):
        for name, error in failures:
            ctx.report(AnalysisFailed, Span(""), f"{name} analysis failed: {type(error).__name__}: {error}")
    rules = load_plugin_rules()
    for ctx in contexts:
        for rule_cls in rules:
            if issubclass(rule_cls, PluginRule) and config.enabled(rule_cls.code, (ctx.model.name, ctx.package)):
                if rule_cls.needs_manifest and ctx.model.unreadable:
                    continue  # MB101 said the manifest cannot be read; its values are unknown
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


def _run_key(plans: list[PluginPlan], errors: list[str], config: Config, host: HostProfile, salt: str) -> str:
    """What a whole run's report depends on: every plugin's bytes, the settings, the host,
    mbcheck itself and the environment whose distribution metadata the dependency rules read."""
    material = {
        "salt": salt,
        "config": config_digest(config),
        # where the settings came from is part of the report (and decides MB012)
        "config_source": (config.path, config.isolated),
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
    distribution changes them (cheap; no metadata is read).

    The directory Python put first on the path for ``python -m mbcheck`` (the working
    directory) or a script (its directory) is left out unless distributions are installed
    in it: any file made there would change the stamp, and with it every run's key."""
    launched = set()
    with contextlib.suppress(OSError):  # the working directory may have been removed
        launched.add(os.getcwd())
    if sys.argv and sys.argv[0]:
        launched.add(os.path.dirname(os.path.abspath(sys.argv[0])))
    stamp = []
    for entry in sys.path:
        try:
            path = os.path.abspath(entry or ".")
            if path in launched and not _holds_distributions(path):
                continue
            stamp.append((entry, os.stat(path).st_mtime))
        except OSError:
            continue
    return stamp


def _holds_distributions(path: str) -> bool:
    """Whether ``path`` is a site-packages style directory (distributions' metadata in it)."""
    if os.path.basename(path) in ("site-packages", "dist-packages"):
        return True
    try:
        with os.scandir(path) as entries:
            return any(e.name.endswith((".dist-info", ".egg-info", ".egg-link", ".pth")) for e in entries)
    except OSError:
        return False


def _plugin_context(plan: PluginPlan, config: Config, host: HostProfile) -> PluginContext:
    from mbcheck.checks.manifest.analysis import build_model

    result = build_model(
        plan.target.package,
        plan.target.kind,
        plan.listing.files,
        plan.read_bytes,
        plan.outcomes.get("__init__.py") or plan.outcomes.get(f"src/{plan.target.package}/__init__.py"),
    )
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
        archive_folder=plan.files.folder if isinstance(plan.files, MemoryFiles) else "",
    )


def failing(report: Report, fail_on: str) -> bool:
    if fail_on == "never":
        return False
    threshold = Severity(fail_on).rank
    return any(f.severity.rank >= threshold for _, f in report.findings())


__all__ = ["ManifestSource", "PluginKind", "check", "check_targets", "failing", "load_host_profile"]
