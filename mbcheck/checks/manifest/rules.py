"""Manifest rules (category ``manifest``): the plugin's static metadata as a whole.

Whether there is a manifest and whether it can be read, its schema, drift
between ``plugin.yaml`` and the ``__init__.py`` dunders, duplicate keys and
the fields the host warns about. Each finding points at the offending value's
own line in ``plugin.yaml``, ``pyproject.toml`` or the ``__init__.py`` dunder
that set it. The rules on each field's format (MB103-MB110) are in
:mod:`mbcheck.checks.manifest.rules_fields`.
"""

from __future__ import annotations

import re
from typing import Any

from mbcheck.checks.manifest.analysis import DUNDER_FIELDS
from mbcheck.context import PluginContext
from mbcheck.documents.schema import (
    did_you_mean,
    errors,
    locate,
    path_text,
    shipped_schema,
    unknown_keys,
)
from mbcheck.model import NOT_STATIC, Category, Fix, ManifestSource, PluginKind, Severity
from mbcheck.rules.base import EXAMPLE_MANIFEST, Invalid, PluginRule, Valid


def _static(value: Any) -> bool:
    return value is not NOT_STATIC and value is not None


class ManifestUnreadable(PluginRule):
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
            files={"plugin.yaml": """\
a: &a [x, x, x, x, x, x, x, x, x]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""},
            path="plugin.yaml",
        ),
    )

    def check(self, plugin: PluginContext) -> None:
        if plugin.manifest is not None:
            for error in plugin.manifest.errors:
                plugin.report(self, error.span, error.message)


class ManifestMissing(PluginRule):
    """A plugin has neither `plugin.yaml` nor metadata dunders in `__init__.py`.

    Why: the host's install and discovery path (`PluginManager`) reads the
    `__init__.py` dunders and rejects a plugin without `__description__`,
    `__author__` and `__email__`; `milk marketplace validate` reads
    `plugin.yaml`.
    Instead: assign `__version__`, `__description__`, `__author__`,
    `__email__` (and `__license__`, default MIT) in `__init__.py`, and add a
    `plugin.yaml` with the same values for the marketplace.
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
                "no plugin metadata: install and discovery (`PluginManager`) read only the __init__.py dunders and "
                "reject the plugin: add __version__, __description__, __author__ and __email__ to __init__.py "
                "(and a plugin.yaml for `milk marketplace validate`)",
            )


class ManifestSchema(PluginRule):
    """The manifest does not match the plugin manifest schema.

    Checks types, required fields and unknown keys (with a did-you-mean
    suggestion) against `schemas/plugin-manifest.schema.json`.
    Why: the host builds `PluginMetadata` from these fields; a missing or
    mistyped field fails discovery or is silently ignored (a misspelt
    `dependancies` is never installed).
    Instead: write the fields as `schemas/plugin-manifest.schema.json`
    describes them: `name`, `version`, `description`, `author`, `email` and
    `license` are required, each with the type the schema's `description`
    gives; correct a misspelt key to the one the message suggests.
    """

    code = "MB102"
    name = "manifest-schema"
    category = Category.MANIFEST
    severity = Severity.ERROR
    VALID = (Valid(files={"plugin.yaml": EXAMPLE_MANIFEST}),)
    INVALID = (
        Invalid(files={"plugin.yaml": EXAMPLE_MANIFEST + "dependancies: [requests]\n"}, path="plugin.yaml", line=10),
        Invalid(files={"plugin.yaml": EXAMPLE_MANIFEST.replace("author: Example Author\n", "")}, path="plugin.yaml", line=1),
        Invalid(files={"plugin.yaml": EXAMPLE_MANIFEST.replace("tags: [example]\n", "") + "tags: yes\n"}, path="plugin.yaml", line=9),
    )

    def check(self, plugin: PluginContext) -> None:
        model = plugin.model
        if model.kind is PluginKind.BOTTLE or model.source is ManifestSource.NONE or model.raw is None:
            return
        if model.source is ManifestSource.DUNDERS:
            return  # dunders: the field rules below check values; keys are fixed
        properties = sorted(shipped_schema("plugin-manifest").get("properties", {}))
        for error in errors("plugin-manifest", model.raw):
            path = list(error.absolute_path)
            if error.validator == "additionalProperties" and isinstance(error.instance, dict):
                document = getattr(plugin.manifest, "document", None)
                for key in sorted(unknown_keys(error)):
                    hint = did_you_mean(str(key), properties, clause=True)
                    span = locate(error, document if document is not None else model, key)
                    plugin.report(self, span, f"unknown key `{key}`{hint}")
                continue
            if error.validator in ("pattern", "format") and path and path[0] in _DEDICATED:
                continue  # a dedicated rule reports it with a better message
            if error.validator == "required":
                missing = re.findall(r"'([^']+)' is a required property", error.message)
                what = missing[0] if missing else error.message
                plugin.report(self, locate(error, model), f"required field `{what}` is missing")
                continue
            where = path_text(error, ".") or "manifest"
            plugin.report(self, locate(error, model), f"`{where}`: {error.message}")


#: fields whose string format a dedicated rule checks (MB103-MB108)
_DEDICATED = frozenset(
    {"version", "email", "license", "repository", "documentation", "homepage",
     "min_milkbottle_version", "max_milkbottle_version", "python_version"}
)


