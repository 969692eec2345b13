"""The version tables: syntax features, standard-library history and the host API catalogue.

Plain data loaded once from the packaged resources (no libcst here); the
collector looks names up in them and the plugin-level analysis compares the
plugin's ``milkbottle`` imports with the catalogue:

* ``rules/compat/syntax.json``: syntax features by stable id (never a
  version written in code); ``rules/compat/runtime.json``: forms that parse
  on every Python 3 but fail at run time before a release (``dict | dict``,
  ``list[str]``, ``int | None``), looked up the same way;
* ``rules/compat/stdlib.json``: modules, members and keyword parameters added
  or removed, with the patch releases that backported them (generated from
  typeshed by :mod:`mbcheck.checks.compat.generate`; loaded once per process);
* the public ``milkbottle`` API per release: each shipped host profile's
  ``public_api`` (``rules/hosts/*.json``; a module list is written once, there).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from packaging.version import InvalidVersion, Version

from mbcheck.checks.compat.facts import Kind, Minor, Patch, parse_minor, parse_patch
from mbcheck.resources import list_dir, load_json

# ---------------------------------------------------------------------------
# syntax and the standard library


@dataclass(frozen=True, slots=True)
class Feature:
    fid: str
    version: Minor
    description: str
    pep: str = ""

    def label(self) -> str:
        text = self.description.rstrip(".")
        return f"{text} ({self.pep})" if self.pep else text


@dataclass(frozen=True, slots=True)
class StdlibEntry:
    added: Minor | None = None
    removed: Minor | None = None
    backported: tuple[Patch, ...] = ()


#: feature tables by id: syntax forms, and forms that parse everywhere but fail at run time
#: before their release (``dict | dict``, ``list[str]``, ``int | None``)
FEATURE_TABLES = ("rules/compat/syntax.json", "rules/compat/runtime.json")


@cache
def syntax_features() -> Mapping[str, Feature]:
    out: dict[str, Feature] = {}
    for path in FEATURE_TABLES:
        table: dict[str, Any] = load_json(path)
        for fid, data in table["features"].items():
            out[fid] = Feature(fid, parse_minor(data["version"]), data["description"], data.get("pep", ""))
    return out


def feature(fid: str) -> Feature:
    """A syntax feature by its id (a missing id is a bug: it raises KeyError)."""
    return syntax_features()[fid]


def _entries(raw: Mapping[str, Any], shared: dict[tuple[Any, ...], StdlibEntry]) -> dict[str, StdlibEntry]:
    """Entries by name; equal entries are one object (thousands of names share a few dozen)."""
    out = {}
    for name, data in raw.items():
        key = (data.get("added"), data.get("removed"), tuple(data.get("backported", ())))
        entry = shared.get(key)
        if entry is None:
            entry = shared[key] = StdlibEntry(
                parse_minor(key[0]) if key[0] is not None else None,
                parse_minor(key[1]) if key[1] is not None else None,
                tuple(sorted(parse_patch(p) for p in key[2])),
            )
        out[name] = entry
    return out


@dataclass(frozen=True, slots=True)
class StdlibTable:
    modules: Mapping[str, StdlibEntry]
    members: Mapping[str, StdlibEntry]
    #: callable -> keyword -> entry
    keywords: Mapping[str, Mapping[str, StdlibEntry]]
    #: callable -> the class of what it returns (``re.compile`` -> ``re.Pattern``)
    returns: Mapping[str, str]


@cache
def stdlib_table() -> StdlibTable:
    """``rules/compat/stdlib.json``, read once per process."""
    raw = load_json("rules/compat/stdlib.json")
    shared: dict[tuple[Any, ...], StdlibEntry] = {}
    return StdlibTable(
        _entries(raw["modules"], shared),
        _entries(raw["members"], shared),
        {name: _entries(keywords, shared) for name, keywords in raw.get("keywords", {}).items()},
        dict(raw.get("returns", {})),
    )


def stdlib_modules() -> Mapping[str, StdlibEntry]:
    return stdlib_table().modules


def stdlib_members() -> Mapping[str, StdlibEntry]:
    return stdlib_table().members


def stdlib_returns() -> Mapping[str, str]:
    """Callables whose result is an instance of one standard-library class, from the stubs'
    return annotations (``pathlib.Path.cwd`` -> ``pathlib.Path``, ``os.stat`` -> ``os.stat_result``)."""
    return stdlib_table().returns


@cache
def returning_names() -> frozenset[str]:
    """The last part of every callable in :func:`stdlib_returns` (a cheap pre-filter for calls)."""
    return frozenset(name.rsplit(".", 1)[-1] for name in stdlib_returns())


def stdlib_keyword_table() -> Mapping[str, Mapping[str, StdlibEntry]]:
    """Every callable with dated keyword parameters: qualified name -> keyword -> entry."""
    return stdlib_table().keywords


def stdlib_keywords(name: str) -> Mapping[str, StdlibEntry]:
    """The dated keyword parameters of the callable ``name`` (empty when none is dated)."""
    return stdlib_table().keywords.get(name, {})


@cache
def keyword_names() -> frozenset[str]:
    """Every dated keyword parameter name (a cheap pre-filter for calls)."""
    return frozenset(keyword for keywords in stdlib_table().keywords.values() for keyword in keywords)


@cache
def stdlib_entry(name: str) -> tuple[Kind, StdlibEntry] | None:
    modules = stdlib_modules()
    if name in modules:
        return "module", modules[name]
    members = stdlib_members()
    if name in members:
        return "member", members[name]
    return None


@cache
def member_tails() -> frozenset[str]:
    """Last segments of every tabled member and module (a cheap pre-filter)."""
    names = [*stdlib_members(), *stdlib_modules()]
    return frozenset(name.rsplit(".", 1)[-1] for name in names)


@cache
def builtin_names() -> frozenset[str]:
    """Builtins the table dates (``ExceptionGroup``, ``aiter``, ...)."""
    return frozenset(
        name.split(".", 1)[1] for name in stdlib_members() if name.startswith("builtins.") and name.count(".") == 1
    )


# ---------------------------------------------------------------------------
# the host API catalogue


@dataclass(frozen=True)
class HostApi:
    """The public ``milkbottle`` API of one release (or of a host profile)."""

    version: Version | None
    modules: Mapping[str, frozenset[str]]
    label: str = ""

    def missing(self, name: str) -> str | None:
        """The unknown prefix of ``name``, or None when it is public.

        ``milkbottle.plugin_system.core.PluginInterface.get_cli`` is public
        (an attribute of a public name); ``milkbottle.internal.x`` is not:
        its unknown prefix is ``milkbottle.internal``.
        """
        parts = name.split(".")
        for cut in range(len(parts), 0, -1):
            module = ".".join(parts[:cut])
            if module not in self.modules:
                continue
            if cut == len(parts):
                return None
            names = self.modules[module]
            if "*" in names or parts[cut] in names:
                return None
            return f"{module}.{parts[cut]}"
        return parts[0] if len(parts) == 1 else ".".join(parts[:2])


def host_api_from(mapping: Mapping[str, Iterable[str]], version: Version | None, label: str) -> HostApi:
    return HostApi(version, {module: frozenset(names) for module, names in mapping.items()}, label)


def catalogue_documents() -> list[tuple[str, Any, Mapping[str, Any]]]:
    """Every shipped statement of a release's API: (profile file, its ``milkbottle_version``, ``public_api``)."""
    out = []
    for filename in list_dir("rules/hosts"):
        if filename.endswith(".json"):
            data = load_json(f"rules/hosts/{filename}")
            out.append((f"rules/hosts/{filename}", data["milkbottle_version"], data["public_api"]))
    return out


@cache
def host_api_catalogue() -> tuple[HostApi, ...]:
    """Every catalogued MilkBottle release, oldest first: each shipped host profile's ``public_api``,
    under the version its compatibility check compares with (``milkbottle_version``)."""
    releases: dict[Version, Mapping[str, Iterable[str]]] = {}
    for _path, text, modules in catalogue_documents():
        try:
            version = Version(text)
        except InvalidVersion:
            continue
        releases.setdefault(version, modules)
    return tuple(host_api_from(modules, version, f"MilkBottle {version}") for version, modules in sorted(releases.items()))


__all__ = [
    "Feature",
    "HostApi",
    "StdlibEntry",
    "StdlibTable",
    "builtin_names",
    "catalogue_documents",
    "feature",
    "host_api_catalogue",
    "host_api_from",
    "keyword_names",
    "member_tails",
    "stdlib_entry",
    "stdlib_keywords",
    "stdlib_members",
    "stdlib_modules",
    "stdlib_table",
    "syntax_features",
]
