"""The suspicious-endpoint table (``rules/security/endpoints.json``) and host matching.

A string literal names an endpoint when it is a URL (``scheme://host/...``) or a
bare ``host[:port][/path]``. Its host is matched against the table's domains
(the domain itself or any subdomain; an entry with a path also needs the URL's
path to start with it). Public raw IP addresses are recognised with
:mod:`ipaddress` (``is_global``), so loopback, private, link-local and
documentation ranges never match.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from mbcheck.resources import load_json

TABLE = "rules/security/endpoints.json"

#: the category of a public raw IP address (not in the table: computed)
RAW_IP = "raw IP address"

#: a bare host, optionally with a port and a path: ``pastebin.com/raw/x``, ``1.2.3.4:4444``
_BARE = re.compile(r"\.?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:\d{1,5})?(/\S*)?")
_MAX_LENGTH = 2048
_MAX_WORDS = 200
#: quoting around a URL inside a command line
_QUOTES = "'\"()<>[]{},;`"


@dataclass(frozen=True, slots=True)
class Entry:
    """One table entry: a domain, an optional path prefix, and its kind."""

    domain: str
    path: str
    description: str


@dataclass(frozen=True, slots=True)
class Endpoint:
    """What a literal points at: its host and the kind of endpoint."""

    host: str
    description: str


@cache
def entries() -> dict[str, tuple[Entry, ...]]:
    """The table's entries by the last label of their domain (loaded once)."""
    by_label: dict[str, list[Entry]] = {}
    for category in load_json(TABLE)["categories"].values():
        for item in category["hosts"]:
            domain, _, path = item.partition("/")
            entry = Entry(domain, f"/{path}" if path else "", category["description"])
            by_label.setdefault(domain.rsplit(".", 1)[-1], []).append(entry)
    return {label: tuple(found) for label, found in by_label.items()}


@cache
def _commands() -> tuple[frozenset[str], tuple[str, ...]]:
    commands = load_json(TABLE)["commands"]
    return frozenset(commands["names"]), tuple(commands["markers"])


def is_command(text: str, words: list[str]) -> bool:
    """Whether a text of several words is a command line (by the table's ``commands``)."""
    names, markers = _commands()
    program = words[0].strip(_QUOTES).replace("\\", "/").rsplit("/", 1)[-1].lower().removesuffix(".exe")
    return program in names or any(marker in text for marker in markers)


def _split(text: str) -> tuple[str, str, bool] | None:
    """(host, path, has_scheme) of a URL or bare host literal, or None when it is neither."""
    if "://" in text:
        try:
            parts = urlsplit(text)
            host = parts.hostname
        except ValueError:
            return None
        return (host, parts.path, True) if host else None
    if not _BARE.fullmatch(text):
        return None
    try:
        parts = urlsplit("//" + text.lstrip("."))
        host = parts.hostname
        parts.port  # noqa: B018 - raises on a port out of range
    except ValueError:
        return None
    return (host, parts.path, False) if host else None


def _public_ip(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_global and not address.is_multicast


def find_endpoint(text: str, *, address: bool = False) -> Endpoint | None:
    """The suspicious endpoint ``text`` names, or None.

    A bare IP address (``"8.8.4.4"``, which may as well be a version number)
    counts only with a port or path, or when ``address`` says the literal is
    the host of a ``(host, port)`` pair.
    """
    text = text.strip()
    if not text or len(text) > _MAX_LENGTH or ("." not in text and "[" not in text):
        return None
    words = text.split()
    if len(words) > 1:  # a command line: each URL in it (a sentence's links are for a reader)
        if not is_command(text, words):
            return None
        for word in words[:_MAX_WORDS]:
            if "://" in word:
                found = find_endpoint(word.strip(_QUOTES), address=address)
                if found is not None:
                    return found
        return None
    split = _split(text)
    if split is None:
        return None
    host, path, has_scheme = split
    host = host.rstrip(".").lower()
    if _public_ip(host):
        if has_scheme or address or text != host:
            return Endpoint(host, RAW_IP)
        return None
    for entry in entries().get(host.rsplit(".", 1)[-1], ()):
        if (host == entry.domain or host.endswith("." + entry.domain)) and path.startswith(entry.path):
            return Endpoint(host, entry.description)
    return None


__all__ = [
    "RAW_IP",
    "TABLE",
    "Endpoint",
    "Entry",
    "entries",
    "find_endpoint",
    "is_command",
]
