"""Download manager: fetch release assets with progress and verify their SHA-256."""
# declares: network, fs-write
from __future__ import annotations

import hashlib
from pathlib import Path

import requests

CHUNK = 64 * 1024


def download(url: str, dest: Path, sha256: str, progress=None) -> Path:
    if not url.startswith("https://"):
        raise ValueError("only https downloads are supported")
    digest = hashlib.sha256()
    tmp = dest.with_suffix(dest.suffix + ".part")
    with requests.get(url, stream=True, timeout=(5, 60)) as response:
        response.raise_for_status()
        total = int(response.headers.get("content-length", 0))
        done = 0
        with tmp.open("wb") as fh:
            for chunk in response.iter_content(CHUNK):
                fh.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if progress is not None:
                    progress(done, total)
    if digest.hexdigest() != sha256:
        tmp.unlink()
        raise ValueError(f"checksum mismatch for {url}")
    tmp.replace(dest)
    return dest
