"""Known vulnerabilities, offline: OSV advisories matched against requirements.

An advisories file holds OSV records (https://ossf.github.io/osv-schema/): one
record, a list of records, or ``{"vulns": [...]}`` as the OSV query API
answers. Only ``affected`` entries of the ``PyPI`` ecosystem count; of each,
the ``ranges`` of type ``ECOSYSTEM`` or ``SEMVER`` (``introduced`` /
``fixed`` / ``last_affected`` events; ``limit`` and ``GIT`` ranges say
nothing about releases) and the explicit ``versions`` list.

A requirement *admits* an affected version when some version its specifier
allows lies in an affected range (decided with
:func:`mbcheck.checks.deps.specifiers.intersect_satisfiable`, never by listing
releases) or is listed. Versions that are not PEP 440 are left out: they
cannot be compared with a specifier.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from mbcheck.checks.deps.names import canonical
from mbcheck.checks.deps.specifiers import intersect_satisfiable

#: advisories files larger than this are refused (an OSV dump of PyPI is ~100 MB)
MAX_BYTES = 256 * 1024 * 1024
_RANGE_TYPES = frozenset({"ECOSYSTEM", "SEMVER"})


class AdvisoryError(ValueError):
    """An advisories file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True, slots=True)
class AffectedRange:
    """Versions from ``introduced`` (None: the first) up to ``fixed`` (exclusive) or
    ``last_affected`` (inclusive); neither: every later version."""

    introduced: Version | None = None
    fixed: Version | None = None
    last_affected: Version | None = None

    def specifier(self) -> SpecifierSet:
        parts: list[str] = []
        if self.introduced is not None:
            parts.append(f">={self.introduced}")
        if self.fixed is not None:
            parts.append(f"<{self.fixed}")
        if self.last_affected is not None:
            parts.append(f"<={self.last_affected}")
        return SpecifierSet(",".join(parts))


@dataclass(frozen=True, slots=True)
class Advisory:
    id: str
    package: str
    summary: str = ""
    aliases: tuple[str, ...] = ()
    ranges: tuple[AffectedRange, ...] = ()
    versions: tuple[Version, ...] = ()

    @property
    def label(self) -> str:
        """The id with its CVE alias, if any (``GHSA-x (CVE-y)``)."""
        cves = [a for a in self.aliases if a.upper().startswith("CVE-")]
        return f"{self.id} ({cves[0]})" if cves and cves[0] != self.id else self.id

    @property
    def fixed(self) -> tuple[Version, ...]:
        return tuple(sorted({r.fixed for r in self.ranges if r.fixed is not None}))


@dataclass(frozen=True, slots=True)
class AdvisoryMatch:
    advisory: Advisory
    #: every version the requirement admits is affected (an affected pin)
    pinned: bool


class AdvisoryIndex:
    """Advisories by PEP 503 normalized package name."""

    def __init__(self, advisories: Iterable[Advisory]) -> None:
        self.by_package: dict[str, list[Advisory]] = {}
        for advisory in advisories:
            self.by_package.setdefault(advisory.package, []).append(advisory)

    def __len__(self) -> int:
        return sum(len(v) for v in self.by_package.values())

    def matches(self, requirement: Requirement) -> list[AdvisoryMatch]:
        """The advisories whose affected versions ``requirement`` admits."""
        found = self.by_package.get(canonical(requirement.name), [])
        out: list[AdvisoryMatch] = []
        for advisory in found:
            if admits_affected(requirement.specifier, advisory):
                out.append(AdvisoryMatch(advisory, _is_pin(requirement.specifier)))
        return out


def _is_pin(spec: SpecifierSet) -> bool:
    items = list(spec)
    return len(items) == 1 and (
        items[0].operator == "===" or (items[0].operator == "==" and not items[0].version.endswith(".*"))
    )


def admits_affected(spec: SpecifierSet, advisory: Advisory) -> bool:
    """Whether some version ``spec`` allows is affected by ``advisory``."""
    prereleases = bool(spec.prereleases)
    for affected in advisory.ranges:
        if intersect_satisfiable(spec, affected.specifier(), prereleases=prereleases):
            return True
    return any(spec.contains(version) for version in advisory.versions)


# ---------------------------------------------------------------------------
# reading


def _version(text: Any) -> Version | None:
    if not isinstance(text, str):
        return None
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _ranges(events: Sequence[Mapping[str, Any]]) -> list[AffectedRange]:
    """An OSV event list as closed ranges (events in order, as the schema asks)."""
    out: list[AffectedRange] = []
    start: Version | None = None
    open_range = False
    for event in events:
        if "introduced" in event:
            value = event["introduced"]
            if open_range:
                continue  # already inside a range: the earlier start stands
            if value == "0":
                start, open_range = None, True
                continue
            version = _version(value)
            if version is None:
                continue  # not PEP 440: this range cannot be compared
            start, open_range = version, True
        elif "fixed" in event or "last_affected" in event:
            if not open_range:
                continue
            key = "fixed" if "fixed" in event else "last_affected"
            version = _version(event[key])
            if version is None:
                open_range = False
                continue
            if key == "fixed":
                out.append(AffectedRange(start, fixed=version))
            else:
                out.append(AffectedRange(start, last_affected=version))
            open_range = False
    if open_range:
        out.append(AffectedRange(start))
    return out


def _expect(condition: bool, where: str, message: str) -> None:
    if not condition:
        raise AdvisoryError(f"{where}: {message}")


