"""The plugin digest: one routine for directories, archives and the engine."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import run, write_plugin
from mbcheck.digest import counted, digest_directory, digest_files

names = st.text(alphabet="abcxyz_", min_size=1, max_size=6)
relpaths = st.lists(names, min_size=1, max_size=3).map("/".join).map(lambda p: p + ".py")
# directories never end in .py, so no path is both a file and a directory
trees = st.dictionaries(relpaths, st.binary(max_size=40), min_size=1, max_size=6)


def _reference(files: dict[str, bytes]) -> str:
    """The documented definition, written out independently."""
    digest = hashlib.sha256()
    for rel in sorted(files):
        if "/__pycache__/" in f"/{rel}":
            continue
        digest.update(rel.encode() + b"\0" + hashlib.sha256(files[rel]).digest())
    return "sha256:" + digest.hexdigest()


@given(trees)
def test_digest_follows_its_definition_in_any_order(files: dict[str, bytes]) -> None:
    assert digest_files(files) == _reference(files)
    assert digest_files(reversed(list(files.items()))) == _reference(files)


@settings(max_examples=30, deadline=None)
@given(trees)
def test_directory_and_memory_agree(files: dict[str, bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = write_plugin(Path(tmp), files, name="p")
        assert digest_directory(root) == digest_files(files)


@given(trees, st.binary(max_size=10))
def test_any_content_change_changes_the_digest(files: dict[str, bytes], extra: bytes) -> None:
    rel = sorted(files)[0]
    changed = {**files, rel: files[rel] + b"!" + extra}
    assert digest_files(changed) != digest_files(files)


def test_caches_are_not_counted() -> None:
    assert not counted("__pycache__/x.cpython-311.pyc") and not counted("a/__pycache__/x.cpython-312.opt-1.pyc")
    assert counted("pycache/x.py") and counted("a__pycache__/x.py")
    # what import can load from a __pycache__ directory is counted: `from .__pycache__ import x`
    assert counted("__pycache__/x.py") and counted("__pycache__/x.pyc") and counted("a/__pycache__/x.txt")
    assert digest_files({"a.py": b"1", "__pycache__/a.cpython-311.pyc": b"2"}) == digest_files({"a.py": b"1"})


def test_engine_uses_the_same_digest(tmp_path: Path) -> None:
    files = {"__init__.py": b"X = 1\n", "plugin.yaml": b"name: p\n", "sub/mod.py": b"Y = 2\n"}
    root = write_plugin(tmp_path, files, name="p")
    assert run(root).plugins[0].digest == digest_files(files) == digest_directory(root)
