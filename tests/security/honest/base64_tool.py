"""Encode and decode base64 text for the user (a text utility command)."""
# declares:
from __future__ import annotations

import base64
import binascii


def encode(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def decode(text: str) -> str:
    try:
        return base64.b64decode(text, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError(f"not valid base64 text: {exc}") from exc
