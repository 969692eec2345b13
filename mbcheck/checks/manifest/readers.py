"""What each of the host's metadata readers makes of a plugin, without running it.

MilkBottle reads a plugin's metadata in several places, each its own way
(host commit fb2eb2c, ``src/milkbottle``):

* **install and discovery** (``plugin_system/core.py`` ``PluginManager._load_plugin_info``,
  the only reader on a path that loads plugins): ``__import__(<directory name>)``
  and ``getattr`` of the dunders ``__name__`` (the directory name unless
  reassigned), ``__version__`` (default ``"0.0.0"``), ``__description__``,
  ``__author__``, ``__email__`` (default ``""``), ``__license__`` (default
  ``"MIT"``), ``__dependencies__``, ``__capabilities__``, ``__tags__``.
  ``PluginMetadata.__post_init__`` rejects the plugin unless name, version,
  description, author, email and license are non-empty strings. It never
  reads ``plugin.yaml``.
* **``milk sdk validate``** (``plugin_sdk/validator.py``): the ``__init__.py``
  syntax tree only: plain ``x = ...`` dunder assignments (an annotated
  ``__version__: str = "1"`` is invisible, and ``name`` needs an explicit
  ``__name__ = "..."``); ``def`` functions ``get_plugin_interface``,
  ``get_cli``, ``get_metadata``, ``validate_config``, ``health_check``; a class
  with a ``*PluginInterface*`` base; the files ``cli.py``, ``README.md``,
  ``requirements.txt``, ``tests/__init__.py``. Passes with a score of 0.8.
* **``milk marketplace validate``** (``plugin_marketplace/plugin_repository.py``):
  needs ``__init__.py`` and ``cli.py``, and reads ``plugin.yaml``, else
  ``pyproject.toml`` (the whole document: ``name`` sits under ``[project]``,
  not at the top), else ``setup.py`` (a fixed placeholder); the top level
  must have truthy ``name``, ``version``, ``description`` and ``author``.

:func:`analyse` answers each of them for a plugin; the manifest rules
(``rules_host``) report what each path will do, and the report's
``readers`` section shows the views. Values that are not literals are
unknown: nothing is reported about them.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from mbcheck.checks.manifest.analysis import DUNDER_FIELDS
from mbcheck.checks.sites import in_tree_bottle
from mbcheck.model import NOT_STATIC, ManifestSource, PluginKind, Span
from mbcheck.pyfile.facts import DunderFact

if TYPE_CHECKING:
    from mbcheck.context import PluginContext

#: the metadata fields the live loader requires, with the default ``getattr`` gives when the
#: dunder is absent (None: the directory name); the dunders themselves are ``DUNDER_FIELDS``
LIVE_REQUIRED: Mapping[str, str | None] = {
    "name": None, "version": "0.0.0", "description": "", "author": "", "email": "", "license": "MIT",
}

#: metadata field -> its dunder
_DUNDER_OF: Mapping[str, str] = {key: dunder for dunder, key in DUNDER_FIELDS.items()}

#: files ``milk sdk validate`` requires (``plugin_sdk/validator.py:28-34``)
SDK_FILES = ("__init__.py", "cli.py", "README.md", "requirements.txt", "tests/__init__.py")
#: ``def`` functions it looks for in ``__init__.py`` (``plugin_sdk/validator.py:35-41``)
SDK_EXPORTS = ("get_plugin_interface", "get_cli", "get_metadata", "validate_config", "health_check")
#: metadata keys it requires, truthy (``plugin_sdk/validator.py:165-168``)
SDK_METADATA = ("name", "version", "description", "author")
#: its pass mark (``plugin_sdk/validator.py:96``) and the weight of each check (``:556-591``)
SDK_PASS = 0.8
SDK_WEIGHTS: Mapping[str, float] = {
    "structure": 0.2, "metadata": 0.2, "code": 0.2, "dependencies": 0.1, "interface": 0.2, "security": 0.1,
}
#: files its structure check expects by base name; every other file is "Unexpected" (a warning)
SDK_EXPECTED = frozenset({"__init__.py", "cli.py", "README.md", "requirements.txt", ".gitignore"})
#: files ``milk marketplace validate`` requires (``plugin_repository.py:296-302``)
MARKETPLACE_FILES = ("__init__.py", "cli.py")
#: top-level keys it requires, truthy (``plugin_repository.py:496-514``)
MARKETPLACE_METADATA = ("name", "version", "description", "author")


@dataclass(frozen=True)
class Issue:
    """One thing a host reader will say about the plugin, and where it comes from."""

    span: Span
    message: str
    #: the dunder or key concerned ("" for the plugin as a whole)
    key: str = ""


@dataclass(frozen=True)
class LiveView:
    """What ``PluginManager._load_plugin_info`` (install and discovery) records."""

    #: field -> value as the loader sees it (None: not a literal, unknown)
    metadata: Mapping[str, Any]
    #: why ``PluginMetadata`` rejects the plugin (empty: accepted, as far as literals tell)
    rejected: tuple[Issue, ...] = ()
    #: fields the loader fills with its default
    defaulted: tuple[str, ...] = ()
    #: why no installer reaches the loader at all (an archive that wraps the plugin in a folder)
    not_installable: str = ""

    @property
    def outcome(self) -> str:
        if self.not_installable:
            return "not installable"
        return "rejected" if self.rejected else "accepted"


@dataclass(frozen=True)
class CommandView:
    """What a host command reports: its errors (the plugin fails it) and warnings."""

    #: the document the command reads its metadata from ("" when none)
    reads: str
    errors: tuple[Issue, ...] = ()
    warnings: tuple[Issue, ...] = ()
    #: ``milk sdk validate`` only: the highest score the plugin can reach, counting the
    #: structure, metadata and interface checks mbcheck reproduces as they come out and the
    #: code, dependency and security checks (which it does not) as passed
    score_at_most: float | None = None

    @property
    def outcome(self) -> str:
        if self.score_at_most is not None:
            return "fails" if self.score_at_most < SDK_PASS else ("may pass" if self.errors else "passes")
        return "fails" if self.errors else "passes"


@dataclass(frozen=True)
class Readers:
    """Every host reader's view of one plugin (None for bottles: the registry reads them)."""

    live: LiveView
    sdk: CommandView
    marketplace: CommandView
    #: the last assignment of each module-level dunder in ``__init__.py``
    dunders: Mapping[str, DunderFact] = field(default_factory=dict)

    def section(self, shown: ManifestSource) -> dict[str, Any]:
        """The report's ``readers`` section: which reader ``metadata`` shows, and each path's answer."""

        def command(view: CommandView) -> dict[str, Any]:
            out: dict[str, Any] = {
                "reads": view.reads,
                "outcome": view.outcome,
                "errors": [issue.message for issue in view.errors],
                "warnings": [issue.message for issue in view.warnings],
            }
            if view.score_at_most is not None:
                out["score_at_most"] = view.score_at_most
            return out

        return {
            "metadata_from": _SHOWN.get(shown, shown.value),
            "install": {
                "reads": "__init__.py dunders (imported)",
                "metadata": dict(self.live.metadata),
                "defaulted": list(self.live.defaulted),
                "outcome": self.live.outcome,
                "errors": [
                    *([self.live.not_installable] if self.live.not_installable else []),
                    *(issue.message for issue in self.live.rejected),
                ],
            },
            "sdk_validate": command(self.sdk),
            "marketplace_validate": command(self.marketplace),
        }


