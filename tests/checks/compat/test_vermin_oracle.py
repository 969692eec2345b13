"""vermin's own test suite as an oracle for the minimum Python versions mbcheck infers.

vermin's sdist ships its tests; ``.ci/run`` downloads it, pinned (version and
sha256 below), to ``.ci/cache/``. The literal pairs
``self.assertOnlyIn(VERSION, self.detect("..."))`` (and
``assertDetectMinVersions("...", VERSION)``) of the tests that keep vermin's
default configuration (no ``self.config`` setter, no feature flags or
targets: those tests are read with :mod:`ast` and left out) give a snippet
and the Python 3 release it needs. Every snippet becomes one module of ONE
plugin declaring ``python_version: ">=3.0"``; mbcheck's MB401/MB403 findings
name, per module, the release each use needs (the minimum is the newest).

Figures (printed with ``pytest -s``):

* the exact minimum for the snippets needing 3.6 to 3.14, and for those
  needing 3.12 to 3.14;
* no finding that says a snippet vermin says runs on 3.0 needs a newer release
  (removals, MB402, are right about those: ``import imp`` is gone from 3.12).

The targets of the issue are 90% and 95% and no false finding; mbcheck
reaches them and they are the floors below: a regression under them fails.
What is still missed, by class (measured with the table generated from the
pinned snapshots): names typeshed does not date or does not have and the
library reference does not date either (``calendar.MONDAY``, ``socket.SOL_HCI``),
instance attributes the stubs do not date (``HTTPConnection().blocksize``),
``test.support`` helpers and private names, vermin's names that do not exist
(``from asyncio import loop``, ``flags().gil`` calls the ``sys.flags``
instance), keywords behind ``**kwargs`` or renamed from positional
parameters, names dated differently from vermin (``ssl.OP_NO_TLSv1_3`` is
3.6.3), and ``strftime`` directives.

The test fails -- it does not skip -- when the sdist is missing.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from helpers import ROOT, run, write_plugin
from mbcheck.checks.compat.collect import analyse_source
from mbcheck.checks.compat.facts import BASELINE
from mbcheck.rules.base import EXAMPLE_INIT, EXAMPLE_MANIFEST

VERMIN_VERSION = "1.9.2"
VERMIN_SHA256 = "ba4e01ab817c6baadf5f057bd6ea691e1147bcaf00c1ac8db54df0e25c6d2c6d"
SDIST = Path(os.environ.get("MBCHECK_VERMIN_SDIST", ROOT / ".ci" / "cache" / f"vermin-{VERMIN_VERSION}.tar.gz"))

Minor = tuple[int, int]

#: test files about vermin's own configuration, arguments and output (no version pairs to learn from)
_NOT_DETECTION = frozenset({"arguments.py", "config.py", "testutils.py", "__init__.py", "exclusions.py", "comment_exclusions.py"})

#: snippets mbcheck gets right and vermin (the sdist's own code, default configuration) gets
#: wrong, all because of guards: snippet -> (vermin's minimum, why the code runs on older releases).
#: vermin's tests have none of them (its guard tests use ``# novermin`` comments), so they are here.
VERMIN_WRONG: dict[str, tuple[Minor, str]] = {
    "try:\n    from functools import cache\nexcept ImportError:\n    from functools import lru_cache as cache\n": (
        (3, 9), "the import sits in a try whose handler catches ImportError: older releases take the fallback",
    ),
    "import math\nif hasattr(math, 'lcm'):\n    x = math.lcm(2, 3)\n": (
        (3, 9), "math.lcm is used only where hasattr showed it exists",
    ),
    "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from typing import Self\n": (
        (3, 11), "code under TYPE_CHECKING never runs",
    ),
    "try:\n    s = 'abc'.removeprefix('a')\nexcept AttributeError:\n    s = 'bc'\n": (
        (3, 9), "the handler catches the AttributeError older releases raise",
    ),
    "import sys\nPY310 = sys.version_info >= (3, 10)\nif PY310:\n    n = (5).bit_count()\n": (
        (3, 10), "a version flag: the block runs on 3.10 and newer only",
    ),
}


@dataclass(frozen=True)
class Case:
    snippet: str
    version: Minor
    where: str


def _sdist() -> Path:
    if not SDIST.is_file():
        pytest.fail(
            f"vermin's sdist is missing: {SDIST}. Run .ci/run, or: python -m pip download --no-deps "
            f"--no-binary :all: vermin=={VERMIN_VERSION} -d {SDIST.parent}"
        )
    digest = hashlib.sha256(SDIST.read_bytes()).hexdigest()
    assert digest == VERMIN_SHA256, f"{SDIST}: sha256 {digest}, expected {VERMIN_SHA256}"
    return SDIST


def _python3(value: object) -> Minor | None:
    """The Python 3 release of a vermin expectation: ``(3, 9)``, ``((2, 7), (3, 2))``; None for Python 2 only."""
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(x, int) for x in value):
        return (value[0], value[1]) if value[0] == 3 else None
    if isinstance(value, (tuple, list)):
        found = [v for v in (_python3(item) for item in value) if v is not None]
        return found[0] if len(found) == 1 else None
    return None


def _changes_config(node: ast.AST) -> bool:
    """Whether a test touches vermin's configuration (``self.config.x(...)``, ``self.config.x = ...``, arguments)."""
    for sub in ast.walk(node):
        if (
            isinstance(sub, ast.Attribute)
            and isinstance(sub.value, ast.Attribute)
            and isinstance(sub.value.value, ast.Name)
            and sub.value.value.id == "self"
            and sub.value.attr == "config"
        ):
            return True
        if isinstance(sub, ast.Attribute) and sub.attr in ("parse_args", "assertParseArgs", "config") and isinstance(sub.ctx, ast.Store):
            return True
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr in ("parse_args", "assertParseArgs"):
            return True
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) and sub.func.id in ("Config", "Arguments"):
            return True
    return False


