"""Conflicts between the requirements of the plugins of one run.

MilkBottle installs every plugin into one environment, beside the host's own
requirements: two declarations of the same distribution that no version
satisfies together (across plugins, or twice in one plugin) break whichever
plugin is installed first. :func:`environment_conflicts` finds them from the
plugins' dependency facts, records them in each plugin's dependency facts and
``dependencies`` report section, and returns them for reporting. It is a fact
of the run, computed whatever the rule selection. This module imports no
libcst.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from packaging.specifiers import SpecifierSet

from mbcheck.checks.deps.facts import Conflict, Declared, group_by_name
from mbcheck.checks.deps.specifiers import intersect_satisfiable, is_satisfiable
from mbcheck.context import PluginContext

#: a declaration and the plugin that declares it
Member = tuple[PluginContext, Declared]


@dataclass(frozen=True)
class Clash:
    """A declaration that cannot be installed beside ``others``.

    Either it conflicts with each of ``others`` (no version satisfies both),
    or (``group``) every pair of the group overlaps but no version satisfies
    the whole group: ``others`` is the rest of it, and ``with_host`` says the
    host's own requirement belongs to the group too.
    """

    plugin: PluginContext
    declared: Declared
    others: tuple[Member, ...]
    group: bool = False
    with_host: bool = False

    def conflicts(self) -> list[Conflict]:
        """The clash as the report section records it."""
        if self.group:
            return [Conflict(self.declared, "several", ", ".join(d.text for _, d in self.others))]
        return [
            Conflict(self.declared, "self" if other is self.plugin else str(other.model.name), theirs.text)
            for other, theirs in self.others
        ]


def _checked(items: Sequence[Declared]) -> list[Declared]:
    """Valid, active requirements whose own specifier can be satisfied (the others are problems of their own)."""
    return [d for d in items if d.requirement is not None and d.active and is_satisfiable(d.specifier)]


def _pool(plugins: Sequence[PluginContext]) -> tuple[dict[str, list[Member]], dict[str, SpecifierSet]]:
    """The run's declarations by distribution, and the host's specifiers for them."""
    pool: dict[str, list[Member]] = {}
    hosts: dict[str, SpecifierSet] = {}
    for plugin in plugins:
        analysis = plugin.facts.dependencies
        for name, items in group_by_name(_checked(analysis.declared)).items():
            host = analysis.host[name].specifier if name in analysis.host else None
            if host is not None:
                hosts[name] = host
                # a declaration the host itself rules out conflicts with the
                # host; its neighbours are not to blame for it
                items = [item for item in items if intersect_satisfiable(item.specifier, host)]
            pool.setdefault(name, []).extend((plugin, item) for item in items)
    return pool, hosts


def find_clashes(plugins: Sequence[PluginContext]) -> list[Clash]:
    """Every clash between the declarations of ``plugins``, by distribution name."""
    pool, hosts = _pool(plugins)
    compatible: dict[tuple[str, str], bool] = {}

    def agree(a: SpecifierSet, b: SpecifierSet) -> bool:
        key = (str(a), str(b)) if str(a) <= str(b) else (str(b), str(a))
        if key not in compatible:
            compatible[key] = intersect_satisfiable(a, b)
        return compatible[key]

    out: list[Clash] = []
    for name, members in sorted(pool.items()):
        if len(members) < 2:
            continue
        pairs: dict[int, list[int]] = {}
        for i, j in combinations(range(len(members)), 2):
            if not agree(members[i][1].specifier, members[j][1].specifier):
                pairs.setdefault(i, []).append(j)
                pairs.setdefault(j, []).append(i)
        for i, others in sorted(pairs.items()):
            out.append(Clash(*members[i], tuple(members[j] for j in others)))
        host = hosts.get(name)
        specs = [d.specifier for _, d in members] + ([host] if host is not None else [])
        if pairs or intersect_satisfiable(*specs):
            continue
        for plugin, declared in members:
            rest = tuple((p, d) for p, d in members if d is not declared)
            out.append(Clash(plugin, declared, rest, group=True, with_host=host is not None))
    return out


def environment_conflicts(plugins: Sequence[PluginContext]) -> list[Clash]:
    """The clashes between the requirements of a run's plugins, recorded in their facts.

    Each plugin's ``run_conflicts`` and its section's ``conflicts`` are set
    anew from this run (calling it again replaces, never adds to, what an
    earlier call recorded).
    """
    clashes = find_clashes(plugins)
    recorded: dict[int, list[Conflict]] = {}
    for clash in clashes:
        recorded.setdefault(id(clash.plugin), []).extend(clash.conflicts())
    for plugin in plugins:
        analysis = plugin.facts.dependencies
        analysis.run_conflicts = recorded.get(id(plugin), [])
        analysis.section["conflicts"] = analysis.conflict_entries()
    return clashes


__all__ = ["Clash", "Member", "environment_conflicts", "find_clashes"]
