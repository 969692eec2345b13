"""Every file the host's import system could load is judged; what is not analysed is not admitted.

Each test builds the plugin an attacker would ship (or the host's own byte
caches) and asserts the finding at lint time and the refusal at admit time.
"""

from __future__ import annotations

import _imp
import copy
import importlib.machinery
import importlib.util
import os
import py_compile
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mbcheck.api import Policy, admit, check, policy_from_mapping, report_json
from mbcheck.config import Config
from mbcheck.context import FileOutcome
from mbcheck.digest import DigestError, digest_directory
from mbcheck.discovery import list_files
from mbcheck.pyfile.jobs import FileJob

PluginFactory = Callable[..., Path]
TAG = sys.implementation.cache_tag
EVIL = "import socket\nsocket.create_connection(('evil.example', 80))\n"


def _report(plugin: Path, config: dict[str, Any] | Config | None = None, **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("jobs", 1)
    return report_json(check(plugin, config, use_cache=False, **kwargs))


def _rules(report: dict[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for finding in report["plugins"][0]["findings"]:
        out.setdefault(finding["rule"], []).append(finding["path"])
    return out


def _not_analysed(report: dict[str, Any]) -> list[tuple[str, str]]:
    return [(item["path"], item["reason"]) for item in report["plugins"][0]["not_analysed"]]


def _refused_for(plugin: Path, report: dict[str, Any], text: str, policy: Policy | None = None) -> None:
    decision = admit(plugin, report, policy or Policy())
    assert not decision.allowed
    assert any(text in reason for reason in decision.reasons), decision.reasons


# --------------------------------------------------------------------------- bytecode caches


def _evil_pyc(plugin: Path, mode: py_compile.PycInvalidationMode, name: str = "__init__") -> Path:
    """Compile other code and place it where CPython looks for ``name``.py's cache."""
    evil = plugin.parent / f"_{plugin.name}_{name}_evil.py"
    evil.write_text(EVIL, encoding="utf-8")
    cache = plugin / "__pycache__" / f"{name}.{TAG}.pyc"
    cache.parent.mkdir(exist_ok=True)
    py_compile.compile(str(evil), cfile=str(cache), invalidation_mode=mode, doraise=True)
    evil.unlink()
    return cache


def _assert_bytecode_refused(plugin: Path, cache: Path) -> None:
    rel = cache.relative_to(plugin).as_posix()
    report = _report(plugin)
    assert report["plugins"][0]["verdict"] == "fail"
    assert _rules(report)["MB008"] == [rel]
    assert (rel, "unverified-bytecode") in _not_analysed(report)
    _refused_for(plugin, report, f"MB008 at {rel}:1: bytecode that Python would run instead of `__init__.py`")
    # the gate checks the caches on disk itself (they are not in the digest): a report that
    # does not mention them is refused too
    silent = copy.deepcopy(report)
    entry = silent["plugins"][0]
    entry["findings"] = [f for f in entry["findings"] if f["rule"] != "MB008"]
    entry["verdict"] = "pass"
    _refused_for(plugin, silent, f"`{rel}`: bytecode that Python would run instead of `__init__.py`")
    _refused_for(plugin, silent, f"`{rel}`: bytecode", Policy(allow_unanalysed=True))


def test_unchecked_hash_pyc_with_other_code_is_refused(make_plugin: PluginFactory) -> None:
    plugin = make_plugin("unchecked")
    _assert_bytecode_refused(plugin, _evil_pyc(plugin, py_compile.PycInvalidationMode.UNCHECKED_HASH))


def test_timestamp_pyc_forged_to_the_sources_mtime_and_size_is_refused(make_plugin: PluginFactory) -> None:
    plugin = make_plugin("stamped")
    cache = _evil_pyc(plugin, py_compile.PycInvalidationMode.TIMESTAMP)
    source = (plugin / "__init__.py").stat()
    data = bytearray(cache.read_bytes())
    data[8:12] = (int(source.st_mtime) & 0xFFFFFFFF).to_bytes(4, "little")
    data[12:16] = (source.st_size & 0xFFFFFFFF).to_bytes(4, "little")
    cache.write_bytes(bytes(data))
    _assert_bytecode_refused(plugin, cache)


def test_checked_hash_pyc_with_the_sources_hash_but_other_code_is_refused(make_plugin: PluginFactory) -> None:
    plugin = make_plugin("checked")
    cache = _evil_pyc(plugin, py_compile.PycInvalidationMode.CHECKED_HASH)
    data = bytearray(cache.read_bytes())
    data[8:16] = _imp.source_hash(importlib.util._RAW_MAGIC_NUMBER, (plugin / "__init__.py").read_bytes())  # type: ignore[attr-defined]
    cache.write_bytes(bytes(data))
    _assert_bytecode_refused(plugin, cache)


def test_a_cache_added_after_the_check_is_refused(make_plugin: PluginFactory) -> None:
    plugin = make_plugin("late")
    report = _report(plugin)
    assert admit(plugin, report, Policy()).allowed
    _evil_pyc(plugin, py_compile.PycInvalidationMode.UNCHECKED_HASH)
    _refused_for(plugin, report, "is not the compilation of that source")


def test_garbage_in_a_cache_file_is_refused_without_crashing(make_plugin: PluginFactory) -> None:
    plugin = make_plugin("garbage")
    cache = plugin / "__pycache__" / f"__init__.{TAG}.pyc"
    cache.parent.mkdir()
    # this interpreter's magic, "unchecked hash" flags: CPython would load whatever follows
    cache.write_bytes(importlib.util.MAGIC_NUMBER + (1).to_bytes(4, "little") + b"\x00" * 8 + b"\xff" * 48)
    report = _report(plugin)
    assert _rules(report)["MB008"] == [f"__pycache__/__init__.{TAG}.pyc"]
    _refused_for(plugin, report, "is not the compilation of that source")


def test_a_stale_timestamp_cache_is_never_loaded_and_not_reported(make_plugin: PluginFactory) -> None:
    """A timestamp pyc whose recorded time and size are not the source's is ignored by CPython
    (it compiles the source instead), like the stale caches committed in real repositories."""
    plugin = make_plugin("stale")
    cache = _evil_pyc(plugin, py_compile.PycInvalidationMode.TIMESTAMP)
    source = os.stat(plugin / "__init__.py")
    header = bytearray(cache.read_bytes())
    header[8:12] = ((int(source.st_mtime) - 3600) & 0xFFFFFFFF).to_bytes(4, "little")  # an hour older
    cache.write_bytes(bytes(header))
    report = _report(plugin)
    assert "MB008" not in _rules(report) and report["plugins"][0]["not_analysed"] == []
    assert admit(plugin, report).allowed
    # the same bytes made current (the source's time and size) are what CPython would run: refused
    header[8:12] = (int(source.st_mtime) & 0xFFFFFFFF).to_bytes(4, "little")
    header[12:16] = (source.st_size & 0xFFFFFFFF).to_bytes(4, "little")
    cache.write_bytes(bytes(header))
    _refused_for(plugin, report, "is not the compilation of that source")


def test_the_hosts_own_byte_caches_do_not_refuse_the_plugin(make_plugin: PluginFactory) -> None:
    """The host imports the plugin (here: a real interpreter, in a subprocess), which writes
    ``__pycache__``; the report made before that still admits it."""
    plugin = make_plugin("honest", {"helpers.py": "def twice(x):\n    return 2 * x\n",
                                    "__init__.py": "from .helpers import twice\n"})
    report = _report(plugin)
    assert report["plugins"][0]["not_analysed"] == []
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    for flags in ([], ["-O"], ["-OO"]):
        subprocess.run(
            [sys.executable, *flags, "-c", f"import sys; sys.path.insert(0, {str(plugin.parent)!r}); import honest"],
            check=True, env=env, cwd=plugin.parent, timeout=60,
        )
    written = sorted(path.name for path in (plugin / "__pycache__").iterdir())
    assert f"__init__.{TAG}.pyc" in written and f"helpers.{TAG}.opt-2.pyc" in written, written
    decision = admit(plugin, report, Policy())
    assert decision.allowed, decision.reasons
    # and a fresh check agrees
    again = _report(plugin)
    assert again["plugins"][0]["not_analysed"] == [] and "MB008" not in _rules(again)
    # an honest unchecked-hash cache of the real source is proven too
    py_compile.compile(str(plugin / "helpers.py"), cfile=str(plugin / "__pycache__" / f"helpers.{TAG}.pyc"),
                       invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH, doraise=True)
    assert admit(plugin, report, Policy()).allowed


def test_bytecode_for_another_python_warns_at_lint_and_is_refused_by_the_gate(make_plugin: PluginFactory) -> None:
    plugin = make_plugin("foreign", {"__pycache__/__init__.cpython-399.pyc": "3.99 bytecode"})
    report = _report(plugin)
    finding = next(f for f in report["plugins"][0]["findings"] if f["rule"] == "MB008")
    assert finding["severity"] == "warning" and "`cpython-399`" in finding["message"]
    _refused_for(plugin, report, "bytecode for `cpython-399`")


def test_a_cache_file_without_its_source_is_never_loaded_and_ignored(make_plugin: PluginFactory) -> None:
    plugin = make_plugin("orphan", {f"__pycache__/gone.{TAG}.pyc": "never loaded"})
    report = _report(plugin)
    assert "MB008" not in _rules(report) and report["plugins"][0]["not_analysed"] == []
    assert admit(plugin, report, Policy()).allowed


# --------------------------------------------------------------------------- directories import can reach


def test_a_symlink_into_git_metadata_is_analysed_under_its_name(make_plugin: PluginFactory) -> None:
    plugin = make_plugin("linked", {"__init__.py": "from . import helpers\n", ".git/modules/helpers/__init__.py": EVIL})
    (plugin / "helpers").symlink_to(".git/modules/helpers", target_is_directory=True)
    assert "helpers/__init__.py" in list_files(plugin).files
    report = _report(plugin)
    assert report["plugins"][0]["permissions"]["inferred"] == ["network"]
    assert any(e["path"] == "helpers/__init__.py" for e in report["plugins"][0]["permissions"]["evidence"])
    _refused_for(plugin, report, "uses permission `network` but does not declare it")
    # the linked code is in the digest: changing it after the check refuses
    other = make_plugin("linked2", {"__init__.py": "from . import helpers\n", ".git/modules/helpers/__init__.py": "X = 1\n"})
    (other / "helpers").symlink_to(".git/modules/helpers", target_is_directory=True)
    clean = _report(other)
    assert admit(other, clean, Policy()).allowed
    (other / ".git/modules/helpers/__init__.py").write_text(EVIL)
    _refused_for(other, clean, "digest mismatch")


def test_a_symlink_loop_is_reported_and_not_followed(make_plugin: PluginFactory) -> None:
    plugin = make_plugin("loop", {"sub/mod.py": "X = 1\n"})
    (plugin / "sub" / "back").symlink_to("..", target_is_directory=True)
    listing = list_files(plugin)
    assert [p.span.path for p in listing.problems] == ["sub/back"]
    assert "a loop" in listing.problems[0].message
    with pytest.raises(DigestError):
        digest_directory(plugin)


def test_code_in_build_output_is_analysed(make_plugin: PluginFactory) -> None:
    plugin = make_plugin("built", {"__init__.py": "from .build import helper\n", "build/helper.py": EVIL})
    report = _report(plugin)
    assert report["plugins"][0]["permissions"]["inferred"] == ["network"]
    _refused_for(plugin, report, "uses permission `network`")


def test_a_python_file_inside_pycache_is_analysed_and_digested(make_plugin: PluginFactory) -> None:
    plugin = make_plugin("cachepy", {"__init__.py": "from .__pycache__ import evil\n", "__pycache__/evil.py": EVIL})
    report = _report(plugin)
    assert report["plugins"][0]["permissions"]["inferred"] == ["network"]


def test_a_virtual_environment_is_reported_not_analysed(make_plugin: PluginFactory) -> None:
    plugin = make_plugin("withenv", {"venv/pyvenv.cfg": "home = /usr\n", "venv/lib/evil.py": EVIL})
    report = _report(plugin)
    assert _not_analysed(report) == [("venv/", "environment")]
    assert _rules(report)["MB003"] == ["venv"]
    _refused_for(plugin, report, "`venv/` was not analysed (environment")


def test_a_test_module_the_plugin_imports_counts_through_other_test_modules(make_plugin: PluginFactory) -> None:
    plugin = make_plugin("testimport", {
        "__init__.py": "from .tests import helper\n",
        "tests/__init__.py": "",
        "tests/helper.py": "from . import evil\n",
        "tests/evil.py": EVIL,
        "tests/test_unused.py": "import subprocess\nsubprocess.run(['true'])\n",
    })
    report = _report(plugin)
    # evil.py is reached through helper.py; the test nobody imports does not count
    assert report["plugins"][0]["permissions"]["inferred"] == ["network"]


# --------------------------------------------------------------------------- code mbcheck cannot read


@pytest.mark.parametrize(
    ("rel", "content", "rule", "reason"),
    [
        ("evil.pth", "import os; os.system('id')\n", "MB011", "pth"),
        (f"fast{importlib.machinery.EXTENSION_SUFFIXES[0]}", "\x7fELF", "MB010", "extension-module"),
        ("fast.pyd", "MZ", "MB010", "extension-module"),
        ("helper.pyc", "compiled", "MB009", "sourceless-bytecode"),
        ("__pycache__/helper.pyc", "compiled", "MB009", "sourceless-bytecode"),
    ],
)
def test_code_mbcheck_cannot_read_is_an_error_and_refused(
    make_plugin: PluginFactory, rel: str, content: str, rule: str, reason: str
) -> None:
    plugin = make_plugin("opaque", {rel: content})
    report = _report(plugin)
    assert _rules(report)[rule] == [rel]
    assert _not_analysed(report) == [(rel, reason)]
    _refused_for(plugin, report, f"{rule} at {rel}:1: code mbcheck cannot read")
    _refused_for(plugin, report, f"`{rel}` was not analysed ({reason}")
    # ignoring the rule hides neither the file from not_analysed nor it from the gate
    ignored = _report(plugin, {"ignore": [rule]})
    assert _not_analysed(ignored) == [(rel, reason)]
    _refused_for(plugin, ignored, f"`{rel}` was not analysed ({reason}")


def test_a_real_sourceless_module_is_refused(make_plugin: PluginFactory, tmp_path: Path) -> None:
    source = tmp_path / "helper_src.py"
    source.write_text(EVIL, encoding="utf-8")
    plugin = make_plugin("sourceless", {"__init__.py": "from . import helper\n"})
    py_compile.compile(str(source), cfile=str(plugin / "helper.pyc"), doraise=True)
    report = _report(plugin)
    assert _not_analysed(report) == [("helper.pyc", "sourceless-bytecode")]
    assert not admit(plugin, report, Policy()).allowed


def test_a_legacy_pyc_beside_its_source_is_not_loaded_and_not_reported(make_plugin: PluginFactory) -> None:
    plugin = make_plugin("legacy", {"helper.py": "X = 1\n", "helper.pyc": "shadowed by helper.py"})
    report = _report(plugin)
    assert "MB009" not in _rules(report) and _not_analysed(report) == []


# --------------------------------------------------------------------------- not analysed = not admitted


def test_an_init_over_max_file_size_is_listed_and_refused(make_plugin: PluginFactory) -> None:
    plugin = make_plugin("huge", {"__init__.py": EVIL + "# padding\n" * 2_000})
    settings = {"max-file-size": 1_000}
    for config in (settings, {**settings, "ignore": ["MB003"]}):
        report = _report(plugin, config)
        assert _not_analysed(report) == [("__init__.py", "too-large")]
        _refused_for(plugin, report, "`__init__.py` was not analysed (too-large")
    assert "MB003" not in _rules(report)  # the last report ignored MB003: the list does not depend on it
    assert report["plugins"][0]["verdict"] != "fail"
    assert admit(plugin, report, policy_from_mapping({"allow-unanalysed": True})).allowed


def test_a_file_past_the_time_ceiling_is_listed_and_refused(
    make_plugin: PluginFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mbcheck.pyfile import analyse as filepass

    original = filepass.analyse_file

    def slow(job: FileJob) -> FileOutcome:
        if job.path == "slow.py":
            time.sleep(30)
        return original(job)

    plugin = make_plugin("slow", {"slow.py": EVIL})
    monkeypatch.setattr(filepass, "analyse_file", slow)  # workers are forked: they see the patch
    report = _report(plugin, Config(max_file_seconds=0.5), jobs=2)
    assert _not_analysed(report) == [("slow.py", "timeout")]
    assert report["plugins"][0]["verdict"] == "warn"
    _refused_for(plugin, report, "`slow.py` was not analysed (timeout")
    assert admit(plugin, report, Policy(allow_unanalysed=True)).allowed


def test_a_report_without_the_list_is_refused_unless_allowed(make_plugin: PluginFactory) -> None:
    plugin = make_plugin("older")
    report = _report(plugin)
    del report["plugins"][0]["not_analysed"]
    _refused_for(plugin, report, "made by an older mbcheck")
    assert admit(plugin, report, Policy(allow_unanalysed=True)).allowed


def test_refusals_for_unanalysed_files_are_capped(make_plugin: PluginFactory) -> None:
    plugin = make_plugin("many", {f"lib{i:02}.so": "x" for i in range(30)})
    report = _report(plugin)
    decision = admit(plugin, report, Policy())
    assert "and 10 more files not analysed" in decision.reasons


def test_the_schema_names_every_reason() -> None:
    import json

    from helpers import ROOT
    from mbcheck.coverage import REASONS

    schema = json.loads((ROOT / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
    item = schema["$defs"]["plugin"]["properties"]["not_analysed"]["items"]
    assert item["properties"]["reason"]["enum"] == list(REASONS)
