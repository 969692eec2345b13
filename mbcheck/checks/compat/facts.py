"""Compatibility facts and the Python-range logic (plain data: no libcst here).

The per-file collector (:mod:`mbcheck.checks.compat.collect`) records each
*requirement* the code makes on the Python version: a syntax form, a
standard-library module or member that must exist (a minimum) or must still
exist (a maximum, from a removal). The plugin-level analysis
(:mod:`mbcheck.checks.compat.analysis`) compares them with the declared
``python_version`` and the host profile through the range logic here. The
version tables the collector reads are in :mod:`mbcheck.checks.compat.tables`.

Versions are Python 3 minor releases as ``(3, minor)`` tuples; backports of
security fixes are patch releases ``(3, minor, patch)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from mbcheck.model import Fix, Span

Minor = tuple[int, int]
Patch = tuple[int, int, int]
Bound = Literal["min", "max"]
Kind = Literal["syntax", "module", "member", "keyword"]

#: every Python 3 minor release the range logic reasons about (3.0 to 3.15)
KNOWN_MINORS: tuple[Minor, ...] = tuple((3, minor) for minor in range(16))
#: the oldest release the tables describe: code using nothing newer needs this
BASELINE: Minor = (3, 6)
#: minimum requirements at or below this release are recorded once per file
#: and without a position (resolving positions costs about two parses per
#: file); the plugin rules report them at the manifest's ``python_version``
SPAN_FLOOR: Minor = (3, 8)


def parse_minor(text: str) -> Minor:
    major, minor = text.split(".")[:2]
    return int(major), int(minor)


def parse_patch(text: str) -> Patch:
    major, minor, patch = text.split(".")[:3]
    return int(major), int(minor), int(patch)


def minor_text(minor: Minor) -> str:
    return f"{minor[0]}.{minor[1]}"


def minors_text(minors: Iterable[Minor]) -> str:
    """``3.8, 3.9, 3.10`` written as ``3.8 to 3.10`` (runs collapsed; open at the top)."""
    ordered = sorted(set(minors))
    runs: list[list[Minor]] = []
    for minor in ordered:
        if runs and runs[-1][-1][0] == minor[0] and runs[-1][-1][1] + 1 == minor[1]:
            runs[-1].append(minor)
        else:
            runs.append([minor])
    parts = []
    for run in runs:
        if run[-1] == KNOWN_MINORS[-1] and len(run) > 1:
            parts.append(f"{minor_text(run[0])} and newer")
        elif len(run) == 1:
            parts.append(minor_text(run[0]))
        elif len(run) == 2:
            parts.append(f"{minor_text(run[0])}, {minor_text(run[1])}")
        else:
            parts.append(f"{minor_text(run[0])} to {minor_text(run[-1])}")
    return ", ".join(parts)


# ---------------------------------------------------------------------------
# facts


@dataclass(frozen=True, slots=True)
class Requirement:
    """One thing the code needs from the Python version.

    ``bound`` is ``"min"`` (needs ``version`` or newer: a syntax form, an added
    module or member) or ``"max"`` (needs a release *before* ``version``: the
    name was removed in ``version``). ``what`` is the syntax feature id or the
    qualified name. ``guarded`` requirements sit under a version check, a
    ``try``/``except ImportError`` fallback, a ``hasattr`` check or
    ``TYPE_CHECKING``: they do not raise the requirement. Unlocated ones
    (``located`` false) carry the file only.
    """

    kind: Kind
    what: str
    bound: Bound
    version: Minor
    span: Span
    statement_line: int = 0
    guarded: bool = False
    located: bool = True
    #: first patch release per older release line that also has the name
    backported: tuple[Patch, ...] = ()
    #: the exact replacement, when there is one (``import imp`` used only for ``imp.reload``)
    fix: Fix | None = None


@dataclass(frozen=True, slots=True)
class HostApiUse:
    """A ``milkbottle`` name the plugin imports or uses (qualified)."""

    name: str
    span: Span
    statement_line: int = 0


@dataclass(frozen=True, slots=True)
class CompatFacts:
    requirements: tuple[Requirement, ...] = ()
    host_api: tuple[HostApiUse, ...] = ()


# ---------------------------------------------------------------------------
# Python ranges


def _probes(spec: SpecifierSet, minor: Minor, below_patch: int | None = None) -> list[Version]:
    """Versions of one release line that stand for the whole line in ``spec``."""
    patches = {0, 999}
    if below_patch is not None:
        patches.add(max(below_patch - 1, 0))
    for specifier in spec:
        try:
            release = Version(specifier.version.replace(".*", "")).release
        except InvalidVersion:
            continue
        if tuple(release[:2]) == minor:
            patch = release[2] if len(release) > 2 else 0
            patches.update({patch, max(patch - 1, 0), patch + 1})
    if below_patch is not None:
        patches = {p for p in patches if p < below_patch}
    return [Version(f"{minor[0]}.{minor[1]}.{patch}") for patch in sorted(patches)]


@lru_cache(maxsize=4096)
def admits(spec: SpecifierSet, minor: Minor, below_patch: int | None = None) -> bool:
    """Whether ``spec`` admits some release of ``minor`` (before ``below_patch``).

    Cached: a plugin asks about the same declared range for every feature its
    code uses, and each answer parses and compares a dozen versions."""
    return any(spec.contains(probe, prereleases=True) for probe in _probes(spec, minor, below_patch))


def admitted_minors(spec: SpecifierSet) -> tuple[Minor, ...]:
    return tuple(minor for minor in KNOWN_MINORS if admits(spec, minor))


def backport_on(requirement_backports: Iterable[Patch], minor: Minor) -> int | None:
    for patch in requirement_backports:
        if patch[:2] == minor:
            return patch[2]
    return None


def lacks(req: Requirement, minor: Minor) -> bool:
    """Whether every release of ``minor`` lacks what ``req`` needs."""
    if req.bound == "max":
        return minor >= req.version
    return minor < req.version and backport_on(req.backported, minor) is None


def failing_minors(req: Requirement, spec: SpecifierSet) -> tuple[Minor, ...]:
    """Releases ``spec`` admits on which (some patch release of) them ``req`` fails."""
    out = []
    for minor in admitted_minors(spec):
        if req.bound == "max":
            if minor >= req.version:
                out.append(minor)
        elif minor < req.version:
            patch = backport_on(req.backported, minor)
            if patch is None or admits(spec, minor, below_patch=patch):
                out.append(minor)
    return tuple(out)


def threshold(req: Requirement) -> Version:
    """The oldest version from which every later release satisfies a minimum."""
    below = (req.version[0], req.version[1] - 1)
    patch = backport_on(req.backported, below)
    if patch is not None:
        return Version(f"{below[0]}.{below[1]}.{patch}")
    return Version(minor_text(req.version))


def host_minors(requires_python: SpecifierSet, python_versions: Iterable[str]) -> tuple[Minor, ...]:
    """The Python releases a host profile runs on."""
    listed = []
    for text in python_versions:
        try:
            minor = parse_minor(text)
        except ValueError:
            continue
        if admits(requires_python, minor):
            listed.append(minor)
    return tuple(sorted(set(listed))) or admitted_minors(requires_python)


@dataclass(frozen=True, slots=True)
class Required:
    """What the code needs, all requirements together."""

    minimum: Version
    #: exclusive upper bound (the earliest removal), or None
    maximum: Minor | None
    #: the requirements it summarises (not guarded)
    requirements: tuple[Requirement, ...] = ()

    @property
    def min_text(self) -> str:
        return str(self.minimum)

    @property
    def max_text(self) -> str | None:
        return None if self.maximum is None else f"<{minor_text(self.maximum)}"

    def specifier(self) -> str:
        text = f">={self.min_text}"
        return text if self.maximum is None else f"{text},{self.max_text}"

    def runs_on(self, minor: Minor) -> bool:
        """Whether an up-to-date release of ``minor`` has everything the code needs."""
        return minor >= BASELINE and not any(lacks(req, minor) for req in self.requirements)


def required(requirements: Iterable[Requirement]) -> Required:
    minimum = Version(minor_text(BASELINE))
    maximum: Minor | None = None
    effective = tuple(req for req in requirements if not req.guarded)
    for req in effective:
        if req.bound == "min":
            minimum = max(minimum, threshold(req))
        elif maximum is None or req.version < maximum:
            maximum = req.version
    return Required(minimum, maximum, effective)


__all__ = [
    "BASELINE",
    "KNOWN_MINORS",
    "SPAN_FLOOR",
    "CompatFacts",
    "HostApiUse",
    "Minor",
    "Patch",
    "Required",
    "Requirement",
    "admits",
    "admitted_minors",
    "failing_minors",
    "host_minors",
    "lacks",
    "minor_text",
    "minors_text",
    "parse_minor",
    "parse_patch",
    "required",
    "threshold",
]
