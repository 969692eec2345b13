"""Planning a run: each plugin's files, where their bytes come from, and their digest.

A plugin is a directory or an archive read into memory (never extracted);
either way its files are read once here, digested, and split into the Python
sources the per-file pass analyses and the data files plugin-level analyses read.

Files the host could load but mbcheck cannot read (native extensions, ``.pth``
files, sourceless bytecode, bytecode caches that are not provably compiled
from their sources) and files it will not analyse (excluded ones, virtual
environments) are reported here, as findings and in the plan's ``skipped``
(the report's ``not_analysed``, see :mod:`mbcheck.coverage`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from mbcheck.bytecode import SourceStat, check_bytecode, directory_stat, is_cache_file
from mbcheck.config import Config
from mbcheck.context import FileOutcome
from mbcheck.coverage import REASONS, code_kind
from mbcheck.digest import PluginDigest, add_unlisted
from mbcheck.discovery import Discovery, FileListing, PluginTarget, list_files
from mbcheck.distribution import outside, shipped_predicate
from mbcheck.model import Finding, PluginKind, Severity, Span
from mbcheck.rules.base import Rule
from mbcheck.rules.core import (
    FileNotAnalysed,
    NativeExtension,
    PathConfigurationFile,
    SourcelessModule,
    UnreadableFile,
    UnusedPluginConfig,
    UnverifiedBytecode,
)

#: data files plugin-level analyses read (kept in memory with the plan)
_DATA_SUFFIXES = (".yaml", ".yml", ".json", ".toml", ".txt", ".cfg")
#: the names of the files mbcheck's configuration is read from
_CONFIG_NAMES = ("mbcheck.toml", "pyproject.toml")


class PluginFiles(Protocol):
    """Where a plugin's bytes come from: a directory, or an archive in memory."""

    def listing(self) -> FileListing: ...

    def full_listing(self) -> FileListing:
        """Every file, whatever the configuration excludes."""
        ...

    def read(self, rel: str) -> bytes: ...


@dataclass
class DirectoryFiles:
    root: Path
    config: Config
    #: files whose bytes come from elsewhere than the disk (``lint -``, the language server: an
    #: editor's buffers), by relative path
    overlay: Mapping[str, bytes] = field(default_factory=dict)

    def listing(self) -> FileListing:
        return self._overlaid(list_files(self.root, self.config.excluded))

    def full_listing(self) -> FileListing:
        return self._overlaid(list_files(self.root))

    def read(self, rel: str) -> bytes:
        if rel in self.overlay:
            return self.overlay[rel]
        return (self.root / rel).read_bytes()

    def _overlaid(self, listing: FileListing) -> FileListing:
        """The listing with the overlay's files in it (a buffer not yet saved is a file too)."""
        missing = [rel for rel in self.overlay if rel not in listing.files]
        if missing:
            listing.files = sorted([*listing.files, *missing])
        return listing


@dataclass
class MemoryFiles:
    files: Mapping[str, bytes]
    problems: list[Finding] = field(default_factory=list)
    #: the folder an archive wraps the plugin in ("": the plugin is at its root)
    folder: str = ""

    def listing(self) -> FileListing:
        names = sorted(self.files)
        return FileListing(
            [rel for rel in names if not is_cache_file(rel)], list(self.problems), [rel for rel in names if is_cache_file(rel)]
        )

    def full_listing(self) -> FileListing:
        return self.listing()

    def read(self, rel: str) -> bytes:
        try:
            return self.files[rel]
        except KeyError:
            raise FileNotFoundError(rel) from None


def open_archive(target: PluginTarget) -> tuple[MemoryFiles, str]:
    """An archive's files in memory (never extracted); its problems become MB6xx findings."""
    from mbcheck.archive.inspect import read_archive

    files, problems, package, folder = read_archive(target.archive or target.root)
    return MemoryFiles(files, problems, folder), package


@dataclass
class PluginPlan:
    """One plugin to check: where its files come from, their bytes' digest, the
    Python sources to analyse, and (filled as the run goes) their outcomes."""

    target: PluginTarget
    files: PluginFiles
    listing: FileListing
    problems: list[Finding]
    outcomes: dict[str, FileOutcome] = field(default_factory=dict)
    digest: str = ""
    name: str = ""
    bytes_cache: dict[str, bytes] = field(default_factory=dict)
    #: the Python files to analyse, with their bytes (dropped once analysed)
    sources: list[tuple[str, bytes]] = field(default_factory=list)
    #: files (or directories, ending in ``/``) the host could load that are not
    #: analysed for a reason other than their outcome: path -> reason (see ``coverage.REASONS``)
    skipped: dict[str, str] = field(default_factory=dict)
    #: a bottle distribution's Python files (or directories, ending in ``/``) its build
    #: does not ship (tests, docs, build output): digested, not analysed, not bottle code
    outside: tuple[str, ...] = ()

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


