"""Manifest rules (category ``manifest``): the plugin's static metadata.

Each finding points at the offending value's own line in ``plugin.yaml``,
``pyproject.toml`` or the ``__init__.py`` dunder that set it.
"""

from __future__ import annotations

import difflib
import re
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from mbcheck.context import PluginContext
from mbcheck.documents.pointers import join_pointer
from mbcheck.model import NOT_STATIC, Category, ManifestSource, PluginKind, Severity
from mbcheck.pyfile.facts import DunderFact
from mbcheck.resources import load_json
from mbcheck.rules.base import EXAMPLE_MANIFEST, Invalid, PluginRule, Rule, Valid

EMAIL = re.compile(r"^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]{2,}$")


def _yaml(extra: str = "", drop: tuple[str, ...] = ()) -> str:
    lines = [line for line in EXAMPLE_MANIFEST.splitlines() if line.split(":", 1)[0] not in drop]
    return "\n".join(lines) + "\n" + extra


def _static(value: Any) -> bool:
    return value is not NOT_STATIC and value is not None


def parse_python_spec(text: str) -> SpecifierSet:
    """A ``python_version``: a PEP 440 specifier; a bare version means ``>=`` it."""
    stripped = text.strip()
    if not stripped:
        raise InvalidSpecifier("empty")
    if stripped[0].isdigit():
        Version(stripped)  # raises InvalidVersion
        stripped = f">={stripped}"
    return SpecifierSet(stripped)


class ManifestUnreadable(Rule):
    """`plugin.yaml` (or `pyproject.toml`) cannot be read as a document.

    Covers invalid YAML/TOML, invalid UTF-8, NUL bytes, a manifest too large,
    nesting too deep, and YAML alias bombs ("billion laughs"), which mbcheck
    refuses instead of expanding.
    Why: the host reads `plugin.yaml` with `yaml.safe_load`; a document it
    cannot read means the plugin cannot be discovered, and an alias bomb
    exhausts the memory of whatever expands it.
    Instead: fix the document; keep the manifest a small plain mapping.
    """

    code = "MB101"
    name = "manifest-unreadable"
    category = Category.MANIFEST
    severity = Severity.ERROR
    VALID = (Valid(files={"plugin.yaml": EXAMPLE_MANIFEST}),)
    INVALID = (
        Invalid(files={"plugin.yaml": "name: example\nversion: [1.0\n"}, path="plugin.yaml", line=3),
        Invalid(
            files={"plugin.yaml": "a: &a [x, x, x, x, x, x, x, x, x]\n"
            + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(8))},
            path="plugin.yaml",
        ),
    )


class ManifestMissing(PluginRule):
    """A plugin has neither `plugin.yaml` nor metadata dunders in `__init__.py`.

    Why: the host takes a plugin's name, version and author from one of the
    two; with neither, it cannot describe, validate or version the plugin.
    Instead: add a `plugin.yaml` beside `__init__.py` with the required fields.
    """

    code = "MB100"
    name = "manifest-missing"
    category = Category.MANIFEST
    severity = Severity.ERROR
    VALID = (Valid(files={"plugin.yaml": EXAMPLE_MANIFEST}),)
    INVALID = (Invalid("def get_plugin_interface():\n    return None\n", bare=True, path="__init__.py", line=1),)

    def check(self, plugin: PluginContext) -> None:
        init = plugin.modules.get("__init__.py")
        if init is not None and not init.parsed:
            return  # MB001/MB004 already say why the dunders cannot be read
        if plugin.model.source is ManifestSource.NONE and plugin.model.kind is PluginKind.PLUGIN:
            plugin.report(
                self,
                plugin.model.span(),
                "no plugin metadata: add plugin.yaml (or __version__, __author__, … dunders to __init__.py)",
            )


@cache
def _manifest_validator() -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(load_json("schemas/plugin-manifest.schema.json"))


def _pointer(path: Any) -> str:
    return join_pointer(path)


