# permissions: env
"""Where the plugin gets its API token: the environment or the user's config, never the source.

Example configuration (the key below is AWS's documented example, not a real one)::

    api_key: AKIAIOSFODNN7EXAMPLE
    token: <your-token>
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

TOKEN_VARIABLE = "NOTES_API_TOKEN"
token_url = "https://auth.example.org/oauth/token"
PASSWORD_MIN_LENGTH = 12
api_key_header = "X-API-Key"
DEFAULT_PASSWORD = "changeme"


@dataclass
class Credentials:
    user: str
    api_key: str = ""
    password: str = ""

    def masked(self) -> str:
        return f"{self.user}:{'*' * len(self.password)}"


def load(config: dict[str, Any]) -> Credentials:
    api_key = os.environ.get(TOKEN_VARIABLE) or str(config.get("api_key", ""))
    return Credentials(user=str(config.get("user", "")), api_key=api_key, password=str(config.get("password", "")))


def headers(credentials: Credentials) -> dict[str, str]:
    return {api_key_header: credentials.api_key, "Authorization": "Bearer <token>"}
