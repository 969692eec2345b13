"""Honest code the security analysis used to flag: each class, its honest shape and its risky twin."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from mbcheck.checks.security.bandit_context import TreeIndex, judge
from mbcheck.model import Finding, Severity
from tests.helpers import run, write_plugin

SECURITY = {"select": ["MB3", "B"]}


def findings(tmp_path: Path, files: dict[str, str], **config: object) -> list[Finding]:
    root = write_plugin(tmp_path, {"plugin.yaml": "name: example\nversion: 1.0.0\n", **files})
    report = run(root, {**SECURITY, **config})
    assert not report.errors, report.errors
    return [f for p in report.plugins for f in p.findings]


def rules_at(found: list[Finding], rule: str, *, at_least: Severity = Severity.WARNING) -> list[int]:
    order = [Severity.INFO, Severity.WARNING, Severity.ERROR]
    return sorted(f.span.line for f in found if f.rule == rule and order.index(f.severity) >= order.index(at_least))


def verdict(test_id: str, source: str, line: int) -> str:
    judgement = judge(test_id, line, TreeIndex(ast.parse(source)))
    return "keep" if judgement is None else judgement.action


# -- MB312: builtins/types looked up by a computed name, never called -------------------------

BUGBEAR_SHAPE = """\
import builtins

def _typesafe_issubclass(cls, class_or_tuple):
    return isinstance(cls, type) and issubclass(cls, class_or_tuple)

def redundant(names):
    for name, other in zip(names, names[1:]):
        if _typesafe_issubclass(getattr(builtins, name, type), getattr(builtins, other, ())):
            return name
    exc = getattr(builtins, names[0], None)
    return isinstance(exc, type) and issubclass(exc, BaseException)
