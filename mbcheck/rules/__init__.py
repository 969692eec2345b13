"""The rule registry: every rule module is found by its name, none is listed by hand.

- ``mbcheck.rules.core``: the rules the engine itself reports (MB00x);
- in ``mbcheck.archive``, ``mbcheck.pyfile`` and each ``mbcheck.checks.<theme>``
  package, modules named ``rules*`` hold plugin-level rules (they import no
  libcst: a fully cached run needs only them), and modules named ``collect*``
  or ``source*`` hold libcst collectors and source rules.

Only mbcheck's own modules are imported here, never a plugin's.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from typing import TYPE_CHECKING

from mbcheck.rules.base import REGISTRY, Rule

if TYPE_CHECKING:
    from mbcheck.pyfile.traverse import SourceRule

#: packages whose ``rules*`` / ``collect*`` / ``source*`` modules are scanned
_PACKAGES = ("mbcheck.archive", "mbcheck.pyfile", "mbcheck.checks")
_PLUGIN_PREFIXES = ("rules",)
_SOURCE_PREFIXES = ("collect", "source")


def _modules(prefixes: tuple[str, ...]) -> tuple[str, ...]:
    """Every module under the scanned packages whose own name starts with one of ``prefixes``."""
    found: list[str] = []
    for package_name in _PACKAGES:
        package = importlib.import_module(package_name)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
            leaf = info.name.rsplit(".", 1)[1]
            if not info.ispkg and leaf.startswith(prefixes):
                found.append(info.name)
    return tuple(sorted(found))


@cache
def plugin_rule_modules() -> tuple[str, ...]:
    """Modules whose rules check a plugin as a whole (no libcst import allowed)."""
    return ("mbcheck.rules.core", *_modules(_PLUGIN_PREFIXES))


@cache
def source_rule_modules() -> tuple[str, ...]:
    """Modules defining source rules and fact collectors (libcst visitors)."""
    return _modules(_SOURCE_PREFIXES)


@cache
def load_plugin_rules() -> tuple[type[Rule], ...]:
    for name in plugin_rule_modules():
        importlib.import_module(name)
    from mbcheck.rules.base import PluginRule, RunRule

    return tuple(
        cls for _, cls in sorted(REGISTRY.items()) if issubclass(cls, (PluginRule, RunRule))
    )


@cache
def load_source_rules() -> tuple[type[SourceRule], ...]:
    for name in source_rule_modules():
        importlib.import_module(name)
    from mbcheck.pyfile.traverse import SourceRule

    return tuple(cls for _, cls in sorted(REGISTRY.items()) if issubclass(cls, SourceRule))


@cache
def all_rules() -> dict[str, type[Rule]]:
    """Every rule, by code (imports every rule module)."""
    load_plugin_rules()
    load_source_rules()
    return dict(sorted(REGISTRY.items()))
