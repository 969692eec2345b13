"""``mbcheck host-profile``: a host profile read from MilkBottle's own source, statically.

The host is never imported: its files are parsed with :mod:`ast` and its
metadata read as text (:mod:`~mbcheck.hostprofile.tree` locates the tree and
reads its metadata, :mod:`~mbcheck.hostprofile.source` reads its modules,
:mod:`~mbcheck.hostprofile.generate` assembles the profile).
"""

from __future__ import annotations

from mbcheck.hostprofile.generate import generate, render
from mbcheck.hostprofile.tree import HostProfileError

__all__ = ["HostProfileError", "generate", "render"]
