"""Specifier satisfiability: examples, and hypothesis against brute force."""

from __future__ import annotations

from functools import cache
from itertools import product

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from mbcheck.checks.deps.specifiers import intersect_satisfiable, is_satisfiable, witness


def sets(*texts: str) -> list[SpecifierSet]:
    return [SpecifierSet(text) for text in texts]


def assert_witness(specs: list[SpecifierSet], prereleases: bool = True) -> Version:
    found = witness(*specs, prereleases=prereleases)
    assert found is not None
    for spec in specs:
        assert spec.contains(found, prereleases=prereleases), (spec, found)
    if not prereleases:
        assert not found.is_prerelease
    return found


def test_host_click_against_plugin_click_below_8() -> None:
    assert not intersect_satisfiable(*sets("<8", ">=8.0.0"))
    assert witness(*sets("<8", ">=8.0.0")) is None


def test_empty_range_is_unsatisfiable() -> None:
    assert not is_satisfiable(SpecifierSet(">=2,<1"))


def test_range_with_a_hole_is_satisfiable() -> None:
    assert is_satisfiable(SpecifierSet(">=1.0,!=1.5,<2"))
    found = assert_witness(sets(">=1.0,!=1.5,<2"))
    assert found != Version("1.5")


def test_no_specifiers_at_all() -> None:
    assert intersect_satisfiable()
    assert is_satisfiable(SpecifierSet(""))


SATISFIABLE = [
    (">1.0", "<1.0.1"),  # 1.0.0.1 lies between
    (">0.99999", "<1"),
    ("~=1.4.5", "<1.5"),
    ("~=1.4", "<2", ">=1.9"),
    ("==1.2.*", ">=1.2.5", "!=1.2.5"),
    ("!=1.*", "<2.1", ">=1"),  # 2.0
    ("==1.0", "!=1.0+local"),  # 1.0 itself
    ("==1.0+local",),
    ("===1.0.0", ">=1"),
    (">=1.0.dev0", "<1.0a0"),  # 1.0.dev5, only as a pre-release
    ("<1.0.post1", ">=1.0"),  # 1.0 and 1.0.post0
    ("==1!0", ">=1!0"),
    (">=1!0", "<1!0.0.1"),
    ("<1!0",),  # every epoch-0 version
    ("~=0.0", "<0.1"),
    ("==0.*", "<0.0.0.1"),
    (">2.1.0",),
    ("<=1!2.1rc1.post0.dev2",),
    ("~=2.0.post0.dev3", "<=2.0.post3.dev2"),
    (">=0.1.1,>0.1.1.post0", "<0.1.1.post2.dev3"),
    (">1.1.1.dev0", "<1.1.1.dev3"),
    (">0.2.1b0,!=0.2.1b0", "<0.2.1rc0.dev2,<=0.2.1"),
    (">0a2.post2.dev3", "!=1", "<0rc0.dev0"),
    ("<=2.2.1,==1.0.0.*", "<=2.2.1a2.post1", ">1.0.0,>1.0.0a0.post1"),
    (">1!2,>=1!2.post3", ">=1!2b1,>1!2.dev0", "~=1!2.0rc2.dev2,!=1!2.dev0"),
]

UNSATISFIABLE = [
    ("<8", ">=8.0.0"),
    (">=2,<1",),
    ("==1.0", "!=1.0"),
    ("==1.0,!=1.0.0",),
    ("==1.2.*", "!=1.2.*"),
    ("==1.2.*", ">=1.3.dev0"),
    ("~=1.4.5", ">=1.5.dev0"),
    ("~=2.2", "<2.2"),
    (">1.0a1", "<1.0"),  # 1.0aN are pre-releases of 1.0, which <1.0 excludes
    (">1.0", "<=1.0.post5"),  # >1.0 excludes 1.0's post-releases
    ("<0",),
    ("<0.dev0",),
    ("==1.0+abc", "!=1.0+abc"),
    ("===1.0.0", "!=1.0"),
    ("===1.0.0", "===1.0"),
    ("===not-a-version",),
    (">=1!0", "<1!0.dev0"),
    ("==1.0", "==2.0"),
    ("==3.0.*", "<3.0"),  # <3.0 excludes 3.0's pre-releases, all that is left
]


@pytest.mark.parametrize("texts", SATISFIABLE, ids=" & ".join)
def test_satisfiable_examples(texts: tuple[str, ...]) -> None:
    specs = sets(*texts)
    assert intersect_satisfiable(*specs)
    assert_witness(specs)


@pytest.mark.parametrize("texts", UNSATISFIABLE, ids=" & ".join)
def test_unsatisfiable_examples(texts: tuple[str, ...]) -> None:
    specs = sets(*texts)
    assert not intersect_satisfiable(*specs)
    assert not intersect_satisfiable(*specs, prereleases=False)
    assert witness(*specs) is None


@pytest.mark.parametrize(
    "texts",
    [(">=1.0.dev0", "<1.0a0"), ("==2.0rc1",), (">1.0a1", "<1.0a3"), ("==3.0.*", "<3.0rc1")],
    ids=" & ".join,
)
def test_only_prereleases_satisfy(texts: tuple[str, ...]) -> None:
    specs = sets(*texts)
    assert assert_witness(specs).is_prerelease
    assert not intersect_satisfiable(*specs, prereleases=False)
    assert witness(*specs, prereleases=False) is None


def test_prereleases_false_still_finds_final_releases() -> None:
    specs = sets(">=1.0a1", "<1.1")
    assert_witness(specs, prereleases=False)


def test_witness_prefers_the_specifiers_own_versions() -> None:
    assert witness(*sets(">=1.2", "<2")) == Version("1.2")
    assert witness(*sets("==3.1.4")) == Version("3.1.4")


