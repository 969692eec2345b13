"""Agreement with an independent oracle: vermin's minimum Python versions.

For real modules available offline -- the running interpreter's own standard
library and packages installed beside mbcheck -- the minimum version mbcheck
infers must equal vermin's wherever vermin's answer is determinate (vermin
answers below 3.6 count as 3.6, the oldest release mbcheck's tables
describe). Every disagreement is listed below with the reason; the test fails
when a listed case starts to agree or an unlisted one appears.

Reasons, by kind:

* ``GUARDED``: the use sits under a version check, ``TYPE_CHECKING``, or a
  ``try``/``except ImportError`` fallback. mbcheck respects guards; vermin
  counts every use.
* ``KWARG``: a keyword argument dated differently (``zip(strict=...)``,
  ``dataclass(slots=...)``); none is left since mbcheck dates keyword
  arguments from typeshed too.
* ``VERMIN_RULE``: another rule vermin has and mbcheck does not (methods
  matched by name on objects of unknown type, a bare ``@lru_cache``
  decorator, attributes of ``sys.flags``).
* ``TABLE_ONLY``: mbcheck's table dates a name vermin does not know.
* ``SHADOWED``: on older Pythons the name is bound to a backport (a
  conditional ``from exceptiongroup import ExceptionGroup``), so the code
  never needs the builtin there.

For ``GUARDED`` cases the test also checks that ignoring the guards gives
vermin's answer: the guard is the whole difference.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import sysconfig
import warnings
from dataclasses import replace
from pathlib import Path

import pytest

from mbcheck.checks.compat.collect import analyse_source
from mbcheck.checks.compat.facts import BASELINE, required

vermin = pytest.importorskip("vermin")

GUARDED = "guarded"
KWARG = "keyword argument"
VERMIN_RULE = "vermin-only rule"
TABLE_ONLY = "mbcheck table only"
SHADOWED = "bound to a backport"

#: modules of the running interpreter's standard library (paths under stdlib)
STDLIB = (
    "abc.py",
    "bisect.py",
    "_weakrefset.py",
    "bz2.py",
    "contextlib.py",
    "graphlib.py",
    "lzma.py",
    "pstats.py",
    "queue.py",
    "socket.py",
    "tempfile.py",
    "asyncio/taskgroups.py",
    "asyncio/futures.py",
    "antigravity.py",
    "base64.py",
    "fractions.py",
    "tokenize.py",
    "uuid.py",
    "asyncio/coroutines.py",
)

#: installed distributions: (distribution, version the table below was made with, top package, modules)
INSTALLED = (
    ("pluggy", "1.7.0", "pluggy", ("_manager.py", "_hooks.py")),
    ("stevedore", "5.10.0", "stevedore", ("extension.py",)),
    ("annotated-types", "0.8.0", "annotated_types", ("__init__.py",)),
    ("platformdirs", "4.14.8", "platformdirs", ("windows.py", "api.py")),
    ("referencing", "0.37.0", "referencing", ("_core.py",)),
    ("pip", "26.3", "pip", ("_internal/utils/unpacking.py",)),
    ("attrs", "26.1.0", "attr", ("_compat.py", "validators.py")),
    ("pathspec", "1.1.1", "pathspec", ("_typing.py",)),
    ("pytest", "9.2.0", "_pytest", ("reports.py", "nodeid.py")),
    ("tomlkit", "0.15.2", "tomlkit", ("container.py",)),
    ("typer", "0.29.2", "typer", ("utils.py",)),
)

#: module -> (vermin's minimum, mbcheck's minimum, kind, why)
DISAGREEMENTS: dict[str, tuple[str, str, str, str]] = {
    "stdlib:fractions.py": (
        "3.8", "3.6", VERMIN_RULE,
        "vermin matches `.as_integer_ratio()` on any object as int.as_integer_ratio; the receiver's type is unknown",
    ),
    "stdlib:asyncio/coroutines.py": ("3.7", "3.6", VERMIN_RULE, "sys.flags.dev_mode: attributes of sys.flags are not tabled"),
    "attr/_compat.py": ("3.14", "3.6", GUARDED, "`import annotationlib` under `if PY_3_14_PLUS:` (a version flag)"),
    "attr/validators.py": ("3.6", "3.7", TABLE_ONLY, "`from re import Pattern`: re.Pattern is new in 3.7"),
    "platformdirs/api.py": ("3.11", "3.8", GUARDED, "`from typing import Literal, Self` under `if TYPE_CHECKING:`"),
    "pathspec/_typing.py": (
        "3.13", "3.9", GUARDED,
        "typing.Never, typing.override, warnings.deprecated imported in try/except ImportError fallbacks "
        "(mbcheck: the fallback `def deprecated(...)` evaluates the annotation `type[Warning]`, 3.9)",
    ),
    "tomlkit/container.py": ("3.11", "3.7", GUARDED, "`from typing import Self` under `if TYPE_CHECKING:`"),
    "_pytest/reports.py": (
        "3.11", "3.8", SHADOWED,
        "BaseExceptionGroup: imported from the exceptiongroup backport under `if sys.version_info < (3, 11):`",
    ),
}

MIN_COMPARED = 20


def _vermin_minimum(text: str) -> tuple[int, int] | None:
    """vermin's minimum Python 3 release, or None when it is not determinate."""
    try:
        visitor = vermin.visit(text, vermin.Config())
        minimum = visitor.minimum_versions()[1]
    except BaseException:  # vermin raises InvalidVersionException (a BaseException) on conflicts
        return None
    if minimum is None or tuple(minimum) == (0, 0):
        return None
    return max((int(minimum[0]), int(minimum[1])), BASELINE)