#: what the report's ``metadata`` shows, by the manifest it was read from
_SHOWN: Mapping[ManifestSource, str] = {
    ManifestSource.PLUGIN_YAML: (
        "plugin.yaml: what `milk marketplace validate` reads; install and discovery read only the __init__.py dunders"
    ),
    ManifestSource.DUNDERS: "__init__.py dunders: what install and discovery read",
    ManifestSource.PYPROJECT: "pyproject.toml [project]",
    ManifestSource.NONE: "none",
}


def _dunders(plugin: PluginContext) -> dict[str, DunderFact]:
    init = plugin.modules.get("__init__.py")
    facts = (init.facts.dunders if init is not None else None) or ()
    return {fact.name: fact for fact in facts}  # the last assignment wins, as at run time


def _init_span(plugin: PluginContext) -> Span:
    return Span("__init__.py", 1, 1) if "__init__.py" in plugin.files else Span("")


def _kind(value: Any) -> str:
    return "a list" if isinstance(value, list) else type(value).__name__


def live_view(plugin: PluginContext, dunders: Mapping[str, DunderFact]) -> LiveView:
    """``PluginManager._load_plugin_info``: the dunders, their defaults and ``PluginMetadata``'s checks."""
    metadata: dict[str, Any] = {}
    rejected: list[Issue] = []
    defaulted: list[str] = []
    if "__init__.py" not in plugin.files:
        rejected.append(
            Issue(
                Span(""),
                "there is no __init__.py: `__import__` gives a namespace package without metadata, "
                "and the host rejects the plugin (description is empty)",
            )
        )
        return LiveView({}, tuple(rejected), ())
    for dunder, key in DUNDER_FIELDS.items():
        if key not in LIVE_REQUIRED:
            fact = dunders.get(dunder)
            metadata[key] = [] if fact is None else (None if fact.value is NOT_STATIC else fact.value)
            continue
        default = LIVE_REQUIRED[key]
        fact = dunders.get(dunder)
        if fact is None:
            value: Any = plugin.package if default is None else default
            metadata[key] = value
            defaulted.append(key)
            if not value:
                rejected.append(Issue(_init_span(plugin), f"`{dunder}` is not set", dunder))
            continue
        if fact.value is NOT_STATIC:
            metadata[key] = None
            continue
        metadata[key] = fact.value
        if not isinstance(fact.value, str):
            rejected.append(Issue(fact.span, f"`{dunder}` is {_kind(fact.value)}, not a string", dunder))
        elif not fact.value.strip():
            rejected.append(Issue(fact.span, f"`{dunder}` is empty", dunder))
    return LiveView(metadata, tuple(rejected), tuple(defaulted))