# --- hypothesis: brute force over a small universe -----------------------------

PRE = (None, ("a", 0), ("rc", 1))
POST = (None, 0, 1)
DEV = (None, 0)
RELEASES = [release for size in (1, 2, 3) for release in product(range(4), repeat=size)]


def spell(
    release: tuple[int, ...],
    pre: tuple[str, int] | None,
    post: int | None,
    dev: int | None,
) -> str:
    text = ".".join(map(str, release))
    if pre is not None:
        text += f"{pre[0]}{pre[1]}"
    if post is not None:
        text += f".post{post}"
    if dev is not None:
        text += f".dev{dev}"
    return text


UNIVERSE = [
    Version(spell(release, pre, post, dev))
    for release, pre, post, dev in product(RELEASES, PRE, POST, DEV)
]
FINAL_MASK = sum(1 << i for i, v in enumerate(UNIVERSE) if not v.is_prerelease)
ALL_MASK = (1 << len(UNIVERSE)) - 1


@cache
def members(spec: str) -> int:
    """Bit i set when UNIVERSE[i] satisfies ``spec`` (pre-releases allowed)."""
    spec_set = SpecifierSet(spec)
    return sum(1 << i for i, v in enumerate(UNIVERSE) if spec_set.contains(v, prereleases=True))


releases = st.lists(st.integers(0, 3), min_size=1, max_size=3).map(tuple)


@st.composite
def spec_lists(draw: st.DrawFn) -> list[str]:
    """1-3 specifier sets of 1-2 specifiers, their versions mostly sharing one
    or two releases so that the bounds are close enough to matter."""
    pool = draw(st.lists(releases, min_size=1, max_size=2))
    release_of = st.one_of(st.sampled_from(pool), releases)

    def specifier() -> str:
        operator = draw(
            st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "~=", "==*", "!=*", "==="])
        )
        release = draw(release_of)
        if operator in ("==*", "!=*"):
            return operator[:2] + ".".join(map(str, release)) + ".*"
        if operator == "~=" and len(release) < 2:
            release = (*release, 0)
        version = spell(
            release,
            draw(st.sampled_from(PRE)),
            draw(st.sampled_from(POST)),
            draw(st.sampled_from(DEV)),
        )
        if operator == "===":
            return "===" + str(Version(version))
        return operator + version

    count = draw(st.integers(1, 3))
    return [",".join(specifier() for _ in range(draw(st.integers(1, 2)))) for _ in range(count)]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec_lists(), st.booleans())
def test_agrees_with_brute_force(texts: list[str], prereleases: bool) -> None:
    mask = FINAL_MASK if not prereleases else ALL_MASK
    for text in texts:
        for part in text.split(","):
            mask &= members(part)
    specs = [SpecifierSet(text) for text in texts]
    found = witness(*specs, prereleases=prereleases)
    if mask:
        assert found is not None, f"{UNIVERSE[(mask & -mask).bit_length() - 1]} satisfies all"
    assert intersect_satisfiable(*specs, prereleases=prereleases) == (found is not None)
    if found is not None:
        for spec in specs:
            assert spec.contains(found, prereleases=True)
            assert spec.contains(found, prereleases=prereleases)


# --- hypothesis: packaging's own range engine, where it has one ----------------


@st.composite
def wide_spec_lists(draw: st.DrawFn) -> list[str]:
    """Like :func:`spec_lists`, with epochs, local labels and larger numbers."""
    wide_releases = st.lists(st.integers(0, 12), min_size=1, max_size=4).map(tuple)
    epochs = st.sampled_from([0, 0, 0, 1, 2])
    pool = draw(st.lists(st.tuples(epochs, wide_releases), min_size=1, max_size=2))
    numbers = st.integers(0, 3)

    def specifier() -> str:
        operator = draw(
            st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "~=", "==*", "!=*", "==="])
        )
        epoch, release = draw(st.one_of(st.sampled_from(pool), st.tuples(epochs, wide_releases)))
        prefix = f"{epoch}!" if epoch else ""
        if operator in ("==*", "!=*"):
            return operator[:2] + prefix + ".".join(map(str, release)) + ".*"
        if operator == "~=" and len(release) < 2:
            release = (*release, 0)
        version = prefix + spell(
            release,
            draw(st.one_of(st.none(), st.tuples(st.sampled_from(["a", "b", "rc"]), numbers))),
            draw(st.one_of(st.none(), numbers)),
            draw(st.one_of(st.none(), numbers)),
        )
        if operator in ("==", "!=") and draw(st.booleans()):
            version += "+" + draw(st.sampled_from(["local", "1", "x.2"]))
        if operator == "===":
            return "===" + str(Version(version))
        return operator + version

    count = draw(st.integers(1, 3))
    return [",".join(specifier() for _ in range(draw(st.integers(1, 2)))) for _ in range(count)]


@pytest.mark.skipif(
    not hasattr(SpecifierSet, "is_unsatisfiable"), reason="packaging without a range engine"
)
@settings(max_examples=500, deadline=None)
@given(wide_spec_lists(), st.booleans())
def test_agrees_with_packaging_ranges(texts: list[str], prereleases: bool) -> None:
    specs = [SpecifierSet(text) for text in texts]
    combined = SpecifierSet(",".join(texts), prereleases=prereleases)
    expected = not combined.is_unsatisfiable()  # type: ignore[attr-defined,unused-ignore]
    found = witness(*specs, prereleases=prereleases)
    assert (found is not None) == expected, found
    if found is not None:
        assert all(spec.contains(found, prereleases=prereleases) for spec in specs)
