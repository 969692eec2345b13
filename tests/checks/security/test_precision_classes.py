"""Honest shapes of client libraries, constant code, opt-outs and round-trips the security
analysis used to flag, each next to the attack shape that must stay reported."""

from __future__ import annotations

from pathlib import Path

from mbcheck.model import Severity
from tests.checks.security.test_precision import findings, rules_at

# -- MB330: a client library's offline helpers open no connection ---------------------------------

URLLIB3_HELPERS = """\
import urllib3
from urllib3.contrib import pyopenssl
from urllib3.util import make_headers

pyopenssl.inject_into_urllib3()
HEADERS = make_headers(keep_alive=True, accept_encoding=True)
urllib3.disable_warnings()
"""


def test_urllib3_helpers_at_import_time_are_not_network(tmp_path: Path) -> None:
    found = findings(tmp_path, {"__init__.py": URLLIB3_HELPERS})
    assert [f for f in found if f.rule == "MB330"] == []


def test_urllib3_request_at_import_time_is_still_network(tmp_path: Path) -> None:
    source = URLLIB3_HELPERS + "DATA = urllib3.PoolManager().request('GET', 'https://example.org/x')\n"
    found = [f for f in findings(tmp_path, {"__init__.py": source}) if f.rule == "MB330"]
    assert [f.span.line for f in found] == [8]
    assert "network" in found[0].message
