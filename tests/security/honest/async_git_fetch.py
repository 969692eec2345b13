"""Fetch several repositories concurrently with asyncio subprocesses."""
# declares: subprocess
from __future__ import annotations

import asyncio
from pathlib import Path


async def _fetch(repo: Path) -> int:
    proc = await asyncio.create_subprocess_exec("git", "-C", str(repo), "fetch", "--quiet")
    return await proc.wait()


async def fetch_all(repos: list[Path]) -> list[int]:
    return list(await asyncio.gather(*(_fetch(r) for r in repos)))
