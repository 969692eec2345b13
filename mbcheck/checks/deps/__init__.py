"""Pure dependency logic: distribution names, import-name lookup, look-alike
names, specifier satisfiability, requirements files and OSV advisories. The
dependency rules call these; nothing here reads plugin code."""

from mbcheck.checks.deps.advisories import (
    Advisory,
    AdvisoryError,
    AdvisoryIndex,
    AdvisoryMatch,
    AffectedRange,
    admits_affected,
    load_advisories,
    parse_advisories,
)
from mbcheck.checks.deps.imports import (
    Resolution,
    environment_distributions,
    namespace_roots,
    resolve_import,
)
from mbcheck.checks.deps.names import (
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
from mbcheck.checks.deps.requirements import (
    RequirementLine,
    RequirementsFile,
    marker_may_apply,
    parse_requirement,
    parse_requirements_file,
    suppressed,
)
from mbcheck.checks.deps.specifiers import intersect_satisfiable, is_satisfiable, witness

__all__ = [
    "Advisory",
    "AdvisoryError",
    "AdvisoryIndex",
    "AdvisoryMatch",
    "AffectedRange",
    "PopularIndex",
    "RequirementLine",
    "RequirementsFile",
    "Resolution",
    "admits_affected",
    "canonical",
    "damerau_levenshtein",
    "distribution_for_import",
    "environment_distributions",
    "intersect_satisfiable",
    "is_satisfiable",
    "load_advisories",
    "load_import_map",
    "load_popular",
    "lookalike",
    "marker_may_apply",
    "namespace_roots",
    "parse_advisories",
    "parse_requirement",
    "parse_requirements_file",
    "popular_index",
    "resolve_import",
    "skeleton",
    "suppressed",
    "witness",
]
