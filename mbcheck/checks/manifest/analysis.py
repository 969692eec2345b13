"""Build a plugin's :class:`~mbcheck.model.PluginModel` without running it.

Sources, in the host's order: ``plugin.yaml``; else the ``__init__.py``
dunders (read from the per-file facts, by literal evaluation); for a bottle
distribution, ``pyproject.toml``'s ``[project]`` table; for an in-tree bottle
(``milkbottle/modules/<dir>``), what the bottle registry reads: the dict its
``get_metadata()`` returns when the package defines one (its keys override
everything, and the dunders are then never read), else ``__alias__`` (the
name), ``__version__``, ``__description__``, ``__author__`` and
``__email__``. Every value keeps the span it was written at.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from mbcheck.context import FileOutcome
from mbcheck.documents.pointers import (
    DocumentError,
    LoadedDocument,
    join_pointer,
    load_toml,
    load_yaml,
)
from mbcheck.model import (
    NOT_STATIC,
    Located,
    ManifestSource,
    PluginKind,
    PluginModel,
    Span,
)
from mbcheck.pyfile.facts import DunderFact

DUNDER_FIELDS: Mapping[str, str] = {
    "__name__": "name",
    "__version__": "version",
    "__description__": "description",
    "__author__": "author",
    "__email__": "email",
    "__license__": "license",
    "__dependencies__": "dependencies",
    "__capabilities__": "capabilities",
    "__tags__": "tags",
}


@dataclass(frozen=True)
class ManifestResult:
    model: PluginModel
    #: why the manifest document could not be read (MB101 reports it)
    errors: tuple[DocumentError, ...] = ()
    document: LoadedDocument | None = None
    #: metadata read from the dunders even when plugin.yaml wins (for drift checks)
    dunders: PluginModel | None = None


def _display_name(fields: Mapping[str, Located], name: str) -> str:
    """The plugin's ``name`` field when it is a string, else its directory name."""
    value = fields["name"].value if "name" in fields else None
    return value if isinstance(value, str) else name


def _from_document(
    name: str, kind: PluginKind, source: ManifestSource, path: str, doc: LoadedDocument, value: Any
) -> PluginModel:
    fields: dict[str, Located] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            fields[str(key)] = Located(item, doc.span(join_pointer([key])))
    return PluginModel(_display_name(fields, name), kind, source, path, fields, dict(doc.pointers), value)


def model_from_dunders(name: str, init: FileOutcome | None) -> PluginModel | None:
    facts: tuple[DunderFact, ...] = (init.facts.dunders if init is not None else None) or ()
    fields: dict[str, Located] = {}
    pointers: dict[str, Span] = {}
    raw: dict[str, Any] = {}
    for fact in facts:
        key = DUNDER_FIELDS.get(fact.name)
        if key is None:
            continue
        fields[key] = Located(fact.value, fact.span)
        pointers[f"/{key}"] = fact.span
        for index, span in enumerate(fact.item_spans):
            pointers[f"/{key}/{index}"] = span
        if fact.value is not NOT_STATIC:
            raw[key] = fact.value
    if not fields:
        return None
    pointers.setdefault("", Span("__init__.py"))
    return PluginModel(_display_name(fields, name), PluginKind.PLUGIN, ManifestSource.DUNDERS, "__init__.py", fields, pointers, raw)


#: the dunders the bottle registry reads when a bottle has no ``get_metadata`` (reg:145-161)
BOTTLE_DUNDER_FIELDS: Mapping[str, str] = {
    "__alias__": "name",
    "__version__": "version",
    "__description__": "description",
    "__author__": "author",
    "__email__": "email",
}