class ManifestSchema(PluginRule):
    """The manifest does not match the plugin manifest schema.

    Checks types, required fields and unknown keys (with a did-you-mean
    suggestion) against `schemas/plugin-manifest.schema.json`.
    Why: the host builds `PluginMetadata` from these fields; a missing or
    mistyped field fails discovery or is silently ignored (a misspelt
    `dependancies` is never installed).
    Instead: follow the schema; `mbcheck explain MB102` and the schema's
    descriptions list every field.
    """

    code = "MB102"
    name = "manifest-schema"
    category = Category.MANIFEST
    severity = Severity.ERROR
    VALID = (Valid(files={"plugin.yaml": EXAMPLE_MANIFEST}),)
    INVALID = (
        Invalid(files={"plugin.yaml": _yaml("dependancies: [requests]\n")}, path="plugin.yaml", line=10),
        Invalid(files={"plugin.yaml": _yaml(drop=("author",))}, path="plugin.yaml", line=1),
        Invalid(files={"plugin.yaml": _yaml("tags: yes\n", drop=("tags",))}, path="plugin.yaml", line=9),
    )

    def check(self, plugin: PluginContext) -> None:
        model = plugin.model
        if model.kind is PluginKind.BOTTLE or model.source is ManifestSource.NONE or model.raw is None:
            return
        if model.source is ManifestSource.DUNDERS:
            return  # dunders: the field rules below check values; keys are fixed
        validator = _manifest_validator()
        properties = sorted(validator.schema.get("properties", {}))
        for error in validator.iter_errors(model.raw):
            path = list(error.absolute_path)
            if error.validator == "additionalProperties" and isinstance(error.instance, dict):
                allowed = set(error.schema.get("properties", {}))
                for key in sorted(k for k in error.instance if k not in allowed):
                    guess = difflib.get_close_matches(str(key), properties, n=1, cutoff=0.6)
                    hint = f"; did you mean `{guess[0]}`?" if guess else ""
                    document = getattr(plugin.manifest, "document", None)
                    pointer = _pointer([*path, key])
                    span = document.key_span(pointer) if document is not None else model.span(pointer)
                    plugin.report(self, span, f"unknown key `{key}`{hint}")
                continue
            if error.validator in ("pattern", "format") and path and path[0] in _DEDICATED:
                continue  # a dedicated rule reports it with a better message
            if error.validator == "required":
                missing = re.findall(r"'([^']+)' is a required property", error.message)
                what = missing[0] if missing else error.message
                plugin.report(self, model.span(_pointer(path)), f"required field `{what}` is missing")
                continue
            where = ".".join(str(p) for p in path) or "manifest"
            plugin.report(self, model.span(_pointer(path)), f"`{where}`: {error.message}")


#: fields whose string format a dedicated rule checks (MB103-MB108)
_DEDICATED = frozenset(
    {"version", "email", "license", "repository", "documentation", "homepage",
     "min_milkbottle_version", "max_milkbottle_version", "python_version"}
)


class InvalidVersion_(PluginRule):
    """The plugin's `version` is not a valid PEP 440 version.

    Why: the host parses it with `packaging.version`; an invalid version fails
    metadata validation, and upgrades cannot be ordered.
    Instead: use a PEP 440 version such as `1.2.0`.
    """

    code = "MB103"
    name = "invalid-version"
    category = Category.MANIFEST
    severity = Severity.ERROR
    VALID = (Valid(files={"plugin.yaml": EXAMPLE_MANIFEST}),)
    INVALID = (
        Invalid(files={"plugin.yaml": _yaml("version: one.two\n", drop=("version",))}, path="plugin.yaml", line=9),
        Invalid('__version__ = "v1-final"\n__author__ = "A"\n', bare=True, line=1),
    )

    def check(self, plugin: PluginContext) -> None:
        located = plugin.model.fields.get("version")
        if located is None or not isinstance(located.value, str):
            return
        try:
            Version(located.value)
        except InvalidVersion:
            plugin.report(self, located.span, f"version {located.value!r} is not a valid PEP 440 version")


class InvalidEmail(PluginRule):
    """The author's `email` is not a valid e-mail address.

    Why: the MilkBottle SDK rejects it, and users cannot reach the author.
    Instead: give an address such as `author@example.com`.
    """

    code = "MB104"
    name = "invalid-email"
    category = Category.MANIFEST
    severity = Severity.ERROR
    VALID = (Valid(files={"plugin.yaml": EXAMPLE_MANIFEST}),)
    INVALID = (Invalid(files={"plugin.yaml": _yaml("email: author-at-example\n", drop=("email",))}, path="plugin.yaml", line=9),)

    def check(self, plugin: PluginContext) -> None:
        located = plugin.model.fields.get("email")
        if located is not None and isinstance(located.value, str) and not EMAIL.match(located.value):
            plugin.report(self, located.span, f"email {located.value!r} is not a valid e-mail address")


@cache
def _spdx() -> Any:
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


