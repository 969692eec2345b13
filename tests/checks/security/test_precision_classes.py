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


# -- MB311: code text made only of constants -------------------------------------------------------

JINJA_FAKE_FRAME = """\
import sys

def fake_traceback(exc_value, tb, filename, lineno):
    globals = {"__name__": filename, "__jinja_exception__": exc_value}
    code = compile(
        "\\\\n" * (lineno - 1) + "raise __jinja_exception__", filename, "exec"
    )
    location = "template"
    if sys.version_info >= (3, 8):
        code = code.replace(co_name=location)
    try:
        exec(code, globals, {})
    except BaseException:
        return sys.exc_info()[2].tb_next
"""


def test_constant_text_repeated_by_a_count_is_not_dynamic_code(tmp_path: Path) -> None:
    found = findings(tmp_path, {"__init__.py": JINJA_FAKE_FRAME})
    assert rules_at(found, "MB311") == []


def test_text_with_a_parameter_in_it_is_still_dynamic_code(tmp_path: Path) -> None:
    source = JINJA_FAKE_FRAME.replace('"raise __jinja_exception__"', "filename")
    found = findings(tmp_path, {"__init__.py": source})
    assert rules_at(found, "MB311") == [5, 12]


def test_a_code_object_rebound_to_other_input_is_still_dynamic_code(tmp_path: Path) -> None:
    source = JINJA_FAKE_FRAME.replace("code = code.replace(co_name=location)", "code = compile(filename, 'x', 'exec')")
    found = findings(tmp_path, {"__init__.py": source})
    assert rules_at(found, "MB311") == [10, 12]


def test_a_string_repeated_by_another_string_value_is_not_constant(tmp_path: Path) -> None:
    source = "def run(body, n):\n    exec('pass\\n' * n + body)\n"
    found = findings(tmp_path, {"__init__.py": source})
    assert rules_at(found, "MB311") == [2]


# -- MB315: a library honouring its caller's verify= choice ---------------------------------------

HTTPX_CONTEXT = """\
import ssl

def create_ssl_context(verify=True, trust_env=True):
    if verify is True:
        ctx = ssl.create_default_context()
    elif verify is False:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    elif not verify:
        ctx = ssl._create_unverified_context()
    return ctx
"""


def test_disabling_verification_on_the_callers_verify_parameter_is_not_reported(tmp_path: Path) -> None:
    found = findings(tmp_path, {"__init__.py": HTTPX_CONTEXT})
    assert rules_at(found, "MB315") == []


def test_a_literal_verify_false_at_the_call_is_still_reported(tmp_path: Path) -> None:
    source = HTTPX_CONTEXT + "\nimport requests\n\ndef get(url):\n    return requests.get(url, verify=False, timeout=5)\n"
    found = findings(tmp_path, {"__init__.py": source})
    assert rules_at(found, "MB315") == [17]


def test_disabling_verification_unconditionally_or_on_another_test_is_still_reported(tmp_path: Path) -> None:
    source = (
        "import ssl\n\ndef context(debug, verify=True):\n    ctx = ssl.create_default_context()\n"
        "    if debug:\n        ctx.check_hostname = False\n    ctx.verify_mode = ssl.CERT_NONE\n    return ctx\n"
    )
    found = findings(tmp_path, {"__init__.py": source})
    assert rules_at(found, "MB315") == [6, 7]


# -- MB312: the plugin's own modules named with its package as a literal ---------------------------

RICH_TABLES = """\
from importlib import import_module

def load_cell_table(version):
    component = version.replace(".", "-")
    module_name = f".unicode{component}"
    module = import_module(module_name, "example._data")
    return module.cell_table
"""


def test_importing_an_own_submodule_by_a_literal_package_is_not_reported(tmp_path: Path) -> None:
    found = findings(tmp_path, {"__init__.py": "", "_data/__init__.py": RICH_TABLES})
    assert rules_at(found, "MB312") == []


def test_the_same_import_against_another_package_is_still_reported(tmp_path: Path) -> None:
    source = RICH_TABLES.replace('"example._data"', '"urllib"')
    found = findings(tmp_path, {"__init__.py": "", "_data/__init__.py": source})
    assert rules_at(found, "MB312") == [6]


def test_a_name_bound_to_an_input_is_still_reported(tmp_path: Path) -> None:
    source = RICH_TABLES.replace('module_name = f".unicode{component}"', "module_name = component")
    found = findings(tmp_path, {"__init__.py": "", "_data/__init__.py": source})
    assert rules_at(found, "MB312") == [6]


# -- MB314: loading bytes the same class pickled ----------------------------------------------------

