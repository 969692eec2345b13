"""The per-file facts: one typed field per fact, each filled by exactly one collector."""

from __future__ import annotations

import dataclasses
import pickle
import subprocess
import sys

import pytest

from helpers import ROOT
from mbcheck.pyfile.analyse import analyse_file
from mbcheck.pyfile.facts import COLLECTED, GuardFact, ModuleFacts
from mbcheck.pyfile.jobs import FileJob
from mbcheck.pyfile.traverse import COLLECTORS, Collector, collector
from mbcheck.rules import load_source_rules


def test_every_collected_field_has_its_collector() -> None:
    load_source_rules()
    assert set(COLLECTORS) == COLLECTED
    assert {f.name for f in dataclasses.fields(ModuleFacts)} == COLLECTED | {"guards"}


def test_a_collector_key_that_names_no_field_fails_at_registration() -> None:
    class Misspelt(Collector):
        key = "securty"

    with pytest.raises(ValueError, match="securty"):
        collector(Misspelt)
    assert "securty" not in COLLECTORS


def test_module_facts_are_typed_and_picklable() -> None:
    code = "import sys\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import requests\n__version__ = '1.0'\n"
    outcome = analyse_file(FileJob("pkg/__init__.py", code.encode(), "pkg", "pkg", True))
    facts = outcome.facts
    assert facts.guards == (GuardFact("typing", (4, 4), None),)
    assert facts.dunders is not None and [d.value for d in facts.dunders] == ["1.0"]
    assert facts.imports is not None and [i.module for i in facts.imports] == ["sys", "typing.TYPE_CHECKING", "requests"]
    assert facts.interface is not None and facts.security is not None and facts.compat is not None
    assert pickle.loads(pickle.dumps(outcome)) == outcome


def test_a_file_that_does_not_parse_has_no_facts() -> None:
    outcome = analyse_file(FileJob("pkg/bad.py", b"def (:\n", "pkg.bad", "pkg", False))
    assert outcome.facts == ModuleFacts()


def test_the_facts_module_imports_neither_libcst_nor_a_theme() -> None:
    probe = (
        "import sys, mbcheck.pyfile.facts, mbcheck.context\n"
        "print(sorted(m for m in sys.modules if m == 'libcst' or m.startswith('mbcheck.checks')))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "[]", done.stderr
