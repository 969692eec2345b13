"""The command line a ruff or bandit user expects: selectors, syntax errors, streams, options, inputs, SARIF."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpers import EXAMPLES, write_plugin
from mbcheck.cli import app

GOOD = EXAMPLES / "plugins" / "hello_world"


def invoke(*args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `mbcheck ARGS`."""
    result = CliRunner().invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def lint(*args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    return invoke("lint", *args, "--no-cache", "--jobs", "1", "--isolated", stdin=stdin)


def copy_good(tmp_path: Path, name: str = "hello_world", **changes: str) -> Path:
    files = {p.relative_to(GOOD).as_posix(): p.read_bytes() for p in GOOD.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    files.update({k: v.encode() for k, v in changes.items()})
    return write_plugin(tmp_path, files, name=name)


# -- 1. unknown rule selectors ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--select", "NOPE", "not a rule code"),
        ("--select", "MB99999", "not a rule code"),
        ("--ignore", "XYZ123", "not a rule code"),
        ("--select", "MB9", "no rule has the prefix `MB9`"),
        ("--extend-select", "MB1,MB998", "no rule has the code `MB998`"),
        ("--select", "B999", "no rule has the code `B999`"),
    ],
)
def test_unknown_selectors_on_the_command_line_exit_two(option: str, value: str, expected: str) -> None:
    code, out, err = lint(str(GOOD), option, value)
    assert code == 2
    assert out == ""
    assert f"unknown rule selector `{value.split(',')[-1]}` in {option}" in err and expected in err
    assert "^(" not in err  # a human message, not the schema's regular expression


def test_a_near_miss_gets_a_suggestion_and_known_selectors_pass() -> None:
    assert "did you mean `MB6`?" in lint(str(GOOD), "--select", "MB9")[2]
    assert "did you mean" in lint(str(GOOD), "--select", "MB1022")[2]
    for value in ("ALL", "MB1", "MB102", "B602", "B6", "mb102"):
        assert lint(str(GOOD), "--select", value)[0] == 0, value


@pytest.mark.parametrize(
    ("toml", "where"),
    [
        ('select = ["MB9"]', "`select`"),
        ('extend-select = ["MB9999"]', "`extend-select`"),
        ('ignore = ["NOPE"]', "`ignore`"),
        ('[per-file-ignores]\n"tests/*" = ["MB777"]', '`per-file-ignores."tests/*"`'),
        ('[severity]\nMB777 = "info"', "`severity`"),
        ("[plugins.hello_world]\nignore = [\"B999\"]", "`plugins.hello_world.ignore`"),
        ('[profiles.ci]\nselect = ["MB8"]', "`profiles.ci.select`"),
    ],
)
def test_unknown_selectors_in_a_config_file_exit_two(tmp_path: Path, toml: str, where: str) -> None:
    config = tmp_path / "mbcheck.toml"
    config.write_text(toml + "\n")
    result = CliRunner().invoke(app, ["lint", str(GOOD), "--no-cache", "--jobs", "1", "--config", str(config)])
    assert result.exit_code == 2, result.output
    assert f"{config}: unknown rule selector" in result.stderr and f"in {where}" in result.stderr


def test_unknown_code_in_a_suppression_comment_is_a_warning_at_the_comment(tmp_path: Path) -> None:
    plugin = copy_good(tmp_path, **{"extra.py": "x = 1  # mbcheck: ignore[MB9999]\ny = 2  # mbcheck: ignore[B602]\n"})
    code, out, _err = lint(str(plugin), "-f", "json")
    findings = [f for p in json.loads(out)["plugins"] for f in p["findings"] if f["path"] == "extra.py"]
    unknown = [f for f in findings if f["rule"] == "MB013"]
    assert len(unknown) == 1 and unknown[0]["severity"] == "warning"
    assert (unknown[0]["line"], unknown[0]["column"]) == (1, 8) and "`MB9999`" in unknown[0]["message"]
    # reported once (unknown), not also as an unused suppression; a known code is only unused
    unused = [f for f in findings if f["rule"] == "MB002"]
    assert [f["line"] for f in unused] == [2]
    assert code == 0


# -- 2. syntax errors: CPython's message at CPython's position --------------------------------


