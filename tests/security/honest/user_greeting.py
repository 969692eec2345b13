"""Greet the user by login name and show the machine's name in the status line."""
# declares:
from __future__ import annotations

import getpass
import platform
import socket


def status_line() -> str:
    return f"{getpass.getuser()}@{socket.gethostname()} ({platform.system()} {platform.release()})"
