"""Configuration from environment variables with typed defaults."""
# declares: env
from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    api_url: str
    timeout: float
    verbose: bool


def _bool(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load() -> Settings:
    return Settings(
        api_url=os.environ.get("WEATHER_API_URL", "https://api.open-meteo.com/v1/forecast"),
        timeout=float(os.getenv("WEATHER_TIMEOUT", "10")),
        verbose=_bool(os.getenv("WEATHER_VERBOSE"), False),
    )
