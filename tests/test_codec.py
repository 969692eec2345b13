"""The cache's typed JSON codec: every stored type round-trips exactly; data that does not fit
its declared type (or tries to name a class) is refused."""

from __future__ import annotations

import dataclasses
import enum
import json
import math
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, Union

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import EXAMPLES, run
from mbcheck.codec import CodecError, allowed_classes, decode, encode
from mbcheck.config import Config
from mbcheck.context import FileOutcome
from mbcheck.model import NOT_STATIC, Finding, Report, Severity, Span

# ---------------------------------------------------------------------------
# strategies: a value of any declared type the codec stores


def _plain() -> st.SearchStrategy[Any]:
    """What an ``Any`` field holds: literal values read from source, report sections."""
    scalars = (
        st.none() | st.booleans() | st.integers() | st.text(max_size=8) | st.binary(max_size=8)
        | st.floats(allow_nan=False) | st.complex_numbers(allow_nan=False, max_magnitude=1e6)
        | st.just(NOT_STATIC)
    )
    hashable = st.none() | st.booleans() | st.integers() | st.text(max_size=8) | st.binary(max_size=4)
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.tuples(inner, inner)
            | st.dictionaries(st.text(max_size=4) | st.just("$t"), inner, max_size=3)
            | st.dictionaries(hashable, inner, max_size=3)
            | st.frozensets(hashable, max_size=3)
            | st.sets(hashable, max_size=3)
        ),
        max_leaves=8,
    )


_STRATEGIES: dict[Any, st.SearchStrategy[Any]] = {}


def strategy(declared: Any) -> st.SearchStrategy[Any]:
    """A value of ``declared``, built from the same annotations the codec reads."""
    if declared in _STRATEGIES:
        return _STRATEGIES[declared]
    origin, args = typing.get_origin(declared), typing.get_args(declared)
    result: st.SearchStrategy[Any]
    if declared is Any:
        result = _plain()
    elif declared is str:
        result = st.text(max_size=10)
    elif declared is int:
        result = st.integers()
    elif declared is bool:
        result = st.booleans()
    elif declared is type(None):
        result = st.none()
    elif isinstance(declared, type) and issubclass(declared, enum.Enum):
        result = st.sampled_from(list(declared))
    elif isinstance(declared, type) and dataclasses.is_dataclass(declared):
        names = {c.__name__: c for c in allowed_classes()}
        hints = typing.get_type_hints(declared, localns=names)
        result = st.deferred(lambda: st.builds(declared, *[strategy(hints[f.name]) for f in dataclasses.fields(declared)]))
    elif origin in (Union, types.UnionType):
        result = st.one_of(*[strategy(a) for a in args])
    elif origin is Literal:
        result = st.sampled_from(args)
    elif origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        result = st.lists(strategy(args[0]), max_size=3).map(tuple)
    elif origin is tuple:
        result = st.tuples(*[strategy(a) for a in args])
    elif origin is frozenset:
        result = st.frozensets(strategy(args[0]), max_size=3)
    elif origin in (Mapping, dict):
        result = st.dictionaries(strategy(args[0]), strategy(args[1]), max_size=3)
    else:
        raise TypeError(declared)
    _STRATEGIES[declared] = result
    return result