def _detected(node: ast.expr) -> str | None:
    """The literal source of ``self.detect("...")``."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "detect"
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return node.args[0].value
    return None


def _pairs(test: ast.FunctionDef) -> Iterator[tuple[str, object]]:
    for sub in ast.walk(test):
        if not (isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and len(sub.args) >= 2):
            continue
        if sub.func.attr == "assertOnlyIn":
            snippet, expected = _detected(sub.args[1]), sub.args[0]
        elif sub.func.attr == "assertDetectMinVersions" and isinstance(sub.args[0], ast.Constant):
            snippet, expected = sub.args[0].value, sub.args[1]
        else:
            continue
        if not isinstance(snippet, str):
            continue
        try:
            yield snippet, ast.literal_eval(expected)
        except ValueError:
            continue


@cache
def cases() -> tuple[Case, ...]:
    """Every (snippet, Python 3 release) pair of vermin's tests that keep the default configuration."""
    out: dict[str, Case] = {}
    with tarfile.open(_sdist()) as archive:
        for member in archive.getmembers():
            parts = member.name.split("/")
            if len(parts) != 3 or parts[1] != "tests" or not parts[2].endswith(".py") or parts[2] in _NOT_DETECTION:
                continue
            handle = archive.extractfile(member)
            assert handle is not None
            tree = ast.parse(handle.read().decode("utf-8"))
            for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
                methods = [n for n in cls.body if isinstance(n, ast.FunctionDef)]
                if any(m.name in ("setUp", "setUpClass") and _changes_config(m) for m in methods):
                    continue
                for method in methods:
                    if not method.name.startswith("test") or _changes_config(method):
                        continue
                    for snippet, expected in _pairs(method):
                        version = _python3(expected)
                        if version is None:
                            continue
                        where = f"{parts[2]}::{method.name}"
                        if snippet in out and out[snippet].version != version:
                            del out[snippet]  # vermin's own tests disagree: not an answer
                            continue
                        out.setdefault(snippet, Case(snippet, version, where))
    return tuple(out.values())


#: "`x` needs Python 3.9, but ..." (not "..., but the code also needs Python 3.14": that names
#: another module of the batch). The label before it may hold commas ("Annotated assignment
#: statement, with or without a value"), so the match stops only at ", but ".
_NEEDS = re.compile(r"^(?:(?!, but ).)*? needs Python (\d+)\.(\d+)")
_USED_IN = re.compile(r"\(used in ([^)]*)\)$")


@cache
def mbcheck_answers(tmp: Path) -> dict[str, tuple[Minor | None, bool]]:
    """Per snippet: the newest release an MB401/MB403 finding says it needs, and whether a
    finding says it needs any release (a removal, MB402, is not a claim about the minimum:
    ``import imp`` runs on 3.0 and mbcheck rightly says it is gone from 3.12)."""
    files = {"plugin.yaml": _manifest(), "__init__.py": EXAMPLE_INIT}
    names: dict[str, str] = {}
    for index, case in enumerate(cases()):
        name = f"snippet_{index:05d}.py"
        names[name] = case.snippet
        files[name] = case.snippet
    root = write_plugin(tmp, files, name="oracle")
    report = run(root, {"select": ["MB401", "MB402", "MB403"]}, jobs=2)
    needed: dict[str, Minor] = {}
    flagged: set[str] = set()
    for finding in report.plugins[0].findings:
        path = finding.span.path.rsplit("/", 1)[-1]
        used = _USED_IN.search(finding.message)
        modules = [p.strip().rsplit("/", 1)[-1] for p in used.group(1).split(",")] if used else [path]
        match = _NEEDS.search(finding.message)
        for module in modules:
            if match and finding.rule in ("MB401", "MB403"):
                flagged.add(module)
                version = (int(match.group(1)), int(match.group(2)))
                needed[module] = max(needed.get(module, version), version)
    return {snippet: (needed.get(name), name in flagged) for name, snippet in names.items()}


