"""Config rules (category ``config``): the plugin's config schema and its default config.

``get_config_schema()`` returns the JSON Schema the plugin's configuration must
follow. When it returns a literal dict (directly, or through a constant), these
rules check it against its JSON Schema metaschema, check every ``default``
inside it against its own subschema, and validate the plugin's shipped default
configuration against it — ``default_config`` in ``plugin.yaml`` (the mapping
itself, or the path of a YAML/JSON file), else a ``config.yaml`` or
``config.json`` beside ``__init__.py``.

Parts of the schema that are not literals (``"enum": sorted(NAMES)``) are left
out; a check whose answer could depend on such a part is skipped rather than
guessed. The schemas are read by :mod:`mbcheck.checks.config.schema`, the default
configuration by :mod:`mbcheck.checks.config.defaults`. This module imports no
libcst (and jsonschema only when a schema is found).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from mbcheck.checks.config.bounded import Unbounded, static_problems
from mbcheck.checks.config.defaults import default_config, error_spans
from mbcheck.checks.config.schema import (
    config_errors,
    default_errors,
    keywords_of,
    leaf_error,
    meta_errors,
    schemas,
    subschemas,
    unsafe,
    usable,
    validator_class,
)
from mbcheck.checks.interface.examples import example_plugin
from mbcheck.context import PluginContext
from mbcheck.documents.pointers import join_pointer
from mbcheck.documents.schema import did_you_mean
from mbcheck.model import Category, Confidence, Severity, Span
from mbcheck.rules.base import EXAMPLE_MANIFEST, Invalid, PluginRule, Valid


def _schema_example(schema: str) -> str:
    """The example plugin with ``get_config_schema()`` returning ``schema``."""
    return example_plugin(
        replace={"get_config_schema": f"    def get_config_schema(self):\n        return {schema}\n"}
    )


class ConfigSchemaInvalid(PluginRule):
    """`get_config_schema()` returns a literal that is not a valid JSON Schema.

    The literal is checked against the metaschema its `$schema` names
    (Draft 2020-12 when it names none); the finding points at the offending
    key. An unknown `$schema` is reported too.
    Why: the host and tools validate the user's configuration with this schema;
    an invalid schema makes validation raise, or silently accept anything.
    Instead: fix the schema; `"type"` takes JSON type names (`"string"`,
    `"integer"`, …), `"required"` a list of property names.
    """

    code = "MB250"
    name = "config-schema-invalid"
    category = Category.CONFIG
    severity = Severity.ERROR
    other_severities: ClassVar[Mapping[Severity, str]] = {
        Severity.WARNING: "the schema names a `$schema` mbcheck does not know: it is checked as Draft 2020-12",
    }
    confidence = Confidence.HIGH
    VALID = (
        Valid(_schema_example("{'type': 'object', 'properties': {'level': {'type': 'integer', 'minimum': 0}}}")),
        Valid(_schema_example("{'type': 'object', 'properties': {'name': {'enum': sorted(NAMES)}}}")),
    )
    INVALID = (
        Invalid(
            _schema_example("{\n            'type': 'object',\n            'properties': {'level': {'type': 'int'}},\n        }"),
            line=24,
        ),
        Invalid(_schema_example("{'type': 'object', 'required': 'level'}"), line=22),
        Invalid(_schema_example("['level']"), line=22),
    )

    def check(self, plugin: PluginContext) -> None:
        for schema in schemas(plugin):
            value = schema.value
            if isinstance(value, dict) and isinstance(value.get("$schema"), str) and not validator_class(value)[1]:
                plugin.report(
                    self,
                    schema.span("/$schema"),
                    f"{schema.owner}: unknown `$schema` {value['$schema']!r}; checked as Draft 2020-12",
                    severity=Severity.WARNING,
                )
            for pointer, message in meta_errors(schema):
                where = f" at `{pointer}`" if pointer else ""
                plugin.report(
                    self, schema.span(pointer), f"{schema.owner} returns an invalid JSON Schema{where}: {message}"
                )


class ConfigSchemaDefaultInvalid(PluginRule):
    """A `default` inside the config schema does not match its own subschema.

    Why: tools and forms fill missing settings from `default`; a default the
    schema itself rejects makes the plugin's own default configuration invalid.
    Instead: make the default match (`"default": 4` for an integer, not `"4"`).
    """

    code = "MB251"
    name = "config-schema-default-invalid"
    category = Category.CONFIG
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid(_schema_example("{'type': 'object', 'properties': {'workers': {'type': 'integer', 'default': 4}}}")),
        Valid(_schema_example("{'type': 'object', 'properties': {'lang': {'enum': LANGS, 'default': 'xx'}}}")),
    )
    INVALID = (
        Invalid(
            _schema_example(
                "{\n            'type': 'object',\n            'properties': {\n"
                "                'workers': {'type': 'integer', 'minimum': 1, 'default': 0},\n            },\n        }"
            ),
            line=25,
        ),
        Invalid(
            _schema_example(
                "{'$defs': {'n': {'type': 'integer'}}, 'properties': {'x': {'$ref': '#/$defs/n', 'default': 'one'}}}"
            ),
            line=22,
        ),
    )

    def check(self, plugin: PluginContext) -> None:
        for schema in schemas(plugin):
            if not usable(schema):
                continue
            try:
                found = default_errors(schema)
            except Unbounded:  # MB255 reports it
                continue
            for pointer, sub, errors in found:
                leaf = leaf_error(errors[0])
                plugin.report(
                    self,
                    schema.span(pointer + "/default"),
                    f"{schema.owner}: default {sub['default']!r} at `{pointer or '/'}` does not match "
                    f"its own schema: {leaf.message}",
                )


class DefaultConfigInvalid(PluginRule):
    """The plugin's default configuration does not match its config schema.

    The default configuration is `default_config` in `plugin.yaml` (a
    mapping, or the path of a YAML/JSON file), else `config.yaml` or
    `config.json` beside `__init__.py`; the schema is the literal
    `get_config_schema()` returns. The finding points at the offending value.
    Why: the plugin ships a configuration its own `validate_config` contract
    rejects; users who start from it get an error (or a silently ignored
    setting) on the first run.
    Instead: fix the value, or the schema.
    """

    code = "MB252"
    name = "default-config-invalid"
    category = Category.CONFIG
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid(
            _schema_example("{'type': 'object', 'properties': {'level': {'type': 'integer'}}}"),
            files={"config.yaml": "level: 3\n"},
        ),
        Valid(
            _schema_example("{'type': 'object', 'properties': {'level': {'type': 'integer'}}}"),
            files={"plugin.yaml": EXAMPLE_MANIFEST + "default_config:\n  level: 2\n"},
        ),
    )
    INVALID = (
        Invalid(
            files={
                "__init__.py": _schema_example(
                    "{'type': 'object', 'properties': {'level': {'type': 'integer'}}, 'additionalProperties': False}"
                ),
                "config.yaml": "# defaults\nlevel: high\nextra: 1\n",
            },
            path="config.yaml",
            line=2,
        ),
        Invalid(
            files={
                "__init__.py": _schema_example("{'type': 'object', 'required': ['level']}"),
                "config.json": '{\n  "verbose": true\n}\n',
            },
            path="config.json",
            line=1,
        ),
        Invalid(
            files={
                "__init__.py": _schema_example("{'type': 'object', 'properties': {'level': {'type': 'integer'}}}"),
                "plugin.yaml": EXAMPLE_MANIFEST + "default_config:\n  level: '2'\n",
            },
            path="plugin.yaml",
            line=11,
        ),
    )

    def check(self, plugin: PluginContext) -> None:
        config, _problem = default_config(plugin)
        if config is None:
            return
        seen: set[tuple[Span, str]] = set()
        for schema in schemas(plugin):
            if not usable(schema) or unsafe(schema.literal):
                continue
            try:
                errors = config_errors(schema, config.value)
            except Unbounded:  # MB255 reports it
                continue
            for error in errors:
                for span, message in error_spans(config, leaf_error(error)):
                    if (span, message) in seen:
                        continue
                    seen.add((span, message))
                    plugin.report(
                        self, span, f"default config {config.label} does not match {schema.owner}'s schema: {message}"
                    )


class DefaultConfigUnusable(PluginRule):
    """The plugin's default configuration cannot be read, or is not a mapping.

    Covers a `default_config` path that names no file of the plugin (or one
    outside it), a file that is not valid YAML/JSON, and a top level that is
    not a mapping.
    Why: the host hands the configuration to `validate_config(config)` as a
    dict; a default it cannot read or that is not a mapping leaves the plugin
    without its defaults.
    Instead: ship a `config.yaml` (or `config.json`) holding a mapping, and
    name it correctly in `default_config`.
    """

    code = "MB253"
    name = "default-config-unusable"
    category = Category.CONFIG
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid(files={"config.yaml": "level: 3\n"}),
        Valid(files={"plugin.yaml": EXAMPLE_MANIFEST + "default_config: conf/config.json\n", "conf/config.json": "{}"}),
    )
    INVALID = (
        Invalid(files={"config.yaml": "level: [1, 2\n"}, path="config.yaml", line=2),
        Invalid(files={"config.json": "[1, 2]\n"}, path="config.json", line=1),
        Invalid(
            files={"plugin.yaml": EXAMPLE_MANIFEST + "default_config: conf/config.yaml\n"},
            path="plugin.yaml",
            line=10,
        ),
    )

    def check(self, plugin: PluginContext) -> None:
        _config, problem = default_config(plugin)
        if problem is not None:
            plugin.report(self, problem[0], problem[1])


class ConfigSchemaUnknownKeyword(PluginRule):
    """The config schema uses a keyword JSON Schema does not know (usually a typo).

    Keywords starting with `x-` are taken as deliberate extensions.
    Why: validators ignore unknown keywords, so a misspelt `"propertys"` or
    `"minimun"` silently turns a constraint off.
    Instead: fix the spelling (the finding suggests the closest keyword).
    """

    code = "MB254"
    name = "config-schema-unknown-keyword"
    category = Category.CONFIG
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    VALID = (
        Valid(_schema_example("{'type': 'object', 'x-ui': 'compact', 'properties': {'a': {'title': 'A'}}}")),
    )
    INVALID = (
        Invalid(
            _schema_example("{\n            'type': 'object',\n            'propertys': {'a': {'type': 'string'}},\n        }"),
            line=24,
        ),
        Invalid(_schema_example("{'type': 'object', 'properties': {'n': {'type': 'integer', 'minimun': 1}}}"), line=22),
    )

    def check(self, plugin: PluginContext) -> None:
        for schema in schemas(plugin):
            if not isinstance(schema.value, dict):
                continue
            cls, _known = validator_class(schema.value)
            keywords = keywords_of(cls)
            for pointer, sub in subschemas(schema.value):
                for key in sub:
                    if not isinstance(key, str) or key in keywords or key.startswith("x-"):
                        continue
                    hint = did_you_mean(key, sorted(keywords), cutoff=0.75, clause=True)
                    plugin.report(
                        self,
                        schema.key_span(join_pointer([*_split(pointer), key])),
                        f"{schema.owner}: `{key}` is not a JSON Schema keyword (validators ignore it){hint}",
                    )


class ConfigSchemaUnbounded(PluginRule):
    """Part of the config schema cannot be checked in bounded time, so mbcheck did not check it.

    mbcheck validates with the plugin's schema in its own process, so the
    schema cannot be allowed to decide how long that takes. Patterns run on
    RE2, which has no backtracking: a `pattern` or `patternProperties` regex
    that needs it (lookahead, lookbehind, backreferences) is not evaluated,
    and validation goes on without it. A schema with more than 2,000
    subschemas or nesting deeper than 24 levels is not validated at all, and
    a validation that runs past its work limit (`$ref` chains that fan out,
    `$ref` loops) is stopped; the other config checks then say nothing about
    what was not checked.
    Why: a pattern like `^(a+)+$` takes Python's backtracking engine minutes
    on a 35-character string; a checker that runs it blocks every host and CI
    job that checks the plugin. What mbcheck could not check, the host's own
    validation may hang on too.
    Instead: write patterns without lookaround or backreferences (RE2 syntax:
    `^[a-z][a-z0-9_]*$`), keep schemas small and `$ref` chains acyclic.
    """

    code = "MB255"
    name = "config-schema-unbounded"
    category = Category.CONFIG
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    VALID = (
        Valid(_schema_example("{'type': 'object', 'properties': {'name': {'type': 'string', 'pattern': '^(a+)+$'}}}")),
        Valid(_schema_example("{'type': 'object', 'patternProperties': {'^x-[a-z]+$': {'type': 'string'}}}")),
    )
    INVALID = (
        Invalid(_schema_example("{'type': 'object', 'properties': {'name': {'pattern': '^(?!admin).*$'}}}"), line=22),
        Invalid(
            _schema_example(
                "{'$defs': {'loop': {'$ref': '#/$defs/loop'}}, 'properties': {'x': {'$ref': '#/$defs/loop', 'default': 1}}}"
            ),
            line=22,
        ),
    )

    def check(self, plugin: PluginContext) -> None:
        config, _problem = default_config(plugin)
        for schema in schemas(plugin):
            if not isinstance(schema.value, dict):
                continue
            problems = static_problems(schema.value)
            for pointer, message in problems:
                plugin.report(self, schema.span(pointer), f"{schema.owner}: {message}")
            if not usable(schema):
                continue
            stopped: list[tuple[str, Unbounded]] = []
            try:
                default_errors(schema)
            except Unbounded as in_defaults:
                stopped.append(("the defaults inside it", in_defaults))
            if config is not None and not unsafe(schema.literal):
                try:
                    config_errors(schema, config.value)
                except Unbounded as in_config:
                    stopped.append((f"default config {config.label}", in_config))
            for what, reason in stopped:
                plugin.report(
                    self,
                    schema.span(""),
                    f"{schema.owner}: {what} could not be checked against the schema in bounded time: {reason}",
                )


def _split(pointer: str) -> list[str]:
    if not pointer:
        return []
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer[1:].split("/")]