class InvalidLicense(PluginRule):
    """The `license` is not a valid SPDX license expression.

    Why: marketplaces and compliance tools read the license mechanically; a
    free-form string ("MIT-ish", "see LICENSE") cannot be checked.
    Instead: use an SPDX expression such as `MIT` or `Apache-2.0 OR MIT`.
    """

    code = "MB105"
    name = "invalid-license"
    category = Category.MANIFEST
    severity = Severity.WARNING
    VALID = (
        Valid(files={"plugin.yaml": EXAMPLE_MANIFEST}),
        Valid(files={"plugin.yaml": _yaml("license: Apache-2.0 OR MIT\n", drop=("license",))}),
    )
    INVALID = (Invalid(files={"plugin.yaml": _yaml("license: MIT-ish licence\n", drop=("license",))}, path="plugin.yaml", line=9),)

    def check(self, plugin: PluginContext) -> None:
        located = plugin.model.fields.get("license")
        if located is None or not isinstance(located.value, str) or not located.value.strip():
            return
        info = _spdx().validate(located.value, validate_strict=True)
        if info.errors:
            detail = "; ".join(str(e) for e in info.errors)
            plugin.report(self, located.span, f"license {located.value!r} is not a valid SPDX expression ({detail})")


class InvalidUrl(PluginRule):
    """A `repository`, `documentation` or `homepage` value is not an http(s) URL.

    Why: the host and the marketplace link to these; a malformed URL is a dead
    link, and a non-http scheme (`javascript:`, `file:`) is unsafe to render.
    Instead: use a full `https://` URL, or leave the field out.
    """

    code = "MB106"
    name = "invalid-url"
    category = Category.MANIFEST
    severity = Severity.WARNING
    VALID = (Valid(files={"plugin.yaml": _yaml("homepage: https://example.com/plugin\n")}),)
    INVALID = (Invalid(files={"plugin.yaml": _yaml("homepage: example dot com\n")}, path="plugin.yaml", line=10),)

    def check(self, plugin: PluginContext) -> None:
        for key in ("repository", "documentation", "homepage"):
            located = plugin.model.fields.get(key)
            if located is None or not isinstance(located.value, str):
                continue
            parts = urlsplit(located.value)
            if parts.scheme not in {"http", "https"} or not parts.netloc or " " in located.value:
                plugin.report(self, located.span, f"{key} {located.value!r} is not an http(s) URL")


class InvalidHostRange(PluginRule):
    """`min_milkbottle_version`/`max_milkbottle_version` are invalid or inverted.

    Why: the host compares them with `packaging.version`; an invalid version
    or a minimum above the maximum makes the plugin unloadable everywhere.
    Instead: give PEP 440 versions with minimum <= maximum.
    """

    code = "MB107"
    name = "invalid-host-range"
    category = Category.MANIFEST
    severity = Severity.ERROR
    VALID = (Valid(files={"plugin.yaml": _yaml("min_milkbottle_version: 0.9.0\nmax_milkbottle_version: 1.5.0\n")}),)
    INVALID = (
        Invalid(files={"plugin.yaml": _yaml("min_milkbottle_version: 2.0.0\nmax_milkbottle_version: 1.0.0\n")}, path="plugin.yaml", line=11),
        Invalid(files={"plugin.yaml": _yaml("min_milkbottle_version: '>=1.0'\n")}, path="plugin.yaml", line=10),
    )

    def check(self, plugin: PluginContext) -> None:
        versions: dict[str, Version] = {}
        for key in ("min_milkbottle_version", "max_milkbottle_version"):
            located = plugin.model.fields.get(key)
            if located is None or not isinstance(located.value, str):
                continue
            try:
                versions[key] = Version(located.value)
            except InvalidVersion:
                plugin.report(self, located.span, f"{key} {located.value!r} is not a PEP 440 version")
        low, high = versions.get("min_milkbottle_version"), versions.get("max_milkbottle_version")
        if low is not None and high is not None and low > high:
            span = plugin.model.fields["max_milkbottle_version"].span
            plugin.report(self, span, f"max_milkbottle_version {high} is below min_milkbottle_version {low}")


class InvalidPythonVersion(PluginRule):
    """`python_version` is not a valid PEP 440 specifier (or bare version).

    Why: mbcheck compares it with what the code needs and what the host runs;
    the host itself only understands a bare version and calls `>=3.8` invalid.
    Instead: a specifier such as `>=3.11` or `>=3.11,<3.14` (a bare `3.11`
    means `>=3.11`).
    """

    code = "MB108"
    name = "invalid-python-version"
    category = Category.MANIFEST
    severity = Severity.ERROR
    VALID = (Valid(files={"plugin.yaml": _yaml("python_version: '3.11'\n", drop=("python_version",))}),)
    INVALID = (
        Invalid(files={"plugin.yaml": _yaml("python_version: 'three'\n", drop=("python_version",))}, path="plugin.yaml", line=9),
        Invalid(files={"plugin.yaml": _yaml("python_version: ''\n", drop=("python_version",))}, path="plugin.yaml", line=9),
    )

    def check(self, plugin: PluginContext) -> None:
        located = plugin.model.fields.get("python_version")
        if located is None or not isinstance(located.value, str):
            return
        try:
            parse_python_spec(located.value)
        except (InvalidSpecifier, InvalidVersion):
            plugin.report(self, located.span, f"python_version {located.value!r} is not a valid version specifier")