def same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (``(1,)`` is not ``[1]``, ``True`` is not ``1``)."""
    if type(a) is not type(b):
        return False
    if dataclasses.is_dataclass(a):
        return all(same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) and same(k, k2) for k, k2 in zip(a, b, strict=True))
    if isinstance(a, (set, frozenset)):
        return a == b and {type(x) for x in a} == {type(x) for x in b}
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def round_trip(value: Any, declared: Any) -> Any:
    return decode(json.loads(json.dumps(encode(value, declared), allow_nan=False)), declared)


# ---------------------------------------------------------------------------
# round trips


@pytest.mark.parametrize("declared", sorted((c for c in allowed_classes() if dataclasses.is_dataclass(c)),
                                            key=lambda c: c.__name__), ids=lambda c: c.__name__)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_every_stored_type_round_trips_exactly(declared: type, data: st.DataObject) -> None:
    value = data.draw(strategy(declared))
    assert same(round_trip(value, declared), value)


@settings(max_examples=300, deadline=None)
@given(value=_plain())
def test_plain_values_keep_their_types(value: Any) -> None:
    back = round_trip(value, Any)
    assert same(back, value)
    if value is NOT_STATIC:
        assert back is NOT_STATIC  # the sentinel stays the one object rules compare with `is`


def test_real_outcomes_of_the_example_plugins_round_trip() -> None:
    from mbcheck.discovery import discover, module_name
    from mbcheck.plan import plan_targets
    from mbcheck.pyfile.analyse import analyse_file
    from mbcheck.pyfile.jobs import FileJob, FileOptions

    plans, _ = plan_targets(discover([EXAMPLES / "plugins"]), Config())
    outcomes = []
    for plan in plans:
        for rel, data in plan.sources:
            name, is_package = module_name(rel, plan.target.kind, plan.target.package)
            outcomes.append(analyse_file(FileJob(rel, data, name, plan.target.package, is_package, FileOptions())))
    assert len(outcomes) >= 10 and any(o.findings for o in outcomes)
    assert any(o.facts.interface and o.facts.interface.functions for o in outcomes)
    for outcome in outcomes:
        back = round_trip(outcome, FileOutcome)
        assert back == outcome and same(back, outcome), outcome.path


def test_real_reports_round_trip() -> None:
    report = run([EXAMPLES / "plugins"])
    assert any(p.findings for p in report.plugins)
    back = round_trip(report, Report)
    assert back == report and same(back, report)


# ---------------------------------------------------------------------------
# refusals


@pytest.mark.parametrize(
    "data",
    [
        {"path": "a.py", "line": "1", "column": 1, "end_line": 1, "end_column": 1},  # a string for an int
        {"path": "a.py", "line": True, "column": 1, "end_line": 1, "end_column": 1},  # a bool is not an int
        {"path": "a.py", "line": 1, "column": 1, "end_line": 1},  # a field missing
        {"path": "a.py", "line": 1, "column": 1, "end_line": 1, "end_column": 1, "evil": 1},  # one too many
        {"path": "a.py", "line": 1, "column": 1, "end_line": 1, "end_col": 1},  # a wrong name
        ["a.py", 1, 1, 1, 1],
        {"$t": "os.system", "v": ["touch /tmp/x"]},
        {"__class__": "pathlib.Path", "path": "/"},
        None,
    ],
)
def test_data_that_does_not_fit_the_declared_type_is_refused(data: Any) -> None:
    assert decode(encode(Span("a.py"), Span), Span) == Span("a.py")
    with pytest.raises(CodecError):
        decode(data, Span)


@pytest.mark.parametrize(
    "data",
    [
        {"$t": "os.system", "v": ["echo"]},
        {"$t": "builtins.eval", "v": "1"},
        {"$t": "tuple"},
        {"$t": "tuple", "v": "abc"},
        {"$t": "bytes", "v": "not base64!"},
        {"$t": "set", "v": [[1]]},  # unhashable
        {"$t": "not-static", "v": 1},
        {"$t": "float", "v": "1e999x"},
        [{"$t": "dict", "v": [[1]]}],
    ],
)
def test_tagged_plain_values_pick_only_among_fixed_types(data: Any) -> None:
    with pytest.raises(CodecError):
        decode(data, Any)


def test_enums_and_literals_accept_only_their_values() -> None:
    from mbcheck.checks.compat.facts import Requirement

    good = encode(Requirement("syntax", "walrus", "min", (3, 8), Span("a.py")), Requirement)
    assert decode(good, Requirement).bound == "min"
    for field, bad in (("bound", "between"), ("kind", "os.system"), ("version", [3, 8, 1]), ("version", [3, "8"])):
        with pytest.raises(CodecError):
            decode({**good, field: bad}, Requirement)
    finding = encode(run([EXAMPLES / "plugins" / "phone_home"]).plugins[0].findings[0], Finding)
    assert decode(finding, Finding).severity in set(Severity)
    for field, bad in (("severity", "catastrophic"), ("severity", 3), ("category", None)):
        with pytest.raises(CodecError):
            decode({**finding, field: bad}, Finding)


def test_a_class_outside_the_allow_list_is_never_built() -> None:
    from mbcheck.context import HostProfile

    with pytest.raises(TypeError, match="not a type the cache stores"):
        decode({}, HostProfile)
    with pytest.raises(TypeError, match="cannot store"):
        decode("/", Path)


def test_unsupported_values_are_not_encoded() -> None:
    with pytest.raises(CodecError):
        encode(Path("/"), Any)
    with pytest.raises(CodecError):
        encode(Span("a.py"), FileOutcome)
