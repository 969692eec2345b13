"""Syntax requirements: every feature of ``rules/compat/syntax.json`` is found, nothing else is.

The collector runs on the libcst tree, so files that only Python 3.12+ can
parse are analysed while the tests run on 3.11. Versions always come from the
table (looked up by feature id), never from the code. Where local CPython
interpreters are installed (``/root/.pyenv/versions``), each snippet's
minimum is also checked against the oldest interpreter that compiles it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mbcheck.checks.compat.collect import analyse_source
from mbcheck.checks.compat.facts import BASELINE, minor_text, required
from mbcheck.checks.compat.tables import feature, syntax_features
from mbcheck.resources import load_json

FEATURES: dict[str, dict[str, str]] = load_json("rules/compat/syntax.json")["features"]


def syntax_of(source: str) -> set[str]:
    return {r.what for r in analyse_source(source).requirements if r.kind == "syntax"}


def spans_of(source: str, fid: str) -> list[tuple[int, int, int, int]]:
    return [
        (r.span.line, r.span.column, r.span.end_line, r.span.end_column)
        for r in analyse_source(source).requirements
        if r.what == fid
    ]


@pytest.mark.parametrize("fid", sorted(FEATURES))
def test_every_table_example_is_found_with_the_table_version(fid: str) -> None:
    facts = analyse_source(FEATURES[fid]["example"])
    found = [r for r in facts.requirements if r.what == fid]
    assert found, f"{fid} not found in its own example"
    assert all(r.kind == "syntax" and r.bound == "min" for r in found)
    assert {minor_text(r.version) for r in found} == {FEATURES[fid]["version"]}
    assert not any(r.guarded for r in found)


def test_the_example_of_each_feature_needs_exactly_its_version() -> None:
    """No feature's example pulls in a newer feature by mistake."""
    wrong = {}
    for fid, data in FEATURES.items():
        needed = required(analyse_source(data["example"]).requirements).minimum
        if str(needed) != data["version"] and not (data["version"] < minor_text(BASELINE) and str(needed) == minor_text(BASELINE)):
            wrong[fid] = str(needed)
    assert wrong == {}


# Look-alikes: valid long before the feature they resemble (checked below
# against real interpreters where they are installed).
NOT_FEATURES: dict[str, tuple[str, str]] = {
    "with_single_parenthesized_item": ("with (a):\n    pass\n", "parenthesized_context_managers"),
    "with_call_as": ("with a() as b:\n    pass\n", "parenthesized_context_managers"),
    "with_parenthesized_call_as": ("with (open(a)) as f:\n    pass\n", "parenthesized_context_managers"),
    "decorator_dotted_call": ("@a.b.c(1)\ndef f():\n    pass\n", "relaxed_decorators"),
    "decorator_name": ("@a\ndef f():\n    pass\n", "relaxed_decorators"),
    "continue_in_loop_in_finally": (
        "try:\n    pass\nfinally:\n    for x in y:\n        continue\n",
        "continue_in_finally",
    ),
    "return_parenthesized_star": ("def f(a):\n    return (*a, 1)\n", "generalized_unpacking_return"),
    "assign_star_tuple": ("x = *a, 1\n", "generalized_unpacking_return"),
    "walrus_in_parenthesized_set_element": ("s = {(y := 1), 2}\n", "walrus_in_set"),
    "walrus_in_parenthesized_index": ("v = a[(i := 0)]\n", "walrus_in_set_and_index"),
    "except_parenthesized_tuple": ("try:\n    pass\nexcept (A, B):\n    pass\n", "except_without_parens"),
    "async_genexp_in_sync_comprehension": (
        "async def f(rows):\n    return [(x async for x in row) for row in rows]\n",
        "async_comprehension_nested",
    ),
    "async_comprehension_in_async_comprehension": (
        "async def f(rows):\n    return [[x async for x in row] async for row in rows]\n",
        "async_comprehension_nested",
    ),
    "await_in_first_iterable": (
        "async def f(rows):\n    return [[x for x in await r] for r in rows]\n",
        "async_comprehension_nested",
    ),
    "outer_comprehension_awaits": (
        "async def f(rows, a):\n    return [(await a, [x async for x in r]) for r in rows]\n",
        "async_comprehension_nested",
    ),
    "fstring_other_quote_inside": ("s = f\"{x['a']}\"\n", "fstring_nested_quotes"),
    "fstring_single_quote_in_triple": ("s = f'''{x[\"'\"]}'''\n", "fstring_nested_quotes"),
    "fstring_multiline_in_triple": ('s = f"""{1 +\n2}"""\n', "fstring_multiline_expr"),
    "fstring_backslash_in_literal_spec": ('s = f"{x:\\t}"\n', "fstring_backslash_expr"),
    "fstring_hash_in_string": ("s = f\"{'#'}\"\n", "fstring_comment"),
    "fstring_conversion_and_spec": ("s = f'{x!r:>{width}}'\n", "fstring_self_documenting"),
    "index_with_tuple": ("x = a[1, 2]\n", "starred_subscript"),
    "for_over_parenthesized_star": ("for x in (*a, *b):\n    pass\n", "starred_for_iterable"),
    "plain_numbers": ("n = 1000000 + 0x_ff if False else 10\n", "walrus"),
}