class RequiresNewerHost(PluginRule):
    """The plugin requires a newer MilkBottle than the host profile.

    Why: the host refuses to load a plugin whose `min_milkbottle_version` is
    above its own version.
    Instead: lower `min_milkbottle_version`, or check against a newer host
    profile (`host-profile` in the config).
    """

    code = "MB109"
    name = "requires-newer-host"
    category = Category.MANIFEST
    severity = Severity.ERROR
    VALID = (Valid(files={"plugin.yaml": _yaml("min_milkbottle_version: 1.0.0\n")}),)
    INVALID = (Invalid(files={"plugin.yaml": _yaml("min_milkbottle_version: 9.0.0\n")}, path="plugin.yaml", line=10),)

    def check(self, plugin: PluginContext) -> None:
        located = plugin.model.fields.get("min_milkbottle_version")
        host = plugin.host.version
        if located is None or not isinstance(located.value, str) or host is None:
            return
        try:
            wanted = Version(located.value)
        except InvalidVersion:
            return
        if wanted > host:
            plugin.report(
                self,
                located.span,
                f"requires MilkBottle >= {wanted}, but the host profile {plugin.host.name} is {host}",
            )


class HostAboveMaximum(PluginRule):
    """The host profile is newer than the plugin's `max_milkbottle_version`.

    The declared host range excludes the host: an error, like a minimum above
    the host (MB109). The `compatibility` section of the report says
    `host_ok: false`.
    Why: the plugin says it does not support this host; the host only warns
    on every start and loads it anyway, against the plugin's own declaration.
    Instead: test against the newer host and raise `max_milkbottle_version`.
    """

    code = "MB110"
    name = "host-above-maximum"
    category = Category.MANIFEST
    severity = Severity.ERROR
    VALID = (Valid(files={"plugin.yaml": _yaml("max_milkbottle_version: 2.0.0\n")}),)
    INVALID = (Invalid(files={"plugin.yaml": _yaml("max_milkbottle_version: 0.5.0\n")}, path="plugin.yaml", line=10),)

    def check(self, plugin: PluginContext) -> None:
        located = plugin.model.fields.get("max_milkbottle_version")
        host = plugin.host.version
        if located is None or not isinstance(located.value, str) or host is None:
            return
        try:
            ceiling = Version(located.value)
        except InvalidVersion:
            return
        if host > ceiling:
            plugin.report(
                self, located.span, f"host profile {plugin.host.name} ({host}) is above max_milkbottle_version {ceiling}"
            )


_DRIFT_FIELDS = ("name", "version", "description", "author", "email", "license", "dependencies", "capabilities", "tags")


class MetadataDrift(PluginRule):
    """Metadata disagrees between `plugin.yaml` and the `__init__.py` dunders.

    Version drift is the classic: `plugin.yaml` says 1.3.0, `__version__`
    still says 1.2.0.
    Why: the host reads `plugin.yaml` when it exists and the dunders
    otherwise; other tools read one or the other. Two answers to "which
    version is this?" mean one of them is wrong.
    Instead: keep one source of truth (plugin.yaml), or make both agree.
    """

    code = "MB111"
    name = "metadata-drift"
    category = Category.MANIFEST
    severity = Severity.WARNING
    VALID = (Valid('__version__ = "1.0.0"\n'),)
    INVALID = (Invalid('"""Example."""\n__version__ = "1.2.0"\n', line=2),)

    def check(self, plugin: PluginContext) -> None:
        # the literal PluginMetadata(...) that get_metadata() returns, resolved with the interface
        from mbcheck.checks.interface.rules import metadata_drift

        for span, message in metadata_drift(plugin):
            plugin.report(self, span, message)
        manifest = plugin.manifest
        if manifest is None or manifest.dunders is None or plugin.model.source is not ManifestSource.PLUGIN_YAML:
            return
        for key in _DRIFT_FIELDS:
            if key == "name":
                continue  # __name__ is the module's own name unless reassigned
            mine = plugin.model.fields.get(key)
            theirs = manifest.dunders.fields.get(key)
            if mine is None or theirs is None or not _static(mine.value) or not _static(theirs.value):
                continue
            if mine.value != theirs.value:
                dunder = next(d for d, f in _DUNDERS.items() if f == key)
                plugin.report(
                    self,
                    theirs.span,
                    f"`{dunder}` is {theirs.value!r} but plugin.yaml says {key} {mine.value!r}",
                )