def _local_bottle_model(name: str, init: FileOutcome | None) -> PluginModel:
    """An in-tree bottle's metadata as the registry reads it (see the module docstring)."""
    fields: dict[str, Located] = {}
    pointers: dict[str, Span] = {"": Span("__init__.py")}
    raw: dict[str, Any] = {}
    interface = init.facts.interface if init is not None else None
    metadata = next((f for f in interface.functions if f.name == "get_metadata"), None) if interface else None
    if metadata is not None:
        literals = [r.literal for r in metadata.returns if r.literal is not None and isinstance(r.literal.value, dict)]
        if len(literals) == 1 and len(metadata.returns) == 1:
            literal = literals[0]
            spans = literal.span_map()
            fallback = spans.get("") or metadata.span or Span("__init__.py")
            holes = set(literal.holes)
            for key, value in literal.value.items():
                pointer = join_pointer([key])
                span = spans.get(pointer, fallback)
                known = pointer not in holes and not literal.holes_under(pointer)
                fields[str(key)] = Located(value if known else NOT_STATIC, span)
                pointers[f"/{key}"] = span
                if known:
                    raw[str(key)] = value
            for pointer in holes:
                key = pointer.lstrip("/").split("/", 1)[0]
                if pointer == f"/{key}" and key not in fields:
                    fields[key] = Located(NOT_STATIC, spans.get(pointer, fallback))
    else:
        for fact in (init.facts.dunders if init is not None else None) or ():
            key = BOTTLE_DUNDER_FIELDS.get(fact.name)
            if key is None:
                continue
            fields[key] = Located(fact.value, fact.span)
            pointers[f"/{key}"] = fact.span
            if fact.value is not NOT_STATIC:
                raw[key] = fact.value
    return PluginModel(_display_name(fields, name), PluginKind.BOTTLE, ManifestSource.DUNDERS, "__init__.py", fields, pointers, raw)


def _bottle_model(name: str, doc: LoadedDocument) -> PluginModel:
    project = doc.value.get("project", {}) if isinstance(doc.value, dict) else {}
    project = project if isinstance(project, dict) else {}
    fields: dict[str, Located] = {}
    pointers: dict[str, Span] = {"": doc.pointers.get("", Span("pyproject.toml"))}

    def put(key: str, value: Any, pointer: str) -> None:
        span = doc.pointers.get(pointer, pointers[""])
        fields[key] = Located(value, span)
        pointers[f"/{key}"] = span

    for key in ("name", "version", "description"):
        if key in project:
            put(key, project[key], f"/project/{key}")
    authors = project.get("authors")
    if isinstance(authors, list) and authors and isinstance(authors[0], dict):
        if "name" in authors[0]:
            put("author", authors[0]["name"], "/project/authors/0/name")
        if "email" in authors[0]:
            put("email", authors[0]["email"], "/project/authors/0/email")
    license_value = project.get("license")
    if isinstance(license_value, dict) and "text" in license_value:
        put("license", license_value["text"], "/project/license/text")
    elif isinstance(license_value, str):
        put("license", license_value, "/project/license")
    if "dependencies" in project:
        put("dependencies", project["dependencies"], "/project/dependencies")
        for index in range(len(project["dependencies"]) if isinstance(project["dependencies"], list) else 0):
            pointers[f"/dependencies/{index}"] = doc.pointers.get(f"/project/dependencies/{index}", pointers[""])
    if "requires-python" in project:
        put("python_version", project["requires-python"], "/project/requires-python")
    raw = {k: v.value for k, v in fields.items()}
    return PluginModel(_display_name(fields, name), PluginKind.BOTTLE, ManifestSource.PYPROJECT, "pyproject.toml", fields, pointers, raw)


def build_model(
    name: str,
    kind: PluginKind,
    files: list[str] | tuple[str, ...],
    read_bytes: Callable[[str], bytes | None],
    init: FileOutcome | None,
) -> ManifestResult:
    """The plugin's model, from the source the host would use."""
    dunders = model_from_dunders(name, init)
    if kind is PluginKind.BOTTLE and "." in name:
        # an in-tree bottle (``milkbottle.modules.<dir>``): keyed by its directory name
        return ManifestResult(_local_bottle_model(name.rsplit(".", 1)[-1], init), (), None, None)
    if kind is PluginKind.BOTTLE and "pyproject.toml" in files:
        source, path, load = ManifestSource.PYPROJECT, "pyproject.toml", load_toml
    elif "plugin.yaml" in files:
        source, path, load = ManifestSource.PLUGIN_YAML, "plugin.yaml", load_yaml
    elif dunders is not None:
        return ManifestResult(dunders, (), None, dunders)
    else:
        path = "__init__.py" if "__init__.py" in files else ""
        model = PluginModel(name, kind, ManifestSource.NONE, path, {}, {"": Span(path)}, None)
        return ManifestResult(model, (), None, None)
    try:
        doc = load(read_bytes(path) or b"", path)
    except DocumentError as error:
        empty = PluginModel(name, kind, source, path, unreadable=True)
        return ManifestResult(empty, (error,), None, dunders)
    if source is ManifestSource.PYPROJECT:
        model = _bottle_model(name, doc)
    else:
        model = _from_document(name, kind, source, path, doc, doc.value)
    return ManifestResult(model, (), doc, dunders)