class MetadataDrift(PluginRule):
    """Metadata disagrees between `plugin.yaml` and the `__init__.py` dunders.

    Version drift is the classic: `plugin.yaml` says 1.3.0, `__version__`
    still says 1.2.0.
    Why: the host reads both, on different paths: install and discovery
    (`PluginManager`) read only the dunders; `milk marketplace validate`
    reads only `plugin.yaml`. The installed plugin is what the dunders say,
    the marketplace listing what `plugin.yaml` says.
    `dependencies` are not compared: `__dependencies__` holds import names
    (install imports each), `plugin.yaml` holds requirements.
    Instead: make both agree (the dunders are the ones the host loads by).
    """

    code = "MB111"
    name = "metadata-drift"
    category = Category.MANIFEST
    severity = Severity.WARNING
    VALID = (Valid('__version__ = "1.0.0"\n'),)
    INVALID = (
        Invalid('"""Example."""\n__version__ = "1.2.0"\n', line=2,
                fixed={"plugin.yaml": EXAMPLE_MANIFEST.replace("version: 1.0.0", "version: 1.2.0")}),
    )

    def check(self, plugin: PluginContext) -> None:
        # the literal PluginMetadata(...) that get_metadata() returns, resolved with the interface
        from mbcheck.checks.interface.analysis import metadata_drift

        for span, message in metadata_drift(plugin):
            plugin.report(self, span, message)
        manifest = plugin.manifest
        if manifest is None or manifest.dunders is None or plugin.model.source is not ManifestSource.PLUGIN_YAML:
            return
        for dunder, key in DUNDER_FIELDS.items():
            if key in ("name", "dependencies"):
                # __name__ is the module's own name unless reassigned; __dependencies__ holds import
                # names (the host imports them), plugin.yaml's dependencies are requirements
                continue
            mine = plugin.model.fields.get(key)
            theirs = manifest.dunders.fields.get(key)
            if mine is None or theirs is None or not _static(mine.value) or not _static(theirs.value):
                continue
            if mine.value != theirs.value:
                plugin.report(
                    self,
                    theirs.span,
                    f"`{dunder}` is {theirs.value!r} (what install and discovery record) but plugin.yaml says "
                    f"{key} {mine.value!r} (what `milk marketplace validate` reads)",
                    fix=self.fix_drift(plugin, key, theirs.value),
                )

    def fix_drift(self, plugin: PluginContext, key: str, value: Any) -> Fix | None:
        """Write the dunder's value into plugin.yaml: the live loader (install and discovery,
        `PluginManager`) reads only the dunders, so theirs is the value the host runs with.
        Unsafe: which value wins is a choice (the marketplace listing changes)."""
        if not isinstance(value, str) or not value:
            return None
        from mbcheck.checks.manifest.fixes import field_fix

        return field_fix(plugin, key, value, f"Set plugin.yaml `{key}` to {value!r} (the `__init__.py` value the host loads)",
                         unsafe=True)


class ModuleNameReassigned(PluginRule):
    """`__init__.py` assigns the module's own `__name__` a value other than its directory name.

    Assigning the directory name itself (`__name__ = "hello_world"` in
    `hello_world/`) changes nothing and is what `milk sdk validate` needs to
    find the plugin's name, so it is not reported.
    Why: `__name__` is the module's import name, which the host sets to the
    directory name. Reassigning it renames the module for logging, pickling
    and `__module__` of every class defined after it; and install and
    discovery record this value as the plugin's name, while `sys.modules`
    holds the plugin under its directory name.
    Instead: name the directory after the plugin and assign that same name
    (or leave `__name__` alone).
    """

    code = "MB112"
    name = "module-name-reassigned"
    category = Category.MANIFEST
    severity = Severity.WARNING
    VALID = (
        Valid('__version__ = "1.0.0"\n', files={"plugin.yaml": EXAMPLE_MANIFEST.replace("version: 1.0.0\n", "") + "version: 1.0.0\n"}),
        Valid('__name__ = "example"\n'),
    )
    INVALID = (Invalid('__name__ = "hello"\n', line=1),)

    def check(self, plugin: PluginContext) -> None:
        init = plugin.modules.get("__init__.py")
        if init is None:
            return
        for fact in init.facts.dunders or ():
            if fact.name == "__name__" and fact.value != plugin.package:
                plugin.report(
                    self,
                    fact.span,
                    f"`__name__` reassigned to {fact.value!r} in the directory `{plugin.package}`: it renames the "
                    "module, and install and discovery record the plugin under this name while `sys.modules` holds "
                    "it under the directory name; assign the directory name or leave `__name__` alone",
                )


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
    INVALID = (Invalid(files={"plugin.yaml": EXAMPLE_MANIFEST.replace("description: An example plugin for the rule documentation.\n", "") + "description: Tool\n"}, path="plugin.yaml", line=9),)

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
    INVALID = (Invalid(files={"plugin.yaml": EXAMPLE_MANIFEST.replace("tags: [example]\n", "")}, path="plugin.yaml", line=1),)

    def check(self, plugin: PluginContext) -> None:
        model = plugin.model
        if model.kind is PluginKind.BOTTLE or not isinstance(model.raw, dict):
            return
        for key in ("capabilities", "tags"):
            located = model.fields.get(key)
            if located is None or located.value == []:
                span = located.span if located is not None else model.span()
                plugin.report(self, span, f"no {key} declared (the host warns about empty {key})")
