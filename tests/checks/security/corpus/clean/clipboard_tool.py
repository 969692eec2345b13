# permissions: desktop, subprocess
"""A plugin that copies a generated command to the clipboard and opens the docs in a browser."""
import shlex
import webbrowser

import pyperclip


def copy_command(args: list[str]) -> str:
    line = shlex.join(args)
    pyperclip.copy(line)
    return line


def open_docs() -> None:
    webbrowser.open("https://docs.example.org/plugin")