@pytest.mark.parametrize("case", sorted(NOT_FEATURES))
def test_look_alikes_are_not_the_feature(case: str) -> None:
    source, fid = NOT_FEATURES[case]
    assert fid not in syntax_of(source)


FOUND: dict[str, tuple[str, str]] = {
    "walrus_in_set_comprehension": ("s = {y := 1 for x in a}\n", "walrus_in_set"),
    "decorator_subscript": ("@a[0]\ndef f():\n    pass\n", "relaxed_decorators"),
    "decorator_call_of_call": ("@a(1)(2)\ndef f():\n    pass\n", "relaxed_decorators"),
    "decorator_parenthesized": ("@(a)\ndef f():\n    pass\n", "relaxed_decorators"),
    "decorator_attribute_of_call": ("@a.b(1).c\ndef f():\n    pass\n", "relaxed_decorators"),
    "with_trailing_comma": ("with (a,):\n    pass\n", "parenthesized_context_managers"),
    "with_parenthesized_two": ("with (open(a) as f, open(b)):\n    pass\n", "parenthesized_context_managers"),
    "yield_star": ("def f(a):\n    yield *a, 1\n", "generalized_unpacking_return"),
    "starred_in_tuple_index": ("x = a[1, *b]\n", "starred_subscript"),
    "star_index_assignment": ("a[*b] = 1\n", "starred_subscript"),
    "await_makes_inner_async": (
        "async def f(rows):\n    return [[await x for x in row] for row in rows]\n",
        "async_comprehension_nested",
    ),
    "async_comprehension_in_genexp": (
        "async def f(rows):\n    return ([x async for x in row] for row in rows)\n",
        "async_comprehension_nested",
    ),
    "async_set_in_list": ("async def f(rows):\n    return [{x async for x in row} for row in rows]\n", "async_comprehension_nested"),
    "async_in_dict_comp": ("async def f(d):\n    return {k: [x async for x in v] for k, v in d}\n", "async_comprehension_nested"),
    "fstring_multiline_parenthesized": ('s = f"{(1 +\n 2)}"\n', "fstring_multiline_expr"),
    "fstring_backslash_in_spec_field": ("s = f\"{x:{'\\n'}}\"\n", "fstring_backslash_expr"),
    "fstring_same_quote_in_spec_field": ('s = f"{x:{"a"}}"\n', "fstring_nested_quotes"),
    "fstring_triple_in_triple": ("s = f'''{x[''' ''']}'''\n", "fstring_nested_quotes"),
    "fstring_nested_same_quotes": ("s = f\"{f'{f\"{1}\"}'}\"\n", "fstring_nested_quotes"),
    "typevartuple_parameter": ("def f[*Ts]():\n    pass\n", "type_parameters"),
    "paramspec_parameter": ("def f[**P]():\n    pass\n", "type_parameters"),
    "class_type_parameter_default": ("class A[T = int]:\n    pass\n", "type_param_defaults"),
    "except_star_without_parens": ("try:\n    pass\nexcept* A, B:\n    pass\n", "except_without_parens"),
    "lambda_positional_only": ("f = lambda a, /: a\n", "positional_only_params"),
    "continue_in_nested_finally": (
        "while x:\n    try:\n        pass\n    finally:\n        if y:\n            continue\n",
        "continue_in_finally",
    ),
    "underscore_float": ("x = 1_000.5\n", "underscore_numeric_literal"),
    "async_generator_in_method": ("class A:\n    async def f(self):\n        yield 1\n", "async_generator"),
}


@pytest.mark.parametrize("case", sorted(FOUND))
def test_other_forms_of_a_feature_are_found(case: str) -> None:
    source, fid = FOUND[case]
    assert fid in syntax_of(source)


def test_syntax_is_never_guarded() -> None:
    source = "import sys\nif sys.version_info >= (3, 10):\n    match x:\n        case 1:\n            pass\n"
    found = [r for r in analyse_source(source).requirements if r.what == "match_statement"]
    assert found and not any(r.guarded for r in found)


def test_compound_statements_are_reported_at_their_first_line() -> None:
    source = "x = 1\nmatch x:\n    case 1:\n        pass\n"
    assert spans_of(source, "match_statement") == [(2, 1, 2, 6)]
    source = "try:\n    pass\nexcept* ValueError:\n    pass\n"
    assert spans_of(source, "except_star") == [(3, 1, 3, 8)]


def test_old_features_are_recorded_once_per_file_without_positions() -> None:
    """Features at or below the position floor (3.8) cost no position pass."""
    facts = analyse_source("a = f'{1}'\nb = f'{2}'\nif (n := 1):\n    pass\nif (m := 2):\n    pass\n")
    by_feature: dict[str, list[Any]] = {}
    for r in facts.requirements:
        by_feature.setdefault(r.what, []).append(r)
    assert len(by_feature["fstring"]) == 1 and not by_feature["fstring"][0].located
    assert len(by_feature["walrus"]) == 1 and not by_feature["walrus"][0].located


