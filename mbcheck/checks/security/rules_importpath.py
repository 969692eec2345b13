"""Plugin-level security rule: an archive shipped in the plugin is put on the import path (MB364).

The per-file collector records what a module puts on ``sys.path`` before an
import (``SecurityFacts.path_entries``); this rule matches those entries with
the plugin's files. A shipped archive is code the host will import and
mbcheck does not read (no libcst here).
"""

from __future__ import annotations

import posixpath

from mbcheck.checks.security.analysis import security_facts
from mbcheck.checks.security.facts import IMPORTABLE_ARCHIVES
from mbcheck.context import PluginContext
from mbcheck.model import Category, Confidence, Severity
from mbcheck.rules.base import Invalid, PluginRule, Valid


def _shipped(entry: str, module_path: str, files: tuple[str, ...]) -> list[str]:
    """The plugin's archives an import-path entry names (every shipped archive when it is computed)."""
    archives = [f for f in files if f.lower().endswith(IMPORTABLE_ARCHIVES)]
    if not entry:
        return archives
    if not entry.lower().endswith(IMPORTABLE_ARCHIVES):
        return []
    name = entry.replace("\\", "/")
    beside = posixpath.normpath(posixpath.join(posixpath.dirname(module_path), name.lstrip("./")))
    return [f for f in archives if f in (beside, posixpath.normpath(name)) or posixpath.basename(f) == posixpath.basename(name)]


class ShippedArchiveOnPath(PluginRule):
    """An archive shipped in the plugin (`vendor.zip`, `lib.egg`, `x.pyz`) is put on the import path.

    Reported where a module puts it on `sys.path` (or hands it to `zipimport` /
    `site.addsitedir`) before importing; when the path is computed, every
    importable archive the plugin ships is named.
    Why: Python imports the archive's modules as if they were the plugin's, but
    they are compressed members mbcheck does not analyse: a review of the
    plugin's source says nothing about them.
    Instead: ship the code as source in the plugin's package, or depend on a
    published distribution in `requirements`.
    """

    code = "MB364"
    name = "shipped-archive-on-path"
    category = Category.SECURITY
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid("import sys\nsys.path.insert(0, 'vendor.zip')\nimport vendored\n"),
    )
    INVALID = (
        Invalid("import sys\nsys.path.insert(0, 'vendor.zip')\nimport vendored\n", files={"vendor.zip": "PK"},
                line=2),
        Invalid("import os, sys\nsys.path.append(os.path.join(os.path.dirname(__file__), 'li' + 'b.egg'))\n"
                "import lib\n", files={"lib.egg": "PK"}, line=2),
    )

    def check(self, plugin: PluginContext) -> None:
        for path, fact in sorted(security_facts(plugin).items()):
            for entry, span in fact.path_entries:
                found = _shipped(entry, path, plugin.files)
                if found:
                    names = ", ".join(f"`{f}`" for f in found[:5])
                    plugin.report(self, span, f"puts the shipped archive {names} on the import path: the host imports "
                                  "its code, which mbcheck does not analyse; ship it as source")


__all__ = ["ShippedArchiveOnPath"]
