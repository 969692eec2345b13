"""Python-range logic of the compatibility rules, checked against brute force."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from mbcheck.checks.compat.facts import (
    KNOWN_MINORS,
    Minor,
    Patch,
    Requirement,
    admitted_minors,
    failing_minors,
    host_minors,
    lacks,
    minors_text,
    required,
    threshold,
)
from mbcheck.checks.compat.tables import HostApi
from mbcheck.model import Span

PATCHES = (*range(0, 31), 999)


def _has(req: Requirement, minor: Minor, patch: int) -> bool:
    """Whether Python 3.minor.patch satisfies ``req`` (the definition, spelled out)."""
    if req.bound == "max":
        return minor < req.version
    if minor >= req.version:
        return True
    return any(b[:2] == minor and patch >= b[2] for b in req.backported)


def _minor_admitted(spec: SpecifierSet, minor: Minor) -> bool:
    return any(spec.contains(f"{minor[0]}.{minor[1]}.{p}") for p in PATCHES)


minor_numbers = st.integers(min_value=0, max_value=15)


@st.composite
def specifiers(draw: Any) -> SpecifierSet:
    clauses = []
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from([">=", ">", "<", "<=", "==", "!=", "~=", "==*", "!=*"]))
        minor = draw(minor_numbers)
        patch = draw(st.one_of(st.none(), st.integers(0, 20)))
        if op in ("==*", "!=*"):
            clauses.append(f"{op[:2]}3.{minor}.*")
        elif op == "~=":
            clauses.append(f"~=3.{minor}" + ("" if patch is None else f".{patch}"))
        else:
            clauses.append(f"{op}3.{minor}" + ("" if patch is None else f".{patch}"))
    return SpecifierSet(",".join(clauses))


@st.composite
def requirements(draw: Any) -> Requirement:
    bound = draw(st.sampled_from(["min", "max"]))
    version = (3, draw(st.integers(1, 15)))
    backported: tuple[Patch, ...] = ()
    if bound == "min":
        lines = draw(st.lists(st.integers(0, version[1] - 1), unique=True, max_size=3))
        backported = tuple(sorted((3, line, draw(st.integers(1, 20))) for line in lines))
    return Requirement("member", "x.y", bound, version, Span("m.py"), backported=backported)


@settings(max_examples=300, deadline=None)
@given(specifiers())
def test_admitted_minors_match_brute_force(spec: SpecifierSet) -> None:
    assert set(admitted_minors(spec)) == {m for m in KNOWN_MINORS if _minor_admitted(spec, m)}


@settings(max_examples=300, deadline=None)
@given(requirements(), specifiers())
def test_failing_minors_match_brute_force(req: Requirement, spec: SpecifierSet) -> None:
    expected = {
        m for m in KNOWN_MINORS if any(spec.contains(f"3.{m[1]}.{p}") and not _has(req, m, p) for p in PATCHES)
    }
    assert set(failing_minors(req, spec)) == expected


@settings(max_examples=200, deadline=None)
@given(requirements())
def test_lacks_means_every_release_of_the_line_lacks(req: Requirement) -> None:
    for minor in KNOWN_MINORS:
        assert lacks(req, minor) == all(not _has(req, minor, p) for p in PATCHES)


@settings(max_examples=200, deadline=None)
@given(requirements().filter(lambda r: r.bound == "min"))
def test_threshold_is_where_the_name_is_always_there(req: Requirement) -> None:
    point = threshold(req)
    versions = [Version(f"3.{m[1]}.{p}") for m in KNOWN_MINORS for p in PATCHES]
    later = [v for v in versions if v >= point]
    assert all(_has(req, (3, v.release[1]), v.release[2]) for v in later)
    earlier = [v for v in versions if v < point]
    if earlier:
        assert not _has(req, (3, max(earlier).release[1]), max(earlier).release[2])


@settings(max_examples=200, deadline=None)
@given(st.lists(requirements(), max_size=6))
def test_required_runs_on_exactly_the_minors_every_requirement_allows(reqs: list[Requirement]) -> None:
    needed = required(reqs)
    for minor in KNOWN_MINORS:
        newest_patch_ok = all(_has(r, minor, 999) for r in reqs) and minor >= (3, 6)
        assert needed.runs_on(minor) == newest_patch_ok


@settings(max_examples=200, deadline=None)
@given(st.sets(st.sampled_from(KNOWN_MINORS), min_size=1))
def test_minors_text_lists_exactly_its_input(minors: set[Minor]) -> None:
    text = minors_text(minors)
    listed: set[Minor] = set()
    for part in text.split(", "):
        if match := re.fullmatch(r"3\.(\d+) to 3\.(\d+)", part):
            listed |= {(3, m) for m in range(int(match.group(1)), int(match.group(2)) + 1)}
        elif match := re.fullmatch(r"3\.(\d+) and newer", part):
            listed |= {(3, m) for m in range(int(match.group(1)), KNOWN_MINORS[-1][1] + 1)}
        else:
            listed.add((3, int(part.split(".")[1])))
    assert listed == minors


def test_host_minors_come_from_the_profile_or_its_specifier() -> None:
    assert host_minors(SpecifierSet(">=3.11"), ["3.11", "3.12", "3.10"]) == ((3, 11), (3, 12))
    assert host_minors(SpecifierSet(">=3.13"), []) == ((3, 13), (3, 14), (3, 15))


@pytest.mark.parametrize(
    ("name", "missing"),
    [
        ("milkbottle", None),
        ("milkbottle.plugin_system", None),
        ("milkbottle.plugin_system.core.PluginInterface", None),
        ("milkbottle.plugin_system.core.PluginInterface.get_cli", None),
        ("milkbottle.errors.AnythingAtAll", None),
        ("milkbottle.internal", "milkbottle.internal"),
        ("milkbottle.internal.loader.x", "milkbottle.internal"),
        ("milkbottle.plugin_system.core.NotAThing", "milkbottle.plugin_system.core.NotAThing"),
        ("milkbottle.plugin_system.loader", "milkbottle.plugin_system.loader"),
    ],
)
def test_host_api_missing_names_the_first_unknown_part(name: str, missing: str | None) -> None:
    api = HostApi(
        Version("1.0.0"),
        {
            "milkbottle": frozenset({"__version__"}),
            "milkbottle.plugin_system": frozenset({"PluginInterface"}),
            "milkbottle.plugin_system.core": frozenset({"PluginInterface"}),
            "milkbottle.errors": frozenset({"*"}),
        },
    )
    assert api.missing(name) == missing
