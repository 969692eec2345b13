"""What a plugin declares it needs, read into :class:`~mbcheck.checks.deps.facts.Declared`.

The manifest the host reads (``plugin.yaml`` ``dependencies``,
``__dependencies__``, a bottle's ``[project].dependencies`` and its extras),
``requirements.txt`` with the files it includes, and the host's own
requirements. Each requirement is parsed, its marker tried on the host's
Pythons, and an import name (``yaml``) or a standard-library name
(``json``) is recognised as such. This module imports no libcst.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from mbcheck.checks.deps.facts import (
    HOST,
    REQUIREMENTS_FILE,
    STDLIB_NAMES,
    Analysis,
    Declared,
    HostRequirement,
)
from mbcheck.checks.deps.names import canonical, load_import_map
from mbcheck.checks.deps.requirements import (
    marker_may_apply,
    parse_requirement,
    parse_requirements_file,
)
from mbcheck.checks.sites import dependencies_site
from mbcheck.context import PluginContext
from mbcheck.model import NOT_STATIC, ManifestSource, PluginKind, Span


@cache
def _import_name_table() -> dict[str, tuple[str, ...]]:
    """Lower-cased top-level import names that differ from their distribution's name."""
    out: dict[str, tuple[str, ...]] = {}
    for key, value in load_import_map().items():
        if "." in key:
            continue
        names = (value,) if isinstance(value, str) else tuple(value)
        if canonical(key) not in {canonical(n) for n in names}:
            out[canonical(key)] = names
    return out


def import_name_distribution(name: str) -> str | None:
    """The distribution an import name stands for, when ``name`` is an import name
    that is not itself the distribution (``yaml`` -> ``PyYAML``, ``PIL`` -> ``Pillow``)."""
    names = _import_name_table().get(canonical(name))
    return names[0] if names else None


def host_requirements(plugin: PluginContext) -> dict[str, HostRequirement]:
    """What the host puts in the environment every plugin shares, by distribution.

    Its requirements (with their specifiers); the distributions it imports when
    it starts or loads its plugin system and no requirement installs (the host
    profile's ``environment``: a working host has them, at any version); and
    MilkBottle itself, pinned to the distribution version pip sees. The host's
    own tree, checked as a distribution, is not provided with what only its
    imports need: there its undeclared imports are findings.
    """
    out: dict[str, HostRequirement] = {}
    for text in plugin.host.requirements:
        requirement, _ = parse_requirement(text)
        if requirement is not None:
            name = canonical(requirement.name)
            out[name] = HostRequirement(name, text, requirement.specifier)
    if canonical(str(plugin.model.name or "")) != HOST:
        for name in plugin.host.environment:
            out.setdefault(canonical(name), HostRequirement(canonical(name), canonical(name), SpecifierSet()))
    try:
        version = Version(plugin.host.distribution_version)
    except InvalidVersion:
        version = None
    if version is not None:
        out[HOST] = HostRequirement(HOST, f"{HOST}=={version}", SpecifierSet(f"=={version}"))
    return out


def declared_requirement(
    text: str, span: Span, source: str, python: Sequence[str], extra: str | None = None
) -> Declared:
    """One requirement string as declared at ``span`` (parsed; its marker tried on ``python``)."""
    requirement, error = parse_requirement(text)
    if requirement is None:
        return Declared(text, None, span, source, error=error, extra=extra)
    own = canonical(requirement.name)
    stdlib = requirement.name.lower().replace("-", "_") in STDLIB_NAMES
    stands_for = None if stdlib else import_name_distribution(requirement.name)
    provides = {own} | ({canonical(stands_for)} if stands_for else set())
    return Declared(
        text,
        requirement,
        span,
        source,
        extra=extra,
        provides=frozenset(provides),
        import_name_of=stands_for,
        active=marker_may_apply(requirement.marker, python),
        stdlib=stdlib,
    )


def manifest_label(plugin: PluginContext) -> str:
    """Where requirements are added, for messages (a bottle's pyproject.toml, never a plugin.yaml)."""
    return dependencies_site(plugin)


def manifest_requirements(plugin: PluginContext, analysis: Analysis, python: Sequence[str]) -> None:
    """The manifest's ``dependencies`` (and a bottle's extras) into ``analysis.declared``."""
    model = plugin.model
    source = model.source.value if model.source is not ManifestSource.NONE else "plugin.yaml"
    located = model.fields.get("dependencies")
    if located is not None:
        value = located.value
        if value is NOT_STATIC:
            analysis.declared_known = False
        elif not isinstance(value, list):
            analysis.declared_known = False
            if model.source is not ManifestSource.PLUGIN_YAML:  # the schema rule reports plugin.yaml
                analysis.invalid.append((located.span, "dependencies must be a list of requirement strings"))
        else:
            for index, item in enumerate(value):
                span = model.span(f"/dependencies/{index}")
                if not isinstance(item, str) or not item.strip():
                    if model.source is not ManifestSource.PLUGIN_YAML:  # the schema rule reports plugin.yaml
                        analysis.invalid.append((span, f"dependency {item!r} is not a requirement string"))
                    continue
                analysis.declared.append(declared_requirement(item, span, source, python))
    if model.kind is PluginKind.BOTTLE:
        _optional_dependencies(plugin, analysis, python)


def _optional_dependencies(plugin: PluginContext, analysis: Analysis, python: Sequence[str]) -> None:
    from mbcheck.documents.pointers import join_pointer

    document = getattr(plugin.manifest, "document", None)
    value = getattr(document, "value", None)
    project = value.get("project") if isinstance(value, dict) else None
    groups = project.get("optional-dependencies") if isinstance(project, dict) else None
    if document is None or not isinstance(groups, dict):
        return
    for extra, items in groups.items():
        if not isinstance(items, list):
            continue
        for index, item in enumerate(items):
            span = document.span(join_pointer(("project", "optional-dependencies", extra, index)))
            if isinstance(item, str):
                analysis.declared.append(declared_requirement(item, span, "pyproject.toml", python, extra=str(extra)))


def requirements_file(plugin: PluginContext, analysis: Analysis, python: Sequence[str]) -> None:
    """``requirements.txt`` (includes followed) into ``analysis.requirements_file``."""
    if REQUIREMENTS_FILE not in plugin.files:
        return
    files = set(plugin.files)
    parsed = parse_requirements_file(REQUIREMENTS_FILE, lambda p: plugin.text(p) if p in files else None)
    analysis.requirements_present = True
    for entry in parsed.entries:
        span = Span(entry.path, entry.line, entry.column, entry.line, entry.end_column)
        if entry.requirement is None:
            analysis.invalid.append((span, f"`{entry.text}` is not a valid PEP 508 requirement: {entry.error}"))
            continue
        analysis.requirements_file.append(declared_requirement(entry.text, span, entry.path, python))
    for problem in parsed.problems:
        span = Span(problem.path, problem.line, problem.column, problem.line, problem.end_column)
        analysis.invalid.append((span, problem.message))


__all__ = [
    "declared_requirement",
    "host_requirements",
    "import_name_distribution",
    "manifest_label",
    "manifest_requirements",
    "requirements_file",
]
