"""Can any version satisfy these PEP 440 specifier sets at once?

Every plugin shares one environment with the host and the other plugins, so
``click<8`` in a plugin next to the host's ``click>=8.0.0`` can never be
installed. :func:`intersect_satisfiable` decides that without an index: it
builds a finite set of candidate versions from the specifiers' own boundaries
and asks :mod:`packaging` (``SpecifierSet.contains``) about each, so the
operators keep exactly the meaning the installed ``packaging`` gives them.

Why a finite set suffices: every operator's verdict on a version ``v`` depends
only on

* where ``v`` sorts relative to a few *points*: each specifier's version, the
  ``.dev0`` ends of a prefix match (``==1.2.*`` is ``[1.2.dev0, 1.3.dev0)``) and
  of ``~=`` (``~=1.4.5`` ends below ``1.5.dev0``);
* whether ``v`` has the same release as one of those points (``>1.0`` rejects
  ``1.0.post1``, ``<2.0`` rejects ``2.0a1``), and whether it is a pre-, post- or
  dev-release;
* for ``==V+local`` and ``===`` only, the exact version.

So the candidates are: every point itself (with its local label, and with a
fresh one); for each release that some point has, a grid of pre/post/dev
qualifiers around the points' own qualifiers; and one plain release inside
every gap between those releases (just above and just below each, below and
above everything, and in the neighbouring epochs). Releases in a gap behave
alike, so one final release stands for all of them. A ``True`` answer always
comes with a witness that ``contains`` accepted; the hypothesis tests compare
the ``False`` answers with a brute-force search.

``===`` compares strings: only a :class:`~packaging.version.Version` whose
normal form is the given text can match it (``===1.0`` matches ``1.0``,
``===1.0.0-rc1`` matches no normalized version).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from packaging.specifiers import Specifier, SpecifierSet
from packaging.version import InvalidVersion, Version

_PRE_LETTERS = ("a", "b", "rc")


@dataclass(frozen=True, slots=True)
class _Points:
    """The versions the specifiers' verdicts turn on."""

    points: tuple[Version, ...]
    exact: tuple[Version, ...]  # versions that must be tried exactly as they are (locals, ===)


def _release(parts: Iterable[int]) -> tuple[int, ...]:
    """A release tuple without trailing zeros (``1.0.0`` sorts as ``1``), never empty."""
    release = tuple(parts)
    end = len(release)
    while end > 1 and release[end - 1] == 0:
        end -= 1
    return release[:end]


def _make(
    epoch: int,
    release: tuple[int, ...],
    pre: tuple[str, int] | None = None,
    post: int | None = None,
    dev: int | None = None,
    local: str | None = None,
) -> Version:
    text = f"{epoch}!" + ".".join(map(str, release))
    if pre is not None:
        text += f"{pre[0]}{pre[1]}"
    if post is not None:
        text += f".post{post}"
    if dev is not None:
        text += f".dev{dev}"
    if local is not None:
        text += f"+{local}"
    return Version(text)


def _bump(epoch: int, prefix: tuple[int, ...]) -> Version:
    """The first version after every version that starts with ``prefix``: ``1.2`` -> ``1.3.dev0``."""
    return _make(epoch, (*prefix[:-1], prefix[-1] + 1), dev=0)


def _specifiers(specs: Iterable[SpecifierSet]) -> Iterator[Specifier]:
    for spec_set in specs:
        yield from spec_set


def _collect(specs: tuple[SpecifierSet, ...]) -> _Points:
    points: list[Version] = []
    exact: list[Version] = []
    for spec in _specifiers(specs):
        operator, text = spec.operator, spec.version
        if operator == "===":
            try:
                version = Version(text)
            except InvalidVersion:
                continue  # no normalized version is spelled like that
            points.append(version)
            exact.append(version)
            continue
        if text.endswith(".*"):
            base = Version(text[:-2])
            points.append(_make(base.epoch, base.release, dev=0))
            points.append(_bump(base.epoch, base.release))
            continue
        version = Version(text)
        points.append(version)
        if version.local is not None:
            exact.append(version)
        if operator == "~=" and len(version.release) > 1:
            prefix = version.release[:-1]
            points.append(_make(version.epoch, prefix, dev=0))
            points.append(_bump(version.epoch, prefix))
    return _Points(tuple(points), tuple(exact))


def _numbers(version: Version) -> Iterator[int]:
    yield version.epoch
    yield from version.release
    if version.pre is not None:
        yield version.pre[1]
    if version.post is not None:
        yield version.post
    if version.dev is not None:
        yield version.dev


