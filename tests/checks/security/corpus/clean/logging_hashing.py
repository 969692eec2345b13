"""Structured logging and content hashing helpers (no permissions needed)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import Any

LOG = logging.getLogger(__name__)
PASSWORD_FIELD = "password"
TOKEN_HEADER = "X-Plugin-Token"


class JsonFormatter(logging.Formatter):
    """Formats records as one JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, sort_keys=True)


def configure(level_name: str = "info") -> logging.Logger:
    level = getattr(logging, level_name.upper(), logging.INFO)
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    LOG.addHandler(handler)
    LOG.setLevel(level)
    return LOG


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def short_id(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def same_signature(expected: str, received: str) -> bool:
    return hmac.compare_digest(expected.encode(), received.encode())


def redact(record: dict[str, Any]) -> dict[str, Any]:
    """Hides the values of secret fields before logging (password, token, api_key)."""
    hidden = {"password", "token", "api_key", "secret"}
    return {k: ("***" if k in hidden else v) for k, v in record.items()}
