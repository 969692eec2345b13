"""Attacks on the cache by whoever can write the cache directory (a shared cache, a CI cache
restored from an untrusted branch): planted pickle gadgets, forged or moved entries, entries
made with another key, unsafe directories, planted symlinks, an unsafe key file. Each is
performed as an attacker would, and must neither run code nor change a result."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import pickle
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from helpers import run, write_plugin
from mbcheck import api
from mbcheck import cache as cache_module
from mbcheck.cli import app
from mbcheck.codec import decode
from mbcheck.config import Config
from mbcheck.model import Report, Verdict
from mbcheck.reporters.json import report_dict

FILES = {"__init__.py": "x = (\n", "a.py": "import os\ny = os.getcwd()\n"}


def _run(root: Path, cache_dir: Path) -> Report:
    return run([root], Config(cache_dir=str(cache_dir)), use_cache=True)


def _json(report: Report) -> dict[str, Any]:
    data = report_dict(report)
    data["tool"].pop("config_digest", None)
    return data


def _entries(cache_dir: Path) -> list[Path]:
    """The per-file entries (the whole-run ones live in the ``ru`` shard)."""
    return sorted(p for p in cache_dir.rglob("*.bin") if p.parent.name != "ru")


def _run_entries(cache_dir: Path) -> list[Path]:
    return sorted((cache_dir / "ru").glob("*.bin"))


def _split(blob: bytes) -> tuple[bytes, bytes, bytes]:
    """An entry's (MAC, header, payload), as anyone reading the file can split it."""
    rest = blob[len(cache_module.MAGIC):]
    mac, _, body = rest.partition(b"\n")
    header, _, payload = body.partition(b"\n")
    return mac, header, payload


@pytest.fixture
def plugin(tmp_path: Path) -> Path:
    return write_plugin(tmp_path / "src", FILES)


@pytest.fixture
def cold(plugin: Path, tmp_path: Path) -> Report:
    """A first run that fills the cache at ``tmp_path / "cache"``."""
    report = _run(plugin, tmp_path / "cache")
    assert report.plugins[0].verdict is Verdict.FAIL  # the syntax error
    assert len(_entries(tmp_path / "cache")) == 2 and len(_run_entries(tmp_path / "cache")) == 1
    return report


# ---------------------------------------------------------------------------
# code execution


