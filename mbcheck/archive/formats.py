"""The file names mbcheck treats as plugin archives: one list of suffixes.

Discovery (which inputs are archives), the archive inspection and the gate (a
plugin's identity without its suffix, and the error that names what it
accepts) all read :data:`ARCHIVE_SUFFIXES`. The name only decides what is
tried: the inspection recognises the format from the content
(:mod:`mbcheck.archive.inspect`). No imports beyond the standard library.
"""

from __future__ import annotations

from typing import Final

__all__ = ["ARCHIVE_SUFFIXES", "WHEEL_SUFFIX", "archive_suffix", "has_archive_name", "is_wheel"]

#: a wheel: its name is ``distribution-version-tags.whl``
WHEEL_SUFFIX: Final = ".whl"
#: file names (lower-cased) ending in one of these are plugin archives, in the order error messages list them
ARCHIVE_SUFFIXES: Final = (".tar.gz", ".tgz", ".tar", ".zip", WHEEL_SUFFIX)


def archive_suffix(name: str) -> str | None:
    """The archive suffix ``name`` ends with (compared lower-cased), or None."""
    lowered = name.lower()
    return next((suffix for suffix in ARCHIVE_SUFFIXES if lowered.endswith(suffix)), None)


def has_archive_name(name: str) -> bool:
    """Whether a file called ``name`` is treated as a plugin archive."""
    return archive_suffix(name) is not None


def is_wheel(name: str) -> bool:
    """Whether a file called ``name`` is a wheel."""
    return name.lower().endswith(WHEEL_SUFFIX)