def test_a_file_only_python_3_12_can_parse_is_analysed_on_this_interpreter() -> None:
    source = (
        "type Pair[T] = tuple[T, T]\n"
        "\n"
        "def first[T](items: list[T]) -> T:\n"
        "    return items[0]\n"
        "\n"
        "names = ['a']\n"
        "label = f\"{', '.join(names)}\"\n"
        "quoted = f\"{\"x\"}\"\n"
    )
    if sys.version_info < (3, 12):
        with pytest.raises(SyntaxError):
            compile(source, "<new>", "exec")
    found = {(r.what, r.span.line) for r in analyse_source(source).requirements if r.located}
    assert {("type_alias_statement", 1), ("type_parameters", 3), ("fstring_nested_quotes", 8)} <= found
    assert minor_text(feature("type_alias_statement").version) == "3.12"


def test_every_feature_id_used_by_the_collector_exists() -> None:
    package = Path(__file__).resolve().parents[3] / "mbcheck" / "checks" / "compat"
    code = "".join(path.read_text() for path in sorted(package.glob("collect*.py")))
    import re

    used = set(re.findall(r'_(?:syntax|runtime)\w*\([^)]*?"([a-z0-9_]+)"', code))
    assert used, "no feature ids found in the collector"
    assert used <= set(syntax_features())
    # every table feature is detected by some code path
    assert set(syntax_features()) <= used


# --- the oracle: real interpreters ------------------------------------------

PYENV = Path("/root/.pyenv/versions")
_PROBE = """
import json, sys, warnings
warnings.simplefilter("ignore")
out = {}
for key, source in json.load(sys.stdin).items():
    try:
        compile(source, key, "exec", dont_inherit=True)
        out[key] = True
    except SyntaxError:
        out[key] = False
print(json.dumps(out))
"""


def _interpreters() -> dict[tuple[int, int], Path]:
    found: dict[tuple[int, int], Path] = {}
    if not PYENV.is_dir():
        return found
    for entry in sorted(PYENV.iterdir()):
        parts = entry.name.split(".")
        if len(parts) >= 2 and parts[0] == "3" and parts[1].isdigit() and (entry / "bin" / "python").is_file():
            found[(3, int(parts[1]))] = entry / "bin" / "python"
    return found


def test_minimum_versions_agree_with_real_interpreters() -> None:
    """For each snippet, our minimum is the oldest installed CPython that compiles it."""
    interpreters = {v: p for v, p in _interpreters().items() if v >= BASELINE}
    if len(interpreters) < 4:
        pytest.skip("needs several CPython 3.x interpreters under /root/.pyenv/versions")
    snippets = {f"feature:{fid}": data["example"] for fid, data in FEATURES.items()}
    snippets.update({f"found:{k}": v[0] for k, v in FOUND.items()})
    snippets.update({f"not:{k}": v[0] for k, v in NOT_FEATURES.items()})
    accepted: dict[str, list[tuple[int, int]]] = {key: [] for key in snippets}
    for version, python in sorted(interpreters.items()):
        result = subprocess.run(
            [str(python), "-c", _PROBE], input=json.dumps(snippets), capture_output=True, text=True, timeout=60, check=True
        )
        for key, ok in json.loads(result.stdout).items():
            if ok:
                accepted[key].append(version)
    newest = max(interpreters)
    wrong = {}
    for key, source in snippets.items():
        ours = required(analyse_source(source).requirements).minimum.release[:2]
        versions = accepted[key]
        if not versions:
            # nothing installed accepts it: it must need a release newer than the newest one here
            if ours <= newest:
                wrong[key] = (f"ours {ours}", "rejected by every installed interpreter")
            continue
        first = min(versions)
        # accepted from `first` on, by every newer interpreter (no gaps)
        assert versions == sorted(v for v in interpreters if v >= first), (key, versions)
        if ours != first and not (first == min(interpreters) and ours <= first):
            wrong[key] = (f"ours {ours}", f"first accepted by {first}")
    assert wrong == ORACLE_DIFFERENCES


#: where the table's version is not the first interpreter that compiles the snippet
ORACLE_DIFFERENCES: dict[str, tuple[str, str]] = {
    # the table follows the documentation: 3.10; CPython 3.9's new parser already accepted it
    "feature:parenthesized_context_managers": ("ours (3, 10)", "first accepted by (3, 9)"),
    "found:with_parenthesized_two": ("ours (3, 10)", "first accepted by (3, 9)"),
    # `with (a,):` compiles everywhere, as a one-element tuple; before 3.9 it fails
    # at run time (a tuple is not a context manager), so it still needs the feature
    "found:with_trailing_comma": ("ours (3, 10)", "first accepted by (3, 6)"),
    # 3.6 rejects an asynchronous generator expression inside a comprehension;
    # the table has no feature for it (3.7 is far below any MilkBottle host)
    "not:async_genexp_in_sync_comprehension": ("ours (3, 6)", "first accepted by (3, 7)"),
}