def _records(data: Any, source: str) -> list[Any]:
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        if "vulns" in data and "id" not in data:
            _expect(isinstance(data["vulns"], list), source, "`vulns` must be a list of OSV records")
            return list(data["vulns"])
        if "id" in data:
            return [data]
    raise AdvisoryError(
        f"{source}: not OSV advisories: expected a record (an object with `id`), "
        'a list of records, or {"vulns": [...]}'
    )


def _object(value: Any, where: str, message: str = "must be an object") -> dict[str, Any]:
    """``value``, which must be a JSON object."""
    if not isinstance(value, dict):
        raise AdvisoryError(f"{where}: {message}")
    return value


def _string(value: Any, where: str, message: str) -> str:
    """``value``, which must be a JSON string."""
    if not isinstance(value, str):
        raise AdvisoryError(f"{where}: {message}")
    return value


def _list(value: Any, where: str, message: str, item: type | None = None) -> list[Any]:
    """``value``, which must be a JSON array (of ``item`` values, when given)."""
    if not isinstance(value, list) or (item is not None and not all(isinstance(v, item) for v in value)):
        raise AdvisoryError(f"{where}: {message}")
    return value


def _affected_ranges(entry: dict[str, Any], at: str) -> list[AffectedRange]:
    """The comparable ranges of an ``affected`` entry (``ECOSYSTEM`` and ``SEMVER``)."""
    ranges: list[AffectedRange] = []
    for number, raw in enumerate(_list(entry.get("ranges", []), at, "`ranges` must be a list")):
        here = f"{at}.ranges[{number}]"
        kind = _string(_object(raw, here).get("type"), here, "has no `type` string")
        events = _list(raw.get("events"), here, "`events` must be a list of objects", dict)
        if kind.upper() in _RANGE_TYPES:
            ranges.extend(_ranges(events))
    return ranges


def _affected(entry: Any, at: str) -> tuple[str, list[AffectedRange], tuple[Version, ...]] | None:
    """The PyPI package of an ``affected`` entry, its ranges and its listed versions
    (None for another ecosystem, or no package)."""
    package = _object(entry, at).get("package")
    if package is None:
        return None
    package = _object(package, at, "`package` must be an object")
    needs = "`package` needs `ecosystem` and `name` strings"
    ecosystem, name = _string(package.get("ecosystem"), at, needs), _string(package.get("name"), at, needs)
    if ecosystem.split(":", 1)[0].lower() != "pypi":
        return None
    ranges = _affected_ranges(entry, at)
    versions = _list(entry.get("versions", []), at, "`versions` must be a list of strings", str)
    return name, ranges, tuple(v for v in (_version(text) for text in versions) if v is not None)


def _advisories(record: Any, where: str) -> list[Advisory]:
    """The PyPI advisories of one OSV record (none when it is withdrawn)."""
    record_id = _string(_object(record, where).get("id"), where, "has no `id` string")
    _expect(bool(record_id.strip()), where, "has no `id` string")
    where = f"{where} ({record_id})"
    if record.get("withdrawn"):
        return []  # withdrawn advisories no longer apply
    aliases = _list(record.get("aliases", []), where, "`aliases` must be a list of strings", str)
    summary = _string(record.get("summary") or record.get("details") or "", where, "`summary` must be a string")
    out: list[Advisory] = []
    for position, entry in enumerate(_list(record.get("affected", []), where, "`affected` must be a list")):
        found = _affected(entry, f"{where}: affected[{position}]")
        if found is None:
            continue
        name, ranges, versions = found
        if ranges or versions:
            out.append(
                Advisory(
                    id=record_id.strip(),
                    package=canonical(name),
                    summary=" ".join(summary.split())[:200],
                    aliases=tuple(aliases),
                    ranges=tuple(ranges),
                    versions=versions,
                )
            )
    return out


def parse_advisories(data: Any, source: str = "<advisories>") -> tuple[Advisory, ...]:
    """The PyPI advisories of OSV JSON data; raises :class:`AdvisoryError` for malformed records."""
    out: list[Advisory] = []
    for index, record in enumerate(_records(data, source)):
        out.extend(_advisories(record, f"{source}: record {index}"))
    return tuple(out)


def load_advisories(path: str | os.PathLike[str]) -> AdvisoryIndex:
    """The advisories of an OSV JSON file (cached while the file is unchanged)."""
    file = Path(path)
    try:
        info = file.stat()
    except OSError as exc:
        raise AdvisoryError(f"advisories file {file}: cannot read: {exc.strerror or exc}") from None
    return _load(str(file), info.st_mtime_ns, info.st_size)


@lru_cache(maxsize=4)
def _load(path: str, _mtime: int, size: int) -> AdvisoryIndex:
    source = f"advisories file {path}"
    if size > MAX_BYTES:
        raise AdvisoryError(f"{source}: larger than {MAX_BYTES // (1024 * 1024)} MB")
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise AdvisoryError(f"{source}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise AdvisoryError(f"{source}: not UTF-8 text: {exc.reason}") from None
    except ValueError as exc:
        raise AdvisoryError(f"{source}: invalid JSON: {exc}") from None
    return AdvisoryIndex(parse_advisories(data, source))


__all__ = [
    "Advisory",
    "AdvisoryError",
    "AdvisoryIndex",
    "AdvisoryMatch",
    "AffectedRange",
    "admits_affected",
    "load_advisories",
    "parse_advisories",
]
