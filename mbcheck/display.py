"""Showing text that came from a plugin (or a rule's example) on a terminal or a page.

A plugin's bytes can hold anything: a NUL byte, a terminal escape sequence that recolours or
clears the screen, a right-to-left override. What mbcheck prints of them goes through
:func:`printable` first, so a reader sees the characters, escaped, and the terminal never
receives them raw.
"""

from __future__ import annotations

import unicodedata


def printable(text: str) -> tuple[str, bool]:
    """``text`` with every non-printable character other than newline and tab written as an
    escape (``\\x00``, ``\\u200b``), and whether any was."""
    if text.isprintable():
        return text, False
    out: list[str] = []
    escaped = False
    for char in text:
        if char in "\n\t" or char.isprintable():
            out.append(char)
            continue
        escaped = True
        point = ord(char)
        out.append(f"\\x{point:02x}" if point < 0x100 else f"\\u{point:04x}" if point < 0x10000 else f"\\U{point:08x}")
    return "".join(out), escaped


def cell_width(char: str) -> int:
    """Terminal cells a printable character takes: 2 for wide East Asian characters, 0 for
    combining marks, else 1."""
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
