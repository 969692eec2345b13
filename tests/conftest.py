"""Fixtures shared by every test."""

from __future__ import annotations

import pytest

import mbcheck.rules.base

#: every finding's severity must be one its rule declares
mbcheck.rules.base.STRICT = True


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the user's cache or cache key from the tests."""
    monkeypatch.setenv("MBCHECK_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.setenv("MBCHECK_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))