def _check_score(errors: int, warnings: int) -> float:
    """One SDK check's score: 1 when it has no errors, else 1 - 0.3 per error - 0.1 per warning."""
    return 1.0 if not errors else max(0.0, 1.0 - errors * 0.3 - warnings * 0.1)


def sdk_view(plugin: PluginContext, dunders: Mapping[str, DunderFact]) -> CommandView:
    """``milk sdk validate``: files, plain-assignment dunders, ``def`` exports, a PluginInterface class."""
    root = _init_span(plugin)
    structure: list[Issue] = []
    metadata: list[Issue] = []
    interface_errors: list[Issue] = []
    warnings: list[Issue] = []
    missing = [name for name in SDK_FILES if name not in plugin.files]
    if missing:
        structure.append(Issue(root, "missing required files: " + ", ".join(missing)))
    unexpected = sum(
        1 for path in plugin.files if path.rsplit("/", 1)[-1] not in SDK_EXPECTED and not path.rsplit("/", 1)[-1].startswith(".")
    )
    scores = dict.fromkeys(SDK_WEIGHTS, 1.0)
    scores["structure"] = _check_score(len(missing), unexpected)
    if "__init__.py" not in plugin.files:
        scores["metadata"] = scores["interface"] = _check_score(1, 0)
        return CommandView("__init__.py (syntax tree)", tuple(structure), (), _score(scores))
    for key in SDK_METADATA:
        fact = dunders.get(f"__{key}__")
        if fact is None:
            hint = ' (it needs an explicit `__name__ = "..."`)' if key == "name" else ""
            metadata.append(Issue(root, f"missing required metadata `__{key}__`{hint}", f"__{key}__"))
        elif fact.annotated:
            metadata.append(
                Issue(
                    fact.span,
                    f"`__{key}__` is written with an annotation, which it does not read: missing required metadata",
                    f"__{key}__",
                )
            )
        elif fact.value is NOT_STATIC:
            metadata.append(
                Issue(fact.span, f"`__{key}__` is not a literal, which it does not read: missing required metadata", f"__{key}__")
            )
        elif not fact.value:
            metadata.append(Issue(fact.span, f"`__{key}__` is empty: missing required metadata", f"__{key}__"))
    metadata_warnings: list[Issue] = []
    version = dunders.get("__version__")
    if version is not None and not version.annotated and isinstance(version.value, str) and version.value:
        from packaging.version import InvalidVersion, Version

        try:
            Version(version.value)
        except InvalidVersion:
            metadata.append(Issue(version.span, f"invalid version format {version.value!r}", "__version__"))
    email_dunder = _DUNDER_OF["email"]
    email = dunders.get(email_dunder)
    if email is not None and not email.annotated and isinstance(email.value, str) and email.value:
        from mbcheck.checks.manifest.rules_fields import EMAIL

        if not EMAIL.match(email.value):
            metadata_warnings.append(Issue(email.span, f"invalid email format {email.value!r}", email_dunder))
    scores["metadata"] = _check_score(len(metadata), len(metadata_warnings))
    warnings.extend(metadata_warnings)
    init = plugin.modules.get("__init__.py")
    interface = init.facts.interface if init is not None else None
    if interface is not None:
        defined = {f.name for f in interface.functions if not f.is_async and not f.is_lambda}
        for cls in interface.classes:
            defined.update(m.name for m in cls.methods if not m.is_async and not m.is_lambda)
        absent = [name for name in SDK_EXPORTS if name not in defined]
        if absent:
            interface_errors.append(Issue(root, "missing required `def` functions in __init__.py: " + ", ".join(absent)))
        based = any(
            "PluginInterface" in candidate.lstrip("?").rsplit(".", 1)[-1]
            for cls in interface.classes
            for base in cls.bases
            for candidate in base
        )
        if not based:
            interface_errors.append(
                Issue(root, "no class in __init__.py has a `PluginInterface` base (No PluginInterface implementation found)")
            )
        scores["interface"] = _check_score(len(absent) + (0 if based else 1), 0)
    errors = (*structure, *metadata, *interface_errors)
    return CommandView("__init__.py (syntax tree)", errors, tuple(warnings), _score(scores))