"""


def test_builtin_lookup_for_a_type_check_is_not_a_finding_nor_dynamic_code(tmp_path: Path) -> None:
    found = findings(tmp_path, {"__init__.py": BUGBEAR_SHAPE})
    assert rules_at(found, "MB312", at_least=Severity.INFO) == []
    root = tmp_path / "example"
    report = run(root, SECURITY)
    assert "dynamic-code" not in report.plugins[0].permissions.get("inferred", [])


def test_builtin_lookup_that_is_called_stays_an_error(tmp_path: Path) -> None:
    source = "import builtins\n\ndef run(name, arg):\n    fn = getattr(builtins, name)\n    return fn(arg)\n"
    found = findings(tmp_path, {"__init__.py": source})
    assert [f.severity for f in found if f.rule == "MB312"] == [Severity.ERROR]


# -- B108: a temporary directory that is only compared, listed or checked ---------------------

@pytest.mark.parametrize(("source", "line", "expected"), [
    ("import sys\nok = sys.executable[0:4] == '/tmp'\n", 2, "drop"),
    ("import os\nfrom pathlib import Path\n\ndef check(config):\n"
     "    temp_dir = Path(config.temp_dir) if config.temp_dir else Path('/tmp')\n"
     "    if temp_dir.exists() and not os.access(temp_dir, os.W_OK):\n"
     "        return {'path': str(temp_dir)}\n", 5, "drop"),
    ("def sizes(scan):\n    temp_dirs = ['/tmp', '/var/tmp']\n    for d in temp_dirs:\n        scan(d)\n", 2, "drop"),
    ("from unittest import mock\nimport sys\n\ndef test():\n"
     "    with mock.patch.object(sys, 'executable', '/tmp/fake'):\n        pass\n", 5, "drop"),
    ("def save(data):\n    with open('/tmp/state.json', 'w') as f:\n        f.write(data)\n", 2, "keep"),
    ("from pathlib import Path\n\ndef save(data):\n    Path('/tmp/state.json').write_text(data)\n", 4, "keep"),
    ("def save(data):\n    path = '/tmp/state.json'\n    with open(path, 'w') as f:\n        f.write(data)\n", 2, "keep"),
    ("import subprocess\n\ndef dump():\n    subprocess.run(['cp', 'a', '/tmp/b'])\n", 4, "keep"),
    ("class C:\n    def __init__(self):\n        self.out = '/tmp/out'\n", 3, "keep"),
])
def test_b108_is_kept_only_where_the_path_may_be_created(source: str, line: int, expected: str) -> None:
    assert verdict("B108", source, line) == expected


# -- B324: a weak digest used as an identifier ------------------------------------------------

@pytest.mark.parametrize(("source", "line", "expected"), [
    ("import hashlib\n\ndef cache_key(key_string):\n    return hashlib.md5(key_string.encode()).hexdigest()\n", 4, "info"),
    ("from hashlib import sha1\n\ndef filename(name):\n    return 'tmpl_' + sha1(name.encode()).hexdigest()\n", 4, "info"),
    ("import hashlib\n\ndef hash_password(password):\n    return hashlib.md5(password.encode()).hexdigest()\n", 4, "keep"),
    ("import hashlib\n\ndef verify_checksum(data, expected):\n    h = hashlib.md5()\n    h.update(data)\n"
     "    return h.hexdigest() == expected\n", 4, "keep"),
    ("import hashlib\nTOKEN = hashlib.sha1(b'x').hexdigest()\n", 2, "keep"),
    ("from hashlib import sha1\n\ndef get_source_checksum(source):\n    return sha1(source.encode()).hexdigest()\n",
     4, "info"),
    ("import hashlib\nTOKEN = hashlib.sha1(b'x', usedforsecurity=False).hexdigest()\n", 2, "info"),
])
def test_b324_is_info_unless_the_digest_protects_something(source: str, line: int, expected: str) -> None:
    assert verdict("B324", source, line) == expected


# -- B310: urlopen after the function checked the scheme -------------------------------------

GUARDS = {
    "startswith raise": "    if not url.startswith(('http://', 'https://')):\n        raise ValueError(url)\n",
    "urlparse in": "    if urlparse(url).scheme not in ('http', 'https'):\n        return None\n",
    "parsed name": "    parts = urlparse(url)\n    if parts.scheme != 'https':\n        raise ValueError(url)\n",
    "assert": "    assert url.startswith('https://')\n",
}


@pytest.mark.parametrize("guard", sorted(GUARDS))
def test_b310_after_a_scheme_check_is_dropped(guard: str) -> None:
    source = ("from urllib.parse import urlparse\nfrom urllib.request import urlopen, Request\n\n"
              f"def fetch(url):\n{GUARDS[guard]}    req = Request(url)\n    with urlopen(req, timeout=5) as r:\n"
              "        return r.read()\n")
    line = source.splitlines().index("    with urlopen(req, timeout=5) as r:") + 1
    assert verdict("B310", source, line) == "drop"


@pytest.mark.parametrize("source", [
    # no check at all
    "from urllib.request import urlopen\n\ndef fetch(url):\n    return urlopen(url).read()\n",
    # a check that does not leave the function
    "from urllib.request import urlopen\n\ndef fetch(url):\n    if not url.startswith('https://'):\n"
    "        print('odd')\n    return urlopen(url).read()\n",
    # a check on another name
    "from urllib.request import urlopen\n\ndef fetch(url, other):\n    if not other.startswith('https://'):\n"
    "        raise ValueError\n    return urlopen(url).read()\n",
    # a check that admits file://
    "from urllib.request import urlopen\n\ndef fetch(url):\n    if not url.startswith(('https://', 'file://')):\n"
    "        raise ValueError\n    return urlopen(url).read()\n",
])
def test_b310_without_a_dominating_scheme_check_is_kept(source: str) -> None:
    line = next(i for i, text in enumerate(source.splitlines(), 1) if "urlopen(url)" in text)
    assert verdict("B310", source, line) == "keep"


@pytest.mark.parametrize(("source", "expected"), [
    ("from urllib.request import urlopen\n\ndef latest():\n    return urlopen('https://pypi.org/pypi/x/json', timeout=5)\n",
     "drop"),
    ("import urllib.request\nURL = 'https://pypi.org/pypi/x/json'\n\ndef latest():\n"
     "    return urllib.request.urlopen(URL, timeout=5)\n", "drop"),
    # a constant that is not a web address, and a name bound twice
    ("from urllib.request import urlopen\n\ndef local():\n    return urlopen('file:///etc/passwd')\n", "keep"),
    ("import urllib.request\nURL = 'https://pypi.org/'\nURL = input()\n\ndef latest():\n"
     "    return urllib.request.urlopen(URL, timeout=5)\n", "keep"),
])
def test_b310_of_a_constant_web_address_is_dropped(source: str, expected: str) -> None:
    line = next(i for i, text in enumerate(source.splitlines(), 1) if "urlopen(" in text and "import" not in text)
    assert verdict("B310", source, line) == expected


def test_b310_guarded_urlopen_is_not_reported_by_the_lint(tmp_path: Path) -> None:
    source = ("from urllib.request import urlopen\n\ndef fetch(url):\n"
              "    if not url.startswith(('http://', 'https://')):\n        raise ValueError(url)\n"
              "    with urlopen(url, timeout=5) as r:\n        return r.read()\n\n"
              "def unchecked(url):\n    return urlopen(url, timeout=5).read()\n")
    assert rules_at(findings(tmp_path, {"__init__.py": source}), "B310") == [10]


# -- B413: import Crypto as an optional import ---------------------------------------------------

def test_b413_in_an_import_error_fallback_is_info(tmp_path: Path) -> None:
    source = ("try:\n    from cryptography.hazmat.primitives.ciphers import Cipher\nexcept ImportError:\n"
              "    from Crypto.Cipher import AES\n")
    found = findings(tmp_path, {"__init__.py": source})
    assert rules_at(found, "B413") == []
    assert rules_at(found, "B413", at_least=Severity.INFO) == [4]
    assert verdict("B413", "from Crypto.Cipher import AES\n", 1) == "keep"


# -- B604 / B610 / HTML escaping --------------------------------------------------------------

def test_shell_keyword_of_a_function_that_starts_no_process_is_not_reported(tmp_path: Path) -> None:
    source = ("import subprocess\n\ndef log(root, message, shell=None):\n    print(root, message, shell)\n\n"
              "def activate(root, shell):\n    log(root, 'activating', shell=shell)\n\n"
              "def run(cmd):\n    subprocess.run(cmd, shell=True)\n")
    found = findings(tmp_path, {"__init__.py": source})
    assert rules_at(found, "B604", at_least=Severity.INFO) == []
    assert rules_at(found, "MB310") == [10]


def test_extra_outside_django_is_not_b610() -> None:
    source = "def extra(content, kind):\n    return content\n\ndef html(content):\n    return extra(content, 'html')\n"
    assert verdict("B610", source, 5) == "drop"
    assert verdict("B610", "from django.db.models import Q\n\ndef q(qs, s):\n    return qs.extra(where=[s])\n", 4) == "keep"


def test_markup_and_autoescape_are_info(tmp_path: Path) -> None:
    source = ("from markupsafe import Markup\nfrom jinja2 import Environment\n\n"
              "def render(html):\n    return Markup(html)\n\nENV = Environment()\n")
    found = findings(tmp_path, {"__init__.py": source})
    assert rules_at(found, "B704") == [] and rules_at(found, "B701") == []
    assert rules_at(found, "B704", at_least=Severity.INFO) == [5]


# -- MB330: what runs at discovery follows the imports from the package --------------------------

def test_a_computed_import_in_a_function_does_not_make_tool_scripts_run_at_discovery(tmp_path: Path) -> None:
    files = {
        "__init__.py": "from . import core\n",
        "core.py": "import importlib\n\ndef load(name):\n    return importlib.import_module(name)\n",
        "tools/release.py": "import subprocess\nsubprocess.run(['git', 'tag', 'v1'], check=True)\n",
    }
    found = [f for f in findings(tmp_path, files) if f.rule == "MB330"]
    assert [(f.span.path, f.severity) for f in found] == [("tools/release.py", Severity.WARNING)]
    assert "whenever" in found[0].message


def test_a_computed_import_at_import_time_of_a_reached_module_still_counts_everything(tmp_path: Path) -> None:
    files = {
        "__init__.py": "import importlib\nimport os\nimportlib.import_module(os.environ['MOD'])\n",
        "tools/release.py": "import subprocess\nsubprocess.run(['git', 'tag', 'v1'], check=True)\n",
    }
    found = [f for f in findings(tmp_path, files) if f.rule == "MB330" and f.span.path == "tools/release.py"]
    assert [f.severity for f in found] == [Severity.ERROR]


def test_own_definitions_are_not_the_library_the_plugin_is_named_after(tmp_path: Path) -> None:
    files = {
        "__init__.py": "",
        "httpx/__init__.py": "from ._config import UNSET\n",
        "httpx/_config.py": "class UnsetType:\n    pass\n\nUNSET = UnsetType()\n",
    }
    root = write_plugin(tmp_path, {"plugin.yaml": "name: httpx\nversion: 1.0.0\n", **files}, name="httpx")
    report = run(root, SECURITY)
    assert [f for p in report.plugins for f in p.findings if f.rule == "MB330"] == []
