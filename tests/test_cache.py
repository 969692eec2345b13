"""The result cache: content-addressed, invalidated by what matters, never trusted blindly."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import EXAMPLES, run, write_plugin
from mbcheck import cache as cache_module
from mbcheck import codec as codec_module
from mbcheck.config import Config
from mbcheck.reporters.json import report_dict


def _report(paths: list[Path], cache_dir: Path, **config: object) -> tuple[dict[str, object], dict[str, int]]:
    report = run(paths, Config(cache_dir=str(cache_dir), **config), use_cache=True)  # type: ignore[arg-type]
    stats = report.context["cache"]
    data = report_dict(report)
    data["tool"].pop("config_digest", None)
    return data, stats


def test_warm_run_hits_and_gives_the_same_report(tmp_path: Path) -> None:
    cold, stats = _report([EXAMPLES / "plugins"], tmp_path)
    assert stats["hits"] == 0 and stats["misses"] > 0
    warm, stats = _report([EXAMPLES / "plugins"], tmp_path)
    assert stats["misses"] == 0 and stats["hits"] > 0
    assert warm == cold


def test_changed_file_is_recomputed_alone(tmp_path: Path) -> None:
    root = write_plugin(tmp_path / "src", {"__init__.py": "x = 1\n", "a.py": "y = 2\n", "b.py": "z = 3\n"})
    _report([root], tmp_path / "cache")
    (root / "a.py").write_text("y = (\n")
    data, stats = _report([root], tmp_path / "cache")
    assert stats == {"hits": 2, "misses": 1}
    assert any(f["rule"] == "MB001" for f in data["plugins"][0]["findings"])  # type: ignore[index]


def test_config_that_changes_analysis_invalidates(tmp_path: Path) -> None:
    root = write_plugin(tmp_path / "src", {"__init__.py": "x = 1\n"})
    _report([root], tmp_path / "cache")
    _, stats = _report([root], tmp_path / "cache", max_file_size=10)
    assert stats["misses"] == 1


def test_new_version_invalidates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_plugin(tmp_path / "src", {"__init__.py": "x = 1\n"})
    _report([root], tmp_path / "cache")
    monkeypatch.setattr(cache_module, "__version__", "999.0")
    _, stats = _report([root], tmp_path / "cache")
    assert stats["misses"] == 1


@pytest.mark.parametrize("damage", ["truncate", "flip", "foreign", "empty", "old-format"])
def test_corrupt_or_foreign_entries_are_ignored(tmp_path: Path, damage: str) -> None:
    root = write_plugin(tmp_path / "src", {"__init__.py": "x = (\n"})
    first, _ = _report([root], tmp_path / "cache")
    shutil.rmtree(tmp_path / "cache" / "ru")  # the whole-run entry: exercise the per-file ones
    entries = [p for p in (tmp_path / "cache").rglob("*.bin")]
    assert len(entries) == 1
    blob = entries[0].read_bytes()
    if damage == "truncate":
        entries[0].write_bytes(blob[: len(blob) // 2])
    elif damage == "flip":
        entries[0].write_bytes(blob[:-5] + bytes([blob[-5] ^ 0xFF]) + blob[-4:])
    elif damage == "foreign":  # well-formed JSON of another type, with the unkeyed checksum anyone can compute
        import hashlib

        body = b'{"mbcheck":"0.1.0"}\n["os", "system"]'
        entries[0].write_bytes(cache_module.MAGIC + hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
    elif damage == "old-format":  # an entry of the pickle-based format this version replaced
        import hashlib
        import pickle

        payload = pickle.dumps(("os", "system"))
        entries[0].write_bytes(b"MBCHECK-CACHE-1\n" + hashlib.sha256(payload).hexdigest().encode() + payload)
    else:
        entries[0].write_bytes(b"")
    second, stats = _report([root], tmp_path / "cache")
    assert stats["misses"] == 1
    assert second == first


def test_cache_code_never_unpickles() -> None:
    """The cache (and the codec it decodes with) import no deserialiser that can build arbitrary objects."""
    import ast

    for module in (cache_module, codec_module):
        tree = ast.parse(Path(module.__file__ or "").read_text())
        imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                    for alias in node.names}
        imported |= {(node.module or "").split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not imported & {"pickle", "marshal", "shelve", "dill", "cloudpickle", "copyreg"}, module.__name__


def test_jobs_one_and_two_give_identical_reports(tmp_path: Path) -> None:
    # enough files to use the pool
    files = {f"m{i}.py": f"import subprocess\nx{i} = (\n" if i % 5 == 0 else f"v = {i}\n" for i in range(40)}
    files["__init__.py"] = '__name__ = "x"\n'
    root = write_plugin(tmp_path, files)
    one = report_dict(run([root, EXAMPLES / "plugins"], jobs=1))
    two = report_dict(run([root, EXAMPLES / "plugins"], jobs=2))
    assert one == two
    assert sum(len(p["findings"]) for p in one["plugins"]) > 5


def test_unchanged_run_is_served_whole_and_changes_invalidate_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mbcheck import engine

    root = write_plugin(tmp_path / "src", {"__init__.py": "x = (\n", "a.py": "y = 2\n"})
    cold, _ = _report([root], tmp_path / "cache")
    warm, stats = _report([root], tmp_path / "cache")
    assert stats.get("run") is True and warm == cold
    # a different environment (a distribution installed) is a different run
    monkeypatch.setattr(engine, "_environment_stamp", lambda: [("site-packages", 1.0)])
    _, stats = _report([root], tmp_path / "cache")
    assert not stats.get("run") and stats["misses"] == 0
    # a changed file: the run is recomputed, only that file re-analysed
    (root / "a.py").write_text("y = 3\n")
    _, stats = _report([root], tmp_path / "cache")
    assert not stats.get("run") and stats == {"hits": 1, "misses": 1}
    # different settings: a different run
    _, stats = _report([root], tmp_path / "cache", fail_on="warning")
    assert not stats.get("run")


@pytest.mark.parametrize("output", ["json", "sarif"])
def test_a_fully_cached_run_loads_neither_libcst_nor_bandit(tmp_path: Path, output: str) -> None:
    """The warm path is a cache read: the parser, bandit and the rule modules are never imported
    (reporters describe rules from the shipped catalog)."""
    root = write_plugin(tmp_path / "src", {"__init__.py": "import os\nx = os.getcwd()\n", "a.py": "y = 2\n"})
    env = {**os.environ, "MBCHECK_CACHE_DIR": str(tmp_path / "cache")}
    out = tmp_path / f"out.{output}"
    def probe(*extra: str) -> str:
        return (
            "import runpy, sys\n"
            f"sys.argv = ['mbcheck', 'lint', {str(root)!r}, '-f', {output!r}, '-o', {str(out)!r}, *{extra!r}]\n"
            "try:\n    runpy.run_module('mbcheck', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('libcst', 'bandit') if m in sys.modules))\n"
        )

    runs = [
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False, timeout=120)
        for code in (probe("--jobs", "1"), probe())
    ]
    # the cold run parses (in this process with one job: the probe sees the imports)
    assert runs[0].stdout.strip().endswith("['bandit', 'libcst']"), runs[0].stderr
    assert runs[1].stdout.strip().endswith("[]"), runs[1].stderr  # the warm run only reads the cache
    assert json.loads(out.read_text())  # and still writes the whole report


def test_the_environment_stamp_ignores_the_launch_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``python -m mbcheck`` puts the working directory first on the import path: files made
    there (a report written with ``-o``, the cache itself) must not change every run's key,
    unless distributions are installed there."""
    from mbcheck import engine

    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setattr(sys, "path", [str(work), *sys.path])
    before = engine._environment_stamp()
    assert str(work) not in [entry for entry, _ in before]
    (work / "report.json").write_text("{}")
    os.utime(work, (1, 1))
    assert engine._environment_stamp() == before
    # a directory distributions are installed in counts, wherever it is
    (work / "thing-1.0.dist-info").mkdir()
    assert str(work) in [entry for entry, _ in engine._environment_stamp()]
    # and site-packages always does
    site = tmp_path / "site-packages"
    site.mkdir()
    monkeypatch.setattr(sys, "path", [str(site)])
    monkeypatch.chdir(site)
    assert [entry for entry, _ in engine._environment_stamp()] == [str(site)]


def test_a_module_run_from_a_busy_directory_is_served_whole(tmp_path: Path) -> None:
    root = write_plugin(tmp_path / "src", {"__init__.py": "x = 1\n"})
    work = tmp_path / "work"
    work.mkdir()
    env = {**os.environ, "MBCHECK_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(Path(__file__).parent.parent)}
    command = [sys.executable, "-m", "mbcheck", "lint", str(root), "--timings", "-f", "json"]
    stats = []
    for index in range(3):
        out = work / f"report{index}.json"  # a new file in the working directory each time
        result = subprocess.run([*command, "-o", str(out)], cwd=work, capture_output=True, text=True, env=env,
                                check=False, timeout=120)
        assert result.returncode in (0, 1), result.stderr
        stats.append(result.stderr)
    assert "(0 from the cache, 1 analysed)" in stats[0]
    assert "(1 from the cache, 0 analysed; the whole report from the cache)" in stats[1]
    assert "(1 from the cache, 0 analysed; the whole report from the cache)" in stats[2]