def _modules() -> tuple[list[tuple[str, Path]], list[str]]:
    found: list[tuple[str, Path]] = []
    skipped: list[str] = []
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    for rel in STDLIB:
        path = stdlib / rel
        if path.is_file():
            found.append((f"stdlib:{rel}", path))
        else:
            skipped.append(f"stdlib:{rel} (not in this interpreter)")
    for dist, version, top, rels in INSTALLED:
        try:
            installed = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            skipped.extend(f"{top}/{rel} (not installed)" for rel in rels)
            continue
        with warnings.catch_warnings():
            # setuptools' distutils shim warns from its finder when another test imported distutils
            warnings.simplefilter("ignore")
            spec = importlib.util.find_spec(top)  # a top-level spec: nothing is imported
        if installed != version or spec is None or not spec.submodule_search_locations:
            skipped.extend(f"{top}/{rel} ({dist} {installed}, table made with {version})" for rel in rels)
            continue
        root = Path(next(iter(spec.submodule_search_locations)))
        found.extend((f"{top}/{rel}", root / rel) for rel in rels)
    return found, skipped


def test_inferred_minimum_versions_agree_with_vermin() -> None:
    modules, skipped = _modules()
    compared: list[str] = []
    indeterminate: list[str] = []
    disagreements: dict[str, tuple[str, str]] = {}
    for key, path in modules:
        text = path.read_text(encoding="utf-8")
        theirs = _vermin_minimum(text)
        if theirs is None:
            indeterminate.append(key)
            continue
        compared.append(key)
        requirements = analyse_source(text, path=path.name).requirements
        ours = required(requirements).minimum
        ours_minor = (ours.release[0], ours.release[1])
        if ours_minor != theirs:
            disagreements[key] = (f"{theirs[0]}.{theirs[1]}", f"{ours.release[0]}.{ours.release[1]}")
        if key in DISAGREEMENTS and DISAGREEMENTS[key][2] == GUARDED:
            unguarded = required(replace(r, guarded=False) for r in requirements).minimum
            assert unguarded.release[:2] == theirs, (key, "the guard is not the whole difference")
    assert len(compared) >= MIN_COMPARED, (compared, skipped, indeterminate)
    expected = {key: (v, o) for key, (v, o, _kind, _why) in DISAGREEMENTS.items() if key in compared}
    assert disagreements == expected
    agreeing = len(compared) - len(disagreements)
    assert agreeing >= len(compared) // 2, f"only {agreeing} of {len(compared)} modules agree"


def test_every_listed_disagreement_has_a_reason_and_a_module() -> None:
    listed_modules = {f"stdlib:{rel}" for rel in STDLIB} | {f"{top}/{rel}" for _, _, top, rels in INSTALLED for rel in rels}
    for key, (theirs, ours, kind, why) in DISAGREEMENTS.items():
        assert key in listed_modules, key
        assert kind in (GUARDED, KWARG, VERMIN_RULE, TABLE_ONLY, SHADOWED) and why.strip(), key
        assert theirs != ours, key
