"""bandit's checks run in-process: same findings as the bandit command line, no noise."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mbcheck.checks.security import bandit as bandit_bridge
from mbcheck.checks.security.bandit import BanditIssue, bandit_tests, run_bandit

BANDIT_CLI = Path(sys.executable).with_name("bandit")


def ids(issues: list[BanditIssue]) -> list[str]:
    return [issue.test_id for issue in issues]


def by_id(issues: list[BanditIssue], test_id: str) -> BanditIssue:
    found = [issue for issue in issues if issue.test_id == test_id]
    assert len(found) == 1, issues
    return found[0]


def test_shell_true_is_b602_with_severity_confidence_cwe_and_span() -> None:
    source = "import subprocess\n\ndef f(cmd):\n    subprocess.Popen(cmd, shell=True)\n"
    issues = run_bandit(source, "plugin/cli.py")
    issue = by_id(issues, "B602")
    assert issue.test_name == "subprocess_popen_with_shell_equals_true"
    assert (issue.severity, issue.confidence, issue.cwe) == ("error", "high", 78)
    assert (issue.line, issue.col) == (4, 5)
    assert (issue.end_line, issue.end_col) == (4, len("    subprocess.Popen(cmd, shell=True)") + 1)
    assert "B404" in ids(issues)  # the import is reported too


def test_pickle_import_and_call_are_blacklist_findings() -> None:
    issues = run_bandit(b"import pickle\npickle.loads(x)\n", "m.py")
    assert ids(issues) == ["B403", "B301"]
    imported, called = issues
    assert (imported.line, imported.severity, imported.test_name) == (1, "info", "import_pickle")
    assert (called.line, called.severity, called.test_name) == (2, "warning", "pickle")
    assert called.cwe == 502
    assert (called.col, called.end_col) == (1, len("pickle.loads(x)") + 1)


def test_blacklist_resolves_aliases_and_from_imports() -> None:
    issues = run_bandit("from pickle import loads as l\nl(data)\n", "m.py")
    assert ids(issues) == ["B403", "B301"]


def test_blanket_nosec_silences_the_line_only() -> None:
    source = "import subprocess  # nosec\nsubprocess.call(c, shell=True)  # nosec\nsubprocess.call(c, shell=True)\n"
    issues = run_bandit(source, "m.py")
    assert [(i.test_id, i.line) for i in issues] == [("B602", 3)]


def test_nosec_with_an_id_silences_only_that_id() -> None:
    line = "subprocess.Popen(c, shell=True); eval(c)"
    silenced = run_bandit(f"import subprocess  # nosec\n{line}  # nosec B602\n", "m.py")
    assert ids(silenced) == ["B307"]
    by_name = run_bandit(f"import subprocess  # nosec\n{line}  # nosec: eval\n", "m.py")
    assert ids(by_name) == ["B602"]
    both = run_bandit(f"import subprocess  # nosec\n{line}  # nosec B602, B307\n", "m.py")
    assert both == []
    other = run_bandit(f"import subprocess  # nosec\n{line}  # nosec B101\n", "m.py")
    assert sorted(ids(other)) == ["B307", "B602"]


def test_nosec_on_the_first_line_of_a_multiline_call() -> None:
    source = (
        "import subprocess  # nosec\nsubprocess.call(  # nosec B602\n    c,\n    shell=True,\n)\n"
    )
    assert run_bandit(source, "m.py") == []


def test_skipped_tests_do_not_run_and_test_sets_stay_independent() -> None:
    source = "import subprocess\nimport pickle\nsubprocess.run(c, shell=True)\npickle.loads(b)\n"
    everything = ids(run_bandit(source, "m.py"))
    assert set(everything) == {"B404", "B403", "B602", "B301"}
    assert set(ids(run_bandit(source, "m.py", skip={"B602"}))) == {"B404", "B403", "B301"}
    assert set(ids(run_bandit(source, "m.py", skip=["b403"]))) == {"B404", "B602", "B301"}
    assert set(ids(run_bandit(source, "m.py", skip={"B001"}))) == {"B602"}
    # the blacklist data of one test set must not leak into another one
    assert ids(run_bandit(source, "m.py")) == everything
    assert set(ids(run_bandit(source, "m.py", skip={"B404"}))) == {"B403", "B602", "B301"}


@pytest.mark.parametrize(
    "source",
    [
        "def f(:\n    pass\n",
        b"x = '\xff\xfe'\n# -*- coding: ascii -*-\n",
        b"# -*- coding: no-such-codec -*-\nx = 1\n",
        "x = 1\x00\n",
        "if x:\npass\n",
        "(" * 500 + ")" * 500,
        "",
    ],
)
def test_source_bandit_cannot_parse_gives_no_findings(source: str | bytes) -> None:
    assert run_bandit(source, "broken.py") == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=200), st.binary(max_size=200)))
def test_never_raises(source: str | bytes) -> None:
    issues = run_bandit(source, "fuzz.py")
    for issue in issues:
        assert issue.line >= 1 and issue.col >= 1
        assert (issue.end_line, issue.end_col) > (issue.line, issue.col)


def test_invalid_escape_sequences_do_not_warn_or_fail() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        issues = run_bandit('import re\nre.compile("\\d")\neval(x)\n', "m.py")
    assert ids(issues) == ["B307"]


def test_columns_count_characters_not_bytes() -> None:
    source = "x = 'ééé'; eval(x)\n"
    issue = by_id(run_bandit(source.encode("utf-8"), "m.py"), "B307")
    start = source.index("eval")
    assert (issue.col, issue.end_col) == (start + 1, start + len("eval(x)") + 1)
    assert by_id(run_bandit(source, "m.py"), "B307") == issue


def test_coding_cookie_is_honoured_for_bytes() -> None:
    source = "# -*- coding: latin-1 -*-\nx = 'é'; eval(x)\n"
    issue = by_id(run_bandit(source.encode("latin-1"), "m.py"), "B307")
    assert (issue.line, issue.col) == (2, source.splitlines()[1].index("eval") + 1)


def test_bidi_characters_are_found_by_the_file_level_test() -> None:
    issue = by_id(run_bandit("x = 'abc\u202edef'\n", "m.py"), "B613")
    assert (issue.line, issue.col, issue.end_col) == (1, 9, 10)
    assert issue.severity == "error"


# --- logging and global state ---------------------------------------------------

NOISY = "import subprocess\nx = 1  # nosec B602\ny = 2  # nosec B999, no_such_test\n"


def test_no_log_records_escape_and_logging_config_is_unchanged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    root = logging.getLogger()
    bandit_logger = logging.getLogger("bandit")
    before = (root.level, list(root.handlers), bandit_logger.level, bandit_logger.propagate)
    before_handlers = list(bandit_logger.handlers)
    issues = run_bandit(NOISY, "m.py")
    assert ids(issues) == ["B404"]
    assert [r for r in caplog.records if r.name.startswith(("bandit", "stevedore"))] == []
    after = (root.level, list(root.handlers), bandit_logger.level, bandit_logger.propagate)
    assert before == after
    assert bandit_logger.handlers == before_handlers


def test_bandit_logging_still_works_outside_our_checks(caplog: pytest.LogCaptureFixture) -> None:
    run_bandit("x = 1\n", "m.py")
    logging.getLogger("bandit.core.tester").warning("outside")
    assert [r.getMessage() for r in caplog.records if r.name.startswith("bandit")] == ["outside"]


def test_nothing_reaches_stderr_in_a_fresh_interpreter() -> None:
    code = textwrap.dedent(
        f"""
        import logging, warnings
        before = warnings.formatwarning
        from mbcheck.checks.security.bandit import run_bandit, bandit_tests
        issues = run_bandit({NOISY!r}, "m.py") + run_bandit("def f(:", "m.py")
        bandit_tests()
        assert warnings.formatwarning is before, "warnings.formatwarning replaced"
        assert not logging.getLogger().handlers, "root logger configured"
        print(",".join(i.test_id for i in issues))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "B404"
    assert result.stderr == ""


