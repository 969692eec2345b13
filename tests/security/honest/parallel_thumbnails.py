"""Resize images in a process pool."""
# declares: subprocess, fs-write
from __future__ import annotations

from multiprocessing import Pool
from pathlib import Path


def _resize(path: Path) -> Path:
    out = path.with_name(path.stem + ".thumb" + path.suffix)
    out.write_bytes(path.read_bytes()[:1024])
    return out


def thumbnails(paths: list[Path]) -> list[Path]:
    with Pool(processes=2) as pool:
        return pool.map(_resize, paths)