@pytest.mark.parametrize(
    ("source", "line", "column", "message"),
    [
        ("def f(:\n    pass\n", 1, 7, "syntax error: invalid syntax"),
        ("x = 1\nx = (\n", 2, 5, "syntax error: '(' was never closed"),
        ("if True:\n        x = 1\n\ty = 2\n", 3, 1, "syntax error: inconsistent use of tabs and spaces in indentation"),
    ],
)
def test_syntax_errors_carry_cpythons_message_and_position(
    tmp_path: Path, source: str, line: int, column: int, message: str
) -> None:
    plugin = write_plugin(tmp_path, {"__init__.py": source}, name="broken")
    code, out, _err = lint(str(plugin), "--select", "MB001", "-f", "json")
    findings = json.loads(out)["plugins"][0]["findings"]
    assert [(f["line"], f["column"], f["message"]) for f in findings] == [(line, column, message)]
    assert code == 1


@pytest.mark.parametrize("source", ["type X = int\n", "try:\n    pass\nexcept ValueError, TypeError:\n    pass\n"])
def test_newer_syntax_libcst_accepts_is_no_syntax_finding(tmp_path: Path, source: str) -> None:
    plugin = write_plugin(tmp_path, {"__init__.py": source}, name="newer")
    code, out, _err = lint(str(plugin), "--select", "MB001", "-f", "json")
    assert json.loads(out)["plugins"][0]["findings"] == []
    assert code == 0


def test_a_file_only_libcst_rejects_keeps_libcsts_message(monkeypatch: pytest.MonkeyPatch) -> None:
    import libcst as cst

    from mbcheck.pyfile import analyse
    from mbcheck.pyfile.jobs import FileJob, FileOptions

    try:
        cst.parse_module("x = (\n")
    except cst.ParserSyntaxError as exc:
        rejection = exc

    def rejects(text: str, *, validated: bool) -> cst.Module:
        raise rejection

    # CPython accepts the file; libcst's parser does not: there is no CPython message, libcst's is kept
    monkeypatch.setattr(analyse, "libcst_parse", rejects)
    outcome = analyse.analyse_file(FileJob("m.py", b"x = 1\n", "m", "m", False, FileOptions()))
    assert [f.rule for f in outcome.findings] == ["MB001"]
    assert "was never closed" not in outcome.findings[0].message
    assert outcome.findings[0].message.startswith("syntax error: ")


# -- 3. stdout carries only the report ---------------------------------------------------------


def test_input_errors_go_to_stderr_and_stay_in_the_json_errors(tmp_path: Path) -> None:
    code, out, err = lint("nothere", str(GOOD))
    assert code == 2
    assert "error:" not in out and "nothere" not in out
    assert "mbcheck: error: nothere: no such file or directory" in err
    code, out, err = lint("nothere", str(GOOD), "-f", "json")
    assert json.loads(out)["errors"] == ["nothere: no such file or directory"]


def test_progress_is_on_stderr() -> None:
    import inspect

    from mbcheck import cli

    source = inspect.getsource(cli._progress)
    assert "Console(stderr=True)" in source


# -- 4. options --------------------------------------------------------------------------------


def test_exit_zero_and_output_format_alias_and_case(tmp_path: Path) -> None:
    bad = write_plugin(tmp_path, {"__init__.py": "def f(:\n"}, name="bad")
    assert lint(str(bad))[0] == 1
    assert lint(str(bad), "--exit-zero")[0] == 0
    code, out, _err = lint(str(bad), "--output-format", "JSON", "--fail-on", "WARNING")
    assert code == 1 and json.loads(out)["plugins"][0]["name"] == "bad"
    assert lint(str(GOOD), "--fail-on", "sometimes")[0] == 2


def test_statistics_count_findings_per_rule(tmp_path: Path) -> None:
    bad = write_plugin(tmp_path, {"__init__.py": "def f(:\n", "b.py": "def g(:\n"}, name="bad")
    code, out, _err = lint(str(bad), "--select", "MB001", "--statistics")
    assert out.splitlines() == ["2  MB001  syntax-error"]
    assert code == 1
    _code, out, _err = lint(str(bad), "--select", "MB001", "--statistics", "-f", "json")
    assert json.loads(out) == [{"code": "MB001", "name": "syntax-error", "count": 2}]
    _code, out, err = lint(str(bad), "--timings")
    assert "Python files" in err and "Python files" not in out


def test_quiet_and_verbose(tmp_path: Path) -> None:
    out_file = tmp_path / "r.json"
    _code, _out, err = lint(str(GOOD), "-f", "json", "-o", str(out_file))
    assert "-> " in err
    _code, _out, err = lint(str(GOOD), "-f", "json", "-o", str(out_file), "-q")
    assert err == ""
    _code, _out, err = lint(str(GOOD), "-v")
    assert "settings from" in err and "in " in err


