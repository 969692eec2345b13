# permissions: network, env, fs-read
"""Talks to the plugin's own API: its token in a header, an anonymous installation id, its own settings."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import socket
from pathlib import Path
from typing import Any

import requests

API = "https://api.example.org/v1"
SETTINGS = Path.home() / ".config" / "notes-plugin" / "settings.json"
log = logging.getLogger(__name__)


def settings() -> dict[str, Any]:
    if not SETTINGS.exists():
        return {}
    return dict(json.loads(SETTINGS.read_text(encoding="utf-8")))


def installation_id() -> str:
    return hashlib.sha256(f"{socket.gethostname()}:{os.getpid()}".encode()).hexdigest()[:16]


def headers(version: str) -> dict[str, str]:
    token = os.environ.get("NOTES_API_TOKEN", "")
    return {
        "Authorization": f"Bearer {token}",
        "User-Agent": f"notes-plugin/{version} ({platform.system()}; Python {platform.python_version()})",
    }


def sync(version: str, notes: list[str]) -> int:
    log.info("syncing %d notes from %s", len(notes), socket.gethostname())
    body = {"installation": installation_id(), "notes": notes, "settings": settings()}
    base = os.environ.get("NOTES_API_URL", API)
    reply = requests.post(f"{base}/sync", json=body, headers=headers(version), timeout=10)
    reply.raise_for_status()
    return int(reply.json()["count"])


def login(user: str, password: str) -> str:
    data = {"user": user, "password": password, "client_secret": os.environ.get("NOTES_CLIENT_SECRET", "")}
    reply = requests.post(f"{API}/login", data=data, timeout=10)
    reply.raise_for_status()
    return str(reply.json()["token"])
