"""Which distributions can provide an imported module.

Three sources, most trusted first:

1. the shipped import map (``rules/deps/import-map.json``): ``yaml`` ->
   PyYAML, ``google.cloud.storage`` -> google-cloud-storage; the longest
   dotted prefix of the import decides;
2. the metadata of the distributions installed beside mbcheck
   (:func:`importlib.metadata.packages_distributions`: read from their
   ``RECORD`` / ``top_level.txt`` files, never by importing anything);
3. the name itself: ``import requests`` stands for the distribution
   ``requests``; under a namespace package the map knows (``google``,
   ``azure``, ...) the dotted name with dashes (``google.cloud.foo`` ->
   ``google-cloud-foo``), since the top-level name alone says nothing.

Sources 1 and 2 are combined (either may name the distribution actually
declared); source 3 is used only when neither knows the module.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from mbcheck.checks.deps.names import canonical, load_import_map


@dataclass(frozen=True, slots=True)
class Resolution:
    """The distributions that may provide a module, PEP 503 normalized.

    ``distribution`` is the likeliest one (for messages); ``candidates``
    holds every one that would satisfy the import; ``source`` says how they
    were found: ``map``, ``environment`` or ``name``.
    """

    distribution: str
    candidates: frozenset[str]
    source: str


@cache
def environment_distributions() -> Mapping[str, tuple[str, ...]]:
    """Top-level import name -> installed distributions providing it (metadata only)."""
    try:
        found = importlib.metadata.packages_distributions()
    except Exception:  # broken metadata of some installed distribution
        return {}
    return {name: tuple(dict.fromkeys(dists)) for name, dists in found.items()}


def _roots(table: Mapping[str, str | tuple[str, ...]]) -> frozenset[str]:
    dotted = {key.split(".", 1)[0] for key in table if "." in key}
    return frozenset(dotted - {key for key in table if "." not in key})


@cache
def _shipped_roots() -> frozenset[str]:
    return _roots(load_import_map())


def namespace_roots(table: Mapping[str, str | tuple[str, ...]] | None = None) -> frozenset[str]:
    """Top-level names the map knows only with dotted sub-packages (``google``, ``azure``)."""
    return _shipped_roots() if table is None else _roots(table)


def _lookup(module: str, table: Mapping[str, str | Sequence[str]]) -> tuple[str, ...] | None:
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        value = table.get(".".join(parts[:end]))
        if value is None:
            continue
        return (value,) if isinstance(value, str) else tuple(value)
    return None


def _dashed(parts: Sequence[str]) -> list[str]:
    """``google.cloud.foo.Client`` -> google-cloud-foo, google-cloud (module parts only)."""
    modules: list[str] = []
    for part in parts:
        if part[:1].isupper():
            break  # a class or constant imported from the module
        modules.append(part)
    out = ["-".join(modules[:end]) for end in range(min(len(modules), 3), 1, -1)]
    return [canonical(name) for name in out]


def resolve_import(
    module: str,
    table: Mapping[str, str | tuple[str, ...]] | None = None,
    environment: Mapping[str, Sequence[str]] | None = None,
) -> Resolution | None:
    """The distributions that can provide ``module`` (a dotted absolute name).

    ``table`` defaults to the shipped import map and ``environment`` to the
    installed distributions' metadata. None for an empty or relative name.
    """
    if not module or module.startswith("."):
        return None
    roots = namespace_roots(table)
    table = load_import_map() if table is None else table
    environment = environment_distributions() if environment is None else environment
    parts = module.split(".")
    top = parts[0]
    mapped = _lookup(module, table)
    namespace = top in roots
    installed = () if namespace else tuple(environment.get(top, ()))
    if mapped is not None or installed:
        ordered = [canonical(d) for d in (*(mapped or ()), *installed)]
        return Resolution(ordered[0], frozenset(ordered), "map" if mapped is not None else "environment")
    guesses = _dashed(parts)
    if namespace and guesses:
        return Resolution(guesses[0], frozenset(guesses), "name")
    name = canonical(top)
    # ``zope.interface``: a namespace package the map does not know
    return Resolution(name, frozenset({name, *guesses}), "name")


def import_names_of(distribution: str, table: Mapping[str, str | tuple[str, ...]] | None = None) -> list[str]:
    """Import names the map gives for a distribution (``pyyaml`` -> ``yaml``, ``_yaml``)."""
    wanted = canonical(distribution)
    source = load_import_map() if table is None else table
    out: list[str] = []
    for key, value in source.items():
        names = (value,) if isinstance(value, str) else value
        if any(canonical(name) == wanted for name in names):
            out.append(key)
    return out


__all__ = ["Resolution", "environment_distributions", "import_names_of", "namespace_roots", "resolve_import"]