class _Gadget:
    """What an attacker pickles: unpickling it runs a shell command."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.system, (f"touch {self.marker}",))


def _stack_global_gadget(marker: Path) -> bytes:
    """``STACK_GLOBAL('mbcheck.cache', 'os.system')``: got past the old restricted unpickler."""

    def short(text: str) -> bytes:
        data = text.encode()
        return b"\x8c" + bytes([len(data)]) + data

    return b"\x80\x04" + short("mbcheck.cache") + short("os.system") + b"\x93" + short(f"touch {marker}") + b"\x85R."


@pytest.mark.parametrize("gadget", ["stack-global", "reduce"])
@pytest.mark.parametrize("framing", ["raw", "old-format", "new-format"])
def test_a_pickle_gadget_planted_as_an_entry_never_runs(
    plugin: Path, tmp_path: Path, cold: Report, gadget: str, framing: str
) -> None:
    marker = tmp_path / "pwned"
    payload = _stack_global_gadget(marker) if gadget == "stack-global" else pickle.dumps(_Gadget(marker))
    probe = tmp_path / "probe"
    pickle.loads(_stack_global_gadget(probe) if gadget == "stack-global" else pickle.dumps(_Gadget(probe)))
    assert probe.exists()  # the gadget works: this is what the cache must never do
    checksum = hashlib.sha256(payload).hexdigest().encode()
    blob = {
        "raw": payload,
        "old-format": b"MBCHECK-CACHE-1\n" + checksum + payload,
        "new-format": cache_module.MAGIC + checksum + b"\n" + payload,
    }[framing]
    for entry in [*_entries(tmp_path / "cache"), *_run_entries(tmp_path / "cache")]:
        entry.write_bytes(blob)
    warm = _run(plugin, tmp_path / "cache")
    assert not marker.exists()
    assert warm.context["cache"] == {"hits": 0, "misses": 2}  # recomputed, every file
    assert _json(warm) == _json(cold)


# ---------------------------------------------------------------------------
# forged results


@pytest.mark.parametrize("checksum", ["sha256", "hmac-without-key", "original-mac"])
def test_a_cached_report_rewritten_to_pass_is_ignored(
    plugin: Path, tmp_path: Path, cold: Report, checksum: str
) -> None:
    (entry,) = _run_entries(tmp_path / "cache")
    mac, header, payload = _split(entry.read_bytes())
    data = json.loads(payload)
    for report in data["plugins"]:
        report["verdict"] = "pass"
        report["findings"] = []
    forged_payload = json.dumps(data).encode()
    assert decode(json.loads(forged_payload), Report).plugins[0].verdict is Verdict.PASS  # a well-formed PASS
    body = header + b"\n" + forged_payload
    key = json.loads(header)["key"].encode()
    forged_mac = {
        "sha256": hashlib.sha256(body).hexdigest().encode(),
        "hmac-without-key": hmac.new(b"", key + b"\0" + body, hashlib.sha256).hexdigest().encode(),
        "original-mac": mac,
    }[checksum]
    entry.write_bytes(cache_module.MAGIC + forged_mac + b"\n" + body)
    warm = _run(plugin, tmp_path / "cache")
    assert warm.plugins[0].verdict is Verdict.FAIL
    assert not warm.context["cache"].get("run")  # not served from the forged entry
    assert _json(warm) == _json(cold)


def test_a_forged_per_file_entry_is_ignored(plugin: Path, tmp_path: Path, cold: Report) -> None:
    for entry in _entries(tmp_path / "cache"):
        _, header, payload = _split(entry.read_bytes())
        data = json.loads(payload)
        data["findings"] = []
        body = header + b"\n" + json.dumps(data).encode()
        entry.write_bytes(cache_module.MAGIC + hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
    shutil.rmtree(tmp_path / "cache" / "ru")
    warm = _run(plugin, tmp_path / "cache")
    assert warm.context["cache"] == {"hits": 0, "misses": 2}
    assert any(f.rule == "MB001" for f in warm.plugins[0].findings)


def test_an_entry_copied_under_another_key_is_a_miss(tmp_path: Path) -> None:
    """Two plugins with an ``__init__.py`` each: the broken one's entry copied over the clean
    one's would make the clean plugin fail (or a failing one pass)."""
    broken = write_plugin(tmp_path / "src", {"__init__.py": "x = (\n"}, name="broken")
    clean = write_plugin(tmp_path / "src", {"__init__.py": "x = 1\n"}, name="clean")
    cache_dir = tmp_path / "cache"
    _run(broken, cache_dir)
    (broken_entry,) = _entries(cache_dir)
    before = _run(clean, cache_dir)
    (clean_entry,) = set(_entries(cache_dir)) - {broken_entry}
    shutil.rmtree(cache_dir / "ru")
    blob = broken_entry.read_bytes()
    key = json.loads(_split(blob)[1])["key"]
    cache = cache_module.Cache(cache_dir, "")
    assert cache.unseal(key, blob, cache_module.FileOutcome) is not None  # authentic under its own key
    clean_entry.write_bytes(blob)
    after = _run(clean, cache_dir)
    assert after.context["cache"] == {"hits": 0, "misses": 1}
    assert not any(f.rule == "MB001" for f in after.plugins[0].findings)
    assert _json(after) == _json(before)


