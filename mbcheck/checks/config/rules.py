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
guessed. This module imports no libcst (and jsonschema only when a schema is
found).
"""

from __future__ import annotations

import difflib
import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from mbcheck.checks.interface.rules import LiteralFact, config_schema_literals, example_plugin
from mbcheck.context import PluginContext
from mbcheck.documents.pointers import (
    DocumentError,
    LoadedDocument,
    LoadLimits,
    join_pointer,
    load_yaml,
)
from mbcheck.model import NOT_STATIC, Category, Confidence, PluginKind, Severity, Span
from mbcheck.rules.base import EXAMPLE_MANIFEST, Invalid, PluginRule, Valid

#: the conventional default-config files beside ``__init__.py``, in the order they are looked for
DEFAULT_CONFIG_FILES = ("config.yaml", "config.json")

#: keywords holding one subschema / a map of subschemas / a list of subschemas
_ONE = (
    "additionalProperties", "items", "contains", "propertyNames", "not", "if", "then", "else",
    "unevaluatedItems", "unevaluatedProperties", "additionalItems", "contentSchema",
)
_MAP = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "dependencies")
_LIST = ("allOf", "anyOf", "oneOf", "prefixItems", "items")
#: keywords under which leaving a part out could make a schema stricter, not looser
_NEGATING = frozenset({"not", "if", "oneOf", "dependentSchemas", "dependencies"})
#: keywords every draft knows that no validator implements (annotations, identifiers)
_ANNOTATIONS = frozenset(
    {
        "$schema", "$id", "id", "$anchor", "$dynamicAnchor", "$recursiveAnchor", "$vocabulary", "$comment",
        "$defs", "definitions", "title", "description", "default", "examples", "deprecated", "readOnly",
        "writeOnly", "contentMediaType", "contentEncoding", "contentSchema", "then", "else", "format",
        "dependencies", "additionalItems", "$ref", "$dynamicRef", "$recursiveRef",
    }
)


def _schema_example(schema: str) -> str:
    return example_plugin(
        replace={"get_config_schema": f"    def get_config_schema(self):\n        return {schema}\n"}
    )


# ---------------------------------------------------------------------------
# schemas


@dataclass(frozen=True)
class Schema:
    """A literal config schema and where it is written."""

    path: str
    literal: LiteralFact
    owner: str
    spans: dict[str, Span]

    @property
    def value(self) -> Any:
        return self.literal.value

    def span(self, pointer: str) -> Span:
        probe = pointer
        while True:
            found = self.spans.get(probe)
            if found is not None:
                return found
            if not probe:
                return Span(self.path)
            probe = probe.rsplit("/", 1)[0]

    def key_span(self, pointer: str) -> Span:
        return self.spans.get(pointer + "#key") or self.span(pointer)


def schemas(plugin: PluginContext) -> list[Schema]:
    out: list[Schema] = []
    for path, literal, owner in config_schema_literals(plugin):
        if literal.value is not NOT_STATIC:
            out.append(Schema(path, literal, owner, literal.span_map()))
    return out


def _validator_class(schema: Any) -> tuple[Any, bool]:
    """The validator for a schema's ``$schema`` (2020-12 when absent), and whether it is known."""
    from jsonschema import Draft202012Validator
    from jsonschema.validators import validator_for

    if isinstance(schema, dict) and "$schema" in schema:
        found = validator_for(schema, default=cast(Any, None))
        if found is None:
            return Draft202012Validator, False
        return found, True
    return Draft202012Validator, True


