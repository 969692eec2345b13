"""String and record clean-up: many methods share names with file operations."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    return SPACES.sub(" ", text.replace("\t", " ").replace("\r\n", "\n")).strip()


def rename_keys(record: dict[str, Any], mapping: dict[str, str]) -> dict[str, Any]:
    return {mapping.get(key, key): value for key, value in record.items()}


class Table:
    """A list of rows with pandas-like helpers (no files involved)."""

    def __init__(self, rows: Iterable[dict[str, Any]]) -> None:
        self.rows = list(rows)

    def rename(self, columns: dict[str, str]) -> Table:
        return Table(rename_keys(row, columns) for row in self.rows)

    def replace(self, old: Any, new: Any) -> Table:
        return Table({k: (new if v == old else v) for k, v in row.items()} for row in self.rows)

    def touch(self, key: str) -> None:
        for row in self.rows:
            row.setdefault(key, None)


def tidy(table: Table) -> Table:
    cleaned = table.rename(columns={"Name": "name"}).replace("", None)
    cleaned.touch("comment")
    return cleaned
