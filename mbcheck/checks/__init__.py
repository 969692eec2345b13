"""The themes mbcheck checks, one package each, and what they find out about a plugin.

Each theme (``manifest``, ``interface``, ``config``, ``security``, ``compat``,
``deps``) has the same parts: per-file *collectors* (libcst visitors run in
the one traversal of :mod:`mbcheck.pyfile`), a plugin-level *analysis* (a
function from the plugin's model and its files' facts to typed facts), and
*rules* that read those facts and emit findings.

:class:`PluginFacts` holds every theme's analysis of one plugin. The engine
computes all of them for every plugin, whatever the rule selection: the
report's facts (permissions, dependencies, compatibility) never depend on
which rules ran. This module imports no libcst.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mbcheck.checks.compat.analysis import Analysis as CompatAnalysis
    from mbcheck.checks.deps.facts import Analysis as DependencyAnalysis
    from mbcheck.checks.interface.analysis import Analysis as InterfaceAnalysis
    from mbcheck.checks.manifest.readers import Readers
    from mbcheck.checks.security.analysis import PermissionAnalysis
    from mbcheck.config import Config
    from mbcheck.context import PluginContext
    from mbcheck.pyfile.jobs import FileHook


class PluginFacts:
    """Every theme's analysis of one plugin, each computed once.

    An analysis may read another's (dependencies read the interface); each is
    computed on first use and kept. :meth:`compute` computes them all.
    """

    def __init__(self, plugin: PluginContext) -> None:
        self._plugin = plugin

    @cached_property
    def interface(self) -> InterfaceAnalysis:
        from mbcheck.checks.interface.analysis import analyse

        return analyse(self._plugin)

    @cached_property
    def permissions(self) -> PermissionAnalysis:
        from mbcheck.checks.security.analysis import analyse_permissions

        return analyse_permissions(self._plugin)

    @cached_property
    def dependencies(self) -> DependencyAnalysis:
        from mbcheck.checks.deps.analysis import analyse

        return analyse(self._plugin)

    @cached_property
    def compatibility(self) -> CompatAnalysis:
        from mbcheck.checks.compat.analysis import analyse

        return analyse(self._plugin)

    @cached_property
    def readers(self) -> Readers | None:
        from mbcheck.checks.manifest.readers import analyse

        return analyse(self._plugin)

    #: the analyses in the order the engine computes them
    NAMES = ("interface", "permissions", "dependencies", "compatibility", "readers")

    def compute(self) -> list[tuple[str, Exception]]:
        """Compute every analysis; an analysis that fails is returned with its error
        (the run goes on, and the report leaves out what it could not compute)."""
        failed: list[tuple[str, Exception]] = []
        for name in self.NAMES:
            try:
                getattr(self, name)
            except Exception as exc:  # a broken analysis must not stop the run
                failed.append((name, exc))
        return failed

    def computed(self, name: str) -> Any:
        """An analysis already computed, or None (it failed)."""
        return self.__dict__.get(name)


def analyse_run(plugins: Sequence[PluginContext]) -> list[list[tuple[str, Exception]]]:
    """Every analysis of every plugin of a run, then the run's own facts (conflicts
    between the plugins' requirements, recorded in each plugin's dependency facts).
    Returns, per plugin, the analyses that failed with their errors."""
    failures = [plugin.facts.compute() for plugin in plugins]
    if all(plugin.facts.computed("dependencies") is not None for plugin in plugins):
        from mbcheck.checks.deps.environment import environment_conflicts

        try:
            environment_conflicts(plugins)
        except Exception as exc:  # a broken analysis must not stop the run
            for failed in failures:
                failed.append(("environment", exc))
    return failures


def file_hooks(config: Config) -> tuple[FileHook, ...]:
    """The ``ast`` hooks each file's pass runs besides the rules and collectors (bandit's checks)."""
    from mbcheck.checks.security.bandit_hook import file_hook

    hook = file_hook(config)
    return (hook,) if hook is not None else ()


__all__ = ["PluginFacts", "analyse_run", "file_hooks"]
