# permissions: network, env
"""Fetches release notes from the project's API (TLS verified, with timeouts)."""

from __future__ import annotations

import os
from typing import Any

import requests

API = "https://api.example.org/v2"
TOKEN_ENV = "RELEASES_TOKEN"
password_prompt = "Password for the release server: "


class ReleaseClient:
    def __init__(self, timeout: float = 10.0, verify: bool | str = True) -> None:
        self.timeout = timeout
        self.verify = verify
        self.session = requests.Session()
        token = os.environ.get(TOKEN_ENV)
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def latest(self, project: str) -> dict[str, Any]:
        reply = self.session.get(f"{API}/projects/{project}/latest", timeout=self.timeout, verify=self.verify)
        reply.raise_for_status()
        return dict(reply.json())

    def notes(self, project: str, version: str) -> str:
        reply = requests.get(f"{API}/projects/{project}/{version}/notes", timeout=self.timeout)
        reply.raise_for_status()
        return str(reply.text)