def plan_targets(discovery: Discovery, config: Config) -> tuple[list[PluginPlan], list[str]]:
    """Each discovered plugin's files, read once and digested; errors for what cannot be checked."""
    plans: list[PluginPlan] = []
    errors = list(discovery.errors)
    for target in discovery.targets:
        problems: list[Finding] = []
        files: PluginFiles
        if target.archive is not None:
            files, package = open_archive(target)
            target = replace(target, package=package)
        else:
            # the source given on stdin, then what is in memory (a fix pass's edited text, an
            # editor's buffer) over it
            overlay = dict([target.stdin]) if target.stdin else {}
            overlay.update(target.overlay)
            files = DirectoryFiles(target.root, config, overlay)
        listing = files.listing()
        problems.extend(listing.problems)
        plan = PluginPlan(target, files, listing, problems)
        ships = _shipped(target, files, listing)
        if ships is not None:
            plan.outside = outside(listing.files, ships)
        digest = PluginDigest()
        for rel in listing.files:
            try:
                data = files.read(rel)
            except OSError as exc:
                problems.append(
                    UnreadableFile.finding(Span(rel), f"cannot read file: {exc.strerror or exc}")
                )
                plan.skipped[rel] = "unreadable"
                continue
            digest.add(rel, data)
            if rel.rsplit("/", 1)[-1] in _CONFIG_NAMES:
                problems.extend(_unused_config(target, rel, data, config))
            if listing.in_environment(rel):
                continue
            if rel.endswith(".py"):
                if ships is None or ships(rel):
                    plan.sources.append((rel, data))
            elif rel in ("plugin.yaml", "pyproject.toml") or rel.endswith(_DATA_SUFFIXES):
                plan.bytes_cache[rel] = data
        full = files.full_listing() if isinstance(files, DirectoryFiles) else listing
        if isinstance(files, DirectoryFiles):
            # excluded files are digested too: the digest does not depend on
            # the config, and it covers all importable code
            add_unlisted(digest, files.root, full.files)
        plan.digest = digest.value()
        _unreadable_code(plan, full, directory_stat(files.root) if isinstance(files, DirectoryFiles) else None)
        plans.append(plan)
    return plans, errors


def _shipped(target: PluginTarget, files: PluginFiles, listing: FileListing) -> Callable[[str], bool] | None:
    """For a bottle distribution (a project directory), whether its build ships a Python file.

    Tests, docs, scripts and build output beside the packages are not in the
    installed bottle, so the registry can never import them: they are digested
    but not analysed, and the report lists them apart (``outside_distribution``),
    not as unanalysed code of the bottle. An in-tree bottle, a plugin or an
    archive is analysed whole.
    """
    if target.kind is not PluginKind.BOTTLE or "." in target.package or target.archive is not None:
        return None
    if "pyproject.toml" not in listing.files:
        return None
    try:
        data = tomllib.loads(files.read("pyproject.toml").decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    return shipped_predicate(listing.files, data)


#: the rule reporting each kind of code mbcheck cannot read
_CODE_RULES: dict[str, type[Rule]] = {
    "sourceless-bytecode": SourcelessModule,
    "extension-module": NativeExtension,
    "pth": PathConfigurationFile,
}


def _unreadable_code(plan: PluginPlan, full: FileListing, stat: SourceStat | None) -> None:
    """Report what the host could load from the plugin that mbcheck does not analyse.

    ``full`` lists every file (configuration exclusions included): excluded
    sources are not analysed, code mbcheck cannot read is reported whether or
    not it is excluded, and bytecode caches are checked against their sources.
    """
    names = set(full.files)
    analysed = set(plan.listing.files)
    for env in full.environments:
        plan.skipped[env] = "environment"
        plan.problems.append(FileNotAnalysed.finding(
            Span(env.rstrip("/")),
            f"virtual environment `{env}` is digested but not analysed: a plugin should not ship one "
            "(its code is importable from the plugin)",
        ))
    for rel in full.files:
        if full.in_environment(rel):
            continue
        kind = code_kind(rel, names)
        if kind is not None:
            plan.skipped[rel] = kind
            plan.problems.append(_CODE_RULES[kind].finding(
                Span(rel), f"code mbcheck cannot read: `{rel}` is {REASONS[kind]}; it was not analysed"
            ))
        elif rel.endswith(".py") and rel not in analysed:
            plan.skipped[rel] = "excluded"
    candidates = [rel for rel in full.bytecode if not full.in_environment(rel)]
    if not candidates:
        return
    for problem in check_bytecode(candidates, names, plan.read_bytes, stat):
        plan.skipped[problem.path] = problem.reason
        severity = Severity.WARNING if problem.reason == "foreign-bytecode" else Severity.ERROR
        plan.problems.append(UnverifiedBytecode.finding(Span(problem.path), problem.message, severity=severity))


def _unused_config(target: PluginTarget, rel: str, data: bytes, config: Config) -> list[Finding]:
    """MB012 for a config file inside the plugin that is not the run's config.

    The run's config is never read from a checked plugin (see
    :func:`mbcheck.config.load`); it is this file only when mbcheck runs from
    the plugin's own directory. A file inside an archive is never the run's config.
    """
    if target.archive is None and config.path is not None:
        try:
            if Path(config.path) == (target.root / rel).resolve():
                return []
        except OSError:
            pass
    span = Span(rel)
    if rel.rsplit("/", 1)[-1] == "pyproject.toml":
        from mbcheck.documents.pointers import DocumentError, load_toml

        try:
            document = load_toml(data, rel)
        except DocumentError:
            return []  # not TOML: it configures nothing (the manifest rules report it)
        tool = document.value.get("tool") if isinstance(document.value, dict) else None
        if not isinstance(tool, dict) or "mbcheck" not in tool:
            return []
        span = document.pointers.get("/tool/mbcheck", span)
        what = f"the [tool.mbcheck] table of {rel} inside the plugin was not used"
    else:
        what = f"{rel} inside the plugin was not used"
    message = f"{what}: configuration is read from the current directory or --config, never from the plugin it checks"
    return [UnusedPluginConfig.finding(span, message)]


__all__ = ["DirectoryFiles", "MemoryFiles", "PluginFiles", "PluginPlan", "plan_targets"]
