"""The plugin-level compatibility analysis: what the code needs against what is declared.

:func:`analyse` gathers every file's requirements and ``milkbottle`` names,
reads the declared ``python_version`` and MilkBottle range, computes what
the code needs as a whole, which requirements no Python of the host profile
satisfies and which ``milkbottle`` names the host profile lacks, and builds
the report's ``compatibility`` section. The engine computes it once per
plugin (``plugin.facts.compatibility``); the rules only read it.

This module imports no libcst: it runs on cached facts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from mbcheck.checks.compat.facts import (
    HostApiUse,
    Minor,
    Required,
    Requirement,
    admitted_minors,
    host_minors,
    lacks,
    minor_text,
    minors_text,
    required,
)
from mbcheck.checks.compat.tables import HostApi, feature, host_api_from
from mbcheck.checks.manifest.rules_fields import parse_python_spec
from mbcheck.context import PluginContext
from mbcheck.model import Located, Span


def label(req: Requirement) -> str:
    """How a message names what a requirement is about."""
    if req.kind == "syntax":
        return feature(req.what).label()
    if req.kind == "module":
        return f"module `{req.what}`"
    if req.kind == "keyword":
        return f"keyword argument `{req.what.removeprefix('builtins.')}`"
    name = req.what.removeprefix("builtins.")
    module, _, rest = name.partition(".")
    if module.startswith("_") and rest:
        # a class of a private module reached through a receiver (``_collections_abc.dict_items``,
        # what ``dict.items()`` returns) is named as the interpreter names it: ``dict_items.mapping``
        name = rest
    return f"`{name}`"


def backport_note(req: Requirement) -> str:
    """`` (or a patch release from 3.11.4, 3.10.12)`` for a backported requirement."""
    if not req.backported:
        return ""
    patches = ", ".join(".".join(str(p) for p in patch) for patch in sorted(req.backported, reverse=True))
    return f" (or a patch release from {patches})"


@dataclass
class Analysis:
    declared_text: str | None = None
    declared: SpecifierSet | None = None
    declared_span: Span | None = None
    requirements: list[tuple[str, Requirement]] = field(default_factory=list)
    needed: Required = field(default_factory=lambda: required(()))
    host: tuple[Minor, ...] = ()
    #: requirements no Python of the host profile satisfies, by identity, with why
    host_fatal: dict[int, str] = field(default_factory=dict)
    host_api: list[tuple[str, HostApiUse]] = field(default_factory=list)
    unknown_api: list[tuple[str, HostApiUse, str]] = field(default_factory=list)
    milkbottle: dict[str, Located] = field(default_factory=dict)
    #: the report's ``compatibility`` section
    section: dict[str, Any] = field(default_factory=dict)

    def effective(self) -> Iterator[tuple[str, Requirement]]:
        """Requirements that raise what the code needs (not guarded)."""
        return ((path, req) for path, req in self.requirements if not req.guarded)

    @property
    def declared_label(self) -> str:
        return f"python_version {self.declared_text!r}"


def analyse(plugin: PluginContext) -> Analysis:
    """The plugin's compatibility and its report section (the engine computes it
    once per plugin: rules read ``plugin.facts.compatibility``)."""
    analysis = _analyse(plugin)
    analysis.section = _section(plugin, analysis)
    return analysis


def _analyse(plugin: PluginContext) -> Analysis:
    analysis = Analysis()
    located = plugin.model.fields.get("python_version")
    if located is not None and isinstance(located.value, str):
        analysis.declared_text = located.value
        analysis.declared_span = located.span
        try:
            analysis.declared = parse_python_spec(located.value)
        except (InvalidSpecifier, InvalidVersion):
            analysis.declared = None  # the manifest rules report it
    for path, module in plugin.module_facts():
        facts = module.compat
        if facts is None:
            continue
        analysis.requirements.extend((path, req) for req in facts.requirements)
        analysis.host_api.extend((path, use) for use in facts.host_api)
    analysis.needed = required(req for _, req in analysis.requirements)
    analysis.host = host_minors(plugin.host.python_specifier, plugin.host.python_versions)
    _host_fatal(analysis)
    profile_api = _profile_api(plugin)
    for path, use in analysis.host_api:
        missing = profile_api.missing(use.name)
        if missing is not None:
            analysis.unknown_api.append((path, use, missing))
    for key in ("min_milkbottle_version", "max_milkbottle_version"):
        value = plugin.model.fields.get(key)
        if value is not None and isinstance(value.value, str):
            analysis.milkbottle[key] = value
    return analysis


def _host_fatal(analysis: Analysis) -> None:
    host = analysis.host
    if not host:
        return
    effective = list(analysis.effective())
    for _path, req in effective:
        if all(lacks(req, minor) for minor in host):
            analysis.host_fatal[id(req)] = (
                f"{label(req)} needs Python {minor_text(req.version)}{backport_note(req)}"
                if req.bound == "min"
                else f"{label(req)} was removed in Python {minor_text(req.version)}"
            ) + f", but the host profile runs Python {minors_text(host)}"
    if any(analysis.needed.runs_on(minor) for minor in host):
        return
    # each requirement alone fits the host, together they exclude every release
    newest = max(
        ((path, req) for path, req in effective if req.bound == "min" and id(req) not in analysis.host_fatal),
        key=lambda item: item[1].version,
        default=None,
    )
    if newest is None:
        return
    for _path, req in effective:
        if req.bound == "max" and id(req) not in analysis.host_fatal and req.version <= newest[1].version:
            where = f"{newest[0]}:{newest[1].span.line}" if newest[1].located else newest[0]
            analysis.host_fatal[id(req)] = (
                f"{label(req)} was removed in Python {minor_text(req.version)}, but the code also needs "
                f"Python {minor_text(newest[1].version)} ({label(newest[1])}, {where}): no Python runs both"
            )


def _profile_api(plugin: PluginContext) -> HostApi:
    return host_api_from(plugin.host.public_api, plugin.host.version, f"host profile {plugin.host.name}")


# ---------------------------------------------------------------------------
# the MilkBottle range and the report section


def version_of(located: Located | None) -> Version | None:
    """A declared MilkBottle version, or None (absent, or not a version)."""
    if located is None:
        return None
    try:
        return Version(located.value)
    except (InvalidVersion, TypeError):
        return None


def _host_in_range(plugin: PluginContext, analysis: Analysis) -> bool:
    host = plugin.host.version
    if host is None:
        return True
    low = version_of(analysis.milkbottle.get("min_milkbottle_version"))
    high = version_of(analysis.milkbottle.get("max_milkbottle_version"))
    return (low is None or low <= host) and (high is None or host <= high)


def _section(plugin: PluginContext, analysis: Analysis) -> dict[str, Any]:
    declared_ok = analysis.declared is None or any(admitted in analysis.host for admitted in admitted_minors(analysis.declared))
    code_ok = not analysis.host or any(analysis.needed.runs_on(minor) for minor in analysis.host)
    milkbottle = {
        "min": _text(analysis.milkbottle.get("min_milkbottle_version")),
        "max": _text(analysis.milkbottle.get("max_milkbottle_version")),
    }
    return {
        "python_declared": analysis.declared_text,
        "python_required": {"min": analysis.needed.min_text, "max": analysis.needed.max_text},
        "milkbottle_declared": milkbottle,
        "host_ok": bool(
            _host_in_range(plugin, analysis) and declared_ok and code_ok and not analysis.unknown_api
        ),
    }


def _text(located: Located | None) -> str | None:
    return None if located is None else str(located.value)


__all__ = ["Analysis", "analyse", "backport_note", "label", "version_of"]
