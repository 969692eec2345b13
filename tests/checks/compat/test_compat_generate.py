"""The generator of ``rules/compat/stdlib.json``: its reading of typeshed, and the committed table.

The committed table must be what the generator makes of the pinned
snapshots. They are cached under ``$MBCHECK_DEV_CACHE`` (default
``~/.cache/mbcheck-dev``) in ``snapshots/``; a missing one is downloaded with
pip (``.ci/run`` does it first); when that is impossible the test fails.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from mbcheck.checks.compat import generate
from mbcheck.resources import load_json, load_text

TABLE = "rules/compat/stdlib.json"


def _cache() -> Path:
    root = os.environ.get("MBCHECK_DEV_CACHE")
    return (Path(root) if root else Path.home() / ".cache" / "mbcheck-dev") / "snapshots"


def _snapshot(pin: generate.Pin) -> Path:
    folder = _cache()
    path = folder / pin.filename
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            [sys.executable, "-m", "pip", *pin.pip_download, "-d", str(folder)],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0 or not path.exists():
            pytest.fail(
                f"the pinned typeshed snapshot {pin.filename} is not in {folder} and pip could not download it "
                f"(run `pip {' '.join(pin.pip_download)} -d {folder}`):\n{result.stderr[-2000:]}"
            )
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != pin.sha256:
        pytest.fail(f"{path}: sha256 {digest} is not the pinned {pin.sha256}; delete it to download it again")
    return path


def test_the_committed_table_is_the_generator_s_output() -> None:
    paths = [_snapshot(pin) for pin in generate.PINNED]
    expected = generate.dumps(generate.generate(paths))
    assert load_text(TABLE) == expected, (
        "rules/compat/stdlib.json differs from the generator's output; regenerate it with "
        "`python -m mbcheck.checks.compat.generate --out rules/compat/stdlib.json` and the pinned snapshots"
    )


def test_the_table_names_its_snapshots() -> None:
    recorded = [(s["name"], s["version"], s["sha256"]) for s in load_json(TABLE)["snapshots"]]
    pinned = [(p.name, p.version, p.sha256) for p in reversed(generate.PINNED)]
    assert recorded == pinned


def test_every_removal_of_the_hand_list_is_in_the_table() -> None:
    table = load_json(TABLE)
    wrong = {
        name: (table["modules"].get(name) or table["members"].get(name))
        for name, removed in generate.EXPECTED_REMOVALS.items()
        if (table["modules"].get(name) or table["members"].get(name) or {}).get("removed") != removed
    }
    assert wrong == {}


def test_hand_facts_are_in_the_table() -> None:
    members = load_json(TABLE)["members"]
    for name, entry in {**generate.DOCUMENTED, **generate.CORRECTIONS, **generate.OVERRIDES}.items():
        assert members[name] == entry, name
    assert not generate.DROPPED & set(members)


@pytest.mark.parametrize(
    ("name", "added"),
    [
        ("builtins.str.removeprefix", "3.9"),
        ("builtins.int.bit_count", "3.10"),
        ("builtins.bytes.isascii", "3.7"),
        ("asyncio.Task.get_name", "3.8"),
        ("pathlib.PurePath.with_stem", "3.9"),
        ("pathlib.Path.with_stem", "3.9"),  # inherited
        ("sys.last_exc", "3.12"),
        ("typing.Protocol", "3.8"),
    ],
)
def test_the_issue_s_members_are_dated(name: str, added: str) -> None:
    assert load_json(TABLE)["members"][name].get("added") == added


# --- the reader, on stubs written for the test ---------------------------------------------

STUBS = {
    "VERSIONS": "builtins: 3.0-\nnewmod: 3.11-\nold: 3.0-3.11\nlib: 3.0-\n_lib: 3.0-\n",
    "builtins.pyi": "class object: ...\n",
    "newmod.pyi": "",
    "old.pyi": "",
    "_lib.pyi": (
        "import sys\n"
        "if sys.version_info >= (3, 12):\n    SECRET: int\n"
    ),
    "lib.pyi": (
        "import sys\n"
        "from _lib import *\n"
        "from typing import overload\n"
        "def run(cmd, *, check: bool = ...) -> None: ...\n"
        "if sys.version_info >= (3, 10):\n"
        "    def walk(top, *, strict: bool = ...) -> None: ...\n"
        "else:\n"
        "    def walk(top) -> None: ...\n"
        "if sys.version_info >= (3, 9):\n    def fresh() -> None: ...\n"
        "if sys.version_info < (3, 12):\n    def stale() -> None: ...\n"
        "class Base:\n"
        "    if sys.version_info >= (3, 9):\n        def with_stem(self, stem: str) -> Base: ...\n"
        "class Child(Base): ...\n"
        "if sys.platform == 'win32':\n    if sys.version_info >= (3, 8):\n        WINDOWS: int\n"
    ),
}


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).write_text(text)
    return root


def test_the_reader_dates_branches_keywords_inheritance_and_reexports(tmp_path: Path) -> None:
    snapshot = generate.read_snapshot("t", generate.snapshot_files(_write(tmp_path, STUBS)), floor=7)
    table = generate.merge([snapshot])
    assert table["modules"] == {"newmod": {"added": "3.11"}, "old": {"removed": "3.12"}}
    members = table["members"]
    assert members["lib.fresh"] == {"added": "3.9"}
    assert members["lib.stale"] == {"removed": "3.12"}
    assert members["lib.Base.with_stem"] == {"added": "3.9"}
    assert members["lib.Child.with_stem"] == {"added": "3.9"}
    assert members["lib.SECRET"] == {"added": "3.12"}  # through `from _lib import *`
    assert "lib.run" not in members
    assert table["keywords"]["lib.walk"] == {"strict": {"added": "3.10"}}
    assert "lib.run" not in table["keywords"]
    assert "lib.WINDOWS" in table["platform_specific"]


def test_an_older_snapshot_dates_what_a_newer_one_shows_unguarded(tmp_path: Path) -> None:
    old_root = tmp_path / "old"
    new_root = tmp_path / "new"
    old_root.mkdir()
    new_root.mkdir()
    _write(old_root, {**STUBS, "lib.pyi": "import sys\nif sys.version_info >= (3, 9):\n    def fresh() -> None: ...\n    def late() -> None: ...\n"})
    _write(new_root, {**STUBS, "lib.pyi": "def fresh() -> None: ...\nimport sys\nif sys.version_info >= (3, 11):\n    def newer() -> None: ...\n"})
    old = generate.read_snapshot("old", generate.snapshot_files(old_root), floor=6)
    new = generate.read_snapshot("new", generate.snapshot_files(new_root), floor=10)
    members = generate.merge([new, old])["members"]
    assert members["lib.fresh"] == {"added": "3.9"}  # unguarded in the newer copy, dated by the older
    assert members["lib.newer"] == {"added": "3.11"}
    assert "lib.late" not in members  # only the older copy knows it, without a removal: unknown


VIEW_STUBS = {
    "VERSIONS": "builtins: 3.0-\n_views: 3.0-\n_csvlike: 3.0-\ncsvlike: 3.0-\n",
    "_views.pyi": (
        "import sys\n"
        "class Mapping:\n    def items(self) -> ItemsView: ...\n"
        "class ItemsView: ...\n"
        "class dict_items(ItemsView):\n"
        "    if sys.version_info >= (3, 10):\n        @property\n        def mapping(self) -> int: ...\n"
    ),
    "builtins.pyi": (
        "from _views import Mapping, dict_items\n"
        "class object: ...\n"
        "class dict(Mapping):\n    def items(self) -> dict_items: ...\n"
    ),
    "_csvlike.pyi": (
        "import sys\n"
        "if sys.version_info >= (3, 10):\n"
        "    class Writer:\n        def writerow(self) -> None: ...\n"
        "else:\n"
        "    class _writer:\n        def writerow(self) -> None: ...\n"
    ),
    "csvlike.pyi": (
        "import sys\n"
        "from _csvlike import Writer\n"
        "def writer() -> Writer: ...\n"
    ),
}


def test_a_private_class_a_public_method_returns_keeps_its_dated_members(tmp_path: Path) -> None:
    """``dict.items()`` is a ``_collections_abc.dict_items`` (the class's own definition wins over
    ``Mapping.items``); its members are kept although its module is private, unless the class
    itself is dated (3.10's ``_csv.Writer`` was ``_csv._writer`` before: ``writerow`` is old)."""
    snapshot = generate.read_snapshot("t", generate.snapshot_files(_write(tmp_path, VIEW_STUBS)), floor=7)
    table = generate.merge([snapshot])
    assert table["returns"]["builtins.dict.items"] == "_views.dict_items"
    assert table["members"]["_views.dict_items.mapping"] == {"added": "3.10"}
    assert not any(name.startswith("_csvlike.") for name in table["members"])


def test_a_wheel_is_read_like_an_sdist(tmp_path: Path) -> None:
    """mypy 2.x is pinned as its pure-Python wheel (a zip with ``mypy/typeshed/stdlib``)."""
    wheel = tmp_path / "mypy-9.9.9-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, text in STUBS.items():
            archive.writestr(f"mypy/typeshed/stdlib/{name}", text)
        archive.writestr("mypy/typeshed/stubs/mypy-extensions/mypy_extensions.pyi", "")
        archive.writestr("mypy-9.9.9.dist-info/METADATA", "Name: mypy\n")
    sdist = tmp_path / "mypy-9.9.9.tar.gz"
    with tarfile.open(sdist, "w:gz") as archive:
        for name, text in STUBS.items():
            info = tarfile.TarInfo(f"mypy-9.9.9/mypy/typeshed/stdlib/{name}")
            info.size = len(text.encode())
            archive.addfile(info, io.BytesIO(text.encode()))
    assert generate.snapshot_files(wheel) == generate.snapshot_files(sdist) == {k: v.encode() for k, v in STUBS.items()}
    assert generate.describe(wheel)["name"] == "mypy" and generate.describe(wheel)["version"] == "9.9.9"
    assert generate.Pin("mypy", "2.4.1", "0" * 64, 10, "wheel").filename == "mypy-2.4.1-py3-none-any.whl"


def test_a_broken_wheel_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wheel = tmp_path / "mypy-9.9.9-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("mypy/__init__.py", "")
    assert generate.main(["--out", str(tmp_path / "out.json"), str(wheel)]) == 2
    assert "no typeshed stdlib directory" in capsys.readouterr().err


def test_a_snapshot_without_stubs_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    assert generate.main(["--out", str(tmp_path / "out.json"), str(tmp_path / "empty")]) == 2
    assert "mbcheck: error:" in capsys.readouterr().err


def test_the_table_is_compact_json() -> None:
    text = load_text(TABLE)
    assert json.loads(text)["$schema"].endswith("rules-compat-stdlib.schema.json")
    assert len(text) < 1_000_000


def test_ci_downloads_the_pinned_snapshots() -> None:
    ci = (Path(__file__).resolve().parents[3] / ".ci" / "run").read_text()
    for pin in generate.PINNED:
        assert f"{pin.requirement} {pin.filename} {pin.sha256}" in ci
