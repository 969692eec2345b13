"""Rule selectors (``--select``, ``ignore``, suppression comments): which ones name real rules.

A selector is ``ALL``, a rule code (``MB102``, bandit's ``B602``) or a prefix of
one (``MB1``, ``B6``); it is valid only when some rule's code starts with it.
The codes come from the shipped catalog (mbcheck's rules) and the installed
bandit (its tests), so checking a selector loads neither libcst nor any rule
module; bandit is asked only when a ``B`` selector is checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from mbcheck.documents.schema import did_you_mean

#: the shape of a selector: mbcheck's codes (MB + 3 digits), bandit's (B + 3 digits), their prefixes, ALL
SHAPE = re.compile(r"(?:MB\d{0,3}|B\d{0,3}|ALL)")
SHAPE_HINT = "a rule code looks like MB102 (mbcheck's) or B602 (bandit's), a prefix like MB1 selects a group, ALL selects every rule"


class SelectorError(ValueError):
    """A selector that names no rule; the message says which, where, and what was meant."""


@cache
def _mbcheck_codes() -> frozenset[str]:
    from mbcheck.rules.catalog import shipped_codes

    return shipped_codes()


@cache
def _bandit_codes() -> frozenset[str]:
    try:
        from mbcheck.checks.security.bandit import bandit_tests
    except ImportError:  # pragma: no cover - bandit is a dependency
        return frozenset()
    return frozenset(code for code, _name, _doc in bandit_tests())


def known_codes(selector: str = "") -> frozenset[str]:
    """Every rule code (bandit's only when ``selector`` could name one of them)."""
    codes = _mbcheck_codes()
    if not selector or selector.startswith("B"):
        codes = codes | _bandit_codes()
    return codes


def selector_problem(selector: str) -> str | None:
    """Why ``selector`` selects nothing, or None when it names at least one rule."""
    if selector == "ALL":
        return None
    if selector != selector.upper() and selector_problem(selector.upper()) is None:
        return f"rule codes are written in upper case: `{selector.upper()}`"
    codes = known_codes(selector)
    if not SHAPE.fullmatch(selector):
        hint = did_you_mean(selector, sorted(codes), clause=True)
        return f"`{selector}` is not a rule code: {SHAPE_HINT}{hint}"
    if any(code.startswith(selector) for code in codes):
        return None
    full = len(selector) == (5 if selector.startswith("MB") else 4)
    # a code is compared with codes, a prefix with the prefixes of the same length
    choices = codes if full else {code[: len(selector)] for code in codes}
    hint = did_you_mean(selector, sorted(choices), clause=True)
    return f"no rule has the {'code' if full else 'prefix'} `{selector}`{hint or '; `mbcheck rules` lists them'}"


def check_selectors(selectors: Iterable[str], where: str) -> None:
    """Raise :class:`SelectorError` for the first selector (upper case) that names no rule."""
    for selector in selectors:
        problem = selector_problem(selector)
        if problem is not None:
            raise SelectorError(f"unknown rule selector `{selector}` in {where}: {problem}")
