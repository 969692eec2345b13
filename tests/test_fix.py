"""Applying fixes: edits, overlaps, encodings and newlines kept, safe and atomic writes."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest

from mbcheck.fix import (
    FixRefused,
    apply_edits,
    enabled,
    overlaps,
    read_inside,
    select,
    write_atomic,
)
from mbcheck.model import Applicability, Edit, Fix, Span


def edit(line: int, column: int, end_line: int, end_column: int, content: str, path: str = "a.py") -> Edit:
    return Edit(Span(path, line, column, end_line, end_column), content)


def test_edits_replace_insert_and_delete() -> None:
    data = b"import yaml\nyaml.load(x)\n"
    out = apply_edits(data, "a.py", [edit(2, 6, 2, 10, "safe_load"), edit(1, 1, 1, 1, "import os\n"), edit(2, 13, 2, 13, "")])
    assert out == b"import os\nimport yaml\nyaml.safe_load(x)\n"


def test_crlf_newlines_are_kept_and_inserted_text_follows_them() -> None:
    data = b"a = 1\r\nb = 2\r\n"
    out = apply_edits(data, "a.py", [edit(2, 1, 2, 1, "c = 3\nd = 4\n")])
    assert out == b"a = 1\r\nc = 3\r\nd = 4\r\nb = 2\r\n"


def test_a_byte_order_mark_is_kept_and_columns_do_not_count_it() -> None:
    data = codecs.BOM_UTF8 + "x = 'é'\n".encode()
    out = apply_edits(data, "a.py", [edit(1, 1, 1, 2, "y")])
    assert out == codecs.BOM_UTF8 + "y = 'é'\n".encode()
    yaml = codecs.BOM_UTF8 + b"name: a\n"
    assert apply_edits(yaml, "plugin.yaml", [edit(1, 7, 1, 8, "b", "plugin.yaml")]) == codecs.BOM_UTF8 + b"name: b\n"


def test_a_declared_encoding_is_kept() -> None:
    data = "# -*- coding: latin-1 -*-\nx = 'é'\n".encode("latin-1")
    out = apply_edits(data, "a.py", [edit(2, 1, 2, 2, "y")])
    assert out == "# -*- coding: latin-1 -*-\ny = 'é'\n".encode("latin-1")


def test_columns_count_characters_not_bytes() -> None:
    data = "s = 'ééé'; t = 1\n".encode()
    assert apply_edits(data, "a.py", [edit(1, 12, 1, 13, "u")]) == "s = 'ééé'; u = 1\n".encode()


def test_edits_outside_the_text_are_refused() -> None:
    with pytest.raises(FixRefused, match="line 5"):
        apply_edits(b"x = 1\n", "a.py", [edit(5, 1, 5, 1, "y")])
    with pytest.raises(FixRefused, match="column 40"):
        apply_edits(b"x = 1\n", "a.py", [edit(1, 40, 1, 40, "y")])
    with pytest.raises(FixRefused, match="overlap"):
        apply_edits(b"x = 1\n", "a.py", [edit(1, 1, 1, 3, "y"), edit(1, 2, 1, 4, "z")])


def test_overlapping_fixes_wait_for_the_next_pass() -> None:
    first = Fix("first", (edit(1, 1, 1, 5, "a"),))
    clash = Fix("clash", (edit(1, 3, 1, 8, "b"),))
    apart = Fix("apart", (edit(2, 1, 2, 2, "c"),))
    same_place = Fix("insert", (edit(3, 1, 3, 1, "d"),))
    same_place_too = Fix("insert too", (edit(3, 1, 3, 1, "e"),))
    kept, later = select([clash, apart, first, same_place, same_place_too])
    assert [f.title for f in kept] == ["first", "apart", "insert"]
    assert [f.title for f in later] == ["clash", "insert too"]


def test_one_repair_reported_twice_is_applied_once() -> None:
    fix = Fix("t", (edit(1, 1, 1, 2, "a"),))
    kept, later = select([fix, Fix("t again", fix.edits)])
    assert len(kept) == 1 and not later


def test_edits_of_different_files_never_overlap() -> None:
    assert not overlaps(edit(1, 1, 1, 5, "a", "a.py"), edit(1, 1, 1, 5, "b", "b.py"))
    assert overlaps(edit(1, 1, 1, 5, "a"), edit(1, 4, 2, 1, "b"))
    assert not overlaps(edit(1, 1, 1, 5, "a"), edit(1, 5, 1, 6, "b"))


def test_unsafe_fixes_apply_only_when_asked() -> None:
    unsafe = Fix("t", (edit(1, 1, 1, 1, "a"),), Applicability.UNSAFE)
    assert not enabled(unsafe, False) and enabled(unsafe, True)
    assert enabled(Fix("t", unsafe.edits), False) and not enabled(None, True)


def test_write_is_atomic_and_keeps_the_mode(tmp_path: Path) -> None:
    target = tmp_path / "a.py"
    target.write_bytes(b"old\n")
    target.chmod(0o640)
    inode = target.stat().st_ino
    write_atomic(tmp_path, "a.py", b"old\n", b"new\n")
    assert target.read_bytes() == b"new\n"
    assert target.stat().st_mode & 0o777 == 0o640
    assert target.stat().st_ino != inode  # a new file renamed over the old one
    assert [p.name for p in tmp_path.iterdir()] == ["a.py"]  # no temporary file left


def test_a_file_changed_since_it_was_read_is_not_written(tmp_path: Path) -> None:
    target = tmp_path / "a.py"
    target.write_bytes(b"changed by the user\n")
    with pytest.raises(FixRefused, match="changed since it was read"):
        write_atomic(tmp_path, "a.py", b"as read\n", b"fixed\n")
    assert target.read_bytes() == b"changed by the user\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.py"]


def test_symbolic_links_are_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_bytes(b"x = 1\n")
    root = tmp_path / "plugin"
    root.mkdir()
    (root / "link.py").symlink_to(outside / "secret.py")
    (root / "sub").symlink_to(outside, target_is_directory=True)
    for rel in ("link.py", "sub/secret.py"):
        with pytest.raises(FixRefused, match="symbolic link"):
            read_inside(root, rel)
        with pytest.raises(FixRefused, match="symbolic link"):
            write_atomic(root, rel, b"x = 1\n", b"x = 2\n")
    assert (outside / "secret.py").read_bytes() == b"x = 1\n"
    linked_root = tmp_path / "linked"
    linked_root.symlink_to(outside, target_is_directory=True)
    with pytest.raises(FixRefused, match="plugin root is a symbolic link"):
        read_inside(linked_root, "secret.py")


@pytest.mark.parametrize("rel", ["../outside.py", "/etc/passwd", "a/../../outside.py", "", "./a.py"])
def test_paths_outside_the_plugin_root_are_refused(tmp_path: Path, rel: str) -> None:
    root = tmp_path / "plugin"
    root.mkdir()
    (root / "a.py").write_bytes(b"x\n")
    (tmp_path / "outside.py").write_bytes(b"x\n")
    with pytest.raises(FixRefused):
        write_atomic(root, rel, b"x\n", b"y\n")
    assert (tmp_path / "outside.py").read_bytes() == b"x\n"


def test_fixes_never_create_a_file(tmp_path: Path) -> None:
    with pytest.raises(FixRefused, match="never create"):
        read_inside(tmp_path, "plugin.yaml")
    assert not (tmp_path / "plugin.yaml").exists()


def test_a_failed_write_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.py").write_bytes(b"x\n")

    def broken(_src: object, _dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError):
        write_atomic(tmp_path, "a.py", b"x\n", b"y\n")
    assert (tmp_path / "a.py").read_bytes() == b"x\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.py"]


def test_fixes_survive_the_cache_codec(tmp_path: Path) -> None:
    """A file's outcome keeps its findings' fixes and its requirements' fixes through the cache's JSON."""
    import json

    from helpers import write_plugin
    from mbcheck.codec import decode, encode
    from mbcheck.context import FileOutcome
    from mbcheck.pyfile.analyse import analyse_file
    from mbcheck.pyfile.jobs import FileJob, FileOptions

    source = b"import imp\nimport tempfile\n\n\ndef f(m):\n    tempfile.mktemp()\n    return imp.reload(m)\n"
    write_plugin(tmp_path, {"a.py": source})
    outcome = analyse_file(FileJob("a.py", source, "example.a", "example", False, FileOptions()))
    assert any(f.fix is not None for f in outcome.findings)
    assert any(r.fix is not None for r in outcome.facts.compat.requirements)
    again = decode(json.loads(json.dumps(encode(outcome, FileOutcome))), FileOutcome)
    assert again == outcome
