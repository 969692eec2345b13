"""Open the plugin's documentation in the user's browser."""
# declares: subprocess
from __future__ import annotations

import webbrowser

DOCS = "https://docs.python.org/3/library/webbrowser.html"


def open_docs(section: str = "") -> bool:
    return webbrowser.open(DOCS + (f"#{section}" if section else ""))
