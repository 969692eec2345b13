"""Never crash: arbitrary bytes, text and manifests through the whole pipeline."""

from __future__ import annotations

from pathlib import Path
from tempfile import TemporaryDirectory

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import run, write_plugin
from mbcheck.context import FileOutcome
from mbcheck.pyfile.analyse import FileJob, analyse_file

PYTHONISH = st.lists(
    st.sampled_from(
        ["import os", "from . import x", "def f(a, /, b=1):", "    return a", "class A(B):", "    pass",
         "x = [", "]", "(", ")", "lambda: 0", "match x:", "    case 1:", "type T = int", 'f"{x!r:>{w}}"',
         "async def g():", "    await h()", "try:", "except* E:", "    ...", "@dec", "if x := 1:", "    eval(y)",
         "__version__ = '1.0'", "# mbcheck: ignore[MB001]", "\t", "\\", "'''", "\x00", "é", ":", "=", "*"]
    ),
    max_size=25,
).map("\n".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=400), PYTHONISH.map(str.encode), st.text(max_size=300).map(str.encode)))
def test_analyse_file_never_raises(data: bytes) -> None:
    outcome = analyse_file(FileJob("mod.py", data, "pkg.mod", "pkg", False))
    assert isinstance(outcome, FileOutcome)
    for finding in outcome.findings:
        assert finding.span.line >= 1 and finding.span.column >= 1


YAMLISH = st.lists(
    st.sampled_from(
        ["name: x", "version: 1.0", "version: [", "dependencies:", "  - click>=8", "  - &a x", "  - *a", "- *b",
         "permissions: [network]", "email: a@b", "? complex", ": key", "{", "}", "!!python/object:os.system",
         "python_version: '>=3.11'", "min_milkbottle_version: 2", "\t", "'", '"', "---", "...", "%YAML 1.1", "\x00"]
    ),
    max_size=15,
).map("\n".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(YAMLISH, PYTHONISH)
def test_pipeline_never_raises(manifest: str, code: str) -> None:
    with TemporaryDirectory() as tmp:
        root = write_plugin(Path(tmp), {"plugin.yaml": manifest, "__init__.py": code})
        report = run(root)
        assert len(report.plugins) == 1
        for finding in report.plugins[0].findings:
            assert finding.span.line >= 1