def _score(scores: Mapping[str, float]) -> float:
    return round(sum(SDK_WEIGHTS[name] * score for name, score in scores.items()), 3)


def _pyproject(plugin: PluginContext) -> Any:
    text = plugin.text("pyproject.toml")
    if text is None:
        return None
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError):
        return None


def marketplace_view(plugin: PluginContext) -> CommandView:
    """``milk marketplace validate``: two files, then plugin.yaml, else pyproject.toml, else setup.py."""
    errors: list[Issue] = []
    warnings: list[Issue] = []
    for name in MARKETPLACE_FILES:
        if name not in plugin.files:
            errors.append(Issue(_init_span(plugin), f"Missing required file: {name}"))
    reads, metadata, span = "", None, _init_span(plugin)
    if "plugin.yaml" in plugin.files:
        reads, span = "plugin.yaml", Span("plugin.yaml", 1, 1)
        manifest = plugin.manifest
        document = getattr(manifest, "document", None)
        if plugin.model.source is ManifestSource.PLUGIN_YAML and document is not None:
            metadata = document.value
    elif "pyproject.toml" in plugin.files:
        reads, span = "pyproject.toml", Span("pyproject.toml", 1, 1)
        metadata = _pyproject(plugin)
    elif "setup.py" in plugin.files:
        reads, metadata = "setup.py (a fixed placeholder, not the file's content)", {"placeholder": True}
    if not metadata:
        what = f"{reads} cannot be read" if reads else "there is no plugin.yaml, pyproject.toml or setup.py"
        errors.append(Issue(span, f"No metadata found ({what})"))
    elif isinstance(metadata, dict) and "placeholder" not in metadata:
        for key in MARKETPLACE_METADATA:
            if not metadata.get(key):
                where = " (it reads the top level, not [project])" if reads == "pyproject.toml" else ""
                errors.append(Issue(span, f"Missing required field: {key}{where}", key))
                break  # the host stops at the first missing field
    if not any(path.startswith("tests/") for path in plugin.files):
        warnings.append(Issue(_init_span(plugin), "No tests directory found"))
    if "README.md" not in plugin.files:
        warnings.append(Issue(_init_span(plugin), "No README.md found"))
    return CommandView(reads, tuple(errors), tuple(warnings))


def analyse(plugin: PluginContext) -> Readers | None:
    """Every host reader's view of ``plugin``; None for a bottle (the registry reads bottles)."""
    if plugin.model.kind is not PluginKind.PLUGIN or in_tree_bottle(plugin):
        return None
    dunders = _dunders(plugin)
    live = live_view(plugin, dunders)
    if plugin.archive_folder:
        # both installers extract into <plugin_dir>/<name> and need <plugin_dir>/<name>/__init__.py
        live = replace(live, not_installable=(
            f"the archive holds the plugin in the folder `{plugin.archive_folder}/`: the installers extract it "
            f"into <plugin_dir>/<name>/{plugin.archive_folder}/ and find no <plugin_dir>/<name>/__init__.py, so "
            "the install fails before any metadata is read (the metadata shown is the folder's)"
        ))
    return Readers(live, sdk_view(plugin, dunders), marketplace_view(plugin), dunders)


__all__ = ["CommandView", "Issue", "LiveView", "Readers", "analyse"]