def test_entries_made_with_another_key_are_misses(
    plugin: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MBCHECK_CONFIG_DIR", str(tmp_path / "attacker-config"))
    planted = _run(plugin, tmp_path / "cache")  # the attacker's mbcheck, with the attacker's key
    monkeypatch.setenv("MBCHECK_CONFIG_DIR", str(tmp_path / "my-config"))
    mine = _run(plugin, tmp_path / "cache")
    assert mine.context["cache"] == {"hits": 0, "misses": 2}
    assert (tmp_path / "attacker-config" / "cache.key").read_bytes() != (tmp_path / "my-config" / "cache.key").read_bytes()
    assert _json(mine) == _json(planted)


def test_an_entry_of_another_mbcheck_version_is_a_miss(
    plugin: Path, tmp_path: Path, cold: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even under the right key and MAC, the version the entry records must be the running one."""
    cache = cache_module.Cache(tmp_path / "cache", "")
    for entry in _entries(tmp_path / "cache"):
        key = json.loads(_split(entry.read_bytes())[1])["key"]
        outcome = cache.unseal(key, entry.read_bytes(), cache_module.FileOutcome)
        with monkeypatch.context() as patch:
            patch.setattr(cache_module, "__version__", "0.0.1")
            entry.write_bytes(cache.seal(key, outcome, cache_module.FileOutcome))
    shutil.rmtree(tmp_path / "cache" / "ru")
    warm = _run(plugin, tmp_path / "cache")
    assert warm.context["cache"] == {"hits": 0, "misses": 2}


# ---------------------------------------------------------------------------
# the cache directory


def _disabled(report: Report) -> str:
    reason = report.context["cache"].get("disabled")
    assert isinstance(reason, str), report.context["cache"]
    return reason


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o1777, 0o722])
def test_a_cache_directory_others_can_write_is_not_used(plugin: Path, tmp_path: Path, mode: int) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(mode)
    report = _run(plugin, shared)
    assert "can be written by other users" in _disabled(report) and str(shared) in _disabled(report)
    assert list(shared.iterdir()) == []  # nothing read, nothing written
    assert _json(report) == _json(run([plugin]))


def test_a_new_cache_directory_is_private(plugin: Path, tmp_path: Path) -> None:
    _run(plugin, tmp_path / "new" / "cache")
    assert stat.S_IMODE((tmp_path / "new" / "cache").stat().st_mode) == 0o700
    for shard in (tmp_path / "new" / "cache").iterdir():
        if shard.is_dir():
            assert stat.S_IMODE(shard.stat().st_mode) == 0o700


def test_a_cache_directory_owned_by_another_user_is_not_used(
    plugin: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "theirs").mkdir(mode=0o755)
    real = os.getuid()
    monkeypatch.setattr(cache_module, "load_key", lambda directory=None: b"k" * cache_module.KEY_BYTES)
    monkeypatch.setattr(os, "getuid", lambda: real + 1)  # as if the directory were someone else's
    report = _run(plugin, tmp_path / "theirs")
    assert "owned by another user" in _disabled(report)
    assert list((tmp_path / "theirs").iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown")
def test_a_cache_directory_chowned_to_another_user_is_not_used(plugin: Path, tmp_path: Path) -> None:
    (tmp_path / "theirs").mkdir(mode=0o755)
    os.chown(tmp_path / "theirs", 65534, 65534)
    assert "owned by another user (uid 65534)" in _disabled(_run(plugin, tmp_path / "theirs"))


def test_the_cli_warns_once_when_the_cache_is_not_used(plugin: Path, tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    result = CliRunner().invoke(app, ["lint", str(plugin), "--cache-dir", str(shared), "--jobs", "1"])
    assert result.exit_code == 1, result.output  # the findings, as without a cache
    warnings = [line for line in result.stderr.splitlines() if line.startswith("mbcheck: warning: cache not used: ")]
    assert len(warnings) == 1 and "can be written by other users" in warnings[0] and "--cache-dir" in warnings[0]
    assert list(shared.iterdir()) == []
    quiet = CliRunner().invoke(app, ["lint", str(plugin), "--cache-dir", str(tmp_path / "mine"), "--jobs", "1"])
    assert "warning" not in quiet.stderr


def test_the_api_runs_uncached_rather_than_raise(plugin: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "not-a-dir").write_text("")
    monkeypatch.setenv("MBCHECK_CONFIG_DIR", str(tmp_path / "not-a-dir" / "config"))
    report = api.check(plugin, {"cache-dir": str(tmp_path / "cache")}, jobs=1)
    assert "cannot create" in _disabled(report) and "MBCHECK_CONFIG_DIR" in _disabled(report)
    assert report.plugins[0].verdict is Verdict.FAIL
    monkeypatch.setenv("MBCHECK_CONFIG_DIR", str(tmp_path / "config"))
    report = api.check(plugin, {"cache-dir": str(tmp_path / "not-a-dir" / "cache")}, jobs=1)
    assert "cannot create the cache directory" in _disabled(report)


# ---------------------------------------------------------------------------
# symlinks


def test_a_symlink_planted_at_an_entry_is_neither_read_nor_written_through(
    plugin: Path, tmp_path: Path, cold: Report
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.rmtree(tmp_path / "cache" / "ru")
    entries = _entries(tmp_path / "cache")
    originals = {}
    for index, entry in enumerate(entries):
        target = outside / f"victim{index}"
        target.write_bytes(entry.read_bytes())  # even a genuine entry is not read through a link
        originals[target] = target.read_bytes()
        entry.unlink()
        entry.symlink_to(target)
    warm = _run(plugin, tmp_path / "cache")
    assert warm.context["cache"] == {"hits": 0, "misses": 2}
    assert {p: p.read_bytes() for p in originals} == originals  # not written through
    assert sorted(outside.iterdir()) == sorted(originals)
    assert not any(entry.is_symlink() for entry in entries)  # the links were replaced by entries
    shutil.rmtree(tmp_path / "cache" / "ru")
    assert _run(plugin, tmp_path / "cache").context["cache"] == {"hits": 2, "misses": 0}


def test_a_symlink_planted_at_a_shard_directory_is_neither_read_nor_written_through(
    plugin: Path, tmp_path: Path, cold: Report
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.rmtree(tmp_path / "cache" / "ru")
    for index, shard in enumerate({entry.parent for entry in _entries(tmp_path / "cache")}):
        moved = outside / f"shard{index}"
        shard.rename(moved)  # genuine entries, behind a link
        shard.symlink_to(moved, target_is_directory=True)
    snapshot = {p: p.read_bytes() for p in outside.rglob("*") if p.is_file()}
    warm = _run(plugin, tmp_path / "cache")
    assert warm.context["cache"] == {"hits": 0, "misses": 2}
    assert {p: p.read_bytes() for p in outside.rglob("*") if p.is_file()} == snapshot
    assert _json(warm) == _json(cold)


def test_a_symlinked_cache_directory_is_not_used(plugin: Path, tmp_path: Path) -> None:
    (tmp_path / "real").mkdir(mode=0o700)
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    report = _run(plugin, tmp_path / "link")
    assert "symbolic link" in _disabled(report)
    assert list((tmp_path / "real").iterdir()) == []


def test_a_symlink_planted_at_the_ignore_file_is_not_written_through(plugin: Path, tmp_path: Path) -> None:
    (tmp_path / "cache").mkdir(mode=0o700)
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    (tmp_path / "cache" / ".gitignore").symlink_to(victim)
    _run(plugin, tmp_path / "cache")
    assert victim.read_text() == "precious\n"


def test_a_fifo_planted_at_an_entry_is_a_miss(plugin: Path, tmp_path: Path, cold: Report) -> None:
    shutil.rmtree(tmp_path / "cache" / "ru")
    entry = _entries(tmp_path / "cache")[0]
    entry.unlink()
    os.mkfifo(entry)
    assert _run(plugin, tmp_path / "cache").context["cache"] == {"hits": 1, "misses": 1}  # and no hang


# ---------------------------------------------------------------------------
# the key file


def test_the_key_is_created_private_in_the_config_directory(
    plugin: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MBCHECK_CONFIG_DIR")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    _run(plugin, tmp_path / "cache")
    key = tmp_path / "xdg" / "mbcheck" / "cache.key"
    info = key.lstat()
    assert stat.S_ISREG(info.st_mode) and stat.S_IMODE(info.st_mode) == 0o600 and info.st_size == 32
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    assert not any((tmp_path / "cache").rglob("*.key"))  # never inside the cache
    first = key.read_bytes()
    _run(plugin, tmp_path / "cache")
    assert key.read_bytes() == first  # kept, not remade


def _key_file() -> Path:
    return Path(os.environ["MBCHECK_CONFIG_DIR"]) / "cache.key"


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_a_key_file_others_can_read_or_write_disables_the_cache(
    plugin: Path, tmp_path: Path, cold: Report, mode: int
) -> None:
    _key_file().chmod(mode)
    report = _run(plugin, tmp_path / "cache")
    assert "can be read or written by other users" in _disabled(report) and str(_key_file()) in _disabled(report)
    assert "remove it" in _disabled(report)


def test_a_symlinked_key_file_disables_the_cache(plugin: Path, tmp_path: Path, cold: Report) -> None:
    elsewhere = tmp_path / "elsewhere.key"
    elsewhere.write_bytes(_key_file().read_bytes())
    elsewhere.chmod(0o600)
    _key_file().unlink()
    _key_file().symlink_to(elsewhere)
    assert "symbolic link" in _disabled(_run(plugin, tmp_path / "cache"))


def test_a_key_file_owned_by_another_user_disables_the_cache(
    plugin: Path, tmp_path: Path, cold: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = os.getuid()
    monkeypatch.setattr(os, "getuid", lambda: real + 1)
    assert "the cache key" in _disabled(_run(plugin, tmp_path / "cache"))


@pytest.mark.parametrize("content", [b"", b"short", b"k" * 64])
def test_a_damaged_key_file_disables_the_cache(plugin: Path, tmp_path: Path, cold: Report, content: bytes) -> None:
    _key_file().write_bytes(content)
    os.utime(_key_file(), (1, 1))  # not one another run is writing right now
    assert "is not a 32-byte key" in _disabled(_run(plugin, tmp_path / "cache"))


def test_a_key_another_run_is_still_writing_is_waited_for(tmp_path: Path) -> None:
    import threading

    directory = tmp_path / "config"
    directory.mkdir(mode=0o700)
    fd = os.open(directory / "cache.key", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    writer = threading.Timer(0.2, lambda: (os.write(fd, b"k" * 32), os.close(fd)))
    writer.start()
    try:
        assert cache_module.load_key(directory) == b"k" * 32
    finally:
        writer.join()


def test_a_directory_at_the_key_path_disables_the_cache(plugin: Path, tmp_path: Path, cold: Report) -> None:
    _key_file().unlink()
    _key_file().mkdir()
    assert "the cache key" in _disabled(_run(plugin, tmp_path / "cache"))
