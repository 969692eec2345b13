"""Manifest rules (MB116-MB122): what each of the host's readers will do with the plugin.

MilkBottle's install and discovery path reads only the ``__init__.py``
dunders, by importing the plugin under its directory name; ``milk sdk
validate`` reads the ``__init__.py`` syntax tree; ``milk marketplace
validate`` reads ``plugin.yaml``; only the host's ``plugin_system.validation``
reads ``python_version``. :mod:`mbcheck.checks.manifest.readers` models each
reader; the rules here say, for each path, what the host will do. This module
imports no libcst.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from functools import cache
from typing import ClassVar

from packaging.requirements import InvalidRequirement, Requirement
from packaging.version import InvalidVersion, Version

from mbcheck.archive.rules import Examples
from mbcheck.checks.manifest.readers import Readers
from mbcheck.context import HostProfile, PluginContext
from mbcheck.model import NOT_STATIC, Category, Fix, ManifestSource, PluginKind, Severity, Span
from mbcheck.rules.base import EXAMPLE_MANIFEST, Invalid, PluginRule, Valid

#: the metadata dunders the example plugins need besides plugin.yaml (install reads only these)
_DUNDERS = (
    '__version__ = "1.0.0"\n__description__ = "An example plugin for the rule documentation."\n'
    '__author__ = "Example Author"\n__email__ = "author@example.com"\n'
)
#: where a finding about the plugin directory as a whole points
_INIT = Span("__init__.py", 1, 1)
_UNDECLARED = EXAMPLE_MANIFEST.replace('python_version: "3.11"\n', "")

#: a dotted import name, as ``__import__`` takes it
IMPORT_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")

#: top-level modules ``milk`` imports at startup or the plugin system imports (host commit
#: fb2eb2c: ``src/milkbottle/cli.py`` and its static import closure, ``plugin_system/*``);
#: the host profile's requirements are added to these
HOST_IMPORTED = frozenset(
    {
        "milkbottle", "click", "rich", "typer", "slugify", "psutil", "yaml", "packaging",
        "aiohttp", "aiofiles", "cryptography", "jinja2",
    }
)


def _readers(plugin: PluginContext) -> Readers | None:
    init = plugin.modules.get("__init__.py")
    if init is not None and not init.parsed:
        return None  # MB001/MB004 say why the dunders cannot be read
    readers = plugin.facts.computed("readers")
    return readers if isinstance(readers, Readers) else None


class LiveLoaderRejects(PluginRule):
    """The host's install and discovery path will reject the plugin: a required dunder is missing, empty or not a string.

    `PluginManager` (install, discovery) imports the plugin directory and
    reads only the `__init__.py` dunders, never `plugin.yaml`:
    `__description__`, `__author__` and `__email__` default to "" and
    `PluginMetadata` rejects an empty one; `__name__` (the directory name),
    `__version__` and `__license__` (default MIT) are rejected when set empty
    or to a non-string. A missing `__version__` is a warning: the plugin is
    accepted and recorded as version 0.0.0.
    Why: a plugin that keeps its metadata only in `plugin.yaml` is refused by
    `PluginManager` ("Plugin description cannot be empty"), whatever
    `plugin.yaml` says.
    Instead: assign every field as a plain string in `__init__.py`
    (`__version__ = "1.0.0"`, `__description__`, `__author__`, `__email__`,
    `__license__`), with the same values as `plugin.yaml` if you keep one.
    """

    code = "MB116"
    name = "live-loader-rejects"
    category = Category.MANIFEST
    severity = Severity.ERROR
    other_severities: ClassVar[Mapping[Severity, str]] = {
        Severity.WARNING: "`__version__` is not set: the host accepts the plugin and records version 0.0.0",
    }
    VALID = (
        Valid(_DUNDERS),
        Valid('__version__: str = "1.0.0"\n__description__ = "Annotated is fine here."\n__author__ = "A"\n__email__ = "a@example.com"\n'),
    )
    INVALID = (
        Invalid('"""Metadata only in plugin.yaml: the host never reads it."""\n\n\ndef get_plugin_interface():\n    return None\n', line=1),
        Invalid(_DUNDERS + '__license__ = ""\n', line=5),
        Invalid(_DUNDERS.replace('__version__ = "1.0.0"', "__version__ = 1.0"), line=1),
    )

    def check(self, plugin: PluginContext) -> None:
        readers = _readers(plugin)
        if readers is None or plugin.model.source is ManifestSource.NONE:
            return  # MB100 says there is no metadata at all
        live = readers.live
        also = " (it never reads plugin.yaml)" if plugin.model.source is ManifestSource.PLUGIN_YAML else ""
        unset = [issue.key for issue in live.rejected if issue.message.endswith("is not set")]
        if unset:
            names = ", ".join(f"`{key}`" for key in unset)
            plugin.report(
                self,
                _INIT,
                f"install and discovery (`PluginManager`) reject the plugin: {names} "
                f"{'is' if len(unset) == 1 else 'are'} not set in __init__.py, so the metadata is empty{also}; "
                "assign each a non-empty string",
            )
        for issue in live.rejected:
            if issue.key in unset:
                continue
            fix = f"assign `{issue.key}` a non-empty string" if issue.key else "add an __init__.py"
            plugin.report(
                self, issue.span, f"install and discovery (`PluginManager`) reject the plugin: {issue.message}; {fix}"
            )
        if not live.rejected and "version" in live.defaulted:
            plugin.report(
                self,
                plugin.model.span() if plugin.model.source is ManifestSource.DUNDERS else _INIT,
                "no `__version__` in __init__.py: install and discovery (`PluginManager`) record version 0.0.0; "
                'add `__version__ = "..."`',
                severity=Severity.WARNING,
            )


class SdkValidateFails(PluginRule):
    """What `milk sdk validate` will report about the plugin.

    The SDK validator reads `__init__.py` as a syntax tree: plain dunder
    assignments (an annotated `__version__: str = "1.0"` is invisible to it,
    and `name` needs an explicit `__name__ = "..."`), `def` functions
    `get_plugin_interface`, `get_cli`, `get_metadata`, `validate_config` and
    `health_check`, a class with a `PluginInterface` base, and the files
    `cli.py`, `README.md`, `requirements.txt` and `tests/__init__.py`. Each
    error lowers its score; it passes at 0.8. The message says whether the
    score can still reach 0.8 (its code, dependency and security checks,
    which mbcheck does not reproduce, then decide).
    Why: plugin authors run `milk sdk validate` before publishing; the
    install path does not run it, so this is information, not a reason to
    refuse the plugin.
    Instead: add what the message names.
    """

    code = "MB117"
    name = "sdk-validate-fails"
    category = Category.MANIFEST
    severity = Severity.INFO
    VALID = (
        Valid(
            '__name__ = "example"\n' + _DUNDERS + "from milkbottle.plugin_system import PluginInterface\n\n\n"
            "class Plugin(PluginInterface):\n    def get_metadata(self): ...\n    def validate_config(self, c): ...\n"
            "    def health_check(self): ...\n\n\ndef get_plugin_interface(): ...\n\n\ndef get_cli(): ...\n",
            files={"cli.py": "", "README.md": "# example\n", "requirements.txt": "", "tests/__init__.py": ""},
        ),
    )
    INVALID = (
        Invalid('__version__: str = "1.0.0"\n', line=1),
        Invalid(_DUNDERS, line=1),
    )

    def check(self, plugin: PluginContext) -> None:
        readers = _readers(plugin)
        if readers is None:
            return
        view = readers.sdk
        fails = view.outcome == "fails"
        verdict = (
            f"it reports the plugin invalid (score at most {view.score_at_most} < 0.8)"
            if fails
            else f"its score drops (at most {view.score_at_most}; it passes at 0.8)"
        )
        if not view.errors:
            return
        located = [issue for issue in view.errors if issue.span.line and issue.span != _INIT]
        span = located[0].span if located else view.errors[0].span
        problems = "; ".join(issue.message for issue in view.errors)
        plugin.report(self, span, f"`milk sdk validate`: {problems}; {verdict}")


class MarketplaceValidateFails(PluginRule):
    """`milk marketplace validate` will report the plugin invalid.

    It needs `__init__.py` and `cli.py`, and reads `plugin.yaml`, else
    `pyproject.toml` (the whole document: `name` under `[project]` is not at
    the top level it checks), else `setup.py` (a fixed placeholder); the
    top level must have non-empty `name`, `version`, `description` and
    `author`. A plugin with only `__init__.py` dunders has "No metadata
    found".
    Why: the marketplace validator is what a publisher runs before
    submitting; the install path does not run it.
    Instead: add a `plugin.yaml` with `name`, `version`, `description` and
    `author` (the same values as the dunders) and a `cli.py`.
    """

    needs_manifest = True
    code = "MB118"
    name = "marketplace-validate-fails"
    category = Category.MANIFEST
    severity = Severity.INFO
    VALID = (Valid(_DUNDERS, files={"cli.py": ""}),)
    INVALID = (
        Invalid(_DUNDERS, line=1),
        Invalid(_DUNDERS, bare=True, files={"cli.py": ""}, line=1),
    )

    def check(self, plugin: PluginContext) -> None:
        readers = _readers(plugin)
        if readers is None:
            return
        errors = readers.marketplace.errors
        if errors:
            problems = "; ".join(issue.message for issue in errors)
            plugin.report(self, errors[0].span, f"`milk marketplace validate` reports the plugin invalid: {problems}")


class PythonVersionHostForm(PluginRule):
    """`python_version` is written in a form the host's validator does not enforce as meant.

    Only the host's `plugin_system.validation` reads `python_version` (from
    `plugin.yaml`): it calls `version.parse(value)` and compares the result
    with the running Python's `major.minor`. So a bare minimum such as
    `"3.11"` works; a specifier (`">=3.11"`, `"~=3.11"`, `"3.11.*"`) is an
    "Invalid python_version" warning and nothing is enforced; a patch
    release (`"3.11.4"`) refuses the plugin on every 3.11.x, because the
    host compares it with 3.11; an unquoted YAML number (`3.11`, and `3.10`,
    which YAML reads as 3.1) makes the validator raise an uncaught
    `TypeError`. Error for a number; warning otherwise.
    Why: the declared requirement is either not enforced, enforced against
    the wrong release, or crashes the host's validation.
    Instead: write the bare minimum `major.minor`, quoted:
    `python_version: "3.11"`.
    """

    code = "MB119"
    name = "python-version-host-form"
    category = Category.MANIFEST
    severity = Severity.WARNING
    other_severities: ClassVar[Mapping[Severity, str]] = {
        Severity.ERROR: "an unquoted number: the host's validator raises an uncaught TypeError",
    }
    VALID = (
        Valid(files={"plugin.yaml": EXAMPLE_MANIFEST}),
        Valid(files={"plugin.yaml": _UNDECLARED + 'python_version: "3.11.0"\n'}),
    )
    INVALID = (
        Invalid(files={"plugin.yaml": _UNDECLARED + 'python_version: ">=3.11"\n'}, path="plugin.yaml", line=9,
                fixed={"plugin.yaml": _UNDECLARED + 'python_version: "3.11"\n'}),
        Invalid(files={"plugin.yaml": _UNDECLARED + "python_version: '3.11.4'  # tested\n"}, path="plugin.yaml", line=9,
                fixed={"plugin.yaml": _UNDECLARED + 'python_version: "3.11"    # tested\n'}),
        Invalid(files={"plugin.yaml": _UNDECLARED + "python_version: 3.10\n"}, path="plugin.yaml", line=9,
                fixed={"plugin.yaml": _UNDECLARED + 'python_version: "3.10"\n'}),
    )

    def check(self, plugin: PluginContext) -> None:
        if plugin.model.source is not ManifestSource.PLUGIN_YAML:
            return
        located = plugin.model.fields.get("python_version")
        if located is None or located.value is None or located.value is NOT_STATIC:
            return
        value = located.value
        if not isinstance(value, str):
            shown = f"{value!r}"
            plugin.report(
                self,
                located.span,
                f"python_version is the number {shown}, not a string (YAML reads 3.10 as 3.1): the host's "
                f"validator (`plugin_system.validation`) passes it to `version.parse`, which raises an uncaught "
                f'TypeError; quote it: python_version: "{_minor_of(value)}"',
                severity=Severity.ERROR,
                fix=self.fix_number(plugin, located.span),
            )
            return
        from mbcheck.checks.manifest.rules_fields import parse_python_spec

        try:
            parse_python_spec(value)
        except ValueError:
            return  # MB108: not a version or a specifier at all
        try:
            version = Version(value.strip())
        except InvalidVersion:
            plugin.report(
                self,
                located.span,
                f"python_version {value!r} is a specifier: the host's validator (`plugin_system.validation`) "
                f'warns "Invalid python_version" and enforces nothing; write the bare minimum, '
                f'e.g. python_version: "{_suggest(value)}"',
                fix=self.fix_form(plugin, _suggest(value)) if re.search(r"\d+\.\d+", value) else None,
            )
            return
        if any(version.release[2:]):
            minor = ".".join(str(part) for part in version.release[:2])
            plugin.report(
                self,
                located.span,
                f"python_version {value!r} names a patch release: the host's validator compares it with the running "
                f"major.minor only, so it refuses the plugin on every Python {minor}.x, including {minor}.0 to "
                f'{value}; write python_version: "{minor}" (or "{version.major}.{version.minor + 1}")',
                fix=self.fix_form(plugin, minor),
            )

    def fix_number(self, plugin: PluginContext, span: Span) -> Fix | None:
        """Quote the number as written (`3.10` -> `"3.10"`, not YAML's 3.1): safe, the text the author wrote."""
        text = plugin.text(span.path)
        lines = text.splitlines() if text else []
        if span.line != span.end_line or span.line > len(lines):
            return None
        written = lines[span.line - 1][span.column - 1:span.end_column - 1].strip()
        if not re.fullmatch(r"\d+(\.\d+)*", written):
            return None
        from mbcheck.checks.manifest.fixes import field_fix

        return field_fix(plugin, "python_version", written, f'Quote it: python_version: "{written}"', unsafe=False,
                         quote=True)

    def fix_form(self, plugin: PluginContext, minor: str) -> Fix | None:
        """Write the bare minimum the host enforces: unsafe, the host starts (or stops) refusing Pythons."""
        from mbcheck.checks.manifest.fixes import field_fix

        return field_fix(plugin, "python_version", minor, f'Write python_version: "{minor}"', unsafe=True, quote=True)


def _minor_of(value: object) -> str:
    text = str(value)
    return text if re.fullmatch(r"\d+\.\d+", text) else "3.11"


def _suggest(value: str) -> str:
    found = re.search(r"(\d+)\.(\d+)", value)
    return f"{found.group(1)}.{found.group(2)}" if found else "3.11"


class DependencyNotImportName(PluginRule):
    """A `__dependencies__` entry is not an import name: installing the plugin fails.

    On install the host `__import__`s every `__dependencies__` entry exactly
    as written. A version specifier (`requests>=2.31`), extras, a marker or
    a distribution name that differs from the module it installs (`pyyaml`,
    whose module is `yaml`) is not importable, so the plugin is refused
    ("Missing dependency").
    Why: the host checks that dependencies are importable; it installs
    nothing and parses no specifiers.
    Instead: list the top-level import names (`yaml`, `requests`), and keep
    versions in `requirements.txt` or `plugin.yaml`'s `dependencies`.
    """

    code = "MB120"
    name = "dependency-not-import-name"
    category = Category.MANIFEST
    severity = Severity.ERROR
    VALID = (Valid(_DUNDERS + '__dependencies__ = ["yaml", "requests"]\n'),)
    INVALID = (
        Invalid(_DUNDERS + '__dependencies__ = ["requests>=2.31"]\n', line=5),
        Invalid(_DUNDERS + '__dependencies__ = ["pyyaml"]\n', line=5),
    )

    def check(self, plugin: PluginContext) -> None:
        readers = _readers(plugin)
        if readers is None:
            return
        fact = readers.dunders.get("__dependencies__")
        if fact is None or not isinstance(fact.value, list):
            return
        for index, entry in enumerate(fact.value):
            span = fact.item_spans[index] if index < len(fact.item_spans) else fact.span
            if not isinstance(entry, str):
                continue
            name = _import_name_for(entry)
            if IMPORT_NAME.match(entry) and name == entry:
                continue
            hint = f"; write `{name}`" if name and name != entry else "; write the module's import name"
            plugin.report(
                self,
                span,
                f"install `__import__`s `{entry}` as written: it is not an importable module name, so the host "
                f"refuses the plugin (Missing dependency){hint}",
            )


def _import_name_for(entry: str) -> str:
    """The import name ``entry`` stands for: itself when it is one, else its distribution's module."""
    if IMPORT_NAME.match(entry):
        modules = _modules_of_distribution().get(_canonical(entry))
        if modules and entry not in modules and entry.split(".")[0] not in _mapped_modules():
            return modules[0]
        return entry
    try:
        dist = Requirement(entry).name
    except InvalidRequirement:
        return ""
    modules = _modules_of_distribution().get(_canonical(dist))
    if modules:
        return modules[0]
    candidate = dist.replace("-", "_")
    return candidate if IMPORT_NAME.match(candidate) else ""


def _canonical(name: str) -> str:
    from mbcheck.checks.deps.names import canonical

    return canonical(name)


@cache
def _modules_of_distribution() -> dict[str, tuple[str, ...]]:
    """Distribution (canonical) -> the top-level modules the import map says it installs."""
    from mbcheck.checks.deps.names import load_import_map

    out: dict[str, list[str]] = {}
    for module, dists in load_import_map().items():
        for dist in (dists,) if isinstance(dists, str) else dists:
            top = module.split(".")[0]
            names = out.setdefault(_canonical(dist), [])
            if top not in names:
                names.append(top)
    # private modules (`_yaml`) last: the public one is the name to import
    return {k: tuple(sorted(v, key=lambda name: name.startswith("_"))) for k, v in out.items()}


@cache
def _mapped_modules() -> frozenset[str]:
    from mbcheck.checks.deps.names import load_import_map

    return frozenset(module.split(".")[0] for module in load_import_map())


def host_modules(host: HostProfile) -> frozenset[str]:
    """Top-level modules loaded in the host's process: the documented startup imports and the profile's requirements."""
    out = set(HOST_IMPORTED)
    for text in host.requirements:
        try:
            dist = Requirement(text).name
        except InvalidRequirement:
            continue
        modules = _modules_of_distribution().get(_canonical(dist))
        out.update(modules or (dist.replace("-", "_").lower(),))
    return frozenset(out)


@cache
def _popular_modules() -> frozenset[str]:
    """Top-level modules of popular distributions (the import map's and same-named ones)."""
    from mbcheck.checks.deps.names import load_popular

    names = {name.replace("-", "_").lower() for name in load_popular()}
    return frozenset({n for n in names if n.isidentifier()} | _mapped_modules())


class ModuleNameCollision(PluginRule):
    """The plugin's directory name (its module name in the host) is already a module's name.

    The host does `sys.path.insert(0, <plugin parent>)` and
    `__import__(<directory name>)`, and never removes either. When the name
    is a standard-library module, a module the host imports
    (`milkbottle`, `click`, `yaml`, `aiohttp`, ... and the host profile's
    requirements) or one already imported, `__import__` returns that module:
    the plugin's code never runs and the host reads the wrong module's
    metadata (and rejects it). A module not imported yet is shadowed by the
    plugin for the whole process. Error for the standard library and the
    host's modules; warning for popular distributions (they collide only
    when installed and imported). A metadata name (`__name__` or
    `plugin.yaml`'s `name`) that differs from the directory and names such a
    module is a warning: only the host's `plugin_system.validation` puts the
    plugin in `sys.modules` under it, replacing that module.
    Why: the plugin is silently replaced by another module, or replaces one
    the host or other plugins need.
    Instead: rename the plugin directory (and its metadata name) to
    something unique, e.g. with a prefix: `mb_yaml_tools`.
    """

    code = "MB121"
    name = "module-name-collision"
    category = Category.MANIFEST
    severity = Severity.ERROR
    other_severities: ClassVar[Mapping[Severity, str]] = {
        Severity.WARNING: "a popular distribution's module, or a metadata name only `plugin_system.validation` registers",
    }
    VALID = (Valid(_DUNDERS),)
    INVALID = (
        Invalid(_DUNDERS + '__name__ = "json"\n', line=5),
        Invalid(_DUNDERS + '__name__ = "click"\n', line=5),
    )

    def check(self, plugin: PluginContext) -> None:
        if plugin.model.kind is not PluginKind.PLUGIN:
            return
        package = plugin.package
        what = _collides(package, plugin.host)
        if what is not None:
            kind, severity = what
            plugin.report(
                self,
                _INIT if "__init__.py" in plugin.files else plugin.model.span(),
                f"the plugin directory `{package}` is the name of {kind}: the host's `__import__('{package}')` "
                "returns that module if it is already imported (the plugin's code never runs and its metadata is "
                "the other module's), and otherwise the plugin shadows it for the whole process; rename the directory",
                severity=severity,
            )
        seen = {package}
        readers = _readers(plugin)
        candidates = []
        if readers is not None and "__name__" in readers.dunders:
            candidates.append(readers.dunders["__name__"])
        for fact_or_field in (*candidates, plugin.model.fields.get("name")):
            if fact_or_field is None or not isinstance(fact_or_field.value, str) or fact_or_field.value in seen:
                continue
            name = fact_or_field.value
            seen.add(name)
            found = _collides(name, plugin.host)
            if found is None:
                continue
            plugin.report(
                self,
                fact_or_field.span,
                f"the metadata name `{name}` is the name of {found[0]}: the host's `plugin_system.validation` "
                f"registers the plugin as `sys.modules['{name}']`, replacing that module for the whole process; "
                "choose a unique name",
                severity=Severity.WARNING,
            )


def _collides(name: str, host: HostProfile) -> tuple[str, Severity] | None:
    top = name.split(".")[0]
    if top in sys.stdlib_module_names or top in sys.builtin_module_names:
        return f"a standard-library module (`{top}`)", Severity.ERROR
    if top in host_modules(host):
        return f"a module the host imports (`{top}`)", Severity.ERROR
    if top.lower() in _popular_modules() and top == top.lower():
        return f"a popular distribution's module (`{top}`)", Severity.WARNING
    return None


class DirectoryNotImportable(PluginRule):
    """The plugin's directory name is not a plain module name.

    The host imports the plugin with `__import__(<directory name>)`. A name
    with a dot (`my.plugin`) is read as a package path and the import fails:
    the plugin is never discovered or installed (error). Other names that
    are not identifiers (`my-plugin`, `1plugin`) import with `__import__`
    but not with an `import` statement, so tests and other code cannot
    import the plugin (warning).
    Why: the directory name is the plugin's module name on the host.
    Instead: name the directory with letters, digits and underscores, not
    starting with a digit (`my_plugin`).
    """

    code = "MB122"
    name = "directory-not-importable"
    category = Category.MANIFEST
    severity = Severity.ERROR
    other_severities: ClassVar[Mapping[Severity, str]] = {
        Severity.WARNING: "not an identifier but without a dot: `__import__` works, an `import` statement does not",
    }
    VALID = (Valid(_DUNDERS),)
    INVALID = Examples(lambda make: (
        Invalid(archive=make.zip(make.plugin("my.plugin")), path="__init__.py", line=1),
        Invalid(archive=make.zip(make.plugin("my-plugin")), path="__init__.py", line=1),
    ))

    def check(self, plugin: PluginContext) -> None:
        if plugin.model.kind is not PluginKind.PLUGIN:
            return
        package = plugin.package
        span = _INIT if "__init__.py" in plugin.files else plugin.model.span()
        if "." in package:
            plugin.report(
                self,
                span,
                f"the plugin directory `{package}` has a dot: the host's `__import__('{package}')` looks for a "
                f"package `{package.split('.')[0]}` and fails, so the plugin is never discovered or installed; "
                "rename the directory",
            )
        elif not package.isidentifier():
            plugin.report(
                self,
                span,
                f"the plugin directory `{package}` is not a Python identifier: the host's `__import__` loads it, "
                f"but `import {package}` is a syntax error (tests and other code cannot import it); rename it "
                f"`{re.sub(r'[^0-9A-Za-z_]', '_', package)}`",
                severity=Severity.WARNING,
            )


__all__ = [
    "DependencyNotImportName",
    "DirectoryNotImportable",
    "LiveLoaderRejects",
    "MarketplaceValidateFails",
    "ModuleNameCollision",
    "PythonVersionHostForm",
    "SdkValidateFails",
    "host_modules",
]
