"""Configuration: discovery, validation, and what each key does."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from helpers import EXAMPLES, run, write_plugin
from mbcheck.cli import app
from mbcheck.config import Config, ConfigError, find_config_file, from_mapping, load
from mbcheck.model import Severity

runner = CliRunner()
BAD_NAME = {"__init__.py": '__name__ = "x"\n', "sub/mod.py": "def f(:\n"}


def test_config_found_walking_up_from_the_current_directory(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.mbcheck]\nignore = ["MB112"]\n')
    cwd = tmp_path / "work" / "sub"
    cwd.mkdir(parents=True)
    assert find_config_file(cwd) == tmp_path / "pyproject.toml"
    config = load(cwd=cwd)
    assert config.ignore == ("MB112",)
    assert config.path == str((tmp_path / "pyproject.toml").resolve())
    (tmp_path / "work" / "mbcheck.toml").write_text('ignore = ["MB001"]\n')
    assert load(cwd=cwd).ignore == ("MB001",)
    assert load().path is None  # no directory to search from: the defaults


def test_pyproject_without_table_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.mbcheck]\nfail-on = "warning"\n')
    (tmp_path / "inner").mkdir()
    (tmp_path / "inner" / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert load(cwd=tmp_path / "inner").fail_on == "warning"


@pytest.mark.parametrize(
    ("toml", "fragment"),
    [
        ('selct = ["MB1"]\n', "unknown key `selct` (did you mean `select`?)"),
        ('fail-on = "sometimes"\n', "invalid value for `fail-on`"),
        ('severity = {MB112 = "fatal"}\n', "invalid value for `severity.MB112`"),
        ('ignore = "MB112"\n', "invalid value for `ignore`"),
        ("this is not toml\n", "invalid TOML"),
    ],
)
def test_bad_config_is_a_clear_error_exit_two(tmp_path: Path, toml: str, fragment: str) -> None:
    config = tmp_path / "mbcheck.toml"
    config.write_text(toml)
    with pytest.raises(ConfigError) as info:
        load(config)
    assert fragment in str(info.value)
    assert str(config) in str(info.value)
    result = runner.invoke(app, ["lint", str(EXAMPLES / "plugins" / "hello_world"), "--config", str(config), "--no-cache"])
    assert result.exit_code == 2
    assert fragment in result.output


def test_select_ignore_severity_and_per_file_ignores(tmp_path: Path) -> None:
    root = write_plugin(tmp_path, BAD_NAME)
    def rules(config: Config) -> list[tuple[str, str, Severity]]:
        return sorted((f.rule, f.span.path, f.severity) for f in run(root, config).plugins[0].findings)

    base = rules(Config(select=("MB0", "MB112")))
    assert ("MB112", "__init__.py", Severity.WARNING) in base and ("MB001", "sub/mod.py", Severity.ERROR) in base
    assert ("MB112", "__init__.py", Severity.ERROR) in rules(from_mapping({"select": ["MB0", "MB112"], "severity": {"MB112": "error"}}))
    assert all(r != "MB001" for r, _, _ in rules(from_mapping({"select": ["MB0", "MB112"], "per-file-ignores": {"sub/*.py": ["MB001"]}})))
    assert all(r != "MB001" for r, _, _ in rules(from_mapping({"select": ["MB0", "MB112"], "per-file-ignores": {"sub": ["MB0"]}})))
    assert all(r != "MB112" for r, _, _ in rules(from_mapping({"select": ["MB0", "MB112"], "ignore": ["MB11"]})))
    assert all(p != "sub/mod.py" for _, p, _ in rules(from_mapping({"select": ["MB0", "MB112"], "exclude": ["sub"]})))
    assert all(r != "MB112" for r, _, _ in rules(from_mapping({"select": ["MB0", "MB112"], "plugins": {"example": {"ignore": ["MB112"]}}})))


def test_per_file_ignores_hold_for_explicit_file_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """pre-commit passes single files, from the repository's root: per-file ignores still apply."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mbcheck.toml").write_text('select = ["MB0"]\n[per-file-ignores]\n"sub/*.py" = ["MB001"]\n')
    root = write_plugin(tmp_path, BAD_NAME)
    result = runner.invoke(app, ["lint", str(root / "sub" / "mod.py"), "--no-cache"])
    assert result.exit_code == 0, result.output
    (tmp_path / "mbcheck.toml").write_text('select = ["MB0"]\n')
    result = runner.invoke(app, ["lint", str(root / "sub" / "mod.py"), "--no-cache"])
    assert result.exit_code == 1 and "MB001" in result.output


def test_profiles_change_what_fails(tmp_path: Path) -> None:
    root = write_plugin(tmp_path, {"__init__.py": '__name__ = "x"\n'})
    args = ["lint", str(root), "--no-cache", "--select", "MB112"]
    assert runner.invoke(app, [*args, "--profile", "pre-commit"]).exit_code == 0
    assert runner.invoke(app, [*args, "--profile", "publish"]).exit_code == 1
    assert runner.invoke(app, [*args, "--profile", "nope"]).exit_code == 2


@given(
    select=st.lists(st.sampled_from(["ALL", "MB", "MB1", "MB11", "MB112", "MB001", "B", "B6"]), min_size=1, max_size=3),
    ignore=st.lists(st.sampled_from(["MB", "MB1", "MB11", "MB112", "MB001", "B", "B602"]), max_size=3),
    code=st.sampled_from(["MB112", "MB001", "MB301", "B602", "B101"]),
)
def test_enabled_is_select_minus_ignore(select: list[str], ignore: list[str], code: str) -> None:
    config = from_mapping({"select": select, "ignore": ignore})
    selected = any(s == "ALL" or code.startswith(s) for s in select)
    ignored = any(code.startswith(i) for i in ignore)
    assert config.enabled(code) == (selected and not ignored)