def _around(values: Iterable[int], big: int) -> list[int]:
    """0, ``big``, and each value with its neighbours: the numbers a qualifier needs."""
    found = {0, big}
    for value in values:
        found.update((value, value + 1))
        if value > 0:
            found.add(value - 1)
    return sorted(found)


def _pre_options(pres: Iterable[tuple[str, int]], big: int) -> list[tuple[str, int] | None]:
    options: set[tuple[str, int]] = {("a", 0), ("rc", big)}
    for letter, number in pres:
        options.update(((letter, number), (letter, number + 1)))
        if number > 0:
            options.add((letter, number - 1))
        else:
            position = _PRE_LETTERS.index(letter)
            if position > 0:
                options.add((_PRE_LETTERS[position - 1], big))
    return [None, *sorted(options, key=lambda p: (_PRE_LETTERS.index(p[0]), p[1]))]


def _candidates(specs: tuple[SpecifierSet, ...]) -> Iterator[Version]:
    """Versions that between them show every verdict the specifiers can give."""
    collected = _collect(specs)
    points = collected.points
    big = max((n for p in points for n in _numbers(p)), default=0) + 2
    depth = max((len(p.release) for p in points), default=1)

    # 1. The points themselves, plainest first: the likeliest, and the most
    #    readable, witnesses.
    yield from sorted(set(points), key=lambda v: (v.is_prerelease, v.local is not None, v))
    yield from collected.exact
    for point in points:
        if point.local is None:
            yield _make(point.epoch, point.release, point.pre, point.post, point.dev, "mbcheck")

    # 2. One plain release inside every gap between the points' releases.
    boundary: dict[tuple[int, tuple[int, ...]], list[Version]] = {}
    for point in points:
        boundary.setdefault((point.epoch, _release(point.release)), []).append(point)
    epochs = {0} | {epoch for epoch, _ in boundary}
    fresh: set[tuple[int, tuple[int, ...]]] = set()
    for epoch, release in boundary:
        fresh.add((epoch, release + (0,) * (depth - len(release)) + (1,)))  # just above
        last = len(release) - 1
        if release[last] > 0:
            fresh.add((epoch, (*release[:last], release[last] - 1, big)))  # just below
        elif epoch > 0:
            fresh.add((epoch - 1, (big,)))  # below the epoch's first release
    for epoch in epochs:
        fresh.update(((epoch, (0,)), (epoch, (big,)), (epoch + 1, (0,))))
        if epoch > 0:
            fresh.add((epoch - 1, (big,)))
    for epoch, release in sorted(fresh):
        if (epoch, _release(release)) not in boundary:
            yield _make(epoch, release)

    # 3. Around each release that a point has: every combination of the
    #    qualifiers next to the points' own.
    for (epoch, release), group in sorted(boundary.items()):
        pres = _pre_options((p.pre for p in group if p.pre is not None), big)
        posts: list[int | None] = [
            None,
            *_around((p.post for p in group if p.post is not None), big),
        ]
        devs: list[int | None] = [None, *_around((p.dev for p in group if p.dev is not None), big)]
        for pre in pres:
            for post in posts:
                for dev in devs:
                    yield _make(epoch, release, pre, post, dev)


def witness(*specs: SpecifierSet, prereleases: bool = True) -> Version | None:
    """A version that satisfies every one of ``specs``, or None when none can.

    With ``prereleases=False`` the witness must not be a pre-release (a ``.dev``
    or ``a``/``b``/``rc`` version), as with ``contains(v, prereleases=False)``.
    The witness prefers the specifiers' own versions and final releases.
    """
    seen: set[str] = set()
    for candidate in _candidates(specs):
        text = str(candidate)  # by spelling: 1.0 and 1.0.0 are equal but not to ===
        if text in seen:
            continue
        seen.add(text)
        if not prereleases and candidate.is_prerelease:
            continue
        if all(spec.contains(candidate, prereleases=prereleases) for spec in specs):
            return candidate
    return None


def intersect_satisfiable(*specs: SpecifierSet, prereleases: bool = True) -> bool:
    """Whether some version satisfies all of ``specs`` at once.

    ``intersect_satisfiable(SpecifierSet("<8"), SpecifierSet(">=8.0.0"))`` is
    False: a plugin requiring ``click<8`` cannot share an environment with a
    host requiring ``click>=8.0.0``. No specifier sets at all: True.
    """
    return witness(*specs, prereleases=prereleases) is not None


def is_satisfiable(spec: SpecifierSet, prereleases: bool = True) -> bool:
    """Whether any version satisfies ``spec`` (``>=2,<1`` and ``==1.0,!=1.0`` do not)."""
    return witness(spec, prereleases=prereleases) is not None
