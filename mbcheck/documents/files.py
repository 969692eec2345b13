"""Reading the documents a user hands mbcheck (a policy, a report, a baseline), with one kind
of error message: the file, what it was meant to be, and what is wrong with it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def read_text(path: Path, kind: str, error: type[Exception], missing_hint: str = "") -> str:
    """The text of ``path``; ``error`` when it is missing or unreadable (``kind`` names the
    document in the message: ``"policy"``, ``"report"``, …)."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{path}: {kind} file not found{missing_hint}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot read the {kind}: {exc}") from None


def read_json(path: Path, kind: str, error: type[Exception], missing_hint: str = "", json_hint: str = "") -> Any:
    """The JSON value in ``path``; ``error`` when it is missing, unreadable or not JSON."""
    text = read_text(path, kind, error, missing_hint)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(f"{path}: not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}){json_hint}") from None


__all__ = ["read_json", "read_text"]
