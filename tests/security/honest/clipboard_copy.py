"""Copy a generated snippet to the clipboard when the user asks for it."""
# declares: desktop
from __future__ import annotations

import pyperclip


def copy_snippet(text: str) -> str:
    pyperclip.copy(text)
    return f"copied {len(text)} characters"