def subschemas(value: Any, pointer: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema object inside a schema (itself first), with its JSON pointer."""
    stack: list[tuple[str, Any]] = [(pointer, value)]
    while stack:
        where, schema = stack.pop()
        if not isinstance(schema, dict):
            continue
        yield where, schema
        found: list[tuple[str, Any]] = []
        for key in _ONE:
            if isinstance(schema.get(key), dict):
                found.append((join_pointer((key,)), schema[key]))
        for key in _MAP:
            if isinstance(schema.get(key), dict):
                for name, sub in schema[key].items():
                    found.append((join_pointer((key, name)), sub))
        for key in _LIST:
            if isinstance(schema.get(key), list):
                for index, sub in enumerate(schema[key]):
                    found.append((join_pointer((key, index)), sub))
        stack.extend((where + rel, sub) for rel, sub in reversed(found))


def unsafe(literal: LiteralFact, pointer: str = "") -> bool:
    """Whether parts left out below ``pointer`` could make the schema stricter.

    Leaving a keyword out of a schema makes it accept more, except under
    negating keywords (``not``, ``if``, ``oneOf``, …) and where a mapping's
    keys are unknown (``properties`` next to ``additionalProperties: false``).
    """
    for hole in literal.holes_under(pointer):
        if hole in literal.open:
            return True
        if any(part in _NEGATING for part in hole[len(pointer):].split("/")):
            return True
    return False


def _contains_ref(schema: Any) -> bool:
    return any("$ref" in sub or "$dynamicRef" in sub for _, sub in subschemas(schema))


@cache
def _keywords(validator: Any) -> frozenset[str]:
    meta = validator.META_SCHEMA.get("properties", {})
    return frozenset(validator.VALIDATORS) | frozenset(meta) | _ANNOTATIONS


def _leaf(error: Any) -> Any:
    from jsonschema.exceptions import best_match

    while error.context:
        error = best_match(error.context)
    return error


def meta_errors(schema: Schema) -> list[tuple[str, str]]:
    """Metaschema violations of a literal schema: (pointer, message)."""
    value = schema.value
    if isinstance(value, bool):
        return []
    if not isinstance(value, dict):
        return [("", f"it is a {_type_name(value)}, not a JSON Schema object")]
    cls, _known = _validator_class(value)
    out: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for error in cls(cls.META_SCHEMA).iter_errors(value):
        leaf = _leaf(error)
        pointer = join_pointer(leaf.absolute_path)
        if error.validator in ("required", "dependencies", "dependentRequired") and schema.literal.holes_under(
            join_pointer(error.absolute_path)
        ):
            continue
        item = (pointer, leaf.message)
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def _type_name(value: Any) -> str:
    if value is None:
        return "None"
    return {bool: "bool", dict: "dict", list: "list", str: "string", int: "number", float: "number"}.get(
        type(value), type(value).__name__
    )


def _usable(schema: Schema) -> bool:
    return isinstance(schema.value, dict) and not meta_errors(schema)


# ---------------------------------------------------------------------------
# default configs


@dataclass(frozen=True)
class DefaultConfig:
    """A shipped default configuration and how to place a pointer in it."""

    label: str
    value: Any
    span: Callable[[str], Span]
    key_span: Callable[[str], Span]


def _inline_config(plugin: PluginContext) -> DefaultConfig | None:
    document = getattr(plugin.manifest, "document", None)
    if not isinstance(document, LoadedDocument):
        return None
    base = "/default_config"
    return DefaultConfig(
        "`default_config` in plugin.yaml",
        plugin.model.value("default_config"),
        lambda pointer: document.span(base + pointer),
        lambda pointer: document.key_span(base + pointer),
    )


def default_config(plugin: PluginContext) -> tuple[DefaultConfig | None, tuple[Span, str] | None]:
    """The plugin's default config, or the problem that makes it unusable."""
    if plugin.model.kind is not PluginKind.PLUGIN:
        return None, None
    declared = plugin.model.fields.get("default_config")
    path: str | None = None
    if declared is not None:
        if isinstance(declared.value, dict):
            return _inline_config(plugin), None
        if not isinstance(declared.value, str):
            return None, None  # the manifest schema rule reports the type
        path = posixpath.normpath(declared.value.strip())
        if declared.value.startswith("/") or path.startswith("../") or path == "..":
            return None, (declared.span, f"default_config {declared.value!r} points outside the plugin")
        if path not in plugin.files:
            return None, (declared.span, f"default_config {declared.value!r}: no such file in the plugin")
    else:
        path = next((name for name in DEFAULT_CONFIG_FILES if name in plugin.files), None)
        if path is None:
            return None, None
    text = plugin.text(path)
    if text is None:
        return None, None
    try:
        document = load_yaml(text, path, LoadLimits())
    except DocumentError as error:
        return None, (error.span, f"default config `{path}` cannot be read: {error.message}")
    if not isinstance(document.value, dict):
        return None, (
            document.span(""),
            f"default config `{path}` is a {_type_name(document.value)}, not a mapping: "
            "the host passes the config to `validate_config` as a dict",
        )
    return DefaultConfig(f"`{path}`", document.value, document.span, document.key_span), None


def _error_spans(config: DefaultConfig, error: Any) -> list[tuple[Span, str]]:
    pointer = join_pointer(error.absolute_path)
    if error.validator in ("additionalProperties", "unevaluatedProperties") and isinstance(error.instance, dict):
        schema = error.schema if isinstance(error.schema, dict) else {}
        known = set(schema.get("properties", {})) if isinstance(schema.get("properties"), dict) else set()
        patterns = list(schema.get("patternProperties", {})) if isinstance(schema.get("patternProperties"), dict) else []
        unknown = [
            key for key in error.instance
            if key not in known and not any(_search(p, str(key)) for p in patterns)
        ]
        if unknown:
            return [
                (config.key_span(join_pointer([*error.absolute_path, key])), f"unknown key `{key}`")
                for key in unknown
            ]
    return [(config.span(pointer), error.message)]


def _search(pattern: str, text: str) -> bool:
    try:
        return re.search(pattern, text) is not None
    except re.error:
        return False


# ---------------------------------------------------------------------------
# rules


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
            if isinstance(value, dict) and isinstance(value.get("$schema"), str) and not _validator_class(value)[1]:
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
            if not _usable(schema):
                continue
            cls, _known = _validator_class(schema.value)
            root = cls(schema.value)
            whole_unsafe = unsafe(schema.literal)
            for pointer, sub in subschemas(schema.value):
                if "default" not in sub or schema.literal.holes_under(pointer + "/default"):
                    continue
                if unsafe(schema.literal, pointer) or (whole_unsafe and _contains_ref(sub)):
                    continue
                try:
                    errors = list(root.evolve(schema=sub).iter_errors(sub["default"]))
                except Exception:  # an unresolvable $ref, a bad pattern: not this rule's finding
                    continue
                if errors:
                    leaf = _leaf(errors[0])
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
            if not _usable(schema) or unsafe(schema.literal):
                continue
            cls, _known = _validator_class(schema.value)
            try:
                errors = sorted(cls(schema.value).iter_errors(config.value), key=lambda e: list(map(str, e.absolute_path)))
            except Exception:  # an unresolvable $ref, a bad pattern: nothing to say about the config
                continue
            for error in errors:
                for span, message in _error_spans(config, _leaf(error)):
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
            cls, _known = _validator_class(schema.value)
            keywords = _keywords(cls)
            for pointer, sub in subschemas(schema.value):
                for key in sub:
                    if not isinstance(key, str) or key in keywords or key.startswith("x-"):
                        continue
                    guess = difflib.get_close_matches(key, sorted(keywords), n=1, cutoff=0.75)
                    hint = f"; did you mean `{guess[0]}`?" if guess else ""
                    plugin.report(
                        self,
                        schema.key_span(join_pointer([*_split(pointer), key])),
                        f"{schema.owner}: `{key}` is not a JSON Schema keyword (validators ignore it){hint}",
                    )


def _split(pointer: str) -> list[str]:
    if not pointer:
        return []
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer[1:].split("/")]