# --- caching ------------------------------------------------------------------


def test_config_and_test_set_are_built_once_for_many_files() -> None:
    bandit_bridge._test_set.cache_clear()
    sources = [
        f"import subprocess\ndef f{n}(c):\n    subprocess.call(c, shell={n % 2 == 0})\n"
        for n in range(30)
    ]
    found = [ids(run_bandit(source, f"pkg/m{n}.py")) for n, source in enumerate(sources)]
    info = bandit_bridge._test_set.cache_info()
    assert (info.misses, info.hits) == (1, 29)
    assert bandit_bridge._config.cache_info().misses <= 1
    assert found[0] == ["B404", "B602"] and found[1] == ["B404", "B603"]
    run_bandit(sources[0], "x.py", skip={"B603"})
    run_bandit(sources[0], "x.py", skip=("B603",))
    assert bandit_bridge._test_set.cache_info().misses == 2


# --- the test list ------------------------------------------------------------------


def test_bandit_tests_lists_plugins_and_blacklists_with_docs() -> None:
    table = bandit_tests()
    test_ids = [row[0] for row in table]
    assert test_ids == sorted(set(test_ids))
    rows = {row[0]: row for row in table}
    assert rows["B602"][1] == "subprocess_popen_with_shell_equals_true"
    assert rows["B301"][1] == "pickle"
    assert rows["B403"][1] == "import_pickle"
    for test_id, name, doc in table:
        assert re.fullmatch(r"B\d{3}", test_id)
        assert name and doc, test_id
        assert "**" not in doc and "\n" not in doc and "===" not in doc, (test_id, doc)
    assert "shell" in rows["B602"][2].lower() or "executable" in rows["B602"][2].lower()
    assert "assert" in rows["B101"][2]


