"""Rules that declare visitor methods idle for a file (see ``SourceRule.idle``) report exactly
what they report when every method is called."""

from __future__ import annotations

import base64

import libcst as cst
import pytest

from mbcheck.context import FileOutcome
from mbcheck.pyfile import traverse
from mbcheck.pyfile.analyse import analyse_file
from mbcheck.pyfile.jobs import FileJob
from mbcheck.pyfile.traverse import FileContext, Traversal


def _declared_and_compare(
    monkeypatch: pytest.MonkeyPatch, sources: list[str], rule: type | tuple[type, ...]
) -> tuple[set[str], list[FileOutcome]]:
    """Analyse ``sources`` honouring and ignoring idle declarations; the outcomes must be equal.
    Returns the methods ``rule`` (or any of the rules) declared idle on some source, and the outcomes."""
    rules = rule if isinstance(rule, tuple) else (rule,)

    def outcomes() -> list[FileOutcome]:
        return [analyse_file(FileJob("m.py", text.encode(), "m", "m", False)) for text in sources]

    declared: set[str] = set()
    original = traverse.Traversal.__init__

    def recording(self: Traversal, visitors: list[cst.BatchableCSTVisitor], ctx: FileContext) -> None:
        for v in visitors:
            if type(v) in rules:
                declared.update(getattr(v, "idle", frozenset()))
        original(self, visitors, ctx)

    monkeypatch.setattr(traverse.Traversal, "__init__", recording)
    honoured = outcomes()

    def ignoring(self: Traversal, visitors: list[cst.BatchableCSTVisitor], ctx: FileContext) -> None:
        for visitor in visitors:
            visitor.idle = frozenset()  # type: ignore[attr-defined]
        original(self, visitors, ctx)

    monkeypatch.setattr(traverse.Traversal, "__init__", ignoring)
    everything = outcomes()
    assert [(o.findings, o.facts) for o in honoured] == [(o.findings, o.facts) for o in everything]
    return declared, honoured


_TLS = [
    "import requests\nrequests.get('https://x.example', verify=False, timeout=3)\n",
    "import ssl\nctx = ssl.create_default_context()\nctx.verify_mode = ssl.CERT_NONE\n",
    "from ssl import CERT_NONE as none\nmode = none\n",
    "from ssl import *\nmode = CERT_NONE\n",
    "import ssl as s\nopener = s._create_unverified_context\n",
    "import ssl\nssl._create_default_https_context = ssl._create_unverified_context\n",
    "import ssl\nmode = getattr(ssl, 'CERT_' + 'NONE')\n",
]


def test_tls_name_visits_idle_in_files_without_the_words(monkeypatch: pytest.MonkeyPatch) -> None:
    from mbcheck.checks.security.source_rules_network import TlsVerificationDisabled

    rule = TlsVerificationDisabled
    sources = [*_TLS, *(example.code for example in (*rule.VALID, *rule.INVALID))]
    declared, _ = _declared_and_compare(monkeypatch, sources, rule)
    assert {"visit_Name", "visit_Attribute"} <= declared
    # attribute references are still reported where the words are written
    reported = [[f.message.split(":")[0] for f in analyse_file(FileJob("m.py", text.encode(), "m", "m", False)).findings
                 if f.rule == rule.code] for text in _TLS]
    assert reported[1] == ["`ssl.CERT_NONE`"]
    assert reported[4] == ["`ssl._create_unverified_context`"]


_COMPAT = [
    "import os\n\ndef main():\n    return os.getcwd()\n",
    "def main():\n    breakpoint()\n",
    "async def main(it):\n    return await anext(it)\n",
    "try:\n    import x\nexcept ModuleNotFoundError:\n    x = None\n",
    "def f(aiter=None):\n    return aiter\n",
]


def test_compat_name_visits_idle_in_files_without_a_tabled_builtin(monkeypatch: pytest.MonkeyPatch) -> None:
    from mbcheck.checks.compat.collect import CompatCollector

    declared, _ = _declared_and_compare(monkeypatch, _COMPAT, CompatCollector)
    assert declared == {"visit_Name"}
    # the builtins are still recorded where they are written
    facts = [repr(analyse_file(FileJob("m.py", text.encode(), "m", "m", False)).facts) for text in _COMPAT]
    assert "builtins.breakpoint" in facts[1] and "builtins.anext" in facts[2]
    assert "builtins." not in facts[0]


_OBFUSCATED = (
    "import base64, marshal\n"
    "PAYLOAD = (\n" + "".join(f"    '{base64.b64encode(bytes(range(i, i + 57))).decode()}'\n" for i in range(0, 190, 57))
    + ")\n"
    "name = ''.join(chr(c) for c in [111, 115])\n"
    "run = getattr(__import__('o' + 's'), 'sys' + 'tem')\n"
    "exec(marshal.loads(base64.b64decode(PAYLOAD)))\n"
)


def test_idle_obfuscation_rules_report_what_visiting_everything_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    """Obfuscation rules that do not feed the shared flow declare their feeding methods idle;
    calling them anyway changes no finding and no fact."""
    from mbcheck.checks.security import source_rules_obfuscation as obfuscation

    rules = (obfuscation.EncodedBlob, obfuscation.DisguisedString, obfuscation.EmbeddedBytecode,
             obfuscation.SplitPayload, obfuscation.ProtectorStub)
    sources = [_OBFUSCATED, *(example.code for rule in rules for example in (*rule.VALID, *rule.INVALID))]
    declared, honoured = _declared_and_compare(monkeypatch, sources, rules)
    assert "visit_SimpleString" in declared
    assert any(f.rule == "MB365" for o in honoured for f in o.findings)
