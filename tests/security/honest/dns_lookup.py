"""A `dig`-like command: resolve the names the user types."""
# declares: network
from __future__ import annotations

import socket


def resolve(name: str) -> list[str]:
    infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
    return sorted({info[4][0] for info in infos})