@pytest.mark.skipif(not BANDIT_CLI.exists(), reason="bandit command line not installed")
def test_bandit_tests_match_the_command_line_listing() -> None:
    result = subprocess.run([str(BANDIT_CLI), "-h"], capture_output=True, text=True, check=False)
    listed = re.findall(r"^\s+(B\d{3})\s+(\S+)\s*$", result.stdout, re.MULTILINE)
    assert listed
    assert sorted(listed) == [(test_id, name) for test_id, name, _ in bandit_tests()]


# --- the oracle: bandit's own command line ------------------------------------------------

SAMPLES: dict[str, str] = {
    "shell.py": """\
        import os
        import subprocess as sp
        from subprocess import check_output

        def run(cmd, host):
            sp.Popen("ls " + cmd, shell=True)
            check_output(["ping", host])
            os.system("echo %s" % cmd)
            os.popen(cmd)  # nosec B605
            os.execl("/bin/sh", "sh")
        """,
    "secrets.py": """\
        import hashlib
        import requests
        import yaml
        import tempfile

        PASSWORD = "hunter2"

        def connect(user, password="default-pass"):
            data = requests.get("https://example.org", verify=False)
            cfg = yaml.load(data.text)
            hashlib.md5(b"x")
            tempfile.mktemp()
            with open("/tmp/cache.txt", "w") as fh:
                fh.write(str(cfg))
            return data
        """,
    "flow.py": """\
        import pickle, marshal
        from xml.etree import ElementTree

        def load(blob, path):
            try:
                obj = pickle.loads(blob)
            except Exception:
                pass
            for _ in range(3):
                try:
                    marshal.loads(blob)
                except ValueError:
                    continue
            assert obj is not None
            exec(blob)
            return ElementTree.parse(path), eval("1 + 1")
        """,
    "multiline.py": """\
        import subprocess
        import ssl

        ctx = ssl._create_unverified_context()
        subprocess.run(
            "rm -rf " + target,
            shell=True,
        )
        query = "SELECT * FROM t WHERE id = '%s'" % value
        __import__("telnetlib")
        """,
    "bidi.py": "x = 'user\u202e \u2066// admin\u2069 \u2066'\nif x: pass\n",
    "clean.py": """\
        def add(a, b):
            return a + b
        """,
}


