"""Format rows as an aligned text table for the terminal."""
# declares:
from __future__ import annotations

from collections.abc import Sequence


def widths(rows: Sequence[Sequence[str]]) -> list[int]:
    return [max(len(str(cell)) for cell in column) for column in zip(*rows, strict=False)]


def render(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    table = [list(header), *[list(map(str, r)) for r in rows]]
    w = widths(table)
    lines = [" | ".join(cell.ljust(n) for cell, n in zip(row, w, strict=False)) for row in table]
    lines.insert(1, "-+-".join("-" * n for n in w))
    return "\n".join(lines)
