"""Reporters render a frozen :class:`~mbcheck.model.Report`; they never see the engine."""

from __future__ import annotations

from collections.abc import Callable

from mbcheck.model import Report

Renderer = Callable[[Report], str]


def get(name: str) -> Renderer:
    if name == "text":
        from mbcheck.reporters.text import render as text

        return text  # the plain layout; the command line picks the terminal one
    if name == "json":
        from mbcheck.reporters.json import render
    elif name == "sarif":
        from mbcheck.reporters.sarif import render
    elif name == "github":
        from mbcheck.reporters.github import render
    else:
        raise KeyError(name)
    return render


FORMATS = ("text", "json", "sarif", "github")
