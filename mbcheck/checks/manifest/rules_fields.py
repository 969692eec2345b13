"""Manifest field rules (MB103-MB110): each metadata value in its own format.

Versions, e-mail, license, URLs, the host range and the Python requirement,
as written in ``plugin.yaml``, ``pyproject.toml`` or an ``__init__.py``
dunder; each finding points at the offending value's own line. The
document-level manifest rules are in :mod:`mbcheck.checks.manifest.rules`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any, ClassVar
from urllib.parse import urlsplit

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from mbcheck.context import PluginContext
from mbcheck.model import Category, Fix, Located, Severity
from mbcheck.rules.base import EXAMPLE_MANIFEST, Invalid, PluginRule, Valid

EMAIL = re.compile(r"^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]{2,}$")


def parse_python_spec(text: str) -> SpecifierSet:
    """A ``python_version``: a PEP 440 specifier; a bare version means ``>=`` it."""
    stripped = text.strip()
    if not stripped:
        raise InvalidSpecifier("empty")
    if stripped[0].isdigit():
        Version(stripped)  # raises InvalidVersion
        stripped = f">={stripped}"
    return SpecifierSet(stripped)


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
        Invalid(files={"plugin.yaml": EXAMPLE_MANIFEST.replace("version: 1.0.0\n", "") + "version: one.two\n"}, path="plugin.yaml", line=9),
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
    INVALID = (Invalid(files={"plugin.yaml": EXAMPLE_MANIFEST.replace("email: author@example.com\n", "") + "email: author-at-example\n"}, path="plugin.yaml", line=9),)

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

    A valid expression written in another case than SPDX's (`mit`, `apache-2.0 or mit`)
    is reported as information, with a safe fix that writes its SPDX form
    (`packaging.licenses`).
    Why: marketplaces and compliance tools read the license mechanically; a
    free-form string ("MIT-ish", "see LICENSE") cannot be checked.
    Instead: use an SPDX expression such as `MIT` or `Apache-2.0 OR MIT`.
    """

    code = "MB105"
    name = "invalid-license"
    category = Category.MANIFEST
    severity = Severity.WARNING
    other_severities: ClassVar[Mapping[Severity, str]] = {
        Severity.INFO: "a valid expression not written in its SPDX form (`mit` for `MIT`); the fix writes it so",
    }
    VALID = (
        Valid(files={"plugin.yaml": EXAMPLE_MANIFEST}),
        Valid(files={"plugin.yaml": EXAMPLE_MANIFEST.replace("license: MIT\n", "") + "license: Apache-2.0 OR MIT\n"}),
    )
    INVALID = (
        Invalid(files={"plugin.yaml": EXAMPLE_MANIFEST.replace("license: MIT\n", "") + "license: MIT-ish licence\n"}, path="plugin.yaml", line=9),
        Invalid(files={"plugin.yaml": EXAMPLE_MANIFEST.replace("license: MIT\n", "") + "license: apache-2.0 or mit  # dual\n"},
                path="plugin.yaml", line=9,
                fixed={"plugin.yaml": EXAMPLE_MANIFEST.replace("license: MIT\n", "") + "license: Apache-2.0 OR MIT  # dual\n"}),
        Invalid(files={"__init__.py": "__version__ = '1.0.0'\n__description__ = 'An example plugin.'\n__author__ = 'A'\n"
                                      "__email__ = 'a@example.com'\n__license__ = 'mit'\n"},
                bare=True, line=5,
                fixed="__version__ = '1.0.0'\n__description__ = 'An example plugin.'\n__author__ = 'A'\n"
                      "__email__ = 'a@example.com'\n__license__ = 'MIT'\n"),
    )

    def check(self, plugin: PluginContext) -> None:
        located = plugin.model.fields.get("license")
        if located is None or not isinstance(located.value, str) or not located.value.strip():
            return
        info = _spdx().validate(located.value, validate_strict=True)
        if info.errors:
            detail = "; ".join(str(e) for e in info.errors)
            plugin.report(self, located.span, f"license {located.value!r} is not a valid SPDX expression ({detail})")
            return
        canonical = _canonical(located.value)
        if canonical is not None and canonical != located.value:
            plugin.report(self, located.span, f"license {located.value!r} is valid but not written in its SPDX form "
                          f"{canonical!r} (identifiers and operators have a fixed case)", severity=Severity.INFO,
                          fix=self.fix_license(plugin, canonical))

    def fix_license(self, plugin: PluginContext, canonical: str) -> Fix | None:
        """The license in its canonical SPDX form (`mit` -> `MIT`): safe, the same license written the
        standard way."""
        from mbcheck.checks.manifest.fixes import field_fix

        return field_fix(plugin, "license", canonical, f"Write the license as `{canonical}`", unsafe=False)


