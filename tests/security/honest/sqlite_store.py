"""Store bookmarks in an SQLite database under the plugin's data directory."""
# declares: fs-write
from __future__ import annotations

import sqlite3
from pathlib import Path


class Bookmarks:
    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path)
        self.db.execute("create table if not exists bm (url text primary key, title text)")

    def add(self, url: str, title: str) -> None:
        with self.db:
            self.db.execute("insert or replace into bm values (?, ?)", (url, title))

    def search(self, word: str) -> list[tuple[str, str]]:
        return self.db.execute("select url, title from bm where title like ?", (f"%{word}%",)).fetchall()
