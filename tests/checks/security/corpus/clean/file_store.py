# permissions: fs-write, env
"""Keeps the plugin's notes in its own data directory, written atomically."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class Note:
    title: str
    body: str


def data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "notes-plugin"


class NoteStore:
    """Stores notes as JSON; a backup copy is kept before each save."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or data_dir()
        self.index = self.root / "notes.json"

    def load(self) -> list[Note]:
        if not self.index.exists():
            return []
        with self.index.open(encoding="utf-8") as handle:
            return [Note(**item) for item in json.load(handle)]

    def save(self, notes: list[Note]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if self.index.exists():
            shutil.copy2(self.index, self.index.with_suffix(".bak"))
        fd, tmp = tempfile.mkstemp(dir=self.root, suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump([asdict(n) for n in notes], handle, indent=2)
        os.replace(tmp, self.index)

    def export(self, target: Path) -> Path:
        out = target / "notes-export.md"
        lines = [f"# {note.title}\n\n{note.body}\n" for note in self.load()]
        out.write_text("\n".join(lines), encoding="utf-8")
        return out

    def clear(self) -> None:
        for leftover in self.root.glob("*.bak"):
            leftover.unlink(missing_ok=True)