def _canonical(value: str) -> str | None:
    """``value`` in its canonical SPDX form (``packaging.licenses``), or None when packaging cannot say."""
    try:
        from packaging.licenses import InvalidLicenseExpression, canonicalize_license_expression
    except ImportError:  # packaging < 24.2
        return None
    try:
        return canonicalize_license_expression(value)
    except InvalidLicenseExpression:
        return None



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
    VALID = (Valid(files={"plugin.yaml": EXAMPLE_MANIFEST + "homepage: https://example.com/plugin\n"}),)
    INVALID = (Invalid(files={"plugin.yaml": EXAMPLE_MANIFEST + "homepage: example dot com\n"}, path="plugin.yaml", line=10),)

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
    VALID = (Valid(files={"plugin.yaml": EXAMPLE_MANIFEST + "min_milkbottle_version: 0.9.0\nmax_milkbottle_version: 1.5.0\n"}),)
    INVALID = (
        Invalid(files={"plugin.yaml": EXAMPLE_MANIFEST + "min_milkbottle_version: 2.0.0\nmax_milkbottle_version: 1.0.0\n"}, path="plugin.yaml", line=11),
        Invalid(files={"plugin.yaml": EXAMPLE_MANIFEST + "min_milkbottle_version: '>=1.0'\n"}, path="plugin.yaml", line=10),
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
    """`python_version` is neither a version nor a PEP 440 specifier.

    Why: mbcheck compares it with what the code needs and what the host runs;
    the host's validator (`plugin_system.validation`) warns "Invalid
    python_version" about it and enforces nothing.
    Instead: the bare minimum the host understands, quoted:
    `python_version: "3.11"` (MB119 says what the host does with the
    other forms).
    """

    code = "MB108"
    name = "invalid-python-version"
    category = Category.MANIFEST
    severity = Severity.ERROR
    VALID = (Valid(files={"plugin.yaml": EXAMPLE_MANIFEST.replace('python_version: "3.11"\n', "") + "python_version: '3.11'\n"}),)
    INVALID = (
        Invalid(files={"plugin.yaml": EXAMPLE_MANIFEST.replace('python_version: "3.11"\n', "") + "python_version: 'three'\n"}, path="plugin.yaml", line=9),
        Invalid(files={"plugin.yaml": EXAMPLE_MANIFEST.replace('python_version: "3.11"\n', "") + "python_version: ''\n"}, path="plugin.yaml", line=9),
    )

    def check(self, plugin: PluginContext) -> None:
        located = plugin.model.fields.get("python_version")
        if located is None or not isinstance(located.value, str):
            return
        try:
            parse_python_spec(located.value)
        except (InvalidSpecifier, InvalidVersion):
            plugin.report(
                self,
                located.span,
                f"python_version {located.value!r} is not a version: the host's validator warns \"Invalid "
                f'python_version\" and enforces nothing; write the bare minimum, e.g. python_version: "3.11"',
            )


def _against_host(plugin: PluginContext, key: str) -> tuple[Located, Version, Version] | None:
    """The version field ``key``, its version and the host profile's, when both are known."""
    located = plugin.model.fields.get(key)
    host = plugin.host.version
    if located is None or not isinstance(located.value, str) or host is None:
        return None
    try:
        return located, Version(located.value), host
    except InvalidVersion:
        return None


class RequiresNewerHost(PluginRule):
    """The plugin requires a newer MilkBottle than the host profile.

    The host's version is the one its compatibility check compares with
    (the host profile's `milkbottle_version`: MilkBottle's
    `MilkBottleConfig.version`, 5.0.0 at the shipped profile, not its package
    `__version__` 1.0.0).
    Why: the host refuses to load a plugin whose `min_milkbottle_version` is
    above its own version.
    Instead: lower `min_milkbottle_version`, or check against a newer host
    profile (`host-profile` in the config).
    """

    code = "MB109"
    name = "requires-newer-host"
    category = Category.MANIFEST
    severity = Severity.ERROR
    VALID = (Valid(files={"plugin.yaml": EXAMPLE_MANIFEST + "min_milkbottle_version: 1.0.0\n"}),)
    INVALID = (Invalid(files={"plugin.yaml": EXAMPLE_MANIFEST + "min_milkbottle_version: 9.0.0\n"}, path="plugin.yaml", line=10),)

    def check(self, plugin: PluginContext) -> None:
        found = _against_host(plugin, "min_milkbottle_version")
        if found is None:
            return
        located, wanted, host = found
        if wanted > host:
            plugin.report(
                self,
                located.span,
                f"requires MilkBottle >= {wanted}, but the host is {plugin.host.version_label()}",
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
    VALID = (Valid(files={"plugin.yaml": EXAMPLE_MANIFEST + "max_milkbottle_version: 5.9.0\n"}),)
    INVALID = (Invalid(files={"plugin.yaml": EXAMPLE_MANIFEST + "max_milkbottle_version: 0.5.0\n"}, path="plugin.yaml", line=10),)

    def check(self, plugin: PluginContext) -> None:
        found = _against_host(plugin, "max_milkbottle_version")
        if found is None:
            return
        located, ceiling, host = found
        if host > ceiling:
            plugin.report(
                self, located.span, f"max_milkbottle_version {ceiling} is below the host's {plugin.host.version_label()}"
            )