@pytest.mark.skipif(not BANDIT_CLI.exists(), reason="bandit command line not installed")
def test_same_findings_as_the_bandit_command_line(tmp_path: Path) -> None:
    for name, text in SAMPLES.items():
        (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
    result = subprocess.run(
        [str(BANDIT_CLI), "-f", "json", "-q", *sorted(SAMPLES)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    assert not report["errors"]
    severity = {"HIGH": "error", "MEDIUM": "warning", "LOW": "info"}
    expected: dict[str, list[tuple[object, ...]]] = {name: [] for name in SAMPLES}
    for item in report["results"]:
        expected[Path(item["filename"]).name].append(
            (
                item["test_id"],
                item["line_number"],
                item["col_offset"] + (0 if item["test_id"] == "B613" else 1),
                max(item["line_range"]),
                severity[item["issue_severity"]],
                item["issue_confidence"].lower(),
                item["issue_cwe"].get("id") or None,
                item["issue_text"],
            )
        )
    total = 0
    for name in SAMPLES:
        data = (tmp_path / name).read_bytes()
        issues = run_bandit(data, name)
        got = sorted(
            (i.test_id, i.line, i.col, i.end_line, i.severity, i.confidence, i.cwe, i.text)
            for i in issues
        )
        assert got == sorted(expected[name]), name
        total += len(got)
    assert total >= 25  # the samples exercise many tests


def _stock_visitor_issues(data: bytes, name: str) -> list[BanditIssue]:
    """bandit's findings through bandit's own, unoptimised ``BanditNodeVisitor.process``."""
    import io

    b = bandit_bridge._bandit()
    tests = bandit_bridge._test_set(frozenset())
    with bandit_bridge._quiet(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nosec = bandit_bridge._nosec_lines(data, b.parse_nosec_comment)
        metrics = b.metrics_module.Metrics()
        metrics.begin(name)
        visitor = b.node_visitor_module.BanditNodeVisitor(
            name, io.BytesIO(data), b.meta_ast_module.BanditMetaAst(), tests, False, nosec, metrics
        )
        visitor.process(data)
        results = list(visitor.tester.results)
    lines = bandit_bridge._Lines(data)
    return sorted((bandit_bridge._issue(r, lines) for r in results), key=repr)


_NOSEC_VARIANTS = {
    "nosec_blanket.py": "import subprocess\nsubprocess.call('ls', shell=True)  # nosec\npassword = 'hunter2'\n",
    "nosec_ids.py": "import pickle  # nosec B403\npickle.loads(b'')  # nosec B403\nx = eval('1')  # nosec: B307\n",
    "nosec_multiline.py": "import subprocess\nsubprocess.call(  # nosec B602\n    'ls',\n    shell=True,\n)\n",
    "nested.py": (
        "import hashlib as h\nclass A:\n    def f(self, password='x'):\n        try:\n            h.md5(b'')\n"
        "        except Exception:\n            pass\n        async def g():\n            q = 'SELECT * FROM t WHERE a=%s' % self\n"
        "            return q\n        return g\n"
    ),
}


def test_the_fast_visitor_finds_what_banditss_own_visitor_finds() -> None:
    """The trimmed visitor and tester give bandit's stock visitor's results, file for file."""
    root = Path(__file__).parent / "corpus"
    files = {p.name: p.read_bytes() for p in sorted(root.rglob("*.py"))}
    files.update({name: textwrap.dedent(text).encode() for name, text in SAMPLES.items()})
    files.update({name: text.encode() for name, text in _NOSEC_VARIANTS.items()})
    package = Path(bandit_bridge.__file__).parents[2]
    files.update({str(p): p.read_bytes() for p in sorted(package.rglob("*.py"))})
    total = 0
    for name, data in files.items():
        want = _stock_visitor_issues(data, name)
        got = sorted(run_bandit(data, name), key=repr)
        assert got == want, name
        # as text (what the per-file pass hands over), tests that cannot match are skipped
        assert sorted(run_bandit(data.decode("utf-8"), name), key=repr) == want, name
        total += len(got)
    assert total >= 60
    assert any(issue.test_id == "B613" for issue in run_bandit(textwrap.dedent(SAMPLES["bidi.py"]), "bidi.py"))
    assert sum(1 for name, data in _NOSEC_VARIANTS.items() if _stock_visitor_issues(data.encode(), name)) >= 2


#: sources that make every gated test report (and nearby calls it must not report)
_GATED_SAMPLES = {
    "gated_shell.py": """\
        import os
        import subprocess
        subprocess.Popen(cmd, shell=True)
        subprocess.run(["ls", "-l"])
        subprocess.check_output("/bin/true")
        os.system("chmod 777 *")
        os.system("ls " + where)
        os.execv(path, args)
        runner.run(["ls"])
        """,
    "gated_web.py": """\
        import flask
        import requests
        import ssl
        import logging.config
        from pysnmp.hlapi import CommunityData, UsmUserData
        app.run(debug=True)
        requests.get(url, verify=False, timeout=5)
        requests.post(url)
        session.get(url, verify=False)
        ssl.wrap_socket(sock, ssl_version=ssl.PROTOCOL_SSLv2)
        ssl.wrap_socket(sock)
        connect(host, method=SSL.SSLv3_METHOD)
        connect(host, ssl_version=ssl.PROTOCOL_TLSv1_2)
        logging.config.listen(9999)
        CommunityData("public", mpModel=0)
        UsmUserData("user")
        """,
    "gated_libs.py": """\
        import paramiko
        import torch
        import yaml
        import jinja2
        from transformers import AutoModel
        from mako.template import Template
        from markupsafe import Markup
        from django.utils.safestring import mark_safe
        from django.db.models.expressions import RawSQL
        client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        client.exec_command(command)
        torch.load(path)
        cache.load(path)
        yaml.load(text)
        AutoModel.from_pretrained("bert-base-uncased")
        jinja2.Environment(loader=loader)
        Template(text)
        Markup(value)
        mark_safe(value)
        RawSQL(query, params)
        Users.objects.extra(where=[clause])
        exec(code)
        """,
    "gated_strings.py": (
        'settings = {"password": "hunter2", "user": "admin", "token": "t0k3n"}\n'
        'labels = {"pass": "word", "x": 1}\n'
        "big = {" + ", ".join(f'"key{n}": "value{n}"' for n in range(300)) + "}\n"
        # strings whose parent has no line of its own (bandit computes the parent's range)
        'def save(path="/tmp/out", *, token="abc"):\n'
        '    """/tmp/doc"""\n'
        '    "/tmp/statement"\n'
        '    with open("/tmp/a") as a, open("/tmp/b") as b:\n'
        '        return [p for p in ("/tmp/c", "/tmp/d") if p != "/tmp/e"]\n'
        'paths = ["/tmp/1",\n    "/tmp/2",\n    b"/tmp/3"]\n'
    ),
}


def test_gated_tests_report_what_they_report_without_their_gates() -> None:
    """A test the tester does not call on a call it cannot report on loses nothing:
    every gated test reports on these samples, exactly as through bandit's own visitor."""
    from mbcheck.checks.security.bandit_gates import GATES

    seen: set[str] = set()
    for name, text in _GATED_SAMPLES.items():
        data = textwrap.dedent(text).encode()
        want = _stock_visitor_issues(data, name)
        got = sorted(run_bandit(data, name), key=repr)
        assert got == want, name
        seen |= {issue.test_id for issue in got}
    assert set(GATES) <= seen, sorted(set(GATES) - seen)


def test_gates_are_read_from_the_installed_bandit() -> None:
    """Every gate applies to the installed bandit: its tests' code is the code the gates were
    read from. When this fails after a bandit upgrade, read the changed tests again and
    update ``bandit_gates.GATES`` (until then the tests run ungated: same results, slower)."""
    from bandit.core.context import Context
    from bandit.core.node_visitor import BanditNodeVisitor

    from mbcheck.checks.security.bandit_gates import GATES, core_matches, gate_of
    from mbcheck.checks.security.bandit_visitor import fast_visitor

    assert core_matches(Context, BanditNodeVisitor)
    # the string visits are bandit's, with a line range per parent
    visitor = fast_visitor(BanditNodeVisitor, frozenset({"Str", "Bytes"}))
    assert "visit_Str" in vars(visitor) and "visit_Bytes" in vars(visitor)
    tests = {test._test_id: test for group in bandit_bridge._test_set(frozenset()).tests.values() for test in group}
    assert {code: gate_of(tests[code]) for code in GATES} == GATES


def test_a_gate_read_from_other_code_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """A gate whose test's code changed is ignored: the test runs on every call."""
    from mbcheck.checks.security import bandit_gates

    tests = {test._test_id: test for test in bandit_bridge._test_set(frozenset()).tests["Call"]}
    stale = dict(bandit_gates.GATES)
    stale["B607"] = bandit_gates.Gate("0" * 16, names=lambda config: frozenset({"nothing"}))
    monkeypatch.setattr(bandit_gates, "GATES", stale)
    assert bandit_gates.gate_of(tests["B607"]) is None
    assert bandit_gates.gate_of(tests["B610"]) is stale["B610"]


def test_tree_index_reads_the_parents_bandit_marked() -> None:
    """On a tree bandit's walk has marked, the judgements' index gives every node the
    parent a fresh walk of the tree finds."""
    import ast

    from mbcheck.checks.security.bandit_context import TreeIndex

    source = textwrap.dedent(SAMPLES["multiline.py"]) + _GATED_SAMPLES["gated_strings.py"]
    tree = ast.parse(source)
    assert run_bandit(source, "sample.py", tree=tree)
    expected = {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    shared = (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)
    index = TreeIndex(tree)
    checked = 0
    for node in ast.walk(tree):
        if isinstance(node, shared):
            continue
        assert index.parent(node) is expected.get(id(node)), ast.dump(node)
        checked += 1
    assert checked > 100 and index._parents is None  # no table was needed