_DUNDERS = {
    "__name__": "name", "__version__": "version", "__description__": "description", "__author__": "author",
    "__email__": "email", "__license__": "license", "__dependencies__": "dependencies",
    "__capabilities__": "capabilities", "__tags__": "tags",
}


class ModuleNameReassigned(PluginRule):
    """`__init__.py` assigns the module's own `__name__`.

    Why: `__name__` is the module's import name. Reassigning it renames the
    module for logging, pickling and `__module__` of every class defined after
    it, and breaks `if __name__ == "__main__"` checks; the host's dunder
    convention makes plugins do it by accident.
    Instead: put the plugin name in `plugin.yaml` (`name:`).
    """

    code = "MB112"
    name = "module-name-reassigned"
    category = Category.MANIFEST
    severity = Severity.WARNING
    VALID = (Valid('__version__ = "1.0.0"\n', files={"plugin.yaml": _yaml(drop=("version",)) + "version: 1.0.0\n"}),)
    INVALID = (Invalid('__name__ = "hello"\n', line=1),)

    def check(self, plugin: PluginContext) -> None:
        init = plugin.modules.get("__init__.py")
        if init is None:
            return
        dunders: tuple[DunderFact, ...] = init.fact("dunders", ())
        for fact in dunders:
            if fact.name == "__name__":
                plugin.report(self, fact.span, "`__name__` reassigned: it renames the module, not just the plugin")


class DuplicateManifestKey(PluginRule):
    """A key appears twice in the same mapping of `plugin.yaml`.

    Why: YAML loaders keep the last value silently; the first one is dead and
    usually the one somebody meant to edit.
    Instead: remove one of them.
    """

    code = "MB113"
    name = "duplicate-manifest-key"
    category = Category.MANIFEST
    severity = Severity.WARNING
    VALID = (Valid(files={"plugin.yaml": EXAMPLE_MANIFEST}),)
    INVALID = (Invalid(files={"plugin.yaml": EXAMPLE_MANIFEST + "version: 2.0.0\n"}, path="plugin.yaml", line=10),)

    def check(self, plugin: PluginContext) -> None:
        document = getattr(plugin.manifest, "document", None)
        for span in getattr(document, "duplicates", ()):
            plugin.report(self, span, "duplicate key: the earlier value is silently replaced")


class ShortDescription(PluginRule):
    """The `description` is shorter than 10 characters.

    Why: the host warns about it at every discovery, and users choose plugins
    by their descriptions.
    Instead: describe what the plugin does in a sentence.
    """

    code = "MB114"
    name = "short-description"
    category = Category.MANIFEST
    severity = Severity.WARNING
    VALID = (Valid(files={"plugin.yaml": EXAMPLE_MANIFEST}),)
    INVALID = (Invalid(files={"plugin.yaml": _yaml("description: Tool\n", drop=("description",))}, path="plugin.yaml", line=9),)

    def check(self, plugin: PluginContext) -> None:
        located = plugin.model.fields.get("description")
        if located is not None and isinstance(located.value, str) and len(located.value.strip()) < 10:
            plugin.report(self, located.span, f"description {located.value!r} is shorter than 10 characters")


class MissingCapabilitiesOrTags(PluginRule):
    """The plugin declares no `capabilities` or no `tags`.

    Why: the host warns when either is empty, and the marketplace uses them to
    find plugins.
    Instead: list what the plugin can do (`capabilities`) and a few `tags`.
    """

    code = "MB115"
    name = "missing-capabilities-or-tags"
    category = Category.MANIFEST
    severity = Severity.INFO
    VALID = (Valid(files={"plugin.yaml": EXAMPLE_MANIFEST}),)
    INVALID = (Invalid(files={"plugin.yaml": _yaml(drop=("tags",))}, path="plugin.yaml", line=1),)

    def check(self, plugin: PluginContext) -> None:
        model = plugin.model
        if model.kind is PluginKind.BOTTLE or not isinstance(model.raw, dict):
            return
        for key in ("capabilities", "tags"):
            located = model.fields.get(key)
            if located is None or located.value == []:
                span = located.span if located is not None else model.span()
                plugin.report(self, span, f"no {key} declared (the host warns about empty {key})")