def test_exclude_and_extend_exclude(tmp_path: Path) -> None:
    plugin = copy_good(tmp_path, **{"gen/bad.py": "def f(:\n", "other/bad.py": "def f(:\n"})
    assert lint(str(plugin), "--select", "MB001")[0] == 1
    assert lint(str(plugin), "--select", "MB001", "--exclude", "gen", "--exclude", "other")[0] == 0
    config = tmp_path / "mbcheck.toml"
    config.write_text('exclude = ["gen"]\n')
    args = ["lint", str(plugin), "--select", "MB001", "--no-cache", "-j", "1", "--config", str(config)]
    assert CliRunner().invoke(app, args).exit_code == 1
    assert CliRunner().invoke(app, [*args, "--extend-exclude", "other"]).exit_code == 0


def test_severity_and_confidence_filters(tmp_path: Path) -> None:
    plugin = copy_good(tmp_path, **{"run.py": "import subprocess\n\ndef go(x):\n    subprocess.call(x, shell=True)\n"})
    _code, out, _err = lint(str(plugin), "-f", "json")
    everything = [f for p in json.loads(out)["plugins"] for f in p["findings"]]
    assert {f["severity"] for f in everything} - {"error"}
    _code, out, _err = lint(str(plugin), "-f", "json", "--severity", "ERROR")
    kept = [f for p in json.loads(out)["plugins"] for f in p["findings"]]
    assert kept and all(f["severity"] == "error" for f in kept)
    _code, out, _err = lint(str(plugin), "-f", "json", "--confidence", "high")
    kept = [f for p in json.loads(out)["plugins"] for f in p["findings"]]
    assert all(f.get("confidence") in (None, "high") for f in kept)
    assert lint(str(plugin), "--severity", "loud")[0] == 2


def test_negative_jobs_and_a_missing_baseline_are_usage_errors(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["lint", str(GOOD), "-j", "-3"])
    assert result.exit_code == 2
    code, out, err = lint(str(GOOD), "--baseline", str(tmp_path / "typo.json"))
    assert code == 2 and out == ""
    assert "typo.json: baseline file not found" in err
    assert "plugin" not in err.split("typo.json")[0]  # nothing was analysed before


def test_config_accepts_a_pyproject_with_a_tool_table(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.mbcheck]\nselect = ["MB001"]\n')
    result = CliRunner().invoke(app, ["lint", str(GOOD), "--config", str(pyproject), "--show-settings"])
    assert result.exit_code == 0
    assert 'select           = ["MB001"]' in result.stdout and f"# config file {pyproject}" in result.stdout
    pyproject.write_text("[project]\nname = 'x'\n")
    result = CliRunner().invoke(app, ["lint", str(GOOD), "--config", str(pyproject)])
    assert result.exit_code == 2 and "no [tool.mbcheck] table" in result.stderr


def test_show_settings_names_where_each_value_came_from(tmp_path: Path) -> None:
    config = tmp_path / "mbcheck.toml"
    config.write_text('ignore = ["MB114"]\n')
    result = CliRunner().invoke(
        app, ["lint", "--config", str(config), "--profile", "ci", "--select", "MB1", "--show-settings"]
    )
    assert result.exit_code == 0, result.output
    lines = {line.split("=")[0].strip(): line for line in result.stdout.splitlines() if "=" in line}
    assert lines["select"].endswith("# command line (--select)")
    assert lines["ignore"].endswith(f"# config file {config}")
    assert lines["fail-on"].endswith("# profile ci") and '"warning"' in lines["fail-on"]
    assert lines["max-file-size"].endswith("# default")


def test_stdin_is_analysed_as_the_named_file_without_reading_it(tmp_path: Path) -> None:
    plugin = copy_good(tmp_path, **{"tool.py": "x = 1\n"})
    source = b"import os\n\ndef run(cmd):\n    os.system('ls ' + cmd)\n"
    code, out, _err = lint("-", "--stdin-filename", str(plugin / "tool.py"), "-f", "json", stdin=source)
    data = json.loads(out)
    findings = data["plugins"][0]["findings"]
    assert findings and {f["path"] for f in findings} == {"tool.py"}
    assert any(f["rule"] == "MB310" and f["line"] == 4 for f in findings)
    assert (plugin / "tool.py").read_text() == "x = 1\n"
    assert code == 1
    # a file that does not exist yet (an unsaved buffer)
    code, out, _err = lint("-", "--stdin-filename", str(plugin / "new.py"), "-f", "json", stdin=b"def f(:\n")
    assert [f["path"] for f in json.loads(out)["plugins"][0]["findings"]] == ["new.py"]
    assert lint("-", stdin=b"x = 1\n")[0] == 2


# -- 5. consistent inputs ----------------------------------------------------------------------


