"""Pure dependency logic: distribution names, import-name lookup, look-alike
names and specifier satisfiability. The dependency rules call these; nothing
here reads plugin code."""

from mbcheck.deps.names import (
    PopularIndex,
    canonical,
    damerau_levenshtein,
    distribution_for_import,
    load_import_map,
    load_popular,
    lookalike,
    popular_index,
    skeleton,
)
from mbcheck.deps.specifiers import intersect_satisfiable, is_satisfiable, witness

__all__ = [
    "PopularIndex",
    "canonical",
    "damerau_levenshtein",
    "distribution_for_import",
    "intersect_satisfiable",
    "is_satisfiable",
    "load_import_map",
    "load_popular",
    "lookalike",
    "popular_index",
    "skeleton",
    "witness",
]
