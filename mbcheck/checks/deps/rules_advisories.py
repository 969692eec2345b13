"""Dependency rule MB510: declared requirements that admit versions with known vulnerabilities.

The advisories come from the OSV JSON file given with ``--advisories``
(:mod:`mbcheck.checks.deps.advisories`); the plugin's dependency analysis
matches them against its declarations (:mod:`mbcheck.checks.deps.analysis`),
and this rule reports the matches. This module imports no libcst.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from mbcheck.checks.deps.emit import emit
from mbcheck.context import PluginContext
from mbcheck.model import Category, Confidence, Severity
from mbcheck.rules.base import EXAMPLE_MANIFEST, Invalid, PluginRule, Valid

#: the example manifest with a ``dependencies`` list: its items start on line 11
DEPENDENCIES = EXAMPLE_MANIFEST + "dependencies:\n"

_EXAMPLE_ADVISORY = """{"id": "GHSA-j8r2-6x86-q33q", "summary": "Unintended leak of Proxy-Authorization header",
 "affected": [{"package": {"ecosystem": "PyPI", "name": "requests"},
               "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2.3.0"}, {"fixed": "2.31.0"}]}]}]}
"""


class VulnerableDependency(PluginRule):
    """A declared pin or range admits a version with a known vulnerability (`--advisories FILE`).

    Offline: the advisories come from an OSV JSON file given with
    `mbcheck lint --advisories FILE` (one record, a list, or the OSV API's
    `{"vulns": [...]}`), e.g. exported from osv.dev for the distributions a
    plugin directory uses. An affected pin is an error; a range that still
    admits affected versions is a warning. Without the option nothing is
    checked.
    Why: whatever the specifier admits may be installed, into the
    environment the host and every plugin share.
    Instead: raise the lower bound past the fixed version named in the
    message (`requests>=2.31.0`).
    """

    code = "MB510"
    name = "vulnerable-dependency"
    category = Category.DEPENDENCY
    severity = Severity.WARNING
    other_severities: ClassVar[Mapping[Severity, str]] = {
        Severity.ERROR: "the requirement pins a version the advisory names",
    }
    confidence = Confidence.HIGH
    VALID = (
        Valid("import requests\n", files={"plugin.yaml": DEPENDENCIES + "  - requests>=2.31\n"}),
        Valid(
            "import requests\n",
            files={"plugin.yaml": DEPENDENCIES + "  - requests>=2.31.0\n", "osv.json": _EXAMPLE_ADVISORY},
            config={"advisories": "{root}/osv.json"},
        ),
    )
    INVALID = (
        Invalid(
            files={
                "__init__.py": "import requests\n",
                "plugin.yaml": DEPENDENCIES + "  - requests==2.30.0\n",
                "osv.json": _EXAMPLE_ADVISORY,
            },
            config={"advisories": "{root}/osv.json"},
            path="plugin.yaml",
            line=11,
        ),
    )

    def check(self, plugin: PluginContext) -> None:
        analysis = plugin.facts.dependencies
        if analysis.advisories_error is not None:
            raise analysis.advisories_error  # the advisories file could not be used
        for vulnerability in analysis.vulnerable:
            declared, match = vulnerability.declared, vulnerability.match
            advisory = match.advisory
            fixed = ", ".join(str(v) for v in advisory.fixed)
            hint = f"; fixed in {fixed}" if fixed else "; no fixed release is known"
            summary = f": {advisory.summary}" if advisory.summary else ""
            if match.pinned:
                message = f"`{declared.text}` pins a version affected by {advisory.label}{summary}{hint}"
            else:
                message = f"`{declared.text}` admits versions affected by {advisory.label}{summary}{hint}"
            emit(plugin, self, declared.span, message, severity=Severity.ERROR if match.pinned else Severity.WARNING)


__all__ = ["VulnerableDependency"]
