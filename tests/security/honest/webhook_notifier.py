"""Post build notifications to a webhook URL the user configures."""
# declares: network
from __future__ import annotations

from typing import Any

import requests


class Notifier:
    def __init__(self, webhook_url: str) -> None:
        if not webhook_url.startswith("https://"):
            raise ValueError("the webhook URL must use https")
        self.webhook_url = webhook_url

    def send(self, title: str, status: str) -> None:
        payload: dict[str, Any] = {"content": f"**{title}**: {status}"}
        response = requests.post(self.webhook_url, json=payload, timeout=10)
        response.raise_for_status()
