"""Dependency rules about names: what a declared name really stands for.

MB508 names one or two typing mistakes away from a popular distribution
(typosquatting); MB511 import names (``yaml`` for PyYAML) and
standard-library modules declared as requirements. Read from the plugin's
dependency facts (:mod:`mbcheck.checks.deps.analysis`); the names come from
``rules/deps/popular.json`` and ``rules/deps/import-map.json``. This module
imports no libcst.
"""

from __future__ import annotations

from mbcheck.checks.deps.emit import emit
from mbcheck.checks.deps.names import lookalike, mapped_distributions, popular_index
from mbcheck.context import PluginContext
from mbcheck.model import Category, Confidence, Severity
from mbcheck.rules.base import EXAMPLE_MANIFEST, Invalid, PluginRule, Valid

#: the example manifest with a ``dependencies`` list: its items start on line 11
DEPENDENCIES = EXAMPLE_MANIFEST + "dependencies:\n"


class LookalikeDependency(PluginRule):
    """A declared name is one or two typing mistakes away from a popular distribution, but is not it.

    `reqeusts`, `reque5ts`, `python-dateutils`, `colourama`: compared with
    the 5,000 most downloaded PyPI distributions (swapped, missing, doubled
    or look-alike characters; separators and case ignored). Names that are
    popular themselves are never reported.
    Why: typosquatting: attackers publish malicious packages under such names,
    and an installer installs whatever the name says, into the environment
    the host and every plugin share.
    Instead: correct the name to the distribution meant (named in the
    message); if the name is right, suppress with
    `# mbcheck: ignore[MB508]` on its line.
    """

    code = "MB508"
    name = "lookalike-dependency"
    category = Category.DEPENDENCY
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    VALID = (
        Valid("import requests\n", files={"plugin.yaml": DEPENDENCIES + "  - requests>=2.31\n"}),
        Valid("import requests\n", files={"plugin.yaml": DEPENDENCIES + "  - reqeusts  # mbcheck: ignore[MB508]\n"}),
    )
    INVALID = (
        Invalid(files={"__init__.py": "import requests\n", "plugin.yaml": DEPENDENCIES + "  - reqeusts>=2.31\n"}, path="plugin.yaml", line=11),
        Invalid(files={"requirements.txt": "python-dateutils==2.9.0\n"}, path="requirements.txt", line=1),
    )

    def check(self, plugin: PluginContext) -> None:
        analysis = plugin.facts.dependencies
        known = mapped_distributions()
        candidates = [
            d
            for d in analysis.valid()
            if d.import_name_of is None and not d.stdlib and d.name not in analysis.host and d.name not in known
        ]
        if not candidates:
            return
        index = popular_index()
        for declared in candidates:
            assert declared.requirement is not None
            target = lookalike(declared.requirement.name, index)
            if target is not None:
                emit(
                    plugin,
                    self,
                    declared.span,
                    f"`{declared.requirement.name}` is not a popular distribution but looks like `{target}`: "
                    "a typo, or a typosquatting package",
                )


class ImportNameAsRequirement(PluginRule):
    """A requirement names an import name or a standard-library module, not a distribution.

    `yaml` instead of `PyYAML`, `PIL` instead of `Pillow`, `cv2`, `sklearn`,
    `bs4`, `jwt`, `attr`, `fitz`; or `json`, `os`, `typing`, which Python
    itself provides. The host's own dependency check imports each
    requirement string, which nudges plugin authors towards import names.
    For the other dependency rules an import name counts as the distribution
    it stands for.
    Why: the index has no such distribution, or a different one: `jwt` and
    `fitz` are unrelated packages, `sklearn` refuses to install, `PIL` does
    not exist; a standard-library name installs nothing or an obsolete
    backport (`typing`, `dataclasses`, `asyncio`) that shadows the real
    module. Either the install fails or the wrong code is installed.
    Instead: declare the distribution named in the message; drop
    standard-library names.
    """

    code = "MB511"
    name = "import-name-as-requirement"
    category = Category.DEPENDENCY
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    VALID = (Valid(files={"__init__.py": "import yaml\nimport json\n", "plugin.yaml": DEPENDENCIES + "  - PyYAML>=6\n"}),)
    INVALID = (
        Invalid(files={"__init__.py": "import yaml\n", "plugin.yaml": DEPENDENCIES + "  - yaml\n"}, path="plugin.yaml", line=11),
        Invalid(files={"__init__.py": "import jwt\n", "plugin.yaml": DEPENDENCIES + "  - jwt>=2\n"}, path="plugin.yaml", line=11),
        Invalid(files={"__init__.py": "import json\n", "plugin.yaml": DEPENDENCIES + "  - click\n  - json\n"}, path="plugin.yaml", line=12),
    )

    def check(self, plugin: PluginContext) -> None:
        for declared in plugin.facts.dependencies.valid():
            if declared.requirement is None:
                continue
            name = declared.requirement.name
            if declared.stdlib:
                emit(
                    plugin,
                    self,
                    declared.span,
                    f"`{name}` is a standard-library module, not a distribution: Python provides it; "
                    "remove the requirement",
                )
            elif declared.import_name_of is not None:
                fixed = declared.text.replace(name, declared.import_name_of, 1)
                emit(
                    plugin,
                    self,
                    declared.span,
                    f"`{name}` is an import name; the distribution that provides it is "
                    f"`{declared.import_name_of}`: declare `{fixed}`",
                )


__all__ = ["ImportNameAsRequirement", "LookalikeDependency"]
