"""Guards: code that only runs where it works does not raise the requirement.

Version checks (every spelling, their ``else`` for the opposite direction),
``try``/``except ImportError`` fallbacks (and the ``else`` of a ``try`` that
detected a name), ``contextlib.suppress``, ``hasattr`` checks and
``TYPE_CHECKING``. The meaning of each version check is tested against the
comparison itself, evaluated on every Python 3 release.
"""

from __future__ import annotations

from typing import Any

import libcst as cst
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mbcheck.checks.compat.collect import CompatCollector, analyse_source
from mbcheck.checks.compat.collect_guards import Guard
from mbcheck.checks.compat.facts import KNOWN_MINORS
from mbcheck.pyfile.traverse import FileContext


def guarded(source: str) -> dict[tuple[str, str], bool]:
    """(what, bound) -> guarded, for the tabled names of a source."""
    out: dict[tuple[str, str], bool] = {}
    for req in analyse_source(source).requirements:
        if req.kind != "syntax":
            out[(req.what, req.bound)] = req.guarded
    return out


TOMLLIB = ("tomllib", "min")
IMP = ("imp", "max")

CASES: dict[str, tuple[str, dict[tuple[str, str], bool]]] = {
    "ge_then_else": (
        "import sys\nif sys.version_info >= (3, 11):\n    import tomllib\nelse:\n    import imp\n",
        {TOMLLIB: True, IMP: True},
    ),
    "ge_too_weak": ("import sys\nif sys.version_info >= (3, 9):\n    import tomllib\n", {TOMLLIB: False}),
    # sys.version_info > (3, 10) is true on 3.10.0: a longer tuple with an equal prefix is greater
    "gt_full_tuple_means_3_10": ("import sys\nif sys.version_info > (3, 10):\n    import tomllib\n", {TOMLLIB: False}),
    "gt_two_item_slice": ("import sys\nif sys.version_info[:2] > (3, 10):\n    import tomllib\n", {TOMLLIB: True}),
    "ge_three_item_tuple": ("import sys\nif sys.version_info >= (3, 11, 2):\n    import tomllib\n", {TOMLLIB: True}),
    "minor_attribute": ("import sys\nif sys.version_info.minor >= 11:\n    import tomllib\n", {TOMLLIB: True}),
    "minor_index": ("import sys\nif sys.version_info[1] > 10:\n    import tomllib\n", {TOMLLIB: True}),
    "hexversion": ("import sys\nif sys.hexversion >= 0x030B0000:\n    import tomllib\n", {TOMLLIB: True}),
    "reversed_operands": ("import sys\nif (3, 11) <= sys.version_info:\n    import tomllib\n", {TOMLLIB: True}),
    "from_sys_import": ("from sys import version_info\nif version_info >= (3, 11):\n    import tomllib\n", {TOMLLIB: True}),
    "alias_of_sys": ("import sys as system\nif system.version_info >= (3, 11):\n    import tomllib\n", {TOMLLIB: True}),
    "flag": ("import sys\nPY311 = sys.version_info >= (3, 11)\nif PY311:\n    import tomllib\n", {TOMLLIB: True}),
    "negated_flag": (
        "import sys\nPY312 = sys.version_info >= (3, 12)\nif not PY312:\n    import imp\n",
        {IMP: True},
    ),
    "lt_removed": ("import sys\nif sys.version_info < (3, 12):\n    import imp\n", {IMP: True}),
    "lt_too_late": ("import sys\nif sys.version_info < (3, 13):\n    import imp\n", {IMP: False}),
    "else_of_ge_for_removed": (
        "import sys\nif sys.version_info >= (3, 12):\n    import importlib\nelse:\n    import imp\n",
        {IMP: True},
    ),
    "else_of_ge_does_not_help_minimum": (
        "import sys\nif sys.version_info >= (3, 12):\n    pass\nelse:\n    import tomllib\n",
        {TOMLLIB: False},
    ),
    "elif_has_both_bounds": (
        "import sys\nif sys.version_info >= (3, 12):\n    pass\nelif sys.version_info >= (3, 11):\n"
        "    import tomllib\n    import imp\n",
        {TOMLLIB: True, IMP: True},
    ),
    "chained": ("import sys\nif (3, 11) <= sys.version_info < (3, 12):\n    import tomllib\n    import imp\n", {TOMLLIB: True, IMP: True}),
    "and_with_other_test": ("import sys\nif sys.version_info >= (3, 11) and x:\n    import tomllib\n", {TOMLLIB: True}),
    "or_in_then_is_unknown": ("import sys\nif sys.version_info >= (3, 11) or x:\n    import tomllib\n", {TOMLLIB: False}),
    "else_of_or": (
        "import sys\nif sys.version_info < (3, 11) or x:\n    pass\nelse:\n    import tomllib\n",
        {TOMLLIB: True},
    ),
    "python2_branch_never_runs": ("import sys\nif sys.version_info[0] == 2:\n    import imp\n", {IMP: True}),
    "python2_tuple": ("import sys\nif sys.version_info < (3,):\n    import imp\n", {IMP: True}),
    "nested_function_inherits_guard": (
        "import sys\nif sys.version_info >= (3, 11):\n    def load():\n        import tomllib\n",
        {TOMLLIB: True},
    ),
    "after_the_if_is_not_guarded": (
        "import sys\nif sys.version_info >= (3, 11):\n    pass\nimport tomllib\n",
        {TOMLLIB: False},
    ),
    "try_import_error": ("try:\n    import tomllib\nexcept ImportError:\n    import tomli as tomllib\n", {TOMLLIB: True}),
    "try_module_not_found": ("try:\n    import tomllib\nexcept (ModuleNotFoundError, OSError):\n    tomllib = None\n", {TOMLLIB: True}),
    "try_bare_except": ("try:\n    import tomllib\nexcept:\n    tomllib = None\n", {TOMLLIB: True}),
    "try_wrong_exception": ("try:\n    import tomllib\nexcept ValueError:\n    tomllib = None\n", {TOMLLIB: False}),
    "try_removed_module": ("try:\n    import imp\nexcept ImportError:\n    imp = None\n", {IMP: True}),
    "handler_body_is_not_guarded": (
        "try:\n    import tomli\nexcept ImportError:\n    import tomllib\n",
        {TOMLLIB: False},
    ),
    "one_line_try": ("try: import tomllib\nexcept ImportError: tomllib = None\n", {TOMLLIB: True}),
    "suppress": ("import contextlib\nwith contextlib.suppress(ImportError):\n    import tomllib\n", {TOMLLIB: True}),
    "suppress_from_import": ("from contextlib import suppress\nwith suppress(ImportError):\n    import tomllib\n", {TOMLLIB: True}),
    "type_checking": ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import tomllib\n", {TOMLLIB: True}),
    "typing_type_checking": ("import typing\nif typing.TYPE_CHECKING:\n    import imp\n", {IMP: True}),
    "type_checking_else_runs": (
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    pass\nelse:\n    import tomllib\n",
        {TOMLLIB: False},
    ),
    "hasattr": (
        "import functools\nif hasattr(functools, 'cache'):\n    memo = functools.cache\n",
        {("functools.cache", "min"): True},
    ),
    "hasattr_other_name": (
        "import functools\nif hasattr(functools, 'lru_cache'):\n    memo = functools.cache\n",
        {("functools.cache", "min"): False},
    ),
    "hasattr_not_else": (
        "import functools\nif not hasattr(functools, 'cache'):\n    memo = None\nelse:\n    memo = functools.cache\n",
        {("functools.cache", "min"): True},
    ),
    "hasattr_implies_same_release": (
        "import tarfile\nif hasattr(tarfile, 'data_filter'):\n    f = tarfile.tar_filter\n",
        {("tarfile.tar_filter", "min"): True},
    ),
    "try_attribute_error": (
        "import functools\ntry:\n    memo = functools.cache\nexcept AttributeError:\n    memo = None\n",
        {("functools.cache", "min"): True},
    ),
    "try_else_after_detection": (
        "import tarfile\ntry:\n    data_filter = tarfile.data_filter\nexcept AttributeError:\n    pass\n"
        "else:\n    def f():\n        return tarfile.LinkOutsideDestinationError\n",
        {("tarfile.data_filter", "min"): True, ("tarfile.LinkOutsideDestinationError", "min"): True},
    ),
    "try_else_newer_name_not_implied": (
        "import functools\nimport tomllib as _t\ntry:\n    memo = functools.cache\nexcept AttributeError:\n    pass\n"
        "else:\n    import zoneinfo\n    import tomllib\n",
        {("functools.cache", "min"): True, ("zoneinfo", "min"): True, TOMLLIB: False},
    ),
    "builtin_try_name_error": (
        "try:\n    Group = ExceptionGroup\nexcept NameError:\n    Group = None\n",
        {("builtins.ExceptionGroup", "min"): True},
    ),
    "import_error_does_not_cover_attributes": (
        "import functools\ntry:\n    memo = functools.cache\nexcept ImportError:\n    memo = None\n",
        {("functools.cache", "min"): False},
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_guard(case: str) -> None:
    source, expected = CASES[case]
    result = guarded(source)
    assert {key: result.get(key) for key in expected} == expected


def test_guarded_requirements_do_not_raise_the_minimum_and_cost_no_positions() -> None:
    facts = analyse_source(CASES["ge_then_else"][0])
    assert all(r.guarded and not r.located for r in facts.requirements if r.kind != "syntax")


def test_a_conditionally_imported_backport_shadows_the_builtin() -> None:
    """``if sys.version_info < (3, 11): from exceptiongroup import ExceptionGroup``."""
    source = (
        "import sys\nif sys.version_info < (3, 11):\n    from exceptiongroup import ExceptionGroup\n"
        "\ndef fail(errors):\n    raise ExceptionGroup('x', errors)\n"
    )
    assert ("builtins.ExceptionGroup", "min") not in guarded(source)


# --- the meaning of a version check, checked on every release -----------------


class _VersionInfo(tuple):  # type: ignore[type-arg]
    @property
    def major(self) -> int:
        return int(self[0])

    @property
    def minor(self) -> int:
        return int(self[1])


class _Sys:
    def __init__(self, minor: int, patch: int) -> None:
        self.version_info = _VersionInfo((3, minor, patch, "final", 0))
        self.hexversion = (3 << 24) | (minor << 16) | (patch << 8) | 0xF0


def _condition(expression: str) -> tuple[Guard, Guard]:
    module = cst.parse_module("import sys\n")
    ctx = FileContext(module, "m.py", "m", "m", False)
    ctx.names.prebind_module(module)
    return CompatCollector(ctx).condition(cst.parse_expression(expression))


def _holds(guard: Guard, minor: int) -> bool:
    if guard.never:
        return False
    version = (3, minor)
    return (guard.low is None or version >= guard.low) and (guard.high is None or version < guard.high)


OPERATORS = ("<", "<=", ">", ">=", "==", "!=")
minors = st.integers(min_value=0, max_value=15)


@st.composite
def version_checks(draw: Any) -> str:
    op = draw(st.sampled_from(OPERATORS))
    minor = draw(minors)
    form = draw(
        st.sampled_from(["full2", "full3", "slice", "slice3", "minor", "index", "hex", "major", "py2", "reversed"])
    )
    if form == "full2":
        return f"sys.version_info {op} (3, {minor})"
    if form == "full3":
        return f"sys.version_info {op} (3, {minor}, {draw(st.integers(0, 3))})"
    if form == "slice":
        return f"sys.version_info[:2] {op} (3, {minor})"
    if form == "slice3":
        literal = draw(st.sampled_from([f"(3, {minor})", f"(3, {minor}, {draw(st.integers(0, 3))})"]))
        return f"sys.version_info[:3] {op} {literal}"
    if form == "minor":
        return f"sys.version_info.minor {op} {minor}"
    if form == "index":
        return f"sys.version_info[1] {op} {minor}"
    if form == "hex":
        return f"sys.hexversion {op} {hex((3 << 24) | (minor << 16) | (draw(st.integers(0, 3)) << 8))}"
    if form == "major":
        return f"sys.version_info.major {op} {draw(st.integers(2, 4))}"
    if form == "py2":
        return f"sys.version_info {op} ({draw(st.integers(2, 4))},)"
    return f"(3, {minor}) {op} sys.version_info"


@st.composite
def conditions(draw: Any) -> str:
    first: str = draw(version_checks())
    shape = draw(st.sampled_from(["plain", "not", "and", "or", "and_other", "or_other"]))
    if shape == "plain":
        return first
    if shape == "not":
        return f"not ({first})"
    if shape in ("and", "or"):
        return f"({first}) {shape} ({draw(version_checks())})"
    joined: str = f"({first}) {shape.split('_')[0]} other"
    return joined


@settings(max_examples=400, deadline=None)
@given(conditions(), st.booleans())
def test_what_a_guard_claims_holds_on_every_release(expression: str, other: bool) -> None:
    then, otherwise = _condition(expression)
    for minor in range(len(KNOWN_MINORS)):
        for patch in (0, 1, 7):
            outcome = eval(expression, {"sys": _Sys(minor, patch), "other": other})
            if outcome:
                assert _holds(then, minor), (expression, minor, patch, then)
            else:
                assert _holds(otherwise, minor), (expression, minor, patch, otherwise)


@pytest.mark.parametrize(
    ("expression", "then", "otherwise"),
    [
        ("sys.version_info >= (3, 11)", ((3, 11), None), (None, (3, 11))),
        ("sys.version_info > (3, 10)", ((3, 10), None), (None, (3, 10))),
        ("sys.version_info[:2] > (3, 10)", ((3, 11), None), (None, (3, 11))),
        ("sys.version_info < (3, 12)", (None, (3, 12)), ((3, 12), None)),
        ("sys.version_info.minor >= 11", ((3, 11), None), (None, (3, 11))),
        ("(3, 8) <= sys.version_info < (3, 12)", ((3, 8), (3, 12)), (None, None)),
    ],
)
def test_version_checks_are_as_tight_as_the_comparison(
    expression: str, then: tuple[Any, Any], otherwise: tuple[Any, Any]
) -> None:
    got_then, got_else = _condition(expression)
    assert (got_then.low, got_then.high) == then
    assert (got_else.low, got_else.high) == otherwise
