"""A small client for a REST API with a bearer token the user configures."""
# declares: network, env
from __future__ import annotations

import os
from typing import Any

import httpx


class Client:
    def __init__(self, base_url: str = "https://api.github.com", token: str | None = None) -> None:
        self.base_url = base_url
        self.token = token if token is not None else os.environ.get("GITHUB_TOKEN")

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/vnd.github+json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def issues(self, repo: str) -> list[dict[str, Any]]:
        response = httpx.get(f"{self.base_url}/repos/{repo}/issues", headers=self._headers(), timeout=10)
        response.raise_for_status()
        return response.json()