def _manifest() -> str:
    lines = [line for line in EXAMPLE_MANIFEST.splitlines() if not line.startswith("python_version")]
    return "\n".join(lines) + "\npython_version: '>=3.0'\n"


@dataclass
class Figures:
    exact: int = 0
    total: int = 0
    wrong: list[tuple[str, Minor, Minor | None]] | None = None

    @property
    def share(self) -> float:
        return self.exact / self.total if self.total else 0.0


def figures(tmp: Path) -> tuple[Figures, Figures, list[str]]:
    answers = mbcheck_answers(tmp)
    middle, recent = Figures(wrong=[]), Figures(wrong=[])
    false_findings: list[str] = []
    for case in cases():
        ours, flagged = answers[case.snippet]
        if case.version == (3, 0):
            if flagged:
                false_findings.append(case.snippet)
            continue
        for group, low, high in ((middle, 6, 14), (recent, 12, 14)):
            if low <= case.version[1] <= high:
                group.total += 1
                if ours == case.version:
                    group.exact += 1
                else:
                    assert group.wrong is not None
                    group.wrong.append((case.snippet, case.version, ours))
    return middle, recent, false_findings


@pytest.fixture(scope="module")
def oracle_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("vermin-oracle")


def test_the_sdist_gives_enough_pairs() -> None:
    found = cases()
    versions = {case.version for case in found}
    assert len(found) > 1000, len(found)
    assert {(3, 0), (3, 6), (3, 9), (3, 12), (3, 13)} <= versions


def test_no_finding_on_snippets_that_run_on_3_0(oracle_dir: Path) -> None:
    middle, recent, false_findings = figures(oracle_dir)
    print(
        f"\nvermin {VERMIN_VERSION} oracle: exact minimum for {middle.exact}/{middle.total} "
        f"({middle.share:.1%}) of the snippets needing 3.6-3.14, {recent.exact}/{recent.total} "
        f"({recent.share:.1%}) of those needing 3.12-3.14; {len(false_findings)} findings on "
        f"{sum(c.version == (3, 0) for c in cases())} snippets that run on 3.0"
    )
    assert false_findings == []


def test_snippets_vermin_gets_wrong_because_of_guards(tmp_path: Path) -> None:
    """vermin (run from the pinned sdist) gives each listed minimum; mbcheck finds no requirement."""
    with tarfile.open(_sdist()) as archive:
        members = [m for m in archive.getmembers() if m.name.startswith(f"vermin-{VERMIN_VERSION}/vermin/") and m.isfile()]
        archive.extractall(tmp_path, members=members, filter="data")
    code = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(tmp_path / f'vermin-{VERMIN_VERSION}')!r})\n"
        "import vermin\n"
        "out = {}\n"
        "for s in json.load(sys.stdin):\n"
        "    out[s] = vermin.visit(s, vermin.Config()).minimum_versions()[1]\n"
        "print(json.dumps(out))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], input=json.dumps(list(VERMIN_WRONG)), capture_output=True, text=True, check=True, timeout=120
    )
    theirs = {snippet: tuple(version) for snippet, version in json.loads(result.stdout).items()}
    for snippet, (version, why) in VERMIN_WRONG.items():
        assert why
        assert theirs[snippet] == version, snippet
        # what is older than the oldest release the tables describe is never reported
        assert [r for r in analyse_source(snippet).requirements if not r.guarded and r.version > BASELINE] == [], snippet


#: the exact-minimum shares this mbcheck reaches on the oracle: a regression below them fails.
#: They are the issue's targets (90% on 3.6-3.14, 95% on 3.12-3.14); measured: 1416/1558
#: (90.9%) and 455/478 (95.2%). Raise them as the tables and the analysis improve.
MIDDLE_FLOOR = 0.90
RECENT_FLOOR = 0.95


def test_oracle_exact_minimum_does_not_regress(oracle_dir: Path) -> None:
    """The share of snippets whose exact minimum mbcheck names, against the measured floors."""
    middle, recent, _false_findings = figures(oracle_dir)
    assert middle.share >= MIDDLE_FLOOR, (middle.exact, middle.total, (middle.wrong or [])[:40])
    assert recent.share >= RECENT_FLOOR, (recent.exact, recent.total, (recent.wrong or [])[:40])
