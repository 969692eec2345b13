"""Dependency rules about the plugins of one run: one shared environment, required plugins.

MB505 requirements of the checked plugins that cannot be installed into one
environment together (found by
:func:`mbcheck.checks.deps.environment.environment_conflicts`); MB506 a
plugin named in ``requires_plugins`` that is not among them; MB507 plugins
that require each other in a cycle. These are run rules: they see every
plugin of the run. This module imports no libcst.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from mbcheck.checks.deps.emit import emit
from mbcheck.checks.deps.environment import Member, environment_conflicts
from mbcheck.checks.deps.facts import Declared
from mbcheck.checks.deps.names import canonical
from mbcheck.context import PluginContext
from mbcheck.model import Category, Confidence, Severity, Span
from mbcheck.rules.base import EXAMPLE_MANIFEST, Invalid, RunRule, Valid

#: the example manifest with a ``dependencies`` list: its items start on line 11
DEPENDENCIES = EXAMPLE_MANIFEST + "dependencies:\n"


class EnvironmentConflict(RunRule):
    """Requirements of the checked plugins that cannot be installed into one environment together.

    When a directory of plugins is checked, every pair of declarations of the
    same distribution is compared, across plugins (`a` wants `requests<2`,
    `b` wants `requests>=2.31`) and within one plugin (the same distribution
    listed twice); when every pair is compatible but the whole group (with
    the host's requirement) is not, each member is reported. Each side is
    reported at its own declaring line, naming the other. A declaration that
    conflicts with the host's own requirement is left to MB503.
    Why: MilkBottle installs every plugin into one environment; whichever is
    installed last breaks the others.
    Instead: agree on overlapping ranges, or drop the stricter bound.
    """

    code = "MB505"
    name = "plugin-dependency-conflict"
    category = Category.DEPENDENCY
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (Valid("import requests\n", files={"plugin.yaml": DEPENDENCIES + "  - requests>=2\n  - requests<3\n"}),)
    INVALID = (
        Invalid(files={"__init__.py": "import requests\n", "plugin.yaml": DEPENDENCIES + "  - requests>=2.31\n  - requests<2\n"}, path="plugin.yaml", line=11),
    )

    def check_run(self, plugins: Sequence[PluginContext]) -> None:
        for clash in environment_conflicts(plugins):
            plugin, declared = clash.plugin, clash.declared
            if clash.group:
                with_host = " and the host's requirement" if clash.with_host else ""
                message = (
                    f"`{declared.text}` cannot be installed together with {_list(plugin, clash.others)}{with_host}: "
                    "every pair overlaps, but no version satisfies them all"
                )
            else:
                message = (
                    f"`{declared.text}` conflicts with {_list(plugin, clash.others)}: no version satisfies both, "
                    "and every plugin is installed into one environment"
                )
            emit(plugin, self, declared.span, message)


#: how many other declarations a message names before "and N more"
_NAMED = 3


def _list(plugin: PluginContext, others: Sequence[Member]) -> str:
    """The first few of ``others``, each with where it is declared."""
    shown = [f"`{d.text}` ({_who(plugin, p, d)})" for p, d in others[:_NAMED]]
    more = len(others) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _who(plugin: PluginContext, other: PluginContext, declared: Declared) -> str:
    if other is plugin:
        return f"also declared at {declared.location()}"
    return f"required by plugin `{other.model.name}` at {other.root}/{declared.location()}"


class RequiredPluginMissing(RunRule):
    """A plugin named in `requires_plugins` is not among the plugins checked.

    Names match a plugin's manifest `name` or its directory name (PEP 503
    normalized). Checking a whole plugin directory, a missing plugin is an
    error; checking a single plugin, the others cannot be seen and the
    finding is information only.
    Why: the plugin needs the other one installed beside it and fails when
    it is absent.
    Instead: install the required plugin, fix the name, or remove it from
    `requires_plugins`.
    """

    code = "MB506"
    name = "required-plugin-missing"
    category = Category.DEPENDENCY
    severity = Severity.ERROR
    other_severities: ClassVar[Mapping[Severity, str]] = {
        Severity.INFO: "the run checks a single plugin, so it cannot see the plugins installed beside it",
    }
    confidence = Confidence.HIGH
    VALID = (Valid(files={"plugin.yaml": EXAMPLE_MANIFEST + "requires_plugins: [example]\n"}),)
    INVALID = (
        Invalid(files={"plugin.yaml": EXAMPLE_MANIFEST + "requires_plugins:\n  - pdf_tools\n"}, path="plugin.yaml", line=11),
    )

    def check_run(self, plugins: Sequence[PluginContext]) -> None:
        known = {name for plugin in plugins for name in plugin_names(plugin)}
        single = len(plugins) < 2
        for plugin in plugins:
            for name, span in requires_plugins(plugin):
                if canonical(name) in known:
                    continue
                if single:
                    emit(
                        plugin,
                        self,
                        span,
                        f"requires plugin `{name}`, which this run cannot see: check the whole plugin "
                        "directory to make sure it is installed",
                        severity=Severity.INFO,
                    )
                else:
                    names = ", ".join(sorted(str(p.model.name) for p in plugins))
                    emit(plugin, self, span, f"requires plugin `{name}`, which is not among the plugins checked ({names})")


class RequiredPluginCycle(RunRule):
    """Plugins require each other in a cycle through `requires_plugins` (a plugin requiring itself included).

    Why: no installation or load order satisfies a cycle; each plugin waits
    for one that waits for it, and removing any of them breaks the rest.
    Instead: break the cycle: move what both need into one plugin, or drop
    one of the requirements.
    """

    code = "MB507"
    name = "required-plugin-cycle"
    category = Category.DEPENDENCY
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    VALID = (Valid(files={"plugin.yaml": EXAMPLE_MANIFEST + "requires_plugins: [pdf_tools]\n"}),)
    INVALID = (
        Invalid(files={"plugin.yaml": EXAMPLE_MANIFEST + "requires_plugins:\n  - example\n"}, path="plugin.yaml", line=11),
    )

    def check_run(self, plugins: Sequence[PluginContext]) -> None:
        by_name: dict[str, int] = {}
        for index, plugin in enumerate(plugins):
            for name in plugin_names(plugin):
                by_name.setdefault(name, index)
        edges: dict[int, list[tuple[int, Span]]] = {}
        for index, plugin in enumerate(plugins):
            for name, span in requires_plugins(plugin):
                target = by_name.get(canonical(name))
                if target is not None:
                    edges.setdefault(index, []).append((target, span))
        for index, plugin in enumerate(plugins):
            for target, span in edges.get(index, []):
                path = _path(edges, target, index)
                if path is None:
                    continue
                names = [str(plugins[i].model.name) for i in (index, *path)]
                if len(names) > _CYCLE_NAMES:
                    names = [*names[: _CYCLE_NAMES - 2], f"... ({len(names) - _CYCLE_NAMES + 1} more)", names[-1]]
                emit(plugin, self, span, f"required plugins form a cycle: {' -> '.join(names)}")


#: the longest cycle a message spells out in full
_CYCLE_NAMES = 8


def _path(edges: dict[int, list[tuple[int, Span]]], start: int, goal: int) -> list[int] | None:
    """The shortest path from ``start`` to ``goal`` (both included), or None."""
    parents: dict[int, int | None] = {start: None}
    queue = [start]
    while queue:
        node = queue.pop(0)
        if node == goal:
            out = [node]
            while parents[out[-1]] is not None:
                parent = parents[out[-1]]
                assert parent is not None
                out.append(parent)
            return list(reversed(out))
        for target, _ in edges.get(node, []):
            if target not in parents:
                parents[target] = node
                queue.append(target)
    return None


def plugin_names(plugin: PluginContext) -> set[str]:
    """The names another plugin may use for this one (manifest name, directory), normalized."""
    return {canonical(str(plugin.model.name)), canonical(plugin.package)} - {""}


def requires_plugins(plugin: PluginContext) -> list[tuple[str, Span]]:
    """``requires_plugins`` of the manifest: (name, span) for every string item."""
    located = plugin.model.fields.get("requires_plugins")
    if located is None or not isinstance(located.value, list):
        return []
    return [
        (item, plugin.model.span(f"/requires_plugins/{index}"))
        for index, item in enumerate(located.value)
        if isinstance(item, str) and item.strip()
    ]


__all__ = ["EnvironmentConflict", "RequiredPluginCycle", "RequiredPluginMissing", "plugin_names", "requires_plugins"]