def test_a_file_outside_any_plugin_and_an_empty_directory_exit_two_with_a_hint(tmp_path: Path) -> None:
    loose = tmp_path / "loose.py"
    loose.write_text("x = 1\n")
    code, _out, err = lint(str(loose))
    assert code == 2 and "not part of any MilkBottle plugin" in err and "give the plugin's directory" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _out, err = lint(str(empty))
    assert code == 2 and "the directory is empty" in err


def test_a_repository_root_says_where_its_plugins_are(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy_good(tmp_path / "plugins")
    (tmp_path / "README.md").write_text("hi\n")
    monkeypatch.chdir(tmp_path)
    code, _out, err = lint(".")
    assert code == 2
    assert "found plugins in ./plugins: run `mbcheck lint plugins`" in err


def _zip_of(plugin: Path, extra: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for path in sorted(plugin.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                zf.write(path, path.relative_to(plugin).as_posix())
        for name, text in extra.items():
            zf.writestr(name, text)
    return buffer.getvalue()


def test_verify_matches_an_archive_by_its_manifest_name(tmp_path: Path) -> None:
    archive = tmp_path / "hello_world-1.0.zip"
    archive.write_bytes(_zip_of(GOOD, {}))
    report = tmp_path / "report.json"
    assert lint(str(archive), "-f", "json", "-o", str(report))[0] == 0
    downloaded = tmp_path / "download.zip"
    downloaded.write_bytes(archive.read_bytes())
    code, out, _err = invoke("verify", str(downloaded), str(report))
    assert code == 0, out
    assert "admitted" in out


def test_sarif_points_archive_findings_at_the_archive(tmp_path: Path) -> None:
    archive = tmp_path / "hello_world.zip"
    archive.write_bytes(_zip_of(GOOD, {"evil.py": "import os\n\ndef run(c):\n    os.system('x' + c)\n"}))
    _code, out, _err = lint(str(archive), "-f", "sarif")
    results = json.loads(out)["runs"][0]["results"]
    assert results
    for result in results:
        for location in result["locations"]:
            assert location["physicalLocation"]["artifactLocation"]["uri"].endswith("hello_world.zip")
    evil = [r for r in results if "evil.py" in json.dumps(r.get("locations"))]
    assert evil and all("(in " in r["message"]["text"] and "evil.py:4:" in r["message"]["text"] for r in evil)


# -- 6. SARIF for code scanning ----------------------------------------------------------------


def test_a_failed_run_writes_sarif_that_says_so(tmp_path: Path) -> None:
    code, out, _err = lint("nothere", str(GOOD), "-f", "sarif")
    invocation = json.loads(out)["runs"][0]["invocations"][0]
    assert code == 2 and invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"][0]["message"]["text"] == "nothere: no such file or directory"
    output = tmp_path / "out.sarif"
    code, _out, _err = lint(str(GOOD), "-f", "sarif", "--select", "NOPE", "-o", str(output))
    invocation = json.loads(output.read_text())["runs"][0]["invocations"][0]
    assert code == 2 and invocation["executionSuccessful"] is False
    assert "unknown rule selector `NOPE`" in invocation["toolExecutionNotifications"][0]["message"]["text"]
    _code, out, _err = lint(str(GOOD), "-f", "sarif")
    assert json.loads(out)["runs"][0]["invocations"][0]["executionSuccessful"] is True


def test_security_rules_carry_a_security_severity(tmp_path: Path) -> None:
    plugin = copy_good(tmp_path, **{"run.py": "import subprocess\n\ndef go(x):\n    subprocess.call(x, shell=True)\n"})
    _code, out, _err = lint(str(plugin), "-f", "sarif")
    run = json.loads(out)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    security = [r for r in rules if r["properties"]["category"] == "security"]
    assert security
    for rule in security:
        assert 0 < float(rule["properties"]["security-severity"]) <= 10
    assert all("security-severity" not in r["properties"] for r in rules if r["properties"]["category"] != "security")


# -- 7. dependent findings do not pile up ------------------------------------------------------


def test_a_broken_manifest_is_reported_once(tmp_path: Path) -> None:
    yaml = (GOOD / "plugin.yaml").read_text().replace("version:", "version: [1.0\n  broken: :", 1)
    plugin = copy_good(tmp_path, **{"plugin.yaml": yaml})
    _code, out, _err = lint(str(plugin), "-f", "json")
    rules = sorted(f["rule"] for p in json.loads(out)["plugins"] for f in p["findings"])
    assert "MB101" in rules
    # these read plugin.yaml's values: with the document unreadable they have nothing to compare
    for dependent in ("MB118", "MB207", "MB405", "MB509"):
        assert dependent not in rules, rules
