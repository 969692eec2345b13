"""Distribution names: normalization, import-name lookup and look-alike detection.

Everything here is pure and works on names only; the data comes from
``rules/deps/import-map.json`` and ``rules/deps/popular.json``.

:func:`lookalike` answers "which popular distribution does this (unknown) name
imitate?" in well under a millisecond against 5,000 popular names. It never
compares the name with every popular one: deletion-neighbourhood indexes (see
:class:`PopularIndex`) turn the edit-distance search into a few hundred dict
look-ups at most, and only the few names found that way are measured exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache, lru_cache
from types import MappingProxyType
from typing import Any

from packaging.utils import canonicalize_name

from mbcheck.resources import load_json

IMPORT_MAP_PATH = "rules/deps/import-map.json"
POPULAR_PATH = "rules/deps/popular.json"

#: Names at least this long may be two edits away from the one they imitate.
LONG_NAME = 10
#: Names shorter than this are matched only by their skeleton (see
#: :func:`skeleton`): one edit turns almost any two- or three-letter name into
#: another real one, so an edit-distance match there says nothing.
MIN_EDIT_LENGTH = 4

# Digits written for the letter they resemble ("reque5ts", "c0lorama").
_SKELETON_TABLE = str.maketrans(
    {
        "0": "o",
        "1": "l",
        "3": "e",
        "4": "a",
        "5": "s",
        "7": "t",
        "8": "b",
        "-": None,
        "_": None,
        ".": None,
    }
)


def canonical(name: str) -> str:
    """The PEP 503 normalized form of a distribution name (``Foo_Bar`` -> ``foo-bar``)."""
    return str(canonicalize_name(name))


def skeleton(name: str) -> str:
    """A name with case, separators and digit-for-letter swaps removed.

    Two names with the same skeleton read the same at a glance:
    ``python_dateutil``, ``pythondateutil`` and ``pyth0n-dateutil`` all give
    ``pythondateutil``.
    """
    return name.lower().translate(_SKELETON_TABLE)


def distribution_for_import(
    module: str, table: Mapping[str, str | Sequence[str]]
) -> tuple[str, ...]:
    """The distribution(s) that provide the importable ``module``.

    ``module`` is a dotted module name as imported (``yaml``,
    ``google.cloud.storage.blob``; for ``from google.cloud import storage``
    pass ``google.cloud.storage``). The longest dotted prefix found in
    ``table`` decides; with none, the top-level name stands for the
    distribution of the same name. The result keeps the table's spelling
    (``PyYAML``) with the usual distribution first; compare with
    :func:`canonical`. A relative import (``.utils``) belongs to the plugin
    itself and gives ``()``, as does an empty name.
    """
    if not module or module.startswith("."):
        return ()
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        value = table.get(".".join(parts[:end]))
        if value is None:
            continue
        if isinstance(value, str):
            return (value,)
        return tuple(value)
    return (parts[0],)


def damerau_levenshtein(a: str, b: str, limit: int | None = None) -> int:
    """Optimal-string-alignment distance: insertions, deletions, substitutions
    and swaps of two adjacent characters each cost 1.

    With ``limit``, any distance above it is reported as ``limit + 1``; only a
    band of ``2 * limit + 1`` diagonals is computed and the computation stops
    as soon as the bound is certain.
    """
    if a == b:
        return 0
    start = 0
    shorter = min(len(a), len(b))
    while start < shorter and a[start] == b[start]:
        start += 1
    end_a, end_b = len(a), len(b)
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a -= 1
        end_b -= 1
    a, b = a[start:end_a], b[start:end_b]
    size_a, size_b = len(a), len(b)
    cap = limit + 1 if limit is not None else size_a + size_b + 1
    if abs(size_a - size_b) >= cap:
        return cap
    if not a or not b:
        return min(size_a + size_b, cap)
    previous2: list[int] = []
    previous = [min(j, cap) for j in range(size_b + 1)]
    for i in range(1, size_a + 1):
        current = [cap] * (size_b + 1)
        current[0] = min(i, cap)
        row_min = current[0]
        ca = a[i - 1]
        for j in range(max(1, i - cap + 1), min(size_b, i + cap - 1) + 1):
            cb = b[j - 1]
            value = previous[j - 1] if ca == cb else previous[j - 1] + 1
            if previous[j] + 1 < value:
                value = previous[j] + 1
            if current[j - 1] + 1 < value:
                value = current[j - 1] + 1
            if (
                i > 1
                and j > 1
                and ca == b[j - 2]
                and a[i - 2] == cb
                and previous2[j - 2] + 1 < value
            ):
                value = previous2[j - 2] + 1
            if value > cap:
                value = cap
            current[j] = value
            if value < row_min:
                row_min = value
        if row_min >= cap:
            return cap
        previous2, previous = previous, current
    return min(previous[size_b], cap)


def _whole(name: str) -> str:
    return name


def _head(name: str) -> str:
    return name[: len(name) // 2]


def _tail(name: str) -> str:
    return name[len(name) // 2 :]


def _deletions(word: str, depth: int) -> set[str]:
    """``word`` and every string made from it by removing up to ``depth`` characters."""
    found = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


class PopularIndex:
    """Popular distribution names prepared for :meth:`lookalike` queries.

    Two names are within one edit exactly when their sets of one-deletion
    variants meet, so the names of each length are indexed by their variants
    (``variant -> names``) and a query costs ``len(name) + 1`` look-ups in the
    indexes of the lengths one edit can reach.

    Two edits would need every two-character deletion of every long name (over
    half a million strings), so long names are indexed by halves instead: when
    ``name`` is within two edits of a popular ``p``, one half of ``p`` holds at
    most one of them (a swap across the middle counts once in each half), and
    that half is then at most one deletion on each side away from the slice of
    ``name`` of the same length at the same end. The head and tail indexes map
    the one-deletion variants of each long name's first and second half to the
    names.

    The indexes are built per name length, the first time a query needs that
    length: a run asks about a handful of names, and building every length's
    index up front would cost more than all its queries.
    """

    __slots__ = ("_by_length", "_heads", "_near", "_tails", "names", "rank", "skeletons")

    def __init__(self, rank: Mapping[str, int], skeletons: Mapping[str, str]) -> None:
        self.rank = rank
        self.names = tuple(rank)
        self.skeletons = skeletons
        by_length: dict[int, list[str]] = {}
        for name in self.names:
            by_length.setdefault(len(name), []).append(name)
        self._by_length = by_length
        self._near: dict[int, dict[str, tuple[str, ...]]] = {}
        self._heads: dict[int, dict[str, tuple[str, ...]]] = {}
        self._tails: dict[int, dict[str, tuple[str, ...]]] = {}

    @classmethod
    def build(cls, popular: Iterable[str]) -> PopularIndex:
        rank: dict[str, int] = {}
        for name in popular:
            rank.setdefault(canonical(name), len(rank))
        skeletons: dict[str, str] = {}
        for name in rank:
            skeletons.setdefault(skeleton(name), name)
        return cls(rank, skeletons)

    @staticmethod
    def _variants(names: Iterable[str], part: Callable[[str], str]) -> dict[str, tuple[str, ...]]:
        index: dict[str, list[str]] = {}
        for name in names:
            for variant in _deletions(part(name), 1):
                index.setdefault(variant, []).append(name)
        return {key: tuple(value) for key, value in index.items()}

    def _near_of(self, length: int) -> dict[str, tuple[str, ...]]:
        found = self._near.get(length)
        if found is None:
            found = self._near[length] = self._variants(self._by_length.get(length, ()), _whole)
        return found

    def _halves_of(self, length: int) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
        heads = self._heads.get(length)
        tails = self._tails.get(length)
        if heads is None or tails is None:
            names = self._by_length.get(length, ()) if length >= LONG_NAME - 2 else ()
            heads = self._heads[length] = self._variants(names, _head)
            tails = self._tails[length] = self._variants(names, _tail)
        return heads, tails

    def _within_one(self, query: str) -> set[str]:
        found: set[str] = set()
        variants = _deletions(query, 1)
        for length in range(len(query) - 1, len(query) + 2):
            near = self._near_of(length)
            for variant in variants:
                found.update(near.get(variant, ()))
        return found

    def _within_two(self, query: str) -> set[str]:
        # A popular name p of length n (|n - size| <= 2) is split at n // 2. An
        # edit inside a half still leaves that half one deletion (on each side)
        # away from the query's slice of the same length: an insertion pushes
        # one character out of the slice, a deletion pulls one in.
        size = len(query)
        found: set[str] = set()
        for length in range(max(size - 2, 1), size + 3):
            heads, tails = self._halves_of(length)
            cut = length // 2
            for variant in _deletions(query[:cut], 1):
                found.update(heads.get(variant, ()))
            cut = length - length // 2
            for variant in _deletions(query[size - cut :], 1):
                found.update(tails.get(variant, ()))
        return found

    def lookalike(self, name: str) -> str | None:
        """The popular distribution ``name`` most likely imitates, or None (see :func:`lookalike`)."""
        query = canonical(name)
        if not query or query in self.rank:
            return None
        twin = self.skeletons.get(skeleton(query))
        if twin is not None:
            return twin
        if len(query) < MIN_EDIT_LENGTH:
            return None
        best = self._closest(query, self._within_one(query), 1)
        if best is None and len(query) >= LONG_NAME:
            best = self._closest(query, self._within_two(query), 2)
        return best

    def _closest(self, query: str, candidates: set[str], limit: int) -> str | None:
        best: tuple[int, int, str] | None = None
        for candidate in candidates:
            distance = damerau_levenshtein(query, candidate, limit)
            if distance <= limit:
                key = (distance, self.rank[candidate], candidate)
                if best is None or key < best:
                    best = key
        return best[2] if best is not None else None


@lru_cache(maxsize=8)
def _index_for(popular: tuple[str, ...]) -> PopularIndex:
    return PopularIndex.build(popular)


def lookalike(name: str, popular: Sequence[str] | PopularIndex) -> str | None:
    """The popular distribution that the non-popular ``name`` most likely imitates.

    A match is a popular name (PEP 503 normalized) that

    * has the same :func:`skeleton` (``pythondateutil``, ``reque5ts``), or
    * is within Damerau-Levenshtein distance 1 of ``name`` (``reqests``,
      ``requestss``, ``colourama``, ``urlib3``, ``beautifulsoup``,
      ``python-dateutils``), or 2 when ``name`` has 10 or more characters
      (``sckit-learnn``); names shorter than 4 characters are matched by
      skeleton only.

    A skeleton match wins; otherwise the closest name, then the more popular
    one. Returns None when ``name`` itself is popular (in any spelling) or
    nothing matches.
    ``popular`` is ordered most popular first; the index built for it is
    cached, so pass the same tuple (e.g. :func:`load_popular`) or a
    :class:`PopularIndex` on every call.
    """
    index = popular if isinstance(popular, PopularIndex) else _index_for(tuple(popular))
    return index.lookalike(name)


def misspelt(a: str, b: str) -> bool:
    """Whether two different distribution names are probably the same one mistyped."""
    if a == b:
        return False
    if skeleton(a) == skeleton(b):
        return True
    limit = 2 if max(len(a), len(b)) >= LONG_NAME else 1
    return min(len(a), len(b)) >= MIN_EDIT_LENGTH and damerau_levenshtein(a, b, limit) <= limit


@cache
def load_popular() -> tuple[str, ...]:
    """The shipped popular-distribution names, most downloaded first."""
    data: Any = load_json(POPULAR_PATH)
    return tuple(str(name) for name in data["distributions"])


@cache
def popular_index() -> PopularIndex:
    """The :class:`PopularIndex` for :func:`load_popular`."""
    return _index_for(load_popular())


@cache
def load_import_map() -> Mapping[str, str | tuple[str, ...]]:
    """The shipped import-name -> distribution(s) table (read-only)."""
    data: Any = load_json(IMPORT_MAP_PATH)
    modules: dict[str, str | tuple[str, ...]] = {}
    for key, value in data["modules"].items():
        modules[str(key)] = value if isinstance(value, str) else tuple(str(v) for v in value)
    return MappingProxyType(modules)


@cache
def mapped_distributions() -> frozenset[str]:
    """Every distribution the import map names: real projects, kept by hand."""
    out: set[str] = set()
    for value in load_import_map().values():
        out.update(canonical(name) for name in ((value,) if isinstance(value, str) else value))
    return frozenset(out)
