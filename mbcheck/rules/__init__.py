"""The rule modules, listed once.

Plugin-level rule modules import no libcst (a fully cached run needs only
them); source-rule modules define libcst visitors and collectors.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import TYPE_CHECKING

from mbcheck.rules.base import REGISTRY, Rule

if TYPE_CHECKING:
    from mbcheck.pyfile.traverse import SourceRule

#: modules whose rules check a plugin as a whole (no libcst import allowed)
PLUGIN_RULE_MODULES: tuple[str, ...] = (
    "mbcheck.archive.rules",
    "mbcheck.checks.compat.rules",
    "mbcheck.checks.config.rules",
    "mbcheck.rules.core",
    "mbcheck.checks.deps.rules",
    "mbcheck.checks.interface.rules",
    "mbcheck.checks.manifest.rules",
    "mbcheck.checks.manifest.rules_fields",
    "mbcheck.checks.security.rules",
)

#: modules defining source rules and fact collectors (libcst visitors)
SOURCE_RULE_MODULES: tuple[str, ...] = (
    "mbcheck.checks.security.bandit_rules",
    "mbcheck.checks.compat.collect",
    "mbcheck.pyfile.collect",
    "mbcheck.checks.interface.collect",
    "mbcheck.checks.security.collect",
    "mbcheck.checks.security.source_rules",
)


@cache
def load_plugin_rules() -> tuple[type[Rule], ...]:
    for name in PLUGIN_RULE_MODULES:
        importlib.import_module(name)
    from mbcheck.rules.base import PluginRule, RunRule

    return tuple(
        cls for _, cls in sorted(REGISTRY.items()) if issubclass(cls, (PluginRule, RunRule))
    )


@cache
def load_source_rules() -> tuple[type[SourceRule], ...]:
    for name in SOURCE_RULE_MODULES:
        importlib.import_module(name)
    from mbcheck.pyfile.traverse import SourceRule

    return tuple(cls for _, cls in sorted(REGISTRY.items()) if issubclass(cls, SourceRule))


@cache
def all_rules() -> dict[str, type[Rule]]:
    """Every rule, by code (imports every rule module)."""
    load_plugin_rules()
    load_source_rules()
    return dict(sorted(REGISTRY.items()))
