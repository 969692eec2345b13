"""Fixtures shared by every test."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the user's cache from the tests."""
    monkeypatch.setenv("MBCHECK_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
