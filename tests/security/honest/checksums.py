"""Compute and verify file checksums."""
# declares:
from __future__ import annotations

import hashlib
from pathlib import Path


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


def verify(path: Path, expected: str) -> bool:
    return sha256(path) == expected.lower()
