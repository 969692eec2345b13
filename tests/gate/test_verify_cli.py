"""`mbcheck verify PLUGIN REPORT [--policy FILE]`: exit 0 admitted, 1 refused, 2 bad input."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from mbcheck.cli import app

PluginFactory = Callable[..., Path]
runner = CliRunner()


def _lint_json(plugin: Path, out: Path, *extra: str) -> Path:
    result = runner.invoke(app, ["lint", str(plugin), "-f", "json", "-o", str(out), "--no-cache", "-j", "1", *extra])
    assert result.exit_code in (0, 1), result.output
    return out


def verify(*args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, ["verify", *map(str, args)])
    return result.exit_code, result.output


def verify_streams(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, ["verify", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


def test_admitted_plugin_exits_zero(make_plugin: PluginFactory, tmp_path: Path) -> None:
    plugin = make_plugin("clean")
    report = _lint_json(plugin, tmp_path / "r.json")
    code, out, err = verify_streams(plugin, report)
    assert (code, out) == (0, f"admitted: {plugin}\n")
    # an unsigned report judged without trusted keys: admitted as before, with a note
    assert err == (
        f"mbcheck: note: {report} was not authenticated (anyone can write a report); to accept "
        "only reports you signed, pass --trust PUBKEY (see `mbcheck keygen`)\n"
    )


def test_changed_plugin_exits_one_with_reason(make_plugin: PluginFactory, tmp_path: Path) -> None:
    plugin = make_plugin("clean")
    report = _lint_json(plugin, tmp_path / "r.json")
    (plugin / "__init__.py").write_text("import os\nos.system('echo hi')\n")
    code, out, _ = verify_streams(plugin, report)
    assert code == 1
    assert out.startswith(f"refused: {plugin}\n  - digest mismatch: ")


def test_report_for_a_different_plugin_exits_one(make_plugin: PluginFactory, tmp_path: Path) -> None:
    report = _lint_json(make_plugin("first"), tmp_path / "r.json")
    code, out = verify(make_plugin("second"), report)
    assert code == 1
    assert "the report is for a different plugin: it covers `first`" in out


def test_policy_decides(make_plugin: PluginFactory, tmp_path: Path) -> None:
    plugin = make_plugin("terse", description="short")
    report = _lint_json(plugin, tmp_path / "r.json")
    strict = tmp_path / "strict.yaml"
    strict.write_text("allow-warn: false\n")
    assert verify(plugin, report)[0] == 0
    code, out = verify(plugin, report, "--policy", strict)
    assert code == 1 and "allow-warn: false" in out


def test_bad_input_exits_two_with_a_clear_message(make_plugin: PluginFactory, tmp_path: Path) -> None:
    plugin = make_plugin("clean")
    report = _lint_json(plugin, tmp_path / "r.json")
    not_json = tmp_path / "text.json"
    not_json.write_text("clean: pass\n")
    invalid = tmp_path / "invalid.json"
    data = json.loads(report.read_text())
    data["plugins"][0]["verdict"] = "ok"
    invalid.write_text(json.dumps(data))
    policy = tmp_path / "policy.toml"
    policy.write_text('allow-permissions = ["internet"]\n')
    cases = [
        ((plugin, not_json), f"mbcheck: error: {not_json}: not JSON"),
        ((plugin, invalid), "does not match the mbcheck report schema at `/plugins/0/verdict`"),
        ((plugin, tmp_path / "missing.json"), "report file not found"),
        ((tmp_path / "missing", report), "no such plugin directory or archive"),
        ((plugin, report, "--policy", policy), "unknown permission `internet` in allow-permissions"),
        ((plugin, report, "--policy", tmp_path / "none.toml"), "policy file not found"),
    ]
    for args, message in cases:
        code, out = verify(*args)
        assert code == 2, (args, out)
        assert message in out, (args, out)