RICH_STYLE = """\
from pickle import dumps, loads

class Style:
    def __init__(self, meta=None):
        self._meta = None if meta is None else dumps(meta)

    @classmethod
    def from_meta(cls, meta):
        style = cls()
        style._meta = dumps(meta)
        return style

    def copy(self):
        style = Style()
        style._meta = self._meta
        return style

    @property
    def meta(self):
        return {} if self._meta is None else loads(self._meta)

def round_trip(value):
    blob = dumps(value)
    return loads(blob)
"""


def test_an_in_process_pickle_round_trip_is_not_reported(tmp_path: Path) -> None:
    found = findings(tmp_path, {"__init__.py": RICH_STYLE})
    assert rules_at(found, "MB314") == []


def test_an_attribute_that_can_hold_outside_bytes_is_still_reported(tmp_path: Path) -> None:
    source = RICH_STYLE + "\ndef restore(style, blob):\n    style._meta = blob\n"
    found = findings(tmp_path, {"__init__.py": source})
    assert rules_at(found, "MB314") == [20]


def test_a_local_that_can_hold_a_parameter_is_still_reported(tmp_path: Path) -> None:
    source = RICH_STYLE.replace("    return loads(blob)", "    if not value:\n        blob = value\n    return loads(blob)")
    found = findings(tmp_path, {"__init__.py": source})
    assert rules_at(found, "MB314") == [26]


# -- MB310: an argument list with shell= from a setting ----------------------------------------------

MERMAID = """\
import shlex
from subprocess import PIPE, Popen

def render(self, code, tmpfn, outfn):
    mermaid_cmd = self.builder.config.mermaid_cmd
    mermaid_cmd_shell = self.builder.config.mermaid_cmd_shell in {True, "True", "true"}
    if isinstance(mermaid_cmd, str):
        mm_args = shlex.split(mermaid_cmd)
    else:
        mm_args = list(mermaid_cmd)
    mm_args += ["-i", tmpfn, "-o", outfn]
    p = Popen(mm_args, shell=mermaid_cmd_shell, stdout=PIPE, stdin=PIPE, stderr=PIPE, text=True)
    return p
"""


def test_an_argument_list_with_shell_from_a_setting_is_a_warning(tmp_path: Path) -> None:
    found = findings(tmp_path, {"__init__.py": MERMAID})
    assert rules_at(found, "MB310", at_least=Severity.ERROR) == []
    assert rules_at(found, "MB310") == [12]


def test_a_literal_shell_true_with_data_stays_an_error(tmp_path: Path) -> None:
    found = findings(tmp_path, {"__init__.py": MERMAID.replace("shell=mermaid_cmd_shell", "shell=True")})
    assert rules_at(found, "MB310", at_least=Severity.ERROR) == [12]


def test_a_command_string_with_a_computed_shell_stays_an_error(tmp_path: Path) -> None:
    source = MERMAID.replace("Popen(mm_args,", "Popen(mermaid_cmd + ' ' + tmpfn,")
    found = findings(tmp_path, {"__init__.py": source})
    assert rules_at(found, "MB310", at_least=Severity.ERROR) == [12]


def test_a_shell_flag_bound_to_true_stays_an_error(tmp_path: Path) -> None:
    source = MERMAID.replace(
        'mermaid_cmd_shell = self.builder.config.mermaid_cmd_shell in {True, "True", "true"}', "mermaid_cmd_shell = True")
    found = findings(tmp_path, {"__init__.py": source})
    assert rules_at(found, "MB310", at_least=Severity.ERROR) == [12]


def test_a_code_object_rebuilt_with_only_its_name_changed_is_constant(tmp_path: Path) -> None:
    rebuilt = ("code = CodeType(code.co_argcount, code.co_code, code.co_consts, code.co_names, location, "
               "code.co_firstlineno)")
    source = "from types import CodeType\n" + JINJA_FAKE_FRAME.replace("code = code.replace(co_name=location)", rebuilt)
    found = findings(tmp_path, {"__init__.py": source})
    assert rules_at(found, "MB311") == []
    payload = source.replace("code.co_code, code.co_consts", "exc_value, code.co_consts")
    assert rules_at(findings(tmp_path / "attack", {"__init__.py": payload}), "MB311") == [13]


def test_an_attribute_copied_from_either_of_two_pickled_attributes_is_a_round_trip(tmp_path: Path) -> None:
    source = RICH_STYLE + "\ndef combine(a, b):\n    style = Style()\n    style._meta = a._meta or b._meta\n    return style\n"
    assert rules_at(findings(tmp_path, {"__init__.py": source}), "MB314") == []


def test_bandit_does_not_report_the_round_trip_mbcheck_follows(tmp_path: Path) -> None:
    found = findings(tmp_path, {"__init__.py": RICH_STYLE})
    assert [f for f in found if f.rule == "B301"] == []
    attack = findings(tmp_path / "attack", {"__init__.py": "import pickle\n\ndef read(blob):\n    return pickle.loads(blob)\n"})
    assert rules_at(attack, "MB314") == [4]
